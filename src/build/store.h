/*
 * store.h - dfopt's content-addressed store: blobs, unpacked layers, the
 * build cache, image names and build records.
 *
 * Layout under the root ($DFOPT_STORE, else $XDG_CACHE_HOME/dfopt, else
 * ~/.cache/dfopt):
 *   blobs/sha256/<hex>     layer blobs, image configs, manifests (OCI blobs)
 *   layers/<hex>/          a layer unpacked as an overlayfs lower dir, by diffID
 *   cache/<hex>.json       a build step's cache record, by cache key
 *   images/<hex>.json      an image name (-t, import) -> its manifest digest, by sha256 of the name
 *   builds/<hex>.json      the last build record of a (Dockerfile, target), for --explain
 *   mounts/<hex>/          RUN --mount=type=cache directories, by cache id
 *   hashcache              context files' content digests by stat (build/hashcache.h)
 *   tmp/                   scratch directories of running builds
 *
 * Invariants: whatever a reader finds under blobs/, layers/, cache/, images/
 * or builds/ is complete: every write goes to tmp/ first and is renamed into
 * place (files fsynced first). Readers take no lock. Writers that must not
 * interleave (unpacking the same layer twice, prune against a build) hold
 * an flock on <root>/lock: shared by builds, exclusive by prune.
 *
 * Ownership: df_store owns its root path and lock descriptor; nothing here
 * prints.
 */
#ifndef DF_BUILD_STORE_H
#define DF_BUILD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build/digest.h"
#include "util/buf.h"

typedef struct df_store {
	char *root;		/* absolute, no trailing '/' */
	int lock_fd;		/* <root>/lock, held shared while open; -1 closed */
} df_store;

/* Open (creating the layout if missing) the store at root, or at the
 * default place when root is NULL, holding its lock shared. 0, or -1 with
 * a message in err. */
int df_store_open(df_store *s, const char *root, df_buf *err);
void df_store_close(df_store *s);

/* Paths, appended to out (which is not reset). */
void df_store_blob_path(const df_store *s, const df_digest *d, df_buf *out);
void df_store_blobs_dir(const df_store *s, df_buf *out);	/* <root>/blobs/sha256 */
bool df_store_has_blob(const df_store *s, const df_digest *d);
void df_store_hashcache_path(const df_store *s, df_buf *out);	/* <root>/hashcache */
void df_store_tmp_dir(const df_store *s, df_buf *out);		/* <root>/tmp */

/* Store bytes as a blob (configs, manifests); *out gets their digest. */
int df_store_put_blob(const df_store *s, const void *data, size_t len, df_digest *out, df_buf *err);
/* Read a blob whole into out (reset first), checking its digest. */
int df_store_read_blob(const df_store *s, const df_digest *d, df_buf *out, df_buf *err);

/*
 * A blob streamed in (a layer copied from an imported image): bytes go to a
 * file under tmp/ while they are hashed; commit fsyncs it and renames it to
 * its digest, after checking it against expect (NULL: anything). A blob
 * already stored is kept and the copy dropped. abort (also fine after a
 * failed write or commit) removes the temporary file.
 */
typedef struct df_blob_writer {
	const df_store *s;
	int fd;			/* -1 once committed or aborted */
	df_buf tmp;		/* the temporary file's path */
	df_sha256 h;
	uint64_t size;
} df_blob_writer;

int df_blob_writer_open(const df_store *s, df_blob_writer *w, df_buf *err);
int df_blob_writer_write(df_blob_writer *w, const void *data, size_t len, df_buf *err);
int df_blob_writer_commit(df_blob_writer *w, const df_digest *expect, df_digest *out, uint64_t *size,
			  df_buf *err);
void df_blob_writer_abort(df_blob_writer *w);

/* Write data as the file path atomically: a temporary file in tmpdir
 * (NULL: path's directory, which must be on the same file system), fsync,
 * rename, fsync of path's directory. Mode 0644. */
int df_store_write_atomic(const char *tmpdir, const char *path, const void *data, size_t len, df_buf *err);

/*
 * The directory holding layer diff_id unpacked (path appended to out),
 * unpacking the blob the first time (layer.h df_layer_unpack, checking the
 * diffID). Safe against concurrent builds unpacking the same layer.
 */
int df_store_layer_dir(const df_store *s, const df_digest *diff_id, const df_digest *blob, df_buf *out,
		       df_buf *err);

/* A fresh scratch directory under tmp/ (path appended to out), for the
 * caller to remove with df_store_remove_tree(). */
int df_store_mkscratch(const df_store *s, const char *what, df_buf *out, df_buf *err);
/* rm -rf that does not follow symlinks and crosses no mount point. */
int df_store_remove_tree(const char *path, df_buf *err);

/* A build step's cache record. */
typedef struct df_cache_rec {
	bool has_layer;		/* false: the step made no layer (WORKDIR that existed) */
	df_digest blob;		/* the layer blob */
	df_digest diff_id;
	uint64_t size;		/* bytes of the blob */
	double seconds;		/* how long executing the step took */
} df_cache_rec;

/* 1 and *rec when key has a record whose blob is still stored, 0 when not,
 * -1 on a malformed record (err). A hit marks the record used now (its
 * mtime), which is the age prune goes by. */
int df_store_cache_get(const df_store *s, const df_digest *key, df_cache_rec *rec, df_buf *err);
int df_store_cache_put(const df_store *s, const df_digest *key, const df_cache_rec *rec, df_buf *err);

/* Every cache record (dfopt cache ls), most recently used first; free()
 * the array. */
typedef struct df_cache_entry {
	df_digest key;
	df_cache_rec rec;
	int64_t used;		/* last put or hit, seconds since the epoch */
} df_cache_entry;
int df_store_cache_list(const df_store *s, df_cache_entry **v, size_t *n, df_buf *err);

/* Image names: "busybox" and "busybox:latest" are the same name (a name
 * without a tag or digest gets ":latest"), and so are
 * "docker.io/library/busybox" and "library/busybox" (Docker Hub's default
 * registry and namespace are dropped). */
int df_store_tag(const df_store *s, const char *name, const df_digest *manifest, df_buf *err);
/* 1 and *manifest when name is known, 0 when not, -1 on error. */
int df_store_resolve(const df_store *s, const char *name, df_digest *manifest, df_buf *err);
/* The normal form of an image name, as above, appended to out. */
void df_store_normalize_name(const char *name, df_buf *out);

/* Every image name, sorted; free the array with df_store_names_free(). */
typedef struct df_store_name {
	char *name;		/* normalised */
	df_digest manifest;
} df_store_name;
int df_store_list_names(const df_store *s, df_store_name **v, size_t *n, df_buf *err);
void df_store_names_free(df_store_name *v, size_t n);

/* Build records: a JSON text under builds/, by an id the caller makes
 * (e.g. the Dockerfile's absolute path and the target). get: 1 and the
 * text in out, 0 when none. */
int df_store_put_record(const df_store *s, const char *id, const char *json, df_buf *err);
int df_store_get_record(const df_store *s, const char *id, df_buf *out, df_buf *err);

/* A persistent directory for RUN --mount=type=cache with this id (created
 * on first use; path appended to out). */
int df_store_cache_mount_dir(const df_store *s, const char *id, df_buf *out, df_buf *err);

/* Remove what no image name and no cache record used in the last
 * keep_seconds reaches (keep_seconds < 0: every cache record goes), with
 * the scratch directories of dead builds, and the cache mount directories
 * unused for keep_seconds; holding the lock exclusively, so it fails
 * (rather than waits) while another process has the store open. *freed
 * gets the bytes of the files removed. Image names and build records stay. */
int df_store_prune(df_store *s, int64_t keep_seconds, uint64_t *freed, df_buf *err);
/* The same, also dropping the least recently used cache records until the
 * blobs that images and the remaining records reach take at most
 * keep_bytes (< 0: no limit; unpacked layers are not counted). */
int df_store_prune_bytes(df_store *s, int64_t keep_seconds, int64_t keep_bytes, uint64_t *freed, df_buf *err);

#endif
