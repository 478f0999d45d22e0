/*
 * output.h - findings as text for people and programs. Output sees only
 * diagnostics (and the file name they belong to): never the tree.
 *
 *   tty                 Dockerfile:3:5 DL3003 warning: Use WORKDIR to switch to ...
 *   json                hadolint's {code, column, file, level, line, message}[] + end_*
 *   sarif               SARIF 2.1.0: one run, the rules that fired, results
 *   checkstyle          Checkstyle XML: <file> per file, <error> per finding
 *   gnu                 file:line.col-end_line.end_col: severity: CODE message
 *   codeclimate         Code Climate JSON array of issues
 *   gitlab_codeclimate  the same, for GitLab Code Quality (FNV-1a fingerprint)
 *   github              GitHub Actions workflow commands (::warning file=...)
 *   junit               JUnit XML: testsuite per file, testcase per finding
 *   sonarqube           SonarQube generic issues {"issues": [...]}
 *   codacy              Codacy: one {filename, patternId, message, line} a line
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

/* Render every file's findings in format (a name above); -1 for an unknown
 * format. */
int df_output_render(const char *format, const df_file_findings *files, size_t nfiles, df_buf *out);
bool df_output_known(const char *format);

#endif
