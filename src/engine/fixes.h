/*
 * fixes.h - fixes that several rules offer, built the same way: a flag
 * added after a command's subcommand (`apk add --no-cache`), a keyword
 * written in another case.
 *
 * Only shell-form commands are edited: an exec-form argv would need JSON
 * quoting, and the words there are few enough that the user fixes them by
 * hand. A word whose text comes from a variable is never the anchor of an
 * edit: what it expands to is not what the file says.
 */
#ifndef DF_ENGINE_FIXES_H
#define DF_ENGINE_FIXES_H

#include "engine/cmds.h"
#include "engine/rule.h"

/* The index of the first word of v's command after its name whose text is
 * literally word (no quotes, no expansion), or -1. */
long df_cmd_literal_word(const df_cmd_view *v, const char *word);

/*
 * Report rule's finding over sp with message (NULL: the rule's), offering
 * a fix of the given kind that inserts " text" after word `after` of v's
 * command (an index into v->cmd->words, e.g. from df_cmd_literal_word());
 * no fix when after is -1 or v is exec form.
 */
void df_report_insert_after(df_lint *lint, const df_rule *rule, df_fix_kind kind, df_span sp, const char *message,
			    const df_cmd_view *v, long after, const char *text);

/* s with its ASCII letters in lower (or upper) case, into buf; NULL when
 * s is longer than 31 bytes. For keywords and protocols. */
const char *df_ascii_case(df_str s, bool lower, char buf[32]);
/* kw written in like's case (lower when like's letters are all lower
 * case, upper otherwise), into buf (at most 31 characters); returns buf. */
const char *df_keyword_like(const char *kw, df_str like, char buf[32]);

#endif
