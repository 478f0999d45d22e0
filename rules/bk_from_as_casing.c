/* FromAsCasing - the AS of a FROM should be cased like the FROM. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_FromAsCasing = {
	.code = "FromAsCasing",
	.name = "from-as-casing",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_SAFE,
	.message = "the casing of 'AS' does not match the casing of 'FROM'",
	.docs = {
		.what = "Reports the AS keyword of a FROM when FROM is all upper case and AS is "
			"not, or FROM is all lower case and AS is not. A FROM in mixed case is "
			"left to ConsistentInstructionCasing.",
		.why = "Keywords may be written in either case, but mixing the two on one line "
		       "reads badly and hides the stage name.",
		.example = "FROM debian:12 as builder\n",
		.instead = "FROM debian:12 AS builder\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

/* 1: every letter upper case, -1: every letter lower case, 0: mixed. */
static int casing(df_str s)
{
	bool upper = false, lower = false;
	for (size_t i = 0; i < s.len; i++) {
		upper |= s.ptr[i] >= 'A' && s.ptr[i] <= 'Z';
		lower |= s.ptr[i] >= 'a' && s.ptr[i] <= 'z';
	}
	return upper && !lower ? 1 : lower && !upper ? -1 : 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	/* FROM image AS name: the AS is the middle one of three words. */
	if (in->kind != DF_I_FROM || !in->from_alias.raw.ptr || in->nargs != 3)
		return;
	const df_word *as = &in->args[1];
	int from = casing(in->keyword);
	if (from == 0 || casing(as->raw) == from)
		return;
	df_fix *fix = df_report_fix(lint, &df_rule_FromAsCasing, DF_FIX_SAFE, as->span,
				    "the casing of '%.*s' does not match the casing of '%.*s'", (int)as->raw.len,
				    as->raw.ptr, (int)in->keyword.len, in->keyword.ptr);
	df_fix_edit(fix, as->span.start, as->span.end, from > 0 ? "AS" : "as");
}
