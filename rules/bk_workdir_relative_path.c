/* WorkdirRelativePath - a relative WORKDIR before any WORKDIR of the stage. */
#include "engine/rule.h"
#include "util/util.h"

#include <stdlib.h>

static void check(df_lint *lint, void *state);

const df_rule df_rule_WorkdirRelativePath = {
	.code = "WorkdirRelativePath",
	.name = "workdir-relative-path",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "relative WORKDIR depends on the base image's working directory",
	.docs = {
		.what = "Reports a relative WORKDIR when no WORKDIR came before it in its stage, "
			"nor in the stage it is built on (`FROM <stage>`). The path is taken "
			"after the builder's expansion; a path that depends on an unknown build "
			"arg is left alone. A Windows drive path (`C:\\app`, `C:/app`) is "
			"absolute. ONBUILD triggers are not checked: they run in another build.",
		.why = "A relative WORKDIR is resolved against the working directory of the base "
		       "image, which is set by someone else and may change with any new tag.",
		.example = "FROM nginx\nWORKDIR app\n",
		.instead = "FROM nginx\nWORKDIR /usr/share/nginx/html\nWORKDIR app\n",
	},
	.on_file_end = check,
};

static bool is_absolute(df_str p)
{
	if (p.len && (p.ptr[0] == '/' || p.ptr[0] == '\\'))
		return true;
	/* A Windows drive (C:\x, C:/x), as DL3000 has it. Any drive prefix counts:
	 * with the default escape `\`, the expanded value of `WORKDIR C:\src` (or of
	 * `ENV D C:\src` then `WORKDIR $D`) is `C:src`, which its author meant as C:\src. */
	return p.len >= 2 && df_is_alpha(p.ptr[0]) && p.ptr[1] == ':';
}

/* Whether a stage has a WORKDIR needs its base stage's answer: a walk over
 * the whole file at the end, in order, since a base always comes first. */
static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_doc *doc = df_lint_doc(lint);
	const df_graph *g = df_lint_graph(lint);
	if (!g->nstages)
		return;
	bool *set = df_xcalloc(g->nstages, sizeof(*set));
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->stage < 0 || (size_t)in->stage >= g->nstages)
			continue;
		const df_stage *st = &g->stages[in->stage];
		if (in->kind == DF_I_FROM) {
			set[in->stage] = st->base_kind == DF_BASE_STAGE && st->base_stage >= 0 &&
					 st->base_stage < in->stage && set[st->base_stage];
			continue;
		}
		if (in->kind != DF_I_WORKDIR || in->nargs == 0)
			continue;
		bool first = !set[in->stage];
		set[in->stage] = true;
		const df_word *w = &in->args[0];
		df_str path;
		if (!df_expanded_value(&w->exp, w->raw, &path))
			continue;
		if (first && !is_absolute(path))
			df_report(lint, &df_rule_WorkdirRelativePath, w->span,
				  "relative WORKDIR '%.*s' depends on the base image's working directory",
				  (int)w->raw.len, w->raw.ptr);
	}
	free(set);
}
