/*
 * store.c - the content-addressed store; see store.h.
 *
 * Every file that a reader may find is written under tmp/ and renamed into
 * place, so a build killed at any moment leaves at worst a stray file in
 * tmp/, which prune removes. Records are small cJSON objects with sorted
 * keys; names of records (cache keys, image names, build ids) become file
 * names only as the hex of a sha256, never as given.
 */
#include "build/store.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/layer.h"
#include "util/util.h"
#include "util/file.h"

/* Records and JSON blobs read whole are small; a bigger one is damage. */
#define RECORD_MAX (1u << 20)
#define BLOB_READ_MAX (64u << 20)

static const char *const layout_dirs[] = {
	"blobs", "blobs/sha256", "layers", "cache", "images", "builds", "mounts", "tmp",
};

/* --- small file helpers --------------------------------------------------- */

/* Read a whole file of at most max bytes into out (reset first): 0, 1 when
 * it does not exist, -1 with a message. */
static int slurp(const char *path, size_t max, df_buf *out, df_buf *err)
{
	df_buf_reset(out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		df_buf_grow(out, 65536);
		ssize_t n = read(fd, out->buf + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len > max) {
			df_buf_addf(err, "cannot read '%s': larger than %zu bytes", path, max);
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

int df_store_write_atomic(const char *tmpdir, const char *path, const void *data, size_t len, df_buf *err)
{
	df_buf tmp = DF_BUF_INIT;
	if (tmpdir) {
		df_buf_addf(&tmp, "%s/write-XXXXXX", tmpdir);
	} else {
		const char *slash = strrchr(path, '/');
		if (slash)
			df_buf_add(&tmp, path, (size_t)(slash - path) + 1);
		df_buf_adds(&tmp, ".tmp-XXXXXX");
	}
	int fd = mkstemp(tmp.buf);
	if (fd < 0) {
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		df_buf_release(&tmp);
		return -1;
	}
	int e = df_write_durable(fd, data, len, 0644);
	if (!e && rename(tmp.buf, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp.buf);
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(e));
		df_buf_release(&tmp);
		return -1;
	}
	df_buf_release(&tmp);
	df_sync_parent_dir(path);
	return 0;
}

/* --- opening -------------------------------------------------------------- */

/* mkdir -p; 0 or -1 with errno. */
static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -1;
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void default_root(df_buf *out)
{
	const char *v = getenv("DFOPT_STORE");
	if (v && *v) {
		df_buf_adds(out, v);
		return;
	}
	v = getenv("XDG_CACHE_HOME");
	if (v && *v == '/') {
		df_buf_addf(out, "%s/dfopt", v);
		return;
	}
	v = getenv("HOME");
	if (!v || !*v) {
		struct passwd *pw = getpwuid(getuid());
		v = pw && pw->pw_dir ? pw->pw_dir : "/";
	}
	df_buf_addf(out, "%s/.cache/dfopt", v);
}

int df_store_open(df_store *s, const char *root, df_buf *err)
{
	s->root = NULL;
	s->lock_fd = -1;
	df_buf path = DF_BUF_INIT;
	if (root && *root)
		df_buf_adds(&path, root);
	else
		default_root(&path);
	if (path.buf[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			df_buf_addf(err, "cannot open the store '%s': %s", path.buf, strerror(errno));
			df_buf_release(&path);
			return -1;
		}
		df_buf tmp = DF_BUF_INIT;
		df_buf_addf(&tmp, "%s/%s", cwd, path.buf);
		df_buf_release(&path);
		path = tmp;
	}
	while (path.len > 1 && path.buf[path.len - 1] == '/')
		path.buf[--path.len] = '\0';

	if (mkdirs(path.buf) < 0) {
		df_buf_addf(err, "cannot create the store '%s': %s", path.buf, strerror(errno));
		df_buf_release(&path);
		return -1;
	}
	df_buf sub = DF_BUF_INIT;
	for (size_t i = 0; i < DF_ARRAY_LEN(layout_dirs); i++) {
		df_buf_reset(&sub);
		df_buf_addf(&sub, "%s/%s", path.buf, layout_dirs[i]);
		if (mkdir(sub.buf, 0755) < 0 && errno != EEXIST) {
			df_buf_addf(err, "cannot create '%s': %s", sub.buf, strerror(errno));
			goto fail;
		}
	}
	df_buf_reset(&sub);
	df_buf_addf(&sub, "%s/lock", path.buf);
	s->lock_fd = open(sub.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->lock_fd < 0) {
		df_buf_addf(err, "cannot open '%s': %s", sub.buf, strerror(errno));
		goto fail;
	}
	/* Shared: builds run side by side; this waits only for a prune. */
	while (flock(s->lock_fd, LOCK_SH) < 0) {
		if (errno == EINTR)
			continue;
		df_buf_addf(err, "cannot lock '%s': %s", sub.buf, strerror(errno));
		goto fail;
	}
	df_buf_release(&sub);
	s->root = df_buf_detach(&path, NULL);
	return 0;
fail:
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
	df_buf_release(&sub);
	df_buf_release(&path);
	return -1;
}

void df_store_close(df_store *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd);	/* drops the flock */
	s->lock_fd = -1;
	free(s->root);
	s->root = NULL;
}

/* --- paths ---------------------------------------------------------------- */

void df_store_blobs_dir(const df_store *s, df_buf *out)
{
	df_buf_addf(out, "%s/blobs/sha256", s->root);
}

void df_store_hashcache_path(const df_store *s, df_buf *out)
{
	df_buf_addf(out, "%s/hashcache", s->root);
}

void df_store_tmp_dir(const df_store *s, df_buf *out)
{
	df_buf_addf(out, "%s/tmp", s->root);
}

void df_store_blob_path(const df_store *s, const df_digest *d, df_buf *out)
{
	df_buf_addf(out, "%s/blobs/sha256/%s", s->root, df_digest_hex(d));
}

/* <root>/<dir>/<hex of sha256(name)><suffix>: names never reach the file
 * system as they are. */
static void hashed_path(const df_store *s, const char *dir, const char *name, const char *suffix, df_buf *out)
{
	df_digest d;
	df_sha256_buf(name, strlen(name), &d);
	df_buf_addf(out, "%s/%s/%s%s", s->root, dir, df_digest_hex(&d), suffix);
}

static void tmp_dir(const df_store *s, df_buf *out)
{
	df_buf_addf(out, "%s/tmp", s->root);
}

bool df_store_has_blob(const df_store *s, const df_digest *d)
{
	if (!df_digest_set(d))
		return false;
	df_buf p = DF_BUF_INIT;
	df_store_blob_path(s, d, &p);
	struct stat st;
	bool ok = stat(p.buf, &st) == 0 && S_ISREG(st.st_mode);
	df_buf_release(&p);
	return ok;
}

/* --- blobs ---------------------------------------------------------------- */

int df_blob_writer_open(const df_store *s, df_blob_writer *w, df_buf *err)
{
	w->s = s;
	w->size = 0;
	df_buf_init(&w->tmp);
	tmp_dir(s, &w->tmp);
	df_buf_adds(&w->tmp, "/blob-XXXXXX");
	w->fd = mkostemp(w->tmp.buf, O_CLOEXEC);
	if (w->fd < 0) {
		df_buf_addf(err, "cannot create '%s': %s", w->tmp.buf, strerror(errno));
		df_buf_release(&w->tmp);
		return -1;
	}
	df_sha256_init(&w->h);
	return 0;
}

int df_blob_writer_write(df_blob_writer *w, const void *data, size_t len, df_buf *err)
{
	if (df_write_all(w->fd, data, len) < 0) {
		df_buf_addf(err, "cannot write '%s': %s", w->tmp.buf, strerror(errno));
		return -1;
	}
	df_sha256_update(&w->h, data, len);
	w->size += len;
	return 0;
}

void df_blob_writer_abort(df_blob_writer *w)
{
	if (w->fd < 0)
		return;
	close(w->fd);
	w->fd = -1;
	unlink(w->tmp.buf);
	df_buf_release(&w->tmp);
	df_digest unused;
	df_sha256_final(&w->h, &unused);	/* frees the context */
}

int df_blob_writer_commit(df_blob_writer *w, const df_digest *expect, df_digest *out, uint64_t *size,
			  df_buf *err)
{
	df_digest d;
	df_sha256_final(&w->h, &d);
	int fd = w->fd;
	w->fd = -1;
	df_buf dest = DF_BUF_INIT;
	int rc = -1;
	if (expect && strcmp(expect->s, d.s) != 0) {
		df_buf_addf(err, "blob '%s' does not match its digest (its bytes hash to %s)", expect->s, d.s);
		close(fd);
		goto out;
	}
	df_store_blob_path(w->s, &d, &dest);
	struct stat st;
	if (stat(dest.buf, &st) == 0 && S_ISREG(st.st_mode)) {
		close(fd);	/* stored already: keep the old copy */
		rc = 0;
		goto out;
	}
	int e = 0;
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(w->tmp.buf, dest.buf) < 0)
		e = errno;
	if (e) {
		df_buf_addf(err, "cannot write '%s': %s", dest.buf, strerror(e));
		goto out;
	}
	df_sync_parent_dir(dest.buf);
	df_buf_reset(&w->tmp);	/* renamed: nothing to clean up */
	rc = 0;
out:
	if (rc == 0) {
		if (out)
			*out = d;
		if (size)
			*size = w->size;
	}
	if (w->tmp.len)
		unlink(w->tmp.buf);
	df_buf_release(&w->tmp);
	df_buf_release(&dest);
	return rc;
}

int df_store_put_blob(const df_store *s, const void *data, size_t len, df_digest *out, df_buf *err)
{
	df_digest d;
	df_sha256_buf(data, len, &d);
	if (out)
		*out = d;
	if (df_store_has_blob(s, &d))
		return 0;
	df_buf dest = DF_BUF_INIT, tmp = DF_BUF_INIT;
	df_store_blob_path(s, &d, &dest);
	tmp_dir(s, &tmp);
	int rc = df_store_write_atomic(tmp.buf, dest.buf, data, len, err);
	df_buf_release(&dest);
	df_buf_release(&tmp);
	return rc;
}

int df_store_read_blob(const df_store *s, const df_digest *d, df_buf *out, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	df_store_blob_path(s, d, &p);
	int rc = slurp(p.buf, BLOB_READ_MAX, out, err);
	if (rc == 1) {
		df_buf_addf(err, "blob '%s' is not in the store '%s'", d->s, s->root);
		rc = -1;
	}
	if (rc == 0) {
		df_digest got;
		df_sha256_buf(out->buf ? out->buf : "", out->len, &got);
		if (strcmp(got.s, d->s) != 0) {
			df_buf_addf(err, "blob '%s' is corrupt: its bytes hash to %s", p.buf, got.s);
			rc = -1;
		}
	}
	df_buf_release(&p);
	return rc;
}

/* --- tmp, removal --------------------------------------------------------- */

int df_store_mkscratch(const df_store *s, const char *what, df_buf *out, df_buf *err)
{
	size_t start = out->len;
	tmp_dir(s, out);
	df_buf_addc(out, '/');
	/* what is a hint for whoever looks at tmp/: keep it a plain word. */
	for (size_t i = 0; what && what[i] && i < 32; i++) {
		char c = what[i];
		df_buf_addc(out, df_is_alnum((unsigned char)c) || c == '-' || c == '_' ? c : '_');
	}
	df_buf_adds(out, "-XXXXXX");
	if (!mkdtemp(out->buf + start)) {
		df_buf_addf(err, "cannot create '%s': %s", out->buf + start, strerror(errno));
		out->len = start;
		out->buf[start] = '\0';
		return -1;
	}
	return 0;
}

/* The mount a file descriptor lies on, when the kernel says (0 if not). */
static uint64_t mount_id(int fd)
{
#ifdef STATX_MNT_ID
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0 &&
	    (stx.stx_mask & STATX_MNT_ID))
		return stx.stx_mnt_id;
#else
	(void)fd;
#endif
	return 0;
}

typedef struct rm_ctx {
	dev_t dev;		/* the tree's file system */
	uint64_t mnt;		/* and mount, 0 when unknown */
	df_buf path;		/* for messages */
	uint64_t bytes;		/* regular file bytes removed */
	df_buf *err;
} rm_ctx;

/* Empty the directory open as fd (its path in c->path). One descriptor per
 * level: the names are read first and the stream closed. */
static int rm_contents(rm_ctx *c, int fd)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		df_buf_addf(c->err, "cannot read '%s': %s", c->path.buf, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	df_buf names = DF_BUF_INIT;	/* NUL-separated */
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		df_buf_add(&names, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);

	int rc = 0;
	size_t base = c->path.len;
	for (size_t at = 0; at < names.len; at += strlen(names.buf + at) + 1) {
		const char *name = names.buf + at;
		c->path.len = base;
		df_buf_addf(&c->path, "/%s", name);
		struct stat st;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			df_buf_addf(c->err, "cannot remove '%s': %s", c->path.buf, strerror(errno));
			rc = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != c->dev) {
				df_buf_addf(c->err, "cannot remove '%s': a mount point", c->path.buf);
				rc = -1;
				break;
			}
			int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 && errno == EACCES && fchmodat(fd, name, 0700, 0) == 0)
				sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			struct stat now;
			if (sub < 0 || fstat(sub, &now) < 0) {
				df_buf_addf(c->err, "cannot remove '%s': %s", c->path.buf, strerror(errno));
				if (sub >= 0)
					close(sub);
				rc = -1;
				break;
			}
			/* Replaced between the stat and the open, or a bind
			 * mount of the same file system. */
			if (now.st_dev != st.st_dev || now.st_ino != st.st_ino ||
			    (c->mnt && mount_id(sub) != c->mnt)) {
				df_buf_addf(c->err, "cannot remove '%s': a mount point or replaced while removed",
					    c->path.buf);
				close(sub);
				rc = -1;
				break;
			}
			if ((now.st_mode & S_IRWXU) != S_IRWXU)
				(void)fchmod(sub, (now.st_mode & 07777) | S_IRWXU);
			rc = rm_contents(c, sub);
			close(sub);
			if (rc < 0)
				break;
			if (unlinkat(fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
				df_buf_addf(c->err, "cannot remove '%s': %s", c->path.buf, strerror(errno));
				rc = -1;
				break;
			}
		} else {
			if (unlinkat(fd, name, 0) < 0) {
				if (errno == ENOENT)
					continue;
				df_buf_addf(c->err, "cannot remove '%s': %s", c->path.buf, strerror(errno));
				rc = -1;
				break;
			}
			if (S_ISREG(st.st_mode) && st.st_nlink <= 1)
				c->bytes += (uint64_t)st.st_size;
		}
	}
	c->path.len = base;
	c->path.buf[base] = '\0';
	df_buf_release(&names);
	return rc;
}

/* rm -rf path; *bytes (may be NULL) gets the regular file bytes freed. */
static int remove_tree(const char *path, uint64_t *bytes, df_buf *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		df_buf_addf(err, "cannot remove '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT) {
			df_buf_addf(err, "cannot remove '%s': %s", path, strerror(errno));
			return -1;
		}
		if (bytes && S_ISREG(st.st_mode) && st.st_nlink <= 1)
			*bytes += (uint64_t)st.st_size;
		return 0;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		df_buf_addf(err, "cannot remove '%s': %s", path, strerror(errno));
		return -1;
	}
	rm_ctx c = { st.st_dev, mount_id(fd), DF_BUF_INIT, 0, err };
	df_buf_adds(&c.path, path);
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		(void)fchmod(fd, (st.st_mode & 07777) | S_IRWXU);
	int rc = rm_contents(&c, fd);
	close(fd);
	if (rc == 0 && rmdir(path) < 0 && errno != ENOENT) {
		df_buf_addf(err, "cannot remove '%s': %s", path, strerror(errno));
		rc = -1;
	}
	if (bytes)
		*bytes += c.bytes;
	df_buf_release(&c.path);
	return rc;
}

int df_store_remove_tree(const char *path, df_buf *err)
{
	return remove_tree(path, NULL, err);
}

/* --- unpacked layers ------------------------------------------------------ */

int df_store_layer_dir(const df_store *s, const df_digest *diff_id, const df_digest *blob, df_buf *out,
		       df_buf *err)
{
	df_buf dest = DF_BUF_INIT, scratch = DF_BUF_INIT, blob_path = DF_BUF_INIT;
	int rc = -1;
	df_buf_addf(&dest, "%s/layers/%s", s->root, df_digest_hex(diff_id));
	struct stat st;
	if (stat(dest.buf, &st) == 0 && S_ISDIR(st.st_mode))
		goto done;

	df_store_blob_path(s, blob, &blob_path);
	if (stat(blob_path.buf, &st) < 0) {
		df_buf_addf(err, "cannot unpack layer '%s': its blob '%s' is not in the store (%s)", diff_id->s,
			    blob->s, strerror(errno));
		goto fail;
	}
	/* Unpacked aside and renamed into place: a reader never sees half a
	 * layer, and of two builds unpacking it at once, one rename wins and
	 * the other drops its copy. */
	if (df_store_mkscratch(s, "layer", &scratch, err) < 0)
		goto fail;
	df_digest got;
	if (df_layer_unpack(blob_path.buf, scratch.buf, &got, err) < 0)
		goto fail;
	if (strcmp(got.s, diff_id->s) != 0) {
		df_buf_addf(err, "layer blob '%s' unpacks to diffID %s, not %s", blob->s, got.s, diff_id->s);
		goto fail;
	}
	int fd = open(scratch.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fchmod(fd, 0755);	/* mkdtemp made it 0700 */
		/* The files must be on disk before the rename that publishes
		 * them outlives a crash. */
		(void)syncfs(fd);
		close(fd);
	}
	if (rename(scratch.buf, dest.buf) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			df_buf_addf(err, "cannot rename '%s' to '%s': %s", scratch.buf, dest.buf, strerror(errno));
			goto fail;
		}
		/* Another build got there first: its copy is the same. */
		if (remove_tree(scratch.buf, NULL, err) < 0)
			goto fail;
	} else {
		df_sync_parent_dir(dest.buf);
	}
	df_buf_reset(&scratch);
done:
	df_buf_add(out, dest.buf, dest.len);
	rc = 0;
fail:
	if (rc < 0 && scratch.len) {
		df_buf ignored = DF_BUF_INIT;
		(void)remove_tree(scratch.buf, NULL, &ignored);
		df_buf_release(&ignored);
	}
	df_buf_release(&dest);
	df_buf_release(&scratch);
	df_buf_release(&blob_path);
	return rc;
}

/* --- JSON records ----------------------------------------------------------- */

/* Print a record and write it atomically. Records are built with their
 * keys in byte order, as image.c's configs are printed. */
static int put_json(const df_store *s, const char *path, const cJSON *obj, df_buf *err)
{
	char *text = cJSON_PrintUnformatted(obj);
	if (!text)
		df_die_oom();
	df_buf tmp = DF_BUF_INIT;
	tmp_dir(s, &tmp);
	int rc = df_store_write_atomic(tmp.buf, path, text, strlen(text), err);
	df_buf_release(&tmp);
	cJSON_free(text);
	return rc;
}

/* Read a record: 1 and *obj, 0 when missing, -1 when unreadable or not a
 * JSON object. */
static int get_json(const char *path, cJSON **obj, df_buf *err)
{
	df_buf text = DF_BUF_INIT;
	*obj = NULL;
	int rc = slurp(path, RECORD_MAX, &text, err);
	if (rc == 1) {
		df_buf_release(&text);
		return 0;
	}
	if (rc == 0) {
		*obj = cJSON_ParseWithLength(text.buf ? text.buf : "", text.len);
		if (!cJSON_IsObject(*obj)) {
			cJSON_Delete(*obj);
			*obj = NULL;
			df_buf_addf(err, "malformed record '%s'", path);
			rc = -1;
		} else {
			rc = 1;
		}
	}
	df_buf_release(&text);
	return rc;
}

static bool json_digest(const cJSON *obj, const char *key, df_digest *d)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && df_digest_parse(d, v->valuestring);
}

/* --- cache records ---------------------------------------------------------- */

static void cache_path(const df_store *s, const df_digest *key, df_buf *out)
{
	df_buf_addf(out, "%s/cache/%s.json", s->root, df_digest_hex(key));
}

/* A record's fields; false when it is malformed. */
static bool parse_cache_rec(const cJSON *o, df_cache_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	const cJSON *has = cJSON_GetObjectItemCaseSensitive(o, "has_layer");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(o, "size");
	const cJSON *secs = cJSON_GetObjectItemCaseSensitive(o, "seconds");
	if (!cJSON_IsBool(has) || !cJSON_IsNumber(secs))
		return false;
	rec->has_layer = cJSON_IsTrue(has);
	rec->seconds = secs->valuedouble;
	if (!rec->has_layer)
		return true;
	if (!json_digest(o, "blob", &rec->blob) || !json_digest(o, "diff_id", &rec->diff_id) ||
	    !cJSON_IsNumber(size) || size->valuedouble < 0)
		return false;
	rec->size = (uint64_t)size->valuedouble;
	return true;
}

int df_store_cache_get(const df_store *s, const df_digest *key, df_cache_rec *rec, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	cache_path(s, key, &p);
	cJSON *o;
	int rc = get_json(p.buf, &o, err);
	if (rc == 1) {
		if (!parse_cache_rec(o, rec)) {
			df_buf_addf(err, "malformed cache record '%s'", p.buf);
			rc = -1;
		} else if (rec->has_layer && !df_store_has_blob(s, &rec->blob)) {
			rc = 0;	/* pruned under it: a miss */
		} else {
			(void)utimensat(AT_FDCWD, p.buf, NULL, 0);	/* used now */
		}
	}
	cJSON_Delete(o);
	df_buf_release(&p);
	return rc;
}

int df_store_cache_put(const df_store *s, const df_digest *key, const df_cache_rec *rec, df_buf *err)
{
	cJSON *o = cJSON_CreateObject();
	if (rec->has_layer) {
		cJSON_AddStringToObject(o, "blob", rec->blob.s);
		cJSON_AddStringToObject(o, "diff_id", rec->diff_id.s);
	}
	cJSON_AddBoolToObject(o, "has_layer", rec->has_layer);
	cJSON_AddNumberToObject(o, "seconds", rec->seconds);
	if (rec->has_layer)
		cJSON_AddNumberToObject(o, "size", (double)rec->size);
	df_buf p = DF_BUF_INIT;
	cache_path(s, key, &p);
	int rc = put_json(s, p.buf, o, err);
	df_buf_release(&p);
	cJSON_Delete(o);
	return rc;
}

/* Call fn for each "<64 hex>.json" file in <root>/<dir>. */
typedef int (*each_fn)(void *arg, const char *path, const char *hex, const struct stat *st, df_buf *err);

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int each_record(const df_store *s, const char *dir, each_fn fn, void *arg, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	df_buf_addf(&p, "%s/%s", s->root, dir);
	DIR *d = opendir(p.buf);
	if (!d) {
		df_buf_addf(err, "cannot read '%s': %s", p.buf, strerror(errno));
		df_buf_release(&p);
		return -1;
	}
	size_t base = p.len;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n != 69 || strcmp(e->d_name + 64, ".json") != 0 || !is_hex64(e->d_name, 64))
			continue;
		p.len = base;
		df_buf_addf(&p, "/%s", e->d_name);
		struct stat st;
		if (lstat(p.buf, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		char hex[65];
		memcpy(hex, e->d_name, 64);
		hex[64] = '\0';
		rc = fn(arg, p.buf, hex, &st, err);
	}
	closedir(d);
	df_buf_release(&p);
	return rc;
}

typedef struct cache_list {
	df_cache_entry *v;
	size_t n, cap;
} cache_list;

static int list_one_cache(void *arg, const char *path, const char *hex, const struct stat *st, df_buf *err)
{
	cache_list *l = arg;
	cJSON *o;
	df_buf ignored = DF_BUF_INIT;
	int rc = get_json(path, &o, &ignored);
	df_buf_release(&ignored);
	(void)err;
	df_cache_entry e;
	char key[DF_DIGEST_STRLEN + 1];
	snprintf(key, sizeof(key), DF_DIGEST_PREFIX "%s", hex);
	/* A damaged record is a miss for the builder; listing skips it too. */
	if (rc == 1 && parse_cache_rec(o, &e.rec) && df_digest_parse(&e.key, key)) {
		e.used = (int64_t)st->st_mtime;
		df_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = e;
	}
	cJSON_Delete(o);
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const df_cache_entry *x = a, *y = b;
	if (x->used != y->used)
		return x->used > y->used ? -1 : 1;
	return strcmp(x->key.s, y->key.s);
}

int df_store_cache_list(const df_store *s, df_cache_entry **v, size_t *n, df_buf *err)
{
	cache_list l = { NULL, 0, 0 };
	int rc = each_record(s, "cache", list_one_cache, &l, err);
	if (rc < 0) {
		free(l.v);
		*v = NULL;
		*n = 0;
		return -1;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), entry_cmp);
	*v = l.v;
	*n = l.n;
	return 0;
}

/* --- image names ------------------------------------------------------------ */

void df_store_normalize_name(const char *name, df_buf *out)
{
	const char *p = name;
	static const char *const hub[] = { "docker.io/", "index.docker.io/", "registry-1.docker.io/" };
	for (size_t i = 0; i < DF_ARRAY_LEN(hub); i++) {
		size_t n = strlen(hub[i]);
		if (!strncmp(p, hub[i], n)) {
			p += n;
			break;
		}
	}
	if (!strncmp(p, "library/", 8) && p[8])
		p += 8;
	df_buf_adds(out, p);
	/* A tag is a ':' after the last '/' (before it, a registry port). */
	const char *slash = strrchr(p, '/');
	const char *last = slash ? slash + 1 : p;
	if (!strchr(p, '@') && !strchr(last, ':'))
		df_buf_adds(out, ":latest");
}

static void name_path(const df_store *s, const char *norm, df_buf *out)
{
	hashed_path(s, "images", norm, ".json", out);
}

int df_store_tag(const df_store *s, const char *name, const df_digest *manifest, df_buf *err)
{
	if (!name || !*name) {
		df_buf_adds(err, "an image name cannot be empty");
		return -1;
	}
	df_buf norm = DF_BUF_INIT, p = DF_BUF_INIT;
	df_store_normalize_name(name, &norm);
	name_path(s, norm.buf, &p);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "manifest", manifest->s);
	cJSON_AddStringToObject(o, "name", norm.buf);
	int rc = put_json(s, p.buf, o, err);
	cJSON_Delete(o);
	df_buf_release(&norm);
	df_buf_release(&p);
	return rc;
}

int df_store_resolve(const df_store *s, const char *name, df_digest *manifest, df_buf *err)
{
	if (!name || !*name)
		return 0;
	df_buf norm = DF_BUF_INIT, p = DF_BUF_INIT;
	df_store_normalize_name(name, &norm);
	name_path(s, norm.buf, &p);
	cJSON *o;
	int rc = get_json(p.buf, &o, err);
	if (rc == 1) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "name");
		/* The name is checked too: the file name is only its hash. */
		if (!cJSON_IsString(n) || strcmp(n->valuestring, norm.buf) != 0 ||
		    !json_digest(o, "manifest", manifest)) {
			df_buf_addf(err, "malformed image record '%s'", p.buf);
			rc = -1;
		}
	}
	cJSON_Delete(o);
	df_buf_release(&norm);
	df_buf_release(&p);
	return rc;
}

typedef struct name_list {
	df_store_name *v;
	size_t n, cap;
} name_list;

static int list_one_name(void *arg, const char *path, const char *hex, const struct stat *st, df_buf *err)
{
	(void)hex;
	(void)st;
	(void)err;
	name_list *l = arg;
	cJSON *o;
	df_buf ignored = DF_BUF_INIT;
	int rc = get_json(path, &o, &ignored);
	df_buf_release(&ignored);
	const cJSON *n = rc == 1 ? cJSON_GetObjectItemCaseSensitive(o, "name") : NULL;
	df_digest m;
	if (cJSON_IsString(n) && json_digest(o, "manifest", &m)) {
		df_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n].name = df_xstrdup(n->valuestring);
		l->v[l->n].manifest = m;
		l->n++;
	}
	cJSON_Delete(o);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const df_store_name *)a)->name, ((const df_store_name *)b)->name);
}

int df_store_list_names(const df_store *s, df_store_name **v, size_t *n, df_buf *err)
{
	name_list l = { NULL, 0, 0 };
	int rc = each_record(s, "images", list_one_name, &l, err);
	if (rc < 0) {
		df_store_names_free(l.v, l.n);
		*v = NULL;
		*n = 0;
		return -1;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), name_cmp);
	*v = l.v;
	*n = l.n;
	return 0;
}

void df_store_names_free(df_store_name *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* --- build records, cache mounts -------------------------------------------- */

int df_store_put_record(const df_store *s, const char *id, const char *json, df_buf *err)
{
	df_buf p = DF_BUF_INIT, tmp = DF_BUF_INIT;
	hashed_path(s, "builds", id, ".json", &p);
	tmp_dir(s, &tmp);
	int rc = df_store_write_atomic(tmp.buf, p.buf, json, strlen(json), err);
	df_buf_release(&p);
	df_buf_release(&tmp);
	return rc;
}

int df_store_get_record(const df_store *s, const char *id, df_buf *out, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	hashed_path(s, "builds", id, ".json", &p);
	int rc = slurp(p.buf, 64u << 20, out, err);
	df_buf_release(&p);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

int df_store_cache_mount_dir(const df_store *s, const char *id, df_buf *out, df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	hashed_path(s, "mounts", id, "", &p);
	if (mkdir(p.buf, 0755) < 0 && errno != EEXIST) {
		df_buf_addf(err, "cannot create '%s': %s", p.buf, strerror(errno));
		df_buf_release(&p);
		return -1;
	}
	/* Its mtime says when a build last used it, for prune. */
	(void)utimensat(AT_FDCWD, p.buf, NULL, 0);
	df_buf_add(out, p.buf, p.len);
	df_buf_release(&p);
	return 0;
}

/* --- prune ------------------------------------------------------------------ */

/* A set of 64-hex names: appended, then sorted for lookups. */
typedef struct hexset {
	char (*v)[65];
	size_t n, cap;
	bool sorted;
} hexset;

static void hexset_add(hexset *h, const char *hex)
{
	df_grow((void **)&h->v, &h->cap, h->n + 1, sizeof(*h->v));
	memcpy(h->v[h->n], hex, 64);
	h->v[h->n][64] = '\0';
	h->n++;
	h->sorted = false;
}

static int hex_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 64);
}

/* Sort, dropping duplicates. */
static void hexset_sort(hexset *h)
{
	if (h->sorted)
		return;
	h->sorted = true;
	if (!h->n)
		return;
	qsort(h->v, h->n, sizeof(*h->v), hex_cmp);
	size_t k = 1;
	for (size_t i = 1; i < h->n; i++)
		if (memcmp(h->v[i], h->v[k - 1], 64) != 0)
			memcpy(h->v[k++], h->v[i], 65);
	h->n = k;
}

static bool hexset_has(hexset *h, const char *hex)
{
	hexset_sort(h);
	return h->n && bsearch(hex, h->v, h->n, sizeof(*h->v), hex_cmp) != NULL;
}

typedef struct prune_ctx {
	df_store *s;
	int64_t keep_seconds, keep_bytes;
	time_t now;
	hexset blobs, layers;	/* reached */
	uint64_t freed;
	df_cache_entry *recs;	/* cache records kept so far */
	size_t nrecs, caprecs;
} prune_ctx;

static uint64_t blob_size(const df_store *s, const df_digest *d)
{
	df_buf p = DF_BUF_INIT;
	df_store_blob_path(s, d, &p);
	struct stat st;
	uint64_t n = stat(p.buf, &st) == 0 ? (uint64_t)st.st_size : 0;
	df_buf_release(&p);
	return n;
}

/* Mark what the manifest reaches: itself, its config, layer blobs and the
 * unpacked layers by the config's diff_ids. A missing or damaged blob
 * reaches nothing further (the image is broken either way). */
static void mark_image(prune_ctx *c, const df_digest *manifest)
{
	hexset_add(&c->blobs, df_digest_hex(manifest));
	df_buf text = DF_BUF_INIT, ignored = DF_BUF_INIT;
	cJSON *m = NULL, *cfg = NULL;
	if (df_store_read_blob(c->s, manifest, &text, &ignored) < 0)
		goto out;
	m = cJSON_ParseWithLength(text.buf ? text.buf : "", text.len);
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(m, "config");
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(m, "layers");
	const cJSON *l;
	df_digest d;
	cJSON_ArrayForEach(l, layers)
	{
		if (json_digest(l, "digest", &d))
			hexset_add(&c->blobs, df_digest_hex(&d));
	}
	if (!json_digest(config, "digest", &d))
		goto out;
	hexset_add(&c->blobs, df_digest_hex(&d));
	if (df_store_read_blob(c->s, &d, &text, &ignored) < 0)
		goto out;
	cfg = cJSON_ParseWithLength(text.buf ? text.buf : "", text.len);
	const cJSON *rootfs = cJSON_GetObjectItemCaseSensitive(cfg, "rootfs");
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");
	cJSON_ArrayForEach(l, ids)
	{
		if (cJSON_IsString(l) && df_digest_parse(&d, l->valuestring))
			hexset_add(&c->layers, df_digest_hex(&d));
	}
out:
	cJSON_Delete(m);
	cJSON_Delete(cfg);
	df_buf_release(&text);
	df_buf_release(&ignored);
}

static int prune_name(void *arg, const char *path, const char *hex, const struct stat *st, df_buf *err)
{
	(void)hex;
	(void)st;
	(void)err;
	prune_ctx *c = arg;
	cJSON *o;
	df_buf ignored = DF_BUF_INIT;
	df_digest m;
	if (get_json(path, &o, &ignored) == 1 && json_digest(o, "manifest", &m))
		mark_image(c, &m);
	cJSON_Delete(o);
	df_buf_release(&ignored);
	return 0;
}

static int drop_file(prune_ctx *c, const char *path, df_buf *err)
{
	return remove_tree(path, &c->freed, err);
}

static int prune_cache(void *arg, const char *path, const char *hex, const struct stat *st, df_buf *err)
{
	prune_ctx *c = arg;
	cJSON *o;
	df_buf ignored = DF_BUF_INIT;
	df_cache_entry e;
	char key[DF_DIGEST_STRLEN + 1];
	snprintf(key, sizeof(key), DF_DIGEST_PREFIX "%s", hex);
	bool keep = get_json(path, &o, &ignored) == 1 && parse_cache_rec(o, &e.rec) && df_digest_parse(&e.key, key) &&
		    c->keep_seconds >= 0 && (int64_t)(c->now - st->st_mtime) <= c->keep_seconds &&
		    (!e.rec.has_layer || df_store_has_blob(c->s, &e.rec.blob));
	cJSON_Delete(o);
	df_buf_release(&ignored);
	if (!keep)
		return drop_file(c, path, err);
	e.used = (int64_t)st->st_mtime;
	df_grow((void **)&c->recs, &c->caprecs, c->nrecs + 1, sizeof(*c->recs));
	c->recs[c->nrecs++] = e;
	return 0;
}

/* Remove the entries of <root>/<dir> that keep() refuses. */
static int sweep(prune_ctx *c, const char *dir, bool (*keep)(prune_ctx *c, const char *name, const struct stat *st),
		 df_buf *err)
{
	df_buf p = DF_BUF_INIT;
	df_buf_addf(&p, "%s/%s", c->s->root, dir);
	DIR *d = opendir(p.buf);
	if (!d) {
		df_buf_addf(err, "cannot read '%s': %s", p.buf, strerror(errno));
		df_buf_release(&p);
		return -1;
	}
	df_buf names = DF_BUF_INIT;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			df_buf_add(&names, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	size_t base = p.len;
	int rc = 0;
	for (size_t at = 0; rc == 0 && at < names.len; at += strlen(names.buf + at) + 1) {
		const char *name = names.buf + at;
		p.len = base;
		df_buf_addf(&p, "/%s", name);
		struct stat st;
		if (lstat(p.buf, &st) < 0)
			continue;
		if (!keep(c, name, &st))
			rc = drop_file(c, p.buf, err);
	}
	df_buf_release(&names);
	df_buf_release(&p);
	return rc;
}

static bool keep_blob(prune_ctx *c, const char *name, const struct stat *st)
{
	return S_ISREG(st->st_mode) && is_hex64(name, strlen(name)) && hexset_has(&c->blobs, name);
}

static bool keep_layer(prune_ctx *c, const char *name, const struct stat *st)
{
	return S_ISDIR(st->st_mode) && is_hex64(name, strlen(name)) && hexset_has(&c->layers, name);
}

static bool keep_nothing(prune_ctx *c, const char *name, const struct stat *st)
{
	(void)c;
	(void)name;
	(void)st;
	return false;
}

static bool keep_mount(prune_ctx *c, const char *name, const struct stat *st)
{
	(void)name;
	return c->keep_seconds >= 0 && (int64_t)(c->now - st->st_mtime) <= c->keep_seconds;
}

typedef struct payer {
	const char *hex;	/* a record's blob */
	size_t rec;		/* the record, by recency */
} payer;

static int payer_cmp(const void *a, const void *b)
{
	const payer *x = a, *y = b;
	int c = memcmp(x->hex, y->hex, 64);
	return c ? c : (x->rec > y->rec) - (x->rec < y->rec);
}

/* Drop the least recently used records past the byte budget; mark what the
 * rest reach. A blob counts once: against the images when they reach it,
 * else against the most recent record naming it. */
static int prune_budget(prune_ctx *c, df_buf *err)
{
	if (c->nrecs)
		qsort(c->recs, c->nrecs, sizeof(*c->recs), entry_cmp);
	bool *pays = df_xcalloc(c->nrecs + 1, sizeof(*pays));
	uint64_t total = 0;
	if (c->keep_bytes >= 0) {
		hexset_sort(&c->blobs);
		for (size_t i = 0; i < c->blobs.n; i++) {
			df_digest d;
			char s[DF_DIGEST_STRLEN + 1];
			snprintf(s, sizeof(s), DF_DIGEST_PREFIX "%s", c->blobs.v[i]);
			if (df_digest_parse(&d, s))
				total += blob_size(c->s, &d);
		}
		payer *v = df_xmalloc((c->nrecs + 1) * sizeof(*v));
		size_t n = 0;
		for (size_t i = 0; i < c->nrecs; i++)
			if (c->recs[i].rec.has_layer && !hexset_has(&c->blobs, df_digest_hex(&c->recs[i].rec.blob)))
				v[n++] = (payer){ df_digest_hex(&c->recs[i].rec.blob), i };
		if (n)
			qsort(v, n, sizeof(*v), payer_cmp);
		for (size_t i = 0; i < n; i++)
			if (i == 0 || memcmp(v[i].hex, v[i - 1].hex, 64) != 0)
				pays[v[i].rec] = true;
		free(v);
	}
	bool over = false;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->nrecs; i++) {
		const df_cache_entry *e = &c->recs[i];
		if (pays[i] && !over) {
			uint64_t n = blob_size(c->s, &e->rec.blob);
			if (total + n > (uint64_t)c->keep_bytes)
				over = true;	/* this one and every older one go */
			else
				total += n;
		}
		if (over) {
			df_buf p = DF_BUF_INIT;
			cache_path(c->s, &e->key, &p);
			rc = drop_file(c, p.buf, err);
			df_buf_release(&p);
		} else if (e->rec.has_layer) {
			hexset_add(&c->blobs, df_digest_hex(&e->rec.blob));
			hexset_add(&c->layers, df_digest_hex(&e->rec.diff_id));
		}
	}
	free(pays);
	return rc;
}

int df_store_prune_bytes(df_store *s, int64_t keep_seconds, int64_t keep_bytes, uint64_t *freed, df_buf *err)
{
	if (freed)
		*freed = 0;
	/* Exclusive: no build may hold a layer as a lower or a blob half
	 * referenced while we sweep. Converting a flock is not atomic and a
	 * refused LOCK_NB conversion drops the shared lock: take it back. */
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		while (flock(s->lock_fd, LOCK_SH) < 0 && errno == EINTR)
			;
		if (e == EWOULDBLOCK)
			df_buf_addf(err, "cannot prune the store '%s': another dfopt process is using it", s->root);
		else
			df_buf_addf(err, "cannot lock '%s/lock': %s", s->root, strerror(e));
		return -1;
	}
	prune_ctx c = { s, keep_seconds, keep_bytes, time(NULL), { NULL, 0, 0, false }, { NULL, 0, 0, false },
			0, NULL, 0, 0 };
	int rc = each_record(s, "images", prune_name, &c, err);
	if (rc == 0)
		rc = each_record(s, "cache", prune_cache, &c, err);
	if (rc == 0)
		rc = prune_budget(&c, err);
	if (rc == 0)
		rc = sweep(&c, "blobs/sha256", keep_blob, err);
	if (rc == 0)
		rc = sweep(&c, "layers", keep_layer, err);
	if (rc == 0)
		rc = sweep(&c, "tmp", keep_nothing, err);
	if (rc == 0)
		rc = sweep(&c, "mounts", keep_mount, err);
	free(c.blobs.v);
	free(c.layers.v);
	free(c.recs);
	if (freed)
		*freed = c.freed;
	while (flock(s->lock_fd, LOCK_SH) < 0 && errno == EINTR)
		;
	return rc;
}

int df_store_prune(df_store *s, int64_t keep_seconds, uint64_t *freed, df_buf *err)
{
	return df_store_prune_bytes(s, keep_seconds, -1, freed, err);
}
