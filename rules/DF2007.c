/* DF2007 - gem install without --no-document puts the docs in the layer. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/buf.h"
#include "util/util.h"

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

typedef struct gemrc {
	/* A gemrc turning docs off was written in this stage (bit stage % 64):
	 * every later gem command of the stage, and of stages built on it,
	 * reads it. */
	uint64_t no_doc;
} gemrc;

const df_rule df_rule_DF2007 = {
	.code = "DF2007",
	.name = "gem-install-without-no-document",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_SAFE,
	.message = "gem install without --no-document puts the gems' docs in the layer",
	.docs = {
		.what = "Reports a `gem install` (`gem i`, `gem update` other than `--system`) in a "
			"RUN (shell form, exec form, heredoc scripts, ONBUILD RUN) with none of "
			"`--no-document`, `-N`, or both of the old `--no-ri` and `--no-rdoc`. Quiet "
			"when docs are already off: on the official `ruby` images (their "
			"/usr/local/etc/gemrc says `--no-document`) and stages built on them, and "
			"after a RUN of the stage (or of a stage it is built on) wrote a gemrc with "
			"`--no-document` (`echo 'gem: --no-document' > ~/.gemrc`). Only stages that "
			"end up in the image are checked (the target stage and the stages it is "
			"built FROM): a builder stage's layers are not shipped.",
		.why = "By default gem generates ri and rdoc documentation for every gem it "
		       "installs: often more files than the gem itself, which nothing in a "
		       "container reads, and slower installs.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y ruby \\\n"
			   " && gem install bundler\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y ruby \\\n"
			   " && gem install --no-document bundler\n",
	},
	.state_size = sizeof(gemrc),
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = on_instr,
	/* echo, printf and tee: to see the RUNs that write a gemrc. */
	.commands = (const char *const[]){ "gem", "echo", "printf", "tee", NULL },
	.on_command = on_command,
};

/* gem install's options that take a value. */
static const df_optspec gem_opts = {
	.short_values = "gimnpPsv",
	.long_values = (const char *const[]){ "--version", "--install-dir", "--bindir", "--source",
					      "--platform", "--http-proxy", "--trust-policy", "--file",
					      "--document", NULL },
};

static bool word_is(df_str s, const char *lit)
{
	return df_mem_eq(s.ptr, s.len, lit);
}

/* The official ruby image: its gemrc turns docs off. */
static bool ruby_image(df_str ref)
{
	size_t n = 0;
	while (n < ref.len && ref.ptr[n] != ':' && ref.ptr[n] != '@')
		n++;
	static const char *const names[] = { "ruby", "library/ruby", "docker.io/library/ruby",
					     "index.docker.io/library/ruby" };
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (df_mem_eq(ref.ptr, n, names[i]))
			return true;
	return false;
}

/* Are docs off for gem in stage: a gemrc written on the way, or a ruby base? */
static bool docs_off(const df_graph *g, int stage, const gemrc *s)
{
	const df_stage *root = df_stage_root(g, stage);
	return df_stage_chain_marked(g, stage, s->no_doc) ||
	       (root && root->base_kind == DF_BASE_IMAGE && ruby_image(root->base_ref));
}

/* Remember a RUN that writes a gemrc turning docs off. The engine hands
 * on_instr the RUNs with one of the commands the rule names, before their
 * on_command calls: so a RUN that writes the gemrc and then installs is
 * judged with it written. */
static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	gemrc *s = state;
	if (in->kind == DF_I_RUN && in->stage >= 0 && df_run_writes_text(lint, in, "--no-document", "gemrc"))
		s->no_doc |= UINT64_C(1) << (in->stage % 64);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const no_document[] = { "--no-document", NULL };
	static const char *const no_ri[] = { "--no-ri", NULL };
	static const char *const no_rdoc[] = { "--no-rdoc", NULL };
	static const char *const system[] = { "--system", NULL };
	const df_graph *g = df_lint_graph(lint);
	const df_sh_cmd *c = v->cmd;
	if (!df_cmd_named(v, "gem") || v->name + 1 >= c->nwords)
		return 0;
	df_str sub = c->words[v->name + 1].value;
	bool update = word_is(sub, "update");
	if (!word_is(sub, "install") && !word_is(sub, "i") && !update)
		return 0;
	if (!df_stage_ships(g, in->stage) || docs_off(g, in->stage, state))
		return 1;
	const df_cmd_view *e = df_lint_expanded(lint, v);
	if (df_cmd_any_unknown(e->cmd, e->name) || df_opt_has(e->cmd, e->name, &gem_opts, 'N', no_document) ||
	    (df_opt_has(e->cmd, e->name, &gem_opts, 0, no_ri) && df_opt_has(e->cmd, e->name, &gem_opts, 0, no_rdoc)) ||
	    (update && df_opt_has(e->cmd, e->name, &gem_opts, 0, system)))
		return 0;
	df_buf msg = DF_BUF_INIT;
	df_buf_addf(&msg, "`gem %.*s` without --no-document generates ri and rdoc docs for every gem, which "
			  "stay in the layer unread; add --no-document",
		    (int)sub.len, sub.ptr);
	/* After the subcommand as written (`gem install`), when it is. */
	const df_sh_word *w = &v->cmd->words[v->name + 1];
	long after = !w->has_expansion && df_mem_eq(w->raw.ptr, w->raw.len, "install") ? (long)v->name + 1 : -1;
	df_report_insert_after(lint, &df_rule_DF2007, DF_FIX_SAFE, df_cmd_word_span(v, v->name + 1), df_buf_str(&msg),
			       v, after, "--no-document");
	df_buf_release(&msg);
	return 0;
}
