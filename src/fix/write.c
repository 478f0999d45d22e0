/*
 * write.c - atomic replacement of a file's contents; see write.h.
 */
#include "fix/write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"
#include "util/file.h"

/* Does the file at fd hold exactly data? */
static bool holds(int fd, const char *data, size_t len)
{
	char chunk[65536];
	size_t at = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && at == len;
		if ((size_t)n > len - at || memcmp(chunk, data + at, (size_t)n) != 0)
			return false;
		at += (size_t)n;
	}
}

int df_write_atomic(const char *path, const char *data, size_t len, df_buf *err)
{
	char target[PATH_MAX];
	if (!realpath(path, target)) {
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	int fd = open(target, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		df_buf_addf(err, "cannot write '%s': not a regular file", path);
		return -1;
	}
	bool unchanged = (size_t)st.st_size == len && holds(fd, data, len);
	close(fd);
	if (unchanged)
		return 1;
	if (!(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH))) {
		df_buf_addf(err, "cannot write '%s': the file is read-only", path);
		return -1;
	}

	df_buf tmp = DF_BUF_INIT;
	const char *slash = strrchr(target, '/');
	df_buf_add(&tmp, target, (size_t)(slash - target) + 1);
	df_buf_addf(&tmp, ".%s.dfopt-XXXXXX", slash + 1);
	int out = mkstemp(tmp.buf);
	if (out < 0) {
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		df_buf_release(&tmp);
		return -1;
	}
	/* Owner first: changing it may clear set-id bits the mode restores. */
	if (fchown(out, st.st_uid, st.st_gid) < 0) {
		/* Not ours to give away: the file becomes the writer's, as
		 * an editor's save does. */
	}
	int e = df_write_durable(out, data, len, st.st_mode & 07777);
	if (!e && rename(tmp.buf, target) < 0)
		e = errno;
	if (e) {
		unlink(tmp.buf);
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(e));
		df_buf_release(&tmp);
		return -1;
	}
	/* The rename is durable once the directory is. */
	df_sync_parent_dir(target);
	df_buf_release(&tmp);
	return 0;
}

int df_write_create(const char *path, const char *data, size_t len, unsigned mode, df_buf *err)
{
	df_buf tmp = DF_BUF_INIT;
	const char *slash = strrchr(path, '/');
	if (slash)
		df_buf_add(&tmp, path, (size_t)(slash - path) + 1);
	df_buf_addf(&tmp, ".%s.dfopt-XXXXXX", slash ? slash + 1 : path);
	int out = mkstemp(tmp.buf);
	if (out < 0) {
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		df_buf_release(&tmp);
		return -1;
	}
	int e = df_write_durable(out, data, len, mode);
	/* link(), not rename(): a file someone made there meanwhile stays. */
	if (!e && link(tmp.buf, path) < 0)
		e = errno;
	unlink(tmp.buf);
	if (e) {
		df_buf_addf(err, "cannot write '%s': %s", path, strerror(e));
		df_buf_release(&tmp);
		return -1;
	}
	df_sync_parent_dir(path);
	df_buf_release(&tmp);
	return 0;
}
