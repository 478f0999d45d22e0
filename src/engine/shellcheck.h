/*
 * shellcheck.h - ShellCheck over the scripts a Dockerfile runs (SC codes).
 *
 * df_shellcheck_find() picks the program; df_shellcheck_file() (called by
 * df_lint_file() when df_lint_opts.shellcheck is set) runs it once per
 * Dockerfile over every RUN script and maps its findings back to the
 * Dockerfile, so they go through the same suppression as rule findings.
 */
#ifndef DF_ENGINE_SHELLCHECK_H
#define DF_ENGINE_SHELLCHECK_H

#include "graph/graph.h"
#include "parse/ast.h"
#include "util/diag.h"

/*
 * The shellcheck program to run, or NULL when there is none.
 *
 * The environment variable DFOPT_SHELLCHECK, when set, names it outright:
 * a path (used as is when it is an executable file, else NULL) or, without
 * a '/', a name looked up on $PATH; set and empty, it turns ShellCheck off.
 * Unset, the result is the first executable "shellcheck" in the
 * directories of $PATH (no shell involved; an empty entry is the current
 * directory).
 *
 * The string is static storage (the environment or an internal buffer),
 * valid until the next call or until DFOPT_SHELLCHECK changes; not
 * thread-safe (the CLI calls it once).
 */
const char *df_shellcheck_find(void);

/*
 * Check every script doc runs with program and add the findings to out.
 *
 * The scripts: the text of each shell-form RUN (with its heredocs, as the
 * shell sees them) and each RUN heredoc body that is an sh script (see
 * df_heredoc.script), ONBUILD RUN included. The dialect is the SHELL in
 * force (sh by default, bash for bash, ...; a heredoc's own shebang or the
 * shell it is fed to wins); under pwsh, powershell, cmd or any shell
 * ShellCheck does not know, the script is skipped, and so are exec-form
 * RUNs and instructions with parse errors.
 *
 * One process for the whole file: each script goes to its own file in one
 * private temporary directory (removed afterwards), led by a shebang and
 * `export NAME=1` lines for the proxy args (which every RUN gets) and every
 * ARG and ENV name in scope at that step (an ONBUILD trigger: the ENV names
 * only), so variables the builder provides are not "referenced but not
 * assigned". SC1090, SC1091 and SC2187 are
 * excluded and no .shellcheckrc is read (the scripts sit in a temporary
 * directory, whose parents are nobody's project); SHELLCHECK_OPTS from the
 * environment still applies. ShellCheck 0.7.0 or later (json1, --norc).
 *
 * A finding becomes a diagnostic with code "SC<number>", ShellCheck's level
 * as severity and its message verbatim, positioned on the exact Dockerfile
 * bytes it names (through continuation lines, escape characters, heredoc
 * tabs and multi-byte characters). Findings in the added lines are dropped.
 *
 * Returns 0, or -1 when the program could not run, failed (an exit status
 * other than 0 or 1) or printed something that is not ShellCheck's json1;
 * out is then unchanged. ShellCheck is optional: callers may ignore -1.
 */
int df_shellcheck_file(const df_doc *doc, const df_graph *g, const char *program, df_diags *out);

#endif
