/* json.c - JSON text without a tree; see json.h. */
#include "util/json.h"

#include <stdbool.h>

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

static void add_u00(df_buf *out, unsigned char c)
{
	char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
	df_buf_add(out, e, sizeof(e));
}

/*
 * Whether one of the eight bytes in w may need a look: a control character,
 * '"', '\\' or a byte past ASCII. The usual word-at-a-time tests: a byte
 * below n sets its high bit in (w - n per byte) & ~w, and the first such
 * byte always does, so a word that passes holds none of them.
 */
static bool word_needs_look(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
	uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');
	uint64_t ctl = (w - ones * 0x20) & ~w;
	uint64_t is_quote = (quote - ones) & ~quote;
	uint64_t is_bslash = (bslash - ones) & ~bslash;
	return ((ctl | is_quote | is_bslash | w) & highs) != 0;
}

/* cJSON's escapes, for valid UTF-8 without NULs; false (with out as it was)
 * when s is not that. */
static bool add_plain(df_buf *out, const unsigned char *p, size_t len)
{
	size_t mark = out->len;
	size_t run = 0;		/* start of the bytes not yet copied */
	for (size_t i = 0; i < len;) {
		/* Most text needs no escape: pass it eight bytes at a time. */
		uint64_t w;
		while (i + sizeof(w) <= len && (memcpy(&w, p + i, sizeof(w)), !word_needs_look(w)))
			i += sizeof(w);
		if (i == len)
			break;
		unsigned char c = p[i];
		if (c >= 0x80) {
			size_t n = seq_len(c);
			if (c > 0xF4 || !seq_ok(p, i, len, n))
				goto fail;
			i += n;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (!c)
			goto fail;
		df_buf_add(out, p + run, i - run);
		switch (c) {
		case '"': df_buf_add(out, "\\\"", 2); break;
		case '\\': df_buf_add(out, "\\\\", 2); break;
		case '\b': df_buf_add(out, "\\b", 2); break;
		case '\f': df_buf_add(out, "\\f", 2); break;
		case '\n': df_buf_add(out, "\\n", 2); break;
		case '\r': df_buf_add(out, "\\r", 2); break;
		case '\t': df_buf_add(out, "\\t", 2); break;
		default: add_u00(out, c); break;
		}
		run = ++i;
	}
	df_buf_add(out, p + run, len - run);
	return true;
fail:
	out->len = mark;
	if (out->buf)
		out->buf[mark] = '\0';
	return false;
}

void df_json_add_str(df_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	df_buf_addc(out, '"');
	if (!add_plain(out, p, len)) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = p[i];
			if (c == '"' || c == '\\') {
				df_buf_addc(out, '\\');
				df_buf_addc(out, (char)c);
			} else if (c < 0x20) {
				add_u00(out, c);
			} else if (c < 0x80) {
				df_buf_addc(out, (char)c);
			} else if (seq_ok(p, i, len, seq_len(c))) {
				df_buf_add(out, p + i, seq_len(c));
				i += seq_len(c) - 1;
			} else {
				df_buf_add(out, "\\ufffd", 6);
			}
		}
	}
	df_buf_addc(out, '"');
}

void df_json_add_cstr(df_buf *out, const char *s)
{
	df_json_add_str(out, s, strlen(s));
}

void df_json_add_uint(df_buf *out, uint64_t v)
{
	df_buf_addu(out, v);
}
