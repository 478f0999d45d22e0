/* DL3062 - pin versions in go install, go get and go run. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "parse/expand.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3062 = {
	.code = "DL3062",
	.name = "go-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`",
	.docs = {
		.what = "Reports a `go install` or `go get` package, or the package of a `go run`, "
			"without `@<version>` or pinned to `@latest` or `@none`, in RUN and ONBUILD RUN. "
			"Local paths (`.`, `./...`, `/...`) are accepted. When the RUN has a `go run`, "
			"only `go run` packages are checked, as in hadolint. Unlike hadolint, the values "
			"of build flags such as `-tags` or `-ldflags` are not taken for packages, and "
			"`$VAR` packages are judged by their ARG/ENV value when it is known and skipped "
			"when it is not.",
		.why = "Without a version, or with `@latest`, the module resolves to whatever is newest "
		       "on the day of the build, so two builds of the same Dockerfile can differ.",
		.example = "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n",
		.instead = "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@v0.15.3\n",
	},
	.on_instr = check,
};

/* go command and build flags whose value is the next word. */
static const char *const value_opts[] = {
	"-C", "-p", "-asmflags", "-buildmode", "-compiler", "-coverpkg", "-covermode", "-exec",
	"-gccgoflags", "-gcflags", "-installsuffix", "-ldflags", "-mod", "-modfile", "-o",
	"-overlay", "-pgo", "-pkgdir", "-tags", "-toolexec", NULL,
};

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
	if (df_mem_eq(p.ptr, p.len, ".") || has_prefix(p, "/") || has_prefix(p, "."))
		return true;	/* a local package */
	return memchr(p.ptr, '@', p.len) && !has_suffix(p, "@latest") && !has_suffix(p, "@none");
}

static bool is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

typedef enum go_kind { GO_OTHER, GO_INSTALL, GO_RUN } go_kind;

/* Which go subcommand v runs; its positional words go to *pos. */
static go_kind go_command(walk *wk, const df_cmd_view *v, const df_sh_word ***pos, size_t *n)
{
	if (!df_cmd_named(v, "go"))
		return GO_OTHER;
	*n = df_sh_positionals(v->cmd, v->name, value_opts, NULL, 0);
	if (*n == 0)
		return GO_OTHER;
	*pos = DF_ARENA_ARRAY(&wk->arena, const df_sh_word *, *n);
	df_sh_positionals(v->cmd, v->name, value_opts, *pos, *n);
	if (is((*pos)[0], "run"))
		return GO_RUN;
	if (is((*pos)[0], "install") || is((*pos)[0], "get"))
		return GO_INSTALL;
	return GO_OTHER;
}

static int find_run(const df_cmd_view *v, void *ud)
{
	const df_sh_word **pos;
	size_t n;
	return go_command(ud, v, &pos, &n) == GO_RUN;
}

typedef struct pass {
	walk *wk;
	go_kind want;	/* GO_RUN when the RUN has a go run, else GO_INSTALL */
} pass;

static int each(const df_cmd_view *v, void *ud)
{
	pass *ps = ud;
	const df_sh_word **pos;
	size_t n;
	if (go_command(ps->wk, v, &pos, &n) != ps->want)
		return 0;
	/* go run: only its first package; the rest are the program's arguments. */
	size_t end = ps->want == GO_RUN ? (n < 2 ? n : 2) : n;
	for (size_t i = 1; i < end; i++) {
		if (ps->want == GO_INSTALL && (is(pos[i], "install") || is(pos[i], "get") || is(pos[i], "tool")))
			continue;	/* `go install tool` is the module's tools */
		if (!word_ok(ps->wk, pos[i], pinned)) {
			df_report(ps->wk->lint, &df_rule_DL3062, df_cmd_word_span(v, (size_t)(pos[i] - v->cmd->words)),
				  NULL);
			return 1;	/* one finding per instruction */
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	walk wk = { .lint = lint, .scope = in->scope, .scope_known = !in->inner };
	df_arena_init(&wk.arena);
	pass ps = { &wk, df_each_command(run, find_run, &wk) ? GO_RUN : GO_INSTALL };
	df_each_command(run, each, &ps);
	df_arena_release(&wk.arena);
}
