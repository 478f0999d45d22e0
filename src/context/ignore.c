/*
 * ignore.c - .dockerignore: the builder's line reader, then its pattern
 * compiler. A pattern becomes one of four matchers, chosen exactly as the
 * builder chooses them, because the fast paths are not equivalent to the
 * regular expression (a leading "**" with a literal tail is a plain suffix
 * test: "**foo" matches "barfoo").
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "context/ignore.h"

#include <pcre2.h>
#include <string.h>

#include "context/glob.h"
#include "util/util.h"

typedef enum pat_kind {
	PAT_EXACT,	/* path == text */
	PAT_PREFIX,	/* text ends in "**": path starts with what precedes it */
	PAT_SUFFIX,	/* text starts with "**", no other wildcard: path ends with the rest */
	PAT_REGEX,	/* anything else: an anchored regular expression */
} pat_kind;

typedef struct pattern {
	char *text;		/* cleaned, without the '!'; owned unless in the matcher's texts */
	bool text_inline;	/* in the matcher's texts */
	size_t len;
	bool exception;		/* a '!' line: re-includes */
	bool literal;		/* names paths by prefix only: see is_prefix_only() */
	uint32_t line;		/* 1-based line in the file */
	pat_kind kind;
	pcre2_code *re;		/* PAT_REGEX only; owned */
} pattern;

struct df_ignore {
	pattern *pats;		/* few, or owned when more */
	size_t len, cap;
	pattern few[2];		/* a fix's matcher holds a line or two */
	char texts[64];		/* the texts of the first patterns, while they fit */
	size_t texts_used;
	bool has_exceptions;
	bool literal_exceptions;	/* every exception is literal */
	/* df_ignore_match_step()'s scratch (df_ignore_match() makes its own):
	 * NULL when no pattern is a PAT_REGEX. */
	pcre2_match_data *md;
};

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void trim(const char **p, size_t *n)
{
	while (*n > 0 && is_space((unsigned char)(*p)[0]))
		(*p)++, (*n)--;
	while (*n > 0 && is_space((unsigned char)(*p)[*n - 1]))
		(*n)--;
}

static bool should_escape(char c)
{
	switch (c) {
	case '.': case '+': case '(': case ')': case '|': case '{': case '}': case '$':
		return true;
	default:
		return false;
	}
}

/* Length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	if (c >= 0xe0)
		return c <= 0xef ? 3 : 1;
	if (c >= 0xc2)
		return 2;
	return 1;
}

/* The builder's pattern compiler: choose the kind, and for PAT_REGEX write
 * the expression into re. */
static pat_kind classify(const char *p, size_t n, df_buf *re)
{
	pat_kind kind = PAT_EXACT;
	df_buf_addc(re, '^');
	for (size_t i = 0, k = 0; i < n; k++) {
		char c = p[i];
		if (c == '*' && i + 1 < n && p[i + 1] == '*') {
			i += 2;
			if (i < n && p[i] == '/')
				i++;
			if (i == n) {
				if (kind == PAT_EXACT) {
					kind = PAT_PREFIX;
				} else {
					df_buf_adds(re, ".*");
					kind = PAT_REGEX;
				}
			} else {
				df_buf_adds(re, "(.*/)?");
				kind = PAT_REGEX;
			}
			if (k == 0)
				kind = PAT_SUFFIX;
		} else if (c == '*') {
			df_buf_adds(re, "[^/]*");
			kind = PAT_REGEX;
			i++;
		} else if (c == '?') {
			df_buf_adds(re, "[^/]");
			kind = PAT_REGEX;
			i++;
		} else if (should_escape(c)) {
			df_buf_addc(re, '\\');
			df_buf_addc(re, c);
			i++;
		} else if (c == '\\') {
			i++;
			if (i < n) {
				size_t l = seq_len((unsigned char)p[i]);
				if (l > n - i)
					l = n - i;
				df_buf_addc(re, '\\');
				df_buf_add(re, p + i, l);
				i += l;
				kind = PAT_REGEX;
			} else {
				df_buf_adds(re, "\\\\");
			}
		} else if (c == '[' || c == ']') {
			df_buf_addc(re, c);
			kind = PAT_REGEX;
			i++;
		} else {
			size_t l = seq_len((unsigned char)c);
			if (l > n - i)
				l = n - i;
			df_buf_add(re, p + i, l);
			i += l;
		}
	}
	df_buf_addc(re, '$');
	return kind;
}

/* The builder's test (fsutil) of whether an exception can re-include only
 * what lies under the path it spells out: no wildcard character once a
 * trailing slash-star-star and then a trailing slash-star are taken off.
 * p is a string of n bytes. */
static bool is_prefix_only(const char *p, size_t n)
{
	if (n >= 3 && memcmp(p + n - 3, "/**", 3) == 0)
		n -= 3;
	if (n >= 2 && memcmp(p + n - 2, "/*", 2) == 0)
		n -= 2;
	return strcspn(p, "*[]?^\\") >= n;
}

static void add_pattern(df_ignore *m, pattern *pt)
{
	if (!m->pats) {
		m->pats = m->few;
		m->cap = DF_ARRAY_LEN(m->few);
	}
	if (m->len == m->cap) {
		pattern *old = m->pats;
		if (old == m->few)
			m->pats = NULL;
		df_grow((void **)&m->pats, &m->cap, m->len + 1, sizeof(*m->pats));
		if (old == m->few)
			memcpy(m->pats, m->few, sizeof(m->few));
	}
	m->pats[m->len++] = *pt;
}

/* One line after the reader's cleaning: compile it or say why not. text is
 * NUL-terminated at or after text[len]; clean says it is NUL-terminated at
 * text[len], trimmed and its own df_path_clean_rel() already. col is where
 * the pattern text starts in the line; exact says the text is as written
 * there, so an error offset inside it is a column too. */
static int compile_line(df_ignore *m, const char *name, uint32_t line, const char *text, size_t len,
			bool clean, uint32_t col, bool exact, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	df_buf re = DF_BUF_INIT;
	int rc = -1;
	/* the matcher's own pass: trim and clean again (nothing to do for a
	 * clean line, which the reader trimmed), then the '!' */
	if (!clean)
		trim(&text, &len);
	if (len == 0) {
		rc = 0;
		goto out;
	}
	/* The reader cleaned the line already, and cleaning a clean path
	 * changes nothing: no copy then, nor a look when the reader found it
	 * clean as written (text lies in the reader's buffer, so text[len]
	 * may be read). */
	const char *s = text;
	if (!clean && (text[len] != '\0' || !df_path_is_clean_rel(text, len))) {
		df_path_clean(&p, text, len);
		s = df_buf_str(&p);
	}
	pattern pt = { 0 };
	pt.line = line;
	if (s[0] == '!') {
		if (s[1] == '\0') {
			df_buf_addf(err, "%s:%u:%u: illegal exclusion pattern '!'", name, line, col);
			goto out;
		}
		pt.exception = true;
		s++;
		if (exact)
			col++;
	}
	pt.len = strlen(s);
	if (strcspn(s, "*?[]\\^") == pt.len) {
		/* Most ignore lines name a path: with no byte that means more
		 * than itself, the pattern is well formed, literal, and
		 * PAT_EXACT (classify() would say so). */
		pt.literal = true;
		pt.kind = PAT_EXACT;
	} else {
		size_t bad = 0;
		if (df_glob_check(s, &bad) < 0) {
			df_buf_addf(err, "%s:%u:%u: syntax error in pattern '%s'", name, line,
				    exact ? col + (uint32_t)bad : col, s);
			goto out;
		}
		pt.literal = is_prefix_only(s, pt.len);
		/* Without these, classify() says PAT_EXACT: the expression
		 * it would write is not needed. */
		pt.kind = s[strcspn(s, "*?[]\\")] ? classify(s, pt.len, &re) : PAT_EXACT;
	}
	if (pt.kind == PAT_REGEX) {
		int code;
		PCRE2_SIZE off;
		pt.re = pcre2_compile((PCRE2_SPTR)re.buf, re.len,
				      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY,
				      &code, &off, NULL);
		if (!pt.re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof(msg));
			df_buf_addf(err, "%s:%u:%u: syntax error in pattern '%s': %s", name, line, col, s,
				    (const char *)msg);
			goto out;
		}
		(void)pcre2_jit_compile(pt.re, PCRE2_JIT_COMPLETE);	/* an optimisation only */
	}
	if (pt.len < sizeof(m->texts) - m->texts_used) {
		/* short, as most are: no allocation of its own */
		pt.text = m->texts + m->texts_used;
		memcpy(pt.text, s, pt.len + 1);
		m->texts_used += pt.len + 1;
		pt.text_inline = true;
	} else {
		pt.text = df_xstrndup(s, pt.len);
	}
	if (pt.exception) {
		if (!m->has_exceptions)
			m->literal_exceptions = true;
		m->has_exceptions = true;
		if (!pt.literal)
			m->literal_exceptions = false;
	}
	add_pattern(m, &pt);
	rc = 0;
out:
	df_buf_release(&p);
	df_buf_release(&re);
	return rc;
}

/* The reader's pass over one line (moby's ignorefile.ReadAll). */
static int read_line(df_ignore *m, const char *name, uint32_t line, const char *s, size_t n, df_buf *err)
{
	const char *line0 = s;
	if (n > 0 && s[0] == '#')
		return 0;
	trim(&s, &n);
	if (n == 0)
		return 0;
	bool invert = s[0] == '!';
	if (invert) {
		s++, n--;
		trim(&s, &n);
	}
	uint32_t col = (uint32_t)(s - line0) + 1;
	if (!invert && n < 256 && df_path_is_clean_rel(s, n)) {
		/* Nothing for the reader's cleaning to do (most lines name a
		 * path): the line as written, NUL-terminated on the stack. */
		char small[256];
		memcpy(small, s, n);
		small[n] = '\0';
		return compile_line(m, name, line, small, n, true, col, true, err);
	}
	df_buf p = DF_BUF_INIT;
	if (invert)
		df_buf_addc(&p, '!');
	if (n > 0) {
		size_t at = p.len;
		df_path_clean(&p, s, n);
		if (p.len - at > 1 && p.buf[at] == '/') {
			memmove(p.buf + at, p.buf + at + 1, p.len - at);
			p.len--;
		}
	}
	bool exact = p.len - invert == n && memcmp(p.buf + invert, s, n) == 0;
	if (invert)
		col--;	/* the matcher sees the '!' again */
	int rc = compile_line(m, name, line, p.buf, p.len, false, col, exact, err);
	df_buf_release(&p);
	return rc;
}

int df_ignore_compile(const char *name, const char *text, size_t len, df_ignore **out, df_buf *err)
{
	*out = NULL;
	if (len > DF_IGNORE_MAX_BYTES) {
		df_buf_addf(err, "%s: file is too large (%zu bytes, the limit is %u)", name, len,
			    DF_IGNORE_MAX_BYTES);
		return -1;
	}
	/* Not calloc(), which never reuses a block from glibc's per-thread
	 * cache: a fix's matcher of a line or two is made and freed for each
	 * finding that offers one. Nor a memset() of it all, which the
	 * compiler may turn into calloc(): the fields are set one by one
	 * (few and texts are written before they are read). */
	df_ignore *m = df_xmalloc(sizeof(*m));
	m->pats = NULL;
	m->len = m->cap = 0;
	m->texts_used = 0;
	m->has_exceptions = m->literal_exceptions = false;
	m->md = NULL;
	uint32_t line = 0;
	size_t pos = 0;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		line++;
		if (n > DF_IGNORE_MAX_LINE) {
			df_buf_addf(err, "%s:%u: line is too long (%zu bytes, the limit is %u)", name, line, n,
				    DF_IGNORE_MAX_LINE);
			goto fail;
		}
		if (n > 0 && text[end - 1] == '\r')
			n--;
		if (read_line(m, name, line, text + pos, n, err) < 0)
			goto fail;
		pos = end + 1;
	}
	for (size_t i = 0; i < m->len && !m->md; i++)
		if (m->pats[i].kind == PAT_REGEX && !(m->md = pcre2_match_data_create(1, NULL)))
			df_die_oom();
	*out = m;
	return 0;
fail:
	df_ignore_free(m);
	return -1;
}

void df_ignore_free(df_ignore *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->len; i++) {
		if (!m->pats[i].text_inline)
			free(m->pats[i].text);
		if (m->pats[i].re)
			pcre2_code_free(m->pats[i].re);
	}
	if (m->pats != m->few)
		free(m->pats);
	pcre2_match_data_free(m->md);
	free(m);
}

/* Does pt match path[0..n)? *md is the match data of a PAT_REGEX, made
 * when first needed. */
static bool pat_match(const pattern *pt, const char *path, size_t n, pcre2_match_data **md)
{
	switch (pt->kind) {
	case PAT_EXACT:
		return n == pt->len && memcmp(path, pt->text, n) == 0;
	case PAT_PREFIX:
		return n >= pt->len - 2 && memcmp(path, pt->text, pt->len - 2) == 0;
	case PAT_SUFFIX: {
		const char *suf = pt->text + 2;
		size_t sl = pt->len - 2;
		if (n >= sl && memcmp(path + n - sl, suf, sl) == 0)
			return true;
		/* "**" + "/foo" also matches "foo" itself */
		return sl > 0 && suf[0] == '/' && n == sl - 1 && memcmp(path, suf + 1, n) == 0;
	}
	case PAT_REGEX:
		if (!*md && !(*md = pcre2_match_data_create(1, NULL)))
			df_die_oom();
		return pcre2_match(pt->re, (PCRE2_SPTR)path, n, 0, 0, *md, NULL) >= 0;
	}
	DF_BUG("unknown pattern kind %d", (int)pt->kind);
}

static bool step(const df_ignore *m, const char *path, size_t n, const bool *parent, bool *state,
		 pcre2_match_data **md)
{
	bool matched = false;
	for (size_t i = 0; i < m->len; i++) {
		const pattern *pt = &m->pats[i];
		bool hit = parent && parent[i];
		if (!hit) {
			/* an inclusion cannot change an excluded path, nor an
			 * exception an included one: not even looked at, and so
			 * not remembered for the children either */
			if (pt->exception != matched) {
				state[i] = false;
				continue;
			}
			hit = pat_match(pt, path, n, md);
		}
		state[i] = hit;
		if (hit)
			matched = !pt->exception;
	}
	return matched;
}

bool df_ignore_match_step(const df_ignore *m, const char *path, const bool *parent, bool *state)
{
	/* m->md exists when a pattern needs it: none is made here */
	pcre2_match_data *md = m->md;
	return step(m, path, strlen(path), parent, state, &md);
}

bool df_ignore_match(const df_ignore *m, const char *path)
{
	size_t n = strlen(path);
	/* clean input is the rule; anything else costs one copy */
	if (n && df_path_is_clean_rel(path, n))
		return df_ignore_match_clean(m, path, n);
	df_buf clean = DF_BUF_INIT;
	df_path_clean(&clean, path, n);
	path = df_buf_str(&clean);
	if (path[0] == '/')
		path++;
	n = strlen(path);
	/* the context root itself is never excluded */
	bool matched = n && strcmp(path, ".") != 0 && df_ignore_match_clean(m, path, n);
	df_buf_release(&clean);
	return matched;
}

bool df_ignore_match_clean(const df_ignore *m, const char *path, size_t n)
{
	if (m->len == 0)
		return false;
	bool matched = false;
	/* Scratch of the call's own, not the matcher's: a build context's
	 * matcher serves every thread linting a file built in it. */
	bool few[64];
	bool *states = 2 * m->len <= DF_ARRAY_LEN(few) ? few : df_xmalloc(2 * m->len * sizeof(bool));
	pcre2_match_data *md = NULL;
	/* the walk from the top: each directory on the way, then path */
	bool *parent = NULL, *state = states;
	for (size_t k = 0;; k++) {
		const char *slash = memchr(path + k, '/', n - k);
		k = slash ? (size_t)(slash - path) : n;
		matched = step(m, path, k, parent, state, &md);
		if (k == n)
			break;
		parent = state;
		state = state == states ? states + m->len : states;
	}
	if (md)
		pcre2_match_data_free(md);
	if (states != few)
		free(states);
	return matched;
}

size_t df_ignore_count(const df_ignore *m)
{
	return m->len;
}

const char *df_ignore_pattern(const df_ignore *m, size_t i, bool *exception, uint32_t *line)
{
	if (i >= m->len)
		DF_BUG("pattern %zu of %zu", i, m->len);
	if (exception)
		*exception = m->pats[i].exception;
	if (line)
		*line = m->pats[i].line;
	return m->pats[i].text;
}

bool df_ignore_may_reinclude(const df_ignore *m, const char *dir)
{
	if (!m->has_exceptions)
		return false;
	if (!m->literal_exceptions)
		return true;
	/* such an exception reaches inside dir only by spelling out a path in
	 * it (or dir itself) */
	size_t dl = strlen(dir);
	for (size_t i = 0; i < m->len; i++) {
		const pattern *pt = &m->pats[i];
		if (pt->exception && pt->len >= dl && memcmp(pt->text, dir, dl) == 0 &&
		    (pt->len == dl || pt->text[dl] == '/'))
			return true;
	}
	return false;
}
