/*
 * pos.h - positions as the Language Server Protocol counts them, and back
 * to the byte offsets dfopt's diagnostics and fixes use.
 *
 * An LSP position is a 0-based line and a character offset in UTF-16 code
 * units within it. Lines end at "\n", "\r\n" or a lone "\r" (the protocol's
 * rule), while dfopt's 1-based lines end at "\n" only: a diagnostic's line
 * and byte column are turned into a byte offset by dfopt's rule first, then
 * into a position by the protocol's, so the two never disagree about a
 * line with a stray carriage return.
 *
 * Text received from a client is valid UTF-8 (JSON carries nothing else),
 * but a file's bytes may not be: an invalid byte counts as one code unit,
 * as the U+FFFD an editor shows for it. A character of four UTF-8 bytes
 * (outside the BMP) counts two. An offset inside a character stands for
 * the start of it; a character past the end of its line, or inside a
 * surrogate pair, means the line's end or the character's start.
 *
 * Ownership: a df_lsp_text borrows the text (which must outlive it) and
 * owns its line tables.
 */
#ifndef DF_LSP_POS_H
#define DF_LSP_POS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef struct df_lsp_pos {
	uint32_t line;		/* 0-based */
	uint32_t character;	/* UTF-16 code units from the line's start */
} df_lsp_pos;

typedef struct df_lsp_text {
	const char *text;	/* borrowed */
	size_t len;
	size_t *lines;		/* LSP line starts: lines[0] == 0 */
	size_t nlines;
	size_t *nl_lines;	/* dfopt's line starts (after each '\n') */
	size_t nnl_lines;
} df_lsp_text;

void df_lsp_text_init(df_lsp_text *t, const char *text, size_t len);
void df_lsp_text_release(df_lsp_text *t);

/* The position of byte offset off (clamped to the text's length). */
df_lsp_pos df_lsp_pos_of(const df_lsp_text *t, size_t off);
/* The byte offset of position p, clamped to the text (a line past the last
 * is the end of the text, a character past a line's end its end). */
size_t df_lsp_offset_of(const df_lsp_text *t, df_lsp_pos p);
/* The byte offset of dfopt's 1-based line and byte column (clamped). */
size_t df_lsp_offset_of_linecol(const df_lsp_text *t, uint32_t line, uint32_t col);

/* Append s (len bytes) to out as valid UTF-8: each invalid byte becomes
 * U+FFFD, as it counts in positions. A message may quote a file's bytes,
 * and JSON carries nothing but UTF-8. */
void df_lsp_add_utf8(df_buf *out, const char *s, size_t len);

#endif
