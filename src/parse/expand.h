/*
 * expand.h - the builder's word expansion: quotes, escapes and the $ forms
 * that Docker (BuildKit's Dockerfile frontend) applies to the values it
 * expands (FROM image, COPY/ADD paths, ENV/LABEL keys and values, WORKDIR,
 * USER, EXPOSE, VOLUME, STOPSIGNAL, ARG defaults, --mount values).
 *
 * This is not a POSIX shell. The language, processed left to right:
 *
 *  - Unquoted, the escape char (`\`, or `` ` `` after `# escape=``) makes the
 *    next char literal and is removed; an escape char at the very end of the
 *    input is dropped.
 *  - '...' is literal up to the next `'`. "..." expands `$`; in it the escape
 *    char escapes only `"`, `$` and itself, and before any other char it
 *    stays as written.
 *  - $name: letters, digits and `_` (ASCII); a leading digit makes the name
 *    the run of digits ($1x is "1" then "x"); one of `@*#?-$!` right after
 *    `$` is a one-char name. `$` before anything else is a literal `$`.
 *  - ${name}, ${v:-w} ${v-w} ${v:+w} ${v+w} ${v:?msg} ${v?msg},
 *    ${v#p} ${v##p} ${v%p} ${v%%p} (shortest/longest prefix/suffix glob),
 *    ${v/p/r} ${v//p/r} (replace first/all). w, msg, p and r are themselves
 *    words (quotes, escapes, nested $ forms) up to the closing `}` (or the `/`
 *    that ends p), and are always expanded, even when not used. In p and r the
 *    escape chars are kept, so a glob sees `\*`.
 *  - Globs: `*` any run of chars, `?` one char (neither matches a newline, as
 *    in Go's regexp), `\` escapes `*`, `?` or `\` and is dropped before `}`
 *    and `/`; any other `\x` is an error. No bracket expressions: `[` is
 *    literal. Quotes in p are removed before globbing, so '*' is a star.
 *
 * Behaviour copied from BuildKit, including its quirks (the tests pin them):
 *  - ${v:#p} and ${v:%p} act as ${v#p} and ${v%p}; any other char after
 *    `:` is "unsupported modifier (:X) in substitution", reported after the
 *    word up to `}` was read, so ${v:=w is "missing '}'". Any other char after
 *    the name (`=` included) is "unsupported modifier (X) in substitution"
 *    at once.
 *  - ${v/p} without the second `/` is "syntax error: missing '/' in ${}".
 *  - An empty p matches the empty string: ${v/$EMPTY/x} prepends x and
 *    ${v///x} puts x between every char and at both ends.
 *  - In ${v//p/r}, r goes through Go's regexp template expansion: `$0` or
 *    `${0}` is the match, `$$` a `$`, any other `$name` or `${name}` is
 *    empty. ${v/p/r} inserts r literally.
 *  - A `%` or `#` doubled for the longest match is looked for in the expanded
 *    p, so ${v%"%"x} is ${v%%x}.
 *  - A nested error found at the end of the input becomes "missing '}'"
 *    (${v:-'x is "missing '}'", not an unterminated quote).
 *
 * Where dfopt differs from BuildKit on purpose:
 *  - Error messages are the inner message only, without BuildKit's
 *    `failed to process "..."` wrapper; ${v followed by the end of input is
 *    "syntax error: missing '}'" (BuildKit: "unsupported modifier (\uFFFD)").
 *  - Bytes are kept as they are: BuildKit turns invalid UTF-8 into U+FFFD
 *    and drops a BOM at the start of the word. Names, here and in the
 *    replacement template, are ASCII-only (BuildKit takes any Unicode letter
 *    or digit). `?` and the chars a suffix search steps over are UTF-8
 *    sequences, an invalid byte counting as one char.
 *  - Limits, so hostile input stays cheap: at most DF_EXPAND_MAX_DEPTH
 *    nested ${...} ("nesting too deep"), results of at most
 *    DF_EXPAND_MAX_OUT bytes and DF_EXPAND_MAX_WORK bytes produced in total
 *    ("expansion result too large"), inputs of at most DF_EXPAND_MAX_OUT
 *    bytes ("word too long"), and a bounded amount of glob matching
 *    ("pattern matching too expensive"). The builder has none of these.
 *
 * Static analysis: variables are looked up through a callback that may answer
 * DF_VAR_UNKNOWN (a build arg whose value is only known at build time, which
 * may also be unset or empty). A result that depends on such a value is
 * DF_EXPAND_UNKNOWN. An error is reported as DF_EXPAND_ERROR only when it
 * happens whatever the unknown values are (${U:?m} is UNKNOWN, $U${X:?m} with
 * X unset is ERROR); otherwise the status is UNKNOWN. When only the message
 * of a certain ${X:?msg} error is unknown, the message shows msg as written.
 * A value or word that is known but unused does not matter: ${A:-$U} with A
 * set, ${U:+} and ${A/z/$U} without a match are OK.
 *
 * Ownership: everything in a df_expand_result (value, error, refs and their
 * names, words) is allocated from the arena passed in and lives as long as
 * it. Nothing else is kept: the input and the values returned by the lookup
 * callback are only borrowed during the call.
 */
#ifndef DF_PARSE_EXPAND_H
#define DF_PARSE_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/ast.h"
#include "util/arena.h"

#define DF_EXPAND_MAX_DEPTH 64			/* nested ${...} */
#define DF_EXPAND_MAX_OUT (16u << 20)		/* bytes in any one value */
#define DF_EXPAND_MAX_WORK (64u << 20)		/* bytes produced in all */

typedef enum df_var_state {
	DF_VAR_UNSET,		/* not defined: expands to "" */
	DF_VAR_KNOWN,		/* defined, value known (possibly empty) */
	DF_VAR_UNKNOWN,		/* set, empty or unset: decided at build time */
} df_var_state;

/*
 * Look up name[0..len) (not NUL-terminated). For DF_VAR_KNOWN, set *value
 * (borrowed until df_expand_* returns; ptr may be NULL when len is 0).
 * Special parameters are looked up too, with one-char names such as "$" or
 * "@", and positional ones with digit names such as "1".
 */
typedef df_var_state (*df_var_lookup_fn)(void *ud, const char *name, size_t len,
					 df_str *value);

typedef enum df_expand_status {
	DF_EXPAND_OK,		/* value holds the result */
	DF_EXPAND_UNKNOWN,	/* the result depends on a DF_VAR_UNKNOWN variable */
	DF_EXPAND_ERROR,	/* the builder fails whatever the unknowns are */
} df_expand_status;

typedef struct df_expand_opts {
	char escape;		/* '\\' or '`'; 0 means '\\' */
	df_var_lookup_fn lookup;	/* NULL: every variable is unset */
	void *ud;		/* passed to lookup */
	bool keep_quotes;	/* keep the quote chars (BuildKit's RawQuotes) */
	bool keep_escapes;	/* keep the escape chars (RawEscapes) in the
				   word and its double quotes; those of w and
				   msg in ${...} still go (p and r always
				   keep theirs) */
	bool keep_unset;	/* leave forms on unset variables as text
				   (SkipUnsetEnv): $x, ${x}, ${x:-w} with w
				   expanded, ${x/p/r} (even for //) */
} df_expand_opts;

/* One variable reference: the lookup the builder would do. */
typedef struct df_expand_ref {
	df_str name;		/* arena copy, NUL-terminated */
	uint32_t off;		/* offset of its `$` in the input */
	uint32_t name_off;	/* offset of the name: off + 1, or off + 2
				   after "${" */
	df_var_state state;	/* what the lookup said */
} df_expand_ref;

typedef struct df_expand_result {
	df_expand_status status;
	df_str value;		/* OK: the result (arena-owned, NUL-terminated,
				   may hold NULs); otherwise "" */
	const char *error;	/* ERROR: lowercase message (arena-owned);
				   otherwise NULL */
	uint32_t error_off;	/* ERROR: offset of the `$` of the failing
				   ${...} or of an unterminated quote; for
				   a size limit, where it was hit */
	df_expand_ref *refs;	/* every reference in input order, also those
				   whose value goes unused, up to an error */
	size_t nrefs;
} df_expand_result;

/*
 * Expand the word s[0..len) (it may hold NULs). o may be NULL for the
 * defaults (escape `\`, everything unset, nothing kept). Inputs longer than
 * DF_EXPAND_MAX_OUT are an error.
 */
void df_expand_word(df_arena *a, const char *s, size_t len,
		    const df_expand_opts *o, df_expand_result *out);

/*
 * Expand s[0..len) like df_expand_word() and split the result into words
 * the way BuildKit's ProcessWords does (EXPOSE, heredoc detection):
 *  - words break at whitespace (Go's unicode.IsSpace) that was unquoted and
 *    unescaped in the input, and also at whitespace inside the value of an
 *    unquoted $ form: with X="80 443", EXPOSE $X gives two words, "$X" one;
 *  - a word that ends up empty is dropped, so "" and '' make no word (with
 *    keep_quotes they are the two-char words "" and '').
 * Sets *words to an arena array and returns its length. When status_out's
 * status is not DF_EXPAND_OK, returns 0 and sets *words to NULL. status_out
 * is filled as by df_expand_word().
 */
size_t df_expand_words(df_arena *a, const char *s, size_t len,
		       const df_expand_opts *o, df_str **words,
		       df_expand_result *status_out);

/*
 * Does the glob p[0..plen) (syntax above) match all of s[0..slen)? False for
 * an invalid pattern. Linear in slen times plen, never exponential.
 */
bool df_expand_glob_match(const char *p, size_t plen, const char *s, size_t slen);

#endif
