/*
 * fixes.h - fixes that several rules offer, built the same way: a flag
 * added after a command's subcommand (`apk add --no-cache`), a keyword
 * written in another case, an instruction moved or deleted with its
 * comments, a command added at the end of a RUN.
 *
 * Only shell-form commands are edited: an exec-form argv would need JSON
 * quoting, and the words there are few enough that the user fixes them by
 * hand. A word whose text comes from a variable is never the anchor of an
 * edit: what it expands to is not what the file says.
 */
#ifndef DF_ENGINE_FIXES_H
#define DF_ENGINE_FIXES_H

#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/buf.h"

/* The index of the first word of v's command after its name whose text is
 * literally word (no quotes, no expansion), or -1. */
long df_cmd_literal_word(const df_cmd_view *v, const char *word);

/*
 * Report rule's finding over sp with message (NULL: the rule's), offering
 * a fix of the given kind that inserts " text" after word `after` of v's
 * command (an index into v->cmd->words, e.g. from df_cmd_literal_word());
 * no fix when after is -1 or v is exec form.
 */
void df_report_insert_after(df_lint *lint, const df_rule *rule, df_fix_kind kind, df_span sp, const char *message,
			    const df_cmd_view *v, long after, const char *text);

/* s with its ASCII letters in lower (or upper) case, into buf; NULL when
 * s is longer than 31 bytes. For keywords and protocols. */
const char *df_ascii_case(df_str s, bool lower, char buf[32]);
/* kw written in like's case (lower when like's letters are all lower
 * case, upper otherwise), into buf (at most 31 characters); returns buf. */
const char *df_keyword_like(const char *kw, df_str like, char buf[32]);

/*
 * Moving and deleting whole instructions. A fix never loses a comment line
 * nor changes the order of comment lines (tests/check_lint_all checks it).
 *
 * An instruction's block is its node with the comment lines right above it
 * (no blank line between): its description (BuildKit reads the comment
 * above an ARG or FROM as such) and its line pragmas (pragma.h), which
 * apply to the instruction below them. A fix that moves an instruction
 * takes its block along where no comment line lies on the way; one that
 * inserts above an instruction inserts above its block, so that the
 * block's pragmas keep applying to it.
 */
df_span df_instr_block(const df_doc *doc, const df_instr *in);
/* Does a comment line ('#' first but for blanks; in a continuation or a
 * heredoc too) start in [start, end)? start must be at a line start. */
bool df_comment_lines_in(const df_doc *doc, uint32_t start, uint32_t end);
/* Do the comment lines right above in hold an ignore pragma (`ignore=`)?
 * Deleting in would hand a line pragma to the instruction below. */
bool df_instr_pragma_above(const df_doc *doc, const df_instr *in);
/* The line ending of the line holding offset off: "\r\n" or "\n". */
const char *df_line_ending(const df_doc *doc, uint32_t off);

/*
 * Where a command can be added at the end of the shell-form RUN in: the
 * source offset just past its script's last command. False when there is
 * none that keeps the RUN's meaning: exec form, heredocs, a parse error, an
 * ONBUILD trigger, a SHELL in force that is no POSIX-style shell (pwsh,
 * cmd: `&&` means something else or nothing), a script ending in `&`, or
 * anything but blanks after the last command (a `# comment` would swallow
 * what is added after it).
 */
bool df_run_end(df_lint *lint, const df_instr *in, uint32_t *at);
/*
 * Append to b what continues in's script with another command on a new
 * line: " && \" (the file's escape character), the line ending, and the
 * indentation of in's last line (4 spaces for a one-line RUN); a RUN whose
 * last line starts with `&&` gets the operator there instead, as its other
 * lines have it. The command's text goes after it.
 */
void df_run_continue(const df_doc *doc, const df_instr *in, df_buf *b);

/* Does the file rely on BuildKit already (a `# syntax=` directive,
 * heredocs, RUN --mount/--network/--security, COPY --link/--chmod/...)?
 * What only BuildKit builds (`COPY --chmod`) is then no new requirement. */
bool df_doc_uses_buildkit(const df_doc *doc);

#endif
