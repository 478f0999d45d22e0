/* DF2014 - a RUN heredoc script with CRLF line endings: sh reads the '\r'. */
#include "engine/rule.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DF2014 = {
	.code = "DF2014",
	.name = "heredoc-script-crlf",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "heredoc script with CRLF line endings: the shell reads each '\\r' as part of the line",
	.docs = {
		.what = "Reports a RUN heredoc that the shell runs as a script (`RUN <<EOF`, `RUN bash "
			"<<EOF`, a `#!/bin/sh` or `#!/bin/bash` body; also in ONBUILD) whose lines end "
			"in CRLF, at the first such line. Heredocs that are data (`COPY <<EOF`, a body "
			"read on another descriptor, a `python3 <<EOF` or a non-shell shebang) are "
			"left alone, and so are CRLF instruction lines, which the builder strips.",
		.why = "The builder strips the `\\r` of CRLF line endings from instruction lines only: "
		       "a heredoc's body reaches the shell as written. sh takes the `\\r` as part of "
		       "each line's last word, so `apt-get update` runs `update\\r` (\"Invalid "
		       "operation\"), a package list ends in an unknown package, a `\\` no longer "
		       "joins lines, and a shebang names `/bin/bash\\r`, which does not exist. The "
		       "file builds from a Linux checkout and fails from a Windows one (git's "
		       "`core.autocrlf`). Save the Dockerfile with LF line endings, and pin them "
		       "with `Dockerfile text eol=lf` in `.gitattributes`.",
		.example = "# syntax=docker/dockerfile:1\n"
			   "# (saved with CRLF line endings)\n"
			   "FROM debian:12\n"
			   "RUN <<EOF\n"
			   "apt-get update\n"
			   "apt-get install -y --no-install-recommends curl\n"
			   "EOF\n",
		.instead = "# syntax=docker/dockerfile:1\n"
			   "# (saved with LF line endings)\n"
			   "FROM debian:12\n"
			   "RUN <<EOF\n"
			   "apt-get update\n"
			   "apt-get install -y --no-install-recommends curl\n"
			   "EOF\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = check,
};

/* Report the first CRLF line of each script heredoc of run. Not inlined:
 * check() is called for every RUN, and nearly none has a heredoc, which
 * then needs none of the registers this saves. */
static void __attribute__((noinline)) check_heredocs(df_lint *lint, const df_instr *run)
{
	const char *src = df_lint_doc(lint)->src.data;
	for (size_t i = 0; i < run->nheredocs; i++) {
		const df_heredoc *h = &run->heredocs[i];
		if (!h->script)
			continue;	/* data, not a shell script */
		/* The body's lines as the source has them: the first that ends
		 * in "\r\n" is where the shell first sees a '\r'. */
		const char *p = src + h->body_span.start, *end = src + h->body_span.end;
		/* Most bodies hold no '\r' at all: one look says so. */
		if (!memchr(p, '\r', (size_t)(end - p)))
			continue;
		while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if (p > src + h->body_span.start && p[-1] == '\r') {
				uint32_t at = (uint32_t)(p - 1 - src);
				df_report(lint, &df_rule_DF2014, (df_span){ at, at + 1 },
					  "heredoc '%.*s' has CRLF line endings: the shell reads each line's '\\r' "
					  "as part of its last word; save the Dockerfile with LF line endings",
					  (int)h->name.len, h->name.ptr);
				break;
			}
			p++;
		}
	}
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (run->kind == DF_I_RUN && run->nheredocs)
		check_heredocs(lint, run);
}
