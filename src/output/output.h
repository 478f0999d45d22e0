/*
 * output.h - findings as text for people and programs. Output sees only
 * diagnostics (and the file name they belong to): never the tree.
 *
 *   tty   Dockerfile:3:5 DL3003 warning: Use WORKDIR to switch to a directory
 *   json  hadolint's array of {code, column, file, level, line, message},
 *         plus end_line and end_column
 */
#ifndef DF_OUTPUT_OUTPUT_H
#define DF_OUTPUT_OUTPUT_H

#include <stdbool.h>

#include "util/buf.h"
#include "util/diag.h"

typedef struct df_file_findings {
	const char *file;
	const df_diags *diags;
} df_file_findings;

/* Render every file's findings in format ("tty" or "json"); -1 for an
 * unknown format. */
int df_output_render(const char *format, const df_file_findings *files, size_t nfiles, df_buf *out);
bool df_output_known(const char *format);

#endif
