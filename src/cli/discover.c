/* discover.c - the Dockerfiles under a directory; see discover.h. */
#include "cli/discover.h"
#include "util/buf.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const base_names[] = { "Dockerfile", "dockerfile", "Containerfile", "containerfile" };

static const struct {
	const char *name;
	const char *why;
} skipped_dirs[] = {
	{ ".git", "version control" },
	{ ".hg", "version control" },
	{ ".svn", "version control" },
	{ ".bzr", "version control" },
	{ ".jj", "version control" },
	{ "_darcs", "version control" },
	{ "CVS", "version control" },
	{ "node_modules", "vendored or generated" },
	{ "bower_components", "vendored or generated" },
	{ "vendor", "vendored or generated" },
	{ ".venv", "vendored or generated" },
	{ "venv", "vendored or generated" },
	{ "__pycache__", "vendored or generated" },
	{ ".tox", "vendored or generated" },
	{ ".nox", "vendored or generated" },
	{ ".mypy_cache", "vendored or generated" },
	{ ".pytest_cache", "vendored or generated" },
	{ "target", "vendored or generated" },
	{ ".terraform", "vendored or generated" },
};

void df_discovery_init(df_discovery *d)
{
	d->paths = NULL;
	d->len = d->cap = 0;
}

void df_discovery_release(df_discovery *d)
{
	for (size_t i = 0; i < d->len; i++)
		free(d->paths[i]);
	free(d->paths);
	df_discovery_init(d);
}

bool df_discover_is_dockerfile(const char *name)
{
	size_t n = strlen(name);
	if (!n || name[0] == '.')
		return false;
	if (df_mem_has_suffix(name, n, ".dockerignore") || df_mem_has_suffix(name, n, ".containerignore"))
		return false;
	for (size_t k = 0; k < DF_ARRAY_LEN(base_names); k++) {
		size_t b = strlen(base_names[k]);
		/* Dockerfile, or Dockerfile.SUFFIX with a non-empty suffix */
		if (df_mem_has_prefix(name, n, base_names[k]) && (n == b || (name[b] == '.' && n > b + 1)))
			return true;
		/* NAME.Dockerfile; the name is not empty: hidden files are out */
		if (n > b + 1 && df_mem_has_suffix(name, n, base_names[k]) && name[n - b - 1] == '.')
			return true;
	}
	return false;
}

const char *df_discover_skip_dir(const char *name)
{
	for (size_t k = 0; k < DF_ARRAY_LEN(skipped_dirs); k++)
		if (!strcmp(skipped_dirs[k].name, name))
			return skipped_dirs[k].why;
	return NULL;
}

typedef struct walk {
	df_discovery *out;
	df_discover_fn notify;
	void *ctx;
	int rc;
} walk;

typedef struct entry {
	char *name;
	unsigned char type;	/* d_type: DT_UNKNOWN when the file system does not say */
} entry;

static void note(walk *w, df_discover_event ev, const char *path, const char *text)
{
	if (ev == DF_DISCOVER_ERROR)
		w->rc = -1;
	if (w->notify)
		w->notify(w->ctx, ev, path, text);
}

static void add_path(walk *w, const char *path)
{
	df_discovery *d = w->out;
	df_grow((void **)&d->paths, &d->cap, d->len + 1, sizeof(*d->paths));
	d->paths[d->len++] = df_xstrdup(path);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of the directory at path, but . and .., sorted by name; -1
 * (reported) when it cannot be read. */
static int read_entries(walk *w, const char *path, entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!*path)
		path = ".";	/* the working directory, its files named bare */
	DIR *dir = opendir(path);
	if (!dir) {
		note(w, DF_DISCOVER_ERROR, path, strerror(errno));
		return -1;
	}
	size_t cap = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(dir);
		if (!de) {
			if (errno) {
				/* What was read so far is still walked. */
				note(w, DF_DISCOVER_ERROR, path, strerror(errno));
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		df_grow((void **)out, &cap, *n + 1, sizeof(**out));
		(*out)[*n].name = df_xstrdup(de->d_name);
		(*out)[*n].type = de->d_type;
		(*n)++;
	}
	closedir(dir);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_entry);
	return 0;
}

static void walk_dir(walk *w, df_buf *path, unsigned depth)
{
	if (depth > DF_DISCOVER_MAX_DEPTH) {
		note(w, DF_DISCOVER_ERROR, df_buf_str(path), "directories nested too deep");
		return;
	}
	entry *ents;
	size_t n;
	if (read_entries(w, df_buf_str(path), &ents, &n) < 0)
		return;
	size_t base = path->len;
	for (size_t i = 0; i < n; i++) {
		path->len = base;
		if (base && path->buf[base - 1] != '/')
			df_buf_addc(path, '/');
		df_buf_adds(path, ents[i].name);
		const char *p = df_buf_str(path);

		unsigned char type = ents[i].type;
		struct stat st;
		if (type == DT_UNKNOWN) {
			if (lstat(p, &st) < 0) {
				note(w, DF_DISCOVER_ERROR, p, strerror(errno));
				continue;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK :
			       S_ISREG(st.st_mode) ? DT_REG : DT_FIFO;	/* DT_FIFO: any other kind */
		}
		if (type == DT_DIR) {
			const char *why = df_discover_skip_dir(ents[i].name);
			if (why)
				note(w, DF_DISCOVER_SKIP, p, why);
			else
				walk_dir(w, path, depth + 1);
			continue;
		}
		if (type == DT_LNK) {
			/* A link to a file is read like the file; a link to a
			 * directory is never followed (loops, other trees). A
			 * dangling link is only an error when it has a
			 * Dockerfile's name. */
			bool named = df_discover_is_dockerfile(ents[i].name);
			if (stat(p, &st) < 0) {
				if (named)
					note(w, DF_DISCOVER_ERROR, p, strerror(errno));
				continue;
			}
			if (S_ISDIR(st.st_mode))
				note(w, DF_DISCOVER_SKIP, p, "symbolic link to a directory");
			else if (named && S_ISREG(st.st_mode))
				add_path(w, p);
			else if (named)
				note(w, DF_DISCOVER_SKIP, p, "not a regular file");
			continue;
		}
		if (!df_discover_is_dockerfile(ents[i].name))
			continue;
		if (type == DT_REG)
			add_path(w, p);
		else
			note(w, DF_DISCOVER_SKIP, p, "not a regular file");
	}
	path->len = base;
	if (path->buf)
		path->buf[base] = '\0';
	for (size_t i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
}

int df_discover(const char *dir, df_discovery *out, df_discover_fn notify, void *ctx)
{
	walk w = { out, notify, ctx, 0 };
	size_t first = out->len;
	df_buf path = DF_BUF_INIT;
	/* The working directory's files are named as users write them
	 * ("Dockerfile", not "./Dockerfile"): code-quality reports match
	 * report paths against the repository's file names. */
	if (strcmp(dir, ".") != 0 && strcmp(dir, "./") != 0)
		df_buf_adds(&path, *dir ? dir : ".");
	walk_dir(&w, &path, 0);
	df_buf_release(&path);
	/* Per-directory order puts "a/Dockerfile" before "a.Dockerfile"; the
	 * whole path's byte order is the one users can reproduce. */
	if (out->len > first)
		qsort(out->paths + first, out->len - first, sizeof(*out->paths), cmp_path);
	return w.rc;
}
