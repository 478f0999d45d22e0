/*
 * output.h - findings as text for people and programs. Output sees only
 * diagnostics, the file name they belong to and, for tty snippets, the
 * file's bytes: never the tree.
 *
 *   tty                 Dockerfile:3:5 DL3003 warning: Use WORKDIR to switch to ...
 *                       (with snippets, colour and a summary: df_output_opts)
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

/* One file's findings. Borrows everything. */
typedef struct df_file_findings {
	const char *file;		/* the name reports show */
	const df_diags *diags;
	const char *source;		/* the file's bytes, for tty snippets; NULL: none */
	size_t source_len;
} df_file_findings;

/*
 * How the tty format looks; the other formats ignore these. All false is
 * one line per finding, nothing else.
 *
 *   color     ANSI SGR: the severity and carets in its colour, the code bold
 *   snippets  under each finding whose file has a source, the line it starts
 *             on and carets under its span (a span running past that line
 *             gets carets to the end of it), then a blank line:
 *                 Dockerfile:3:5 DL3003 warning: Use WORKDIR to ...
 *                   3 | RUN cd /app && make
 *                     |     ^^
 *             Columns count bytes; the caret line keeps the line's tabs so
 *             the carets fall under the span, and counts a UTF-8 sequence as
 *             one column (wide characters are not measured). A line longer than
 *             DF_OUTPUT_SNIPPET_MAX bytes shows a window around the span,
 *             cut ends marked "..." (DF_OUTPUT_SNIPPET_BEFORE bytes before the
 *             span's start, DF_OUTPUT_SNIPPET_WINDOW bytes in all).
 *   summary   after the findings, when there are any:
 *             "3 findings (1 error, 2 warnings) in 2 files" (the files
 *             with findings)
 *
 * In every tty form, control characters (C0 but tab, DEL, C1) and bytes
 * that are not UTF-8 show as '?' in file names, messages (which keep their
 * newlines) and snippets: a Dockerfile cannot drive the terminal.
 */
typedef struct df_output_opts {
	bool color;		/* for a terminal only: reports in files stay plain */
	bool snippets;		/* needs df_file_findings.source */
	bool summary;
	/* The run's custom rules (engine/custom.h), borrowed: SARIF describes
	 * their codes with their messages and docs, as it does the built-in
	 * rules. NULL: none. */
	const struct df_custom_rule *custom;
	size_t ncustom;
} df_output_opts;

#define DF_OUTPUT_SNIPPET_MAX 512
#define DF_OUTPUT_SNIPPET_BEFORE 40
#define DF_OUTPUT_SNIPPET_WINDOW 160

/*
 * A report rendered file by file, so that a run can write each file's
 * findings as soon as they are known and free them:
 *
 *	df_output o;
 *	if (df_output_begin(&o, format, opts, &out) < 0)
 *		... an unknown format; o needs no release
 *	for each file, in report order:
 *		df_output_file(&o, &file, &out);	(then write out, df_buf_reset)
 *	df_output_end(&o, &out);			(releases o)
 *
 * The bytes appended over the calls are exactly df_output_render_opts()'s
 * for the same files. The caller may write and empty out between calls: o
 * borrows nothing from a file after df_output_file() returns. What a format
 * can only place at the end (SARIF's results, which come after the rules
 * that fired; JUnit's suites, after the total) o holds as rendered text,
 * never as diagnostics.
 */
struct df_output_format;
typedef struct df_output {
	const struct df_output_format *fmt;
	df_output_opts opts;
	size_t nfindings;		/* rendered so far */
	size_t nfiles_with;		/* files with findings (tty summary) */
	size_t nsev[4];			/* findings by severity (tty summary) */
	df_buf held;			/* text only the end can place */
	df_buf name;			/* scratch: the current file's name, escaped */
	char **codes;			/* codes fired, first-seen order; owned */
	size_t ncodes, codes_cap;
	const char **borrowed;		/* codes[k] as a rule's finding borrows it
					 * (diag.h), or NULL; k < ncodes */
	size_t borrowed_cap;
	size_t nsafe, nunsafe;		/* findings with a safe, an unsafe fix (tty summary) */
	size_t *refs;			/* SARIF: each result's index in codes */
	size_t nrefs, refs_cap;
	struct json_borrowed *json_borrowed;	/* JSON: borrowed strings
						 * escaped, by address */
	size_t json_nborrowed, json_borrowed_cap;	/* cap: 0 or a power of two */
	df_buf json_borrowed_text;	/* their JSON strings, one after another */
} df_output;

/* Start a report in format (a name above); -1 for an unknown format. opts
 * may be NULL (all false). */
int df_output_begin(df_output *o, const char *format, const df_output_opts *opts, df_buf *out);
void df_output_file(df_output *o, const df_file_findings *file, df_buf *out);
/* Finish the report and release o. */
void df_output_end(df_output *o, df_buf *out);

/* Render every file's findings in format (a name above) at once; -1 for an
 * unknown format. opts may be NULL (all false). */
int df_output_render_opts(const char *format, const df_file_findings *files, size_t nfiles,
			  const df_output_opts *opts, df_buf *out);
/* df_output_render_opts() with all options false. */
int df_output_render(const char *format, const df_file_findings *files, size_t nfiles, df_buf *out);
bool df_output_known(const char *format);

#endif
