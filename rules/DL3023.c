/* DL3023 - COPY --from cannot name its own stage. */
#include "engine/rule.h"
#include "parse/flags.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3023 = {
	.code = "DL3023",
	.name = "copy-from-own-stage",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "`COPY --from` cannot reference its own `FROM` alias",
	.docs = {
		.what = "Reports `COPY --from=X` where X is the name of the stage the COPY is in. "
			"Stage names compare case-insensitively, as in the builder (hadolint compares "
			"them exactly). A variable in X is a parse error (DL1000), not reported here.",
		.why = "A stage cannot copy from itself: the build fails.",
		.example = "FROM golang:1.22 AS build\nCOPY --from=build /src /src\n",
		.instead = "FROM golang:1.22 AS build\nCOPY ./src /src\n",
	},
	.instr_kinds = DF_KIND(DF_I_COPY),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_graph *g = df_lint_graph(lint);
	if (in->kind != DF_I_COPY || in->has_error || in->stage < 0 || (size_t)in->stage >= g->nstages)
		return;
	const df_flag *f = df_instr_flag(in, "from");
	/* The builder refuses a variable in --from (a DL1000). */
	if (!f || !f->has_value || memchr(f->value.ptr, '$', f->value.len))
		return;
	/* Stage names are stored lower-cased. */
	df_str name = g->stages[in->stage].name;
	if (!name.ptr || name.len != f->value.len)
		return;
	for (size_t i = 0; i < name.len; i++)
		if (df_to_lower((unsigned char)f->value.ptr[i]) != (unsigned char)name.ptr[i])
			return;
	df_report(lint, &df_rule_DL3023, f->span, NULL);
}
