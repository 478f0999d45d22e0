/* MultipleInstructionsDisallowed - a CMD, ENTRYPOINT or HEALTHCHECK that a later one replaces. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

/* The last CMD, ENTRYPOINT and HEALTHCHECK of the current stage so far. */
typedef struct last_seen {
	bool seen[3];
	df_span kw[3];
	int stage;
} last_seen;

const df_rule df_rule_MultipleInstructionsDisallowed = {
	.code = "MultipleInstructionsDisallowed",
	.name = "multiple-instructions-disallowed",
	.severity = DF_SEV_WARNING,
	.same_as = (const char *const[]){ "DL4003", "DL4004", "DL3012", NULL },
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "only the last instruction of this kind in a stage takes effect",
	.docs = {
		.what = "Reports every CMD, ENTRYPOINT or HEALTHCHECK that a later one of the same "
			"kind in the same stage replaces. ONBUILD triggers do not count. The same "
			"problem as DL3012 (HEALTHCHECK), DL4003 (CMD) and DL4004 (ENTRYPOINT).",
		.why = "The image keeps only the last one: the earlier ones do nothing but "
		       "mislead the reader.",
		.example = "FROM alpine\nCMD [\"echo\", \"one\"]\nCMD [\"echo\", \"two\"]\n",
		.instead = "FROM alpine\nCMD [\"echo\", \"two\"]\n",
	},
	.state_size = sizeof(last_seen),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_CMD) | DF_KIND(DF_I_ENTRYPOINT) | DF_KIND(DF_I_HEALTHCHECK),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	last_seen *s = state;
	if (in->kind == DF_I_FROM || in->stage != s->stage) {
		*s = (last_seen){ .stage = in->stage };
		return;
	}
	int k = in->kind == DF_I_CMD ? 0 : in->kind == DF_I_ENTRYPOINT ? 1 : in->kind == DF_I_HEALTHCHECK ? 2 : -1;
	if (k < 0)
		return;
	/* The earlier one is the useless one; reporting it when the next
	 * arrives needs no look-ahead. */
	if (s->seen[k])
		df_report(lint, &df_rule_MultipleInstructionsDisallowed, s->kw[k],
			  "multiple %s instructions in one stage: only the last one takes effect",
			  df_instr_kind_name(in->kind));
	s->seen[k] = true;
	s->kw[k] = in->keyword_span;
}
