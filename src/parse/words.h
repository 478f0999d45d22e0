/*
 * words.h - the small word splitters Docker's parser applies to argument
 * text, each reporting where every word lies in that text.
 *
 * All splitters work on a df_text (a logical line) between two offsets and
 * return words whose raw strings point into the text and whose spans map back
 * to the source. Memory comes from the caller's arena. df_split_blank() and
 * df_split_quoted() set each word's plain flag (ast.h) from the bytes they
 * stopped at, so that scope resolution need not scan the word again.
 */
#ifndef DF_PARSE_WORDS_H
#define DF_PARSE_WORDS_H

#include "parse/ast.h"

/* A leading --flag word as the builder extracts it (quotes removed). */
typedef struct df_flag_word {
	df_str word;		/* the flag with quotes and backslashes removed (may
				   point into the text: not NUL-terminated) */
	uint32_t off, end;	/* raw extent in the text */
} df_flag_word;

/*
 * extract_flags -> ( ws* "--" word )* rest
 * Reads the leading words that start with "--" from text[off..end); a bare
 * "--" ends them. Returns the number of flags and sets *rest_off to where the
 * arguments start (blanks skipped).
 */
size_t df_extract_flags(df_arena *a, const df_text *t, size_t off, size_t end,
			df_flag_word **out, size_t *rest_off);

/* Split on runs of [ \t\v\f\r] with no quote handling (FROM, EXPOSE, COPY). */
size_t df_split_blank(df_arena *a, const df_text *t, size_t off, size_t end, df_word **out);

/*
 * Split like the builder's parseWords (ENV, LABEL, ARG): blanks separate
 * words except inside quotes; the escape char ('\\' or '`', all the escape
 * directive allows) protects the next char; quotes and escapes stay in the
 * words.
 */
size_t df_split_quoted(df_arena *a, const df_text *t, size_t off, size_t end, char escape,
		       df_word **out);

/* Remove quotes and backslash escapes of a shell word (no expansion).
 * *quoted tells whether any quote char was removed. */
df_str df_unquote(df_arena *a, const char *s, size_t len, bool *quoted);

/* The edit distance used for "did you mean" suggestions (capped at 16). */
unsigned df_edit_distance(const char *a, size_t alen, const char *b, size_t blen);
/* The same when it is below limit, else limit (at most 16): the count stops
 * as soon as it cannot end below, as for most pairs of names it cannot. */
unsigned df_edit_distance_below(const char *a, size_t alen, const char *b, size_t blen, unsigned limit);

#endif
