/* DL3058 - an `email` schema label holds an e-mail address. */
#include "engine/engine.h"
#include "engine/labels.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3058 = {
	.code = "DL3058",
	.name = "label-not-email",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Label `<label>` is not a valid email format - must conform to RFC5322.",
	.docs = {
		.what = "Reports a LABEL of schema type `email` whose value is not an RFC 5322 addr-spec: a dot-atom or quoted local part, `@`, and a dot-atom domain or a `[...]` domain literal (a practical check, not the full grammar with comments and folding). "
			"Only labels of the configured schema (--require-label NAME:email) are "
			"checked; a key or value that depends on an unknown build arg is skipped.",
		.why = "Whoever must reach the maintainers needs an address that works.",
		.example = "# dfopt --require-label org.opencontainers.image.authors:email\nFROM alpine:3.20\nLABEL org.opencontainers.image.authors=\"ops at example.com\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.authors=\"ops@example.com\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

static bool atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || df_is_digit((unsigned char)c) ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* atext runs separated by single dots. */
static bool dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' ? s[i + 1] == '.' : !atext(s[i]))
			return false;
	return true;
}

/* "..." of printable ASCII, with backslash escapes. */
static bool quoted(const char *s, size_t n)
{
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return false;
	for (size_t i = 1; i + 1 < n; i++) {
		if (s[i] == '\\') {
			if (++i + 1 >= n)
				return false;
		} else if (s[i] == '"' || s[i] < ' ' || s[i] > '~') {
			return false;
		}
	}
	return true;
}

static bool domain_literal(const char *s, size_t n)
{
	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (s[i] == '[' || s[i] == ']' || s[i] == '\\' || s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

static bool is_email(df_str v)
{
	size_t at = v.len;
	while (at > 0 && v.ptr[at - 1] != '@')
		at--;
	if (at == 0)
		return false;
	at--;	/* the last '@' */
	const char *dom = v.ptr + at + 1;
	size_t dn = v.len - at - 1;
	return (dot_atom(v.ptr, at) || quoted(v.ptr, at)) && (dot_atom(dom, dn) || domain_literal(dom, dn));
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
		if (!df_label_key(kv, &key) || df_label_schema_type(o, key) != DF_LABEL_EMAIL)
			continue;
		if (kv->value_exp.state != DF_EXP_KNOWN || kv->value_exp.value.len == 0)
			continue;	/* unknown; an empty value is DL3051's */
		if (!is_email(kv->value_exp.value))
			df_report(lint, &df_rule_DL3058, kv->value_span, "Label `%.*s` is not a valid email format - must conform to RFC5322.", (int)key.len, key.ptr);
	}
}
