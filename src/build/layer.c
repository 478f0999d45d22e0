/* layer.c - layer tarballs written from a tree and unpacked into one; see layer.h. */
#include "build/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/util.h"

/* File data is copied in pieces of this size; never a whole file. */
#define IO_CHUNK (256u << 10)
/* Linux caps a name list and a value of extended attributes at 64 KiB. */
#define XATTR_CAP 65536

#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
#define OVL_PREFIX "trusted.overlay."
#define OVL_OPAQUE "trusted.overlay.opaque"

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* overlayfs' own attributes (with the userxattr mount option they live
 * under user.overlay.): bookkeeping of one mount, never layer content. */
static bool is_overlay_xattr(const char *name)
{
	return has_prefix(name, OVL_PREFIX) || has_prefix(name, "user.overlay.");
}

static void buf_truncate(df_buf *b, size_t len)
{
	b->len = len;
	if (b->buf)
		b->buf[len] = '\0';
}

/* ---- writing ------------------------------------------------------------ */

/* Files with several links seen so far: (dev, ino) -> the name written
 * first, which later links name as their hard link target. */
typedef struct link_slot {
	dev_t dev;
	ino_t ino;
	char *name;	/* owned; NULL: a free slot */
} link_slot;

typedef struct link_map {
	link_slot *slots;
	size_t cap, n;	/* cap: a power of two, at most half full */
} link_map;

static size_t link_hash(dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino ^ ((uint64_t)dev << 32)) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h ^ (h >> 31));
}

static link_slot *link_find(link_slot *slots, size_t cap, dev_t dev, ino_t ino)
{
	for (size_t i = link_hash(dev, ino) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slots[i].name || (slots[i].dev == dev && slots[i].ino == ino))
			return &slots[i];
}

/* The name (dev, ino) was first written as; NULL after recording name as
 * that first one. */
static const char *link_seen(link_map *m, dev_t dev, ino_t ino, const char *name)
{
	if (2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		link_slot *slots = df_xcalloc(cap, sizeof *slots);
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].name)
				*link_find(slots, cap, m->slots[i].dev, m->slots[i].ino) = m->slots[i];
		free(m->slots);
		m->slots = slots;
		m->cap = cap;
	}
	link_slot *s = link_find(m->slots, m->cap, dev, ino);
	if (s->name)
		return s->name;
	s->dev = dev;
	s->ino = ino;
	s->name = df_xstrdup(name);
	m->n++;
	return NULL;
}

static void link_map_release(link_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].name);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/*
 * The tar goes through two libarchive writers: a pax writer whose output
 * callback hashes the tar (the diffID) and hands it to a raw-format writer
 * with the gzip filter, whose callback hashes the blob (the digest) and
 * writes it to the temporary file. One pass, nothing held whole.
 */
typedef struct writer {
	df_layer_src kind;
	int64_t epoch;
	struct archive *tar;
	struct archive *gz;
	struct archive_entry *entry;	/* reused for every entry */
	df_sha256 tar_hash, blob_hash;
	uint64_t tar_size, blob_size, entries;
	int fd;			/* the temporary blob */
	df_buf tmp;		/* its path */
	df_buf path;		/* the current entry on disk */
	df_buf name;		/* its name in the tar */
	link_map links;
	char *chunk;		/* IO_CHUNK bytes of file data */
	char *xnames, *xvalue;	/* XATTR_CAP bytes each */
	const char **xsorted;	/* the names in xnames, sorted */
	df_buf *err;
	bool failed;		/* err says why already */
} writer;

static int wfail(writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int wfail(writer *w, const char *fmt, ...)
{
	if (!w->failed) {
		va_list ap;
		va_start(ap, fmt);
		df_buf_vaddf(w->err, fmt, ap);
		va_end(ap);
	}
	w->failed = true;
	return -1;
}

static int wfail_errno(writer *w, const char *path)
{
	return wfail(w, "cannot read '%s': %s", path, strerror(errno));
}

static int wfail_archive(writer *w, struct archive *a)
{
	const char *why = archive_error_string(a);
	return wfail(w, "cannot write the layer entry '%s': %s", w->name.len ? w->name.buf : w->path.buf,
		     why ? why : "libarchive failed");
}

static la_ssize_t on_blob_bytes(struct archive *a, void *ud, const void *data, size_t len)
{
	writer *w = ud;
	const char *p = data;
	(void)a;
	for (size_t left = len; left;) {
		ssize_t n = write(w->fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			wfail(w, "cannot write '%s': %s", w->tmp.buf, strerror(errno));
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	df_sha256_update(&w->blob_hash, data, len);
	w->blob_size += len;
	return (la_ssize_t)len;
}

static la_ssize_t on_tar_bytes(struct archive *a, void *ud, const void *data, size_t len)
{
	writer *w = ud;
	(void)a;
	df_sha256_update(&w->tar_hash, data, len);
	w->tar_size += len;
	la_ssize_t n = archive_write_data(w->gz, data, len);
	if (n < 0 || (size_t)n != len) {
		wfail_archive(w, w->gz);
		return -1;
	}
	return (la_ssize_t)len;
}

/* Start w->entry with what every entry has: the current name, the type,
 * permission bits, numeric owners (no names) and the epoch as mtime.
 * atime and ctime stay unset, so no pax header carries them. */
static void entry_start(writer *w, mode_t type, mode_t perm, uid_t uid, gid_t gid)
{
	archive_entry_clear(w->entry);
	archive_entry_copy_pathname(w->entry, w->name.buf);
	archive_entry_set_filetype(w->entry, type);
	archive_entry_set_perm(w->entry, perm & 07777);
	archive_entry_set_uid(w->entry, uid);
	archive_entry_set_gid(w->entry, gid);
	archive_entry_set_mtime(w->entry, (time_t)w->epoch, 0);
}

static int entry_write(writer *w)
{
	if (archive_write_header(w->tar, w->entry) < ARCHIVE_WARN)
		return wfail_archive(w, w->tar);
	w->entries++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Add the current file's extended attributes to w->entry, sorted by name
 * (listxattr gives the file system's order), leaving out overlayfs' own.
 * fd >= 0 reads through it, else by path (symlinks, devices, FIFOs, which
 * are not opened). *opaque (may be NULL) gets whether the directory is an
 * opaque one of an overlayfs upper dir.
 */
static int add_xattrs(writer *w, int fd, bool *opaque)
{
	const char *path = w->path.buf;
	ssize_t n = fd >= 0 ? flistxattr(fd, w->xnames, XATTR_CAP) : llistxattr(path, w->xnames, XATTR_CAP);
	if (n < 0) {
		if (errno == ENOTSUP || errno == EOPNOTSUPP)
			return 0;
		return wfail(w, "cannot list the extended attributes of '%s': %s", path, strerror(errno));
	}
	const char **names = w->xsorted;
	size_t count = 0;
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(w->xnames + i) + 1)
		if (w->xnames[i])
			names[count++] = w->xnames + i;
	qsort(names, count, sizeof names[0], cmp_str);
	for (size_t i = 0; i < count; i++) {
		bool ovl = is_overlay_xattr(names[i]);
		if (ovl && w->kind == DF_LAYER_UPPER &&
		    (strcmp(names[i], OVL_PREFIX "redirect") == 0 || strcmp(names[i], OVL_PREFIX "metacopy") == 0))
			return wfail(w, "cannot write '%s' into a layer: %s", path,
				     "its content lives in a lower layer (overlayfs redirect_dir or metacopy is on)");
		if (ovl && !(opaque && strcmp(names[i], OVL_OPAQUE) == 0))
			continue;
		ssize_t len = fd >= 0 ? fgetxattr(fd, names[i], w->xvalue, XATTR_CAP)
				      : lgetxattr(path, names[i], w->xvalue, XATTR_CAP);
		if (len < 0 && errno == ENODATA)
			continue;	/* removed since it was listed */
		if (len < 0)
			return wfail(w, "cannot read the extended attributes of '%s': %s", path, strerror(errno));
		if (ovl)
			*opaque = len == 1 && w->xvalue[0] == 'y';
		else
			archive_entry_xattr_add_entry(w->entry, names[i], w->xvalue, (size_t)len);
	}
	return 0;
}

/* An empty regular file, mode 0, owned by 0:0: the OCI spelling of a
 * deletion or an opaque directory. */
static int write_whiteout(writer *w)
{
	entry_start(w, AE_IFREG, 0, 0, 0);
	archive_entry_set_size(w->entry, 0);
	return entry_write(w);
}

static int write_file_data(writer *w, int fd, uint64_t size)
{
	for (uint64_t left = size; left;) {
		size_t want = left < IO_CHUNK ? (size_t)left : IO_CHUNK;
		ssize_t n = read(fd, w->chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return wfail_errno(w, w->path.buf);
		if (n == 0)
			return wfail(w, "cannot read '%s': %s", w->path.buf, "the file shrank while being read");
		la_ssize_t m = archive_write_data(w->tar, w->chunk, (size_t)n);
		if (m < 0 || m != n)
			return wfail_archive(w, w->tar);
		left -= (uint64_t)n;
	}
	return 0;
}

static int write_regular(writer *w, int dfd, const char *disk)
{
	int fd = openat(dfd, disk, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return wfail_errno(w, w->path.buf);
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) < 0) {
		wfail_errno(w, w->path.buf);
	} else if (!S_ISREG(st.st_mode)) {
		wfail(w, "cannot read '%s': %s", w->path.buf, "the file changed while being read");
	} else {
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		entry_start(w, AE_IFREG, st.st_mode, st.st_uid, st.st_gid);
		archive_entry_set_size(w->entry, st.st_size);
		if (add_xattrs(w, fd, NULL) == 0 && entry_write(w) == 0)
			rc = write_file_data(w, fd, (uint64_t)st.st_size);
	}
	close(fd);
	return rc;
}

/* Anything but a directory or a whiteout: a later link to a file already
 * written becomes a hard link entry naming the first path. */
static int write_nondir(writer *w, int dfd, const char *disk, const struct stat *st)
{
	if (st->st_nlink > 1) {
		const char *first = link_seen(&w->links, st->st_dev, st->st_ino, w->name.buf);
		if (first) {
			entry_start(w, st->st_mode & S_IFMT, st->st_mode, st->st_uid, st->st_gid);
			archive_entry_copy_hardlink(w->entry, first);
			archive_entry_set_size(w->entry, 0);
			return entry_write(w);
		}
	}
	if (S_ISREG(st->st_mode))
		return write_regular(w, dfd, disk);
	entry_start(w, st->st_mode & S_IFMT, st->st_mode, st->st_uid, st->st_gid);
	if (S_ISLNK(st->st_mode)) {
		/* A symlink's target is at most st_size bytes; one byte more
		 * tells a target that grew since the stat. */
		size_t cap = (size_t)st->st_size + 2;
		char *target = df_xmalloc(cap);
		ssize_t n = readlinkat(dfd, disk, target, cap);
		if (n < 0 || (size_t)n >= cap - 1) {
			free(target);
			return n < 0 ? wfail_errno(w, w->path.buf)
				     : wfail(w, "cannot read '%s': %s", w->path.buf, "the link changed while being read");
		}
		target[n] = '\0';
		archive_entry_copy_symlink(w->entry, target);
		free(target);
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		archive_entry_set_rdev(w->entry, st->st_rdev);
	}
	if (add_xattrs(w, -1, NULL) < 0)
		return -1;
	return entry_write(w);
}

/* One name in a directory, as it sorts in the tar. */
typedef struct item {
	char *disk;		/* the name on disk */
	char *key;		/* the last part of the tar name: "name", "dir/", ".wh.name" */
	size_t klen;
	struct stat st;
	bool whiteout;		/* a 0/0 character device of an upper dir */
} item;

static int cmp_item(const void *a, const void *b)
{
	const item *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static int walk(writer *w, int dfd);

static int write_dir(writer *w, int dfd, const char *disk)
{
	int fd = openat(dfd, disk, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int rc = wfail_errno(w, w->path.buf);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	bool opaque = false;
	entry_start(w, AE_IFDIR, st.st_mode, st.st_uid, st.st_gid);
	if (add_xattrs(w, fd, w->kind == DF_LAYER_UPPER ? &opaque : NULL) < 0 || entry_write(w) < 0) {
		close(fd);
		return -1;
	}
	if (opaque) {
		size_t len = w->name.len;
		df_buf_adds(&w->name, WH_OPAQUE);
		int rc = write_whiteout(w);
		buf_truncate(&w->name, len);
		if (rc < 0) {
			close(fd);
			return -1;
		}
	}
	return walk(w, fd);
}

/* Read a directory's names (and their lstat), sorted as the tar holds
 * them: by the bytes of their tar names, a directory's with its '/'. */
static int list_dir(writer *w, DIR *d, item **out, size_t *nout)
{
	item *items = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				rc = wfail_errno(w, w->path.buf);
			break;
		}
		const char *nm = de->d_name;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		if (has_prefix(nm, WH_PREFIX)) {
			rc = wfail(w, "cannot write '%s/%s' into a layer: %s", w->path.buf,
				   nm, "names starting with '.wh.' are reserved for whiteouts");
			break;
		}
		struct stat st;
		if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = wfail(w, "cannot read '%s/%s': %s", w->path.buf, nm, strerror(errno));
			break;
		}
		if (S_ISSOCK(st.st_mode))
			continue;	/* a socket is no content */
		void *grown = items;
		df_grow(&grown, &cap, n + 1, sizeof *items);
		items = grown;
		item *it = &items[n++];
		size_t len = strlen(nm);
		it->disk = df_xstrdup(nm);
		it->st = st;
		it->whiteout = w->kind == DF_LAYER_UPPER && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
		it->key = df_xmalloc(len + sizeof WH_PREFIX);
		if (it->whiteout) {
			memcpy(it->key, WH_PREFIX, sizeof WH_PREFIX - 1);
			memcpy(it->key + sizeof WH_PREFIX - 1, nm, len + 1);
			it->klen = len + sizeof WH_PREFIX - 1;
		} else {
			memcpy(it->key, nm, len);
			it->klen = len;
			if (S_ISDIR(st.st_mode))
				it->key[it->klen++] = '/';
			it->key[it->klen] = '\0';
		}
	}
	if (n)
		qsort(items, n, sizeof *items, cmp_item);
	*out = items;
	*nout = n;
	return rc;
}

/* Write the contents of the directory open as dfd (taken over), whose
 * path is w->path and whose tar name ("" for the root, else "dir/") is
 * w->name. */
static int walk(writer *w, int dfd)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		int rc = wfail_errno(w, w->path.buf);
		close(dfd);
		return rc;
	}
	item *items;
	size_t n;
	int rc = list_dir(w, d, &items, &n);
	size_t plen = w->path.len, nlen = w->name.len;
	for (size_t i = 0; i < n && rc == 0; i++) {
		item *it = &items[i];
		df_buf_addc(&w->path, '/');
		df_buf_adds(&w->path, it->disk);
		df_buf_add(&w->name, it->key, it->klen);
		if (it->whiteout)
			rc = write_whiteout(w);
		else if (S_ISDIR(it->st.st_mode))
			rc = write_dir(w, dirfd(d), it->disk);
		else
			rc = write_nondir(w, dirfd(d), it->disk, &it->st);
		buf_truncate(&w->path, plen);
		buf_truncate(&w->name, nlen);
	}
	for (size_t i = 0; i < n; i++) {
		free(items[i].disk);
		free(items[i].key);
	}
	free(items);
	closedir(d);
	return rc;
}

/* Set up the two writers; see struct writer. */
static int open_writers(writer *w)
{
	w->gz = archive_write_new();
	w->tar = archive_write_new();
	if (!w->gz || !w->tar)
		df_die_oom();
	struct archive *gz = w->gz, *tar = w->tar;
	/* No name and no time in the gzip header, a fixed level: the same
	 * tar compresses to the same bytes (with the same zlib). Blocks
	 * only bound the callbacks' sizes; the last one is not padded. */
	if (archive_write_set_format_raw(gz) != ARCHIVE_OK || archive_write_add_filter_gzip(gz) != ARCHIVE_OK ||
	    archive_write_set_filter_option(gz, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_filter_option(gz, "gzip", "compression-level", "6") != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(gz, 65536) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(gz, 1) != ARCHIVE_OK ||
	    archive_write_open2(gz, w, NULL, on_blob_bytes, NULL, NULL) != ARCHIVE_OK)
		return wfail_archive(w, gz);
	struct archive_entry *raw = archive_entry_new();
	if (!raw)
		df_die_oom();
	archive_entry_set_pathname(raw, "layer.tar");
	archive_entry_set_filetype(raw, AE_IFREG);
	archive_entry_set_perm(raw, 0644);
	int r = archive_write_header(gz, raw);
	archive_entry_free(raw);
	if (r != ARCHIVE_OK)
		return wfail_archive(w, gz);
	/* Restricted pax: plain ustar headers unless a name, an owner or an
	 * attribute needs more; xattrs only as SCHILY.xattr.*. */
	if (archive_write_set_format_pax_restricted(tar) != ARCHIVE_OK ||
	    archive_write_set_format_option(tar, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(tar, 65536) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(tar, 1) != ARCHIVE_OK ||
	    archive_write_open2(tar, w, NULL, on_tar_bytes, NULL, NULL) != ARCHIVE_OK)
		return wfail_archive(w, tar);
	return 0;
}

/* Move the finished temporary blob to blobs_dir/<hex>, keeping a blob
 * already there (same name, same bytes), and make the rename durable. */
static int publish_blob(writer *w, const char *blobs_dir, const df_digest *digest)
{
	df_buf target = DF_BUF_INIT;
	df_buf_addf(&target, "%s/%s", blobs_dir, df_digest_hex(digest));
	int rc = 0;
	struct stat st;
	if (lstat(target.buf, &st) == 0 && S_ISREG(st.st_mode)) {
		(void)unlink(w->tmp.buf);
	} else if (rename(w->tmp.buf, target.buf) < 0) {
		rc = wfail(w, "cannot write '%s': %s", target.buf, strerror(errno));
	} else {
		int dfd = open(blobs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	df_buf_release(&target);
	return rc;
}

static int write_layer(const char *dir, df_layer_src kind, int64_t epoch, const char *blobs_dir, df_layer *out,
		       df_buf *err)
{
	if (epoch < 0) {
		df_buf_addf(err, "cannot write a layer of '%s': invalid epoch %lld", dir, (long long)epoch);
		return -1;
	}
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		df_buf_addf(err, "cannot read '%s': %s", dir, strerror(errno));
		return -1;
	}
	writer w = { .kind = kind, .epoch = epoch, .fd = -1, .err = err };
	df_buf_addf(&w.tmp, "%s/.tmp-layer-XXXXXX", blobs_dir);
	w.fd = mkostemp(w.tmp.buf, O_CLOEXEC);
	if (w.fd < 0) {
		df_buf_addf(err, "cannot create a file in '%s': %s", blobs_dir, strerror(errno));
		df_buf_release(&w.tmp);
		close(root);
		return -1;
	}
	/* Blobs are shared read-only content, whatever the umask. */
	(void)fchmod(w.fd, 0644);
	w.entry = archive_entry_new();
	if (!w.entry)
		df_die_oom();
	w.chunk = df_xmalloc(IO_CHUNK);
	w.xnames = df_xmalloc(XATTR_CAP);
	w.xvalue = df_xmalloc(XATTR_CAP);
	w.xsorted = df_xcalloc(XATTR_CAP / 2, sizeof *w.xsorted);
	df_sha256_init(&w.tar_hash);
	df_sha256_init(&w.blob_hash);
	/* Paths in messages: "dir/a", not "dir//a". */
	size_t dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	df_buf_add(&w.path, dir, dlen == 1 && dir[0] == '/' ? 0 : dlen);
	df_buf_adds(&w.name, "");

	int rc = open_writers(&w);
	if (rc == 0) {
		rc = walk(&w, root);
		root = -1;
	}
	buf_truncate(&w.name, 0);
	if (rc == 0 && archive_write_close(w.tar) != ARCHIVE_OK)
		rc = wfail_archive(&w, w.tar);
	if (rc == 0 && archive_write_close(w.gz) != ARCHIVE_OK)
		rc = wfail_archive(&w, w.gz);
	if (rc < 0) {
		/* Closed even so, into the file about to go: libarchive's
		 * gzip filter frees zlib's state only when closed. */
		(void)archive_write_close(w.tar);
		(void)archive_write_close(w.gz);
	}
	archive_write_free(w.tar);
	archive_write_free(w.gz);
	if (rc == 0 && fsync(w.fd) < 0)
		rc = wfail(&w, "cannot write '%s': %s", w.tmp.buf, strerror(errno));
	if (close(w.fd) < 0 && rc == 0)
		rc = wfail(&w, "cannot write '%s': %s", w.tmp.buf, strerror(errno));
	if (root >= 0)
		close(root);

	df_layer l = { .tar_size = w.tar_size, .size = w.blob_size, .entries = w.entries };
	df_sha256_final(&w.tar_hash, &l.diff_id);
	df_sha256_final(&w.blob_hash, &l.digest);
	if (rc == 0)
		rc = publish_blob(&w, blobs_dir, &l.digest);
	if (rc == 0)
		*out = l;
	else
		(void)unlink(w.tmp.buf);

	archive_entry_free(w.entry);
	link_map_release(&w.links);
	free(w.chunk);
	free(w.xnames);
	free(w.xvalue);
	free(w.xsorted);
	df_buf_release(&w.tmp);
	df_buf_release(&w.path);
	df_buf_release(&w.name);
	return rc;
}

int df_layer_write(const char *dir, df_layer_src kind, int64_t epoch, const char *blobs_dir, df_layer *out,
		   df_buf *err)
{
	/* libarchive turns names into pax's UTF-8 by the thread's locale:
	 * in the C locale, whatever the process set, so that the bytes do
	 * not depend on the environment (a non-ASCII name is then written
	 * as raw bytes with hdrcharset=BINARY). */
	locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
	int rc = write_layer(dir, kind, epoch, blobs_dir, out, err);
	if (c_locale) {
		uselocale(old);
		freelocale(c_locale);
	}
	return rc;
}

/* ---- unpacking ---------------------------------------------------------- */

/* A directory's mode and mtime, set once everything inside it exists. */
typedef struct dir_meta {
	char *rel;		/* owned; "" for the root */
	mode_t perm;
	struct timespec mtime;
} dir_meta;

/*
 * Two libarchive readers: a raw-format one that undoes the compression,
 * and a tar reader fed by on_tar_read(), which hashes what it passes on
 * (the diffID is of the uncompressed stream, whatever the blob's).
 */
typedef struct unpacker {
	const char *path;	/* the blob */
	const char *dest;
	int root;		/* dest, open */
	struct archive *raw, *tar;
	df_sha256 hash;
	bool raw_eof;
	bool privileged;	/* root: owners and every xattr must stick */
	df_buf rel;		/* the entry's cleaned name */
	df_buf link;		/* a hard link's cleaned target */
	df_buf full;		/* dest/rel, for the calls that take a path */
	const char *name;	/* the entry's name as in the tar */
	dir_meta *dirs;
	size_t ndirs, capdirs;
	char *parent_rel;	/* the parent last opened (owned), or NULL */
	int parent_fd;
	df_buf *err;
	bool failed;		/* err says why already */
} unpacker;

static int ufail(unpacker *u, const char *why)
{
	if (!u->failed && u->name)
		df_buf_addf(u->err, "cannot unpack '%s' from '%s': %s", u->name, u->path, why);
	else if (!u->failed)
		df_buf_addf(u->err, "cannot read layer '%s': %s", u->path, why);
	u->failed = true;
	return -1;
}

static int ufail_errno(unpacker *u, const char *what)
{
	if (!u->failed)
		df_buf_addf(u->err, "cannot unpack '%s' from '%s': %s: %s", u->name ? u->name : "", u->path, what,
			    strerror(errno));
	u->failed = true;
	return -1;
}

static int ufail_archive(unpacker *u, struct archive *a)
{
	const char *why = archive_error_string(a);
	if (!u->failed)
		df_buf_addf(u->err, "cannot read layer '%s': %s", u->path, why ? why : "libarchive failed");
	u->failed = true;
	return -1;
}

static la_ssize_t on_tar_read(struct archive *a, void *ud, const void **data)
{
	unpacker *u = ud;
	(void)a;
	while (!u->raw_eof) {
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(u->raw, data, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			ufail_archive(u, u->raw);
			return -1;
		}
		if (len) {
			df_sha256_update(&u->hash, *data, len);
			return (la_ssize_t)len;
		}
	}
	u->raw_eof = true;
	return 0;
}

/* Clean a name from the tar into out: no "./", no empty or "." parts.
 * -1 with *why for names that would land outside the root. */
static int clean_name(const char *name, df_buf *out, const char **why)
{
	df_buf_reset(out);
	if (name[0] == '/') {
		*why = "an absolute name";
		return -1;
	}
	for (const char *p = name; *p;) {
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			*why = "a '..' in the name";
			return -1;
		}
		if (n && !(n == 1 && s[0] == '.')) {
			if (out->len)
				df_buf_addc(out, '/');
			df_buf_add(out, s, n);
		}
		while (*p == '/')
			p++;
	}
	if (!out->buf)
		df_buf_adds(out, "");
	return 0;
}

/*
 * Open the directory holding rel (relative to the root) without following
 * any symlink; *base gets rel's last part. create: make missing parents
 * (0755); else a missing one is an error. The fd is the caller's unless it
 * is u->root.
 */
static int walk_parent(unpacker *u, const char *rel, bool create, const char **base)
{
	const char *slash = strrchr(rel, '/');
	*base = slash ? slash + 1 : rel;
	int fd = u->root;
	for (const char *p = rel; slash && p < slash;) {
		const char *e = strchr(p, '/');
		char *part = df_xstrndup(p, (size_t)(e - p));
		int nfd = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, part, 0755) == 0 || errno == EEXIST)
				nfd = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd >= 0)
				(void)fchmod(nfd, 0755);
		}
		int saved = errno;
		struct stat st;
		bool is_link = nfd < 0 && fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
		free(part);
		if (fd != u->root)
			close(fd);
		if (nfd < 0) {
			if (is_link)
				return ufail(u, "the name is under a symlink");
			errno = saved;
			return ufail_errno(u, "cannot open a parent directory");
		}
		fd = nfd;
		p = e + 1;
	}
	return fd;
}

static void forget_parent(unpacker *u)
{
	if (u->parent_rel) {
		close(u->parent_fd);
		free(u->parent_rel);
		u->parent_rel = NULL;
	}
}

/* walk_parent() for the entry's own name, keeping the last parent open:
 * the entries of a tar come directory by directory. The fd stays
 * u's. */
static int open_parent(unpacker *u, const char **base)
{
	const char *rel = u->rel.buf;
	const char *slash = strrchr(rel, '/');
	size_t dlen = slash ? (size_t)(slash - rel) : 0;
	if (!slash) {
		*base = rel;
		return u->root;
	}
	if (u->parent_rel && strlen(u->parent_rel) == dlen && memcmp(u->parent_rel, rel, dlen) == 0) {
		*base = slash + 1;
		return u->parent_fd;
	}
	forget_parent(u);
	int fd = walk_parent(u, rel, true, base);
	if (fd < 0 || fd == u->root)
		return fd;
	u->parent_rel = df_xstrndup(rel, dlen);
	u->parent_fd = fd;
	return fd;
}

/* Make room for the entry base in pfd: an existing directory stays when
 * the entry is a directory too (1); anything else there is removed (0). */
static int make_room(unpacker *u, int pfd, const char *base, bool dir)
{
	struct stat st;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ufail_errno(u, "cannot inspect the destination");
	if (S_ISDIR(st.st_mode)) {
		if (dir)
			return 1;
		if (unlinkat(pfd, base, AT_REMOVEDIR) < 0)
			return ufail_errno(u, "cannot replace a directory");
		return 0;
	}
	if (unlinkat(pfd, base, 0) < 0)
		return ufail_errno(u, "cannot replace the existing file");
	return 0;
}

/* Owners (numeric, as in the tar), then permission bits (chown drops
 * setuid), then xattrs (chown drops security.capability), then times.
 * fd >= 0: through it; else by name (symlinks, FIFOs). perm: false for
 * symlinks, which have none, and directories, done at the end. */
static int set_meta(unpacker *u, struct archive_entry *e, int fd, int pfd, const char *base, bool perm)
{
	uid_t uid = (uid_t)archive_entry_uid(e);
	gid_t gid = (gid_t)archive_entry_gid(e);
	int r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0 && !(errno == EPERM && !u->privileged))
		return ufail_errno(u, "cannot set the owner");
	if (perm) {
		mode_t m = archive_entry_perm(e) & 07777;
		r = fd >= 0 ? fchmod(fd, m) : fchmodat(pfd, base, m, 0);
		if (r < 0)
			return ufail_errno(u, "cannot set the mode");
	}
	bool by_fd = fd >= 0;
	int n = archive_entry_xattr_reset(e);
	while (n-- > 0) {
		const char *k;
		const void *v;
		size_t len;
		archive_entry_xattr_next(e, &k, &v, &len);
		/* A layer must not forge overlayfs' bookkeeping (opaque
		 * markers, redirects): only whiteout entries make those. */
		if (!k || is_overlay_xattr(k))
			continue;
		r = by_fd ? fsetxattr(fd, k, v, len, 0) : lsetxattr(u->full.buf, k, v, len, 0);
		if (r < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
			continue;	/* the file system has no such attributes */
		if (r < 0 && errno == EPERM && (!u->privileged || !by_fd))
			continue;	/* user.* on a symlink, trusted.* unprivileged */
		if (r < 0)
			return ufail_errno(u, "cannot set an extended attribute");
	}
	if (archive_entry_filetype(e) == AE_IFDIR)
		return 0;
	struct timespec ts[2];
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	ts[0] = ts[1];
	r = fd >= 0 ? futimens(fd, ts) : utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return ufail_errno(u, "cannot set the times");
	return 0;
}

static void remember_dir(unpacker *u, struct archive_entry *e, const char *rel)
{
	void *grown = u->dirs;
	df_grow(&grown, &u->capdirs, u->ndirs + 1, sizeof *u->dirs);
	u->dirs = grown;
	dir_meta *d = &u->dirs[u->ndirs++];
	d->rel = df_xstrdup(rel);
	d->perm = archive_entry_perm(e) & 07777;
	d->mtime.tv_sec = archive_entry_mtime(e);
	d->mtime.tv_nsec = archive_entry_mtime_nsec(e);
}

static int write_all_at(int fd, const char *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int unpack_regular(unpacker *u, struct archive_entry *e, int pfd, const char *base)
{
	int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ufail_errno(u, "cannot create the file");
	int rc = 0;
	for (;;) {
		const void *data;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(u->tar, &data, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = ufail_archive(u, u->tar);
			break;
		}
		if (write_all_at(fd, data, len, (off_t)off) < 0) {
			rc = ufail_errno(u, "cannot write the file");
			break;
		}
	}
	/* Sparse entries may end in a hole. */
	if (rc == 0 && archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
		rc = ufail_errno(u, "cannot write the file");
	if (rc == 0)
		rc = set_meta(u, e, fd, pfd, base, true);
	close(fd);
	return rc;
}

static int unpack_hardlink(unpacker *u, const char *target, int pfd, const char *base)
{
	const char *why = "the root";
	if (clean_name(target, &u->link, &why) < 0 || !u->link.len) {
		df_buf msg = DF_BUF_INIT;
		df_buf_addf(&msg, "a hard link to '%s' (%s)", target, why);
		int rc = ufail(u, msg.buf);
		df_buf_release(&msg);
		return rc;
	}
	const char *tbase;
	int tfd = walk_parent(u, u->link.buf, false, &tbase);
	if (tfd < 0)
		return -1;
	int rc = make_room(u, pfd, base, false);
	if (rc >= 0 && linkat(tfd, tbase, pfd, base, 0) < 0)
		rc = ufail_errno(u, "cannot make the hard link");
	if (tfd != u->root)
		close(tfd);
	return rc < 0 ? -1 : 0;
}

/* ".wh..wh..opq" marks its directory opaque; ".wh.<name>" deletes name
 * from the layers below; other ".wh..wh." names are another driver's
 * bookkeeping (aufs) and skipped. */
static int unpack_whiteout(unpacker *u, int pfd, const char *base)
{
	if (strcmp(base, WH_OPAQUE) == 0) {
		if (fsetxattr(pfd, OVL_OPAQUE, "y", 1, 0) < 0)
			return ufail_errno(u, "cannot mark the directory opaque");
		return 0;
	}
	if (has_prefix(base, WH_META))
		return 0;
	const char *victim = base + sizeof WH_PREFIX - 1;
	if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
		return ufail(u, "an invalid whiteout");
	/* A name this layer also holds stays: a whiteout only hides what
	 * lies below. */
	if (mknodat(pfd, victim, S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST)
		return ufail_errno(u, "cannot make the whiteout");
	return 0;
}

static int unpack_entry(unpacker *u, struct archive_entry *e)
{
	const char *why;
	u->name = archive_entry_pathname(e);
	if (!u->name)
		return ufail(u, "an entry without a name");
	if (clean_name(u->name, &u->rel, &why) < 0)
		return ufail(u, why);
	const char *hardlink = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	if (!u->rel.len) {
		/* "./": the root itself, whose owner, mode and times the
		 * lower layer's root takes. */
		if (hardlink || type != AE_IFDIR)
			return ufail(u, "the root is not a directory");
		if (set_meta(u, e, u->root, -1, NULL, false) < 0)
			return -1;
		remember_dir(u, e, "");
		return 0;
	}
	/* The entry may replace the directory kept open or one above it. */
	if (u->parent_rel) {
		size_t n = u->rel.len;
		if (strncmp(u->parent_rel, u->rel.buf, n) == 0 && (u->parent_rel[n] == '\0' || u->parent_rel[n] == '/'))
			forget_parent(u);
	}
	const char *base;
	int pfd = open_parent(u, &base);
	if (pfd < 0)
		return -1;
	df_buf_reset(&u->full);
	df_buf_addf(&u->full, "%s/%s", u->dest, u->rel.buf);
	if (has_prefix(base, WH_PREFIX))
		return unpack_whiteout(u, pfd, base);
	if (hardlink)
		return unpack_hardlink(u, hardlink, pfd, base);
	int r;
	switch (type) {
	case AE_IFREG:
		if (make_room(u, pfd, base, false) < 0)
			return -1;
		return unpack_regular(u, e, pfd, base);
	case AE_IFDIR: {
		r = make_room(u, pfd, base, true);
		if (r < 0)
			return -1;
		if (r == 0 && mkdirat(pfd, base, 0700) < 0)
			return ufail_errno(u, "cannot make the directory");
		int fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return ufail_errno(u, "cannot open the directory");
		r = set_meta(u, e, fd, pfd, base, false);
		close(fd);
		if (r < 0)
			return -1;
		remember_dir(u, e, u->rel.buf);
		return 0;
	}
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (!target)
			return ufail(u, "a symlink without a target");
		if (make_room(u, pfd, base, false) < 0)
			return -1;
		if (symlinkat(target, pfd, base) < 0)
			return ufail_errno(u, "cannot make the symlink");
		return set_meta(u, e, -1, pfd, base, false);
	}
	case AE_IFIFO:
		if (make_room(u, pfd, base, false) < 0)
			return -1;
		if (mknodat(pfd, base, S_IFIFO | 0600, 0) < 0)
			return ufail_errno(u, "cannot make the FIFO");
		return set_meta(u, e, -1, pfd, base, true);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFSOCK:
		/* Device nodes are not made from layers (a layer could hand
		 * a container the host's disks); sockets are no content. */
		return 0;
	default:
		return ufail(u, "an entry of an unknown type");
	}
}

/* Directory modes and mtimes last: making what they hold changed them. */
static int finish_dirs(unpacker *u)
{
	forget_parent(u);
	for (size_t i = 0; i < u->ndirs; i++) {
		dir_meta *d = &u->dirs[i];
		u->name = d->rel;
		int fd;
		if (!d->rel[0]) {
			fd = u->root;
		} else {
			const char *base;
			int pfd = walk_parent(u, d->rel, false, &base);
			if (pfd < 0)
				return -1;
			fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (pfd != u->root)
				close(pfd);
			if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
				continue;	/* replaced by a later entry */
			if (fd < 0)
				return ufail_errno(u, "cannot open the directory");
		}
		struct timespec ts[2] = { d->mtime, d->mtime };
		int r = fchmod(fd, d->perm);
		if (r == 0)
			r = futimens(fd, ts);
		int saved = errno;
		if (fd != u->root)
			close(fd);
		errno = saved;
		if (r < 0)
			return ufail_errno(u, "cannot set the directory's mode and times");
	}
	return 0;
}

/* Remove everything under the directory dfd (kept open), not following
 * symlinks: a failed unpack leaves dest as empty as it was. */
static void remove_contents(int dfd)
{
	/* A new open file description: a dup() would share the offset. */
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				remove_contents(sub);
				close(sub);
			}
			(void)unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
		} else {
			(void)unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	closedir(d);
}

static bool dir_is_empty(int dfd)
{
	/* A new open file description: a dup() would share the offset. */
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	bool empty = true;
	struct dirent *de;
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static int open_readers(unpacker *u, int fd)
{
	u->raw = archive_read_new();
	u->tar = archive_read_new();
	if (!u->raw || !u->tar)
		df_die_oom();
	/* Told apart by content: gzip (or zstd) is undone, anything else
	 * passes as it is; the tar reader then accepts only a tar. */
	(void)archive_read_support_filter_gzip(u->raw);
	(void)archive_read_support_filter_zstd(u->raw);
	if (archive_read_support_format_raw(u->raw) != ARCHIVE_OK || archive_read_open_fd(u->raw, fd, 65536) != ARCHIVE_OK)
		return ufail_archive(u, u->raw);
	struct archive_entry *e;
	int r = archive_read_next_header(u->raw, &e);
	if (r == ARCHIVE_EOF)
		return ufail(u, "an empty file");
	if (r < ARCHIVE_WARN)
		return ufail_archive(u, u->raw);
	if (archive_read_support_format_tar(u->tar) != ARCHIVE_OK ||
	    archive_read_open(u->tar, u, NULL, on_tar_read, NULL) != ARCHIVE_OK)
		return ufail_archive(u, u->tar);
	return 0;
}

int df_layer_unpack(const char *path, const char *dest, df_digest *diff_id, df_buf *err)
{
	unpacker u = { .path = path, .dest = dest, .root = -1, .parent_fd = -1, .err = err,
		       .privileged = geteuid() == 0 };
	u.root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.root < 0) {
		df_buf_addf(err, "cannot unpack into '%s': %s", dest, strerror(errno));
		return -1;
	}
	if (!dir_is_empty(u.root)) {
		df_buf_addf(err, "cannot unpack into '%s': %s", dest, "not an empty directory");
		close(u.root);
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		df_buf_addf(err, "cannot read layer '%s': %s", path, strerror(errno));
		close(u.root);
		return -1;
	}
	df_sha256_init(&u.hash);
	int rc = open_readers(&u, fd);
	while (rc == 0) {
		struct archive_entry *e;
		int r = archive_read_next_header(u.tar, &e);
		if (r == ARCHIVE_EOF)
			break;
		/* ARCHIVE_WARN: a name not valid in the locale, kept as bytes. */
		if (r < ARCHIVE_WARN)
			rc = ufail_archive(&u, u.tar);
		else
			rc = unpack_entry(&u, e);
	}
	if (rc == 0)
		rc = finish_dirs(&u);
	/* The diffID covers the whole stream, also what follows the tar's
	 * end marker. */
	while (rc == 0 && !u.raw_eof) {
		const void *data;
		if (on_tar_read(u.tar, &u, &data) < 0)
			rc = -1;
	}
	forget_parent(&u);
	archive_read_free(u.tar);
	archive_read_free(u.raw);
	close(fd);
	df_digest d;
	df_sha256_final(&u.hash, &d);
	if (rc == 0 && diff_id)
		*diff_id = d;
	if (rc < 0)
		remove_contents(u.root);
	close(u.root);
	for (size_t i = 0; i < u.ndirs; i++)
		free(u.dirs[i].rel);
	free(u.dirs);
	df_buf_release(&u.rel);
	df_buf_release(&u.link);
	df_buf_release(&u.full);
	return rc;
}
