/*
 * file.h - reading whole input files (or stdin) with a size cap.
 *
 * df_read_input() refuses directories, FIFOs that never end are bounded by the
 * cap, and every failure comes back as -1 with a one-line message in err
 * (git style: "cannot read 'x': No such file or directory").
 */
#ifndef DF_UTIL_FILE_H
#define DF_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Read path ("-" for stdin) into out, at most max bytes. */
int df_read_input(const char *path, size_t max, df_buf *out, df_buf *err);

#endif
