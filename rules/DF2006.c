/* DF2006 - gem update --system leaves the rubygems-update gem behind. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2006 = {
	.code = "DF2006",
	.name = "gem-update-system-leftovers",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "gem update --system leaves the rubygems-update gem and the old RubyGems in the layer",
	.docs = {
		.what = "Reports `gem update --system` in a RUN (shell form, exec form, heredoc "
			"scripts, ONBUILD RUN) that no later command of the same RUN cleans up "
			"after: `gem cleanup` (any arguments) or `gem uninstall` of "
			"`rubygems-update`. Only stages that end up in the image are checked (the "
			"target stage and the stages it is built FROM): a builder stage's layers "
			"are not shipped.",
		.why = "`gem update --system` works by installing the rubygems-update gem (its "
		       "package in the gem cache and its unpacked files) and running it; both stay "
		       "in the layer with the RubyGems version it replaced, a few megabytes "
		       "nothing uses again. Cleaning up in a later RUN does not shrink the image.",
		.example = "FROM ruby:3.3-slim\nRUN gem update --system\n",
		.instead = "FROM ruby:3.3-slim\nRUN gem update --system && gem cleanup\n",
	},
	.commands = (const char *const[]){ "gem", NULL },
	.on_command = on_command,
};

static bool word_is(df_str s, const char *lit)
{
	return df_mem_eq(s.ptr, s.len, lit);
}

/* `gem cleanup`, or `gem uninstall rubygems-update`. */
static int is_cleanup(const df_cmd_view *v, void *ud)
{
	(void)ud;
	if (!df_cmd_named(v, "gem") || v->name + 1 >= v->cmd->nwords)
		return 0;
	df_str sub = v->cmd->words[v->name + 1].value;
	return word_is(sub, "cleanup") ||
	       (word_is(sub, "uninstall") && df_cmd_has_word(v->cmd, v->name + 1, "rubygems-update"));
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	const df_sh_cmd *c = v->cmd;
	if (v->name + 1 >= c->nwords || !word_is(c->words[v->name + 1].value, "update") ||
	    !df_cmd_has_word(c, v->name + 1, "--system"))
		return 0;
	if (!df_stage_ships(df_lint_graph(lint), in->stage))
		return 1;
	if (df_run_each_after(lint, v, is_cleanup, NULL))
		return 1;
	df_report(lint, &df_rule_DF2006, df_cmd_word_span(v, v->name + 1),
		  "`gem update --system` leaves the rubygems-update gem and the RubyGems it replaced "
		  "in the layer; add `&& gem cleanup` to this RUN");
	return 1;
}
