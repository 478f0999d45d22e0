/* DL4004 - only the last ENTRYPOINT of a stage takes effect. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

typedef struct seen {
	int count;	/* ENTRYPOINTs in the current stage */
} seen;

const df_rule df_rule_DL4004 = {
	.code = "DL4004",
	.name = "multiple-entrypoint",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
	.docs = {
		.what = "Reports the second and later ENTRYPOINT of a stage.",
		.why = "Only the last ENTRYPOINT takes effect; the others only mislead the reader.",
		.example = "FROM alpine\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n",
		.instead = "FROM alpine\nENTRYPOINT [\"b\"]\n",
	},
	.state_size = sizeof(seen),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_ENTRYPOINT),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	seen *s = state;
	if (in->kind == DF_I_FROM)
		s->count = 0;
	else if (in->kind == DF_I_ENTRYPOINT && ++s->count > 1)
		df_report(lint, &df_rule_DL4004, in->keyword_span, NULL);
}
