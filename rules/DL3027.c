/* DL3027 - do not use apt; use apt-get or apt-cache. */
#include "engine/cmds.h"
#include "engine/rule.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3027 = {
	.code = "DL3027",
	.name = "no-apt",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Do not use apt as it is meant to be a end-user tool, use apt-get or apt-cache instead",
	.docs = {
		.what = "Reports an `apt` command in a RUN instruction (and in ONBUILD RUN).",
		.why = "`apt` is for people at a terminal: its output and behaviour may change "
		       "between releases and it warns that it has no stable CLI.",
		.example = "FROM debian:12\nRUN apt update && apt install -y curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
	},
	.commands = (const char *const[]){ "apt", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	df_report(lint, &df_rule_DL3027, df_cmd_word_span(v, v->name), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}
