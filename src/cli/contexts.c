/*
 * contexts.c - build contexts opened on demand and shared; see contexts.h.
 */
#include "cli/contexts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

struct ctx_slot {
	char *key;		/* realpath of the root, '\n', the ignore file beside the Dockerfile or "" */
	df_context ctx;
	bool ok;
	char *err;		/* why it could not be opened, when !ok */
};

void df_contexts_init(df_contexts *cs, const char *dir, bool none)
{
	memset(cs, 0, sizeof(*cs));
	cs->dir = dir;
	cs->none = none;
	pthread_mutex_init(&cs->lock, NULL);
}

void df_contexts_release(df_contexts *cs)
{
	for (size_t i = 0; i < cs->len; i++) {
		struct ctx_slot *s = cs->slots[i];
		free(s->key);
		if (s->ok)
			df_context_release(&s->ctx);
		free(s->err);
		free(s);
	}
	free(cs->slots);
	free(cs->last_root);
	free(cs->last_real);
	pthread_mutex_destroy(&cs->lock);
	memset(cs, 0, sizeof(*cs));
}

/* A slot's key in pieces: the root's real path (the root as given when it
 * has none), '\n', and the real path of the Dockerfile's own ignore file:
 * own_dir "/" own_name, own_dir alone when own_name is NULL, nothing when
 * own_dir is NULL. A file's key is compared in pieces and written out only
 * for a new slot: most files find the slot of the file before. */
typedef struct key_parts {
	const char *root;
	const char *own_dir;
	const char *own_name;
} key_parts;

static void key_write(const key_parts *k, df_buf *out)
{
	df_buf_adds(out, k->root);
	df_buf_addc(out, '\n');
	if (k->own_dir)
		df_buf_adds(out, k->own_dir);
	if (k->own_name) {
		if (strcmp(k->own_dir, "/") != 0)
			df_buf_addc(out, '/');
		df_buf_adds(out, k->own_name);
	}
}

static bool key_is(const char *key, const key_parts *k)
{
	size_t n = strlen(k->root);
	if (strncmp(key, k->root, n) != 0 || key[n] != '\n')
		return false;
	key += n + 1;
	if (!k->own_dir)
		return *key == '\0';
	n = strlen(k->own_dir);
	if (strncmp(key, k->own_dir, n) != 0)
		return false;
	key += n;
	if (!k->own_name)
		return *key == '\0';
	if (strcmp(k->own_dir, "/") != 0 && *key++ != '/')
		return false;
	return strcmp(key, k->own_name) == 0;
}

/* Has slot s the root whose real path is real? */
static bool slot_has_root(const struct ctx_slot *s, const char *real)
{
	size_t n = strlen(real);
	return strncmp(s->key, real, n) == 0 && s->key[n] == '\n';
}

/* Is s the slot of that root for a Dockerfile without its own ignore file? */
static bool slot_is_plain(const struct ctx_slot *s, const char *real)
{
	return slot_has_root(s, real) && s->key[strlen(real) + 1] == '\0';
}

static const char ignore_ext[] = ".dockerignore";

/* Has ctx at its root a name that ends in ".dockerignore" after something
 * (a Dockerfile's own ignore file)? Worked out once per context: most
 * directories have none, and each of their Dockerfiles would look its own
 * up in the listing. */
static void *find_own_ignores(const df_context *ctx)
{
	bool *any = df_xmalloc(sizeof(*any));
	size_t el = sizeof(ignore_ext) - 1;
	*any = false;
	for (size_t i = 0; i < ctx->ntop && !*any; i++) {
		size_t n = strlen(ctx->top[i].name);
		*any = n > el && memcmp(ctx->top[i].name + n - el, ignore_ext, el) == 0;
	}
	return any;
}

static bool has_own_ignores(const df_context *ctx)
{
	static const char key = 0;
	return *(const bool *)df_context_memo(ctx, &key, find_own_ignores, free);
}

/*
 * The Dockerfile's own ignore file, "<dockerfile>.dockerignore", into k
 * when it exists, its real path in own[PATH_MAX] if need be; the
 * Dockerfile's name starts at dockerfile[base]. listed, when
 * not NULL, is an opened context whose root is the Dockerfile's directory,
 * real its real path: the walk's listing of the root tells whether the
 * name is there without a stat() per file (nearly always it is not), and
 * the real path of a regular file there is the root's and its name.
 * Anything else there (a directory, a symlink) is asked of the system, as
 * when there is no listing.
 */
static void own_ignore(const df_context *listed, const char *real, const char *dockerfile, size_t base,
		       char *own, key_parts *k)
{
	char path[PATH_MAX];
	size_t dl = strlen(dockerfile);
	if (dl + sizeof(ignore_ext) > sizeof(path))
		return;	/* stat() would fail: ENAMETOOLONG */
	/* The name is the Dockerfile's name and the extension (the
	 * extension alone for a path ending in '/'): the listing can hold it
	 * only if it holds a name so made, which is known before the name
	 * is. */
	if (listed && base < dl && !has_own_ignores(listed))
		return;
	memcpy(path, dockerfile, dl);
	memcpy(path + dl, ignore_ext, sizeof(ignore_ext));
	const char *slash = base ? path + base - 1 : NULL;
	const char *name = path + base;
	df_ctx_type type;
	if (listed && !df_context_at_root(listed, name, &type))
		return;
	if (listed && type == DF_CTX_FILE) {
		/* name lies in path, which is gone on return: own has room */
		memmove(own, name, strlen(name) + 1);
		k->own_dir = real;
		k->own_name = own;
		return;
	}
	/* Keyed by its place beside the Dockerfile, not by where a symlink
	 * leads: two Dockerfiles whose own ignore files are one file through
	 * a link each have theirs named in their findings, whichever file of
	 * a -j run comes first. */
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	char dir[PATH_MAX] = ".";
	if (slash) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (!realpath(dir, own))
		return;
	size_t ol = strlen(own), nl = strlen(name);
	if (own[ol - 1] != '/')
		own[ol++] = '/';
	if (ol + nl >= PATH_MAX)
		return;
	memcpy(own + ol, name, nl + 1);
	k->own_dir = own;
}

static struct ctx_slot *open_slot(df_contexts *cs, const char *root, const char *dockerfile, const key_parts *k)
{
	df_grow((void **)&cs->slots, &cs->cap, cs->len + 1, sizeof(*cs->slots));
	struct ctx_slot *s = df_xcalloc(1, sizeof(*s));
	cs->slots[cs->len++] = s;
	df_buf key = DF_BUF_INIT;
	key_write(k, &key);
	s->key = df_buf_detach(&key, NULL);
	df_context_opts o = { 0 };
	o.dockerfile = dockerfile;
	df_buf err = DF_BUF_INIT;
	s->ok = df_context_open(&s->ctx, root, &o, &err) == 0;
	if (!s->ok)
		s->err = df_buf_detach(&err, NULL);
	df_buf_release(&err);
	return s;
}

/*
 * What tells two contexts apart: the root's real path and the
 * Dockerfile's own ignore file, which wins over the root's. The files of a
 * run mostly share a directory: its realpath() (a readlink per component)
 * is kept for the next file naming the same root, with an opened context
 * of it, whose listing answers for the own ignore files beside it.
 */
const df_context *df_contexts_get(df_contexts *cs, const char *path, df_buf *where, df_buf *err)
{
	bool stdin_input = strcmp(path, "-") == 0;
	if (cs->none || (stdin_input && !cs->dir))
		return NULL;
	const char *dockerfile = stdin_input ? NULL : path;
	/* The root: --context, else the Dockerfile's directory ("." for a
	 * bare name), on the stack when it fits as it nearly always does. */
	const char *slash = dockerfile ? strrchr(dockerfile, '/') : NULL;
	size_t dl = slash ? (slash == dockerfile ? 1 : (size_t)(slash - dockerfile)) : 1;
	const char *dir = slash ? dockerfile : ".";
	char small[256];
	df_buf heap = DF_BUF_INIT;
	const char *root = cs->dir;
	if (!root && dl < sizeof(small)) {
		memcpy(small, dir, dl);
		small[dl] = '\0';
		root = small;
	} else if (!root) {
		df_buf_add(&heap, dir, dl);
		root = heap.buf;
	}

	char real[PATH_MAX], own[PATH_MAX];
	key_parts k = { root, NULL, NULL };
	pthread_mutex_lock(&cs->lock);
	if (!cs->last_root || strcmp(cs->last_root, root) != 0) {
		free(cs->last_root);
		free(cs->last_real);
		cs->last_root = df_xstrdup(root);
		cs->last_real = realpath(root, real) ? df_xstrdup(real) : NULL;
		cs->last_listed = NULL;
		cs->last_plain = NULL;
		for (size_t i = 0; cs->last_real && i < cs->len; i++) {
			if (!cs->last_listed && cs->slots[i]->ok && slot_has_root(cs->slots[i], cs->last_real))
				cs->last_listed = &cs->slots[i]->ctx;
			if (!cs->last_plain && slot_is_plain(cs->slots[i], cs->last_real))
				cs->last_plain = cs->slots[i];
		}
	}
	/* copied for after the lock: another root asked for meanwhile
	 * replaces them; a slot stays */
	const df_context *listed = NULL;
	struct ctx_slot *plain = NULL;
	if (cs->last_real) {
		strcpy(real, cs->last_real);
		k.root = real;
		listed = cs->last_listed;
		plain = cs->last_plain;
	}
	pthread_mutex_unlock(&cs->lock);
	if (dockerfile) {
		/* The listing is of root: it answers only for a Dockerfile
		 * whose directory root is (always so without --context, root
		 * being a copy of it then). */
		if (listed && cs->dir && !(strlen(root) == dl && memcmp(root, dir, dl) == 0))
			listed = NULL;
		own_ignore(listed, real, dockerfile, slash ? (size_t)(slash - dockerfile) + 1 : 0, own, &k);
	}

	/* Without an own ignore file the key is plain's: no search. A slot
	 * does not change once added. */
	struct ctx_slot *s = k.own_dir ? NULL : plain;
	if (!s) {
		pthread_mutex_lock(&cs->lock);
		for (size_t i = 0; i < cs->len && !s; i++)
			if (key_is(cs->slots[i]->key, &k))
				s = cs->slots[i];
		if (!s) {
			s = open_slot(cs, root, dockerfile, &k);
			if (s->ok && !cs->last_listed && cs->last_real && slot_has_root(s, cs->last_real))
				cs->last_listed = &s->ctx;
		}
		if (!cs->last_plain && cs->last_real && slot_is_plain(s, cs->last_real))
			cs->last_plain = s;
		pthread_mutex_unlock(&cs->lock);
	}
	const df_context *ctx = s->ok ? &s->ctx : NULL;
	if (!s->ok)
		df_buf_addf(err, "%s (--no-context lints without it)", s->err);

	if (ctx)
		df_context_locate(ctx, dockerfile, where);
	df_buf_release(&heap);
	return ctx;
}

const df_context *df_contexts_ask(void *arg, const char **dockerfile)
{
	df_context_ask *ask = arg;
	/* Asked again for each lint of the file (--fix lints it once per
	 * round): each answer replaces the last. */
	df_buf_reset(&ask->where);
	df_buf_reset(&ask->err);
	const df_context *ctx = df_contexts_get(ask->contexts, ask->path, &ask->where, &ask->err);
	*dockerfile = ctx && ask->where.len ? ask->where.buf : NULL;
	return ctx;
}
