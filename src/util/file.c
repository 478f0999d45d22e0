/* file.c - whole-file input; see file.h. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* What one read asks for when the size is not known. */
#define READ_CHUNK 65536

/* A regular file of size bytes: one read of its size plus one byte (a
 * short read is its end; a full one means it grew, and the loop goes on). */
static int read_regular(int fd, const char *path, size_t size, size_t max, df_buf *out, df_buf *err)
{
	size_t chunk = size + 1;
	for (;;) {
		df_buf_grow(out, chunk);
		ssize_t n = read(fd, out->buf + out->len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
			return -1;
		}
		if (out->len + (size_t)n > max) {
			out->buf[out->len] = '\0';
			df_buf_addf(err, "cannot read '%s': input is too large (the limit is %zu bytes)", path, max);
			return -1;
		}
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if ((size_t)n < chunk)
			return 0;
		chunk = READ_CHUNK;
	}
}

/* What a stream (stdin, a FIFO, a character device) is read in. */
static int read_stream(int fd, const char *shown, size_t max, df_buf *out, df_buf *err)
{
	for (;;) {
		df_buf_grow(out, READ_CHUNK);
		ssize_t n = read(fd, out->buf + out->len, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", shown, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > max) {
			out->buf[out->len] = '\0';
			df_buf_addf(err, "cannot read '%s': input is too large (the limit is %zu bytes)", shown, max);
			return -1;
		}
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
	}
}

/* O_NONBLOCK: opening a FIFO must not wait for a writer before we know
 * it is one; regular files ignore it. */
#define INPUT_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK)

/* fd, open, fstat()ed into *info; or -1 (closed) with errno kept. */
static int opened(int fd, df_input_info *info)
{
	struct stat st;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) == 0) {
		*info = (df_input_info){ st.st_mode, st.st_size };
		return fd;
	}
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int df_input_open(const char *path, df_input_info *info)
{
	return opened(open(path, INPUT_OPEN_FLAGS), info);
}

/* The directory descriptor to reach path from, dir's when it can be made
 * path's directory, else AT_FDCWD; *name is path relative to it. */
static int dir_of(df_input_dir *dir, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	*name = path;
	if (!slash || !slash[1] || slash == path)
		return AT_FDCWD;
	size_t len = (size_t)(slash - path);
	if (dir->fd < 0 || dir->len != len || memcmp(dir->path, path, len)) {
		df_input_dir_release(dir);
		dir->path = df_xstrndup(path, len);
		dir->len = len;
		dir->fd = open(dir->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir->fd < 0)
			return AT_FDCWD;
	}
	*name = slash + 1;
	return dir->fd;
}

int df_input_open_in(df_input_dir *dir, const char *path, df_input_info *info)
{
	const char *name;
	int at = dir_of(dir, path, &name);
	return opened(openat(at, name, INPUT_OPEN_FLAGS), info);
}

int df_input_stat_in(df_input_dir *dir, const char *path, df_input_info *info)
{
	const char *name;
	int at = dir_of(dir, path, &name);
	struct stat st;
	if (fstatat(at, name, &st, 0) != 0)
		return -1;
	*info = (df_input_info){ st.st_mode, st.st_size };
	return 0;
}

void df_input_dir_release(df_input_dir *dir)
{
	if (dir->fd >= 0)
		close(dir->fd);
	free(dir->path);
	*dir = (df_input_dir)DF_INPUT_DIR_INIT;
}

/* Read the input open on fd, which info describes, and close it. */
static int read_open(int fd, const df_input_info *info, const char *path, size_t max, df_buf *out, df_buf *err)
{
	int rc = -1;
	if (S_ISDIR(info->mode)) {
		df_buf_addf(err, "cannot read '%s': Is a directory", path);
	} else if (S_ISFIFO(info->mode) || S_ISCHR(info->mode)) {
		/* A pipe (`dfopt lint <(git show HEAD:Dockerfile)`) or a
		 * device: read to its end or the cap, blocking while a writer
		 * has more to say. A FIFO that nobody writes to would make a
		 * blocking open wait forever; opened without blocking, it
		 * reads as empty, which is said rather than linted. */
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		rc = read_stream(fd, path, max, out, err);
		if (rc == 0 && out->len == 0 && S_ISFIFO(info->mode)) {
			df_buf_addf(err, "cannot read '%s': nothing to read (a FIFO with no writer)", path);
			rc = -1;
		}
	} else if (!S_ISREG(info->mode)) {
		df_buf_addf(err, "cannot read '%s': not a regular file", path);
	} else if ((size_t)info->size > max) {
		df_buf_addf(err, "cannot read '%s': file is too large (%lld bytes, the limit is %zu)", path,
			    (long long)info->size, max);
	} else {
		rc = read_regular(fd, path, (size_t)info->size, max, out, err);
	}
	close(fd);
	return rc;
}

/* df_read_input() of a file, opened relative to dir unless it is NULL. */
static int read_in(df_input_dir *dir, const char *path, size_t max, df_buf *out, df_buf *err)
{
	df_input_info info;
	int fd = dir ? df_input_open_in(dir, path, &info) : df_input_open(path, &info);
	if (fd < 0) {
		df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	return read_open(fd, &info, path, max, out, err);
}

int df_read_input(const char *path, size_t max, df_buf *out, df_buf *err)
{
	if (strcmp(path, "-") == 0)
		return read_stream(0, "<stdin>", max, out, err);
	return read_in(NULL, path, max, out, err);
}

/* 0 when out holds no NUL byte; else -1 and where the first one is. */
static int check_text(const char *path, const df_buf *out, df_buf *err)
{
	const char *nul = out->len ? memchr(out->buf, '\0', out->len) : NULL;
	if (!nul)
		return 0;
	/* Where, as an editor counts: 1-based line and byte column. */
	size_t line = 1, col = 1;
	for (const char *p = out->buf; p < nul; p++) {
		if (*p == '\n')
			line++, col = 1;
		else
			col++;
	}
	df_buf_addf(err, "%s:%zu:%zu: not a text file (a NUL byte)", strcmp(path, "-") ? path : "<stdin>", line, col);
	return -1;
}

int df_read_text(const char *path, size_t max, df_buf *out, df_buf *err)
{
	if (df_read_input(path, max, out, err) < 0)
		return -1;
	return check_text(path, out, err);
}

int df_read_text_in(df_input_dir *dir, const char *path, size_t max, df_buf *out, df_buf *err)
{
	if (read_in(dir, path, max, out, err) < 0)
		return -1;
	return check_text(path, out, err);
}

int df_read_text_open(int fd, const df_input_info *info, const char *path, size_t max, df_buf *out, df_buf *err)
{
	if (read_open(fd, info, path, max, out, err) < 0)
		return -1;
	return check_text(path, out, err);
}

int df_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int df_write_durable(int fd, const void *data, size_t len, unsigned mode)
{
	int e = 0;
	if (df_write_all(fd, data, len) < 0 || fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	return e;
}

void df_sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	df_buf dir = DF_BUF_INIT;
	if (!slash)
		df_buf_adds(&dir, ".");
	else if (slash == path)
		df_buf_adds(&dir, "/");
	else
		df_buf_add(&dir, path, (size_t)(slash - path));
	int fd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	df_buf_release(&dir);
}
