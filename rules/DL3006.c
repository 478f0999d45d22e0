/* DL3006 - tag the version of a base image explicitly. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3006 = {
	.code = "DL3006",
	.name = "untagged-image",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Always tag the version of an image explicitly",
	.docs = {
		.what = "Reports a FROM image with neither a tag nor a digest, unless it is "
			"`scratch` or an earlier stage. Unlike hadolint, an image given by a variable "
			"is judged by its known value (`ARG IMAGE=ubuntu` then `FROM $IMAGE` is "
			"reported); one that depends on an unknown build arg is not.",
		.why = "An untagged image means `latest`, which moves: the same Dockerfile builds "
		       "on a different base tomorrow.",
		.example = "FROM debian\n",
		.instead = "FROM debian:12.5\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

/* A tag is a ':' after the last '/' (a registry port comes before one). */
static bool has_tag(df_str ref)
{
	const char *colon = ref.len ? memrchr(ref.ptr, ':', ref.len) : NULL;
	return colon && !memchr(colon, '/', ref.len - (size_t)(colon - ref.ptr));
}

/* Stage names are case-insensitive, as in BuildKit. */
static bool earlier_alias(const df_graph *g, df_str ref, int stage)
{
	for (int i = 0; i < stage && (size_t)i < g->nstages; i++) {
		df_str name = g->stages[i].name;
		if (name.ptr && name.len == ref.len && ref.len) {
			size_t k = 0;
			while (k < ref.len && df_to_lower((unsigned char)ref.ptr[k]) == (unsigned char)name.ptr[k])
				k++;
			if (k == ref.len)
				return true;
		}
	}
	return false;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_FROM || in->has_error || !in->from_image.raw.ptr)
		return;
	const df_word *w = &in->from_image;
	if (w->exp.state == DF_EXP_UNKNOWN || w->exp.state == DF_EXP_ERROR)
		return;
	df_str ref = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->value;
	if (ref.len == 0 || ref.ptr[0] == '$' || memchr(ref.ptr, '@', ref.len) || has_tag(ref) ||
	    df_mem_ieq(ref.ptr, ref.len, "scratch") || earlier_alias(df_lint_graph(lint), ref, in->stage))
		return;
	df_report(lint, &df_rule_DL3006, w->span, NULL);
}
