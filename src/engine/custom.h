/*
 * custom.h - a team's own rules, from the `custom-rules:` key of a config
 * file (engine/config.h; docs/custom-rules.md): a code, a severity, a
 * message, the instructions a rule applies to and PCRE2 patterns.
 *
 * A rule matches in one of two ways:
 *  - pattern: over an instruction's arguments, the text after its flags with
 *    continuation lines joined (df_instr.rest; heredoc bodies are not part
 *    of it). The finding spans the arguments (the keyword when there are
 *    none).
 *  - command: over each simple command of a RUN, and of a CMD or ENTRYPOINT
 *    (shell form, exec form, RUN heredoc scripts, in subshells and $(...),
 *    after sudo/env wrappers), the pattern matching the whole of the
 *    command's name (its last path component: `curl` is /usr/bin/curl too);
 *    then words, if given, over the command's arguments joined by single
 *    spaces (a RUN's with the known ARG and ENV values expanded, as the
 *    built-in rules read them). One finding per matching command, spanning
 *    its arguments (its name when it has none).
 * unless, if given, is matched over the same text as pattern (or words):
 * where it matches, there is no finding.
 *
 * A required pattern rule turns this around: the final stage (from the
 * last FROM on) must hold an instruction of the rule's kinds whose
 * arguments match; when none does, one finding spans that FROM's arguments.
 * ("The image needs a maintainer label.") An ONBUILD's trigger counts as an
 * instruction of its own kind (ONBUILD RUN is a RUN), unless the rule lists
 * ONBUILD, which then reads the whole trigger as its arguments.
 *
 * Patterns are compiled once, when the config is loaded: UTF-8 mode (text
 * that is not valid UTF-8 still matches where it can), JIT where PCRE2 has
 * it. A match that runs over DF_CUSTOM_MATCH_LIMIT counts as no match: a
 * pattern that backtracks without end cannot stall a lint run.
 *
 * Findings are plain findings of the rule's code: suppression (ignore
 * pragmas, ignored codes), severity overrides and every output format apply
 * as to the built-in rules. Custom rules offer no fixes.
 *
 * Thread safety: compiled rules are read-only while linting; several
 * threads may lint with the same rules at once.
 *
 * Ownership: a df_custom_rule owns its compiled patterns
 * (df_custom_rule_release() frees them); its strings are borrowed (a
 * df_config keeps them in its arena).
 */
#ifndef DF_ENGINE_CUSTOM_H
#define DF_ENGINE_CUSTOM_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rule.h"
#include "parse/ast.h"
#include "util/buf.h"
#include "util/diag.h"

#define DF_CUSTOM_CODE_MAX 32		/* bytes of a code, NUL included */
#define DF_CUSTOM_MATCH_LIMIT 1000000	/* PCRE2 match limit of one match */

typedef struct df_custom_rule {
	const char *code;	/* "ACME001": [A-Z]+[0-9]+, no built-in's */
	df_severity severity;
	const char *message;
	const char *docs;	/* why and how to fix; NULL: none */
	uint32_t kinds;		/* DF_KIND() bits of the instructions; never 0 */
	bool required;		/* report the final stage when nothing matches */
	pcre2_code *pattern;	/* over the arguments; NULL for a command rule */
	pcre2_code *command;	/* over a command's whole name; NULL for a pattern rule */
	pcre2_code *words;	/* over the command's arguments; NULL: any */
	pcre2_code *unless;	/* NULL: none */
} df_custom_rule;

/* The instruction kinds a command rule can apply to. */
#define DF_CUSTOM_COMMAND_KINDS (DF_KIND(DF_I_RUN) | DF_KIND(DF_I_CMD) | DF_KIND(DF_I_ENTRYPOINT))

/*
 * Compile pattern (NUL-terminated) into *out; whole: it must match the
 * whole subject (command names). On error, -1 with PCRE2's reason and the
 * offset in the pattern appended to err: "missing closing parenthesis at
 * offset 7".
 */
int df_custom_compile(const char *pattern, bool whole, pcre2_code **out, df_buf *err);

/* dst as a copy of src: its own compiled patterns, src's strings. */
void df_custom_rule_copy(df_custom_rule *dst, const df_custom_rule *src);
void df_custom_rule_release(df_custom_rule *r);

/* The rule of rules[0..n) with code, or NULL. */
const df_custom_rule *df_custom_find(const df_custom_rule *rules, size_t n, const char *code);

/* Add the findings of rules[0..n) over doc to out, in no particular order
 * (the engine sorts them). */
void df_custom_lint(const df_doc *doc, const df_custom_rule *rules, size_t n, df_diags *out);

#endif
