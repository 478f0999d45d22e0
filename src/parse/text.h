/*
 * text.h - building df_text values: text assembled from pieces of the
 * source (a logical line from its continuation lines, a heredoc body) that
 * keeps, for every byte, where it came from.
 *
 * A df_text_builder writes the bytes of a text straight into its arena,
 * growing them in place while they are the arena's newest allocation
 * (nothing else may be allocated from that arena between two adds, or the
 * bytes are copied as they grow: correct, only slower). Its piece map is
 * written where the caller says at df_text_builder_start(): the parser
 * gives each text the slots of the source lines it is read from, one piece
 * per line at most, so the map is never copied. df_text_builder_finish()
 * hands the text over (bytes NUL-terminated, unused room given back to the
 * arena) and empties the builder for the next start.
 * df_text_span_first() maps a part of a text back to the source.
 */
#ifndef DF_PARSE_TEXT_H
#define DF_PARSE_TEXT_H

#include <string.h>

#include "parse/ast.h"
#include "util/arena.h"

typedef struct df_text_builder {
	df_arena *a;		/* where the bytes are built */
	char *buf;		/* the text so far */
	size_t len, room;	/* bytes used; bytes obtained from a */
	df_seg *segs;		/* the piece map, the caller's storage */
	size_t nsegs, cap;
} df_text_builder;

/* An empty builder building into a; nothing to release. */
void df_text_builder_init(df_text_builder *tb, df_arena *a);
/* Begin a text whose piece map goes to segs, with room for cap pieces:
 * more are a bug. Room for its first bytes is taken at once, so that the
 * first add, like the others, is a copy. */
void df_text_builder_start(df_text_builder *tb, df_seg *segs, size_t cap);
/* The whole of df_text_builder_add(), out of line. */
void df_text_builder_add_slow(df_text_builder *tb, const char *src_base, size_t src_off, size_t len);
/* Append src_base[src_off .. src_off + len) as a piece of its own (none
 * when len is 0): the parser adds each run of the source whole, so a piece
 * never continues the one before. */
static inline void df_text_builder_add(df_text_builder *tb, const char *src_base, size_t src_off, size_t len)
{
	/* Inline for the common piece (every continuation line is one), with
	 * room for it and its bytes. */
	if (len && tb->nsegs < tb->cap && tb->room - tb->len > len) {
		tb->segs[tb->nsegs++] = (df_seg){ (uint32_t)tb->len, (uint32_t)src_off, (uint32_t)len };
		memcpy(tb->buf + tb->len, src_base + src_off, len);
		tb->len += len;
		return;
	}
	df_text_builder_add_slow(tb, src_base, src_off, len);
}
/* The text built since df_text_builder_start() (bytes in the builder's
 * arena, pieces where start said). */
df_text df_text_builder_finish(df_text_builder *tb);

/* df_text_span(), quick for a nonempty part that lies in the first piece of
 * t: in a text of one physical line (most are) every part does, and so does
 * nearly every keyword. There the map is an offset, with no search of the
 * pieces. t has at least one piece, as every text built here and every
 * instruction's text does. */
static inline df_span df_text_span_first(const df_text *t, size_t off, size_t len)
{
	if (len && off + len <= t->segs[0].len)
		return (df_span){ t->segs[0].src_off + (uint32_t)off, t->segs[0].src_off + (uint32_t)(off + len) };
	return df_text_span(t, off, len);
}

/* The part of t from off on, as a text of its own (shares the bytes). */
df_text df_text_suffix(df_arena *a, const df_text *t, size_t off);

#endif
