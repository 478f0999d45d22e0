/*
 * diff.h - unified diffs of a file before and after fixing (`--diff`).
 *
 * The output is what `diff -u` prints, so `patch -p1` and review tools take
 * it: "--- a/NAME" and "+++ b/NAME" headers, hunks with three lines of
 * context, "\ No newline at end of file" where a side ends without one.
 * Lines compare byte for byte (a CRLF line differs from its LF twin).
 *
 * The line diff is Myers' shortest edit script over what lies between the
 * common head and tail. Fixes change little, so that middle is small; when
 * it is not (a hostile or rewritten file), past a bound on the edit
 * distance the rest of the middle is shown as one replaced block: still a
 * correct diff, only a longer one.
 */
#ifndef DF_FIX_DIFF_H
#define DF_FIX_DIFF_H

#include <stddef.h>

#include "util/buf.h"

/* Append the diff of a (alen bytes) to b (blen bytes) to out, under the
 * names "a/" old_name and "b/" new_name (leading "/" and "./" dropped);
 * nothing when they are equal. old_name NULL: a file created, whose diff
 * is from "/dev/null" (a then empty). */
void df_diff_unified(const char *old_name, const char *a, size_t alen, const char *new_name, const char *b,
		     size_t blen, df_buf *out);

#endif
