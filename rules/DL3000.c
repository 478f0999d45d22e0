/* DL3000 - use an absolute WORKDIR. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3000 = {
	.code = "DL3000",
	.name = "absolute-workdir",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Use absolute WORKDIR",
	.docs = {
		.what = "Reports a WORKDIR whose path is relative.",
		.why = "A relative WORKDIR is resolved against whatever directory the base image "
		       "or an earlier WORKDIR left behind, so the same line means different places "
		       "in different builds.",
		.example = "FROM alpine\nWORKDIR app\n",
		.instead = "FROM alpine\nWORKDIR /app\n",
	},
	.instr_kinds = DF_KIND(DF_I_WORKDIR),
	.on_instr = check,
};

/* hadolint's test: after quotes, '/' or '$' or a Windows drive "X:". When
 * the builder's expansion is known, dfopt judges the expanded path. */
static bool absolute(df_str p)
{
	size_t i = 0;
	while (i < p.len && (p.ptr[i] == '"' || p.ptr[i] == '\''))
		i++;
	if (i >= p.len)
		return false;
	char c = p.ptr[i];
	if (c == '/' || c == '$' || c == '\\')
		return true;
	return i + 1 < p.len && p.ptr[i + 1] == ':' &&
	       ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_WORKDIR || in->has_error || in->nargs != 1)
		return;
	const df_word *w = &in->args[0];
	df_str path = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->raw;
	if (w->exp.state == DF_EXP_UNKNOWN || absolute(path))
		return;
	df_report(lint, &df_rule_DL3000, w->span, NULL);
}
