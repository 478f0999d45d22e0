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
/* Append p[0..n) cleaned as a path under a root, without the root's '/':
 * what df_path_clean() makes of "/" p less its first byte. "/a", "./a", "a/"
 * and "../a" are "a"; the root itself is "". */
void df_path_clean_rel(df_buf *out, const char *p, size_t n);
/* Is p[0..n) its own df_path_clean_rel() ("" is)? Then it needs no copy. */
bool df_path_is_clean_rel(const char *p, size_t n);

/* Does name match pattern (both NUL-terminated)? 1 yes, 0 no, -1 malformed
 * pattern; then *bad (if not NULL) is the byte offset in pattern where the
 * malformed part starts. */
int df_glob_match(const char *pattern, const char *name, size_t *bad);

/* Is pattern well formed? 0, or -1 with *bad (if not NULL) set as
 * df_glob_match() sets it: whether a pattern is does not depend on the name. */
int df_glob_check(const char *pattern, size_t *bad);

/* Does name[0..n) (no NUL needed) match pattern[0..pn), one known to be
 * well formed (df_glob_match() did not say -1 of it)? df_glob_match()'s
 * answer without looking for errors again, nor measuring the pattern: for
 * matching one pattern against many names. */
bool df_glob_matches(const char *pattern, size_t pn, const char *name, size_t n);

/* Does pattern hold an unescaped '*', '?' or '['? A source without one names
 * a path literally. */
bool df_glob_has_meta(const char *pattern);

#endif
