/* DF2001 - curl without -f saves an HTTP error page as the download. */
#include "engine/cmds.h"
#include "engine/download.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/buf.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2001 = {
	.code = "DF2001",
	.name = "curl-without-fail",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "curl without -f: an HTTP error page is saved as the download and the build goes on",
	.docs = {
		.what = "Reports a `curl` of a URL in a RUN (shell form, exec form, heredoc scripts, "
			"ONBUILD RUN) with none of `-f`, `--fail` or `--fail-with-body`. Options are "
			"read as curl reads them: `-fsSL` holds `-f`, while `-H -f` or `-ofile` do not. "
			"Options held in a known ARG or ENV value count; a command with a word of "
			"unknown value, or reading a config file (`-K`, `--config`), is left alone.",
		.why = "Without `-f` curl exits 0 on a 404 or a 500: the error page is written where "
		       "the download should be, or piped into `tar` or `sh`, and the build fails "
		       "later with a puzzling message, or not at all.",
		.example = "FROM debian:12\n"
			   "RUN curl -sSLo /tmp/tool.tgz https://example.com/tool.tgz\n",
		.instead = "FROM debian:12\n"
			   "RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz\n",
	},
	.commands = (const char *const[]){ "curl", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const fail[] = { "--fail", "--fail-with-body", NULL };
	static const char *const config[] = { "--config", NULL };
	(void)state;
	df_download d;
	if (!df_download_read(lint, in, v, &d) || d.unknown || df_download_has(&d, 'f', fail) ||
	    df_download_has(&d, 'K', config))
		return 0;
	df_buf msg = DF_BUF_INIT;
	df_buf_addf(&msg, "curl of '%.*s' without -f: an HTTP error (404, 500) is saved as the download and "
			  "the build goes on; add -f (--fail)",
		    (int)d.url.len, d.url.ptr);
	df_report_insert_after(lint, &df_rule_DF2001, DF_FIX_SAFE, df_cmd_word_span(v, v->name), df_buf_str(&msg), v,
			       (long)v->name, "-f");
	df_buf_release(&msg);
	return 0;
}
