/* util.c - process-wide helpers; see util.h. */
#include "util/util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void df_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "dfopt: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void df_die_oom(void)
{
	fputs("dfopt: out of memory\n", stderr);
	abort();
}

void *df_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		df_die_oom();
	return p;
}

void *df_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		df_die_oom();
	return p;
}

void *df_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		df_die_oom();
	return p;
}

char *df_xstrdup(const char *s)
{
	return df_xstrndup(s, strlen(s));
}

char *df_xstrndup(const char *s, size_t n)
{
	char *p = df_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void df_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	/* Start at 64 bytes' worth, and at least 8 elements. */
	size_t n = *cap ? *cap : (size && 64 / size > 8 ? 64 / size : 8);
	while (n < need) {
		if (n > SIZE_MAX / 2)
			df_die_oom();
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		df_die_oom();
	*arr = df_xrealloc(*arr, n * size);
	*cap = n;
}

bool df_mem_contains(const char *s, size_t n, const char *lit)
{
	/* memmem() skips ahead where a compare at every offset would not
	 * (DF1013 searches up to 64 KiB of a file). */
	size_t k = strlen(lit);
	return k == 0 || (n >= k && memmem(s, n, lit, k) != NULL);
}

void df_fmt_bytes(uint64_t n, char out[32])
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(out, 32, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}
