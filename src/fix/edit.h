/*
 * edit.h - fixes as byte-range edits on a file's original text.
 *
 * An edit replaces text[start, end) with its replacement; an insertion has
 * start == end. Edits are always against the text that was linted, never
 * against a half-fixed one: a round of fixing applies a set of edits that
 * do not overlap, in one pass, and leaves the rest for the next round (which
 * lints the new text again and finds them anew, at their new offsets).
 *
 * Two edits overlap when their ranges share a byte, or when both insert at
 * the same offset (their order would be a guess), or when one inserts
 * strictly inside the other's range. Touching ranges ([a,b) and [b,c)) do
 * not overlap. Which of two overlapping edits wins a round: the one added
 * first; the caller adds them in the order it wants them to win (findings
 * in position order).
 *
 * A fix may also add lines to the build context's ignore file (a side
 * file: fix/side.h). Those are kept apart from the byte-range edits, by
 * group too: they never overlap anything (appending is all they do), so
 * df_edits_apply() leaves them to the fixer, which adds those of the groups
 * it applied.
 *
 * Ownership: a df_edits owns copies of the replacements and lines.
 */
#ifndef DF_FIX_EDIT_H
#define DF_FIX_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

typedef struct df_edit {
	size_t start, end;	/* the bytes replaced: [start, end) */
	char *text;		/* the replacement; owned */
	size_t len;
	size_t group;		/* edits of one fix share a group: all or none */
} df_edit;

/* A line a fix appends to the build context's ignore file. */
typedef struct df_side_line {
	char *line;		/* an ignore pattern, without line ending; owned */
	size_t group;
} df_side_line;

typedef struct df_edits {
	df_edit *items;
	size_t len, cap;
	size_t ngroups;
	df_side_line *lines;	/* in the order added */
	size_t nlines, lines_cap;
} df_edits;

#define DF_EDITS_INIT { NULL, 0, 0, 0, NULL, 0, 0 }

void df_edits_release(df_edits *e);
/* Start a new fix: the edits added until the next call are one group,
 * applied together or not at all. Returns its number. */
size_t df_edits_begin(df_edits *e);
/* Add an edit to the current group (a group is begun if none is). */
void df_edits_add(df_edits *e, size_t start, size_t end, const char *text, size_t len);
/* Add to the current group a line for the ignore file. */
void df_edits_add_line(df_edits *e, const char *line);

/*
 * Apply to text (len bytes) every group none of whose edits overlaps an
 * edit of a group applied before it, in group order, writing the result to
 * out (reset first). Edits past the end of text are refused (the group is
 * skipped). Returns how many groups were applied; *skipped (may be NULL)
 * gets how many were left for another round, and applied (may be NULL; one
 * entry per group) which were applied. A group without edits is neither.
 */
size_t df_edits_apply(const df_edits *e, const char *text, size_t len, df_buf *out, size_t *skipped,
		      bool *applied);

#endif
