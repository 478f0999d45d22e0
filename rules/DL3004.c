/* DL3004 - do not use sudo. */
#include "engine/cmds.h"
#include "engine/rule.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3004 = {
	.code = "DL3004",
	.name = "no-sudo",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_NONE,
	.message = "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root",
	.docs = {
		.what = "Reports a `sudo` command in a RUN instruction (and in ONBUILD RUN).",
		.why = "Build steps already run as the image's USER; sudo adds a TTY and "
		       "environment handling that behave differently across images.",
		.example = "FROM debian\nRUN sudo apt-get update\n",
		.instead = "FROM debian\nUSER root\nRUN apt-get update\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = check,
};

/* sudo, or a path to it: its last component, read from the end. */
static bool is_sudo(df_str s)
{
	return s.len >= 4 && memcmp(s.ptr + s.len - 4, "sudo", 4) == 0 && (s.len == 4 || s.ptr[s.len - 5] == '/');
}

static int each(const df_cmd_view *v, void *ud)
{
	df_lint *lint = ud;
	/* The wrapper itself: a word before the name (most commands have
	 * none), or the name, whose basename the view holds. */
	size_t at = 0;
	while (at < v->name && !is_sudo(v->cmd->words[at].value))
		at++;
	if (at == v->name && !df_cmd_named(v, "sudo"))
		return 0;
	df_report(lint, &df_rule_DL3004, df_cmd_word_span(v, at), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	df_lint_each_command(lint, in->inner ? in->inner : in, each, lint);
}
