/* LegacyKeyValueFormat - ENV or LABEL written `key value` without `=`. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_LegacyKeyValueFormat = {
	.code = "LegacyKeyValueFormat",
	.name = "legacy-key-value-format",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "use the key=value form instead of the legacy key value form",
	.docs = {
		.what = "Reports an ENV or LABEL (ONBUILD triggers included) in the legacy "
			"`KEY value` form, whose first word has no `=`.",
		.why = "In the legacy form the whole rest of the line is one value, spaces and "
		       "quotes included, which is easy to misread; the `key=value` form says "
		       "exactly where each value ends and allows several pairs.",
		.example = "FROM alpine\nENV GREETING hello world\n",
		.instead = "FROM alpine\nENV GREETING=\"hello world\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_ENV) | DF_KIND(DF_I_LABEL),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind == DF_I_ONBUILD)
		in = in->inner;
	if (!in || (in->kind != DF_I_ENV && in->kind != DF_I_LABEL) || !in->legacy_kv || !in->npairs)
		return;
	const char *kw = df_instr_kind_name(in->kind);
	df_report(lint, &df_rule_LegacyKeyValueFormat, in->pairs[0].key_span,
		  "use '%s key=value' instead of the legacy '%s key value' form", kw, kw);
}
