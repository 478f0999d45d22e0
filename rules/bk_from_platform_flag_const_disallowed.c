/* FromPlatformFlagConstDisallowed - FROM --platform with a constant value. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_FromPlatformFlagConstDisallowed = {
	.code = "FromPlatformFlagConstDisallowed",
	.name = "from-platform-flag-const-disallowed",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "FROM --platform should not be a constant",
	.docs = {
		.what = "BuildKit's check of the same name: reports `FROM --platform=P` where P uses "
			"no variable, unless the stage name contains P's OS or architecture "
			"(`FROM --platform=linux/arm64 alpine AS build-arm64` is a stage meant for "
			"that platform). DL3029 reports constant platforms too, without the "
			"stage-name exemption.",
		.why = "A constant platform overrides what the build was asked for: a "
		       "multi-platform build silently gets the same image for every platform, "
		       "or an image that does not run on the target.",
		.example = "FROM --platform=linux/amd64 golang:1.22 AS build\n",
		.instead = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

/* Does the stage name hold s[0..n) (case-insensitive)? */
static bool name_mentions(df_str name, const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i + n <= name.len; i++) {
		size_t k = 0;
		while (k < n && df_to_lower((unsigned char)name.ptr[i + k]) == df_to_lower((unsigned char)s[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_flag *f = in->kind == DF_I_FROM ? in->from_platform : NULL;
	if (!f || in->has_error || f->value.len == 0)
		return;	/* an empty --platform sets nothing */
	df_str v = f->value;
	if (memchr(v.ptr, '$', v.len))
		return;	/* from a variable: chosen at build time */
	/* os[/arch[/variant]]: a stage named for the OS or the arch is a
	 * stage meant for that platform. */
	const char *slash = memchr(v.ptr, '/', v.len);
	size_t oslen = slash ? (size_t)(slash - v.ptr) : v.len;
	const char *arch = slash ? slash + 1 : NULL;
	size_t archlen = 0;
	if (arch) {
		const char *end = memchr(arch, '/', v.len - oslen - 1);
		archlen = end ? (size_t)(end - arch) : v.len - oslen - 1;
	}
	df_str name = in->from_alias.raw;
	if (name.ptr && (name_mentions(name, v.ptr, oslen) || (arch && name_mentions(name, arch, archlen))))
		return;
	df_report(lint, &df_rule_FromPlatformFlagConstDisallowed, f->span,
		  "FROM --platform should not be the constant \"%.*s\"", (int)v.len, v.ptr);
}
