/*
 * context.c - walking a build context once, and answering which of its
 * entries a COPY/ADD source selects.
 */
#include "context/context.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "context/glob.h"
#include "util/file.h"
#include "util/util.h"

typedef struct walker {
	df_context *ctx;
	df_buf abs;		/* the directory being read: root, then "/" rel */
	df_buf rel;		/* its path in the context, "" at the root */
	size_t max_entries;
	unsigned max_depth;
	bool stat_all;		/* lstat every entry (opts->stat_entries) */
	size_t seen;		/* entries met, kept or not */
	size_t keys_cap;	/* room in ctx->by_path_keys */
	df_buf *err;
} walker;

/* One name of a directory, with what readdir() (or lstat(), when it could
 * not say or sizes are wanted) tells of it. */
typedef struct dir_name {
	const char *name;
	size_t len;		/* strlen(name) */
	uint64_t size;		/* st_size when stat'ed, else 0 */
	uint32_t mode;		/* st_mode, or only its type bits */
	int stat_errno;		/* lstat() failed: reported when the walk gets here */
} dir_name;

/* The first 8 bytes of s[0..n), big-endian, 0-padded: keys compare as
 * strcmp() compares the strings, up to ties. */
static uint64_t key_of(const char *s, size_t n)
{
	unsigned char b[8] = { 0 };
	memcpy(b, s, n < 8 ? n : 8);
	return (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 | (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
	       (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 | (uint64_t)b[6] << 8 | b[7];
}

static uint64_t head_key(const char *s)
{
	return key_of(s, strnlen(s, 8));
}

/* What the sort moves: a name's key and its index in the names read. */
typedef struct sort_item {
	uint64_t key;		/* the name's first 8 bytes, big-endian, 0-padded:
				 * most comparisons end there */
	size_t idx;
} sort_item;

/* Byte order of names (of names[]), as strcmp() gives it. */
static bool name_less(const sort_item *x, const sort_item *y, const dir_name *names)
{
	if (x->key != y->key)
		return x->key < y->key;
	return strcmp(names[x->idx].name, names[y->idx].name) < 0;
}

static void swap_items(sort_item *x, sort_item *y)
{
	sort_item t = *x;
	*x = *y;
	*y = t;
}

/* Sort a[0..n) by name: a quicksort (median of three, Hoare's partition)
 * down to short runs, then insertion sort. Not qsort(): the comparison,
 * nearly always of the keys alone, is inlined; sorting the names of a
 * directory of thousands was most of the cost of its walk. */
static void sort_names(sort_item *a, size_t n, const dir_name *names)
{
	while (n > 16) {
		sort_item *lo = a, *mid = a + (n - 1) / 2, *hi = a + n - 1;
		if (name_less(mid, lo, names))
			swap_items(mid, lo);
		if (name_less(hi, mid, names)) {
			swap_items(hi, mid);
			if (name_less(mid, lo, names))
				swap_items(mid, lo);
		}
		sort_item pivot = *mid;
		size_t i = 0, j = n - 1;
		for (;;) {
			while (name_less(&a[i], &pivot, names))
				i++;
			while (name_less(&pivot, &a[j], names))
				j--;
			if (i >= j)
				break;
			swap_items(&a[i], &a[j]);
			i++;
			j--;
		}
		/* a[0..j] and a[j+1..n): the shorter by recursion, the
		 * longer by the loop, so the stack stays logarithmic */
		size_t left = j + 1;
		if (left < n - left) {
			sort_names(a, left, names);
			a += left;
			n -= left;
		} else {
			sort_names(a + left, n - left, names);
			n = left;
		}
	}
	for (size_t i = 1; i < n; i++) {
		sort_item t = a[i];
		size_t k = i;
		for (; k > 0 && name_less(&t, &a[k - 1], names); k--)
			a[k] = a[k - 1];
		a[k] = t;
	}
}

/* The type bits of st_mode for a d_type, 0 when readdir() does not know. */
static uint32_t mode_of_dtype(unsigned char t)
{
	switch (t) {
	case DT_REG: return S_IFREG;
	case DT_DIR: return S_IFDIR;
	case DT_LNK: return S_IFLNK;
	case DT_FIFO: return S_IFIFO;
	case DT_SOCK: return S_IFSOCK;
	case DT_CHR: return S_IFCHR;
	case DT_BLK: return S_IFBLK;
	default: return 0;
	}
}

/*
 * The names in the directory w->abs names, without "." and "..", into *out
 * (an array of *nout) whose names live in *store, and their byte order into
 * *order (the key and index of each, first to last). The type comes from
 * d_type: an lstat() per entry costs more than the rest of the walk
 * together, and rules need only the type; lstat() relative to the open
 * directory when d_type is unknown or the caller wants sizes.
 */
static int read_names(walker *w, df_buf *store, dir_name **out, sort_item **order, size_t *nout)
{
	*out = NULL;
	*order = NULL;
	*nout = 0;
	DIR *d = opendir(w->abs.buf);
	if (!d) {
		df_buf_addf(w->err, "cannot read directory '%s': %s", w->abs.buf, strerror(errno));
		return -1;
	}
	dir_name *names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0'))) {
			errno = 0;
			continue;
		}
		if (n == cap)
			df_grow((void **)&names, &cap, n + 1, sizeof(*names));
		dir_name *dn = &names[n++];
		memset(dn, 0, sizeof(*dn));
		/* an offset for now: store moves as it grows */
		dn->name = (const char *)(uintptr_t)store->len;
		dn->len = strlen(nm);
		df_buf_add(store, nm, dn->len + 1);
		dn->mode = mode_of_dtype(de->d_type);
		if (w->stat_all || dn->mode == 0) {
			struct stat st;
			if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) == 0) {
				dn->mode = (uint32_t)st.st_mode;
				dn->size = (uint64_t)st.st_size;
			} else {
				dn->stat_errno = errno;
			}
		}
		errno = 0;
	}
	int e = errno;
	closedir(d);
	if (e) {
		df_buf_addf(w->err, "cannot read directory '%s': %s", w->abs.buf, strerror(e));
		free(names);
		return -1;
	}
	/* Sorted as (key, index) pairs: moving 16 bytes per swap, not a
	 * dir_name. */
	sort_item *items = df_xmalloc((n + 1) * sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		names[i].name = store->buf + (uintptr_t)names[i].name;
		items[i].key = key_of(names[i].name, names[i].len);
		items[i].idx = i;
	}
	sort_names(items, n, names);
	*out = names;
	*order = items;
	*nout = n;
	return 0;
}

/* Where the sorted keys[0..n) (of strings, names[i] giving the i-th) hold
 * s, or n: a binary search on the keys, strcmp() only on a tie. */
static size_t key_search(const uint64_t *keys, size_t n, const char *s, const char *(*name)(const void *, size_t),
			 const void *arg)
{
	uint64_t key = head_key(s);
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = keys[mid] != key ? (keys[mid] < key ? -1 : 1) : strcmp(name(arg, mid), s);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

static size_t push(df_ctx_entry **arr, size_t *len, size_t *cap, const df_ctx_entry *e)
{
	if (*len == *cap)
		df_grow((void **)arr, cap, *len + 1, sizeof(**arr));
	(*arr)[*len] = *e;
	return (*len)++;
}

/* Keep e, the key of whose path (key_of()) is key: ctx->by_path_keys is
 * filled in walk order as the entries are, for df_context_open() to order
 * with them. */
static inline size_t keep(walker *w, const df_ctx_entry *e, uint64_t key)
{
	df_context *ctx = w->ctx;
	size_t idx = push(&ctx->entries, &ctx->len, &ctx->cap, e);
	if (idx + 1 >= w->keys_cap)
		df_grow((void **)&ctx->by_path_keys, &w->keys_cap, idx + 2, sizeof(*ctx->by_path_keys));
	ctx->by_path_keys[idx] = key;
	return idx;
}

static df_ctx_type type_of(mode_t m)
{
	if (S_ISREG(m))
		return DF_CTX_FILE;
	if (S_ISDIR(m))
		return DF_CTX_DIR;
	if (S_ISLNK(m))
		return DF_CTX_SYMLINK;
	return DF_CTX_OTHER;
}

static int walk(walker *w, unsigned depth, const bool *parent);

/* Enter the directory entry idx of ctx->entries (w->abs and w->rel name it). */
static int enter(walker *w, size_t idx, unsigned depth, const bool *state)
{
	if (depth + 1 >= w->max_depth) {
		df_buf_addf(w->err, "cannot walk build context '%s': '%s' is nested deeper than %u directories",
			    w->ctx->root, w->rel.buf, w->max_depth);
		return -1;
	}
	if (walk(w, depth + 1, state) < 0)
		return -1;
	w->ctx->entries[idx].ndesc = w->ctx->len - idx - 1;
	return 0;
}

/* Walk the directory w->abs names; parent holds the ignore states it left. */
static int walk(walker *w, unsigned depth, const bool *parent)
{
	df_context *ctx = w->ctx;
	dir_name *names;
	sort_item *order;
	size_t n;
	df_buf store = DF_BUF_INIT;
	if (read_names(w, &store, &names, &order, &n) < 0) {
		df_buf_release(&store);
		return -1;
	}
	/* the states of the entry at hand, for what is under it */
	bool *state = ctx->ignore ? df_xcalloc(df_ignore_count(ctx->ignore) + 1, sizeof(bool)) : NULL;
	size_t abs_len = w->abs.len, rel_len = w->rel.len;
	int rc = 0;
	if (depth == 0) {
		ctx->top = df_xcalloc(n + 1, sizeof(*ctx->top));
		ctx->top_keys = df_xcalloc(n + 1, sizeof(*ctx->top_keys));
	}
	/* room for the names at hand at once: a flat context then needs no
	 * other growth */
	df_grow((void **)&ctx->entries, &ctx->cap, ctx->len + n + 1, sizeof(*ctx->entries));
	df_grow((void **)&ctx->by_path_keys, &w->keys_cap, ctx->len + n + 1, sizeof(*ctx->by_path_keys));
	for (size_t i = 0; i < n && rc == 0; i++) {
		const dir_name *dn = &names[order[i].idx];
		if (++w->seen > w->max_entries) {
			df_buf_addf(w->err, "cannot walk build context '%s': more than %zu entries", ctx->root,
				    w->max_entries);
			rc = -1;
			break;
		}
		/* The path straight into the arena; w->abs and w->rel are
		 * only set for what needs them (a directory to enter, an
		 * error to tell): most entries are files. */
		size_t nlen = dn->len;
		char *path = df_arena_alloc_uninit(&ctx->arena, rel_len + 1 + nlen + 1);
		size_t plen = 0;
		if (rel_len) {
			memcpy(path, w->rel.buf, rel_len);
			path[rel_len] = '/';
			plen = rel_len + 1;
		}
		memcpy(path + plen, dn->name, nlen + 1);
		plen += nlen;
		df_ctx_type type = type_of(dn->mode);
		if (dn->stat_errno || type == DF_CTX_DIR) {
			w->abs.len = abs_len;
			df_buf_addc(&w->abs, '/');
			df_buf_add(&w->abs, dn->name, nlen);
			w->rel.len = 0;
			df_buf_add(&w->rel, path, plen);
		}
		if (dn->stat_errno) {
			df_buf_addf(w->err, "cannot stat '%s': %s", w->abs.buf, strerror(dn->stat_errno));
			rc = -1;
			break;
		}
		df_ctx_entry e = { 0 };
		e.path = path;
		e.type = type;
		e.size = dn->size;
		e.mode = dn->mode;
		e.depth = depth;
		/* At the root the path is the name, whose key the sort made. */
		uint64_t key = depth == 0 ? order[i].key : key_of(path, plen);
		if (depth == 0) {
			ctx->top_keys[ctx->ntop] = key;
			ctx->top[ctx->ntop++] = (df_ctx_name){ path, type };
		}
		bool excluded = ctx->ignore && df_ignore_match_step(ctx->ignore, path, parent, state);
		if (!excluded) {
			size_t idx = keep(w, &e, key);
			if (e.type == DF_CTX_DIR)
				rc = enter(w, idx, depth, state);
		} else if (e.type == DF_CTX_DIR && df_ignore_may_reinclude(ctx->ignore, path)) {
			/* kept only if something under it is */
			e.implied = true;
			size_t idx = keep(w, &e, key);
			size_t at = ctx->nexcluded;
			rc = enter(w, idx, depth, state);
			if (rc == 0 && ctx->len == idx + 1) {
				/* into the excluded list ahead of its contents */
				ctx->len--;
				e.implied = false;
				push(&ctx->excluded, &ctx->nexcluded, &ctx->excluded_cap, &e);
				memmove(ctx->excluded + at + 1, ctx->excluded + at,
					(ctx->nexcluded - at - 1) * sizeof(*ctx->excluded));
				ctx->excluded[at] = e;
			}
		} else {
			push(&ctx->excluded, &ctx->nexcluded, &ctx->excluded_cap, &e);
		}
	}
	w->abs.len = abs_len;
	w->abs.buf[abs_len] = '\0';
	w->rel.len = rel_len;
	if (w->rel.buf)
		w->rel.buf[rel_len] = '\0';
	free(names);
	free(order);
	df_buf_release(&store);
	free(state);
	return rc;
}

/* Does path exist (following symlinks)? 1 yes, 0 no, -1 error in err. */
static int exists(const char *path, df_buf *err)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	df_buf_addf(err, "cannot stat '%s': %s", path, strerror(errno));
	return -1;
}

static int load_ignore(df_context *ctx, const char *dockerfile, df_buf *err)
{
	df_buf path = DF_BUF_INIT;
	int rc = -1, found = 0;
	if (dockerfile && strcmp(dockerfile, "-") != 0) {
		df_buf_addf(&path, "%s.dockerignore", dockerfile);
		if ((found = exists(path.buf, err)) < 0)
			goto out;
	}
	if (!found) {
		df_buf_reset(&path);
		df_buf_addf(&path, "%s/.dockerignore", ctx->root);
		if ((found = exists(path.buf, err)) < 0)
			goto out;
	}
	if (found) {
		df_buf text = DF_BUF_INIT;
		if (df_read_input(path.buf, DF_IGNORE_MAX_BYTES, &text, err) < 0 ||
		    df_ignore_compile(path.buf, text.buf ? text.buf : "", text.len, &ctx->ignore, err) < 0) {
			df_buf_release(&text);
			goto out;
		}
		df_buf_release(&text);
		ctx->ignore_file = df_buf_detach(&path, NULL);
	}
	rc = 0;
out:
	df_buf_release(&path);
	return rc;
}

bool df_context_locate(const df_context *ctx, const char *dockerfile, df_buf *out)
{
	if (!dockerfile || strcmp(dockerfile, "-") == 0)
		return false;
	char dirbuf[PATH_MAX];
	const char *slash = strrchr(dockerfile, '/');
	const char *base = slash ? slash + 1 : dockerfile;
	/* its directory: d[0..dl) */
	const char *d = slash ? dockerfile : ".";
	size_t dl = slash ? (slash == dockerfile ? 1 : (size_t)(slash - dockerfile)) : 1;
	/* The root's real path was taken when it was walked; a Dockerfile
	 * beside the root's own name (each file of a directory linted in one
	 * run) needs no other, nor a copy of its directory's name. */
	const char *root = ctx->root_real;
	const char *dir;
	if (root && strlen(ctx->root) == dl && memcmp(ctx->root, d, dl) == 0) {
		dir = root;
	} else {
		df_buf copy = DF_BUF_INIT;
		df_buf_add(&copy, d, dl);
		dir = realpath(copy.buf, dirbuf);
		df_buf_release(&copy);
	}
	bool found = false;
	if (*base && root && dir) {
		size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (dir == root || strcmp(dir, root) == 0) {
			df_buf_adds(out, base);
			found = true;
		} else if (strncmp(dir, root, rl) == 0 && dir[rl] == '/') {
			df_buf_addf(out, "%s/%s", dir + rl + 1, base);
			found = true;
		}
	}
	return found;
}

static int cmp_entry_path(const void *a, const void *b)
{
	return strcmp((*(const df_ctx_entry *const *)a)->path, (*(const df_ctx_entry *const *)b)->path);
}

int df_context_open(df_context *ctx, const char *root, const df_context_opts *opts, df_buf *err)
{
	static const df_context_opts none = { 0 };
	if (!opts)
		opts = &none;
	memset(ctx, 0, sizeof(*ctx));
	df_arena_init(&ctx->arena);
	pthread_mutex_init(&ctx->memo_lock, NULL);
	ctx->memo_ready = true;
	ctx->root = df_xstrdup(root);
	struct stat st;
	if (stat(root, &st) < 0) {
		df_buf_addf(err, "cannot open build context '%s': %s", root, strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		df_buf_addf(err, "cannot open build context '%s': %s", root, strerror(ENOTDIR));
		goto fail;
	}
	if (opts->ignore_path) {
		if (df_ignore_compile(opts->ignore_path, opts->ignore_text ? opts->ignore_text : "", opts->ignore_len,
				      &ctx->ignore, err) < 0)
			goto fail;
		ctx->ignore_file = df_xstrdup(opts->ignore_path);
	} else if (load_ignore(ctx, opts->dockerfile, err) < 0) {
		goto fail;
	}
	char real[PATH_MAX];
	if (realpath(root, real))
		ctx->root_real = df_xstrdup(real);
	df_buf where = DF_BUF_INIT;
	if (df_context_locate(ctx, opts->dockerfile, &where))
		ctx->dockerfile = df_buf_detach(&where, NULL);
	df_buf_release(&where);

	walker w = { 0 };
	w.ctx = ctx;
	w.err = err;
	w.max_entries = opts->max_entries ? opts->max_entries : DF_CONTEXT_MAX_ENTRIES;
	w.max_depth = opts->max_depth ? opts->max_depth : DF_CONTEXT_MAX_DEPTH;
	w.stat_all = opts->stat_entries;
	df_buf_adds(&w.abs, root);
	df_buf_adds(&w.rel, "");
	int rc = walk(&w, 0, NULL);
	df_buf_release(&w.abs);
	df_buf_release(&w.rel);
	if (rc < 0)
		goto fail;

	ctx->by_path = df_xcalloc(ctx->len ? ctx->len : 1, sizeof(*ctx->by_path));
	if (!ctx->by_path_keys)
		ctx->by_path_keys = df_xcalloc(1, sizeof(*ctx->by_path_keys));
	bool sorted = true;
	uint64_t *keys = ctx->by_path_keys;	/* the walk's, in walk order */
	for (size_t i = 0; i < ctx->len; i++) {
		ctx->by_path[i] = &ctx->entries[i];
		sorted = sorted && (i == 0 || keys[i - 1] < keys[i] ||
				    (keys[i - 1] == keys[i] && strcmp(ctx->entries[i - 1].path, ctx->entries[i].path) < 0));
	}
	/* Walk order is path order unless a name sorts below '/' ("a-b"
	 * after "a/x"): a flat context needs no sort. */
	if (!sorted) {
		qsort(ctx->by_path, ctx->len, sizeof(*ctx->by_path), cmp_entry_path);
		for (size_t i = 0; i < ctx->len; i++)
			keys[i] = head_key(ctx->by_path[i]->path);
	}
	return 0;
fail:
	df_context_release(ctx);
	return -1;
}

struct ctx_memo {
	const void *key;
	void *value;
	void (*free_fn)(void *);
	struct ctx_memo *next;
};

/* The memo of key in the list from head on, or NULL. */
static struct ctx_memo *memo_find(struct ctx_memo *m, const void *key)
{
	while (m && m->key != key)
		m = m->next;
	return m;
}

/* The memo of key, made under the lock unless another thread made it
 * meanwhile. Not inlined: the lookup before it stays a few instructions. */
static __attribute__((noinline)) struct ctx_memo *memo_add(df_context *ctx, const void *key,
							   void *(*make)(const df_context *ctx),
							   void (*free_fn)(void *))
{
	pthread_mutex_lock(&ctx->memo_lock);
	struct ctx_memo *m = memo_find(ctx->memos, key);
	if (!m) {
		m = df_xcalloc(1, sizeof(*m));
		m->key = key;
		m->value = make(ctx);
		m->free_fn = free_fn;
		m->next = ctx->memos;
		__atomic_store_n(&ctx->memos, m, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ctx->memo_lock);
	return m;
}

const void *df_context_memo(const df_context *cctx, const void *key, void *(*make)(const df_context *ctx),
			    void (*free_fn)(void *))
{
	/* Logically const: the memo is a cache of what the entries already
	 * say, filled once under the lock. A memo is complete and never
	 * changed once it is at the head of the list (a release store after
	 * its fields), so one found there is read without the lock: every
	 * COPY of every file asks, and nearly always it exists. */
	df_context *ctx = (df_context *)cctx;
	struct ctx_memo *m = memo_find(__atomic_load_n(&ctx->memos, __ATOMIC_ACQUIRE), key);
	return m ? m->value : memo_add(ctx, key, make, free_fn)->value;
}

void df_context_release(df_context *ctx)
{
	for (struct ctx_memo *m = ctx->memos, *next; m; m = next) {
		next = m->next;
		if (m->free_fn)
			m->free_fn(m->value);
		free(m);
	}
	if (ctx->memo_ready)
		pthread_mutex_destroy(&ctx->memo_lock);
	free(ctx->root);
	free(ctx->root_real);
	free(ctx->ignore_file);
	df_ignore_free(ctx->ignore);
	free(ctx->dockerfile);
	free(ctx->entries);
	free(ctx->excluded);
	free(ctx->by_path);
	free(ctx->by_path_keys);
	free(ctx->top);
	free(ctx->top_keys);
	free(ctx->by_depth);
	free(ctx->depth_start);
	df_arena_release(&ctx->arena);
	memset(ctx, 0, sizeof(*ctx));
}

/* path relative to the root, the builder's way: "/a", "./a" and "a/" are
 * "a", ".." stops at the root, and the root itself is "". A path that is
 * so already (an entry's own, as rules mostly ask) is returned as is, else
 * the clean one is made in buf. */
static const char *clean_rel(df_buf *buf, const char *path)
{
	size_t n = strlen(path);
	if (df_path_is_clean_rel(path, n))
		return path;
	df_buf_reset(buf);
	df_path_clean_rel(buf, path, n);
	return df_buf_str(buf);
}

static const char *by_path_name(const void *ctx, size_t i)
{
	return ((const df_context *)ctx)->by_path[i]->path;
}

static const df_ctx_entry *find(const df_context *ctx, const char *path)
{
	size_t at = key_search(ctx->by_path_keys, ctx->len, path, by_path_name, ctx);
	return at < ctx->len ? ctx->by_path[at] : NULL;
}

static const char *top_name(const void *ctx, size_t i)
{
	return ((const df_context *)ctx)->top[i].name;
}

bool df_context_at_root(const df_context *ctx, const char *name, df_ctx_type *type)
{
	size_t at = key_search(ctx->top_keys, ctx->ntop, name, top_name, ctx);
	if (at == ctx->ntop)
		return false;
	*type = ctx->top[at].type;
	return true;
}

const df_ctx_entry *df_context_find(const df_context *ctx, const char *path)
{
	df_buf p = DF_BUF_INIT;
	const df_ctx_entry *e = find(ctx, clean_rel(&p, path));
	df_buf_release(&p);
	return e;
}

/* Is path (or a directory above it) among the excluded entries? */
static bool is_excluded(const df_context *ctx, const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < ctx->nexcluded; i++) {
		const char *x = ctx->excluded[i].path;
		size_t xl = strlen(x);
		if (strcmp(x, path) == 0 || (xl < n && memcmp(x, path, xl) == 0 && path[xl] == '/'))
			return true;
	}
	return false;
}

/* Append the entries [from, to) to sel's own storage. */
static void add_run(df_ctx_selection *sel, size_t from, size_t to)
{
	df_grow((void **)&sel->own, &sel->cap, sel->len + (to - from) + 1, sizeof(*sel->own));
	for (size_t i = from; i < to; i++)
		sel->own[sel->len++] = i;
}

/* Append what the entry idx, which a source named or matched, brings in: a
 * directory what is under it, anything else itself. Such roots come in walk
 * order and lie at one depth, so none is under another: the runs follow one
 * another in walk order too. */
static void add_root(const df_context *ctx, size_t idx, df_ctx_selection *sel)
{
	const df_ctx_entry *e = &ctx->entries[idx];
	if (e->type == DF_CTX_DIR)
		add_run(sel, idx + 1, idx + 1 + e->ndesc);
	else
		add_run(sel, idx, idx + 1);
}

/* Does the entry path match the pattern's components (NUL-separated in
 * comps, ncomp of them, each well formed, lens[i] bytes long)? */
static bool match_components(const char *comps, const size_t *lens, size_t ncomp, const char *path)
{
	const char *p = path, *c = comps;
	for (size_t i = 0; i < ncomp; i++) {
		const char *end = strchrnul(p, '/');
		if (!df_glob_matches(c, lens[i], p, (size_t)(end - p)))
			return false;
		if (!*end)
			return i + 1 == ncomp;
		p = end + 1;
		c += lens[i] + 1;
	}
	return false;
}

void df_ctx_selection_release(df_ctx_selection *sel)
{
	free(sel->own);
	memset(sel, 0, sizeof(*sel));
}

size_t *df_ctx_selection_own(df_ctx_selection *sel, size_t n)
{
	df_grow((void **)&sel->own, &sel->cap, n + 1, sizeof(*sel->own));
	sel->items = sel->own;
	return sel->own;
}

/* Fill ctx->by_depth and its groups (see context.h): a counting sort of
 * the entry indices by depth, which keeps walk order within a depth. */
static void index_depths(df_context *ctx)
{
	size_t ndepths = 0;
	for (size_t i = 0; i < ctx->len; i++)
		if (ctx->entries[i].depth >= ndepths)
			ndepths = (size_t)ctx->entries[i].depth + 1;
	size_t *start = df_xcalloc(ndepths + 1, sizeof(*start));
	for (size_t i = 0; i < ctx->len; i++)
		start[ctx->entries[i].depth + 1]++;
	for (size_t d = 0; d < ndepths; d++)
		start[d + 1] += start[d];
	size_t *by_depth = df_xmalloc((ctx->len + 1) * sizeof(*by_depth));
	size_t *next = df_xmalloc((ndepths + 1) * sizeof(*next));
	memcpy(next, start, (ndepths + 1) * sizeof(*next));
	for (size_t i = 0; i < ctx->len; i++)
		by_depth[next[ctx->entries[i].depth]++] = i;
	free(next);
	ctx->by_depth = by_depth;
	ctx->depth_start = start;
	ctx->ndepths = ndepths;
}

/* Called under ctx->memo_lock (df_context_select()). */
static int select_uncached(df_context *ctx, const char *src, df_ctx_selection *sel, df_buf *err)
{
	sel->len = 0;
	sel->roots = 0;
	sel->ignored = 0;
	df_buf p = DF_BUF_INIT;
	size_t *lens = NULL;
	int rc = -1;
	df_path_clean_rel(&p, src, strlen(src));
	if (p.len == 0) {
		sel->roots = 1;
		add_run(sel, 0, ctx->len);
	} else if (!df_glob_has_meta(p.buf)) {
		const df_ctx_entry *e = find(ctx, p.buf);
		if (e) {
			sel->roots = 1;
			add_root(ctx, (size_t)(e - ctx->entries), sel);
		} else if (is_excluded(ctx, p.buf)) {
			sel->roots = sel->ignored = 1;
		}
	} else {
		/* one NUL-terminated pattern per component, measured once for
		 * the many names it is tried on */
		size_t ncomp = 1;
		for (size_t i = 0; i < p.len; i++)
			if (p.buf[i] == '/') {
				p.buf[i] = '\0';
				ncomp++;
			}
		lens = df_xmalloc(ncomp * sizeof(*lens));
		const char *c = p.buf;
		for (size_t i = 0; i < ncomp; i++) {
			lens[i] = strlen(c);
			if (df_glob_check(c, NULL) < 0) {
				for (size_t k = 0; k + 1 < p.len; k++)
					if (p.buf[k] == '\0')
						p.buf[k] = '/';
				df_buf_addf(err, "syntax error in pattern '%s'", p.buf);
				goto out;
			}
			c += lens[i] + 1;
		}
		/* Only the entries at the pattern's depth, in walk order. */
		if (!ctx->depth_start)
			index_depths(ctx);
		if (ncomp <= ctx->ndepths)
			for (size_t k = ctx->depth_start[ncomp - 1]; k < ctx->depth_start[ncomp]; k++) {
				size_t i = ctx->by_depth[k];
				if (match_components(p.buf, lens, ncomp, ctx->entries[i].path)) {
					sel->roots++;
					add_root(ctx, i, sel);
				}
			}
		for (size_t i = 0; i < ctx->nexcluded; i++)
			if (ctx->excluded[i].depth + 1 == ncomp &&
			    match_components(p.buf, lens, ncomp, ctx->excluded[i].path)) {
				sel->roots++;
				sel->ignored++;
			}
	}
	df_ctx_selection_own(sel, sel->len);
	rc = 0;
out:
	free(lens);
	df_buf_release(&p);
	return rc;
}

/* What each source selected, by source text: the same sources (`.`,
 * `package*.json`) come back in every COPY of every Dockerfile built in the
 * context and for each rule that asks, and a pattern is matched against
 * every entry. Filled under memo_lock. */
#define SELCACHE_BUCKETS 256u

typedef struct sel_cached {
	char *src;
	df_ctx_selection sel;
	int rc;
	char *err;
	struct sel_cached *next;
} sel_cached;

typedef struct sel_cache {
	sel_cached *bucket[SELCACHE_BUCKETS];
} sel_cache;

static void *new_sel_cache(const df_context *ctx)
{
	(void)ctx;
	return df_xcalloc(1, sizeof(sel_cache));
}

static void free_sel_cache(void *p)
{
	sel_cache *c = p;
	for (size_t b = 0; b < SELCACHE_BUCKETS; b++)
		for (sel_cached *e = c->bucket[b], *next; e; e = next) {
			next = e->next;
			free(e->src);
			free(e->err);
			df_ctx_selection_release(&e->sel);
			free(e);
		}
	free(c);
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static const char sel_cache_key = 0;

static sel_cached *sel_find(sel_cached *e, const char *src)
{
	while (e && strcmp(e->src, src) != 0)
		e = e->next;
	return e;
}

int df_context_select(const df_context *cctx, const char *src, df_ctx_selection *sel, df_buf *err)
{
	sel_cache *c = (sel_cache *)df_context_memo(cctx, &sel_cache_key, new_sel_cache, free_sel_cache);
	df_context *ctx = (df_context *)cctx;
	/* As df_context_memo(): an entry at the head of its bucket is
	 * complete (a release store after its fields) and never changes, so
	 * a source met before is found without the lock. */
	sel_cached **slot = &c->bucket[hash_str(src) % SELCACHE_BUCKETS];
	sel_cached *e = sel_find(__atomic_load_n(slot, __ATOMIC_ACQUIRE), src);
	if (!e) {
		pthread_mutex_lock(&ctx->memo_lock);
		e = sel_find(*slot, src);
		if (!e) {
			e = df_xcalloc(1, sizeof(*e));
			e->src = df_xstrdup(src);
			df_buf msg = DF_BUF_INIT;
			e->rc = select_uncached(ctx, src, &e->sel, &msg);
			e->err = df_buf_detach(&msg, NULL);
			e->next = *slot;
			__atomic_store_n(slot, e, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&ctx->memo_lock);
	}
	/* The entry is never changed once made: read it unlocked, and lend
	 * its items rather than copy them (a `COPY . .` of a large context
	 * selects every entry). */
	sel->items = NULL;
	sel->len = 0;
	sel->roots = e->sel.roots;
	sel->ignored = e->sel.ignored;
	if (e->rc < 0) {
		df_buf_adds(err, e->err ? e->err : "");
		return -1;
	}
	sel->items = e->sel.items;
	sel->len = e->sel.len;
	return 0;
}

size_t df_ctx_selection_seek(const df_ctx_selection *sel, size_t k)
{
	size_t lo = 0, hi = sel->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sel->items[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool df_ctx_selection_has(const df_context *ctx, const df_ctx_selection *sel, const char *path)
{
	df_buf buf = DF_BUF_INIT;
	const char *p = clean_rel(&buf, path);
	bool found = sel->len > 0;
	if (found && *p) {
		/* What lies at or under path is the entry there and the ndesc
		 * after it (nothing is kept under a path that is no kept
		 * entry); sel is in walk order: the first item not before
		 * the entry decides. */
		const df_ctx_entry *e = find(ctx, p);
		found = false;
		if (e && sel->len == ctx->len) {
			found = true;	/* every entry, as a `COPY . .` selects */
		} else if (e) {
			size_t k = (size_t)(e - ctx->entries), at = df_ctx_selection_seek(sel, k);
			found = at < sel->len && sel->items[at] <= k + e->ndesc;
		}
	}
	df_buf_release(&buf);
	return found;
}

const df_ctx_entry *df_ctx_selection_find_name(const df_context *ctx, const df_ctx_selection *sel,
					       const char *name)
{
	df_buf scratch = DF_BUF_INIT;
	const df_ctx_entry *found = NULL;
	for (size_t i = 0; i < sel->len && !found; i++) {
		const df_ctx_entry *e = &ctx->entries[sel->items[i]];
		df_buf_reset(&scratch);
		df_buf_adds(&scratch, e->path);
		for (char *c = scratch.buf; c && !found;) {
			char *slash = strchr(c, '/');
			if (slash)
				*slash = '\0';
			if (df_glob_match(name, c, NULL) == 1)
				found = e;
			c = slash ? slash + 1 : NULL;
		}
	}
	df_buf_release(&scratch);
	return found;
}
