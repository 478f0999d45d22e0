/* ReservedStageName - a stage named after a reserved word. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_ReservedStageName = {
	.code = "ReservedStageName",
	.name = "stage-name-reserved-word",
	.severity = DF_SEV_WARNING,
	.same_as = (const char *const[]){ "DL3063", NULL },
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "stage name is a reserved word",
	.docs = {
		.what = "Reports a stage named `scratch` or `context`, in any case. The same "
			"problem as DL3063.",
		.why = "`scratch` already means the empty image and `context` the build context: "
		       "`FROM scratch` or `--from=context` would not reach a stage of that name.",
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
		df_report(lint, &df_rule_ReservedStageName, in->from_alias.span,
			  "stage name '%.*s' is reserved and should not be used", (int)a.len, a.ptr);
}
