/*
 * jsonargs.h - exec form: a JSON array of strings, decoded the way the
 * builder's JSON decoder does (escapes decoded, "\u0000" is a NUL byte,
 * lone surrogates and invalid UTF-8 become U+FFFD).
 */
#ifndef DF_PARSE_JSONARGS_H
#define DF_PARSE_JSONARGS_H

#include "parse/ast.h"

typedef enum df_json_status {
	DF_JSON_ARRAY,		/* a valid JSON array of strings */
	DF_JSON_NOT_JSON,	/* not valid JSON: the builder falls back to shell form */
	DF_JSON_NOT_STRINGS,	/* valid JSON array with a non-string element: an error */
} df_json_status;

/*
 * Parse text[off..end) (leading blanks allowed, trailing whitespace allowed)
 * as a JSON array. On DF_JSON_ARRAY, *out gets one word per element: raw is
 * the JSON string literal with its quotes, value the decoded string.
 */
df_json_status df_json_args(df_arena *a, const df_text *t, size_t off, size_t end,
			    df_word **out, size_t *n);

#endif
