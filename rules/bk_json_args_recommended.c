/* JSONArgsRecommended - CMD and ENTRYPOINT in exec form. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_JSONArgsRecommended = {
	.code = "JSONArgsRecommended",
	.name = "json-args-recommended",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "use JSON arguments for CMD and ENTRYPOINT so the process receives OS signals",
	.docs = {
		.what = "BuildKit's check of the same name: reports a CMD or ENTRYPOINT in shell "
			"form when no SHELL instruction is in force (in the stage or the stages it "
			"is built on). Triggers inside ONBUILD are not checked, as the builder does "
			"not check them. DL3025 reports shell-form CMD and ENTRYPOINT whatever the "
			"SHELL.",
		.why = "In shell form the command runs as a child of `/bin/sh -c`, which does not "
		       "pass on signals: `docker stop` waits for its timeout and then kills the "
		       "container instead of letting the process shut down cleanly. A SHELL set "
		       "on purpose says that the shell form is wanted.",
		.example = "FROM node:20\nCMD node server.js\n",
		.instead = "FROM node:20\nCMD [\"node\", \"server.js\"]\n",
	},
	.instr_kinds = DF_KIND(DF_I_CMD) | DF_KIND(DF_I_ENTRYPOINT),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if ((in->kind != DF_I_CMD && in->kind != DF_I_ENTRYPOINT) || in->exec_form || in->has_error ||
	    in->rest.len == 0)
		return;
	const df_graph *g = df_lint_graph(lint);
	int idx = df_graph_instr_index(g, in);
	if (idx < 0 || g->steps[idx].shell)
		return;	/* an explicit SHELL: the shell form is meant */
	df_report(lint, &df_rule_JSONArgsRecommended, df_text_span(&in->text, in->rest_off, in->rest.len),
		  "use JSON arguments for %s so the process receives OS signals",
		  df_instr_kind_name(in->kind));
}
