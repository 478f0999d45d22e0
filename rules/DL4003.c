/* DL4003 - only the last CMD of a stage takes effect. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

typedef struct seen {
	int count;	/* CMDs in the current stage */
} seen;

const df_rule df_rule_DL4003 = {
	.code = "DL4003",
	.name = "multiple-cmd",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
	.docs = {
		.what = "Reports the second and later CMD of a stage.",
		.why = "Only the last CMD takes effect; the others only mislead the reader.",
		.example = "FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\n",
		.instead = "FROM alpine\nCMD [\"b\"]\n",
	},
	.state_size = sizeof(seen),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_CMD),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	seen *s = state;
	if (in->kind == DF_I_FROM)
		s->count = 0;
	else if (in->kind == DF_I_CMD && ++s->count > 1)
		df_report(lint, &df_rule_DL4003, in->keyword_span, NULL);
}
