/*
 * fixer.c - the rounds of fixing; see fixer.h.
 */
#include "fix/fixer.h"

#include <stdlib.h>
#include <string.h>

#include "context/ignore.h"
#include "fix/side.h"
#include "graph/graph.h"
#include "parse/parser.h"
#include "util/file.h"
#include "util/util.h"

void df_fix_result_release(df_fix_result *r)
{
	for (size_t i = 0; i < r->nnotes; i++) {
		free(r->notes[i].code);
		free(r->notes[i].message);
	}
	free(r->notes);
	df_buf_release(&r->text);
	df_buf_release(&r->refusal);
	free(r->side_path);
	df_buf_release(&r->side_before);
	df_buf_release(&r->side_text);
	for (size_t i = 0; i < r->nside; i++)
		free(r->side_lines[i]);
	free(r->side_lines);
	if (r->context) {
		df_context_release(r->context);
		free(r->context);
	}
	memset(r, 0, sizeof(*r));
}

static bool applies(const df_diag *d, const df_fix_run *run)
{
	return d->fix_group && (d->fix_kind == DF_FIX_SAFE || (run->unsafe && d->fix_kind == DF_FIX_UNSAFE)) &&
	       (!run->only || strcmp(run->only, d->code) == 0);
}

/* The carriage returns of a[0..n) not followed by a newline, the byte
 * after a[n - 1] being next. */
static size_t bare_crs(const char *a, size_t n, char next)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += a[i] == '\r' && (i + 1 < n ? a[i + 1] : next) != '\n';
	return k;
}

/*
 * Would edit e leave a carriage return that ended a line away from its
 * newline? A fix that moves the words of a CRLF heredoc body (sh reads the
 * '\r' as part of a line's last word) would put a bare '\r' inside a line
 * and leave the line ending a bare '\n': the file's lines are no longer what
 * its author wrote. Counted over the edit and the byte after it, before and
 * after.
 */
static bool strands_cr(const df_edit *e, const char *text, size_t len)
{
	size_t to = e->end < len ? e->end + 1 : len;	/* with the byte after */
	char next = to < len ? text[to] : '\0';
	size_t before = bare_crs(text + e->start, to - e->start, next);
	df_buf after = DF_BUF_INIT;
	df_buf_add(&after, e->text, e->len);
	df_buf_add(&after, text + e->end, to - e->end);
	size_t now = bare_crs(after.buf ? after.buf : "", after.len, next);
	df_buf_release(&after);
	return now > before;
}

/* Does an edit of group strand a carriage return (strands_cr())? */
static bool group_strands_cr(const df_edits *all, size_t group, const char *text, size_t len)
{
	for (size_t e = 0; e < all->len; e++)
		if (all->items[e].group == group && strands_cr(&all->items[e], text, len))
			return true;
	return false;
}

/* A parse error of after that before does not have (by message: the
 * edits move positions), or NULL. */
static const df_diag *new_parse_error(const df_doc *before, const df_doc *after)
{
	for (size_t i = 0; i < after->diags.len; i++) {
		const df_diag *a = &after->diags.items[i];
		size_t in_after = 0, in_before = 0;
		for (size_t k = 0; k < after->diags.len; k++)
			in_after += strcmp(after->diags.items[k].message, a->message) == 0;
		for (size_t k = 0; k < before->diags.len; k++)
			in_before += strcmp(before->diags.items[k].message, a->message) == 0;
		if (in_after > in_before)
			return a;
	}
	return NULL;
}

static void note(df_fix_result *r, const df_diag *d, unsigned round)
{
	df_grow((void **)&r->notes, &r->cap, r->nnotes + 1, sizeof(*r->notes));
	df_fix_note *n = &r->notes[r->nnotes++];
	n->code = df_xstrdup(d->code);
	n->message = df_xstrdup(d->message);
	n->line = d->line;
	n->col = d->col;
	n->round = round;
}

/* What the rounds of one file share besides the result. */
typedef struct fixing {
	const df_fix_run *run;
	const char *path;	/* the Dockerfile on disk, or NULL */
	df_fix_result *r;
	char *root;		/* the build context's root, once the side file is open */
	bool side_failed;	/* it could not be read: no side fixes */
} fixing;

/* The context of the rounds after the ignore file changed. */
static const df_context *fixed_context(void *arg, const char **dockerfile)
{
	const df_fix_result *r = arg;
	*dockerfile = r->context->dockerfile;
	return r->context;
}

/* Make ready the ignore file the side fixes extend: the one the context
 * reads, else a .dockerignore to create at its root. False when there is
 * none to extend (no path or context) or it cannot be read. */
static bool side_ready(fixing *fx)
{
	df_fix_result *r = fx->r;
	if (r->side_path || fx->side_failed)
		return !fx->side_failed;
	fx->side_failed = true;
	const df_lint_opts *o = fx->run->lint;
	const char *dockerfile = NULL;
	const df_context *ctx = fx->path && o->context ? o->context(o->context_arg, &dockerfile) : NULL;
	if (!ctx)
		return false;
	df_buf path = DF_BUF_INIT, err = DF_BUF_INIT;
	df_side_path(ctx, &path);
	if (ctx->ignore_file && df_read_input(ctx->ignore_file, DF_IGNORE_MAX_BYTES, &r->side_before, &err) < 0) {
		df_buf_release(&path);
		df_buf_release(&err);
		df_buf_reset(&r->side_before);
		return false;
	}
	df_buf_release(&err);
	r->side_existed = ctx->ignore_file != NULL;
	r->side_path = df_buf_detach(&path, NULL);
	df_buf_reset(&r->side_text);
	df_buf_add(&r->side_text, df_buf_str(&r->side_before), r->side_before.len);
	fx->root = df_xstrdup(ctx->root);
	fx->side_failed = false;
	return true;
}

/* Does group g of e add lines to the ignore file? */
static bool has_lines(const df_edits *e, size_t g)
{
	for (size_t i = 0; i < e->nlines; i++)
		if (e->lines[i].group == g)
			return true;
	return false;
}

/* The ignore file's next text is side: check it and open the context it
 * makes. False, with the refusal, when it does not compile or the context
 * cannot be opened. */
static bool side_advance(fixing *fx, const df_buf *side, df_context **out)
{
	df_fix_result *r = fx->r;
	df_buf err = DF_BUF_INIT;
	df_context_opts co = { 0 };
	co.dockerfile = fx->path;
	co.ignore_path = r->side_path;
	co.ignore_text = df_buf_str(side);
	co.ignore_len = side->len;
	*out = df_xcalloc(1, sizeof(**out));
	if (df_context_open(*out, fx->root, &co, &err) < 0) {
		free(*out);
		*out = NULL;
		r->refused = true;
		df_buf_addf(&r->refusal, "%s", df_buf_str(&err));
	}
	df_buf_release(&err);
	return *out != NULL;
}

/* The index of the instruction of doc whose span holds offset, or
 * doc->ninstrs when none does (a comment, a blank line). */
static size_t instr_at(const df_doc *doc, uint32_t offset)
{
	size_t lo = 0, hi = doc->ninstrs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (doc->instrs[mid]->span.end <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < doc->ninstrs && doc->instrs[lo]->span.start <= offset ? lo : doc->ninstrs;
}

/* Does group g of all edit an instruction that busy marks, a fix chosen
 * this round having edited it? With mark, mark the ones it edits. */
static bool touches_busy(const df_doc *doc, const df_edits *all, size_t g, bool *busy, bool mark)
{
	for (size_t e = 0; e < all->len; e++) {
		if (all->items[e].group != g)
			continue;
		size_t i = instr_at(doc, all->items[e].start);
		if (i == doc->ninstrs)
			continue;
		if (!mark && busy[i])
			return true;
		busy[i] |= mark;
	}
	return false;
}

/*
 * One round over r->text (and r->side_text): 1 when it changed them, 0 when
 * there was nothing to apply, -1 when its result was refused.
 */
static int round_once(fixing *fx, const char *name, unsigned round)
{
	const df_fix_run *run = fx->run;
	df_fix_result *r = fx->r;
	df_doc doc, after;
	df_doc_parse(&doc, name, df_buf_str(&r->text), r->text.len, run->parse);
	df_graph g;
	if (df_graph_build(&g, &doc, NULL) < 0) {
		df_doc_release(&doc);
		return 0;
	}
	df_edits all = DF_EDITS_INIT, chosen = DF_EDITS_INIT;
	df_diags found = DF_DIAGS_INIT;
	df_lint_opts o = *run->lint;
	o.fixes = &all;
	if (r->context) {
		o.context = fixed_context;
		o.context_arg = r;
	}
	df_lint_file(&doc, &g, &o, &found);
	df_graph_release(&g);

	/* The fixes of the surviving findings, one group each, in finding
	 * order: the order in which they win overlaps. One fix an instruction:
	 * two fixes of one instruction were both judged on the text before
	 * either, and one may take the other's reason away (a cache mount
	 * makes --no-cache-dir pointless); the next round judges the second
	 * again. */
	const df_diag **owner = df_xcalloc(found.len + 1, sizeof(*owner));
	bool *text_edits = df_xcalloc(found.len + 1, sizeof(bool));
	bool *busy = df_xcalloc(doc.ninstrs + 1, sizeof(bool));
	bool crlf = r->text.len && memchr(r->text.buf, '\r', r->text.len);
	for (size_t i = 0; i < found.len; i++) {
		const df_diag *d = &found.items[i];
		if (!applies(d, run) || (has_lines(&all, d->fix_group - 1) && !side_ready(fx)) ||
		    (crlf && group_strands_cr(&all, d->fix_group - 1, r->text.buf, r->text.len)) ||
		    touches_busy(&doc, &all, d->fix_group - 1, busy, false))
			continue;
		touches_busy(&doc, &all, d->fix_group - 1, busy, true);
		size_t k = df_edits_begin(&chosen);
		owner[k] = d;
		for (size_t e = 0; e < all.len; e++)
			if (all.items[e].group == d->fix_group - 1) {
				df_edits_add(&chosen, all.items[e].start, all.items[e].end, all.items[e].text,
					     all.items[e].len);
				text_edits[k] = true;
			}
		for (size_t e = 0; e < all.nlines; e++)
			if (all.lines[e].group == d->fix_group - 1)
				df_edits_add_line(&chosen, all.lines[e].line);
	}
	bool *applied = df_xcalloc(chosen.ngroups + 1, sizeof(bool));
	df_buf next = DF_BUF_INIT, side = DF_BUF_INIT;
	df_edits_apply(&chosen, df_buf_str(&r->text), r->text.len, &next, NULL, applied);
	/* A fix of the ignore file alone collides with nothing. */
	const char **lines = df_xcalloc(chosen.nlines + 1, sizeof(*lines));
	size_t nlines = 0;
	for (size_t k = 0; k < chosen.ngroups; k++)
		applied[k] |= !text_edits[k] && has_lines(&chosen, k);
	for (size_t e = 0; e < chosen.nlines; e++)
		if (applied[chosen.lines[e].group])
			lines[nlines++] = chosen.lines[e].line;
	bool side_changed = nlines && df_side_append(df_buf_str(&r->side_text), r->side_text.len, lines, nlines, &side);
	bool text_changed = next.len != r->text.len || memcmp(next.buf, r->text.buf, next.len) != 0;
	int rc = 0;
	df_context *ctx = NULL;
	if (text_changed) {
		df_doc_parse(&after, name, df_buf_str(&next), next.len, run->parse);
		const df_diag *broken = new_parse_error(&doc, &after);
		if (broken) {
			r->refused = true;
			df_buf_addf(&r->refusal, "%u:%u: %s", broken->line, broken->col, broken->message);
			rc = -1;
		}
		df_doc_release(&after);
	}
	if (rc == 0 && side_changed && !side_advance(fx, &side, &ctx))
		rc = -1;
	if (rc == 0 && (text_changed || side_changed)) {
		for (size_t k = 0; k < chosen.ngroups; k++)
			if (applied[k])
				note(r, owner[k], round);
		for (size_t e = 0; side_changed && e < nlines; e++) {
			bool dup = df_side_has_line(df_buf_str(&r->side_text), r->side_text.len, lines[e]);
			for (size_t k = 0; k < r->nside && !dup; k++)
				dup = strcmp(r->side_lines[k], lines[e]) == 0;
			if (dup)
				continue;
			df_grow((void **)&r->side_lines, &r->side_cap, r->nside + 1, sizeof(*r->side_lines));
			r->side_lines[r->nside++] = df_xstrdup(lines[e]);
		}
		if (text_changed) {
			df_buf tmp = r->text;
			r->text = next;
			next = tmp;
		}
		if (side_changed) {
			df_buf tmp = r->side_text;
			r->side_text = side;
			side = tmp;
			if (r->context) {
				df_context_release(r->context);
				free(r->context);
			}
			r->context = ctx;
		}
		rc = 1;
	}
	free(lines);
	df_buf_release(&next);
	df_buf_release(&side);
	free(applied);
	free(busy);
	free(text_edits);
	free(owner);
	df_diags_release(&found);
	df_edits_release(&all);
	df_edits_release(&chosen);
	df_doc_release(&doc);
	return rc;
}

void df_fix_text(const char *name, const char *text, size_t len, const df_fix_run *run, df_fix_result *r)
{
	df_fix_file(name, NULL, text, len, run, r);
}

void df_fix_file(const char *name, const char *path, const char *text, size_t len, const df_fix_run *run,
		 df_fix_result *r)
{
	memset(r, 0, sizeof(*r));
	df_buf_add(&r->text, text, len);
	fixing fx = { run, path, r, NULL, false };
	unsigned max = run->max_rounds ? run->max_rounds : DF_FIX_MAX_ROUNDS;
	for (unsigned round = 1; round <= max; round++) {
		int rc = round_once(&fx, name, round);
		if (rc <= 0) {
			free(fx.root);
			return;
		}
		r->rounds = round;
	}
	/* Still changing after the bound: two fixes undoing each other, most
	 * likely. What was done stays; the caller says so. */
	r->unsettled = true;
	free(fx.root);
}
