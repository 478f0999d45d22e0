/*
 * glob.c - Go's filepath.Clean and filepath.Match, byte for byte in their
 * behaviour (a pattern the builder accepts must be accepted here, and one it
 * rejects rejected), on '/'-separated paths.
 */
#include "context/glob.h"

#include <stdint.h>
#include <string.h>

void df_path_clean(df_buf *out, const char *p, size_t n)
{
	size_t base = out->len;
	bool rooted = n > 0 && p[0] == '/';
	if (rooted)
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
	if (out->len == base)
		df_buf_addc(out, '.');
	else if (out->len == start && !rooted)
		df_buf_addc(out, '.');
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
 * malformed (*bad = where). After a failure the chunk is still read to the
 * end so that a malformed one is always noticed. */
static int match_chunk(span chunk, span *sp, const char *pat0, size_t *bad)
{
	span s = *sp;
	bool failed = false;
	while (chunk.n > 0) {
		if (!failed && s.n == 0)
			failed = true;
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

int df_glob_match(const char *pattern, const char *name, size_t *bad)
{
	span pat = { pattern, strlen(pattern) };
	span nm = { name, strlen(name) };
	while (pat.n > 0) {
		bool star;
		span chunk;
		scan_chunk(&pat, &star, &chunk);
		if (star && chunk.n == 0)
			return memchr(nm.p, '/', nm.n) ? 0 : 1;
		span t = nm;
		int rc = match_chunk(chunk, &t, pattern, bad);
		/* the last chunk must use up the name; otherwise try the star */
		if (rc == 1 && (t.n == 0 || pat.n > 0)) {
			nm = t;
			continue;
		}
		if (rc < 0)
			return -1;
		if (star) {
			bool found = false;
			for (size_t i = 0; i < nm.n && nm.p[i] != '/'; i++) {
				t.p = nm.p + i + 1, t.n = nm.n - i - 1;
				rc = match_chunk(chunk, &t, pattern, bad);
				if (rc == 1) {
					if (pat.n == 0 && t.n > 0)
						continue;
					nm = t;
					found = true;
					break;
				}
				if (rc < 0)
					return -1;
			}
			if (found)
				continue;
		}
		/* no match: the rest of the pattern must still be well formed */
		while (pat.n > 0) {
			scan_chunk(&pat, &star, &chunk);
			span empty = { "", 0 };
			if (match_chunk(chunk, &empty, pattern, bad) < 0)
				return -1;
		}
		return 0;
	}
	return nm.n == 0;
}

bool df_glob_has_meta(const char *pattern)
{
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				break;
			p++;
		} else if (*p == '*' || *p == '?' || *p == '[') {
			return true;
		}
	}
	return false;
}
