/* text.c - texts with their map back to the source; see text.h and ast.h. */
#include "parse/text.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

uint32_t df_text_src_slow(const df_text *t, size_t off)
{
	if (t->nsegs == 0)
		return 0;
	size_t lo = 0, hi = t->nsegs;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->segs[mid].text_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	const df_seg *s = &t->segs[lo];
	size_t rel = off - s->text_off;
	if (rel > s->len)
		rel = s->len;
	return s->src_off + (uint32_t)rel;
}

void df_text_builder_add(df_text_builder *tb, const char *src_base, size_t src_off, size_t len)
{
	if (len == 0)
		return;
	df_seg *last = tb->nsegs ? &tb->segs[tb->nsegs - 1] : NULL;
	if (last && last->src_off + last->len == src_off &&
	    last->text_off + last->len == tb->buf.len) {
		last->len += (uint32_t)len;
	} else {
		if (tb->nsegs == tb->cap) {
			void *p = tb->segs;
			df_grow(&p, &tb->cap, tb->nsegs + 1, sizeof(df_seg));
			tb->segs = p;
		}
		tb->segs[tb->nsegs++] = (df_seg){ (uint32_t)tb->buf.len, (uint32_t)src_off, (uint32_t)len };
	}
	df_buf_add(&tb->buf, src_base + src_off, len);
}

df_text df_text_builder_finish(df_text_builder *tb, df_arena *a)
{
	df_text t;
	t.str.ptr = df_arena_memdup(a, df_buf_str(&tb->buf), tb->buf.len);
	t.str.len = tb->buf.len;
	t.nsegs = tb->nsegs;
	if (tb->nsegs) {
		/* Filled right away: no need to clear it first. */
		t.segs = df_arena_alloc_uninit(a, tb->nsegs * sizeof(df_seg));
		memcpy(t.segs, tb->segs, tb->nsegs * sizeof(df_seg));
	} else {
		t.segs = DF_ARENA_NEW(a, df_seg);
	}
	/* Keep the storage: the builder is reused for the next text. */
	df_buf_reset(&tb->buf);
	tb->nsegs = 0;
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

void df_text_builder_release(df_text_builder *tb)
{
	df_buf_release(&tb->buf);
	free(tb->segs);
	memset(tb, 0, sizeof(*tb));
}
