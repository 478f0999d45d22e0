/*
 * graph.h - the instruction graph of one parsed Dockerfile.
 *
 * Built once from a df_doc (after scope resolution) and read by everything
 * after it: stages and their bases, the stage DAG (FROM stage, COPY --from,
 * RUN --mount from=), which stages the target needs, and per instruction its
 * stage, the build step it chains on, the WORKDIR/USER/SHELL in force, the
 * variables it reads and where they were defined, and for COPY/ADD the file
 * model (where the sources come from and where they land).
 *
 * Ownership: a df_graph borrows the df_doc (which must outlive it) and owns
 * its own arrays; df_graph_release() frees them.
 */
#ifndef DF_GRAPH_GRAPH_H
#define DF_GRAPH_GRAPH_H

#include <cjson/cJSON.h>

#include "parse/ast.h"
#include "util/buf.h"

typedef enum df_base_kind {
	DF_BASE_IMAGE,		/* an image reference */
	DF_BASE_STAGE,		/* an earlier stage, by name or index */
	DF_BASE_SCRATCH,	/* the empty image */
	DF_BASE_UNKNOWN,	/* the reference depends on an unknown build arg */
} df_base_kind;

typedef struct df_stage {
	size_t index;
	df_str name;		/* alias, lower-cased; ptr NULL when none */
	size_t from;		/* index of its FROM in doc->instrs */
	size_t first, last;	/* its instructions: doc->instrs[first..last] */
	df_base_kind base_kind;
	df_str base_ref;	/* image reference (expanded where known) */
	int base_stage;		/* DF_BASE_STAGE: the stage index */
	bool reachable;		/* the target needs it */
} df_stage;

typedef enum df_edge_kind {
	DF_EDGE_FROM,		/* FROM <stage> */
	DF_EDGE_COPY,		/* COPY --from=<stage> */
	DF_EDGE_MOUNT,		/* RUN --mount=from=<stage> */
} df_edge_kind;

/* Stage `to` needs stage `from` (or an external image when from < 0). */
typedef struct df_edge {
	df_edge_kind kind;
	int from;		/* stage index, or -1 for an image */
	size_t to;		/* stage index */
	size_t instr;		/* the instruction making the edge */
	df_str image;		/* from < 0: the image reference */
} df_edge;

typedef enum df_step_kind {
	DF_STEP_NONE,		/* before the first FROM, or a parse error */
	DF_STEP_BASE,		/* FROM: the chain starts at the base image */
	DF_STEP_LAYER,		/* RUN, COPY, ADD: executes, makes a layer */
	DF_STEP_STATE,		/* WORKDIR: a build step that may create a directory */
	DF_STEP_ENV,		/* ARG, ENV, USER, SHELL: changes what later steps see */
	DF_STEP_CONFIG,		/* LABEL, EXPOSE, CMD, ...: image config only */
} df_step_kind;

/* Where a COPY/ADD takes its sources from. */
typedef enum df_copy_origin {
	DF_COPY_CONTEXT,
	DF_COPY_STAGE,
	DF_COPY_IMAGE,
	DF_COPY_HEREDOC,	/* every source is a heredoc */
	DF_COPY_URL,		/* ADD of remote URLs or git repositories */
} df_copy_origin;

typedef struct df_copy_model {
	df_copy_origin origin;
	int stage;		/* DF_COPY_STAGE */
	df_str image;		/* DF_COPY_IMAGE */
	df_str *sources;	/* expanded where known, else as written */
	size_t nsources;
	df_str dest;		/* resolved against WORKDIR */
	bool dest_known;	/* false when WORKDIR or the dest is unknown */
	bool dest_is_dir;	/* ends in '/' (or several sources) */
} df_copy_model;

typedef struct df_step {
	df_step_kind kind;
	int stage;		/* -1 before the first FROM */
	int parent;		/* previous build step in the chain (index into
				   doc->instrs), -1 at the stage's FROM */
	df_str workdir;		/* in force when the instruction runs */
	bool workdir_known;
	df_str user;		/* "" = the image's default */
	bool user_known;
	const df_instr *shell;	/* SHELL in force, NULL = ["/bin/sh", "-c"] */
	df_copy_model *copy;	/* COPY/ADD only */
} df_step;

typedef struct df_defuse {
	size_t def;		/* index of the defining ARG/ENV instruction */
	size_t use;		/* index of the instruction reading it */
	df_str name;
	bool by_shell;
} df_defuse;

typedef struct df_graph {
	const df_doc *doc;
	df_stage *stages;
	size_t nstages;
	df_edge *edges;
	size_t nedges;
	df_step *steps;		/* parallel to doc->instrs */
	df_defuse *defuses;
	size_t ndefuses;
	int target;		/* stage index, -1 when the file has no stage */
	df_arena arena;		/* steps, stages and strings made while building */
} df_graph;

/* Build the graph. target is a stage name or index ("" or NULL: the last
 * stage). Returns -1 when target names no stage (g is then released). */
int df_graph_build(df_graph *g, const df_doc *doc, const char *target);
void df_graph_release(df_graph *g);

/* Index into doc->instrs of a top-level instruction, or -1. */
int df_graph_instr_index(const df_graph *g, const df_instr *in);
/* Stage by name (case-insensitive) or decimal index, as seen from before
 * stage `before` (names defined later do not count); -1 if none. */
int df_graph_stage_ref(const df_graph *g, df_str ref, size_t before);
/* Does an earlier stage bear stage's name (names compare lower-cased, as
 * the builder's)? False for an unnamed stage or one out of range. */
bool df_graph_stage_name_taken(const df_graph *g, int stage);
/* Does stage si (< g->nstages) or a stage it is built on, through its chain
 * of base stages, hold an instruction of doc that has() says yes to? */
bool df_graph_chain_has(const df_graph *g, const df_doc *doc, size_t si, bool (*has)(const df_instr *in));

cJSON *df_graph_json(const df_graph *g);

#endif
