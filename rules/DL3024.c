/* DL3024 - stage names must be unique. */
#include "engine/rule.h"


static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3024 = {
	.code = "DL3024",
	.name = "unique-stage-names",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "FROM aliases (stage names) must be unique",
	.docs = {
		.what = "Reports a FROM whose stage name was already given to an earlier stage. "
			"Names compare case-insensitively, as in the builder (hadolint compares "
			"them exactly).",
		.why = "The builder refuses a Dockerfile with two stages of the same name.",
		.example = "FROM node:20 AS build\nFROM golang:1.22 AS build\n",
		.instead = "FROM node:20 AS web\nFROM golang:1.22 AS api\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_FROM || in->stage < 0 || !in->from_alias.raw.ptr)
		return;
	if (df_graph_stage_name_taken(df_lint_graph(lint), in->stage))
		df_report(lint, &df_rule_DL3024, in->from_alias.span, NULL);
}
