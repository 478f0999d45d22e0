/* DF2005 - npm install leaves its download cache in the layer. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "parse/scope.h"
#include "util/util.h"

#include <stdio.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2005 = {
	.code = "DF2005",
	.name = "npm-cache-not-cleaned",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "npm install leaves its download cache in the layer",
	.docs = {
		.what = "Reports an `npm install` (`i`, `add`, `ci`, `clean-install`, `ic`, `update`) "
			"in a RUN (shell form, exec form, heredoc scripts, ONBUILD RUN) that no later "
			"command of the same RUN cleans up after: `npm cache clean` (`--force` is "
			"DF2004's business), or an `rm` of the cache directory or of a directory "
			"holding it (`rm -rf ~/.npm`, `/root/.npm`, `$HOME/.npm/_cacache`, any "
			"`.npm` directory). The cache is `~/.npm` unless `--cache DIR` on the command "
			"or a known `npm_config_cache` ENV moves it; then DIR must be removed. A cache "
			"or tmpfs mount on the cache (`/root/.npm`, `/home/node/.npm`, or DIR) exempts "
			"the RUN. A `--cache` under /tmp is not exempt: /tmp is part of the layer too. "
			"Only stages that end up in the image are checked (the target stage and the "
			"stages it is built FROM): a builder stage's layers are not shipped.",
		.why = "npm keeps every tarball it downloads in its cache: tens to hundreds of "
		       "megabytes that the image carries and never reads. Removing it in a later "
		       "RUN does not shrink the image: the layer already holds it.",
		.example = "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n",
		.instead = "FROM node:20-slim\nWORKDIR /app\nCOPY package*.json ./\n"
			   "RUN npm ci --omit=dev && npm cache clean --force\n",
	},
	.commands = (const char *const[]){ "npm", NULL },
	.on_command = on_command,
};

static const char *const installs[] = {
	"install", "i", "add", "ci", "clean-install", "ic", "install-clean", "update", "up", NULL,
};

static bool word_is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

/* `npm cache clean`; ud: npm's options that take a value. */
static int is_cache_clean(const df_cmd_view *v, void *ud)
{
	const df_sh_word *pos[2];
	return df_cmd_named(v, "npm") && df_sh_positionals(v->cmd, v->name, ud, pos, 2) == 2 &&
	       word_is(pos[0], "cache") && word_is(pos[1], "clean");
}

/* The cache directory npm uses for the command e, into dir; false when it
 * is not known. */
static bool cache_dir(const df_instr *in, const df_cmd_view *e, const char *const *npm_values,
		      char *dir, size_t cap)
{
	static const char *const cache[] = { "--cache", NULL };
	const df_optspec opts = { .short_values = "w", .long_values = npm_values };
	df_opt_iter it;
	df_opt o;
	df_opt_iter_init(&it, e->cmd, e->name, &opts);
	while (df_opt_next(&it, &o))
		if (df_opt_is_long(&o, cache) && o.value.ptr) {
			if (e->cmd->words[o.value_word].has_expansion || o.value.len >= cap)
				return false;
			snprintf(dir, cap, "%.*s", (int)o.value.len, o.value.ptr);
			return true;
		}
	/* A trigger runs in another build, with its own variables. */
	const df_var *var = in->outer ? NULL : df_scope_find(in->scope, "npm_config_cache", 16);
	if (!var && !in->outer)
		var = df_scope_find(in->scope, "NPM_CONFIG_CACHE", 16);
	if (var) {
		if (var->state != DF_EXP_KNOWN || var->value.len >= cap)
			return false;
		snprintf(dir, cap, "%.*s", (int)var->value.len, var->value.ptr);
		return true;
	}
	dir[0] = '\0';
	return true;
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (!df_stage_ships(df_lint_graph(lint), in->stage))
		return 1;
	/* npm's options that take a value, from the package-manager table. */
	const char *const *npm_values = df_eco_find("npm")->value_opts;
	const df_cmd_view *e = df_lint_expanded(lint, v);
	const df_sh_word *sub[1];
	if (df_sh_positionals(e->cmd, e->name, npm_values, sub, 1) != 1)
		return 0;
	bool install = false;
	for (size_t i = 0; installs[i]; i++)
		install |= word_is(sub[0], installs[i]);
	char dir[1024];
	if (!install || !cache_dir(in, e, npm_values, dir, sizeof(dir)))
		return 0;

	if (df_run_each_after(lint, v, is_cache_clean, (void *)npm_values))
		return 1;
	if (dir[0]) {
		size_t n = strlen(dir);
		if (df_run_mounts_cache(run, dir) || df_run_removes_after(lint, v, dir, n, true))
			return 1;
	} else if (df_run_mounts_cache(run, "/root/.npm/_cacache") ||
		   df_run_mounts_cache(run, "/home/node/.npm/_cacache") ||
		   df_run_removes_after(lint, v, ".npm/_cacache", 13, true)) {
		return 1;
	}
	df_report(lint, &df_rule_DF2005, df_cmd_word_span(v, v->name),
		  "`npm %.*s` leaves its download cache (%s) in the layer, often tens of MB the image "
		  "never reads; add `&& npm cache clean --force` to this RUN, or use "
		  "--mount=type=cache,target=%s",
		  (int)sub[0]->value.len, sub[0]->value.ptr, dir[0] ? dir : "~/.npm",
		  dir[0] ? dir : "/root/.npm");
	return 1;	/* one finding per RUN */
}
