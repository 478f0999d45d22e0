/*
 * shell.h - a small POSIX sh parser for the text of RUN, CMD, ENTRYPOINT and
 * heredoc scripts, so rules can ask questions like "which words of each
 * `apt-get install` are packages?".
 *
 * Grammar: the shell command language of POSIX XCU 2.10 (lists, and-or lists,
 * pipelines, simple commands with assignments and redirections, the compound
 * commands, function definitions, quoting, substitutions and here-documents)
 * plus the bash forms common in Dockerfiles: `|&`, `&>`, `&>>`, `<<<`,
 * `;&`, `;;&`, `function name`, `NAME=(...)`, `NAME+=`, `$'...'` and `[[ ]]`.
 * Nothing is expanded: the parser only says what the text is made of.
 *
 * Ownership: every node, array and unquoted string comes from the df_arena
 * passed to df_sh_parse() and lives until that arena is released; no node is
 * freed on its own. `raw` strings and heredoc bodies point into the parsed
 * text, so the text must outlive the tree as well.
 *
 * Positions: start/end are byte offsets [start, end) into the script's
 * `text` (df_sh_script.text). For the top-level script and for $(...) bodies
 * that is the text given to df_sh_parse(). A `...` body holding backslash
 * escapes (\$ \` \\) is unescaped into a copy before it is parsed, and the
 * offsets of that sub-script refer to the copy, its own `text`.
 * Invariant: for every word w of a script s,
 *   w.raw.ptr == s->text.ptr + w.start and w.raw.len == w.end - w.start.
 *
 * Robustness: any bytes parse without crashing, in time linear in the input
 * (times the nesting depth, at most DF_SH_MAX_DEPTH). Nesting of compound
 * commands, substitutions and ${...} deeper than DF_SH_MAX_DEPTH is a syntax
 * error, so recursion stays bounded. The first syntax error is recorded and
 * parsing stops there; what was parsed before it is returned.
 *
 * Not modelled: `|&` is kept as a plain `|` (its 2>&1 is not recorded);
 * inside [[ ]] the operators && || | ( ) < > are plain words; bash process
 * substitution <(...) and `for ((...))` are syntax errors; (( ... )) parses
 * as nested subshells; $'...' is not decoded. Empty bodies (`{ }`, `( )`,
 * `then fi`) are accepted although POSIX requires a command.
 */
#ifndef DF_PARSE_SHELL_H
#define DF_PARSE_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/ast.h"
#include "util/arena.h"
#include "util/buf.h"

#define DF_SH_MAX_DEPTH 64

struct df_sh_script;
struct df_sh_list;

/* One word of the command language. */
typedef struct df_sh_word {
	df_str raw;		/* exactly as written (points into the text) */
	df_str value;		/* quotes, backslash escapes and line continuations
				 * removed; $..., ${...}, $(...), $((...)), `...`
				 * and $'...' kept verbatim as written.
				 * NUL-terminated (may also hold NULs) */
	uint32_t start, end;	/* byte offsets of raw in the text */
	bool quoted;		/* some part was quoted or backslash-escaped */
	bool has_expansion;	/* holds an unquoted or double-quoted $... or `...` */
	struct df_sh_script **subs;	/* parsed bodies of $(...) and `...`, in order */
	size_t nsubs;
} df_sh_word;

typedef enum df_sh_cmd_kind {
	DF_SH_SIMPLE,
	DF_SH_SUBSHELL,		/* ( list ) */
	DF_SH_GROUP,		/* { list; } */
	DF_SH_IF,
	DF_SH_FOR,
	DF_SH_WHILE,
	DF_SH_UNTIL,
	DF_SH_CASE,
	DF_SH_FUNCTION,
} df_sh_cmd_kind;

typedef struct df_sh_redir {
	int fd;			/* explicit io number ("2>"), or -1 */
	const char *op;		/* static string: "<" ">" ">>" "<&" ">&" "<>" ">|"
				 * "<<" "<<-" "<<<" "&>" "&>>" */
	df_sh_word target;	/* file name, fd word, or a heredoc's delimiter
				 * word as written */
	bool heredoc;		/* op is "<<" or "<<-" */
	df_str heredoc_delim;	/* the delimiter with quotes removed */
	bool heredoc_quoted;	/* part of the delimiter was quoted: no expansion */
	df_str heredoc_body;	/* body lines up to the terminator line, when the
				 * text holds them (a whole script); ptr NULL when
				 * the text ends first (a RUN line whose body the
				 * builder keeps apart), which is not an error.
				 * Points into the text; for "<<-" the leading
				 * tabs are still there. A body with no terminator
				 * line runs to the end of the text. */
} df_sh_redir;

/* One arm of a case command: `pattern | pattern ) list terminator`. */
typedef struct df_sh_case_item {
	df_sh_word *patterns;
	size_t npatterns;
	const char *term;	/* ";;", ";&", ";;&", or NULL when esac follows */
} df_sh_case_item;

typedef struct df_sh_cmd {
	df_sh_cmd_kind kind;
	df_sh_word *assigns;	/* SIMPLE: leading NAME=value (or NAME+=) words */
	size_t nassigns;
	df_sh_word *words;	/* SIMPLE: argv; words[0] is the command name */
	size_t nwords;
	df_sh_redir *redirs;	/* in source order; trailing ones for compounds */
	size_t nredirs;
	struct df_sh_list **bodies;	/* SUBSHELL, GROUP, FOR, FUNCTION: 1;
					 * IF: cond, then, [cond, then]..., [else]
					 *   (an odd count means an else part);
					 * WHILE, UNTIL: cond, body;
					 * CASE: one per item */
	size_t nbodies;
	df_sh_word *header;	/* FOR: the variable, then the words after `in`;
				 * CASE: the subject; FUNCTION: the name */
	size_t nheader;
	bool has_in;		/* FOR: an `in` list was written (maybe empty) */
	df_sh_case_item *case_items;	/* CASE: parallel to bodies */
	size_t ncase_items;
	uint32_t start, end;	/* from the first token to the last, trailing
				 * redirections included, separators not */
} df_sh_cmd;

typedef struct df_sh_pipeline {
	df_sh_cmd **cmds;	/* at least one */
	size_t ncmds;
	bool bang;		/* led by `!` (an odd number of them) */
	uint32_t start, end;
} df_sh_pipeline;

typedef enum df_sh_andor_op {
	DF_SH_OP_NONE,
	DF_SH_OP_AND,		/* && */
	DF_SH_OP_OR,		/* || */
} df_sh_andor_op;

typedef struct df_sh_andor {
	df_sh_pipeline **pipes;	/* at least one */
	df_sh_andor_op *ops;	/* ops[i] joins pipes[i-1] and pipes[i]; ops[0] is NONE */
	size_t npipes;
	bool background;	/* ended by & */
	uint32_t start, end;	/* the pipelines; the ending ; or & excluded */
} df_sh_andor;

typedef struct df_sh_list {
	df_sh_andor **items;
	size_t nitems;
} df_sh_list;

typedef struct df_sh_script {
	df_sh_list *list;	/* never NULL, maybe empty */
	df_str text;		/* the text the offsets in this script refer to */
	const char *error;	/* NULL, or the first syntax error (lowercase) */
	uint32_t error_off;	/* where it is, in the top-level text */
	/* The simple commands df_sh_walk() visits, in the order it visits
	 * them, collected as they are parsed: for the script df_sh_parse()
	 * returns, when it has no error; else NULL (and for the scripts of
	 * substitutions, which are part of their top-level script's). */
	const df_sh_cmd *const *simple;
	size_t nsimple;
} df_sh_script;

/*
 * Parse text[0..len). Never fails hard and never returns NULL: on a syntax
 * error it records error/error_off and returns what it parsed up to there.
 * The text must outlive the result (raw strings point into it).
 */
df_sh_script *df_sh_parse(df_arena *arena, const char *text, size_t len);

/*
 * Where a visited simple command sits. andor and pipe are the innermost
 * ones holding it; depth counts the enclosing compound commands and
 * substitutions (0 at the top level).
 */
typedef struct df_sh_ctx {
	const df_sh_andor *andor;
	const df_sh_pipeline *pipe;
	size_t pipe_index;	/* index of the command in pipe->cmds */
	int depth;
	bool in_substitution;	/* inside some $(...) or `...` */
} df_sh_ctx;

typedef int (*df_sh_visit_fn)(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud);

/*
 * Visit every simple command in source order, including those inside
 * subshells, groups, if/for/while/until/case/function bodies and $(...) and
 * `...` substitutions. A command is visited before the substitutions in its
 * own words. A non-zero return from fn stops the walk and is returned.
 */
int df_sh_walk(const df_sh_script *s, df_sh_visit_fn fn, void *ud);

/* Number of simple commands df_sh_walk() visits. */
size_t df_sh_count_commands(const df_sh_script *s);

/* w->value is name, or a path whose last component is name (/usr/bin/apt-get). */
bool df_sh_word_is(const df_sh_word *w, const char *name);
/* c is a simple command and df_sh_word_is(&c->words[0], name). */
bool df_sh_cmd_is(const df_sh_cmd *c, const char *name);

/*
 * Index in c->words of the command really run once the wrappers are skipped
 * with their options: sudo, doas, env (and its NAME=value words), command,
 * exec, nice, nohup, time, timeout (and its duration), stdbuf. A wrapper that
 * does not run its argument (`command -v x`, `sudo -l`) or has none is the
 * command itself. 0 when words[0] is no wrapper or c is no simple command.
 */
size_t df_sh_cmd_name_index(const df_sh_cmd *c);

/*
 * An exec-form argv (RUN ["npm", "ci"]: the n words of args, ast.h) as a
 * simple command of the same words, no shell, so that what asks about
 * commands asks about it too. Values are copied into a, NUL-terminated as
 * shell words' are; raw points at the JSON elements.
 */
df_sh_cmd *df_sh_argv_cmd(df_arena *a, const df_word *args, size_t n);

/*
 * Whether one of c->words[from+1 ..] is the option flag, looking no further
 * than a bare "--". A one-letter "-o" also matches a word it starts
 * ("-oValue") and clusters of letters and digits holding it ("-qo"); a long
 * "--yes" also matches "--yes=..."; any other flag matches itself and
 * "flag=...". Words are compared by value.
 */
bool df_sh_has_flag(const df_sh_cmd *c, size_t from, const char *flag);

/*
 * The positional (non-option) words among c->words[from+1 ..]. Words
 * starting with '-' (but not "-" itself) are options; an option listed in
 * the NULL-terminated value_opts (e.g. {"-t", "--target-release", NULL}, may
 * be NULL) also takes the next word as its value; "--opt=value" and "-tval"
 * are one word. After a bare "--" every word is positional.
 * Stores pointers to the first max of them in out and returns how many it
 * stored; with out NULL it stores nothing and returns how many there are.
 */
size_t df_sh_positionals(const df_sh_cmd *c, size_t from, const char *const *value_opts,
			 const df_sh_word **out, size_t max);
/*
 * The option words a df_sh_positionals() walk looked up in value_opts, in
 * order, and which of them were listed: the walk, and so its answer, is the
 * same for any list that lists the same of those words. For callers that
 * keep an answer for several lists (rules each ask the same command with
 * their own, and mostly the command's options take no value in any).
 */
typedef struct df_sh_opt_note {
	uint32_t at[8];		/* indices in c->words of the first words looked up */
	uint8_t n;		/* entries of at */
	uint8_t listed;		/* bit k: at[k] was in the list */
	bool full;		/* more words were looked up than at holds */
} df_sh_opt_note;
/* df_sh_positionals(), noting the words looked up in *note. */
size_t df_sh_positionals_noted(const df_sh_cmd *c, size_t from, const char *const *value_opts,
			       const df_sh_word **out, size_t max, df_sh_opt_note *note);
/* Would a walk of c (the one note was taken of) with value_opts look up
 * the same words with the same answers? */
bool df_sh_positionals_same(const df_sh_cmd *c, const df_sh_opt_note *note, const char *const *value_opts);

/*
 * Append a one-line S-expression of s to out, for tests and debugging:
 *
 *   script := list [" (error " STR " " OFFSET ")"]
 *   list   := "(list" {" " andor} ")"
 *   andor  := "(andor " pipe {" " ("&&" | "||") " " pipe} [" &"] ")"
 *   pipe   := "(pipe" [" !"] {" " cmd} ")"
 *   cmd    := "(cmd" {" (assign " word ")"} {" " word} {" " redir} ")"
 *           | "(subshell " list {" " redir} ")"
 *           | "(group " list {" " redir} ")"
 *           | "(if " list {" " list} {" " redir} ")"    bodies in order
 *           | "(while " list " " list {" " redir} ")"  (also "until")
 *           | "(for " word [" in" {" " word}] " " list {" " redir} ")"
 *           | "(case " word {" (item (" word {" " word} ") " list [" " TERM] ")"}
 *             {" " redir} ")"                     TERM shown unless ";;"
 *           | "(function " word " " list ")"       list holds the body command
 *   word   := STR                                 the value
 *           | "(w " STR {" " list} ")"           with its parsed substitutions
 *   redir  := "(redir " [FD " "] STR " " word ")"
 *           | "(heredoc " [FD " "] STR " " STR [" quoted"] [" (body " STR ")"] ")"
 *   STR    := a double-quoted string; \" \\ \n \t \r and \xHH for other bytes
 *             below 0x20 or above 0x7e
 *
 * e.g. `apt-get install -y curl && rm -rf /x` dumps as
 * (list (andor (pipe (cmd "apt-get" "install" "-y" "curl")) && (pipe (cmd "rm" "-rf" "/x"))))
 */
void df_sh_dump(const df_sh_script *s, df_buf *out);

#endif
