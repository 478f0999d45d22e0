/*
 * fixes.c - fix builders rules share; see fixes.h.
 */
#include "engine/fixes.h"

#include <string.h>

#include "util/buf.h"
#include "util/util.h"

long df_cmd_literal_word(const df_cmd_view *v, const char *word)
{
	const df_sh_cmd *c = v->cmd;
	for (size_t i = v->name + 1; i < c->nwords; i++) {
		const df_sh_word *w = &c->words[i];
		if (!w->has_expansion && df_mem_eq(w->raw.ptr, w->raw.len, word))
			return (long)i;
	}
	return -1;
}

void df_report_insert_after(df_lint *lint, const df_rule *rule, df_fix_kind kind, df_span sp, const char *message,
			    const df_cmd_view *v, long after, const char *text)
{
	bool can = after >= 0 && !v->exec;
	df_fix *fix = message ? df_report_fix(lint, rule, can ? kind : DF_FIX_NONE, sp, "%s", message)
			      : df_report_fix(lint, rule, can ? kind : DF_FIX_NONE, sp, NULL);
	if (!fix)
		return;
	df_span w = df_cmd_word_span(v, (size_t)after);
	df_buf ins = DF_BUF_INIT;
	df_buf_addc(&ins, ' ');
	df_buf_adds(&ins, text);
	df_fix_edit(fix, w.end, w.end, df_buf_str(&ins));
	df_buf_release(&ins);
}

const char *df_ascii_case(df_str s, bool lower, char buf[32])
{
	if (s.len > 31)
		return NULL;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (lower && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!lower && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		buf[i] = c;
	}
	buf[s.len] = '\0';
	return buf;
}

const char *df_keyword_like(const char *kw, df_str like, char buf[32])
{
	bool lower = false, upper = false;
	for (size_t i = 0; i < like.len; i++) {
		lower |= like.ptr[i] >= 'a' && like.ptr[i] <= 'z';
		upper |= like.ptr[i] >= 'A' && like.ptr[i] <= 'Z';
	}
	size_t n = strlen(kw);
	return df_ascii_case((df_str){ kw, n < 31 ? n : 31 }, lower && !upper, buf);
}
