/* DL3062 - pin versions in go install, go get and go run. */
#include "engine/cmds.h"
#include "engine/rule.h"
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
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = check,
};

/* go command and build flags whose value is the next word. */
static const char *const value_opts[] = {
	"-C", "-p", "-asmflags", "-buildmode", "-compiler", "-coverpkg", "-covermode", "-exec",
	"-gccgoflags", "-gcflags", "-installsuffix", "-ldflags", "-mod", "-modfile", "-o",
	"-overlay", "-pgo", "-pkgdir", "-tags", "-toolexec", NULL,
};

static bool pinned(df_str p)
{
	if (df_mem_eq(p.ptr, p.len, ".") || df_mem_has_prefix(p.ptr, p.len, "/") || df_mem_has_prefix(p.ptr, p.len, "."))
		return true;	/* a local package */
	return memchr(p.ptr, '@', p.len) && !df_mem_has_suffix(p.ptr, p.len, "@latest") && !df_mem_has_suffix(p.ptr, p.len, "@none");
}

static bool is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

typedef enum go_kind { GO_OTHER, GO_INSTALL, GO_RUN } go_kind;

/* Which go subcommand v runs; *ev becomes v with its words expanded, and
 * its positional words go to *pos. */
static go_kind go_command(df_lint *lint, const df_cmd_view *v, const df_cmd_view **ev,
			  const df_sh_word ***pos, size_t *n)
{
	if (!df_cmd_named(v, "go"))
		return GO_OTHER;
	*ev = df_lint_expanded(lint, v);
	*pos = df_lint_positionals(lint, (*ev)->cmd, v->name, value_opts, n);
	if (*n == 0)
		return GO_OTHER;
	if (is((*pos)[0], "run"))
		return GO_RUN;
	if (is((*pos)[0], "install") || is((*pos)[0], "get"))
		return GO_INSTALL;
	return GO_OTHER;
}

static int find_run(const df_cmd_view *v, void *ud)
{
	const df_cmd_view *ev;
	const df_sh_word **pos;
	size_t n;
	return go_command(ud, v, &ev, &pos, &n) == GO_RUN;
}

typedef struct pass {
	df_lint *lint;
	go_kind want;	/* GO_RUN when the RUN has a go run, else GO_INSTALL */
} pass;

static int each(const df_cmd_view *v, void *ud)
{
	pass *ps = ud;
	const df_cmd_view *ev;
	const df_sh_word **pos;
	size_t n;
	if (go_command(ps->lint, v, &ev, &pos, &n) != ps->want)
		return 0;
	/* go run: only its first package; the rest are the program's arguments. */
	size_t end = ps->want == GO_RUN ? (n < 2 ? n : 2) : n;
	for (size_t i = 1; i < end; i++) {
		if (ps->want == GO_INSTALL && (is(pos[i], "install") || is(pos[i], "get") || is(pos[i], "tool")))
			continue;	/* `go install tool` is the module's tools */
		/* A package of unknown value passes. */
		if (!pos[i]->has_expansion && !pinned(pos[i]->value)) {
			df_report(ps->lint, &df_rule_DL3062, df_cmd_word_span(ev, (size_t)(pos[i] - ev->cmd->words)),
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
	pass ps = { lint, df_lint_each_command(lint, run, find_run, lint) ? GO_RUN : GO_INSTALL };
	df_lint_each_command(lint, run, each, &ps);
}
