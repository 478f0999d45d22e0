/*
 * lint.h - `dfopt lint` in two halves: cmd_lint.c gathers the settings
 * (command line, config files, environment) into a df_lint_run, and
 * lint_run.c lints the inputs it names and prints the findings.
 *
 * Ownership: a df_lint_run owns nothing but its arrays; the strings they
 * point at are argv's or the config's, which outlive the run.
 */
#ifndef DF_CLI_LINT_H
#define DF_CLI_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"

/* One report: -f FORMAT [-o FILE] pairs. */
typedef struct df_lint_output {
	const char *format;		/* an output format name (output.h) */
	const char *path;		/* NULL: stdout */
} df_lint_output;

/* What `dfopt lint` does with the fixes findings offer. */
typedef enum df_fix_mode {
	DF_FIX_MODE_NONE,	/* report them: [*] marks the fixable ones */
	DF_FIX_MODE_WRITE,	/* --fix: rewrite the files, then report what remains */
	DF_FIX_MODE_DIFF,	/* --diff: print what --fix would change, write nothing */
} df_fix_mode;

typedef struct df_lint_run {
	const df_lint_output *outputs;	/* at least one */
	size_t noutputs;
	bool color;			/* tty output in colour (decided by cmd_lint.c) */
	bool verbose;			/* -V: say what is read and skipped, on stderr */
	const char *report_path;	/* --file-path-in-report: the name files get in reports */
	unsigned jobs;			/* -j: files linted at once (0 or 1: one at a time) */
	const char *context;		/* --context DIR; NULL: each file's directory */
	bool no_context;		/* --no-context */
	df_fix_mode fix;
	bool unsafe_fixes;		/* --unsafe-fixes: apply unsafe fixes too */
	bool show_fixes;		/* --show-fixes: list each fix applied, on stderr */
	int threshold;			/* a df_severity, or -1: never fail on findings */
	bool no_fail;			/* exit 0 whatever is found */
	df_lint_opts opts;		/* what the engine gets */
	const char *const *inputs;	/* files, directories or "-" */
	size_t ninputs;
} df_lint_run;

/* Lint every input and print the findings; returns the exit code. */
int df_lint_run_inputs(const df_lint_run *run);

#endif
