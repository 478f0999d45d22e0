/*
 * pos.c - UTF-16 positions over UTF-8 text; see pos.h.
 */
#include "lsp/pos.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The length of the UTF-8 character at s (n bytes available), 1 for an
 * invalid byte; *units gets its UTF-16 length. */
static size_t char_at(const unsigned char *s, size_t n, unsigned *units)
{
	*units = 1;
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	if (len <= 1)
		return 1;
	if (len > n)
		return 1;
	uint32_t cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and what lies past U+10FFFF are not
	 * characters: their bytes count one each. */
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < least[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 1;
	*units = cp >= 0x10000 ? 2 : 1;
	return len;
}

static void push(size_t **v, size_t *n, size_t *cap, size_t off)
{
	df_grow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = off;
}

void df_lsp_text_init(df_lsp_text *t, const char *text, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->text = text;
	t->len = len;
	size_t cap = 0, nl_cap = 0;
	push(&t->lines, &t->nlines, &cap, 0);
	push(&t->nl_lines, &t->nnl_lines, &nl_cap, 0);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			push(&t->lines, &t->nlines, &cap, i + 1);
			push(&t->nl_lines, &t->nnl_lines, &nl_cap, i + 1);
		} else if (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')) {
			push(&t->lines, &t->nlines, &cap, i + 1);
		}
	}
}

void df_lsp_text_release(df_lsp_text *t)
{
	free(t->lines);
	free(t->nl_lines);
	memset(t, 0, sizeof(*t));
}

/* The index of the last start <= off in v (n >= 1, v[0] == 0). */
static size_t line_index(const size_t *v, size_t n, size_t off)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Where line i's content ends: before its line break. */
static size_t line_end(const df_lsp_text *t, size_t i)
{
	size_t end = i + 1 < t->nlines ? t->lines[i + 1] : t->len;
	if (i + 1 < t->nlines) {
		if (end > t->lines[i] && t->text[end - 1] == '\n')
			end--;
		if (end > t->lines[i] && t->text[end - 1] == '\r')
			end--;
	}
	return end;
}

df_lsp_pos df_lsp_pos_of(const df_lsp_text *t, size_t off)
{
	if (off > t->len)
		off = t->len;
	size_t i = line_index(t->lines, t->nlines, off);
	const unsigned char *s = (const unsigned char *)t->text;
	uint64_t units = 0;
	for (size_t at = t->lines[i]; at < off;) {
		unsigned u;
		size_t n = char_at(s + at, t->len - at, &u);
		if (at + n > off)
			break;	/* off is inside this character */
		units += u;
		at += n;
	}
	df_lsp_pos p = { (uint32_t)i, units > UINT32_MAX ? UINT32_MAX : (uint32_t)units };
	return p;
}

size_t df_lsp_offset_of(const df_lsp_text *t, df_lsp_pos p)
{
	if (p.line >= t->nlines)
		return t->len;
	size_t at = t->lines[p.line], end = line_end(t, p.line);
	const unsigned char *s = (const unsigned char *)t->text;
	uint64_t units = 0;
	while (at < end && units < p.character) {
		unsigned u;
		size_t n = char_at(s + at, t->len - at, &u);
		if (units + u > p.character)
			break;	/* inside a surrogate pair: its character's start */
		units += u;
		at += n;
	}
	return at;
}

size_t df_lsp_offset_of_linecol(const df_lsp_text *t, uint32_t line, uint32_t col)
{
	if (line < 1)
		line = 1;
	if (line > t->nnl_lines)
		return t->len;
	size_t start = t->nl_lines[line - 1];
	size_t end = line < t->nnl_lines ? t->nl_lines[line] : t->len;
	size_t off = start + (col > 1 ? col - 1 : 0);
	return off > end ? end : off;
}

void df_lsp_add_utf8(df_buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t at = 0; at < len;) {
		unsigned units;
		size_t n = char_at(u + at, len - at, &units);
		if (n == 1 && u[at] >= 0x80)
			df_buf_add(out, "\xef\xbf\xbd", 3);
		else
			df_buf_add(out, s + at, n);
		at += n;
	}
}
