/*
 * testutil.h - helpers shared by the Check suites: reading fixture files,
 * running a suite, and the structural invariants every parsed document must
 * keep (nodes tile the source; every span of an instruction lies inside it).
 */
#ifndef DF_TESTUTIL_H
#define DF_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parser.h"
#include "util/buf.h"
#include "util/file.h"

static inline const char *tu_srcdir(void)
{
	const char *d = getenv("DF_SRCDIR");
	return d && *d ? d : DF_SRCDIR;
}

/* Read a file into out; 0 on success. */
static inline int tu_read(const char *path, df_buf *out)
{
	df_buf err = DF_BUF_INIT;
	int rc = df_read_input(path, 256u << 20, out, &err);
	if (rc < 0)
		fprintf(stderr, "%s\n", df_buf_str(&err));
	df_buf_release(&err);
	return rc;
}

static inline int tu_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

static inline int tu_run(Suite *s)
{
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline void tu_span_inside(const char *what, const char *name, df_span inner, df_span outer)
{
	ck_assert_msg(inner.start <= inner.end && inner.start >= outer.start && inner.end <= outer.end,
		      "%s: %s span [%u,%u) outside [%u,%u)", name, what, inner.start, inner.end,
		      outer.start, outer.end);
}

static inline void tu_check_instr(const char *name, const df_instr *in, df_span node)
{
	tu_span_inside("keyword", name, in->keyword_span, node);
	for (size_t i = 0; i < in->nflags; i++)
		tu_span_inside("flag", name, in->flags[i].span, node);
	for (size_t i = 0; i < in->nargs; i++)
		tu_span_inside("argument", name, in->args[i].span, node);
	for (size_t i = 0; i < in->npairs; i++)
		tu_span_inside("key", name, in->pairs[i].key_span, node);
	for (size_t i = 0; i < in->nheredocs; i++) {
		tu_span_inside("heredoc marker", name, in->heredocs[i].marker_span, node);
		tu_span_inside("heredoc body", name, in->heredocs[i].body_span, node);
	}
	if (in->inner)
		tu_check_instr(name, in->inner, node);
}

/* The lossless invariants of a parsed document. */
static inline void tu_check_lossless(const char *name, const df_doc *doc, const char *data, size_t len)
{
	uint32_t pos = 0;
	for (size_t i = 0; i < doc->nnodes; i++) {
		const df_node *n = &doc->nodes[i];
		ck_assert_msg(n->span.start == pos, "%s: node %zu starts at %u, expected %u", name, i,
			      n->span.start, pos);
		ck_assert_msg(n->span.end > n->span.start, "%s: node %zu is empty", name, i);
		pos = n->span.end;
		if (n->kind == DF_NODE_INSTR) {
			ck_assert_msg(n->instr->span.start == n->span.start && n->instr->span.end == n->span.end,
				      "%s: instruction span differs from its node", name);
			tu_check_instr(name, n->instr, n->span);
		}
	}
	ck_assert_msg(pos == len, "%s: nodes cover %u of %zu bytes", name, pos, len);
	df_buf out = DF_BUF_INIT;
	df_doc_print(doc, &out);
	ck_assert_msg(out.len == len && (len == 0 || memcmp(out.buf, data, len) == 0),
		      "%s: printing the tree does not give the input back", name);
	df_buf_release(&out);
}

#endif
