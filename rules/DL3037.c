/* DL3037 - pin versions in zypper install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3037 = {
	.code = "DL3037",
	.name = "zypper-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Specify version with `zypper install -y <package>=<version>`.",
	.docs = {
		.what = "Reports a `zypper install` or `zypper in` package (also in ONBUILD RUN) "
			"holding none of `=`, `<` or `>` and not ending in `.rpm`.",
		.why = "An unpinned package installs whatever version the repository holds on the "
		       "day of the build: builds stop being repeatable and break without notice.",
		.example = "FROM opensuse/leap:15\nRUN zypper install -y httpd\n",
		.instead = "FROM opensuse/leap:15\nRUN zypper install -y httpd=2.4.51\n",
	},
	.commands = (const char *const[]){ "zypper", NULL },
	.on_command = on_command,
};

static bool pinned(df_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] == '=' || s.ptr[i] == '<' || s.ptr[i] == '>')
			return true;
	return s.len >= 4 && memcmp(s.ptr + s.len - 4, ".rpm", 4) == 0;
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	if (!(df_cmd_has_arg(v, "install") || df_cmd_has_arg(v, "in")))
		return 0;
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
		const df_str s = v->cmd->words[i].value;
		/* As hadolint: every word not starting with '-' is a package. */
		if ((s.len && s.ptr[0] == '-') || df_mem_eq(s.ptr, s.len, "install") ||
		    df_mem_eq(s.ptr, s.len, "in") || pinned(s))
			continue;
		df_report(lint, &df_rule_DL3037, df_cmd_word_span(v, i), NULL);
		return 1;	/* one finding per instruction, as hadolint */
	}
	return 0;
}
