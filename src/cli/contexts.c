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

/* The directory a Dockerfile path is in ("." for a bare name). */
static void dir_of(const char *path, df_buf *out)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		df_buf_addc(out, '.');
	else
		df_buf_add(out, path, slash == path ? 1 : (size_t)(slash - path));
}

/* What tells two contexts apart: the root's real path and the
 * Dockerfile's own ignore file, which wins over the root's. The files of a
 * run mostly share a directory: its realpath() (a readlink per component)
 * is kept for the next file naming the same root. */
static void slot_key(df_contexts *cs, const char *root, const char *dockerfile, df_buf *key)
{
	char real[PATH_MAX];
	pthread_mutex_lock(&cs->lock);
	if (!cs->last_root || strcmp(cs->last_root, root) != 0) {
		free(cs->last_root);
		free(cs->last_real);
		cs->last_root = df_xstrdup(root);
		cs->last_real = realpath(root, real) ? df_xstrdup(real) : NULL;
	}
	df_buf_adds(key, cs->last_real ? cs->last_real : root);
	pthread_mutex_unlock(&cs->lock);
	df_buf_addc(key, '\n');
	if (dockerfile) {
		df_buf own = DF_BUF_INIT;
		df_buf_addf(&own, "%s.dockerignore", dockerfile);
		struct stat st;
		if (stat(own.buf, &st) == 0 && realpath(own.buf, real))
			df_buf_adds(key, real);
		df_buf_release(&own);
	}
}

static struct ctx_slot *open_slot(df_contexts *cs, const char *root, const char *dockerfile, char *key)
{
	df_grow((void **)&cs->slots, &cs->cap, cs->len + 1, sizeof(*cs->slots));
	struct ctx_slot *s = df_xcalloc(1, sizeof(*s));
	cs->slots[cs->len++] = s;
	s->key = key;
	df_context_opts o = { 0 };
	o.dockerfile = dockerfile;
	df_buf err = DF_BUF_INIT;
	s->ok = df_context_open(&s->ctx, root, &o, &err) == 0;
	if (!s->ok)
		s->err = df_buf_detach(&err, NULL);
	df_buf_release(&err);
	return s;
}

const df_context *df_contexts_get(df_contexts *cs, const char *path, df_buf *where, df_buf *err)
{
	bool stdin_input = strcmp(path, "-") == 0;
	if (cs->none || (stdin_input && !cs->dir))
		return NULL;
	const char *dockerfile = stdin_input ? NULL : path;
	df_buf root = DF_BUF_INIT, key = DF_BUF_INIT;
	if (cs->dir)
		df_buf_adds(&root, cs->dir);
	else
		dir_of(path, &root);
	slot_key(cs, root.buf, dockerfile, &key);

	pthread_mutex_lock(&cs->lock);
	struct ctx_slot *s = NULL;
	for (size_t i = 0; i < cs->len && !s; i++)
		if (strcmp(cs->slots[i]->key, key.buf) == 0)
			s = cs->slots[i];
	if (!s)
		s = open_slot(cs, root.buf, dockerfile, df_buf_detach(&key, NULL));
	const df_context *ctx = s->ok ? &s->ctx : NULL;
	if (!s->ok)
		df_buf_addf(err, "%s (--no-context lints without it)", s->err);
	pthread_mutex_unlock(&cs->lock);

	if (ctx)
		df_context_locate(ctx, dockerfile, where);
	df_buf_release(&root);
	df_buf_release(&key);
	return ctx;
}

const df_context *df_contexts_ask(void *arg, const char **dockerfile)
{
	df_context_ask *ask = arg;
	const df_context *ctx = df_contexts_get(ask->contexts, ask->path, &ask->where, &ask->err);
	*dockerfile = ctx && ask->where.len ? ask->where.buf : NULL;
	return ctx;
}
