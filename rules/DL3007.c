/* DL3007 - do not build FROM the `latest` tag. */
#include "engine/rule.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3007 = {
	.code = "DL3007",
	.name = "no-latest-tag",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag",
	.docs = {
		.what = "Reports a FROM whose image tag is `latest` with no digest.",
		.why = "`latest` moves: the same Dockerfile builds on a different base tomorrow, "
		       "and the build cache cannot tell.",
		.example = "FROM node:latest\n",
		.instead = "FROM node:20.11-bookworm\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_FROM || in->has_error || !in->from_image.raw.ptr)
		return;
	const df_word *w = &in->from_image;
	df_str ref = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->raw;
	/* The tag follows the last ':' after the last '/' (a registry port
	 * comes before a '/'): a reference ending in ":latest" has that tag,
	 * as "latest" holds neither. Asked first: most references end
	 * otherwise. */
	if (df_mem_has_suffix(ref.ptr, ref.len, ":latest") && !memchr(ref.ptr, '@', ref.len))
		df_report(lint, &df_rule_DL3007, w->span, NULL);
}
