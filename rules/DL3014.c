/* DL3014 - apt-get install needs -y. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3014 = {
	.code = "DL3014",
	.name = "apt-get-assume-yes",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
	.docs = {
		.what = "Reports an `apt-get install` (also in ONBUILD RUN) with none of `-y`, "
			"`--yes`, `--assume-yes`, `--qq`, exactly two `-q` (`-qq`), two `--quiet` "
			"or `-q=2`. Unlike hadolint, options held in a known ARG or ENV value "
			"count, and a command with an argument of unknown value is left alone.",
		.why = "Without it apt-get stops to ask for confirmation, and a build has nobody "
		       "to answer: the step fails or hangs.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
	},
	.commands = (const char *const[]){ "apt-get", NULL },
	.on_command = on_command,
};

/* -qq, -q -q or --quiet --quiet: apt-get's quiet level 2 implies -y. */
static bool quiet_two(const df_sh_cmd *c, size_t from)
{
	size_t q = 0, quiet = 0;
	for (size_t i = from + 1; i < c->nwords; i++) {
		df_str s = c->words[i].value;
		if (df_mem_eq(s.ptr, s.len, "--"))
			break;
		if (df_mem_eq(s.ptr, s.len, "--quiet")) {
			quiet++;
			continue;
		}
		if (s.len < 2 || s.ptr[0] != '-' || s.ptr[1] == '-')
			continue;
		size_t k = 1;
		while (k < s.len && df_is_alnum((unsigned char)s.ptr[k]))
			k++;
		for (size_t j = 1; k == s.len && j < s.len; j++)
			q += s.ptr[j] == 'q';
	}
	return q == 2 || quiet == 2 || df_cmd_has_word(c, from, "-q=2");
}

static bool assumes_yes(const df_sh_cmd *c, size_t from)
{
	return df_sh_has_flag(c, from, "-y") || df_sh_has_flag(c, from, "--yes") ||
	       df_sh_has_flag(c, from, "--assume-yes") || df_sh_has_flag(c, from, "--qq") ||
	       quiet_two(c, from);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	const df_sh_cmd *cmd = df_lint_expanded(lint, v)->cmd;
	if (!df_cmd_has_word(cmd, v->name, "install") || df_cmd_any_unknown(cmd, v->name) ||
	    assumes_yes(cmd, v->name))
		return 0;
	df_report(lint, &df_rule_DL3014, df_cmd_word_span(v, v->name), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}
