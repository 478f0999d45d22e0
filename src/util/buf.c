/* buf.c - growable byte buffer; see buf.h. */
#include "util/buf.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void df_buf_init(df_buf *b)
{
	b->buf = NULL;
	b->len = b->cap = 0;
}

void df_buf_release(df_buf *b)
{
	free(b->buf);
	df_buf_init(b);
}

char *df_buf_detach(df_buf *b, size_t *len)
{
	df_buf_grow(b, 0);
	char *p = b->buf;
	if (len)
		*len = b->len;
	df_buf_init(b);
	return p;
}

void df_buf_reset(df_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void df_buf_grow(df_buf *b, size_t extra)
{
	if (b->len + extra + 1 < b->len)
		df_die_oom();
	void *p = b->buf;
	df_grow(&p, &b->cap, b->len + extra + 1, 1);
	b->buf = p;
	b->buf[b->len] = '\0';
}

void df_buf_add_slow(df_buf *b, const void *data, size_t len)
{
	df_buf_grow(b, len);
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

const char df_digit_pairs[200] =
	"00010203040506070809" "10111213141516171819" "20212223242526272829" "30313233343536373839"
	"40414243444546474849" "50515253545556575859" "60616263646566676869" "70717273747576777879"
	"80818283848586878889" "90919293949596979899";

char *df_put_u_slow(char *dst, uint64_t v)
{
	/* The digits counted first, then written from the last, two at a
	 * time. */
	size_t n = 1;
	for (uint64_t t = v; t >= 10; t /= 10)
		n++;
	char *end = dst + n, *p = end;
	for (; v >= 100; v /= 100) {
		p -= 2;
		memcpy(p, df_digit_pairs + 2 * (v % 100), 2);
	}
	if (v >= 10)
		memcpy(p - 2, df_digit_pairs + 2 * v, 2);
	else
		p[-1] = (char)('0' + v);
	return end;
}

void df_buf_addu(df_buf *b, uint64_t v)
{
	df_buf_set_end(b, df_put_u(df_buf_room(b, DF_PUT_U_MAX), v));
}

void df_buf_add_uri_path(df_buf *b, const char *path, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(keep, *p)) {
			df_buf_addc(b, (char)*p);
		} else {
			df_buf_addc(b, '%');
			df_buf_addc(b, hex[*p >> 4]);
			df_buf_addc(b, hex[*p & 15]);
		}
	}
}

/* The room df_buf_vaddf() formats into first: the format's own length and
 * this much for what its conversions add. Too little costs a second
 * vsnprintf() (a rule's message runs to a hundred characters or two). */
#define ADDF_SLACK 192

void df_buf_vaddf(df_buf *b, const char *fmt, va_list ap)
{
	/* "%s" alone (df_report(..., "%s", msg)) is a copy. */
	if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) {
		va_list cp;
		va_copy(cp, ap);
		const char *str = va_arg(cp, const char *);
		va_end(cp);
		if (str) {
			df_buf_adds(b, str);
			return;
		}
	}
	/* Format into the room there is; only text that does not fit is
	 * formatted a second time, into a buffer grown to its size. */
	size_t want = strlen(fmt) + ADDF_SLACK;
	if (!b->buf || b->cap - b->len <= want)
		df_buf_grow(b, want);
	size_t room = b->cap - b->len;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(b->buf + b->len, room, fmt, cp);
	va_end(cp);
	if (n < 0)
		DF_BUG("bad format '%s'", fmt);
	if ((size_t)n >= room) {
		df_buf_grow(b, (size_t)n);
		vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void df_buf_addf(df_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

const char *df_buf_str(const df_buf *b)
{
	return b->buf ? b->buf : "";
}
