/*
 * copy.c - COPY and ADD: the plan of what the sources select, the writes
 * into the step's root, and the content checksum of the plan.
 *
 * Both df_copy_apply() and the checksum start from the same plan: one item
 * per entry to write, with where it is read (a directory fd of the source
 * side plus a path under it) and where it lands (a path under the
 * destination directory). So what the checksum covers is by construction
 * what a copy writes.
 *
 * Every path is opened with openat2() (build/openat2.h, which resolves
 * by hand where the call is missing): on the source side beneath a
 * directory already resolved and without following symlinks (the walk saw
 * real directories; a swap after it fails instead of leading elsewhere), on
 * the destination side with RESOLVE_IN_ROOT from the root, so symlinks in
 * the root resolve as they would inside the container and never out of it.
 *
 * Checksums with a hash cache (hashcache.h) stat a context file before
 * reading it and read it only when the cache does not know that stat;
 * those reads are done ahead, a window of items at a time, on a few
 * threads, while the walk itself stays in order and single-threaded.
 */
#include "build/copy.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "build/openat2.h"
#include "context/glob.h"
#include "context/ignore.h"
#include "util/util.h"

/* A /etc/passwd or /etc/group larger than this is refused. */
#define CP_MAX_IDFILE (8u << 20)
/* Symlinks followed while resolving one source path in the context. */
#define CP_MAX_LINKS 40
/* Entries and depth of a walk of a stage's directory (the context has its own). */
#define CP_MAX_ENTRIES DF_CONTEXT_MAX_ENTRIES
#define CP_MAX_DEPTH DF_CONTEXT_MAX_DEPTH
/* What hashing reads at a time: large enough that the hashing, not the
 * system calls, sets the speed; small enough to stay in the CPU's cache
 * between the copy and the hash (1 MiB measured 2-3x the system time). */
#define CP_HASH_CHUNK (256u << 10)
/* Items whose files a window of parallel hashing covers, and the threads
 * it uses at most: context hashing is CPU-bound once the files are in the
 * page cache, and SHA-256 runs on one core per stream. */
#define CP_WINDOW 512u
#define CP_MAX_THREADS 4
/* The kept-from offset of a source without --parents. */
#define NOPAR SIZE_MAX

typedef struct cp_item {
	int base;		/* index into plan.fds: the directory src is under, or the entry itself when src is NULL */
	char *src;		/* path under the base, opened without following symlinks; NULL: the base itself */
	char *dst;		/* path under the destination directory; "" the destination itself */
	char *shown;		/* path relative to the source root, for the manifest */
	uint32_t mode;		/* st_mode as selected */
	bool root_file;		/* a non-directory a source named: may land on the destination itself */
	bool follow;		/* src is resolved from the base through symlinks, inside it (a stage's root) */
	const df_copy_heredoc *hd;
} cp_item;

typedef struct cp_plan {
	cp_item *items;
	size_t len, cap;
	int *fds;		/* owned */
	size_t nfds, fdcap;
	bool dir_dest;		/* the sources alone make the destination a directory */
	size_t nroots;		/* entries the sources named or matched */
	bool from_ctx;		/* sources are the build context's (owners count as 0:0) */
	df_ignore *exclude;	/* --exclude patterns, or NULL */
	/* The last source directory opened, as items come in walk order:
	 * siblings reuse it instead of resolving the path again. */
	int cache_base, cache_fd;
	df_buf cache_path;
	df_hashcache *hashes;	/* the request's, for context sources only; or NULL */
	unsigned char *chunk;	/* CP_HASH_CHUNK bytes for hashing, allocated on first use */
	struct cp_pre *pre;	/* digests of the current window's files, hashed ahead; or NULL */
	size_t pre_from, pre_len;	/* the items pre covers */
} cp_plan;

/* A regular file's content digest computed ahead of the walk in order,
 * with the stat it was made for; the walk uses it only when its own
 * (safely resolved) lstat of the item is the same. */
typedef struct cp_pre {
	bool ok;
	bool fresh;		/* read (not from the hash cache): put it there */
	struct stat st;
	struct timespec at;	/* when its hashing began */
	df_digest d;
} cp_pre;

static const char *verb(const df_copy_req *r)
{
	return r->is_add ? "ADD" : "COPY";
}

static int xopenat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	int fd;
	/* EAGAIN: a rename raced a RESOLVE_IN_ROOT lookup; retry a few times */
	int tries = 0;
	do
		fd = df_openat2(dirfd, path, flags, resolve);
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	return fd;
}

/* Beneath a resolved source directory, no symlinks on the way. */
#define RES_SRC (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
/* In the destination root, as the container would see it. */
#define RES_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static void plan_release(cp_plan *p)
{
	for (size_t i = 0; i < p->len; i++) {
		free(p->items[i].src);
		free(p->items[i].dst);
		free(p->items[i].shown);
	}
	free(p->items);
	for (size_t i = 0; i < p->nfds; i++)
		close(p->fds[i]);
	free(p->fds);
	df_ignore_free(p->exclude);
	if (p->cache_fd >= 0)
		close(p->cache_fd);
	df_buf_release(&p->cache_path);
	free(p->chunk);
	free(p->pre);
	memset(p, 0, sizeof(*p));
	p->cache_fd = -1;
}

static int plan_fd(cp_plan *p, int fd)
{
	df_grow((void **)&p->fds, &p->fdcap, p->nfds + 1, sizeof(*p->fds));
	p->fds[p->nfds] = fd;
	return (int)p->nfds++;
}

/* dst is joined from prefix and rest ('/' between when both are set). */
static char *join(const char *prefix, const char *rest)
{
	df_buf b = DF_BUF_INIT;
	df_buf_adds(&b, prefix);
	if (*prefix && *rest)
		df_buf_addc(&b, '/');
	df_buf_adds(&b, rest);
	if (!b.buf)
		return df_xstrdup("");
	return df_buf_detach(&b, NULL);
}

static void plan_add(cp_plan *p, int base, const char *src, char *dst, const char *shown, uint32_t mode,
		     bool root_file)
{
	/* --exclude speaks of paths as they land under the destination; a
	 * directory excluded takes what is under it along. */
	if (p->exclude && *dst && df_ignore_match(p->exclude, dst)) {
		free(dst);
		return;
	}
	df_grow((void **)&p->items, &p->cap, p->len + 1, sizeof(*p->items));
	cp_item *it = &p->items[p->len++];
	memset(it, 0, sizeof(*it));
	it->base = base;
	it->src = src ? df_xstrdup(src) : NULL;
	it->dst = dst;
	it->shown = df_xstrdup(shown);
	it->mode = mode;
	it->root_file = root_file;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The source cleaned to a path relative to the source root, and with
 * --parents the part of it whose components are kept ("a/./b/c" keeps
 * "b/c"; without a "/./" pivot the whole path is kept). */
static void split_source(const char *src, bool parents, df_buf *path, size_t *keep_from)
{
	df_buf tmp = DF_BUF_INIT;
	const char *pivot = parents ? strstr(src, "/./") : NULL;
	df_buf_reset(path);
	*keep_from = parents ? 0 : NOPAR;
	if (pivot) {
		df_path_clean(&tmp, src, (size_t)(pivot - src));
		const char *t = df_buf_str(&tmp);
		while (*t == '/')
			t++;
		if (strcmp(t, ".") != 0) {
			df_buf_adds(path, t);
			*keep_from = path->len + 1;
		}
		df_buf_reset(&tmp);
		src = pivot + 1;
	}
	df_path_clean(&tmp, src, strlen(src));
	const char *t = df_buf_str(&tmp);
	while (*t == '/')
		t++;
	if (strcmp(t, ".") != 0 && *t) {
		if (path->len)
			df_buf_addc(path, '/');
		df_buf_adds(path, t);
	} else if (path->len) {
		*keep_from = path->len + 1;
	}
	df_buf_release(&tmp);
}

/* Where the entry at path (relative to the source root) lands: below the
 * matched root's parent, or with --parents below the pivot. */
static char *dst_of(const char *path, size_t cut)
{
	size_t n = strlen(path);
	return df_xstrdup(cut >= n ? "" : path + cut);
}

/* --- the build context -------------------------------------------------- */

/* Resolve path in the context, following symlinks the way a scoped lookup
 * in the context root does ('..' and absolute targets stay inside it). The
 * kept entry, or NULL. */
static const df_ctx_entry *ctx_resolve(const df_context *ctx, int ctxfd, const char *path)
{
	df_buf todo = DF_BUF_INIT, cur = DF_BUF_INIT, next = DF_BUF_INIT;
	const df_ctx_entry *e = NULL;
	df_buf_adds(&todo, path);
	for (int hops = 0; hops <= CP_MAX_LINKS; hops++) {
		/* walk todo's components until one is a symlink */
		df_buf_reset(&cur);
		const char *p = df_buf_str(&todo);
		const char *link_rest = NULL;
		e = NULL;
		while (*p) {
			const char *slash = strchr(p, '/');
			size_t n = slash ? (size_t)(slash - p) : strlen(p);
			if (cur.len)
				df_buf_addc(&cur, '/');
			df_buf_add(&cur, p, n);
			p += n + (slash ? 1 : 0);
			e = df_context_find(ctx, cur.buf);
			if (!e)
				goto out;
			if (e->type == DF_CTX_SYMLINK) {
				link_rest = p;
				break;
			}
			if (*p && e->type != DF_CTX_DIR) {
				e = NULL;
				goto out;
			}
		}
		if (!link_rest)
			goto out;
		char target[4096];
		const char *slash = strrchr(cur.buf, '/');
		char *parent = df_xstrndup(cur.buf, slash ? (size_t)(slash - cur.buf) : 0);
		int pfd = xopenat2(ctxfd, parent, O_PATH | O_DIRECTORY, RES_SRC);
		free(parent);
		ssize_t n = pfd < 0 ? -1 : readlinkat(pfd, slash ? slash + 1 : cur.buf, target, sizeof(target) - 1);
		if (pfd >= 0)
			close(pfd);
		if (n < 0) {
			e = NULL;
			goto out;
		}
		target[n] = '\0';
		df_buf_reset(&next);
		if (target[0] != '/') {
			if (slash)
				df_buf_add(&next, cur.buf, (size_t)(slash - cur.buf));
		}
		df_buf_addc(&next, '/');
		df_buf_adds(&next, target);
		if (*link_rest) {
			df_buf_addc(&next, '/');
			df_buf_adds(&next, link_rest);
		}
		/* clean as rooted: '..' cannot climb above the context */
		df_buf_reset(&todo);
		df_path_clean(&todo, next.buf, next.len);
		memmove(todo.buf, todo.buf + 1, todo.len);
		todo.len--;
	}
	e = NULL;
out:
	df_buf_release(&todo);
	df_buf_release(&cur);
	df_buf_release(&next);
	return e;
}

/* Put the context entry e, which the source path named resolves to, and
 * what is under it into the plan; cut is where the kept part of named
 * starts (NOPAR: only the name of a non-directory is kept). */
static void ctx_add_root(cp_plan *p, const df_context *ctx, const df_ctx_entry *e, const char *named, size_t cut)
{
	size_t idx = (size_t)(e - ctx->entries);
	/* With --parents the directories between the pivot and the root come
	 * along, as they are in the context. */
	if (cut != NOPAR && cut < strlen(named)) {
		df_buf pre = DF_BUF_INIT;
		for (const char *s = strchr(named + cut, '/'); s; s = strchr(s + 1, '/')) {
			df_buf_reset(&pre);
			df_buf_add(&pre, named, (size_t)(s - named));
			const df_ctx_entry *d = df_context_find(ctx, pre.buf);
			if (d && d->type == DF_CTX_DIR)
				plan_add(p, 0, d->path, dst_of(d->path, cut), d->path, d->mode, false);
		}
		df_buf_release(&pre);
	}
	if (e->type != DF_CTX_DIR) {
		char *dst = cut != NOPAR ? dst_of(named, cut) : df_xstrdup(base_name(named));
		plan_add(p, 0, e->path, dst, e->path, e->mode, true);
		return;
	}
	/* a directory brings its contents; its own metadata goes on the
	 * directory they land in */
	char *rootdst = dst_of(named, cut);
	size_t before = p->len, elen = strlen(e->path);
	plan_add(p, 0, e->path, df_xstrdup(rootdst), e->path, e->mode, false);
	if (p->len > before)
		for (size_t i = idx + 1; i <= idx + e->ndesc; i++) {
			const df_ctx_entry *c = &ctx->entries[i];
			plan_add(p, 0, c->path, join(rootdst, c->path + elen + 1), c->path, c->mode, false);
		}
	free(rootdst);
}

static void not_found(const df_copy_req *r, const char *src, df_buf *err)
{
	df_buf_addf(err, "%s failed: file not found in build context or excluded by .dockerignore: stat %s: "
		    "file does not exist", verb(r), src);
}

static int ctx_plan_source(cp_plan *p, const df_copy_req *r, int ctxfd, const char *src, df_buf *err)
{
	const df_context *ctx = r->ctx;
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	df_buf path = DF_BUF_INIT, scratch = DF_BUF_INIT;
	size_t keep;
	int rc = -1;
	split_source(src, r->parents, &path, &keep);
	if (df_context_select(ctx, path.len ? path.buf : ".", &sel, err) < 0)
		goto out;
	bool wild = df_glob_has_meta(path.buf ? path.buf : "");
	/* a literal source the selection misses may still lie behind a
	 * symlinked directory: ctx_resolve() below decides */
	if (!wild && sel.roots && sel.roots == sel.ignored) {
		not_found(r, src, err);
		goto out;
	}
	p->nroots += wild ? sel.roots - sel.ignored : 1;
	if (path.len == 0) {
		/* the whole context: its root is no entry, the destination keeps
		 * its own metadata */
		for (size_t i = 0; i < ctx->len; i++)
			plan_add(p, 0, ctx->entries[i].path, df_xstrdup(ctx->entries[i].path),
				 ctx->entries[i].path, ctx->entries[i].mode, false);
		rc = 0;
		goto out;
	}
	if (!wild) {
		const df_ctx_entry *e = ctx_resolve(ctx, ctxfd, path.buf);
		if (!e) {
			not_found(r, src, err);
			goto out;
		}
		/* a source named through a symlink lands under its own name */
		ctx_add_root(p, ctx, e, path.buf, keep);
		rc = 0;
		goto out;
	}
	/* each component a filepath.Match pattern against the names at its level */
	size_t ncomp = 1;
	for (size_t i = 0; i < path.len; i++)
		ncomp += path.buf[i] == '/';
	for (size_t i = 0; i < ctx->len; i++) {
		const df_ctx_entry *e = &ctx->entries[i];
		if (e->depth + 1 != ncomp)
			continue;
		const char *pc = path.buf, *ec = e->path;
		bool ok = true;
		while (ok && *pc) {
			const char *ps = strchr(pc, '/'), *es = strchr(ec, '/');
			size_t pn = ps ? (size_t)(ps - pc) : strlen(pc), en = es ? (size_t)(es - ec) : strlen(ec);
			df_buf_reset(&scratch);
			df_buf_add(&scratch, pc, pn);
			df_buf_addc(&scratch, '\0');
			df_buf_add(&scratch, ec, en);
			ok = df_glob_match(scratch.buf, scratch.buf + pn + 1, NULL) == 1;
			pc += pn + (ps ? 1 : 0);
			ec += en + (es ? 1 : 0);
		}
		if (!ok)
			continue;
		const df_ctx_entry *t = e;
		if (e->type == DF_CTX_SYMLINK && !(t = ctx_resolve(ctx, ctxfd, e->path)))
			continue;
		ctx_add_root(p, ctx, t, e->path, keep);
	}
	rc = 0;
out:
	df_ctx_selection_release(&sel);
	df_buf_release(&path);
	df_buf_release(&scratch);
	return rc;
}

/* --- a stage's root ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd (consumed), sorted; -1 on error. */
static int list_dir(int fd, char ***names, size_t *n)
{
	DIR *d = fdopendir(fd);
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	if (!d) {
		close(fd);
		return -1;
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		df_grow((void **)names, &cap, *n + 1, sizeof(**names));
		(*names)[(*n)++] = df_xstrdup(de->d_name);
	}
	int saved = errno;
	closedir(d);
	if (saved) {
		errno = saved;
		return -1;
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Walk the directory at rel under base (depth first, names in byte order),
 * adding what is under it; its entries land at dst/... */
static int stage_walk(cp_plan *p, int base, const char *rel, const char *dst, const char *shown, unsigned depth,
		      df_buf *err)
{
	if (depth > CP_MAX_DEPTH) {
		df_buf_addf(err, "'%s': deeper than %u levels", shown, CP_MAX_DEPTH);
		return -1;
	}
	int fd = xopenat2(p->fds[base], rel, O_RDONLY | O_DIRECTORY, RES_SRC);
	char **names;
	size_t n;
	if (fd < 0 || list_dir(fd, &names, &n) < 0) {
		df_buf_addf(err, "cannot read directory '%s': %s", shown, strerror(errno));
		return -1;
	}
	int dfd = xopenat2(p->fds[base], rel, O_PATH | O_DIRECTORY, RES_SRC);
	int rc = dfd < 0 ? -1 : 0;
	if (dfd < 0)
		df_buf_addf(err, "cannot open '%s': %s", shown, strerror(errno));
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *crel = join(rel, names[i]), *cdst = join(dst, names[i]), *cshown = join(shown, names[i]);
		struct stat st;
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			df_buf_addf(err, "cannot stat '%s': %s", cshown, strerror(errno));
			rc = -1;
		} else if (p->len >= CP_MAX_ENTRIES) {
			df_buf_addf(err, "'%s': more than %u entries", shown, CP_MAX_ENTRIES);
			rc = -1;
		} else {
			plan_add(p, base, crel, df_xstrdup(cdst), cshown, st.st_mode, false);
			if (S_ISDIR(st.st_mode))
				rc = stage_walk(p, base, crel, cdst, cshown, depth + 1, err);
		}
		free(crel);
		free(cdst);
		free(cshown);
	}
	if (dfd >= 0)
		close(dfd);
	free_names(names, n);
	return rc;
}

/* One path of the stage's root that a source named or matched. */
static int stage_add_root(cp_plan *p, int rootfd, const char *path, size_t keep, bool wild, const df_copy_req *r,
			  df_buf *err)
{
	/* the root itself is followed through symlinks, inside the stage */
	int fd = xopenat2(rootfd, path, O_PATH, RES_ROOT);
	if (fd < 0) {
		if (wild && errno == ENOENT)
			return 0;
		if (errno == ENOENT || errno == ENOTDIR)
			df_buf_addf(err, "%s failed: \"/%s\": not found", verb(r), path);
		else
			df_buf_addf(err, "%s failed: cannot open \"/%s\": %s", verb(r), path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		df_buf_addf(err, "%s failed: cannot stat \"/%s\": %s", verb(r), path, strerror(errno));
		close(fd);
		return -1;
	}
	p->nroots++;
	if (keep != NOPAR && keep < strlen(path)) {
		/* --parents: the directories on the way, as the stage has them */
		df_buf pre = DF_BUF_INIT;
		for (const char *s = strchr(path + keep, '/'); s; s = strchr(s + 1, '/')) {
			df_buf_reset(&pre);
			df_buf_add(&pre, path, (size_t)(s - path));
			int dfd = xopenat2(rootfd, pre.buf, O_PATH | O_DIRECTORY, RES_ROOT);
			struct stat ds;
			size_t before = p->len;
			if (dfd >= 0 && fstat(dfd, &ds) == 0)
				plan_add(p, 0, pre.buf, dst_of(pre.buf, keep), pre.buf, ds.st_mode, false);
			if (p->len > before)
				p->items[p->len - 1].follow = true;
			if (dfd >= 0)
				close(dfd);
		}
		df_buf_release(&pre);
	}
	if (!S_ISDIR(st.st_mode)) {
		/* opened again by path when read: a wildcard may match more
		 * files than a process may hold open */
		close(fd);
		char *dst = keep != NOPAR ? dst_of(path, keep) : df_xstrdup(base_name(path));
		size_t before = p->len;
		plan_add(p, 0, path, dst, path, st.st_mode, true);
		if (p->len > before)
			p->items[p->len - 1].follow = true;
		return 0;
	}
	int base = plan_fd(p, fd);
	char *dst = dst_of(path, keep);
	size_t before = p->len;
	plan_add(p, base, NULL, dst, path, st.st_mode, false);
	if (p->len == before)
		return 0;	/* excluded, with all it holds */
	return stage_walk(p, base, "", p->items[p->len - 1].dst, path, 1, err);
}

static int stage_plan_source(cp_plan *p, const df_copy_req *r, int rootfd, const char *src, df_buf *err)
{
	df_buf path = DF_BUF_INIT;
	size_t keep;
	int rc = -1;
	split_source(src, r->parents, &path, &keep);
	const char *pat = df_buf_str(&path);
	if (!df_glob_has_meta(pat)) {
		rc = stage_add_root(p, rootfd, pat, keep, false, r, err);
		df_buf_release(&path);
		return rc;
	}
	/* expand the pattern one component at a time */
	char **cands = df_xmalloc(sizeof(*cands));
	size_t ncands = 1;
	cands[0] = df_xstrdup("");
	const char *c = pat;
	while (*c) {
		const char *slash = strchr(c, '/');
		char *comp = df_xstrndup(c, slash ? (size_t)(slash - c) : strlen(c));
		c += strlen(comp) + (slash ? 1 : 0);
		char **next = NULL;
		size_t nnext = 0, ncap = 0;
		size_t bad;
		if (df_glob_match(comp, "", &bad) < 0) {
			df_buf_addf(err, "%s failed: syntax error in pattern '%s'", verb(r), pat);
			free(comp);
			free_names(cands, ncands);
			goto out;
		}
		for (size_t i = 0; i < ncands; i++) {
			if (!df_glob_has_meta(comp)) {
				df_grow((void **)&next, &ncap, nnext + 1, sizeof(*next));
				next[nnext++] = join(cands[i], comp);
				continue;
			}
			int fd = xopenat2(rootfd, cands[i], O_RDONLY | O_DIRECTORY, RES_ROOT);
			char **names;
			size_t n;
			if (fd < 0 || list_dir(fd, &names, &n) < 0)
				continue;	/* not a directory: nothing matches under it */
			for (size_t k = 0; k < n; k++)
				if (df_glob_match(comp, names[k], NULL) == 1) {
					df_grow((void **)&next, &ncap, nnext + 1, sizeof(*next));
					next[nnext++] = join(cands[i], names[k]);
				}
			free_names(names, n);
		}
		free(comp);
		free_names(cands, ncands);
		cands = next;
		ncands = nnext;
	}
	rc = 0;
	for (size_t i = 0; i < ncands && rc == 0; i++)
		rc = stage_add_root(p, rootfd, cands[i], keep, true, r, err);
	free_names(cands, ncands);
out:
	df_buf_release(&path);
	return rc;
}

static bool is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* The plan of r: what its sources select, in order, with --exclude applied. */
static int plan_build(cp_plan *p, const df_copy_req *r, const char *src_root, df_buf *err)
{
	memset(p, 0, sizeof(*p));
	p->cache_fd = -1;
	if (r->nexcludes) {
		df_buf text = DF_BUF_INIT;
		for (size_t i = 0; i < r->nexcludes; i++) {
			df_buf_adds(&text, r->excludes[i]);
			df_buf_addc(&text, '\n');
		}
		df_buf msg = DF_BUF_INIT;
		int rc = df_ignore_compile("--exclude", text.buf, text.len, &p->exclude, &msg);
		if (rc < 0)
			df_buf_addf(err, "%s failed: %s", verb(r), df_buf_str(&msg));
		df_buf_release(&text);
		df_buf_release(&msg);
		if (rc < 0)
			return -1;
	}
	if (r->nheredocs) {
		p->dir_dest = r->nheredocs > 1;
		for (size_t i = 0; i < r->nheredocs; i++) {
			plan_add(p, -1, NULL, df_xstrdup(r->heredocs[i].name), r->heredocs[i].name, S_IFREG | 0644,
				 true);
			p->items[p->len - 1].hd = &r->heredocs[i];
			p->nroots++;
		}
		return 0;
	}
	if (r->nsources == 0) {
		df_buf_addf(err, "%s failed: no source files were specified", verb(r));
		return -1;
	}
	for (size_t i = 0; i < r->nsources; i++)
		if (r->is_add && is_url(r->sources[i])) {
			df_buf_adds(err, "ADD of a URL is not supported by dfopt build yet");
			return -1;
		}
	int rootfd = xopenat2(AT_FDCWD, src_root, O_PATH | O_DIRECTORY, 0);
	if (rootfd < 0) {
		df_buf_addf(err, "cannot open '%s': %s", src_root, strerror(errno));
		return -1;
	}
	plan_fd(p, rootfd);
	p->from_ctx = r->ctx != NULL;
	/* a stage's view is a fresh overlay mount each build: its inodes
	 * would only fill the cache */
	p->hashes = r->ctx ? r->hashes : NULL;
	p->dir_dest = r->nsources > 1 || r->parents;
	for (size_t i = 0; i < r->nsources; i++) {
		if (df_glob_has_meta(r->sources[i]))
			p->dir_dest = true;
		int rc = r->ctx ? ctx_plan_source(p, r, rootfd, r->sources[i], err)
				: stage_plan_source(p, r, rootfd, r->sources[i], err);
		if (rc < 0) {
			plan_release(p);
			return -1;
		}
	}
	if (p->nroots == 0) {
		df_buf_addf(err, "%s failed: no source files were specified", verb(r));
		plan_release(p);
		return -1;
	}
	/* a directory source makes the destination a directory */
	for (size_t i = 0; i < p->len; i++)
		if (!p->items[i].root_file && p->items[i].dst[0] == '\0')
			p->dir_dest = true;
	return 0;
}

/* Open the directory item it's source lies in into *dirfd (the caller
 * closes it); *name is the last component. -1 with errno. */
static int open_item_parent(cp_plan *p, const cp_item *it, int *dirfd, const char **name)
{
	const char *slash = strrchr(it->src, '/');
	size_t plen = slash ? (size_t)(slash - it->src) : 0;
	*name = slash ? slash + 1 : it->src;
	if (p->cache_fd >= 0 && p->cache_base == it->base && p->cache_path.len == plen &&
	    memcmp(df_buf_str(&p->cache_path), it->src, plen) == 0) {
		*dirfd = fcntl(p->cache_fd, F_DUPFD_CLOEXEC, 0);
		return *dirfd < 0 ? -1 : 0;
	}
	char *parent = df_xstrndup(it->src, plen);
	*dirfd = xopenat2(p->fds[it->base], parent, O_PATH | O_DIRECTORY, RES_SRC);
	free(parent);
	if (*dirfd < 0)
		return -1;
	if (p->cache_fd >= 0)
		close(p->cache_fd);
	p->cache_fd = fcntl(*dirfd, F_DUPFD_CLOEXEC, 0);
	p->cache_base = it->base;
	df_buf_reset(&p->cache_path);
	df_buf_add(&p->cache_path, it->src, plen);
	return 0;
}

/* Open item it's source: lstat it into *st; a regular file also open for
 * reading into *fd (unless fd is NULL: stat only), anything else leaves
 * *fd -1; *dirfd and *name locate it for readlinkat() or a later openat()
 * (else *dirfd is -1). The caller closes both. -1 with errno. */
static int item_open(cp_plan *p, const cp_item *it, struct stat *st, int *fd, int *dirfd, const char **name)
{
	int ignored;
	bool want_fd = fd != NULL;
	if (!fd)
		fd = &ignored;
	*fd = *dirfd = -1;
	*name = NULL;
	if (it->follow) {
		/* named in a stage's root: resolved there, symlinks followed */
		int o = xopenat2(p->fds[it->base], it->src, O_PATH, RES_ROOT);
		if (o < 0)
			return -1;
		int rc = fstat(o, st);
		close(o);
		if (rc < 0)
			return -1;
		if (S_ISREG(st->st_mode) && want_fd) {
			*fd = xopenat2(p->fds[it->base], it->src, O_RDONLY | O_NOCTTY | O_NONBLOCK, RES_ROOT);
			struct stat again;
			if (*fd >= 0 && (fstat(*fd, &again) < 0 || again.st_ino != st->st_ino)) {
				close(*fd);
				*fd = -1;
				errno = ESTALE;
			}
			return *fd < 0 ? -1 : 0;
		}
		return 0;
	}
	if (!it->src)
		return fstat(p->fds[it->base], st);
	if (open_item_parent(p, it, dirfd, name) < 0)
		return -1;
	if (fstatat(*dirfd, *name, st, AT_SYMLINK_NOFOLLOW) < 0)
		goto fail;
	if (S_ISREG(st->st_mode) && want_fd) {
		*fd = openat(*dirfd, *name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (*fd < 0)
			goto fail;
	}
	return 0;
fail:;
	int e = errno;
	close(*dirfd);
	*dirfd = -1;
	errno = e;
	return -1;
}

/* --- checksums ------------------------------------------------------------ */

/* The sha256 of fd's bytes into *out, read through chunk (CP_HASH_CHUNK
 * bytes); 0 or an errno value. */
static int hash_fd_with(unsigned char *chunk, int fd, df_digest *out)
{
	df_sha256 h;
	df_sha256_init(&h);
	off_t off = 0;
	int e = 0;
	for (;;) {
		ssize_t n = pread(fd, chunk, CP_HASH_CHUNK, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : 0;
			break;
		}
		df_sha256_update(&h, chunk, (size_t)n);
		off += n;
	}
	df_sha256_final(&h, out);
	return e;
}

static int hash_fd(cp_plan *p, int fd, df_digest *out)
{
	if (!p->chunk)
		p->chunk = df_xmalloc(CP_HASH_CHUNK);
	return hash_fd_with(p->chunk, fd, out);
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mode == b->st_mode && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The content digest of the regular file name in dirfd, which lstat gave
 * as *st: from the hash cache when it knows st, else read (and then
 * remembered, if the file stayed still while it was read). 0 or an errno
 * value. */
static int cached_content(cp_plan *p, size_t idx, int dirfd, const char *name, const struct stat *st,
			  df_digest *out)
{
	if (p->pre && idx >= p->pre_from && idx - p->pre_from < p->pre_len) {
		const cp_pre *pre = &p->pre[idx - p->pre_from];
		if (pre->ok && same_stat(&pre->st, st)) {
			*out = pre->d;
			if (pre->fresh)
				df_hashcache_put(p->hashes, st, out, &pre->at);
			return 0;
		}
	}
	if (df_hashcache_get(p->hashes, st, out))
		return 0;
	struct timespec at;
	clock_gettime(CLOCK_REALTIME, &at);
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno;
	struct stat before, after;
	int e = fstat(fd, &before) < 0 ? errno : 0;
	if (!e && (before.st_ino != st->st_ino || before.st_dev != st->st_dev))
		e = ESTALE;	/* replaced since the walk */
	if (!e)
		e = hash_fd(p, fd, out);
	if (!e && fstat(fd, &after) == 0 && same_stat(&before, &after))
		df_hashcache_put(p->hashes, &after, out, &at);
	close(fd);
	return e;
}

/* The digest of one item: type and permission bits (from a fresh lstat:
 * the context may know types only), then the sha256 of a file's bytes (a
 * digest of its own, so the hash cache can supply it), a symlink's target
 * or a device's numbers. */
static int item_digest(cp_plan *p, size_t idx, df_digest *out, df_buf *err)
{
	const cp_item *it = &p->items[idx];
	df_sha256 h;
	df_sha256_init(&h);
	char head[48];
	struct stat st;
	int dfd = -1, fd = -1, e = 0;
	const char *name = NULL;
	/* with the hash cache a file is opened only when it misses */
	bool by_stat = p->hashes && it->src && !it->follow;
	if (it->hd)
		st.st_mode = it->mode;
	else if (item_open(p, it, &st, by_stat ? NULL : &fd, &dfd, &name) < 0)
		e = errno;
	if (!e && (st.st_mode & S_IFMT) != (it->mode & S_IFMT))
		e = ESTALE;	/* changed since the walk */
	if (!e) {
		int n = snprintf(head, sizeof head, "%o %04o\n", (unsigned)(st.st_mode & S_IFMT) >> 12,
				 (unsigned)(st.st_mode & 07777));
		df_sha256_update(&h, head, (size_t)n);
		if (it->hd) {
			df_digest c;
			df_sha256_buf(it->hd->body, it->hd->len, &c);
			df_sha256_update(&h, c.s, DF_DIGEST_STRLEN);
		} else if (S_ISREG(st.st_mode)) {
			df_digest c;
			e = by_stat ? cached_content(p, idx, dfd, name, &st, &c) : hash_fd(p, fd, &c);
			if (!e)
				df_sha256_update(&h, c.s, DF_DIGEST_STRLEN);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlinkat(dfd, name, target, sizeof target);
			if (len < 0)
				e = errno;
			else
				df_sha256_update(&h, target, (size_t)len);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			n = snprintf(head, sizeof head, "%u,%u", major(st.st_rdev), minor(st.st_rdev));
			df_sha256_update(&h, head, (size_t)n);
		}
	}
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	df_sha256_final(&h, out);
	if (e) {
		df_buf_addf(err, "cannot read '%s': %s", it->shown, strerror(e));
		return -1;
	}
	return 0;
}

typedef struct cp_workers {
	cp_plan *p;
	size_t next;		/* the next window slot to take (atomic) */
	pthread_mutex_t lock;	/* around the hash cache */
} cp_workers;

/* One hashing thread: takes the window's items in turn; anything odd is
 * left for the walk to do (and report) in order. */
static void *prehash_worker(void *arg)
{
	cp_workers *w = arg;
	cp_plan *p = w->p;
	unsigned char *chunk = df_xmalloc(CP_HASH_CHUNK);
	for (;;) {
		size_t k = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);
		if (k >= p->pre_len)
			break;
		const cp_item *it = &p->items[p->pre_from + k];
		cp_pre *pre = &p->pre[k];
		if (it->hd || !it->src || it->follow || !S_ISREG(it->mode))
			continue;
		/* Resolved without the walk's care: the result counts only if
		 * the walk's own lstat finds the same inode and times. */
		struct stat st;
		if (fstatat(p->fds[it->base], it->src, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		pthread_mutex_lock(&w->lock);
		bool hit = df_hashcache_get(p->hashes, &st, &pre->d);
		pthread_mutex_unlock(&w->lock);
		if (hit) {
			pre->st = st;
			pre->ok = true;
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &pre->at);
		int fd = openat(p->fds[it->base], it->src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			continue;
		struct stat before, after;
		if (fstat(fd, &before) == 0 && same_stat(&before, &st) && hash_fd_with(chunk, fd, &pre->d) == 0 &&
		    fstat(fd, &after) == 0 && same_stat(&before, &after)) {
			pre->st = st;
			pre->ok = pre->fresh = true;
		}
		close(fd);
	}
	free(chunk);
	return NULL;
}

/* Before the walk reaches item i: when i starts a window, hash the
 * window's context files that the hash cache does not know on several
 * threads. The walk stays sequential and keeps its checks; this only
 * hands it digests. */
static void prehash(cp_plan *p, size_t i)
{
	if (!p->hashes || i % CP_WINDOW != 0)
		return;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = cpus > CP_MAX_THREADS ? CP_MAX_THREADS : (int)cpus;
	size_t n = p->len - i < CP_WINDOW ? p->len - i : CP_WINDOW;
	if (nthreads < 2 || n < 16)
		return;
	if (!p->pre)
		p->pre = df_xmalloc(CP_WINDOW * sizeof(*p->pre));
	memset(p->pre, 0, n * sizeof(*p->pre));
	p->pre_from = i;
	p->pre_len = n;
	cp_workers w = { .p = p, .next = 0 };
	pthread_mutex_init(&w.lock, NULL);
	pthread_t tids[CP_MAX_THREADS];
	int started = 0;
	for (int t = 1; t < nthreads; t++)
		if (pthread_create(&tids[started], NULL, prehash_worker, &w) == 0)
			started++;
	prehash_worker(&w);
	for (int t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	pthread_mutex_destroy(&w.lock);
}

int df_copy_checksum(const df_copy_req *r, const char *src_root, df_digest *out, df_buf *err)
{
	cp_plan p;
	if (plan_build(&p, r, src_root, err) < 0)
		return -1;
	df_sha256 h;
	df_sha256_init(&h);
	/* The selection's shape: whether a named file may land on the
	 * destination itself depends on it. */
	df_sha256_update(&h, p.dir_dest ? "dir\n" : "file\n", p.dir_dest ? 4 : 5);
	int rc = 0;
	for (size_t i = 0; i < p.len && rc == 0; i++) {
		df_digest d;
		prehash(&p, i);
		rc = item_digest(&p, i, &d, err);
		df_sha256_update(&h, p.items[i].dst, strlen(p.items[i].dst) + 1);
		df_sha256_update(&h, p.items[i].root_file ? "r" : "-", 1);
		df_sha256_update(&h, d.s, strlen(d.s));
		df_sha256_update(&h, "\n", 1);
	}
	df_sha256_final(&h, out);
	plan_release(&p);
	if (rc < 0)
		out->s[0] = '\0';
	return rc;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int df_copy_manifest(const df_copy_req *r, const char *src_root, df_buf *out, df_buf *err)
{
	cp_plan p;
	if (plan_build(&p, r, src_root, err) < 0)
		return -1;
	char **lines = df_xcalloc(p.len + 1, sizeof(*lines));
	int rc = 0;
	size_t n = 0;
	for (size_t i = 0; i < p.len && rc == 0; i++) {
		df_digest d;
		prehash(&p, i);
		if ((rc = item_digest(&p, i, &d, err)) < 0)
			break;
		df_buf line = DF_BUF_INIT;
		df_buf_addf(&line, "%s\t%s\n", p.items[i].shown, d.s);
		lines[n++] = df_buf_detach(&line, NULL);
	}
	if (rc == 0) {
		qsort(lines, n, sizeof(*lines), cmp_line);
		for (size_t i = 0; i < n; i++)
			if (i == 0 || strcmp(lines[i], lines[i - 1]) != 0)
				df_buf_adds(out, lines[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	plan_release(&p);
	return rc;
}

/* --- the destination ------------------------------------------------------ */

typedef struct cp_writer {
	int rootfd;		/* the step's root, O_PATH */
	bool chown;		/* --chown given: owners are uid:gid, else the source's (0:0 for copies) */
	uid_t uid;
	gid_t gid;
	bool chmod;
	mode_t chmod_mode;
	const char *verb;
	df_buf *err;
	/* The last directory mkdir_in_root() resolved, kept open: entries
	 * come in walk order, so most share it. Dropped whenever a directory
	 * or symlink is removed. */
	int cache_fd;
	df_buf cache_path;
} cp_writer;

static void writer_drop_cache(cp_writer *w)
{
	if (w->cache_fd >= 0)
		close(w->cache_fd);
	w->cache_fd = -1;
	df_buf_release(&w->cache_path);
}

/* The directory at path (absolute in the root, clean) as an O_PATH fd,
 * created with its missing parents (0755, owned by the --chown user) when
 * absent. *created (may be NULL) tells whether path itself was made. */
static int mkdir_in_root(cp_writer *w, const char *path, bool *created)
{
	if (!created && w->cache_fd >= 0 && strcmp(df_buf_str(&w->cache_path), path) == 0)
		return fcntl(w->cache_fd, F_DUPFD_CLOEXEC, 0);
	df_buf pre = DF_BUF_INIT;
	int fd = xopenat2(w->rootfd, "/", O_PATH | O_DIRECTORY, RES_ROOT);
	bool made = false;
	if (fd < 0)
		df_buf_addf(w->err, "%s failed: cannot open the root: %s", w->verb, strerror(errno));
	for (const char *p = path; fd >= 0 && *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		df_buf_addc(&pre, '/');
		df_buf_add(&pre, p, n);
		char *name = df_xstrndup(p, n);
		p += n;
		made = false;
		int next = xopenat2(w->rootfd, pre.buf, O_PATH | O_DIRECTORY, RES_ROOT);
		if (next < 0 && errno == ENOENT) {
			/* fd is the parent as resolved in the root: create there */
			if (mkdirat(fd, name, 0755) < 0)
				df_buf_addf(w->err, "%s failed: cannot create directory '%s': %s", w->verb, pre.buf,
					    strerror(errno));
			else if (fchownat(fd, name, w->chown ? w->uid : 0, w->chown ? w->gid : 0,
					  AT_SYMLINK_NOFOLLOW) < 0 || fchmodat(fd, name, 0755, 0) < 0)
				df_buf_addf(w->err, "%s failed: cannot set owner of '%s': %s", w->verb, pre.buf,
					    strerror(errno));
			else if ((next = xopenat2(w->rootfd, pre.buf, O_PATH | O_DIRECTORY, RES_ROOT)) < 0)
				df_buf_addf(w->err, "%s failed: cannot open '%s': %s", w->verb, pre.buf, strerror(errno));
			else
				made = true;
		} else if (next < 0) {
			df_buf_addf(w->err, "%s failed: cannot open directory '%s': %s", w->verb, pre.buf,
				    strerror(errno));
		}
		free(name);
		close(fd);
		fd = next;
	}
	df_buf_release(&pre);
	if (created)
		*created = made;
	if (fd >= 0 && !created) {
		writer_drop_cache(w);
		w->cache_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		df_buf_adds(&w->cache_path, path);
	}
	return fd;
}

/* Make room for a new entry name in dir: remove what is there unless it is
 * a directory and keep_dir. 1 when a directory was kept, 0 when the name is
 * free, -1 on error. */
static int clear_name(cp_writer *w, int dir, const char *name, bool keep_dir, const char *path)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : (df_buf_addf(w->err, "%s failed: cannot stat '%s': %s", w->verb, path,
							   strerror(errno)), -1);
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 1;
		writer_drop_cache(w);
		if (unlinkat(dir, name, AT_REMOVEDIR) == 0)
			return 0;
		df_buf_addf(w->err, "%s failed: cannot replace directory '%s': %s", w->verb, path, strerror(errno));
		return -1;
	}
	if (keep_dir && S_ISLNK(st.st_mode)) {
		/* a symlink to a directory is written through, inside the root */
		int fd = xopenat2(w->rootfd, path, O_PATH | O_DIRECTORY, RES_ROOT);
		if (fd >= 0) {
			close(fd);
			return 1;
		}
	}
	if (S_ISLNK(st.st_mode))
		writer_drop_cache(w);
	if (unlinkat(dir, name, 0) < 0) {
		df_buf_addf(w->err, "%s failed: cannot replace '%s': %s", w->verb, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Source metadata of an entry to write. */
typedef struct cp_meta {
	mode_t mode;		/* type and permission bits */
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
	dev_t rdev;
} cp_meta;

static void set_owner_mode(cp_writer *w, int fd, const cp_meta *m, mode_t perm, const char *path)
{
	uid_t u = w->chown ? w->uid : m->uid;
	gid_t g = w->chown ? w->gid : m->gid;
	/* chown first: it clears setuid/setgid bits set before it */
	if (fchown(fd, u, g) < 0 || fchmod(fd, perm) < 0)
		df_buf_addf(w->err, "%s failed: cannot set owner or mode of '%s': %s", w->verb, path, strerror(errno));
}

static mode_t perm_of(const cp_writer *w, const cp_meta *m)
{
	return w->chmod ? w->chmod_mode : (m->mode & 07777);
}

/* Write a regular file at path (absolute in the root) from fd (read from
 * offset 0), from the current entry of the archive ar, or from data[0..len). */
static int write_file(cp_writer *w, const char *path, const cp_meta *m, int src, struct archive *ar,
		      const char *data, size_t len)
{
	char *parent = df_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	const char *name = strrchr(path, '/') + 1;
	int dir = mkdir_in_root(w, *parent ? parent : "/", NULL);
	free(parent);
	if (dir < 0)
		return -1;
	int fd = -1, rc = -1;
	if (clear_name(w, dir, name, false, path) < 0)
		goto out;
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		df_buf_addf(w->err, "%s failed: cannot create '%s': %s", w->verb, path, strerror(errno));
		goto out;
	}
	if (ar) {
		if (archive_read_data_into_fd(ar, fd) != ARCHIVE_OK) {
			df_buf_addf(w->err, "ADD failed: cannot unpack '%s': %s", path, archive_error_string(ar));
			goto out;
		}
	} else if (src >= 0) {
		char buf[1 << 16];
		off_t off = 0;
		/* in the kernel where it can (reflinks on some file systems);
		 * read and write where it cannot */
		ssize_t cfr;
		while ((cfr = copy_file_range(src, &off, fd, NULL, 1u << 30, 0)) > 0)
			;
		if (cfr < 0 && lseek(fd, off, SEEK_SET) < 0) {
			df_buf_addf(w->err, "%s failed: cannot write '%s': %s", w->verb, path, strerror(errno));
			goto out;
		}
		while (cfr < 0) {
			ssize_t n = pread(src, buf, sizeof buf, off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				df_buf_addf(w->err, "%s failed: cannot read source of '%s': %s", w->verb, path,
					    strerror(errno));
				goto out;
			}
			if (n == 0)
				break;
			for (ssize_t done = 0; done < n;) {
				ssize_t k = write(fd, buf + done, (size_t)(n - done));
				if (k < 0 && errno == EINTR)
					continue;
				if (k < 0) {
					df_buf_addf(w->err, "%s failed: cannot write '%s': %s", w->verb, path,
						    strerror(errno));
					goto out;
				}
				done += k;
			}
			off += n;
		}
	} else {
		for (size_t done = 0; done < len;) {
			ssize_t k = write(fd, data + done, len - done);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				df_buf_addf(w->err, "%s failed: cannot write '%s': %s", w->verb, path, strerror(errno));
				goto out;
			}
			done += (size_t)k;
		}
	}
	set_owner_mode(w, fd, m, perm_of(w, m), path);
	struct timespec ts[2] = { m->mtime, m->mtime };
	if (w->err->len == 0 && futimens(fd, ts) < 0)
		df_buf_addf(w->err, "%s failed: cannot set times of '%s': %s", w->verb, path, strerror(errno));
	rc = w->err->len ? -1 : 0;
out:
	if (fd >= 0)
		close(fd);
	close(dir);
	return rc;
}

/* Create a symlink, a device, a FIFO, or a hard link (link_to: absolute in
 * the root) at path. */
static int write_special(cp_writer *w, const char *path, const cp_meta *m, const char *target, const char *link_to)
{
	char *parent = df_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	const char *name = strrchr(path, '/') + 1;
	int dir = mkdir_in_root(w, *parent ? parent : "/", NULL);
	free(parent);
	if (dir < 0)
		return -1;
	int rc = -1;
	if (clear_name(w, dir, name, false, path) < 0)
		goto out;
	if (link_to) {
		char *lp = df_xstrndup(link_to, (size_t)(strrchr(link_to, '/') - link_to));
		int ldir = xopenat2(w->rootfd, *lp ? lp : "/", O_PATH | O_DIRECTORY, RES_ROOT);
		free(lp);
		if (ldir < 0 || linkat(ldir, strrchr(link_to, '/') + 1, dir, name, 0) < 0)
			df_buf_addf(w->err, "%s failed: cannot link '%s' to '%s': %s", w->verb, path, link_to,
				    strerror(errno));
		if (ldir >= 0)
			close(ldir);
		rc = w->err->len ? -1 : 0;
		goto out;
	}
	int made = S_ISLNK(m->mode) ? symlinkat(target, dir, name)
		 : mknodat(dir, name, (m->mode & S_IFMT) | 0600, m->rdev);
	if (made < 0) {
		df_buf_addf(w->err, "%s failed: cannot create '%s': %s", w->verb, path, strerror(errno));
		goto out;
	}
	uid_t u = w->chown ? w->uid : m->uid;
	gid_t g = w->chown ? w->gid : m->gid;
	struct timespec ts[2] = { m->mtime, m->mtime };
	if (fchownat(dir, name, u, g, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(m->mode) && fchmodat(dir, name, perm_of(w, m), 0) < 0) ||
	    utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		df_buf_addf(w->err, "%s failed: cannot set metadata of '%s': %s", w->verb, path, strerror(errno));
	rc = w->err->len ? -1 : 0;
out:
	close(dir);
	return rc;
}

/* A directory whose metadata is set once everything under it is written
 * (writing a child changes its mtime). */
typedef struct cp_dir {
	char *path;
	cp_meta meta;
} cp_dir;

typedef struct cp_dirs {
	cp_dir *v;
	size_t len, cap;
} cp_dirs;

/* Make the directory at path, or keep the one there (or the directory a
 * symlink there leads to); its metadata is set at the end unless keep_meta
 * and it was there already. */
static int write_dir(cp_writer *w, const char *path, const cp_meta *m, bool keep_meta, cp_dirs *dirs)
{
	bool created = false;
	if (strcmp(path, "/") != 0) {
		char *parent = df_xstrndup(path, (size_t)(strrchr(path, '/') - path));
		const char *name = strrchr(path, '/') + 1;
		int dir = mkdir_in_root(w, *parent ? parent : "/", NULL);
		free(parent);
		if (dir < 0)
			return -1;
		int kept = clear_name(w, dir, name, true, path);
		if (kept == 0) {
			if (mkdirat(dir, name, 0700) < 0)
				df_buf_addf(w->err, "%s failed: cannot create directory '%s': %s", w->verb, path,
					    strerror(errno));
			created = true;
		}
		close(dir);
		if (kept < 0 || w->err->len)
			return -1;
	}
	if (keep_meta && !created)
		return 0;
	df_grow((void **)&dirs->v, &dirs->cap, dirs->len + 1, sizeof(*dirs->v));
	dirs->v[dirs->len].path = df_xstrdup(path);
	dirs->v[dirs->len].meta = *m;
	dirs->len++;
	return 0;
}

static int finish_dirs(cp_writer *w, cp_dirs *dirs)
{
	for (size_t i = dirs->len; i-- > 0;) {
		cp_dir *d = &dirs->v[i];
		if (w->err->len == 0) {
			int fd = xopenat2(w->rootfd, d->path, O_RDONLY | O_DIRECTORY, RES_ROOT);
			if (fd < 0) {
				df_buf_addf(w->err, "%s failed: cannot open directory '%s': %s", w->verb, d->path,
					    strerror(errno));
			} else {
				set_owner_mode(w, fd, &d->meta, perm_of(w, &d->meta), d->path);
				struct timespec ts[2] = { d->meta.mtime, d->meta.mtime };
				if (w->err->len == 0 && futimens(fd, ts) < 0)
					df_buf_addf(w->err, "%s failed: cannot set times of '%s': %s", w->verb,
						    d->path, strerror(errno));
				close(fd);
			}
		}
		free(d->path);
	}
	free(dirs->v);
	memset(dirs, 0, sizeof(*dirs));
	return w->err->len ? -1 : 0;
}

/* --- --chown ---------------------------------------------------------------- */

static bool parse_id(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!df_is_digit((unsigned char)s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX - 1)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Look name up in the root's /etc/passwd (want_gid: also its primary group)
 * or /etc/group: field 0 the name, field 2 the id, field 3 the passwd
 * primary gid. */
static int lookup_id(int rootfd, const char *file, const char *name, size_t nlen, uint32_t *id, uint32_t *gid)
{
	int fd = xopenat2(rootfd, file, O_RDONLY, RES_ROOT);
	if (fd < 0)
		return -1;
	df_buf text = DF_BUF_INIT;
	char buf[8192];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0 && text.len < CP_MAX_IDFILE)
		df_buf_add(&text, buf, (size_t)n);
	close(fd);
	int rc = -1;
	const char *line = df_buf_str(&text);
	while (*line && rc < 0) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *f[4] = { 0 };
		size_t fl[4] = { 0 };
		const char *c = line;
		for (int k = 0; k < 4; k++) {
			const char *colon = memchr(c, ':', len - (size_t)(c - line));
			f[k] = c;
			fl[k] = colon ? (size_t)(colon - c) : len - (size_t)(c - line);
			if (!colon) {
				for (int j = k + 1; j < 4; j++)
					f[j] = NULL;
				break;
			}
			c = colon + 1;
		}
		if (f[2] && fl[0] == nlen && memcmp(f[0], name, nlen) == 0 && parse_id(f[2], fl[2], id) &&
		    (!gid || (f[3] && parse_id(f[3], fl[3], gid))))
			rc = 0;
		line += len + (eol ? 1 : 0);
	}
	df_buf_release(&text);
	return rc;
}

static int parse_chown(cp_writer *w, const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	uint32_t uid = 0, gid = 0;
	if (ulen == 0) {
		df_buf_addf(w->err, "%s failed: invalid --chown value '%s'", w->verb, spec);
		return -1;
	}
	if (parse_id(spec, ulen, &uid)) {
		gid = uid;	/* a numeric user alone: its own id as group */
	} else if (lookup_id(w->rootfd, "/etc/passwd", spec, ulen, &uid, &gid) < 0) {
		df_buf_addf(w->err, "%s failed: unable to find user %.*s: no matching entries in passwd file", w->verb,
			    (int)ulen, spec);
		return -1;
	}
	if (colon && colon[1]) {
		const char *g = colon + 1;
		if (!parse_id(g, strlen(g), &gid) && lookup_id(w->rootfd, "/etc/group", g, strlen(g), &gid, NULL) < 0) {
			df_buf_addf(w->err, "%s failed: unable to find group %s: no matching entries in group file",
				    w->verb, g);
			return -1;
		}
	}
	w->chown = true;
	w->uid = uid;
	w->gid = gid;
	return 0;
}

static int parse_chmod(cp_writer *w, const char *spec)
{
	unsigned v = 0;
	size_t n = strlen(spec);
	if (n == 0 || n > 5)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (spec[i] < '0' || spec[i] > '7')
			goto bad;
		v = v * 8 + (unsigned)(spec[i] - '0');
	}
	if (v > 07777)
		goto bad;
	w->chmod = true;
	w->chmod_mode = (mode_t)v;
	return 0;
bad:
	df_buf_addf(w->err, "%s failed: invalid --chmod value '%s': an octal mode is expected", w->verb, spec);
	return -1;
}

/* --- ADD's archives ----------------------------------------------------------- */

static struct archive *open_archive(int fd)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (lseek(fd, 0, SEEK_SET) < 0 || archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Is the file at fd a tar archive (plain or compressed)? As the builder
 * decides: by content, not by name. */
static bool is_archive(int fd)
{
	struct archive *a = open_archive(fd);
	if (!a)
		return false;
	struct archive_entry *e;
	bool yes = archive_read_next_header(a, &e) == ARCHIVE_OK;
	archive_read_free(a);
	return yes;
}

/* archive entry name n cleaned to a path under the extraction's root
 * ("/a/b"); NULL when it climbs out with "..". */
static const char *entry_path(df_buf *out, const char *n)
{
	df_buf_reset(out);
	df_path_clean(out, n ? n : "", n ? strlen(n) : 0);
	const char *rel = out->buf;
	while (*rel == '/')
		rel++;
	if (strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0)
		return NULL;
	df_buf tmp = DF_BUF_INIT;
	df_buf_addc(&tmp, '/');
	if (strcmp(rel, ".") != 0)
		df_buf_adds(&tmp, rel);
	df_buf_reset(out);
	df_buf_adds(out, tmp.buf);
	df_buf_release(&tmp);
	return out->buf;
}

/* Unpack the archive at fd into dest (absolute in the root, a directory).
 * The destination is the root of the unpacking, as if chrooted there:
 * names with ".." that climb out are refused, absolute names and symlinks
 * (absolute ones included) resolve inside dest, never above it. */
static int extract(cp_writer *w, int fd, const char *dest, const char *shown)
{
	struct archive *a = open_archive(fd);
	if (!a) {
		df_buf_addf(w->err, "ADD failed: cannot read archive '%s'", shown);
		return -1;
	}
	int destfd = mkdir_in_root(w, dest, NULL);
	if (destfd < 0) {
		archive_read_free(a);
		return -1;
	}
	cp_writer x = *w;
	x.rootfd = destfd;
	x.cache_fd = -1;
	df_buf_init(&x.cache_path);
	cp_dirs dirs = { 0 };
	df_buf path = DF_BUF_INIT, link = DF_BUF_INIT;
	struct archive_entry *e;
	int rc = 0, r;
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(e), *hl = archive_entry_hardlink(e);
		bool name_ok = entry_path(&path, n) != NULL;
		if (!name_ok || (hl && !entry_path(&link, hl))) {
			df_buf_addf(w->err, "ADD failed: '%s' in archive '%s' points outside the destination",
				    name_ok ? hl : n, shown);
			rc = -1;
			break;
		}
		cp_meta m;
		memset(&m, 0, sizeof m);
		m.mode = archive_entry_mode(e);
		m.uid = (uid_t)archive_entry_uid(e);
		m.gid = (gid_t)archive_entry_gid(e);
		m.mtime.tv_sec = archive_entry_mtime(e);
		m.mtime.tv_nsec = archive_entry_mtime_nsec(e);
		m.rdev = archive_entry_rdev(e);
		if (strcmp(path.buf, "/") == 0 && !S_ISDIR(m.mode) && !hl) {
			continue;	/* "." as a non-directory: nothing to make */
		} else if (hl) {
			rc = write_special(&x, path.buf, &m, NULL, link.buf);
		} else if (S_ISDIR(m.mode)) {
			/* the destination keeps its own metadata */
			rc = write_dir(&x, path.buf, &m, strcmp(path.buf, "/") == 0, &dirs);
		} else if (S_ISREG(m.mode)) {
			rc = write_file(&x, path.buf, &m, -1, a, NULL, 0);
		} else if (S_ISLNK(m.mode)) {
			const char *t = archive_entry_symlink(e);
			rc = write_special(&x, path.buf, &m, t ? t : "", NULL);
		} else if (S_ISCHR(m.mode) || S_ISBLK(m.mode) || S_ISFIFO(m.mode)) {
			rc = write_special(&x, path.buf, &m, NULL, NULL);
		}
	}
	if (rc == 0 && r != ARCHIVE_EOF) {
		df_buf_addf(w->err, "ADD failed: cannot read archive '%s': %s", shown, archive_error_string(a));
		rc = -1;
	}
	if (finish_dirs(&x, &dirs) < 0)
		rc = -1;
	writer_drop_cache(&x);
	archive_read_free(a);
	close(destfd);
	df_buf_release(&path);
	df_buf_release(&link);
	return rc;
}

/* --- df_copy_apply ------------------------------------------------------------ */

/* The source of a regular-file item, open for reading; -1 with errno. */
static int open_item_file(cp_plan *p, const cp_item *it)
{
	struct stat st;
	int fd, dfd;
	const char *name;
	if (item_open(p, it, &st, &fd, &dfd, &name) < 0)
		return -1;
	if (dfd >= 0)
		close(dfd);
	if (fd < 0)
		errno = EINVAL;
	return fd;
}

/* Write one planned item at path (absolute in the root). */
static int apply_item(cp_writer *w, cp_plan *p, const cp_item *it, const char *path, bool keep_meta,
		      cp_dirs *dirs)
{
	cp_meta m;
	memset(&m, 0, sizeof m);
	if (it->hd) {
		m.mode = S_IFREG | 0644;
		clock_gettime(CLOCK_REALTIME, &m.mtime);
		return write_file(w, path, &m, -1, NULL, it->hd->body, it->hd->len);
	}
	int dfd = -1, fd = -1, rc = -1;
	const char *name = NULL;
	struct stat st;
	if (item_open(p, it, &st, &fd, &dfd, &name) < 0)
		goto fail;
	if ((st.st_mode & S_IFMT) != (it->mode & S_IFMT)) {
		df_buf_addf(w->err, "%s failed: '%s' changed while copying", w->verb, it->shown);
		goto out;
	}
	m.mode = st.st_mode;
	/* Context files count as root's (unless --chown); a stage's keep
	 * their owners, as COPY --from does. */
	m.uid = p->from_ctx ? 0 : st.st_uid;
	m.gid = p->from_ctx ? 0 : st.st_gid;
	m.mtime = st.st_mtim;
	m.rdev = st.st_rdev;
	if (S_ISREG(st.st_mode)) {
		rc = write_file(w, path, &m, fd, NULL, NULL, 0);
	} else if (S_ISDIR(st.st_mode)) {
		rc = write_dir(w, path, &m, keep_meta, dirs);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);
		if (n < 0)
			goto fail;
		target[n] = '\0';
		rc = write_special(w, path, &m, target, NULL);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
		rc = write_special(w, path, &m, NULL, NULL);
	} else {
		rc = 0;	/* sockets are not copied */
	}
	goto out;
fail:
	df_buf_addf(w->err, "%s failed: cannot read '%s': %s", w->verb, it->shown, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return w->err->len ? -1 : rc;
}

int df_copy_apply(const df_copy_req *r, const char *src_root, const char *root, df_buf *err)
{
	df_buf own = DF_BUF_INIT;
	cp_writer w = { .rootfd = -1, .verb = verb(r), .err = &own, .cache_fd = -1 };
	cp_plan p;
	memset(&p, 0, sizeof p);
	p.cache_fd = -1;
	cp_dirs dirs = { 0 };
	df_buf dest = DF_BUF_INIT, path = DF_BUF_INIT;
	int rc = -1;

	w.rootfd = xopenat2(AT_FDCWD, root, O_PATH | O_DIRECTORY, 0);
	if (w.rootfd < 0) {
		df_buf_addf(&own, "cannot open '%s': %s", root, strerror(errno));
		goto out;
	}
	if ((r->chown && parse_chown(&w, r->chown) < 0) || (r->chmod && parse_chmod(&w, r->chmod) < 0))
		goto out;
	/* dest against WORKDIR; "." and a trailing '/' name a directory */
	const char *d = r->dest ? r->dest : "";
	size_t dl = strlen(d);
	bool slash = dl == 0 || d[dl - 1] == '/' || strcmp(d, ".") == 0 || (dl >= 2 && strcmp(d + dl - 2, "/.") == 0);
	df_buf raw = DF_BUF_INIT;
	if (d[0] != '/') {
		df_buf_adds(&raw, r->workdir && *r->workdir ? r->workdir : "/");
		df_buf_addc(&raw, '/');
	}
	df_buf_adds(&raw, d);
	df_path_clean(&dest, raw.buf, raw.len);
	df_buf_release(&raw);
	if (dest.buf[0] != '/') {
		/* a relative WORKDIR: taken from the root */
		df_buf tmp = DF_BUF_INIT;
		df_buf_addc(&tmp, '/');
		df_buf_adds(&tmp, dest.buf);
		df_buf_reset(&dest);
		df_path_clean(&dest, tmp.buf, tmp.len);
		df_buf_release(&tmp);
	}
	if (!r->nheredocs && r->nsources > 1 && !slash) {
		df_buf_addf(&own, "%s failed: when using %s with more than one source file, the destination must be "
			    "a directory and end with a /", w.verb, w.verb);
		goto out;
	}
	if (plan_build(&p, r, src_root, &own) < 0)
		goto out;
	bool dir_dest = slash || p.dir_dest, dest_created = false;
	int fd = xopenat2(w.rootfd, dest.buf, O_PATH | O_DIRECTORY, RES_ROOT);
	if (fd >= 0) {
		dir_dest = true;
		close(fd);
	} else if (dir_dest) {
		if ((fd = mkdir_in_root(&w, dest.buf, &dest_created)) < 0)
			goto out;
		close(fd);
	}
	for (size_t i = 0; i < p.len; i++) {
		const cp_item *it = &p.items[i];
		/* ADD unpacks a local archive a source names into the destination,
		 * a directory */
		if (r->is_add && it->root_file && !it->hd && S_ISREG(it->mode)) {
			int afd = open_item_file(&p, it);
			if (afd < 0) {
				df_buf_addf(&own, "%s failed: cannot read '%s': %s", w.verb, it->shown, strerror(errno));
				goto out;
			}
			bool arch = is_archive(afd);
			int xrc = arch ? extract(&w, afd, dest.buf, it->shown) : 0;
			close(afd);
			if (xrc < 0)
				goto out;
			if (arch)
				continue;
		}
		df_buf_reset(&path);
		df_buf_adds(&path, dest.buf);
		bool onto_dest = it->dst[0] == '\0' || (!dir_dest && it->root_file);
		if (!onto_dest) {
			if (path.len > 1)
				df_buf_addc(&path, '/');
			df_buf_adds(&path, it->dst);
		} else if (!S_ISDIR(it->mode) && strcmp(path.buf, "/") == 0) {
			df_buf_addf(&own, "%s failed: cannot copy '%s' onto '/'", w.verb, it->shown);
			goto out;
		}
		if (apply_item(&w, &p, it, path.buf, it->dst[0] == '\0' && !dest_created, &dirs) < 0)
			goto out;
	}
	if (finish_dirs(&w, &dirs) < 0)
		goto out;
	rc = 0;
out:
	if (dirs.v) {
		for (size_t i = 0; i < dirs.len; i++)
			free(dirs.v[i].path);
		free(dirs.v);
	}
	if (rc < 0)
		df_buf_adds(err, df_buf_str(&own));
	df_buf_release(&own);
	df_buf_release(&dest);
	df_buf_release(&path);
	plan_release(&p);
	writer_drop_cache(&w);
	if (w.rootfd >= 0)
		close(w.rootfd);
	return rc;
}
