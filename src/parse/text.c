/* text.c - texts with their map back to the source; see text.h and ast.h. */
#include "parse/text.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

/* Index of the segment holding byte off: the last one starting at or before
 * it, searched from segment lo on (t->nsegs > 0). */
static size_t seg_of(const df_text *t, size_t lo, size_t off)
{
	size_t hi = t->nsegs;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->segs[mid].text_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t seg_src(const df_seg *s, size_t off)
{
	size_t rel = off - s->text_off;
	if (rel > s->len)
		rel = s->len;
	return s->src_off + (uint32_t)rel;
}

uint32_t df_text_src_slow(const df_text *t, size_t off)
{
	if (t->nsegs == 0)
		return 0;
	return seg_src(&t->segs[seg_of(t, 0, off)], off);
}

df_span df_text_span_slow(const df_text *t, size_t off, size_t len)
{
	df_span sp = { 0, len ? 1 : 0 };	/* as df_text_src_slow() maps no segments */
	const df_seg *sg = t->segs;
	size_t ns = t->nsegs;
	if (ns == 0)
		return sp;
	/* The common spans need no search: a keyword or flag lies in the
	 * first segment, and a span reaching into the last line (the rest of
	 * an instruction) ends in the last one. */
	size_t i = ns == 1 || sg[1].text_off > off ? 0 : seg_of(t, 1, off);
	sp.start = seg_src(&sg[i], off);
	if (len == 0) {
		sp.end = sp.start;
		return sp;
	}
	size_t last = off + len - 1;
	if (i + 1 < ns && sg[i + 1].text_off <= last)
		i = sg[ns - 1].text_off <= last ? ns - 1 : seg_of(t, i + 1, last);
	sp.end = seg_src(&sg[i], last) + 1;
	return sp;
}

/* Room for the bytes of a text at its start; most logical lines and
 * heredoc bodies fit, and the rest is given back at its finish. */
enum { FIRST_ROOM = 1024 };

void df_text_builder_init(df_text_builder *tb, df_arena *a)
{
	tb->a = a;
	tb->buf = NULL;
	tb->len = tb->room = 0;
	tb->segs = NULL;
	tb->nsegs = tb->cap = 0;
}

void df_text_builder_start(df_text_builder *tb, df_seg *segs, size_t cap)
{
	tb->buf = df_arena_alloc_uninit(tb->a, FIRST_ROOM);
	tb->room = FIRST_ROOM;
	tb->segs = segs;
	tb->cap = cap;
}

void df_text_builder_add_slow(df_text_builder *tb, const char *src_base, size_t src_off, size_t len)
{
	if (len == 0)
		return;
	if (tb->nsegs == tb->cap)
		DF_BUG("a text of more pieces than its start made room for");
	tb->segs[tb->nsegs++] = (df_seg){ (uint32_t)tb->len, (uint32_t)src_off, (uint32_t)len };
	/* One byte more for the NUL that finish adds. */
	if (tb->room - tb->len <= len) {
		size_t room = tb->room;
		while (room - tb->len <= len) {
			if (room > SIZE_MAX / 2)
				df_die_oom();
			room *= 2;
		}
		tb->buf = df_arena_grow_uninit(tb->a, tb->buf, tb->room, room, 1);
		tb->room = room;
	}
	memcpy(tb->buf + tb->len, src_base + src_off, len);
	tb->len += len;
}

df_text df_text_builder_finish(df_text_builder *tb)
{
	df_text t;
	tb->buf[tb->len] = '\0';
	df_arena_shrink(tb->a, tb->buf, tb->room, tb->len + 1);
	t.str.ptr = tb->buf;
	t.str.len = tb->len;
	t.nsegs = tb->nsegs;
	/* An empty text still points at a piece, cleared: the caller may
	 * have made room for none. */
	t.segs = tb->nsegs ? tb->segs : DF_ARENA_NEW(tb->a, df_seg);
	tb->buf = NULL;
	tb->len = tb->room = 0;
	tb->segs = NULL;
	tb->nsegs = tb->cap = 0;
	return t;
}

df_text df_text_suffix(df_arena *a, const df_text *t, size_t off)
{
	df_text r;
	r.str.ptr = t->str.ptr + off;
	r.str.len = t->str.len - off;
	r.segs = DF_ARENA_ARRAY(a, df_seg, t->nsegs ? t->nsegs : 1);
	r.nsegs = 0;
	for (size_t i = 0; i < t->nsegs; i++) {
		df_seg s = t->segs[i];
		if (s.text_off + s.len <= off)
			continue;
		if (s.text_off < off) {
			uint32_t cut = (uint32_t)off - s.text_off;
			s.text_off += cut;
			s.src_off += cut;
			s.len -= cut;
		}
		s.text_off -= (uint32_t)off;
		r.segs[r.nsegs++] = s;
	}
	return r;
}
