/* DL3019 - apk add should not keep its cache. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3019 = {
	.code = "DL3019",
	.name = "apk-add-no-cache",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_SAFE,
	.message = "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages",
	.docs = {
		.what = "Reports an `apk add` (also in ONBUILD RUN) without `--no-cache`, unless "
			"the RUN has a cache or tmpfs mount whose target contains `/var/cache/apk` (`/var/cache/apk/` too, as hadolint reads it). Unlike hadolint, "
			"options held in a known ARG or ENV value count, and a command with an "
			"argument of unknown value is left alone.",
		.why = "Without it the package index stays in the layer, making the image bigger "
		       "for nothing; `--no-cache` fetches the index and leaves nothing behind.",
		.example = "FROM alpine:3.19\nRUN apk add curl=8.5.0-r0\n",
		.instead = "FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "apk", NULL },
	.on_instr = check,
};

static int each(const df_cmd_view *v, void *ud)
{
	df_lint *lint = ud;
	if (!df_cmd_named(v, "apk"))
		return 0;
	const df_sh_cmd *cmd = df_lint_expanded(lint, v)->cmd;
	if (!df_cmd_has_word(cmd, v->name, "add") || df_cmd_any_unknown(cmd, v->name) ||
	    df_sh_has_flag(cmd, v->name, "--no-cache"))
		return 0;
	df_report_insert_after(lint, &df_rule_DL3019, DF_FIX_SAFE, df_cmd_word_span(v, v->name), NULL, v,
			       df_cmd_literal_word(v, "add"), "--no-cache");
	return 1;	/* one finding per instruction, as hadolint */
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (run->kind != DF_I_RUN || df_run_cache_mount_with(run, "/var/cache/apk"))
		return;
	df_lint_each_command(lint, run, each, lint);
}
