/* DL3057 - a stage without HEALTHCHECK (off unless raised). */
#include "engine/rule.h"

#include <stdlib.h>

static void check(df_lint *lint, void *state);

const df_rule df_rule_DL3057 = {
	.code = "DL3057",
	.name = "healthcheck-missing",
	.severity = DF_SEV_IGNORE,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "`HEALTHCHECK` instruction missing.",
	.docs = {
		.what = "Reports, at its FROM, each stage with no HEALTHCHECK. A stage counts as "
			"having one when a stage it is built on has one, or a stage built on it "
			"has one, each along the whole chain (not sideways to a sibling). Off "
			"unless its severity is raised.",
		.why = "Without a health check the orchestrator only knows whether the process "
		       "runs, not whether it serves.",
		.example = "FROM nginx:1.27\n",
		.instead = "FROM nginx:1.27\nHEALTHCHECK CMD curl -fs http://localhost/ || exit 1\n",
	},
	.on_file_end = check,
};

static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_doc *doc = df_lint_doc(lint);
	const df_graph *g = df_lint_graph(lint);
	if (!g->nstages)
		return;
	/* Most files have a few stages: their flags fit on the stack. */
	enum { FEW = 16 };
	bool room[3 * FEW] = { false };
	bool *own = g->nstages <= FEW ? room : calloc(g->nstages * 3, sizeof(bool));
	if (!own)
		return;
	bool *down = own + g->nstages, *up = down + g->nstages;
	for (size_t s = 0; s < g->nstages; s++)
		for (size_t i = g->stages[s].first; i <= g->stages[s].last && i < doc->ninstrs; i++)
			if (doc->instrs[i]->kind == DF_I_HEALTHCHECK)
				own[s] = true;
	/* Bases come before the stages built on them: down from a base in
	 * file order, up from a stage to its base in reverse order. */
	for (size_t s = 0; s < g->nstages; s++) {
		int b = g->stages[s].base_kind == DF_BASE_STAGE ? g->stages[s].base_stage : -1;
		down[s] = own[s] || (b >= 0 && down[b]);
	}
	for (size_t s = g->nstages; s-- > 0;) {
		int b = g->stages[s].base_kind == DF_BASE_STAGE ? g->stages[s].base_stage : -1;
		up[s] = up[s] || own[s];
		if (b >= 0 && up[s])
			up[b] = true;
	}
	bool *has = own;
	for (size_t s = 0; s < g->nstages; s++)
		has[s] = down[s] || up[s];
	for (size_t s = 0; s < g->nstages; s++)
		if (!has[s])
			df_report(lint, &df_rule_DL3057, doc->instrs[g->stages[s].from]->keyword_span, NULL);
	if (own != room)
		free(own);
}
