/*
 * lexer.h - physical lines: splitting, classifying (blank, comment,
 * directive), and the line-continuation test, as the builder does them.
 *
 * A df_line describes one physical line by offsets into the source:
 *   start <= content_start <= content_end <= newline <= end
 * where [content_start, content_end) is the line without a leading BOM (line 1
 * only) and without trailing '\r' characters, and end is just past the '\n'
 * (or the end of the data).
 */
#ifndef DF_PARSE_LEXER_H
#define DF_PARSE_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse/source.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct df_line {
	size_t start, content_start, content_end, end;
	uint32_t line_no;	/* 1-based */
} df_line;

typedef struct df_lexer {
	const df_source *src;
	size_t pos;		/* start of the next physical line */
	uint32_t line_no;	/* number of the next physical line */
	bool bom;		/* the source starts with a UTF-8 BOM */
} df_lexer;

void df_lexer_init(df_lexer *lx, const df_source *src);
/* Look at the next physical line without consuming it; false at the end. */
static inline bool df_lexer_peek(const df_lexer *lx, df_line *line)
{
	const df_source *src = lx->src;
	if (lx->pos >= src->len)
		return false;
	const char *base = src->data;
	/* The source's line table already knows where the next line starts
	 * (its last entry is len: no test for the last line). */
	size_t next = src->line_starts[lx->line_no];
	/* next > pos: a line holds at least one byte. */
	size_t ce = base[next - 1] == '\n' ? next - 1 : next;
	line->start = lx->pos;
	line->end = next;
	line->line_no = lx->line_no;
	line->content_start = lx->pos == 0 && lx->bom ? 3 : lx->pos;
	/* The builder trims every trailing '\r' and '\n' of a line. */
	while (ce > line->content_start && base[ce - 1] == '\r')
		ce--;
	line->content_end = ce;
	return true;
}

/* Read the next physical line; false at the end of the data. */
static inline bool df_lexer_next(df_lexer *lx, df_line *line)
{
	if (!df_lexer_peek(lx, line))
		return false;
	lx->pos = line->end;
	lx->line_no++;
	return true;
}

/* The whitespace df_line_skip_ws() skips: ' ', '\t', '\v', '\f', '\r', '\n'. */
extern const bool df_line_ws[256];

/* Offset of the first non-whitespace byte of the line's content: the line is
 * blank when that is content_end, and a comment when the byte there is '#'. */
static inline size_t df_line_skip_ws(const df_source *src, const df_line *line)
{
	size_t p = line->content_start, end = line->content_end;
	const char *s = src->data;
	/* An instruction or comment line starts with its text: one look. */
	if (p < end && !df_line_ws[(unsigned char)s[p]])
		return p;
#ifdef __SSE2__
	/* Continuation lines are mostly indented: sixteen bytes a step, with
	 * a mask of the whitespace among them (' ', and '\t' to '\r' as the
	 * bytes c with c - '\t' <= 4, unsigned). */
	while (end - p >= 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + p));
		__m128i ctl = _mm_sub_epi8(c, _mm_set1_epi8('\t'));
		__m128i ws = _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8(' ')),
					  _mm_cmpeq_epi8(_mm_min_epu8(ctl, _mm_set1_epi8(4)), ctl));
		unsigned text = ~(unsigned)_mm_movemask_epi8(ws) & 0xFFFFu;
		if (text)
			return p + (size_t)__builtin_ctz(text);
		p += 16;
	}
#endif
	while (p < end && df_line_ws[(unsigned char)s[p]])
		p++;
	return p;
}

/*
 * directive -> '#' ws* key ws* '=' ws* value ws*
 * On a match sets the key and value ranges (value trimmed) and returns true.
 * The caller decides whether the key is a known directive.
 */
bool df_line_directive(const df_source *src, const df_line *line,
		       size_t *key, size_t *key_end, size_t *val, size_t *val_end);

/*
 * The builder's continuation test on s[start..end): the line continues when
 * its last non-blank char is the escape char and that char is not preceded by
 * another escape char (or it is the only char). On true, *cut is where the
 * escape char starts: the piece that joins the logical line is s[start..cut).
 */
static inline bool df_line_continues(const char *s, size_t start, size_t end, char escape, size_t *cut)
{
	/* Inline: it runs for every line of every instruction. The last
	 * char is read once, and again only past a trailing blank. */
	size_t e = end;
	if (e == start)
		return false;
	char last = s[e - 1];
	while (last == ' ' || last == '\t') {
		if (--e == start)
			return false;
		last = s[e - 1];
	}
	if (last != escape)
		return false;
	size_t esc = e - 1;
	/* "x\\" at the end is an escaped escape char, not a continuation. */
	if (esc > start && s[esc - 1] == escape)
		return false;
	*cut = esc;
	return true;
}

#endif
