/* DL3060 - yarn cache clean missing after yarn install. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3060 = {
	.code = "DL3060",
	.name = "yarn-cache-clean",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "`yarn cache clean` missing after `yarn install` was run.",
	.docs = {
		.what = "Reports a `yarn install` with no `yarn cache clean` after it in the same RUN "
			"(or ONBUILD RUN), unless the RUN has a cache or tmpfs mount on `.cache/yarn`. "
			"As in hadolint, only RUNs of the last stage or of a stage a later FROM builds "
			"on are reported (ONBUILD RUN always; in a file with no FROM, every RUN), and "
			"any yarn command with a `cache` or `clean` argument counts as the clean.",
		.why = "yarn keeps every downloaded package in its cache, which then stays in the "
		       "layer and makes the image bigger for nothing.",
		.example = "FROM node:20\nRUN yarn install --frozen-lockfile\n",
		.instead = "FROM node:20\nRUN yarn install --frozen-lockfile && yarn cache clean\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "yarn", NULL },
	.on_instr = check,
};

typedef struct scan {
	bool pending;		/* an install with no clean after it yet */
	df_span install;	/* the first such install's command name */
} scan;

static int each(const df_cmd_view *v, void *ud)
{
	scan *sc = ud;
	if (!df_cmd_named(v, "yarn"))
		return 0;
	if (df_cmd_has_arg(v, "install") && !sc->pending) {
		sc->pending = true;
		sc->install = df_cmd_word_span(v, v->name);
	}
	if (df_cmd_has_arg(v, "cache") || df_cmd_has_arg(v, "clean"))
		sc->pending = false;	/* a clean before the install does not count */
	return 0;
}

/* The stage ends up in an image: it is the last one, or a later FROM builds
 * on it. A file with no FROM is one stage, as hadolint reads it. */
static bool stage_counts(df_lint *lint, int stage)
{
	const df_graph *g = df_lint_graph(lint);
	if (!g)
		return false;
	if (stage < 0)
		return g->nstages == 0;
	if ((size_t)stage >= g->nstages)
		return false;
	if ((size_t)stage == g->nstages - 1)
		return true;
	for (size_t j = (size_t)stage + 1; j < g->nstages; j++)
		if (g->stages[j].base_kind == DF_BASE_STAGE && g->stages[j].base_stage == stage)
			return true;
	return false;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (run->kind != DF_I_RUN || df_run_cache_mount_with(run, ".cache/yarn"))
		return;
	/* A trigger runs in every child image, so it always counts. */
	if (!in->inner && !stage_counts(lint, in->stage))
		return;
	scan sc = { 0 };
	df_lint_each_command(lint, run, each, &sc);
	if (sc.pending)
		df_report(lint, &df_rule_DL3060, sc.install, NULL);
}
