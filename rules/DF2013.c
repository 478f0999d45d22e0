/* DF2013 - apt subcommands that ask before they act need -y. */
#include "engine/apt.h"
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/buf.h"
#include "util/util.h"

#include <string.h>

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

typedef struct apt_conf {
	/* An apt.conf setting Assume-Yes was written in this stage (bit
	 * stage % 64): every later apt command of the stage, and of stages
	 * built on it, reads it. */
	uint64_t assume_yes;
} apt_conf;

const df_rule df_rule_DF2013 = {
	.code = "DF2013",
	.name = "apt-get-without-yes",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "apt command that asks for confirmation without -y",
	.docs = {
		.what = "Reports, in a RUN (shell form, exec form, heredoc scripts, ONBUILD RUN), "
			"`apt-get` `upgrade`, `dist-upgrade`, `full-upgrade`, `remove`, `purge`, "
			"`autoremove`, `autopurge` or `build-dep`; `apt` with those or `install` and "
			"`reinstall`; and `aptitude` with those or `install`, `reinstall` and "
			"`safe-upgrade`, when the command has none of `-y`, `--yes`, `--assume-yes`, "
			"quiet level 2 (`-qq`, which implies yes), `-o APT::Get::Assume-Yes=true`, or "
			"a simulation option (`-s`, `--simulate`, `--dry-run`, `--just-print`, "
			"`--no-act`). `apt-get install` is DL3014's. Quiet after a RUN of the stage "
			"(or of a stage it is built on) wrote `Assume-Yes` into an apt.conf file. "
			"`DEBIAN_FRONTEND=noninteractive` does not count: it silences debconf's "
			"questions, not apt's. A command with a word of unknown value that may be an "
			"option is left alone.",
		.why = "These subcommands stop at `Do you want to continue? [Y/n]`. A build has no "
		       "one to answer: apt reads end of input, takes it for no, prints `Abort.` "
		       "and the RUN fails.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get upgrade\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n",
	},
	.state_size = sizeof(apt_conf),
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = on_instr,
	/* echo, printf and tee: to see the RUNs that write an apt.conf. */
	.commands = (const char *const[]){ "apt-get", "apt", "aptitude", "echo", "printf", "tee", NULL },
	.on_command = on_command,
};

static const char *const value_opts[] = {
	"-o", "-c", "-t", "--option", "--config-file", "--target-release", "--default-release", NULL,
};

static const df_optspec apt_opts = { .short_values = "oct", .long_values = value_opts };

/* Subcommands that ask, per tool; apt-get install is DL3014's. */
static const char *const apt_get_asks[] = {
	"upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove", "autopurge",
	"build-dep", NULL,
};
static const char *const apt_asks[] = {
	"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge",
	"autoremove", "autopurge", "build-dep", NULL,
};
static const char *const aptitude_asks[] = {
	"install", "reinstall", "upgrade", "safe-upgrade", "dist-upgrade", "full-upgrade", "remove",
	"purge", "build-dep", NULL,
};

static bool in_list(df_str s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (df_mem_eq(s.ptr, s.len, list[i]))
			return true;
	return false;
}

/* `-o APT::Get::Assume-Yes=true` (any case; 1 and yes too). */
static bool assume_yes_option(const df_sh_cmd *c, size_t name)
{
	static const char *const option[] = { "--option", NULL };
	df_opt_iter it;
	df_opt o;
	df_opt_iter_init(&it, c, name, &apt_opts);
	while (df_opt_next(&it, &o)) {
		if (!o.value.ptr || (o.letter != 'o' && !df_opt_is_long(&o, option)))
			continue;
		const char *eq = memchr(o.value.ptr, '=', o.value.len);
		if (!eq)
			continue;
		df_str key = { o.value.ptr, (size_t)(eq - o.value.ptr) };
		df_str val = { eq + 1, o.value.len - key.len - 1 };
		if (df_mem_ieq(key.ptr, key.len, "APT::Get::Assume-Yes") &&
		    (df_mem_ieq(val.ptr, val.len, "true") || df_mem_eq(val.ptr, val.len, "1") ||
		     df_mem_ieq(val.ptr, val.len, "yes")))
			return true;
	}
	return false;
}

/* Could in hold "Assume-Yes"? A byte search for its `Y`, rare in scripts,
 * spares most RUNs the search for the whole word and their commands. */
static bool may_assume_yes(const df_instr *in)
{
	if (memchr(in->text.str.ptr, 'Y', in->text.str.len))
		return true;
	for (size_t i = 0; i < in->nheredocs; i++)
		if (memchr(in->heredocs[i].body.str.ptr, 'Y', in->heredocs[i].body.str.len))
			return true;
	return false;
}

static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	apt_conf *s = state;
	if (in->kind == DF_I_RUN && in->stage >= 0 && may_assume_yes(in) &&
	    df_run_writes_text(lint, in, "Assume-Yes", "apt.conf"))
		s->assume_yes |= UINT64_C(1) << (in->stage % 64);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const simulate[] = { "--simulate", "--dry-run", "--just-print", "--no-act",
						"--recon", NULL };
	const apt_conf *conf = state;
	const char *const *asks = df_cmd_named(v, "apt-get") ? apt_get_asks
				  : df_cmd_named(v, "apt") ? apt_asks
				  : df_cmd_named(v, "aptitude") ? aptitude_asks
				  : NULL;
	if (!asks)
		return 0;
	const df_cmd_view *e = df_lint_expanded(lint, v);
	const df_sh_cmd *c = e->cmd;
	const df_sh_word *sub = NULL;
	df_opt_iter it;
	df_opt o;
	df_opt_iter_init(&it, c, e->name, &apt_opts);
	while (df_opt_next(&it, &o)) {
		if (df_opt_may_hide_option(&c->words[o.word]))
			return 0;
		/* Most apt commands install or update: done at the subcommand,
		 * before reading their package lists. */
		if (!sub && !o.letter && !o.name.ptr) {
			sub = &c->words[o.word];
			if (!in_list(sub->value, asks))
				return 0;
		}
	}
	if (!sub || df_apt_assumes_yes(c, e->name) ||
	    assume_yes_option(c, e->name) || df_opt_has(c, e->name, &apt_opts, 's', simulate) ||
	    df_stage_chain_marked(df_lint_graph(lint), in->stage, conf->assume_yes))
		return 0;
	df_buf msg = DF_BUF_INIT, word = DF_BUF_INIT;
	df_buf_addf(&msg, "`%.*s %.*s` without -y stops at `Do you want to continue? [Y/n]`, which a build "
			  "cannot answer: the RUN fails with `Abort.`; add -y",
		    (int)v->basename.len, v->basename.ptr, (int)sub->value.len, sub->value.ptr);
	df_buf_add(&word, sub->value.ptr, sub->value.len);
	df_report_insert_after(lint, &df_rule_DF2013, DF_FIX_SAFE, df_cmd_word_span(e, (size_t)(sub - c->words)),
			       df_buf_str(&msg), v, df_cmd_literal_word(v, df_buf_str(&word)), "-y");
	df_buf_release(&msg);
	df_buf_release(&word);
	return 0;
}
