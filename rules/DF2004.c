/* DF2004 - npm cache clean needs --force since npm 5. */
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/buf.h"
#include "graph/ecosystem.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2004 = {
	.code = "DF2004",
	.name = "npm-cache-clean-without-force",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "`npm cache clean` without --force fails on npm 5 and later",
	.docs = {
		.what = "Reports `npm cache clean` in a RUN (shell form, exec form, heredoc scripts, "
			"ONBUILD RUN) with neither `--force` nor `-f`. Global options before or "
			"between the words (`npm --loglevel warn cache clean`) are read as npm "
			"reads them; a command with a word of unknown value is left alone.",
		.why = "Since npm 5 the cache checks itself, and `npm cache clean` refuses to run "
		       "without `--force`: it prints an error and exits 1, so the RUN fails, or, "
		       "after `;` or `|| true`, the cache silently stays in the layer.",
		.example = "FROM node:20\nRUN npm ci && npm cache clean\n",
		.instead = "FROM node:20\nRUN npm ci && npm cache clean --force\n",
	},
	.commands = (const char *const[]){ "npm", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const force[] = { "--force", NULL };
	(void)in;
	(void)state;
	/* npm's options that take a value, from the package-manager table. */
	const df_optspec npm_opts = { .short_values = "w", .long_values = df_eco_find("npm")->value_opts };
	const df_cmd_view *e = df_lint_expanded(lint, v);
	size_t n;
	const df_sh_word **pos = df_lint_positionals(lint, e->cmd, e->name, npm_opts.long_values, &n);
	if (n < 2 || !df_mem_eq(pos[0]->value.ptr, pos[0]->value.len, "cache") ||
	    !df_mem_eq(pos[1]->value.ptr, pos[1]->value.len, "clean") ||
	    df_cmd_any_unknown(e->cmd, e->name) || df_opt_has(e->cmd, e->name, &npm_opts, 'f', force))
		return 0;
	df_report_insert_after(lint, &df_rule_DF2004, DF_FIX_SAFE, df_cmd_word_span(e, (size_t)(pos[1] - e->cmd->words)),
			       "`npm cache clean` without --force fails on npm 5 and later (it exits 1 and "
			       "cleans nothing); write `npm cache clean --force`",
			       v, df_cmd_literal_word(v, "clean"), "--force");
	return 0;
}
