/*
 * pragma.h - ignore pragmas in comments.
 *
 *   # hadolint ignore=DL3003,DL3008   the next instruction
 *   # dfopt ignore=DL3003 why...      the same, dfopt's spelling
 *   # hadolint global ignore=DL3059   the whole file
 *   # dfopt stage ignore=DL3002       the rest of the current stage
 *
 * A line pragma applies to the instruction right below its block of comment
 * lines. Words after the code list are a comment. df_pragmas_collect() reads
 * them all once; df_pragmas_suppress() answers for one finding.
 */
#ifndef DF_ENGINE_PRAGMA_H
#define DF_ENGINE_PRAGMA_H

#include <stdbool.h>

#include "parse/ast.h"
#include "util/diag.h"

typedef enum df_pragma_scope {
	DF_PRAGMA_LINE,		/* the next instruction */
	DF_PRAGMA_STAGE,	/* from here to the end of the stage */
	DF_PRAGMA_GLOBAL,	/* the whole file */
} df_pragma_scope;

typedef struct df_pragma {
	df_pragma_scope scope;
	uint32_t line;		/* of the comment */
	uint32_t from, to;	/* lines it covers */
	char **codes;
	size_t ncodes;
} df_pragma;

typedef struct df_pragmas {
	df_pragma *items;
	size_t len, cap;
} df_pragmas;

/* Read the pragmas of doc. Unknown codes are reported into warnings as
 * DL1001-style notes only by the caller; this only records them. */
void df_pragmas_collect(const df_doc *doc, df_pragmas *out);
bool df_pragmas_suppress(const df_pragmas *p, const df_diag *d);
/* Parse one comment line s[0..end) as a pragma: scope and codes (owned by
 * pr: free each code and the array) on success. */
bool df_pragma_parse(const char *s, const char *end, df_pragma *pr);
void df_pragmas_release(df_pragmas *p);

#endif
