/*
 * diff.c - unified diffs by Myers' algorithm; see diff.h.
 */
#include "fix/diff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Past this edit distance the middle is one replaced block. */
#define DIFF_MAX_D 2000
#define DIFF_CONTEXT 3

typedef struct line {
	const char *p;
	size_t len;		/* with its '\n', if it has one */
} line;

typedef struct lines {
	line *items;
	size_t len, cap;
} lines;

static void split(const char *s, size_t n, lines *out)
{
	size_t at = 0;
	while (at < n) {
		const char *nl = memchr(s + at, '\n', n - at);
		size_t end = nl ? (size_t)(nl - s) + 1 : n;
		df_grow((void **)&out->items, &out->cap, out->len + 1, sizeof(*out->items));
		out->items[out->len++] = (line){ s + at, end - at };
		at = end;
	}
}

static bool same(const line *x, const line *y)
{
	return x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

/* One line of the script: ' ' kept, '-' only in a, '+' only in b. */
typedef struct op {
	char kind;
	size_t ai, bi;		/* its line in a (' ', '-') or b ('+') */
} op;

typedef struct ops {
	op *items;
	size_t len, cap;
} ops;

static void push(ops *o, char kind, size_t ai, size_t bi)
{
	df_grow((void **)&o->items, &o->cap, o->len + 1, sizeof(*o->items));
	o->items[o->len++] = (op){ kind, ai, bi };
}

/*
 * The shortest edit script of a[0..n) to b[0..m) (Myers 1986, forward
 * greedy with the V arrays of every d kept for the walk back: only the
 * diagonals -d-1..d+1 of each, so memory grows as d squared, bounded by
 * DIFF_MAX_D). Returns false when the distance exceeds DIFF_MAX_D.
 */
static bool myers(const line *a, size_t n, const line *b, size_t m, ops *o)
{
	long N = (long)n, M = (long)m, max = N + M;
	if (max > DIFF_MAX_D)
		max = DIFF_MAX_D;
	long off = max + 1;
	size_t width = (size_t)(2 * max + 3);
	long *v = df_xcalloc(width, sizeof(long));
	long **trace = df_xcalloc((size_t)max + 2, sizeof(long *));
	long dfound = -1;
	for (long d = 0; d <= max && dfound < 0; d++) {
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
											: v[off + k - 1] + 1;
			long y = x - k;
			while (x < N && y < M && same(&a[x], &b[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= N && y >= M) {
				dfound = d;
				break;
			}
		}
		trace[d] = df_xmalloc((size_t)(2 * d + 3) * sizeof(long));
		memcpy(trace[d], v + off - d - 1, (size_t)(2 * d + 3) * sizeof(long));
	}
	bool ok = dfound >= 0;
	if (ok) {
		/* Walk back from (N, M), collecting the script in reverse. */
		ops rev = { 0 };
		long x = N, y = M;
		for (long d = dfound; d > 0; d--) {
			/* pv[k]: the furthest x on diagonal k after d - 1 edits. */
			const long *pv = trace[d - 1] + d;
			long k = x - y;
			long pk = (k == -d || (k != d && pv[k - 1] < pv[k + 1])) ? k + 1 : k - 1;
			long px = pv[pk], py = px - pk;
			while (x > px && y > py) {
				x--, y--;
				push(&rev, ' ', (size_t)x, (size_t)y);
			}
			if (x == px)
				push(&rev, '+', (size_t)x, (size_t)--y);
			else
				push(&rev, '-', (size_t)--x, (size_t)y);
		}
		while (x > 0 && y > 0) {
			x--, y--;
			push(&rev, ' ', (size_t)x, (size_t)y);
		}
		for (size_t i = rev.len; i-- > 0;)
			push(o, rev.items[i].kind, rev.items[i].ai, rev.items[i].bi);
		free(rev.items);
	}
	for (long d = 0; d <= max + 1; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return ok;
}

static void emit_line(df_buf *out, char kind, const line *l)
{
	df_buf_addc(out, kind);
	df_buf_add(out, l->p, l->len);
	if (!l->len || l->p[l->len - 1] != '\n')
		df_buf_adds(out, "\n\\ No newline at end of file\n");
}

/* "start,count" of a hunk side, as diff -u writes it. */
static void range(df_buf *out, size_t first, size_t count)
{
	df_buf_addu(out, count ? first + 1 : first);
	if (count != 1) {
		df_buf_addc(out, ',');
		df_buf_addu(out, count);
	}
}

static void emit_hunks(const ops *o, const lines *A, const lines *B, df_buf *out)
{
	size_t i = 0;
	while (i < o->len) {
		while (i < o->len && o->items[i].kind == ' ')
			i++;
		if (i == o->len)
			break;
		/* A hunk: from DIFF_CONTEXT lines before the change to
		 * DIFF_CONTEXT after the last change closer than twice that. */
		size_t start = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0, end = i;
		for (;;) {
			while (end < o->len && o->items[end].kind != ' ')
				end++;
			size_t run = 0;
			while (end + run < o->len && o->items[end + run].kind == ' ')
				run++;
			if (end + run == o->len || run > 2 * DIFF_CONTEXT) {
				end += run < DIFF_CONTEXT ? run : DIFF_CONTEXT;
				break;
			}
			end += run;
		}
		size_t a0 = 0, b0 = 0, na = 0, nb = 0;
		bool seta = false, setb = false;
		for (size_t k = start; k < end; k++) {
			const op *p = &o->items[k];
			if (p->kind != '+') {
				if (!seta)
					a0 = p->ai, seta = true;
				na++;
			}
			if (p->kind != '-') {
				if (!setb)
					b0 = p->bi, setb = true;
				nb++;
			}
		}
		/* A side with no lines is positioned after the line before. */
		if (!seta)
			a0 = o->items[start].ai;
		if (!setb)
			b0 = o->items[start].bi;
		df_buf_adds(out, "@@ -");
		range(out, a0, na);
		df_buf_adds(out, " +");
		range(out, b0, nb);
		df_buf_adds(out, " @@\n");
		for (size_t k = start; k < end; k++) {
			const op *p = &o->items[k];
			emit_line(out, p->kind, p->kind == '+' ? &B->items[p->bi] : &A->items[p->ai]);
		}
		i = end;
	}
}

/* A path as diff headers give it after "a/": without a leading "/" or
 * "./", so that `patch -p1` finds it from the same directory. */
static const char *diff_name(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			return name;
	}
}

void df_diff_unified(const char *old_name, const char *a, size_t alen, const char *new_name, const char *b,
		     size_t blen, df_buf *out)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return;
	lines A = { 0 }, B = { 0 };
	split(a, alen, &A);
	split(b, blen, &B);
	size_t head = 0, tail = 0;
	while (head < A.len && head < B.len && same(&A.items[head], &B.items[head]))
		head++;
	while (tail < A.len - head && tail < B.len - head &&
	       same(&A.items[A.len - 1 - tail], &B.items[B.len - 1 - tail]))
		tail++;
	ops o = { 0 };
	for (size_t i = 0; i < head; i++)
		push(&o, ' ', i, i);
	size_t an = A.len - head - tail, bn = B.len - head - tail;
	ops mid = { 0 };
	if (myers(A.items + head, an, B.items + head, bn, &mid)) {
		for (size_t i = 0; i < mid.len; i++)
			push(&o, mid.items[i].kind, mid.items[i].ai + head, mid.items[i].bi + head);
	} else {
		for (size_t i = 0; i < an; i++)
			push(&o, '-', head + i, head);
		for (size_t i = 0; i < bn; i++)
			push(&o, '+', head + an, head + i);
	}
	free(mid.items);
	for (size_t i = 0; i < tail; i++)
		push(&o, ' ', A.len - tail + i, B.len - tail + i);
	if (old_name)
		df_buf_addf(out, "--- a/%s\n", diff_name(old_name));
	else
		df_buf_adds(out, "--- /dev/null\n");
	df_buf_addf(out, "+++ b/%s\n", diff_name(new_name));
	emit_hunks(&o, &A, &B, out);
	free(o.items);
	free(A.items);
	free(B.items);
}
