/* CopyIgnoredFile - a COPY/ADD source that .dockerignore excludes. */
#include "context/glob.h"
#include "context/ignore.h"
#include "engine/copyctx.h"
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_CopyIgnoredFile = {
	.code = "CopyIgnoredFile",
	.name = "copy-ignored-file",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Attempting to Copy file that is excluded by .dockerignore",
	.docs = {
		.what = "BuildKit's check of the same name: reports a COPY (without `--from`) or ADD "
			"source from the build context that the ignore file (`.dockerignore`, or the "
			"Dockerfile's own `<name>.dockerignore`) excludes, with BuildKit's wording "
			"(`Attempting to Copy file \"tmp/x\" that is excluded by .dockerignore`, `Add` "
			"for ADD; the path is the source cleaned, as BuildKit prints it). A path fires "
			"when it, or a directory above it, is excluded and no exception brings it back; "
			"a pattern (`*.txt`) fires when everything it matches is excluded. The whole "
			"context (`.`) never fires. BuildKit ships this check as experimental and off "
			"by default, because it matches the source text against the patterns and "
			"cannot tell when an exception (`!keep`) re-includes part of it, so it skips "
			"every ignore file with exceptions. dfopt decides on the walked context, "
			"exceptions included, so the check is on by default: the build it reports "
			"fails. `# check=skip=` silences it, unless `experimental=` names it (or is "
			"`all`): BuildKit does not skip the experimental checks it was asked for. "
			"Without a build context, or without an ignore file, it stays quiet.",
		.why = "An excluded file is not sent to the builder: the COPY fails with `not found` "
		       "(or `no source files were specified` for a pattern), usually after the "
		       "`.dockerignore` was tightened for another reason.",
		.example = "# .dockerignore:\n#   */tmp/*\nFROM scratch\nCOPY ./app/tmp/helloworld.txt /helloworld.txt\n",
		.instead = "# .dockerignore:\n#   */tmp/*\nFROM scratch\nCOPY ./app/forever/helloworld.txt /helloworld.txt\n",
	},
	.instr_kinds = DF_KIND(DF_I_COPY) | DF_KIND(DF_I_ADD),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	/* Borrowed: nothing below asks about another instruction's sources.
	 * Most COPYs are told at once that there is nothing to judge: no
	 * context source, no context, or no ignore file. */
	const df_copy_sources *srcs;
	if (!df_lint_copy_sources_peek(lint, in, &srcs) || !srcs->len)
		return;
	const df_context *ctx = df_lint_context(lint);
	if (!ctx || !ctx->ignore)
		return;
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	df_buf p = DF_BUF_INIT, err = DF_BUF_INIT;
	for (size_t i = 0; i < srcs->len; i++) {
		const df_copy_source *s = &srcs->items[i];
		if (s->whole)
			continue;
		df_buf_reset(&p);
		df_copy_source_path(s, &p);
		const char *path = df_buf_str(&p);
		if (df_context_select(ctx, path, &sel, &err) < 0)
			continue;	/* a malformed pattern: the build's error, not this check's */
		/* Nothing there but what the ignore file left out; a path that
		 * is nowhere is excluded when the patterns say so. */
		bool excluded = sel.roots ? sel.roots == sel.ignored
					  : !df_glob_has_meta(path) && df_ignore_match(ctx->ignore, path);
		if (excluded)
			df_report(lint, &df_rule_CopyIgnoredFile, s->word->span,
				  "Attempting to %s file \"%s\" that is excluded by .dockerignore",
				  in->kind == DF_I_ADD ? "Add" : "Copy", path);
	}
	df_ctx_selection_release(&sel);
	df_buf_release(&p);
	df_buf_release(&err);
}
