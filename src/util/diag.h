/*
 * diag.h - diagnostics: findings about the user's file.
 *
 * A diagnostic names a source range (1-based line and byte column, end
 * exclusive column), a code (e.g. "DL1000" for parse errors), a severity and a
 * message. Messages are lowercase, quote the subject and have no trailing
 * period. A df_diags list owns its entries' strings, except those added with
 * df_diags_add_static(): strings that live as long as the program (a rule's
 * code and fixed message) are borrowed, not copied. The strings it owns are
 * copied into text blocks of the list (df_diags_text()), freed all at once
 * with it: a file's findings would otherwise cost a malloc and a free each.
 */
#ifndef DF_UTIL_DIAG_H
#define DF_UTIL_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum df_severity {
	DF_SEV_ERROR,
	DF_SEV_WARNING,
	DF_SEV_INFO,
	DF_SEV_STYLE,
	DF_SEV_IGNORE,	/* off unless the user raises it (DL3057, DL1001) */
} df_severity;

typedef struct df_diag {
	uint32_t line, col;		/* start, 1-based; col counts bytes */
	uint32_t end_line, end_col;	/* end, end_col exclusive */
	df_severity severity;
	/* strlen(message) when the list owns the message, so that output
	 * does not measure it again; DF_DIAG_LEN_UNKNOWN for a borrowed one
	 * or one too long for the field. Read it with df_diag_message_len(). */
	uint32_t message_len;
	const char *code;		/* in the list's text unless borrowed_code */
	const char *message;		/* in its text unless borrowed_message */
	bool borrowed_code, borrowed_message;
	/* The fix the finding offers, if any (engine/rule.h df_report_fix()):
	 * its applicability, a df_fix_kind (0: none), and, when the run
	 * collected fixes, 1 + its group in the run's edits (0: none). */
	unsigned char fix_kind;
	uint32_t fix_group;
} df_diag;

typedef struct df_diags {
	df_diag *items;
	size_t len, cap;
	struct df_diag_text *text;	/* the newest block of owned strings */
} df_diags;

#define DF_DIAGS_INIT { NULL, 0, 0, NULL }

#define DF_DIAG_LEN_UNKNOWN UINT32_MAX

/* The message_len of a message of len bytes. */
static inline uint32_t df_diag_len_field(size_t len)
{
	return len < DF_DIAG_LEN_UNKNOWN ? (uint32_t)len : DF_DIAG_LEN_UNKNOWN;
}

/* strlen(d->message). */
static inline size_t df_diag_message_len(const df_diag *d)
{
	return d->message_len != DF_DIAG_LEN_UNKNOWN ? d->message_len : strlen(d->message);
}

void df_diags_init(df_diags *d);
void df_diags_release(df_diags *d);
df_diag *df_diags_add(df_diags *d, df_severity sev, const char *code,
		      uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
		      const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* df_diags_add() of a message that is already text: message is copied. */
df_diag *df_diags_add_str(df_diags *d, df_severity sev, const char *code,
			  uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
			  const char *message);
/* A new entry at the end of d, its fields not set, once d has grown room
 * for it: the slow path of df_diags_add_static(). */
df_diag *df_diags_grow_one(df_diags *d);
/* df_diags_add_str() borrowing code and message, which must live,
 * unchanged, as long as the program (string literals, a rule's fields):
 * most findings are a rule's fixed message, and copying it costs more than
 * finding it. Output relies on this to escape each borrowed string once
 * (output.c). Inline: every finding of a rule is added so. */
static inline df_diag *df_diags_add_static(df_diags *d, df_severity sev, const char *code,
					   uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
					   const char *message)
{
	df_diag *g = d->len < d->cap ? &d->items[d->len++] : df_diags_grow_one(d);
	*g = (df_diag){ .line = line, .col = col, .end_line = end_line, .end_col = end_col, .severity = sev,
			.message_len = DF_DIAG_LEN_UNKNOWN, .code = code, .message = message,
			.borrowed_code = true, .borrowed_message = true };
	return g;
}

/* A block of the strings a list owns; the list holds the newest. Only
 * diag.c and df_diags_text() look inside. */
struct df_diag_text {
	struct df_diag_text *older;
	size_t used, cap;
	char bytes[];
};

/* The slow path of df_diags_text(): a new block. */
char *df_diags_text_grow(df_diags *d, size_t len);

/* Room in d's text for a string of len bytes and its NUL, valid until d is
 * released: for an entry's code or message written in place. Inline: the
 * newest block has room for nearly every message. */
static inline char *df_diags_text(df_diags *d, size_t len)
{
	struct df_diag_text *t = d->text;
	if (!t || t->cap - t->used <= len)
		return df_diags_text_grow(d, len);
	char *p = t->bytes + t->used;
	t->used += len + 1;
	return p;
}
/* Move from's entries, and the text they point into, to the end of to;
 * from is left empty. */
void df_diags_take(df_diags *to, df_diags *from);
/* Stable sort by position, then code. */
void df_diags_sort(df_diags *d);
const char *df_severity_name(df_severity s);

#endif
