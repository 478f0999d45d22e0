/* DL3061 - a Dockerfile must begin with FROM or ARG. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3061 = {
	.code = "DL3061",
	.name = "begin-with-from",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
	.docs = {
		.what = "Reports every instruction before the first FROM other than ARG (comments "
			"and parser directives are fine). An unknown instruction there is left to "
			"its parse error.",
		.why = "Before the first FROM there is no stage to run in: the builder refuses "
		       "anything but global ARGs.",
		.example = "LABEL maintainer=me\nFROM alpine:3.20\n",
		.instead = "FROM alpine:3.20\nLABEL maintainer=me\n",
	},
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->stage >= 0 || in->kind == DF_I_FROM || in->kind == DF_I_ARG || in->kind == DF_I_UNKNOWN)
		return;
	df_report(lint, &df_rule_DL3061, in->keyword_span, NULL);
}
