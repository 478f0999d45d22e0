/* source.c - source bytes and line table; see source.h. */
#include "parse/source.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Grow the line table from n to ncap entries: in a when there is one (the
 * table is its newest allocation, so it grows in place), else on the heap. */
static uint32_t *grow_starts(df_arena *a, uint32_t *old, size_t n, size_t ncap)
{
	if (a)
		return df_arena_grow_uninit(a, old, n, ncap, sizeof(uint32_t));
	return df_xrealloc(old, ncap * sizeof(uint32_t));
}

/* Copy the len bytes of from into src->data (room for len + 1, the NUL
 * written here) and fill src's line table (from a, or the heap when a is
 * NULL) in the same pass: a line starts after each '\n' but a final one,
 * and the table ends with len (see source.h). */
static void copy_scan_lines(df_source *src, df_arena *a, const char *from)
{
	/* The first guess rarely needs to grow: a line per 16 bytes
	 * (Dockerfile lines are short, most under 32 bytes), and room for the
	 * lines of a whole step below. */
	size_t cap = src->len / 16 + 32, n = 0;
	uint32_t *starts = a ? df_arena_alloc_uninit(a, cap * sizeof(uint32_t)) : df_xmalloc(cap * sizeof(uint32_t));
	starts[n++] = 0;
	char *data = src->data;
	size_t len = src->len, i = 0;
#ifdef __SSE2__
	/* Every byte of every file passes here: thirty-two at a step, stored
	 * into the copy and with a mask of the newlines among them, costs less
	 * than a copy and then a memchr() call per line (most lines are
	 * short). Room for the step's every line is made once before it, and
	 * a start at len (after a final '\n') is taken back at the end:
	 * neither is asked per newline. */
	const __m128i nl = _mm_set1_epi8('\n');
	for (; len - i >= 32; i += 32) {
		__m128i lo = _mm_loadu_si128((const __m128i *)(const void *)(from + i));
		__m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(from + i + 16));
		_mm_storeu_si128((__m128i *)(void *)(data + i), lo);
		_mm_storeu_si128((__m128i *)(void *)(data + i + 16), hi);
		uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(lo, nl)) |
			     (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(hi, nl)) << 16;
		if (!m)
			continue;
		if (cap - n < 32) {
			starts = grow_starts(a, starts, n, cap * 2);
			cap *= 2;
		}
		for (; m; m &= m - 1)
			starts[n++] = (uint32_t)(i + (size_t)__builtin_ctz(m) + 1);
	}
	if (n > 1 && starts[n - 1] == len)
		n--;	/* the data ended with the step's last byte, a '\n' */
#endif
	if (len > i)
		memcpy(data + i, from + i, len - i);
	data[len] = '\0';
	const char *p = data + i, *end = data + len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL && ++p < end) {
		if (n == cap) {
			starts = grow_starts(a, starts, n, cap * 2);
			cap *= 2;
		}
		starts[n++] = (uint32_t)(p - data);
	}
	/* The sentinel: where the line after the last would start. */
	if (n == cap)
		starts = grow_starts(a, starts, n, cap + 1);
	starts[n] = (uint32_t)len;
	src->line_starts = starts;
	src->nlines = n;
}

int df_source_init(df_source *src, const char *name, const char *data, size_t len)
{
	memset(src, 0, sizeof(*src));
	if (len >= UINT32_MAX)
		return -1;
	src->name = df_xstrdup(name);
	src->data = df_xmalloc(len + 1);
	src->len = len;
	copy_scan_lines(src, NULL, data);
	return 0;
}

int df_source_init_in(df_source *src, df_arena *a, const char *name, const char *data, size_t len)
{
	memset(src, 0, sizeof(*src));
	if (len >= UINT32_MAX)
		return -1;
	src->in_arena = true;
	src->name = df_arena_memdup(a, name, strlen(name));
	src->data = df_arena_alloc_uninit(a, len + 1);
	src->len = len;
	copy_scan_lines(src, a, data);
	return 0;
}

void df_source_release(df_source *src)
{
	if (!src->in_arena) {
		free(src->name);
		free(src->data);
		free(src->line_starts);
	}
	memset(src, 0, sizeof(*src));
}

void df_source_pos(const df_source *src, size_t off, uint32_t *line, uint32_t *col)
{
	const uint32_t *ls = src->line_starts;
	size_t n = src->nlines;
	/* Find the last line start <= off, keeping ls[lo] <= off and
	 * (hi == n or ls[hi] > off). Every diagnostic asks twice: guess the
	 * line from the mean line length and take a few steps from there,
	 * which settles most files; uneven ones bisect what is left. */
	size_t lo = 0, hi = n;
	if (n > 1) {
		size_t g = (size_t)((uint64_t)off * n / (src->len + 1));
		if (g >= n)
			g = n - 1;	/* only for an off past the end */
		if (ls[g] <= off) {
			lo = g;
			for (int step = 0; step < 4 && lo + 1 < n; step++) {
				if (ls[lo + 1] > off) {
					hi = lo + 1;
					break;
				}
				lo++;
			}
		} else {
			hi = g;	/* g > 0, as ls[0] == 0 <= off */
			for (int step = 0; step < 4; step++) {
				if (ls[hi - 1] <= off) {
					lo = hi - 1;
					break;
				}
				hi--;
			}
		}
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ls[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (uint32_t)lo + 1;
	*col = (uint32_t)(off - ls[lo]) + 1;
}

size_t df_source_line_start(const df_source *src, uint32_t line)
{
	if (line == 0)
		return 0;
	if (line > src->nlines)
		return src->len;
	return src->line_starts[line - 1];
}
