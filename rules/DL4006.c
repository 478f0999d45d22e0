/* DL4006 - set -o pipefail in SHELL before piping in RUN. */
#include "engine/rule.h"
#include "parse/shell.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

/* Does the SHELL in force in this stage make pipes safe? */
typedef struct pipefail {
	bool safe;
} pipefail;

const df_rule df_rule_DL4006 = {
	.code = "DL4006",
	.name = "pipefail",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check",
	.docs = {
		.what = "Reports the first pipe `|` in a shell-form RUN (or its sh heredoc "
			"scripts) when the stage has no SHELL running bash, zsh or ash with "
			"`-o pipefail`. A pwsh, powershell or cmd SHELL turns the check off. "
			"`set -o pipefail` inside the RUN does not count, as in hadolint. "
			"Exec-form RUN is argv: a `|` there is no pipe.",
		.why = "Without pipefail a pipeline's status is its last command's, so "
		       "`curl ... | tar x` succeeds even when the download failed.",
		.example = "FROM debian:12\nRUN curl -fsSL https://example.com/x.tgz | tar xz\n",
		.instead = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
			   "RUN curl -fsSL https://example.com/x.tgz | tar xz\n",
	},
	.state_size = sizeof(pipefail),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_SHELL) | DF_KIND(DF_I_RUN),
	.on_instr = check,
};

static df_str basename_of(df_str s)
{
	for (size_t i = s.len; i > 0; i--)
		if (s.ptr[i - 1] == '/')
			return (df_str){ s.ptr + i, s.len - i };
	return s;
}

/* SHELL ["pwsh", ...] and friends: not a POSIX shell at all. */
static bool non_posix(const df_instr *in)
{
	if (in->nargs == 0)
		return false;
	df_str a = in->args[0].value;
	return df_mem_has_prefix(a.ptr, a.len, "pwsh") || df_mem_has_prefix(a.ptr, a.len, "powershell") ||
	       df_mem_has_prefix(a.ptr, a.len, "cmd");
}

/* bash, zsh or ash with an option cluster holding 'o' and the word pipefail. */
static bool sets_pipefail(const df_instr *in)
{
	if (in->nargs == 0)
		return false;
	df_str name = basename_of(in->args[0].value);
	if (!df_mem_eq(name.ptr, name.len, "bash") && !df_mem_eq(name.ptr, name.len, "zsh") &&
	    !df_mem_eq(name.ptr, name.len, "ash"))
		return false;
	bool flag_o = false, word = false;
	for (size_t i = 1; i < in->nargs; i++) {
		df_str a = in->args[i].value;
		if (a.len > 1 && a.ptr[0] == '-' && a.ptr[1] != '-' && memchr(a.ptr, 'o', a.len))
			flag_o = true;
		else if (df_mem_eq(a.ptr, a.len, "--o"))
			flag_o = true;
		if (df_mem_eq(a.ptr, a.len, "pipefail"))
			word = true;
	}
	return flag_o && word;
}

/* A pipe found: its script and pipeline. */
typedef struct pipe_at {
	const df_sh_script *script;
	const df_sh_pipeline *pipe;
} pipe_at;

static bool in_list(const df_sh_script *s, const df_sh_list *l, pipe_at *out);

static bool in_word(const df_sh_word *w, pipe_at *out)
{
	for (size_t i = 0; i < w->nsubs; i++)
		if (in_list(w->subs[i], w->subs[i]->list, out))
			return true;
	return false;
}

static bool in_cmd(const df_sh_script *s, const df_sh_cmd *c, pipe_at *out)
{
	for (size_t i = 0; i < c->nassigns; i++)
		if (in_word(&c->assigns[i], out))
			return true;
	for (size_t i = 0; i < c->nwords; i++)
		if (in_word(&c->words[i], out))
			return true;
	for (size_t i = 0; i < c->nheader; i++)
		if (in_word(&c->header[i], out))
			return true;
	for (size_t i = 0; i < c->nredirs; i++)
		if (in_word(&c->redirs[i].target, out))
			return true;
	for (size_t i = 0; i < c->nbodies; i++)
		if (in_list(s, c->bodies[i], out))
			return true;
	return false;
}

/* The first pipeline of two or more commands, in source order. */
static bool in_list(const df_sh_script *s, const df_sh_list *l, pipe_at *out)
{
	for (size_t i = 0; i < l->nitems; i++) {
		const df_sh_andor *ao = l->items[i];
		for (size_t j = 0; j < ao->npipes; j++) {
			const df_sh_pipeline *p = ao->pipes[j];
			if (p->ncmds > 1) {
				out->script = s;
				out->pipe = p;
				return true;
			}
			if (in_cmd(s, p->cmds[0], out))
				return true;
		}
	}
	return false;
}

/* Report the first pipe of top, if any: at the '|' after the pipeline's
 * first command. text is where top's offsets point, from base; fallback is
 * used for a `...` body with escapes, whose own text has no map back. */
static bool report_pipe(df_lint *lint, const df_sh_script *top, const df_text *text, size_t base,
			df_span fallback)
{
	pipe_at at;
	if (!in_list(top, top->list, &at))
		return false;
	const df_sh_script *s = at.script;
	df_span sp = fallback;
	if (s->text.ptr == top->text.ptr) {
		const df_sh_pipeline *p = at.pipe;
		sp = df_text_span(text, base + p->start, p->end - p->start);
		for (uint32_t i = p->cmds[0]->end; i < p->cmds[1]->start && i < s->text.len; i++) {
			if (s->text.ptr[i] == '|') {
				sp = df_text_span(text, base + i, 1);
				break;
			}
		}
	}
	df_report(lint, &df_rule_DL4006, sp, NULL);
	return true;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	pipefail *p = state;
	if (in->kind == DF_I_FROM) {
		p->safe = false;
	} else if (in->kind == DF_I_SHELL && !in->has_error) {
		p->safe = non_posix(in) || sets_pipefail(in);
	} else if (in->kind == DF_I_RUN && !in->has_error && !p->safe && !in->exec_form) {
		if (in->script &&
		    report_pipe(lint, in->script, &in->text, in->args[0].text_off, in->keyword_span))
			return;	/* one finding per instruction, as hadolint */
		for (size_t i = 0; i < in->nheredocs; i++)
			if (in->heredocs[i].script && report_pipe(lint, in->heredocs[i].script,
								   &in->heredocs[i].body, 0,
								   in->keyword_span))
				return;
	}
}
