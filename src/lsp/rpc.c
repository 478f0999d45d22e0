/*
 * rpc.c - Content-Length framing; see rpc.h.
 */
#include "lsp/rpc.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void df_rpc_in_init(df_rpc_in *in, int fd)
{
	in->fd = fd;
	in->at = in->len = 0;
}

/* Read more into the empty buffer: false at the end of input or on an
 * error (both end the session). */
static bool refill(df_rpc_in *in)
{
	ssize_t n;
	do
		n = read(in->fd, in->buf, sizeof(in->buf));
	while (n < 0 && errno == EINTR);
	in->at = 0;
	in->len = n > 0 ? (size_t)n : 0;
	return n > 0;
}

static int next_byte(df_rpc_in *in)
{
	if (in->at == in->len && !refill(in))
		return EOF;
	return (unsigned char)in->buf[in->at++];
}

/* Take n bytes into out (NULL: throw them away); false when the input
 * ends first. */
static bool take(df_rpc_in *in, char *out, size_t n)
{
	while (n) {
		if (in->at == in->len && !refill(in))
			return false;
		size_t k = in->len - in->at < n ? in->len - in->at : n;
		if (out) {
			memcpy(out, in->buf + in->at, k);
			out += k;
		}
		in->at += k;
		n -= k;
	}
	return true;
}

bool df_rpc_pending(df_rpc_in *in)
{
	if (in->at < in->len)
		return true;
	struct pollfd p = { in->fd, POLLIN, 0 };
	return poll(&p, 1, 0) > 0;
}

/* One header line into line (without its line ending): 1, 0 at EOF
 * before any byte, -1 when it ended mid-line; *long_line is set when the
 * line was cut at the cap (the rest is skipped). */
static int read_line(df_rpc_in *in, char *line, size_t cap, bool *long_line)
{
	size_t n = 0;
	int c;
	*long_line = false;
	while ((c = next_byte(in)) != EOF && c != '\n') {
		if (n + 1 < cap)
			line[n++] = (char)c;
		else
			*long_line = true;
	}
	if (c == EOF)
		return n || *long_line ? -1 : 0;
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return 1;
}

/* The value of a Content-Length header: -1 when it is not a decimal
 * number (or past what size_t holds). */
static long long parse_length(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return -1;
	long long n = 0;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (long long)(SIZE_MAX / 16) / 10)
			return -1;
		n = n * 10 + (*v - '0');
	}
	while (*v == ' ' || *v == '\t')
		v++;
	return *v ? -1 : n;
}

df_rpc_status df_rpc_read(df_rpc_in *in, size_t max, df_buf *body, df_buf *err)
{
	df_buf_reset(body);
	char line[DF_RPC_MAX_HEADER_LINE];
	long long length = -2;	/* -2: no header; -1: a bad one */
	size_t nheaders = 0;
	bool bad_line = false;
	for (;;) {
		bool long_line;
		int r = read_line(in, line, sizeof(line), &long_line);
		if (r == 0 && nheaders == 0)
			return DF_RPC_EOF;
		if (r <= 0)
			return DF_RPC_LOST;
		if (!line[0] && !long_line) {
			if (nheaders == 0)
				continue;	/* stray blank lines between messages */
			break;
		}
		nheaders++;
		if (long_line || nheaders > DF_RPC_MAX_HEADERS) {
			bad_line = true;
			continue;
		}
		const char *colon = strchr(line, ':');
		if (colon && (size_t)(colon - line) == strlen("Content-Length") &&
		    !strncasecmp(line, "Content-Length", (size_t)(colon - line)))
			length = parse_length(colon + 1);
	}
	if (bad_line) {
		df_buf_adds(err, "header too long");
		/* Its body, if it said how long, is skipped below. */
	} else if (length == -2) {
		df_buf_adds(err, "no Content-Length header");
		return DF_RPC_BAD;
	} else if (length < 0) {
		df_buf_adds(err, "bad Content-Length header");
		return DF_RPC_BAD;
	}
	if (length < 0)
		return DF_RPC_BAD;
	size_t n = (size_t)length;
	if (bad_line || n > max) {
		if (!bad_line)
			df_buf_addf(err, "message too large (%zu bytes, the limit is %zu)", n, max);
		return take(in, NULL, n) ? DF_RPC_BAD : DF_RPC_LOST;
	}
	df_buf_grow(body, n + 1);
	if (!take(in, body->buf, n))
		return DF_RPC_LOST;
	body->len = n;
	body->buf[n] = '\0';
	return DF_RPC_MESSAGE;
}

int df_rpc_write(FILE *out, const char *body, size_t len)
{
	if (fprintf(out, "Content-Length: %zu\r\n\r\n", len) < 0 || fwrite(body, 1, len, out) != len ||
	    fflush(out) != 0)
		return -1;
	return 0;
}
