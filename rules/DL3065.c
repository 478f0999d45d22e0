/* DL3065 - FROM --platform=$TARGETPLATFORM is the default. */
#include "engine/rule.h"
#include "parse/flags.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3065 = {
	.code = "DL3065",
	.name = "redundant-target-platform",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_NONE,
	.message = "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior",
	.docs = {
		.what = "Reports `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).",
		.why = "A stage is built for the target platform anyway; the flag adds noise "
		       "and suggests a choice that is not being made.",
		.example = "FROM --platform=$TARGETPLATFORM alpine:3.20\n",
		.instead = "FROM alpine:3.20\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_flag *f = df_from_platform_redundant(in);
	if (f)
		df_report(lint, &df_rule_DL3065, f->span, NULL);
}
