/* DF1005 - a COPY sends the Dockerfile itself. */
#include "context/glob.h"
#include "engine/copyctx.h"
#include "engine/ignorefix.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DF1005 = {
	.code = "DF1005",
	.name = "dockerfile-in-context",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_UNSAFE,
	.message = "a COPY sends the Dockerfile itself",
	.docs = {
		.what = "Reports the first COPY or ADD from the build context whose sources bring in the "
			"Dockerfile being linted, after `.dockerignore` and the instruction's `--exclude`: "
			"`COPY . .`, `COPY * ./`, or a directory that holds it (`COPY docker/ /etc/app/` "
			"for `docker/Dockerfile`); a COPY that names the Dockerfile itself means to ship it "
			"and is left alone. The message also names the ignore file in use "
			"(`.dockerignore`, or the Dockerfile's own `<name>.dockerignore`) when the same "
			"COPY sends it: it is build configuration too. Without a build context, or with a "
			"Dockerfile outside it (`-f ../Dockerfile`), the rule stays quiet. The fix (unsafe: "
			"it changes the build context) adds what the message names to the ignore file in "
			"force, creating `.dockerignore` when there is none; it is not offered when another "
			"COPY names the Dockerfile itself.",
		.why = "The COPY's cache key covers the contents of every file it brings in. With the "
		       "Dockerfile among them, editing any instruction, even a LABEL at the end, "
		       "changes this step and re-runs it and every step after it. The image also "
		       "carries a file it never uses.",
		.example = "# no .dockerignore\nFROM python:3.12\nWORKDIR /app\nCOPY . .\n"
			   "RUN pip install --no-cache-dir .\n",
		.instead = "# .dockerignore:\n#   Dockerfile\n#   .dockerignore\n"
			   "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n",
	},
	.state_size = sizeof(bool),
	.instr_kinds = DF_KIND(DF_I_COPY) | DF_KIND(DF_I_ADD),
	.on_instr = check,
};

/* Could source s bring in path without naming it? A cheap look at the words
 * before the walk is asked for: the whole context, a directory above it, or
 * a pattern (decided by the selection). A COPY that names the Dockerfile
 * itself means to ship it. */
static bool may_send(const df_copy_source *s, const char *path)
{
	if (s->whole)
		return true;
	/* Cleaning only drops bytes: without '*', '?' or '[' the value is no
	 * pattern, and a path with no '/' lies under no directory. Most
	 * sources are told so before any copy. */
	df_str v = s->value;
	bool wild = memchr(v.ptr, '*', v.len) || memchr(v.ptr, '?', v.len) || memchr(v.ptr, '[', v.len);
	if (!wild && !strchr(path, '/'))
		return false;
	df_buf b = DF_BUF_INIT;
	df_copy_source_path(s, &b);
	const char *rel = df_buf_str(&b);
	bool may = df_glob_has_meta(rel) || (strncmp(path, rel, b.len) == 0 && path[b.len] == '/');
	df_buf_release(&b);
	return may;
}

/* Report in when its sources (culprit the first that may send it) do bring
 * in the Dockerfile; true if so. */
static bool judge(df_lint *lint, const df_instr *in, const df_context *ctx, const df_copy_sources *srcs,
		  const df_copy_source *culprit, const char *dockerfile)
{
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	df_buf err = DF_BUF_INIT, ignore = DF_BUF_INIT, text = DF_BUF_INIT;
	bool sent = df_copy_select(ctx, in, srcs, &sel, &err) == 0 && df_ctx_selection_has(ctx, &sel, dockerfile);
	if (!sent)
		goto out;
	const char *paths[2] = { dockerfile, NULL };
	size_t npaths = 1;
	/* The message, then the fix's lines, each ended by a NUL, in one
	 * buffer with room made once; the message in pieces, not a format:
	 * it is made for most files. */
	df_buf_grow(&text, 256);
	df_copy_add_text(&text, in);
	df_buf_adds(&text, " sends the Dockerfile '");
	df_buf_adds(&text, dockerfile);
	df_buf_adds(&text, "': editing any instruction re-runs this step and every one after it; ");
	if (!ctx->ignore_file) {
		df_buf_adds(&text, "create a .dockerignore with `");
		df_buf_adds(&text, dockerfile);
		df_buf_addc(&text, '`');
	} else {
		const char *name = strrchr(ctx->ignore_file, '/') ? strrchr(ctx->ignore_file, '/') + 1 : ctx->ignore_file;
		/* The ignore file is build configuration as much as the
		 * Dockerfile: name it when the same COPY sends it. */
		if (df_context_locate(ctx, ctx->ignore_file, &ignore) &&
		    df_ctx_selection_has(ctx, &sel, df_buf_str(&ignore))) {
			df_buf_addf(&text, "add `%s` and `%s` to %s", dockerfile, df_buf_str(&ignore), name);
			paths[npaths++] = df_buf_str(&ignore);
		} else {
			df_buf_addf(&text, "add `%s` to %s", dockerfile, name);
		}
	}
	df_buf_addc(&text, '\0');
	/* The fix adds what the message names. */
	size_t line_at[2];
	bool quoted = true;
	for (size_t i = 0; i < npaths; i++) {
		line_at[i] = text.len;
		quoted &= df_ignore_quote(paths[i], false, &text);
		df_buf_addc(&text, '\0');
	}
	const char *lines[2];
	for (size_t i = 0; i < npaths; i++)
		lines[i] = text.buf + line_at[i];
	bool can = quoted && df_ignore_fix_ok(lint, lines, npaths, paths, npaths);
	df_fix *fix = df_report_fix(lint, &df_rule_DF1005, can ? DF_FIX_UNSAFE : DF_FIX_NONE, culprit->word->span,
				    "%s", text.buf);
	for (size_t i = 0; i < npaths; i++)
		df_fix_ignore(fix, lines[i]);
out:
	df_ctx_selection_release(&sel);
	df_buf_release(&err);
	df_buf_release(&ignore);
	df_buf_release(&text);
	return sent;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	bool *reported = state;
	if (*reported)
		return;
	/* Borrowed: judge() asks about no other instruction's sources. */
	const df_copy_sources *srcs;
	if (!df_lint_copy_sources_peek(lint, in, &srcs) || !srcs->len)
		return;
	const df_context *ctx = df_lint_context(lint);
	const char *dockerfile = ctx ? df_lint_context_dockerfile(lint) : NULL;
	if (!dockerfile)
		return;
	const df_copy_source *culprit = NULL;
	for (size_t i = 0; i < srcs->len && !culprit; i++)
		if (may_send(&srcs->items[i], dockerfile))
			culprit = &srcs->items[i];
	/* Most COPYs name files: only one that may send the Dockerfile is
	 * looked into. */
	if (culprit)
		*reported = judge(lint, in, ctx, srcs, culprit, dockerfile);
}
