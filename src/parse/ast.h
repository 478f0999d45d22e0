/*
 * ast.h - the lossless syntax tree of one Dockerfile.
 *
 * Shape: a df_doc is a sequence of top-level nodes that tile the source
 * exactly: every byte belongs to exactly one node, in order, with no gaps.
 * A node is a blank line, a comment line, a parser directive, or an
 * instruction (which spans its continuation lines, the comment and blank lines
 * inside them, and its heredoc bodies with their terminator lines). Printing
 * the source slice of every node in order gives the input back byte for byte.
 *
 * Ownership: the doc owns one arena; every node, word and string below is
 * allocated from it or points into doc->src.data, and lives until
 * df_doc_release(). Nothing in the tree is freed on its own.
 *
 * Positions: df_span is a byte range [start, end) in the source. Text that
 * Docker assembles from several physical lines (a logical line with its
 * continuations joined, a heredoc body with tabs stripped) is a df_text,
 * which keeps the map from each of its bytes back to the source.
 */
#ifndef DF_PARSE_AST_H
#define DF_PARSE_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/source.h"
#include "util/arena.h"
#include "util/diag.h"

struct df_sh_script;

/* A byte string with its length; may hold NULs (JSON "\u0000"). Strings
 * that point into the source or a df_text are not NUL-terminated. */
typedef struct df_str {
	const char *ptr;
	size_t len;
} df_str;
/* The initializer of a df_str for a string literal, its length counted
 * at compile time: for tables of names compared by length first. */
#define DF_STR_LIT(s) { s, sizeof(s) - 1 }

typedef struct df_span {
	uint32_t start, end;	/* source byte offsets, end exclusive */
} df_span;

/* One contiguous run of a df_text that comes from one run of source bytes. */
typedef struct df_seg {
	uint32_t text_off;	/* where the run starts in the text */
	uint32_t src_off;	/* where it starts in the source */
	uint32_t len;
} df_seg;

/* Text assembled from pieces of the source, with its map back. */
typedef struct df_text {
	df_str str;
	df_seg *segs;		/* ordered by text_off, covering str */
	size_t nsegs;
} df_text;

/* Source offset of byte off of t (off == t->str.len maps past the last byte). */
uint32_t df_text_src_slow(const df_text *t, size_t off);
static inline uint32_t df_text_src(const df_text *t, size_t off)
{
	if (t->nsegs == 1) {
		/* One physical line, the common case: a plain offset. */
		size_t rel = off < t->segs[0].len ? off : t->segs[0].len;
		return t->segs[0].src_off + (uint32_t)rel;
	}
	return df_text_src_slow(t, off);
}
/* Source span of t's bytes [off, off + len). */
df_span df_text_span_slow(const df_text *t, size_t off, size_t len);
static inline df_span df_text_span(const df_text *t, size_t off, size_t len)
{
	if (t->nsegs != 1)
		return df_text_span_slow(t, off, len);
	df_span sp;
	sp.start = df_text_src(t, off);
	/* The end is just past the last byte, which may lie in another segment. */
	sp.end = len ? df_text_src(t, off + len - 1) + 1 : sp.start;
	return sp;
}

/* What the builder's variable expansion makes of a value. */
typedef enum df_exp_state {
	DF_EXP_NONE,		/* the builder does not expand this value */
	DF_EXP_KNOWN,		/* every input known: value holds the result */
	DF_EXP_UNKNOWN,		/* depends on a build arg with no known value */
	DF_EXP_ERROR,		/* expansion fails (bad substitution, ${v:?}) */
} df_exp_state;

typedef struct df_expanded {
	df_exp_state state;
	df_str value;		/* DF_EXP_KNOWN: the expanded text */
	const char *error;	/* DF_EXP_ERROR: message */
} df_expanded;

/* What the builder makes of text written as raw, expanded as e: the
 * expansion when known, raw itself when nothing in it expands. False when
 * the value depends on something unknown or the expansion fails. */
static inline bool df_expanded_value(const df_expanded *e, df_str raw, df_str *out)
{
	if (e->state == DF_EXP_KNOWN)
		*out = e->value;
	else if (e->state == DF_EXP_NONE)
		*out = raw;
	else
		return false;
	return true;
}

/* One argument word with where it came from. */
typedef struct df_word {
	df_str raw;		/* as written in the logical line (quotes kept) */
	df_str value;		/* exec form: the decoded JSON string; else raw */
	df_span span;		/* source span of raw */
	uint32_t text_off;	/* offset of raw in the instruction's text */
	bool plain;		/* raw holds no '$', quote or escape char ('\\'
				   or '`'), so it expands to itself; set by the
				   blank and quoted splitters (words.h), false
				   (not known) for any other word */
	df_expanded exp;	/* builder expansion, where the builder expands it */
} df_word;

typedef enum df_instr_kind {
	DF_I_UNKNOWN,
	DF_I_ADD,
	DF_I_ARG,
	DF_I_CMD,
	DF_I_COPY,
	DF_I_ENTRYPOINT,
	DF_I_ENV,
	DF_I_EXPOSE,
	DF_I_FROM,
	DF_I_HEALTHCHECK,
	DF_I_LABEL,
	DF_I_MAINTAINER,
	DF_I_ONBUILD,
	DF_I_RUN,
	DF_I_SHELL,
	DF_I_STOPSIGNAL,
	DF_I_USER,
	DF_I_VOLUME,
	DF_I_WORKDIR,
	DF_I_COUNT
} df_instr_kind;

/* Upper-case keyword ("RUN") of a kind; "UNKNOWN" for DF_I_UNKNOWN. */
const char *df_instr_kind_name(df_instr_kind k);

typedef enum df_flag_type {
	DF_FLAG_STRING,
	DF_FLAG_STRINGS,	/* repeatable */
	DF_FLAG_BOOL,
	DF_FLAG_DURATION,	/* HEALTHCHECK --interval and friends */
	DF_FLAG_INT,		/* HEALTHCHECK --retries */
	DF_FLAG_MOUNT,		/* RUN --mount */
	DF_FLAG_UNKNOWN,	/* not a flag of this instruction (an error) */
} df_flag_type;

typedef enum df_mount_type {
	DF_MOUNT_BIND,
	DF_MOUNT_CACHE,
	DF_MOUNT_TMPFS,
	DF_MOUNT_SECRET,
	DF_MOUNT_SSH,
} df_mount_type;

typedef enum df_mount_sharing {
	DF_SHARING_SHARED,
	DF_SHARING_PRIVATE,
	DF_SHARING_LOCKED,
} df_mount_sharing;

/* One key[=value] field of a --mount CSV value, as written. */
typedef struct df_mount_opt {
	df_str key;		/* lower-cased */
	df_str value;
	bool has_value;
} df_mount_opt;

/* RUN --mount, typed. Absent string fields have ptr == NULL. */
typedef struct df_mount {
	df_mount_type type;
	df_str from, source, target, id, mode, uid, gid, size, env;
	bool readonly;		/* ro / readonly (bind defaults to true) */
	bool required;
	df_mount_sharing sharing;
	df_mount_opt *opts;	/* every field in order */
	size_t nopts;
} df_mount;

typedef struct df_flag {
	df_str raw;		/* the flag word as written, quotes included */
	df_str name;		/* without the leading "--" */
	df_str value;		/* after '=', quotes removed as Docker does */
	bool has_value;
	df_span span;		/* the whole flag word in the source */
	df_flag_type type;
	bool parsed_ok;		/* the typed value below is valid */
	bool boolean;		/* DF_FLAG_BOOL */
	int64_t duration_ns;	/* DF_FLAG_DURATION */
	int64_t integer;	/* DF_FLAG_INT */
	df_mount *mount;	/* DF_FLAG_MOUNT */
	df_expanded exp;	/* expanded value, for flags the builder expands */
} df_flag;

/* ENV / LABEL / ARG entry. */
typedef struct df_kv {
	df_str key;
	df_str value;		/* raw value, quotes kept (builder expands it) */
	bool has_value;		/* ARG NAME has none */
	df_span key_span, value_span;
	df_expanded key_exp;	/* ENV and LABEL keys are expanded */
	df_expanded value_exp;
} df_kv;

typedef struct df_heredoc {
	df_str name;		/* the delimiter, quotes removed */
	df_span marker_span;	/* the "<<EOF" word on the instruction line */
	int fd;			/* the digits before "<<", or -1 */
	bool chomp;		/* "<<-": leading tabs stripped */
	bool expand;		/* no part of the delimiter was quoted */
	df_text body;		/* content lines, each with its '\n' */
	df_span body_span;	/* body lines in the source (tabs included) */
	df_span terminator_span;/* the terminator line, newline included */
	struct df_sh_script *script; /* sh parse of the body when it is a script */
	df_expanded body_exp;	/* COPY/ADD: the body after the builder's expansion */
} df_heredoc;

typedef struct df_instr df_instr;

/*
 * A variable binding visible to the builder's expansion. Scopes are
 * persistent lists: each instruction points at the head in force before it
 * runs, and older bindings stay shared, so a snapshot costs one pointer. The
 * first binding of a name from the head wins.
 */
typedef struct df_var df_var;
struct df_var {
	const df_var *next;	/* older binding */
	df_str name;
	df_str value;		/* state DF_EXP_KNOWN: the value */
	df_exp_state state;	/* DF_EXP_KNOWN or DF_EXP_UNKNOWN (a build arg) */
	bool is_env;		/* ENV (ENV wins over ARG of the same name) */
	bool predefined;	/* TARGETPLATFORM, HTTP_PROXY, ... */
	bool barrier;		/* no binding itself: it opens a stage built on
				   another; the older bindings are the base
				   stage's, and only their ENV ones are visible */
	const df_instr *def;	/* the ARG/ENV defining it; NULL if predefined */
};

/* A variable used by an instruction: for def-use edges and undefined names. */
typedef struct df_use {
	df_str name;
	df_span span;		/* the reference ($NAME / ${NAME...}) in the source */
	const df_var *def;	/* the binding it resolved to, NULL if undefined */
	bool by_shell;		/* a $NAME in RUN text, resolved by the shell at run time */
} df_use;

/* df_instr_parse() writes each field above exec_form itself and clears
 * the rest up to the kind's words at the end: a field added above
 * exec_form must be written there. */
struct df_instr {
	df_instr_kind kind;
	df_str keyword;		/* as written, e.g. "run" */
	df_span span;		/* the whole node: lines, continuations, heredocs */
	df_span keyword_span;
	uint32_t line, end_line;/* 1-based physical lines covered */
	df_text text;		/* logical line: continuations joined, from the keyword */

	df_flag *flags;
	size_t nflags;

	/* Arguments after the flags, trimmed, as Docker hands them on. */
	df_str rest;
	uint32_t rest_off;	/* offset of rest in text */
	bool exec_form;		/* rest was a JSON string array */
	df_word *args;		/* exec elements, or the instruction's words */
	size_t nargs;

	df_heredoc *heredocs;
	size_t nheredocs;
	uint32_t empty_continuations;	/* blank lines inside the continuation */
	uint32_t first_empty_continuation; /* line of the first of them, or 0 */
	bool has_error;		/* a DL1000 diagnostic names this instruction */

	/* Typed views, filled for the kinds that have them. */
	df_flag *from_platform;		/* FROM --platform, or NULL */
	df_kv *pairs;			/* ENV, LABEL, ARG */
	size_t npairs;
	bool legacy_kv;			/* ENV k v / LABEL k v */
	df_word *sources;		/* COPY/ADD sources (a view into args) */
	size_t nsources;
	df_word *dest;			/* COPY/ADD destination (last arg) */
	bool healthcheck_none;		/* HEALTHCHECK NONE */
	df_instr *inner;		/* ONBUILD: the trigger instruction */
	df_instr *outer;		/* the ONBUILD holding this trigger */
	struct df_sh_script *script;	/* RUN/CMD/ENTRYPOINT shell form: sh parse of rest */

	size_t index;			/* position in doc->instrs (triggers: the ONBUILD's) */

	/* Filled by scope resolution (scope.h). */
	int stage;			/* index of the stage, -1 before the first FROM */
	const df_var *scope;		/* bindings in force before this instruction */
	df_use *uses;			/* variables this instruction reads */
	size_t nuses;

	/* The words of one kind: set for an instruction of that kind only,
	 * and left unwritten for any other (most instructions need none of
	 * them), so read them only after a look at kind. */
	df_word from_image;		/* FROM (raw.ptr NULL if missing) */
	df_word from_alias;		/* FROM ... AS name (raw.ptr NULL if none) */
	df_word hc_type;		/* HEALTHCHECK: "CMD" or "NONE" as written
					   (raw.ptr NULL if missing) */
};

typedef enum df_node_kind {
	DF_NODE_BLANK,
	DF_NODE_COMMENT,
	DF_NODE_DIRECTIVE,
	DF_NODE_INSTR,
} df_node_kind;

typedef struct df_directive {
	df_str key;		/* lower-cased: "syntax", "escape" or "check" */
	df_str value;
	df_span key_span, value_span;
} df_directive;

/*
 * The `# check=` directive as BuildKit reads it (linter.ParseLintOptions):
 * up to two `;`-separated options, `skip=NAME[,NAME]...` or `skip=all`, and
 * `error=BOOL` (Go's strconv.ParseBool spellings). Names are trimmed and
 * case-sensitive; they point into the source. A malformed value is a DL1000
 * (BuildKit refuses to build) and leaves the options empty.
 */
typedef struct df_check_opts {
	bool skip_all;		/* skip=all */
	bool error;		/* error=true: check findings fail the build */
	df_str *skip;		/* the skipped check names (arena) */
	df_span *skip_spans;	/* where each is written */
	size_t nskip;
	bool experimental_all;	/* experimental=all */
	df_str *experimental;	/* the experimental checks turned on (arena) */
	df_span *experimental_spans;
	size_t nexperimental;
} df_check_opts;

typedef struct df_node {
	df_node_kind kind;
	df_span span;		/* whole lines, newline included */
	uint32_t line;		/* first line, 1-based */
	df_instr *instr;	/* DF_NODE_INSTR */
	df_directive *directive;/* DF_NODE_DIRECTIVE */
} df_node;

/* Hard limits: beyond them the input is refused with a diagnostic. */
enum {
	DF_MAX_FILE = 64 * 1024 * 1024,	/* bytes of one Dockerfile */
	DF_MAX_LINE = 65535,		/* bytes of one physical line */
	DF_MAX_HEREDOCS = 128,		/* heredocs of one instruction */
};

typedef struct df_doc {
	df_arena arena;
	df_source src;
	char escape;		/* '\\' or '`' */
	bool bom;		/* a UTF-8 BOM was stripped from line 1 */
	df_directive *syntax, *escape_dir, *check;	/* NULL when absent */
	df_check_opts checks;	/* what *check says (all empty without it) */
	df_node *nodes;
	size_t nnodes;
	df_instr **instrs;	/* the top-level instructions, in order */
	size_t ninstrs;
	df_diags diags;		/* parse errors (DL1000), sorted by position */
	const df_var *globals;	/* global ARGs and predefined args, for FROM lines */
	size_t nstages;		/* number of FROM instructions */
} df_doc;

#endif
