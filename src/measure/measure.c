/*
 * measure.c - the scenarios of `dfopt measure`, run on two variants.
 *
 * Layout of a measurement, under a scratch directory of the user's store
 * (same file system, so base image blobs are hard links, not copies):
 *   v0/ctx, v1/ctx      each variant's copy of the build context
 *   v0/store, v1/store  each variant's store, seeded with the user's image
 *                       names and blobs, never with cache records
 * The whole scratch directory goes when the measurement ends.
 */
#include "measure/measure.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build/builder.h"
#include "build/store.h"
#include "context/context.h"
#include "graph/ecosystem.h"
#include "graph/filemodel.h"
#include "graph/graph.h"
#include "measure/engine.h"
#include "parse/parser.h"
#include "util/file.h"
#include "util/util.h"

extern char **environ;

typedef struct variant {
	char *dir, *ctx, *store;
	char *dockerfile;	/* in ctx (or beside it when outside the context) */
	df_keyset assume;	/* dry run: keys "built" by earlier scenarios */
	df_digest manifest;	/* the last image built */
	df_engine_state engine;	/* --engine buildah|docker: its storage or builder */
} variant;

typedef struct measure {
	const df_measure_opts *o;
	df_measure_result *r;
	df_buf *err;
	char *dockerfile;	/* absolute */
	char *ctx;		/* absolute */
	char *df_rel;		/* the Dockerfile relative to ctx, or NULL when outside */
	char *scratch;
	df_store user;
	bool user_open;
	variant v[2];
} measure;

static int fail(measure *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(measure *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	df_buf_reset(m->err);
	df_buf_vaddf(m->err, fmt, ap);
	va_end(ap);
	return -1;
}

static char *join(const char *a, const char *b)
{
	df_buf p = DF_BUF_INIT;
	df_buf_addf(&p, "%s/%s", a, b);
	return df_buf_detach(&p, NULL);
}

/*
 * Run argv in dir (NULL: here), its stdout to out (NULL: the log) and
 * stderr to the log. The exit status, or -1 when it could not be started.
 */
static int run_in(const measure *m, const char *dir, const char *const *argv, df_buf *out)
{
	int pipefd[2] = { -1, -1 };
	if (out && pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	int log = m->o->log_fd >= 0 ? m->o->log_fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out ? pipefd[1] : log, 1);
	posix_spawn_file_actions_adddup2(&fa, log, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		close(pipefd[1]);
		char buf[8192];
		ssize_t n;
		while (rc == 0 && ((n = read(pipefd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				df_buf_add(out, buf, (size_t)n);
		close(pipefd[0]);
	}
	if (log != m->o->log_fd)
		close(log);
	if (rc != 0)
		return -1;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run(const measure *m, const char *const *argv, df_buf *out)
{
	return run_in(m, NULL, argv, out);
}

/* Copy the file rel from one tree to another, creating its parents. */
static int copy_file(const char *from_root, const char *to_root, const char *rel, mode_t mode)
{
	char *from = join(from_root, rel), *to = join(to_root, rel);
	for (char *p = to + strlen(to_root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(to, 0755);
		*p = '/';
	}
	int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
	int rc = in >= 0 && out >= 0 ? 0 : -1;
	char buf[65536];
	ssize_t n;
	while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0)
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = -1;
	if (out >= 0 && (fchmod(out, mode & 07777) < 0 || close(out) < 0))
		rc = -1;
	if (in >= 0)
		close(in);
	free(from);
	free(to);
	return rc;
}

/*
 * Copy of the build context what a build can see: the entries its ignore
 * file keeps, the ignore file and the Dockerfile (a .git directory or
 * node_modules stay behind: they cost time and no build reads them).
 */
static int copy_context(measure *m, const char *from, const char *to)
{
	df_context ctx = DF_CONTEXT_INIT;
	df_context_opts co;
	memset(&co, 0, sizeof(co));
	co.dockerfile = m->dockerfile;
	co.stat_entries = true;
	if (mkdir(to, 0755) < 0 && errno != EEXIST)
		return fail(m, "%s: %s", to, strerror(errno));
	df_buf e = DF_BUF_INIT;
	if (df_context_open(&ctx, from, &co, &e) < 0) {
		fail(m, "%s", df_buf_str(&e));
		df_buf_release(&e);
		return -1;
	}
	df_buf_release(&e);
	int rc = 0;
	for (size_t i = 0; i < ctx.len && rc == 0; i++) {
		const df_ctx_entry *en = &ctx.entries[i];
		char *dst = join(to, en->path);
		if (en->type == DF_CTX_DIR) {
			rc = mkdir(dst, (en->mode & 07777) | 0700) < 0 && errno != EEXIST ? -1 : 0;
		} else if (en->type == DF_CTX_FILE) {
			rc = copy_file(from, to, en->path, en->mode);
		} else if (en->type == DF_CTX_SYMLINK) {
			char *src = join(from, en->path), target[PATH_MAX];
			ssize_t n = readlink(src, target, sizeof target - 1);
			if (n >= 0)
				target[n] = '\0';
			rc = n < 0 || symlink(target, dst) < 0 ? -1 : 0;
			free(src);
		}
		if (rc < 0)
			fail(m, "cannot copy %s/%s to %s: %s", from, en->path, to, strerror(errno));
		free(dst);
	}
	/* What the build reads besides the kept entries. */
	const char *extra[2] = { m->df_rel, NULL };
	size_t rl = strlen(from);
	if (ctx.ignore_file && !strncmp(ctx.ignore_file, from, rl) && ctx.ignore_file[rl] == '/')
		extra[1] = ctx.ignore_file + rl + 1;
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		struct stat st;
		char *src = extra[i] ? join(from, extra[i]) : NULL;
		if (src && stat(src, &st) == 0 && S_ISREG(st.st_mode) && copy_file(from, to, extra[i], st.st_mode) < 0)
			rc = fail(m, "cannot copy %s: %s", src, strerror(errno));
		free(src);
	}
	df_context_release(&ctx);
	return rc;
}

/* A variant's store: the user's image names and blobs, linked. */
static int seed_store(measure *m, variant *v)
{
	df_store s;
	if (df_store_open(&s, v->store, m->err) < 0)
		return -1;
	df_store_close(&s);
	static const char *const parts[] = { "blobs", "images" };
	for (size_t i = 0; i < 2; i++) {
		char *from = join(m->user.root, parts[i]);
		const char *argv[] = { "cp", "-al", from, v->store, NULL };
		const char *copy[] = { "cp", "-a", from, v->store, NULL };
		int rc = run(m, argv, NULL) == 0 || run(m, copy, NULL) == 0 ? 0 : -1;
		free(from);
		if (rc < 0)
			return fail(m, "cannot seed the store %s from %s", v->store, m->user.root);
	}
	return 0;
}

/* Run `dfopt --fix` (or --diff into diff) on variant v's Dockerfile. */
static int fix_variant(measure *m, variant *v, df_buf *diff)
{
	const char *argv[12];
	size_t n = 0;
	argv[n++] = m->o->self;
	argv[n++] = "lint";
	argv[n++] = diff ? "--diff" : "--fix";
	argv[n++] = "--no-fail";
	argv[n++] = "--no-shellcheck";
	if (m->o->unsafe_fixes)
		argv[n++] = "--unsafe-fixes";
	/* Run in the copy, so the diff names the Dockerfile as the user does. */
	argv[n++] = "--context";
	argv[n++] = ".";
	argv[n++] = m->df_rel ? m->df_rel : v->dockerfile;
	argv[n] = NULL;
	int rc = run_in(m, v->ctx, argv, diff);
	/* 0, or 1 with --diff when there are changes. */
	if (rc != 0 && !(diff && rc == 1))
		return fail(m, "`dfopt --fix` on %s failed (exit %d)", m->o->dockerfile, rc);
	return 0;
}

/* Make variant i's copy of the context hold what ctx_src holds, and its
 * Dockerfile: the original's, or the --against file's, or fixed. */
static int prepare(measure *m, int i, const char *ctx_src, const char *dockerfile_src)
{
	variant *v = &m->v[i];
	df_buf e = DF_BUF_INIT;
	df_store_remove_tree(v->ctx, &e);
	df_buf_release(&e);
	if (copy_context(m, ctx_src, v->ctx) < 0)
		return -1;
	const char *src = i == 1 && m->o->against ? m->o->against : dockerfile_src;
	if (src && strcmp(src, v->dockerfile) != 0) {
		const char *argv[] = { "cp", src, v->dockerfile, NULL };
		if (run(m, argv, NULL) != 0)
			return fail(m, "cannot copy %s", src);
	}
	if (i == 1 && !m->o->against) {
		if (!m->r->fix_diff) {
			df_buf diff = DF_BUF_INIT;
			if (fix_variant(m, v, &diff) < 0) {
				df_buf_release(&diff);
				return -1;
			}
			m->r->fix_diff = df_buf_detach(&diff, NULL);
		}
		return fix_variant(m, v, NULL);
	}
	return 0;
}

static void cell_of(const df_build_result *br, df_measure_cell *c)
{
	c->hits = br->hits;
	c->rebuilt = br->built;
	c->steps = br->hits + br->built;
	c->seconds = br->build_seconds;
	c->bytes = br->new_bytes;
}

/* A build's error for a cell, naming the user's Dockerfile rather than the
 * scratch copy the variant built (gone when the report is read). */
static char *cell_error(const measure *m, const variant *v, df_buf *err)
{
	size_t n = strlen(v->dockerfile);
	if (err->len < n || memcmp(err->buf, v->dockerfile, n) != 0)
		return df_buf_detach(err, NULL);
	df_buf named = DF_BUF_INIT;
	const char *file = v == &m->v[1] && m->o->against ? m->o->against : m->o->dockerfile;
	df_buf_addf(&named, "%s%s", file, err->buf + n);
	return df_buf_detach(&named, NULL);
}

/* Build variant i with an external engine: its state goes beside the
 * variant's store (the history replay's new store starts it cold too). */
static void build_engine(measure *m, int i, df_measure_cell *c)
{
	variant *v = &m->v[i];
	df_engine_build_opts eo;
	memset(&eo, 0, sizeof(eo));
	eo.engine = m->o->engine;
	eo.dockerfile = v->dockerfile;
	eo.context = v->ctx;
	eo.target = m->o->target;
	eo.build_args = m->o->build_args;
	eo.nbuild_args = m->o->nbuild_args;
	df_buf d = DF_BUF_INIT, err = DF_BUF_INIT;
	df_buf_addf(&d, "%s-%s", v->store, df_engine_name(m->o->engine));
	eo.state_dir = df_buf_str(&d);
	eo.bases = &m->user;
	eo.log_fd = m->o->log_fd;
	if (df_engine_build(&eo, &v->engine, c, &err) < 0)
		c->error = cell_error(m, v, &err);
	df_buf_release(&d);
	df_buf_release(&err);
}

/* Build variant i for the scenario in c. */
static void build_variant(measure *m, int i, df_measure_cell *c)
{
	variant *v = &m->v[i];
	if (m->o->engine != DF_ENGINE_DFOPT) {
		build_engine(m, i, c);
		return;
	}
	df_build_opts bo;
	memset(&bo, 0, sizeof(bo));
	bo.dockerfile = v->dockerfile;
	bo.context = v->ctx;
	bo.target = m->o->target;
	bo.build_args = m->o->build_args;
	bo.nbuild_args = m->o->nbuild_args;
	bo.store = v->store;
	bo.dry_run = m->o->dry_run;
	bo.assume = &v->assume;
	bo.progress = m->o->log_fd >= 0 ? DF_PROGRESS_PLAIN : DF_PROGRESS_QUIET;
	int devnull = m->o->log_fd >= 0 ? -1 : open("/dev/null", O_WRONLY | O_CLOEXEC);
	bo.out_fd = m->o->log_fd >= 0 ? m->o->log_fd : devnull;
	df_build_result br;
	df_buf err = DF_BUF_INIT;
	if (df_build(&bo, &br, &err) != 0)
		c->error = cell_error(m, v, &err);
	else
		v->manifest = br.manifest;
	cell_of(&br, c);
	df_build_result_release(&br);
	df_buf_release(&err);
	if (devnull >= 0)
		close(devnull);
}

static df_measure_scenario *add_scenario(measure *m, const char *name, const char *detail)
{
	df_measure_result *r = m->r;
	df_grow((void **)&r->sc, &r->cap, r->n + 1, sizeof(*r->sc));
	df_measure_scenario *s = &r->sc[r->n++];
	memset(s, 0, sizeof(*s));
	s->name = df_xstrdup(name);
	s->detail = df_xstrdup(detail ? detail : "");
	return s;
}

static void build_both(measure *m, df_measure_scenario *s)
{
	for (int i = 0; i < 2; i++)
		build_variant(m, i, &s->v[i]);
}

/* Append a newline to path in both copies: the edit of a scenario. */
static int edit_both(measure *m, const char *rel)
{
	for (int i = 0; i < 2; i++) {
		char *p = join(m->v[i].ctx, rel);
		int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
		bool ok = fd >= 0 && write(fd, "\n", 1) == 1;
		if (fd >= 0)
			close(fd);
		free(p);
		if (!ok)
			return fail(m, "cannot edit %s in the scratch copy: %s", rel, strerror(errno));
	}
	return 0;
}

static bool is_manifest_name(const char *base)
{
	size_t n;
	const df_eco_manager *mgr = df_eco_managers(&n);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; mgr[i].manifests && mgr[i].manifests[k]; k++)
			if (!strcmp(mgr[i].manifests[k], base))
				return true;
	return false;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* How much a file looks like application source: 0 code, 1 a document,
 * 2 a dot file (configuration such as .dockerignore) or another Dockerfile. */
static int source_rank(const char *path)
{
	static const char *const docs[] = { ".md", ".txt", ".rst", ".adoc", NULL };
	static const char *const doc_names[] = { "README", "LICENSE", "CHANGELOG", "NOTICE", "AUTHORS", NULL };
	const char *base = base_name(path);
	if (base[0] == '.' || strstr(path, "/.") || strstr(base, "Dockerfile") || strstr(base, "Containerfile") ||
	    strstr(base, "dockerfile"))
		return 2;
	size_t n = strlen(base);
	for (size_t i = 0; docs[i]; i++)
		if (df_mem_has_suffix(base, n, docs[i]))
			return 1;
	for (size_t i = 0; doc_names[i]; i++)
		if (!strncmp(base, doc_names[i], strlen(doc_names[i])))
			return 1;
	return 0;
}

/*
 * Choose the files the scenarios edit: a source file only the broad COPY
 * (the context COPY selecting most) brings in, and the dependency manifest
 * (the shallowest file named like one, in the ecosystem table's order).
 */
static void choose_edits(measure *m, char **source, char **manifest)
{
	*source = m->o->edit ? df_xstrdup(m->o->edit) : NULL;
	*manifest = NULL;
	df_buf text = DF_BUF_INIT, e = DF_BUF_INIT;
	df_doc doc;
	df_graph g;
	df_context ctx = DF_CONTEXT_INIT;
	df_parse_opts po = { .build_args = m->o->build_args, .nbuild_args = m->o->nbuild_args };
	df_context_opts co;
	memset(&co, 0, sizeof(co));
	co.dockerfile = m->v[0].dockerfile;
	if (df_read_text(m->v[0].dockerfile, DF_MAX_FILE, &text, &e) < 0 ||
	    df_context_open(&ctx, m->v[0].ctx, &co, &e) < 0) {
		df_buf_release(&text);
		df_buf_release(&e);
		return;
	}
	df_doc_parse(&doc, m->v[0].dockerfile, text.buf ? text.buf : "", text.len, &po);
	bool graph = df_graph_build(&g, &doc, m->o->target) == 0;
	/* Each context COPY's selection, as entry indices. */
	typedef struct picks {
		size_t *items;
		size_t len, cap;
	} picks;
	size_t nsel = 0;
	picks *sels = df_xcalloc(doc.ninstrs + 1, sizeof(*sels));
	long broad = -1;
	size_t broad_len = 0;
	for (size_t i = 0; graph && i < doc.ninstrs; i++) {
		const df_step *st = &g.steps[i];
		if (!st->copy || st->copy->origin != DF_COPY_CONTEXT || st->stage < 0 || !g.stages[st->stage].reachable)
			continue;
		picks *sel = &sels[nsel];
		for (size_t k = 0; k < st->copy->nsources; k++) {
			df_ctx_selection tmp = DF_CTX_SELECTION_INIT;
			char *src = df_xstrndup(st->copy->sources[k].ptr, st->copy->sources[k].len);
			df_buf serr = DF_BUF_INIT;
			if (df_context_select(&ctx, src, &tmp, &serr) == 0)
				for (size_t j = 0; j < tmp.len; j++) {
					df_grow((void **)&sel->items, &sel->cap, sel->len + 1, sizeof(size_t));
					sel->items[sel->len++] = tmp.items[j];
				}
			df_ctx_selection_release(&tmp);
			df_buf_release(&serr);
			free(src);
		}
		if (sel->len > broad_len) {
			broad_len = sel->len;
			broad = (long)nsel;
		}
		nsel++;
	}
	/* The source: a file of the broad selection no other selects, code
	 * before documents before dot files, then in path order. */
	int best = 3;
	for (size_t j = 0; !m->o->edit && broad >= 0 && j < sels[broad].len; j++) {
		const df_ctx_entry *en = &ctx.entries[sels[broad].items[j]];
		if (en->type != DF_CTX_FILE || is_manifest_name(base_name(en->path)) ||
		    (m->df_rel && !strcmp(en->path, m->df_rel)))
			continue;
		int rank = source_rank(en->path);
		if (rank >= best)
			continue;
		bool other = false;
		for (size_t s = 0; s < nsel && !other; s++)
			for (size_t k = 0; (long)s != broad && k < sels[s].len && !other; k++)
				other = sels[s].items[k] == sels[broad].items[j];
		if (!other) {
			free(*source);
			*source = df_xstrdup(en->path);
			best = rank;
		}
	}
	/* The manifest: the files the Dockerfile's installs name (pip -r F),
	 * then the table's names; shallowest first, then in that order. */
	const char **names = NULL;
	size_t nnames = 0, ncap = 0;
	df_arena a = DF_ARENA_INIT;
	for (size_t i = 0; graph && i < doc.ninstrs; i++) {
		size_t nu;
		df_run_use *uses = g.steps[i].stage >= 0 && g.stages[g.steps[i].stage].reachable
					   ? df_run_uses(&a, &g, i, &nu) : NULL;
		for (size_t u = 0; uses && u < nu; u++)
			for (size_t k = 0; k < uses[u].use.nmanifests; k++)
				if (uses[u].use.manifests[k].named && !uses[u].use.manifests[k].glob) {
					df_grow((void **)&names, &ncap, nnames + 1, sizeof(*names));
					names[nnames++] = base_name(uses[u].use.manifests[k].path);
				}
	}
	size_t nm;
	const df_eco_manager *mgr = df_eco_managers(&nm);
	for (size_t i = 0; i < nm; i++)
		for (size_t k = 0; mgr[i].manifests && mgr[i].manifests[k]; k++) {
			df_grow((void **)&names, &ncap, nnames + 1, sizeof(*names));
			names[nnames++] = mgr[i].manifests[k];
		}
	size_t best_depth = SIZE_MAX;
	for (size_t i = 0; i < nnames; i++)
		for (size_t j = 0; j < ctx.len; j++) {
			const df_ctx_entry *en = &ctx.entries[j];
			if (en->type == DF_CTX_FILE && en->depth < best_depth && !strcmp(base_name(en->path), names[i])) {
				free(*manifest);
				*manifest = df_xstrdup(en->path);
				best_depth = en->depth;
			}
		}
	free(names);
	df_arena_release(&a);
	for (size_t s = 0; s < nsel; s++)
		free(sels[s].items);
	free(sels);
	if (graph)
		df_graph_release(&g);
	df_doc_release(&doc);
	df_context_release(&ctx);
	df_buf_release(&text);
	df_buf_release(&e);
}

/* ---- history ----------------------------------------------------------- */

static char *git_out(measure *m, const char *const *argv)
{
	df_buf out = DF_BUF_INIT;
	if (run(m, argv, &out) != 0) {
		df_buf_release(&out);
		return NULL;
	}
	while (out.len && (out.buf[out.len - 1] == '\n' || out.buf[out.len - 1] == '\r'))
		out.buf[--out.len] = '\0';
	return df_buf_detach(&out, NULL);
}

/* Materialise commit's tree of the context into dir (git archive). */
static int extract_commit(measure *m, const char *top, const char *prefix, const char *commit, const char *dir)
{
	df_buf e = DF_BUF_INIT;
	df_store_remove_tree(dir, &e);
	df_buf_release(&e);
	if (mkdir(dir, 0755) < 0)
		return fail(m, "%s: %s", dir, strerror(errno));
	df_buf tree = DF_BUF_INIT;
	df_buf_addf(&tree, "%s:%s", commit, prefix);
	const char *argv[] = { "sh", "-c", "git -C \"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"", "sh", top,
			       df_buf_str(&tree), dir, NULL };
	int rc = run(m, argv, NULL);
	df_buf_release(&tree);
	return rc == 0 ? 0 : fail(m, "cannot extract commit %s of %s", commit, top);
}

/* A `git cat-file --batch` running beside the replay: blobs by id. */
typedef struct blob_reader {
	pid_t pid;
	int to;			/* its stdin */
	FILE *from;		/* its stdout */
} blob_reader;

static int blob_reader_start(measure *m, blob_reader *br, const char *top)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return fail(m, "pipe: %s", strerror(errno));
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return fail(m, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	const char *argv[] = { "git", "-C", top, "cat-file", "--batch", NULL };
	int rc = posix_spawnp(&br->pid, "git", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		close(in[1]);
		close(out[0]);
		return fail(m, "cannot run git cat-file: %s", strerror(rc));
	}
	br->to = in[1];
	br->from = fdopen(out[0], "r");
	return 0;
}

static void blob_reader_stop(blob_reader *br)
{
	if (br->to >= 0)
		close(br->to);
	if (br->from)
		fclose(br->from);
	if (br->pid > 0)
		waitpid(br->pid, NULL, 0);
}

/* The content of blob id into out (reset first). */
static int blob_read(measure *m, blob_reader *br, const char *id, df_buf *out)
{
	df_buf_reset(out);
	char line[256];
	size_t n = strlen(id);
	if (write(br->to, id, n) != (ssize_t)n || write(br->to, "\n", 1) != 1 || !fgets(line, sizeof line, br->from))
		return fail(m, "git cat-file: cannot read blob %s", id);
	char kind[32];
	unsigned long long size;
	if (sscanf(line, "%*s %31s %llu", kind, &size) != 2 || strcmp(kind, "blob"))
		return fail(m, "git cat-file: %s is not a blob", id);
	df_buf_grow(out, (size_t)size + 1);
	if (fread(out->buf, 1, (size_t)size, br->from) != size || fgetc(br->from) != '\n')
		return fail(m, "git cat-file: short read of %s", id);
	out->len = (size_t)size;
	out->buf[out->len] = '\0';
	return 0;
}

/* Write (or, data NULL, delete) rel in a variant's copy. */
static int apply_change(measure *m, const char *root, const char *rel, const char *mode, const df_buf *data)
{
	char *path = join(root, rel);
	unlink(path);
	int rc = 0;
	if (!data) {
		/* git keeps no empty directories: neither does the copy. */
		for (char *slash; (slash = strrchr(path, '/')) && slash > path + strlen(root);) {
			*slash = '\0';
			if (rmdir(path) < 0)
				break;
		}
	} else if (!strcmp(mode, "120000")) {
		for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
		rc = symlink(df_buf_str(data), path);
	} else {
		for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
			      !strcmp(mode, "100755") ? 0755 : 0644);
		rc = fd >= 0 && write(fd, data->buf ? data->buf : "", data->len) == (ssize_t)data->len ? 0 : -1;
		if (fd >= 0 && close(fd) < 0)
			rc = -1;
	}
	if (rc < 0)
		fail(m, "cannot write %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

/* Is rel a file that decides the fixed variant (the Dockerfile, an
 * ignore file)? */
static bool shapes_fix(const measure *m, const char *rel)
{
	size_t n = strlen(rel);
	return (m->df_rel && !strcmp(rel, m->df_rel)) || df_mem_has_suffix(rel, n, ".dockerignore");
}

/* One commit of the replay: its id, subject and raw changes. */
typedef struct commit {
	const char *id, *subject;
	const char *const *records;	/* ":oldmode newmode oldid newid status" then the path, in pairs */
	size_t nrecords;		/* pairs */
} commit;

/*
 * Bring both copies to commit c from its parent: the paths of its raw diff
 * under the context's prefix, contents from the blob reader. *refix: a
 * file the fixed variant depends on changed.
 */
static int apply_commit(measure *m, blob_reader *br, const char *prefix, const commit *c, bool *refix)
{
	df_buf data = DF_BUF_INIT;
	int rc = 0;
	size_t plen = strlen(prefix);
	for (size_t k = 0; rc == 0 && k < c->nrecords; k++) {
		const char *rec = c->records[2 * k], *path = c->records[2 * k + 1];
		char newmode[16], newid[80], status;
		if (sscanf(rec, ":%*s %15s %*s %79s %c", newmode, newid, &status) != 3)
			continue;
		if (strncmp(path, prefix, plen) || !strcmp(newmode, "160000"))
			continue;
		const char *rel = path + plen;
		bool gone = status == 'D';
		if (!gone && blob_read(m, br, newid, &data) < 0) {
			rc = -1;
			break;
		}
		for (int i = 0; i < 2 && rc == 0; i++) {
			/* The other file stays the other file. */
			if (i == 1 && m->o->against && m->df_rel && !strcmp(rel, m->df_rel))
				continue;
			rc = apply_change(m, m->v[i].ctx, rel, newmode, gone ? NULL : &data);
		}
		*refix |= shapes_fix(m, rel);
	}
	df_buf_release(&data);
	return rc;
}

/*
 * Split `git log -z --raw --format=@@%H%x09%s` output (modified in place)
 * into commits: "@@id\tsubject" tokens, each followed by its raw records
 * and paths. The array and its record lists are malloc'd.
 */
static commit *parse_log(char *out, size_t len, size_t *n)
{
	commit *cs = NULL;
	size_t cap = 0, rcap = 0;
	*n = 0;
	const char **recs = NULL;
	size_t nrecs = 0;
	for (size_t off = 0; off < len;) {
		char *tok = out + off;
		size_t tl = strlen(tok);
		off += tl + 1;
		while (*tok == '\n')
			tok++;
		if (!strncmp(tok, "@@", 2)) {
			df_grow((void **)&cs, &cap, *n + 1, sizeof(*cs));
			commit *c = &cs[(*n)++];
			char *tab = strchr(tok, '\t');
			if (tab)
				*tab = '\0';
			c->id = tok + 2;
			c->subject = tab ? tab + 1 : "";
			c->records = NULL;
			c->nrecords = 0;
			continue;
		}
		if (*tok != ':' || !*n || off >= len)
			continue;
		/* A record and its path. */
		const char *path = out + off;
		off += strlen(path) + 1;
		df_grow((void **)&recs, &rcap, nrecs + 2, sizeof(*recs));
		recs[nrecs++] = tok;
		recs[nrecs++] = path;
		cs[*n - 1].nrecords++;
	}
	/* The records were appended in commit order: hand out the slices. */
	for (size_t i = 0, at = 0; i < *n; i++) {
		cs[i].records = recs + at;
		at += 2 * cs[i].nrecords;
	}
	if (*n)
		cs[0].records = recs;	/* owns the list, freed with it */
	else
		free(recs);
	return cs;
}

/* The fixed variant of the current commit: fixed again only when a file
 * the fix depends on changed. */
static int refix(measure *m)
{
	if (m->o->against)
		return 0;
	return fix_variant(m, &m->v[1], NULL);
}

static int history(measure *m)
{
	const char *top_argv[] = { "git", "-C", m->ctx, "rev-parse", "--show-toplevel", NULL };
	const char *prefix_argv[] = { "git", "-C", m->ctx, "rev-parse", "--show-prefix", NULL };
	char *top = git_out(m, top_argv), *prefix = git_out(m, prefix_argv);
	int rc = 0;
	if (!top || !prefix)
		rc = fail(m, "--history: %s is not in a git repository", m->ctx);
	else if (!m->df_rel)
		rc = fail(m, "--history: the Dockerfile must be inside the build context");
	/* The replay starts cold from the oldest commit, in stores of its own:
	 * the builds of the working tree must not make its first steps hit. */
	for (int i = 0; i < 2 && rc == 0; i++) {
		variant *v = &m->v[i];
		free(v->store);
		v->store = join(v->dir, "store-history");
		df_keyset_release(&v->assume);
		rc = seed_store(m, v);
	}
	char count[32];
	snprintf(count, sizeof count, "--max-count=%u", m->o->history + 1);
	const char *log_argv[] = { "git", "-C", top ? top : ".", "log", "-z", "--reverse", "--first-parent", count,
				   "--raw", "--no-renames", "--no-abbrev", "--format=@@%H%x09%s", "HEAD", NULL };
	df_buf log = DF_BUF_INIT;
	if (rc == 0 && run(m, log_argv, &log) != 0)
		rc = fail(m, "--history: git log failed in %s", top);
	size_t ncommits = 0;
	commit *commits = rc == 0 ? parse_log(log.buf ? log.buf : "", log.len, &ncommits) : NULL;
	blob_reader br = { -1, -1, NULL };
	if (rc == 0)
		rc = blob_reader_start(m, &br, top);
	for (size_t k = 0; rc == 0 && k < ncommits; k++) {
		const commit *c = &commits[k];
		df_buf name = DF_BUF_INIT;
		df_buf_addf(&name, "%s %.12s", k ? "commit" : "base", c->id);
		bool again = false;
		if (k == 0) {
			/* The oldest commit whole; the others as changes to it. */
			for (int i = 0; i < 2 && rc == 0; i++)
				rc = extract_commit(m, top, prefix, c->id, m->v[i].ctx);
			if (rc == 0 && m->o->against) {
				const char *argv[] = { "cp", m->o->against, m->v[1].dockerfile, NULL };
				rc = run(m, argv, NULL) == 0 ? 0 : fail(m, "cannot copy %s", m->o->against);
			}
			again = true;
		} else {
			rc = apply_commit(m, &br, prefix, c, &again);
		}
		if (rc == 0 && again)
			rc = refix(m);
		if (rc == 0)
			build_both(m, add_scenario(m, df_buf_str(&name), c->subject));
		df_buf_release(&name);
	}
	blob_reader_stop(&br);
	if (commits)
		free((void *)commits[0].records);
	free(commits);
	df_buf_release(&log);
	free(top);
	free(prefix);
	return rc;
}

/* ---- the measurement --------------------------------------------------- */

static int setup(measure *m)
{
	const df_measure_opts *o = m->o;
	char real[PATH_MAX];
	if (!realpath(o->dockerfile, real))
		return fail(m, "%s: %s", o->dockerfile, strerror(errno));
	m->dockerfile = df_xstrdup(real);
	char *dir = df_xstrdup(real);
	*strrchr(dir, '/') = '\0';
	const char *ctx = o->context ? o->context : (*dir ? dir : "/");
	if (!realpath(ctx, real)) {
		free(dir);
		return fail(m, "%s: %s", ctx, strerror(errno));
	}
	free(dir);
	m->ctx = df_xstrdup(real);
	size_t cl = strlen(m->ctx);
	if (!strncmp(m->dockerfile, m->ctx, cl) && m->dockerfile[cl] == '/')
		m->df_rel = df_xstrdup(m->dockerfile + cl + 1);
	if (o->against && access(o->against, R_OK) < 0)
		return fail(m, "%s: %s", o->against, strerror(errno));
	if (o->verify && o->dry_run)
		return fail(m, "--verify compares built images: it cannot go with --dry-run");
	if (o->engine != DF_ENGINE_DFOPT && o->dry_run)
		return fail(m, "--dry-run computes dfopt's cache keys: it needs --engine dfopt");
	if (o->engine != DF_ENGINE_DFOPT && o->verify)
		return fail(m, "--verify needs --engine dfopt");
	if (df_engine_check(o->engine, m->err) < 0)
		return -1;
	if (df_store_open(&m->user, o->store, m->err) < 0)
		return -1;
	m->user_open = true;
	df_buf s = DF_BUF_INIT;
	if (df_store_mkscratch(&m->user, "measure", &s, m->err) < 0) {
		df_buf_release(&s);
		return -1;
	}
	m->scratch = df_buf_detach(&s, NULL);
	for (int i = 0; i < 2; i++) {
		variant *v = &m->v[i];
		v->dir = join(m->scratch, i ? "v1" : "v0");
		v->ctx = join(v->dir, "ctx");
		v->store = join(v->dir, "store");
		v->dockerfile = m->df_rel ? join(v->ctx, m->df_rel) : join(v->dir, "Dockerfile");
		if (mkdir(v->dir, 0755) < 0)
			return fail(m, "%s: %s", v->dir, strerror(errno));
		if (seed_store(m, v) < 0)
			return -1;
	}
	m->r->variant[0] = df_xstrdup("original");
	m->r->variant[1] = df_xstrdup(o->against ? o->against : o->unsafe_fixes ? "fixed (unsafe)" : "fixed");
	m->r->dry_run = o->dry_run;
	return 0;
}

static void teardown(measure *m)
{
	df_buf e = DF_BUF_INIT;
	if (m->scratch)
		df_store_remove_tree(m->scratch, &e);
	df_buf_release(&e);
	for (int i = 0; i < 2; i++) {
		free(m->v[i].dir);
		free(m->v[i].ctx);
		free(m->v[i].store);
		free(m->v[i].dockerfile);
		df_keyset_release(&m->v[i].assume);
		df_engine_state_release(&m->v[i].engine, m->o->log_fd);
	}
	if (m->user_open)
		df_store_close(&m->user);
	free(m->scratch);
	free(m->dockerfile);
	free(m->ctx);
	free(m->df_rel);
}

/* Did every build succeed? A failed one is reported in its cell (and the
 * exit status): --verify has no final image of that variant to compare. */
static bool all_built(const df_measure_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (int v = 0; v < 2; v++)
			if (r->sc[i].v[v].error && strcmp(r->sc[i].v[v].error, "skipped"))
				return false;
	return true;
}

int df_measure(const df_measure_opts *o, df_measure_result *r, df_buf *err)
{
	measure m;
	memset(&m, 0, sizeof(m));
	memset(r, 0, sizeof(*r));
	m.o = o;
	m.r = r;
	m.err = err;
	int rc = setup(&m);
	for (int i = 0; i < 2 && rc == 0; i++)
		rc = prepare(&m, i, m.ctx, m.dockerfile);
	char *source = NULL, *manifest = NULL;
	if (rc == 0) {
		choose_edits(&m, &source, &manifest);
		build_both(&m, add_scenario(&m, "cold", "first build, empty cache"));
		build_both(&m, add_scenario(&m, "no-change", "the same build again"));
		if (source && (rc = edit_both(&m, source)) == 0)
			build_both(&m, add_scenario(&m, "source", source));
		else if (!source)
			add_scenario(&m, "source", "no file that only the broad COPY selects")->v[0].error =
				df_xstrdup("skipped");
		if (rc == 0 && manifest && (rc = edit_both(&m, manifest)) == 0)
			build_both(&m, add_scenario(&m, "manifest", manifest));
	}
	if (rc == 0 && o->history)
		rc = history(&m);
	if (rc == 0 && o->verify && all_built(r)) {
		df_buf report = DF_BUF_INIT;
		int same = df_measure_compare(m.v[0].store, m.v[0].manifest.s, m.v[1].store, m.v[1].manifest.s, 20,
					      &report, err);
		if (same < 0) {
			rc = -1;
		} else {
			r->verified = true;
			r->verify_ok = same == 1;
			r->verify_report = df_buf_detach(&report, NULL);
		}
		df_buf_release(&report);
	}
	free(source);
	free(manifest);
	teardown(&m);
	return rc;
}

void df_measure_result_release(df_measure_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->sc[i].name);
		free(r->sc[i].detail);
		for (int v = 0; v < 2; v++)
			free(r->sc[i].v[v].error);
	}
	free(r->sc);
	free(r->variant[0]);
	free(r->variant[1]);
	free(r->verify_report);
	free(r->fix_diff);
	memset(r, 0, sizeof(*r));
}
