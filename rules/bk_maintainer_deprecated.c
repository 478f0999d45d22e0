/* MaintainerDeprecated - MAINTAINER is deprecated. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_MaintainerDeprecated = {
	.code = "MaintainerDeprecated",
	.name = "maintainer-instruction-deprecated",
	.severity = DF_SEV_WARNING,
	.same_as = (const char *const[]){ "DL4000", NULL },
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "MAINTAINER is deprecated: name the image author with a label",
	.docs = {
		.what = "Reports every MAINTAINER instruction. The same problem as DL4000.",
		.why = "MAINTAINER is deprecated; the `org.opencontainers.image.authors` label "
		       "is what tools read.",
		.example = "FROM alpine\nMAINTAINER Jane <jane@example.com>\n",
		.instead = "FROM alpine\nLABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_MAINTAINER),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind == DF_I_MAINTAINER)
		df_report(lint, &df_rule_MaintainerDeprecated, in->keyword_span, NULL);
}
