/* json.c - JSON text without a tree; see json.h. */
#include "util/json.h"
#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const char hex[] = "0123456789abcdef";

/* The length of the UTF-8 sequence c starts, 0 for a byte that starts none.
 * Kept as df_dump_json_str() decides it (0xF5..0xFF count as three-byte
 * leads there): the bytes must match its output. */
static size_t seq_len(unsigned char c)
{
	return c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
}

static bool seq_ok(const unsigned char *p, size_t i, size_t len, size_t n)
{
	if (!n || i + n > len)
		return false;
	for (size_t k = 1; k < n; k++)
		if ((p[i + k] & 0xC0) != 0x80)
			return false;
	return true;
}

static char *put_u00(char *d, unsigned char c)
{
	char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
	return df_put(d, e, sizeof(e));
}

/*
 * The text is passed a block of thirty-two bytes at a time: each block is
 * copied whole, and the cursor then moves past the bytes of it that need no
 * look. A bit of block_mask() is set for a byte that may need one (a
 * control character, '"', '\\' or a byte past ASCII). Without SSE2 a bit
 * may also be set for a byte that needs none (above one that does): a set
 * bit is looked at, never trusted; an unset bit is always right.
 */
#define BLOCK 32
/* The bytes one mask of half_mask() covers: a block is two. */
#define HALF 16

#ifdef __SSE2__
static unsigned half_mask(const unsigned char *p)
{
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* One compare finds three kinds of byte: with bit 1 flipped, '"'
	 * becomes ' ', and as signed bytes those below ' ' + 1 are the
	 * control characters, '"' and (negative) the bytes past ASCII. */
	__m128i low = _mm_cmpgt_epi8(_mm_set1_epi8(' ' + 1), _mm_xor_si128(c, _mm_set1_epi8('"' ^ ' ')));
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(c, _mm_set1_epi8('\\'))));
}
#else
/*
 * The same a word at a time: a byte below n sets its high bit in
 * (w - n per byte) & ~w; the borrow may set it for some bytes above such a
 * byte too.
 */
static unsigned word_mask(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
	uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');
	uint64_t m = ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) | w;
	m &= highs;
	unsigned bits = 0;
	for (unsigned k = 0; m; k++, m >>= 8)
		bits |= (unsigned)(m & 0x80) >> 7 << k;
	return bits;
}

static unsigned half_mask(const unsigned char *p)
{
	uint64_t w[2];
	memcpy(w, p, sizeof(w));
	/* Bytes in memory order: the words read little-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w[0] = __builtin_bswap64(w[0]);
	w[1] = __builtin_bswap64(w[1]);
#endif
	return word_mask(w[0]) | word_mask(w[1]) << 8;
}
#endif

static inline unsigned block_mask(const unsigned char *p)
{
	return half_mask(p) | half_mask(p + HALF) << HALF;
}

/*
 * s[0..len) with cJSON's escapes at d, for valid UTF-8 without NULs: the
 * end of what was written, or NULL when s is not that. The blocks are
 * copied whole, so up to BLOCK bytes past that end may be written too
 * (DF_JSON_STR_MAX() counts them).
 */
static char *put_plain(char *d, const unsigned char *p, size_t len)
{
	size_t i = 0;
	for (;;) {
		uint64_t m;
		size_t left = len - i;
		if (left >= BLOCK) {
			m = block_mask(p + i);
			memcpy(d, p + i, BLOCK);
			if (!m) {
				i += BLOCK;
				d += BLOCK;
				continue;
			}
		} else if (len >= BLOCK) {
			/* The last bytes: the block that ends the text, less
			 * the bytes of it already passed. */
			df_put_short(d, p + i, left);
			m = (uint64_t)block_mask(p + len - BLOCK) >> (BLOCK - left);
			if (!m)
				return d + left;
		} else {
			/* A text shorter than a block, padded with blanks:
			 * nothing is read past its end. */
			unsigned char last[BLOCK];
			memset(last, ' ', sizeof(last));
			df_put_short((char *)last, p + i, left);
			memcpy(d, last, BLOCK);
			m = block_mask(last);
			if (!m)
				return d + left;
		}
		unsigned skip = (unsigned)__builtin_ctzll(m);
		i += skip;
		d += skip;
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			/* Copied already; flagged only by a bit the mask does
			 * not promise (see block_mask()). */
			i++;
			d++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = seq_len(c);
			if (c > 0xF4 || !seq_ok(p, i, len, n))
				return NULL;
			d = df_put(d, p + i, n);
			i += n;
			continue;
		}
		switch (c) {
		case '\0': return NULL;
		case '"': d = df_put(d, "\\\"", 2); break;
		case '\\': d = df_put(d, "\\\\", 2); break;
		case '\b': d = df_put(d, "\\b", 2); break;
		case '\f': d = df_put(d, "\\f", 2); break;
		case '\n': d = df_put(d, "\\n", 2); break;
		case '\r': d = df_put(d, "\\r", 2); break;
		case '\t': d = df_put(d, "\\t", 2); break;
		default: d = put_u00(d, c); break;
		}
		i++;
	}
}

/* What df_dump_json_str() writes for text that is not valid UTF-8 or holds
 * a NUL: every control character as \u00XX, each invalid byte as \ufffd. */
static char *put_mixed(char *d, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			*d++ = '\\';
			*d++ = (char)c;
		} else if (c < 0x20) {
			d = put_u00(d, c);
		} else if (c < 0x80) {
			*d++ = (char)c;
		} else if (seq_ok(p, i, len, seq_len(c))) {
			d = df_put(d, p + i, seq_len(c));
			i += seq_len(c) - 1;
		} else {
			d = df_put(d, "\\ufffd", 6);
		}
	}
	return d;
}

char *df_json_put_str(char *dst, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	*dst = '"';
	char *d = put_plain(dst + 1, p, len);
	if (!d)
		d = put_mixed(dst + 1, p, len);
	*d = '"';
	return d + 1;
}

void df_json_add_str(df_buf *out, const char *s, size_t len)
{
	if (len > DF_JSON_LEN_MAX)
		df_die_oom();
	df_buf_set_end(out, df_json_put_str(df_buf_room(out, DF_JSON_STR_MAX(len)), s, len));
}

void df_json_add_cstr(df_buf *out, const char *s)
{
	df_json_add_str(out, s, strlen(s));
}

void df_json_add_uint(df_buf *out, uint64_t v)
{
	df_buf_addu(out, v);
}
