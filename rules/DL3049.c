/* DL3049 - every stage sets each schema label. */
#include "engine/engine.h"
#include "engine/labels.h"

#include <stdlib.h>
#include <string.h>

static void check_file(df_lint *lint, void *state);

const df_rule df_rule_DL3049 = {
	.code = "DL3049",
	.name = "missing-label",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Label `<label>` is missing.",
	.docs = {
		.what = "For each label of the label schema, reports the FROM of every stage that never sets it. Exempt: a stage built FROM a stage that has the label; a named stage that a later stage setting the label builds on; a named stage that a later COPY --from uses. A LABEL key that depends on an unknown build arg counts as setting every label.",
		.why = "Images without the agreed metadata cannot be traced to their source, owner or version.",
		.example = "# dfopt --require-label org.opencontainers.image.version:semver\nFROM alpine:3.20\nRUN true\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.version=\"1.2.0\"\n",
	},
	.on_file_end = check_file,
};

/* Whether stage st's own LABEL instructions set name (an unknown key might). */
static bool stage_sets(const df_doc *doc, const df_stage *st, const char *name)
{
	df_str want = { name, strlen(name) };
	for (size_t i = st->first; i <= st->last && i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->kind != DF_I_LABEL)
			continue;
		for (size_t k = 0; k < in->npairs; k++) {
			df_str key;
			if (!df_label_key(&in->pairs[k], &key))
				return true;
			if (key.len == want.len && memcmp(key.ptr, want.ptr, key.len) == 0)
				return true;
		}
	}
	return false;
}

/* A named stage that a later COPY --from uses, or that a later stage which
 * sets the label itself builds on. */
static bool exempt(const df_graph *g, size_t s, const bool *sets)
{
	if (!g->stages[s].name.ptr)
		return false;
	for (size_t e = 0; e < g->nedges; e++) {
		const df_edge *ed = &g->edges[e];
		if (ed->from != (int)s || ed->to <= s)
			continue;
		if (ed->kind == DF_EDGE_COPY || (ed->kind == DF_EDGE_FROM && sets[ed->to]))
			return true;
	}
	return false;
}

static void check_file(df_lint *lint, void *state)
{
	(void)state;
	const df_lint_opts *o = df_lint_config(lint);
	const df_graph *g = df_lint_graph(lint);
	const df_doc *doc = df_lint_doc(lint);
	if (o->nlabels == 0 || g->nstages == 0)
		return;
	bool *sets = calloc(g->nstages, sizeof(bool)), *has = calloc(g->nstages, sizeof(bool));
	if (!sets || !has) {
		free(sets);
		free(has);
		return;
	}
	for (size_t l = 0; l < o->nlabels; l++) {
		const char *name = o->labels[l].name;
		for (size_t s = 0; s < g->nstages; s++) {
			const df_stage *st = &g->stages[s];
			sets[s] = stage_sets(doc, st, name);
			has[s] = sets[s] || (st->base_kind == DF_BASE_STAGE && st->base_stage >= 0 &&
					     (size_t)st->base_stage < s && has[st->base_stage]);
		}
		for (size_t s = 0; s < g->nstages; s++) {
			if (has[s] || exempt(g, s, sets))
				continue;
			const df_instr *from = doc->instrs[g->stages[s].from];
			df_report(lint, &df_rule_DL3049, from->from_image.span, "Label `%s` is missing.", name);
		}
	}
	free(sets);
	free(has);
}
