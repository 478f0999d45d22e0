/* DL3027 - do not use apt; use apt-get or apt-cache. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3027 = {
	.code = "DL3027",
	.name = "no-apt",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "Do not use apt as it is meant to be a end-user tool, use apt-get or apt-cache instead",
	.docs = {
		.what = "Reports an `apt` command in a RUN instruction (and in ONBUILD RUN).",
		.why = "`apt` is for people at a terminal: its output and behaviour may change "
		       "between releases and it warns that it has no stable CLI.",
		.example = "FROM debian:12\nRUN apt update && apt install -y curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
	},
	.commands = (const char *const[]){ "apt", NULL },
	.on_command = on_command,
};

/*
 * How safe writing apt-get for apt is: the same for the subcommands both
 * have with one meaning; unsafe for upgrade (apt's installs new
 * dependencies, apt-get's does not); none for what apt-get lacks (search,
 * show, list: apt-cache's), for a subcommand from a variable, and for exec
 * form.
 */
static df_fix_kind fix_kind(const df_cmd_view *v)
{
	static const char *const same[] = {
		"install", "remove", "purge", "update", "autoremove", "autopurge", "clean", "autoclean",
		"build-dep", "source", "satisfy",
	};
	const df_sh_word *name = &v->cmd->words[v->name];
	if (v->exec || name->has_expansion || !df_mem_has_suffix(name->raw.ptr, name->raw.len, "apt"))
		return DF_FIX_NONE;
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
		const df_sh_word *w = &v->cmd->words[i];
		if (w->raw.len && w->raw.ptr[0] == '-')
			continue;	/* an option: apt's come before or after the subcommand */
		if (w->has_expansion)
			return DF_FIX_NONE;
		for (size_t k = 0; k < DF_ARRAY_LEN(same); k++)
			if (df_mem_eq(w->raw.ptr, w->raw.len, same[k]))
				return DF_FIX_SAFE;
		return df_mem_eq(w->raw.ptr, w->raw.len, "upgrade") ? DF_FIX_UNSAFE : DF_FIX_NONE;
	}
	return DF_FIX_NONE;
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	df_span name = df_cmd_word_span(v, v->name);
	df_fix *fix = df_report_fix(lint, &df_rule_DL3027, fix_kind(v), name, NULL);
	df_fix_edit(fix, name.end, name.end, "-get");	/* apt -> apt-get, /usr/bin/apt -> /usr/bin/apt-get */
	return 1;	/* one finding per instruction, as hadolint */
}
