/* DF1010 - an install's package list is not sorted. */
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/ospkg.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "parse/scan.h"
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
			"is not judged, and the words of a variable's value are compared among "
			"themselves only when the list is all theirs (the written-out words of "
			"`$BASE_PACKAGES git vim` are judged, the value is left alone).\n\n"
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

/* Names this long or longer are not compared (nor sorted). */
#define MAX_NAME 128


/* Is w, which holds no '/', a file rather than a package name? Inline:
 * asked of every package word, and most are told by a byte or two. */
static inline bool file_by_name(df_str w)
{
	if (!w.len)
		return false;
	if (w.ptr[0] == '.')
		return true;
	/* By the last letter first: most package names end in none of these. */
	switch (w.ptr[w.len - 1]) {
	case 'b':
		return df_mem_has_suffix(w.ptr, w.len, ".deb");
	case 'm':
		return df_mem_has_suffix(w.ptr, w.len, ".rpm");
	case 'k':
		return df_mem_has_suffix(w.ptr, w.len, ".apk");
	case 'l':
		return df_mem_has_suffix(w.ptr, w.len, ".whl");
	case 'z':
		return df_mem_has_suffix(w.ptr, w.len, ".tar.gz");
	case 'p':
		return df_mem_has_suffix(w.ptr, w.len, ".zip");
	default:
		return false;
	}
}

/* Is w a file or URL rather than a package name? */
static bool is_file(df_str w)
{
	return w.len && (memchr(w.ptr, '/', w.len) || file_by_name(w));
}

/* The name of a pip requirement: up to a version, extras, marker or URL. */
static df_str pip_name(const df_sh_word *w)
{
	static const bool ends[256] = { ['\0'] = true, ['='] = true, ['<'] = true, ['>'] = true, ['!'] = true,
					['~'] = true, ['['] = true, [';'] = true, ['@'] = true, [' '] = true };
	size_t n = 0;
	while (n < w->value.len && !ends[(unsigned char)w->value.ptr[n]])
		n++;
	return (df_str){ w->value.ptr, n };
}

/* The name of package word w as compared, or an empty one when it is not
 * compared (too long). */
static df_str name_of(const df_sh_word *w, bool pip)
{
	df_str name = pip ? pip_name(w) : df_ospkg_name(w);
	return name.len < MAX_NAME ? name : (df_str){ name.ptr, 0 };
}

/* The byte the order sees for c: letters without case, and for pip '_'
 * and '.' as '-'. */
static unsigned char key_byte(unsigned char c, bool pip)
{
	c = (unsigned char)df_to_lower(c);
	return pip && (c == '_' || c == '.') ? '-' : c;
}

/* The order of two names, as strcmp() of their keys (names hold no NUL).
 * Compared in place: a copy of each key cost more than the comparison,
 * which mostly ends at the first bytes. */
static int cmp_names(df_str a, df_str b, bool pip)
{
	size_t n = a.len < b.len ? a.len : b.len;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = key_byte((unsigned char)a.ptr[i], pip), y = key_byte((unsigned char)b.ptr[i], pip);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (a.len > b.len) - (a.len < b.len);
}

/* A package word as the order reads it: a file (skipped), or its name
 * (name_of(); empty: not compared). A word of a variable's value among
 * written-out words is skipped too: it cannot be moved among them. */
typedef struct pkg {
	df_str name;
	bool file;
	bool from_var;
} pkg;

/* is_file() and name_of() of w at once, into p: one pass over the word
 * finds the name's end and a '/', for every package of every install. */
static void read_pkg(const df_sh_word *w, bool pip, pkg *p)
{
	/* Up to a byte that ends the name (df_ospkg_name(), pip_name(),
	 * which stop at a NUL too) or a '/', one table look-up a byte, as
	 * df_ospkg_name() reads: the names are short, and strcspn() cost
	 * more to set up than this to run. The value's terminating NUL
	 * stops it at the latest. */
	static const bool stops[2][256] = {
		{ ['\0'] = true, ['='] = true, ['~'] = true, ['<'] = true, ['>'] = true, ['/'] = true },
		{ ['\0'] = true, ['='] = true, ['<'] = true, ['>'] = true, ['!'] = true, ['~'] = true, ['['] = true,
		  [';'] = true, ['@'] = true, [' '] = true, ['/'] = true },
	};
	const bool *stop = stops[pip];
	df_str v = w->value;
	const unsigned char *u = (const unsigned char *)v.ptr;
	size_t n = (size_t)(df_scan_to_stop(u, stop) - u);
	if (n < v.len && v.ptr[n] == '/') {
		p->file = true;	/* a '/' before the name's end */
		return;
	}
	p->file = (n < v.len && memchr(v.ptr + n, '/', v.len - n)) || file_by_name(v);
	if (!p->file)
		p->name = n < MAX_NAME ? (df_str){ v.ptr, n } : (df_str){ v.ptr, 0 };
}

/* The list of an install, for the sort: its command, package words and
 * whether they are pip's, and each word read once (check() reads every
 * word, and a report asks sortable() about them again). */
typedef struct list {
	const df_cmd_view *ev;	/* the command the words are of */
	const df_sh_word **words;
	size_t n;
	bool pip;
	pkg *pkgs;		/* parallel to words */
} list;

/*
 * Can the fix sort l in place (docs above): a shell-form RUN, every
 * package written out and compared, two or more of them, no comment line
 * among them, and some package before one it should follow (a list only
 * out of order by a package listed twice is sorted already: the sort is
 * stable). report() found the first package out of place at index at, c
 * its order against the package before it (< 0: it should come first, 0:
 * the same name): the packages before it are in order, and skipped says
 * whether one of them was left uncompared (the answer is then no).
 */
static bool sortable(df_lint *lint, const df_instr *in, const list *l, size_t at, int c, bool skipped)
{
	if (in->kind != DF_I_RUN || l->ev->exec || skipped)
		return false;
	/* The words' raw text is the RUN's (its span holds the packages'
	 * lines, as below): in a RUN without '$' and '`', which most are,
	 * every package is written out, and its words need no search. */
	const df_doc *doc = df_lint_doc(lint);
	const char *src = doc->src.data;
	size_t span_len = in->span.end - in->span.start;
	if (memchr(src + in->span.start, '$', span_len) || memchr(src + in->span.start, '`', span_len))
		for (size_t i = 0; i < l->n; i++) {
			const df_sh_word *w = l->words[i];
			if (memchr(w->raw.ptr, '$', w->raw.len) || memchr(w->raw.ptr, '`', w->raw.len))
				return false;	/* not written out */
		}
	/* The packages after at must each be compared; when at is a package
	 * listed twice, a pair of them must be out of order. */
	bool descends = c < 0;
	df_str prev = l->pkgs[at].name;
	for (size_t i = at + 1; i < l->n; i++) {
		if (l->pkgs[i].file)
			continue;
		df_str name = l->pkgs[i].name;
		if (!name.len)
			return false;
		descends = descends || cmp_names(name, prev, l->pip) < 0;
		prev = name;
	}
	if (!descends)
		return false;
	/* From the first package's line: a comment line among them. Most
	 * RUNs hold no '#' at all, which one memchr() over the RUN's span
	 * (where the packages' lines are, but for blanks before its keyword)
	 * tells before those lines are looked for. */
	if (!memchr(src + in->span.start, '#', span_len))
		return true;
	size_t first = 0, last = l->n - 1;	/* the first and last packages: two at least */
	while (l->pkgs[first].file)
		first++;
	while (l->pkgs[last].file)
		last--;
	const df_sh_word *words = l->ev->cmd->words;
	uint32_t line = df_cmd_word_span(l->ev, (size_t)(l->words[first] - words)).start;
	uint32_t end = df_cmd_word_span(l->ev, (size_t)(l->words[last] - words)).end;
	while (line > 0 && src[line - 1] != '\n')
		line--;
	return !(line < end && memchr(src + line, '#', end - line) && df_comment_lines_in(doc, line, end));
}

/* One package word of the list, for the sort. */
typedef struct slot {
	df_str name;		/* as compared */
	size_t word;		/* index in the command's words */
	size_t order;		/* its place in the list: the sort is stable */
} slot;

/* The sort of l (sortable()) as fix's edits: each package word takes the
 * place of another. */
static void apply_sort(df_lint *lint, const list *l, df_fix *fix)
{
	slot *s = df_xmalloc(l->n * sizeof(*s));
	const slot **sorted = df_xmalloc(l->n * sizeof(*sorted));
	size_t ns = 0;
	for (size_t i = 0; i < l->n; i++) {
		const df_sh_word *w = l->words[i];
		if (is_file(w->value))
			continue;
		s[ns] = (slot){ name_of(w, l->pip), (size_t)(w - l->ev->cmd->words), ns };
		ns++;
	}
	/* An insertion sort: the lists are short. */
	for (size_t i = 0; i < ns; i++) {
		size_t k = i;
		for (; k > 0 && cmp_names(sorted[k - 1]->name, s[i].name, l->pip) > 0; k--)
			sorted[k] = sorted[k - 1];
		sorted[k] = &s[i];
	}
	const char *src = df_lint_doc(lint)->src.data;
	df_buf text = DF_BUF_INIT;
	for (size_t i = 0; i < ns; i++) {
		if (sorted[i]->order == i)
			continue;
		df_span from = df_cmd_word_span(l->ev, sorted[i]->word);
		df_span to = df_cmd_word_span(l->ev, s[i].word);
		df_buf_reset(&text);
		df_buf_add(&text, src + from.start, from.end - from.start);
		df_fix_edit_n(fix, to.start, to.end, df_buf_str(&text), text.len);
	}
	df_buf_release(&text);
	free((void *)sorted);
	free(s);
}

/* s[0..n) written at buf + o; the offset after it. */
static size_t put(char *buf, size_t o, const char *s, size_t n)
{
	memcpy(buf + o, s, n);
	return o + n;
}

static size_t put_lit(char *buf, size_t o, const char *lit)
{
	return put(buf, o, lit, strlen(lit));
}

/* Report the first package of l out of order, if any: 1 when one is. */
static int report(df_lint *lint, const df_instr *in, list l)
{
	df_str prev = { NULL, 0 };
	bool skipped = false;	/* a package not compared */
	for (size_t i = 0; i < l.n; i++) {
		const df_sh_word *w = l.words[i];
		if (l.pkgs[i].file || l.pkgs[i].from_var)
			continue;
		df_str cur = l.pkgs[i].name;
		if (!cur.len) {
			skipped = true;
			continue;
		}
		int c = prev.len ? cmp_names(cur, prev, l.pip) : 1;
		if (c > 0) {
			prev = cur;
			continue;
		}
		/* The sort fixes the order; a package listed twice stays so. */
		bool can = sortable(lint, in, &l, i, c, skipped);
		df_span at = df_cmd_word_span(l.ev, (size_t)(w - l.ev->cmd->words));
		/* The message put together by pieces, on the stack (names are
		 * shorter than MAX_NAME): formatting it cost more than the rest
		 * of the check, in files with many installs. */
		char msg[2 * MAX_NAME + 128];
		size_t o = put(msg, 0, "`", 1);
		o = put(msg, o, cur.ptr, cur.len);
		if (c == 0) {
			o = put_lit(msg, o, "` is listed twice in this install; list each package once, in sorted order");
		} else {
			o = put_lit(msg, o, "` should come before `");
			o = put(msg, o, prev.ptr, prev.len);
			o = put_lit(msg, o, "`: sort the package list so that each change is a one-line diff");
		}
		msg[o] = '\0';
		df_fix *fix = df_report_fix(lint, &df_rule_DF1010, can ? DF_FIX_SAFE : DF_FIX_NONE, at, "%s", msg);
		if (fix && can)
			apply_sort(lint, &l, fix);
		return 1;
	}
	return 0;
}

/* Is w, a word of v's expansion, (part of) the value of a variable: the
 * word of v it came from holds an expansion? */
static bool written_with_var(const df_cmd_view *v, const df_sh_word *w)
{
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++)
		if (v->cmd->words[i].start == w->start)
			return v->cmd->words[i].has_expansion;
	return false;
}

static int check(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	list l = { .pip = df_cmd_named(v, "pip") || df_cmd_named(v, "pip3") };
	if (l.pip) {
		l.ev = df_lint_expanded(lint, v);
		l.words = df_lint_positionals(lint, l.ev->cmd, v->name, df_eco_find("pip")->value_opts, &l.n);
		if (!l.n || !df_mem_eq(l.words[0]->value.ptr, l.words[0]->value.len, "install"))
			return 0;
		l.words++;
		l.n--;
	} else {
		df_ospkg_use u;
		if (!df_ospkg_read(lint, v, &u) || u.action != DF_OSPKG_INSTALL)
			return 0;
		l.ev = u.cmd;
		l.words = u.pkgs;
		l.n = u.npkgs;
	}
	/* Every word read up front: a sorted list is read to its end all
	 * the same, and an unsorted one is read again by sortable(). A word
	 * of unknown value ends it: the order cannot be told. */
	pkg small[64];
	l.pkgs = l.n <= DF_ARRAY_LEN(small) ? small : df_xmalloc(l.n * sizeof(*l.pkgs));
	/* Words of a value only where something was expanded: a command with
	 * nothing to expand is its own expansion, words and all. */
	bool expanded = l.ev->cmd->words != v->cmd->words;
	size_t i = 0, from_var = 0;
	for (; i < l.n && !l.words[i]->has_expansion; i++) {
		read_pkg(l.words[i], l.pip, &l.pkgs[i]);
		l.pkgs[i].from_var = expanded && written_with_var(v, l.words[i]);
		from_var += l.pkgs[i].from_var;
	}
	/* All from one variable's value (`$PACKAGES`), they are judged: its
	 * value can be sorted. */
	if (from_var == l.n)
		for (size_t k = 0; k < l.n; k++)
			l.pkgs[k].from_var = false;
	int rc = i == l.n ? report(lint, in, l) : 0;
	if (l.pkgs != small)
		free(l.pkgs);
	return rc;
}
