/*
 * fuzz_parse - libFuzzer target for the Dockerfile parser.
 *
 * Parses any bytes and checks what ast.h promises, aborting on a violation:
 *  - df_doc_parse() returns 0, or -1 with no nodes and a diagnostic;
 *  - doc->src holds the input (a leading UTF-8 BOM may be left out when
 *    doc->bom says it was stripped);
 *  - the nodes tile the source: each starts where the previous one ended,
 *    none is empty, the last ends at the end of the data, so their slices
 *    concatenated give the input back byte for byte; node->line is the line
 *    the node starts on;
 *  - doc->instrs lists the instruction nodes' instructions, in order;
 *  - every instruction lies within its node, and everything it points into
 *    the source (keyword, flags, words, pairs, heredocs, text segments,
 *    ONBUILD triggers) lies within the instruction; text segments hold the
 *    source bytes they claim to come from;
 *  - diagnostics have 1-based positions.
 * Then it renders the JSON and text dumps, builds the graph (DOT and JSON)
 * and runs every lint rule: none may crash, and every finding must lie
 * inside the file.
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_parse
 * Run:   tests/fuzz/run.sh SECONDS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "graph/dot.h"
#include "graph/graph.h"
#include "parse/dump.h"
#include "parse/parser.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, size_t index)
{
	fprintf(stderr, "fuzz_parse: invariant violated: %s (at %zu)\n", what, index);
	abort();
}

static void expect(int ok, const char *what, size_t index)
{
	if (!ok)
		fail(what, index);
}

/* A present span (non-empty) must lie within outer; any span must be ordered. */
static void expect_within(df_span sp, df_span outer, const char *what, size_t index)
{
	expect(sp.start <= sp.end, what, index);
	if (sp.start == sp.end)
		return;
	expect(sp.start >= outer.start && sp.end <= outer.end, what, index);
}

static void check_text(const df_doc *doc, const df_text *t, df_span outer, size_t index)
{
	size_t i, covered = 0;

	if (t->str.len > 0)
		expect(t->str.ptr != NULL, "text without bytes", index);
	for (i = 0; i < t->nsegs; i++) {
		const df_seg *sg = &t->segs[i];
		df_span sp = { sg->src_off, sg->src_off + sg->len };

		expect(sg->text_off == covered, "text segments not contiguous", index);
		expect((size_t)sg->text_off + sg->len <= t->str.len, "text segment past its text", index);
		expect((size_t)sg->src_off + sg->len <= doc->src.len, "text segment past the source", index);
		expect_within(sp, outer, "text segment outside its instruction", index);
		expect(sg->len == 0 || memcmp(t->str.ptr + sg->text_off, doc->src.data + sg->src_off, sg->len) == 0,
		       "text segment differs from its source bytes", index);
		covered += sg->len;
	}
	if (t->str.len > 0)
		expect(covered == t->str.len, "text segments do not cover the text", index);
}

static void check_instr(const df_doc *doc, const df_instr *in, df_span outer, int depth, size_t index)
{
	size_t i;

	expect(depth <= 8, "ONBUILD nesting too deep", index);
	expect((unsigned)in->kind < DF_I_COUNT, "bad instruction kind", index);
	expect(in->span.start < in->span.end, "empty instruction", index);
	expect_within(in->span, outer, "instruction outside its node", index);
	expect(in->line >= 1 && in->line <= in->end_line, "bad instruction lines", index);
	expect_within(in->keyword_span, in->span, "keyword outside its instruction", index);
	check_text(doc, &in->text, in->span, index);

	for (i = 0; i < in->nflags; i++)
		expect_within(in->flags[i].span, in->span, "flag outside its instruction", index);
	for (i = 0; i < in->nargs; i++)
		expect_within(in->args[i].span, in->span, "argument outside its instruction", index);
	for (i = 0; i < in->npairs; i++) {
		expect_within(in->pairs[i].key_span, in->span, "key outside its instruction", index);
		expect_within(in->pairs[i].value_span, in->span, "value outside its instruction", index);
	}
	for (i = 0; i < in->nheredocs; i++) {
		const df_heredoc *h = &in->heredocs[i];

		expect_within(h->marker_span, in->span, "heredoc marker outside its instruction", index);
		expect_within(h->body_span, in->span, "heredoc body outside its instruction", index);
		expect_within(h->terminator_span, in->span, "heredoc terminator outside its instruction", index);
		check_text(doc, &h->body, in->span, index);
	}
	if (in->nsources > 0)
		expect(in->sources >= in->args && in->sources + in->nsources <= in->args + in->nargs,
		       "COPY sources are not a view into args", index);
	if (in->dest)
		expect(in->dest >= in->args && in->dest < in->args + in->nargs,
		       "COPY destination is not one of args", index);
	if (in->inner) {
		expect(in->inner->outer == in, "ONBUILD trigger does not point back", index);
		check_instr(doc, in->inner, in->span, depth + 1, index);
	}
}

static void check_doc(const df_doc *doc, const char *data, size_t size)
{
	size_t i, off = 0, pos = 0, ninstrs = 0;
	uint32_t line = 1;
	df_buf joined = DF_BUF_INIT;

	/* The source: the input, or the input without the BOM doc->bom reports. */
	if (doc->bom && doc->src.len + 3 == size)
		off = 3;
	expect(doc->src.len + off == size, "source length differs from the input", 0);
	expect(doc->src.data != NULL, "no source copy", 0);
	expect(doc->src.len == 0 || memcmp(doc->src.data, data + off, doc->src.len) == 0,
	       "source differs from the input", 0);
	expect(doc->src.data[doc->src.len] == '\0', "source not NUL-terminated", 0);

	for (i = 0; i < doc->nnodes; i++) {
		const df_node *nd = &doc->nodes[i];

		expect(nd->span.start == pos, "node does not start where the previous one ended", i);
		expect(nd->span.end > nd->span.start, "empty node", i);
		expect(nd->span.end <= doc->src.len, "node past the end of the source", i);
		expect(nd->line == line, "node line differs from its first byte's line", i);
		for (; pos < nd->span.end; pos++)
			if (doc->src.data[pos] == '\n')
				line++;
		df_buf_add(&joined, doc->src.data + nd->span.start, nd->span.end - nd->span.start);

		switch (nd->kind) {
		case DF_NODE_INSTR:
			expect(nd->instr != NULL, "instruction node without an instruction", i);
			expect(ninstrs < doc->ninstrs && doc->instrs[ninstrs] == nd->instr,
			       "doc->instrs differs from the instruction nodes", i);
			ninstrs++;
			expect(nd->instr->line == nd->line, "instruction line differs from its node's", i);
			check_instr(doc, nd->instr, nd->span, 0, i);
			break;
		case DF_NODE_DIRECTIVE:
			expect(nd->directive != NULL, "directive node without a directive", i);
			expect_within(nd->directive->key_span, nd->span, "directive key outside its node", i);
			expect_within(nd->directive->value_span, nd->span, "directive value outside its node", i);
			break;
		case DF_NODE_BLANK:
		case DF_NODE_COMMENT:
			break;
		default:
			fail("bad node kind", i);
		}
	}
	expect(pos == doc->src.len, "nodes do not reach the end of the source", pos);
	expect(ninstrs == doc->ninstrs, "doc->instrs has more entries than instruction nodes", ninstrs);

	/* The lossless promise, stated the way a printer would use it. */
	expect(joined.len + off == size, "printed nodes differ in length from the input", joined.len);
	expect(joined.len == 0 || memcmp(joined.buf, data + off, joined.len) == 0,
	       "printed nodes differ from the input", 0);
	df_buf_release(&joined);
}

static void render_dumps(const df_doc *doc)
{
	df_buf out = DF_BUF_INIT;
	cJSON *json, *back;

	json = df_dump_doc_json(doc);
	expect(json != NULL, "no JSON dump", 0);
	df_dump_json_render(json, &out);
	cJSON_Delete(json);
	back = cJSON_ParseWithLength(df_buf_str(&out), out.len);
	expect(back != NULL, "JSON dump does not parse back", out.len);
	cJSON_Delete(back);
	df_buf_reset(&out);

	json = df_dump_diags_json(&doc->diags);
	if (json) {
		df_dump_json_render(json, &out);
		cJSON_Delete(json);
		df_buf_reset(&out);
	}

	df_dump_doc_text(doc, &out);
	df_buf_release(&out);
}

/* The graph and every rule must survive whatever the parser accepts; every
 * finding lies inside the file. */
static void graph_and_lint(const df_doc *doc)
{
	df_graph g;
	expect(df_graph_build(&g, doc, NULL) == 0, "graph refused a parsed document", 0);
	df_buf out = DF_BUF_INIT;
	df_graph_dot(&g, &out);
	cJSON *json = df_graph_json(&g);
	cJSON_Delete(json);
	df_diags found = DF_DIAGS_INIT;
	df_lint_file(doc, &g, NULL, &found);
	for (size_t i = 0; i < found.len; i++) {
		const df_diag *d = &found.items[i];
		expect(d->line >= 1 && d->col >= 1 && d->line <= doc->src.nlines + 1,
		       "finding outside the file", i);
		expect(d->end_line > d->line || (d->end_line == d->line && d->end_col >= d->col),
		       "finding ends before it starts", i);
	}
	df_diags_release(&found);
	df_buf_release(&out);
	df_graph_release(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	df_doc doc;
	size_t i;
	int rc;

	memset(&doc, 0, sizeof(doc));
	rc = df_doc_parse(&doc, "fuzz", (const char *)data, size, NULL);
	expect(rc == 0 || rc == -1, "df_doc_parse returned neither 0 nor -1", (size_t)rc);
	if (rc == 0) {
		check_doc(&doc, (const char *)data, size);
		render_dumps(&doc);
		graph_and_lint(&doc);
	} else {
		expect(doc.nnodes == 0, "refused input has nodes", doc.nnodes);
		expect(doc.diags.len > 0, "refused input without a diagnostic", 0);
	}
	for (i = 0; i < doc.diags.len; i++) {
		const df_diag *dg = &doc.diags.items[i];

		expect(dg->line >= 1 && dg->col >= 1, "diagnostic position is not 1-based", i);
		expect(dg->code != NULL && dg->message != NULL, "diagnostic without code or message", i);
	}
	df_doc_release(&doc);
	return 0;
}
