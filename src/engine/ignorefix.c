/*
 * ignorefix.c - ignore-file fixes rules share; see ignorefix.h.
 */
#include "engine/ignorefix.h"

#include <stdlib.h>
#include <string.h>

#include "context/glob.h"
#include "context/ignore.h"
#include "engine/copyctx.h"
#include "engine/engine.h"
#include "util/util.h"

bool df_ignore_quote(const char *path, bool any_depth, df_buf *out)
{
	size_t n = strlen(path);
	if (!n || df_is_space((unsigned char)path[0]) || df_is_space((unsigned char)path[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return false;
	if (any_depth)
		df_buf_adds(out, "**/");
	else if (path[0] == '!' || path[0] == '#')
		df_buf_addc(out, '\\');	/* they mean something at the start of a line only */
	/* Runs without a special character are copied whole. */
	for (const char *p = path;;) {
		size_t run = strcspn(p, "*?[\\");
		df_buf_add(out, p, run);
		p += run;
		if (!*p)
			break;
		df_buf_addc(out, '\\');
		df_buf_addc(out, *p++);
	}
	return true;
}

/* patterns[0..n) (n > 0) as one ignore file, or NULL. One line is a file
 * as it is (the last line needs no newline), as most findings offer; more
 * are joined, on the stack when they fit. */
static df_ignore *compile(const char *const *patterns, size_t n)
{
	char small[512];
	char *joined = NULL;
	const char *text = patterns[0];
	size_t len = strlen(text);
	if (n > 1) {
		len = 0;
		for (size_t i = 0; i < n; i++)
			len += strlen(patterns[i]) + 1;
		joined = len <= sizeof(small) ? small : df_xmalloc(len);
		for (size_t i = 0, at = 0; i < n; i++) {
			size_t l = strlen(patterns[i]);
			memcpy(joined + at, patterns[i], l);
			joined[at + l] = '\n';
			at += l + 1;
		}
		text = joined;
	}
	df_buf err = DF_BUF_INIT;
	df_ignore *m = NULL;
	if (df_ignore_compile("fix", text, len, &m, &err) < 0)
		m = NULL;
	if (joined != small)
		free(joined);
	df_buf_release(&err);
	return m;
}

/* Would m exclude a source that the COPY or ADD in names without a
 * wildcard? scratch (for the sources, when they are not kept) and heap
 * are scratch space. */
static bool excludes_copy_source(df_lint *lint, const df_instr *in, const df_ignore *m, df_copy_sources *scratch,
				 df_buf *heap)
{
	char small[256];
	/* The finding is most often about the instruction whose sources the
	 * rules asked for last: those are kept (df_lint_copy_sources()). */
	const df_copy_memo *memo = df_lint_copy_memo(lint);
	const df_copy_sources *srcs = &memo->srcs;
	if (memo->in != in) {
		df_copy_context_sources(df_lint_graph(lint), in, scratch);
		srcs = scratch;
	}
	for (size_t k = 0; k < srcs->len; k++) {
		if (srcs->items[k].whole)
			continue;
		size_t len;
		const char *path = df_copy_source_path_str(&srcs->items[k], small, sizeof(small), heap, &len);
		if (len && !df_glob_has_meta(path) && df_ignore_match_clean(m, path, len))
			return true;
	}
	return false;
}

/* Would m exclude the source of a bind mount of the context that the RUN in
 * makes (it must be sent too)? heap is scratch. */
static bool excludes_mount_source(const df_instr *in, const df_ignore *m, df_buf *heap)
{
	for (size_t f = 0; f < in->nflags; f++) {
		const df_mount *mt = in->flags[f].mount;
		if (!mt || !in->flags[f].parsed_ok || mt->type != DF_MOUNT_BIND || mt->from.ptr || !mt->source.ptr ||
		    memchr(mt->source.ptr, '$', mt->source.len))
			continue;
		df_buf_reset(heap);
		df_buf_add(heap, mt->source.ptr, mt->source.len);
		if (!df_glob_has_meta(df_buf_str(heap)) && df_ignore_match(m, df_buf_str(heap)))
			return true;
	}
	return false;
}

/* Would m exclude a source the file names without a wildcard? */
static bool excludes_named(df_lint *lint, const df_ignore *m)
{
	const df_doc *doc = df_lint_doc(lint);
	bool hit = false;
	df_buf heap = DF_BUF_INIT;
	df_copy_sources srcs = DF_COPY_SOURCES_INIT;
	for (size_t i = 0; i < doc->ninstrs && !hit; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->kind == DF_I_COPY || in->kind == DF_I_ADD)
			hit = excludes_copy_source(lint, in, m, &srcs, &heap);
		else if (in->kind == DF_I_RUN)
			hit = excludes_mount_source(in, m, &heap);
	}
	df_copy_sources_release(&srcs);
	df_buf_release(&heap);
	return hit;
}

/* The exceptions of a context's ignore file, each compiled alone, in file
 * order (NULL for one that does not compile alone). They depend on the
 * context only: made once for every finding of every file built in it. */
typedef struct exceptions {
	df_ignore **one;
	size_t n;
} exceptions;

static void *compile_exceptions(const df_context *ctx)
{
	exceptions *ex = df_xcalloc(1, sizeof(*ex));
	size_t count = df_ignore_count(ctx->ignore);
	ex->one = df_xcalloc(count + 1, sizeof(*ex->one));
	for (size_t i = 0; i < count; i++) {
		bool exception = false;
		const char *pat = df_ignore_pattern(ctx->ignore, i, &exception, NULL);
		if (exception)
			ex->one[ex->n++] = compile(&pat, 1);
	}
	return ex;
}

static void free_exceptions(void *p)
{
	exceptions *ex = p;
	for (size_t i = 0; i < ex->n; i++)
		df_ignore_free(ex->one[i]);
	free(ex->one);
	free(ex);
}

/* Does an exception of the context's ignore file bring one of paths back
 * (paths NULL: is there any)? */
static bool reincluded(const df_context *ctx, const char *const *paths, size_t npaths)
{
	static const char key = 0;
	if (!ctx->ignore)
		return false;
	const exceptions *ex = df_context_memo(ctx, &key, compile_exceptions, free_exceptions);
	if (!paths)
		return ex->n > 0;
	for (size_t i = 0; i < ex->n; i++)
		for (size_t k = 0; ex->one[i] && k < npaths; k++)
			if (df_ignore_match(ex->one[i], paths[k]))
				return true;
	return false;
}

bool df_ignore_fix_ok(df_lint *lint, const char *const *patterns, size_t n, const char *const *paths,
		      size_t npaths)
{
	const df_context *ctx = df_lint_context(lint);
	if (!ctx || !n || !df_lint_config(lint)->context_fixes)
		return false;
	df_ignore *m = compile(patterns, n);
	bool ok = m && !excludes_named(lint, m) && !reincluded(ctx, paths, npaths);
	df_ignore_free(m);
	return ok;
}
