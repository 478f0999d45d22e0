/*
 * instr.h - one logical line to a typed df_instr: the keyword, the builder
 * flags, and one parse function per instruction for the arguments (exec or
 * shell form, words, key=value pairs, COPY sources and destination, heredoc
 * markers, the ONBUILD trigger).
 *
 * Problems become DL1000 diagnostics in doc->diags (df_parse_error) and the
 * instruction is still returned, as complete as the text allows. Memory
 * comes from doc->arena.
 */
#ifndef DF_PARSE_INSTR_H
#define DF_PARSE_INSTR_H

#include "parse/ast.h"

/* Parse the logical line text (from its keyword on; copied into the
 * instruction, its bytes and pieces borrowed); outer is the ONBUILD
 * holding it, or NULL. Heredoc bodies are read later by the caller. */
df_instr *df_instr_parse(df_doc *doc, const df_text *text, df_instr *outer);

/* Report a DL1000 error at span sp, marking in (and its ONBUILD) as bad. */
void df_parse_error(df_doc *doc, df_instr *in, df_span sp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
