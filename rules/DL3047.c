/* DL3047 - wget without a progress setting floods the build log. */
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3047 = {
	.code = "DL3047",
	.name = "wget-progress",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_SAFE,
	.message = "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`)",
	.docs = {
		.what = "Reports a `wget` command (also in ONBUILD RUN) with none of `--progress`, "
			"`-q`/`--quiet`, `-o`/`--output-file`, `-a`/`--append-output`, "
			"`--no-verbose` or `-nv`. Unlike hadolint, options held in a known ARG or "
			"ENV value count, and a command with an argument of unknown value is left "
			"alone.",
		.why = "Without a terminal wget prints a progress line for every few kilobytes, "
		       "burying the rest of the build log under thousands of lines.",
		.example = "FROM debian:12\nRUN wget https://example.com/app.tar.gz\n",
		.instead = "FROM debian:12\nRUN wget --progress=dot:giga https://example.com/app.tar.gz\n",
	},
	.commands = (const char *const[]){ "wget", NULL },
	.on_command = on_command,
};

static bool quiet_enough(const df_sh_cmd *c, size_t from)
{
	static const char *const flags[] = {
		"--progress", "-q", "--quiet", "-o", "--output-file", "-a", "--append-output",
		"--no-verbose", "-nv",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(flags); i++)
		if (df_sh_has_flag(c, from, flags[i]))
			return true;
	return false;
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	const df_sh_cmd *cmd = df_lint_expanded(lint, v)->cmd;
	if (df_cmd_any_unknown(cmd, v->name) || quiet_enough(cmd, v->name))
		return 0;
	/* The fix: the progress style that prints a dot per megabyte-ish
	 * chunk, as the message suggests. */
	df_report_insert_after(lint, &df_rule_DL3047, DF_FIX_SAFE, df_cmd_word_span(v, v->name), NULL, v, (long)v->name,
			       "--progress=dot:giga");
	return 1;	/* one finding per instruction, as hadolint */
}
