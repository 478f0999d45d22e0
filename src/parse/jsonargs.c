/* jsonargs.c - exec-form JSON arrays; see jsonargs.h.
 *
 * A hand-written scanner rather than cJSON: cJSON cannot hold "\u0000"
 * inside a string, and the builder's rules need to tell "not JSON at all"
 * (shell form) from "JSON, but not all strings" (an error), which needs the
 * whole value validated before any element is judged. */
#include "parse/jsonargs.h"
#include "util/buf.h"
#include "util/util.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { JSON_MAX_DEPTH = 512 };

typedef struct jscan {
	const char *s;
	size_t pos, end;
} jscan;

static inline void skip_ws(jscan *j)
{
	while (j->pos < j->end) {
		char c = j->s[j->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		j->pos++;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex4(jscan *j, unsigned *out)
{
	if (j->end - j->pos < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)j->s[j->pos + i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	j->pos += 4;
	*out = v;
	return true;
}

static void put_utf8(df_buf *b, unsigned cp)
{
	char o[4];
	if (cp < 0x80) {
		o[0] = (char)cp;
		df_buf_add(b, o, 1);
	} else if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		df_buf_add(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		df_buf_add(b, o, 3);
	} else {
		o[0] = (char)(0xF0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[3] = (char)(0x80 | (cp & 0x3F));
		df_buf_add(b, o, 4);
	}
}

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/* A string literal at j->pos (on the opening quote). Decodes into out when
 * out != NULL. Returns false on invalid JSON. */
static bool scan_string(jscan *j, df_buf *out)
{
	j->pos++;
	while (j->pos < j->end) {
		unsigned char c = (unsigned char)j->s[j->pos];
		if (c == '"') {
			j->pos++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++j->pos >= j->end)
				return false;
			char e = j->s[j->pos++];
			unsigned cp;
			switch (e) {
			case '"': case '\\': case '/':
				if (out)
					df_buf_addc(out, e);
				break;
			case 'b': if (out) df_buf_addc(out, '\b'); break;
			case 'f': if (out) df_buf_addc(out, '\f'); break;
			case 'n': if (out) df_buf_addc(out, '\n'); break;
			case 'r': if (out) df_buf_addc(out, '\r'); break;
			case 't': if (out) df_buf_addc(out, '\t'); break;
			case 'u':
				if (!read_hex4(j, &cp))
					return false;
				if (cp >= 0xD800 && cp < 0xDC00) {
					/* A high surrogate pairs with a following low one. */
					size_t save = j->pos;
					unsigned lo;
					if (j->end - j->pos >= 6 && j->s[j->pos] == '\\' && j->s[j->pos + 1] == 'u') {
						j->pos += 2;
						if (read_hex4(j, &lo) && lo >= 0xDC00 && lo < 0xE000) {
							cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						} else {
							j->pos = save;
							cp = 0xFFFD;
						}
					} else {
						cp = 0xFFFD;
					}
				} else if (cp >= 0xDC00 && cp < 0xE000) {
					cp = 0xFFFD;
				}
				if (out)
					put_utf8(out, cp);
				break;
			default:
				return false;
			}
			continue;
		}
		size_t n = utf8_len((const unsigned char *)j->s + j->pos, j->end - j->pos);
		if (n == 0) {
			if (out)
				put_utf8(out, 0xFFFD);
			j->pos++;
			continue;
		}
		if (out)
			df_buf_add(out, j->s + j->pos, n);
		j->pos += n;
	}
	return false;
}

static bool scan_digits(jscan *j)
{
	size_t start = j->pos;
	while (j->pos < j->end && df_is_digit((unsigned char)j->s[j->pos]))
		j->pos++;
	return j->pos > start;
}

static bool scan_number(jscan *j)
{
	if (j->s[j->pos] == '-')
		j->pos++;
	if (j->pos >= j->end)
		return false;
	if (j->s[j->pos] == '0')
		j->pos++;
	else if (!scan_digits(j))
		return false;
	if (j->pos < j->end && j->s[j->pos] == '.') {
		j->pos++;
		if (!scan_digits(j))
			return false;
	}
	if (j->pos < j->end && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
		j->pos++;
		if (j->pos < j->end && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		if (!scan_digits(j))
			return false;
	}
	return true;
}

static bool scan_literal(jscan *j, const char *lit)
{
	size_t n = strlen(lit);
	if (j->end - j->pos < n || memcmp(j->s + j->pos, lit, n) != 0)
		return false;
	j->pos += n;
	return true;
}

static bool scan_value(jscan *j, int depth);

static bool scan_container(jscan *j, int depth, char close)
{
	if (depth > JSON_MAX_DEPTH)
		return false;
	j->pos++;
	skip_ws(j);
	if (j->pos < j->end && j->s[j->pos] == close) {
		j->pos++;
		return true;
	}
	for (;;) {
		skip_ws(j);
		if (close == '}') {
			if (j->pos >= j->end || j->s[j->pos] != '"' || !scan_string(j, NULL))
				return false;
			skip_ws(j);
			if (j->pos >= j->end || j->s[j->pos] != ':')
				return false;
			j->pos++;
		}
		if (!scan_value(j, depth + 1))
			return false;
		skip_ws(j);
		if (j->pos >= j->end)
			return false;
		if (j->s[j->pos] == ',') {
			j->pos++;
			continue;
		}
		if (j->s[j->pos] == close) {
			j->pos++;
			return true;
		}
		return false;
	}
}

static bool scan_value(jscan *j, int depth)
{
	skip_ws(j);
	if (j->pos >= j->end)
		return false;
	switch (j->s[j->pos]) {
	case '"': return scan_string(j, NULL);
	case '[': return scan_container(j, depth, ']');
	case '{': return scan_container(j, depth, '}');
	case 't': return scan_literal(j, "true");
	case 'f': return scan_literal(j, "false");
	case 'n': return scan_literal(j, "null");
	default:
		if (j->s[j->pos] == '-' || df_is_digit((unsigned char)j->s[j->pos]))
			return scan_number(j);
		return false;
	}
}

/* The bytes a plain string element holds: printable ASCII (DEL too) but
 * '"' (0x22) and '\\' (0x5C); a table for the bytes plain_run_end() tests
 * one at a time. */
#define P8(b) [b] = true, [b + 1] = true, [b + 2] = true, [b + 3] = true, \
	[b + 4] = true, [b + 5] = true, [b + 6] = true, [b + 7] = true
static const bool plain_char[256] = {
	[0x20] = true, [0x21] = true, [0x23] = true, [0x24] = true, [0x25] = true, [0x26] = true,
	[0x27] = true, P8(0x28), P8(0x30), P8(0x38), P8(0x40), P8(0x48), P8(0x50),
	[0x58] = true, [0x59] = true, [0x5A] = true, [0x5B] = true, [0x5D] = true, [0x5E] = true,
	[0x5F] = true, P8(0x60), P8(0x68), P8(0x70), P8(0x78),
};
#undef P8

/* End of the run of plain bytes at s[q..end) (every byte of s[0..end) is
 * readable). Sixteen bytes a step where SSE2 has them, as in scan.h: near
 * the end the load is taken back to end - 16 and the bytes before q are
 * shifted off. */
static size_t plain_run_end(const char *s, size_t q, size_t end)
{
#ifdef __SSE2__
	if (end >= 16) {
		for (;;) {
			size_t at = end - q >= 16 ? q : end - 16;
			__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
			/* A signed compare: the bytes from 0x80 on are below ' ' too. */
			__m128i stop = _mm_or_si128(_mm_cmplt_epi8(c, _mm_set1_epi8(' ')),
						    _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('"')),
								 _mm_cmpeq_epi8(c, _mm_set1_epi8('\\'))));
			unsigned bits = (unsigned)_mm_movemask_epi8(stop) >> (q - at);
			if (bits)
				return q + (size_t)__builtin_ctz(bits);
			if (end - q <= 16)
				return end;
			q += 16;
		}
	}
#endif
	while (q < end && plain_char[(unsigned char)s[q]])
		q++;
	return q;
}

df_json_status df_json_args(df_arena *a, const df_text *t, size_t off, size_t end,
			    df_word **out, size_t *n)
{
	jscan j = { t->str.ptr, off, end };
	*out = NULL;
	*n = 0;
	while (j.pos < j.end && df_is_space((unsigned char)j.s[j.pos]))
		j.pos++;
	if (j.pos >= j.end || j.s[j.pos] != '[')
		return DF_JSON_NOT_JSON;

	/* One pass: strings are decoded as they come, anything else is only
	 * validated; the verdict waits until the whole value is known valid. */
	j.pos++;
	size_t cap = 0, count = 0;
	df_word *words = NULL;
	bool strings_only = true, ok = true;
	df_buf val = DF_BUF_INIT;
	skip_ws(&j);
	if (j.pos < j.end && j.s[j.pos] == ']') {
		j.pos++;
	} else {
		for (;;) {
			skip_ws(&j);
			if (j.pos >= j.end) {
				ok = false;
				break;
			}
			if (j.s[j.pos] == '"') {
				size_t wstart = j.pos;
				/* Most elements are plain ASCII with no escapes: their
				 * value is the text between the quotes. */
				size_t q = plain_run_end(j.s, j.pos + 1, j.end);
				bool plain = q < j.end && j.s[q] == '"';
				if (plain) {
					j.pos = q + 1;
				} else {
					df_buf_reset(&val);
					if (!scan_string(&j, &val)) {
						ok = false;
						break;
					}
				}
				if (count == cap) {
					size_t ncap = cap ? cap * 2 : 4;
					words = df_arena_grow_uninit(a, words, count, ncap, sizeof(*words));
					cap = ncap;
				}
				df_word *w = &words[count++];
				memset(w, 0, sizeof(*w));
				w->raw.ptr = t->str.ptr + wstart;
				w->raw.len = j.pos - wstart;
				if (plain)
					w->value = (df_str){ t->str.ptr + wstart + 1, j.pos - wstart - 2 };
				else
					w->value = (df_str){ df_arena_memdup(a, df_buf_str(&val), val.len), val.len };
				w->text_off = (uint32_t)wstart;
				w->span = df_text_span(t, wstart, j.pos - wstart);
			} else {
				strings_only = false;
				if (!scan_value(&j, 1)) {
					ok = false;
					break;
				}
			}
			skip_ws(&j);
			if (j.pos < j.end && j.s[j.pos] == ',') {
				j.pos++;
				continue;
			}
			if (j.pos < j.end && j.s[j.pos] == ']') {
				j.pos++;
				break;
			}
			ok = false;
			break;
		}
	}
	if (val.buf)	/* only strings that are not plain were decoded into it */
		df_buf_release(&val);
	if (ok) {
		skip_ws(&j);
		ok = j.pos == j.end;
	}
	if (!ok)
		return DF_JSON_NOT_JSON;
	if (!strings_only)
		return DF_JSON_NOT_STRINGS;
	*out = words;
	*n = count;
	return DF_JSON_ARRAY;
}
