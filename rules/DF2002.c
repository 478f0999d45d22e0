/* DF2002 - curl saving a download without -L keeps a redirect's body. */
#include "engine/cmds.h"
#include "engine/download.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/buf.h"

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2002 = {
	.code = "DF2002",
	.name = "curl-without-location",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "curl download without -L: a redirect is saved instead of the file",
	.docs = {
		.what = "Reports a `curl` in a RUN (shell form, exec form, heredoc scripts, ONBUILD "
			"RUN) that keeps what it downloads, with none of `-L`, `--location` or "
			"`--location-trusted`. It keeps the download when it writes it to a file (`-o`, "
			"`-O`, `--remote-name`, `> file`), pipes it into another command (`| tar x`, "
			"`| sh`) or hands it to one through `$(...)`. A curl whose body only goes to the "
			"build log (a health check, `curl -I`, `--head`) is left alone, and so is a "
			"command with a word of unknown value that may be an option, or reading a "
			"config file (`-K`, `--config`). Any URL counts: whether a server redirects "
			"is not something a Dockerfile shows, and adding `-L` costs nothing when it "
			"does not.",
		.why = "Release downloads (GitHub, SourceForge, mirrors, short links) answer with a "
		       "redirect. Without `-L` curl stops there and writes the few bytes of the "
		       "redirect response where the file should be; `-f` does not catch it, since "
		       "a 3xx is no error. The build then fails at `tar` or `sh`, or ships the page.",
		.example = "FROM debian:12\n"
			   "RUN curl -fo /tmp/tool.tgz https://github.com/o/tool/releases/download/v1/tool.tgz\n",
		.instead = "FROM debian:12\n"
			   "RUN curl -fLo /tmp/tool.tgz https://github.com/o/tool/releases/download/v1/tool.tgz\n",
	},
	.commands = (const char *const[]){ "curl", NULL },
	.on_command = on_command,
};

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const location[] = { "--location", "--location-trusted", NULL };
	static const char *const head[] = { "--head", NULL };
	static const char *const config[] = { "--config", NULL };
	(void)state;
	df_download d;
	if (!df_download_read(lint, in, v, &d) || d.unknown || (d.to_stdout && !d.piped) ||
	    df_download_has(&d, 'L', location) || df_download_has(&d, 'I', head) ||
	    df_download_has(&d, 'K', config))
		return 0;
	df_buf msg = DF_BUF_INIT;
	if (!d.piped) {
		df_str out = d.output.ptr ? d.output : (df_str){ "a file", 6 };
		df_buf_addf(&msg, "curl saves '%.*s' to '%.*s' without -L: if the server redirects (release "
				  "downloads, mirrors), the redirect response is saved instead; add -L (--location)",
			    (int)d.url.len, d.url.ptr, (int)out.len, out.ptr);
	} else {
		df_buf_addf(&msg, "curl pipes '%.*s' on without -L: if the server redirects (release downloads, "
				  "mirrors), the next command reads the redirect response; add -L (--location)",
			    (int)d.url.len, d.url.ptr);
	}
	df_report_insert_after(lint, &df_rule_DF2002, DF_FIX_SAFE, df_cmd_word_span(v, v->name), df_buf_str(&msg), v,
			       (long)v->name, "-L");
	df_buf_release(&msg);
	return 0;
}
