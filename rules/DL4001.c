/* DL4001 - use either wget or curl, not both. */
#include "engine/cmds.h"
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

enum { USES_CURL = 1, USES_WGET = 2 };

/* Tools seen in the current stage; ONBUILD triggers are tracked apart, as
 * hadolint runs the rule separately over them. */
typedef struct seen {
	unsigned run, onbuild;
} seen;

const df_rule df_rule_DL4001 = {
	.code = "DL4001",
	.name = "wget-or-curl",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "Either use Wget or Curl but not both.",
	.docs = {
		.what = "Once a stage has used both curl and wget, reports every later RUN (from "
			"the one that completes the pair) that uses either. ONBUILD RUNs are "
			"counted on their own.",
		.why = "Two download tools do the same job; installing both makes the image "
		       "bigger and the Dockerfile less consistent.",
		.example = "FROM debian:12\nRUN curl -fsSLO https://example.com/a\n"
			   "RUN wget -q https://example.com/b\n",
		.instead = "FROM debian:12\nRUN curl -fsSLO https://example.com/a\n"
			   "RUN curl -fsSLO https://example.com/b\n",
	},
	.state_size = sizeof(seen),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "curl", "wget", NULL },
	.on_instr = check,
};

typedef struct found {
	unsigned tools;
	df_span first;	/* the first curl or wget command name */
} found;

static int each(const df_cmd_view *v, void *ud)
{
	found *f = ud;
	unsigned t = df_cmd_named(v, "curl") ? USES_CURL : df_cmd_named(v, "wget") ? USES_WGET : 0;
	if (t && !f->tools)
		f->first = df_cmd_word_span(v, v->name);
	f->tools |= t;
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	seen *s = state;
	if (in->kind == DF_I_FROM) {
		s->run = s->onbuild = 0;
		return;
	}
	const df_instr *t = in->inner ? in->inner : in;
	if (t->kind != DF_I_RUN)
		return;
	found f = { 0, { 0, 0 } };
	df_lint_each_command(lint, t, each, &f);
	unsigned *acc = in->inner ? &s->onbuild : &s->run;
	*acc |= f.tools;
	if (f.tools && *acc == (USES_CURL | USES_WGET))
		df_report(lint, &df_rule_DL4001, f.first, NULL);
}
