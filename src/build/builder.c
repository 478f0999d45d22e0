/*
 * builder.c - the build loop: parse at build time, plan the stages, key
 * every step, reuse or execute it, commit the image, explain the misses.
 *
 * One build is single-threaded. It takes a private mount namespace of its
 * own the first time it needs to mount something itself (a read-only view
 * of a stage's file system for COPY --from or RUN --mount from=), so no
 * mount outlives the process.
 */
#include "build/builder.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <linux/openat2.h>

#include "build/copy.h"
#include "build/hashcache.h"
#include "build/fetch.h"
#include "build/image.h"
#include "build/layer.h"
#include "build/sandbox.h"
#include "build/store.h"
#include "context/context.h"
#include "graph/graph.h"
#include "parse/flags.h"
#include "parse/parser.h"
#include "util/file.h"
#include "util/util.h"

#define KEY_VERSION "dfopt-cache-v1"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A base image named by a FROM line, loaded once. */
typedef struct base_image {
	char *ref;
	df_image img;
	char **env;		/* its config's Env, NULL-terminated */
	char *error;		/* why it could not be had, or NULL */
} base_image;

/* What a stage is while being built, and after. */
typedef struct stage_state {
	bool built;
	df_image img;		/* its image so far */
	df_digest key;		/* the key of its last step */
	char *workdir;		/* "" = "/" */
	char *user;
	char **shell;		/* NULL-terminated; NULL: ["/bin/sh", "-c"] */
	bool cmd_set;		/* CMD given in this stage (ENTRYPOINT keeps it) */
	size_t ordinal;		/* build steps so far: matches steps across builds */
	char *view;		/* a mounted read-only view of its file system, or NULL */
} stage_state;

typedef struct build {
	const df_build_opts *o;
	df_build_result *r;
	df_buf *err;
	df_store store;
	bool store_open;
	df_hashcache *hashes;	/* the store's context file digests, or NULL */
	df_doc doc;
	bool doc_parsed;
	df_graph g;
	bool graph_built;
	char *dockerfile;	/* absolute */
	char *ctx_dir;		/* absolute */
	df_context ctx;
	bool ctx_open;
	base_image *bases;
	size_t nbases;
	stage_state *stages;
	char *scratch;		/* this build's scratch directory */
	bool own_mountns;
	cJSON *prev;		/* the previous build's steps, or NULL */
	cJSON *record;		/* this build's steps */
	unsigned nviews;
} build;

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(build *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	df_buf_reset(b->err);
	df_buf_vaddf(b->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* "file:line: " before a message about instruction in. */
static int fail_at(build *b, const df_instr *in, const char *what)
{
	return fail(b, "%s:%u: %s", b->o->dockerfile, in->line, what);
}

/* Progress is best effort: a closed pipe must not stop the build. */
static void out_write(const build *b, const char *s, size_t n)
{
	(void)df_write_all(b->o->out_fd, s, n);
}

static void outf(const build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(const build *b, const char *fmt, ...)
{
	df_buf line = DF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	out_write(b, line.buf ? line.buf : "", line.len);
	df_buf_release(&line);
}

static void out_json(const build *b, cJSON *ev)
{
	char *s = cJSON_PrintUnformatted(ev);
	out_write(b, s, strlen(s));
	out_write(b, "\n", 1);
	free(s);
	cJSON_Delete(ev);
}

static char *str_dup(df_str s)
{
	return df_xstrndup(s.ptr ? s.ptr : "", s.len);
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The value the builder gives word w (its expansion, or the word as written
 * where nothing expands); NULL when expansion failed (err set). */
static char *word_value(build *b, const df_instr *in, const df_word *w)
{
	df_str v;
	if (!df_expanded_value(&w->exp, w->value, &v)) {
		fail(b, "%s:%u: %s", b->o->dockerfile, in->line,
		     w->exp.error ? w->exp.error : "a value depends on an unknown variable");
		return NULL;
	}
	return str_dup(v);
}

static char *flag_value(build *b, const df_instr *in, const char *name)
{
	const df_flag *f = df_instr_flag(in, name);
	if (!f)
		return NULL;
	df_str v;
	if (!df_expanded_value(&f->exp, f->value, &v)) {
		fail(b, "%s:%u: --%s: %s", b->o->dockerfile, in->line, name,
		     f->exp.error ? f->exp.error : "depends on an unknown variable");
		return NULL;
	}
	return str_dup(v);
}

/* ---- image config helpers ---------------------------------------------- */

static cJSON *cfg_obj(df_image *img)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(img->config, "config");
	if (!cJSON_IsObject(c)) {
		cJSON_DeleteItemFromObjectCaseSensitive(img->config, "config");
		c = cJSON_AddObjectToObject(img->config, "config");
	}
	return c;
}

static void cfg_set(df_image *img, const char *key, cJSON *val)
{
	cJSON *c = cfg_obj(img);
	if (cJSON_HasObjectItem(c, key))
		cJSON_ReplaceItemInObjectCaseSensitive(c, key, val);
	else
		cJSON_AddItemToObject(c, key, val);
}

static const char *cfg_str(df_image *img, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg_obj(img), key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *strv_json(char *const *v)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

/* Set NAME=VALUE in the config's Env, in place when NAME is there. */
static void env_set(df_image *img, const char *name, const char *value)
{
	cJSON *env = cJSON_GetObjectItemCaseSensitive(cfg_obj(img), "Env");
	if (!cJSON_IsArray(env)) {
		env = cJSON_CreateArray();
		cfg_set(img, "Env", env);
	}
	df_buf kv = DF_BUF_INIT;
	df_buf_addf(&kv, "%s=%s", name, value);
	size_t nlen = strlen(name);
	cJSON *e;
	cJSON_ArrayForEach(e, env) {
		if (cJSON_IsString(e) && !strncmp(e->valuestring, name, nlen) && e->valuestring[nlen] == '=') {
			cJSON_SetValuestring(e, df_buf_str(&kv));
			df_buf_release(&kv);
			return;
		}
	}
	cJSON_AddItemToArray(env, cJSON_CreateString(df_buf_str(&kv)));
	df_buf_release(&kv);
}

static bool env_has(df_image *img, const char *name)
{
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(cfg_obj(img), "Env");
	size_t n = strlen(name);
	const cJSON *e;
	cJSON_ArrayForEach(e, env)
		if (cJSON_IsString(e) && !strncmp(e->valuestring, name, n) && e->valuestring[n] == '=')
			return true;
	return false;
}

static char **env_list(df_image *img)
{
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(cfg_obj(img), "Env");
	size_t n = cJSON_IsArray(env) ? (size_t)cJSON_GetArraySize(env) : 0, k = 0;
	char **v = df_xcalloc(n + 1, sizeof(char *));
	const cJSON *e;
	if (n)
		cJSON_ArrayForEach(e, env)
			if (cJSON_IsString(e))
				v[k++] = df_xstrdup(e->valuestring);
	return v;
}

static void obj_put_key(df_image *img, const char *field, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(cfg_obj(img), field);
	if (!cJSON_IsObject(o)) {
		o = cJSON_CreateObject();
		cfg_set(img, field, o);
	}
	if (!cJSON_HasObjectItem(o, key))
		cJSON_AddItemToObject(o, key, cJSON_CreateObject());
}

/* ---- base images ------------------------------------------------------- */

/* Is skopeo on PATH? It pulls what the store lacks. */
static bool have_skopeo(void)
{
	return system("command -v skopeo >/dev/null 2>&1") == 0;
}

static int pull_image(build *b, const char *ref, df_digest *manifest)
{
	if (!have_skopeo())
		return fail(b, "image '%s' is not in dfopt's store (import it with `dfopt image import %s SOURCE`, "
			       "or install skopeo to pull it)", ref, ref);
	df_buf dir = DF_BUF_INIT, cmd = DF_BUF_INIT;
	if (df_store_mkscratch(&b->store, "pull", &dir, b->err) < 0) {
		df_buf_release(&dir);
		return -1;
	}
	df_buf_addf(&cmd, "skopeo copy --quiet 'docker://%s' 'oci:%s/image:pulled' >&2", ref, df_buf_str(&dir));
	int rc = strchr(ref, '\'') ? -1 : system(df_buf_str(&cmd));
	if (rc != 0) {
		fail(b, "pulling '%s' with skopeo failed", ref);
	} else {
		df_buf src = DF_BUF_INIT;
		df_buf_addf(&src, "%s/image:pulled", df_buf_str(&dir));
		rc = df_image_import(&b->store, df_buf_str(&src), ref, manifest, b->err);
		df_buf_release(&src);
	}
	df_buf tmp = DF_BUF_INIT;
	df_store_remove_tree(df_buf_str(&dir), &tmp);
	df_buf_release(&tmp);
	df_buf_release(&dir);
	df_buf_release(&cmd);
	return rc == 0 ? 0 : -1;
}

static base_image *base_lookup(build *b, const char *ref)
{
	for (size_t i = 0; i < b->nbases; i++)
		if (!strcmp(b->bases[i].ref, ref))
			return &b->bases[i];
	b->bases = df_xrealloc(b->bases, (b->nbases + 1) * sizeof(*b->bases));
	base_image *bi = &b->bases[b->nbases++];
	memset(bi, 0, sizeof(*bi));
	bi->ref = df_xstrdup(ref);
	df_image_init_scratch(&bi->img);
	df_digest manifest;
	int found = df_store_resolve(&b->store, ref, &manifest, b->err);
	if (found == 0 && !b->o->dry_run)
		found = pull_image(b, ref, &manifest) == 0 ? 1 : -1;
	else if (found == 0)
		fail(b, "image '%s' is not in dfopt's store", ref);
	if (found == 1) {
		df_image_release(&bi->img);
		if (df_image_load(&b->store, &manifest, &bi->img, b->err) < 0)
			found = -1;
	}
	if (found != 1) {
		bi->error = df_xstrdup(df_buf_str(b->err));
		bi->env = df_xcalloc(1, sizeof(char *));
		return bi;
	}
	/* An image without PATH gets the default one, as BuildKit gives it. */
	if (!env_has(&bi->img, "PATH"))
		env_set(&bi->img, "PATH", DEFAULT_PATH);
	bi->env = env_list(&bi->img);
	return bi;
}

/* parse/parser.h image_env: the base image's ENV, for build-time expansion. */
static const char *const *image_env(void *ud, df_str ref)
{
	build *b = ud;
	char *r = str_dup(ref);
	base_image *bi = base_lookup(b, r);
	free(r);
	return (const char *const *)bi->env;
}

/* ---- keys and records -------------------------------------------------- */

static void key_of(const df_digest *parent, const df_buf *def, df_digest *out)
{
	df_sha256 h;
	df_sha256_init(&h);
	static const char head[] = KEY_VERSION "\nparent ";
	df_sha256_update(&h, head, sizeof head - 1);
	df_sha256_update(&h, parent->s, strlen(parent->s));
	df_sha256_update(&h, "\n", 1);
	df_sha256_update(&h, def->buf ? def->buf : "", def->len);
	df_sha256_final(&h, out);
}

static void def_line(df_buf *def, const char *name, const char *value)
{
	df_buf_adds(def, name);
	df_buf_addc(def, ' ');
	for (const char *p = value; *p; p++) {
		/* One component per line, whatever the value holds. */
		if (*p == '\n')
			df_buf_adds(def, "\\n");
		else if (*p == '\\')
			df_buf_adds(def, "\\\\");
		else
			df_buf_addc(def, *p);
	}
	df_buf_addc(def, '\n');
}

static void def_json(df_buf *def, const char *name, char *const *argv)
{
	cJSON *a = strv_json(argv);
	char *s = cJSON_PrintUnformatted(a);
	def_line(def, name, s);
	free(s);
	cJSON_Delete(a);
}

/* The previous build's step at the same place (stage and ordinal). */
static const cJSON *prev_step(const build *b, int stage, size_t ordinal)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, b->prev) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "stage");
		const cJSON *ord = cJSON_GetObjectItemCaseSensitive(s, "ordinal");
		if (cJSON_IsNumber(st) && cJSON_IsNumber(ord) && st->valueint == stage &&
		    (size_t)ord->valuedouble == ordinal)
			return s;
	}
	return NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The lines of a text, for comparing what two keys were made of. */
typedef struct lines {
	const char **s;
	size_t *n;
	size_t len;
} lines;

static void split_lines(const char *text, lines *l)
{
	memset(l, 0, sizeof(*l));
	size_t cap = 0;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (l->len == cap) {
			cap = cap ? cap * 2 : 16;
			l->s = df_xrealloc(l->s, cap * sizeof(*l->s));
			l->n = df_xrealloc(l->n, cap * sizeof(*l->n));
		}
		l->s[l->len] = p;
		l->n[l->len++] = n;
		p += n + (e != NULL);
	}
}

static void lines_release(lines *l)
{
	free(l->s);
	free(l->n);
}

static bool has_line(const lines *l, const char *s, size_t n)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->n[i] == n && !memcmp(l->s[i], s, n))
			return true;
	return false;
}

/* Names that changed between two definitions, each once, in order. */
typedef struct changed {
	df_buf text;		/* the first `show` names, ", "-separated */
	size_t count, show;
	lines seen;
} changed;

static void changed_add(changed *c, const char *name, size_t n)
{
	if (has_line(&c->seen, name, n))
		return;
	c->seen.s = df_xrealloc(c->seen.s, (c->seen.len + 1) * sizeof(*c->seen.s));
	c->seen.n = df_xrealloc(c->seen.n, (c->seen.len + 1) * sizeof(*c->seen.n));
	c->seen.s[c->seen.len] = name;
	c->seen.n[c->seen.len++] = n;
	if (c->count++ < c->show) {
		if (c->text.len)
			df_buf_adds(&c->text, ", ");
		df_buf_add(&c->text, name, n);
	}
}

/* The lines of a starting with prefix that b does not have: their names
 * (up to stop) go to c. */
static void diff_names(const lines *a, const lines *b, const char *prefix, char stop, changed *c)
{
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < a->len; i++) {
		if (a->n[i] < plen || memcmp(a->s[i], prefix, plen) || has_line(b, a->s[i], a->n[i]))
			continue;
		const char *name = a->s[i] + plen;
		size_t n = a->n[i] - plen;
		const char *end = memchr(name, stop, n);
		changed_add(c, name, end ? (size_t)(end - name) : n);
	}
}

/* What changed in the lines starting with prefix, both ways; the count. */
static size_t diff_both(const lines *a, const lines *b, const char *prefix, char stop, size_t show, df_buf *out)
{
	changed c;
	memset(&c, 0, sizeof(c));
	c.show = show;
	diff_names(a, b, prefix, stop, &c);
	diff_names(b, a, prefix, stop, &c);
	size_t n = c.count;
	if (n) {
		df_buf_add(out, c.text.buf, c.text.len);
		if (n > show)
			df_buf_addf(out, " and %zu more", n - show);
	}
	df_buf_release(&c.text);
	lines_release(&c.seen);
	return n;
}

/*
 * Why a step missed, against the previous build's step at the same place
 * (NULL when there is none): its parent missed, or what its key was made
 * of changed, most telling first.
 */
static char *explain(const build *b, const cJSON *prev, const df_build_step *s, const char *def,
		     const char *files, const df_digest *parent, size_t parent_missed)
{
	if (b->o->no_cache)
		return df_xstrdup("--no-cache");
	if (!prev)
		return NULL;
	df_buf why = DF_BUF_INIT;
	if (strcmp(jstr(prev, "parent"), parent->s) != 0) {
		if (parent_missed)
			df_buf_addf(&why, "parent step #%zu missed", parent_missed);
		else
			df_buf_adds(&why, "the step before it changed");
		return df_buf_detach(&why, NULL);
	}
	lines now, then;
	split_lines(def, &now);
	split_lines(jstr(prev, "def"), &then);
	static const char *const what[][2] = {
		{ "op ", "the instruction changed" },
		{ "argv ", "the command changed" },
		{ "src ", "the sources changed" },
		{ "heredoc ", "the heredoc changed" },
		{ "dest", "the destination changed" },
		{ "flag ", "the flags changed" },
		{ "from ", "the --from stage changed" },
		{ "url-content ", "the downloaded file changed" },
		{ "cwd ", "the working directory changed" },
		{ "user ", "the user changed" },
		{ "network ", "the network mode changed" },
		{ "mount", "the mounts changed" },
		{ "path ", "the directory changed" },
		{ "image ", "the base image changed" },
		{ "stage ", "the base stage changed" },
	};
	df_buf names = DF_BUF_INIT;
	for (size_t i = 0; i < sizeof what / sizeof what[0] && !why.len; i++)
		if (diff_both(&now, &then, what[i][0], '\n', 0, &names))
			df_buf_addf(&why, "%s (was: %s)", what[i][1], jstr(prev, "text"));
	if (!why.len && diff_both(&now, &then, "arg ", '=', 3, &names))
		df_buf_addf(&why, "build arg %s changed", df_buf_str(&names));
	if (!why.len && diff_both(&now, &then, "env ", '=', 3, &names))
		df_buf_addf(&why, "env %s changed", df_buf_str(&names));
	if (!why.len && files) {
		lines fnow, fthen;
		split_lines(files, &fnow);
		split_lines(jstr(prev, "files"), &fthen);
		if (diff_both(&fnow, &fthen, "", '\t', 3, &names))
			df_buf_addf(&why, "context files changed: %s", df_buf_str(&names));
		lines_release(&fnow);
		lines_release(&fthen);
	}
	if (!why.len && diff_both(&now, &then, "", '\n', 0, &names))
		df_buf_adds(&why, "the build context changed");
	if (!why.len)
		df_buf_adds(&why, strcmp(jstr(prev, "key"), s->key.s) ? "the definition changed"
								   : "its cache record is gone (pruned)");
	lines_release(&now);
	lines_release(&then);
	df_buf_release(&names);
	return df_buf_detach(&why, NULL);
}

/* ---- steps ------------------------------------------------------------- */

static df_build_step *add_step(build *b, const df_instr *in, int stage)
{
	df_build_result *r = b->r;
	df_grow((void **)&r->steps, &r->cap, r->nsteps + 1, sizeof(*r->steps));
	df_build_step *s = &r->steps[r->nsteps++];
	memset(s, 0, sizeof(*s));
	s->instr = in->index;
	s->line = in->line;
	s->stage = stage;
	/* The logical line, one line: continuations already joined. */
	s->text = str_dup(in->text.str);
	for (char *p = s->text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return s;
}

static void report_start(const build *b, size_t n, const df_build_step *s, size_t stage_pos, size_t stage_len)
{
	if (b->o->progress != DF_PROGRESS_PLAIN)
		return;
	const df_stage *st = &b->g.stages[s->stage];
	df_buf name = DF_BUF_INIT;
	if (st->name.ptr)
		df_buf_add(&name, st->name.ptr, st->name.len);
	else
		df_buf_addf(&name, "stage-%d", s->stage);
	outf(b, "#%zu [%s %zu/%zu] %s\n", n, df_buf_str(&name), stage_pos, stage_len, s->text);
	df_buf_release(&name);
}

static void report_end(const build *b, size_t n, const df_build_step *s)
{
	static const char *const status[] = { "CACHED", "BUILT", "MISS", "FAILED" };
	char size[32];
	df_fmt_bytes(s->bytes, size);
	if (b->o->progress == DF_PROGRESS_JSON) {
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "event", "step");
		cJSON_AddNumberToObject(ev, "step", (double)n);
		cJSON_AddNumberToObject(ev, "stage", s->stage);
		cJSON_AddNumberToObject(ev, "line", s->line);
		cJSON_AddStringToObject(ev, "instruction", s->text);
		cJSON_AddStringToObject(ev, "status", status[s->status]);
		cJSON_AddNumberToObject(ev, "seconds", s->seconds);
		cJSON_AddNumberToObject(ev, "bytes", (double)s->bytes);
		cJSON_AddStringToObject(ev, "key", s->key.s);
		if (s->why)
			cJSON_AddStringToObject(ev, "why", s->why);
		else
			cJSON_AddNullToObject(ev, "why");
		out_json(b, ev);
		return;
	}
	if (b->o->progress != DF_PROGRESS_PLAIN)
		return;
	if (s->status == DF_BSTEP_CACHED)
		outf(b, "#%zu CACHED\n", n);
	else
		outf(b, "#%zu %s %.2fs %s\n", n, status[s->status], s->seconds, size);
	if (b->o->explain && s->why && s->status != DF_BSTEP_CACHED)
		outf(b, "#%zu why: %s\n", n, s->why);
}

/* Take a private mount namespace for this process, once. */
static int own_mounts(build *b)
{
	if (b->own_mountns)
		return 0;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(b, "cannot make a private mount namespace: %s", strerror(errno));
	b->own_mountns = true;
	return 0;
}

/* The unpacked layer dirs of img, base first (paths owned by the caller). */
static char **layer_dirs(build *b, const df_image *img)
{
	char **dirs = df_xcalloc(img->nlayers + 1, sizeof(char *));
	for (size_t i = 0; i < img->nlayers; i++) {
		df_buf p = DF_BUF_INIT;
		if (df_store_layer_dir(&b->store, &img->layers[i].diff_id, &img->layers[i].blob, &p, b->err) < 0) {
			df_buf_release(&p);
			free_strv(dirs);
			return NULL;
		}
		dirs[i] = df_buf_detach(&p, NULL);
	}
	return dirs;
}

/* A read-only view of img's file system, mounted under the scratch dir. */
static char *mount_view(build *b, const df_image *img)
{
	if (own_mounts(b) < 0)
		return NULL;
	if (!b->scratch) {
		/* Made on first use: a dry run mounts nothing and needs none. */
		df_buf s = DF_BUF_INIT;
		if (df_store_mkscratch(&b->store, "build", &s, b->err) < 0) {
			df_buf_release(&s);
			return NULL;
		}
		b->scratch = df_buf_detach(&s, NULL);
	}
	char **dirs = layer_dirs(b, img);
	if (!dirs)
		return NULL;
	df_buf at = DF_BUF_INIT, opt = DF_BUF_INIT;
	df_buf_addf(&at, "%s/view%u", b->scratch, b->nviews++);
	int rc = mkdir(df_buf_str(&at), 0755);
	if (rc == 0 && img->nlayers == 0) {
		/* scratch: the empty directory is the view. */
	} else if (rc == 0) {
		df_buf_adds(&opt, "ro,lowerdir=");
		for (size_t i = img->nlayers; i-- > 0;)
			df_buf_addf(&opt, "%s%s", dirs[i], i ? ":" : "");
		rc = mount("overlay", df_buf_str(&at), "overlay", MS_RDONLY, df_buf_str(&opt));
	}
	if (rc < 0) {
		fail(b, "cannot mount a view of a stage at %s: %s", df_buf_str(&at), strerror(errno));
		df_buf_release(&at);
		at.buf = NULL;
	}
	df_buf_release(&opt);
	free_strv(dirs);
	return at.buf;
}

static char *stage_view(build *b, int stage)
{
	stage_state *st = &b->stages[stage];
	if (!st->view)
		st->view = mount_view(b, &st->img);
	return st->view ? df_xstrdup(st->view) : NULL;
}

/* A --from value: a stage (by name or index, before `before`) or an image. */
static int from_source(build *b, const df_instr *in, const char *from, int *stage, base_image **img)
{
	*stage = df_graph_stage_ref(&b->g, (df_str){ from, strlen(from) }, (size_t)in->stage);
	*img = NULL;
	if (*stage >= 0) {
		if (!b->stages[*stage].built)
			return fail_at(b, in, "--from names a stage that is not built yet");
		return 0;
	}
	*img = base_lookup(b, from);
	return (*img)->error ? fail(b, "%s", (*img)->error) : 0;
}

/* ---- executing steps --------------------------------------------------- */

typedef struct scratch_step {
	char *dir, *upper, *work;
} scratch_step;

static int scratch_begin(build *b, scratch_step *ss)
{
	memset(ss, 0, sizeof(*ss));
	df_buf d = DF_BUF_INIT;
	if (df_store_mkscratch(&b->store, "step", &d, b->err) < 0) {
		df_buf_release(&d);
		return -1;
	}
	ss->dir = df_buf_detach(&d, NULL);
	df_buf u = DF_BUF_INIT, w = DF_BUF_INIT;
	df_buf_addf(&u, "%s/upper", ss->dir);
	df_buf_addf(&w, "%s/work", ss->dir);
	ss->upper = df_buf_detach(&u, NULL);
	ss->work = df_buf_detach(&w, NULL);
	if (mkdir(ss->upper, 0755) < 0 || mkdir(ss->work, 0700) < 0)
		return fail(b, "%s: %s", ss->dir, strerror(errno));
	return 0;
}

static void scratch_end(scratch_step *ss)
{
	if (ss->dir) {
		df_buf e = DF_BUF_INIT;
		df_store_remove_tree(ss->dir, &e);
		df_buf_release(&e);
	}
	free(ss->dir);
	free(ss->upper);
	free(ss->work);
}

/* Turn the upper dir into the step's layer, add it to img, record key. */
static int commit_layer(build *b, stage_state *st, const df_instr *in, const char *upper, double seconds,
			const df_digest *key, df_build_step *s)
{
	df_buf blobs = DF_BUF_INIT;
	df_store_blobs_dir(&b->store, &blobs);
	df_layer layer;
	int rc = df_layer_write(upper, DF_LAYER_UPPER, b->o->epoch, df_buf_str(&blobs), &layer, b->err);
	df_buf_release(&blobs);
	if (rc < 0)
		return -1;
	df_cache_rec rec;
	memset(&rec, 0, sizeof(rec));
	/* An empty change set makes no layer, as BuildKit's exporter drops it. */
	rec.has_layer = layer.entries > 0;
	rec.blob = layer.digest;
	rec.diff_id = layer.diff_id;
	rec.size = layer.size;
	rec.seconds = seconds;
	if (df_store_cache_put(&b->store, key, &rec, b->err) < 0)
		return -1;
	if (rec.has_layer) {
		df_image_layer il;
		memset(&il, 0, sizeof(il));
		il.blob = layer.digest;
		il.diff_id = layer.diff_id;
		il.size = layer.size;
		snprintf(il.media_type, sizeof il.media_type, "%s", DF_MEDIA_LAYER_GZIP);
		df_image_add_layer(&st->img, &il);
		s->bytes = layer.size;
	}
	df_image_add_history(&st->img, s->text, !rec.has_layer, b->o->epoch);
	(void)in;
	return 0;
}

static void reuse_layer(build *b, stage_state *st, const df_cache_rec *rec, df_build_step *s)
{
	if (rec->has_layer) {
		df_image_layer il;
		memset(&il, 0, sizeof(il));
		il.blob = rec->blob;
		il.diff_id = rec->diff_id;
		il.size = rec->size;
		snprintf(il.media_type, sizeof il.media_type, "%s", DF_MEDIA_LAYER_GZIP);
		df_image_add_layer(&st->img, &il);
		s->bytes = rec->size;
	}
	df_image_add_history(&st->img, s->text, !rec->has_layer, b->o->epoch);
}

/* mkdir -p path inside root, every component resolved in the root. */
static int mkdir_in_root(const char *root, const char *path, df_buf *err)
{
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		df_buf_addf(err, "%s: %s", root, strerror(errno));
		return -1;
	}
	df_buf sofar = DF_BUF_INIT;
	int rc = 0;
	for (const char *p = path; *p && rc == 0;) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!n)
			break;
		size_t mark = sofar.len;
		df_buf_addf(&sofar, "%s%.*s", mark ? "/" : "", (int)n, p);
		struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
		int fd = (int)syscall(SYS_openat2, rootfd, df_buf_str(&sofar), &how, sizeof how);
		if (fd < 0 && errno == ENOENT) {
			/* Create the last component under its (resolved) parent. */
			char *parent = df_xstrndup(sofar.buf, mark);
			struct open_how ph = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
			int pfd = mark ? (int)syscall(SYS_openat2, rootfd, parent, &ph, sizeof ph) : dup(rootfd);
			free(parent);
			char *name = df_xstrndup(p, n);
			if (pfd < 0 || (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST)) {
				df_buf_addf(err, "mkdir %s: %s", df_buf_str(&sofar), strerror(errno));
				rc = -1;
			}
			free(name);
			if (pfd >= 0)
				close(pfd);
		} else if (fd < 0) {
			df_buf_addf(err, "mkdir %s: %s", df_buf_str(&sofar), strerror(errno));
			rc = -1;
		} else {
			close(fd);
		}
		p += n;
	}
	df_buf_release(&sofar);
	close(rootfd);
	return rc;
}

typedef struct workdir_arg {
	const char *path;
} workdir_arg;

static int do_workdir(void *arg, const char *root, const char *src_root, df_buf *err)
{
	(void)src_root;
	return mkdir_in_root(root, ((workdir_arg *)arg)->path, err);
}

typedef struct copy_arg {
	const df_copy_req *req;
	const char *src_root;
} copy_arg;

static int do_copy(void *arg, const char *root, const char *src_root, df_buf *err)
{
	copy_arg *ca = arg;
	return df_copy_apply(ca->req, src_root ? src_root : ca->src_root, root, err);
}

/* Run fn against st's file system into a new layer: the shared part of
 * COPY, ADD and WORKDIR. link: the layer does not see the layers below. */
static int exec_with_root(build *b, stage_state *st, bool link,
			  int (*fn)(void *, const char *, const char *, df_buf *), void *arg, const df_digest *key,
			  const df_instr *in, df_build_step *s)
{
	scratch_step ss;
	char **dirs = NULL;
	int rc = scratch_begin(b, &ss);
	if (rc == 0 && !link && !(dirs = layer_dirs(b, &st->img)))
		rc = -1;
	double t0 = now_seconds();
	if (rc == 0) {
		df_sandbox sb;
		memset(&sb, 0, sizeof(sb));
		sb.lowers = (const char *const *)dirs;
		sb.nlowers = link ? 0 : st->img.nlayers;
		sb.upper = ss.upper;
		sb.work = ss.work;
		sb.out_fd = b->o->out_fd;
		df_buf e = DF_BUF_INIT;
		rc = df_sandbox_with_root(&sb, NULL, fn, arg, &e);
		if (rc < 0)
			fail(b, "%s:%u: %s", b->o->dockerfile, in->line, df_buf_str(&e));
		df_buf_release(&e);
	}
	s->seconds = now_seconds() - t0;
	if (rc == 0)
		rc = commit_layer(b, st, in, ss.upper, s->seconds, key, s);
	free_strv(dirs);
	scratch_end(&ss);
	return rc;
}

/* ---- the instructions -------------------------------------------------- */

/* Resolve path against the stage's WORKDIR (Docker: relative paths join). */
static char *resolve_path(const stage_state *st, const char *path)
{
	if (path[0] == '/')
		return df_xstrdup(path);
	df_buf p = DF_BUF_INIT;
	const char *wd = st->workdir && st->workdir[0] ? st->workdir : "/";
	df_buf_adds(&p, wd);
	if (p.len == 0 || p.buf[p.len - 1] != '/')
		df_buf_addc(&p, '/');
	df_buf_adds(&p, path);
	return df_buf_detach(&p, NULL);
}

static char **shell_or_default(const stage_state *st)
{
	static const char *const sh[] = { "/bin/sh", "-c", NULL };
	const char *const *src = st->shell ? (const char *const *)st->shell : sh;
	size_t n = 0;
	while (src[n])
		n++;
	char **v = df_xcalloc(n + 2, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = df_xstrdup(src[i]);
	return v;
}

/* argv for CMD, ENTRYPOINT, RUN and HEALTHCHECK CMD: exec form as written,
 * shell form behind the SHELL prefix. */
static char **command_argv(const stage_state *st, const df_instr *in, size_t skip)
{
	if (in->exec_form) {
		char **v = df_xcalloc(in->nargs + 1, sizeof(char *));
		size_t k = 0;
		for (size_t i = skip; i < in->nargs; i++)
			v[k++] = str_dup(in->args[i].value);
		return v;
	}
	char **v = shell_or_default(st);
	size_t n = 0;
	while (v[n])
		n++;
	df_buf cmd = DF_BUF_INIT;
	if (skip && in->nargs > skip)
		df_buf_add(&cmd, in->args[skip].raw.ptr,
			   (size_t)(in->rest.ptr + in->rest.len - in->args[skip].raw.ptr));
	else if (!skip)
		df_buf_add(&cmd, in->rest.ptr, in->rest.len);
	/* A heredoc that is the whole command is the script; one used by the
	 * command (cat <<EOF > f) goes to the shell with its body. */
	if (in->kind == DF_I_RUN && in->nheredocs) {
		const df_heredoc *h = &in->heredocs[0];
		bool whole = in->nargs == 1 && in->args[0].span.start == h->marker_span.start;
		if (whole) {
			df_buf_reset(&cmd);
			df_buf_add(&cmd, h->body.str.ptr, h->body.str.len);
		} else {
			for (size_t i = 0; i < in->nheredocs; i++) {
				df_buf_addc(&cmd, '\n');
				const df_heredoc *hd = &in->heredocs[i];
				df_buf_add(&cmd, hd->body.str.ptr, hd->body.str.len);
				df_buf_add(&cmd, hd->name.ptr, hd->name.len);
			}
		}
	}
	v[n] = df_buf_detach(&cmd, NULL);
	if (!v[n])
		v[n] = df_xstrdup("");
	return v;
}

/* The environment a RUN sees: the image's Env, then the in-scope ARGs
 * (declared in this stage, with a value) that no ENV shadows. The ARG
 * names go to *args too, for the key. */
static char **run_env(build *b, stage_state *st, const df_instr *in, df_buf *def)
{
	char **env = env_list(&st->img);
	size_t n = 0;
	while (env[n])
		n++;
	for (size_t i = 0; i < n; i++)
		def_line(def, "env", env[i]);
	/* Bindings newest first; collect the ARGs, oldest first. */
	const df_var *stack[256];
	size_t ns = 0;
	for (const df_var *v = in->scope; v && !v->barrier; v = v->next) {
		if (v->is_env || !v->def || v->state != DF_EXP_KNOWN || ns == 256)
			continue;
		bool seen = false;
		for (size_t k = 0; k < ns && !seen; k++)
			seen = stack[k]->name.len == v->name.len && !memcmp(stack[k]->name.ptr, v->name.ptr, v->name.len);
		if (!seen)
			stack[ns++] = v;
	}
	for (size_t k = ns; k-- > 0;) {
		const df_var *v = stack[k];
		bool shadowed = false;
		for (size_t i = 0; i < n && !shadowed; i++)
			shadowed = !strncmp(env[i], v->name.ptr, v->name.len) && env[i][v->name.len] == '=';
		if (shadowed)
			continue;
		df_buf kv = DF_BUF_INIT;
		df_buf_add(&kv, v->name.ptr, v->name.len);
		df_buf_addc(&kv, '=');
		df_buf_add(&kv, v->value.ptr, v->value.len);
		def_line(def, "arg", df_buf_str(&kv));
		env = df_xrealloc(env, (n + 2) * sizeof(char *));
		env[n++] = df_buf_detach(&kv, NULL);
		env[n] = NULL;
	}
	(void)b;
	return env;
}

/* Secret sources given with --secret id=ID,src=PATH. */
static const char *secret_src(const build *b, const char *id)
{
	size_t idlen = strlen(id);
	for (size_t i = 0; i < b->o->nsecrets; i++) {
		const char *s = b->o->secrets[i];
		const char *idp = strstr(s, "id=");
		const char *src = strstr(s, "src=");
		if (!src)
			src = strstr(s, "source=");
		if (!idp || !src)
			continue;
		idp += 3;
		size_t n = strcspn(idp, ",");
		if (n == idlen && !strncmp(idp, id, n))
			return strchr(src, '=') + 1;
	}
	return NULL;
}

typedef struct run_mounts {
	df_sbx_mount *m;
	size_t n;
	char **owned;		/* strings to free */
	size_t nowned;
	char **scratch;		/* directories to remove after the step */
	size_t nscratch;
} run_mounts;

static const char *keep(run_mounts *rm, char *s)
{
	rm->owned = df_xrealloc(rm->owned, (rm->nowned + 1) * sizeof(char *));
	rm->owned[rm->nowned++] = s;
	return s;
}

static void run_mounts_release(run_mounts *rm)
{
	for (size_t i = 0; i < rm->nscratch; i++) {
		df_buf e = DF_BUF_INIT;
		df_store_remove_tree(rm->scratch[i], &e);
		df_buf_release(&e);
		free(rm->scratch[i]);
	}
	free(rm->scratch);
	for (size_t i = 0; i < rm->nowned; i++)
		free(rm->owned[i]);
	free(rm->owned);
	free(rm->m);
}

/* Resolve RUN --mount flags into sandbox mounts and key lines. */
static int run_mounts_of(build *b, stage_state *st, const df_instr *in, run_mounts *rm, df_buf *def)
{
	memset(rm, 0, sizeof(*rm));
	for (size_t i = 0; i < in->nflags; i++) {
		const df_flag *f = &in->flags[i];
		if (f->type != DF_FLAG_MOUNT)
			continue;
		if (!f->parsed_ok || !f->mount)
			return fail_at(b, in, "malformed --mount");
		const df_mount *m = f->mount;
		df_str val;
		if (!df_expanded_value(&f->exp, f->value, &val))
			return fail_at(b, in, "--mount depends on an unknown variable");
		def_line(def, "mount", keep(rm, str_dup(val)));
		if (!m->target.ptr && m->type != DF_MOUNT_SECRET && m->type != DF_MOUNT_SSH)
			return fail_at(b, in, "--mount needs a target");
		df_sbx_mount sm;
		memset(&sm, 0, sizeof(sm));
		if (m->target.ptr) {
			char *t = str_dup(m->target);
			sm.target = keep(rm, resolve_path(st, t));
			free(t);
		}
		switch (m->type) {
		case DF_MOUNT_CACHE: {
			char *id = m->id.ptr ? str_dup(m->id) : df_xstrdup(sm.target);
			df_buf dir = DF_BUF_INIT;
			if (b->o->dry_run) {
				free(id);
				continue;
			}
			if (df_store_cache_mount_dir(&b->store, id, &dir, b->err) < 0) {
				free(id);
				df_buf_release(&dir);
				return -1;
			}
			free(id);
			sm.type = DF_SBX_BIND;
			sm.source = keep(rm, df_buf_detach(&dir, NULL));
			break;
		}
		case DF_MOUNT_TMPFS:
			sm.type = DF_SBX_TMPFS;
			break;
		case DF_MOUNT_SECRET: {
			char *id = m->id.ptr ? str_dup(m->id) : NULL;
			if (!id && m->target.ptr) {
				const char *slash = strrchr(sm.target, '/');
				id = df_xstrdup(slash ? slash + 1 : sm.target);
			}
			if (!id)
				return fail_at(b, in, "a secret mount needs an id or a target");
			keep(rm, id);
			if (!sm.target) {
				df_buf t = DF_BUF_INIT;
				df_buf_addf(&t, "/run/secrets/%s", id);
				sm.target = keep(rm, df_buf_detach(&t, NULL));
			}
			const char *src = secret_src(b, id);
			if (!src) {
				if (m->required)
					return fail(b, "%s:%u: secret '%s' is required: pass --secret id=%s,src=FILE",
						    b->o->dockerfile, in->line, id, id);
				continue;
			}
			sm.type = DF_SBX_BIND;
			sm.source = src;
			sm.readonly = true;
			sm.mode = m->mode.ptr ? (unsigned)strtoul(keep(rm, str_dup(m->mode)), NULL, 8) : 0400;
			sm.uid = m->uid.ptr ? (unsigned)strtoul(keep(rm, str_dup(m->uid)), NULL, 10) : 0;
			sm.gid = m->gid.ptr ? (unsigned)strtoul(keep(rm, str_dup(m->gid)), NULL, 10) : 0;
			break;
		}
		case DF_MOUNT_BIND: {
			/* What the step sees is a copy of the source made with
			 * COPY's rules: only what .dockerignore keeps, nothing
			 * outside the context or the stage (symlinks resolve
			 * inside it), and a read-write mount's writes are lost
			 * with the copy, as BuildKit discards them. */
			const char *source = keep(rm, m->source.ptr ? str_dup(m->source) : df_xstrdup("."));
			df_copy_req req;
			memset(&req, 0, sizeof(req));
			const char *srcs[1] = { source };
			req.sources = srcs;
			req.nsources = 1;
			req.dest = "/m";
			const char *src_root = b->ctx_dir;
			if (m->from.ptr) {
				const char *from = keep(rm, str_dup(m->from));
				int stage;
				base_image *bi;
				if (from_source(b, in, from, &stage, &bi) < 0)
					return -1;
				def_line(def, "mountfrom", stage >= 0 ? b->stages[stage].key.s : bi->img.manifest.s);
				if (!b->o->dry_run) {
					char *view = stage >= 0 ? stage_view(b, stage) : mount_view(b, &bi->img);
					if (!view)
						return -1;
					src_root = keep(rm, view);
				}
			} else {
				req.ctx = &b->ctx;
				req.hashes = b->hashes;
				df_buf files = DF_BUF_INIT;
				if (df_copy_manifest(&req, b->ctx_dir, &files, b->err) < 0) {
					df_buf_release(&files);
					return -1;
				}
				df_digest d;
				df_sha256_buf(files.buf ? files.buf : "", files.len, &d);
				def_line(def, "mountcontent", d.s);
				df_buf_release(&files);
			}
			if (b->o->dry_run)
				continue;
			df_buf dir = DF_BUF_INIT;
			if (df_store_mkscratch(&b->store, "bind", &dir, b->err) < 0) {
				df_buf_release(&dir);
				return -1;
			}
			rm->scratch = df_xrealloc(rm->scratch, (rm->nscratch + 1) * sizeof(char *));
			rm->scratch[rm->nscratch++] = df_xstrdup(df_buf_str(&dir));
			df_buf e = DF_BUF_INIT;
			if (df_copy_apply(&req, src_root, df_buf_str(&dir), &e) < 0) {
				df_buf_release(&dir);
				fail(b, "%s:%u: --mount=type=bind: %s", b->o->dockerfile, in->line, df_buf_str(&e));
				df_buf_release(&e);
				return -1;
			}
			df_buf_release(&e);
			df_buf_adds(&dir, "/m");
			sm.source = keep(rm, df_buf_detach(&dir, NULL));
			sm.type = DF_SBX_BIND;
			sm.readonly = m->readonly;
			break;
		}
		case DF_MOUNT_SSH:
			return fail_at(b, in, "--mount=type=ssh is not supported by dfopt build");
		}
		rm->m = df_xrealloc(rm->m, (rm->n + 1) * sizeof(*rm->m));
		rm->m[rm->n++] = sm;
	}
	return 0;
}

/* One build step being keyed and run. */
typedef struct step_ctx {
	stage_state *st;
	const df_instr *in;
	df_build_step *s;
	size_t n;		/* its number in this build, 1-based */
	size_t parent_missed;	/* the number of the step before it when that missed, else 0 */
	df_buf def;		/* what its key is made of */
	df_buf files;		/* COPY/ADD from the context: the selection's manifest */
	bool link;		/* COPY --link: keyed without its parent */
} step_ctx;

/* Key the step from def and look it up: 1 hit (layer reused), 0 miss
 * (why filled), -1 error. Records the step for the next build. */
static int key_and_lookup(build *b, step_ctx *sc)
{
	stage_state *st = sc->st;
	df_build_step *s = sc->s;
	df_digest zero = { "" };
	const df_digest *parent = sc->link ? &zero : &st->key;
	key_of(parent, &sc->def, &s->key);
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddNumberToObject(rec, "stage", s->stage);
	cJSON_AddNumberToObject(rec, "ordinal", (double)st->ordinal);
	cJSON_AddNumberToObject(rec, "line", s->line);
	cJSON_AddStringToObject(rec, "text", s->text);
	cJSON_AddStringToObject(rec, "parent", parent->s);
	cJSON_AddStringToObject(rec, "key", s->key.s);
	cJSON_AddStringToObject(rec, "def", df_buf_str(&sc->def));
	if (sc->files.len)
		cJSON_AddStringToObject(rec, "files", df_buf_str(&sc->files));
	cJSON_AddItemToArray(b->record, rec);

	if (!b->o->no_cache) {
		df_cache_rec cr;
		int found = df_store_cache_get(&b->store, &s->key, &cr, b->err);
		if (found < 0)
			return -1;
		if (found) {
			reuse_layer(b, st, &cr, s);
			s->seconds = cr.seconds;
			s->status = DF_BSTEP_CACHED;
			return 1;
		}
	}
	long assumed = b->o->dry_run && b->o->assume ? df_keyset_find(b->o->assume, &s->key) : -1;
	if (assumed >= 0) {
		s->seconds = b->o->assume->seconds[assumed];
		s->status = DF_BSTEP_CACHED;
		return 1;
	}
	const cJSON *prev = prev_step(b, s->stage, st->ordinal);
	s->why = explain(b, prev, s, df_buf_str(&sc->def), sc->files.len ? df_buf_str(&sc->files) : NULL, parent,
			 sc->parent_missed);
	s->status = b->o->dry_run ? DF_BSTEP_MISS : DF_BSTEP_BUILT;
	if (b->o->dry_run) {
		/* Weighted by how long it took when it was built, else an
		 * estimate: a command costs more than a copy. */
		const cJSON *sec = prev ? cJSON_GetObjectItemCaseSensitive(prev, "seconds") : NULL;
		s->seconds = cJSON_IsNumber(sec) ? sec->valuedouble : sc->in->kind == DF_I_RUN ? 1.0 : 0.1;
		if (b->o->assume)
			df_keyset_add(b->o->assume, &s->key, s->seconds);
	}
	return 0;
}

static int step_from(build *b, int stage, step_ctx *sc)
{
	const df_stage *gs = &b->g.stages[stage];
	stage_state *st = sc->st;
	const df_instr *in = sc->in;
	if (gs->base_kind == DF_BASE_STAGE) {
		stage_state *base = &b->stages[gs->base_stage];
		df_image_copy(&st->img, &base->img);
		st->workdir = df_xstrdup(base->workdir ? base->workdir : "");
		st->user = df_xstrdup(base->user ? base->user : "");
		if (base->shell) {
			size_t n = 0;
			while (base->shell[n])
				n++;
			st->shell = df_xcalloc(n + 1, sizeof(char *));
			for (size_t i = 0; i < n; i++)
				st->shell[i] = df_xstrdup(base->shell[i]);
		}
		st->key = base->key;
		return 0;
	}
	if (gs->base_kind == DF_BASE_UNKNOWN)
		return fail_at(b, in, "the base image reference depends on a build arg with no value");
	if (gs->base_kind == DF_BASE_SCRATCH) {
		df_image_init_scratch(&st->img);
		def_line(&sc->def, "image", "scratch");
	} else {
		char *ref = word_value(b, in, &in->from_image);
		if (!ref)
			return -1;
		base_image *bi = base_lookup(b, ref);
		free(ref);
		if (bi->error)
			return fail(b, "%s:%u: %s", b->o->dockerfile, in->line, bi->error);
		const cJSON *onbuild = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(bi->img.config, "config"), "OnBuild");
		if (cJSON_GetArraySize(onbuild) > 0)
			return fail_at(b, in, "the base image has ONBUILD triggers, which dfopt build does not run");
		df_image_copy(&st->img, &bi->img);
		const char *wd = cfg_str(&st->img, "WorkingDir");
		const char *user = cfg_str(&st->img, "User");
		st->workdir = df_xstrdup(wd ? wd : "");
		st->user = df_xstrdup(user ? user : "");
		def_line(&sc->def, "image", bi->img.manifest.s);
	}
	df_digest zero = { "" };
	key_of(&zero, &sc->def, &st->key);
	return 0;
}

/* Execute a missed RUN. 0, 1 when the command failed, -1 on error. */
static int exec_run(build *b, step_ctx *sc, char **argv, char **env, const char *cwd, bool none,
		    const run_mounts *rm)
{
	stage_state *st = sc->st;
	const df_instr *in = sc->in;
	scratch_step ss;
	char **dirs = NULL;
	int rc = scratch_begin(b, &ss);
	if (rc == 0 && !(dirs = layer_dirs(b, &st->img)))
		rc = -1;
	if (rc == 0) {
		df_sandbox sb;
		memset(&sb, 0, sizeof(sb));
		sb.lowers = (const char *const *)dirs;
		sb.nlowers = st->img.nlayers;
		sb.upper = ss.upper;
		sb.work = ss.work;
		sb.argv = (const char *const *)argv;
		sb.env = (const char *const *)env;
		sb.cwd = cwd;
		sb.user = st->user;
		sb.network_none = none;
		sb.mounts = rm->m;
		sb.nmounts = rm->n;
		/* JSON progress keeps stdout for events: the output goes to stderr. */
		sb.out_fd = b->o->progress == DF_PROGRESS_JSON ? STDERR_FILENO : b->o->out_fd;
		char prefix[32];
		snprintf(prefix, sizeof prefix, "#%zu ", sc->n);
		sb.prefix = prefix;
		int status = 0;
		double t0 = now_seconds();
		df_buf e = DF_BUF_INIT;
		rc = df_sandbox_run(&sb, &status, &e);
		sc->s->seconds = now_seconds() - t0;
		if (rc < 0) {
			fail(b, "%s:%u: %s", b->o->dockerfile, in->line, df_buf_str(&e));
		} else if (status != 0) {
			sc->s->status = DF_BSTEP_FAILED;
			b->r->exit_status = status;
			fail(b, "%s:%u: step #%zu `%s` failed with exit code %d", b->o->dockerfile, in->line, sc->n,
			     sc->s->text, status);
			rc = 1;
		} else {
			rc = commit_layer(b, st, in, ss.upper, sc->s->seconds, &sc->s->key, sc->s);
		}
		df_buf_release(&e);
	}
	free_strv(dirs);
	scratch_end(&ss);
	return rc;
}

static int step_run(build *b, step_ctx *sc)
{
	stage_state *st = sc->st;
	const df_instr *in = sc->in;
	df_buf_adds(&sc->def, "op run\n");
	char **argv = command_argv(st, in, 0);
	def_json(&sc->def, "argv", argv);
	char **env = run_env(b, st, in, &sc->def);
	const char *cwd = st->workdir && st->workdir[0] ? st->workdir : "/";
	def_line(&sc->def, "cwd", cwd);
	def_line(&sc->def, "user", st->user ? st->user : "");
	char *network = flag_value(b, in, "network");
	bool none = network && !strcmp(network, "none");
	def_line(&sc->def, "network", network ? network : "default");
	free(network);
	run_mounts rm;
	int rc = run_mounts_of(b, st, in, &rm, &sc->def);
	if (rc == 0 && (rc = key_and_lookup(b, sc)) == 0 && !b->o->dry_run)
		rc = exec_run(b, sc, argv, env, cwd, none, &rm);
	else if (rc == 1)
		rc = 0;
	run_mounts_release(&rm);
	free_strv(argv);
	free_strv(env);
	return rc;
}

static int step_workdir(build *b, step_ctx *sc)
{
	stage_state *st = sc->st;
	const df_instr *in = sc->in;
	if (in->nargs < 1)
		return fail_at(b, in, "WORKDIR needs a path");
	char *path = word_value(b, in, &in->args[0]);
	if (!path)
		return -1;
	char *abs = resolve_path(st, path);
	free(path);
	free(st->workdir);
	st->workdir = abs;
	cfg_set(&st->img, "WorkingDir", cJSON_CreateString(abs));
	df_buf_adds(&sc->def, "op mkdir\n");
	def_line(&sc->def, "path", abs);
	def_line(&sc->def, "user", st->user ? st->user : "");
	int rc = key_and_lookup(b, sc);
	if (rc == 0 && !b->o->dry_run) {
		workdir_arg wa = { abs };
		rc = exec_with_root(b, st, false, do_workdir, &wa, &sc->s->key, in, sc->s);
	}
	return rc == 1 ? 0 : rc;
}

/* The heredoc whose marker is source word w, or NULL. */
static const df_heredoc *heredoc_of(const df_instr *in, const df_word *w)
{
	for (size_t h = 0; h < in->nheredocs; h++)
		if (w->span.start == in->heredocs[h].marker_span.start)
			return &in->heredocs[h];
	return NULL;
}

static bool bool_flag(const df_instr *in, const char *name)
{
	const df_flag *f = df_instr_flag(in, name);
	return f && (!f->has_value || f->boolean);
}

/* The request's strings, owned here. */
typedef struct copy_strings {
	char **srcs, **excludes;
	df_copy_heredoc *hds;
	size_t nsrc, nex, nhd;
	char *dest, *chown, *chmod, *from, *view;
} copy_strings;

static void copy_strings_release(copy_strings *cs)
{
	for (size_t i = 0; i < cs->nsrc; i++)
		free(cs->srcs[i]);
	for (size_t i = 0; i < cs->nex; i++)
		free(cs->excludes[i]);
	for (size_t i = 0; i < cs->nhd; i++)
		free((char *)cs->hds[i].name);
	free(cs->srcs);
	free(cs->excludes);
	free(cs->hds);
	free(cs->dest);
	free(cs->chown);
	free(cs->chmod);
	free(cs->from);
	free(cs->view);
}

/* Fill req from COPY/ADD in, and the key lines that do not need the
 * sources' content. */
static int copy_request(build *b, step_ctx *sc, df_copy_req *req, copy_strings *cs)
{
	stage_state *st = sc->st;
	const df_instr *in = sc->in;
	memset(req, 0, sizeof(*req));
	memset(cs, 0, sizeof(*cs));
	req->is_add = in->kind == DF_I_ADD;
	df_buf_adds(&sc->def, req->is_add ? "op add\n" : "op copy\n");
	cs->srcs = df_xcalloc(in->nsources + 1, sizeof(char *));
	cs->hds = df_xcalloc(in->nheredocs + 1, sizeof(*cs->hds));
	cs->excludes = df_xcalloc(in->nflags + 1, sizeof(char *));
	for (size_t i = 0; i < in->nsources; i++) {
		const df_heredoc *hd = heredoc_of(in, &in->sources[i]);
		if (hd) {
			df_str body;
			if (!df_expanded_value(&hd->body_exp, hd->body.str, &body))
				return fail_at(b, in, "the heredoc depends on an unknown variable");
			df_copy_heredoc *h = &cs->hds[cs->nhd++];
			h->name = str_dup(hd->name);
			h->body = body.ptr;
			h->len = body.len;
			def_line(&sc->def, "heredoc", h->name);
			df_digest d;
			df_sha256_buf(body.ptr ? body.ptr : "", body.len, &d);
			def_line(&sc->def, "heredoc-content", d.s);
			continue;
		}
		char *v = word_value(b, in, &in->sources[i]);
		if (!v)
			return -1;
		/* An http(s) URL stays a source here: step_copy downloads it. */
		if (req->is_add && (df_fetch_is_git(v) || (strstr(v, "://") && !df_fetch_is_url(v)))) {
			bool git = df_fetch_is_git(v);
			free(v);
			return fail_at(b, in, git ? "ADD of a git repository is not supported by dfopt build"
						  : "ADD downloads only http:// and https:// URLs");
		}
		cs->srcs[cs->nsrc++] = v;
		def_line(&sc->def, "src", v);
	}
	if (!in->dest)
		return fail_at(b, in, "COPY needs a destination");
	if (!(cs->dest = word_value(b, in, in->dest)))
		return -1;
	for (size_t i = 0; i < in->nflags; i++) {
		const df_flag *f = &in->flags[i];
		if (df_mem_eq(f->name.ptr, f->name.len, "exclude"))
			cs->excludes[cs->nex++] = str_dup(f->value);
	}
	if ((df_instr_flag(in, "chown") && !(cs->chown = flag_value(b, in, "chown"))) ||
	    (df_instr_flag(in, "chmod") && !(cs->chmod = flag_value(b, in, "chmod"))) ||
	    (df_instr_flag(in, "from") && !(cs->from = flag_value(b, in, "from"))))
		return -1;
	req->sources = (const char *const *)cs->srcs;
	req->nsources = cs->nsrc;
	req->heredocs = cs->hds;
	req->nheredocs = cs->nhd;
	req->dest = cs->dest;
	req->workdir = st->workdir ? st->workdir : "";
	req->chown = cs->chown;
	req->chmod = cs->chmod;
	req->parents = bool_flag(in, "parents");
	req->excludes = (const char *const *)cs->excludes;
	req->nexcludes = cs->nex;
	sc->link = bool_flag(in, "link");

	char *resolved = resolve_path(st, cs->dest);
	size_t dl = strlen(cs->dest);
	def_line(&sc->def, "dest", resolved);
	def_line(&sc->def, "dest-is-dir", dl && cs->dest[dl - 1] == '/' ? "1" : "0");
	free(resolved);
	def_line(&sc->def, "flag chown", cs->chown ? cs->chown : "");
	def_line(&sc->def, "flag chmod", cs->chmod ? cs->chmod : "");
	def_line(&sc->def, "flag link", sc->link ? "1" : "0");
	def_line(&sc->def, "flag parents", req->parents ? "1" : "0");
	for (size_t i = 0; i < cs->nex; i++)
		def_line(&sc->def, "flag exclude", cs->excludes[i]);
	return 0;
}

static int step_copy(build *b, step_ctx *sc)
{
	stage_state *st = sc->st;
	const df_instr *in = sc->in;
	df_copy_req req;
	copy_strings cs;
	int rc = copy_request(b, sc, &req, &cs);
	const char *src_root = b->ctx_dir;
	size_t nurl = 0;
	for (size_t i = 0; rc == 0 && req.is_add && i < cs.nsrc; i++)
		nurl += df_fetch_is_url(cs.srcs[i]);
	char *checksum = NULL, *fetched = NULL;
	df_buf e = DF_BUF_INIT;
	if (rc == 0 && df_instr_flag(in, "checksum")) {
		/* Checked before anything is downloaded, as BuildKit does. */
		if (!(checksum = flag_value(b, in, "checksum")))
			rc = -1;
		else if (cs.nsrc + cs.nhd != 1)
			rc = fail_at(b, in, "ADD --checksum can't be specified for multiple sources");
		else if (!nurl)
			rc = fail_at(b, in, "ADD --checksum can't be specified for non-HTTP(S) sources");
		else if (df_fetch_verify(cs.srcs[0], checksum, NULL, &e) < 0)
			rc = fail(b, "%s", df_buf_str(&e));
	}
	if (rc == 0 && nurl && (nurl < cs.nsrc || cs.nhd))
		rc = fail_at(b, in, "ADD of URLs and local sources together is not supported by dfopt build: "
				    "use one ADD for each");
	if (rc == 0 && nurl && bool_flag(in, "unpack"))
		rc = fail_at(b, in, "ADD --unpack of a URL is not supported by dfopt build");
	if (rc == 0 && nurl) {
		/* Downloaded now, each into <scratch>/<i>/<name>, which the copy
		 * takes as a stage's files: modes (0600) kept, nothing unpacked.
		 * The key covers what each URL served, so a dry run downloads
		 * too: BuildKit checks remote content on every build. */
		const char *d = cs.dest;
		size_t dl = strlen(d);
		bool dir_dest = dl == 0 || d[dl - 1] == '/' || !strcmp(d, ".") || (dl >= 2 && !strcmp(d + dl - 2, "/."));
		df_buf dir = DF_BUF_INIT;
		if (nurl > 1 && !dir_dest)
			rc = fail_at(b, in, "when using ADD with more than one source file, the destination must be a "
					    "directory and end with a /");
		else if (df_store_mkscratch(&b->store, "add", &dir, &e) < 0)
			rc = fail(b, "%s", df_buf_str(&e));
		else
			fetched = df_buf_detach(&dir, NULL);
		df_buf_release(&dir);
		for (size_t i = 0; rc == 0 && i < cs.nsrc; i++) {
			df_buf part = DF_BUF_INIT, rel = DF_BUF_INIT, to = DF_BUF_INIT;
			df_buf_addf(&part, "%s/%zu.part", fetched, i);
			df_digest got;
			char *name = NULL;
			if (df_fetch_url(cs.srcs[i], df_buf_str(&part), &got, &name, &e) < 0 ||
			    (checksum && df_fetch_verify(cs.srcs[i], checksum, &got, &e) < 0)) {
				rc = fail(b, "%s", df_buf_str(&e));
			} else if (!name && dir_dest) {
				rc = fail(b, "ADD %s: the URL names no file to create in the destination directory: "
					     "give the destination a file name", cs.srcs[i]);
			} else if (name && strpbrk(name, "*?[\\")) {
				rc = fail(b, "ADD %s: file name '%s' holds wildcard characters, which dfopt build "
					     "cannot copy", cs.srcs[i], name);
			} else {
				/* BuildKit's name for a URL without one; seen
				 * only when the destination is a directory that
				 * exists without a trailing '/'. */
				df_buf_addf(&rel, "%zu/%s", i, name ? name : "__unnamed__");
				df_buf_addf(&to, "%s/%zu", fetched, i);
				if (mkdir(df_buf_str(&to), 0700) < 0)
					rc = fail(b, "mkdir %s: %s", df_buf_str(&to), strerror(errno));
				df_buf_reset(&to);
				df_buf_addf(&to, "%s/%s", fetched, df_buf_str(&rel));
				if (rc == 0 && rename(df_buf_str(&part), df_buf_str(&to)) < 0)
					rc = fail(b, "rename %s: %s", df_buf_str(&to), strerror(errno));
			}
			if (rc == 0) {
				def_line(&sc->def, "url-content", got.s);
				free(cs.srcs[i]);
				cs.srcs[i] = df_buf_detach(&rel, NULL);
			}
			free(name);
			df_buf_reset(&e);
			df_buf_release(&part);
			df_buf_release(&rel);
			df_buf_release(&to);
		}
		req.is_add = false;
		src_root = fetched;
	}
	if (rc == 0 && cs.from) {
		int stage;
		base_image *bi;
		rc = from_source(b, in, cs.from, &stage, &bi);
		if (rc == 0) {
			/* Keyed by what the stage or image is, not by its
			 * bytes: the same key in a dry run as in a real one. */
			def_line(&sc->def, "from", stage >= 0 ? b->stages[stage].key.s : bi->img.manifest.s);
			if (!b->o->dry_run) {
				cs.view = stage >= 0 ? stage_view(b, stage) : mount_view(b, &bi->img);
				rc = cs.view ? 0 : -1;
				src_root = cs.view;
			}
		}
	} else if (rc == 0 && cs.nsrc && !nurl) {
		req.ctx = &b->ctx;
		req.hashes = b->hashes;
		rc = df_copy_manifest(&req, b->ctx_dir, &sc->files, b->err);
		if (rc == 0) {
			df_digest d;
			df_sha256_buf(sc->files.buf ? sc->files.buf : "", sc->files.len, &d);
			def_line(&sc->def, "content", d.s);
		}
	}
	if (rc == 0 && (rc = key_and_lookup(b, sc)) == 0 && !b->o->dry_run) {
		copy_arg ca = { &req, src_root };
		rc = exec_with_root(b, st, sc->link, do_copy, &ca, &sc->s->key, in, sc->s);
	}
	const char *msg = df_buf_str(b->err);
	const char *verb = rc < 0 && nurl ? strstr(msg, "COPY failed") : NULL;
	if (verb) {
		/* The download was copied as by COPY, so that it is not unpacked. */
		df_buf_reset(&e);
		df_buf_add(&e, msg, (size_t)(verb - msg));
		df_buf_addf(&e, "ADD%s", verb + 4);
		df_buf_reset(b->err);
		df_buf_add(b->err, e.buf, e.len);
	}
	if (fetched) {
		df_buf_reset(&e);
		df_store_remove_tree(fetched, &e);
		free(fetched);
	}
	df_buf_release(&e);
	free(checksum);
	copy_strings_release(&cs);
	return rc == 1 ? 0 : rc;
}

/* ---- config-only instructions ------------------------------------------ */

static int kv_value(build *b, const df_instr *in, const df_expanded *e, df_str raw, char **out)
{
	df_str v;
	if (!df_expanded_value(e, raw, &v))
		return fail_at(b, in, e->error ? e->error : "a value depends on an unknown variable");
	*out = str_dup(v);
	return 0;
}

static int apply_pairs(build *b, stage_state *st, const df_instr *in)
{
	for (size_t i = 0; i < in->npairs; i++) {
		const df_kv *kv = &in->pairs[i];
		char *k = NULL, *v = NULL;
		if (kv_value(b, in, &kv->key_exp, kv->key, &k) < 0)
			return -1;
		if (kv_value(b, in, &kv->value_exp, kv->value, &v) < 0) {
			free(k);
			return -1;
		}
		if (in->kind == DF_I_ENV) {
			env_set(&st->img, k, v);
		} else {
			cJSON *labels = cJSON_GetObjectItemCaseSensitive(cfg_obj(&st->img), "Labels");
			if (!cJSON_IsObject(labels)) {
				labels = cJSON_CreateObject();
				cfg_set(&st->img, "Labels", labels);
			}
			cJSON_DeleteItemFromObjectCaseSensitive(labels, k);
			cJSON_AddStringToObject(labels, k, v);
		}
		free(k);
		free(v);
	}
	return 0;
}

static cJSON *argv_json_free(char **v)
{
	cJSON *a = strv_json(v);
	free_strv(v);
	return a;
}

static int apply_healthcheck(build *b, stage_state *st, const df_instr *in)
{
	cJSON *hc = cJSON_CreateObject();
	cJSON *test;
	if (in->healthcheck_none) {
		test = cJSON_CreateArray();
		cJSON_AddItemToArray(test, cJSON_CreateString("NONE"));
	} else if (in->exec_form) {
		test = cJSON_CreateArray();
		cJSON_AddItemToArray(test, cJSON_CreateString("CMD"));
		for (size_t i = 0; i < in->nargs; i++) {
			char *a = str_dup(in->args[i].value);
			cJSON_AddItemToArray(test, cJSON_CreateString(a));
			free(a);
		}
	} else {
		test = cJSON_CreateArray();
		cJSON_AddItemToArray(test, cJSON_CreateString("CMD-SHELL"));
		char *cmd = in->nargs ? str_dup(in->args[0].value) : df_xstrdup("");
		cJSON_AddItemToArray(test, cJSON_CreateString(cmd));
		free(cmd);
	}
	cJSON_AddItemToObject(hc, "Test", test);
	static const char *const durations[][2] = {
		{ "interval", "Interval" },
		{ "timeout", "Timeout" },
		{ "start-period", "StartPeriod" },
		{ "start-interval", "StartInterval" },
	};
	for (size_t i = 0; i < 4; i++) {
		const df_flag *f = df_instr_flag(in, durations[i][0]);
		if (f && f->parsed_ok)
			cJSON_AddNumberToObject(hc, durations[i][1], (double)f->duration_ns);
	}
	const df_flag *retries = df_instr_flag(in, "retries");
	if (retries && retries->parsed_ok)
		cJSON_AddNumberToObject(hc, "Retries", (double)retries->integer);
	cfg_set(&st->img, "Healthcheck", hc);
	(void)b;
	return 0;
}

/* The words of a VOLUME or EXPOSE, expanded (exec form: as written). */
static int each_word(build *b, const df_instr *in, void (*fn)(stage_state *, const char *), stage_state *st)
{
	for (size_t i = 0; i < in->nargs; i++) {
		char *v = in->exec_form ? str_dup(in->args[i].value) : word_value(b, in, &in->args[i]);
		if (!v)
			return -1;
		fn(st, v);
		free(v);
	}
	return 0;
}

static void add_volume(stage_state *st, const char *v)
{
	if (*v)
		obj_put_key(&st->img, "Volumes", v);
}

static void add_port(stage_state *st, const char *v)
{
	/* EXPOSE 80 80/tcp 53/udp: the protocol lower-cased, tcp by default. */
	df_buf port = DF_BUF_INIT;
	const char *slash = strchr(v, '/');
	df_buf_add(&port, v, slash ? (size_t)(slash - v) : strlen(v));
	df_buf_addc(&port, '/');
	for (const char *p = slash ? slash + 1 : "tcp"; *p; p++)
		df_buf_addc(&port, (char)df_to_lower((unsigned char)*p));
	obj_put_key(&st->img, "ExposedPorts", df_buf_str(&port));
	df_buf_release(&port);
}

/* Apply an instruction that makes no build step. */
static int apply_config(build *b, stage_state *st, const df_instr *in)
{
	switch (in->kind) {
	case DF_I_ENV:
	case DF_I_LABEL:
		return apply_pairs(b, st, in);
	case DF_I_USER: {
		if (in->nargs < 1)
			return fail_at(b, in, "USER needs a user");
		char *u = word_value(b, in, &in->args[0]);
		if (!u)
			return -1;
		free(st->user);
		st->user = u;
		cfg_set(&st->img, "User", cJSON_CreateString(u));
		return 0;
	}
	case DF_I_SHELL: {
		if (!in->exec_form || in->nargs == 0)
			return fail_at(b, in, "SHELL needs a JSON array");
		free_strv(st->shell);
		st->shell = df_xcalloc(in->nargs + 1, sizeof(char *));
		for (size_t i = 0; i < in->nargs; i++)
			st->shell[i] = str_dup(in->args[i].value);
		cfg_set(&st->img, "Shell", strv_json(st->shell));
		return 0;
	}
	case DF_I_CMD:
		st->cmd_set = true;
		cfg_set(&st->img, "Cmd", argv_json_free(command_argv(st, in, 0)));
		return 0;
	case DF_I_ENTRYPOINT:
		cfg_set(&st->img, "Entrypoint", argv_json_free(command_argv(st, in, 0)));
		/* An ENTRYPOINT resets a CMD inherited from the base. */
		if (!st->cmd_set)
			cfg_set(&st->img, "Cmd", cJSON_CreateNull());
		return 0;
	case DF_I_HEALTHCHECK:
		return apply_healthcheck(b, st, in);
	case DF_I_VOLUME:
		return each_word(b, in, add_volume, st);
	case DF_I_EXPOSE:
		return each_word(b, in, add_port, st);
	case DF_I_STOPSIGNAL: {
		if (in->nargs < 1)
			return fail_at(b, in, "STOPSIGNAL needs a signal");
		char *sig = word_value(b, in, &in->args[0]);
		if (!sig)
			return -1;
		cfg_set(&st->img, "StopSignal", cJSON_CreateString(sig));
		free(sig);
		return 0;
	}
	case DF_I_MAINTAINER: {
		char *who = str_dup(in->rest);
		cJSON_DeleteItemFromObjectCaseSensitive(st->img.config, "author");
		cJSON_AddStringToObject(st->img.config, "author", who);
		free(who);
		return 0;
	}
	case DF_I_ONBUILD: {
		cJSON *ob = cJSON_GetObjectItemCaseSensitive(cfg_obj(&st->img), "OnBuild");
		if (!cJSON_IsArray(ob)) {
			ob = cJSON_CreateArray();
			cfg_set(&st->img, "OnBuild", ob);
		}
		char *t = str_dup(in->rest);
		cJSON_AddItemToArray(ob, cJSON_CreateString(t));
		free(t);
		return 0;
	}
	default:
		/* ARG: its value reaches later steps through the scope. */
		return 0;
	}
}

/* ---- stages and the build ---------------------------------------------- */

/* Make a step's error say where: "file:line: " unless it already does. */
static void locate_error(build *b, const df_instr *in)
{
	size_t n = strlen(b->o->dockerfile);
	if (b->err->len > n && !memcmp(b->err->buf, b->o->dockerfile, n) && b->err->buf[n] == ':')
		return;
	df_buf located = DF_BUF_INIT;
	df_buf_addf(&located, "%s:%u: %s", b->o->dockerfile, in->line, df_buf_str(b->err));
	df_buf_reset(b->err);
	df_buf_add(b->err, located.buf, located.len);
	df_buf_release(&located);
}

static int build_stage(build *b, int si)
{
	const df_stage *gs = &b->g.stages[si];
	stage_state *st = &b->stages[si];
	size_t stage_steps = 0;
	for (size_t i = gs->first; i <= gs->last; i++) {
		df_step_kind k = b->g.steps[i].kind;
		stage_steps += k == DF_STEP_BASE || k == DF_STEP_LAYER || k == DF_STEP_STATE;
	}
	size_t pos = 0, last_missed = 0;
	for (size_t i = gs->first; i <= gs->last; i++) {
		const df_instr *in = b->doc.instrs[i];
		df_step_kind kind = b->g.steps[i].kind;
		if (in->has_error)
			return fail_at(b, in, "the instruction does not parse");
		if (kind != DF_STEP_BASE && kind != DF_STEP_LAYER && kind != DF_STEP_STATE) {
			if (apply_config(b, st, in) < 0)
				return -1;
			char *t = str_dup(in->text.str);
			df_image_add_history(&st->img, t, true, b->o->epoch);
			free(t);
			continue;
		}
		step_ctx sc;
		memset(&sc, 0, sizeof(sc));
		sc.st = st;
		sc.in = in;
		sc.s = add_step(b, in, si);
		sc.n = b->r->nsteps;
		sc.parent_missed = last_missed;
		report_start(b, sc.n, sc.s, ++pos, stage_steps);
		int rc;
		if (in->kind == DF_I_FROM)
			rc = step_from(b, si, &sc);
		else if (in->kind == DF_I_RUN)
			rc = step_run(b, &sc);
		else if (in->kind == DF_I_WORKDIR)
			rc = step_workdir(b, &sc);
		else
			rc = step_copy(b, &sc);
		if (in->kind == DF_I_FROM) {
			/* Nothing executes: the chain starts at the base. */
			sc.s->status = DF_BSTEP_CACHED;
			sc.s->key = st->key;
		} else if (rc >= 0) {
			st->key = sc.s->key;
			st->ordinal++;
			cJSON *rec = cJSON_GetArrayItem(b->record, cJSON_GetArraySize(b->record) - 1);
			if (rec)
				cJSON_AddNumberToObject(rec, "seconds", sc.s->seconds);
			if (sc.s->status == DF_BSTEP_CACHED) {
				b->r->hits++;
				last_missed = 0;
			} else {
				b->r->built++;
				b->r->build_seconds += sc.s->seconds;
				b->r->new_bytes += sc.s->bytes;
				last_missed = sc.n;
			}
		}
		df_buf_release(&sc.def);
		df_buf_release(&sc.files);
		if (rc < 0)
			locate_error(b, in);
		if (rc == 0 || rc == 1)
			report_end(b, sc.n, sc.s);
		if (rc != 0)
			return rc;
	}
	st->built = true;
	return 0;
}

/* The build args the user gave, then the platform args BuildKit predefines
 * (for the host) where the user gave none. The strings live in *own. */
static const char **all_build_args(const df_build_opts *o, size_t *n, char ***own)
{
	static const char *const platform[] = {
		"TARGETPLATFORM=linux/%s", "TARGETOS=linux", "TARGETARCH=%s", "TARGETVARIANT=",
		"BUILDPLATFORM=linux/%s", "BUILDOS=linux", "BUILDARCH=%s", "BUILDVARIANT=",
	};
	const size_t np = sizeof platform / sizeof platform[0];
	const char **v = df_xcalloc(o->nbuild_args + np + 1, sizeof(char *));
	*own = df_xcalloc(np + 1, sizeof(char *));
	size_t k = 0, nown = 0;
	for (size_t i = 0; i < o->nbuild_args; i++)
		v[k++] = o->build_args[i];
	for (size_t i = 0; i < np; i++) {
		size_t nl = (size_t)(strchr(platform[i], '=') - platform[i]);
		bool given = false;
		for (size_t j = 0; j < o->nbuild_args && !given; j++)
			given = !strncmp(o->build_args[j], platform[i], nl) && o->build_args[j][nl] == '=';
		if (given)
			continue;
		df_buf arg = DF_BUF_INIT;
		df_buf_addf(&arg, platform[i], df_image_host_arch());
		v[k++] = (*own)[nown++] = df_buf_detach(&arg, NULL);
	}
	*n = k;
	return v;
}

static char *record_id(const build *b)
{
	df_buf id = DF_BUF_INIT;
	df_buf_addf(&id, "%s\n%s", b->dockerfile, b->o->target ? b->o->target : "");
	return df_buf_detach(&id, NULL);
}

static void load_previous(build *b)
{
	char *id = record_id(b);
	df_buf text = DF_BUF_INIT, e = DF_BUF_INIT;
	if (df_store_get_record(&b->store, id, &text, &e) == 1) {
		cJSON *j = cJSON_Parse(df_buf_str(&text));
		cJSON *steps = cJSON_DetachItemFromObjectCaseSensitive(j, "steps");
		if (cJSON_IsArray(steps))
			b->prev = steps;
		else
			cJSON_Delete(steps);
		cJSON_Delete(j);
	}
	free(id);
	df_buf_release(&text);
	df_buf_release(&e);
}

static int save_record(build *b)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "dockerfile", b->dockerfile);
	cJSON_AddStringToObject(j, "target", b->o->target ? b->o->target : "");
	cJSON_AddItemReferenceToObject(j, "steps", b->record);
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	char *id = record_id(b);
	int rc = df_store_put_record(&b->store, id, text, b->err);
	free(id);
	free(text);
	return rc;
}

/* Read, parse at build time and plan. */
static int plan(build *b)
{
	const df_build_opts *o = b->o;
	df_buf text = DF_BUF_INIT, e = DF_BUF_INIT;
	if (df_read_text(o->dockerfile, DF_MAX_FILE, &text, &e) < 0) {
		fail(b, "%s", df_buf_str(&e));
		df_buf_release(&e);
		df_buf_release(&text);
		return -1;
	}
	df_buf_release(&e);
	size_t nargs;
	char **own;
	const char **args = all_build_args(o, &nargs, &own);
	df_parse_opts po;
	memset(&po, 0, sizeof(po));
	po.build_args = args;
	po.nbuild_args = nargs;
	po.build_time = true;
	po.image_env = image_env;
	po.image_env_ud = b;
	int rc = df_doc_parse(&b->doc, o->dockerfile, text.buf ? text.buf : "", text.len, &po);
	b->doc_parsed = true;
	free(args);
	free_strv(own);
	df_buf_release(&text);
	if (rc < 0)
		return fail(b, "%s: cannot parse", o->dockerfile);
	for (size_t i = 0; i < b->doc.diags.len; i++) {
		const df_diag *d = &b->doc.diags.items[i];
		return fail(b, "%s:%u:%u: %s", o->dockerfile, d->line, d->col, d->message);
	}
	if (df_graph_build(&b->g, &b->doc, o->target) < 0)
		return fail(b, "%s: no stage named '%s'", o->dockerfile, o->target);
	b->graph_built = true;
	if (b->g.target < 0)
		return fail(b, "%s: no FROM instruction: nothing to build", o->dockerfile);
	return 0;
}

static int finish_image(build *b)
{
	const df_build_opts *o = b->o;
	stage_state *st = &b->stages[b->g.target];
	if (df_image_commit(&b->store, &st->img, b->err) < 0)
		return -1;
	b->r->manifest = st->img.manifest;
	b->r->image_id = st->img.config_digest;
	if (o->tag && df_store_tag(&b->store, o->tag, &st->img.manifest, b->err) < 0)
		return -1;
	if (o->output && df_image_export(&b->store, &st->img, o->output, o->tag ? o->tag : "latest", b->err) < 0)
		return -1;
	return 0;
}

static void build_release(build *b)
{
	for (size_t i = 0; b->stages && i < b->g.nstages; i++) {
		stage_state *st = &b->stages[i];
		df_image_release(&st->img);
		free(st->workdir);
		free(st->user);
		free_strv(st->shell);
		free(st->view);
	}
	free(b->stages);
	for (size_t i = 0; i < b->nbases; i++) {
		free(b->bases[i].ref);
		df_image_release(&b->bases[i].img);
		free_strv(b->bases[i].env);
		free(b->bases[i].error);
	}
	free(b->bases);
	if (b->scratch) {
		for (unsigned i = 0; i < b->nviews; i++) {
			df_buf v = DF_BUF_INIT;
			df_buf_addf(&v, "%s/view%u", b->scratch, i);
			umount2(df_buf_str(&v), MNT_DETACH);
			df_buf_release(&v);
		}
		df_buf e = DF_BUF_INIT;
		df_store_remove_tree(b->scratch, &e);
		df_buf_release(&e);
		free(b->scratch);
	}
	if (b->ctx_open)
		df_context_release(&b->ctx);
	if (b->graph_built)
		df_graph_release(&b->g);
	if (b->doc_parsed)
		df_doc_release(&b->doc);
	if (b->store_open)
		df_store_close(&b->store);
	cJSON_Delete(b->prev);
	cJSON_Delete(b->record);
	free(b->dockerfile);
	free(b->ctx_dir);
}

int df_build(const df_build_opts *o, df_build_result *r, df_buf *err)
{
	build b;
	memset(&b, 0, sizeof(b));
	memset(r, 0, sizeof(*r));
	b.o = o;
	b.r = r;
	b.err = err;
	b.record = cJSON_CreateArray();
	double t0 = now_seconds();
	int rc = 0;
	char real[PATH_MAX];
	if (!realpath(o->dockerfile, real))
		rc = fail(&b, "%s: %s", o->dockerfile, strerror(errno));
	if (rc == 0) {
		b.dockerfile = df_xstrdup(real);
		char *dir = df_xstrdup(real);
		char *slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		const char *ctx = o->context ? o->context : dir;
		if (!realpath(ctx, real))
			rc = fail(&b, "%s: %s", ctx, strerror(errno));
		else
			b.ctx_dir = df_xstrdup(real);
		free(dir);
	}
	if (rc == 0 && (rc = df_store_open(&b.store, o->store, err)) == 0) {
		b.store_open = true;
		df_buf path = DF_BUF_INIT, tmp = DF_BUF_INIT;
		df_store_hashcache_path(&b.store, &path);
		df_store_tmp_dir(&b.store, &tmp);
		b.hashes = df_hashcache_open(df_buf_str(&path), df_buf_str(&tmp));
		df_buf_release(&path);
		df_buf_release(&tmp);
	}
	if (rc == 0)
		rc = plan(&b);
	if (rc == 0) {
		df_context_opts co;
		memset(&co, 0, sizeof(co));
		co.dockerfile = b.dockerfile;
		rc = df_context_open(&b.ctx, b.ctx_dir, &co, err);
		b.ctx_open = rc == 0;
	}
	if (rc == 0) {
		load_previous(&b);
		b.stages = df_xcalloc(b.g.nstages, sizeof(*b.stages));
		for (size_t i = 0; i < b.g.nstages && rc == 0; i++)
			if (b.g.stages[i].reachable)
				rc = build_stage(&b, (int)i);
	}
	if (rc == 0 && !o->dry_run)
		rc = finish_image(&b);
	if (b.store_open && b.graph_built && !o->dry_run && b.stages) {
		df_buf keep_err = DF_BUF_INIT;
		df_buf_add(&keep_err, err->buf, err->len);
		if (save_record(&b) < 0 && rc == 0)
			rc = -1;
		else if (rc != 0) {
			df_buf_reset(err);
			df_buf_add(err, keep_err.buf, keep_err.len);
		}
		df_buf_release(&keep_err);
	}
	if (b.hashes) {
		/* even after a failed step: what was hashed is still true; and
		 * a cache that cannot be written only costs the next build time */
		df_buf ignored = DF_BUF_INIT;
		df_hashcache_save(b.hashes, &ignored);
		df_buf_release(&ignored);
		df_hashcache_free(b.hashes);
		b.hashes = NULL;
	}
	r->seconds = now_seconds() - t0;
	build_release(&b);
	return rc;
}

void df_build_result_release(df_build_result *r)
{
	for (size_t i = 0; i < r->nsteps; i++) {
		free(r->steps[i].text);
		free(r->steps[i].why);
	}
	free(r->steps);
	memset(r, 0, sizeof(*r));
}

long df_keyset_find(const df_keyset *k, const df_digest *key)
{
	size_t lo = 0, hi = k->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k->keys[mid].s, key->s);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void df_keyset_add(df_keyset *k, const df_digest *key, double seconds)
{
	size_t lo = 0, hi = k->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k->keys[mid].s, key->s);
		if (c == 0) {
			k->seconds[mid] = seconds;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (k->len == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->keys = df_xrealloc(k->keys, k->cap * sizeof(*k->keys));
		k->seconds = df_xrealloc(k->seconds, k->cap * sizeof(*k->seconds));
	}
	memmove(k->keys + lo + 1, k->keys + lo, (k->len - lo) * sizeof(*k->keys));
	memmove(k->seconds + lo + 1, k->seconds + lo, (k->len - lo) * sizeof(*k->seconds));
	k->keys[lo] = *key;
	k->seconds[lo] = seconds;
	k->len++;
}

void df_keyset_release(df_keyset *k)
{
	free(k->keys);
	free(k->seconds);
	memset(k, 0, sizeof(*k));
}
