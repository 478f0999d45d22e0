/*
 * edit.c - applying non-overlapping byte-range edits; see edit.h.
 */
#include "fix/edit.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

void df_edits_release(df_edits *e)
{
	for (size_t i = 0; i < e->len; i++)
		free(e->items[i].text);
	free(e->items);
	for (size_t i = 0; i < e->nlines; i++)
		free(e->lines[i].line);
	free(e->lines);
	memset(e, 0, sizeof(*e));
}

size_t df_edits_begin(df_edits *e)
{
	return e->ngroups++;
}

void df_edits_add(df_edits *e, size_t start, size_t end, const char *text, size_t len)
{
	if (!e->ngroups)
		e->ngroups = 1;
	df_grow((void **)&e->items, &e->cap, e->len + 1, sizeof(*e->items));
	df_edit *d = &e->items[e->len++];
	d->start = start;
	d->end = end < start ? start : end;
	d->text = df_xmalloc(len + 1);
	if (len)
		memcpy(d->text, text, len);
	d->text[len] = '\0';
	d->len = len;
	d->group = e->ngroups - 1;
}

void df_edits_add_line(df_edits *e, const char *line)
{
	if (!e->ngroups)
		e->ngroups = 1;
	df_grow((void **)&e->lines, &e->lines_cap, e->nlines + 1, sizeof(*e->lines));
	e->lines[e->nlines].line = df_xstrdup(line);
	e->lines[e->nlines++].group = e->ngroups - 1;
}

static bool overlap(const df_edit *a, const df_edit *b)
{
	if (a->start == a->end && b->start == b->end)
		return a->start == b->start;
	if (a->start == a->end)
		return a->start > b->start && a->start < b->end;
	if (b->start == b->end)
		return b->start > a->start && b->start < a->end;
	return a->start < b->end && b->start < a->end;
}

static int cmp_edit(const void *x, const void *y)
{
	const df_edit *a = *(const df_edit *const *)x, *b = *(const df_edit *const *)y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	/* An insertion before a replacement starting at the same byte. */
	return (a->end > b->end) - (a->end < b->end);
}

/* Where the edits chosen so far are, byte by byte, so that checking an
 * edit costs its length, not the number of edits chosen (a file may have
 * thousands of fixes). */
typedef struct coverage {
	unsigned char *at;	/* per offset 0..len: the flags below */
} coverage;

enum { COVERED = 1, RANGE_START = 2, INSERTION = 4 };

static bool collides(const coverage *c, const df_edit *d)
{
	if (d->start == d->end) {
		unsigned char f = c->at[d->start];
		return (f & INSERTION) || ((f & COVERED) && !(f & RANGE_START));
	}
	for (size_t p = d->start; p < d->end; p++)
		if ((c->at[p] & COVERED) || (p > d->start && (c->at[p] & INSERTION)))
			return true;
	return false;
}

static void cover(coverage *c, const df_edit *d)
{
	if (d->start == d->end) {
		c->at[d->start] |= INSERTION;
		return;
	}
	c->at[d->start] |= RANGE_START;
	for (size_t p = d->start; p < d->end; p++)
		c->at[p] |= COVERED;
}

static int cmp_group(const void *x, const void *y)
{
	const df_edit *a = *(const df_edit *const *)x, *b = *(const df_edit *const *)y;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a < b ? -1 : a > b;	/* stable: the order they were added */
}

size_t df_edits_apply(const df_edits *e, const char *text, size_t len, df_buf *out, size_t *skipped,
		      bool *applied_groups)
{
	if (applied_groups)
		memset(applied_groups, 0, e->ngroups * sizeof(*applied_groups));
	df_buf_reset(out);
	const df_edit **byg = df_xcalloc(e->len + 1, sizeof(*byg));
	const df_edit **chosen = df_xcalloc(e->len + 1, sizeof(*chosen));
	coverage cov = { df_xcalloc(len + 1, 1) };
	size_t nchosen = 0, applied = 0, left = 0;
	for (size_t i = 0; i < e->len; i++)
		byg[i] = &e->items[i];
	qsort(byg, e->len, sizeof(*byg), cmp_group);
	for (size_t i = 0, j; i < e->len; i = j) {
		for (j = i; j < e->len && byg[j]->group == byg[i]->group; j++)
			;
		bool ok = true;
		for (size_t k = i; k < j && ok; k++) {
			ok = byg[k]->end <= len && !collides(&cov, byg[k]);
			/* A fix's own edits must not overlap either; fixes have
			 * an edit or a few. */
			for (size_t m = i; m < k && ok; m++)
				ok = !overlap(byg[k], byg[m]);
		}
		if (!ok) {
			left++;
			continue;
		}
		for (size_t k = i; k < j; k++) {
			cover(&cov, byg[k]);
			chosen[nchosen++] = byg[k];
		}
		if (applied_groups)
			applied_groups[byg[i]->group] = true;
		applied++;
	}
	qsort(chosen, nchosen, sizeof(*chosen), cmp_edit);
	size_t at = 0;
	for (size_t k = 0; k < nchosen; k++) {
		df_buf_add(out, text + at, chosen[k]->start - at);
		df_buf_add(out, chosen[k]->text, chosen[k]->len);
		at = chosen[k]->end;
	}
	df_buf_add(out, text + at, len - at);
	free(cov.at);
	free(chosen);
	free(byg);
	if (skipped)
		*skipped = left;
	return applied;
}
