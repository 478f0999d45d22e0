/*
 * expand.c - BuildKit's word expansion; see expand.h for the language.
 *
 * The scanner mirrors the shape of the builder's lexer on purpose: a word is
 * read up to a stop char (end of input, `}` or `/`), and quotes and $ forms
 * are handled by their own functions that may read nested words. Matching
 * that shape is what makes the odd corners (which errors win, when escapes
 * stay, how words split) come out the same.
 */
#include "parse/expand.h"
#include "parse/scan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/util.h"

/* NFA steps (pattern length + 1 per char looked at) one word may spend. */
#define GLOB_BUDGET ((size_t)1 << 27)

/* A value being built, and whether it depends on an unknown variable (then
 * its bytes mean nothing). The bytes (NUL-terminated) are in the result's
 * arena: the word's value is handed over as it stands, and the words inside
 * ${...} forms, scratch, cost no malloc and free each (put() bounds them
 * all by DF_EXPAND_MAX_WORK). */
typedef struct val {
	char *buf;		/* NULL until the first byte */
	size_t len, cap;
	bool unknown;
} val;

#define VAL_INIT { NULL, 0, 0, false }

/* A variable reference, the name still a span of the input. */
typedef struct ref {
	size_t name, nlen;
	uint32_t off;
	df_var_state state;
} ref;

/* ProcessWords: the words found so far and the one being built. Like the
 * value, in the result's arena: the words are handed over where they stand
 * in text, with no malloc, copy or free. */
typedef struct split {
	df_arena *a;
	val text;		/* finished words, each followed by a NUL,
				   then the current word */
	size_t start;		/* where the current word starts in text */
	struct { size_t off, len; } *w;	/* the finished words, in a */
	size_t n, cap;
} split;

typedef struct ex {
	df_arena *a;		/* where values are built */
	const char *s;
	size_t len, pos;
	char esc;
	const df_expand_opts *o;
	unsigned depth;		/* ${...} open around pos */
	size_t work;		/* bytes produced so far */
	size_t glob_budget;
	bool failed;
	df_buf err;
	uint32_t err_off;
	ref *refs;		/* refs_local until it is full, then malloc'd */
	size_t nrefs, refs_cap;
	ref refs_local[4];	/* most words name a variable or two */
} ex;

static int stop_on(ex *x, int stop, bool raw, val *v, split *w);

/* --- small helpers ------------------------------------------------------ */

static const char *val_ptr(const val *v)
{
	return v->buf ? v->buf : "";
}

/* Length of the char at s[i] (i < n): a valid UTF-8 sequence, else one
 * byte; *cp gets its code point (0xFFFD for an invalid byte). */
static size_t utf8_char(const char *s, size_t n, size_t i, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s + i;
	size_t left = n - i, need;
	uint32_t c = u[0], lo = 0x80, hi = 0xBF;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
		c &= 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	if (left <= need || u[1] < lo || u[1] > hi) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t k = 1; k <= need; k++) {
		if (k > 1 && (u[k] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (u[k] & 0x3F);
	}
	*cp = c;
	return need + 1;
}

static inline size_t char_len(const char *s, size_t n, size_t i)
{
	uint32_t cp;
	if ((unsigned char)s[i] < 0x80)	/* nearly every char: no call */
		return 1;
	return utf8_char(s, n, i, &cp);
}

/* Go's unicode.IsSpace, which is what the builder splits words on. */
static bool go_space(uint32_t c)
{
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	}
	return c >= 0x2000 && c <= 0x200A;
}

/* Can a char starting with byte c be a Go space? The ASCII ones are
 * '\t' to '\r' and ' '; the others take two bytes or more. */
static bool may_be_go_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c >= 0x80;
}

/* Append the char at s[i] the way Go's %c prints the rune the builder read:
 * an invalid byte (or the end of input) shows as U+FFFD. */
static void add_go_char(df_buf *b, const char *s, size_t n, size_t i)
{
	uint32_t cp = 0xFFFD;
	size_t cl = i < n ? utf8_char(s, n, i, &cp) : 0;

	if (cp == 0xFFFD && !(cl == 3 && !memcmp(s + i, "\xEF\xBF\xBD", 3)))
		df_buf_adds(b, "\xEF\xBF\xBD");
	else
		df_buf_add(b, s + i, cl);
}

static bool is_name_char(int c)
{
	return df_is_alnum(c) || c == '_';
}

static bool is_special_param(int c)
{
	switch (c) {
	case '@': case '*': case '#': case '?': case '-': case '$': case '!':
		return true;
	}
	return false;
}

/* --- errors and output -------------------------------------------------- */

/* Start an error at off and return the buffer to write its message into; a
 * later error replaces an earlier one (see the "missing '}'" rule). */
static df_buf *fail_buf(ex *x, size_t off)
{
	x->failed = true;
	x->err_off = (uint32_t)off;
	df_buf_reset(&x->err);
	return &x->err;
}

static void fail(ex *x, size_t off, const char *msg)
{
	df_buf_adds(fail_buf(x, off), msg);
}

/* Append p[0..n) to v, whose bytes are in a. */
static inline void val_add(df_arena *a, val *v, const char *p, size_t n)
{
	if (v->cap - v->len <= n) {
		/* The newest allocation of the arena grows in place. */
		size_t cap = v->cap ? v->cap : 32;
		while (cap - v->len <= n)
			cap *= 2;
		v->buf = df_arena_grow_uninit(a, v->buf, v->cap, cap, 1);
		v->cap = cap;
	}
	if (n)
		memcpy(v->buf + v->len, p, n);
	v->len += n;
	v->buf[v->len] = '\0';
}

static void put(ex *x, val *v, const char *p, size_t n)
{
	if (x->failed)
		return;
	if (n > DF_EXPAND_MAX_OUT - v->len || n > DF_EXPAND_MAX_WORK - x->work) {
		fail(x, x->pos, "expansion result too large");
		return;
	}
	x->work += n;
	val_add(x->a, v, p, n);
}

static void put_val(ex *x, val *v, const val *from)
{
	if (from->unknown)
		v->unknown = true;
	else
		put(x, v, val_ptr(from), from->len);
}

/* --- word splitting (df_expand_words) ----------------------------------- */

static void split_end(split *w)
{
	if (w->text.len == w->start)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		w->w = df_arena_grow_uninit(w->a, w->w, w->cap, cap, sizeof(*w->w));
		w->cap = cap;
	}
	w->w[w->n].off = w->start;
	w->w[w->n].len = w->text.len - w->start;
	w->n++;
	val_add(w->a, &w->text, "", 1);	/* its NUL */
	w->start = w->text.len;
}

/* Text that never splits: quoted strings, escaped chars. */
static void split_raw(split *w, const char *p, size_t n)
{
	if (w)
		val_add(w->a, &w->text, p, n);
}

/* Text that splits at whitespace: unquoted chars and $ results. */
static void split_text(split *w, const char *p, size_t n)
{
	if (!w)
		return;
	for (size_t i = 0; i < n;) {
		/* A run of ASCII other than blanks goes in at once; a char
		 * that may be a space is decoded. */
		size_t run = i;
		while (run < n && !may_be_go_space((unsigned char)p[run]))
			run++;
		if (run > i)
			val_add(w->a, &w->text, p + i, run - i);
		if (run == n)
			break;
		uint32_t cp;
		size_t cl = utf8_char(p, n, run, &cp);
		if (go_space(cp))
			split_end(w);
		else
			val_add(w->a, &w->text, p + run, cl);
		i = run + cl;
	}
}

/* --- globs -------------------------------------------------------------- */

enum { G_LIT, G_ANY, G_STAR };

typedef struct gtok {
	int kind;
	const char *p;		/* G_LIT: the char's bytes */
	size_t len;
} gtok;

typedef struct glob {
	gtok *t;		/* consecutive stars folded into one */
	size_t n;
} glob;

static void glob_push(glob *g, int kind, const char *p, size_t len)
{
	if (kind == G_STAR && g->n && g->t[g->n - 1].kind == G_STAR)
		return;
	g->t[g->n].kind = kind;
	g->t[g->n].p = p;
	g->t[g->n].len = len;
	g->n++;
}

/* The builder turns the pattern into a Go regexp; these are its rules.
 * On error writes the reason to err (if not NULL) and returns -1. The tokens
 * point into p. */
static int glob_compile(const char *p, size_t n, glob *g, df_buf *err)
{
	g->t = df_xmalloc((n + 1) * sizeof(*g->t));
	g->n = 0;
	for (size_t i = 0; i < n;) {
		char c = p[i];
		if (c == '*' || c == '?') {
			glob_push(g, c == '*' ? G_STAR : G_ANY, NULL, 0);
			i++;
		} else if (c == '\\') {
			char e = i + 1 < n ? p[i + 1] : 0;
			if (i + 1 < n && (e == '}' || e == '/')) {
				/* needed to write them inside ${}, not part of
				 * the pattern: the char itself comes next */
				i++;
			} else if (i + 1 < n && (e == '*' || e == '?' || e == '\\')) {
				glob_push(g, G_LIT, p + i + 1, 1);
				i += 2;
			} else {
				if (err) {
					df_buf_adds(err, "invalid escape '\\");
					add_go_char(err, p, n, i + 1);
					df_buf_addc(err, '\'');
				}
				free(g->t);
				g->t = NULL;
				return -1;
			}
		} else {
			size_t cl = char_len(p, n, i);
			glob_push(g, G_LIT, p + i, cl);
			i += cl;
		}
	}
	return 0;
}

static void glob_release(glob *g)
{
	free(g->t);
	g->t = NULL;
	g->n = 0;
}

/* The pattern reversed the way the builder reverses it for a suffix search:
 * by chars, keeping each backslash pair in order. */
static void reverse_pattern(const char *p, size_t n, df_buf *out)
{
	size_t (*units)[2] = df_xmalloc((n + 1) * sizeof(*units));
	size_t k = 0;

	for (size_t i = 0; i < n;) {
		size_t cl = char_len(p, n, i);
		if (p[i] == '\\' && i + 1 < n)
			cl += char_len(p, n, i + 1);
		units[k][0] = i;
		units[k][1] = cl;
		k++;
		i += cl;
	}
	while (k--)
		df_buf_add(out, p + units[k][0], units[k][1]);
	free(units);
}

static void glob_reverse(glob *g)
{
	for (size_t i = 0, j = g->n; i + 1 < j; i++, j--) {
		gtok t = g->t[i];
		g->t[i] = g->t[j - 1];
		g->t[j - 1] = t;
	}
}

enum {
	G_PREFIX_SHORT,		/* shortest s[from..e) matching */
	G_PREFIX_LONG,		/* longest s[from..e) matching */
	G_FULL,			/* does s[from..n) match */
	G_SUFFIX_SHORT,		/* greatest start of a matching suffix */
	G_SUFFIX_LONG,		/* least start of a matching suffix */
	G_FIND,			/* leftmost, then longest, match after from */
};

#define NONE SIZE_MAX

/* Put state j, reached by a match that started at st, into set, with the
 * state after a star (a star may match nothing). Two threads in one state
 * have the same future, so only the better start is kept: that is what
 * keeps matching linear. */
static void glob_add(const glob *g, size_t *set, size_t j, size_t st, bool keep_max)
{
	for (;;) {
		if (set[j] != NONE && (keep_max ? st <= set[j] : st >= set[j]))
			return;
		set[j] = st;
		if (j == g->n || g->t[j].kind != G_STAR)
			return;
		j++;
	}
}

/*
 * Run g over s from char boundary from as a Thompson NFA whose threads
 * remember where their match started. `*` and `?` do not match '\n' (Go's
 * `.`). For these patterns leftmost-first greedy matching (the builder's
 * Go regexp) finds the longest match and lazy matching the shortest, which
 * is what the modes compute. Returns 1 with *ms and *me set, 0 for no
 * match, -1 when *budget runs out.
 */
static int glob_run(const glob *g, const char *s, size_t n, size_t from, int mode,
		    size_t *budget, size_t *ms, size_t *me)
{
	size_t m = g->n;
	size_t *cur = df_xmalloc(2 * (m + 1) * sizeof(*cur)), *nxt = cur + m + 1;
	bool keep_max = mode == G_SUFFIX_SHORT;
	bool inject = mode == G_SUFFIX_SHORT || mode == G_SUFFIX_LONG || mode == G_FIND;
	bool have = false;
	size_t bs = from, be = from, p = from, end_acc = NONE;
	int ret = 0;

	for (size_t j = 0; j <= m; j++)
		cur[j] = NONE;
	for (;;) {
		if (p == from || (inject && !have))
			glob_add(g, cur, 0, p, keep_max);
		if (cur[m] != NONE) {
			if (mode == G_PREFIX_SHORT) {
				have = true;
				be = p;
				break;
			}
			if (mode == G_PREFIX_LONG) {
				have = true;
				be = p;
			}
			if (mode == G_FIND && (!have || cur[m] <= bs)) {
				have = true;
				bs = cur[m];
				be = p;
			}
		}
		if (p >= n) {
			end_acc = cur[m];
			break;
		}
		bool live = false;
		for (size_t j = 0; j < m; j++) {
			if (mode == G_FIND && have && cur[j] != NONE && cur[j] > bs)
				cur[j] = NONE;
			live |= cur[j] != NONE;
		}
		if (!live && !(inject && !have))
			break;
		if (*budget < m + 1) {
			ret = -1;
			goto out;
		}
		*budget -= m + 1;

		size_t cl = char_len(s, n, p);
		bool nl = s[p] == '\n';
		for (size_t j = 0; j <= m; j++)
			nxt[j] = NONE;
		for (size_t j = 0; j < m; j++) {
			if (cur[j] == NONE)
				continue;
			const gtok *t = &g->t[j];
			if (t->kind == G_STAR) {
				if (!nl)
					glob_add(g, nxt, j, cur[j], keep_max);
			} else if (t->kind == G_ANY) {
				if (!nl)
					glob_add(g, nxt, j + 1, cur[j], keep_max);
			} else if (t->len == cl && !memcmp(t->p, s + p, cl)) {
				glob_add(g, nxt, j + 1, cur[j], keep_max);
			}
		}
		size_t *tmp = cur;
		cur = nxt;
		nxt = tmp;
		p += cl;
	}

	switch (mode) {
	case G_FULL:
		ret = end_acc != NONE;
		break;
	case G_SUFFIX_SHORT:
	case G_SUFFIX_LONG:
		ret = end_acc != NONE;
		bs = end_acc;
		be = n;
		break;
	default:
		ret = have;
	}
out:
	free(cur < nxt ? cur : nxt);
	if (ret == 1) {
		*ms = bs;
		*me = be;
	}
	return ret;
}

bool df_expand_glob_match(const char *p, size_t plen, const char *s, size_t slen)
{
	glob g;
	size_t budget = SIZE_MAX, ms, me;
	int r;

	if (glob_compile(p ? p : "", plen, &g, NULL) < 0)
		return false;
	r = glob_run(&g, s ? s : "", slen, 0, G_FULL, &budget, &ms, &me);
	glob_release(&g);
	return r == 1;
}

/* --- $ forms ------------------------------------------------------------ */

/* Read a name at pos: a run of digits, one special char, or a run of name
 * chars (possibly empty). Returns its length. */
static size_t scan_name(ex *x)
{
	size_t start = x->pos;

	if (x->pos < x->len && df_is_digit(x->s[x->pos])) {
		while (x->pos < x->len && df_is_digit(x->s[x->pos]))
			x->pos++;
	} else if (x->pos < x->len && is_special_param(x->s[x->pos])) {
		x->pos++;
	} else {
		/* Locals: a name is read a byte at a time, for every $ form. */
		const char *s = x->s;
		size_t p = x->pos, n = x->len;
		while (p < n && is_name_char(s[p]))
			p++;
		x->pos = p;
	}
	return x->pos - start;
}

static df_var_state lookup(ex *x, size_t dollar, size_t name, size_t nlen, df_str *value)
{
	df_var_state st = DF_VAR_UNSET;

	value->ptr = "";
	value->len = 0;
	if (!nlen)
		return DF_VAR_UNSET;	/* ${+x}, ${%x}: nothing to look up */
	if (x->o->lookup)
		st = x->o->lookup(x->o->ud, x->s + name, nlen, value);
	if (st != DF_VAR_KNOWN) {
		value->ptr = "";
		value->len = 0;
	} else if (!value->ptr) {
		value->ptr = "";
		value->len = 0;
	}
	if (x->nrefs == x->refs_cap) {
		if (x->refs == x->refs_local) {
			ref *heap = df_xmalloc(2 * x->refs_cap * sizeof(*heap));
			memcpy(heap, x->refs, x->nrefs * sizeof(*heap));
			x->refs = heap;
			x->refs_cap *= 2;
		} else {
			df_grow((void **)&x->refs, &x->refs_cap, x->nrefs + 1, sizeof(*x->refs));
		}
	}
	x->refs[x->nrefs].name = name;
	x->refs[x->nrefs].nlen = nlen;
	x->refs[x->nrefs].off = (uint32_t)dollar;
	x->refs[x->nrefs].state = st;
	x->nrefs++;
	return st;
}

/* Go's regexp template expansion, which ${v//p/r} applies to r: `$0` and
 * `${0}` are the match, `$$` is `$`, other names are empty (the pattern has
 * no groups), and a `$` that starts no name stays. */
static void put_template(ex *x, val *v, const char *t, size_t tn, const char *m, size_t mn)
{
	size_t i = 0;

	while (i < tn && !x->failed) {
		const char *d = memchr(t + i, '$', tn - i);
		if (!d) {
			put(x, v, t + i, tn - i);
			return;
		}
		put(x, v, t + i, (size_t)(d - t) - i);
		i = (size_t)(d - t) + 1;
		if (i < tn && t[i] == '$') {
			put(x, v, "$", 1);
			i++;
			continue;
		}
		bool brace = i < tn && t[i] == '{';
		size_t j = i + brace, k = j;
		while (k < tn && is_name_char(t[k]))
			k++;
		if (k == j || (brace && (k >= tn || t[k] != '}'))) {
			put(x, v, "$", 1);	/* malformed: a plain `$` */
			continue;
		}
		if (k - j == 1 && t[j] == '0')	/* "00" is a name, not 0 */
			put(x, v, m, mn);
		i = k + brace;
	}
}

/* ${name op word}, the forms that read one word up to `}`: op is one of
 * `+-?#%`, or `:` and the char after it. x->pos is just past the byte after
 * the name; d is the `$`. The word is read before anything is decided, as
 * the builder does, so its errors come first. */
static void modifier(ex *x, val *v, size_t d, size_t name, size_t nlen,
		     df_var_state st, df_str value)
{
	const char *s = x->s;
	size_t chs = x->pos - 1, chs_len = 1;
	char op = s[chs];
	bool null_unset = false;

	if (op == ':') {
		if (x->pos >= x->len) {
			fail(x, d, "syntax error: missing '}'");
			return;
		}
		null_unset = true;
		op = s[x->pos];
		chs_len += char_len(s, x->len, x->pos);
		x->pos += chs_len - 1;
	}

	val w = VAL_INIT;
	size_t wstart = x->pos;
	if (stop_on(x, '}', op == '#' || op == '%', &w, NULL) < 0) {
		if (x->pos >= x->len)
			fail(x, d, "syntax error: missing '}'");
		return;
	}

	if (x->o->keep_unset && st != DF_VAR_KNOWN) {
		if (st == DF_VAR_UNKNOWN) {
			v->unknown = true;
		} else {
			put(x, v, "${", 2);
			put(x, v, s + name, nlen);
			put(x, v, s + chs, chs_len);
			put_val(x, v, &w);
			put(x, v, "}", 1);
		}
		return;
	}

	bool empty = st == DF_VAR_UNSET || (null_unset && value.len == 0);
	switch (op) {
	case '-':
		if (st == DF_VAR_UNKNOWN)
			v->unknown = true;
		else if (empty)
			put_val(x, v, &w);
		else
			put(x, v, value.ptr, value.len);
		break;
	case '+':
		if (st == DF_VAR_UNKNOWN && (w.unknown || w.len))
			v->unknown = true;	/* ${U:+} is "" either way */
		else if (st == DF_VAR_KNOWN && !empty)
			put_val(x, v, &w);
		break;
	case '?':
		if (st == DF_VAR_UNKNOWN) {
			v->unknown = true;
		} else if (empty) {
			df_buf *e = fail_buf(x, d);
			df_buf_add(e, s + name, nlen);
			df_buf_adds(e, ": ");
			if (w.unknown)	/* the message is a build arg: show it as written */
				df_buf_add(e, s + wstart, x->pos - 1 - wstart);
			else if (w.len)
				df_buf_add(e, w.buf, w.len);
			else if (st == DF_VAR_UNSET)
				df_buf_adds(e, "is not allowed to be unset");
			else
				df_buf_adds(e, "is not allowed to be empty");
		} else {
			put(x, v, value.ptr, value.len);
		}
		break;
	case '#':
	case '%': {
		if (w.unknown) {
			v->unknown = true;
			break;
		}
		const char *p = val_ptr(&w);
		size_t plen = w.len;
		bool longest = plen && p[0] == op;
		if (longest) {
			p++;
			plen--;
		}
		df_buf rev = DF_BUF_INIT, why = DF_BUF_INIT;
		glob g;
		if (op == '%') {
			reverse_pattern(p, plen, &rev);
			p = df_buf_str(&rev);
			plen = rev.len;
		}
		if (glob_compile(p, plen, &g, &why) < 0) {
			df_buf *e = fail_buf(x, d);
			df_buf_adds(e, "invalid pattern (");
			df_buf_add(e, p, plen);
			df_buf_adds(e, ") in substitution: ");
			df_buf_add(e, why.buf, why.len);
		} else if (st == DF_VAR_UNKNOWN) {
			v->unknown = true;
		} else {
			size_t ms = 0, me = 0;
			int r;
			if (op == '%') {
				glob_reverse(&g);
				r = glob_run(&g, value.ptr, value.len, 0,
					     longest ? G_SUFFIX_LONG : G_SUFFIX_SHORT,
					     &x->glob_budget, &ms, &me);
				if (r == 1)
					put(x, v, value.ptr, ms);
			} else {
				r = glob_run(&g, value.ptr, value.len, 0,
					     longest ? G_PREFIX_LONG : G_PREFIX_SHORT,
					     &x->glob_budget, &ms, &me);
				if (r == 1)
					put(x, v, value.ptr + me, value.len - me);
			}
			if (r == 0)
				put(x, v, value.ptr, value.len);
			else if (r < 0)
				fail(x, d, "pattern matching too expensive");
		}
		if (g.t)
			glob_release(&g);
		df_buf_release(&rev);
		df_buf_release(&why);
		break;
	}
	default: {
		df_buf *e = fail_buf(x, d);
		df_buf_adds(e, "unsupported modifier (");
		df_buf_addc(e, ':');
		add_go_char(e, s, x->len, chs + 1);
		df_buf_adds(e, ") in substitution");
		break;
	}
	}
}

/* ${name/p/r} and ${name//p/r}; x->pos is just after the first `/`. */
static void replace(ex *x, val *v, size_t d, size_t name, size_t nlen,
		    df_var_state st, df_str value)
{
	bool all = x->pos < x->len && x->s[x->pos] == '/';
	val p = VAL_INIT, r = VAL_INIT;
	glob g = { NULL, 0 };
	df_buf why = DF_BUF_INIT;

	if (all)
		x->pos++;
	if (stop_on(x, '/', true, &p, NULL) < 0) {
		if (x->pos >= x->len)
			fail(x, d, "syntax error: missing '/' in ${}");
		goto out;
	}
	if (stop_on(x, '}', true, &r, NULL) < 0) {
		if (x->pos >= x->len)
			fail(x, d, "syntax error: missing '}'");
		goto out;
	}
	if (x->o->keep_unset && st != DF_VAR_KNOWN) {
		if (st == DF_VAR_UNKNOWN) {
			v->unknown = true;
		} else {
			/* the builder writes one `/` back even for `//` */
			put(x, v, "${", 2);
			put(x, v, x->s + name, nlen);
			put(x, v, "/", 1);
			put_val(x, v, &p);
			put(x, v, "/", 1);
			put_val(x, v, &r);
			put(x, v, "}", 1);
		}
		goto out;
	}
	if (p.unknown) {
		v->unknown = true;
		goto out;
	}
	if (glob_compile(val_ptr(&p), p.len, &g, &why) < 0) {
		df_buf *e = fail_buf(x, d);
		df_buf_adds(e, "invalid pattern (");
		df_buf_add(e, val_ptr(&p), p.len);
		df_buf_adds(e, ") in substitution: ");
		df_buf_add(e, why.buf, why.len);
		goto out;
	}
	if (st == DF_VAR_UNKNOWN) {
		v->unknown = true;
		goto out;
	}

	const char *s = value.ptr;
	size_t n = value.len, a0, a1, search = 0, last = 0;
	int rc;
	if (!all) {
		rc = glob_run(&g, s, n, 0, G_FIND, &x->glob_budget, &a0, &a1);
		if (rc == 1) {
			put(x, v, s, a0);
			put_val(x, v, &r);
			put(x, v, s + a1, n - a1);
		} else if (rc == 0) {
			put(x, v, s, n);
		} else {
			fail(x, d, "pattern matching too expensive");
		}
		goto out;
	}
	/* Go's ReplaceAllString: an empty match right after a match is not
	 * replaced, and the search always moves on by at least one char. */
	while (search <= n && !x->failed) {
		rc = glob_run(&g, s, n, search, G_FIND, &x->glob_budget, &a0, &a1);
		if (rc < 0) {
			fail(x, d, "pattern matching too expensive");
			goto out;
		}
		if (rc == 0)
			break;
		put(x, v, s + last, a0 - last);
		if (a1 > last || a0 == 0) {
			if (r.unknown)
				v->unknown = true;
			else
				put_template(x, v, val_ptr(&r), r.len, s + a0, a1 - a0);
		}
		last = a1;
		size_t width = search < n ? char_len(s, n, search) : 0;
		if (search + width > a1)
			search += width;
		else if (search + 1 > a1)
			search++;
		else
			search = a1;
	}
	put(x, v, s + last, n - last);
out:
	if (g.t)
		glob_release(&g);
	df_buf_release(&why);
}

/* $name or ${...}; x->pos is at the `$`. */
static void dollar(ex *x, val *v)
{
	const char *s = x->s;
	size_t d = x->pos++, name, nlen;
	df_str value;
	df_var_state st;

	if (x->pos >= x->len || s[x->pos] != '{') {
		name = x->pos;
		nlen = scan_name(x);
		if (!nlen) {
			put(x, v, "$", 1);
			return;
		}
		st = lookup(x, d, name, nlen, &value);
		if (st == DF_VAR_KNOWN) {
			put(x, v, value.ptr, value.len);
		} else if (st == DF_VAR_UNKNOWN) {
			v->unknown = true;
		} else if (x->o->keep_unset) {
			put(x, v, "$", 1);
			put(x, v, s + name, nlen);
		}
		return;
	}

	x->pos++;
	if (x->depth >= DF_EXPAND_MAX_DEPTH) {
		fail(x, d, "nesting too deep");
		return;
	}
	if (x->pos >= x->len) {
		fail(x, d, "syntax error: missing '}'");
		return;
	}
	if (s[x->pos] == '{' || s[x->pos] == '}' || s[x->pos] == ':') {
		fail(x, d, "syntax error: bad substitution");
		return;
	}
	name = x->pos;
	nlen = scan_name(x);
	st = lookup(x, d, name, nlen, &value);
	if (x->pos >= x->len) {
		fail(x, d, "syntax error: missing '}'");
		return;
	}

	size_t c = x->pos;
	x->pos += char_len(s, x->len, c);
	x->depth++;
	switch (s[c]) {
	case '}':
		if (st == DF_VAR_KNOWN) {
			put(x, v, value.ptr, value.len);
		} else if (st == DF_VAR_UNKNOWN) {
			v->unknown = true;
		} else if (x->o->keep_unset) {
			put(x, v, "${", 2);
			put(x, v, s + name, nlen);
			put(x, v, "}", 1);
		}
		break;
	case ':': case '+': case '-': case '?': case '#': case '%':
		modifier(x, v, d, name, nlen, st, value);
		break;
	case '/':
		replace(x, v, d, name, nlen, st, value);
		break;
	default: {
		df_buf *e = fail_buf(x, d);
		df_buf_adds(e, "unsupported modifier (");
		add_go_char(e, s, x->len, c);
		df_buf_adds(e, ") in substitution");
		break;
	}
	}
	x->depth--;
}

/* --- quotes and words --------------------------------------------------- */

static void single_quote(ex *x, val *v)
{
	size_t open = x->pos++;
	const char *q = memchr(x->s + x->pos, '\'', x->len - x->pos);

	if (!q) {
		x->pos = x->len;	/* read to the end, as the builder does */
		fail(x, open, "unexpected end of statement while looking for matching single-quote");
		return;
	}
	size_t end = (size_t)(q - x->s);
	if (x->o->keep_quotes)
		put(x, v, "'", 1);
	put(x, v, x->s + x->pos, end - x->pos);
	if (x->o->keep_quotes)
		put(x, v, "'", 1);
	x->pos = end + 1;
}

/* raw: keep escape chars. The builder then writes an escape char that
 * escapes nothing twice ("a\x" gives a\\x), and patterns rely on that. */
static void double_quote(ex *x, bool raw, val *v)
{
	size_t open = x->pos++;

	if (x->o->keep_quotes)
		put(x, v, "\"", 1);
	while (!x->failed) {
		if (x->pos >= x->len) {
			fail(x, open, "unexpected end of statement while looking for matching double-quote");
			return;
		}
		char c = x->s[x->pos];
		if (c == '"') {
			x->pos++;
			if (x->o->keep_quotes)
				put(x, v, "\"", 1);
			return;
		}
		if (c == '$') {
			dollar(x, v);
			continue;
		}
		if (c != x->esc) {
			/* A run of ordinary chars goes in at once. The scan also
			 * stops at `'` and the escape char not in force, which
			 * are ordinary here. */
			size_t end = x->pos + 1;
			while ((end = df_scan_special(x->s, end, x->len, false)) < x->len &&
			       x->s[end] != '"' && x->s[end] != '$' && x->s[end] != x->esc)
				end++;
			put(x, v, x->s + x->pos, end - x->pos);
			x->pos = end;
			continue;
		}
		/* The escape char escapes only `"`, `$` and itself. */
		x->pos++;
		if (raw)
			put(x, v, &c, 1);
		if (x->pos >= x->len)
			continue;	/* dropped; the quote is unterminated */
		char e = x->s[x->pos];
		if (e == '"' || e == '$' || e == x->esc) {
			c = e;
			x->pos++;
		}
		put(x, v, &c, 1);
	}
}

/*
 * Read a word into v up to the char stop (consumed), or to the end of input
 * when stop < 0. raw keeps escape chars. w, if not NULL, receives the
 * splitting. Returns 0, or -1 on an error (x->failed) or when the input
 * ends before stop (x->failed unset: the caller knows which error it is).
 */
static int stop_on(ex *x, int stop, bool raw, val *v, split *w)
{
	const char *s = x->s;

	while (x->pos < x->len && !x->failed) {
		char c = s[x->pos];
		if (stop >= 0 && c == stop) {
			x->pos++;
			return 0;
		}
		if (c == '\'' || c == '"' || c == '$') {
			size_t before = v->len;
			if (c == '\'')
				single_quote(x, v);
			else if (c == '"')
				double_quote(x, raw, v);
			else
				dollar(x, v);
			if (x->failed)
				return -1;
			if (c == '$')
				split_text(w, val_ptr(v) + before, v->len - before);
			else
				split_raw(w, val_ptr(v) + before, v->len - before);
			continue;
		}
		size_t cl = char_len(s, x->len, x->pos);
		if (c == x->esc) {
			x->pos++;
			if (raw) {
				put(x, v, &c, 1);
				split_raw(w, &c, 1);
			}
			if (x->pos >= x->len)
				break;	/* a trailing escape char is dropped */
			cl = char_len(s, x->len, x->pos);
			put(x, v, s + x->pos, cl);
			split_raw(w, s + x->pos, cl);
		} else {
			/* A run of ordinary bytes goes in at once; UTF-8 sequences
			 * hold no ASCII byte, so none is cut. */
			size_t end = x->pos + cl;
			if (stop < 0 && (x->esc == '\\' || x->esc == '`')) {
				/* A whole word (nearly every call): sixteen bytes
				 * a step. The scan stops at quotes, '$' and both
				 * escape chars; the one not in force is ordinary. */
				while ((end = df_scan_special(s, end, x->len, false)) < x->len &&
				       s[end] != x->esc && (s[end] == '\\' || s[end] == '`'))
					end++;
			} else {
				while (end < x->len) {
					char d = s[end];
					if (d == stop || d == '\'' || d == '"' || d == '$' || d == x->esc)
						break;
					end++;
				}
			}
			cl = end - x->pos;
			put(x, v, s + x->pos, cl);
			split_text(w, s + x->pos, cl);
		}
		x->pos += cl;
	}
	if (x->failed)
		return -1;
	return stop >= 0 ? -1 : 0;
}

/* --- entry points ------------------------------------------------------- */

static void run(df_arena *a, const char *s, size_t len, const df_expand_opts *o,
		df_expand_result *out, split *w)
{
	static const df_expand_opts defaults = { '\\', NULL, NULL, false, false, false };
	ex x;
	val v = VAL_INIT;

	/* Set field by field: refs_local, most of the struct, is written
	 * before it is read. */
	x.a = a;
	x.o = o ? o : &defaults;
	x.s = s ? s : "";
	x.len = s ? len : 0;
	x.pos = 0;
	x.esc = x.o->escape ? x.o->escape : '\\';
	x.depth = 0;
	x.work = 0;
	x.glob_budget = GLOB_BUDGET;
	x.failed = false;
	x.err = (df_buf)DF_BUF_INIT;	/* written only by fail_buf() */
	x.err_off = 0;
	x.refs = x.refs_local;
	x.nrefs = 0;
	x.refs_cap = DF_ARRAY_LEN(x.refs_local);

	if (x.len > DF_EXPAND_MAX_OUT)
		fail(&x, 0, "word too long");
	else
		stop_on(&x, -1, x.o->keep_escapes, &v, w);

	memset(out, 0, sizeof(*out));
	out->value.ptr = "";
	if (x.failed) {
		out->status = DF_EXPAND_ERROR;
		out->error = df_arena_memdup(a, df_buf_str(&x.err), x.err.len);
		out->error_off = x.err_off;
		df_buf_release(&x.err);
	} else if (v.unknown) {
		out->status = DF_EXPAND_UNKNOWN;
	} else {
		out->status = DF_EXPAND_OK;
		if (!v.buf)
			v.buf = df_arena_memdup(a, "", 0);
		else	/* give back the room it did not use, when it is last */
			df_arena_shrink(a, v.buf, v.cap, v.len + 1);
		out->value.ptr = v.buf;
		out->value.len = v.len;
	}
	if (x.nrefs) {
		/* One allocation holds the refs and their names behind them.
		 * It comes after the value, which gives back its unused room
		 * only while it is the newest allocation. */
		size_t names = 0;
		for (size_t i = 0; i < x.nrefs; i++)
			names += x.refs[i].nlen + 1;
		out->refs = df_arena_alloc_uninit(a, x.nrefs * sizeof(df_expand_ref) + names);
		char *name = (char *)(out->refs + x.nrefs);
		for (size_t i = 0; i < x.nrefs; i++) {
			df_expand_ref *r = &out->refs[i];
			memcpy(name, x.s + x.refs[i].name, x.refs[i].nlen);
			name[x.refs[i].nlen] = '\0';
			r->name.ptr = name;
			r->name.len = x.refs[i].nlen;
			r->off = x.refs[i].off;
			r->name_off = (uint32_t)x.refs[i].name;
			r->state = x.refs[i].state;
			name += x.refs[i].nlen + 1;
		}
		out->nrefs = x.nrefs;
	}
	if (x.refs != x.refs_local)
		free(x.refs);
}

void df_expand_word(df_arena *a, const char *s, size_t len,
		    const df_expand_opts *o, df_expand_result *out)
{
	run(a, s, len, o, out, NULL);
}

size_t df_expand_words(df_arena *a, const char *s, size_t len,
		       const df_expand_opts *o, df_str **words,
		       df_expand_result *status_out)
{
	split w;
	size_t n = 0;

	memset(&w, 0, sizeof(w));
	w.a = a;
	run(a, s, len, o, status_out, &w);
	split_end(&w);
	*words = NULL;
	if (status_out->status == DF_EXPAND_OK && w.n) {
		n = w.n;
		*words = DF_ARENA_ARRAY(a, df_str, n);
		for (size_t i = 0; i < n; i++) {
			(*words)[i].ptr = w.text.buf + w.w[i].off;
			(*words)[i].len = w.w[i].len;
		}
	}
	return n;
}
