/*
 * parser.c - physical lines to a lossless df_doc; see parser.h and ast.h.
 *
 * Two layers, like the builder's own parser: the main loop here groups
 * physical lines into nodes (blank, comment, directive, instruction with its
 * continuations and heredoc bodies); then instr.c types each logical line,
 * and shell.c parses its shell text as soon as the instruction is read.
 * Errors become DL1000 diagnostics on the node and parsing goes on with the
 * next line.
 */
#include "parse/parser.h"
#include "parse/instr.h"
#include "parse/lexer.h"
#include "parse/scope.h"
#include "parse/shell.h"
#include "parse/text.h"
#include "util/buf.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parser state ----------------------------------------------------------- */

typedef struct parser {
	df_doc *doc;
	df_arena *a;
	df_lexer lx;
	bool directives_done;
	df_node *nodes;		/* doc->src.nlines of them: a node has a line */
	size_t nnodes;
	df_instr **instrs;	/* as many, for the same reason */
	size_t ninstrs;
	df_seg *line_segs;	/* as many: the piece map of each text, from
				   the index of the first line it is read
				   from (a line gives it one piece at most) */
	df_text_builder tb;	/* reused for every text */
} parser;

static df_node *add_node(parser *p, df_node_kind kind, size_t start, size_t end, uint32_t line)
{
	if (p->nnodes >= p->doc->src.nlines)
		DF_BUG("more nodes than lines");
	df_node *n = &p->nodes[p->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->span.start = (uint32_t)start;
	n->span.end = (uint32_t)end;
	n->line = line;
	return n;
}

/* ---- the line loop ------------------------------------------------------------- */

static void check_line_length(parser *p, const df_line *ln, df_instr *in)
{
	if (ln->content_end - ln->content_start > DF_MAX_LINE)
		df_parse_error(p->doc, in, (df_span){ (uint32_t)ln->start, (uint32_t)ln->start },
			"line %u is too long (%zu bytes, the limit is %d)", ln->line_no,
			ln->content_end - ln->content_start, DF_MAX_LINE);
}

/* Go's strconv.ParseBool, which BuildKit reads error= with: 1 or 0, -1 when
 * s is none of its spellings. */
static int go_bool(const char *s, size_t n)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < DF_ARRAY_LEN(yes); i++) {
		if (strlen(yes[i]) == n && memcmp(s, yes[i], n) == 0)
			return 1;
		if (strlen(no[i]) == n && memcmp(s, no[i], n) == 0)
			return 0;
	}
	return -1;
}

static void trim(const char *s, size_t *b, size_t *e)
{
	while (*b < *e && df_is_space((unsigned char)s[*b]))
		(*b)++;
	while (*e > *b && df_is_space((unsigned char)s[*e - 1]))
		(*e)--;
}

/* check -> option [';' option [';' option]]   (the second ';' ends the
 *                                               split, as in BuildKit)
 * option -> 'skip' '=' ('all' | NAME (',' NAME)*) | 'error' '=' BOOL
 *         | 'experimental' '=' ('all' | NAME (',' NAME)*)
 * experimental= turns on BuildKit's experimental checks that dfopt keeps
 * off (InvalidDefinitionDescription); CopyIgnoredFile is on anyway, as it
 * judges the real context. */

/* The comma-separated names of s[vb..ve) into *names and *spans (arena),
 * empty ones (`a,,b`) left out; their count. */
static size_t parse_names(parser *p, const char *s, size_t vb, size_t ve, df_str **names, df_span **spans)
{
	size_t n = 1;
	for (size_t k = vb; k < ve; k++)
		n += s[k] == ',';
	*names = DF_ARENA_ARRAY(p->a, df_str, n);
	*spans = DF_ARENA_ARRAY(p->a, df_span, n);
	size_t got = 0;
	for (size_t k = vb; k <= ve;) {
		const char *comma = memchr(s + k, ',', ve - k);
		size_t nb = k, ne = comma ? (size_t)(comma - s) : ve;
		k = ne + 1;
		trim(s, &nb, &ne);
		if (ne == nb)
			continue;
		(*names)[got] = (df_str){ s + nb, ne - nb };
		(*spans)[got++] = (df_span){ (uint32_t)nb, (uint32_t)ne };
	}
	return got;
}

static void parse_check(parser *p, const df_directive *d)
{
	const char *s = p->doc->src.data;
	df_check_opts c;
	memset(&c, 0, sizeof(c));
	size_t end = d->value_span.end;
	size_t bounds[3][2];
	int nparts = 0;
	for (size_t b = d->value_span.start; nparts < 3;) {
		const char *semi = nparts < 2 ? memchr(s + b, ';', end - b) : NULL;
		size_t e = semi ? (size_t)(semi - s) : end;
		bounds[nparts][0] = b;
		bounds[nparts++][1] = e;
		if (!semi)
			break;
		b = e + 1;
	}
	for (int i = 0; i < nparts; i++) {
		size_t b = bounds[i][0], e = bounds[i][1];
		const char *eq = memchr(s + b, '=', e - b);
		trim(s, &b, &e);
		if (!eq) {
			df_parse_error(p->doc, NULL, (df_span){ (uint32_t)b, (uint32_t)e },
				"invalid check option '%.*s' (expected skip=NAME,... or error=BOOL)", (int)(e - b), s + b);
			return;
		}
		size_t kb = b, ke = (size_t)(eq - s), vb = ke + 1, ve = e;
		trim(s, &kb, &ke);
		trim(s, &vb, &ve);
		if (ke - kb == 5 && memcmp(s + kb, "error", 5) == 0) {
			int v = go_bool(s + vb, ve - vb);
			if (v < 0) {
				df_parse_error(p->doc, NULL, (df_span){ (uint32_t)vb, (uint32_t)ve },
					"invalid check option 'error=%.*s': not a boolean (true or false)", (int)(ve - vb), s + vb);
				return;
			}
			c.error = v == 1;
		} else if (ke - kb == 4 && memcmp(s + kb, "skip", 4) == 0) {
			if (ve - vb == 3 && memcmp(s + vb, "all", 3) == 0)
				c.skip_all = true;
			else
				c.nskip = parse_names(p, s, vb, ve, &c.skip, &c.skip_spans);
		} else if (ke - kb == 12 && memcmp(s + kb, "experimental", 12) == 0) {
			if (ve - vb == 3 && memcmp(s + vb, "all", 3) == 0)
				c.experimental_all = true;
			else
				c.nexperimental = parse_names(p, s, vb, ve, &c.experimental, &c.experimental_spans);
		} else {
			df_parse_error(p->doc, NULL, (df_span){ (uint32_t)kb, (uint32_t)ke },
				"invalid check option '%.*s' (expected skip, error or experimental)", (int)(ke - kb), s + kb);
			return;
		}
	}
	p->doc->checks = c;
}

static bool try_directive(parser *p, const df_line *ln)
{
	const df_source *src = &p->doc->src;
	size_t k, ke, v, ve;
	if (!df_line_directive(src, ln, &k, &ke, &v, &ve))
		return false;
	const char *key = src->data + k;
	size_t klen = ke - k;
	df_directive **slot;
	const char *name;
	if (df_mem_ieq(key, klen, "syntax")) {
		slot = &p->doc->syntax;
		name = "syntax";
	} else if (df_mem_ieq(key, klen, "escape")) {
		slot = &p->doc->escape_dir;
		name = "escape";
	} else if (df_mem_ieq(key, klen, "check")) {
		slot = &p->doc->check;
		name = "check";
	} else {
		return false;
	}
	df_node *node = add_node(p, DF_NODE_DIRECTIVE, ln->start, ln->end, ln->line_no);
	df_directive *d = DF_ARENA_NEW(p->a, df_directive);
	d->key = (df_str){ name, strlen(name) };
	d->value = (df_str){ src->data + v, ve - v };
	d->key_span = (df_span){ (uint32_t)k, (uint32_t)ke };
	d->value_span = (df_span){ (uint32_t)v, (uint32_t)ve };
	node->directive = d;
	if (*slot) {
		df_parse_error(p->doc, NULL, d->key_span, "only one %s parser directive can be used", name);
		return true;
	}
	*slot = d;
	if (slot == &p->doc->check)
		parse_check(p, d);
	if (slot == &p->doc->escape_dir) {
		if (d->value.len == 1 && (d->value.ptr[0] == '\\' || d->value.ptr[0] == '`'))
			p->doc->escape = d->value.ptr[0];
		else
			df_parse_error(p->doc, NULL, d->value_span, "invalid escape token '%.*s' does not match ` or \\",
				(int)d->value.len, d->value.ptr);
	}
	return true;
}

/* Read the bodies of in's heredocs from the lines after the instruction. */
static size_t read_heredocs(parser *p, df_instr *in, size_t end)
{
	const df_source *src = &p->doc->src;
	for (size_t i = 0; i < in->nheredocs; i++) {
		df_heredoc *h = &in->heredocs[i];
		df_text_builder *tb = &p->tb;
		df_line ln;
		bool terminated = false;
		size_t body_start = end;
		size_t first = p->lx.line_no - 1;	/* index of the first body line */
		df_text_builder_start(tb, &p->line_segs[first], src->nlines - first);
		/* The builder keeps each body line as read, line ending included
		 * ("\r\n" stays), minus leading tabs for <<-. Consecutive lines
		 * are one run of the source until tabs are cut out: added a run
		 * at a time, they make the same text and the same pieces. */
		size_t run = end, run_end = end;
		while (df_lexer_next(&p->lx, &ln)) {
			end = ln.end;
			size_t c = ln.content_start;
			if (h->chomp)
				while (c < ln.content_end && src->data[c] == '\t')
					c++;
			if (ln.content_end - c == h->name.len && memcmp(src->data + c, h->name.ptr, h->name.len) == 0) {
				h->terminator_span = (df_span){ (uint32_t)ln.start, (uint32_t)ln.end };
				terminated = true;
				break;
			}
			check_line_length(p, &ln, in);
			if (c != run_end) {
				df_text_builder_add(tb, src->data, run, run_end - run);
				run = c;
			}
			run_end = ln.end;
		}
		df_text_builder_add(tb, src->data, run, run_end - run);
		h->body = df_text_builder_finish(tb);
		h->body_span = (df_span){ (uint32_t)body_start,
					  terminated ? h->terminator_span.start : (uint32_t)end };
		if (!terminated) {
			df_parse_error(p->doc, in, h->marker_span, "unterminated heredoc '%.*s'", (int)h->name.len, h->name.ptr);
			break;
		}
	}
	return end;
}

static void push_instr(parser *p, df_instr *in)
{
	if (p->ninstrs >= p->doc->src.nlines)
		DF_BUG("more instructions than lines");
	in->index = p->ninstrs;
	if (in->inner)
		in->inner->index = p->ninstrs;
	p->instrs[p->ninstrs++] = in;
}

/* What reading one logical line found besides its text. */
typedef struct logical_line {
	df_text text;
	size_t end;		/* just past the last physical line read */
	uint32_t empty;		/* blank lines inside the continuation */
	uint32_t first_empty;	/* the first of them, or 0 */
} logical_line;

/* The first physical line from first up to end whose content is longer
 * than DF_MAX_LINE, into *out; false when there is none. Only lines
 * spanning more than DF_MAX_LINE bytes together can hold one, so the
 * reader asks after the fact instead of measuring every line. */
static bool find_long_line(const df_source *src, const df_line *first, size_t end, df_line *out)
{
	if (end - first->start <= DF_MAX_LINE)
		return false;
	df_lexer lx;
	df_lexer_init(&lx, src);
	lx.pos = first->start;
	lx.line_no = first->line_no;
	while (lx.pos < end && df_lexer_next(&lx, out))
		if (out->content_end - out->content_start > DF_MAX_LINE)
			return true;
	return false;
}

/* logical-line -> line (escape newline (comment-line | blank-line)* line)* */
static void read_logical_line(parser *p, const df_line *first, size_t start, logical_line *ll)
{
	const df_source *src = &p->doc->src;
	char esc = p->doc->escape;
	size_t cut;
	ll->empty = ll->first_empty = 0;
	ll->end = first->end;
	bool more = df_line_continues(src->data, start, first->content_end, esc, &cut);
	if (!more) {
		/* One physical line (the common case): the text is the source. */
		ll->text.str = (df_str){ src->data + start, first->content_end - start };
		ll->text.segs = &p->line_segs[first->line_no - 1];
		ll->text.segs[0] = (df_seg){ 0, (uint32_t)start, (uint32_t)ll->text.str.len };
		ll->text.nsegs = 1;
		return;
	}
	df_text_builder *tb = &p->tb;
	df_text_builder_start(tb, &p->line_segs[first->line_no - 1], src->nlines - (first->line_no - 1));
	df_text_builder_add(tb, src->data, start, cut - start);
	df_line ln;
	while (more && df_lexer_next(&p->lx, &ln)) {
		ll->end = ln.end;
		size_t text = df_line_skip_ws(src, &ln);
		if (text < ln.content_end && src->data[text] == '#')
			continue;
		if (text == ln.content_end) {
			if (ll->empty++ == 0)
				ll->first_empty = ln.line_no;
			continue;
		}
		more = df_line_continues(src->data, ln.content_start, ln.content_end, esc, &cut);
		df_text_builder_add(tb, src->data, ln.content_start, (more ? cut : ln.content_end) - ln.content_start);
	}
	ll->text = df_text_builder_finish(tb);
	if (ll->text.nsegs == 0) {
		/* A lone escape char: map the empty text to where it stood. */
		ll->text.segs[0] = (df_seg){ 0, (uint32_t)start, 0 };
		ll->text.nsegs = 1;
	}
}

/* Parses an instruction's shell text; see "shell text" below. */
static void attach_shell_one(df_arena *a, df_instr *in);

static void parse_instruction_lines(parser *p, const df_line *first, size_t start)
{
	logical_line ll;
	read_logical_line(p, first, start, &ll);
	size_t end = ll.end;
	df_instr *in = df_instr_parse(p->doc, &ll.text, NULL);
	in->empty_continuations = ll.empty;
	in->first_empty_continuation = ll.first_empty;
	df_line too_long;
	if (find_long_line(&p->doc->src, first, ll.end, &too_long))
		check_line_length(p, &too_long, in);
	df_instr *hd = in->inner ? in->inner : in;
	if (hd->nheredocs) {
		end = read_heredocs(p, hd, end);
		in->heredocs = hd->heredocs;
		in->nheredocs = hd->nheredocs;
	}
	attach_shell_one(p->a, hd);
	df_node *node = add_node(p, DF_NODE_INSTR, first->start, end, first->line_no);
	node->instr = in;
	in->span = node->span;
	in->line = first->line_no;
	in->end_line = p->lx.line_no - 1;
	if (in->inner) {
		in->inner->span = (df_span){ in->inner->keyword_span.start, node->span.end };
		in->inner->line = in->line;
		in->inner->end_line = in->end_line;
	}
	push_instr(p, in);
}

static void run_lines(parser *p)
{
	const df_source *src = &p->doc->src;
	df_line ln;
	while (df_lexer_next(&p->lx, &ln)) {
		if (!p->directives_done) {
			if (try_directive(p, &ln))
				continue;
			p->directives_done = true;
		}
		size_t text = df_line_skip_ws(src, &ln);
		if (text == ln.content_end || src->data[text] == '#') {
			add_node(p, text == ln.content_end ? DF_NODE_BLANK : DF_NODE_COMMENT,
				 ln.start, ln.end, ln.line_no);
			if (ln.content_end - ln.content_start > DF_MAX_LINE)
				check_line_length(p, &ln, NULL);
			continue;
		}
		parse_instruction_lines(p, &ln, text);
	}
}

/* ---- shell text ------------------------------------------------------------------ */

static bool is_sh_name(df_str s)
{
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox" };
	const char *base = s.ptr;
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] == '/')
			base = s.ptr + i + 1;
	size_t bl = (size_t)(s.ptr + s.len - base);
	for (size_t i = 0; i < DF_ARRAY_LEN(shells); i++)
		if (df_mem_eq(base, bl, shells[i]))
			return true;
	return false;
}

/* Is a RUN heredoc body a sh script? Only when the RUN runs the body itself
 * (`RUN <<EOF`) or feeds it to a shell (`RUN bash <<EOF`), and no shebang
 * names another interpreter. */
static bool heredoc_is_sh_script(const df_instr *in, const df_heredoc *h)
{
	df_str b = h->body.str;
	if (h->fd > 0)
		return false;	/* read by the command on another fd: data */
	if (b.len >= 2 && b.ptr[0] == '#' && b.ptr[1] == '!') {
		size_t e = 2;
		while (e < b.len && b.ptr[e] != '\n')
			e++;
		/* "#!/usr/bin/env bash -e" or "#!/bin/sh": look at each word. */
		size_t w = 2;
		bool sh = false;
		while (w < e) {
			/* A CRLF line's '\r' ends a word and is passed over
			 * with the blanks: each turn moves on. */
			while (w < e && (b.ptr[w] == ' ' || b.ptr[w] == '\t' || b.ptr[w] == '\r'))
				w++;
			size_t w0 = w;
			while (w < e && b.ptr[w] != ' ' && b.ptr[w] != '\t' && b.ptr[w] != '\r')
				w++;
			df_str word = { b.ptr + w0, w - w0 };
			if (word.len && word.ptr[0] != '-') {
				sh = is_sh_name(word);
				if (!df_mem_eq(word.ptr + (word.len >= 3 ? word.len - 3 : 0), word.len >= 3 ? 3 : 0, "env"))
					break;
			}
		}
		return sh;
	}
	if (!in->script || !in->script->list || in->script->list->nitems == 0)
		return true;	/* the RUN is nothing but heredoc markers */
	size_t words = 0;
	const df_sh_andor *ao = in->script->list->items[0];
	const df_sh_cmd *c = ao->npipes && ao->pipes[0]->ncmds ? ao->pipes[0]->cmds[0] : NULL;
	if (c)
		words = c->nwords;
	if (words == 0)
		return true;
	return is_sh_name(c->words[df_sh_cmd_name_index(c)].value);
}

static void attach_shell_one(df_arena *a, df_instr *in)
{
	bool shell_text = (in->kind == DF_I_RUN || in->kind == DF_I_CMD || in->kind == DF_I_ENTRYPOINT ||
			   (in->kind == DF_I_HEALTHCHECK && !in->healthcheck_none)) &&
			  !in->exec_form && in->nargs == 1 && !in->has_error;
	if (shell_text)
		in->script = df_sh_parse(a, in->args[0].raw.ptr, in->args[0].raw.len);
	if (in->kind != DF_I_RUN)
		return;
	for (size_t i = 0; i < in->nheredocs; i++) {
		df_heredoc *h = &in->heredocs[i];
		if (heredoc_is_sh_script(in, h))
			h->script = df_sh_parse(a, h->body.str.ptr, h->body.str.len);
	}
}

int df_doc_parse(df_doc *doc, const char *name, const char *data, size_t len,
		 const df_parse_opts *opts)
{
	memset(doc, 0, sizeof(*doc));
	df_arena_init(&doc->arena);
	df_diags_init(&doc->diags);
	doc->escape = '\\';
	if (len > DF_MAX_FILE) {
		df_source_init_in(&doc->src, &doc->arena, name, "", 0);
		df_diags_add(&doc->diags, DF_SEV_ERROR, "DL1000", 1, 1, 1, 1,
			     "file is too large (%zu bytes, the limit is %d)", len, DF_MAX_FILE);
		return -1;
	}
	if (df_source_init_in(&doc->src, &doc->arena, name, data, len) < 0)
		DF_BUG("source of %zu bytes refused below the size limit", len);

	parser p;
	p.doc = doc;
	p.a = &doc->arena;
	p.directives_done = false;
	/* Every node starts on a line of its own, and every piece of a text
	 * comes from a line of its own: the line count bounds these arrays,
	 * so they are allocated once. */
	p.nodes = df_arena_alloc_uninit(p.a, doc->src.nlines * sizeof(df_node));
	p.nnodes = 0;
	p.instrs = df_arena_alloc_uninit(p.a, doc->src.nlines * sizeof(df_instr *));
	p.ninstrs = 0;
	p.line_segs = df_arena_alloc_uninit(p.a, doc->src.nlines * sizeof(df_seg));
	df_text_builder_init(&p.tb, p.a);
	df_lexer_init(&p.lx, &doc->src);
	doc->bom = p.lx.bom;
	run_lines(&p);

	doc->nodes = p.nodes;
	doc->nnodes = p.nnodes;
	doc->instrs = p.instrs;
	doc->ninstrs = p.ninstrs;

	if (doc->ninstrs == 0)
		df_diags_add(&doc->diags, DF_SEV_ERROR, "DL1000", 1, 1, 1, 1, "file with no instructions");
	df_scope_resolve(doc, opts);
	df_diags_sort(&doc->diags);
	return 0;
}

void df_doc_print(const df_doc *doc, df_buf *out)
{
	for (size_t i = 0; i < doc->nnodes; i++)
		df_buf_add(out, doc->src.data + doc->nodes[i].span.start,
			   doc->nodes[i].span.end - doc->nodes[i].span.start);
}

void df_doc_release(df_doc *doc)
{
	df_diags_release(&doc->diags);
	df_source_release(&doc->src);
	df_arena_release(&doc->arena);
	memset(doc, 0, sizeof(*doc));
}
