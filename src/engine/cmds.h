/*
 * cmds.h - the commands an instruction runs, for rules that ask "does this
 * RUN use X": every simple command of a shell-form RUN (in subshells, after
 * sudo/env, in $(...) too), of its sh heredoc scripts, and the argv of an
 * exec-form RUN, each with a way to turn a word into its source span.
 */
#ifndef DF_ENGINE_CMDS_H
#define DF_ENGINE_CMDS_H

#include "parse/ast.h"
#include "parse/shell.h"
#include "util/arena.h"

typedef struct df_cmd_view {
	const df_sh_cmd *cmd;	/* the command (exec form: a made-up one) */
	size_t name;		/* index of the command name in cmd->words */
	const df_text *text;	/* where the script's offsets point */
	size_t base;		/* offset of the script in text */
	const df_word *exec;	/* exec form: the argv words, else NULL */
	bool in_heredoc;
} df_cmd_view;

/* Call fn for every command in; stop when it returns non-zero. */
typedef int (*df_cmd_fn)(const df_cmd_view *v, void *ud);
int df_each_command(const df_instr *in, df_cmd_fn fn, void *ud);

/* The source span of cmd->words[i]. */
df_span df_cmd_word_span(const df_cmd_view *v, size_t i);
/* Is word one of c's words after index from (its value compared)? */
bool df_cmd_has_word(const df_sh_cmd *c, size_t from, const char *word);
/* Does any word of c after index from depend on a value that is unknown? */
bool df_cmd_any_unknown(const df_sh_cmd *c, size_t from);
/* Is the command (after wrappers) named name (basename compared)? */
bool df_cmd_named(const df_cmd_view *v, const char *name);

/*
 * The command of v with its argument words (those after the name) expanded
 * as the shell would, from the ARG and ENV bindings in force (in->scope).
 * An ONBUILD trigger (in->outer set) gets no bindings: it runs in another
 * build, with its own variables.
 *
 * Invariants:
 *  - an unquoted value splits into several words, each keeping start, end
 *    and raw of the word it came from, so df_cmd_word_span() of any of them
 *    is the span of that source word (and a word that expands to nothing
 *    is dropped);
 *  - a word whose value depends on anything unknown (an unbound or unknown
 *    variable, a variable of the script, $(...), `...`, $((...))) stays as
 *    written, with has_expansion still set; an expanded word has it clear;
 *  - the command name and the words before it are never expanded, and an
 *    exec-form command (v->exec) is returned as is.
 *
 * Ownership: the word array and the expanded values come from a; the rest
 * (raw, subs, unexpanded values) is borrowed from v->cmd.
 */
df_sh_cmd df_cmd_expanded(df_arena *a, const df_cmd_view *v, const df_instr *in);

#endif
