/*
 * copyctx.h - what a COPY or ADD takes from the build context, for the rules
 * that judge it (what a broad COPY sends, what it ships, what it leaves out).
 *
 * A context source is a source of a COPY without --from, or of an ADD, that
 * is neither a heredoc nor a remote URL, of a top-level instruction (an
 * ONBUILD trigger runs in another build, with another context). Its value is
 * the builder's expansion; a source whose value depends on an unknown build
 * arg is left out and counted, so rules can stay quiet about what they
 * cannot know.
 *
 * A source is whole when it names the entire context: "." (and "./", "/",
 * ".//." ... which clean to the root) or "*" (every top-level entry, dot
 * files included: filepath.Match has no special case for a leading dot).
 * `ADD . x` is whole like `COPY . x`.
 *
 * Ownership: df_copy_sources borrows the instruction and the graph's
 * strings; only its array is owned (df_copy_sources_release()). A few items
 * live in the struct itself (most COPYs name one or two sources, and every
 * rule about the context asks for them at every COPY): a df_copy_sources is
 * not moved while its items are in use. Nothing here reads the context
 * unless asked to (df_copy_select()).
 */
#ifndef DF_ENGINE_COPYCTX_H
#define DF_ENGINE_COPYCTX_H

#include <stdbool.h>
#include <stddef.h>

#include "context/context.h"
#include "engine/rule.h"
#include "graph/graph.h"
#include "parse/ast.h"
#include "util/buf.h"

typedef struct df_copy_source {
	df_str value;		/* as the builder takes it (expanded) */
	const df_word *word;	/* the source word in the Dockerfile */
	bool whole;		/* the entire context */
} df_copy_source;

typedef struct df_copy_sources {
	df_copy_source *items;	/* known context sources, in order */
	size_t len;
	size_t unknown;		/* context sources with an unknown value */
	bool whole;		/* one of items is whole */
	df_copy_source few[4];	/* items' storage when they fit, else unused */
} df_copy_sources;

#define DF_COPY_SOURCES_INIT { .items = NULL }

/* Is the value of a COPY/ADD source the whole context? */
bool df_copy_source_is_whole(df_str value);

/* The context sources of in (a top-level COPY/ADD, else none) into *out,
 * which is reset first. True when there is at least one, known or not. */
bool df_copy_context_sources(const df_graph *g, const df_instr *in, df_copy_sources *out);
void df_copy_sources_release(df_copy_sources *s);

/* Append the source's path relative to the context root, cleaned as the
 * builder cleans it: "./a//b/" is "a/b", "/a" is "a", "." is "". */
void df_copy_source_path(const df_copy_source *s, df_buf *out);
/* The same as a C string, *len bytes long, without a copy on the heap for
 * most sources: the value itself in tmp[0..cap) when it is clean already
 * (but for a trailing '/') and fits, else df_copy_source_path() in heap
 * (reset first). Valid while both are. */
const char *df_copy_source_path_str(const df_copy_source *s, char *tmp, size_t cap, df_buf *heap, size_t *len);

/* For a rule's on_instr: df_copy_context_sources() of in, the instruction
 * being linted. Several rules ask it of every COPY: the answer is kept for
 * the instruction (df_copy_memo) and copied out. */
bool df_lint_copy_sources(df_lint *lint, const df_instr *in, df_copy_sources *out);

/* The same, borrowed from the memo: valid until a source of another
 * instruction is asked, so for a look within one on_instr (whether a
 * COPY has context sources at all, or a whole-context one) without the
 * copy. */
bool df_lint_copy_sources_peek(df_lint *lint, const df_instr *in, const df_copy_sources **out);

/* For a rule's on_instr: the context sources of in (as above) into *srcs,
 * and the file's build context. NULL, with srcs empty, when in has no known
 * context source or the file has no context: only a COPY or ADD from the
 * context makes the context be opened. */
const df_context *df_lint_copy_context(df_lint *lint, const df_instr *in, df_copy_sources *srcs);

/* What df_lint_copy_sources() keeps, in the file's df_lint (engine.c, for
 * the file): the sources of the last instruction asked about. Zeroed at
 * the start; its sources released at the end with df_copy_sources_release(). */
typedef struct df_copy_memo {
	const df_instr *in;	/* NULL: none yet */
	bool any;		/* df_copy_context_sources() said so */
	df_copy_sources srcs;
} df_copy_memo;
df_copy_memo *df_lint_copy_memo(df_lint *lint);

/*
 * Everything the sources of in (from df_copy_context_sources()) bring in
 * from ctx, after .dockerignore and the instruction's --exclude patterns:
 * the union of df_context_select() of each source, in walk order. roots and
 * ignored add up over the sources. 0, or -1 with a message in err (a
 * malformed pattern: the builder would refuse it too).
 */
int df_copy_select(const df_context *ctx, const df_instr *in, const df_copy_sources *srcs,
		   df_ctx_selection *sel, df_buf *err);

/* Append the instruction as findings quote it: "`COPY . /app`" (keyword and
 * arguments, the arguments cut at 60 bytes). */
void df_copy_add_text(df_buf *b, const df_instr *in);
/* Append n with thousands separators ("8,311"), as findings write counts. */
void df_copy_add_count(df_buf *b, size_t n);

#endif
