/*
 * engine.h - `dfopt measure --engine buildah|docker`: build one variant of
 * a measurement with an external engine and read its cache hits from the
 * engine's output.
 *
 * Steps are counted as dfopt's builder counts them: the instructions that
 * are build steps (RUN, COPY, ADD, WORKDIR; FROM and config-only
 * instructions are not), in the stages the engine built. A step is a hit
 * when the engine says it reused its cache for it; every other counted
 * step was rebuilt. Seconds are the executed steps' time (buildah prints
 * no timings: the time between a step's header and the next, as the
 * output arrives; BuildKit: its "DONE 1.2s"). Bytes are those of the final
 * image's layers the engine did not hold before the build (buildah:
 * uncompressed layer sizes; docker: not reported, 0).
 *
 * Each variant's engine state lives in a directory of its own (state_dir),
 * so one variant never profits from the other's cache:
 *   buildah  STATE/root and STATE/runroot (`--root`, `--runroot`, storage
 *            driver vfs, RUN in chroot isolation: no daemon, no cgroups,
 *            no OCI runtime needed), base images pulled from an OCI layout
 *            exported from dfopt's store (STATE/oci) and tagged as the
 *            Dockerfile's FROM names, so builds run offline;
 *   docker   a docker-container builder of its own (`docker buildx
 *            create`), the base images given with `--build-context
 *            NAME=oci-layout://STATE/oci:NAME`, removed by release.
 * A new state_dir (the history replay's fresh stores) starts cold.
 *
 * Ownership: a df_engine_state owns its strings; nothing here prints but
 * the engine's output to log_fd.
 */
#ifndef DF_MEASURE_ENGINE_H
#define DF_MEASURE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "build/store.h"
#include "measure/measure.h"
#include "util/buf.h"

/* One variant's engine state. */
typedef struct df_engine_state {
	char *dir;		/* the state directory set up, or NULL */
	char *builder;		/* docker: the buildx builder's name */
	char **bases;		/* the base image names exported (docker's build contexts) */
	size_t nbases, capbases;
	char **layers;		/* buildah: layer digests the storage holds */
	size_t nlayers, caplayers;
} df_engine_state;

typedef struct df_engine_build_opts {
	df_measure_engine engine;	/* BUILDAH or DOCKER */
	const char *dockerfile;
	const char *context;
	const char *target;
	const char *const *build_args;
	size_t nbuild_args;
	const char *state_dir;		/* the variant's engine state (created) */
	const df_store *bases;		/* where the FROM images come from */
	int log_fd;			/* the engine's output, or -1 */
} df_engine_build_opts;

/* The engine's name ("dfopt", "buildah", "docker"), and back: -1 unknown. */
const char *df_engine_name(df_measure_engine e);
int df_engine_parse_name(const char *name);

/* 0 when the engine's command is on PATH (dfopt: always), else -1 with
 * a message in err. */
int df_engine_check(df_measure_engine e, df_buf *err);

/*
 * Build once, filling c (its error set when the build failed). Prepares
 * the state directory the first time it is given. -1 with err when the
 * engine could not be prepared or run at all.
 */
int df_engine_build(const df_engine_build_opts *o, df_engine_state *st, df_measure_cell *c, df_buf *err);
/* Drop the state (docker: remove its builder); the directory stays for
 * the caller's scratch removal. */
void df_engine_state_release(df_engine_state *st, int log_fd);

/*
 * The output parsers, for tests. times[i] is when line i arrived (seconds,
 * any origin), or NULL. Fill steps, hits, rebuilt and seconds of c.
 */
void df_engine_parse_buildah(const char *out, const double *times, df_measure_cell *c);
void df_engine_parse_docker(const char *out, df_measure_cell *c);

#endif
