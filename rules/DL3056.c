/* DL3056 - a `semver` schema label holds a semantic version. */
#include "engine/engine.h"
#include "engine/labels.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3056 = {
	.code = "DL3056",
	.name = "label-not-semver",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Label `<label>` does not conform to semantic versioning.",
	.docs = {
		.what = "Reports a LABEL of schema type `semver` whose value is not a version by semver.org 2.0: MAJOR.MINOR.PATCH without leading zeros, an optional `-` pre-release and `+` build metadata. "
			"Only labels of the configured schema (--require-label NAME:semver) are "
			"checked; a key or value that depends on an unknown build arg is skipped.",
		.why = "Release tooling compares versions; `v1.2` or `1.02.0` breaks that ordering.",
		.example = "# dfopt --require-label org.opencontainers.image.version:semver\nFROM alpine:3.20\nLABEL org.opencontainers.image.version=\"v1.2\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.version=\"1.2.0\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

static bool ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* A numeric identifier: digits, no leading zero. */
static bool number(const char *s, size_t n)
{
	if (n == 0 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Dot-separated non-empty identifiers; numeric ones without leading zeros
 * when strict (pre-release). */
static bool idents(const char *s, size_t n, bool strict)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!ident_char(s[i]))
				return false;
			continue;
		}
		if (i == start)
			return false;
		if (strict) {
			bool numeric = true;
			for (size_t k = start; k < i; k++)
				numeric = numeric && s[k] >= '0' && s[k] <= '9';
			if (numeric && !number(s + start, i - start))
				return false;
		}
		start = i + 1;
	}
	return true;
}

static bool is_semver(df_str v)
{
	size_t core = 0;
	while (core < v.len && v.ptr[core] != '-' && v.ptr[core] != '+')
		core++;
	size_t d1 = 0, d2 = 0, dots = 0;
	for (size_t i = 0; i < core; i++)
		if (v.ptr[i] == '.') {
			if (++dots == 1)
				d1 = i;
			else
				d2 = i;
		}
	if (dots != 2 || !number(v.ptr, d1) || !number(v.ptr + d1 + 1, d2 - d1 - 1) ||
	    !number(v.ptr + d2 + 1, core - d2 - 1))
		return false;
	size_t plus = core;
	while (plus < v.len && v.ptr[plus] != '+')
		plus++;
	if (core < v.len && v.ptr[core] == '-' && !idents(v.ptr + core + 1, plus - core - 1, true))
		return false;
	return plus >= v.len || idents(v.ptr + plus + 1, v.len - plus - 1, false);
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_lint_opts *o = df_lint_config(lint);
	if (in->kind != DF_I_LABEL || in->has_error || o->nlabels == 0)
		return;
	for (size_t i = 0; i < in->npairs; i++) {
		const df_kv *kv = &in->pairs[i];
		df_str key;
		if (!df_label_key(kv, &key) || df_label_schema_type(o, key) != DF_LABEL_SEMVER)
			continue;
		if (kv->value_exp.state != DF_EXP_KNOWN || kv->value_exp.value.len == 0)
			continue;	/* unknown; an empty value is DL3051's */
		if (!is_semver(kv->value_exp.value))
			df_report(lint, &df_rule_DL3056, kv->value_span, "Label `%.*s` does not conform to semantic versioning.", (int)key.len, key.ptr);
	}
}
