/* DL3048 - label keys follow Docker's naming convention. */
#include "engine/rule.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

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

/* Does k start with lit? Inline, lit's length known: one compare of a few
 * words rather than a loop over its bytes, for every key. */
static inline bool starts_with(df_str k, const char *lit)
{
	size_t n = strlen(lit);
	return k.len >= n && memcmp(k.ptr, lit, n) == 0;
}

/* Bit 7 of each byte of x that lies in [lo, hi], for x whose bytes are all
 * below 0x80: no sum below carries into the next byte. */
static inline uint64_t bytes_in(uint64_t x, unsigned lo, unsigned hi)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	return (x + ones * (0x80 - lo)) & ~(x + ones * (0x7f - hi)) & ones * 0x80;
}

/* Are the eight bytes at p all allowed in a key, none of them a '.' or '-'
 * that repeats the byte before it? p[-1] is a byte of the key already
 * found allowed, so below 0x80 as bytes_in() needs. */
static inline bool allowed8(const char *p)
{
	const uint64_t high = UINT64_C(0x8080808080808080);
	uint64_t x, before;
	memcpy(&x, p, 8);
	memcpy(&before, p - 1, 8);
	if (x & high)
		return false;
	/* a-z, then - . / 0-9, then _ */
	uint64_t allowed = bytes_in(x, 'a', 'z') | bytes_in(x, '-', '9') | bytes_in(x, '_', '_');
	uint64_t repeated = bytes_in(x, '-', '.') & bytes_in(x ^ before, 0, 0);
	return allowed == high && !repeated;
}

static bool valid_key(df_str k)
{
	if (k.len == 0 || !lower(k.ptr[0]))
		return false;
	char last = k.ptr[k.len - 1];
	if (!lower(last) && !df_is_digit((unsigned char)last))
		return false;
	/* From the second byte (the first is a letter). Most keys are longer
	 * than eight bytes: read eight at a time, the last eight overlapping
	 * the ones before (each byte's test needs only it and the one before
	 * it, so testing one twice changes nothing). */
	size_t i = 1;
	if (k.len > 8) {
		for (; i + 8 <= k.len; i += 8)
			if (!allowed8(k.ptr + i))
				return false;
		if (i < k.len && !allowed8(k.ptr + k.len - 8))
			return false;
		i = k.len;
	}
	/* A shorter key byte by byte: a letter or a digit, what keys are
	 * mostly made of, is told first and needs no look back. */
	for (; i < k.len; i++) {
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
		return !starts_with(k, "com.docker.");
	case 'i':
		return !starts_with(k, "io.docker.");
	case 'o':
		return !starts_with(k, "org.dockerproject.");
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
