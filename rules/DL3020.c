/* DL3020 - use COPY instead of ADD for files and folders. */
#include "context/context.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3020 = {
	.code = "DL3020",
	.name = "copy-not-add",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_SAFE,
	.message = "Use COPY instead of ADD for files and folders",
	.docs = {
		.what = "Reports an ADD whose source is neither an http(s) URL nor a local archive. "
			"The fix writes COPY: safe when the build context shows that no source is "
			"a tar archive (ADD unpacks one whatever its name), unsafe without a context "
			"or when a source cannot be looked at; none when ADD has an option COPY "
			"lacks or a source is a URL or an archive by name.",
		.why = "ADD also downloads and unpacks; for plain files COPY says exactly what "
		       "happens and nothing more.",
		.example = "FROM alpine\nADD app.py /app/\n",
		.instead = "FROM alpine\nCOPY app.py /app/\n",
	},
	.instr_kinds = DF_KIND(DF_I_ADD),
	.on_instr = check,
};

static bool is_archive(df_str s)
{
	static const char *const exts[] = {
		".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2",
		".tgz", ".tlz", ".tpz", ".txz", ".xz",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(exts); i++)
		if (df_mem_has_suffix(s.ptr, s.len, exts[i]))
			return true;
	return false;
}

static bool is_url(df_str s)
{
	return (s.len >= 7 && memcmp(s.ptr, "http://", 7) == 0) ||
	       (s.len >= 8 && memcmp(s.ptr, "https://", 8) == 0);
}

/* Does the context file at path start like an archive ADD would unpack
 * (gzip, bzip2, xz, or a tar header)? Unreadable counts as maybe. */
static bool looks_like_archive(const char *root, const char *path)
{
	char full[4096];
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", root, path) >= sizeof(full))
		return true;
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return true;
	unsigned char b[263];
	ssize_t n = read(fd, b, sizeof(b));
	close(fd);
	if (n < 0)
		return true;
	return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) || (n >= 3 && !memcmp(b, "BZh", 3)) ||
	       (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6)) || (n >= 262 && !memcmp(b + 257, "ustar", 5));
}

/*
 * How safe COPY is for this ADD: it must have no option COPY lacks and no
 * source ADD would download or unpack. An archive is known by content, not
 * name, so only the context can prove there is none: every source a plain
 * file or a directory there (a directory is copied, never unpacked).
 */
static df_fix_kind copy_fix(df_lint *lint, const df_instr *in)
{
	for (size_t i = 0; i < in->nflags; i++) {
		df_str n = in->flags[i].name;
		if (!df_mem_eq(n.ptr, n.len, "chown") && !df_mem_eq(n.ptr, n.len, "chmod") &&
		    !df_mem_eq(n.ptr, n.len, "link") && !df_mem_eq(n.ptr, n.len, "exclude"))
			return DF_FIX_NONE;
	}
	if (in->nheredocs)
		return DF_FIX_NONE;
	for (size_t i = 0; i < in->nsources; i++) {
		const df_word *w = &in->sources[i];
		df_str v = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->value;
		/* A git source (git@host:, ssh://, git://) is fetched by ADD only. */
		if (w->exp.state == DF_EXP_UNKNOWN || is_url(v) || is_archive(v) ||
		    df_mem_has_prefix(v.ptr, v.len, "git@") || df_mem_contains(v.ptr, v.len, "://"))
			return DF_FIX_NONE;
	}
	const df_context *ctx = df_lint_context(lint);
	if (!ctx)
		return DF_FIX_UNSAFE;
	for (size_t i = 0; i < in->nsources; i++) {
		const df_word *w = &in->sources[i];
		df_str v = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->value;
		char src[1024];
		if (v.len >= sizeof(src) || memchr(v.ptr, '*', v.len) || memchr(v.ptr, '?', v.len) ||
		    memchr(v.ptr, '[', v.len))
			return DF_FIX_UNSAFE;	/* a pattern: what it matches is many files */
		memcpy(src, v.ptr, v.len);
		src[v.len] = '\0';
		const df_ctx_entry *e = df_context_find(ctx, src);
		if (!e || (e->type != DF_CTX_DIR && (e->type != DF_CTX_FILE || looks_like_archive(ctx->root, e->path))))
			return DF_FIX_UNSAFE;
	}
	return DF_FIX_SAFE;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_ADD || in->has_error)
		return;
	for (size_t i = 0; i < in->nsources; i++) {
		const df_word *w = &in->sources[i];
		df_str v = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->value;
		if (w->exp.state == DF_EXP_UNKNOWN || is_url(v) || is_archive(v))
			continue;
		df_fix *fix = df_report_fix(lint, &df_rule_DL3020, in->outer ? DF_FIX_NONE : copy_fix(lint, in), w->span,
					    NULL);
		char kw[32];
		df_fix_edit(fix, in->keyword_span.start, in->keyword_span.end, df_keyword_like("COPY", in->keyword, kw));
		return;	/* one finding per instruction, as hadolint */
	}
}
