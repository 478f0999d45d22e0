/*
 * rebuild.h - what makes RUN steps re-run from one build to the next, for
 * the cache rules that say so (DF1002, DF1014): build args meant to take a
 * new value per build, whether an instruction reads a variable, and how a
 * finding lists the lines of the steps that re-run.
 *
 * Background (SEMANTICS.md, "Build cache"): a RUN's cache key holds its whole
 * environment, every ARG in scope with a value among it, used or not. So a
 * stage ARG whose value changes misses the cache at the first RUN below it,
 * and every later step of the stage misses with it.
 */
#ifndef DF_ENGINE_REBUILD_H
#define DF_ENGINE_REBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/ast.h"
#include "util/buf.h"

/* Is name (any case) one a build sets to force a rebuild: CACHEBUST,
 * CACHE_BUST, CACHEBUSTER, NOCACHE, CACHE_DATE and the like? */
bool df_arg_busts_cache(df_str name);

/* Why an ARG takes a new value per build, if it does; the first that
 * applies. */
typedef enum df_per_build {
	DF_PER_BUILD_NOT,		/* the same value every build */
	DF_PER_BUILD_CACHE_BUSTER,	/* df_arg_busts_cache() */
	DF_PER_BUILD_NO_DEFAULT,	/* the build passes it */
	DF_PER_BUILD_NAMED,		/* named for a value set per build */
} df_per_build;

/* Is the ARG kv (one name of an ARG instruction; has_default: it has a
 * value of its own or from the global ARG it declares again) meant to take
 * a new value per build: a cache buster, one with no default (the build
 * passes it), or one named for a version, commit, date or build number
 * (VERSION, GIT_SHA, VCS_REF, BUILD_DATE, BUILD_NUMBER ...: a last
 * '_'-separated word SHA, COMMIT, REVISION, REF, DATE or TIMESTAMP)? The
 * predefined platform and proxy args are not: the builder sets them, the
 * same every build on one machine. DF_PER_BUILD_NOT (0) when it is not. */
df_per_build df_arg_per_build(const df_kv *kv, bool has_default);

/* Is name one that programs read from their environment by themselves,
 * with no `$name` in the Dockerfile: a framework's environment (NODE_ENV,
 * MIX_ENV, any *_ENV), a package manager's or compiler's settings
 * (NPM_CONFIG_*, PIP_*, GOOS, CGO_ENABLED, CFLAGS ...), the locale? Every
 * RUN below such an ARG may use it. */
bool df_arg_read_by_tools(df_str name);

/* Does the shell text read the variable name: $name or ${name..., the
 * name not going on? */
bool df_text_reads_var(df_str text, df_str name);

/* Does in read the variable name: a $name of its arguments (the builder's
 * or, in a RUN, the shell's), of an exec-form RUN's argv, or in a RUN's
 * heredoc script, or a RUN's $env:name or %name% (PowerShell, cmd)? */
bool df_instr_reads_var(const df_instr *in, df_str name);

/* Append "line 5", "lines 5 and 7" or "lines 5, 7 and 9" for lines[0..n)
 * (n > 0); past five lines, the first four and "and N more". */
void df_add_lines(df_buf *b, const uint32_t *lines, size_t n);

#endif
