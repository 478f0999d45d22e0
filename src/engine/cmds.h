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
/* Is the command (after wrappers) named name (basename compared)? */
bool df_cmd_named(const df_cmd_view *v, const char *name);

#endif
