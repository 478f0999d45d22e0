/*
 * layer.h - layer tarballs: written from a directory tree, unpacked into one.
 *
 * Writing: the tree's entries in byte order of their names (so a directory
 * comes before what it holds), names relative to the root without "./" (a
 * directory's name ends in '/'; the root itself has no entry), restricted
 * PAX format (a pax header only where ustar cannot say it; names as raw
 * bytes, hdrcharset=BINARY), every mtime set to the given epoch and no
 * atime/ctime recorded, numeric uid/gid as on disk with empty user and group
 * names, permission bits and setuid/setgid/sticky kept, symlink targets as
 * they are, device numbers, FIFOs, hard links between files of the tree as
 * hardlink entries naming the first path, extended attributes as
 * SCHILY.xattr.* (sorted) except overlayfs' own (trusted.overlay.*,
 * user.overlay.*). Sockets are left out; a name starting with ".wh." is
 * refused (it would read as a whiteout). The gzip header has no name and no
 * time. Same tree and epoch, same bytes: the diffID (sha256 of the tar) and
 * the digest of the compressed blob are reproducible. Nothing is held in
 * memory whole: the tar is hashed and compressed as it is written.
 *
 * A tree that is an overlayfs upper directory (DF_LAYER_UPPER) holds
 * deletions as 0/0 character devices and opaque directories as
 * trusted.overlay.opaque=y: they become OCI whiteouts, empty regular files
 * (mode 0, owner 0:0) "<dir>/.wh.<name>" (sorted by that name) and
 * "<dir>/.wh..wh..opq" right after the directory entry. A file whose data
 * or directory whose content lives in a lower layer (overlayfs metacopy or
 * redirect_dir) is an error: mount the upper without them.
 *
 * Unpacking reverses that into a directory usable as an overlayfs lower
 * layer: whiteout files become 0/0 character devices and opaque markers the
 * xattr; overlayfs attributes in the tar itself are ignored, and so are
 * device nodes (never made from a layer) and sockets. A "./" entry gives
 * dest its owner, mode and mtime. Entries are refused (an error, and dest
 * is emptied again) when they would land outside the destination: absolute
 * names, "..", names under a symlink, hard links to outside paths.
 */
#ifndef DF_BUILD_LAYER_H
#define DF_BUILD_LAYER_H

#include <stdint.h>

#include "build/digest.h"
#include "util/buf.h"

#define DF_MEDIA_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define DF_MEDIA_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"

typedef enum df_layer_src {
	DF_LAYER_PLAIN,		/* a tree of files as they are */
	DF_LAYER_UPPER,		/* an overlayfs upper dir: deletions and opaque dirs */
} df_layer_src;

typedef struct df_layer {
	df_digest diff_id;	/* sha256 of the uncompressed tar */
	df_digest digest;	/* sha256 of the gzip blob as stored */
	uint64_t tar_size;	/* bytes of the tar */
	uint64_t size;		/* bytes of the blob */
	uint64_t entries;	/* tar entries written */
} df_layer;

/*
 * Write dir as a gzip-compressed layer into blobs_dir (the store's
 * blobs/sha256 directory) as blobs_dir/<hex of digest>, atomically (a
 * temporary file in blobs_dir, fsync, rename); an existing blob of the same
 * digest is kept. epoch: the time stamped on every entry (SOURCE_DATE_EPOCH
 * or 0). 0, or -1 with a message in err.
 */
int df_layer_write(const char *dir, df_layer_src kind, int64_t epoch, const char *blobs_dir, df_layer *out,
		   df_buf *err);

/*
 * Unpack the layer blob at path (gzip, zstd or plain tar, told apart by
 * content) into dest, an empty directory, as an overlayfs lower layer (see
 * above). Owners, modes, xattrs and mtimes are restored (needs root for
 * owners and trusted.* attributes; without root they are skipped).
 * *diff_id (may be NULL) gets the sha256 of the uncompressed tar, for the
 * caller to check against the image config. 0, or -1 with a message.
 */
int df_layer_unpack(const char *path, const char *dest, df_digest *diff_id, df_buf *err);

#endif
