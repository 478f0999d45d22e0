/* DL3043 - ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3043 = {
	.code = "DL3043",
	.name = "invalid-onbuild-trigger",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.",
	.docs = {
		.what = "Reports `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`, at the "
			"trigger's keyword.",
		.why = "The builder refuses these triggers: the image cannot be built on.",
		.example = "FROM alpine:3.20\nONBUILD FROM alpine:3.20\n",
		.instead = "FROM alpine:3.20\nONBUILD RUN echo built on\n",
	},
	.subsumes_parse_error = true,
	.instr_kinds = DF_KIND(DF_I_ONBUILD),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_ONBUILD || in->rest.len == 0)
		return;
	/* The parser refuses these triggers (a DL1000) and keeps no inner
	 * instruction for them, so look at the trigger's keyword itself. */
	size_t n = 0;
	while (n < in->rest.len && !df_is_space((unsigned char)in->rest.ptr[n]))
		n++;
	const char *kw = in->rest.ptr;
	if (df_mem_ieq(kw, n, "onbuild") || df_mem_ieq(kw, n, "from") || df_mem_ieq(kw, n, "maintainer"))
		df_report(lint, &df_rule_DL3043, df_text_span(&in->text, in->rest_off, n), NULL);
}
