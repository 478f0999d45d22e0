/* DL3009 - delete the apt lists after apt-get update. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/rule.h"
#include "parse/shell.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3009 = {
	.code = "DL3009",
	.name = "apt-lists-cleanup",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_SAFE,
	.message = "Delete the apt-get lists after installing something",
	.docs = {
		.what = "Reports a RUN (also ONBUILD RUN) that runs `apt-get`, `apt` or `aptitude` "
			"`update` but no `rm` with `-rf` or `/var/lib/apt/lists/*`, unless it has a "
			"cache or tmpfs mount whose target contains `/var/lib/apt/lists`, or mounts "
			"whose targets contain `/var/lib/apt` and `/var/cache/apt` (as hadolint reads "
			"them: `/var/lib/apt/lists/` counts). Only RUNs of the last stage, or of a stage a later "
			"FROM builds on, are reported: other stages do not ship. An ONBUILD RUN is "
			"reported in any stage, as in hadolint: a trigger runs in every child image. "
			"In a file with no FROM at all, every RUN counts. The fix appends "
			"`&& rm -rf /var/lib/apt/lists/*` to the RUN's last command (in a `RUN <<EOF` "
			"script, to the script's last command), through `sudo` or `doas` when the update "
			"runs through it (the lists belong to root); none for an exec-form RUN, an "
			"ONBUILD trigger, a RUN before any FROM, a RUN that only updates or whose "
			"lists a later RUN of its stage (or of a stage built on it, or an ONBUILD RUN, "
			"even through `xargs`) installs from "
			"before updating them again (that install needs the lists; merge the RUNs "
			"first, as DF1003's fix does), a RUN whose last command runs in the "
			"background or exits, a heredoc with CRLF lines, or a script the sh parser "
			"cannot read.",
		.why = "The package lists stay in the layer: tens of megabytes the image carries "
		       "and never uses. Deleting them in a later RUN does not shrink the image.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n"
			   " && rm -rf /var/lib/apt/lists/*\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "apt-get", "apt", "aptitude", NULL },
	.on_instr = check,
};

typedef struct found {
	df_span update_span;	/* the command name of the first update */
	const char *cleanup;	/* what the fix appends */
	bool has_update, has_cleanup;
	bool used_after;	/* an apt command after the update reads the lists */
} found;

static bool is_apt(const df_cmd_view *v)
{
	return df_cmd_named(v, "apt-get") || df_cmd_named(v, "apt") || df_cmd_named(v, "aptitude");
}

/* The apt commands that read the package lists. */
static const char *const readers[] = { "install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep",
				       "source", "download", "reinstall", NULL };

static bool reads_lists(const df_cmd_view *v)
{
	for (size_t i = 0; readers[i]; i++)
		if (df_cmd_has_arg(v, readers[i]))
			return true;
	return false;
}

static int each(const df_cmd_view *v, void *ud)
{
	found *f = ud;
	/* One reader is enough: each look scans the command's words. */
	if (f->has_update && !f->used_after && is_apt(v))
		f->used_after = reads_lists(v);
	if (!f->has_update && is_apt(v) && df_cmd_has_arg(v, "update")) {
		f->has_update = true;
		f->update_span = df_cmd_word_span(v, v->name);
		/* The lists belong to root: a user who updates through sudo
		 * removes them through it too. */
		const df_sh_word *first = &v->cmd->words[0];
		f->cleanup = df_sh_word_is(first, "sudo")   ? " && sudo rm -rf /var/lib/apt/lists/*"
			     : df_sh_word_is(first, "doas") ? " && doas rm -rf /var/lib/apt/lists/*"
							    : " && rm -rf /var/lib/apt/lists/*";
	}
	/* As hadolint: any `rm -rf` counts, and so does any rm of the lists. */
	if (df_cmd_named(v, "rm") &&
	    (df_cmd_has_arg(v, "-rf") || df_cmd_has_arg(v, "/var/lib/apt/lists/*")))
		f->has_cleanup = true;
	return 0;
}

/* The last stage ships, and so does a stage a later FROM builds on. A file
 * with no FROM is one stage, as hadolint reads it. */
static bool stage_ships(const df_graph *g, int stage)
{
	if (stage < 0)
		return g->nstages == 0;
	if ((size_t)stage + 1 == g->nstages)
		return true;
	for (size_t i = (size_t)stage + 1; i < g->nstages; i++)
		if (g->stages[i].base_kind == DF_BASE_STAGE && g->stages[i].base_stage == stage)
			return true;
	return false;
}

/* Is stage built on base, directly or through other stages? */
static bool builds_on(const df_graph *g, int stage, int base)
{
	for (size_t hops = 0; stage >= 0 && hops < g->nstages; hops++) {
		if (stage == base)
			return true;
		const df_stage *st = &g->stages[stage];
		stage = st->base_kind == DF_BASE_STAGE ? st->base_stage : -1;
	}
	return false;
}

/* The apt command that `xargs [OPTION...] apt-get ...` runs, as a view of
 * its own; false when v is no xargs of an apt command. */
static bool xargs_apt(const df_cmd_view *v, df_cmd_view *out)
{
	if (!df_cmd_named(v, "xargs"))
		return false;
	for (uint32_t i = v->name + 1; i < v->cmd->nwords; i++) {
		const df_sh_word *w = &v->cmd->words[i];
		if (df_sh_word_is(w, "apt-get") || df_sh_word_is(w, "apt") || df_sh_word_is(w, "aptitude")) {
			*out = *v;
			out->name = i;
			return true;
		}
	}
	return false;
}

/* What a later RUN does first with the lists: 1 reads them, -1 updates them. */
static int first_use(const df_cmd_view *v, void *ud)
{
	int *use = ud;
	df_cmd_view through_xargs;
	if (xargs_apt(v, &through_xargs))
		v = &through_xargs;
	else if (!is_apt(v))
		return 0;
	if (df_cmd_has_arg(v, "update"))
		*use = -1;
	else if (reads_lists(v))
		*use = 1;
	return *use != 0;	/* the first use decides */
}

/*
 * Does a RUN after in, in its stage or a stage built on it, read the
 * package lists before updating them? Deleting them at the end of in would
 * make that RUN's install fail; DF1003 merges such a RUN into this one,
 * after which the fix is safe. A RUN that updates again ends the question:
 * everything after it reads its lists. An ONBUILD RUN counts too: it runs
 * in the child image, after the whole stage.
 */
static bool read_later(df_lint *lint, const df_instr *in)
{
	const df_doc *doc = df_lint_doc(lint);
	const df_graph *g = df_lint_graph(lint);
	for (size_t i = in->index + 1; i < doc->ninstrs; i++) {
		const df_instr *later = doc->instrs[i]->inner ? doc->instrs[i]->inner : doc->instrs[i];
		if (later->kind != DF_I_RUN || !builds_on(g, doc->instrs[i]->stage, in->stage))
			continue;
		int use = 0;
		df_lint_each_command(lint, later, first_use, &use);
		if (use)
			return use > 0;
	}
	return false;
}

/* A place in an instruction's text. */
typedef struct text_pos {
	const df_text *text;
	size_t off;
} text_pos;

/* The RUN line runs nothing but its one heredoc, as a script: `<<EOF`, or
 * `bash <<EOF`. */
static bool runs_heredoc(const df_instr *run)
{
	const df_sh_script *s = run->script;
	if (!s || s->error || s->list->nitems != 1 || s->list->items[0]->npipes != 1 ||
	    s->list->items[0]->background || s->list->items[0]->pipes[0]->ncmds != 1)
		return false;
	const df_sh_cmd *c = s->list->items[0]->pipes[0]->cmds[0];
	if (c->kind != DF_SH_SIMPLE || c->nassigns || c->nwords > 1 || c->nredirs != 1 || !c->redirs[0].heredoc)
		return false;
	return c->nwords == 0 || df_sh_word_is(&c->words[0], "sh") || df_sh_word_is(&c->words[0], "bash") ||
	       df_sh_word_is(&c->words[0], "ash") || df_sh_word_is(&c->words[0], "dash") ||
	       df_sh_word_is(&c->words[0], "zsh");
}

/*
 * Where the script of run ends: just after its last command (the `;` after
 * it, a trailing comment and the line's end come later), in the RUN's text
 * or, for a RUN that only runs a heredoc, in the heredoc's body. False when
 * appending `&& rm` there would not run it after the rest: a last command
 * sent to the background or one that exits, or a script that does not parse.
 */
static bool script_end(const df_instr *run, text_pos *out)
{
	if (run->exec_form || run->nargs != 1)
		return false;
	const df_sh_script *s = run->script;
	out->text = &run->text;
	size_t base = run->args[0].text_off;
	if (run->nheredocs) {
		/* A CRLF body hands sh its \r: the last word ends in one. */
		const df_str body = run->heredocs[0].body.str;
		if (run->nheredocs != 1 || !run->heredocs[0].script || !runs_heredoc(run) ||
		    memchr(body.ptr, '\r', body.len))
			return false;
		s = run->heredocs[0].script;
		out->text = &run->heredocs[0].body;
		base = 0;
	}
	if (!s || s->error || !s->list->nitems)
		return false;
	const df_sh_andor *last = s->list->items[s->list->nitems - 1];
	const df_sh_pipeline *p = last->pipes[last->npipes - 1];
	if (last->background || last->end <= last->start || df_sh_cmd_is(p->cmds[p->ncmds - 1], "exit"))
		return false;
	out->off = base + last->end;
	return true;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (run->kind != DF_I_RUN)
		return;
	/* A trigger runs in every child image, so it always counts. */
	if (!in->inner && !stage_ships(df_lint_graph(lint), in->stage))
		return;
	if (df_run_cache_mount_with(run, "/var/lib/apt/lists") ||
	    (df_run_cache_mount_with(run, "/var/lib/apt") && df_run_cache_mount_with(run, "/var/cache/apt")))
		return;
	found f = { 0 };
	df_lint_each_command(lint, run, each, &f);
	if (!f.has_update || f.has_cleanup)
		return;
	text_pos end;
	/* Removing the lists of a RUN that only updates, or whose lists a
	 * later RUN installs from, would starve that install: no fix then. */
	df_fix_kind kind = !in->inner && in->stage >= 0 && f.used_after && script_end(run, &end) && !read_later(lint, in)
				   ? DF_FIX_SAFE
				   : DF_FIX_NONE;
	df_fix *fix = df_report_fix(lint, &df_rule_DL3009, kind, f.update_span, NULL);
	if (kind == DF_FIX_SAFE) {
		uint32_t at = df_text_src(end.text, end.off - 1) + 1;	/* just past the last byte */
		df_fix_edit(fix, at, at, f.cleanup);
	}
}
