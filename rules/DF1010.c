/* DF1010 - an install's package list is not sorted. */
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/ospkg.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static int check(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF1010 = {
	.code = "DF1010",
	.name = "unsorted-package-list",
	.severity = DF_SEV_STYLE,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_SAFE,
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
			"is not judged.\n\n"
			"The fix sorts the packages in place: each package word takes the place of "
			"another, and everything else (line breaks, indentation, escape characters, "
			"options, files) stays where it is. A package listed twice is left twice, next to "
			"itself. It is offered for shell-form RUNs (and their heredoc scripts) whose "
			"packages are all written out (no `$VAR`), with no comment line among them: "
			"such comments label the packages below them, and moving the packages would "
			"mislabel them. ONBUILD triggers get none.",
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
	/* Each extension's last letter, before the comparisons (most
	 * package names end otherwise). */
	if (!w.len || !strchr("bmklzp", w.ptr[w.len - 1]))
		return false;
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

/* One package word of the list, for the sort. */
typedef struct slot {
	pkg p;
	size_t order;		/* its place in the list: the sort is stable */
} slot;

static int cmp_slot(const slot *x, const slot *y)
{
	int c = strcmp(x->p.key, y->p.key);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The list sorted, for the fix: the words (s, in source order) and the
 * same sorted (pointers into s); NULLs when it cannot be sorted in place
 * (docs above). */
typedef struct sorted_list {
	slot *s;
	const slot **sorted;
	size_t n;
	const df_cmd_view *ev;	/* the command the words are of */
} sorted_list;

/* Sort the list when it can be sorted in place: whether that moves a word
 * (the fix's edits, which apply_sort() makes). l is released by the caller. */
static bool sort_list(df_lint *lint, const df_instr *in, const df_cmd_view *ev, const df_sh_word **words, size_t n,
		      bool pip, sorted_list *l)
{
	*l = (sorted_list){ NULL, NULL, 0, ev };
	if (in->kind != DF_I_RUN || ev->exec)
		return false;
	slot *s = malloc((n ? n : 1) * sizeof(*s));
	size_t ns = 0;
	bool ok = s != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		const df_sh_word *w = words[i];
		if (memchr(w->raw.ptr, '$', w->raw.len) || memchr(w->raw.ptr, '`', w->raw.len))
			ok = false;	/* not written out */
		else if (!is_file(w->value))
			ok = make_key(&s[ns].p, pip ? pip_name(w) : df_ospkg_name(w), pip);
		else
			continue;
		s[ns].p.word = (size_t)(w - ev->cmd->words);
		s[ns].order = ns;
		ns++;
	}
	const df_doc *doc = df_lint_doc(lint);
	const char *src = doc->src.data;
	/* From the first package's line: a comment line among them. */
	uint32_t line = ns ? df_cmd_word_span(ev, s[0].p.word).start : 0;
	while (line > 0 && src[line - 1] != '\n')
		line--;
	ok = ok && ns > 1 && !df_comment_lines_in(doc, line, df_cmd_word_span(ev, s[ns - 1].p.word).end);
	const slot **sorted = ok ? malloc(ns * sizeof(*sorted)) : NULL;
	bool moved = false;
	if (sorted) {
		/* An insertion sort: the lists are short. */
		for (size_t i = 0; i < ns; i++) {
			size_t k = i;
			for (; k > 0 && cmp_slot(sorted[k - 1], &s[i]) > 0; k--)
				sorted[k] = sorted[k - 1];
			sorted[k] = &s[i];
		}
		for (size_t i = 0; i < ns && !moved; i++)
			moved = sorted[i]->order != i;
	}
	*l = (sorted_list){ s, sorted, ns, ev };
	return moved;
}

/* The words of the sorted list as fix's edits. */
static void apply_sort(df_lint *lint, const sorted_list *l, df_fix *fix)
{
	const char *src = df_lint_doc(lint)->src.data;
	df_buf text = DF_BUF_INIT;
	for (size_t i = 0; l->sorted && i < l->n; i++) {
		if (l->sorted[i]->order == i)
			continue;
		df_span from = df_cmd_word_span(l->ev, l->sorted[i]->p.word);
		df_span to = df_cmd_word_span(l->ev, l->s[i].p.word);
		df_buf_reset(&text);
		df_buf_add(&text, src + from.start, from.end - from.start);
		df_fix_edit(fix, to.start, to.end, df_buf_str(&text));
	}
	df_buf_release(&text);
}

static int check(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
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
		if (c <= 0) {
			/* The sort fixes the order; a package listed twice stays so. */
			sorted_list l;
			bool can = sort_list(lint, in, ev, words, n, pip, &l);
			df_buf msg = DF_BUF_INIT;
			if (c == 0)
				df_buf_addf(&msg, "`%.*s` is listed twice in this install; list each package once, in "
						  "sorted order",
					    (int)cur.name.len, cur.name.ptr);
			else
				df_buf_addf(&msg, "`%.*s` should come before `%.*s`: sort the package list so that "
						  "each change is a one-line diff",
					    (int)cur.name.len, cur.name.ptr, (int)prev.name.len, prev.name.ptr);
			df_fix *fix = df_report_fix(lint, &df_rule_DF1010, can ? DF_FIX_SAFE : DF_FIX_NONE,
						    df_cmd_word_span(ev, cur.word), "%s", df_buf_str(&msg));
			if (fix && can)
				apply_sort(lint, &l, fix);
			free((void *)l.sorted);
			free(l.s);
			df_buf_release(&msg);
			return 1;
		}
		prev = cur;
		have_prev = true;
	}
	return 0;
}
