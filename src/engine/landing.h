/*
 * landing.h - where the files of a COPY or ADD land in the image, for the
 * size rules that ask whether a later RUN touches them again (DF1006:
 * chown/chmod, DF1007: rm).
 *
 * A source lands at the destination when that is a file name, or at
 * destination/basename when the destination is a directory (ends in '/', or
 * several sources). A source that is the whole context or ends in '/' is a
 * directory whose contents go into the destination: the landing is then
 * the destination as a directory, and only a recursive command on it (or
 * on a directory above it) is sure to touch the copied files. The same
 * holds for any source with a directory destination (`COPY src /app/`
 * copies the contents of a directory src into /app), so such a source has
 * both landings. ADD of a local file is left out: ADD unpacks what is an
 * archive, and the file's content decides that. ADD of a URL lands like a
 * file named after the URL's last path component; a git URL (".git" or a
 * "#ref") brings a tree and is left out too.
 *
 * Paths are absolute and normalised (df_eco_path_join()), from the arena
 * the caller passes: a zeroed df_arena is ready for use, so a rule can keep
 * one in its state and release it at the end of the file.
 */
#ifndef DF_ENGINE_LANDING_H
#define DF_ENGINE_LANDING_H

#include <stdbool.h>
#include <stddef.h>

#include "graph/graph.h"
#include "parse/ast.h"
#include "util/arena.h"

typedef struct df_landing {
	const char *path;	/* absolute, normalised */
	bool dir;		/* a directory the copied contents went into */
	bool glob;		/* its last component is a glob: a source like *.sh */
	const df_word *source;	/* the source word it comes from */
} df_landing;

/* The landings of the COPY/ADD in (a top-level instruction of g), at most
 * max, into out; returns how many. None for an ONBUILD trigger, when the
 * destination or the WORKDIR is unknown, for heredoc sources, and for
 * sources of unknown value. */
size_t df_copy_landings(df_arena *a, const df_graph *g, const df_instr *in, df_landing *out, size_t max);

/* The WORKDIR the top-level RUN in of g starts in (a copy from a), or NULL
 * when it is unknown: what relative paths of its commands resolve against,
 * until a `cd` (df_eco_cd()). */
const char *df_run_workdir(df_arena *a, const df_graph *g, const df_instr *in);

/* path (as a command gives it) resolved against cwd and normalised; NULL
 * when it is relative and cwd is NULL (unknown), or empty. */
const char *df_path_resolve(df_arena *a, const char *cwd, df_str path);

#endif
