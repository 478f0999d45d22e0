/* DL3025 - use JSON (exec) form for CMD, ENTRYPOINT and HEALTHCHECK CMD. */
#include "engine/rule.h"
#include "parse/shell.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3025 = {
	.code = "DL3025",
	.name = "json-cmd-entrypoint",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_UNSAFE,
	.message = "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
	.docs = {
		.what = "Reports CMD, ENTRYPOINT and HEALTHCHECK CMD written in shell form. The fix "
			"writes the words as a JSON array when the text is one plain command: "
			"words of letters, digits and `-_./:=,+@%`, or quoted without `$`, `` ` `` or "
			"`\\`; no variable, operator, redirection, glob, comment or assignment, no "
			"shell builtin as the command (`exec`, `cd`, `export` ...), and no SHELL "
			"in force other than a POSIX shell, and none for an ENTRYPOINT whose stage has "
			"a CMD (the exec form would receive it as arguments, where the shell form "
			"ignored it) or a CMD whose stage has an exec-form ENTRYPOINT (which would "
			"receive the words without `/bin/sh -c`). The fix is unsafe: without "
			"`/bin/sh -c` the process is PID 1 and gets the signals the shell used to "
			"take, and an ENTRYPOINT now receives the CMD of the base image or of a "
			"`docker run` as arguments.",
		.why = "Shell form runs the command under `/bin/sh -c`, so the process is not PID 1 "
		       "and never receives SIGTERM: containers stop only when killed.",
		.example = "FROM node:20\nCMD node server.js\n",
		.instead = "FROM node:20\nCMD [\"node\", \"server.js\"]\n",
	},
	.instr_kinds = DF_KIND(DF_I_CMD) | DF_KIND(DF_I_ENTRYPOINT) | DF_KIND(DF_I_HEALTHCHECK),
	.on_instr = check,
};

/* Names the shell runs itself, or reads as syntax: as argv[0] of an exec
 * form they name no program (or another one). */
static bool shell_own(df_str name)
{
	static const char *const names[] = {
		"exec", "cd", ".", "source", "export", "set", "unset", "eval", "exit", "return", "shift",
		"trap", "ulimit", "umask", "wait", "read", "alias", "unalias", "command", "readonly",
		"local", "declare", "typeset", "hash", "type", "times", "getopts", "jobs", "fg", "bg",
		"break", "continue", ":", "builtin", "let", "shopt", "enable", "if", "then", "else",
		"elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "function",
		"select", "{", "}", "!", "[[", "]]", "time", "coproc",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (df_mem_eq(name.ptr, name.len, names[i]))
			return true;
	return false;
}

/* A word whose value the shell takes as written: unquoted characters that
 * nothing expands, and quoted text without $, ` or \ (no line continuation
 * reaches here: the logical line has them joined already). */
static bool plain_word(const df_sh_word *w)
{
	if (w->has_expansion || w->nsubs)
		return false;
	char quote = 0;
	for (size_t i = 0; i < w->raw.len; i++) {
		unsigned char c = (unsigned char)w->raw.ptr[i];
		if (c < 0x20 || c >= 0x7f)
			return false;	/* kept out of JSON escapes and UTF-8 checks */
		if (quote) {
			if (c == (unsigned char)quote)
				quote = 0;
			else if (quote == '"' && (c == '$' || c == '`' || c == '\\'))
				return false;
		} else if (c == '\'' || c == '"') {
			quote = (char)c;
		} else if (!df_is_alnum(c) && !strchr("-_./:=,+@%", c)) {
			return false;
		}
	}
	return !quote;
}

/* Is s blank from a to b? */
static bool blank(df_str s, size_t a, size_t b)
{
	for (size_t i = a; i < b && i < s.len; i++)
		if (!df_is_blank((unsigned char)s.ptr[i]))
			return false;
	return true;
}

/* The one simple command the shell-form text is, when its words can be
 * written as a JSON array with the same argv; NULL otherwise. */
static const df_sh_cmd *plain_command(const df_instr *in)
{
	const df_sh_script *s = in->script;
	if (!s || s->error || s->list->nitems != 1)
		return NULL;
	const df_sh_andor *ao = s->list->items[0];
	if (ao->background || ao->npipes != 1 || ao->pipes[0]->ncmds != 1 || ao->pipes[0]->bang)
		return NULL;
	const df_sh_cmd *c = ao->pipes[0]->cmds[0];
	if (c->kind != DF_SH_SIMPLE || c->nassigns || c->nredirs || !c->nwords || shell_own(c->words[0].value))
		return NULL;
	/* Nothing but the words and blanks: no `;`, no comment. */
	size_t at = 0;
	for (size_t i = 0; i < c->nwords; i++) {
		if (!plain_word(&c->words[i]) || !blank(s->text, at, c->words[i].start))
			return NULL;
		at = c->words[i].end;
	}
	return blank(s->text, at, s->text.len) ? c : NULL;
}

/* The SHELL in force is sh or one like it, which runs `sh -c` text as a
 * plain command would run. */
static bool posix_shell(df_lint *lint, const df_instr *in)
{
	const df_graph *g = df_lint_graph(lint);
	int i = df_graph_instr_index(g, in);
	if (i < 0)
		return false;
	const df_instr *sh = g->steps[i].shell;
	if (!sh)
		return true;
	if (!sh->nargs)
		return false;
	df_str p = sh->args[0].value;
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh" };
	for (size_t k = 0; k < DF_ARRAY_LEN(shells); k++) {
		size_t n = strlen(shells[k]);
		if (p.len >= n && !memcmp(p.ptr + p.len - n, shells[k], n) && (p.len == n || p.ptr[p.len - n - 1] == '/'))
			return true;
	}
	return false;
}

/* Does the stage of in have an instruction of kind (exec form only, with
 * exec)? */
static bool stage_has(df_lint *lint, const df_instr *in, df_instr_kind kind, bool exec)
{
	const df_doc *doc = df_lint_doc(lint);
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *o = doc->instrs[i];
		if (o->stage == in->stage && o->kind == kind && (!exec || o->exec_form))
			return true;
	}
	return false;
}

/* Would the exec form change what runs with the rest of the stage: an
 * ENTRYPOINT the stage gives a CMD receives it as arguments (the shell form
 * ignored it), and a CMD an exec-form ENTRYPOINT receives loses its
 * `/bin/sh -c`? */
static bool pair_changes(df_lint *lint, const df_instr *in)
{
	if (in->kind == DF_I_ENTRYPOINT)
		return stage_has(lint, in, DF_I_CMD, false);
	return in->kind == DF_I_CMD && stage_has(lint, in, DF_I_ENTRYPOINT, true);
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	bool shell = (in->kind == DF_I_CMD || in->kind == DF_I_ENTRYPOINT ||
		      (in->kind == DF_I_HEALTHCHECK && !in->healthcheck_none)) &&
		     !in->exec_form && in->nargs > 0;
	if (!shell || in->has_error)
		return;
	const df_sh_cmd *c = in->outer || in->nargs != 1 ? NULL : plain_command(in);
	if (c && (!posix_shell(lint, in) || pair_changes(lint, in)))
		c = NULL;
	df_fix *fix = df_report_fix(lint, &df_rule_DL3025, c ? DF_FIX_UNSAFE : DF_FIX_NONE, in->args[0].span, NULL);
	if (!fix || !c)
		return;
	/* Word by word, so what lies between them (continuation lines,
	 * comment lines) stays: `node server.js` -> `["node", "server.js"]`. */
	df_buf b = DF_BUF_INIT;
	for (size_t i = 0; i < c->nwords; i++) {
		const df_sh_word *w = &c->words[i];
		df_span sp = df_text_span(&in->text, in->args[0].text_off + w->start, w->end - w->start);
		df_buf_reset(&b);
		if (i == 0)
			df_buf_addc(&b, '[');
		df_json_add_str(&b, w->value.ptr, w->value.len);
		df_buf_addc(&b, i + 1 < c->nwords ? ',' : ']');
		df_fix_edit(fix, sp.start, sp.end, df_buf_str(&b));
	}
	df_buf_release(&b);
}
