/* DL3022 - COPY --from should name an earlier stage. */
#include "engine/rule.h"
#include "parse/flags.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3022 = {
	.code = "DL3022",
	.name = "copy-from-unknown-stage",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "`COPY --from` should reference a previously defined `FROM` alias",
	.docs = {
		.what = "Reports `COPY --from=X` where X is not the name of this or an earlier stage, "
			"not the index of one, and has no `:` (so is not a tagged image). Stage names "
			"compare case-insensitively, as in the builder (hadolint compares them "
			"exactly). A variable in X is a parse error (DL1000), not reported here.",
		.why = "A name that is no stage is pulled as an image: a typo in a stage name, or "
		       "an untagged external image, silently copies from the wrong place.",
		.example = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
			   "FROM alpine:3.20\nCOPY --from=bulid /app /app\n",
		.instead = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
			   "FROM alpine:3.20\nCOPY --from=build /app /app\n",
	},
	.instr_kinds = DF_KIND(DF_I_COPY),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_COPY || in->has_error)
		return;
	const df_flag *f = df_instr_flag(in, "from");
	/* The builder refuses a variable in --from (a DL1000); should one get
	 * here, its value is unknown. */
	if (!f || !f->has_value || memchr(f->value.ptr, '$', f->value.len))
		return;
	if (memchr(f->value.ptr, ':', f->value.len))
		return;	/* an image reference with a tag or digest */
	/* This stage's own name counts here; DL3023 reports that. */
	if (df_graph_stage_ref(df_lint_graph(lint), f->value, (size_t)(in->stage + 1)) >= 0)
		return;
	df_report(lint, &df_rule_DL3022, f->span, NULL);
}
