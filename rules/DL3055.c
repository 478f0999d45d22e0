/* DL3055 - a `hash` schema label holds a git hash. */
#include "engine/engine.h"
#include "engine/labels.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3055 = {
	.code = "DL3055",
	.name = "label-not-git-hash",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Label `<label>` is not a valid git hash.",
	.docs = {
		.what = "Reports a LABEL of schema type `hash` whose value is not a short (7) or full (40) lowercase hex git hash. "
			"Only labels of the configured schema (--require-label NAME:hash) are "
			"checked; a key or value that depends on an unknown build arg is skipped.",
		.why = "Tools that trace an image back to its commit expect a git hash.",
		.example = "# dfopt --require-label org.opencontainers.image.revision:hash\nFROM alpine:3.20\nLABEL org.opencontainers.image.revision=\"HEAD\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.revision=\"3f1c2ab\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

/* 7 or 40 characters of [0-9a-f]. */
static bool is_hash(df_str v)
{
	if (v.len != 7 && v.len != 40)
		return false;
	for (size_t i = 0; i < v.len; i++)
		if (!((v.ptr[i] >= '0' && v.ptr[i] <= '9') || (v.ptr[i] >= 'a' && v.ptr[i] <= 'f')))
			return false;
	return true;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_lint_opts *o = df_lint_config(lint);
	if (in->kind != DF_I_LABEL || in->has_error || o->nlabels == 0)
		return;
	for (size_t i = 0; i < in->npairs; i++) {
		const df_kv *kv = &in->pairs[i];
		df_str key;
		if (!df_label_key(kv, &key) || df_label_schema_type(o, key) != DF_LABEL_HASH)
			continue;
		if (kv->value_exp.state != DF_EXP_KNOWN || kv->value_exp.value.len == 0)
			continue;	/* unknown; an empty value is DL3051's */
		if (!is_hash(kv->value_exp.value))
			df_report(lint, &df_rule_DL3055, kv->value_span, "Label `%.*s` is not a valid git hash.", (int)key.len, key.ptr);
	}
}
