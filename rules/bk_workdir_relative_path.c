/* WorkdirRelativePath - a relative WORKDIR before any WORKDIR of the stage. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

typedef struct last_workdir {
	int stage;	/* 1 + the stage of the last WORKDIR seen, 0: none */
} last_workdir;

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
	.state_size = sizeof(last_workdir),
	.instr_kinds = DF_KIND(DF_I_WORKDIR),
	.on_instr = check,
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

/* A WORKDIR with a path (ONBUILD triggers aside: they are not in the
 * stage's instructions). */
static bool sets_workdir(const df_instr *in)
{
	return in->kind == DF_I_WORKDIR && in->nargs;
}

/* Only the first WORKDIR of a stage is judged; whether the stage it is
 * built on set one is asked only of a relative path, which is rare. */
static void check(df_lint *lint, const df_instr *in, void *state)
{
	last_workdir *last = state;
	const df_graph *g = df_lint_graph(lint);
	if (in->kind != DF_I_WORKDIR || in->nargs == 0 || in->stage < 0 || (size_t)in->stage >= g->nstages)
		return;
	bool first = last->stage != in->stage + 1;
	last->stage = in->stage + 1;
	const df_word *w = &in->args[0];
	df_str path;
	if (!first || !df_expanded_value(&w->exp, w->raw, &path) || is_absolute(path))
		return;
	const df_stage *st = &g->stages[in->stage];
	if (st->base_kind == DF_BASE_STAGE && st->base_stage >= 0 && st->base_stage < in->stage &&
	    df_graph_chain_has(g, df_lint_doc(lint), (size_t)st->base_stage, sets_workdir))
		return;
	df_report(lint, &df_rule_WorkdirRelativePath, w->span,
		  "relative WORKDIR '%.*s' depends on the base image's working directory",
		  (int)w->raw.len, w->raw.ptr);
}
