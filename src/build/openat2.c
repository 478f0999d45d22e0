/* openat2.c - openat2(2), resolved by hand where it is missing; see openat2.h. */
#include "build/openat2.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/buf.h"

/* Symlinks followed in one resolution: the kernel's limit. */
#define OA_MAX_LINKS 40

int df_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how;
	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = resolve;
	int fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof how);
	if (fd < 0 && errno == ENOSYS)
		return df_openat2_walk(dirfd, path, flags, resolve);
	return fd;
}

/* A resolution in progress: the directory reached, and its path under the
 * base, which holds no symlink and no "..". */
typedef struct oa_walk {
	int base;		/* where the resolution is scoped to (borrowed) */
	int cur;		/* the directory reached, O_PATH (owned) */
	df_buf done;		/* its path under base: names joined by '/' ("": base) */
	df_buf todo;		/* what is left to resolve, from pos on */
	size_t pos;
	bool in_root;		/* RESOLVE_IN_ROOT: "/" and ".." stop at the base */
	bool no_symlinks;
	int links;		/* symlinks followed so far */
} oa_walk;

/* Back to the base: an absolute path or symlink target in the root. */
static int to_base(oa_walk *w)
{
	int fd = openat(w->base, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	close(w->cur);
	w->cur = fd;
	df_buf_reset(&w->done);
	return 0;
}

/* Up one level. ".." itself is never opened (a directory moved out of the
 * base meanwhile would lead out of it): the directory is reopened from the
 * base along done, without following symlinks; a component that is no
 * longer a directory means a rename raced the walk (EAGAIN). */
static int up(oa_walk *w)
{
	if (!w->done.len) {
		if (w->in_root)
			return 0;
		errno = EXDEV;
		return -1;
	}
	char *slash = strrchr(w->done.buf, '/');
	w->done.len = slash ? (size_t)(slash - w->done.buf) : 0;
	w->done.buf[w->done.len] = '\0';
	int fd = openat(w->base, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *s = df_buf_str(&w->done);
	while (fd >= 0 && *s) {
		char name[NAME_MAX + 1];
		size_t n = strcspn(s, "/");	/* <= NAME_MAX: opened before */
		memcpy(name, s, n);
		name[n] = '\0';
		int next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			errno = EAGAIN;
		close(fd);
		fd = next;
		s += n + (s[n] == '/');
	}
	if (fd < 0)
		return -1;
	close(w->cur);
	w->cur = fd;
	return 0;
}

/* Resolve what is left from the start of a path: absolute paths begin at
 * the base in the root, and leave a RESOLVE_BENEATH directory. */
static int start(oa_walk *w)
{
	w->pos = 0;
	if (df_buf_str(&w->todo)[0] != '/')
		return 0;
	if (!w->in_root) {
		errno = EXDEV;
		return -1;
	}
	return to_base(w);
}

/* name in cur is a symlink: what is left becomes its target then rest. */
static int follow(oa_walk *w, const char *name, const char *rest)
{
	if (w->no_symlinks || ++w->links > OA_MAX_LINKS) {
		errno = ELOOP;
		return -1;
	}
	char target[PATH_MAX];
	ssize_t n = readlinkat(w->cur, name, target, sizeof target);
	if (n < 0) {
		if (errno == EINVAL)	/* no longer a symlink */
			errno = EAGAIN;
		return -1;
	}
	if ((size_t)n == sizeof target) {
		errno = ENAMETOOLONG;
		return -1;
	}
	df_buf next = DF_BUF_INIT;
	df_buf_add(&next, target, (size_t)n);
	df_buf_adds(&next, rest);
	df_buf_release(&w->todo);
	w->todo = next;
	return start(w);
}

/* The last component, name in cur: opened as asked; a symlink there is
 * followed (1: continue the walk) unless flags hold O_NOFOLLOW. */
static int open_last(oa_walk *w, const char *name, int flags, int *fd)
{
	bool follows = !(flags & O_NOFOLLOW);
	*fd = openat(w->cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
	if (!follows)
		return 0;
	struct stat st;
	if (*fd >= 0) {
		/* O_PATH | O_NOFOLLOW opens a symlink itself */
		if (!(flags & O_PATH) || fstat(*fd, &st) < 0 || !S_ISLNK(st.st_mode))
			return 0;
		close(*fd);
		*fd = -1;
	} else {
		int e = errno;
		if ((e != ELOOP && e != ENOTDIR) || fstatat(w->cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISLNK(st.st_mode)) {
			errno = e;
			return 0;
		}
	}
	return follow(w, name, "") < 0 ? -1 : 1;
}

int df_openat2_walk(int dirfd, const char *path, int flags, uint64_t resolve)
{
	const uint64_t known = RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	if (!(resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))) {
		if (!resolve)
			return openat(dirfd, *path ? path : ".", flags | O_CLOEXEC);
		errno = ENOSYS;
		return -1;
	}
	if ((resolve & ~known) || (flags & O_CREAT)) {
		errno = ENOSYS;
		return -1;
	}
	oa_walk w = { .base = dirfd, .done = DF_BUF_INIT, .todo = DF_BUF_INIT };
	w.in_root = resolve & RESOLVE_IN_ROOT;
	w.no_symlinks = resolve & RESOLVE_NO_SYMLINKS;
	int fd = -1;
	w.cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w.cur < 0)
		goto out;
	df_buf_adds(&w.todo, path);
	if (start(&w) < 0)
		goto out;
	for (;;) {
		const char *s = df_buf_str(&w.todo) + w.pos;
		while (*s == '/')
			s++;
		if (!*s) {
			/* the path ends at a directory: ".", "..", a trailing '/' */
			fd = openat(w.cur, ".", flags | O_CLOEXEC);
			break;
		}
		size_t n = strcspn(s, "/");
		const char *rest = s + n;
		w.pos = (size_t)(rest - df_buf_str(&w.todo));
		if (n == 1 && s[0] == '.')
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (up(&w) < 0)
				break;
			continue;
		}
		if (n > NAME_MAX) {
			errno = ENAMETOOLONG;
			break;
		}
		char name[NAME_MAX + 1];
		memcpy(name, s, n);
		name[n] = '\0';
		if (!*rest) {
			int r = open_last(&w, name, flags, &fd);
			if (r <= 0)
				break;
			continue;
		}
		int next = openat(w.cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			break;
		struct stat st;
		if (fstat(next, &st) < 0) {
			int e = errno;
			close(next);
			errno = e;
			break;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
			close(next);
			errno = ENOTDIR;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			close(next);
			/* rest is in todo, which follow() replaces: copy it first */
			df_buf r = DF_BUF_INIT;
			df_buf_adds(&r, rest);
			int rc = follow(&w, name, df_buf_str(&r));
			df_buf_release(&r);
			if (rc < 0)
				break;
			continue;
		}
		close(w.cur);
		w.cur = next;
		if (w.done.len)
			df_buf_addc(&w.done, '/');
		df_buf_adds(&w.done, name);
	}
out:;
	int e = errno;
	if (w.cur >= 0)
		close(w.cur);
	df_buf_release(&w.done);
	df_buf_release(&w.todo);
	errno = e;
	return fd;
}
