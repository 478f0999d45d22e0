/*
 * glob.h - the two path primitives the builder's context handling rests on:
 * lexical path cleaning and single-path wildcard matching, with the exact
 * behaviour of Go's path/filepath Clean and Match on a '/' system (Docker's
 * .dockerignore and COPY/ADD sources are defined in terms of them).
 *
 * Match syntax: '*' any run of non-'/' bytes, '?' one non-'/' character,
 * '[' ['^'] { c | lo '-' hi } ']' a class (negated by '^' only; '!' is a
 * literal), '\c' the literal c. A malformed pattern ('[' without ']', an
 * empty class, a stray '-' or ']', a trailing '\') is an error even where
 * the name already failed to match, as in Go 1.16 and later.
 */
#ifndef DF_CONTEXT_GLOB_H
#define DF_CONTEXT_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Append the cleaned form of p[0..n) to out: repeated '/' collapsed, '.'
 * elements dropped, '..' removing the element before it ('..' at the root of
 * a rooted path vanishes), no trailing '/'; "" cleans to ".". */
void df_path_clean(df_buf *out, const char *p, size_t n);

/* Does name match pattern (both NUL-terminated)? 1 yes, 0 no, -1 malformed
 * pattern; then *bad (if not NULL) is the byte offset in pattern where the
 * malformed part starts. */
int df_glob_match(const char *pattern, const char *name, size_t *bad);

/* Does pattern hold an unescaped '*', '?' or '['? A source without one names
 * a path literally. */
bool df_glob_has_meta(const char *pattern);

#endif
