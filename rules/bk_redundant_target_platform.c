/* RedundantTargetPlatform - FROM --platform=$TARGETPLATFORM is the default. */
#include "engine/rule.h"
#include "parse/flags.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_RedundantTargetPlatform = {
	.code = "RedundantTargetPlatform",
	.name = "redundant-target-platform-flag",
	.severity = DF_SEV_WARNING,
	.same_as = (const char *const[]){ "DL3065", NULL },
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_NONE,
	.message = "FROM --platform=$TARGETPLATFORM is redundant: a stage is built for the target platform by default",
	.docs = {
		.what = "BuildKit's check of the same name: reports `FROM --platform=$TARGETPLATFORM` "
			"(or `${TARGETPLATFORM}`). It reports what DL3065 reports.",
		.why = "Every stage is built for the target platform unless told otherwise; the "
		       "flag only adds noise and hints at a choice that is not being made.",
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
		df_report(lint, &df_rule_RedundantTargetPlatform, f->span, NULL);
}
