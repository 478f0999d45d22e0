/* landing.c - where COPY and ADD put files; see landing.h. */
#include "engine/landing.h"

#include <string.h>

#include "engine/copyctx.h"
#include "graph/ecosystem.h"
#include "util/util.h"

const char *df_path_resolve(df_arena *a, const char *cwd, df_str path)
{
	if (!path.len || (path.ptr[0] != '/' && !cwd))
		return NULL;
	/* A trailing '/' goes at the end anyway: dropped first, most paths
	 * are clean without it and join by a copy (ecosystem.c). */
	size_t len = path.len;
	while (len > 1 && path.ptr[len - 1] == '/')
		len--;
	char *rel = df_arena_memdup(a, path.ptr, len);
	char *p = df_eco_path_join(a, cwd, rel);
	size_t n = strlen(p);
	if (n > 1 && p[n - 1] == '/')
		p[n - 1] = '\0';	/* the same file, said of a directory */
	return p;
}

static bool is_url(df_str s)
{
	return df_mem_has_prefix(s.ptr, s.len, "http://") || df_mem_has_prefix(s.ptr, s.len, "https://");
}

/* The last path component of s (a URL: of its path, before ? and #). */
static df_str base_name(df_str s, bool url)
{
	size_t n = url ? 0 : s.len;	/* a file's name may hold '?' and '#' */
	while (n < s.len && s.ptr[n] != '?' && s.ptr[n] != '#')
		n++;
	while (n > 1 && s.ptr[n - 1] == '/')
		n--;
	const char *slash = n ? memrchr(s.ptr, '/', n) : NULL;
	size_t b = slash ? (size_t)(slash - s.ptr) + 1 : 0;
	return (df_str){ s.ptr + b, n - b };
}

/* The step of the top-level instruction in, or NULL. */
static const df_step *step_of(const df_graph *g, const df_instr *in)
{
	int idx = in->outer ? -1 : df_graph_instr_index(g, in);
	return idx < 0 ? NULL : &g->steps[idx];
}

const char *df_run_workdir(df_arena *a, const df_graph *g, const df_instr *in)
{
	const df_step *st = step_of(g, in);
	if (!st || !st->workdir_known)
		return NULL;
	return df_arena_memdup(a, st->workdir.ptr, st->workdir.len);
}

size_t df_copy_landings(df_arena *a, const df_graph *g, const df_instr *in, df_landing *out, size_t max)
{
	const df_step *st = step_of(g, in);
	const df_copy_model *m = st ? st->copy : NULL;
	if (!m || !m->dest_known || m->origin == DF_COPY_HEREDOC || !m->dest.len)
		return 0;
	const char *dest = df_path_resolve(a, "/", m->dest);
	size_t n = 0;
	for (size_t i = 0; i < m->nsources && i < in->nsources && n < max; i++) {
		const df_word *w = &in->sources[i];
		df_str v = m->sources[i];
		bool url = is_url(v);
		/* ADD unpacks local archives, and a git URL (".git", "#ref")
		 * brings a tree: where their files land is not the name. */
		if (memchr(v.ptr, '$', v.len) || (in->kind == DF_I_ADD && !url) ||
		    (url && (memchr(v.ptr, '#', v.len) || df_mem_has_suffix(v.ptr, v.len, ".git"))))
			continue;
		bool whole = !url && (df_copy_source_is_whole(v) || (v.len && v.ptr[v.len - 1] == '/'));
		if (!m->dest_is_dir || whole) {
			out[n++] = (df_landing){ dest, whole, false, w };
			continue;
		}
		df_str b = base_name(v, url);
		if (!url && n < max)
			out[n++] = (df_landing){ dest, true, false, w };	/* v may be a directory */
		if (!b.len || n >= max)
			continue;
		size_t k = strlen(dest);
		char *p = df_arena_alloc(a, k + b.len + 2);
		memcpy(p, dest, k);
		if (k > 1)
			p[k++] = '/';
		memcpy(p + k, b.ptr, b.len);
		p[k + b.len] = '\0';
		out[n++] = (df_landing){ p, false, strpbrk(p + k, "*?[") != NULL, w };
	}
	return n;
}
