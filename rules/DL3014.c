/* DL3014 - apt-get install needs -y. */
#include "engine/apt.h"
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/rule.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3014 = {
	.code = "DL3014",
	.name = "apt-get-assume-yes",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
	.docs = {
		.what = "Reports an `apt-get install` (also in ONBUILD RUN) with none of `-y`, "
			"`--yes`, `--assume-yes`, `--qq`, exactly two `-q` (`-qq`), two `--quiet` "
			"or `-q=2`. Unlike hadolint, options held in a known ARG or ENV value "
			"count, and a command with an argument of unknown value is left alone.",
		.why = "Without it apt-get stops to ask for confirmation, and a build has nobody "
		       "to answer: the step fails or hangs.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
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
	    df_apt_assumes_yes(cmd, v->name))
		return 0;
	df_report_insert_after(lint, &df_rule_DL3014, DF_FIX_SAFE, df_cmd_word_span(v, v->name), NULL, v,
			       df_cmd_literal_word(v, "install"), "-y");
	return 1;	/* one finding per instruction, as hadolint */
}
