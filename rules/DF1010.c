/* DF1010 - an install's package list is not sorted. */
#include "engine/cmds.h"
#include "engine/ospkg.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "util/util.h"

#include <string.h>

static int check(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF1010 = {
	.code = "DF1010",
	.name = "unsorted-package-list",
	.severity = DF_SEV_STYLE,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_NONE,
	.message = "the package list is not sorted",
	.docs = {
		.what = "Reports a package install whose packages are not in sorted order, or name "
			"one package twice, at the first package out of place. Installs are those of "
			"`apt-get`/`apt`/`aptitude install`, `apk add`, `dnf`/`microdnf`/`yum` "
			"`install`, `zypper install`/`in` and `pip`/`pip3 install` (also in ONBUILD RUN "
			"and heredoc scripts, with ARG and ENV values expanded). A package is compared "
			"by its name: the version or release part (`curl=8.5.0-2`, `musl~1.2`, "
			"`flask==3.0`, `requests[socks]`) is left out, letters compare without case, "
			"and for pip `_` and `.` count as `-` (PyPI names are compared so); the order is "
			"then byte order (`g++` before `gcc`, `lib32z1` before `libc6`). Options and their "
			"values (`-t bookworm-backports`, `--virtual .build-deps`, `-r requirements.txt`) "
			"are not packages, nor are local files and URLs (`./app.deb`, `x.whl`). An "
			"install with a word of unknown value (`$PACKAGES` from an ARG without default) "
			"is not judged.",
		.why = "One package per line in sorted order makes every change a one-line diff, "
		       "makes a review see at once what was added, and shows a package listed twice. "
		       "The build does not care about the order, so sorting changes nothing else.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
			   "    wget \\\n    ca-certificates \\\n    curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
			   "    ca-certificates \\\n    curl \\\n    wget\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "apt-get", "apt", "aptitude", "apk", "dnf", "microdnf", "dnf5",
					   "yum", "zypper", "pip", "pip3", NULL },
	.on_command = check,
};

/* A package as the comparison sees it. */
typedef struct pkg {
	char key[128];		/* the name, lower-cased (pip: PEP 503 folded) */
	df_str name;		/* as written, without the version */
	size_t word;		/* index in the command's words */
} pkg;

/* Is w a file or URL rather than a package name? */
static bool is_file(df_str w)
{
	static const char *const exts[] = { ".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".zip" };
	if (memchr(w.ptr, '/', w.len) || (w.len && w.ptr[0] == '.'))
		return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(exts); i++)
		if (df_mem_has_suffix(w.ptr, w.len, exts[i]))
			return true;
	return false;
}

/* The name of a pip requirement: up to a version, extras, marker or URL. */
static df_str pip_name(const df_sh_word *w)
{
	size_t n = 0;
	while (n < w->value.len && !strchr("=<>!~[;@ ", w->value.ptr[n]))
		n++;
	return (df_str){ w->value.ptr, n };
}

/* Fill p from the name; false when the name is too long to compare. */
static bool make_key(pkg *p, df_str name, bool pip)
{
	if (!name.len || name.len >= sizeof(p->key))
		return false;
	for (size_t i = 0; i < name.len; i++) {
		char c = (char)df_to_lower((unsigned char)name.ptr[i]);
		p->key[i] = pip && (c == '_' || c == '.') ? '-' : c;
	}
	p->key[name.len] = '\0';
	p->name = name;
	return true;
}

static int check(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	const df_cmd_view *ev;
	const df_sh_word **words;
	size_t n;
	bool pip = df_cmd_named(v, "pip") || df_cmd_named(v, "pip3");
	if (pip) {
		ev = df_lint_expanded(lint, v);
		words = df_lint_positionals(lint, ev->cmd, v->name, df_eco_find("pip")->value_opts, &n);
		if (!n || !df_mem_eq(words[0]->value.ptr, words[0]->value.len, "install"))
			return 0;
		words++;
		n--;
	} else {
		df_ospkg_use u;
		if (!df_ospkg_read(lint, v, &u) || u.action != DF_OSPKG_INSTALL)
			return 0;
		ev = u.cmd;
		words = u.pkgs;
		n = u.npkgs;
	}
	for (size_t i = 0; i < n; i++)
		if (words[i]->has_expansion)
			return 0;	/* its value is unknown: the order cannot be told */
	pkg prev = { .word = 0 }, cur;
	bool have_prev = false;
	for (size_t i = 0; i < n; i++) {
		if (is_file(words[i]->value))
			continue;
		df_str name = pip ? pip_name(words[i]) : df_ospkg_name(words[i]);
		if (!make_key(&cur, name, pip))
			continue;
		cur.word = (size_t)(words[i] - ev->cmd->words);
		int c = have_prev ? strcmp(cur.key, prev.key) : 1;
		if (c == 0) {
			df_report(lint, &df_rule_DF1010, df_cmd_word_span(ev, cur.word),
				  "`%.*s` is listed twice in this install; list each package once, in sorted order",
				  (int)cur.name.len, cur.name.ptr);
			return 1;
		}
		if (c < 0) {
			df_report(lint, &df_rule_DF1010, df_cmd_word_span(ev, cur.word),
				  "`%.*s` should come before `%.*s`: sort the package list so that each change "
				  "is a one-line diff",
				  (int)cur.name.len, cur.name.ptr, (int)prev.name.len, prev.name.ptr);
			return 1;
		}
		prev = cur;
		have_prev = true;
	}
	return 0;
}
