/* DL3021 - a COPY of several sources needs a directory target. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3021 = {
	.code = "DL3021",
	.name = "copy-multiple-sources-to-dir",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "COPY with more than 2 arguments requires the last argument to end with /",
	.docs = {
		.what = "Reports a COPY with more than one source whose target, unquoted, does not "
			"end in `/`. ADD is not checked, as in hadolint. Unlike hadolint, a target "
			"given by a known ARG or ENV is judged by its value; one that depends on an "
			"unknown build arg is not.",
		.why = "The builder refuses to copy several sources to a target that is not a "
		       "directory ending in `/`.",
		.example = "FROM alpine:3.20\nCOPY a.txt b.txt /app\n",
		.instead = "FROM alpine:3.20\nCOPY a.txt b.txt /app/\n",
	},
	.instr_kinds = DF_KIND(DF_I_COPY),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_COPY || in->has_error || !in->dest || in->nsources < 2)
		return;
	const df_word *d = in->dest;
	if (d->exp.state == DF_EXP_UNKNOWN || d->exp.state == DF_EXP_ERROR)
		return;
	df_str t = d->exp.state == DF_EXP_KNOWN ? d->exp.value : d->value;
	/* Quotes as hadolint drops them, when nothing expanded them away. */
	while (t.len && (t.ptr[t.len - 1] == '"' || t.ptr[t.len - 1] == '\''))
		t.len--;
	if (t.len && t.ptr[t.len - 1] == '/')
		return;
	df_report(lint, &df_rule_DL3021, d->span, NULL);
}
