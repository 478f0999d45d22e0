/* source.c - source bytes and line table; see source.h. */
#include "parse/source.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

int df_source_init(df_source *src, const char *name, const char *data, size_t len)
{
	memset(src, 0, sizeof(*src));
	if (len >= UINT32_MAX)
		return -1;
	src->name = df_xstrdup(name);
	src->data = df_xmalloc(len + 1);
	if (len)
		memcpy(src->data, data, len);
	src->data[len] = '\0';
	src->len = len;

	/* One pass; the first guess (a line per 32 bytes) rarely needs to grow. */
	size_t cap = len / 32 + 16, n = 0;
	uint32_t *starts = df_xmalloc(cap * sizeof(uint32_t));
	starts[n++] = 0;
	const char *p = src->data, *end = src->data + len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p < end) {
		if (n == cap) {
			cap *= 2;
			starts = df_xrealloc(starts, cap * sizeof(uint32_t));
		}
		starts[n++] = (uint32_t)(p - src->data);
	}
	src->line_starts = starts;
	src->nlines = n;
	return 0;
}

void df_source_release(df_source *src)
{
	free(src->name);
	free(src->data);
	free(src->line_starts);
	memset(src, 0, sizeof(*src));
}

void df_source_pos(const df_source *src, size_t off, uint32_t *line, uint32_t *col)
{
	size_t lo = 0, hi = src->nlines;
	/* Find the last line start <= off. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (src->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (uint32_t)lo + 1;
	*col = (uint32_t)(off - src->line_starts[lo]) + 1;
}

size_t df_source_line_start(const df_source *src, uint32_t line)
{
	if (line == 0)
		return 0;
	if (line > src->nlines)
		return src->len;
	return src->line_starts[line - 1];
}
