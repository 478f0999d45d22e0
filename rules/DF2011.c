/* DF2011 - a directory made by mktemp -d and never removed. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/rule.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

#define MAX_DIRS 8

/* The `NAME=$(mktemp -d)` of the RUN being linted, found by on_instr. */
typedef struct temp_dirs {
	const df_sh_cmd *mktemp[MAX_DIRS];	/* the mktemp command */
	df_str var[MAX_DIRS];			/* the variable holding its path */
	size_t n;
} temp_dirs;

const df_rule df_rule_DF2011 = {
	.code = "DF2011",
	.name = "mktemp-dir-not-removed",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "directory made by mktemp -d is not removed in the same RUN",
	.docs = {
		.what = "Reports `NAME=$(mktemp -d)` (also with backquotes, `--directory`, after "
			"`export`, `local`, `readonly` or `declare`) in a RUN (shell form, heredoc "
			"scripts, ONBUILD RUN) when no later command of the same RUN removes the "
			"directory: `rm -r` (any spelling of the recursive flag) of `$NAME` or "
			"`${NAME}`, quoted or not; or, for a mktemp without `-p`/`--tmpdir`/`-t`, an "
			"`rm -r` that removes everything in /tmp. A `trap` whose action removes "
			"`$NAME` counts wherever it is. Only stages that end up in the image are "
			"checked (the target stage and the stages it is built FROM): a builder "
			"stage's layers are not shipped. Nothing is offered as a fix: where the "
			"removal belongs depends on what the directory is for.",
		.why = "A temporary directory usually holds a download, a clone or a build tree. "
		       "Unless the RUN removes it, all of that stays in the layer; removing it in a "
		       "later RUN does not shrink the image.",
		.example = "FROM debian:12\n"
			   "RUN D=$(mktemp -d) && cd \"$D\" \\\n"
			   " && git clone https://example.com/tool.git . && make install\n",
		.instead = "FROM debian:12\n"
			   "RUN D=$(mktemp -d) && cd \"$D\" \\\n"
			   " && git clone https://example.com/tool.git . && make install \\\n"
			   " && cd / && rm -rf \"$D\"\n",
	},
	.state_size = sizeof(temp_dirs),
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = on_instr,
	.commands = (const char *const[]){ "mktemp", NULL },
	.on_command = on_command,
};

static const df_optspec mktemp_opts = {
	.short_values = "p",
	.long_values = (const char *const[]){ "--tmpdir", "--suffix", NULL },
};

static bool makes_dir(const df_sh_cmd *c)
{
	static const char *const directory[] = { "--directory", NULL };
	size_t name = df_sh_cmd_name_index(c);
	return c->kind == DF_SH_SIMPLE && c->nwords && df_sh_cmd_is(c, "mktemp") &&
	       df_opt_has(c, name, &mktemp_opts, 'd', directory);
}

/* If w is NAME=$(mktemp -d ...) (or `...`), remember it. */
static void note_assignment(temp_dirs *t, const df_sh_word *w)
{
	const char *eq = memchr(w->value.ptr, '=', w->value.len);
	if (!eq || eq == w->value.ptr || w->nsubs != 1 || t->n == MAX_DIRS)
		return;
	const df_sh_list *l = w->subs[0]->list;
	if (l->nitems != 1 || l->items[0]->npipes != 1 || l->items[0]->pipes[0]->ncmds != 1)
		return;
	const df_sh_cmd *c = l->items[0]->pipes[0]->cmds[0];
	if (!makes_dir(c))
		return;
	size_t n = (size_t)(eq - w->value.ptr);
	if (n && w->value.ptr[n - 1] == '+')
		return;	/* NAME+=...: appends */
	t->mktemp[t->n] = c;
	t->var[t->n] = (df_str){ w->value.ptr, n };
	t->n++;
}

static int visit(const df_sh_cmd *c, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	temp_dirs *t = ud;
	for (size_t i = 0; i < c->nassigns; i++)
		note_assignment(t, &c->assigns[i]);
	static const char *const declares[] = { "export", "local", "readonly", "declare", "typeset" };
	for (size_t k = 0; c->nwords && k < DF_ARRAY_LEN(declares); k++)
		if (df_sh_word_is(&c->words[0], declares[k]))
			for (size_t i = 1; i < c->nwords; i++)
				note_assignment(t, &c->words[i]);
	return 0;
}

/* Find the NAME=$(mktemp -d) of the RUN: the engine's commands leave out
 * bare assignments, which are no commands. */
static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	(void)lint;
	temp_dirs *t = state;
	const df_instr *run = in->inner ? in->inner : in;
	t->n = 0;
	if (run->kind != DF_I_RUN)
		return;
	if (run->script)
		df_sh_walk(run->script, visit, t);
	for (size_t i = 0; i < run->nheredocs; i++)
		if (run->heredocs[i].script)
			df_sh_walk(run->heredocs[i].script, visit, t);
}

typedef struct trap_find {
	df_str var;
	bool found;
} trap_find;

/* Does a word hold $var or ${var} (and no longer name)? */
static bool mentions(df_str s, df_str var)
{
	for (size_t i = 0; i + 1 + var.len <= s.len; i++) {
		if (s.ptr[i] != '$')
			continue;
		size_t k = i + 1 + (s.ptr[i + 1] == '{');
		if (k + var.len > s.len || memcmp(s.ptr + k, var.ptr, var.len) != 0)
			continue;
		size_t end = k + var.len;
		if (s.ptr[i + 1] == '{' ? end < s.len && s.ptr[end] == '}'
					: end == s.len || !(df_is_alnum((unsigned char)s.ptr[end]) || s.ptr[end] == '_'))
			return true;
	}
	return false;
}

static int trap_removes(const df_cmd_view *v, void *ud)
{
	trap_find *t = ud;
	const df_sh_cmd *c = v->cmd;
	if (!df_cmd_named(v, "trap") || v->name + 1 >= c->nwords)
		return 0;
	df_str action = c->words[v->name + 1].value;
	t->found |= df_mem_contains(action.ptr, action.len, "rm ") && mentions(action, t->var);
	return t->found;
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const tmpdir[] = { "--tmpdir", NULL };
	const temp_dirs *t = state;
	size_t i = 0;
	while (i < t->n && t->mktemp[i] != v->cmd)
		i++;
	if (i == t->n || !df_stage_ships(df_lint_graph(lint), in->stage))
		return 0;
	df_str var = t->var[i];
	char ref[256];
	if (var.len + 2 > sizeof(ref))
		return 0;
	snprintf(ref, sizeof(ref), "$%.*s", (int)var.len, var.ptr);
	trap_find tf = { var, false };
	df_lint_each_command(lint, in->inner ? in->inner : in, trap_removes, &tf);
	if (tf.found || df_run_removes_after(lint, v, ref, strlen(ref), false))
		return 0;
	/* mktemp's default place: an `rm -rf /tmp/...` that takes in any name. */
	bool default_dir = !df_opt_has(v->cmd, v->name, &mktemp_opts, 'p', tmpdir) &&
			   !df_opt_has(v->cmd, v->name, &mktemp_opts, 't', NULL);
	if (default_dir && df_run_removes_after(lint, v, "/tmp/tmp.XXXXXXXXXX", 19, false))
		return 0;
	df_report(lint, &df_rule_DF2011, df_cmd_word_span(v, v->name),
		  "the directory in $%.*s (mktemp -d) is not removed in this RUN: whatever was put in "
		  "it stays in the layer; end the RUN with `rm -rf \"$%.*s\"` (or set a trap)",
		  (int)var.len, var.ptr, (int)var.len, var.ptr);
	return 0;
}
