/*
 * glob.c - Go's filepath.Clean and filepath.Match, byte for byte in their
 * behaviour (a pattern the builder accepts must be accepted here, and one it
 * rejects rejected), on '/'-separated paths.
 */
#include "context/glob.h"

#include <stdint.h>
#include <string.h>

/* Both cleans: rel, p is taken under a root ('..' stops there) and the
 * result is written without the root's '/'. */
static void clean(df_buf *out, const char *p, size_t n, bool rel)
{
	bool rooted = rel || (n > 0 && p[0] == '/');
	if (rooted && !rel)
		df_buf_addc(out, '/');
	/* dotdot: where in out a '..' may no longer back up */
	size_t start = out->len, dotdot = out->len;
	size_t i = 0;
	while (i < n) {
		if (p[i] == '/') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && p[j] != '/')
			j++;
		size_t elen = j - i;
		if (elen == 1 && p[i] == '.') {
			/* drop */
		} else if (elen == 2 && p[i] == '.' && p[i + 1] == '.') {
			if (out->len > dotdot) {
				/* back up over the last element and its separator */
				size_t k = out->len;
				while (k > dotdot && out->buf[k - 1] != '/')
					k--;
				if (k > start)
					k--;
				out->len = k;
				out->buf[k] = '\0';
			} else if (!rooted) {
				if (out->len > start)
					df_buf_addc(out, '/');
				df_buf_add(out, "..", 2);
				dotdot = out->len;
			}
		} else {
			if (out->len > start)
				df_buf_addc(out, '/');
			df_buf_add(out, p + i, elen);
		}
		i = j;
	}
	if (out->len == start && !rooted)
		df_buf_addc(out, '.');
}

void df_path_clean(df_buf *out, const char *p, size_t n)
{
	clean(out, p, n, false);
}

void df_path_clean_rel(df_buf *out, const char *p, size_t n)
{
	/* Most paths asked about are clean already: one copy then ("" adds
	 * nothing either way). */
	if (n && df_path_is_clean_rel(p, n))
		df_buf_add(out, p, n);
	else
		clean(out, p, n, true);
}

bool df_path_is_clean_rel(const char *p, size_t n)
{
	if (n == 0)
		return true;
	/* component by component, from '/' to '/' (memchr: most paths are
	 * one or two long components) */
	const char *c = p, *end = p + n;
	for (;;) {
		const char *slash = memchr(c, '/', (size_t)(end - c));
		size_t len = (size_t)((slash ? slash : end) - c);
		if (len == 0 || (c[0] == '.' && (len == 1 || (len == 2 && c[1] == '.'))))
			return false;
		if (!slash)
			return true;
		c = slash + 1;
	}
}

/* One UTF-8 character of s[0..n), n > 0; an invalid byte is U+FFFD of
 * length 1, as Go decodes it. */
static uint32_t decode_rune(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t c = s[0];
	*len = 1;
	if (c < 0x80)
		return c;
	size_t need;
	uint32_t min;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3, min = 0x10000, c &= 0x07;
	} else {
		return 0xfffd;
	}
	if (n < need + 1)
		return 0xfffd;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0xfffd;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0xfffd;
	*len = need + 1;
	return c;
}

typedef struct span {
	const char *p;
	size_t n;
} span;

/* A star prefix and the chunk up to the next unbracketed '*'. */
static void scan_chunk(span *pat, bool *star, span *chunk)
{
	*star = false;
	while (pat->n > 0 && pat->p[0] == '*') {
		pat->p++, pat->n--;
		*star = true;
	}
	bool inrange = false;
	size_t i;
	for (i = 0; i < pat->n; i++) {
		char c = pat->p[i];
		if (c == '\\') {
			if (i + 1 < pat->n)
				i++;
		} else if (c == '[') {
			inrange = true;
		} else if (c == ']') {
			inrange = false;
		} else if (c == '*' && !inrange) {
			break;
		}
	}
	chunk->p = pat->p, chunk->n = i;
	pat->p += i, pat->n -= i;
}

/* A class element: a character or an escaped one. */
static int get_esc(span *c, uint32_t *r)
{
	if (c->n == 0 || c->p[0] == '-' || c->p[0] == ']')
		return -1;
	if (c->p[0] == '\\') {
		c->p++, c->n--;
		if (c->n == 0)
			return -1;
	}
	size_t len;
	*r = decode_rune((const unsigned char *)c->p, c->n, &len);
	int rc = (*r == 0xfffd && len == 1) ? -1 : 0;
	c->p += len, c->n -= len;
	if (c->n == 0)
		rc = -1;
	return rc;
}

/* Match chunk at the start of s: 1 with *s advanced past it, 0 no match, -1
 * malformed (*bad = where). With check, the chunk is still read to the end
 * after a failure so that a malformed one is always noticed; without, the
 * chunk is known to be well formed and a failure ends the match. */
static int match_chunk(span chunk, span *sp, const char *pat0, size_t *bad, bool check)
{
	span s = *sp;
	bool failed = false;
	while (chunk.n > 0) {
		if (!failed && s.n == 0)
			failed = true;
		if (failed && !check)
			return 0;
		const char *at = chunk.p;
		switch (chunk.p[0]) {
		case '[': {
			uint32_t r = 0;
			if (!failed) {
				size_t len;
				r = decode_rune((const unsigned char *)s.p, s.n, &len);
				s.p += len, s.n -= len;
			}
			chunk.p++, chunk.n--;
			bool negated = false;
			if (chunk.n > 0 && chunk.p[0] == '^') {
				negated = true;
				chunk.p++, chunk.n--;
			}
			bool match = false;
			int nrange = 0;
			for (;;) {
				if (chunk.n > 0 && chunk.p[0] == ']' && nrange > 0) {
					chunk.p++, chunk.n--;
					break;
				}
				uint32_t lo, hi;
				if (get_esc(&chunk, &lo) < 0)
					goto bad_pattern;
				hi = lo;
				if (chunk.p[0] == '-') {
					chunk.p++, chunk.n--;
					if (get_esc(&chunk, &hi) < 0)
						goto bad_pattern;
				}
				if (lo <= r && r <= hi)
					match = true;
				nrange++;
			}
			if (match == negated)
				failed = true;
			break;
		}
		case '?':
			if (!failed) {
				if (s.p[0] == '/')
					failed = true;
				size_t len;
				decode_rune((const unsigned char *)s.p, s.n, &len);
				s.p += len, s.n -= len;
			}
			chunk.p++, chunk.n--;
			break;
		case '\\':
			chunk.p++, chunk.n--;
			if (chunk.n == 0)
				goto bad_pattern;
			/* fall through */
		default:
			if (!failed) {
				if (chunk.p[0] != s.p[0])
					failed = true;
				s.p++, s.n--;
			}
			chunk.p++, chunk.n--;
			break;
		}
		continue;
	bad_pattern:
		if (bad)
			*bad = (size_t)(at - pat0);
		return -1;
	}
	if (failed)
		return 0;
	*sp = s;
	return 1;
}

/*
 * Is pattern[0..n) well formed? 0, or -1 with *bad set. Only a class or an
 * escape can be malformed, and whether one is does not depend on the name:
 * Go reads every chunk to its end, whatever the name, and reports the first
 * error met; each chunk read against the empty name does the same.
 */
static int check_pattern(const char *pattern, size_t n, size_t *bad)
{
	if (!memchr(pattern, '[', n) && !memchr(pattern, '\\', n))
		return 0;
	span pat = { pattern, n };
	while (pat.n > 0) {
		bool star;
		span chunk, empty = { "", 0 };
		scan_chunk(&pat, &star, &chunk);
		if (match_chunk(chunk, &empty, pattern, bad, true) < 0)
			return -1;
	}
	return 0;
}

/* Does c mean more than itself in a pattern (or start a class)? */
static bool is_special(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '\\';
}

/* Go's Match of a well-formed pattern: each chunk after a star is tried at
 * every position of the name up to the next '/'. */
static bool match_valid(const char *pattern, size_t pn, const char *name, size_t n)
{
	/* The text after the pattern's last special character is literal and
	 * ends its last chunk, which must end the name: most names fail
	 * there, at their last byte, before any chunk is read. */
	for (size_t k = 1; k <= pn && !is_special(pattern[pn - k]); k++)
		if (k > n || name[n - k] != pattern[pn - k])
			return false;
	span pat = { pattern, pn };
	span nm = { name, n };
	while (pat.n > 0) {
		bool star;
		span chunk;
		scan_chunk(&pat, &star, &chunk);
		if (star && chunk.n == 0)
			return !memchr(nm.p, '/', nm.n);
		span t = nm;
		int rc = match_chunk(chunk, &t, pattern, NULL, false);
		/* the last chunk must use up the name; otherwise try the star */
		if (rc == 1 && (t.n == 0 || pat.n > 0)) {
			nm = t;
			continue;
		}
		if (!star)
			return false;
		/* A chunk that starts with a plain byte can match only where
		 * the name has that byte: the other places are passed over. */
		char first = strchr("[?\\", chunk.p[0]) ? '\0' : chunk.p[0];
		bool found = false;
		for (size_t i = 0; i < nm.n && nm.p[i] != '/'; i++) {
			if (first && (i + 1 == nm.n || nm.p[i + 1] != first))
				continue;
			t.p = nm.p + i + 1, t.n = nm.n - i - 1;
			if (match_chunk(chunk, &t, pattern, NULL, false) == 1) {
				if (pat.n == 0 && t.n > 0)
					continue;
				nm = t;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return nm.n == 0;
}

int df_glob_check(const char *pattern, size_t *bad)
{
	return check_pattern(pattern, strlen(pattern), bad);
}

int df_glob_match(const char *pattern, const char *name, size_t *bad)
{
	size_t pn = strlen(pattern);
	if (check_pattern(pattern, pn, bad) < 0)
		return -1;
	return match_valid(pattern, pn, name, strlen(name));
}

bool df_glob_matches(const char *pattern, size_t pn, const char *name, size_t n)
{
	return match_valid(pattern, pn, name, n);
}

bool df_glob_has_meta(const char *pattern)
{
	/* strpbrk: most sources have none, and it skips them fastest */
	for (const char *p = pattern; (p = strpbrk(p, "\\*?[")) != NULL; p++) {
		if (*p != '\\')
			return true;
		if (!p[1])
			break;
		p++;
	}
	return false;
}
