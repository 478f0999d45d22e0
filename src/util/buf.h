/*
 * buf.h - growable byte buffer (like git's strbuf), always NUL-terminated.
 *
 * Ownership: a df_buf owns its storage. df_buf_release() frees it and leaves
 * an empty buffer; df_buf_detach() hands the storage to the caller.
 * Invariant: buf[len] == '\0' whenever buf != NULL; contents may hold NULs.
 */
#ifndef DF_UTIL_BUF_H
#define DF_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct df_buf {
	char *buf;	/* NULL until the first append */
	size_t len;	/* bytes used, not counting the terminator */
	size_t cap;	/* bytes allocated */
} df_buf;

#define DF_BUF_INIT { NULL, 0, 0 }

void df_buf_init(df_buf *b);
void df_buf_release(df_buf *b);
char *df_buf_detach(df_buf *b, size_t *len);
void df_buf_reset(df_buf *b);
void df_buf_grow(df_buf *b, size_t extra);
/* The slow path of the appends below: grow, then append. */
void df_buf_add_slow(df_buf *b, const void *data, size_t len);

static inline void df_buf_add(df_buf *b, const void *data, size_t len)
{
	if (!b->buf || b->cap - b->len <= len) {
		df_buf_add_slow(b, data, len);
		return;
	}
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

static inline void df_buf_addc(df_buf *b, char c)
{
	df_buf_add(b, &c, 1);
}

/* Inline: most s are literals, whose length the compiler knows. */
static inline void df_buf_adds(df_buf *b, const char *s)
{
	df_buf_add(b, s, strlen(s));
}

/* v in decimal, without printf's cost. */
void df_buf_addu(df_buf *b, uint64_t v);
/* path as the path of a URI (RFC 3986): ASCII letters, digits and the
 * bytes of keep stay, every other byte is percent-encoded. */
void df_buf_add_uri_path(df_buf *b, const char *path, const char *keep);
void df_buf_addf(df_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void df_buf_vaddf(df_buf *b, const char *fmt, va_list ap);
/* The contents as a C string ("" for an empty buffer). */
const char *df_buf_str(const df_buf *b);

/*
 * Appending through a cursor, for writers of many small pieces (a report's
 * findings): df_buf_room() makes room for extra more bytes once and returns
 * the end of the contents, the df_put_*() write there without a check of
 * room each and return the cursor past what they wrote, and df_buf_set_end()
 * makes the cursor the end of the contents. Between the two the buffer is
 * not terminated; nothing else may touch it, and the writes must stay
 * within the room asked for.
 */
static inline char *df_buf_room(df_buf *b, size_t extra)
{
	if (!b->buf || b->cap - b->len <= extra)
		df_buf_grow(b, extra);
	return b->buf + b->len;
}

static inline void df_buf_set_end(df_buf *b, char *end)
{
	b->len = (size_t)(end - b->buf);
	*end = '\0';
}

static inline char *df_put(char *dst, const void *data, size_t len)
{
	memcpy(dst, data, len);
	return dst + len;
}

/* df_put() as a few copies, which may overlap, rather than a call when len
 * is at most 64: most pieces of a report (a code, a file name) are short,
 * and a call costs more than copying them. */
static inline char *df_put_short(char *dst, const void *data, size_t len)
{
	const char *s = data;
	if (len >= 32) {
		if (len > 64)
			return df_put(dst, data, len);
		memcpy(dst, s, 32);
		memcpy(dst + len - 32, s + len - 32, 32);
	} else if (len >= 16) {
		memcpy(dst, s, 16);
		memcpy(dst + len - 16, s + len - 16, 16);
	} else if (len >= 8) {
		memcpy(dst, s, 8);
		memcpy(dst + len - 8, s + len - 8, 8);
	} else if (len >= 4) {
		memcpy(dst, s, 4);
		memcpy(dst + len - 4, s + len - 4, 4);
	} else if (len) {
		dst[0] = s[0];
		dst[len / 2] = s[len / 2];
		dst[len - 1] = s[len - 1];
	}
	return dst + len;
}

/* The most bytes df_put_u() writes: UINT64_MAX has 20 digits. */
#define DF_PUT_U_MAX 20
/* "00" "01" ... "99": two digits at a time. */
extern const char df_digit_pairs[200];
char *df_put_u_slow(char *dst, uint64_t v);

/* v in decimal; most numbers written are lines and columns, of one or two
 * digits. */
static inline char *df_put_u(char *dst, uint64_t v)
{
	if (v < 10) {
		*dst = (char)('0' + v);
		return dst + 1;
	}
	if (v < 100) {
		memcpy(dst, df_digit_pairs + 2 * v, 2);
		return dst + 2;
	}
	return df_put_u_slow(dst, v);
}

#endif
