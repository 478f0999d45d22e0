/* download.c - what a curl or wget command fetches; see download.h. */
#include "engine/download.h"

#include <string.h>

#include "engine/pipeline.h"
#include "util/util.h"

/* From curl(1): the options that take a value. */
static const char *const curl_long_values[] = {
	"--abstract-unix-socket", "--aws-sigv4", "--cacert", "--capath", "--cert", "--cert-type",
	"--ciphers", "--config", "--connect-timeout", "--connect-to", "--continue-at", "--cookie",
	"--cookie-jar", "--create-file-mode", "--data", "--data-ascii", "--data-binary", "--data-raw",
	"--data-urlencode", "--dns-servers", "--dump-header", "--expect100-timeout", "--form",
	"--form-string", "--ftp-port", "--header", "--interface", "--json", "--keepalive-time", "--key",
	"--key-type", "--limit-rate", "--local-port", "--max-filesize", "--max-redirs", "--max-time",
	"--netrc-file", "--noproxy", "--oauth2-bearer", "--output", "--output-dir", "--pass",
	"--pinnedpubkey", "--proto", "--proto-default", "--proto-redir", "--proxy", "--proxy-user",
	"--quote", "--range", "--referer", "--request", "--resolve", "--retry", "--retry-delay",
	"--retry-max-time", "--speed-limit", "--speed-time", "--stderr", "--telnet-option",
	"--time-cond", "--trace", "--trace-ascii", "--unix-socket", "--upload-file", "--url",
	"--user", "--user-agent", "--variable", "--write-out", NULL,
};

const df_optspec df_curl_opts = {
	.short_values = "AbcCdDeEFHKmoPQrtTuUwxXyYz",
	.long_values = curl_long_values,
};

/* From wget(1). -n is read as taking the rest of the word: -nv, -nc, -nd. */
static const char *const wget_long_values[] = {
	"--accept", "--append-output", "--base", "--bind-address", "--body-data", "--ca-certificate",
	"--certificate", "--directory-prefix", "--domains", "--execute", "--exclude-directories",
	"--header", "--http-password", "--http-user", "--include-directories", "--input-file",
	"--level", "--limit-rate", "--load-cookies", "--method", "--output-document", "--output-file",
	"--password", "--post-data", "--post-file", "--private-key", "--quota", "--referer",
	"--reject", "--save-cookies", "--timeout", "--tries", "--user", "--user-agent", "--wait",
	NULL,
};

const df_optspec df_wget_opts = {
	.short_values = "aABDeiIlnoOPQRtTUwX",
	.long_values = wget_long_values,
};

bool df_download_has(const df_download *d, char letter, const char *const *longs)
{
	return df_opt_has(d->cmd, 0, d->wget ? &df_wget_opts : &df_curl_opts, letter, longs);
}

/* The last path component of a URL, without its query or fragment. */
static df_str url_basename(df_str url)
{
	size_t end = 0;
	while (end < url.len && url.ptr[end] != '?' && url.ptr[end] != '#')
		end++;
	const char *scheme = url.len > 3 ? memchr(url.ptr, ':', end) : NULL;
	size_t host = scheme && df_mem_has_prefix(scheme, (size_t)(url.ptr + end - scheme), "://")
			      ? (size_t)(scheme - url.ptr) + 3
			      : 0;
	size_t start = end;
	while (start > host && url.ptr[start - 1] != '/')
		start--;
	if (start == host)
		return (df_str){ NULL, 0 };	/* no path: the server picks a name */
	return (df_str){ url.ptr + start, end - start };
}

/* Is the output of cmd read by a later command of its pipeline or captured
 * by $(...)? */
static bool stdout_piped(const df_instr *run, const df_sh_cmd *cmd)
{
	df_sh_ctx ctx;
	return df_run_cmd_ctx(run, cmd, &ctx) &&
	       (ctx.in_substitution || (ctx.pipe && ctx.pipe_index + 1 < ctx.pipe->ncmds));
}

/* A redirection of stdout to a file, or NULL. */
static const df_sh_word *stdout_file(const df_sh_cmd *c)
{
	const df_sh_word *to = NULL;
	for (size_t i = 0; i < c->nredirs; i++) {
		const df_sh_redir *r = &c->redirs[i];
		bool out = !strcmp(r->op, ">") || !strcmp(r->op, ">>") || !strcmp(r->op, ">|") ||
			   !strcmp(r->op, "&>") || !strcmp(r->op, "&>>");
		if (out && (r->fd == -1 || r->fd == 1))
			to = &r->target;
	}
	return to;
}

/* df_download_read() of v, a curl or wget command (d->wget set, the rest
 * of d clear). */
static bool read_download(df_lint *lint, const df_instr *in, const df_cmd_view *v, df_download *d)
{
	static const char *const output[] = { "--output", NULL };
	static const char *const output_document[] = { "--output-document", NULL };
	static const char *const remote_name[] = { "--remote-name", "--remote-name-all", NULL };
	static const char *const url_opt[] = { "--url", NULL };

	const df_cmd_view *e = df_lint_expanded(lint, v);
	d->view = e;
	d->cmd = e->cmd;
	/* Only a word that may expand to an option hides one ($FLAGS, not
	 * https://host/$VERSION/x). */
	for (size_t i = e->name + 1; i < e->cmd->nwords; i++)
		d->unknown |= df_opt_may_hide_option(&e->cmd->words[i]);

	df_opt_iter it;
	df_opt o;
	df_str out = { NULL, 0 };
	size_t out_word = 0;
	bool remote = d->wget, named_out = false;
	df_opt_iter_init(&it, e->cmd, e->name, d->wget ? &df_wget_opts : &df_curl_opts);
	while (df_opt_next(&it, &o)) {
		bool operand = !o.letter && !o.name.ptr;
		if (operand || (!d->wget && df_opt_is_long(&o, url_opt))) {
			if (o.value.ptr && d->nurls++ == 0) {
				d->url = o.value;
				d->url_word = o.value_word;
			}
		} else if (o.value.ptr && ((!d->wget && (o.letter == 'o' || df_opt_is_long(&o, output))) ||
					   (d->wget && (o.letter == 'O' || df_opt_is_long(&o, output_document))))) {
			out = o.value;
			out_word = o.value_word;
			named_out = true;
		} else if (!d->wget && (o.letter == 'O' || df_opt_is_long(&o, remote_name))) {
			remote = true;
		}
	}
	if (d->nurls == 0)
		return false;

	const df_sh_word *redirect = stdout_file(e->cmd);
	if (named_out && !df_mem_eq(out.ptr, out.len, "-")) {
		d->output = out;
		d->output_word = out_word;
	} else if (!named_out && remote) {
		d->output = url_basename(d->url);
		d->output_word = d->url_word;
	} else if (redirect) {
		d->output = redirect->value;
		d->output_word = e->name;	/* the target is no word: the command's name */
	} else {
		d->to_stdout = true;
		d->piped = !v->exec && stdout_piped(in->inner ? in->inner : in, v->cmd);
	}
	return true;
}

/* What df_download_read() keeps with a command. */
typedef struct kept_download {
	df_download d;
	bool found;
} kept_download;

bool df_download_read(df_lint *lint, const df_instr *in, const df_cmd_view *v, df_download *d)
{
	memset(d, 0, sizeof(*d));
	d->wget = df_cmd_named(v, "wget");
	if (!d->wget && !df_cmd_named(v, "curl"))
		return false;
	/* Five rules read every curl and wget: the answer is kept with the
	 * command for the file. It depends on v alone: its expansion, and
	 * its place in its RUN (in is that RUN, or the ONBUILD of it). */
	const void **memo = df_lint_cmd_memo(lint, v, DF_CMD_MEMO_DOWNLOAD);
	if (memo && *memo) {
		const kept_download *k = *memo;
		*d = k->d;
		/* The view as the engine hands it out now: a command that is
		 * its own expansion is v, which loading another RUN may have
		 * moved since. */
		d->view = df_lint_expanded(lint, v);
		return k->found;
	}
	bool found = read_download(lint, in, v, d);
	if (memo) {
		kept_download *k = DF_ARENA_NEW(&df_lint_cmds(lint)->arena, kept_download);
		k->d = *d;
		k->found = found;
		*memo = k;
	}
	return found;
}
