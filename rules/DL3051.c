/* DL3051 - a schema label must not be empty. */
#include "engine/engine.h"

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
	.on_instr = check,
};

/* The key as the builder sees it, quotes removed; false when unknown. */
static bool label_key(const df_kv *kv, df_str *out)
{
	if (kv->key_exp.state == DF_EXP_KNOWN) {
		*out = kv->key_exp.value;
		return true;
	}
	if (kv->key_exp.state != DF_EXP_NONE)
		return false;
	df_str k = kv->key;
	if (k.len >= 2 && (k.ptr[0] == '"' || k.ptr[0] == '\'') && k.ptr[k.len - 1] == k.ptr[0]) {
		k.ptr++;
		k.len -= 2;
	}
	*out = k;
	return true;
}

/* The schema type of label key, or -1 when the schema does not list it. */
static int schema_type(const df_lint_opts *o, df_str key)
{
	for (size_t i = 0; i < o->nlabels; i++)
		if (strlen(o->labels[i].name) == key.len && memcmp(o->labels[i].name, key.ptr, key.len) == 0)
			return (int)o->labels[i].type;
	return -1;
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
		if (!label_key(kv, &key) || schema_type(o, key) < 0)
			continue;
		if (kv->value_exp.state == DF_EXP_KNOWN && kv->value_exp.value.len == 0)
			df_report(lint, &df_rule_DL3051, kv->key_span, "label `%.*s` is empty.", (int)key.len, key.ptr);
	}
}
