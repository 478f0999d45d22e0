/* DL3035 - do not run zypper dist-upgrade. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3035 = {
	.code = "DL3035",
	.name = "no-zypper-dist-upgrade",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Do not use `zypper dist-upgrade`.",
	.docs = {
		.what = "Reports `zypper dist-upgrade` or `zypper dup` in a RUN instruction (also "
			"in ONBUILD RUN), at the subcommand word.",
		.why = "A distribution upgrade inside an image build pulls whatever the "
		       "repositories hold that day: builds stop being repeatable and the result "
		       "may no longer match its base image. Use a newer base image instead.",
		.example = "FROM opensuse/leap:15.5\nRUN zypper dist-upgrade -y\n",
		.instead = "FROM opensuse/leap:15.6\n",
	},
	.commands = (const char *const[]){ "zypper", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
		const df_str s = v->cmd->words[i].value;
		if (df_mem_eq(s.ptr, s.len, "dist-upgrade") || df_mem_eq(s.ptr, s.len, "dup")) {
			df_report(lint, &df_rule_DL3035, df_cmd_word_span(v, i), NULL);
			return 1;	/* one finding per instruction, as hadolint */
		}
	}
	return 0;
}
