/* DL3029 - do not pin FROM to a constant --platform. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3029 = {
	.code = "DL3029",
	.name = "no-from-platform",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Do not use --platform flag with FROM",
	.docs = {
		.what = "Reports `FROM --platform=P` where P mentions neither BUILDPLATFORM nor "
			"TARGETPLATFORM. dfopt stays quiet when P comes from a build arg whose "
			"value is unknown (it may well be one of those).",
		.why = "A fixed platform overrides what the builder was asked for, so a "
		       "multi-platform build silently produces the wrong image.",
		.example = "FROM --platform=linux/amd64 alpine:3.20\n",
		.instead = "FROM --platform=$BUILDPLATFORM alpine:3.20\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_flag *f = in->kind == DF_I_FROM ? in->from_platform : NULL;
	if (!f || in->has_error || f->value.len == 0)
		return;	/* an empty --platform sets nothing */
	df_str v = f->value;
	if (df_mem_contains(v.ptr, v.len, "BUILDPLATFORM") || df_mem_contains(v.ptr, v.len, "TARGETPLATFORM"))
		return;
	if (f->exp.state == DF_EXP_UNKNOWN || f->exp.state == DF_EXP_ERROR)
		return;	/* depends on a build arg we cannot see */
	df_report(lint, &df_rule_DL3029, f->span, NULL);
}
