/*
 * manifest.h - the few facts of a dependency manifest that decide whether an
 * install reads only its manifests: whether it runs the project's own
 * scripts, and whether it reaches files the manifests do not name.
 *
 * Only package.json (npm, yarn, pnpm, bun) is read today: its install
 * lifecycle scripts (`preinstall`, `install`, `postinstall`, `prepare`, which
 * run on `npm ci`/`npm install` of the project), `workspaces` (each
 * workspace's package.json is read too) and local dependencies (`file:` and
 * `link:` specs in dependencies, devDependencies, optionalDependencies:
 * they install a directory of the context). Any other manifest name reads
 * as "nothing found". The format is chosen by the file's base name.
 *
 * Reading is bounded (DF_MANIFEST_MAX bytes); a file that is not valid
 * JSON is an error, so callers can say they could not judge it.
 *
 * Ownership: a df_manifest holds only static strings and fixed buffers;
 * nothing to release.
 */
#ifndef DF_CONTEXT_MANIFEST_H
#define DF_CONTEXT_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define DF_MANIFEST_MAX (1u << 20)

typedef struct df_manifest {
	bool known;		/* the name is a format read here */
	const char *hook;	/* the first install script present (static
				 * name: "preinstall" ...), or NULL */
	bool workspaces;	/* declares workspaces */
	char local_dep[128];	/* the first local dependency ("lib" of
				 * "lib": "file:../lib"), "" when none; cut
				 * to fit */
} df_manifest;

/* Parse data[0..len) as the manifest called name (a path: only its base
 * name counts) into *m, reset first. 0, or -1 with a message in err when the
 * format is known and the data does not parse. */
int df_manifest_parse(const char *name, const char *data, size_t len, df_manifest *m, df_buf *err);

/* df_manifest_parse() of the file at path, which the caller knows to be a
 * regular file (a FIFO would block, "-" would read stdin); a file over DF_MANIFEST_MAX or
 * unreadable is -1 with a message in err. A name of no known format is not
 * read (0, m->known false). */
int df_manifest_read(const char *path, df_manifest *m, df_buf *err);

/* Does the manifest prove nothing beyond itself is needed: known, no
 * install script, no workspaces, no local dependency? */
static inline bool df_manifest_self_contained(const df_manifest *m)
{
	return m->known && !m->hook && !m->workspaces && !m->local_dep[0];
}

#endif
