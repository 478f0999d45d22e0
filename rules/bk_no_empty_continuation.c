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
		.what = "Reports an instruction continued with the escape character across a "
			"blank line (comment lines are fine), once, at the line where the "
			"continuation ends as BuildKit does; the message says which line is blank.",
		.why = "The builder skips such a line today but warns that it will become an "
		       "error; and a reader easily takes the blank line for the end of the "
		       "instruction.",
		.example = "FROM alpine\nRUN apk add \\\n\n    curl\n",
		.instead = "FROM alpine\nRUN apk add \\\n    curl\n",
	},
	.on_instr = check,
};

static void report(df_lint *lint, const df_instr *in) __attribute__((noinline));

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	/* The parser counts them on the outer instruction, ONBUILD included. */
	if (in->empty_continuations && in->first_empty_continuation)
		report(lint, in);
}

/* Out of line: every instruction is asked and nearly none has an empty
 * line in its continuation, so the call need not pay for the frame and
 * the saved registers this takes. */
static void report(df_lint *lint, const df_instr *in)
{
	const df_source *src = &df_lint_doc(lint)->src;
	/* The line that ends the continuation, as the builder reports it:
	 * the instruction's last line, or the one before its heredoc bodies. */
	uint32_t line = in->end_line, col;
	if (in->nheredocs) {
		df_source_pos(src, in->heredocs[0].body_span.start, &line, &col);
		line--;
	}
	if (line < in->first_empty_continuation || line > src->nlines)
		line = in->first_empty_continuation;
	if (line > src->nlines)
		return;
	size_t start = df_source_line_start(src, line), end = start;
	while (end < src->len && src->data[end] != '\n' && src->data[end] != '\r')
		end++;
	/* The line's text without its indentation, or the blank line whole. */
	size_t text = start;
	while (text < end && (src->data[text] == ' ' || src->data[text] == '\t'))
		text++;
	df_span sp = { (uint32_t)(text < end ? text : start), (uint32_t)end };
	if (in->empty_continuations > 1)
		df_report(lint, &df_rule_NoEmptyContinuation, sp,
			  "%u empty lines inside this line continuation, the first at line %u",
			  (unsigned)in->empty_continuations, (unsigned)in->first_empty_continuation);
	else
		df_report(lint, &df_rule_NoEmptyContinuation, sp,
			  "empty line inside this line continuation, at line %u",
			  (unsigned)in->first_empty_continuation);
}
