/* DF2009 - gpg in a build needs --batch. */
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/buf.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2009 = {
	.code = "DF2009",
	.name = "gpg-without-batch",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "gpg without --batch may prompt, and a build has no terminal to answer",
	.docs = {
		.what = "Reports `gpg` or `gpg2` in a RUN (shell form, exec form, heredoc scripts, "
			"ONBUILD RUN) without `--batch`, unless it is given a command that only "
			"prints information (`--version`, `--help`, `--list-keys`/`-k`, "
			"`--list-secret-keys`/`-K`, `--fingerprint`, `--list-sigs`, `--check-sigs`, "
			"`--show-keys`, `--list-packets`, `--print-md`, `--list-config`), or a "
			"conversion to stdout (`--dearmor`, `--enarmor` or `--export` without `-o`): "
			"those have nothing to ask. So `--import`, `--recv-keys`, `--verify`, "
			"`--decrypt`, `--dearmor -o FILE` (it asks before overwriting FILE), key "
			"generation and a bare `gpg file` are reported. A command "
			"with a word of unknown value that may be an option is left alone.",
		.why = "Without `--batch` gpg may ask a question (overwrite the output file? trust "
		       "this key?) and, with no terminal, either fails with `cannot open "
		       "'/dev/tty'` or waits for an answer that never comes, and the build hangs. "
		       "`--batch` makes it answer from its options or fail at once.",
		.example = "FROM debian:12\n"
			   "RUN gpg --keyserver hkps://keys.openpgp.org --recv-keys 0x0123456789ABCDEF\n",
		.instead = "FROM debian:12\n"
			   "RUN gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys 0x0123456789ABCDEF\n",
	},
	.commands = (const char *const[]){ "gpg", "gpg2", NULL },
	.on_command = on_command,
};

/* gpg's options that take a value when written apart. */
static const df_optspec gpg_opts = {
	.short_values = "orRuz",
	.long_values = (const char *const[]){ "--output", "--recipient", "--local-user", "--keyserver",
					      "--homedir", "--keyring", "--secret-keyring",
					      "--default-key", "--trust-model", "--keyserver-options",
					      "--status-fd", "--logger-fd", "--passphrase",
					      "--passphrase-fd", "--passphrase-file", "--pinentry-mode",
					      "--digest-algo", "--cipher-algo", "--compress-algo",
					      "--trusted-key", "--hidden-recipient", "--encrypt-to",
					      "--import-options", "--export-options", "--comment", NULL },
};

/* Commands that only print. */
static const char *const info_longs[] = {
	"--version", "--help", "--list-keys", "--list-public-keys", "--list-secret-keys",
	"--fingerprint", "--list-sigs", "--check-sigs", "--show-keys", "--list-packets",
	"--print-md", "--list-config", "--dump-options", "--warranty", NULL,
};

/* Commands that convert from stdin or the keyring to stdout. */
static const char *const stdout_longs[] = { "--dearmor", "--dearmour", "--enarmor", "--enarmour",
					    "--export", NULL };

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const batch[] = { "--batch", NULL };
	static const char *const output_long[] = { "--output", NULL };
	(void)in;
	(void)state;
	const df_cmd_view *e = df_lint_expanded(lint, v);
	df_opt_iter it;
	df_opt o;
	bool to_stdout = false, output = false;
	df_opt_iter_init(&it, e->cmd, e->name, &gpg_opts);
	while (df_opt_next(&it, &o)) {
		if (df_opt_may_hide_option(&e->cmd->words[o.word]))
			return 0;	/* may be --batch */
		/* A listing only prints, whatever else is on the line. */
		if (df_opt_is_long(&o, batch) || df_opt_is_long(&o, info_longs) || o.letter == 'k' ||
		    o.letter == 'K' || o.letter == 'h')
			return 0;
		to_stdout |= df_opt_is_long(&o, stdout_longs);
		output |= o.letter == 'o' || df_opt_is_long(&o, output_long);
	}
	/* Nothing to overwrite, no key to trust: it has nothing to ask. */
	if (to_stdout && !output)
		return 0;
	df_buf msg = DF_BUF_INIT;
	df_buf_addf(&msg, "%.*s without --batch may stop to ask (overwrite? trust this key?) with no terminal "
			  "to answer: the build fails or hangs; add --batch",
		    (int)v->basename.len, v->basename.ptr);
	df_report_insert_after(lint, &df_rule_DF2009, DF_FIX_SAFE, df_cmd_word_span(v, v->name), df_buf_str(&msg), v,
			       (long)v->name, "--batch");
	df_buf_release(&msg);
	return 0;
}
