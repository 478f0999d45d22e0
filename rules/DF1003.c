/* DF1003 - the package lists come from an earlier, cached RUN. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/ospkg.h"
#include "engine/rule.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);
static void reset(df_lint *lint, const df_stage *stage, void *state);

/* The last refresh of each manager (ospkg table order) in the stage so far
 * whose lists later RUNs see. */
#define MANAGERS 8
typedef struct refreshes {
	const df_instr *run[MANAGERS];	/* NULL: none */
	char what[MANAGERS][48];	/* the command: "apt-get update" */
} refreshes;

const df_rule df_rule_DF1003 = {
	.code = "DF1003",
	.name = "apt-update-in-separate-layer",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_NONE,
	.message = "the package lists come from an update in an earlier RUN",
	.docs = {
		.what = "Reports a package install (`apt-get`/`apt`/`aptitude install`, `apk add`, "
			"`dnf`/`microdnf`/`yum install`, `zypper install`) in a RUN that does not refresh "
			"that manager's package lists itself, when an earlier RUN of the same stage did "
			"(`apt-get update`, `apk update`, `dnf`/`yum makecache`, `zypper refresh`) and "
			"left the lists in its layer. A refresh whose RUN deletes the lists afterwards "
			"(`rm -rf /var/lib/apt/lists/*`) or keeps them in a cache or tmpfs mount leaves "
			"nothing for later RUNs and does not count. "
			"Installs that fetch fresh lists on their own are fine: `apk add --no-cache`, "
			"`apk add --update`/`-U`, `dnf`/`yum install --refresh`. ONBUILD RUNs are not "
			"judged: they run in another build. One finding per RUN, on the install; it says to "
			"merge the two RUNs when they are adjacent (the safe fix), else to refresh in "
			"the installing RUN too.",
		.why = "The RUN with the update is its own cache step: its text never changes, so "
		       "it is reused for months while the install RUN below it is rebuilt whenever "
		       "its package list changes. The install then works from lists as old as the "
		       "cached layer: packages that have since moved fail to download (404), and "
		       "security updates published since are not installed. Updating and installing "
		       "in one RUN makes every change to the install refresh the lists too. When the "
		       "two RUNs are adjacent, merging them changes nothing else (safe fix).",
		.example = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
		.instead = "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends curl\n",
	},
	.state_size = sizeof(refreshes),
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "apt-get", "apt", "aptitude", "apk", "dnf", "microdnf", "dnf5",
					   "yum", "zypper", NULL },
	.on_instr = check,
	.on_stage_end = reset,
};

typedef struct walk {
	df_lint *lint;
	const df_instr *run;
	refreshes *r;
	const df_ospkg_manager *table;
	bool fresh[MANAGERS];	/* refreshed earlier in this RUN */
	bool reported;
} walk;

static int each(const df_cmd_view *v, void *ud)
{
	walk *w = ud;
	df_ospkg_use u;
	if (!df_ospkg_read(w->lint, v, &u))
		return 0;
	size_t m = (size_t)(u.manager - w->table);
	if (m >= MANAGERS)
		return 0;
	if (u.action == DF_OSPKG_REFRESH) {
		w->fresh[m] = true;
		char probe[256];
		/* Everything in the lists directory: a later rm of it or of the
		 * directory leaves later RUNs no lists. */
		int len = snprintf(probe, sizeof(probe), "%s/*", u.manager->lists);
		if (df_run_removes_after(w->lint, v, probe, (size_t)len, true) ||
		    df_run_mounts_cache(w->run, u.manager->lists)) {
			w->r->run[m] = NULL;
		} else {
			df_str verb = u.cmd->cmd->words[u.verb].value;
			w->r->run[m] = w->run;
			snprintf(w->r->what[m], sizeof(w->r->what[m]), "%.*s %.*s", (int)v->basename.len,
				 v->basename.ptr, (int)verb.len, verb.ptr);
		}
		return 0;
	}
	if (u.action != DF_OSPKG_INSTALL || w->fresh[m] || !w->r->run[m] || w->reported ||
	    w->r->run[m] == w->run || df_ospkg_has_opt(&u, u.manager->fresh_opts))
		return 0;
	const df_instr *prev = w->r->run[m];
	df_span sp = df_cmd_word_span(u.cmd, u.verb);
	sp.start = df_cmd_word_span(v, v->name).start;
	df_report(w->lint, &df_rule_DF1003, sp,
		  "`%.*s %.*s` uses the package lists of `%s` in the RUN at line %u, a separate "
		  "cached layer: when this RUN changes it installs from lists as old as that layer "
		  "(stale versions, 404s); %s",
		  (int)v->basename.len, v->basename.ptr, (int)u.cmd->cmd->words[u.verb].value.len,
		  u.cmd->cmd->words[u.verb].value.ptr, w->r->what[m], (unsigned)prev->line,
		  /* Adjacent RUNs merge with nothing else moved: the safe fix. */
		  prev->index + 1 == w->run->index ? "merge the two RUNs"
						   : "refresh the lists in this RUN too, before the install");
	w->reported = true;
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	if (in->kind != DF_I_RUN || in->has_error)
		return;	/* an ONBUILD RUN runs in another build */
	size_t n;
	walk w = { .lint = lint, .run = in, .r = state, .table = df_ospkg_managers(&n) };
	df_lint_each_command(lint, in, each, &w);
}

static void reset(df_lint *lint, const df_stage *stage, void *state)
{
	(void)lint;
	(void)stage;
	memset(state, 0, sizeof(refreshes));
}
