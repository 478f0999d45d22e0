/*
 * measure.h - `dfopt measure`: build two variants of a Dockerfile (as it is
 * and as the fixer rewrites it, or another file) through the same edits and
 * count what each rebuilds.
 *
 * Every variant works in a scratch copy of the build context with a store
 * of its own, seeded with the base images of the user's store (so a cold
 * build is cold for both and neither profits from the other's cache). The
 * scenarios, applied in order to both copies alike:
 *   cold       the first build;
 *   no-change  the same build again;
 *   source     one application source file edited (one the broad COPY
 *              alone selects, or --edit PATH);
 *   manifest   the dependency manifest or lockfile edited;
 *   commit ... with --history N, each of the last N commits of the
 *              context's git repository, in order (git archive: the user's
 *              tree and index are never touched).
 * An edit appends a newline: the file's meaning stays, its content changes.
 *
 * Ownership: a df_measure_result owns its strings and arrays; nothing here
 * prints but to opts->log_fd (the builds' progress).
 */
#ifndef DF_MEASURE_MEASURE_H
#define DF_MEASURE_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Who builds: dfopt's own builder, or an external engine (engine.h). */
typedef enum df_measure_engine {
	DF_ENGINE_DFOPT,
	DF_ENGINE_BUILDAH,
	DF_ENGINE_DOCKER,
} df_measure_engine;

typedef struct df_measure_opts {
	const char *dockerfile;		/* the Dockerfile */
	const char *context;		/* NULL: its directory */
	const char *against;		/* the second variant, or NULL: the fixed one */
	bool unsafe_fixes;		/* the fixed variant takes unsafe fixes too */
	const char *edit;		/* the source file to edit (context-relative), or NULL */
	unsigned history;		/* replay the last N commits (0: none) */
	bool verify;			/* compare the variants' final images */
	bool dry_run;			/* keys only: nothing executes */
	const char *store;		/* the user's store (base images), NULL: default */
	const char *target;
	const char *const *build_args;
	size_t nbuild_args;
	const char *self;		/* the dfopt binary, run as `dfopt --fix` */
	df_measure_engine engine;	/* who builds (no dry run or verify but with dfopt) */
	int log_fd;			/* the builds' progress, or -1 */
} df_measure_opts;

/* One variant in one scenario. */
typedef struct df_measure_cell {
	size_t steps;		/* build steps (FROM excluded) */
	size_t hits;		/* of them cached */
	size_t rebuilt;		/* of them executed (dry run: would be) */
	double seconds;		/* spent executing them */
	uint64_t bytes;		/* of new layers */
	char *error;		/* the build failed: why (the row has no figures) */
} df_measure_cell;

typedef struct df_measure_scenario {
	char *name;		/* "cold", "no-change", "source", "manifest", "commit 1a2b3c4" */
	char *detail;		/* what was edited, the commit's subject, ... */
	df_measure_cell v[2];	/* original, other */
} df_measure_scenario;

typedef struct df_measure_result {
	char *variant[2];	/* "original", "fixed" (or the --against file) */
	df_measure_scenario *sc;
	size_t n, cap;
	bool dry_run;
	bool verified;		/* --verify ran */
	bool verify_ok;
	char *verify_report;	/* the differences, one per line */
	char *fix_diff;		/* the fixed variant's changes (unified diff), or NULL */
} df_measure_result;

/* 0, or -1 with a message in err when the measurement could not be made
 * (a build that fails is a cell's error, not this). */
int df_measure(const df_measure_opts *o, df_measure_result *r, df_buf *err);
void df_measure_result_release(df_measure_result *r);

/* Renderings of a result. */
void df_measure_table(const df_measure_result *r, df_buf *out);
void df_measure_markdown(const df_measure_result *r, df_buf *out);
void df_measure_json(const df_measure_result *r, df_buf *out);
/* A bar chart: rebuild seconds per scenario, both variants. */
void df_measure_svg(const df_measure_result *r, df_buf *out);

/* Compare the root file systems and configs of two images (manifest
 * digests, in stores a and b): differences appended to report, one line
 * each ("path: what differs"), at most max lines. 1 equal, 0 different,
 * -1 error. */
int df_measure_compare(const char *store_a, const char *manifest_a, const char *store_b, const char *manifest_b,
		       size_t max, df_buf *report, df_buf *err);

#endif
