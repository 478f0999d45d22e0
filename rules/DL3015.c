/* DL3015 - apt-get install should skip recommended packages. */
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3015 = {
	.code = "DL3015",
	.name = "apt-get-no-install-recommends",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_UNSAFE,
	.message = "Avoid additional packages by specifying `--no-install-recommends`",
	.docs = {
		.what = "Reports an `apt-get install` (also in ONBUILD RUN) without "
			"`--no-install-recommends` and without `APT::Install-Recommends=false`. "
			"Unlike hadolint, options held in a known ARG or ENV value count, and a "
			"command with an argument of unknown value is left alone.",
		.why = "By default apt-get also installs every recommended package: more "
		       "download, a bigger image and more to patch, for things nobody asked for.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
	},
	.commands = (const char *const[]){ "apt-get", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	const df_sh_cmd *cmd = df_lint_expanded(lint, v)->cmd;
	if (!df_cmd_has_word(cmd, v->name, "install") || df_cmd_any_unknown(cmd, v->name) ||
	    df_sh_has_flag(cmd, v->name, "--no-install-recommends") ||
	    df_cmd_has_word(cmd, v->name, "APT::Install-Recommends=false"))
		return 0;
	/* Unsafe: without its recommended packages, what the image runs may
	 * miss something it used. */
	df_report_insert_after(lint, &df_rule_DL3015, DF_FIX_UNSAFE, df_cmd_word_span(v, v->name), NULL, v,
			       df_cmd_literal_word(v, "install"), "--no-install-recommends");
	return 1;	/* one finding per instruction, as hadolint */
}
