/*
 * engine.c - build a measurement's variant with buildah or docker buildx
 * and read the figures from the engine's output (engine.h says how they
 * are counted).
 *
 * The engines run as child processes (posix_spawn), their stdout and
 * stderr captured together, each line stamped with the time it arrived:
 * buildah prints no timings, so a step's seconds are the time between its
 * header and the next header.
 */
#include "measure/engine.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build/image.h"
#include "util/util.h"

extern char **environ;

/* The tag every build gets: the storage is the variant's own. */
#define ENGINE_TAG "dfopt-measure"

static const char *const engine_names[] = { "dfopt", "buildah", "docker" };

const char *df_engine_name(df_measure_engine e)
{
	return (size_t)e < sizeof engine_names / sizeof *engine_names ? engine_names[e] : "?";
}

int df_engine_parse_name(const char *name)
{
	for (size_t i = 0; i < sizeof engine_names / sizeof *engine_names; i++)
		if (!strcmp(name, engine_names[i]))
			return (int)i;
	return -1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- running the engine ------------------------------------------------- */

/* An argv under construction; the strings are borrowed or kept in own. */
typedef struct argv_b {
	const char *dir;	/* run there (NULL: here) */
	const char **v;
	size_t n, cap;
	char **own;
	size_t nown, capown;
} argv_b;

static void arg(argv_b *a, const char *s)
{
	df_grow((void **)&a->v, &a->cap, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* An argument built with printf, owned by the vector. */
static void argf(argv_b *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argf(argv_b *a, const char *fmt, ...)
{
	df_buf b = DF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	df_grow((void **)&a->own, &a->capown, a->nown + 1, sizeof(*a->own));
	a->own[a->nown] = df_buf_detach(&b, NULL);
	arg(a, a->own[a->nown++]);
}

static void argv_release(argv_b *a)
{
	for (size_t i = 0; i < a->nown; i++)
		free(a->own[i]);
	free(a->own);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/*
 * Run argv with stdout and stderr into out (and copied to log_fd when it
 * is >= 0); *times (when times is not NULL) gets each line's arrival time,
 * malloc'd. The exit status, or -1 with errno when it could not start.
 */
static int capture(const argv_b *a, int log_fd, df_buf *out, double **times)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (a->dir)
		posix_spawn_file_actions_addchdir_np(&fa, a->dir);
	pid_t pid;
	int rc = posix_spawnp(&pid, a->v[0], &fa, NULL, (char *const *)a->v, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	size_t ntimes = 0, cap = 0;
	if (times)
		*times = NULL;
	char buf[8192];
	ssize_t n;
	while (rc == 0 && ((n = read(pipefd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))) {
		if (n <= 0)
			continue;
		double t = now();
		df_buf_add(out, buf, (size_t)n);
		if (log_fd >= 0 && write(log_fd, buf, (size_t)n) < 0)
			log_fd = -1;
		for (ssize_t i = 0; times && i < n; i++)
			if (buf[i] == '\n') {
				df_grow((void **)times, &cap, ntimes + 1, sizeof(**times));
				(*times)[ntimes++] = t;
			}
	}
	if (times) {
		/* The last line may have no newline. */
		df_grow((void **)times, &cap, ntimes + 1, sizeof(**times));
		(*times)[ntimes] = now();
	}
	close(pipefd[0]);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The last non-empty line of an output (buildah pull --quiet: the image ID). */
static void last_line(const df_buf *out, df_buf *to)
{
	const char *s = df_buf_str(out);
	size_t end = out->len;
	while (end && df_is_space((unsigned char)s[end - 1]))
		end--;
	size_t start = end;
	while (start && s[start - 1] != '\n')
		start--;
	df_buf_add(to, s + start, end - start);
}

/* Why an engine failed: its last "Error..." line, else its first line. */
static void reason(const df_buf *out, df_buf *to)
{
	const char *s = df_buf_str(out), *pick = NULL;
	size_t pick_len = 0;
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\n");
		while (n && df_is_space((unsigned char)p[n - 1]))
			n--;
		bool error = n >= 5 && df_mem_ieq(p, 5, "error");
		if (n && (!pick || error)) {
			pick = p;
			pick_len = n;
		}
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
	df_buf_add(to, pick ? pick : "", pick_len);
}

/* Run a preparation command; -1 with why in err. */
static int prep(const argv_b *a, int log_fd, df_buf *out, df_buf *err)
{
	df_buf_reset(out);
	int rc = capture(a, log_fd, out, NULL);
	if (rc == 0)
		return 0;
	df_buf_reset(err);
	if (rc < 0) {
		df_buf_addf(err, "cannot run %s: %s", a->v[0], strerror(errno));
	} else {
		/* buildah's subcommand follows its three storage options. */
		const char *sub = a->v[!strcmp(a->v[0], "buildah") && a->n > 4 ? 4 : 1];
		df_buf_addf(err, "`%s %s` failed (exit %d): ", a->v[0], sub ? sub : "", rc);
		reason(out, err);
	}
	return -1;
}

/* docker needs its buildx plugin too. */
static int check_buildx(df_buf *err)
{
	argv_b a = { 0 };
	arg(&a, "docker");
	arg(&a, "buildx");
	arg(&a, "version");
	df_buf out = DF_BUF_INIT, e = DF_BUF_INIT;
	int rc = prep(&a, -1, &out, &e);
	if (rc < 0) {
		df_buf_reset(err);
		df_buf_adds(err, "--engine docker needs docker buildx: ");
		reason(&out, err);
	}
	df_buf_release(&out);
	df_buf_release(&e);
	argv_release(&a);
	return rc;
}

int df_engine_check(df_measure_engine e, df_buf *err)
{
	if (e == DF_ENGINE_DFOPT)
		return 0;
	const char *name = df_engine_name(e), *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		df_buf f = DF_BUF_INIT;
		df_buf_addf(&f, "%.*s/%s", (int)n, p, name);
		bool ok = n && access(df_buf_str(&f), X_OK) == 0;
		df_buf_release(&f);
		if (ok)
			return e == DF_ENGINE_DOCKER ? check_buildx(err) : 0;
		p += n + (p[n] == ':');
	}
	df_buf_reset(err);
	df_buf_addf(err, "--engine %s: '%s' is not installed (not on PATH)", name, name);
	return -1;
}

/* ---- output parsers ------------------------------------------------------ */

/* Is the instruction starting at s one dfopt's builder counts as a step? */
static bool counted(const char *s)
{
	static const char *const kinds[] = { "RUN", "COPY", "ADD", "WORKDIR", NULL };
	size_t n = strcspn(s, " \t\n");
	for (size_t i = 0; kinds[i]; i++)
		if (df_mem_ieq(s, n, kinds[i]) && n == strlen(kinds[i]))
			return true;
	return false;
}

/*
 * buildah --layers: "STEP n/m: INSTRUCTION" (prefixed "[s/t] " in a
 * multi-stage build) opens a step; "--> Using cache ID" inside it is a
 * hit; the next STEP or "COMMIT NAME" closes it.
 */
void df_engine_parse_buildah(const char *out, const double *times, df_measure_cell *c)
{
	c->steps = c->hits = c->rebuilt = 0;
	c->seconds = 0;
	bool open = false, count = false, hit = false;
	double start = 0, t = 0;
	size_t line = 0;
	for (const char *p = out; *p; line++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		t = times ? times[line] : 0;
		const char *s = p;
		if (*s == '[') {
			const char *close = memchr(s, ']', len);
			if (close && close[1] == ' ')
				s = close + 2;
		}
		bool step = !strncmp(s, "STEP ", 5) && memchr(s, ':', len - (size_t)(s - p));
		bool commit = !strncmp(s, "COMMIT", 6);
		if (step || commit) {
			if (open && count) {
				c->steps++;
				if (hit) {
					c->hits++;
				} else {
					c->rebuilt++;
					c->seconds += t - start;
				}
			}
			open = step;
			hit = false;
			start = t;
			if (step) {
				const char *instr = strchr(s, ':') + 1;
				while (*instr == ' ')
					instr++;
				count = counted(instr);
			}
		} else if (open && !strncmp(p, "--> Using cache ", 16)) {
			hit = true;
		}
		p = nl ? nl + 1 : p + len;
	}
	if (open && count) {
		c->steps++;
		if (hit) {
			c->hits++;
		} else {
			c->rebuilt++;
			c->seconds += t - start;
		}
	}
}

/*
 * BuildKit's plain progress: "#N [stage-0 2/4] RUN ..." names vertex N,
 * "#N CACHED" marks it a hit, "#N DONE 1.2s" gives its time. Vertices
 * such as "[internal] load ..." or FROM are not counted.
 */
void df_engine_parse_docker(const char *out, df_measure_cell *c)
{
	typedef struct vertex {
		bool seen, count, cached;
		double seconds;
	} vertex;
	vertex *vs = NULL;
	size_t cap = 0, nv = 0;
	size_t *order = NULL, norder = 0, ocap = 0;
	for (const char *p = out; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *end;
		unsigned long id = p[0] == '#' && df_is_digit((unsigned char)p[1]) ? strtoul(p + 1, &end, 10) : 0;
		if (id && id < 100000 && *end == ' ') {
			if (id >= nv) {
				df_grow((void **)&vs, &cap, id + 1, sizeof(*vs));
				memset(vs + nv, 0, (id + 1 - nv) * sizeof(*vs));
				nv = id + 1;
			}
			vertex *v = &vs[id];
			const char *s = end + 1;
			if (*s == '[' && !v->seen) {
				const char *close = memchr(s, ']', len - (size_t)(s - p));
				v->seen = true;
				v->count = close && close[1] == ' ' && counted(close + 2) && memchr(s, '/', (size_t)(close - s));
				if (v->count) {
					df_grow((void **)&order, &ocap, norder + 1, sizeof(*order));
					order[norder++] = id;
				}
			} else if (!strncmp(s, "CACHED", 6)) {
				v->cached = true;
			} else if (!strncmp(s, "DONE ", 5)) {
				v->seconds = strtod(s + 5, NULL);
			}
		}
		p = nl ? nl + 1 : p + len;
	}
	c->steps = c->hits = c->rebuilt = 0;
	c->seconds = 0;
	for (size_t i = 0; i < norder; i++) {
		const vertex *v = &vs[order[i]];
		c->steps++;
		if (v->cached) {
			c->hits++;
		} else {
			c->rebuilt++;
			c->seconds += v->seconds;
		}
	}
	free(vs);
	free(order);
}

/* ---- preparing a variant's state ------------------------------------------ */

/*
 * The image names of the Dockerfile's FROM lines that dfopt's store holds
 * (stage names, scratch and names with variables are left out):
 *   from -> FROM [--flag=V ...] image [AS name]
 */
static void from_names(const char *dockerfile, const df_store *s, char ***names, size_t *n, size_t *cap)
{
	FILE *f = fopen(dockerfile, "r");
	char line[4096];
	while (f && fgets(line, sizeof line, f)) {
		char *p = line;
		while (df_is_blank((unsigned char)*p))
			p++;
		if (!df_mem_ieq(p, 4, "FROM") || !df_is_blank((unsigned char)p[4]))
			continue;
		char *save = NULL, *w = strtok_r(p + 4, " \t\r\n", &save);
		while (w && !strncmp(w, "--", 2))
			w = strtok_r(NULL, " \t\r\n", &save);
		if (!w || strchr(w, '$') || !strcmp(w, "scratch"))
			continue;
		df_digest d;
		df_buf e = DF_BUF_INIT;
		bool known = df_store_resolve(s, w, &d, &e) == 1;
		df_buf_release(&e);
		for (size_t i = 0; known && i < *n; i++)
			known = strcmp((*names)[i], w) != 0;
		if (known) {
			df_grow((void **)names, cap, *n + 1, sizeof(**names));
			(*names)[(*n)++] = df_xstrdup(w);
		}
	}
	if (f)
		fclose(f);
}

static void strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* buildah's global options: the variant's storage. */
static void buildah_argv(argv_b *a, const char *dir)
{
	arg(a, "buildah");
	argf(a, "--root=%s/root", dir);
	argf(a, "--runroot=%s/runroot", dir);
	arg(a, "--storage-driver=vfs");
}

/*
 * Add the layers of image ref to the known set, by diffID (a pulled
 * image's manifest names compressed blobs, a built one's the tars, so only
 * diffIDs compare); *bytes (when not NULL) gets the manifest sizes of the
 * layers that were not known.
 */
static int buildah_layers(const char *dir, df_engine_state *st, const char *ref, uint64_t *bytes, df_buf *err)
{
	argv_b a = { 0 };
	buildah_argv(&a, dir);
	arg(&a, "inspect");
	arg(&a, "--type=image");
	arg(&a, ref);
	df_buf out = DF_BUF_INIT;
	int rc = prep(&a, -1, &out, err);
	/* {"Manifest": "<the manifest as a string>", "OCIv1": {"rootfs": {"diff_ids": [...]}}} */
	cJSON *info = rc == 0 ? cJSON_Parse(df_buf_str(&out)) : NULL;
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(info, "OCIv1"), "rootfs"), "diff_ids");
	cJSON *m = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "Manifest")));
	if (rc == 0 && (!cJSON_IsArray(ids) || !m)) {
		df_buf_reset(err);
		df_buf_addf(err, "buildah inspect %s: no diffIDs or manifest", ref);
		rc = -1;
	}
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(m, "layers");
	int i = 0;
	for (const cJSON *id = rc == 0 ? ids->child : NULL; id; id = id->next, i++) {
		const char *digest = cJSON_GetStringValue(id);
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(layers, i), "size");
		if (!digest)
			continue;
		bool known = false;
		for (size_t k = 0; k < st->nlayers && !known; k++)
			known = !strcmp(st->layers[k], digest);
		if (known)
			continue;
		df_grow((void **)&st->layers, &st->caplayers, st->nlayers + 1, sizeof(*st->layers));
		st->layers[st->nlayers++] = df_xstrdup(digest);
		if (bytes && cJSON_IsNumber(size) && size->valuedouble > 0)
			*bytes += (uint64_t)size->valuedouble;
	}
	cJSON_Delete(info);
	cJSON_Delete(m);
	df_buf_release(&out);
	argv_release(&a);
	return rc;
}

/* docker: remove the variant's builder, and with it its cache. */
static void remove_builder(df_engine_state *st, int log_fd)
{
	if (!st->builder)
		return;
	argv_b a = { 0 };
	arg(&a, "docker");
	arg(&a, "buildx");
	arg(&a, "rm");
	arg(&a, st->builder);
	df_buf out = DF_BUF_INIT, e = DF_BUF_INIT;
	prep(&a, log_fd, &out, &e);
	df_buf_release(&out);
	df_buf_release(&e);
	argv_release(&a);
	free(st->builder);
	st->builder = NULL;
}

/* Export the FROM images into STATE/oci; buildah pulls and tags them,
 * docker gets a new builder (a new state directory starts cold). */
static int setup(const df_engine_build_opts *o, df_engine_state *st, df_buf *err)
{
	free(st->dir);
	strings_free(st->bases, st->nbases);
	strings_free(st->layers, st->nlayers);
	st->bases = st->layers = NULL;
	st->nbases = st->capbases = st->nlayers = st->caplayers = 0;
	st->dir = df_xstrdup(o->state_dir);
	if (mkdir(st->dir, 0700) < 0 && errno != EEXIST) {
		df_buf_reset(err);
		df_buf_addf(err, "%s: %s", st->dir, strerror(errno));
		return -1;
	}
	df_buf oci = DF_BUF_INIT, out = DF_BUF_INIT;
	df_buf_addf(&oci, "%s/oci", st->dir);
	from_names(o->dockerfile, o->bases, &st->bases, &st->nbases, &st->capbases);
	int rc = 0;
	for (size_t i = 0; i < st->nbases && rc == 0; i++) {
		df_digest d;
		df_image img = DF_IMAGE_INIT;
		rc = df_store_resolve(o->bases, st->bases[i], &d, err) == 1 && df_image_load(o->bases, &d, &img, err) == 0 &&
				     df_image_export(o->bases, &img, df_buf_str(&oci), st->bases[i], err) == 0
			     ? 0
			     : -1;
		df_image_release(&img);
		if (rc < 0 || o->engine != DF_ENGINE_BUILDAH)
			continue;
		argv_b a = { 0 };
		buildah_argv(&a, st->dir);
		arg(&a, "pull");
		arg(&a, "--quiet");
		/* Relative: buildah names the image after the path, which must
		 * be lower case (a scratch directory's name is not). */
		a.dir = st->dir;
		argf(&a, "oci:oci:%s", st->bases[i]);
		rc = prep(&a, o->log_fd, &out, err);
		argv_release(&a);
		/* The image ID is the last line. */
		df_buf id = DF_BUF_INIT;
		last_line(&out, &id);
		if (rc == 0) {
			buildah_argv(&a, st->dir);
			arg(&a, "tag");
			arg(&a, df_buf_str(&id));
			arg(&a, st->bases[i]);
			rc = prep(&a, o->log_fd, &out, err);
			argv_release(&a);
		}
		if (rc == 0)
			rc = buildah_layers(st->dir, st, df_buf_str(&id), NULL, err);
		df_buf_release(&id);
	}
	if (rc == 0 && o->engine == DF_ENGINE_DOCKER) {
		remove_builder(st, o->log_fd);
		/* A builder of its own: its cache is this variant's alone. */
		static unsigned seq;
		df_buf name = DF_BUF_INIT;
		df_buf_addf(&name, "dfopt-measure-%ld-%u", (long)getpid(), seq++);
		argv_b a = { 0 };
		arg(&a, "docker");
		arg(&a, "buildx");
		arg(&a, "create");
		arg(&a, "--driver=docker-container");
		argf(&a, "--name=%s", df_buf_str(&name));
		rc = prep(&a, o->log_fd, &out, err);
		argv_release(&a);
		if (rc == 0)
			st->builder = df_buf_detach(&name, NULL);
		df_buf_release(&name);
	}
	if (rc < 0) {
		/* Set up again next time. */
		free(st->dir);
		st->dir = NULL;
	}
	df_buf_release(&oci);
	df_buf_release(&out);
	return rc;
}

/* ---- a build ---------------------------------------------------------------- */

int df_engine_build(const df_engine_build_opts *o, df_engine_state *st, df_measure_cell *c, df_buf *err)
{
	if (o->engine != DF_ENGINE_BUILDAH && o->engine != DF_ENGINE_DOCKER) {
		df_buf_reset(err);
		df_buf_addf(err, "engine '%s' is not an external engine", df_engine_name(o->engine));
		return -1;
	}
	if ((!st->dir || strcmp(st->dir, o->state_dir)) && setup(o, st, err) < 0)
		return -1;
	argv_b a = { 0 };
	if (o->engine == DF_ENGINE_BUILDAH) {
		buildah_argv(&a, st->dir);
		arg(&a, "bud");
		arg(&a, "--layers");
		arg(&a, "--pull=never");
		/* chroot needs no OCI runtime or cgroup setup: it runs anywhere
		 * buildah does; BUILDAH_ISOLATION chooses otherwise. */
		if (!getenv("BUILDAH_ISOLATION"))
			arg(&a, "--isolation=chroot");
	} else {
		arg(&a, "docker");
		arg(&a, "buildx");
		arg(&a, "build");
		argf(&a, "--builder=%s", st->builder);
		arg(&a, "--progress=plain");
		arg(&a, "--output=type=cacheonly");
		for (size_t i = 0; i < st->nbases; i++)
			argf(&a, "--build-context=%s=oci-layout://%s/oci:%s", st->bases[i], st->dir, st->bases[i]);
	}
	for (size_t i = 0; i < o->nbuild_args; i++) {
		arg(&a, "--build-arg");
		arg(&a, o->build_args[i]);
	}
	if (o->target) {
		arg(&a, "--target");
		arg(&a, o->target);
	}
	arg(&a, "-f");
	arg(&a, o->dockerfile);
	if (o->engine == DF_ENGINE_BUILDAH) {
		arg(&a, "-t");
		arg(&a, ENGINE_TAG);
	}
	arg(&a, o->context);
	df_buf out = DF_BUF_INIT;
	double *times = NULL;
	int rc = capture(&a, o->log_fd, &out, &times);
	if (rc < 0) {
		df_buf_reset(err);
		df_buf_addf(err, "cannot run %s: %s", a.v[0], strerror(errno));
	} else {
		if (o->engine == DF_ENGINE_BUILDAH)
			df_engine_parse_buildah(df_buf_str(&out), times, c);
		else
			df_engine_parse_docker(df_buf_str(&out), c);
		c->bytes = 0;
		df_buf why = DF_BUF_INIT;
		if (rc != 0) {
			df_buf_addf(&why, "%s build failed (exit %d): ", df_engine_name(o->engine), rc);
			reason(&out, &why);
		} else if (o->engine == DF_ENGINE_BUILDAH) {
			/* The figures stand when the bytes cannot be read. */
			df_buf e = DF_BUF_INIT;
			buildah_layers(st->dir, st, ENGINE_TAG, &c->bytes, &e);
			df_buf_release(&e);
		}
		if (why.len)
			c->error = df_buf_detach(&why, NULL);
		df_buf_release(&why);
		rc = 0;
	}
	free(times);
	df_buf_release(&out);
	argv_release(&a);
	return rc;
}

void df_engine_state_release(df_engine_state *st, int log_fd)
{
	remove_builder(st, log_fd);
	free(st->dir);
	strings_free(st->bases, st->nbases);
	strings_free(st->layers, st->nlayers);
	memset(st, 0, sizeof(*st));
}
