/* lexer.c - physical lines; see lexer.h. */
#include "parse/lexer.h"
#include "parse/scan.h"
#include "util/util.h"

#include <string.h>

void df_lexer_init(df_lexer *lx, const df_source *src)
{
	lx->src = src;
	lx->pos = 0;
	lx->line_no = 1;
	lx->bom = src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0;
}

/* A table: every line's indentation goes through it. */
const bool df_line_ws[256] = {
	[' '] = true, ['\t'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true, ['\n'] = true,
};

/* scan.h's stop bytes, for its byte loop. */
const bool df_scan_stop_special[256] = {
	['$'] = true, ['\''] = true, ['"'] = true, ['\\'] = true, ['`'] = true,
};
#define CTL8(b) [b] = true, [b + 1] = true, [b + 2] = true, [b + 3] = true, \
	[b + 4] = true, [b + 5] = true, [b + 6] = true, [b + 7] = true
const bool df_scan_stop_blank[256] = {
	CTL8(0), CTL8(8), CTL8(16), CTL8(24), [' '] = true,
	['$'] = true, ['\''] = true, ['"'] = true, ['\\'] = true, ['`'] = true,
};
#undef CTL8

static bool is_ws(int c)
{
	return df_line_ws[(unsigned char)c];
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
