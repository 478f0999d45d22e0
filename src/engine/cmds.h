/*
 * cmds.h - the commands an instruction runs, for rules that ask "does this
 * RUN use X": every simple command of a shell-form RUN (in subshells, after
 * sudo/env, in $(...) too), of its sh heredoc scripts, and the argv of an
 * exec-form RUN, each with a way to turn a word into its source span.
 *
 * Rules get them from the engine (on_command in rule.h, df_lint_each_command(),
 * df_lint_expanded()), which collects the commands of an instruction once and
 * expands a command's words at most once, however many rules ask: walking a
 * shell tree and expanding variables cost more than most rules' own checks.
 */
#ifndef DF_ENGINE_CMDS_H
#define DF_ENGINE_CMDS_H

#include <stdint.h>
#include <string.h>

#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "parse/ast.h"
#include "parse/shell.h"
#include "util/arena.h"
#include "util/util.h"

/* 64 bytes on a 64-bit machine, the small fields packed beside name: a
 * power of two makes df_cmds_index(), which rules reach for on nearly
 * every command, a shift rather than a division. */
struct df_cmd_view {
	const df_sh_cmd *cmd;	/* the command (exec form: a made-up one) */
	uint32_t name;		/* index of the command name in cmd->words (a
				 * file of DF_MAX_FILE bytes has fewer words) */
	bool in_heredoc;
	/* What the name says, found once when the engine collects the
	 * command (rules ask it of every command; a rule's copy of a view
	 * keeps it, a view made elsewhere has 0 and NULL): 1 + the index in
	 * df_ospkg_managers() of the system package manager whose command it
	 * is (0: none), and df_eco_manager_run() of the words as written
	 * (eco_runner: found through a runner, eco below). */
	unsigned char ospkg;
	bool eco_runner;
	df_str basename;	/* the name's last path component ("apt-get" of
				 * /usr/bin/apt-get): what df_cmd_named() compares */
	const df_text *text;	/* where the script's offsets point */
	size_t base;		/* offset of the script in text */
	const df_word *exec;	/* exec form: the argv words, else NULL */
	const df_eco_manager *eco;	/* see ospkg */
};
_Static_assert(sizeof(void *) != 8 || sizeof(struct df_cmd_view) == 64, "a df_cmd_view of 64 bytes");

/* Call fn for every command of in (a RUN; nothing for other instructions or
 * one with an error); stop when it returns non-zero, and return that. */
typedef int (*df_cmd_fn)(const df_cmd_view *v, void *ud);
static inline int df_lint_each_command(df_lint *lint, const df_instr *in, df_cmd_fn fn, void *ud);
/*
 * v, a command df_lint_each_command() gave, with its argument words expanded
 * as df_cmd_expanded() does against the instruction v belongs to, or v
 * itself when nothing in it expands. Computed on the first call and shared
 * by every rule; borrowed, like v, for the hook's call. Check the command's
 * name first: a rule about apt-get has no reason to expand `go build $FLAGS`.
 */
static inline const df_cmd_view *df_lint_expanded(df_lint *lint, const df_cmd_view *v);
/* The positional words of c after index from, as df_sh_positionals() finds
 * them: an array of *n owned by the engine, borrowed like the expansions and
 * read-only: the same question about the same command (the system package
 * rules all ask it of each apt-get) gets the same array, and so does one
 * with another value_opts that lists the same of the command's options
 * (df_sh_positionals_same()). */
const df_sh_word **df_lint_positionals(df_lint *lint, const df_sh_cmd *c, size_t from,
				       const char *const *value_opts, size_t *n);

/*
 * What an engine module derives from a command, kept with the command for
 * the file: several rules ask the same question of the same command (the
 * system package rules each read every apt-get). A slot per module; NULL
 * when v is not one of the engine's views (a rule's own copy), else the
 * address of a pointer that starts NULL, which the module sets to what it
 * allocates in df_lint_cmds(lint)->arena (or to a sentinel of its own).
 */
typedef enum df_cmd_memo_id {
	DF_CMD_MEMO_OSPKG,	/* ospkg.c: df_ospkg_read() */
	DF_CMD_MEMO_REMOVES,	/* cleanup.c: df_run_removes_after() */
	DF_CMD_MEMO_ECO,	/* cmds.c: df_lint_eco_classify() */
	DF_CMD_MEMO_DOWNLOAD,	/* download.c: df_download_read() */
	DF_CMD_NMEMO
} df_cmd_memo_id;
static inline const void **df_lint_cmd_memo(df_lint *lint, const df_cmd_view *v, df_cmd_memo_id id);

/*
 * df_eco_classify() of e (v's expansion, or v itself when nothing in it
 * expands: the same words) in a, with what does not depend on cwd kept
 * with v: the rules about installs (DF1001, DF1009) classify the same
 * commands. With paths false, the caller reads only that part (kind,
 * manager, verb, why, split_any, split_flags), and a command classified
 * before gets its copy, with no dir or manifests; with paths true, e is
 * classified for cwd.
 */
void df_lint_eco_classify(df_lint *lint, const df_cmd_view *v, const df_cmd_view *e, df_arena *a,
			  const char *cwd, bool paths, df_eco_use *out);

/* The source span of cmd->words[i]. */
df_span df_cmd_word_span(const df_cmd_view *v, size_t i);
/* Is word one of c's words after index from (its value compared)? */
bool df_cmd_has_word(const df_sh_cmd *c, size_t from, const char *word);
/* Is word one of v's arguments (the words after its name)? */
static inline bool df_cmd_has_arg(const df_cmd_view *v, const char *word)
{
	return df_cmd_has_word(v->cmd, v->name, word);
}
/* Does any word of c after index from depend on a value that is unknown? */
bool df_cmd_any_unknown(const df_sh_cmd *c, size_t from);
/* Is the command (after wrappers) named name (basename compared)? Inline:
 * rules ask it of every command, many in loops over tables of names, where
 * measuring each name first cost more than comparing: most commands differ
 * from the name at its first byte. */
static inline bool df_cmd_named(const df_cmd_view *v, const char *name)
{
	return df_mem_eq(v->basename.ptr, v->basename.len, name);
}

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
 * (raw, subs, unexpanded values) is borrowed from v->cmd. A command with no
 * word to expand is returned as is, its word array borrowed too.
 */
df_sh_cmd df_cmd_expanded(df_arena *a, const df_cmd_view *v, const df_instr *in);

/* What the engine keeps with one of its commands: its expansion and the
 * engine modules' memos (see df_cmds). One record a command, in one
 * array: grown and cleared at once, and one pointer for a window. */
typedef struct df_cmd_derived {
	const df_cmd_view *expanded;	/* see df_lint_expanded() */
	const void *memo[DF_CMD_NMEMO];	/* by df_cmd_memo_id */
} df_cmd_derived;

/*
 * The command lists the engine keeps for the file being linted (what
 * df_lint_each_command() and df_lint_expanded() read): every RUN's commands
 * are found once per file, however often and in whatever order the rules
 * ask (stage-end hooks walk the stage's RUNs again).
 *
 * Invariants: all[0..nall) holds the commands of every RUN loaded so far,
 * each RUN's in one run, in source order (a command before those in its
 * substitutions, the script before its heredocs); all_derived[i].expanded
 * is NULL (not asked yet), &df_cmds_as_is for a command that is its own
 * expansion, or the expansion of all[i], all_derived[i].memo[id] NULL or
 * what module id derived from it. loaded[k], for the instruction of index
 * k, names its run once loaded. views[0..n) and derived are the window
 * of the instruction asked about last (in): a hook's view is the current
 * instruction's, and a hook must not ask for another instruction's
 * commands while it holds one (loading may move the array).
 * Ownership: the arrays are in the arena, with the exec-form commands
 * made up and the expansions (it grows until df_cmds_release()); the
 * other commands are borrowed from the instruction.
 */
typedef struct df_cmds {
	const df_instr *in;	/* whose commands views holds; NULL: none yet */
	df_cmd_view *views;	/* in's commands: a window into all */
	df_cmd_derived *derived;	/* parallel to views */
	size_t n;
	df_cmd_view *all;
	df_cmd_derived *all_derived;	/* parallel to all */
	size_t nall, cap;
	struct df_cmds_run {
		const df_instr *in;	/* NULL: not loaded */
		size_t first, n;	/* its commands: all[first..first+n) */
	} *loaded;
	size_t nloaded;		/* entries of loaded (by instruction index) */
	df_arena arena;		/* exec-form commands and expansions */
	/* What df_lint_positionals() answered lately: rules about system
	 * packages each ask the same of the same commands, each with its
	 * own list of options that take a value; the answer holds for any
	 * list that note says walks the words the same way. */
	struct df_cmds_pos {
		const df_sh_cmd *cmd;
		size_t from;
		const df_sh_word **words;
		size_t n;
		df_sh_opt_note note;
	} pos[8];
	size_t npos, pos_next;	/* filled slots; the one to reuse next */
} df_cmds;

void df_cmds_init(df_cmds *c);
void df_cmds_release(df_cmds *c);
/* Point c's window at the commands of in (a RUN without an error), loading
 * them unless c has loaded them before. */
void df_cmds_select(df_cmds *c, const df_instr *in);
/* The commands of in (a RUN without an error; else none): the window
 * c->views[0..*n), valid until another instruction is asked about. For
 * df_lint_each_command() and the engine's own loops, which read each
 * command once for every rule. Inline: they ask it of every RUN again and
 * again (after each hook that looked at another), and most often the
 * window is already on it. */
static inline const df_cmd_view *df_cmds_views(df_cmds *c, const df_instr *in, size_t *n)
{
	if (in->kind != DF_I_RUN || in->has_error) {
		*n = 0;
		return NULL;
	}
	if (c->in != in)
		df_cmds_select(c, in);
	*n = c->n;
	return c->views;
}
/* The engine's list for the file being linted (engine.c). */
df_cmds *df_lint_cmds(df_lint *lint);

/* The index of v in c's window (c->views), or c->n when v is none of its
 * views (a rule's own copy, or another instruction's). */
static inline size_t df_cmds_index(const df_cmds *c, const df_cmd_view *v)
{
	/* One compare: an address below the window wraps around to an index
	 * far past its end. */
	size_t i = ((uintptr_t)v - (uintptr_t)c->views) / sizeof(*v);
	return i < c->n ? i : c->n;
}

/* What c->derived[i].expanded holds for a command that is its own expansion. */
extern const df_cmd_view df_cmds_as_is;
/* df_lint_expanded() the first time it is asked of v: computes and keeps
 * the expansion. */
const df_cmd_view *df_cmds_expand(df_cmds *c, const df_cmd_view *v);

/* Inline, as the next two: rules ask them of nearly every command, and
 * after the first time the answer is one load away. */
static inline const df_cmd_view *df_lint_expanded(df_lint *lint, const df_cmd_view *v)
{
	df_cmds *c = df_lint_cmds(lint);
	size_t i = df_cmds_index(c, v);
	if (i < c->n && c->derived[i].expanded)
		return c->derived[i].expanded == &df_cmds_as_is ? v : c->derived[i].expanded;
	return df_cmds_expand(c, v);
}

static inline const void **df_lint_cmd_memo(df_lint *lint, const df_cmd_view *v, df_cmd_memo_id id)
{
	df_cmds *c = df_lint_cmds(lint);
	size_t i = df_cmds_index(c, v);
	if (i == c->n)
		return NULL;
	return &c->derived[i].memo[id];
}

/* Inline: a third of the rules ask this of every instruction, and most
 * instructions are no RUN. The loop is inline too, so that a rule's fn, a
 * static function known here, is called directly (or inlined) instead of
 * through a pointer for every command; the window is read once, as a hook
 * must not ask about another instruction while it holds a command. */
static inline int df_lint_each_command(df_lint *lint, const df_instr *in, df_cmd_fn fn, void *ud)
{
	if (in->kind != DF_I_RUN || in->has_error)
		return 0;
	size_t n;
	const df_cmd_view *v = df_cmds_views(df_lint_cmds(lint), in, &n);
	for (size_t i = 0; i < n; i++) {
		int rc = fn(&v[i], ud);
		if (rc)
			return rc;
	}
	return 0;
}

#endif
