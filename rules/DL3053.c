/* DL3053 - an `rfc3339` schema label holds an RFC 3339 timestamp. */
#include "engine/engine.h"
#include "engine/labels.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3053 = {
	.code = "DL3053",
	.name = "label-not-rfc3339",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Label `<label>` is not a valid time format - must conform to RFC3339.",
	.docs = {
		.what = "Reports a LABEL of schema type `rfc3339` whose value is not an RFC 3339 date-time such as `2024-05-01T12:00:00Z` (fractional seconds and a numeric offset allowed). "
			"Only labels of the configured schema (--require-label NAME:rfc3339) are "
			"checked; a key or value that depends on an unknown build arg is skipped.",
		.why = "Consumers parse the build date; a free-form date cannot be compared or sorted.",
		.example = "# dfopt --require-label org.opencontainers.image.created:rfc3339\nFROM alpine:3.20\nLABEL org.opencontainers.image.created=\"May 1 2024\"\n",
		.instead = "FROM alpine:3.20\nLABEL org.opencontainers.image.created=\"2024-05-01T12:00:00Z\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_LABEL),
	.needs_input = DF_INPUT_LABELS,
	.on_instr = check,
};

/* n digits at *p, at most max; advances. */
static bool digits(const char **p, const char *end, int n, int max)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (*p >= end || **p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	return v <= max;
}

static bool lit(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* full-date "T" full-time (RFC 3339 section 5.6). */
static bool is_rfc3339(df_str v)
{
	const char *p = v.ptr, *end = v.ptr + v.len, *q;
	if (!digits(&p, end, 4, 9999) || !lit(&p, end, '-'))
		return false;
	q = p;
	if (!digits(&p, end, 2, 12) || (q[0] == '0' && q[1] == '0') || !lit(&p, end, '-'))
		return false;
	q = p;
	if (!digits(&p, end, 2, 31) || (q[0] == '0' && q[1] == '0'))
		return false;
	if (p >= end || (*p != 'T' && *p != 't'))
		return false;
	p++;
	if (!digits(&p, end, 2, 23) || !lit(&p, end, ':') || !digits(&p, end, 2, 59) || !lit(&p, end, ':') ||
	    !digits(&p, end, 2, 60))
		return false;
	if (p < end && *p == '.') {
		p++;
		q = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == q)
			return false;
	}
	if (p < end && (*p == 'Z' || *p == 'z'))
		return p + 1 == end;
	if (p >= end || (*p != '+' && *p != '-'))
		return false;
	p++;
	return digits(&p, end, 2, 23) && lit(&p, end, ':') && digits(&p, end, 2, 59) && p == end;
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
		if (!df_label_key(kv, &key) || df_label_schema_type(o, key) != DF_LABEL_RFC3339)
			continue;
		if (kv->value_exp.state != DF_EXP_KNOWN || kv->value_exp.value.len == 0)
			continue;	/* unknown; an empty value is DL3051's */
		if (!is_rfc3339(kv->value_exp.value))
			df_report(lint, &df_rule_DL3053, kv->value_span, "Label `%.*s` is not a valid time format - must conform to RFC3339.", (int)key.len, key.ptr);
	}
}
