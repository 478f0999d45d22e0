/*
 * copy.h - COPY and ADD as the builder performs them, and the content
 * checksum their cache keys use.
 *
 * Sources are taken from a source root: the build context (filtered by its
 * .dockerignore through context/context.h) or a stage's or image's root file
 * system (COPY --from), or are heredoc bodies. Destination rules follow the
 * Dockerfile reference: the destination is resolved against WORKDIR; it is
 * a directory when it ends in '/' (or is "."), when there are several
 * sources (then the '/' is required) or a wildcard, or when it already
 * exists as a directory in the root; a source directory's contents (not the
 * directory itself) are copied; missing parent directories are created
 * (0755, root-owned unless --chown); --chown takes user[:group] names
 * (resolved in the destination root's /etc/passwd and /etc/group; a user
 * alone brings its primary group, a numeric user alone the same number as
 * gid) or ids, --chmod an octal mode applied to every file and directory
 * copied, --parents keeps each source's path below the source root (or
 * below a "/./" in the source), --exclude drops paths matching its
 * .dockerignore-style patterns, matched against the path an entry gets
 * under the destination; ADD also unpacks a local tar archive (plain,
 * gzip, bzip2, xz; recognised by content) that a source names into the
 * destination directory, as if chrooted there: ".." names are refused,
 * absolute names and symlinks resolve inside it. Every path written in the
 * root is resolved inside it (symlinks in the root cannot lead out).
 *
 * A literal source that is missing (or excluded by .dockerignore) is an
 * error; a wildcard may match nothing, as long as the sources together
 * select something. A source that is a symlink is followed inside its
 * source root and copied under its own name; symlinks under a source
 * directory are copied as symlinks. Owners: context files land as 0:0, a
 * stage's keep theirs, --chown overrides both. Modes and mtimes are kept
 * (heredoc files: 0644, now). A destination directory that existed keeps
 * its metadata; one the copy creates for a source directory takes that
 * directory's.
 *
 * The content checksum of a source selection covers, per selected entry in
 * walk order: its path under the destination directory, type, permission
 * bits (and setuid/setgid/sticky), symlink target and the sha256 of a
 * file's bytes, plus whether the sources make the destination a
 * directory; not mtimes, not owners (context files count as uid/gid 0).
 * Two selections with the same checksum copy the same bytes to the same
 * names. A file's bytes count through their sha256, which r->hashes
 * (hashcache.h) supplies for a context file whose stat it knows, so an
 * unchanged context is keyed by stat() alone. A --from source's owners
 * are not covered: key such a step by the source stage too.
 */
#ifndef DF_BUILD_COPY_H
#define DF_BUILD_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "build/digest.h"
#include "build/hashcache.h"
#include "context/context.h"
#include "util/buf.h"

typedef struct df_copy_heredoc {
	const char *name;	/* the destination file name */
	const char *body;	/* the content, after the builder's expansion */
	size_t len;
} df_copy_heredoc;

typedef struct df_copy_req {
	bool is_add;
	const df_context *ctx;		/* sources from the build context, or NULL */
	const char *const *sources;	/* as expanded; relative to the source root */
	size_t nsources;
	const df_copy_heredoc *heredocs;	/* COPY <<EOF ... (then nsources is 0) */
	size_t nheredocs;
	const char *dest;		/* as expanded */
	const char *workdir;		/* absolute; "" = "/" */
	const char *chown;		/* NULL when not given */
	const char *chmod;		/* NULL when not given */
	bool parents;			/* --parents */
	const char *const *excludes;	/* --exclude patterns */
	size_t nexcludes;
	df_hashcache *hashes;		/* content digests of context files by stat, or NULL: read every file */
} df_copy_req;

/*
 * Perform r: read sources under src_root (the context directory, or the
 * mounted root of the --from stage), write into root (the step's merged
 * root). 0, or -1 with one line in err naming the source or destination:
 * "COPY failed: file not found in build context or excluded by
 * .dockerignore: stat SRC: file does not exist" (a stage: "COPY failed:
 * \"/SRC\": not found"), "COPY failed: no source files were specified",
 * "ADD of a URL is not supported by dfopt build yet", ...
 */
int df_copy_apply(const df_copy_req *r, const char *src_root, const char *root, df_buf *err);

/*
 * The content checksum (see above) of what r's sources select under
 * src_root (with r->ctx's ignore rules when set); heredoc bodies count by
 * name and content. 0, or -1 with a message.
 */
int df_copy_checksum(const df_copy_req *r, const char *src_root, df_digest *out, df_buf *err);

/* The paths (relative to src_root) of r's selection with their per-entry
 * digests (type, permission bits and content: what the checksum covers
 * for the entry), appended to out as "path\tdigest\n" lines in path order:
 * what --explain compares between two builds. Heredocs appear by name. */
int df_copy_manifest(const df_copy_req *r, const char *src_root, df_buf *out, df_buf *err);

#endif
