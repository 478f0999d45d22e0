/*
 * dump.h - the parsed document as JSON (the stable `dfopt parse` format,
 * documented in docs/parse-json.md) or as readable text.
 *
 * The JSON builders return new cJSON trees owned by the caller
 * (cJSON_Delete). Strings that hold NUL bytes or invalid UTF-8 are written
 * with \u escapes (invalid bytes as U+FFFD) so the output is always valid
 * JSON.
 */
#ifndef DF_PARSE_DUMP_H
#define DF_PARSE_DUMP_H

#include <cjson/cJSON.h>

#include "parse/ast.h"
#include "util/buf.h"

cJSON *df_dump_json_str(df_str s);
cJSON *df_dump_doc_json(const df_doc *doc);
cJSON *df_dump_diags_json(const df_diags *diags);
/* Render a cJSON tree (cJSON's tab-indented layout) with a final newline. */
void df_dump_json_render(const cJSON *json, df_buf *out);
/* One line per directive and instruction (diagnostics are the caller's). */
void df_dump_doc_text(const df_doc *doc, df_buf *out);

#endif
