/*
 * fixer.h - `dfopt --fix`: rounds of parse, lint and edit until nothing
 * more is fixed.
 *
 * A round lints the current text with fixes collected (engine.h), keeps the
 * fixes of the findings that survived suppression and whose applicability
 * the run allows (safe; unsafe too with --unsafe-fixes; display-only
 * never), and applies those that do not overlap (fix/edit.h), in finding
 * order, one fix an instruction (two fixes of one instruction were judged
 * on the text before either); the others wait for the next round, which
 * sees the new text and judges them again. The
 * loop stops when a round applies nothing or after a bound of rounds.
 *
 * A round whose result has a parse error that the text before it did not
 * have is refused: the text stays as it was before that round, and the
 * refusal names the error (a fix must never break a file). Comparing
 * errors by message, not position: the edits move them.
 *
 * Fixes may also add lines to the build context's ignore file (a side
 * file, fix/side.h) when it is given the Dockerfile's path: the fixer
 * keeps that file's text beside the Dockerfile's, appends the lines of the
 * fixes it applies, refuses a round that would leave it malformed, and
 * lints the next round in the context as that text makes it (opened anew,
 * not the one the run shares, which stays as the disk has it). Nothing is
 * written here: the caller commits the lines (df_side_commit()) and lints
 * what remains in result->context. Without a path (stdin), fixes with such
 * lines are not applied.
 *
 * Ownership: a df_fix_result owns its text, notes, side lines and context;
 * release it with df_fix_result_release().
 */
#ifndef DF_FIX_FIXER_H
#define DF_FIX_FIXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "parse/parser.h"
#include "util/buf.h"

/* Rules that report once per RUN, as hadolint does, fix one command of
 * it per round: a RUN of twenty `apt install`s takes twenty rounds. */
#define DF_FIX_MAX_ROUNDS 32

typedef struct df_fix_run {
	const df_lint_opts *lint;	/* suppression and rule input, as for linting */
	const df_parse_opts *parse;	/* build args; may be NULL */
	bool unsafe;			/* apply unsafe fixes too */
	unsigned max_rounds;		/* 0: DF_FIX_MAX_ROUNDS */
	const char *only;		/* apply only this code's fixes (a rule's
					 * snapshot tests); NULL: every code's */
} df_fix_run;

/* One fix applied: what its finding said, where, in the text of its round. */
typedef struct df_fix_note {
	char *code;
	char *message;
	uint32_t line, col;
	unsigned round;		/* 1-based */
} df_fix_note;

typedef struct df_fix_result {
	df_buf text;		/* the fixed text (the input when nothing applied) */
	df_fix_note *notes;	/* the fixes applied, in order */
	size_t nnotes, cap;
	unsigned rounds;	/* rounds that applied something */
	bool refused;		/* a round was refused: refusal says why */
	df_buf refusal;		/* "LINE:COL: MESSAGE" of the new parse error */
	bool unsettled;		/* the bound was hit with fixes still applying */
	/* The ignore file, when the fixes add to it: */
	char *side_path;	/* the file in force, or the .dockerignore to create;
				 * NULL: no fix to apply had lines for it */
	bool side_existed;	/* it was on disk */
	df_buf side_before;	/* its text on disk */
	df_buf side_text;	/* its text with the lines added */
	char **side_lines;	/* the lines added, in order */
	size_t nside, side_cap;
	df_context *context;	/* the build context as side_text makes it, or NULL */
} df_fix_result;

void df_fix_result_release(df_fix_result *r);

/* Fix text (len bytes), named name in messages, into r (which it
 * initialises). Never fails: at worst r->text is the input. */
void df_fix_text(const char *name, const char *text, size_t len, const df_fix_run *run, df_fix_result *r);
/* df_fix_text() of the Dockerfile at path (NULL: none, as for stdin),
 * whose build context (run->lint->context) the ignore-file fixes extend. */
void df_fix_file(const char *name, const char *path, const char *text, size_t len, const df_fix_run *run,
		 df_fix_result *r);

#endif
