/*
 * write.h - replacing a file's contents safely (`dfopt --fix`).
 *
 * The new text goes to a temporary file in the same directory as the file
 * it replaces, is flushed to disk, takes the old file's permission bits (and
 * owner, where allowed), and is renamed over it; then the directory is
 * flushed. A reader sees the old file or the new one, never half of either,
 * and a failure at any point (full disk, I/O error) leaves the old file as it
 * was and removes the temporary one.
 *
 * A symlink is followed: the file it points at is replaced, and the link
 * stays a link. A file whose contents would not change is not written (its
 * mtime stays). A file with no write permission bit for anyone is refused,
 * even for root: read-only is the owner's word that it must not change.
 */
#ifndef DF_FIX_WRITE_H
#define DF_FIX_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Replace path's contents with data (len bytes). 0 when written, 1 when
 * unchanged (nothing written), -1 with a one-line message in err. */
int df_write_atomic(const char *path, const char *data, size_t len, df_buf *err);

/* Create path, which must not exist, holding data (len bytes) with the
 * permission bits mode, the same way: it appears whole or not at all, and
 * a file that appeared there meanwhile is left alone (an error). 0, or -1
 * with a one-line message in err. */
int df_write_create(const char *path, const char *data, size_t len, unsigned mode, df_buf *err);

#endif
