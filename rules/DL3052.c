/* DL3052 - a `url` schema label holds an absolute URL. */
#include "engine/engine.h"
#include "engine/labels.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3052 = {
	.code = "DL3052",
	.name = "label-not-url",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Label `<label>` is not a valid URL.",
	.docs = {
		.what = "Reports a LABEL of schema type `url` whose value is not an absolute URI: a scheme, `:`, then only URI characters (percent escapes well formed, at most one `#`). "
			"Only labels of the configured schema (--require-label NAME:url) are "
			"checked; a key or value that depends on an unknown build arg is skipped.",
		.why = "Tools link to the source or documentation URL; a relative or malformed one is a dead link.",
		.example = "# dfopt --require-label org.opencontainers.image.source:url\nFROM alpine:3.20\nLABEL org.opencontainers.image.source=\"github.com/acme/app\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.source=\"https://github.com/acme/app\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

static bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool hex(char c) { return df_is_digit((unsigned char)c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* RFC 3986 absolute-URI (with an optional fragment), checked by character. */
static bool is_url(df_str v)
{
	size_t i = 0;
	if (v.len == 0 || !alpha(v.ptr[0]))
		return false;
	while (i < v.len && (alpha(v.ptr[i]) || df_is_digit((unsigned char)v.ptr[i]) || v.ptr[i] == '+' ||
			     v.ptr[i] == '-' || v.ptr[i] == '.'))
		i++;
	if (i >= v.len || v.ptr[i] != ':')
		return false;
	bool fragment = false;
	for (i++; i < v.len; i++) {
		char c = v.ptr[i];
		if (c == '%') {
			if (i + 2 >= v.len || !hex(v.ptr[i + 1]) || !hex(v.ptr[i + 2]))
				return false;
			i += 2;
		} else if (c == '#') {
			if (fragment)
				return false;
			fragment = true;
		} else if (!alpha(c) && !df_is_digit((unsigned char)c) && !strchr("-._~:/?[]@!$&'()*+,;=", c)) {
			return false;
		}
	}
	return true;
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
		if (!df_label_key(kv, &key) || df_label_schema_type(o, key) != DF_LABEL_URL)
			continue;
		if (kv->value_exp.state != DF_EXP_KNOWN || kv->value_exp.value.len == 0)
			continue;	/* unknown; an empty value is DL3051's */
		if (!is_url(kv->value_exp.value))
			df_report(lint, &df_rule_DL3052, kv->value_span, "Label `%.*s` is not a valid URL.", (int)key.len, key.ptr);
	}
}
