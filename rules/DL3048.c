/* DL3048 - label keys follow Docker's naming convention. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3048 = {
	.code = "DL3048",
	.name = "invalid-label-key",
	.severity = DF_SEV_STYLE,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_NONE,
	.message = "Invalid label key.",
	.docs = {
		.what = "Reports a LABEL key that does not start with a lowercase letter, does not "
			"end with a lowercase letter or digit, holds a character outside "
			"`[a-z0-9._/-]`, repeats `.` or `-`, or uses a namespace reserved by Docker "
			"(com.docker., io.docker., org.dockerproject.). A key built from variables "
			"is judged by its value where dfopt knows it, and skipped where it does not.",
		.why = "Tools that read labels expect reverse-DNS style lowercase keys; the "
		       "reserved namespaces belong to Docker itself.",
		.example = "FROM alpine:3.20\nLABEL Maintainer=\"ops@example.com\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.authors=\"ops@example.com\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.on_instr = check,
};

static bool lower(char c) { return c >= 'a' && c <= 'z'; }

static bool valid_key(df_str k)
{
	if (k.len == 0 || !lower(k.ptr[0]))
		return false;
	char last = k.ptr[k.len - 1];
	if (!lower(last) && !df_is_digit((unsigned char)last))
		return false;
	/* From the second byte (the first is a letter): a letter or a digit,
	 * what keys are mostly made of, is told first and needs no look back. */
	for (size_t i = 1; i < k.len; i++) {
		char c = k.ptr[i];
		if (lower(c) || df_is_digit((unsigned char)c) || c == '_' || c == '/')
			continue;
		if ((c != '.' && c != '-') || k.ptr[i - 1] == c)
			return false;	/* not allowed, or repeated */
	}
	/* The reserved namespaces, each compared only with a key of its
	 * first letter (k.ptr[0], a letter, is there). */
	switch (k.ptr[0]) {
	case 'c':
		return !df_mem_has_prefix(k.ptr, k.len, "com.docker.");
	case 'i':
		return !df_mem_has_prefix(k.ptr, k.len, "io.docker.");
	case 'o':
		return !df_mem_has_prefix(k.ptr, k.len, "org.dockerproject.");
	default:
		return true;
	}
}

/* The key as the builder sees it, with surrounding quotes removed. */
static df_str key_of(const df_kv *kv)
{
	if (kv->key_exp.state == DF_EXP_KNOWN)
		return kv->key_exp.value;
	df_str k = kv->key;
	if (k.len >= 2 && (k.ptr[0] == '"' || k.ptr[0] == '\'') && k.ptr[k.len - 1] == k.ptr[0]) {
		k.ptr++;
		k.len -= 2;
	}
	return k;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_LABEL || in->has_error)
		return;
	for (size_t i = 0; i < in->npairs; i++) {
		const df_kv *kv = &in->pairs[i];
		if (kv->key_exp.state == DF_EXP_UNKNOWN || kv->key_exp.state == DF_EXP_ERROR)
			continue;
		if (!valid_key(key_of(kv))) {
			df_report(lint, &df_rule_DL3048, kv->key_span, NULL);
			return;	/* one finding per instruction, as hadolint */
		}
	}
}
