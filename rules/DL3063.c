/* DL3063 - a stage name must not be a reserved word. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3063 = {
	.code = "DL3063",
	.name = "reserved-stage-name",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "stage name should not be a reserved word",
	.docs = {
		.what = "Reports a stage named `scratch` or `context`. The name is compared "
			"case-insensitively, as the builder lower-cases stage names (hadolint "
			"compares it exactly).",
		.why = "`scratch` already means the empty image and `context` the build context: "
		       "a stage with either name is confusing at best and unreachable at worst.",
		.example = "FROM alpine:3.20 AS scratch\n",
		.instead = "FROM alpine:3.20 AS base\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_FROM || !in->from_alias.raw.ptr)
		return;
	df_str a = in->from_alias.raw;
	if (df_mem_ieq(a.ptr, a.len, "scratch") || df_mem_ieq(a.ptr, a.len, "context"))
		df_report(lint, &df_rule_DL3063, in->from_alias.span, NULL);
}
