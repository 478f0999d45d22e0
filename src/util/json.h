/*
 * json.h - writing JSON text straight into a df_buf, for reports too hot to
 * build as cJSON trees.
 *
 * The bytes are exactly what cJSON prints for the same values, so a writer
 * and a tree can share a format: df_json_add_str() writes a string as
 * cJSON_Print() does for df_dump_json_str() of it (cJSON's escapes when the
 * string is valid UTF-8 without NULs; otherwise every control character as
 * \u00XX and each invalid byte as \ufffd), df_json_add_uint() an integer as
 * cJSON prints a number holding it.
 */
#ifndef DF_UTIL_JSON_H
#define DF_UTIL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* s[0..len) as a JSON string literal, quotes included. It asks out for
 * DF_JSON_STR_MAX(len) bytes of room first. */
void df_json_add_str(df_buf *out, const char *s, size_t len);
/* The longest text the writers take (df_json_add_str() dies of want of
 * memory past it): the room for a few such literals adds up without
 * overflow. */
#define DF_JSON_LEN_MAX (SIZE_MAX / 32)
/* The room df_json_put_str() needs for len bytes of text: every byte may
 * become a six-byte escape, the quotes, and thirty-two bytes that a copy
 * of a block of the text may write past its end. */
#define DF_JSON_STR_MAX(len) (6 * (size_t)(len) + 2 + 32)
/* df_json_add_str() at a cursor (buf.h) with DF_JSON_STR_MAX(len) bytes of
 * room: the cursor past the literal. */
char *df_json_put_str(char *dst, const char *s, size_t len);
/* A NUL-terminated s as a JSON string literal. */
void df_json_add_cstr(df_buf *out, const char *s);
/* v in decimal. */
void df_json_add_uint(df_buf *out, uint64_t v);

#endif
