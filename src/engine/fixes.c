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

df_span df_instr_block(const df_doc *doc, const df_instr *in)
{
	df_span sp = in->span;
	/* The nodes tile the source in order: find in's by its start. */
	size_t lo = 0, hi = doc->nnodes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (doc->nodes[mid].span.start < sp.start)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && doc->nodes[lo - 1].kind == DF_NODE_COMMENT)
		sp.start = doc->nodes[--lo].span.start;
	return sp;
}

bool df_comment_lines_in(const df_doc *doc, uint32_t start, uint32_t end)
{
	const char *s = doc->src.data;
	for (uint32_t i = start; i < end;) {
		uint32_t k = i;
		while (k < end && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k < end && s[k] == '#')
			return true;
		const char *nl = memchr(s + k, '\n', end - k);
		if (!nl)
			break;
		i = (uint32_t)(nl - s) + 1;
	}
	return false;
}

bool df_instr_pragma_above(const df_doc *doc, const df_instr *in)
{
	df_span b = df_instr_block(doc, in);
	/* "# hadolint ignore=..." and "# dfopt ignore=...", the global and
	 * stage ones too: telling them apart is not worth the risk. */
	return memmem(doc->src.data + b.start, in->span.start - b.start, "ignore=", 7) != NULL;
}

const char *df_line_ending(const df_doc *doc, uint32_t off)
{
	const char *s = doc->src.data;
	const char *nl = memchr(s + off, '\n', doc->src.len - off);
	if (!nl)	/* the last line has none: say what the one above has */
		for (size_t i = off; !nl && i-- > 0;)
			nl = s[i] == '\n' ? s + i : NULL;
	return nl && nl > s && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* Is the SHELL in force for in one that reads `a && b` as sh does? */
static bool posix_shell(const df_graph *g, const df_instr *in)
{
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "busybox" };
	int idx = df_graph_instr_index(g, in);
	if (idx < 0)
		return false;
	const df_instr *sh = g->steps[idx].shell;
	if (!sh)
		return true;	/* /bin/sh -c */
	if (!sh->exec_form || !sh->nargs)
		return false;
	df_str p = sh->args[0].value;
	size_t b = p.len;
	while (b > 0 && p.ptr[b - 1] != '/')
		b--;
	for (size_t i = 0; i < DF_ARRAY_LEN(shells); i++)
		if (df_mem_eq(p.ptr + b, p.len - b, shells[i]))
			return true;
	return false;
}

bool df_run_end(df_lint *lint, const df_instr *in, uint32_t *at)
{
	if (in->kind != DF_I_RUN || in->outer || in->has_error || in->exec_form || in->nheredocs || !in->script ||
	    in->script->error || !in->nargs || !posix_shell(df_lint_graph(lint), in))
		return false;
	const df_sh_list *l = in->script->list;
	if (!l->nitems || l->items[l->nitems - 1]->background)
		return false;
	const df_sh_andor *last = l->items[l->nitems - 1];
	uint32_t end = df_text_span(&in->text, in->args[0].text_off + last->start, last->end - last->start).end;
	const char *s = df_lint_doc(lint)->src.data;
	for (uint32_t i = end; i < in->span.end; i++)
		if (!s[i] || !strchr(" \t\r\n", s[i]))
			return false;
	*at = end;
	return true;
}

void df_run_continue(const df_doc *doc, const df_instr *in, df_buf *b)
{
	const char *s = doc->src.data;
	const char *eol = df_line_ending(doc, in->span.start);
	/* The last line: after the last newline but the node's own. */
	uint32_t last = in->span.start;
	for (uint32_t i = in->span.start; i + 1 < in->span.end; i++)
		if (s[i] == '\n')
			last = i + 1;
	uint32_t text = last;
	while (text < in->span.end && (s[text] == ' ' || s[text] == '\t'))
		text++;
	bool leading = last > in->span.start && in->span.end - text >= 2 && s[text] == '&' && s[text + 1] == '&';
	df_buf_adds(b, leading ? " " : " && ");
	df_buf_addc(b, doc->escape);
	df_buf_adds(b, eol);
	if (last > in->span.start)
		df_buf_add(b, s + last, text - last);
	else
		df_buf_adds(b, "    ");
	if (leading)
		df_buf_adds(b, "&& ");
}

bool df_doc_uses_buildkit(const df_doc *doc)
{
	static const char *const copy_flags[] = { "link", "chmod", "parents", "exclude", "checksum", "keep-git-dir" };
	static const char *const run_flags[] = { "mount", "network", "security" };
	if (doc->syntax)
		return true;
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i]->inner ? doc->instrs[i]->inner : doc->instrs[i];
		if (in->nheredocs)
			return true;
		bool copy = in->kind == DF_I_COPY || in->kind == DF_I_ADD;
		if (!copy && in->kind != DF_I_RUN)
			continue;
		const char *const *names = copy ? copy_flags : run_flags;
		size_t n = copy ? DF_ARRAY_LEN(copy_flags) : DF_ARRAY_LEN(run_flags);
		for (size_t f = 0; f < in->nflags; f++)
			for (size_t k = 0; k < n; k++)
				if (df_mem_eq(in->flags[f].name.ptr, in->flags[f].name.len, names[k]))
					return true;
	}
	return false;
}
