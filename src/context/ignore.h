/*
 * ignore.h - .dockerignore files: which paths of a build context the builder
 * leaves out.
 *
 * The semantics are Docker's (moby/patternmatcher with its ignorefile
 * reader), including their quirks:
 *  - a line starting with '#' is a comment (only at column 1: "  #x" is the
 *    pattern "#x"); blank lines are skipped; surrounding whitespace is
 *    trimmed; a UTF-8 BOM on the first line is dropped;
 *  - '!' makes an exception (a re-inclusion); a lone '!' is an error;
 *  - a pattern is cleaned like a path ("./a//b/" is "a/b"; "/a" is "a"), so a
 *    trailing '/' is gone and "dir/" also matches a file named dir: matching
 *    never looks at the type of the path;
 *  - '*' and '?' do not match '/', '**' matches any number of directories
 *    (zero included), "[...]" classes are those of Go's regexp (so "[^a]"
 *    negates but "[!a]" means '!' or 'a'), '\' escapes the next character;
 *  - a path is excluded when the last pattern that matches it or one of its
 *    parent directories is not an exception: "a" excludes "a/b/c", and
 *    "a" then "!a/b" brings "a/b" (and what is under it) back. It is decided
 *    the way the builder decides it while walking down from the root: a
 *    pattern that matched a directory holds for what is under it, and one
 *    that was passed over for the directory (an exception while it was not
 *    excluded, an inclusion while it was) is tried on the path itself only.
 *    So "a/b" then "!a" leaves "a/b" excluded;
 *  - a pattern must be well formed for Go's filepath.Match, else the whole
 *    file is refused.
 *
 * Ownership: df_ignore_compile() hands out a matcher owned by the caller,
 * freed with df_ignore_free(). Patterns are compiled once; matching a clean
 * path against a few literal patterns does not allocate.
 * Thread-safety: a matcher is read-only once compiled, and
 * df_ignore_match() may be called from several threads at once (a build
 * context's matcher serves every lint thread); df_ignore_match_step(), for
 * the walk, uses scratch space the matcher keeps for its regular
 * expressions, so it serves one thread at a time.
 */
#ifndef DF_CONTEXT_IGNORE_H
#define DF_CONTEXT_IGNORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* A .dockerignore larger than this is refused (the builder would send it
 * with every build; nothing real comes near). */
#define DF_IGNORE_MAX_BYTES (16u << 20)
/* A longer line is refused, as the builder's line reader does. */
#define DF_IGNORE_MAX_LINE (64u << 10)

typedef struct df_ignore df_ignore;

/* Compile the .dockerignore text[0..len) (name is used in messages only).
 * 0 and *out set, or -1 with "name:line:col: message" in err and *out NULL. */
int df_ignore_compile(const char *name, const char *text, size_t len, df_ignore **out, df_buf *err);
void df_ignore_free(df_ignore *m);

/* Is path excluded? path is relative to the context root, '/'-separated and
 * clean ("a/b", never "./a" or "a/"); it is cleaned first if it is not. */
bool df_ignore_match(const df_ignore *m, const char *path);
/* The same for a path known to be clean and not empty (as an entry's path,
 * or df_path_clean_rel()'s result), n bytes long: without the look at it
 * df_ignore_match() takes first. */
bool df_ignore_match_clean(const df_ignore *m, const char *path, size_t n);

/* One step of a walk: is path excluded, given parent, the states its
 * directory left (NULL at the root)? Fills state (df_ignore_count(m)
 * entries) for path's own children. path must be clean. */
bool df_ignore_match_step(const df_ignore *m, const char *path, const bool *parent, bool *state);

/* The patterns after cleaning, in file order. */
size_t df_ignore_count(const df_ignore *m);
/* Pattern i without its '!'; *exception and *line (1-based) if not NULL. */
const char *df_ignore_pattern(const df_ignore *m, size_t i, bool *exception, uint32_t *line);

/* Could an exception re-include something under the excluded directory dir?
 * False lets a walk skip dir's contents, true means each must be looked at.
 * The answer is the builder's (BuildKit's fsutil): true when some exception
 * holds a wildcard (a trailing slash-star-star or slash-star aside), else
 * only when an exception spells out dir or a path under it. The legacy
 * builder differs: it enters dir only in the second case. */
bool df_ignore_may_reinclude(const df_ignore *m, const char *dir);

#endif
