/* DF2012 - a checksum line with one space fails BusyBox's sha256sum -c. */
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/pipeline.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2012 = {
	.code = "DF2012",
	.name = "checksum-line-one-space",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "checksum line with one space between hash and file: BusyBox's check rejects it",
	.docs = {
		.what = "Reports a `HASH FILE` line with a single space between the hash and the "
			"file name given to `sha256sum -c` (also `--check`, and `md5sum`, `sha1sum`, "
			"`sha224sum`, `sha384sum`, `sha512sum`, `b2sum`) in a RUN (shell form, "
			"heredoc scripts, ONBUILD RUN): piped from `echo` (its words joined by one "
			"space, as echo prints them) or from `printf` with no `%` in its format, or "
			"given as a here-string (`<<<`) or a here-document. The hash is a run of at "
			"least 32 hex digits, or a variable (`$SHA256`, `${NODE_SHA}`), whose value "
			"does not matter: the space is written in the Dockerfile. `HASH *FILE` "
			"(binary mode) is fine.",
		.why = "The checksum file format is the hash, two characters (two spaces, or a "
		       "space and `*`), then the name. GNU coreutils also accepts one space, so the "
		       "line works on Debian; BusyBox (Alpine and other small images) reads the "
		       "space as part of the name, finds no such file, and the check fails. The "
		       "line then breaks when the base image changes.",
		.example = "FROM alpine:3.20\n"
			   "ARG SHA256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
			   "RUN wget -q https://example.com/tool.tgz \\\n"
			   " && echo \"$SHA256 tool.tgz\" | sha256sum -c -\n",
		.instead = "FROM alpine:3.20\n"
			   "ARG SHA256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
			   "RUN wget -q https://example.com/tool.tgz \\\n"
			   " && echo \"$SHA256  tool.tgz\" | sha256sum -c -\n",
	},
	.commands = (const char *const[]){ "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum",
					   "sha512sum", "b2sum", NULL },
	.on_command = on_command,
};

/* Is c a hex digit, of either case? */
static bool is_hex(char c)
{
	return df_is_digit((unsigned char)c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Offset of the first line of text[0..n) that has one space between a hash
 * (32 or more hex digits, or a variable) and a name, or -1. Lines end at a
 * newline or at a written "\n". */
static long one_space_line(const char *t, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && (t[i] == ' ' || t[i] == '\t'))
			i++;
		size_t h = i;
		/* The word's hex digits first (no hex digit ends it): a word
		 * that is a hash is read once. */
		while (i < n && is_hex(t[i]))
			i++;
		size_t hex_end = i;
		while (i < n && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' &&
		       !(t[i] == '\\' && i + 1 < n && t[i + 1] == 'n'))
			i++;
		bool hash = (i - h >= 2 && t[h] == '$') || (hex_end == i && i - h >= 32);
		if (hash && i + 1 < n && t[i] == ' ' && t[i + 1] != ' ' && t[i + 1] != '\t' &&
		    t[i + 1] != '*' && t[i + 1] != '\n' && t[i + 1] != '\\')
			return (long)h;
		while (i < n && t[i] != '\n' && !(t[i] == '\\' && i + 1 < n && t[i + 1] == 'n'))
			i++;
		i += i < n && t[i] == '\\' ? 2 : 1;
	}
	return -1;
}

/* The line echo or printf c prints, words joined by one space, into out
 * (cap bytes); with word, for each byte, the index of the word it is from.
 * False when c is neither or its output is not known from its words. */
static bool printed(const df_sh_cmd *c, size_t name, char *out, size_t *word, size_t cap, size_t *n)
{
	const df_sh_word *w = c->words;
	bool is_printf = df_sh_word_is(&w[name], "printf");
	if (!is_printf && !df_sh_word_is(&w[name], "echo"))
		return false;
	size_t i = name + 1;
	if (is_printf) {
		/* Only a format with nothing to fill in prints itself. */
		if (i + 1 != c->nwords || memchr(w[i].value.ptr, '%', w[i].value.len))
			return false;
	} else {
		while (i < c->nwords && w[i].value.len >= 2 && w[i].value.ptr[0] == '-' &&
		       strspn(w[i].value.ptr + 1, "neE") == w[i].value.len - 1)
			i++;
	}
	*n = 0;
	for (size_t first = i; i < c->nwords; i++) {
		if (*n + w[i].value.len + 1 >= cap)
			return false;
		if (i > first)
			word[*n] = i, out[(*n)++] = ' ';
		for (size_t k = 0; k < w[i].value.len; k++)
			word[*n] = i, out[(*n)++] = w[i].value.ptr[k];
	}
	return true;
}

static void report(df_lint *lint, df_span sp, const df_cmd_view *v)
{
	df_report(lint, &df_rule_DF2012, sp,
		  "checksum line for `%.*s -c` has one space between hash and file name: GNU accepts "
		  "it, BusyBox (Alpine) rejects it and the check fails; put two spaces (or \" *\")",
		  (int)v->basename.len, v->basename.ptr);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	static const char *const check[] = { "--check", NULL };
	static const df_optspec sum_opts = { 0 };
	(void)state;
	const df_sh_cmd *c = v->cmd;
	if (v->exec || !df_opt_has(c, v->name, &sum_opts, 'c', check))
		return 0;
	/* A here-string or a here-document. */
	for (size_t i = 0; i < c->nredirs; i++) {
		const df_sh_redir *r = &c->redirs[i];
		if (!strcmp(r->op, "<<<") && one_space_line(r->target.value.ptr, r->target.value.len) >= 0) {
			report(lint, df_text_span(v->text, v->base + r->target.start, r->target.end - r->target.start),
			       v);
			return 0;
		}
		if (r->heredoc && r->heredoc_body.ptr &&
		    one_space_line(r->heredoc_body.ptr, r->heredoc_body.len) >= 0) {
			report(lint, df_cmd_word_span(v, v->name), v);
			return 0;
		}
	}
	/* The command before it in a pipeline. */
	df_sh_ctx ctx;
	if (!df_run_cmd_ctx(in->inner ? in->inner : in, c, &ctx) || !ctx.pipe || ctx.pipe_index == 0)
		return 0;
	const df_sh_cmd *src = ctx.pipe->cmds[ctx.pipe_index - 1];
	char line[2048];
	size_t word[2048], n;
	if (src->kind != DF_SH_SIMPLE || !src->nwords)
		return 0;
	size_t name = df_sh_cmd_name_index(src);
	if (!printed(src, name, line, word, sizeof(line), &n))
		return 0;
	long at = one_space_line(line, n);
	if (at < 0)
		return 0;
	df_cmd_view sv = *v;
	sv.cmd = src;
	report(lint, df_cmd_word_span(&sv, word[at]), v);
	return 0;
}
