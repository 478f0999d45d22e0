/* NoEmptyContinuation - a blank line inside a line continuation. */
#include "engine/rule.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_NoEmptyContinuation = {
	.code = "NoEmptyContinuation",
	.name = "no-empty-continuation",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "empty line inside a line continuation",
	.docs = {
		.what = "Reports the first blank line inside an instruction continued with the "
			"escape character (comment lines are fine).",
		.why = "The builder skips such a line today but warns that it will become an "
		       "error; and a reader easily takes the blank line for the end of the "
		       "instruction.",
		.example = "FROM alpine\nRUN apk add \\\n\n    curl\n",
		.instead = "FROM alpine\nRUN apk add \\\n    curl\n",
	},
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	/* The parser counts them on the outer instruction, ONBUILD included. */
	if (!in->empty_continuations || !in->first_empty_continuation)
		return;
	const df_source *src = &df_lint_doc(lint)->src;
	uint32_t line = in->first_empty_continuation;
	if (line > src->nlines)
		return;
	size_t start = df_source_line_start(src, line), end = start;
	/* The line's blanks, without its newline. */
	while (end < src->len && src->data[end] != '\n' && src->data[end] != '\r')
		end++;
	df_span sp = { (uint32_t)start, (uint32_t)end };
	if (in->empty_continuations > 1)
		df_report(lint, &df_rule_NoEmptyContinuation, sp, "%u empty lines inside a line continuation",
			  (unsigned)in->empty_continuations);
	else
		df_report(lint, &df_rule_NoEmptyContinuation, sp, NULL);
}
