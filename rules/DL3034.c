/* DL3034 - zypper commands that change packages need a non-interactive switch. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3034 = {
	.code = "DL3034",
	.name = "zypper-non-interactive",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Non-interactive switch missing from `zypper` command: `zypper install -y`",
	.docs = {
		.what = "Reports a `zypper` `install`/`in`, `remove`/`rm`, `source-install`/`si` or "
			"`patch` (also in ONBUILD RUN) without `--non-interactive`, `-n`, "
			"`--no-confirm` or `-y`. Unlike hadolint, a command with an argument "
			"holding a variable is left alone: it may hold the switch.",
		.why = "Without it zypper stops to ask for confirmation, and a build has nobody to "
		       "answer: the step fails.",
		.example = "FROM opensuse/leap:15\nRUN zypper install httpd\n",
		.instead = "FROM opensuse/leap:15\nRUN zypper install -y httpd\n",
	},
	.commands = (const char *const[]){ "zypper", NULL },
	.on_command = on_command,
};

static const char *const subcommands[] = {
	"install", "in", "remove", "rm", "source-install", "si", "patch", NULL,
};

static const char *const switches[] = {
	"--non-interactive", "-n", "--no-confirm", "-y", NULL,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	if (df_cmd_any_unknown(v->cmd, v->name))
		return 0;
	bool changes = false;
	for (size_t i = 0; subcommands[i]; i++)
		changes = changes || df_cmd_has_arg(v, subcommands[i]);
	for (size_t i = 0; changes && switches[i]; i++)
		if (df_sh_has_flag(v->cmd, v->name, switches[i]))
			return 0;
	if (!changes)
		return 0;
	df_report(lint, &df_rule_DL3034, df_cmd_word_span(v, v->name), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}
