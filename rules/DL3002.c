/* DL3002 - the last USER of a stage should not be root. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);
static void stage_end(df_lint *lint, const df_stage *stage, void *state);

typedef struct last_user {
	bool root;		/* the last USER of this stage so far is root */
	df_span span;		/* its argument */
} last_user;

const df_rule df_rule_DL3002 = {
	.code = "DL3002",
	.name = "last-user-not-root",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_NONE,
	.message = "Last USER should not be root",
	.docs = {
		.what = "Reports a stage whose last USER is `root` or uid 0 (with any group), at "
			"that USER. A stage without USER is not reported. Unlike hadolint, a USER "
			"given by a known ARG or ENV is judged by its value, and one that depends on "
			"an unknown build arg counts as not root.",
		.why = "Switching to root for a few steps is fine; leaving it as the stage's user "
		       "makes the container run as root.",
		.example = "FROM debian:12\nUSER root\nRUN apt-get update\n",
		.instead = "FROM debian:12\nUSER root\nRUN apt-get update\nUSER app\n",
	},
	.state_size = sizeof(last_user),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_USER),
	.on_instr = check,
	.on_stage_end = stage_end,
};

/* "root", "0", "root:*" or "0:*", as hadolint. */
static bool is_root(df_str u)
{
	const char *colon = memchr(u.ptr, ':', u.len);
	size_t n = colon ? (size_t)(colon - u.ptr) : u.len;
	return df_mem_eq(u.ptr, n, "root") || df_mem_eq(u.ptr, n, "0");
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)lint;
	last_user *s = state;
	if (in->kind == DF_I_FROM) {
		s->root = false;
		return;
	}
	/* ONBUILD USER runs in another build: not this stage's user. */
	if (in->kind != DF_I_USER || in->has_error || in->nargs != 1)
		return;
	const df_word *w = &in->args[0];
	s->root = w->exp.state == DF_EXP_KNOWN ? is_root(w->exp.value)
		  : w->exp.state == DF_EXP_NONE && is_root(w->value);
	s->span = w->span;
}

static void stage_end(df_lint *lint, const df_stage *stage, void *state)
{
	(void)stage;
	last_user *s = state;
	if (s->root)
		df_report(lint, &df_rule_DL3002, s->span, NULL);
	s->root = false;
}
