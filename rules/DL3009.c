/* DL3009 - delete the apt lists after apt-get update. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3009 = {
	.code = "DL3009",
	.name = "apt-lists-cleanup",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "Delete the apt-get lists after installing something",
	.docs = {
		.what = "Reports a RUN (also ONBUILD RUN) that runs `apt-get`, `apt` or `aptitude` "
			"`update` but no `rm` with `-rf` or `/var/lib/apt/lists/*`, unless it has a "
			"cache or tmpfs mount on `/var/lib/apt/lists`, or on both `/var/lib/apt` "
			"and `/var/cache/apt`. Only RUNs of the last stage, or of a stage a later "
			"FROM builds on, are reported: other stages do not ship.",
		.why = "The package lists stay in the layer: tens of megabytes the image carries "
		       "and never uses. Deleting them in a later RUN does not shrink the image.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y curl \\\n"
			   " && rm -rf /var/lib/apt/lists/*\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "apt-get", "apt", "aptitude", NULL },
	.on_instr = check,
};

typedef struct found {
	df_span update_span;	/* the command name of the first update */
	bool has_update, has_cleanup;
} found;

static int each(const df_cmd_view *v, void *ud)
{
	found *f = ud;
	if (!f->has_update &&
	    (df_cmd_named(v, "apt-get") || df_cmd_named(v, "apt") || df_cmd_named(v, "aptitude")) &&
	    df_cmd_has_arg(v, "update")) {
		f->has_update = true;
		f->update_span = df_cmd_word_span(v, v->name);
	}
	/* As hadolint: any `rm -rf` counts, and so does any rm of the lists. */
	if (df_cmd_named(v, "rm") &&
	    (df_cmd_has_arg(v, "-rf") || df_cmd_has_arg(v, "/var/lib/apt/lists/*")))
		f->has_cleanup = true;
	return 0;
}

static bool cache_mount_on(const df_instr *run, const char *target)
{
	for (size_t i = 0; i < run->nflags; i++) {
		const df_mount *m = run->flags[i].mount;
		if (run->flags[i].type != DF_FLAG_MOUNT || !run->flags[i].parsed_ok || !m)
			continue;
		if ((m->type == DF_MOUNT_CACHE || m->type == DF_MOUNT_TMPFS) && m->target.ptr &&
		    df_mem_eq(m->target.ptr, m->target.len, target))
			return true;
	}
	return false;
}

/* The last stage ships, and so does a stage a later FROM builds on. */
static bool stage_ships(const df_graph *g, int stage)
{
	if (stage < 0)
		return false;
	if ((size_t)stage + 1 == g->nstages)
		return true;
	for (size_t i = (size_t)stage + 1; i < g->nstages; i++)
		if (g->stages[i].base_kind == DF_BASE_STAGE && g->stages[i].base_stage == stage)
			return true;
	return false;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (run->kind != DF_I_RUN || !stage_ships(df_lint_graph(lint), in->stage))
		return;
	if (cache_mount_on(run, "/var/lib/apt/lists") ||
	    (cache_mount_on(run, "/var/lib/apt") && cache_mount_on(run, "/var/cache/apt")))
		return;
	found f = { 0 };
	df_lint_each_command(lint, run, each, &f);
	if (f.has_update && !f.has_cleanup)
		df_report(lint, &df_rule_DL3009, f.update_span, NULL);
}
