/* DL3012 - only one HEALTHCHECK per stage. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

typedef struct seen {
	int count;	/* HEALTHCHECKs in the current stage */
} seen;

const df_rule df_rule_DL3012 = {
	.code = "DL3012",
	.name = "multiple-healthcheck",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Multiple `HEALTHCHECK` instructions",
	.docs = {
		.what = "Reports the second and later HEALTHCHECK of a stage (HEALTHCHECK NONE "
			"counts; an ONBUILD HEALTHCHECK does not).",
		.why = "Only the last HEALTHCHECK takes effect; the others only mislead the reader.",
		.example = "FROM nginx:1.25\nHEALTHCHECK CMD curl -f http://localhost/\n"
			   "HEALTHCHECK CMD wget -q -O- http://localhost/\n",
		.instead = "FROM nginx:1.25\nHEALTHCHECK CMD curl -f http://localhost/\n",
	},
	.state_size = sizeof(seen),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_HEALTHCHECK),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	seen *s = state;
	if (in->kind == DF_I_FROM)
		s->count = 0;
	else if (in->kind == DF_I_HEALTHCHECK && ++s->count > 1)
		df_report(lint, &df_rule_DL3012, in->keyword_span, NULL);
}
