/* DL3059 - consecutive one-command RUNs could be one. */
#include "engine/cmds.h"
#include "engine/rule.h"

#include <stdint.h>
#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

/* The last RUN seen: the one just before when its index in doc->instrs
 * is the previous one. */
typedef struct prev_run {
	const df_instr *run;	/* NULL: none yet, or one no RUN pairs with
				   (an ONBUILD's, one with an error) */
	size_t commands;	/* its simple commands (2 = "many"), or UNCOUNTED */
} prev_run;

/* Commands are counted only when a RUN follows a RUN: most do not. */
#define UNCOUNTED SIZE_MAX

const df_rule df_rule_DL3059 = {
	.code = "DL3059",
	.name = "consecutive-run",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "Multiple consecutive `RUN` instructions. Consider consolidation.",
	.docs = {
		.what = "Reports a RUN that directly follows another RUN (comments between them "
			"are fine) when both have the same flags and each runs at most one "
			"simple command. RUNs that already chain commands are left alone: they "
			"were most likely split on purpose.",
		.why = "Every RUN makes a layer; single commands in a row add layers and "
		       "cache steps without a reason.",
		.example = "FROM alpine:3.20\nRUN apk add --no-cache curl\nRUN apk add --no-cache git\n",
		.instead = "FROM alpine:3.20\nRUN apk add --no-cache curl git\n",
	},
	.state_size = sizeof(prev_run),
	/* RUNs only: whether another instruction came between two of them
	 * is told by their indexes, so the other kinds need no call. */
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = check,
};

static int count(const df_cmd_view *v, void *ud)
{
	(void)v;
	size_t *n = ud;
	return ++*n > 1;	/* more than one is all we need to know */
}

static size_t commands(df_lint *lint, const df_instr *in)
{
	/* A heredoc that is no sh script (python, ...) counts as many. */
	for (size_t i = 0; i < in->nheredocs; i++)
		if (!in->heredocs[i].script)
			return 2;
	size_t n = 0;
	df_lint_each_command(lint, in, count, &n);
	return n;
}

static bool same_flags(const df_instr *a, const df_instr *b)
{
	if (a->nflags != b->nflags)
		return false;
	for (size_t i = 0; i < a->nflags; i++) {
		df_str x = a->flags[i].raw, y = b->flags[i].raw;
		if (x.len != y.len || memcmp(x.ptr, y.ptr, x.len) != 0)
			return false;
	}
	return true;
}

/* in, a RUN without an error, right after p->run: report it when both run
 * at most one command with the same flags, and take its place. Not inlined:
 * check() is called for every RUN, and most follow no RUN, which then need
 * none of the registers this saves. */
static void __attribute__((noinline)) after_run(df_lint *lint, const df_instr *in, prev_run *p)
{
	size_t n = UNCOUNTED;
	if (same_flags(p->run, in)) {
		if (p->commands == UNCOUNTED)
			p->commands = commands(lint, p->run);
		if (p->commands <= 1) {
			n = commands(lint, in);
			if (n <= 1)
				df_report(lint, &df_rule_DL3059, in->keyword_span, NULL);
		}
	}
	p->run = in;
	p->commands = n;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	prev_run *p = state;
	if (in->kind != DF_I_RUN || in->has_error) {
		p->run = NULL;
	} else if (p->run && p->run->index + 1 == in->index) {
		after_run(lint, in, p);
	} else {
		p->run = in;
		p->commands = UNCOUNTED;
	}
}
