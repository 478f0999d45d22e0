/*
 * text.h - building df_text values: text assembled from pieces of the
 * source (a logical line from its continuation lines, a heredoc body) that
 * keeps, for every byte, where it came from.
 *
 * A df_text_builder is scratch storage reused from one text to the next;
 * df_text_builder_finish() copies the text into an arena and empties the
 * builder. df_text_builder_release() frees the scratch.
 */
#ifndef DF_PARSE_TEXT_H
#define DF_PARSE_TEXT_H

#include "parse/ast.h"
#include "util/buf.h"

typedef struct df_text_builder {
	df_buf buf;
	df_seg *segs;
	size_t nsegs, cap;
} df_text_builder;

/* Append src_base[src_off .. src_off + len). */
void df_text_builder_add(df_text_builder *tb, const char *src_base, size_t src_off, size_t len);
/* The text built so far, copied into a; the builder starts again empty. */
df_text df_text_builder_finish(df_text_builder *tb, df_arena *a);
void df_text_builder_release(df_text_builder *tb);

/* The part of t from off on, as a text of its own (shares the bytes). */
df_text df_text_suffix(df_arena *a, const df_text *t, size_t off);

#endif
