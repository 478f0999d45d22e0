/*
 * cli.h - the dfopt command line: one function per subcommand, each taking
 * argv after the subcommand name and returning the process exit code.
 *
 * Only src/cli prints to the terminal or decides exit codes:
 *   0 ok, 1 findings at or above the failure threshold, 2 usage, input or I/O
 *   error, 3 a fix failed to converge or broke the file.
 */
#ifndef DF_CLI_H
#define DF_CLI_H

#include <stdbool.h>

#include "parse/parser.h"
#include "util/buf.h"

enum { DF_EXIT_OK = 0, DF_EXIT_FINDINGS = 1, DF_EXIT_ERROR = 2, DF_EXIT_FIX = 3 };

/* Options shared by the subcommands that read one Dockerfile. */
typedef struct df_load_opts {
	const char *format;
	const char *target;		/* --target */
	const char **build_args;	/* --build-arg NAME=VALUE (owned array) */
	size_t nbuild_args;
	const char *file;		/* FILE or "-" */
} df_load_opts;

/* A subcommand that reads one Dockerfile: its name, usage text and formats
 * (the first is the default). */
typedef struct df_file_cmd {
	const char *name;
	const char *usage;
	const char *const *formats;	/* NULL-terminated */
} df_file_cmd;

/*
 * Parse [--format F] [--target S] [--build-arg K=V]... FILE, check the
 * format, and read and parse FILE into doc. Returns true when the command
 * should go on; otherwise *rc is the exit code (0 after --help) and nothing
 * needs releasing. After true, df_cli_close() releases o and doc.
 */
bool df_cli_open(const df_file_cmd *cmd, int argc, char **argv, df_load_opts *o, df_doc *doc, int *rc);
void df_cli_close(df_load_opts *o, df_doc *doc);

int df_cmd_parse(int argc, char **argv);
int df_cmd_graph(int argc, char **argv);
int df_cmd_lint(int argc, char **argv);
int df_cmd_rules(int argc, char **argv);
int df_cmd_explain(int argc, char **argv);
int df_cmd_build(int argc, char **argv);
int df_cmd_image(int argc, char **argv);
int df_cmd_images(int argc, char **argv);
int df_cmd_cache(int argc, char **argv);
int df_cmd_measure(int argc, char **argv);
int df_cmd_lsp(int argc, char **argv);

/* Shared by subcommands: read and parse path ("-" is stdin). On an I/O
 * error prints "dfopt: ..." and returns -1; *doc must then not be used. */
int df_cli_load(const char *path, const df_parse_opts *opts, df_doc *doc);
/* Print doc's error diagnostics as "file:line:col: message" on stderr;
 * returns how many there were. */
size_t df_cli_report_errors(const df_doc *doc);
/* Write out to stdout (nothing for an empty buffer). */
void df_cli_print(const df_buf *out);
/* "dfopt: <message>" on stderr; returns DF_EXIT_ERROR. */
int df_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
