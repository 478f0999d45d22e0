/* DL3003 - use WORKDIR to switch to a directory. */
#include "engine/cmds.h"
#include "engine/rule.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3003 = {
	.code = "DL3003",
	.name = "use-workdir-not-cd",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Use WORKDIR to switch to a directory",
	.docs = {
		.what = "Reports a `cd` command in a RUN instruction.",
		.why = "`cd` only lasts for its RUN; WORKDIR states the directory for every later "
		       "instruction and shows in the image config.",
		.example = "FROM alpine\nRUN cd /src && make\n",
		.instead = "FROM alpine\nWORKDIR /src\nRUN make\n",
	},
	.commands = (const char *const[]){ "cd", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	if (in->inner)
		return 1;	/* not for ONBUILD triggers, as in hadolint */
	df_report(lint, &df_rule_DL3003, df_cmd_word_span(v, v->name), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}
