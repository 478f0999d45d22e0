/* DL4000 - MAINTAINER is deprecated. */
#include "engine/rule.h"
#include "util/buf.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL4000 = {
	.code = "DL4000",
	.name = "maintainer-deprecated",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_SAFE,
	.message = "MAINTAINER is deprecated",
	.docs = {
		.what = "Reports every MAINTAINER instruction. The fix writes it as the OCI "
			"authors label, the keyword in the file's casing, the value quoted and "
			"escaped so that the label holds exactly what MAINTAINER held.",
		.why = "MAINTAINER is deprecated; a label is what tools read.",
		.example = "FROM alpine\nMAINTAINER Jane <jane@example.com>\n",
		.instead = "FROM alpine\nLABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_MAINTAINER),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_MAINTAINER)
		return;
	df_fix *fix = df_report_fix(lint, &df_rule_DL4000, DF_FIX_SAFE, in->keyword_span, NULL);
	if (!fix || in->outer)
		return;		/* an ONBUILD trigger: its value is another build's */
	bool lower = in->keyword.len && in->keyword.ptr[0] >= 'a' && in->keyword.ptr[0] <= 'z';
	df_fix_edit(fix, in->keyword_span.start, in->keyword_span.end, lower ? "label" : "LABEL");
	if (!in->rest.len)
		return;
	/* MAINTAINER's text is taken as is; a LABEL value is unquoted and
	 * expanded, so quote it and escape what either would change. */
	char esc = df_lint_doc(lint)->escape;
	df_buf v = DF_BUF_INIT;
	df_buf_adds(&v, "org.opencontainers.image.authors=\"");
	for (size_t i = 0; i < in->rest.len; i++) {
		char c = in->rest.ptr[i];
		if (c == '"' || c == '$' || c == esc)
			df_buf_addc(&v, esc);
		df_buf_addc(&v, c);
	}
	df_buf_addc(&v, '"');
	df_span rest = df_text_span(&in->text, in->rest_off, in->rest.len);
	df_fix_edit(fix, rest.start, rest.end, df_buf_str(&v));
	df_buf_release(&v);
}
