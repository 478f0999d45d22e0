/* DL3050 - with strict labels, only schema labels are set. */
#include "engine/engine.h"
#include "engine/labels.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3050 = {
	.code = "DL3050",
	.name = "superfluous-label",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Superfluous label(s) present.",
	.docs = {
		.what = "With --strict-labels, reports a LABEL instruction that sets a key outside the "
			"label schema (every key when the schema is empty), once per instruction at the "
			"first such key. A key that depends on an unknown build arg is skipped.",
		.why = "A strict schema keeps image metadata uniform across a fleet; stray keys drift.",
		.example = "# dfopt --strict-labels --require-label org.opencontainers.image.title:text\n"
			   "FROM alpine:3.20\nLABEL org.opencontainers.image.title=\"app\" team=\"ops\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.title=\"app\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_lint_opts *o = df_lint_config(lint);
	if (in->kind != DF_I_LABEL || in->has_error || !o->strict_labels)
		return;
	for (size_t i = 0; i < in->npairs; i++) {
		df_str key;
		if (df_label_key(&in->pairs[i], &key) && df_label_schema_type(o, key) < 0) {
			df_report(lint, &df_rule_DL3050, in->pairs[i].key_span, NULL);
			return;	/* one finding per instruction, as hadolint */
		}
	}
}
