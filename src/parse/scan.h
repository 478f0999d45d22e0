/*
 * scan.h - skipping runs of ordinary bytes sixteen at a step.
 *
 * Word splitting, quote handling and expansion each walk their text looking
 * for a few bytes that matter to them. df_scan_special() skips the bytes
 * that matter to none of them and stops at the first that may matter to one:
 * one of $ ' " \ ` and, with blanks, any byte <= ' ' (blanks, newlines and
 * other control bytes). A caller looks at that byte with its own table and
 * goes on past it when it means nothing there.
 *
 * Contract: every byte of s[0 .. end) is readable, and pos <= end. The
 * sixteen-byte loads never leave that range: near the end one load is taken
 * back to end - 16 and the bytes before pos are masked off, so a text of
 * fewer than sixteen bytes is scanned through a table instead.
 */
#ifndef DF_PARSE_SCAN_H
#define DF_PARSE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The stop bytes, for the byte loop (and for callers' own tests); they are
 * defined in lexer.c. */
extern const bool df_scan_stop_special[256];	/* $ ' " \ ` */
extern const bool df_scan_stop_blank[256];	/* those and every byte <= ' ' */

#ifdef __SSE2__
/* A bit for each of the sixteen bytes at p that is a stop byte. */
static inline unsigned df_scan_mask16(const char *p, bool blanks)
{
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i m = _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('$')), _mm_cmpeq_epi8(c, _mm_set1_epi8('\'')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(c, _mm_set1_epi8('"')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(c, _mm_set1_epi8('\\')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(c, _mm_set1_epi8('`')));
	if (blanks)	/* c <= ' ', unsigned: min(c, ' ') == c */
		m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(c, _mm_set1_epi8(' ')), c));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* The first byte at or after s that stop marks, which there must be (a
 * stop table that marks the NUL ends a C string). Four look-ups a step,
 * each byte read only when those before it were not stops, so nothing past
 * the stop is read: for short runs, where a sixteen-byte load would cost
 * more to set up than this to run. */
static inline __attribute__((always_inline)) const unsigned char *df_scan_to_stop(const unsigned char *s,
										  const bool stop[256])
{
	for (;; s += 4) {
		if (stop[s[0]])
			return s;
		if (stop[s[1]])
			return s + 1;
		if (stop[s[2]])
			return s + 2;
		if (stop[s[3]])
			return s + 3;
	}
}

/* Offset of the first stop byte of s[pos .. end), or end. Always inline:
 * blanks is a constant at every call, and the calls sit in loops. */
static inline __attribute__((always_inline)) size_t df_scan_special(const char *s, size_t pos, size_t end,
									bool blanks)
{
#ifdef __SSE2__
	if (end >= 16) {
		for (;;) {
			size_t q = end - pos >= 16 ? pos : end - 16;
			unsigned bits = df_scan_mask16(s + q, blanks) >> (pos - q);
			if (bits)
				return pos + (size_t)__builtin_ctz(bits);
			if (end - pos <= 16)
				return end;
			pos += 16;
		}
	}
#endif
	/* Short texts: four bytes a step through the table. */
	const bool *stop = blanks ? df_scan_stop_blank : df_scan_stop_special;
	const unsigned char *u = (const unsigned char *)s;
	while (end - pos >= 4 && !(stop[u[pos]] | stop[u[pos + 1]] | stop[u[pos + 2]] | stop[u[pos + 3]]))
		pos += 4;
	while (pos < end && !stop[u[pos]])
		pos++;
	return pos;
}

#endif
