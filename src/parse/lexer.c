/* lexer.c - physical lines; see lexer.h. */
#include "parse/lexer.h"
#include "util/util.h"

#include <string.h>

void df_lexer_init(df_lexer *lx, const df_source *src)
{
	lx->src = src;
	lx->pos = 0;
	lx->line_no = 1;
	lx->bom = src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0;
}

static bool read_line(const df_lexer *lx, df_line *line)
{
	const df_source *src = lx->src;
	if (lx->pos >= src->len)
		return false;
	const char *base = src->data;
	/* The source's line table already knows where the next line starts. */
	size_t next = lx->line_no < src->nlines ? src->line_starts[lx->line_no] : src->len;
	bool nl = next > lx->pos && base[next - 1] == '\n';
	size_t newline = nl ? next - 1 : next;
	line->start = lx->pos;
	line->end = next;
	line->line_no = lx->line_no;
	line->content_start = lx->pos;
	if (lx->pos == 0 && lx->bom)
		line->content_start = 3;
	size_t ce = newline;
	/* The builder trims every trailing '\r' and '\n' of a line. */
	while (ce > line->content_start && base[ce - 1] == '\r')
		ce--;
	line->content_end = ce;
	return true;
}

bool df_lexer_next(df_lexer *lx, df_line *line)
{
	if (!read_line(lx, line))
		return false;
	lx->pos = line->end;
	lx->line_no++;
	return true;
}

bool df_lexer_peek(const df_lexer *lx, df_line *line)
{
	return read_line(lx, line);
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

size_t df_line_skip_ws(const df_source *src, const df_line *line)
{
	size_t p = line->content_start;
	while (p < line->content_end && is_ws((unsigned char)src->data[p]))
		p++;
	return p;
}

bool df_line_directive(const df_source *src, const df_line *line,
		       size_t *key, size_t *key_end, size_t *val, size_t *val_end)
{
	const char *s = src->data;
	size_t p = df_line_skip_ws(src, line), end = line->content_end;
	if (p >= end || s[p] != '#')
		return false;
	p++;
	while (p < end && is_ws((unsigned char)s[p]))
		p++;
	if (p >= end || !df_is_alpha((unsigned char)s[p]))
		return false;
	*key = p;
	while (p < end && df_is_alnum((unsigned char)s[p]))
		p++;
	*key_end = p;
	while (p < end && is_ws((unsigned char)s[p]))
		p++;
	if (p >= end || s[p] != '=')
		return false;
	p++;
	while (p < end && is_ws((unsigned char)s[p]))
		p++;
	size_t ve = end;
	while (ve > p && is_ws((unsigned char)s[ve - 1]))
		ve--;
	if (ve == p)
		return false;
	*val = p;
	*val_end = ve;
	return true;
}

bool df_line_continues(const char *s, size_t start, size_t end, char escape, size_t *cut)
{
	size_t e = end;
	while (e > start && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (e == start || s[e - 1] != escape)
		return false;
	size_t esc = e - 1;
	/* "x\\" at the end is an escaped escape char, not a continuation. */
	if (esc > start && s[esc - 1] == escape)
		return false;
	*cut = esc;
	return true;
}
