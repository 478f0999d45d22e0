/* DL3020 - use COPY instead of ADD for files and folders. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3020 = {
	.code = "DL3020",
	.name = "copy-not-add",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Use COPY instead of ADD for files and folders",
	.docs = {
		.what = "Reports an ADD whose source is neither an http(s) URL nor a local archive.",
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
		df_report(lint, &df_rule_DL3020, w->span, NULL);
		return;	/* one finding per instruction, as hadolint */
	}
}
