/*
 * fixer.c - the rounds of fixing; see fixer.h.
 */
#include "fix/fixer.h"

#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "parse/parser.h"
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
	memset(r, 0, sizeof(*r));
}

static bool applies(const df_diag *d, const df_fix_run *run)
{
	return d->fix_group && (d->fix_kind == DF_FIX_SAFE || (run->unsafe && d->fix_kind == DF_FIX_UNSAFE)) &&
	       (!run->only || strcmp(run->only, d->code) == 0);
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

/*
 * One round over r->text: 1 when it changed the text, 0 when there was
 * nothing to apply, -1 when its result was refused.
 */
static int round_once(const char *name, const df_fix_run *run, unsigned round, df_fix_result *r)
{
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
	df_lint_file(&doc, &g, &o, &found);
	df_graph_release(&g);

	/* The fixes of the surviving findings, one group each, in finding
	 * order: the order in which they win overlaps. */
	const df_diag **owner = df_xcalloc(found.len + 1, sizeof(*owner));
	for (size_t i = 0; i < found.len; i++) {
		const df_diag *d = &found.items[i];
		if (!applies(d, run))
			continue;
		owner[df_edits_begin(&chosen)] = d;
		for (size_t k = 0; k < all.len; k++)
			if (all.items[k].group == d->fix_group - 1)
				df_edits_add(&chosen, all.items[k].start, all.items[k].end, all.items[k].text,
					     all.items[k].len);
	}
	bool *applied = df_xcalloc(chosen.ngroups + 1, sizeof(bool));
	df_buf next = DF_BUF_INIT;
	int rc = 0;
	if (df_edits_apply(&chosen, df_buf_str(&r->text), r->text.len, &next, NULL, applied) &&
	    (next.len != r->text.len || memcmp(next.buf, r->text.buf, next.len) != 0)) {
		df_doc_parse(&after, name, df_buf_str(&next), next.len, run->parse);
		const df_diag *broken = new_parse_error(&doc, &after);
		if (broken) {
			r->refused = true;
			df_buf_addf(&r->refusal, "%u:%u: %s", broken->line, broken->col, broken->message);
			rc = -1;
		} else {
			for (size_t k = 0; k < chosen.ngroups; k++)
				if (applied[k])
					note(r, owner[k], round);
			df_buf tmp = r->text;
			r->text = next;
			next = tmp;
			rc = 1;
		}
		df_doc_release(&after);
	}
	df_buf_release(&next);
	free(applied);
	free(owner);
	df_diags_release(&found);
	df_edits_release(&all);
	df_edits_release(&chosen);
	df_doc_release(&doc);
	return rc;
}

void df_fix_text(const char *name, const char *text, size_t len, const df_fix_run *run, df_fix_result *r)
{
	memset(r, 0, sizeof(*r));
	df_buf_add(&r->text, text, len);
	unsigned max = run->max_rounds ? run->max_rounds : DF_FIX_MAX_ROUNDS;
	for (unsigned round = 1; round <= max; round++) {
		int rc = round_once(name, run, round, r);
		if (rc <= 0)
			return;
		r->rounds = round;
	}
	/* Still changing after the bound: two fixes undoing each other, most
	 * likely. What was done stays; the caller says so. */
	r->unsettled = true;
}
