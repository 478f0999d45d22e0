/* DL3051 - a schema label must not be empty. */
#include "engine/engine.h"
#include "engine/labels.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3051 = {
	.code = "DL3051",
	.name = "label-empty",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "label `<label>` is empty.",
	.docs = {
		.what = "Reports a LABEL of the label schema whose value is empty, at its key. "
			"Only labels of the configured schema (--require-label NAME:text) are "
			"checked; a key or value that depends on an unknown build arg is skipped.",
		.why = "A required label set to nothing is as good as missing, but hides that it is.",
		.example = "# dfopt --require-label org.opencontainers.image.title:text\nFROM alpine:3.20\nLABEL org.opencontainers.image.title=\"\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.title=\"dfopt\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_lint_opts *o = df_lint_config(lint);
	if (in->kind != DF_I_LABEL || in->has_error || o->nlabels == 0)
		return;
	for (size_t i = 0; i < in->npairs; i++) {
		const df_kv *kv = &in->pairs[i];
		df_str key;
		if (!df_label_key(kv, &key) || df_label_schema_type(o, key) < 0)
			continue;
		if (kv->value_exp.state == DF_EXP_KNOWN && kv->value_exp.value.len == 0)
			df_report(lint, &df_rule_DL3051, kv->key_span, "label `%.*s` is empty.", (int)key.len, key.ptr);
	}
}
