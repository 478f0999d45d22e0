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

typedef struct df_lint_run {
	const char *format;		/* an output format name (output.h) */
	int threshold;			/* a df_severity, or -1: never fail on findings */
	bool no_fail;			/* exit 0 whatever is found */
	df_lint_opts opts;		/* what the engine gets */
	const char *const *inputs;	/* files, directories or "-" */
	size_t ninputs;
} df_lint_run;

/* Lint every input and print the findings; returns the exit code. */
int df_lint_run_inputs(const df_lint_run *run);

#endif
