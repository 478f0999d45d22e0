/*
 * fuzz_fix - libFuzzer target for the fixer.
 *
 * Fixes any bytes with every rule on and unsafe fixes allowed (the widest
 * set of edits), then checks what fix/fixer.h promises, aborting on a
 * violation:
 *  - with nothing applied, the text is the input byte for byte;
 *  - the fixed text parses with no error the input did not have (a refused
 *    round leaves the text as it was before that round, so this holds even
 *    then);
 *  - fixing the fixed text again applies nothing (idempotence), unless the
 *    first run hit its bound of rounds;
 *  - every comment line of the input is still there, in order.
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_fix
 * Run:   tests/fuzz/run.sh SECONDS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "fix/fixer.h"
#include "parse/parser.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_fix: invariant violated: %s\n", what);
	abort();
}

/* The comment lines of text (a line whose first non-blank byte is '#'),
 * each with its newline. */
static void comments(const char *text, size_t len, df_buf *out)
{
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t i = at;
		while (i < end && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i < end && text[i] == '#') {
			df_buf_add(out, text + i, end - i);
			df_buf_addc(out, '\n');
		}
		at = end + 1;
	}
}

/* How many parse errors text has. */
static size_t errors(const char *text, size_t len)
{
	df_doc doc;
	if (df_doc_parse(&doc, "fuzz", text, len, NULL) < 0)
		return (size_t)-1;
	size_t n = doc.diags.len;
	df_doc_release(&doc);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	df_lint_opts o;
	memset(&o, 0, sizeof(o));
	df_fix_run run = { &o, NULL, true, 0, NULL };
	df_fix_result r, again;
	df_fix_text("fuzz", text, size, &run, &r);
	if (!r.nnotes && (r.text.len != size || memcmp(r.text.buf ? r.text.buf : "", text, size) != 0))
		fail("the text changed with nothing fixed");
	if (r.nnotes) {
		size_t before = errors(text, size), after = errors(df_buf_str(&r.text), r.text.len);
		if (after != (size_t)-1 && before != (size_t)-1 && after > before)
			fail("fixing added a parse error");
		if (!r.unsettled) {
			df_fix_text("fuzz", df_buf_str(&r.text), r.text.len, &run, &again);
			if (again.nnotes)
				fail("fixing the fixed text fixed something again");
			df_fix_result_release(&again);
		}
		df_buf cb = DF_BUF_INIT, ca = DF_BUF_INIT;
		comments(text, size, &cb);
		comments(df_buf_str(&r.text), r.text.len, &ca);
		if (cb.len != ca.len || memcmp(df_buf_str(&cb), df_buf_str(&ca), cb.len) != 0)
			fail("a comment line was lost or reordered");
		df_buf_release(&cb);
		df_buf_release(&ca);
	}
	df_fix_result_release(&r);
	return 0;
}
