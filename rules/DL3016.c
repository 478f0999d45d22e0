/* DL3016 - pin versions in npm install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "parse/expand.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3016 = {
	.code = "DL3016",
	.name = "npm-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
	.docs = {
		.what = "Reports an `npm install <package>` whose package has no `@version` (after any "
			"`@scope/`), is no git URL with a `#` ref, no tarball and no local path. `npm i`, "
			"`npm ci` and `npm add` are not checked, nor ONBUILD RUN, as in hadolint. Unlike "
			"hadolint, `$VAR` packages are judged by their ARG/ENV value when it is known and "
			"skipped when it is not, and `--registry=URL` is one word.",
		.why = "An unpinned package installs whatever the registry serves on the day of the "
		       "build, so two builds of the same Dockerfile can differ.",
		.example = "FROM node:20\nRUN npm install -g typescript\n",
		.instead = "FROM node:20\nRUN npm install -g typescript@5.4.5\n",
	},
	.on_instr = check,
};

/* npm options whose value is the next word (not a package). */
static const char *const value_opts[] = { "--loglevel", "--registry", NULL };

typedef struct walk {
	df_lint *lint;
	const df_var *scope;	/* bindings the RUN's shell sees */
	bool scope_known;	/* false for ONBUILD triggers: the child's scope */
	df_arena arena;
} walk;

static bool has_prefix(df_str s, const char *p)
{
	size_t n = strlen(p);
	return s.len >= n && memcmp(s.ptr, p, n) == 0;
}

static bool has_suffix(df_str s, const char *p)
{
	size_t n = strlen(p);
	return s.len >= n && memcmp(s.ptr + s.len - n, p, n) == 0;
}

static bool contains(df_str s, const char *p)
{
	size_t n = strlen(p);
	for (size_t i = 0; i + n <= s.len; i++)
		if (memcmp(s.ptr + i, p, n) == 0)
			return true;
	return false;
}

static df_var_state lookup(void *ud, const char *name, size_t len, df_str *value)
{
	const df_var *var = df_scope_find(ud, name, len);
	if (!var || var->state != DF_EXP_KNOWN)
		return DF_VAR_UNKNOWN;	/* unset in the Dockerfile may still be set in the shell */
	*value = var->value;
	return DF_VAR_KNOWN;
}

/* The text word w stands for when the shell runs: false when it depends on
 * something unknown (a build arg, a shell variable, a command substitution). */
static bool word_text(walk *wk, const df_sh_word *w, df_str *out)
{
	if (!w->has_expansion) {
		*out = w->value;
		return true;
	}
	if (!wk->scope_known || w->nsubs || memchr(w->raw.ptr, '`', w->raw.len) || contains(w->raw, "$("))
		return false;
	df_expand_opts o = { .escape = '\\', .lookup = lookup, .ud = (void *)wk->scope };
	df_expand_result r;
	df_expand_word(&wk->arena, w->raw.ptr, w->raw.len, &o, &r);
	if (r.status != DF_EXPAND_OK)
		return false;
	*out = r.value;
	return true;
}

/* Every field of a word passes ok (an unquoted $VAR may split into several);
 * a word whose value is unknown passes. */
static bool word_ok(walk *wk, const df_sh_word *w, bool (*ok)(df_str))
{
	df_str s;
	if (!word_text(wk, w, &s))
		return true;	/* unknown: stay quiet */
	if (w->quoted || !w->has_expansion)
		return ok(s);
	size_t i = 0;
	while (i < s.len) {
		while (i < s.len && df_is_space((unsigned char)s.ptr[i]))
			i++;
		size_t start = i;
		while (i < s.len && !df_is_space((unsigned char)s.ptr[i]))
			i++;
		if (i > start && !ok((df_str){ s.ptr + start, i - start }))
			return false;
	}
	return true;
}

static bool pinned(df_str p)
{
	if (has_prefix(p, "git://") || has_prefix(p, "git+ssh://") || has_prefix(p, "git+http://") ||
	    has_prefix(p, "git+https://"))
		return memchr(p.ptr, '#', p.len) != NULL;
	if (has_suffix(p, ".tar") || has_suffix(p, ".tar.gz") || has_suffix(p, ".tgz"))
		return true;
	if (has_prefix(p, "/") || has_prefix(p, "./") || has_prefix(p, "../") || has_prefix(p, "~/"))
		return true;
	size_t from = 0;
	if (p.len && p.ptr[0] == '@') {
		/* @scope/name: the version '@' comes after the scope. */
		const char *slash = memchr(p.ptr, '/', p.len);
		from = slash ? (size_t)(slash - p.ptr) + 1 : 1;
	}
	return memchr(p.ptr + from, '@', p.len - from) != NULL;
}

static bool is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

static int each(const df_cmd_view *v, void *ud)
{
	walk *wk = ud;
	const df_sh_cmd *c = v->cmd;
	if (!df_cmd_named(v, "npm"))
		return 0;
	size_t n = df_sh_positionals(c, v->name, value_opts, NULL, 0);
	if (n == 0)
		return 0;
	const df_sh_word **pos = DF_ARENA_ARRAY(&wk->arena, const df_sh_word *, n);
	df_sh_positionals(c, v->name, value_opts, pos, n);
	if (!is(pos[0], "install"))
		return 0;	/* only `npm install`, with install as the first non-option */
	size_t i = 1;
	while (i < n && is(pos[i], "install"))
		i++;
	for (; i < n; i++) {
		if (!word_ok(wk, pos[i], pinned)) {
			df_report(wk->lint, &df_rule_DL3016, df_cmd_word_span(v, (size_t)(pos[i] - c->words)), NULL);
			return 1;	/* one finding per instruction */
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	/* Not for ONBUILD triggers, as in hadolint. */
	walk wk = { .lint = lint, .scope = in->scope, .scope_known = true };
	df_arena_init(&wk.arena);
	df_each_command(in, each, &wk);
	df_arena_release(&wk.arena);
}
