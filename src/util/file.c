/* file.c - whole-file input; see file.h. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What one read asks for when the size is not known. */
#define READ_CHUNK 65536

int df_read_input(const char *path, size_t max, df_buf *out, df_buf *err)
{
	int fd = 0;
	size_t chunk = READ_CHUNK;
	bool is_stdin = strcmp(path, "-") == 0;
	if (!is_stdin) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
			return -1;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			df_buf_addf(err, "cannot read '%s': Is a directory", path);
			close(fd);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			df_buf_addf(err, "cannot read '%s': not a regular file", path);
			close(fd);
			return -1;
		}
		if ((size_t)st.st_size > max) {
			df_buf_addf(err, "cannot read '%s': file is too large (%lld bytes, the limit is %zu)",
				    path, (long long)st.st_size, max);
			close(fd);
			return -1;
		}
		/* O_NONBLOCK stays: regular files ignore it. */
		chunk = (size_t)st.st_size + 1;
	}
	/* Straight into out: a regular file in one read of its size plus one
	 * byte (a short read is its end; a full one means it grew, and the
	 * loop goes on), stdin in chunks. */
	for (;;) {
		df_buf_grow(out, chunk);
		ssize_t n = read(fd, out->buf + out->len, chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			df_buf_addf(err, "cannot read '%s': %s", is_stdin ? "<stdin>" : path, strerror(errno));
			if (!is_stdin)
				close(fd);
			return -1;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			out->buf[out->len] = '\0';
			df_buf_addf(err, "cannot read '%s': input is too large (the limit is %zu bytes)",
				    is_stdin ? "<stdin>" : path, max);
			if (!is_stdin)
				close(fd);
			return -1;
		}
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (!is_stdin && (size_t)n < chunk)
			break;
		chunk = READ_CHUNK;
	}
	if (!is_stdin)
		close(fd);
	return 0;
}
