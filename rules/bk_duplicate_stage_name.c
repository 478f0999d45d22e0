/* DuplicateStageName - stage names should be unique. */
#include "engine/rule.h"


static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DuplicateStageName = {
	.code = "DuplicateStageName",
	.name = "duplicate-stage-name",
	.severity = DF_SEV_WARNING,
	.same_as = (const char *const[]){ "DL3024", NULL },
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "stage name is already used by an earlier stage",
	.docs = {
		.what = "Reports a FROM whose stage name was already given to an earlier stage. "
			"Names compare case-insensitively, as the builder lower-cases them. "
			"The same problem as DL3024.",
		.why = "The builder refuses a Dockerfile with two stages of the same name: "
		       "`--from` and `--target` could not tell them apart.",
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
		df_report(lint, &df_rule_DuplicateStageName, in->from_alias.span,
			  "duplicate stage name '%.*s': stage names should be unique",
			  (int)in->from_alias.raw.len, in->from_alias.raw.ptr);
}
