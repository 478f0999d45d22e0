/*
 * pragma.h - what the Dockerfile itself says about its findings: ignore
 * pragmas in comments and BuildKit's `# check=` parser directive.
 *
 *   # hadolint ignore=DL3003,DL3008   the next instruction
 *   # dfopt ignore=DL3003 why...      the same, dfopt's spelling
 *   # hadolint global ignore=DL3059   the whole file
 *   # dfopt stage ignore=DL3002       the rest of the current stage
 *   # check=skip=StageNameCasing;error=true
 *
 * A line pragma applies to the instruction right below its block of comment
 * lines (a blank line ends the block). A stage pragma applies from its line
 * to the end of the stage; written right above a FROM, to that FROM's stage.
 * A code is a run of letters and digits; after the comma-separated codes,
 * the rest of the line is a comment (`ignore=DL3003: why`, `ignore=DL3003 #
 * why`). Codes are case-sensitive and are not checked here: DF0001 reports
 * the ones no rule, ShellCheck or BuildKit check has (df_code_known()).
 *
 * The check directive (parsed into doc->checks, ast.h) touches only findings
 * whose code is a BuildKit check name: skip=NAME,... and skip=all drop them,
 * error=true raises them to error. It is a directive of the build, not an
 * ignore pragma, so `--disable-ignore-pragma` leaves it in force.
 *
 * df_pragmas_collect() reads all pragmas of a document once;
 * df_pragmas_suppress() and df_checks_*() answer for one finding. The engine
 * applies them after the rules (rules never see suppression).
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
	char **codes;		/* owned, NUL-terminated */
	uint32_t *offs;		/* owned: where each code starts, from the comment's first byte */
	size_t ncodes;		/* >= 1 */
} df_pragma;

typedef struct df_pragmas {
	df_pragma *items;
	size_t len, cap;
} df_pragmas;

/* Read the pragmas of doc into out (which df_pragmas_release() frees). */
void df_pragmas_collect(const df_doc *doc, df_pragmas *out);
/* Does an ignore pragma cover a finding with code whose first line is
 * line? */
bool df_pragmas_suppress(const df_pragmas *p, uint32_t line, const char *code);
void df_pragmas_release(df_pragmas *p);

/* Parse one comment line s[0..end) as a pragma. On success pr holds the
 * scope and the codes (df_pragma_release() frees them); from and to are
 * left for the caller. */
bool df_pragma_parse(const char *s, const char *end, df_pragma *pr);
void df_pragma_release(df_pragma *pr);

/* Is code one of BuildKit's build check names (StageNameCasing, ...)? The
 * names are accepted in pragmas and `# check=skip=` whether or not a rule
 * implements the check yet. */
bool df_code_is_buildkit_check(const char *s, size_t n);
/* The nearest BuildKit check name to s[0..n) when it is a likely typo (same
 * letters in another case, or two edits away), else NULL. */
const char *df_buildkit_check_near(const char *s, size_t n);
/* Is code meaningful in an ignore pragma: DL1000 (parse errors), a
 * registered rule, SC followed by digits (ShellCheck), or a BuildKit check
 * name? */
bool df_code_known(const char *code);

/* `# check=skip=...`: is a finding with code dropped? Not a check that
 * experimental= turns on: BuildKit skips only the others. */
bool df_checks_skip(const df_check_opts *c, const char *code);
/* The severity of a finding with code, which has sev by default:
 * `experimental=` raises a check that is off (DF_SEV_IGNORE) to a warning,
 * `error=true` makes every check that is on an error. */
df_severity df_checks_severity(const df_check_opts *c, const char *code, df_severity sev);
/* Whether the two above can answer anything but "no" and sev for some code:
 * false in most files, which have no `# check=` directive. */
static inline bool df_checks_may_skip(const df_check_opts *c)
{
	return c->skip_all || c->nskip;
}
static inline bool df_checks_may_change_severity(const df_check_opts *c)
{
	return c->error || c->experimental_all || c->nexperimental;
}

#endif
