/* DL3054 - an `spdx` schema label holds an SPDX licence id. */
#include "engine/engine.h"
#include "engine/labels.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3054 = {
	.code = "DL3054",
	.name = "label-not-spdx",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Label `<label>` is not a valid SPDX identifier.",
	.docs = {
		.what = "Reports a LABEL of schema type `spdx` whose value is not a single SPDX licence id. dfopt knows only a partial built-in list of common ids (MIT, Apache-2.0, the BSD, GPL, LGPL, AGPL, MPL and EPL ids, ISC, Unlicense, 0BSD, CC0-1.0, Zlib); expressions such as `MIT OR Apache-2.0` are rejected, and so is a valid id missing from the list. "
			"Only labels of the configured schema (--require-label NAME:spdx) are "
			"checked; a key or value that depends on an unknown build arg is skipped.",
		.why = "License scanners read this label; a misspelt or free-form licence defeats them.",
		.example = "# dfopt --require-label org.opencontainers.image.licenses:spdx\nFROM alpine:3.20\nLABEL org.opencontainers.image.licenses=\"Apache 2\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.licenses=\"Apache-2.0\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

/* A partial list: the common SPDX licence ids only. */
static const char *const spdx_ids[] = {
	"0BSD", "AGPL-3.0-only", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "CC0-1.0", "EPL-2.0",
	"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "ISC", "LGPL-2.1-only",
	"LGPL-2.1-or-later", "LGPL-3.0-only", "MIT", "MPL-2.0", "Unlicense", "Zlib",
};

static bool is_spdx(df_str v)
{
	for (size_t i = 0; i < sizeof(spdx_ids) / sizeof(spdx_ids[0]); i++)
		if (strlen(spdx_ids[i]) == v.len && memcmp(spdx_ids[i], v.ptr, v.len) == 0)
			return true;
	return false;
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
		if (!df_label_key(kv, &key) || df_label_schema_type(o, key) != DF_LABEL_SPDX)
			continue;
		if (kv->value_exp.state != DF_EXP_KNOWN || kv->value_exp.value.len == 0)
			continue;	/* unknown; an empty value is DL3051's */
		if (!is_spdx(kv->value_exp.value))
			df_report(lint, &df_rule_DL3054, kv->value_span, "Label `%.*s` is not a valid SPDX identifier.", (int)key.len, key.ptr);
	}
}
