/*
 * filemodel.h - what a RUN reads and writes, where the ecosystem table
 * (ecosystem.h) knows: the package-manager commands it runs, each with its
 * class (a dependency install, a package install, a build that reads the
 * sources), the project directory, the manifests it reads, where it writes
 * and its download cache. The COPY side of the file model is the graph's
 * df_copy_model (and, with a build context, context.h's selections).
 *
 * Words are taken as written: a value held in a variable is not expanded
 * here (the lint engine's command views do that for the rules), so a
 * manager named through a variable is not seen. The directory is the
 * step's WORKDIR, then each `cd` before the command in the same script.
 *
 * Ownership: everything returned comes from the arena passed in.
 */
#ifndef DF_GRAPH_FILEMODEL_H
#define DF_GRAPH_FILEMODEL_H

#include <cjson/cJSON.h>

#include "graph/ecosystem.h"
#include "graph/graph.h"
#include "util/arena.h"

typedef struct df_run_use {
	df_eco_use use;		/* kind is never DF_ECO_NONE */
	const df_sh_cmd *cmd;	/* the command (exec form: made up in the arena) */
} df_run_use;

/* The manager commands of doc->instrs[instr] (a RUN; none for anything
 * else or a RUN with an error), in source order; *n gets how many. */
df_run_use *df_run_uses(df_arena *a, const df_graph *g, size_t instr, size_t *n);

/* The "uses" array of a RUN step in the graph's JSON, or NULL when it runs
 * no manager: {"manager", "kind", "verb", "caches"} per command, and for a
 * dependency install "dir", "reads" (image paths), "exact" and "writes";
 * "writes" and "caches" are the table's entries: absolute, or relative to
 * the project directory (node_modules, .yarn/cache/), or the manager's own
 * place by name (site-packages, virtualenv). */
cJSON *df_run_uses_json(const df_graph *g, size_t instr);

#endif
