/* DL3025 - use JSON (exec) form for CMD, ENTRYPOINT and HEALTHCHECK CMD. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3025 = {
	.code = "DL3025",
	.name = "json-cmd-entrypoint",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
	.docs = {
		.what = "Reports CMD, ENTRYPOINT and HEALTHCHECK CMD written in shell form.",
		.why = "Shell form runs the command under `/bin/sh -c`, so the process is not PID 1 "
		       "and never receives SIGTERM: containers stop only when killed.",
		.example = "FROM node:20\nCMD node server.js\n",
		.instead = "FROM node:20\nCMD [\"node\", \"server.js\"]\n",
	},
	.instr_kinds = DF_KIND(DF_I_CMD) | DF_KIND(DF_I_ENTRYPOINT) | DF_KIND(DF_I_HEALTHCHECK),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	bool shell = (in->kind == DF_I_CMD || in->kind == DF_I_ENTRYPOINT ||
		      (in->kind == DF_I_HEALTHCHECK && !in->healthcheck_none)) &&
		     !in->exec_form && in->nargs > 0;
	if (shell && !in->has_error)
		df_report(lint, &df_rule_DL3025, in->args[0].span, NULL);
}
