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

#include "parse/source.h"

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
/* Read the next physical line; false at the end of the data. */
bool df_lexer_next(df_lexer *lx, df_line *line);
/* Look at the next physical line without consuming it. */
bool df_lexer_peek(const df_lexer *lx, df_line *line);

/* Offset of the first non-whitespace byte of the line's content: the line is
 * blank when that is content_end, and a comment when the byte there is '#'. */
size_t df_line_skip_ws(const df_source *src, const df_line *line);

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
bool df_line_continues(const char *s, size_t start, size_t end, char escape, size_t *cut);

#endif
