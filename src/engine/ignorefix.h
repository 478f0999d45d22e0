/*
 * ignorefix.h - what the rules that fix by extending the build context's
 * ignore file share (DF1004, DF1005, DF1013): the pattern that names a path,
 * and whether a fix may add patterns at all.
 *
 * Patterns are added at the end of the file, where they win over every line
 * before them: so a fix never adds one that would exclude what the
 * Dockerfile names itself (the build would fail), nor one that undoes an
 * exception the user wrote for a path the fix is about.
 */
#ifndef DF_ENGINE_IGNOREFIX_H
#define DF_ENGINE_IGNOREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/rule.h"
#include "util/buf.h"

/* Append to out the pattern that names path (relative to the context root,
 * clean) and nothing else, "**" "/" before it when any_depth (the name at
 * any depth): the characters patterns give a meaning to ('*', '?', '[',
 * '\', a leading '!' or '#') escaped. False, out as it was, when no line
 * can name it (white space at either end, a control character). */
bool df_ignore_quote(const char *path, bool any_depth, df_buf *out);

/*
 * May a finding offer to add patterns[0..n) to the ignore file of the
 * file's context, to exclude paths[0..npaths) (entries of the context)? No
 * when the file has no context or the run cannot edit it (stdin); when a
 * pattern would exclude a source that a COPY or ADD of the file, or a RUN
 * bind mount, names without a wildcard (the build would fail); or when an
 * exception ('!') of the ignore file brings one of paths back (paths NULL:
 * when it has any exception).
 */
bool df_ignore_fix_ok(df_lint *lint, const char *const *patterns, size_t n, const char *const *paths,
		      size_t npaths);

#endif
