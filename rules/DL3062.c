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
	.commands = (const char *const[]){ "go", NULL },
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

/* The first unpinned package of a go run and of a go install or get. */
typedef struct scan {
	df_lint *lint;
	bool has_run;		/* the RUN has a go run */
	bool bad[2];		/* by kind: [0] go install or get, [1] go run */
	df_span at[2];
} scan;

static int each(const df_cmd_view *v, void *ud)
{
	scan *sc = ud;
	const df_cmd_view *ev;
	const df_sh_word **pos;
	size_t n;
	go_kind kind = go_command(sc->lint, v, &ev, &pos, &n);
	if (kind == GO_OTHER)
		return 0;
	bool run = kind == GO_RUN;
	sc->has_run = sc->has_run || run;
	if (sc->bad[run])
		return 0;	/* one finding per instruction */
	/* go run: only its first package; the rest are the program's arguments. */
	size_t end = run ? (n < 2 ? n : 2) : n;
	for (size_t i = 1; i < end; i++) {
		if (!run && (is(pos[i], "install") || is(pos[i], "get") || is(pos[i], "tool")))
			continue;	/* `go install tool` is the module's tools */
		/* A package of unknown value passes. */
		if (!pos[i]->has_expansion && !pinned(pos[i]->value)) {
			sc->bad[run] = true;
			sc->at[run] = df_cmd_word_span(ev, (size_t)(pos[i] - ev->cmd->words));
			return 0;
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	scan sc = { .lint = lint };
	df_lint_each_command(lint, in->inner ? in->inner : in, each, &sc);
	/* When the RUN has a go run, only go run packages count, as in hadolint. */
	if (sc.bad[sc.has_run])
		df_report(lint, &df_rule_DL3062, sc.at[sc.has_run], NULL);
}
