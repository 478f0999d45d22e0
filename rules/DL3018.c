/* DL3018 - pin the versions of the packages apk adds. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

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
	.on_instr = check,
};

typedef struct ctx {
	df_lint *lint;
	const df_instr *in;
} ctx;

static bool pinned(df_str p)
{
	for (size_t i = 0; i < p.len; i++)
		if (p.ptr[i] == '=' || p.ptr[i] == '~' || p.ptr[i] == '>' || p.ptr[i] == '<')
			return true;
	return p.len >= 4 && memcmp(p.ptr + p.len - 4, ".apk", 4) == 0;
}

static int each(const df_cmd_view *v, void *ud)
{
	static const char *const value_opts[] = { "-t", "--virtual", "--repository", "-X", NULL };
	const ctx *cx = ud;
	if (!df_cmd_named(v, "apk"))
		return 0;
	df_arena a = DF_ARENA_INIT;
	df_cmd_view ev = *v;
	df_sh_cmd cmd = df_cmd_expanded(&a, v, cx->in);
	ev.cmd = &cmd;
	int found = 0;
	if (df_cmd_has_word(&cmd, v->name, "add")) {
		size_t n = df_sh_positionals(&cmd, v->name, value_opts, NULL, 0);
		const df_sh_word **pkgs = DF_ARENA_ARRAY(&a, const df_sh_word *, n + 1);
		df_sh_positionals(&cmd, v->name, value_opts, pkgs, n);
		for (size_t i = 0; i < n && !found; i++) {
			const df_sh_word *p = pkgs[i];
			if (p->has_expansion || df_mem_eq(p->value.ptr, p->value.len, "add") ||
			    pinned(p->value))
				continue;
			df_report(cx->lint, &df_rule_DL3018, df_cmd_word_span(&ev, (size_t)(p - cmd.words)),
				  NULL);
			found = 1;	/* one finding per instruction, as hadolint */
		}
	}
	df_arena_release(&a);
	return found;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	ctx cx = { lint, run };
	df_each_command(run, each, &cx);
}
