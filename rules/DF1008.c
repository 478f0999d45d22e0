/* DF1008 - ADD of an http(s) URL without --checksum. */
#include "engine/rule.h"
#include "parse/flags.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DF1008 = {
	.code = "DF1008",
	.name = "add-url-without-checksum",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_NONE,
	.message = "ADD of a URL without --checksum is fetched again on every build and never verified",
	.docs = {
		.what = "Reports an ADD (also an ONBUILD ADD) with an `http://` or `https://` source, "
			"as the builder expands it, and no `--checksum` flag. The finding is on the "
			"first such source. Git sources (`git@...`, `git://...`, an https URL whose "
			"path ends in `.git`, with or without a `#ref`) are left alone: they are pinned "
			"by a commit in the ref, and `--checksum` is for HTTP(S) sources. A source whose "
			"value depends on an unknown build arg is left alone too.",
		.why = "BuildKit cannot know whether a URL still serves the same bytes, so it "
		       "downloads it again on every build and keys the step by what it got: a "
		       "changed or tampered file is taken as is, silently busts the cache of this "
		       "step and all after it, and two builds of one Dockerfile can differ. With "
		       "`--checksum=sha256:<digest>` the download is verified, and the step is "
		       "pinned. DL3020 is about ADD of local files; this rule only about URLs.",
		.example = "FROM alpine:3.20\nADD https://example.com/tool-1.2.tar.gz /tmp/\n",
		.instead = "FROM alpine:3.20\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
			   "https://example.com/tool-1.2.tar.gz /tmp/\n",
	},
	.instr_kinds = DF_KIND(DF_I_ADD),
	.on_instr = check,
};

static bool is_http(df_str s)
{
	return df_mem_has_prefix(s.ptr, s.len, "http://") || df_mem_has_prefix(s.ptr, s.len, "https://");
}

/* An https URL the builder takes for a git repository: its path ends in
 * ".git", before any "#ref". */
static bool is_git(df_str s)
{
	const char *hash = memchr(s.ptr, '#', s.len);
	size_t n = hash ? (size_t)(hash - s.ptr) : s.len;
	return df_mem_has_suffix(s.ptr, n, ".git") || df_mem_has_suffix(s.ptr, n, ".git/");
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *add = in->inner ? in->inner : in;
	if (add->kind != DF_I_ADD || add->has_error)
		return;
	if (df_instr_flag(add, "checksum"))
		return;
	for (size_t i = 0; i < add->nsources; i++) {
		const df_word *w = &add->sources[i];
		df_str v;
		if (!df_expanded_value(&w->exp, w->value, &v) || !is_http(v) || is_git(v))
			continue;
		df_report(lint, &df_rule_DF1008, w->span,
			  "`%.*s` is fetched again on every build and never verified: a changed file "
			  "busts this step and every one after it; pin it with --checksum=sha256:<digest>",
			  (int)v.len, v.ptr);
		return;
	}
}
