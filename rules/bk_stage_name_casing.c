/* StageNameCasing - stage names should be lowercase. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_StageNameCasing = {
	.code = "StageNameCasing",
	.name = "stage-name-casing",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_NONE,
	.message = "stage name should be lowercase",
	.docs = {
		.what = "Reports a FROM whose stage name (the word after AS) holds an upper-case "
			"letter.",
		.why = "The builder lower-cases stage names, so `Build` and `build` are the same "
		       "stage: writing them in lower case keeps `--from` and `--target` references "
		       "looking like what they match.",
		.example = "FROM golang:1.22 AS BuildBase\n",
		.instead = "FROM golang:1.22 AS build-base\n",
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
	for (size_t i = 0; i < a.len; i++) {
		if (a.ptr[i] >= 'A' && a.ptr[i] <= 'Z') {
			df_report(lint, &df_rule_StageNameCasing, in->from_alias.span,
				  "stage name '%.*s' should be lowercase", (int)a.len, a.ptr);
			return;
		}
	}
}
