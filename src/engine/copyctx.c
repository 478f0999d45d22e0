/* copyctx.c - what a COPY or ADD takes from the build context; see copyctx.h. */
#include "engine/copyctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context/glob.h"
#include "context/ignore.h"
#include "util/util.h"

bool df_copy_source_is_whole(df_str v)
{
	if (v.len == 1 && v.ptr[0] == '*')
		return true;
	/* Made of '/' and "." components only: it cleans to the root. */
	size_t i = 0;
	while (i < v.len) {
		if (v.ptr[i] == '/') {
			i++;
			continue;
		}
		if (v.ptr[i] == '.' && (i + 1 == v.len || v.ptr[i + 1] == '/')) {
			i++;
			continue;
		}
		return false;
	}
	return true;
}

bool df_copy_context_sources(const df_graph *g, const df_instr *in, df_copy_sources *out)
{
	out->len = 0;
	out->unknown = 0;
	out->whole = false;
	if (in->outer || in->has_error || (in->kind != DF_I_COPY && in->kind != DF_I_ADD))
		return false;
	int idx = df_graph_instr_index(g, in);
	const df_copy_model *m = idx >= 0 ? g->steps[idx].copy : NULL;
	if (!m || m->origin != DF_COPY_CONTEXT)
		return false;
	if (out->items && out->items != out->few)
		free(out->items);
	out->items = in->nsources <= DF_ARRAY_LEN(out->few) ? out->few
							     : df_xcalloc(in->nsources, sizeof(*out->items));
	bool any = false;
	for (size_t i = 0; i < in->nsources; i++) {
		const df_word *w = &in->sources[i];
		bool heredoc = false;
		for (size_t h = 0; h < in->nheredocs; h++)
			heredoc |= w->span.start == in->heredocs[h].marker_span.start;
		if (heredoc)
			continue;
		df_str v;
		if (!df_expanded_value(&w->exp, w->value, &v) ||
		    (w->exp.state == DF_EXP_NONE && memchr(v.ptr, '$', v.len))) {
			out->unknown++;
			any = true;
			continue;
		}
		/* A remote source of a mixed ADD is no context source. */
		if (in->kind == DF_I_ADD && (df_mem_contains(v.ptr, v.len, "://") || df_mem_has_prefix(v.ptr, v.len, "git@")))
			continue;
		any = true;
		df_copy_source *s = &out->items[out->len++];
		s->value = v;
		s->word = w;
		s->whole = df_copy_source_is_whole(v);
		out->whole |= s->whole;
	}
	return any;
}

void df_copy_source_path(const df_copy_source *s, df_buf *out)
{
	df_path_clean_rel(out, s->value.ptr, s->value.len);
}

const char *df_copy_source_path_str(const df_copy_source *s, char *tmp, size_t cap, df_buf *heap, size_t *len)
{
	/* A directory is often written with a trailing '/', which is all
	 * that cleaning drops then. */
	df_str v = s->value;
	size_t n = v.len > 1 && v.ptr[v.len - 1] == '/' ? v.len - 1 : v.len;
	if (n < cap && df_path_is_clean_rel(v.ptr, n)) {
		memcpy(tmp, v.ptr, n);
		tmp[n] = '\0';
		*len = n;
		return tmp;
	}
	df_buf_reset(heap);
	df_copy_source_path(s, heap);
	*len = heap->len;
	return df_buf_str(heap);
}

bool df_lint_copy_sources_peek(df_lint *lint, const df_instr *in, const df_copy_sources **out)
{
	df_copy_memo *m = df_lint_copy_memo(lint);
	if (m->in != in) {
		m->any = df_copy_context_sources(df_lint_graph(lint), in, &m->srcs);
		m->in = in;
	}
	*out = &m->srcs;
	return m->any;
}

bool df_lint_copy_sources(df_lint *lint, const df_instr *in, df_copy_sources *out)
{
	const df_copy_sources *from;
	bool any = df_lint_copy_sources_peek(lint, in, &from);
	if (out->items && out->items != out->few)
		free(out->items);
	out->items = from->len <= DF_ARRAY_LEN(out->few) ? out->few : df_xcalloc(from->len, sizeof(*out->items));
	if (from->len)
		memcpy(out->items, from->items, from->len * sizeof(*out->items));
	out->len = from->len;
	out->unknown = from->unknown;
	out->whole = from->whole;
	return any;
}

const df_context *df_lint_copy_context(df_lint *lint, const df_instr *in, df_copy_sources *srcs)
{
	const df_context *ctx = NULL;
	if (df_lint_copy_sources(lint, in, srcs) && srcs->len)
		ctx = df_lint_context(lint);
	if (!ctx)
		srcs->len = 0;
	return ctx;
}

void df_copy_sources_release(df_copy_sources *s)
{
	if (s->items && s->items != s->few)
		free(s->items);
	s->items = NULL;
	s->len = s->unknown = 0;
	s->whole = false;
}

/* The instruction's --exclude patterns as one matcher, or NULL. */
static int compile_excludes(const df_instr *in, df_ignore **out, df_buf *err)
{
	*out = NULL;
	bool any = false;
	for (size_t i = 0; i < in->nflags && !any; i++)
		any = in->flags[i].has_value && df_mem_eq(in->flags[i].name.ptr, in->flags[i].name.len, "exclude");
	if (!any)
		return 0;	/* as nearly always */
	df_buf text = DF_BUF_INIT;
	for (size_t i = 0; i < in->nflags; i++)
		if (df_mem_eq(in->flags[i].name.ptr, in->flags[i].name.len, "exclude") && in->flags[i].has_value) {
			df_buf_add(&text, in->flags[i].value.ptr, in->flags[i].value.len);
			df_buf_addc(&text, '\n');
		}
	*out = NULL;
	int rc = text.len ? df_ignore_compile("--exclude", df_buf_str(&text), text.len, out, err) : 0;
	df_buf_release(&text);
	return rc;
}

/* v as a C string, which df_context_select() takes (values are spans of
 * the Dockerfile): in tmp[0..cap) when it fits, as nearly all do, else in
 * heap. */
static const char *value_str(df_str v, char *tmp, size_t cap, df_buf *heap)
{
	if (v.len < cap) {
		memcpy(tmp, v.ptr, v.len);
		tmp[v.len] = '\0';
		return tmp;
	}
	df_buf_reset(heap);
	df_buf_add(heap, v.ptr, v.len);
	return df_buf_str(heap);
}

/* Merge the sorted, repeat-free a[0..na) and b[0..nb) into out (room for
 * na + nb); returns how many. */
static size_t merge_items(const size_t *a, size_t na, const size_t *b, size_t nb, size_t *out)
{
	size_t i = 0, j = 0, n = 0;
	while (i < na && j < nb) {
		if (a[i] < b[j])
			out[n++] = a[i++];
		else if (b[j] < a[i])
			out[n++] = b[j++];
		else
			out[n++] = a[i++], j++;
	}
	while (i < na)
		out[n++] = a[i++];
	while (j < nb)
		out[n++] = b[j++];
	return n;
}

int df_copy_select(const df_context *ctx, const df_instr *in, const df_copy_sources *srcs,
		   df_ctx_selection *sel, df_buf *err)
{
	sel->items = NULL;
	sel->len = sel->roots = sel->ignored = 0;
	df_ignore *excl;
	if (compile_excludes(in, &excl, err) < 0)
		return -1;
	df_ctx_selection one = DF_CTX_SELECTION_INIT;
	char small[256];
	df_buf heap = DF_BUF_INIT;
	int rc = 0;
	if (srcs->len == 1 && !excl) {
		/* The common COPY: one source, no --exclude: its selection as
		 * the context keeps it, without merging. */
		rc = df_context_select(ctx, value_str(srcs->items[0].value, small, sizeof(small), &heap), sel, err);
		df_buf_release(&heap);
		return rc;
	}
	/* The union, source by source: each selection is in walk order, so
	 * merging keeps it so without marking every entry of the context.
	 * The union so far is in sel's own storage; each merge writes into
	 * tmp, and the two trade places. */
	size_t *tmp = NULL, nacc = 0, tmp_cap = 0;
	for (size_t i = 0; i < srcs->len && rc == 0; i++) {
		const char *src = value_str(srcs->items[i].value, small, sizeof(small), &heap);
		if (df_context_select(ctx, src, &one, err) < 0) {
			rc = -1;
			break;
		}
		sel->roots += one.roots;
		sel->ignored += one.ignored;
		const size_t *add = one.items;
		size_t nadd = one.len;
		if (excl && nadd) {
			/* --exclude patterns are relative to the source: a
			 * directory source's own path is stripped first. */
			const df_ctx_entry *root = srcs->items[i].whole ? NULL : df_context_find(ctx, src);
			size_t strip = root && root->type == DF_CTX_DIR ? strlen(root->path) + 1 : 0;
			size_t *kept = df_ctx_selection_own(&one, nadd);
			size_t nkept = 0;
			for (size_t k = 0; k < nadd; k++) {
				const char *p = ctx->entries[add[k]].path;
				size_t pl = strlen(p);
				if (!(pl > strip && df_ignore_match_clean(excl, p + strip, pl - strip)))
					kept[nkept++] = add[k];
			}
			add = kept;
			nadd = nkept;
		}
		df_grow((void **)&tmp, &tmp_cap, nacc + nadd + 1, sizeof(*tmp));
		nacc = merge_items(sel->own, nacc, add, nadd, tmp);
		size_t *swap = sel->own;
		sel->own = tmp;
		tmp = swap;
		size_t swap_cap = sel->cap;
		sel->cap = tmp_cap;
		tmp_cap = swap_cap;
	}
	if (rc == 0) {
		df_ctx_selection_own(sel, nacc);
		sel->len = nacc;
	}
	free(tmp);
	df_ctx_selection_release(&one);
	df_buf_release(&heap);
	df_ignore_free(excl);
	return rc;
}

void df_copy_add_count(df_buf *b, size_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%zu", n);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			df_buf_addc(b, ',');
		df_buf_addc(b, digits[i]);
	}
}

/* p[0..n) up to a NUL, as printf's "%.*s" reads it. */
static void add_upto(df_buf *b, const char *p, size_t n)
{
	if (n)
		df_buf_add(b, p, strnlen(p, n));
}

void df_copy_add_text(df_buf *b, const df_instr *in)
{
	/* "`%.*s %.*s%s`" without printf's cost: findings quote a COPY in
	 * most files. */
	size_t n = in->rest.len > 60 ? 60 : in->rest.len;
	df_buf_addc(b, '`');
	add_upto(b, in->keyword.ptr, in->keyword.len);
	df_buf_addc(b, ' ');
	add_upto(b, in->rest.ptr, n);
	if (n < in->rest.len)
		df_buf_adds(b, "...");
	df_buf_addc(b, '`');
}
