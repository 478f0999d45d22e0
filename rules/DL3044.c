/* DL3044 - an ENV must not refer to a key it defines itself. */
#include "engine/rule.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3044 = {
	.code = "DL3044",
	.name = "env-self-reference",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
	.docs = {
		.what = "Reports an ENV whose value refers (`${a}`, or `$a` not followed by a name "
			"character) to another key set by the same ENV, when no ARG or ENV visible "
			"at that point already sets it. A key may refer to itself. Unlike hadolint, "
			"dfopt asks the builder's scope (so an ENV of an unrelated stage does not "
			"count) and ignores `\\$a` and `'$a'`, which the builder does not expand.",
		.why = "The builder expands the whole ENV line before setting any of its keys, "
		       "so the reference sees the old (usually empty) value, not the new one.",
		.example = "FROM alpine:3.20\nENV APP=/opt/app BIN=$APP/bin\n",
		.instead = "FROM alpine:3.20\nENV APP=/opt/app\nENV BIN=$APP/bin\n",
	},
	.instr_kinds = DF_KIND(DF_I_ENV),
	.on_instr = check,
};

static bool var_char(char c)
{
	return df_is_alnum((unsigned char)c) || c == '_';
}

/* Offset in v of a reference ${name} or $name (not followed by a name
 * character) that the builder expands, or -1. */
static long find_ref(df_str v, df_str name)
{
	bool single = false;
	for (size_t i = 0; i < v.len; i++) {
		char c = v.ptr[i];
		if (c == '\'' ) {
			single = !single;
		} else if (single) {
			continue;
		} else if (c == '\\') {
			i++;	/* an escaped character is literal */
		} else if (c == '$') {
			const char *p = v.ptr + i + 1;
			size_t left = v.len - i - 1;
			if (left >= name.len + 2 && p[0] == '{' && memcmp(p + 1, name.ptr, name.len) == 0 &&
			    p[name.len + 1] == '}')
				return (long)i;
			if (left >= name.len && memcmp(p, name.ptr, name.len) == 0 &&
			    (left == name.len || !var_char(p[name.len])))
				return (long)i;
		}
	}
	return -1;
}

/* An ARG or ENV before this instruction sets name. Predefined build args
 * (TARGETPLATFORM, HTTP_PROXY, ...) are no definition of the user's. */
static bool set_before(const df_instr *in, df_str name)
{
	const df_var *v = df_scope_find(in->scope, name.ptr, name.len);
	return v && v->def;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_ENV || in->has_error)
		return;
	/* A reference starts with '$': most ENVs hold none, and are told so
	 * before each key is looked for in each value. */
	bool dollar = false;
	for (size_t i = 0; i < in->npairs && !dollar; i++)
		dollar = in->pairs[i].has_value && memchr(in->pairs[i].value.ptr, '$', in->pairs[i].value.len);
	if (!dollar)
		return;
	for (size_t k = 0; k < in->npairs; k++) {
		const df_str key = in->pairs[k].key;
		if (key.len == 0)
			continue;
		for (size_t i = 0; i < in->npairs; i++) {
			const df_kv *kv = &in->pairs[i];
			if (i == k || !kv->has_value)
				continue;
			long at = find_ref(kv->value, key);
			/* The scope walk last: it is linear in the bindings. */
			if (at < 0 || set_before(in, key))
				continue;
			df_span sp = kv->value_span;
			const char *base = in->text.str.ptr;
			if (kv->value.ptr >= base && kv->value.ptr + kv->value.len <= base + in->text.str.len) {
				size_t off = (size_t)(kv->value.ptr - base) + (size_t)at;
				size_t len = kv->value.ptr[at + 1] == '{' ? key.len + 3 : key.len + 1;
				sp = df_text_span(&in->text, off, len);
			}
			df_report(lint, &df_rule_DL3044, sp, NULL);
			return;	/* one finding per instruction, as hadolint */
		}
	}
}
