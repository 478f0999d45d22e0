/*
 * util.h - the few process-wide helpers every module uses.
 *
 * Three kinds of error are kept apart in dfopt:
 *  - findings about the user's file are diagnostics (diag.h);
 *  - environment failures (I/O, limits) are returned as -1 with a message
 *    and travel up to the CLI;
 *  - our own bugs are DF_BUG(), which aborts with file and line.
 */
#ifndef DF_UTIL_UTIL_H
#define DF_UTIL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define DF_BUG(...) df_bug(__FILE__, __LINE__, __VA_ARGS__)
#define DF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

_Noreturn void df_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void df_die_oom(void);

void *df_xmalloc(size_t n);
void *df_xcalloc(size_t count, size_t size);
void *df_xrealloc(void *p, size_t n);
char *df_xstrdup(const char *s);
char *df_xstrndup(const char *s, size_t n);
/* Grow *arr (of *cap elements of size bytes) to hold at least need elements. */
void df_grow(void **arr, size_t *cap, size_t need, size_t size);

/* ASCII-only helpers: Dockerfile keywords and names are ASCII, and the C
 * locale functions would misread bytes >= 0x80 on some platforms. */
static inline bool df_is_space(int c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n'; }
static inline bool df_is_blank(int c) { return c == ' ' || c == '\t'; }
static inline bool df_is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool df_is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool df_is_alnum(int c) { return df_is_alpha(c) || df_is_digit(c); }
static inline int df_to_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int df_to_upper(int c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

/* Case-insensitive ASCII comparison of s[0..n) with the NUL-terminated lit.
 * Inline, like df_mem_eq(): rules call both for every word against lists
 * of literals, and most calls end at the first byte. */
static inline bool df_mem_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!lit[i] || df_to_lower((unsigned char)s[i]) != df_to_lower((unsigned char)lit[i]))
			return false;
	return lit[i] == '\0';
}

/* Exact comparison of s[0..n) with the NUL-terminated lit: byte by byte,
 * stopping at the first difference, as most calls compare a word with a
 * literal it is not, and measuring lit first costs more. */
static inline bool df_mem_eq(const char *s, size_t n, const char *lit)
{
	for (size_t i = 0; i < n; i++)
		if (!lit[i] || lit[i] != s[i])
			return false;
	return !lit[n];
}

/* Does s[0..n) start with, end with, or hold anywhere the NUL-terminated
 * lit? An empty lit is in every s. The first two inline: lit is mostly a
 * literal, whose length is then known where the call is. */
static inline bool df_mem_has_prefix(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(s, lit, k) == 0;
}
static inline bool df_mem_has_suffix(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(s + n - k, lit, k) == 0;
}
bool df_mem_contains(const char *s, size_t n, const char *lit);

/* n bytes for people: "925 B", "1.2 kB", "45.6 MB" (powers of 1000). */
void df_fmt_bytes(uint64_t n, char out[32]);

#endif
