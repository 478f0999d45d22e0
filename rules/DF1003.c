/* DF1003 - the package lists come from an earlier, cached RUN. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/ospkg.h"
#include "engine/rule.h"
#include "util/util.h"

#include <pthread.h>
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
	.fix = DF_FIX_SAFE,
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
			"the installing RUN too.\n\n"
			"The fix merges adjacent RUNs: the install RUN's command goes on a new line of the "
			"update RUN after ` && \\` (the file's escape character and line ending; a RUN "
			"whose lines start with `&&` gets it there), its own lines kept as written, and the "
			"comment lines between the two move above the merged RUN, where its ignore pragmas "
			"still apply to it (not past comment lines inside the update RUN: comments keep "
			"their order). It is offered when both RUNs are shell form without heredocs, "
			"have the same flags (`--mount` ...), the SHELL in force is a POSIX-style one, the "
			"update RUN ends with a command (no `&`, no trailing `# comment`) and changes no "
			"shell state the install would then inherit (`cd`, `export`, `set`, `umask`, a "
			"variable or function definition ...).",
		.why = "The RUN with the update is its own cache step: its text never changes, so "
		       "it is reused for months while the install RUN below it is rebuilt whenever "
		       "its package list changes. The install then works from lists as old as the "
		       "cached layer: packages that have since moved fail to download (404), and "
		       "security updates published since are not installed. Updating and installing "
		       "in one RUN makes every change to the install refresh the lists too. When the "
		       "two RUNs are adjacent, merging them changes nothing else (safe fix).",
		.example = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
		.instead = "FROM debian:12\nRUN apt-get update && \\\n"
			   "    apt-get install -y --no-install-recommends curl\n",
	},
	.state_size = sizeof(refreshes),
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "apt-get", "apt", "aptitude", "apk", "dnf", "microdnf", "dnf5",
					   "yum", "zypper", NULL },
	.on_instr = check,
	.on_stage_end = reset,
};

/* Commands that change the state of the shell running them: merged, the
 * install would run in that state. */
static int changes_shell(const df_sh_cmd *c, const df_sh_ctx *ctx, void *ud)
{
	static const char *const builtins[] = { "cd", "pushd", "popd", "export", "set", "unset", "shopt", "umask",
						"alias", "source", ".", "exit", "exec", "trap", "ulimit", "readonly",
						"local", "declare", "typeset", "eval", "hash", "return", "shift",
						"enable", "builtin", NULL };
	(void)ctx;
	(void)ud;
	if (c->kind == DF_SH_FUNCTION)
		return 1;
	if (c->kind != DF_SH_SIMPLE)
		return 0;
	if (!c->nwords)
		return c->nassigns != 0;	/* NAME=value alone sets a shell variable */
	for (const char *const *b = builtins; *b; b++)
		if (df_sh_word_is(&c->words[0], *b) || df_sh_word_is(&c->words[df_sh_cmd_name_index(c)], *b))
			return 1;
	return 0;
}

/* The merge of the adjacent RUNs prev and run as fix edits, or false when
 * it might change what either runs. */
static bool merge(df_lint *lint, const df_instr *prev, const df_instr *run, df_fix *fix)
{
	const df_doc *doc = df_lint_doc(lint);
	const char *src = doc->src.data;
	uint32_t at;
	if (!df_run_end(lint, prev, &at) || run->exec_form || run->nheredocs || !run->script || run->script->error ||
	    prev->nflags != run->nflags || df_sh_walk(prev->script, changes_shell, NULL))
		return false;
	for (size_t i = 0; i < run->nflags; i++)
		if (prev->flags[i].raw.len != run->flags[i].raw.len ||
		    memcmp(prev->flags[i].raw.ptr, run->flags[i].raw.ptr, run->flags[i].raw.len) != 0)
			return false;
	/* The install's keyword and flags, up to its command, on one line. */
	uint32_t cmd = df_text_src(&run->text, run->rest_off);
	if (memchr(src + run->span.start, '\n', cmd - run->span.start))
		return false;
	/* The comment lines between them go above the merged RUN: not past
	 * comment lines inside the update RUN (comments keep their order). */
	if (df_comment_lines_in(doc, prev->span.end, run->span.start) &&
	    df_comment_lines_in(doc, prev->span.start, prev->span.end))
		return false;
	if (!fix)
		return true;
	df_buf b = DF_BUF_INIT;
	for (size_t i = 0; i < doc->nnodes; i++) {
		const df_node *n = &doc->nodes[i];
		if (n->kind == DF_NODE_COMMENT && n->span.start >= prev->span.end && n->span.end <= run->span.start)
			df_buf_add(&b, src + n->span.start, n->span.end - n->span.start);
	}
	if (b.len)
		df_fix_edit_n(fix, prev->span.start, prev->span.start, df_buf_str(&b), b.len);
	df_buf_reset(&b);
	df_run_continue(doc, prev, &b);
	df_fix_edit_n(fix, at, cmd, df_buf_str(&b), b.len);
	df_buf_release(&b);
	return true;
}

/* r->what[m] = "a b", cut to fit as snprintf("%.*s %.*s") would, without
 * its cost. */
static void set_what(refreshes *r, size_t m, df_str a, df_str b)
{
	char *out = r->what[m];
	size_t cap = sizeof(r->what[m]) - 1, o = 0;
	df_str parts[] = { a, { " ", 1 }, b };
	for (size_t i = 0; i < DF_ARRAY_LEN(parts) && o < cap; i++) {
		size_t n = strnlen(parts[i].ptr, parts[i].len);
		if (n > cap - o)
			n = cap - o;
		memcpy(out + o, parts[i].ptr, n);
		o += n;
	}
	out[o] = '\0';
}

/* Everything in each manager's lists directory (its path and a '*'
 * component), df_path_normal(): a later rm of it or of the directory
 * leaves later RUNs no lists. Built once for the process (files are
 * linted on several threads) rather than for every refresh; NULL: too
 * long to match. */
static const char *lists_all[MANAGERS];
static df_arena lists_arena;	/* the paths; kept for the process */
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;

static void lists_build(void)
{
	size_t n;
	const df_ospkg_manager *table = df_ospkg_managers(&n);
	for (size_t m = 0; m < n && m < MANAGERS; m++) {
		char probe[64];
		size_t len = strlen(table[m].lists);
		if (len + sizeof("/*") > sizeof(probe))
			DF_BUG("a package list directory longer than the probe");
		memcpy(probe, table[m].lists, len);
		memcpy(probe + len, "/*", sizeof("/*"));
		lists_all[m] = df_path_normal(&lists_arena, probe, len + 2);
	}
}

typedef struct walk {
	df_lint *lint;
	const df_instr *run;
	refreshes *r;
	const df_ospkg_manager *table;
	bool fresh[MANAGERS];	/* refreshed earlier in this RUN */
	bool reported;
	enum { LATER_UNKNOWN, LATER_NONE, LATER_SOME } later;	/* later_run(), once asked */
} walk;

/* Does a RUN that check() reads come after w->run and before reset()
 * forgets the refreshes, at the end of its stage (a RUN before the first
 * FROM has no stage: the rest of the file)? Only such a RUN reads what a
 * refresh records: a refresh in the last RUN of its stage needs neither
 * the record nor the look for an rm of its lists after it. */
static bool later_run(walk *w)
{
	if (w->later == LATER_UNKNOWN) {
		const df_doc *doc = df_lint_doc(w->lint);
		int stage = w->run->stage;
		size_t end = stage >= 0 ? df_lint_graph(w->lint)->stages[stage].last + 1 : doc->ninstrs;
		w->later = LATER_NONE;
		for (size_t i = w->run->index + 1; i < end && w->later == LATER_NONE; i++)
			if (doc->instrs[i]->kind == DF_I_RUN && !doc->instrs[i]->has_error)
				w->later = LATER_SOME;
	}
	return w->later == LATER_SOME;
}

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
		if (!later_run(w))
			return 0;
		pthread_once(&lists_once, lists_build);
		if ((lists_all[m] && df_run_removes_normal_after(w->lint, v, lists_all[m], true)) ||
		    df_run_mounts_cache(w->run, u.manager->lists)) {
			w->r->run[m] = NULL;
		} else {
			w->r->run[m] = w->run;
			set_what(w->r, m, v->basename, u.cmd->cmd->words[u.verb].value);
		}
		return 0;
	}
	if (u.action != DF_OSPKG_INSTALL || w->fresh[m] || !w->r->run[m] || w->reported ||
	    w->r->run[m] == w->run || df_ospkg_has_opt(&u, u.manager->fresh_opts))
		return 0;
	const df_instr *prev = w->r->run[m];
	df_span sp = df_cmd_word_span(u.cmd, u.verb);
	sp.start = df_cmd_word_span(v, v->name).start;
	/* Adjacent RUNs merge with nothing else moved: the safe fix. */
	bool adjacent = prev->index + 1 == w->run->index;
	bool can = adjacent && merge(w->lint, prev, w->run, NULL);
	df_fix *fix = df_report_fix(w->lint, &df_rule_DF1003, can ? DF_FIX_SAFE : DF_FIX_NONE, sp,
		  "`%.*s %.*s` uses the package lists of `%s` in the RUN at line %u, a separate "
		  "cached layer: when this RUN changes it installs from lists as old as that layer "
		  "(stale versions, 404s); %s",
		  (int)v->basename.len, v->basename.ptr, (int)u.cmd->cmd->words[u.verb].value.len,
		  u.cmd->cmd->words[u.verb].value.ptr, w->r->what[m], (unsigned)prev->line,
		  adjacent ? "merge the two RUNs" : "refresh the lists in this RUN too, before the install");
	if (fix && can)
		merge(w->lint, prev, w->run, fix);
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
	/* what[m] is read only while run[m] is set. */
	refreshes *r = state;
	memset(r->run, 0, sizeof(r->run));
}
