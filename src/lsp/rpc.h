/*
 * rpc.h - JSON-RPC message framing as the Language Server Protocol does it
 * over a byte stream: a header block of "Name: value" lines, each ending in
 * "\r\n" (a bare "\n" is accepted), an empty line, then Content-Length
 * bytes of JSON.
 *
 * Input is read from a file descriptor through a buffer of its own (not
 * stdio's), which df_rpc_pending() can look into.
 *
 * Input is hostile: a header line is capped at DF_RPC_MAX_HEADER_LINE
 * bytes, a block at DF_RPC_MAX_HEADERS lines, and a body at the caller's
 * max; a body over max is read and thrown away (the stream stays in step)
 * without being held in memory. Nothing here looks inside the JSON.
 */
#ifndef DF_LSP_RPC_H
#define DF_LSP_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"

#define DF_RPC_MAX_HEADER_LINE 1024
#define DF_RPC_MAX_HEADERS 32

/* The reading end: a file descriptor and what was read ahead of it, so
 * that df_rpc_pending() can tell whether another message is waiting. */
typedef struct df_rpc_in {
	int fd;
	size_t at, len;		/* buf[at, len) is read and not yet taken */
	char buf[65536];
} df_rpc_in;

void df_rpc_in_init(df_rpc_in *in, int fd);
/* Is input waiting, read ahead or ready on the descriptor (end of input
 * counts: reading it will not block)? */
bool df_rpc_pending(df_rpc_in *in);

typedef enum df_rpc_status {
	DF_RPC_MESSAGE,		/* body holds a message */
	DF_RPC_EOF,		/* the stream ended between messages */
	DF_RPC_BAD,		/* a message that cannot be used (err says why);
				 * the next one may be read */
	DF_RPC_LOST,		/* the stream ended inside a message, or failed */
} df_rpc_status;

/* Read the next message from in into body (reset first). */
df_rpc_status df_rpc_read(df_rpc_in *in, size_t max, df_buf *body, df_buf *err);
/* Write body (len bytes) as one message and flush; -1 on a write error. */
int df_rpc_write(FILE *out, const char *body, size_t len);

#endif
