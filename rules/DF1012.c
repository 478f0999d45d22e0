/* DF1012 - a stage the final stage does not need. */
#include "engine/rule.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void check(df_lint *lint, void *state);

const df_rule df_rule_DF1012 = {
	.code = "DF1012",
	.name = "unused-stage",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "stage is not needed by the final stage",
	.docs = {
		.what = "Reports a stage that the last stage (the default target) does not reach through "
			"`FROM <stage>`, `COPY --from=<stage>` or `RUN --mount=from=<stage>`, directly or "
			"through other stages, and that no other stage names either: of a chain of unused "
			"stages, only the one at its end is reported. The finding is on the stage's "
			"name (or image, for a stage without one). When a `--from` names something the "
			"linter cannot resolve (`COPY --from=$VARIANT`: `--from` is never expanded, so the "
			"name depends on nothing the file shows) or a FROM depends on an unknown build arg, "
			"any stage may be the one meant and the rule stays quiet.",
		.why = "BuildKit builds only the stages the target needs: an unused stage is skipped "
		       "unless `--target` names it, so its steps, however slow, are dead weight to "
		       "the reader, and its failures go unnoticed. Often it is a test or lint stage "
		       "that CI builds with `--target`, which is fine; sometimes it is a leftover. "
		       "The legacy builder (DOCKER_BUILDKIT=0) builds every stage, which costs time "
		       "on every build.",
		.example = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
			   "FROM golang:1.22 AS test\nRUN go test ./...\n"
			   "FROM gcr.io/distroless/static\nCOPY --from=build /app /app\n",
		.instead = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
			   "FROM gcr.io/distroless/static\nCOPY --from=build /app /app\n",
	},
	.on_file_end = check,
};

static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_graph *g = df_lint_graph(lint);
	const df_doc *doc = df_lint_doc(lint);
	if (g->nstages < 2 || g->target != (int)g->nstages - 1)
		return;
	for (size_t i = 0; i < g->nstages; i++)
		if (g->stages[i].base_kind == DF_BASE_UNKNOWN)
			return;	/* FROM $X may name any stage */
	/* On the stack for the usual handful of stages. */
	bool room[64];
	bool *named = g->nstages <= DF_ARRAY_LEN(room) ? room : df_xmalloc(g->nstages * sizeof(*named));
	memset(named, 0, g->nstages * sizeof(*named));
	bool unknown = false;
	for (size_t i = 0; i < g->nedges; i++) {
		const df_edge *e = &g->edges[i];
		if (e->from >= 0 && (size_t)e->from < g->nstages)
			named[e->from] = true;
		else if (e->image.ptr && memchr(e->image.ptr, '$', e->image.len))
			unknown = true;
	}
	/* Most files need every stage: then there is nothing to report, and
	 * no need to look further. */
	bool unused = false;
	for (size_t i = 0; i + 1 < g->nstages && !unused; i++)
		unused = !g->stages[i].reachable && !named[i];
	/* A --from the parser refused ($VAR: never expanded) still means some
	 * stage. */
	for (size_t i = 0; i < doc->ninstrs && unused && !unknown; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->has_error && (in->kind == DF_I_COPY || in->kind == DF_I_RUN))
			for (size_t f = 0; f < in->nflags; f++)
				unknown |= df_mem_eq(in->flags[f].name.ptr, in->flags[f].name.len, "from") ||
					   df_mem_eq(in->flags[f].name.ptr, in->flags[f].name.len, "mount");
	}
	for (size_t i = 0; i + 1 < g->nstages && unused && !unknown; i++) {
		const df_stage *st = &g->stages[i];
		if (st->reachable || named[i])
			continue;
		const df_instr *from = doc->instrs[st->from];
		if (from->has_error)
			continue;
		if (st->name.ptr)
			df_report(lint, &df_rule_DF1012, from->from_alias.span,
				  "stage '%.*s' (line %u) is not needed by the final stage: `docker build` skips it "
				  "unless --target %.*s",
				  (int)from->from_alias.raw.len, from->from_alias.raw.ptr, from->line, (int)st->name.len,
				  st->name.ptr);
		else
			df_report(lint, &df_rule_DF1012, from->from_image.span,
				  "stage %zu (line %u) has no name and the final stage does not need it: `docker build` "
				  "never builds it; remove it or name it and build it with --target",
				  i, from->line);
	}
	if (named != room)
		free(named);
}
