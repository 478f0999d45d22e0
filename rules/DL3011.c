/* DL3011 - EXPOSE ports must be valid UNIX ports. */
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3011 = {
	.code = "DL3011",
	.name = "valid-port-range",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Valid UNIX ports range from 0 to 65535",
	.docs = {
		.what = "Reports an EXPOSE port, or either end of a port range, above 65535. "
			"Unlike hadolint, ports given by a known ARG or ENV are checked by value; "
			"ports that depend on an unknown build arg are not.",
		.why = "No such port exists: the image metadata is wrong and the port can never "
		       "be published.",
		.example = "FROM nginx:1.25\nEXPOSE 80800\n",
		.instead = "FROM nginx:1.25\nEXPOSE 8080\n",
	},
	.instr_kinds = DF_KIND(DF_I_EXPOSE),
	.on_instr = check,
};

/* Is the number s[0..n) all digits and above 65535? */
static bool too_big(const char *s, size_t n)
{
	unsigned long v = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!df_is_digit((unsigned char)s[i]))
			return false;
		if (v <= 65535)
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v > 65535;
}

/* port -> N[/proto] | N-M[/proto] */
static bool bad_port(const char *s, size_t n)
{
	size_t end = 0, dash = n;
	while (end < n && s[end] != '/')
		end++;
	for (size_t i = 0; i < end; i++)
		if (s[i] == '-') {
			dash = i;
			break;
		}
	if (dash == n)
		return too_big(s, end);
	return too_big(s, dash) || too_big(s + dash + 1, end - dash - 1);
}

/* Any bad port among the space-separated ports of v? */
static bool bad_ports(df_str v)
{
	size_t i = 0;
	while (i < v.len) {
		while (i < v.len && df_is_space((unsigned char)v.ptr[i]))
			i++;
		size_t start = i;
		while (i < v.len && !df_is_space((unsigned char)v.ptr[i]))
			i++;
		if (i > start && bad_port(v.ptr + start, i - start))
			return true;
	}
	return false;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_EXPOSE || in->has_error)
		return;
	for (size_t i = 0; i < in->nargs; i++) {
		const df_word *w = &in->args[i];
		if (w->exp.state == DF_EXP_KNOWN ? bad_ports(w->exp.value)
		    : w->exp.state == DF_EXP_NONE && bad_ports(w->value)) {
			df_report(lint, &df_rule_DL3011, w->span, NULL);
			return;	/* one finding per instruction, as hadolint */
		}
	}
}
