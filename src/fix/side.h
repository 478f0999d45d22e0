/*
 * side.h - lines a fix appends to a file beside the Dockerfile: the build
 * context's ignore file (`.dockerignore`, or the Dockerfile's own
 * `<name>.dockerignore`), which DF1004, DF1005 and DF1013 extend.
 *
 * Appending is all a fix does there: a pattern already in the file (the
 * same line once trimmed and cleaned as the ignore file reader cleans it)
 * is never added twice, a file without a final line ending gets one first,
 * and a file whose lines end in CRLF gets CRLF lines. A file that does not
 * exist is created with mode 0644.
 *
 * Several Dockerfiles of one run may share an ignore file. Their additions
 * are committed one Dockerfile at a time, in the run's order, each against
 * the file as the ones before it left it: re-read from disk when writing,
 * remembered in a df_side_files when only showing the diff. So every pattern
 * lands once and the result does not depend on -j.
 *
 * Ownership: a df_side_files owns its paths and texts; release it with
 * df_side_files_release().
 */
#ifndef DF_FIX_SIDE_H
#define DF_FIX_SIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct df_context;

/* Reset out to the path of the ignore file side fixes extend in ctx: the
 * one it reads, else a .dockerignore to create at its root. */
void df_side_path(const struct df_context *ctx, df_buf *out);

/* Does the ignore file text (len bytes) hold pattern as one of its
 * patterns? Comments and exceptions are not patterns. */
bool df_side_has_line(const char *text, size_t len, const char *pattern);

/*
 * Append to out (reset first) text (len bytes; NULL and 0 for a file that
 * does not exist yet) followed by those of lines[0..n) it does not hold,
 * each once, in order. Returns how many were added.
 */
size_t df_side_append(const char *text, size_t len, const char *const *lines, size_t n, df_buf *out);

/* The side files a run has committed to, as it left them. */
typedef struct df_side_files {
	struct side_file *items;
	size_t len, cap;
} df_side_files;

#define DF_SIDE_FILES_INIT { NULL, 0, 0 }

void df_side_files_release(df_side_files *sf);

/*
 * Commit lines[0..n) to the ignore file at path (name is how diffs and
 * messages call it): with write, re-read it, append what it lacks and
 * replace it atomically (fix/write.h), creating it when missing; without,
 * append to diff the unified diff from the file as the commits before left
 * it (from /dev/null for a file that does not exist yet), writing nothing.
 * The patterns actually added are appended to added, one per line (may be
 * NULL). Returns how many were added, or -1 with a one-line message in err
 * (the file is then as it was).
 */
long df_side_commit(df_side_files *sf, const char *path, const char *name, const char *const *lines, size_t n,
		    bool write, df_buf *diff, df_buf *added, df_buf *err);

#endif
