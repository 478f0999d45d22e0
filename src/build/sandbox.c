/*
 * sandbox.c - RUN steps and root file system access in Linux namespaces;
 * see sandbox.h.
 *
 * Processes: the caller (P) forks a helper (C) that unshares the
 * namespaces and mounts everything; for RUN, C forks the command (G), the
 * first process of the new pid namespace, so the command is pid 1 as in a
 * container. C waits for G, takes the mount points it made back out of the
 * upper dir, and reports G's status to P. C and G die with P
 * (PR_SET_PDEATHSIG), and all mounts live in C's mount namespace: a killed
 * build leaves no mounts behind.
 *
 * Scratch: P makes an empty directory "<dirname(upper)>/.sbx-XXXXXX" and
 * removes it when C is gone. C mounts a tmpfs on it holding:
 *   0, 1, ...   symlinks to the lower dirs, u and w to upper and work:
 *               the overlay's option string stays short whatever the
 *               paths (mount(2) takes one page of options), so the
 *               overlayfs limit of 500 layers is the only limit;
 *   e           an empty lower when there are no layers;
 *   root        where the overlay is mounted;
 *   src, s0...  the read-only source overlay (df_sandbox_with_root);
 *   hosts ...   the per-run copies bind-mounted at /etc/hosts and such.
 *
 * Paths inside the root are resolved with openat2(RESOLVE_IN_ROOT), so a
 * symlink in the image cannot send a mount or a created mount point to the
 * host; mounts then target the resolved directory through
 * /proc/self/fd/N.
 *
 * Reports from C and G to P travel on a close-on-exec pipe as records:
 * 'E' message '\0' (setup failed: the run is an error) or 'S' status '\0'.
 */
#include "build/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <grp.h>

#include "util/util.h"
#include "util/file.h"

#define OVL_MAX_LAYERS 500	/* the kernel's OVL_MAX_STACK */
#define LINE_MAX_BYTES 65536	/* longer output lines are split */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- reports from the children ------------------------------------------ */

static void report(int fd, char kind, const char *text)
{
	df_buf b = DF_BUF_INIT;
	df_buf_addc(&b, kind);
	df_buf_adds(&b, text);
	df_buf_addc(&b, '\0');
	df_write_all(fd, b.buf, b.len);
	df_buf_release(&b);
}

/* Report err as a setup failure and end this child. */
static _Noreturn void fail(int fd, const df_buf *err)
{
	report(fd, 'E', err->len ? err->buf : "sandbox setup failed");
	_exit(125);
}

static int sys_err(df_buf *err, const char *what, const char *path)
{
	int e = errno;
	df_buf_addf(err, "%s '%s': %s", what, path, strerror(e));
	errno = e;
	return -1;
}

/* ---- the scratch tmpfs and the overlay ------------------------------------ */

typedef struct sbx_child sbx_child;
static char *abs_path(const sbx_child *c, const char *p);

/* The state of one helper (C): the scratch mount and the merged root. */
struct sbx_child {
	const df_sandbox *sb;
	char *scratch;		/* the tmpfs: "<dirname(upper)>/.sbx-XXXXXX" */
	char *root;		/* scratch/root: the merged tree */
	char *cwd;		/* the caller's: relative paths of sb are from there */
	char *upper;		/* sb->upper, absolute */
	int rootfd;		/* O_PATH of root, after the overlay mount */
	df_buf err;
	/* mount points made for this run, to take back out of the upper */
	struct made { char *rel; bool dir; } *made;
	size_t nmade, made_cap;
	/* existing dirs copied up because a mount point was made in them */
	struct parent {
		char *rel;
		struct stat st;
		df_buf xattrs;	/* sorted "name\0value\0" pairs, overlay's own left out */
		bool in_upper;	/* already in the upper dir before the run */
	} *parents;
	size_t nparents, parents_cap;
};

/* Link scratch/<prefix><i> to each of dirs, top layer (the last) first in
 * opts as overlayfs wants. */
static int link_lowers(sbx_child *c, const char *prefix, const char *const *dirs, size_t n, df_buf *opts)
{
	char name[32];
	for (size_t i = n; i-- > 0;) {
		snprintf(name, sizeof(name), "%s%zu", prefix, i);
		char *dir = abs_path(c, dirs[i]);
		int rc = symlink(dir, name);
		free(dir);
		if (rc < 0)
			return sys_err(&c->err, "cannot link layer", dirs[i]);
		if (i != n - 1)
			df_buf_addc(opts, ':');
		df_buf_adds(opts, name);
	}
	return 0;
}

/* Mount the tmpfs on the scratch dir and the overlay of sb on scratch/root;
 * the cwd is left in the tmpfs (the option string's paths are relative to
 * it). */
static int mount_root(sbx_child *c)
{
	const df_sandbox *sb = c->sb;
	if (sb->nlowers > OVL_MAX_LAYERS) {
		df_buf_addf(&c->err, "%zu layers: overlayfs stacks at most %d", sb->nlowers, OVL_MAX_LAYERS);
		return -1;
	}
	if (mount("dfopt-sandbox", c->scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=700") < 0)
		return sys_err(&c->err, "cannot mount a tmpfs on", c->scratch);
	if (chdir(c->scratch) < 0)
		return sys_err(&c->err, "cannot enter", c->scratch);
	df_buf opts = DF_BUF_INIT;
	df_buf_adds(&opts, "lowerdir=");
	int rc = -1;
	if (sb->nlowers == 0) {
		/* overlayfs needs a lower: an empty one is a root that starts empty */
		if (mkdir("e", 0755) < 0) {
			sys_err(&c->err, "cannot create", "e");
			goto out;
		}
		df_buf_adds(&opts, "e");
	} else if (link_lowers(c, "", sb->lowers, sb->nlowers, &opts) < 0) {
		goto out;
	}
	char *u = abs_path(c, sb->upper), *w = abs_path(c, sb->work);
	int linked = symlink(u, "u") == 0 && symlink(w, "w") == 0;
	free(u);
	free(w);
	if (!linked) {
		sys_err(&c->err, "cannot link", sb->upper);
		goto out;
	}
	if (mkdir("root", 0755) < 0) {
		sys_err(&c->err, "cannot create", c->root);
		goto out;
	}
	/* The upper dir must be a plain change set (layer.h): no renamed
	 * directories recorded as redirects, no metadata-only copies. */
	df_buf_adds(&opts, ",upperdir=u,workdir=w,redirect_dir=off,index=off,metacopy=off");
	if (mount("overlay", "root", "overlay", 0, opts.buf) < 0) {
		df_buf_addf(&c->err, "cannot mount the overlay of '%s' (%zu layers): %s", sb->upper, sb->nlowers,
			    strerror(errno));
		goto out;
	}
	c->rootfd = open("root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0) {
		sys_err(&c->err, "cannot open", c->root);
		goto out;
	}
	rc = 0;
out:
	df_buf_release(&opts);
	return rc;
}

/* Mount src's layers read-only on scratch/src (df_sandbox_with_root). */
static int mount_src(sbx_child *c, const df_sandbox *src, char **src_root)
{
	*src_root = NULL;
	if (src->nlowers > OVL_MAX_LAYERS) {
		df_buf_addf(&c->err, "%zu layers: overlayfs stacks at most %d", src->nlowers, OVL_MAX_LAYERS);
		return -1;
	}
	if (mkdir("src", 0755) < 0)
		return sys_err(&c->err, "cannot create", "src");
	df_buf path = DF_BUF_INIT;
	df_buf_addf(&path, "%s/src", c->scratch);
	int rc = 0;
	if (src->nlowers >= 2) {
		df_buf opts = DF_BUF_INIT;
		df_buf_adds(&opts, "lowerdir=");
		rc = link_lowers(c, "s", src->lowers, src->nlowers, &opts);
		if (rc == 0 && mount("overlay", "src", "overlay", MS_RDONLY, opts.buf) < 0)
			rc = sys_err(&c->err, "cannot mount the read-only overlay of", src->lowers[0]);
		df_buf_release(&opts);
	} else {
		/* overlayfs wants two lowers when there is no upper: bind the
		 * one layer (or the empty dir) read-only instead */
		char *from = src->nlowers ? abs_path(c, src->lowers[0]) : df_xstrdup("src");
		if (mount(from, "src", NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, "src", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			rc = sys_err(&c->err, "cannot bind read-only", from);
		free(from);
	}
	if (rc == 0)
		*src_root = df_buf_detach(&path, NULL);
	df_buf_release(&path);
	return rc;
}

/* ---- paths inside the root --------------------------------------------- */

static int open_in_root(int rootfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof(how));
}

/* The path of fd relative to the root ("" for the root), from its link in
 * /proc: symlinks in the image are resolved, as the upper dir holds them. */
static char *rel_of(const sbx_child *c, int fd)
{
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return NULL;
	path[n] = '\0';
	size_t rl = strlen(c->root);
	if ((size_t)n < rl || memcmp(path, c->root, rl) != 0 || (path[rl] && path[rl] != '/'))
		return NULL;
	return df_xstrdup(path[rl] ? path + rl + 1 : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The extended attributes of path, except overlayfs's own, sorted, as
 * "name\0value\0" pairs. */
static void xattrs_of(const char *path, df_buf *out)
{
	char names[65536];
	ssize_t n = llistxattr(path, names, sizeof(names));
	if (n <= 0)
		return;
	char *list[1024];
	size_t k = 0;
	for (char *p = names; p < names + n && k < DF_ARRAY_LEN(list); p += strlen(p) + 1)
		if (strncmp(p, "trusted.overlay.", 16) != 0)
			list[k++] = p;
	qsort(list, k, sizeof(*list), cmp_str);
	for (size_t i = 0; i < k; i++) {
		char val[65536];
		ssize_t v = lgetxattr(path, list[i], val, sizeof(val));
		df_buf_add(out, list[i], strlen(list[i]) + 1);
		if (v > 0)
			df_buf_add(out, val, (size_t)v);
		df_buf_addc(out, '\0');
	}
}

/* Remember rel and the dirs above it: making something in it copies them
 * up into the upper dir. */
static void note_parents(sbx_child *c, const char *rel)
{
	df_buf path = DF_BUF_INIT;
	char *r = df_xstrdup(rel);
	while (*r) {
		bool seen = false;
		for (size_t i = 0; i < c->nparents && !seen; i++)
			seen = strcmp(c->parents[i].rel, r) == 0;
		if (!seen) {
			void *p = c->parents;
			df_grow(&p, &c->parents_cap, c->nparents + 1, sizeof(*c->parents));
			c->parents = p;
			struct parent *e = &c->parents[c->nparents++];
			memset(e, 0, sizeof(*e));
			e->rel = df_xstrdup(r);
			df_buf_reset(&path);
			df_buf_addf(&path, "%s/%s", c->root, r);
			if (lstat(path.buf, &e->st) < 0)
				e->in_upper = true;	/* unknown: never prune it */
			xattrs_of(path.buf, &e->xattrs);
			df_buf_reset(&path);
			df_buf_addf(&path, "%s/%s", c->upper, r);
			struct stat st;
			if (lstat(path.buf, &st) == 0)
				e->in_upper = true;
		}
		char *slash = strrchr(r, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(r);
	df_buf_release(&path);
}

static void note_made(sbx_child *c, char *rel, bool dir)
{
	void *p = c->made;
	df_grow(&p, &c->made_cap, c->nmade + 1, sizeof(*c->made));
	c->made = p;
	c->made[c->nmade].rel = rel;
	c->made[c->nmade++].dir = dir;
}

/*
 * An O_PATH fd of target (absolute in the root) for a mount, made when
 * missing: directories, and a last empty file when file is true. What is
 * made is noted for cleanup(). -1 with a message.
 */
static int make_target(sbx_child *c, const char *target, bool file)
{
	int fd = open_in_root(c->rootfd, target, O_PATH);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return sys_err(&c->err, "cannot resolve mount target", target);
	/* walk down, making what is missing */
	int dirfd = open_in_root(c->rootfd, "", O_PATH | O_DIRECTORY);
	const char *p = target;
	while (dirfd >= 0) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		const char *rest = p + len;
		while (*rest == '/')
			rest++;
		bool last = *rest == '\0';
		if (len == 0) {
			fd = dirfd;	/* target was "/" */
			break;
		}
		char *name = df_xstrndup(p, len);
		int next = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		bool dots = strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
		if (dots || (next >= 0 && fstat(next, &st) == 0 && S_ISLNK(st.st_mode))) {
			/* a link in the image, or "..": resolve inside the root */
			if (next >= 0)
				close(next);
			df_buf sub = DF_BUF_INIT;
			df_buf_add(&sub, target, (size_t)(p + len - target));
			next = open_in_root(c->rootfd, sub.buf, O_PATH);
			df_buf_release(&sub);
		} else if (next < 0 && errno == ENOENT) {
			char *parent = rel_of(c, dirfd);
			if (!parent) {
				errno = EXDEV;
			} else {
				note_parents(c, parent);
				int made = file && last ? openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
								 O_CLOEXEC, 0644)
							: mkdirat(dirfd, name, 0755);
				if (made >= 0) {
					if (file && last)
						close(made);
					df_buf rel = DF_BUF_INIT;
					df_buf_addf(&rel, "%s%s%s", parent, *parent ? "/" : "", name);
					note_made(c, df_buf_detach(&rel, NULL), !(file && last));
					next = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
				}
			}
			free(parent);
		}
		free(name);
		close(dirfd);
		if (next < 0 || last) {
			fd = next;
			break;
		}
		dirfd = next;
		p = rest;
	}
	if (fd < 0)
		return sys_err(&c->err, "cannot create mount target", target);
	return fd;
}

/* mount(2) on the fd's directory: the magic link names exactly it. */
static int mount_fd(const char *source, int fd, const char *type, unsigned long flags, const char *data)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	return mount(source, link, type, flags, data);
}

/* Remount target (resolved again: it is now the mount's root) read-only. */
static int remount_ro(sbx_child *c, const char *target, unsigned long flags)
{
	int fd = open_in_root(c->rootfd, target, O_PATH);
	if (fd < 0)
		return sys_err(&c->err, "cannot resolve", target);
	int rc = mount_fd(NULL, fd, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | flags, NULL);
	close(fd);
	return rc < 0 ? sys_err(&c->err, "cannot make read-only", target) : 0;
}

/* Bind host path source (absolute) at target in the root. */
static int bind_at_abs(sbx_child *c, const char *source, const char *target, bool readonly)
{
	struct stat st;
	if (stat(source, &st) < 0)
		return sys_err(&c->err, "cannot bind", source);
	int src = open(source, O_PATH | O_CLOEXEC);
	if (src < 0)
		return sys_err(&c->err, "cannot open", source);
	int fd = make_target(c, target, !S_ISDIR(st.st_mode));
	if (fd < 0) {
		close(src);
		return -1;
	}
	char from[64];
	snprintf(from, sizeof(from), "/proc/self/fd/%d", src);
	int rc = mount_fd(from, fd, NULL, MS_BIND | MS_REC, NULL);
	if (rc < 0)
		sys_err(&c->err, "cannot bind-mount", source);
	close(src);
	close(fd);
	if (rc == 0 && readonly)
		rc = remount_ro(c, target, MS_NOSUID | MS_NODEV);
	return rc;
}

/* Bind host path source at target in the root. */
static int bind_at(sbx_child *c, const char *source_arg, const char *target, bool readonly)
{
	char *source = abs_path(c, source_arg);
	int rc = bind_at_abs(c, source, target, readonly);
	free(source);
	return rc;
}

/* Write data as scratch/name with mode and owner (a per-run file to bind). */
static char *scratch_file(sbx_child *c, const char *name, const char *data, size_t len, mode_t mode, uid_t uid,
			  gid_t gid)
{
	df_buf path = DF_BUF_INIT;
	df_buf_addf(&path, "%s/%s", c->scratch, name);
	int fd = open(path.buf, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0) {
		sys_err(&c->err, "cannot write", path.buf);
		if (fd >= 0)
			close(fd);
		df_buf_release(&path);
		return NULL;
	}
	df_write_all(fd, data, len);
	close(fd);
	return df_buf_detach(&path, NULL);
}

/* Read a host file whole (small ones: /etc/hosts, secrets); -1 when it
 * cannot be read. */
static int slurp(const char *path, df_buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char chunk[8192];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && out->len < (64u << 20))
		df_buf_add(out, chunk, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The minimal /dev: a tmpfs with the host's harmless device nodes bound
 * in, a private devpts, a tmpfs /dev/shm and the fd links. */
static int setup_dev(sbx_child *c)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
	};
	int fd = make_target(c, "/dev", false);
	if (fd < 0)
		return -1;
	int rc = mount_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME, "mode=755,size=65536k");
	close(fd);
	if (rc < 0)
		return sys_err(&c->err, "cannot mount a tmpfs on", "/dev");
	int dev = open_in_root(c->rootfd, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		return sys_err(&c->err, "cannot open", "/dev");
	rc = 0;
	for (size_t i = 0; i < DF_ARRAY_LEN(nodes) && rc == 0; i++) {
		char host[32];
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		int f = openat(dev, nodes[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0) {
			rc = sys_err(&c->err, "cannot create", host);
			break;
		}
		close(f);
		f = openat(dev, nodes[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (f < 0 || mount_fd(host, f, NULL, MS_BIND, NULL) < 0)
			rc = sys_err(&c->err, "cannot bind-mount", host);
		if (f >= 0)
			close(f);
	}
	for (size_t i = 0; i < DF_ARRAY_LEN(links) && rc == 0; i++)
		if (symlinkat(links[i][1], dev, links[i][0]) < 0)
			rc = sys_err(&c->err, "cannot create /dev/", links[i][0]);
	const struct { const char *name, *type, *data; unsigned long flags; } fs[] = {
		{ "pts", "devpts", "newinstance,ptmxmode=0666,mode=0620", MS_NOSUID | MS_NOEXEC },
		{ "shm", "tmpfs", "mode=1777,size=65536k", MS_NOSUID | MS_NODEV | MS_NOEXEC },
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(fs) && rc == 0; i++) {
		int f = -1;
		if (mkdirat(dev, fs[i].name, 0755) < 0 ||
		    (f = openat(dev, fs[i].name, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		    mount_fd(fs[i].type, f, fs[i].type, fs[i].flags, fs[i].data) < 0)
			rc = sys_err(&c->err, "cannot mount /dev/", fs[i].name);
		if (f >= 0)
			close(f);
	}
	close(dev);
	return rc;
}

/* /etc/hosts, /etc/resolv.conf, /etc/hostname: per-run copies bound over
 * the image's (or over an empty file made for it, taken out afterwards),
 * so that neither the host's files nor writes to them reach the layer. */
static int setup_etc(sbx_child *c, const char *hostname)
{
	df_buf data = DF_BUF_INIT;
	int rc = 0;
	for (int i = 0; i < 3 && rc == 0; i++) {
		static const char *const names[] = { "hosts", "resolv.conf", "hostname" };
		df_buf_reset(&data);
		if (i == 2) {
			df_buf_addf(&data, "%s\n", hostname);
		} else {
			df_buf host = DF_BUF_INIT;
			df_buf_addf(&host, "/etc/%s", names[i]);
			if (slurp(host.buf, &data) < 0 && i == 0)
				df_buf_adds(&data, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
			df_buf_release(&host);
		}
		char *copy = scratch_file(c, names[i], data.buf ? data.buf : "", data.len, 0644, 0, 0);
		if (!copy) {
			rc = -1;
			break;
		}
		df_buf target = DF_BUF_INIT;
		df_buf_addf(&target, "/etc/%s", names[i]);
		/* an image whose /etc/hosts cannot be mounted over (a dangling
		 * link, a directory) runs without ours */
		if (bind_at(c, copy, target.buf, false) < 0)
			df_buf_reset(&c->err);
		df_buf_release(&target);
		free(copy);
	}
	df_buf_release(&data);
	return rc;
}

/* The extra mounts of sb (RUN --mount), in their order. */
static int setup_mounts(sbx_child *c)
{
	const df_sandbox *sb = c->sb;
	for (size_t i = 0; i < sb->nmounts; i++) {
		const df_sbx_mount *m = &sb->mounts[i];
		if (!m->target || m->target[0] != '/') {
			df_buf_addf(&c->err, "mount target '%s' is not absolute", m->target ? m->target : "");
			return -1;
		}
		if (m->type == DF_SBX_TMPFS) {
			int fd = make_target(c, m->target, false);
			if (fd < 0)
				return -1;
			int rc = mount_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NODEV | (m->readonly ? MS_RDONLY : 0), NULL);
			close(fd);
			if (rc < 0)
				return sys_err(&c->err, "cannot mount a tmpfs on", m->target);
			continue;
		}
		struct stat st;
		if (stat(m->source, &st) < 0)
			return sys_err(&c->err, "cannot bind", m->source);
		if (!S_ISDIR(st.st_mode) && (m->mode || m->uid || m->gid)) {
			/* a secret with its own owner and mode: a copy, never the
			 * host file changed */
			df_buf data = DF_BUF_INIT, name = DF_BUF_INIT;
			if (slurp(m->source, &data) < 0) {
				df_buf_release(&data);
				return sys_err(&c->err, "cannot read", m->source);
			}
			df_buf_addf(&name, "m%zu", i);
			char *copy = scratch_file(c, name.buf, data.buf ? data.buf : "", data.len,
						  m->mode ? (mode_t)(m->mode & 07777) : (st.st_mode & 07777), m->uid, m->gid);
			df_buf_release(&data);
			df_buf_release(&name);
			int rc = copy ? bind_at(c, copy, m->target, m->readonly) : -1;
			free(copy);
			if (rc < 0)
				return -1;
			continue;
		}
		if (bind_at(c, m->source, m->target, m->readonly) < 0)
			return -1;
	}
	return 0;
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static size_t depth(const char *rel)
{
	size_t n = 0;
	for (; *rel; rel++)
		n += *rel == '/';
	return n;
}

static int cmp_parent_depth(const void *a, const void *b)
{
	size_t da = depth(((const struct parent *)a)->rel), db = depth(((const struct parent *)b)->rel);
	return da < db ? 1 : da > db ? -1 : 0;
}

/*
 * After the run, with the overlay unmounted: take the mount points made
 * for it back out of the upper dir (an empty dir or file is ours; one the
 * command filled is kept), then the dirs that were copied up only because
 * of them: still empty in the upper, not opaque, owner, mode and xattrs
 * as before the run. Their mtimes do not count: layers stamp one epoch.
 */
static void cleanup(sbx_child *c)
{
	df_buf path = DF_BUF_INIT;
	for (size_t i = c->nmade; i-- > 0;) {
		df_buf_reset(&path);
		df_buf_addf(&path, "%s/%s", c->upper, c->made[i].rel);
		struct stat st;
		if (c->made[i].dir)
			rmdir(path.buf);
		else if (lstat(path.buf, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
			unlink(path.buf);
	}
	qsort(c->parents, c->nparents, sizeof(*c->parents), cmp_parent_depth);
	for (size_t i = 0; i < c->nparents; i++) {
		const struct parent *p = &c->parents[i];
		if (p->in_upper)
			continue;
		df_buf_reset(&path);
		df_buf_addf(&path, "%s/%s", c->upper, p->rel);
		struct stat st;
		char opq[4];
		if (lstat(path.buf, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_mode != p->st.st_mode ||
		    st.st_uid != p->st.st_uid || st.st_gid != p->st.st_gid || !dir_is_empty(path.buf) ||
		    lgetxattr(path.buf, "trusted.overlay.opaque", opq, sizeof(opq)) >= 0)
			continue;
		df_buf now = DF_BUF_INIT;
		xattrs_of(path.buf, &now);
		if (now.len == p->xattrs.len && (now.len == 0 || memcmp(now.buf, p->xattrs.buf, now.len) == 0))
			rmdir(path.buf);
		df_buf_release(&now);
	}
	df_buf_release(&path);
}

/* ---- the command (G) ------------------------------------------------------ */

typedef struct sbx_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[NGROUPS_MAX > 256 ? 256 : NGROUPS_MAX];
	size_t ngroups;
	char home[PATH_MAX];
} sbx_user;

static bool parse_id(const char *s, unsigned long *out)
{
	if (!*s)
		return false;
	unsigned long v = 0;
	for (; *s; s++) {
		if (!df_is_digit((unsigned char)*s) || v > (UINT32_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/* Split a passwd or group line into at most max ':' fields; the count. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		char *colon = strchr(line, ':');
		if (!colon)
			break;
		*colon = '\0';
		line = colon + 1;
	}
	return n;
}

/* An image's passwd or group file, when it is a regular file: a link to
 * /dev/zero or a FIFO would never end. */
static FILE *open_db(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/*
 * Resolve USER against the root's /etc/passwd and /etc/group (read here,
 * never through the host's NSS): name or uid, then an optional group name
 * or gid; supplementary groups are those of /etc/group listing the name.
 * A uid without an entry gets gid 0 and home "/"; a name without one is an
 * error, as in Docker.
 */
static int resolve_user(const char *spec, sbx_user *u, df_buf *err)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->home, "/");
	char *user = df_xstrdup(spec && *spec ? spec : "root");
	char *group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	unsigned long id = 0;
	bool numeric = parse_id(user, &id);
	bool found = false;
	char *name = NULL, *line = NULL;
	size_t cap = 0;
	FILE *f = open_db("/etc/passwd");
	while (f && !found && getline(&line, &cap, f) > 0) {
		char *fl[7];
		unsigned long uid = 0, gid = 0;
		if (split_fields(line, fl, 7) < 7 || !parse_id(fl[2], &uid) || !parse_id(fl[3], &gid))
			continue;
		if (numeric ? uid == id : strcmp(fl[0], user) == 0) {
			found = true;
			u->uid = (uid_t)uid;
			u->gid = (gid_t)gid;
			name = df_xstrdup(fl[0]);
			snprintf(u->home, sizeof(u->home), "%s", *fl[5] ? fl[5] : "/");
		}
	}
	if (f)
		fclose(f);
	int rc = 0;
	if (!found && numeric) {
		u->uid = (uid_t)id;
	} else if (!found && strcmp(user, "root") != 0) {
		df_buf_addf(err, "user '%s' is not in the image's /etc/passwd", user);
		rc = -1;
		goto out;
	}
	bool gnumeric = group && parse_id(group, &id);
	if (gnumeric)
		u->gid = (gid_t)id;
	bool gfound = gnumeric || !group;
	f = open_db("/etc/group");
	while (f && getline(&line, &cap, f) > 0) {
		char *fl[4];
		unsigned long gid = 0;
		size_t nf = split_fields(line, fl, 4);
		if (nf < 3 || !parse_id(fl[2], &gid))
			continue;
		if (group && !gnumeric && strcmp(fl[0], group) == 0 && !gfound) {
			gfound = true;
			u->gid = (gid_t)gid;
		}
		if (!name || nf < 4)
			continue;
		for (char *m = fl[3], *tok; m && (tok = strsep(&m, ","));)
			if (strcmp(tok, name) == 0 && u->ngroups < DF_ARRAY_LEN(u->groups))
				u->groups[u->ngroups++] = (gid_t)gid;
	}
	if (f)
		fclose(f);
	if (!gfound) {
		df_buf_addf(err, "group '%s' is not in the image's /etc/group", group);
		rc = -1;
	}
out:
	free(line);
	free(name);
	free(user);
	return rc;
}

static const char *env_get(const char *const *env, const char *name)
{
	const char *v = NULL;
	size_t n = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			v = env[i] + n + 1;
	return v;
}

/* execve argv with argv[0] looked up in the PATH of env, as execvp does but
 * without a shell fallback; returns the errno that counts when it fails. */
static int exec_path(const char *const *argv, char *const *env)
{
	if (strchr(argv[0], '/')) {
		execve(argv[0], (char *const *)argv, env);
		return errno;
	}
	const char *path = env_get((const char *const *)env, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	int e = ENOENT;
	df_buf file = DF_BUF_INIT;
	for (const char *p = path;; p++) {
		size_t len = strcspn(p, ":");
		df_buf_reset(&file);
		df_buf_add(&file, p, len);
		if (len)
			df_buf_addc(&file, '/');
		df_buf_adds(&file, argv[0]);
		execve(file.buf, (char *const *)argv, env);
		if (errno == EACCES)
			e = EACCES;
		else if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG) {
			e = errno;
			break;
		}
		p += len;
		if (!*p)
			break;
	}
	df_buf_release(&file);
	return e;
}

/* Bring the loopback interface of a new network namespace up. */
static int loopback_up(df_buf *err)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	int rc = s < 0 ? -1 : ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (rc < 0)
		df_buf_addf(err, "cannot bring up the loopback interface: %s", strerror(errno));
	if (s >= 0)
		close(s);
	return rc;
}

/* G: pid 1 of the new pid namespace. Mounts /proc (it must be done from
 * inside the namespace), enters the root and execs the command. Does not
 * return. */
static _Noreturn void run_command(sbx_child *c, int status_fd, int out_fd)
{
	const df_sandbox *sb = c->sb;
	df_buf *err = &c->err;
	int fd = open_in_root(c->rootfd, "/proc", O_PATH);
	if (fd < 0 || mount_fd("proc", fd, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		sys_err(err, "cannot mount", "/proc");
		fail(status_fd, err);
	}
	close(fd);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) {
		sys_err(err, "cannot set up the standard streams of", sb->argv[0]);
		fail(status_fd, err);
	}
	if (chdir(c->root) < 0 || chroot(".") < 0) {
		sys_err(err, "cannot change root to", c->root);
		fail(status_fd, err);
	}
	const char *host = sb->hostname && *sb->hostname ? sb->hostname : "dfopt";
	if (sethostname(host, strlen(host)) < 0) {
		sys_err(err, "cannot set hostname", host);
		fail(status_fd, err);
	}
	sbx_user u;
	if (resolve_user(sb->user, &u, err) < 0)
		fail(status_fd, err);
	/* WORKDIR: made (as root, like Docker) when missing */
	const char *cwd = sb->cwd && *sb->cwd ? sb->cwd : "/";
	df_buf dir = DF_BUF_INIT;
	for (const char *p = cwd;; p++) {
		if (*p == '/' || !*p) {
			if (dir.len && mkdir(dir.buf, 0755) < 0 && errno != EEXIST) {
				sys_err(err, "cannot create working directory", cwd);
				fail(status_fd, err);
			}
			if (!*p)
				break;
		}
		df_buf_addc(&dir, *p);
	}
	df_buf_release(&dir);
	if (chdir(cwd) < 0) {
		sys_err(err, "cannot enter working directory", cwd);
		fail(status_fd, err);
	}
	if (setgroups(u.ngroups, u.groups) < 0 || setgid(u.gid) < 0 || setuid(u.uid) < 0) {
		df_buf_addf(err, "cannot switch to user '%s': %s", sb->user ? sb->user : "", strerror(errno));
		fail(status_fd, err);
	}
	/* The environment as given, plus HOME from passwd when it lacks one
	 * (as container runtimes do). */
	size_t n = 0;
	while (sb->env && sb->env[n])
		n++;
	char **env = df_xcalloc(n + 2, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		env[i] = (char *)sb->env[i];
	if (!env_get(sb->env, "HOME")) {
		df_buf h = DF_BUF_INIT;
		df_buf_addf(&h, "HOME=%s", u.home);
		env[n++] = df_buf_detach(&h, NULL);
	}
	/* nothing of the builder's leaks into the command */
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
	int e = exec_path(sb->argv, env);
	/* not a setup failure: the step fails as it would in a shell */
	dprintf(2, "dfopt: %s: %s\n", sb->argv[0], e == ENOENT ? "command not found" : strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* ---- C: namespaces, mounts, wait, cleanup --------------------------------- */

static void child_init(sbx_child *c, const df_sandbox *sb, char *scratch)
{
	memset(c, 0, sizeof(*c));
	c->sb = sb;
	c->scratch = scratch;
	df_buf r = DF_BUF_INIT;
	df_buf_addf(&r, "%s/root", scratch);
	c->root = df_buf_detach(&r, NULL);
	c->rootfd = -1;
	c->cwd = getcwd(NULL, 0);
	c->upper = abs_path(c, sb->upper);
}

/* p as an absolute path: the helper works from the scratch dir. */
static char *abs_path(const sbx_child *c, const char *p)
{
	df_buf b = DF_BUF_INIT;
	if (p[0] != '/' && c->cwd)
		df_buf_addf(&b, "%s/", c->cwd);
	df_buf_adds(&b, p);
	return df_buf_detach(&b, NULL);
}

/* Die with the parent; the namespaces; private mounts. */
static int enter_namespaces(sbx_child *c, int flags, pid_t parent)
{
	/* what the builder may have changed: the helper waits for its
	 * child, and mount points and WORKDIR get Docker's modes */
	signal(SIGCHLD, SIG_DFL);
	umask(022);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) {
		df_buf_adds(&c->err, "the builder went away");
		return -1;
	}
	if (unshare(flags) < 0) {
		df_buf_addf(&c->err, "cannot create namespaces: %s%s", strerror(errno),
			    errno == EPERM ? " (building needs root)" : "");
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		df_buf_addf(&c->err, "cannot make mounts private: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static _Noreturn void run_child(sbx_child *c, pid_t parent, int status_fd, int out_fd)
{
	const df_sandbox *sb = c->sb;
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (sb->network_none ? CLONE_NEWNET : 0);
	if (enter_namespaces(c, flags, parent) < 0 || (sb->network_none && loopback_up(&c->err) < 0) ||
	    mount_root(c) < 0)
		fail(status_fd, &c->err);
	/* made before /dev and /etc so that mounts come in a fixed order */
	int fd = make_target(c, "/proc", false);
	if (fd < 0)
		fail(status_fd, &c->err);
	close(fd);
	if (setup_dev(c) < 0 || setup_etc(c, sb->hostname && *sb->hostname ? sb->hostname : "dfopt") < 0 ||
	    setup_mounts(c) < 0) {
		/* take out what was made so far: the upper is the caller's */
		umount2(c->root, MNT_DETACH);
		cleanup(c);
		fail(status_fd, &c->err);
	}
	pid_t g = fork();
	if (g == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(125);
		run_command(c, status_fd, out_fd);
	}
	close(out_fd);
	if (g < 0) {
		sys_err(&c->err, "cannot start", sb->argv[0]);
		fail(status_fd, &c->err);
	}
	int ws;
	while (waitpid(g, &ws, 0) < 0)
		if (errno != EINTR) {
			sys_err(&c->err, "cannot wait for", sb->argv[0]);
			fail(status_fd, &c->err);
		}
	/* pid 1 has exited: the kernel has killed what it left behind, so
	 * nothing holds the overlay any more */
	chdir("/");
	if (umount2(c->root, MNT_DETACH) < 0) {
		sys_err(&c->err, "cannot unmount", c->root);
		fail(status_fd, &c->err);
	}
	cleanup(c);
	char num[16];
	snprintf(num, sizeof(num), "%d", WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
	report(status_fd, 'S', num);
	_exit(0);
}

/* ---- P: the caller ----------------------------------------------------- */

/* "<dirname(upper)>/.sbx-XXXXXX", made, absolute and free of symlinks (the
 * helper compares it with what /proc/self/fd shows). */
static char *make_scratch(const char *upper, df_buf *err)
{
	if (!upper || !*upper) {
		df_buf_adds(err, "sandbox: no upper directory");
		return NULL;
	}
	char *up = df_xstrdup(upper);
	size_t len = strlen(up);
	while (len > 1 && up[len - 1] == '/')
		up[--len] = '\0';
	char *slash = strrchr(up, '/');
	const char *parent = ".";
	if (slash == up)
		parent = "/";
	else if (slash) {
		*slash = '\0';
		parent = up;
	}
	char *real = realpath(parent, NULL);
	if (!real) {
		sys_err(err, "cannot resolve", parent);
		free(up);
		return NULL;
	}
	df_buf path = DF_BUF_INIT;
	df_buf_addf(&path, "%s/.sbx-XXXXXX", strcmp(real, "/") == 0 ? "" : real);
	free(real);
	free(up);
	if (!mkdtemp(path.buf)) {
		sys_err(err, "cannot create a scratch directory beside", upper);
		df_buf_release(&path);
		return NULL;
	}
	return df_buf_detach(&path, NULL);
}

/* Copy what the command prints to sb->out_fd, line by line, prefixed. */
typedef struct sbx_lines {
	const df_sandbox *sb;
	df_buf line;
	int write_errno;
} sbx_lines;

static void emit_line(sbx_lines *l)
{
	df_buf out = DF_BUF_INIT;
	df_buf_adds(&out, l->sb->prefix ? l->sb->prefix : "");
	df_buf_add(&out, l->line.buf ? l->line.buf : "", l->line.len);
	df_buf_addc(&out, '\n');
	const char *p = out.buf;
	size_t n = out.len;
	while (n && !l->write_errno) {
		ssize_t w = write(l->sb->out_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			l->write_errno = w < 0 ? errno : EIO;
		else {
			p += w;
			n -= (size_t)w;
		}
	}
	df_buf_release(&out);
	df_buf_reset(&l->line);
}

static void feed_lines(sbx_lines *l, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n' || l->line.len >= LINE_MAX_BYTES) {
			emit_line(l);
			if (data[i] == '\n')
				continue;
		}
		df_buf_addc(&l->line, data[i]);
	}
}

/* Read fd to its end into out. */
static void drain(int fd, df_buf *out)
{
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len < (1u << 20))
			df_buf_add(out, chunk, (size_t)n);
	}
}

/* The first 'E' record, or the 'S' status; -1 with the message for E or
 * for no record at all. */
static int parse_reports(const df_buf *r, int ws, int *status, df_buf *err)
{
	const char *s = NULL;
	for (size_t at = 0; r->buf && at < r->len; at += strlen(r->buf + at) + 1) {
		if (r->buf[at] == 'E') {
			df_buf_adds(err, r->buf + at + 1);
			return -1;
		}
		if (r->buf[at] == 'S' && !s)
			s = r->buf + at + 1;
	}
	if (!s) {
		df_buf_addf(err, "sandbox helper died (%s %d) before reporting",
			    WIFSIGNALED(ws) ? "signal" : "exit status", WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
		return -1;
	}
	if (status)
		*status = atoi(s);
	return 0;
}

static int wait_child(pid_t pid)
{
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return ws;
}

int df_sandbox_run(const df_sandbox *sb, int *status, df_buf *err)
{
	if (!sb->argv || !sb->argv[0] || !sb->argv[0][0]) {
		df_buf_adds(err, "sandbox: empty command");
		return -1;
	}
	char *scratch = make_scratch(sb->upper, err);
	if (!scratch)
		return -1;
	int rep[2], out[2];
	if (pipe2(rep, O_CLOEXEC) < 0) {
		sys_err(err, "cannot create a pipe for", sb->argv[0]);
		rmdir(scratch);
		free(scratch);
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		sys_err(err, "cannot create a pipe for", sb->argv[0]);
		close(rep[0]);
		close(rep[1]);
		rmdir(scratch);
		free(scratch);
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(rep[0]);
		close(out[0]);
		sbx_child c;
		child_init(&c, sb, scratch);
		run_child(&c, parent, rep[1], out[1]);
	}
	close(rep[1]);
	close(out[1]);
	int rc = -1;
	if (pid < 0) {
		sys_err(err, "cannot start a sandbox for", sb->argv[0]);
	} else {
		/* the output first: the reports are small and never fill their
		 * pipe, the command's output may */
		sbx_lines l = { sb, DF_BUF_INIT, 0 };
		char chunk[8192];
		for (;;) {
			ssize_t n = read(out[0], chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			feed_lines(&l, chunk, (size_t)n);
		}
		if (l.line.len)
			emit_line(&l);
		df_buf reports = DF_BUF_INIT;
		drain(rep[0], &reports);
		int ws = wait_child(pid);
		rc = parse_reports(&reports, ws, status, err);
		if (rc == 0 && l.write_errno) {
			df_buf_addf(err, "cannot write the output of '%s': %s", sb->argv[0], strerror(l.write_errno));
			rc = -1;
		}
		df_buf_release(&reports);
		df_buf_release(&l.line);
	}
	close(rep[0]);
	close(out[0]);
	rmdir(scratch);
	free(scratch);
	return rc;
}

int df_sandbox_with_root(const df_sandbox *sb, const df_sandbox *src,
			 int (*fn)(void *arg, const char *root, const char *src_root, df_buf *err), void *arg,
			 df_buf *err)
{
	char *scratch = make_scratch(sb->upper, err);
	if (!scratch)
		return -1;
	int rep[2];
	if (pipe2(rep, O_CLOEXEC) < 0) {
		sys_err(err, "cannot create a pipe in", scratch);
		rmdir(scratch);
		free(scratch);
		return -1;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(rep[0]);
		sbx_child c;
		child_init(&c, sb, scratch);
		char *src_root = NULL;
		if (enter_namespaces(&c, CLONE_NEWNS, parent) < 0 || mount_root(&c) < 0 ||
		    (src && mount_src(&c, src, &src_root) < 0))
			fail(rep[1], &c.err);
		chdir("/");
		int rc = fn(arg, c.root, src_root, &c.err);
		if (rc < 0)
			fail(rep[1], &c.err);
		report(rep[1], 'S', "0");
		_exit(0);
	}
	close(rep[1]);
	int rc = -1;
	if (pid < 0) {
		sys_err(err, "cannot start a sandbox in", scratch);
	} else {
		df_buf reports = DF_BUF_INIT;
		drain(rep[0], &reports);
		rc = parse_reports(&reports, wait_child(pid), NULL, err);
		df_buf_release(&reports);
	}
	close(rep[0]);
	rmdir(scratch);
	free(scratch);
	return rc;
}

/* The probe's child: an overlay in a throwaway mount namespace. */
static _Noreturn void probe(const char *dir, int fd)
{
	df_buf err = DF_BUF_INIT, opts = DF_BUF_INIT, m = DF_BUF_INIT;
	if (unshare(CLONE_NEWNS) < 0) {
		df_buf_addf(&err, "cannot create a mount namespace: %s%s", strerror(errno),
			    errno == EPERM ? " (building needs root)" : "");
		fail(fd, &err);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		df_buf_addf(&err, "cannot make mounts private: %s", strerror(errno));
		fail(fd, &err);
	}
	df_buf_addf(&opts, "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w,redirect_dir=off,index=off,metacopy=off",
		    dir, dir, dir);
	df_buf_addf(&m, "%s/m", dir);
	if (mount("overlay", m.buf, "overlay", 0, opts.buf) < 0) {
		df_buf_addf(&err, "cannot mount an overlay in '%s': %s", dir, strerror(errno));
		fail(fd, &err);
	}
	report(fd, 'S', "0");
	_exit(0);
}

bool df_sandbox_available(df_buf *why)
{
	if (geteuid() != 0) {
		df_buf_adds(why, "building needs root (mount namespaces and overlayfs)");
		return false;
	}
	const char *tmp = getenv("TMPDIR");
	df_buf dir = DF_BUF_INIT;
	df_buf_addf(&dir, "%s/dfopt-probe-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir.buf)) {
		sys_err(why, "cannot create", dir.buf);
		df_buf_release(&dir);
		return false;
	}
	static const char *const subs[] = { "l", "u", "w", "m" };
	df_buf p = DF_BUF_INIT;
	for (size_t i = 0; i < DF_ARRAY_LEN(subs); i++) {
		df_buf_reset(&p);
		df_buf_addf(&p, "%s/%s", dir.buf, subs[i]);
		mkdir(p.buf, 0700);
	}
	int rep[2];
	bool ok = false;
	if (pipe2(rep, O_CLOEXEC) < 0) {
		sys_err(why, "cannot create a pipe in", dir.buf);
	} else {
		pid_t pid = fork();
		if (pid == 0) {
			close(rep[0]);
			probe(dir.buf, rep[1]);
		}
		close(rep[1]);
		if (pid < 0) {
			sys_err(why, "cannot probe in", dir.buf);
		} else {
			df_buf reports = DF_BUF_INIT;
			drain(rep[0], &reports);
			ok = parse_reports(&reports, wait_child(pid), NULL, why) == 0;
			df_buf_release(&reports);
		}
		close(rep[0]);
	}
	/* the work dir holds an empty "work" subdir after a mount */
	df_buf_reset(&p);
	df_buf_addf(&p, "%s/w/work", dir.buf);
	rmdir(p.buf);
	for (size_t i = 0; i < DF_ARRAY_LEN(subs); i++) {
		df_buf_reset(&p);
		df_buf_addf(&p, "%s/%s", dir.buf, subs[i]);
		rmdir(p.buf);
	}
	rmdir(dir.buf);
	df_buf_release(&p);
	df_buf_release(&dir);
	return ok;
}
