/* DL3018 - pin the versions of the packages apk adds. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3018 = {
	.code = "DL3018",
	.name = "apk-add-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`",
	.docs = {
		.what = "Reports the first package of an `apk add` (also in ONBUILD RUN) that has "
			"no version constraint: it holds no `=`, `~`, `>` or `<` and is no `.apk` "
			"file; the values of `-t`, `--virtual`, `--repository` and `-X` are not "
			"packages. Unlike hadolint, a package word holding an ARG or ENV variable "
			"is judged by its value, and one whose value is unknown is left alone.",
		.why = "An unpinned package installs whatever the repository has today, so the "
		       "same Dockerfile builds different images, and a cached layer hides the change.",
		.example = "FROM alpine:3.19\nRUN apk add --no-cache curl\n",
		.instead = "FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0\n",
	},
	.commands = (const char *const[]){ "apk", NULL },
	.on_command = on_command,
};

static bool pinned(df_str p)
{
	for (size_t i = 0; i < p.len; i++)
		if (p.ptr[i] == '=' || p.ptr[i] == '~' || p.ptr[i] == '>' || p.ptr[i] == '<')
			return true;
	return p.len >= 4 && memcmp(p.ptr + p.len - 4, ".apk", 4) == 0;
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const value_opts[] = { "-t", "--virtual", "--repository", "-X", NULL };
	(void)in;
	(void)state;
	const df_cmd_view *ev = df_lint_expanded(lint, v);
	if (!df_cmd_has_word(ev->cmd, v->name, "add"))
		return 0;
	size_t n;
	const df_sh_word **pkgs = df_lint_positionals(lint, ev->cmd, v->name, value_opts, &n);
	for (size_t i = 0; i < n; i++) {
		const df_sh_word *p = pkgs[i];
		if (p->has_expansion || df_mem_eq(p->value.ptr, p->value.len, "add") || pinned(p->value))
			continue;
		df_report(lint, &df_rule_DL3018, df_cmd_word_span(ev, (size_t)(p - ev->cmd->words)), NULL);
		return 1;	/* one finding per instruction, as hadolint */
	}
	return 0;
}
