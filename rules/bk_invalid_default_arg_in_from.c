/* InvalidDefaultArgInFrom - FROM is no valid image with the ARG defaults. */
#include "engine/rule.h"
#include "parse/expand.h"
#include "parse/scope.h"
#include "util/arena.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_InvalidDefaultArgInFrom = {
	.code = "InvalidDefaultArgInFrom",
	.name = "invalid-default-arg-in-from",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "with the global ARG defaults, the FROM image is empty or invalid",
	.docs = {
		.what = "BuildKit's check of the same name: reports a FROM image that uses a "
			"variable when, expanded with the defaults of the global ARGs (an ARG "
			"without default is empty, no `--build-arg` given), it is empty or not a "
			"valid image reference, and not an earlier stage's name. The predefined "
			"platform args count as set (linux/amd64).",
		.why = "A build should work without `--build-arg`: an image reference that is "
		       "only valid when the caller remembers to pass an argument fails for "
		       "everyone else with a confusing error.",
		.example = "ARG TAG\nFROM busybox:${TAG}\n",
		.instead = "ARG TAG=1.36\nFROM busybox:${TAG}\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

/* Values the predefined args stand for; any real platform would do. */
static const struct {
	const char *name, *value;
} platform_args[] = {
	{ "TARGETPLATFORM", "linux/amd64" }, { "TARGETOS", "linux" }, { "TARGETARCH", "amd64" },
	{ "TARGETVARIANT", "" }, { "BUILDPLATFORM", "linux/amd64" }, { "BUILDOS", "linux" },
	{ "BUILDARCH", "amd64" }, { "BUILDVARIANT", "" },
};

static df_var_state lookup_default(void *ud, const char *name, size_t len, df_str *value)
{
	const df_doc *doc = ud;
	const df_var *v = df_scope_find(doc->globals, name, len);
	if (!v)
		return DF_VAR_UNSET;
	if (v->predefined) {
		for (size_t i = 0; i < DF_ARRAY_LEN(platform_args); i++)
			if (df_mem_eq(name, len, platform_args[i].name)) {
				*value = (df_str){ platform_args[i].value, strlen(platform_args[i].value) };
				return DF_VAR_KNOWN;
			}
		return DF_VAR_UNSET;	/* the proxy args */
	}
	if (v->state != DF_EXP_KNOWN)
		return DF_VAR_UNSET;	/* ARG NAME with no default */
	*value = v->value;
	return DF_VAR_KNOWN;
}

static bool lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || df_is_digit(c);
}

/* path-component: [a-z0-9]+ joined by '.', '_', '__' or a run of '-'. */
static bool path_component(const char *s, size_t n)
{
	if (n == 0 || !lower_alnum((unsigned char)s[0]) || !lower_alnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (lower_alnum((unsigned char)s[i]))
			continue;
		size_t j = i;
		while (j < n && !lower_alnum((unsigned char)s[j]))
			j++;
		size_t sep = j - i;
		bool dashes = true;
		for (size_t k = i; k < j; k++)
			dashes = dashes && s[k] == '-';
		if (!dashes && !(sep == 1 && (s[i] == '.' || s[i] == '_')) && !(sep == 2 && s[i] == '_' && s[i + 1] == '_'))
			return false;
		i = j - 1;
	}
	return true;
}

/* host[:port], host being dot-separated [A-Za-z0-9-] labels. */
static bool domain(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t hn = colon ? (size_t)(colon - s) : n;
	if (colon) {
		size_t pn = n - hn - 1;
		if (pn == 0)
			return false;
		for (size_t i = 0; i < pn; i++)
			if (!df_is_digit((unsigned char)colon[1 + i]))
				return false;
	}
	size_t start = 0;
	for (size_t i = 0; i <= hn; i++) {
		if (i < hn && s[i] != '.')
			continue;
		if (i == start || !df_is_alnum((unsigned char)s[start]) || !df_is_alnum((unsigned char)s[i - 1]))
			return false;
		for (size_t k = start; k < i; k++)
			if (!df_is_alnum((unsigned char)s[k]) && s[k] != '-')
				return false;
		start = i + 1;
	}
	return true;
}

/*
 * reference -> name [":" tag] ["@" digest], as Docker's reference package
 * parses a name to normalise: the first component is a domain when it
 * holds '.' or ':' or is localhost; the rest must be lower case.
 */
static bool valid_reference(df_str r)
{
	if (r.len == 0 || r.len > 255 + 128 + 200)
		return false;
	const char *at = memchr(r.ptr, '@', r.len);
	size_t n = at ? (size_t)(at - r.ptr) : r.len;
	if (at) {
		/* algorithm ":" hex, at least 32 hex digits */
		const char *d = at + 1;
		size_t dn = r.len - n - 1;
		const char *c = memchr(d, ':', dn);
		if (!c || c == d)
			return false;
		size_t hn = dn - (size_t)(c - d) - 1;
		if (hn < 32)
			return false;
		for (size_t i = 0; i < hn; i++)
			if (!df_is_digit((unsigned char)c[1 + i]) && !(c[1 + i] >= 'a' && c[1 + i] <= 'f'))
				return false;
	}
	/* The tag is after the last ':' that follows the last '/'. */
	size_t slash = 0;
	for (size_t i = 0; i < n; i++)
		if (r.ptr[i] == '/')
			slash = i + 1;
	const char *colon = memchr(r.ptr + slash, ':', n - slash);
	size_t name_len = colon ? (size_t)(colon - r.ptr) : n;
	if (colon) {
		size_t tn = n - name_len - 1;
		if (tn == 0 || tn > 128 || !(df_is_alnum((unsigned char)colon[1]) || colon[1] == '_'))
			return false;
		for (size_t i = 0; i < tn; i++) {
			int ch = (unsigned char)colon[1 + i];
			if (!df_is_alnum(ch) && ch != '_' && ch != '.' && ch != '-')
				return false;
		}
	}
	if (name_len == 0 || name_len > 255)
		return false;
	size_t start = 0;
	const char *first_end = memchr(r.ptr, '/', name_len);
	if (first_end) {
		size_t fn = (size_t)(first_end - r.ptr);
		if (memchr(r.ptr, '.', fn) || memchr(r.ptr, ':', fn) || df_mem_eq(r.ptr, fn, "localhost")) {
			if (!domain(r.ptr, fn))
				return false;
			start = fn + 1;
		}
	}
	for (size_t i = start; i <= name_len; i++) {
		if (i < name_len && r.ptr[i] != '/')
			continue;
		if (!path_component(r.ptr + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_FROM || in->has_error || !in->from_image.raw.ptr)
		return;
	const df_word *w = &in->from_image;
	/* No variable: a bad name is a plain error, not this. A word the
	 * splitter found plain has no '$', with no need to look. */
	if (w->plain || !memchr(w->value.ptr, '$', w->value.len))
		return;
	const df_doc *doc = df_lint_doc(lint);
	df_arena a;
	df_arena_init(&a);
	df_expand_opts o = { .escape = doc->escape, .lookup = lookup_default, .ud = (void *)doc };
	df_expand_result r;
	df_expand_word(&a, w->value.ptr, w->value.len, &o, &r);
	bool bad;
	if (r.status != DF_EXPAND_OK)
		bad = r.status == DF_EXPAND_ERROR;
	else if (df_mem_ieq(r.value.ptr, r.value.len, "scratch") ||
		 df_graph_stage_ref(df_lint_graph(lint), r.value, (size_t)(in->stage < 0 ? 0 : in->stage)) >= 0)
		bad = false;
	else
		bad = !valid_reference(r.value);
	if (bad && r.status == DF_EXPAND_ERROR)
		df_report(lint, &df_rule_InvalidDefaultArgInFrom, w->span,
			  "with the global ARG defaults, FROM image '%.*s' does not expand: %s",
			  (int)w->raw.len, w->raw.ptr, r.error);
	else if (bad)
		df_report(lint, &df_rule_InvalidDefaultArgInFrom, w->span,
			  "with the global ARG defaults, FROM image '%.*s' is '%.*s', an empty or invalid name",
			  (int)w->raw.len, w->raw.ptr, (int)r.value.len, r.value.ptr);
	df_arena_release(&a);
}
