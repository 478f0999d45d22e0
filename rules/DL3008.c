/* DL3008 - pin the versions of the packages apt-get installs. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3008 = {
	.code = "DL3008",
	.name = "apt-get-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`",
	.docs = {
		.what = "Reports the first package of an `apt-get install` (also in ONBUILD RUN) "
			"that has no version: it holds no `=` or `/` and is no `.deb` file; the "
			"values of `-t`/`--target-release` are not packages. Unlike hadolint, a "
			"package word holding an ARG or ENV variable is judged by its value, and "
			"one whose value is unknown is left alone.",
		.why = "An unpinned package installs whatever the mirror has today, so the same "
		       "Dockerfile builds different images, and a cached layer hides the change.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5\n",
	},
	.commands = (const char *const[]){ "apt-get", NULL },
	.on_command = on_command,
};

static bool pinned(df_str p)
{
	return memchr(p.ptr, '=', p.len) || memchr(p.ptr, '/', p.len) ||
	       (p.len >= 4 && memcmp(p.ptr + p.len - 4, ".deb", 4) == 0);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const value_opts[] = { "-t", "--target-release", NULL };
	(void)in;
	(void)state;
	const df_cmd_view *ev = df_lint_expanded(lint, v);
	if (!df_cmd_has_word(ev->cmd, v->name, "install"))
		return 0;
	size_t n;
	const df_sh_word **pkgs = df_lint_positionals(lint, ev->cmd, v->name, value_opts, &n);
	for (size_t i = 0; i < n; i++) {
		const df_sh_word *p = pkgs[i];
		if (p->has_expansion || df_mem_eq(p->value.ptr, p->value.len, "install") || pinned(p->value))
			continue;
		df_report(lint, &df_rule_DL3008, df_cmd_word_span(ev, (size_t)(p - ev->cmd->words)), NULL);
		return 1;	/* one finding per instruction, as hadolint */
	}
	return 0;
}
