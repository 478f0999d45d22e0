/* DL4000 - MAINTAINER is deprecated. */
#include "engine/fixes.h"
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
			"escaped so that the label holds exactly what MAINTAINER held; none is offered "
			"when a comment line lies among the value's continued lines, which the "
			"one-line label would lose, or when MAINTAINER has no value.",
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
	/* The label is written on one line: a comment line among the value's
	 * lines would be lost, so then there is no fix; nor for a MAINTAINER
	 * with no value, which no LABEL can say. */
	df_span rest = in->rest.len ? df_text_span(&in->text, in->rest_off, in->rest.len) : in->keyword_span;
	bool can = in->rest.len && !df_comment_lines_in(df_lint_doc(lint), rest.start, rest.end);
	df_fix *fix = df_report_fix(lint, &df_rule_DL4000, can ? DF_FIX_SAFE : DF_FIX_NONE, in->keyword_span, NULL);
	if (!fix || !can || in->outer)
		return;		/* an ONBUILD trigger: its value is another build's */
	bool lower = in->keyword.len && in->keyword.ptr[0] >= 'a' && in->keyword.ptr[0] <= 'z';
	df_fix_edit(fix, in->keyword_span.start, in->keyword_span.end, lower ? "label" : "LABEL");
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
	df_fix_edit(fix, rest.start, rest.end, df_buf_str(&v));
	df_buf_release(&v);
}
