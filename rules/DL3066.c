/* DL3066 - USER should name a numeric uid. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3066 = {
	.code = "DL3066",
	.name = "numeric-user-id",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_NONE,
	.message = "Non-numeric user-id may not be resolvable by host system",
	.docs = {
		.what = "Reports a USER whose user part (before `:`) is not all digits. A user that "
			"refers to an ARG declared earlier is accepted; other variables are judged "
			"by their value where dfopt knows it, and accepted where it does not.",
		.why = "A user name is resolved through the image's /etc/passwd; orchestrators "
		       "that enforce non-root (runAsNonRoot) can only verify a numeric uid.",
		.example = "FROM alpine:3.20\nUSER app\n",
		.instead = "FROM alpine:3.20\nUSER 10001:10001\n",
	},
	.instr_kinds = DF_KIND(DF_I_USER),
	.on_instr = check,
};

/* The part of s before the first ':'. */
static df_str uid_part(df_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] == ':')
			s.len = i;
	return s;
}

static bool all_digits(df_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!df_is_digit((unsigned char)s.ptr[i]))
			return false;
	return true;
}

static bool var_char(char c)
{
	return df_is_alnum((unsigned char)c) || c == '_';
}

/* An ARG named name[0..len) appears before instruction index before. */
static bool arg_declared(const df_doc *doc, size_t before, const char *name, size_t len)
{
	for (size_t i = 0; i < before && i < doc->ninstrs; i++) {
		const df_instr *a = doc->instrs[i];
		if (a->kind != DF_I_ARG)
			continue;
		for (size_t k = 0; k < a->npairs; k++)
			if (a->pairs[k].key.len == len && memcmp(a->pairs[k].key.ptr, name, len) == 0)
				return true;
	}
	return false;
}

/* s holds $A or ${A} for an ARG declared before this instruction. */
static bool refers_to_arg(const df_doc *doc, const df_instr *in, df_str s)
{
	for (size_t i = 0; i + 1 < s.len; i++) {
		if (s.ptr[i] != '$')
			continue;
		size_t at = i + 1 + (s.ptr[i + 1] == '{');
		size_t end = at;
		while (end < s.len && var_char(s.ptr[end]))
			end++;
		if (end > at && arg_declared(doc, in->index, s.ptr + at, end - at))
			return true;
	}
	return false;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_USER || in->has_error || in->nargs == 0)
		return;
	const df_word *w = &in->args[0];
	df_str uid = uid_part(w->raw);
	if (all_digits(uid))
		return;
	if (memchr(uid.ptr, '$', uid.len)) {
		if (refers_to_arg(df_lint_doc(lint), in, uid))
			return;
		if (w->exp.state != DF_EXP_KNOWN)
			return;	/* an unknown build arg: it may be a number */
		if (all_digits(uid_part(w->exp.value)))
			return;
	}
	df_report(lint, &df_rule_DL3066, w->span, NULL);
}
