/* DL3030 - yum install needs -y. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3030 = {
	.code = "DL3030",
	.name = "yum-assume-yes",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Use the -y switch to avoid manual input `yum install -y <package`",
	.docs = {
		.what = "Reports a `yum install`, `groupinstall` or `localinstall` (also in ONBUILD "
			"RUN) without `-y` or `--assumeyes`. Unlike hadolint, a command with an "
			"argument holding a variable is left alone: it may hold the switch.",
		.why = "Without it yum stops to ask for confirmation, and a build has nobody to "
		       "answer: the step fails.",
		.example = "FROM centos:7\nRUN yum install httpd\n",
		.instead = "FROM centos:7\nRUN yum install -y httpd\n",
	},
	.commands = (const char *const[]){ "yum", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	if (!(df_cmd_has_arg(v, "install") || df_cmd_has_arg(v, "groupinstall") ||
	      df_cmd_has_arg(v, "localinstall")))
		return 0;
	if (df_cmd_any_unknown(v->cmd, v->name) || df_sh_has_flag(v->cmd, v->name, "-y") ||
	    df_sh_has_flag(v->cmd, v->name, "--assumeyes"))
		return 0;
	df_report(lint, &df_rule_DL3030, df_cmd_word_span(v, v->name), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}
