/* DL4005 - use SHELL rather than relinking /bin/sh. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL4005 = {
	.code = "DL4005",
	.name = "use-shell-instruction",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Use SHELL to change the default shell",
	.docs = {
		.what = "Reports an `ln` command with `/bin/sh` among its arguments, in a RUN "
			"instruction (and in ONBUILD RUN), at that argument.",
		.why = "Replacing /bin/sh changes the shell of every later RUN behind the reader's "
		       "back, and of every image built on this one; SHELL says it in the open.",
		.example = "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n",
		.instead = "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\n",
	},
	.commands = (const char *const[]){ "ln", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
		const df_str s = v->cmd->words[i].value;
		if (df_mem_eq(s.ptr, s.len, "/bin/sh")) {
			df_report(lint, &df_rule_DL4005, df_cmd_word_span(v, i), NULL);
			return 1;	/* one finding per instruction, as hadolint */
		}
	}
	return 0;
}
