/* DF2003 - a download over plain http. */
#include "engine/cmds.h"
#include "engine/download.h"
#include "engine/rule.h"
#include "parse/flags.h"
#include "util/util.h"

#include <string.h>

static void check_add(df_lint *lint, const df_instr *in, void *state);
static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2003 = {
	.code = "DF2003",
	.name = "download-over-plain-http",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_NONE,
	.message = "download over plain http: anyone on the path can read or replace it",
	.docs = {
		.what = "Reports an `http://` URL (scheme compared without case) fetched by `curl` or "
			"`wget` in a RUN (shell form, exec form, heredoc scripts, ONBUILD RUN) or by "
			"`ADD` (also ONBUILD ADD), after expanding known ARG and ENV values. An ADD with "
			"`--checksum` is left alone: the digest proves the file. Hosts that "
			"never leave the build machine or the local network are left alone: "
			"`localhost`, names without a dot (a compose service, a proxy alias), names "
			"ending in `.local`, `.localhost`, `.internal` or `.lan`, the loopback "
			"addresses and the private IPv4 ranges (10/8, 172.16/12, 192.168/16). The fix "
			"(use `https://`) is shown, never applied: not every server offers https at "
			"the same path.",
		.why = "Over plain http a proxy, a captive portal or an attacker on the path can read "
		       "the request and replace the file, and the image then runs what they sent. "
		       "Without a checksum check nothing in the build notices.",
		.example = "FROM debian:12\n"
			   "RUN curl -fsSLo /tmp/tool.tgz http://example.com/tool.tgz\n",
		.instead = "FROM debian:12\n"
			   "RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz\n",
	},
	.instr_kinds = DF_KIND(DF_I_ADD),
	.on_instr = check_add,
	.commands = (const char *const[]){ "curl", "wget", NULL },
	.on_command = on_command,
};

static bool private_ipv4(const char *h, size_t n)
{
	unsigned a = 0, b = 0;
	size_t i = 0;
	while (i < n && df_is_digit((unsigned char)h[i]))
		a = a * 10 + (unsigned)(h[i++] - '0');
	if (i == 0 || i >= n || h[i++] != '.' || a > 255)
		return false;
	size_t j = i;
	while (i < n && df_is_digit((unsigned char)h[i]))
		b = b * 10 + (unsigned)(h[i++] - '0');
	if (i == j || b > 255)
		return false;
	for (; i < n; i++)	/* the rest: digits and dots only */
		if (!df_is_digit((unsigned char)h[i]) && h[i] != '.')
			return false;
	return a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
}

/* Is the host of url (after "http://") one that stays on the machine or
 * the local network? */
static bool local_host(const char *h, size_t n)
{
	size_t end = 0;
	while (end < n && h[end] != '/' && h[end] != '?' && h[end] != '#')
		end++;
	const char *at = NULL;
	for (size_t i = 0; i < end; i++)
		if (h[i] == '@')
			at = h + i;
	if (at) {
		end -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	if (end && h[0] == '[')
		return end >= 5 && memcmp(h, "[::1]", 5) == 0;
	size_t len = 0;
	while (len < end && h[len] != ':')
		len++;
	while (len && h[len - 1] == '.')
		len--;
	if (!len || !memchr(h, '.', len))
		return true;	/* localhost, a compose service, a proxy alias */
	static const char *const suffixes[] = { ".local", ".localhost", ".internal", ".lan" };
	for (size_t i = 0; i < DF_ARRAY_LEN(suffixes); i++) {
		size_t k = strlen(suffixes[i]);
		if (len > k && df_mem_ieq(h + len - k, k, suffixes[i]))
			return true;
	}
	return private_ipv4(h, len);
}

static bool plain_http(df_str url)
{
	return url.len > 7 && df_mem_ieq(url.ptr, 7, "http://") && !local_host(url.ptr + 7, url.len - 7);
}

static void report(df_lint *lint, df_span sp, const char *tool, df_str url)
{
	df_report(lint, &df_rule_DF2003, sp,
		  "%s fetches '%.*s' over plain http: anyone on the path can read or replace it; "
		  "use https:// (or verify a checksum)",
		  tool, (int)url.len, url.ptr);
}

static void check_add(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *add = in->inner ? in->inner : in;
	if (add->kind != DF_I_ADD)
		return;
	/* A pinned digest proves the file whatever the path it took. */
	if (df_instr_flag(add, "checksum"))
		return;
	for (size_t i = 0; i < add->nsources; i++) {
		const df_word *w = &add->sources[i];
		df_str url;
		if (!df_expanded_value(&w->exp, w->value, &url))
			continue;
		if (plain_http(url))
			report(lint, w->span, "ADD", url);
	}
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	df_download d;
	if (!df_download_read(lint, in, v, &d))
		return 0;
	/* Every URL of the command, not only the first. */
	df_opt_iter it;
	df_opt o;
	df_opt_iter_init(&it, d.cmd, v->name, d.wget ? &df_wget_opts : &df_curl_opts);
	while (df_opt_next(&it, &o)) {
		bool url = (!o.letter && !o.name.ptr) ||
			   (!d.wget && df_opt_is_long(&o, (const char *const[]){ "--url", NULL }));
		if (url && o.value.ptr && !d.cmd->words[o.value_word].has_expansion && plain_http(o.value))
			report(lint, df_cmd_word_span(d.view, o.value_word), d.wget ? "wget" : "curl", o.value);
	}
	return 0;
}
