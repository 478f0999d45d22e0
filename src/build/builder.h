/*
 * builder.h - `dfopt build`: execute a Dockerfile into an OCI image, with
 * BuildKit's cache semantics and an explanation for every cache miss.
 *
 * The build parses the Dockerfile at build time (parse/parser.h
 * build_time: build args known, base image ENV known), plans the stages
 * the target needs (graph.h reachable) and walks each in order. Every build
 * step gets a cache key (docs/build-cache.md has the exact format):
 *
 *   key = sha256("dfopt-cache-v1\n" "parent <parent key>\n" <definition>)
 *
 * where the definition is, for RUN, the argv (shell prefix included), the
 * whole environment (image ENV, ENV, and the in-scope ARGs with values),
 * cwd, user, network mode and mounts (a bind mount from the context by the
 * content of what it mounts); for COPY and ADD the destination resolved
 * against WORKDIR, the flags, and the content checksum of the selected
 * context files (build/copy.h), or for --from a stage that stage's final
 * key; for WORKDIR the directory and user; for FROM the base image's
 * manifest digest (a stage base: that stage's final key). ENV, ARG, USER,
 * SHELL and the config-only instructions make no step: they change what
 * later keys see, or only the image config.
 *
 * A key with a record in the store (build/store.h) is a hit and reuses the
 * layer; a miss executes the step (build/sandbox.h, build/copy.h), writes
 * its layer (build/layer.h) and records it. Every step after a miss misses
 * too, because its parent key is new.
 *
 * Each build leaves a record (per Dockerfile path and target) of what every
 * step's key was made of; the next build compares a missed step with the
 * same step of that record to say why it missed.
 *
 * Ownership: the caller owns opts; a df_build_result owns its arrays and
 * strings (df_build_result_release). The build prints only to opts->out_fd.
 */
#ifndef DF_BUILD_BUILDER_H
#define DF_BUILD_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build/digest.h"
#include "util/buf.h"

typedef enum df_progress {
	DF_PROGRESS_PLAIN,	/* one line per step, output prefixed */
	DF_PROGRESS_JSON,	/* one JSON event per line */
	DF_PROGRESS_QUIET,	/* nothing but a failing step's output */
} df_progress;

/* Keys a dry run treats as built, with how long each took: `dfopt
 * measure --dry-run` replays edits without executing, so a step "built"
 * by one replay must hit in the next. Sorted, for binary search. */
typedef struct df_keyset {
	df_digest *keys;
	double *seconds;
	size_t len, cap;
} df_keyset;

void df_keyset_release(df_keyset *k);
/* The index of key, or -1. */
long df_keyset_find(const df_keyset *k, const df_digest *key);
void df_keyset_add(df_keyset *k, const df_digest *key, double seconds);

typedef struct df_build_opts {
	const char *dockerfile;		/* path of the Dockerfile */
	const char *context;		/* directory; NULL: the Dockerfile's */
	const char *target;		/* stage name or index; NULL: the last */
	const char *const *build_args;	/* NAME=VALUE */
	size_t nbuild_args;
	const char *const *secrets;	/* id=ID,src=PATH (as docker build --secret) */
	size_t nsecrets;
	const char *tag;		/* name the image in the store, or NULL */
	const char *output;		/* write an OCI image layout there, or NULL */
	const char *store;		/* store root; NULL: the default */
	bool no_cache;			/* execute every step (records still written) */
	bool explain;			/* plain progress: say why each built step missed */
	bool dry_run;			/* keys only: nothing executes, misses are estimated */
	df_keyset *assume;		/* dry run: keys built before (found and added), or NULL */
	df_progress progress;
	int out_fd;			/* progress and step output */
	int64_t epoch;			/* timestamps in layers and config (SOURCE_DATE_EPOCH) */
} df_build_opts;

typedef enum df_step_status {
	DF_BSTEP_CACHED,	/* key found: layer reused */
	DF_BSTEP_BUILT,		/* executed */
	DF_BSTEP_MISS,		/* dry run: would execute */
	DF_BSTEP_FAILED,	/* executed and failed */
} df_step_status;

typedef struct df_build_step {
	size_t instr;		/* index into the document's instructions */
	unsigned line;		/* its first line */
	int stage;
	char *text;		/* the instruction, continuation lines joined */
	df_step_status status;
	df_digest key;
	double seconds;		/* executing it (BUILT), or as recorded when it was built */
	uint64_t bytes;		/* its layer blob (0: no layer) */
	char *why;		/* a miss whose step was built before: why its key changed */
} df_build_step;

typedef struct df_build_result {
	df_build_step *steps;	/* build steps of the stages built, in order */
	size_t nsteps, cap;
	size_t hits, built;	/* CACHED and BUILT (or MISS) steps */
	double seconds;		/* wall time of the whole build */
	double build_seconds;	/* sum over BUILT/MISS steps */
	uint64_t new_bytes;	/* bytes of the layers built */
	df_digest manifest;	/* the image (unset after a failure or a dry run) */
	df_digest image_id;	/* its config digest */
	int exit_status;	/* a failed RUN's exit status */
} df_build_result;

/*
 * Build. 0 when the image was built (or, dry run, the keys computed); 1
 * when a step failed (r->exit_status, the step is the last of r->steps,
 * err says which); -1 on any other error (err: one line naming the file
 * and line where there is one). r is filled as far as the build got.
 */
int df_build(const df_build_opts *o, df_build_result *r, df_buf *err);
void df_build_result_release(df_build_result *r);

#endif
