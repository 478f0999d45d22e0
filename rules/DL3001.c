/* DL3001 - commands that make no sense inside a container build. */
#include "engine/cmds.h"
#include "engine/rule.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3001 = {
	.code = "DL3001",
	.name = "no-interactive-commands",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
	.docs = {
		.what = "Reports a RUN (or ONBUILD RUN) that calls free, kill, mount, ps, service, "
			"shutdown, ssh, top or vim. As in hadolint, `ifconfig` is named in the "
			"message but not checked.",
		.why = "A build step has no running services, no terminal and no init system: "
		       "these commands either do nothing useful or hang the build.",
		.example = "FROM debian:12\nRUN service nginx start\n",
		.instead = "FROM debian:12\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
	},
	.commands = (const char *const[]){
		"free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim", NULL,
	},
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	df_report(lint, &df_rule_DL3001, df_cmd_word_span(v, v->name), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}
