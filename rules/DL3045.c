/* DL3045 - COPY to a relative destination needs a WORKDIR. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

typedef struct workdirs {
	int stage;		/* 1 + the stage of the last WORKDIR seen, 0: none */
	bool before_from;	/* a WORKDIR before the first FROM (hadolint reads one) */
} workdirs;

const df_rule df_rule_DL3045 = {
	.code = "DL3045",
	.name = "copy-relative-without-workdir",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "`COPY` to a relative destination without `WORKDIR` set.",
	.docs = {
		.what = "Reports a COPY whose destination is relative (not `/...`, not a Windows "
			"`X:...`, not `$...`) in a stage where no WORKDIR has been set, neither in "
			"the stage nor in an earlier stage it is built FROM. A destination built "
			"from variables is judged by its value where dfopt knows it. A COPY before "
			"the first FROM is checked too, as in hadolint.",
		.why = "A relative destination lands in the base image's working directory, which "
		       "the Dockerfile does not state and which can change with the base image.",
		.example = "FROM node:20\nCOPY package.json .\n",
		.instead = "FROM node:20\nWORKDIR /app\nCOPY package.json .\n",
	},
	.state_size = sizeof(workdirs),
	.instr_kinds = DF_KIND(DF_I_WORKDIR) | DF_KIND(DF_I_COPY),
	.on_instr = check,
};

static df_str unquote(df_str s)
{
	while (s.len && (s.ptr[0] == '"' || s.ptr[0] == '\'')) {
		s.ptr++;
		s.len--;
	}
	while (s.len && (s.ptr[s.len - 1] == '"' || s.ptr[s.len - 1] == '\''))
		s.len--;
	return s;
}

static bool absolute(df_str d)
{
	if (d.len && (d.ptr[0] == '/' || d.ptr[0] == '$'))
		return true;
	return d.len >= 2 && d.ptr[1] == ':';	/* a Windows drive, C:\ or C:/ */
}

/* The COPY's destination word when it is relative, else NULL. */
static const df_word *relative_dest(const df_instr *in)
{
	if (in->has_error || !in->dest)
		return NULL;
	const df_word *d = in->dest;
	df_str dest = unquote(d->raw);
	if (dest.len && dest.ptr[0] == '$') {
		/* hadolint accepts any variable; dfopt judges a known value. */
		if (d->exp.state != DF_EXP_KNOWN || d->exp.value.len == 0)
			return NULL;
		dest = unquote(d->exp.value);
	}
	return absolute(dest) ? NULL : d;
}

/* A WORKDIR (ONBUILD triggers aside: they are not in the stage's
 * instructions). */
static bool is_workdir(const df_instr *in)
{
	return in->kind == DF_I_WORKDIR;
}

/* A COPY is judged when no WORKDIR came before it in its stage; whether
 * the stage it is built on set one is asked only of a relative
 * destination, which is rare. */
static void check(df_lint *lint, const df_instr *in, void *state)
{
	workdirs *w = state;
	const df_graph *g = df_lint_graph(lint);
	const df_word *d;
	if (in->stage < 0) {
		/* Before the first FROM: hadolint checks those lines too. */
		if (in->kind == DF_I_WORKDIR)
			w->before_from = true;
		else if (in->kind == DF_I_COPY && !w->before_from && (d = relative_dest(in)))
			df_report(lint, &df_rule_DL3045, d->span, NULL);
		return;
	}
	if ((size_t)in->stage >= g->nstages)
		return;
	if (in->kind == DF_I_WORKDIR) {
		w->stage = in->stage + 1;
		return;
	}
	if (in->kind != DF_I_COPY || w->stage == in->stage + 1 || !(d = relative_dest(in)))
		return;
	const df_stage *st = &g->stages[in->stage];
	if (st->base_kind == DF_BASE_STAGE && st->base_stage >= 0 && st->base_stage < in->stage &&
	    df_graph_chain_has(g, df_lint_doc(lint), (size_t)st->base_stage, is_workdir))
		return;
	df_report(lint, &df_rule_DL3045, d->span, NULL);
}
