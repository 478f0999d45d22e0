/* cmds.c - the commands of an instruction; see cmds.h. */
#include "engine/cmds.h"
#include "parse/expand.h"
#include "parse/scope.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct walk_ctx {
	df_cmd_view view;
	df_cmd_fn fn;
	void *ud;
} walk_ctx;

static int visit(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	walk_ctx *w = ud;
	if (cmd->kind != DF_SH_SIMPLE || cmd->nwords == 0)
		return 0;
	w->view.cmd = cmd;
	w->view.name = df_sh_cmd_name_index(cmd);
	return w->fn(&w->view, w->ud);
}

int df_each_command(const df_instr *in, df_cmd_fn fn, void *ud)
{
	if (in->kind != DF_I_RUN || in->has_error)
		return 0;
	walk_ctx w;
	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.ud = ud;
	int rc = 0;
	if (in->exec_form && in->nargs) {
		/* Exec form is argv: a command of its own words, no shell. */
		df_sh_cmd cmd;
		memset(&cmd, 0, sizeof(cmd));
		df_sh_word *words = df_xcalloc(in->nargs, sizeof(df_sh_word));
		for (size_t i = 0; i < in->nargs; i++) {
			words[i].raw = in->args[i].raw;
			words[i].value = in->args[i].value;
		}
		cmd.kind = DF_SH_SIMPLE;
		cmd.words = words;
		cmd.nwords = in->nargs;
		w.view.cmd = &cmd;
		w.view.name = df_sh_cmd_name_index(&cmd);
		w.view.text = &in->text;
		w.view.exec = in->args;
		rc = fn(&w.view, ud);
		free(words);
		return rc;
	}
	if (in->script) {
		w.view.text = &in->text;
		w.view.base = in->args[0].text_off;
		rc = df_sh_walk(in->script, visit, &w);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < in->nheredocs; i++) {
		if (!in->heredocs[i].script)
			continue;
		w.view.text = &in->heredocs[i].body;
		w.view.base = 0;
		w.view.in_heredoc = true;
		rc = df_sh_walk(in->heredocs[i].script, visit, &w);
		if (rc)
			return rc;
	}
	return 0;
}

df_span df_cmd_word_span(const df_cmd_view *v, size_t i)
{
	if (v->exec)
		return v->exec[i].span;
	const df_sh_word *w = &v->cmd->words[i];
	return df_text_span(v->text, v->base + w->start, w->end - w->start);
}

bool df_cmd_named(const df_cmd_view *v, const char *name)
{
	const df_str s = v->cmd->words[v->name].value;
	const char *base = s.ptr;
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] == '/')
			base = s.ptr + i + 1;
	return df_mem_eq(base, (size_t)(s.ptr + s.len - base), name);
}

static df_var_state lookup(void *ud, const char *name, size_t len, df_str *value)
{
	const df_var *var = df_scope_find(ud, name, len);
	if (!var || var->state != DF_EXP_KNOWN)
		return DF_VAR_UNKNOWN;	/* a build arg, or a variable of the script */
	*value = var->value;
	return DF_VAR_KNOWN;
}

df_sh_cmd df_cmd_expanded(df_arena *a, const df_cmd_view *v, const df_instr *in)
{
	const df_sh_cmd *c = v->cmd;
	df_sh_cmd out = *c;
	size_t cap = c->nwords;
	out.words = DF_ARENA_ARRAY(a, df_sh_word, cap);
	out.nwords = 0;
	df_expand_opts o = { .lookup = lookup, .ud = (void *)(in->outer ? NULL : in->scope) };
	for (size_t i = 0; i < c->nwords; i++) {
		df_sh_word w = c->words[i];
		df_str *parts = &w.value;
		size_t nparts = 1;
		df_expand_result r;
		/* $(...), `...` and $((...)) run code: their value is unknown. */
		bool code = memchr(w.value.ptr, '`', w.value.len) || df_mem_contains(w.value.ptr, w.value.len, "$(");
		if (!v->exec && i > v->name && w.has_expansion && !code) {
			nparts = df_expand_words(a, w.raw.ptr, w.raw.len, &o, &parts, &r);
			if (r.status == DF_EXPAND_OK)
				w.has_expansion = false;
			else
				parts = &w.value, nparts = 1;
		}
		if (out.nwords + nparts > cap) {
			size_t ncap = out.nwords + nparts + c->nwords;
			out.words = df_arena_grow(a, out.words, cap, ncap, sizeof(df_sh_word));
			cap = ncap;
		}
		for (size_t k = 0; k < nparts; k++) {
			w.value = parts[k];
			out.words[out.nwords++] = w;
		}
	}
	return out;
}

bool df_cmd_has_word(const df_sh_cmd *c, size_t from, const char *word)
{
	for (size_t i = from + 1; i < c->nwords; i++)
		if (df_mem_eq(c->words[i].value.ptr, c->words[i].value.len, word))
			return true;
	return false;
}

bool df_cmd_any_unknown(const df_sh_cmd *c, size_t from)
{
	for (size_t i = from + 1; i < c->nwords; i++)
		if (c->words[i].has_expansion)
			return true;
	return false;
}
