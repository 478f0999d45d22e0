/* DL3028 - pin versions in gem install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "parse/expand.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3028 = {
	.code = "DL3028",
	.name = "gem-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
	.docs = {
		.what = "Reports a `gem install` or `gem i` gem written without `:<version>` when the "
			"command has no `-v`/`--version`, in RUN and ONBUILD RUN. As in hadolint, every "
			"option is taken to consume the next word, and words after `--` are build "
			"options. Unlike hadolint, `$VAR` gems are judged by their ARG/ENV value when it "
			"is known and skipped when it is not.",
		.why = "An unpinned gem installs whatever rubygems.org serves on the day of the "
		       "build, so two builds of the same Dockerfile can differ.",
		.example = "FROM ruby:3.3\nRUN gem install bundler\n",
		.instead = "FROM ruby:3.3\nRUN gem install bundler:2.5.10\n",
	},
	.on_instr = check,
};

typedef struct walk {
	df_lint *lint;
	const df_var *scope;	/* bindings the RUN's shell sees */
	bool scope_known;	/* false for ONBUILD triggers: the child's scope */
	df_arena arena;
} walk;

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
	return memchr(p.ptr, ':', p.len) != NULL;
}

static bool is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

static int each(const df_cmd_view *v, void *ud)
{
	walk *wk = ud;
	const df_sh_cmd *c = v->cmd;
	if (!df_cmd_named(v, "gem"))
		return 0;
	bool install = false;
	for (size_t i = v->name + 1; i < c->nwords; i++) {
		const df_sh_word *w = &c->words[i];
		if (is(w, "-v") || is(w, "--version") ||
		    (w->value.len >= 10 && memcmp(w->value.ptr, "--version=", 10) == 0))
			return 0;	/* the version is given for all gems */
		install = install || is(w, "install") || is(w, "i");
	}
	if (!install)
		return 0;
	for (size_t i = v->name + 1; i < c->nwords; i++) {
		const df_sh_word *w = &c->words[i];
		if (is(w, "--"))
			break;	/* the rest are the gem's build options */
		if (w->value.len && w->value.ptr[0] == '-') {
			i++;	/* hadolint's quirk: every option takes the next word */
			continue;
		}
		if (is(w, "install") || is(w, "i"))
			continue;
		if (!word_ok(wk, w, pinned)) {
			df_report(wk->lint, &df_rule_DL3028, df_cmd_word_span(v, i), NULL);
			return 1;	/* one finding per instruction */
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	walk wk = { .lint = lint, .scope = in->scope, .scope_known = !in->inner };
	df_arena_init(&wk.arena);
	df_each_command(in->inner ? in->inner : in, each, &wk);
	df_arena_release(&wk.arena);
}
