/*
 * check_expand.c - the builder's word expansion (src/parse/expand.h).
 *
 * Most cases are rows of one table: input, escape char, options, expected
 * status and value (or error message), all against one fixed environment.
 * Expected values follow BuildKit's lexer, quirks included; rows marked
 * "dfopt" pin a documented difference.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/expand.h"
#include "util/arena.h"
#include "util/buf.h"

/* --- the environment ---------------------------------------------------- */

#define BIG_LEN 4096
static char big[BIG_LEN + 1];

typedef struct envvar {
	const char *name;
	const char *value;
	size_t len;		/* 0: strlen(value) */
	df_var_state state;
} envvar;

static const envvar env[] = {
	{ "A", "hello", 0, DF_VAR_KNOWN },
	{ "EMPTY", "", 0, DF_VAR_KNOWN },
	{ "SPACE", "a b", 0, DF_VAR_KNOWN },
	{ "PATHV", "/usr/local/bin:/usr/bin", 0, DF_VAR_KNOWN },
	{ "FILE", "archive.tar.gz", 0, DF_VAR_KNOWN },
	{ "STAR", "a*b*c", 0, DF_VAR_KNOWN },
	{ "BR", "[x]y", 0, DF_VAR_KNOWN },
	{ "CB", "}x/y", 0, DF_VAR_KNOWN },
	{ "NL", "a\nb", 0, DF_VAR_KNOWN },
	{ "UTF", "\xc3\xa9!", 0, DF_VAR_KNOWN },
	{ "DOLLAR", "$0", 0, DF_VAR_KNOWN },
	{ "WIN", "C:\\dir", 0, DF_VAR_KNOWN },
	{ "Z", "a\0b", 3, DF_VAR_KNOWN },
	{ "BIG", big, BIG_LEN, DF_VAR_KNOWN },
	{ "U", NULL, 0, DF_VAR_UNKNOWN },
	{ "U2", NULL, 0, DF_VAR_UNKNOWN },
};

static df_var_state test_lookup(void *ud, const char *name, size_t len, df_str *value)
{
	int *calls = ud;
	if (calls)
		(*calls)++;
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
		const envvar *e = &env[i];
		if (strlen(e->name) != len || memcmp(e->name, name, len) != 0)
			continue;
		if (e->state == DF_VAR_KNOWN) {
			value->ptr = e->value;
			value->len = e->len ? e->len : strlen(e->value);
		}
		return e->state;
	}
	return DF_VAR_UNSET;
}

enum { KQ = 1, KE = 2, KU = 4 };

static df_expand_opts make_opts(char esc, unsigned flags)
{
	df_expand_opts o;
	memset(&o, 0, sizeof(o));
	o.escape = esc ? esc : '\\';
	o.lookup = test_lookup;
	o.keep_quotes = flags & KQ;
	o.keep_escapes = flags & KE;
	o.keep_unset = flags & KU;
	return o;
}

/* --- the table ---------------------------------------------------------- */

#define OK DF_EXPAND_OK
#define UNK DF_EXPAND_UNKNOWN
#define ERR DF_EXPAND_ERROR

#define SQ "unexpected end of statement while looking for matching single-quote"
#define DQ "unexpected end of statement while looking for matching double-quote"
#define MISSING "syntax error: missing '}'"
#define MISSING_SLASH "syntax error: missing '/' in ${}"
#define BAD "syntax error: bad substitution"
#define UNSUP(m) "unsupported modifier (" m ") in substitution"

typedef struct row {
	const char *in;
	char esc;		/* 0: backslash */
	unsigned flags;		/* KQ, KE, KU */
	df_expand_status st;
	const char *want;	/* OK: value; ERR: message; UNK: unused */
} row;

static const row rows[] = {
	/* plain text, escapes, quotes */
	{ "hello", 0, 0, OK, "hello" },
	{ "", 0, 0, OK, "" },
	{ "a\\ b", 0, 0, OK, "a b" },
	{ "a\\\\b", 0, 0, OK, "a\\b" },
	{ "abc\\", 0, 0, OK, "abc" },
	{ "\\$A", 0, 0, OK, "$A" },
	{ "\\'x", 0, 0, OK, "'x" },
	{ "'$A'", 0, 0, OK, "$A" },
	{ "'a\\b'", 0, 0, OK, "a\\b" },
	{ "'a\"b'", 0, 0, OK, "a\"b" },
	{ "'abc", 0, 0, ERR, SQ },
	{ "ab'cd", 0, 0, ERR, SQ },
	{ "\"abc", 0, 0, ERR, DQ },
	{ "\"abc\\", 0, 0, ERR, DQ },
	{ "\"abc\\\"", 0, 0, ERR, DQ },
	{ "\"$A\"", 0, 0, OK, "hello" },
	{ "\"a\\\"b\"", 0, 0, OK, "a\"b" },
	{ "\"a\\$A\"", 0, 0, OK, "a$A" },
	{ "\"a\\\\b\"", 0, 0, OK, "a\\b" },
	{ "\"a\\xb\"", 0, 0, OK, "a\\xb" },
	{ "\"a\\'b\"", 0, 0, OK, "a\\'b" },
	{ "\"it's\"", 0, 0, OK, "it's" },
	{ "a\"b c\"d", 0, 0, OK, "ab cd" },
	{ "\"\"''", 0, 0, OK, "" },
	{ "\"${A}'x'\"", 0, 0, OK, "hello'x'" },
	{ "\"$A\"'$A'$A", 0, 0, OK, "hello$Ahello" },
	{ "\"a$ b\"", 0, 0, OK, "a$ b" },

	/* $name */
	{ "$A", 0, 0, OK, "hello" },
	{ "${A}", 0, 0, OK, "hello" },
	{ "$A.txt", 0, 0, OK, "hello.txt" },
	{ "${A}world", 0, 0, OK, "helloworld" },
	{ "$Aworld", 0, 0, OK, "" },
	{ "$A$EMPTY$SPACE", 0, 0, OK, "helloa b" },
	{ "$1x", 0, 0, OK, "x" },
	{ "$12x", 0, 0, OK, "x" },
	{ "$0x", 0, 0, OK, "x" },
	{ "${10}x", 0, 0, OK, "x" },
	{ "$", 0, 0, OK, "$" },
	{ "a$", 0, 0, OK, "a$" },
	{ "$ a", 0, 0, OK, "$ a" },
	{ "$/x", 0, 0, OK, "$/x" },
	{ "$.x", 0, 0, OK, "$.x" },
	{ "$'a'", 0, 0, OK, "$a" },
	{ "$\"a\"", 0, 0, OK, "$a" },
	{ "\"$\"", 0, 0, OK, "$" },
	{ "$$", 0, 0, OK, "" },
	{ "$$$", 0, 0, OK, "$" },
	{ "$@x", 0, 0, OK, "x" },
	{ "$-x", 0, 0, OK, "x" },
	{ "$*$#$?$-$!", 0, 0, OK, "" },
	{ "${@}", 0, 0, OK, "" },
	{ "$NOPE", 0, 0, OK, "" },
	{ "${NOPE}", 0, 0, OK, "" },
	{ "$A_B", 0, 0, OK, "" },
	{ "$_", 0, 0, OK, "" },
	{ "$DOLLAR", 0, 0, OK, "$0" },

	/* ${ syntax errors */
	{ "${", 0, 0, ERR, MISSING },
	{ "${A", 0, 0, ERR, MISSING },	/* dfopt: BuildKit says "unsupported modifier (\uFFFD)" */
	{ "x${A:", 0, 0, ERR, MISSING },
	{ "${}", 0, 0, ERR, BAD },
	{ "${:-x}", 0, 0, ERR, BAD },
	{ "${{A}}", 0, 0, ERR, BAD },
	{ "${:}", 0, 0, ERR, BAD },
	{ "\"${}\"", 0, 0, ERR, BAD },

	/* default and alternative, set / empty / unset */
	{ "${A:-x}", 0, 0, OK, "hello" },
	{ "${EMPTY:-x}", 0, 0, OK, "x" },
	{ "${NOPE:-x}", 0, 0, OK, "x" },
	{ "${A-x}", 0, 0, OK, "hello" },
	{ "${EMPTY-x}", 0, 0, OK, "" },
	{ "${NOPE-x}", 0, 0, OK, "x" },
	{ "${A:+x}", 0, 0, OK, "x" },
	{ "${EMPTY:+x}", 0, 0, OK, "" },
	{ "${NOPE:+x}", 0, 0, OK, "" },
	{ "${A+x}", 0, 0, OK, "x" },
	{ "${EMPTY+x}", 0, 0, OK, "x" },
	{ "${NOPE+x}", 0, 0, OK, "" },
	{ "${SPACE:-x}", 0, 0, OK, "a b" },
	{ "${NOPE:-a b}", 0, 0, OK, "a b" },
	{ "${NOPE:-'}'}", 0, 0, OK, "}" },
	{ "${NOPE:-\\}}", 0, 0, OK, "}" },
	{ "${NOPE:-\"}\"}", 0, 0, OK, "}" },
	{ "${NOPE:-a\\b}", 0, 0, OK, "ab" },
	{ "${NOPE:-\"$A\"}", 0, 0, OK, "hello" },
	{ "${NOPE:-$A}", 0, 0, OK, "hello" },
	{ "${NOPE:-${EMPTY:-${A}}}", 0, 0, OK, "hello" },
	{ "${a:-${b:-c}}", 0, 0, OK, "c" },
	{ "\"${NOPE:-a\\\"b}\"", 0, 0, OK, "a\"b" },
	{ "${NOPE:-x", 0, 0, ERR, MISSING },
	{ "${NOPE:-\\}", 0, 0, ERR, MISSING },
	{ "${NOPE:-'x}", 0, 0, ERR, MISSING },
	{ "${NOPE:-\"x}", 0, 0, ERR, MISSING },
	{ "${A:-${NOPE:?boom}}", 0, 0, ERR, "NOPE: boom" },	/* w is always expanded */
	{ "${A:-${NOPE:?boom}", 0, 0, ERR, MISSING },

	/* ${v:?msg} ${v?msg} */
	{ "${A:?x}", 0, 0, OK, "hello" },
	{ "${A?x}", 0, 0, OK, "hello" },
	{ "${EMPTY?x}", 0, 0, OK, "" },
	{ "${NOPE:?}", 0, 0, ERR, "NOPE: is not allowed to be unset" },
	{ "${EMPTY:?}", 0, 0, ERR, "EMPTY: is not allowed to be empty" },
	{ "${NOPE:?custom msg}", 0, 0, ERR, "NOPE: custom msg" },
	{ "${EMPTY:?must set $A}", 0, 0, ERR, "EMPTY: must set hello" },
	{ "${NOPE?}", 0, 0, ERR, "NOPE: is not allowed to be unset" },
	{ "${NOPE?'q q'}", 0, 0, ERR, "NOPE: q q" },

	/* unsupported modifiers */
	{ "${A:=x}", 0, 0, ERR, UNSUP(":=") },
	{ "${NOPE=x}", 0, 0, ERR, UNSUP("=") },
	{ "${A=x", 0, 0, ERR, UNSUP("=") },	/* reported before reading on */
	{ "${A:=x", 0, 0, ERR, MISSING },	/* reported after reading to } */
	{ "${A x}", 0, 0, ERR, UNSUP(" ") },
	{ "${A:/a/b}", 0, 0, ERR, UNSUP(":/") },
	{ "${A!}", 0, 0, ERR, UNSUP("!") },
	{ "${#A}", 0, 0, ERR, UNSUP("A") },
	{ "${A:}", 0, 0, ERR, MISSING },
	{ "${A:}x}", 0, 0, ERR, UNSUP(":}") },
	{ "${A\xc3\xa9}", 0, 0, ERR, UNSUP("\xc3\xa9") },	/* dfopt: ASCII names */
	{ "${A\xff}", 0, 0, ERR, UNSUP("\xef\xbf\xbd") },

	/* prefix and suffix removal */
	{ "${FILE#*.}", 0, 0, OK, "tar.gz" },
	{ "${FILE##*.}", 0, 0, OK, "gz" },
	{ "${FILE%.*}", 0, 0, OK, "archive.tar" },
	{ "${FILE%%.*}", 0, 0, OK, "archive" },
	{ "${PATHV#*:}", 0, 0, OK, "/usr/bin" },
	{ "${PATHV%:*}", 0, 0, OK, "/usr/local/bin" },
	{ "${PATHV##*/}", 0, 0, OK, "bin" },
	{ "${PATHV%/*}", 0, 0, OK, "/usr/local/bin:/usr" },
	{ "${PATHV%%/*}", 0, 0, OK, "" },
	{ "${A#h?l}", 0, 0, OK, "lo" },
	{ "${A#x}", 0, 0, OK, "hello" },
	{ "${A#hello}", 0, 0, OK, "" },
	{ "${A%l*}", 0, 0, OK, "hel" },
	{ "${A%%l*}", 0, 0, OK, "he" },
	{ "${A%?}", 0, 0, OK, "hell" },
	{ "${A#*}", 0, 0, OK, "hello" },
	{ "${A##*}", 0, 0, OK, "" },
	{ "${NOPE#x}", 0, 0, OK, "" },
	{ "${A:#h}", 0, 0, OK, "ello" },
	{ "${A:%o}", 0, 0, OK, "hell" },
	{ "${A%%%}", 0, 0, OK, "hello" },
	{ "${A%\"%\"l*}", 0, 0, OK, "he" },	/* the doubled % may be quoted */
	{ "${STAR#*\\*}", 0, 0, OK, "b*c" },
	{ "${STAR##*\\*}", 0, 0, OK, "c" },
	{ "${STAR%\\**}", 0, 0, OK, "a*b" },
	{ "${STAR%%\\**}", 0, 0, OK, "a" },
	{ "${A#'*'}", 0, 0, OK, "hello" },	/* quotes do not protect a glob */
	{ "${A##'*'}", 0, 0, OK, "" },
	{ "${A#\"h\"}", 0, 0, OK, "ello" },
	{ "${A#$EMPTY}", 0, 0, OK, "hello" },
	{ "${A#[h]}", 0, 0, OK, "hello" },
	{ "${BR#[x]}", 0, 0, OK, "y" },
	{ "${CB#\\}}", 0, 0, OK, "x/y" },
	{ "${NL##*}", 0, 0, OK, "\nb" },	/* * stops at a newline */
	{ "${NL%%*}", 0, 0, OK, "a\n" },
	{ "${UTF#?}", 0, 0, OK, "!" },
	{ "${UTF%?!}", 0, 0, OK, "" },
	{ "${WIN#\"C:\\d\"}", 0, 0, OK, "ir" },
	{ "${WIN%\\\\*}", 0, 0, OK, "C:" },
	{ "${A#\\x}", 0, 0, ERR, "invalid pattern (\\x) in substitution: invalid escape '\\x'" },
	{ "${A%a\\x}", 0, 0, ERR, "invalid pattern (\\xa) in substitution: invalid escape '\\x'" },
	{ "${NOPE#\\x}", 0, 0, ERR, "invalid pattern (\\x) in substitution: invalid escape '\\x'" },
	{ "${A#'\\'}", 0, 0, ERR, "invalid pattern (\\) in substitution: invalid escape '\\\xef\xbf\xbd'" },
	{ "${A#x", 0, 0, ERR, MISSING },

	/* replacement */
	{ "${A/l/L}", 0, 0, OK, "heLlo" },
	{ "${A//l/L}", 0, 0, OK, "heLLo" },
	{ "${A/x/L}", 0, 0, OK, "hello" },
	{ "${A//l/}", 0, 0, OK, "heo" },
	{ "${A/\"l\"/L}", 0, 0, OK, "heLlo" },
	{ "${PATHV//:/ }", 0, 0, OK, "/usr/local/bin /usr/bin" },
	{ "${PATHV//\\//|}", 0, 0, OK, "|usr|local|bin:|usr|bin" },
	{ "${CB/\\//-}", 0, 0, OK, "}x-y" },
	{ "${A//?/x}", 0, 0, OK, "xxxxx" },
	{ "${UTF//?/x}", 0, 0, OK, "xx" },
	{ "${NL//?/x}", 0, 0, OK, "x\nx" },
	{ "${A/*/x}", 0, 0, OK, "x" },
	{ "${A//*/x}", 0, 0, OK, "x" },
	{ "${A/l*/x}", 0, 0, OK, "hex" },
	{ "${A/[/x}", 0, 0, OK, "hello" },
	{ "${BR/[x]/z}", 0, 0, OK, "zy" },
	{ "${A///x}", 0, 0, OK, "xhxexlxlxox" },	/* empty pattern: Go's ReplaceAll */
	{ "${A/$EMPTY/x}", 0, 0, OK, "xhello" },
	{ "${NOPE/a/b}", 0, 0, OK, "" },
	{ "${A/l/$A}", 0, 0, OK, "hehellolo" },
	{ "${A/l/\\n}", 0, 0, OK, "he\\nlo" },	/* escapes stay in r */
	{ "${A/l/'$'0}", 0, 0, OK, "he$0lo" },
	{ "${A//l/'$'0}", 0, 0, OK, "hello" },	/* Go template: $0 is the match */
	{ "${A//l/'${0}'}", 0, 0, OK, "hello" },
	{ "${A//l/'$$'}", 0, 0, OK, "he$$o" },
	{ "${A//l/'$1'}", 0, 0, OK, "heo" },
	{ "${A//l/'$x'}", 0, 0, OK, "heo" },
	{ "${A//l/'$-'}", 0, 0, OK, "he$-$-o" },
	{ "${A//l/'${0'}", 0, 0, OK, "he${0${0o" },
	{ "${A//l/$DOLLAR}", 0, 0, OK, "hello" },
	{ "${A//l}", 0, 0, ERR, MISSING_SLASH },
	{ "${A/l", 0, 0, ERR, MISSING_SLASH },
	{ "${A/l/L", 0, 0, ERR, MISSING },
	{ "${A//\\x/y}", 0, 0, ERR, "invalid pattern (\\x) in substitution: invalid escape '\\x'" },

	/* backtick escape mode: ` escapes, \ is an ordinary char */
	{ "a`$A", '`', 0, OK, "a$A" },
	{ "a\\b", '`', 0, OK, "a\\b" },
	{ "C:\\path\\$A", '`', 0, OK, "C:\\path\\hello" },
	{ "abc`", '`', 0, OK, "abc" },
	{ "``", '`', 0, OK, "`" },
	{ "\"a`\"b\"", '`', 0, OK, "a\"b" },
	{ "\"a\\\"", '`', 0, OK, "a\\" },
	{ "\"a``b\"", '`', 0, OK, "a`b" },
	{ "\"a`xb\"", '`', 0, OK, "a`xb" },
	{ "${NOPE:-`}}", '`', 0, OK, "}" },
	{ "${STAR#*\\*}", '`', 0, OK, "b*c" },
	{ "${A#`h}", '`', 0, OK, "hello" },

	/* keep_quotes, keep_escapes, keep_unset */
	{ "'a b'\"c\"", 0, KQ, OK, "'a b'\"c\"" },
	{ "\"$A\"", 0, KQ, OK, "\"hello\"" },
	{ "a\\ b", 0, KQ, OK, "a b" },
	{ "${NOPE:-'x'}", 0, KQ, OK, "'x'" },
	{ "a\\ b", 0, KE, OK, "a\\ b" },
	{ "abc\\", 0, KE, OK, "abc\\" },
	{ "\"a\\$b\"", 0, KE, OK, "a\\$b" },
	{ "\"a\\xb\"", 0, KE, OK, "a\\\\xb" },
	{ "${NOPE:-a\\b}", 0, KE, OK, "ab" },
	{ "$NOPE/$A", 0, KU, OK, "$NOPE/hello" },
	{ "${NOPE}", 0, KU, OK, "${NOPE}" },
	{ "${NOPE:-x}", 0, KU, OK, "${NOPE:-x}" },
	{ "${NOPE:-$A}", 0, KU, OK, "${NOPE:-hello}" },
	{ "${NOPE:?m}", 0, KU, OK, "${NOPE:?m}" },
	{ "${NOPE//a/b}", 0, KU, OK, "${NOPE/a/b}" },
	{ "${NOPE:=x}", 0, KU, OK, "${NOPE:=x}" },
	{ "${EMPTY:-x}", 0, KU, OK, "x" },
	{ "${A:=x}", 0, KU, ERR, UNSUP(":=") },
	{ "${U:-x}", 0, KU, UNK, NULL },

	/* unknown values */
	{ "$U", 0, 0, UNK, NULL },
	{ "a${U}b", 0, 0, UNK, NULL },
	{ "\"$U\"", 0, 0, UNK, NULL },
	{ "'$U'", 0, 0, OK, "$U" },
	{ "\\$U", 0, 0, OK, "$U" },
	{ "${U:-x}", 0, 0, UNK, NULL },
	{ "${U-x}", 0, 0, UNK, NULL },
	{ "${U:+x}", 0, 0, UNK, NULL },
	{ "${U:+}", 0, 0, OK, "" },	/* empty either way */
	{ "${U+$U2}", 0, 0, UNK, NULL },
	{ "${U:?m}", 0, 0, UNK, NULL },
	{ "${A:-$U}", 0, 0, OK, "hello" },	/* w is unknown but unused */
	{ "${NOPE:-$U}", 0, 0, UNK, NULL },
	{ "${NOPE:+$U}", 0, 0, OK, "" },
	{ "${A:+$U}", 0, 0, UNK, NULL },
	{ "${A#$U}", 0, 0, UNK, NULL },
	{ "${U#h}", 0, 0, UNK, NULL },
	{ "${A/$U/x}", 0, 0, UNK, NULL },
	{ "${A/l/$U}", 0, 0, UNK, NULL },
	{ "${A/z/$U}", 0, 0, OK, "hello" },	/* no match: r unused */
	{ "$U${NOPE:?m}", 0, 0, ERR, "NOPE: m" },
	{ "${U:=x}", 0, 0, ERR, UNSUP(":=") },
	{ "${U#\\x}", 0, 0, ERR, "invalid pattern (\\x) in substitution: invalid escape '\\x'" },
	{ "${NOPE:?$U}", 0, 0, ERR, "NOPE: $U" },	/* unknown message shown as written */
	{ "$U'abc", 0, 0, ERR, SQ },
};

static const char *status_name(df_expand_status st)
{
	switch (st) {
	case DF_EXPAND_OK: return "OK";
	case DF_EXPAND_UNKNOWN: return "UNKNOWN";
	case DF_EXPAND_ERROR: return "ERROR";
	}
	return "?";
}

START_TEST(t_row)
{
	const row *r = &rows[_i];
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(r->esc, r->flags);
	df_expand_result res;

	df_expand_word(&a, r->in, strlen(r->in), &o, &res);
	ck_assert_msg(res.status == r->st, "row %d <%s>: status %s, want %s (value <%s>, error <%s>)",
		      _i, r->in, status_name(res.status), status_name(r->st),
		      res.value.ptr ? res.value.ptr : "(null)", res.error ? res.error : "(null)");
	ck_assert_msg(res.value.ptr && res.value.ptr[res.value.len] == '\0',
		      "row %d <%s>: value not NUL-terminated", _i, r->in);
	if (r->st == OK)
		ck_assert_msg(res.value.len == strlen(r->want) && memcmp(res.value.ptr, r->want, res.value.len) == 0,
			      "row %d <%s>: value <%s>, want <%s>", _i, r->in, res.value.ptr, r->want);
	else if (r->st == ERR)
		ck_assert_msg(res.error && strcmp(res.error, r->want) == 0,
			      "row %d <%s>: error <%s>, want <%s>", _i, r->in, res.error, r->want);
	if (r->st != ERR)
		ck_assert_msg(res.error == NULL, "row %d <%s>: error set", _i, r->in);
	df_arena_release(&a);
}
END_TEST

/* --- refs and error offsets --------------------------------------------- */

typedef struct ref_want {
	const char *name;
	uint32_t off;
	df_var_state state;
} ref_want;

typedef struct ref_row {
	const char *in;
	size_t n;
	ref_want refs[4];
} ref_row;

static const ref_row ref_rows[] = {
	{ "${A:-$NOPE}x$U", 3, { { "A", 0, DF_VAR_KNOWN }, { "NOPE", 5, DF_VAR_UNSET }, { "U", 12, DF_VAR_UNKNOWN } } },
	{ "'$A'\"$A\"\\$A$A", 2, { { "A", 5, DF_VAR_KNOWN }, { "A", 11, DF_VAR_KNOWN } } },
	{ "$$ $1 ${@}", 3, { { "$", 0, DF_VAR_UNSET }, { "1", 3, DF_VAR_UNSET }, { "@", 6, DF_VAR_UNSET } } },
	{ "$A${NOPE:?x}$A", 2, { { "A", 0, DF_VAR_KNOWN }, { "NOPE", 2, DF_VAR_UNSET } } },
	{ "${A/$EMPTY/x}", 2, { { "A", 0, DF_VAR_KNOWN }, { "EMPTY", 4, DF_VAR_KNOWN } } },
	{ "${+x}$", 0, { { NULL, 0, DF_VAR_UNSET } } },
};

START_TEST(t_refs)
{
	const ref_row *r = &ref_rows[_i];
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, 0);
	df_expand_result res;

	df_expand_word(&a, r->in, strlen(r->in), &o, &res);
	ck_assert_msg(res.nrefs == r->n, "refs row %d <%s>: %zu refs, want %zu", _i, r->in, res.nrefs, r->n);
	for (size_t i = 0; i < r->n; i++) {
		const df_expand_ref *got = &res.refs[i];
		const ref_want *w = &r->refs[i];
		ck_assert_msg(got->name.len == strlen(w->name) && strcmp(got->name.ptr, w->name) == 0,
			      "refs row %d <%s>: ref %zu is <%s>, want <%s>", _i, r->in, i, got->name.ptr, w->name);
		ck_assert_msg(got->off == w->off, "refs row %d <%s>: ref %zu at %u, want %u", _i, r->in, i,
			      got->off, w->off);
		uint32_t name_off = w->off + (r->in[w->off + 1] == '{' ? 2 : 1);
		ck_assert_msg(got->name_off == name_off, "refs row %d <%s>: ref %zu name at %u, want %u",
			      _i, r->in, i, got->name_off, name_off);
		ck_assert_msg(got->state == w->state, "refs row %d <%s>: ref %zu state %d, want %d", _i, r->in,
			      i, (int)got->state, (int)w->state);
	}
	df_arena_release(&a);
}
END_TEST

typedef struct off_row {
	const char *in;
	uint32_t off;
} off_row;

static const off_row off_rows[] = {
	{ "'abc", 0 },
	{ "ab\"cd", 2 },
	{ "x${NOPE:?}", 1 },
	{ "${A:-${NOPE:?m}}", 5 },
	{ "${A:-${NOPE:?m}", 0 },	/* became "missing '}'" of the outer form */
	{ "ab${A=x}", 2 },
};

START_TEST(t_error_off)
{
	const off_row *r = &off_rows[_i];
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, 0);
	df_expand_result res;

	df_expand_word(&a, r->in, strlen(r->in), &o, &res);
	ck_assert_msg(res.status == DF_EXPAND_ERROR, "offset row %d <%s>: not an error", _i, r->in);
	ck_assert_msg(res.error_off == r->off, "offset row %d <%s>: error at %u, want %u", _i, r->in,
		      res.error_off, r->off);
	df_arena_release(&a);
}
END_TEST

/* --- word splitting ------------------------------------------------------ */

typedef struct words_row {
	const char *in;
	unsigned flags;
	df_expand_status st;
	const char *want[5];	/* NULL-terminated */
} words_row;

static const words_row words_rows[] = {
	{ "80 443", 0, OK, { "80", "443", NULL } },
	{ "  80   443  ", 0, OK, { "80", "443", NULL } },
	{ "80/tcp $A", 0, OK, { "80/tcp", "hello", NULL } },
	{ "$SPACE", 0, OK, { "a", "b", NULL } },	/* values of unquoted $ split */
	{ "x$SPACE", 0, OK, { "xa", "b", NULL } },
	{ "\"$SPACE\"", 0, OK, { "a b", NULL } },
	{ "${NOPE:-x y}", 0, OK, { "x", "y", NULL } },
	{ "\"${NOPE:-x y}\"", 0, OK, { "x y", NULL } },
	{ "a\\ b c", 0, OK, { "a b", "c", NULL } },
	{ "'a b' c", 0, OK, { "a b", "c", NULL } },
	{ "'' x", 0, OK, { "x", NULL } },	/* empty quoted words vanish */
	{ "\"\"", 0, OK, { NULL } },
	{ "a\"\"b", 0, OK, { "ab", NULL } },
	{ "$EMPTY", 0, OK, { NULL } },
	{ "", 0, OK, { NULL } },
	{ "x\ty\nz", 0, OK, { "x", "y", "z", NULL } },
	{ "a\xc2\xa0" "b", 0, OK, { "a", "b", NULL } },	/* U+00A0 is a Go space */
	{ "'' x", KQ, OK, { "''", "x", NULL } },
	{ "<<'EOF' cat", KQ, OK, { "<<'EOF'", "cat", NULL } },
	{ "<<\"E O\" x", KQ, OK, { "<<\"E O\"", "x", NULL } },
	{ "a\\ b", KQ | KE, OK, { "a\\ b", NULL } },
	{ "$U 80", 0, UNK, { NULL } },
	{ "'ab", 0, ERR, { NULL } },
};

START_TEST(t_words)
{
	const words_row *r = &words_rows[_i];
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, r->flags);
	df_expand_result res;
	df_str *w = (df_str *)&a;	/* must be overwritten */
	size_t n = df_expand_words(&a, r->in, strlen(r->in), &o, &w, &res), want = 0;

	while (r->want[want])
		want++;
	ck_assert_msg(res.status == r->st, "words row %d <%s>: status %s, want %s", _i, r->in,
		      status_name(res.status), status_name(r->st));
	ck_assert_msg(n == want, "words row %d <%s>: %zu words, want %zu", _i, r->in, n, want);
	if (!n)
		ck_assert_msg(w == NULL, "words row %d <%s>: words not NULL", _i, r->in);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(w[i].len == strlen(r->want[i]) && strcmp(w[i].ptr, r->want[i]) == 0,
			      "words row %d <%s>: word %zu is <%s>, want <%s>", _i, r->in, i, w[i].ptr,
			      r->want[i]);
	df_arena_release(&a);
}
END_TEST

/* --- globs --------------------------------------------------------------- */

typedef struct glob_row {
	const char *p, *s;
	bool match;
} glob_row;

static const glob_row glob_rows[] = {
	{ "", "", true },
	{ "", "a", false },
	{ "*", "", true },
	{ "*", "abc", true },
	{ "a*c", "abc", true },
	{ "a*c", "abcd", false },
	{ "a**b", "ab", true },
	{ "*.txt", "file.txt", true },
	{ "*.txt", "file.txt.gz", false },
	{ "?", "\xc3\xa9", true },
	{ "??", "\xc3\xa9", false },
	{ "a?c", "a\nc", false },
	{ "*", "a\nb", false },
	{ "\\*", "*", true },
	{ "\\*", "a", false },
	{ "\\?", "?", true },
	{ "\\\\", "\\", true },
	{ "[a]", "[a]", true },
	{ "[a]", "a", false },
	{ "a\\}", "a}", true },
	{ "a\\/b", "a/b", true },
	{ "\\x", "x", false },
	{ "x\\", "x\\", false },
	{ "*a*b*c*", "xaxbxcx", true },
	{ "*a*b*c*", "xcxbxax", false },
};

START_TEST(t_glob)
{
	const glob_row *r = &glob_rows[_i];
	bool got = df_expand_glob_match(r->p, strlen(r->p), r->s, strlen(r->s));
	ck_assert_msg(got == r->match, "glob row %d: <%s> on <%s> gave %d", _i, r->p, r->s, got);
}
END_TEST

/* Patterns that would make a backtracking matcher exponential: the step
 * budget ends the match (Check's per-test timeout guards against a hang). */
START_TEST(t_glob_no_blowup)
{
	df_buf p = DF_BUF_INIT, s = DF_BUF_INIT;

	for (int i = 0; i < 200; i++)
		df_buf_adds(&p, "*a");
	df_buf_adds(&p, "*b");
	for (int i = 0; i < 20000; i++)
		df_buf_addc(&s, 'a');
	ck_assert(!df_expand_glob_match(p.buf, p.len, s.buf, s.len));
	df_buf_release(&p);
	df_buf_release(&s);
}
END_TEST

/* --- single cases -------------------------------------------------------- */

START_TEST(t_nul_in_value)
{
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, 0);
	df_expand_result res;

	df_expand_word(&a, "<$Z>", 4, &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_OK);
	ck_assert_uint_eq(res.value.len, 5);
	ck_assert(memcmp(res.value.ptr, "<a\0b>", 6) == 0);
	/* and a NUL in the input is an ordinary char */
	df_expand_word(&a, "a\0$A", 4, &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_OK);
	ck_assert_uint_eq(res.value.len, 7);
	ck_assert(memcmp(res.value.ptr, "a\0hello", 8) == 0);
	df_arena_release(&a);
}
END_TEST

START_TEST(t_defaults)
{
	df_arena a = DF_ARENA_INIT;
	df_expand_result res;

	/* NULL options: escape \, nothing set */
	df_expand_word(&a, "a\\ $A${B:-x}", 12, NULL, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_OK);
	ck_assert_str_eq(res.value.ptr, "a x");
	ck_assert_uint_eq(res.nrefs, 2);
	df_expand_word(&a, NULL, 0, NULL, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_OK);
	ck_assert_str_eq(res.value.ptr, "");
	df_arena_release(&a);
}
END_TEST

static void nest(df_buf *b, int depth)
{
	for (int i = 0; i < depth; i++)
		df_buf_adds(b, "${a:-");
	df_buf_addc(b, 'x');
	for (int i = 0; i < depth; i++)
		df_buf_addc(b, '}');
}

START_TEST(t_depth_limit)
{
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, 0);
	df_expand_result res;
	df_buf b = DF_BUF_INIT;

	nest(&b, DF_EXPAND_MAX_DEPTH);
	df_expand_word(&a, b.buf, b.len, &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_OK);
	ck_assert_str_eq(res.value.ptr, "x");
	df_buf_reset(&b);
	nest(&b, DF_EXPAND_MAX_DEPTH + 1);
	df_expand_word(&a, b.buf, b.len, &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_ERROR);
	ck_assert_str_eq(res.error, "nesting too deep");
	ck_assert_uint_eq(res.error_off, 5 * DF_EXPAND_MAX_DEPTH);
	df_buf_release(&b);
	df_arena_release(&a);
}
END_TEST

START_TEST(t_deep_nesting_fast)
{
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, 0);
	df_expand_result res;
	df_buf b = DF_BUF_INIT;

	for (int i = 0; i < 10000; i++)
		df_buf_adds(&b, "${a:-");
	df_expand_word(&a, b.buf, b.len, &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_ERROR);
	ck_assert_str_eq(res.error, "nesting too deep");
	df_buf_release(&b);
	df_arena_release(&a);
}
END_TEST

START_TEST(t_output_limit)
{
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, 0);
	df_expand_result res;
	/* 4096 matches, each replaced by 8 KiB: 32 MiB */
	const char *in = "${BIG//?/$BIG$BIG}";
	/* nested, each level squares the size */
	const char *in2 = "${A//?/${A//?/${A//?/${A//?/${A//?/${A//?/${A//?/${A//?/${A//?/${A//?/$BIG}}}}}}}}}}";

	df_expand_word(&a, in, strlen(in), &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_ERROR);
	ck_assert_str_eq(res.error, "expansion result too large");
	df_expand_word(&a, in2, strlen(in2), &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_ERROR);
	ck_assert_str_eq(res.error, "expansion result too large");
	/* a large but allowed result */
	df_expand_word(&a, "${BIG//x/$A}", 12, &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_OK);
	ck_assert_uint_eq(res.value.len, 5 * BIG_LEN);
	df_arena_release(&a);
}
END_TEST

START_TEST(t_lookup_once_per_ref)
{
	df_arena a = DF_ARENA_INIT;
	df_expand_opts o = make_opts(0, 0);
	df_expand_result res;
	int calls = 0;

	o.ud = &calls;
	df_expand_word(&a, "$A ${A:-$B} ${A#x}", 18, &o, &res);
	ck_assert_int_eq(res.status, DF_EXPAND_OK);
	ck_assert_int_eq(calls, 4);
	ck_assert_uint_eq(res.nrefs, 4);
	df_arena_release(&a);
}
END_TEST

/* Random bytes drawn mostly from the characters that matter. */
START_TEST(t_random)
{
	static const char alpha[] = "${}{}:-+?#%/'\"\\` *aAUZ_1\n$$${{}}";
	uint64_t seed = 0x5eed1234abcdULL;
	df_arena a = DF_ARENA_INIT;
	char in[256];

	for (int iter = 0; iter < 5000; iter++) {
		size_t len;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len = (size_t)(seed >> 33) % (sizeof(in) + 1);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			unsigned r = (unsigned)(seed >> 33);
			in[i] = r % 8 ? alpha[(r >> 3) % (sizeof(alpha) - 1)] : (char)(r >> 11);
		}
		df_expand_opts o = make_opts(iter % 5 ? '\\' : '`', (unsigned)iter % 8);
		df_expand_result res;
		df_str *w;
		df_expand_word(&a, in, len, &o, &res);
		ck_assert_msg(res.value.ptr && res.value.ptr[res.value.len] == '\0',
			      "random input %d: value not NUL-terminated", iter);
		if (res.status == DF_EXPAND_ERROR)
			ck_assert_msg(res.error && res.error_off <= len, "random input %d: bad error", iter);
		for (size_t i = 0; i < res.nrefs; i++)
			ck_assert_msg(res.refs[i].off < len && in[res.refs[i].off] == '$',
				      "random input %d: bad ref %zu", iter, i);
		size_t n = df_expand_words(&a, in, len, &o, &w, &res);
		for (size_t i = 0; i < n; i++)
			ck_assert_msg(w[i].len && w[i].ptr[w[i].len] == '\0', "random input %d: bad word", iter);
		if (iter % 64 == 63) {
			df_arena_release(&a);
			df_arena_init(&a);
		}
	}
	df_arena_release(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("expand");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	memset(big, 'x', BIG_LEN);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, t_row, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_loop_test(tc, t_refs, 0, (int)(sizeof(ref_rows) / sizeof(ref_rows[0])));
	tcase_add_loop_test(tc, t_error_off, 0, (int)(sizeof(off_rows) / sizeof(off_rows[0])));
	tcase_add_loop_test(tc, t_words, 0, (int)(sizeof(words_rows) / sizeof(words_rows[0])));
	tcase_add_loop_test(tc, t_glob, 0, (int)(sizeof(glob_rows) / sizeof(glob_rows[0])));
	tcase_add_test(tc, t_glob_no_blowup);
	tcase_add_test(tc, t_nul_in_value);
	tcase_add_test(tc, t_defaults);
	tcase_add_test(tc, t_depth_limit);
	tcase_add_test(tc, t_deep_nesting_fast);
	tcase_add_test(tc, t_output_limit);
	tcase_add_test(tc, t_lookup_once_per_ref);
	tcase_add_test(tc, t_random);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
