/*
 * instr.c - one logical line to a typed instruction; see instr.h.
 *
 * One parse function per instruction, each opening with its grammar. They
 * follow the builder's own dispatch: which instructions take JSON (exec
 * form), which split on blanks, which split like its shell words, and which
 * take the rest of the line as one argument.
 */
#include "parse/instr.h"
#include "parse/flags.h"
#include "parse/jsonargs.h"
#include "parse/parser.h"
#include "parse/ports.h"
#include "parse/text.h"
#include "parse/words.h"
#include "util/buf.h"
#include "util/util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- keywords ------------------------------------------------------------- */

/* Rows of twelve bytes, zero-padded, so that scan_keyword() can read eight
 * from any. */
static const char kind_names[DF_I_COUNT][12] = {
	[DF_I_UNKNOWN] = "UNKNOWN", [DF_I_ADD] = "ADD", [DF_I_ARG] = "ARG",
	[DF_I_CMD] = "CMD", [DF_I_COPY] = "COPY", [DF_I_ENTRYPOINT] = "ENTRYPOINT",
	[DF_I_ENV] = "ENV", [DF_I_EXPOSE] = "EXPOSE", [DF_I_FROM] = "FROM",
	[DF_I_HEALTHCHECK] = "HEALTHCHECK", [DF_I_LABEL] = "LABEL",
	[DF_I_MAINTAINER] = "MAINTAINER", [DF_I_ONBUILD] = "ONBUILD", [DF_I_RUN] = "RUN",
	[DF_I_SHELL] = "SHELL", [DF_I_STOPSIGNAL] = "STOPSIGNAL", [DF_I_USER] = "USER",
	[DF_I_VOLUME] = "VOLUME", [DF_I_WORKDIR] = "WORKDIR",
};

const char *df_instr_kind_name(df_instr_kind k)
{
	if ((unsigned)k >= DF_I_COUNT)
		DF_BUG("bad instruction kind %d", (int)k);
	return kind_names[k];
}

/* The one kind a keyword of each length can be, by the low five bits of its
 * second letter (the same in either case): no two names of one length
 * share them. */
static const uint8_t kind_by_len_and_second[12][32] = {
	[3] = { ['D' & 31] = DF_I_ADD, ['R' & 31] = DF_I_ARG, ['M' & 31] = DF_I_CMD,
		['N' & 31] = DF_I_ENV, ['U' & 31] = DF_I_RUN },
	[4] = { ['O' & 31] = DF_I_COPY, ['R' & 31] = DF_I_FROM, ['S' & 31] = DF_I_USER },
	[5] = { ['A' & 31] = DF_I_LABEL, ['H' & 31] = DF_I_SHELL },
	[6] = { ['X' & 31] = DF_I_EXPOSE, ['O' & 31] = DF_I_VOLUME },
	[7] = { ['N' & 31] = DF_I_ONBUILD, ['O' & 31] = DF_I_WORKDIR },
	[10] = { ['N' & 31] = DF_I_ENTRYPOINT, ['A' & 31] = DF_I_MAINTAINER, ['T' & 31] = DF_I_STOPSIGNAL },
	[11] = { ['E' & 31] = DF_I_HEALTHCHECK },
};

/* Are kw[at..at + 4) the letters name[at..at + 4), in any case? Names are
 * all letters: clearing bit 5 upper-cases a letter, and no other byte maps
 * onto one. */
static bool same_letters4(const char *kw, const char *name, size_t at)
{
	uint32_t w, n;
	memcpy(&w, kw + at, 4);
	memcpy(&n, name + at, 4);
	return (w & 0xDFDFDFDFu) == n;
}

df_instr_kind df_instr_kind_from(const char *kw, size_t len)
{
	if (len < 3 || len >= DF_ARRAY_LEN(kind_by_len_and_second))
		return DF_I_UNKNOWN;
	df_instr_kind k = kind_by_len_and_second[len][kw[1] & 31];
	if (k == DF_I_UNKNOWN)
		return k;
	const char *name = kind_names[k];
	if (len == 3)
		return (kw[0] & 0xDF) == name[0] && (kw[1] & 0xDF) == name[1] && (kw[2] & 0xDF) == name[2] ?
		       k : DF_I_UNKNOWN;
	/* The first four letters and the last four cover up to eight; the
	 * longer names need the four after the first too. */
	return same_letters4(kw, name, 0) && same_letters4(kw, name, len - 4) &&
	       (len <= 8 || same_letters4(kw, name, 4)) ? k : DF_I_UNKNOWN;
}

/* ---- errors and shared helpers ------------------------------------------------ */

void df_parse_error(df_doc *doc, df_instr *in, df_span sp, const char *fmt, ...)
{
	uint32_t l1, c1, l2, c2;
	df_source_pos(&doc->src, sp.start, &l1, &c1);
	df_source_pos(&doc->src, sp.end > sp.start ? sp.end : sp.start, &l2, &c2);
	df_buf msg = DF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	df_diags_add(&doc->diags, DF_SEV_ERROR, "DL1000", l1, c1, l2, c2, "%s", df_buf_str(&msg));
	df_buf_release(&msg);
	if (in) {
		in->has_error = true;
		if (in->outer)
			in->outer->has_error = true;
	}
}

/* What the parse functions share: the document and its arena. */
typedef struct parser {
	df_doc *doc;
	df_arena *a;
} parser;

static df_str str_of(const df_text *t, size_t off, size_t end)
{
	return (df_str){ t->str.ptr + off, end - off };
}

/* Tables, not chains of compares: these run for many bytes of every line. */
static const bool blank_sep[256] = {
	[' '] = true, ['\t'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true,
};
static const bool ws_char[256] = {
	[' '] = true, ['\t'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true, ['\n'] = true,
};

static bool is_blank_sep(int c)
{
	return blank_sep[c];
}

static bool is_ws(int c)
{
	return ws_char[c];
}

/* The keyword at s[*pos..len), up to the first blank separator or len:
 * moves *pos to its end and returns its kind.
 *
 * Every separator is a byte <= ' ': the first eight bytes are tested for
 * one at once, and of the bytes the test flags, the first is exact (a later
 * one may be flagged by the borrow out of it). A keyword ending within them
 * (little-endian: the first byte is the low one) is then compared whole
 * with the one name it can be: upper-cased, the bytes past its end cleared,
 * it equals that name's zero-padded row. */
static df_instr_kind scan_keyword(const char *s, size_t *pos, size_t len)
{
	size_t kw0 = *pos, k = kw0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len - k >= 8) {
		const uint64_t ones = 0x0101010101010101u;
		uint64_t w;
		memcpy(&w, s + k, 8);
		uint64_t low = (w - ones * ' ' - ones) & ~w & ones * 0x80;
		size_t n = low ? (size_t)__builtin_ctzll(low) / 8 : 8;
		if (n < 8 && is_blank_sep((unsigned char)s[k + n])) {
			*pos = k + n;
			if (n < 3)
				return DF_I_UNKNOWN;
			df_instr_kind kind = kind_by_len_and_second[n][(w >> 8) & 31];
			uint64_t name;
			memcpy(&name, kind_names[kind], 8);
			return (w & ones * 0xDF & (((uint64_t)1 << 8 * n) - 1)) == name ? kind : DF_I_UNKNOWN;
		}
		k += n;	/* no separator before */
	}
#endif
	while (k < len && !is_blank_sep((unsigned char)s[k]))
		k++;
	*pos = k;
	return df_instr_kind_from(s + kw0, k - kw0);
}

/* The instruction's whole logical line, for error locations. */
static df_span instr_span_text(const df_instr *in)
{
	return df_text_span(&in->text, 0, in->text.str.len);
}

static df_span kw_span(const df_instr *in)
{
	return in->keyword_span;
}

/* ---- per-instruction argument parsing -------------------------------------- */

/* Source span of w->raw[at .. at + len). A word that is one run of the
 * source (its span as long as its text: a continuation inside it would add
 * at least the escape and the newline) maps by offset from its own span,
 * without a search of the text's pieces; an empty part may sit at the start
 * of the next piece, and takes the search. */
static inline df_span word_part_span(const df_instr *in, const df_word *w, size_t at, size_t len)
{
	if (len && w->span.end - w->span.start == w->raw.len)
		return (df_span){ w->span.start + (uint32_t)at, w->span.start + (uint32_t)(at + len) };
	return df_text_span(&in->text, w->text_off + at, len);
}

static void words_to_args(df_instr *in, df_word *w, size_t n)
{
	in->args = w;
	in->nargs = n;
}

/* text[off..end) as the single argument. Inline: every shell-form RUN
 * comes here, and a call cost more than the body. */
static inline __attribute__((always_inline)) void one_word_arg(parser *p, df_instr *in, size_t off, size_t end)
{
	df_word *w = DF_ARENA_NEW(p->a, df_word);
	w->raw = str_of(&in->text, off, end);
	w->value = w->raw;
	w->text_off = (uint32_t)off;
	w->span = df_text_span_first(&in->text, off, end - off);
	words_to_args(in, w, 1);
}

/* rest as the single argument (WORKDIR, USER, shell-form RUN ...). */
static void rest_as_arg(parser *p, df_instr *in)
{
	if (in->rest.len)
		one_word_arg(p, in, in->rest_off, in->rest_off + in->rest.len);
}

static const char *const notstrings_msg =
	"when using JSON array syntax, arrays must be comprised of strings only";

/* Can text[off..end) be a JSON array? What does not open with '[' after
 * blanks is not, as df_json_args() would say: asking it first costs a call
 * per instruction, and most are shell form. */
static inline bool may_be_json(const df_instr *in, size_t off, size_t end)
{
	if (off >= end)
		return false;
	unsigned char c = (unsigned char)in->text.str.ptr[off];
	return c == '[' || df_is_space(c);
}

/* text[off..end) as exec-form arguments when it is a JSON array of
 * strings. False once an array holding anything else is reported; true
 * otherwise, in untouched when the text is no JSON at all. */
static bool json_args(parser *p, df_instr *in, size_t off, size_t end)
{
	df_word *w;
	size_t n;
	switch (df_json_args(p->a, &in->text, off, end, &w, &n)) {
	case DF_JSON_ARRAY:
		in->exec_form = true;
		words_to_args(in, w, n);
		return true;
	case DF_JSON_NOT_STRINGS:
		df_parse_error(p->doc, in, df_text_span(&in->text, off, end - off), "%s", notstrings_msg);
		return false;
	case DF_JSON_NOT_JSON:
		break;
	}
	return true;
}

/* parse_maybe_json -> json-array | shell-text   (RUN, CMD, ENTRYPOINT, SHELL) */
static inline bool parse_maybe_json(parser *p, df_instr *in, size_t off)
{
	size_t end = in->rest_off + in->rest.len;
	return !may_be_json(in, off, end) || json_args(p, in, off, end);
}

/* parse_maybe_json_list -> json-array | word (blank word)*   (COPY, ADD, VOLUME) */
static bool parse_maybe_json_list(parser *p, df_instr *in)
{
	if (!parse_maybe_json(p, in, in->rest_off))
		return false;
	if (!in->exec_form) {
		df_word *w;
		size_t n = df_split_blank(p->a, &in->text, in->rest_off, in->rest_off + in->rest.len, &w);
		words_to_args(in, w, n);
	}
	return true;
}

static bool valid_stage_name(df_str s)
{
	if (s.len == 0 || !df_is_alpha((unsigned char)s.ptr[0]))
		return false;
	for (size_t i = 1; i < s.len; i++) {
		int c = (unsigned char)s.ptr[i];
		if (!df_is_alnum(c) && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

/* from -> FROM [--platform=P] image [AS name] */
static void parse_from(parser *p, df_instr *in)
{
	in->from_image = in->from_alias = (df_word){ 0 };
	df_word *w;
	size_t n = df_split_blank(p->a, &in->text, in->rest_off, in->rest_off + in->rest.len, &w);
	words_to_args(in, w, n);
	in->from_platform = df_instr_flag(in, "platform");
	if (n != 1 && n != 3) {
		df_parse_error(p->doc, in, n ? df_text_span(&in->text, in->rest_off, in->rest.len) : kw_span(in),
			"FROM requires either one or three arguments");
		return;
	}
	in->from_image = w[0];
	if (n == 3) {
		if (!df_mem_ieq(w[1].raw.ptr, w[1].raw.len, "as")) {
			df_parse_error(p->doc, in, w[1].span, "FROM requires either one or three arguments: expected 'AS', found '%.*s'",
				(int)w[1].raw.len, w[1].raw.ptr);
			return;
		}
		in->from_alias = w[2];
		if (!valid_stage_name(w[2].raw))
			df_parse_error(p->doc, in, w[2].span,
				"invalid name for build stage: \"%.*s\", name can't start with a number or contain symbols",
				(int)w[2].raw.len, w[2].raw.ptr);
	}
}

/* env -> ENV key=value (blank key=value)* | ENV key value...   (also LABEL) */
static void parse_key_values(parser *p, df_instr *in)
{
	const char *kw = df_instr_kind_name(in->kind);
	size_t end = in->rest_off + in->rest.len;
	df_word *w;
	size_t n = df_split_quoted(p->a, &in->text, in->rest_off, end, p->doc->escape, &w);
	words_to_args(in, w, n);
	if (n == 0) {
		df_parse_error(p->doc, in, kw_span(in), "%s requires at least one argument", kw);
		return;
	}
	const char *eq = memchr(w[0].raw.ptr, '=', w[0].raw.len);
	if (!eq) {
		/* Legacy form: the first blank-separated word is the key, the
		 * rest of the line (as written) is the value. */
		in->legacy_kv = true;
		size_t k = in->rest_off;
		while (k < end && !is_blank_sep((unsigned char)in->text.str.ptr[k]))
			k++;
		size_t v = k;
		while (v < end && is_blank_sep((unsigned char)in->text.str.ptr[v]))
			v++;
		if (v >= end) {
			df_parse_error(p->doc, in, df_text_span(&in->text, in->rest_off, in->rest.len),
				"%s must have two arguments", kw);
			return;
		}
		in->pairs = DF_ARENA_NEW(p->a, df_kv);
		in->npairs = 1;
		df_kv *kv = &in->pairs[0];
		kv->key = str_of(&in->text, in->rest_off, k);
		kv->key_span = df_text_span(&in->text, in->rest_off, k - in->rest_off);
		kv->value = str_of(&in->text, v, end);
		kv->value_span = df_text_span(&in->text, v, end - v);
		kv->has_value = true;
		return;
	}
	/* Each pair is written whole as it is counted: no clearing first. */
	in->pairs = df_arena_alloc_uninit(p->a, n * sizeof(df_kv));
	for (size_t i = 0; i < n; i++) {
		if (i > 0)	/* w[0]'s '=' is known */
			eq = memchr(w[i].raw.ptr, '=', w[i].raw.len);
		if (!eq) {
			df_parse_error(p->doc, in, w[i].span,
				"syntax error - can't find = in \"%.*s\"; must be of the form: name=value",
				(int)w[i].raw.len, w[i].raw.ptr);
			return;
		}
		size_t klen = (size_t)(eq - w[i].raw.ptr), vlen = w[i].raw.len - klen - 1;
		in->pairs[in->npairs++] = (df_kv){
			.key = { w[i].raw.ptr, klen },
			.key_span = word_part_span(in, &w[i], 0, klen),
			.value = { eq + 1, vlen },
			.value_span = word_part_span(in, &w[i], klen + 1, vlen),
			.has_value = true,
		};
		if (klen == 0) {
			df_parse_error(p->doc, in, w[i].span, "%s names can not be blank", kw);
			return;
		}
	}
}

/* arg -> ARG name[=default] (blank name[=default])* */
static void parse_arg(parser *p, df_instr *in)
{
	df_word *w;
	size_t n = df_split_quoted(p->a, &in->text, in->rest_off, in->rest_off + in->rest.len,
				   p->doc->escape, &w);
	words_to_args(in, w, n);
	if (n == 0) {
		df_parse_error(p->doc, in, kw_span(in), "ARG requires at least one argument");
		return;
	}
	/* Each pair is written whole as it is counted: no clearing first. */
	in->pairs = df_arena_alloc_uninit(p->a, n * sizeof(df_kv));
	for (size_t i = 0; i < n; i++) {
		df_kv *kv = &in->pairs[in->npairs++];
		const char *eq = memchr(w[i].raw.ptr, '=', w[i].raw.len);
		size_t klen = eq ? (size_t)(eq - w[i].raw.ptr) : w[i].raw.len;
		*kv = (df_kv){ .key = { w[i].raw.ptr, klen }, .key_span = word_part_span(in, &w[i], 0, klen) };
		if (eq) {
			kv->has_value = true;
			kv->value = (df_str){ eq + 1, w[i].raw.len - klen - 1 };
			kv->value_span = word_part_span(in, &w[i], klen + 1, kv->value.len);
		}
		if (klen == 0) {
			df_parse_error(p->doc, in, w[i].span, "ARG names can not be blank");
			return;
		}
	}
}

/* Does s hold "<<" (a heredoc operator, or something that looks like one)?
 * memchr() for the '<', cheaper than memmem() on these short strings. */
static bool has_heredoc_op(df_str s)
{
	const char *p = s.ptr, *end = s.ptr + s.len;
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL && p + 1 < end) {
		if (p[1] == '<')
			return true;
		p++;
	}
	return false;
}

/* The EXPOSE ports written out (no variable: those are judged once
 * expanded, by the build) that BuildKit would refuse. */
static void check_ports(parser *p, df_instr *in)
{
	df_buf why = DF_BUF_INIT;
	for (size_t i = 0; i < in->nargs; i++) {
		const df_word *w = &in->args[i];
		if (memchr(w->raw.ptr, '$', w->raw.len))
			continue;
		df_buf_reset(&why);
		if (!df_port_spec_ok(w->value, &why))
			df_parse_error(p->doc, in, w->span, "%s", df_buf_str(&why));
	}
	df_buf_release(&why);
}

/* copy -> COPY [flags] src... dest | COPY [flags] ["src",... "dest"]  (also ADD) */
static void parse_copy(parser *p, df_instr *in)
{
	const char *kw = df_instr_kind_name(in->kind);
	if (!parse_maybe_json_list(p, in))
		return;
	if (in->nargs < 2) {
		df_parse_error(p->doc, in, in->nargs ? in->args[0].span : kw_span(in),
			"%s requires at least two arguments, but only %s provided: destination could not be determined",
			kw, in->nargs ? "one was" : "none were");
		return;
	}
	const df_flag *from = in->kind == DF_I_COPY ? df_instr_flag(in, "from") : NULL;
	if (from && memchr(from->value.ptr, '$', from->value.len))
		df_parse_error(p->doc, in, from->span,
			"variable expansion is not supported for --from (define a stage with FROM and a global ARG instead)");
	in->sources = in->args;
	in->nsources = in->nargs - 1;
	in->dest = &in->args[in->nargs - 1];
	if (!in->exec_form) {
		/* A heredoc marker: digits, "<<" and at least one byte more. */
		const char *d = in->dest->raw.ptr;
		size_t k = 0;
		while (k < in->dest->raw.len && df_is_digit((unsigned char)d[k]))
			k++;
		if (k + 2 < in->dest->raw.len && d[k] == '<' && d[k + 1] == '<') {
			df_parse_error(p->doc, in, in->dest->span, "%s cannot accept a heredoc as a destination", kw);
			return;
		}
	}
	/* Several sources into a destination without a trailing '/' build
	 * with BuildKit (it copies into the directory): that is lint DL3021's
	 * business, not a parse error. */
}

static void parse_one_arg(parser *p, df_instr *in)
{
	if (in->rest.len == 0) {
		df_parse_error(p->doc, in, kw_span(in), "%s requires exactly one argument", df_instr_kind_name(in->kind));
		return;
	}
	rest_as_arg(p, in);
}

/* healthcheck -> HEALTHCHECK NONE | HEALTHCHECK [flags] CMD command */
static void parse_healthcheck(parser *p, df_instr *in)
{
	in->hc_type = (df_word){ 0 };
	const char *s = in->text.str.ptr;
	size_t off = in->rest_off, end = in->rest_off + in->rest.len;
	size_t sep = off;
	while (sep < end && !is_ws((unsigned char)s[sep]))
		sep++;
	if (sep == off) {
		df_parse_error(p->doc, in, kw_span(in), "HEALTHCHECK requires at least one argument");
		return;
	}
	in->hc_type.raw = str_of(&in->text, off, sep);
	in->hc_type.value = in->hc_type.raw;
	in->hc_type.text_off = (uint32_t)off;
	in->hc_type.span = df_text_span(&in->text, off, sep - off);
	size_t next = sep;
	while (next < end && is_ws((unsigned char)s[next]))
		next++;
	if (df_mem_ieq(s + off, sep - off, "NONE")) {
		in->healthcheck_none = true;
		if (next < end)
			df_parse_error(p->doc, in, df_text_span(&in->text, next, end - next), "HEALTHCHECK NONE takes no arguments");
		return;
	}
	if (!df_mem_ieq(s + off, sep - off, "CMD")) {
		df_parse_error(p->doc, in, in->hc_type.span, "unknown type \"%.*s\" in HEALTHCHECK (try CMD)",
			(int)(sep - off), s + off);
		return;
	}
	if (next >= end) {
		df_parse_error(p->doc, in, in->hc_type.span, "missing command after HEALTHCHECK CMD");
		return;
	}
	if (!parse_maybe_json(p, in, next))
		return;
	if (!in->exec_form)
		one_word_arg(p, in, next, end);
	else if (in->nargs == 0)
		df_parse_error(p->doc, in, in->hc_type.span, "missing command after HEALTHCHECK CMD");
}

/* onbuild -> ONBUILD instruction   (not ONBUILD, FROM or MAINTAINER) */
static void parse_onbuild(parser *p, df_instr *in)
{
	if (in->rest.len == 0) {
		df_parse_error(p->doc, in, kw_span(in), "ONBUILD requires at least one argument");
		return;
	}
	size_t k = in->rest_off, end = in->rest_off + in->rest.len;
	while (k < end && !is_blank_sep((unsigned char)in->text.str.ptr[k]))
		k++;
	df_instr_kind inner = df_instr_kind_from(in->text.str.ptr + in->rest_off, k - in->rest_off);
	df_span sp = df_text_span(&in->text, in->rest_off, k - in->rest_off);
	if (inner == DF_I_ONBUILD) {
		df_parse_error(p->doc, in, sp, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
		return;
	}
	if (inner == DF_I_FROM || inner == DF_I_MAINTAINER) {
		df_parse_error(p->doc, in, sp, "%s isn't allowed as an ONBUILD trigger", df_instr_kind_name(inner));
		return;
	}
	df_text trigger = df_text_suffix(p->a, &in->text, in->rest_off);
	in->inner = df_instr_parse(p->doc, &trigger, in);
}

static const char *suggest_keyword(df_str kw)
{
	const char *best = NULL;
	unsigned best_d = 3;
	if (kw.len < 2)
		return NULL;
	for (int k = DF_I_UNKNOWN + 1; k < DF_I_COUNT; k++) {
		unsigned d = df_edit_distance(kw.ptr, kw.len, kind_names[k], strlen(kind_names[k]));
		if (d < best_d) {
			best_d = d;
			best = kind_names[k];
		}
	}
	return best;
}

/* ---- heredoc markers --------------------------------------------------------- */

static bool kind_takes_heredocs(df_instr_kind k)
{
	return k == DF_I_RUN || k == DF_I_COPY || k == DF_I_ADD;
}

/* Can in have heredoc markers? Few instructions can: only those are split
 * into words to look for them. */
static bool may_have_heredocs(const df_instr *in)
{
	return !in->exec_form && kind_takes_heredocs(in->kind) && has_heredoc_op(in->rest);
}

/* heredoc-word -> digits* "<<" "-"? delimiter  (a blank after "<<" is allowed) */
static void find_heredocs(parser *p, df_instr *in)
{
	size_t end = in->rest_off + in->rest.len;
	df_word *w;
	/* The builder splits with its shell lexer and '\' as escape here,
	 * whatever the file's escape directive says. */
	size_t n = df_split_quoted(p->a, &in->text, in->rest_off, end, '\\', &w);
	df_heredoc *docs = NULL;
	size_t nd = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = w[i].raw.ptr;
		size_t len = w[i].raw.len, j = 0;
		while (j < len && df_is_digit((unsigned char)s[j]))
			j++;
		if (len - j < 2 || s[j] != '<' || s[j + 1] != '<')
			continue;
		size_t digits = j;
		j += 2;
		bool chomp = j < len && s[j] == '-';
		if (chomp)
			j++;
		const char *name = s + j;
		size_t name_len = len - j;
		df_span marker = w[i].span;
		if (name_len == 0 && i + 1 < n) {
			/* "<< EOF": the delimiter is the next word. */
			name = w[i + 1].raw.ptr;
			name_len = w[i + 1].raw.len;
			marker.end = w[i + 1].span.end;
			i++;
		}
		if (name_len == 0 || memchr(name, '<', name_len))
			continue;
		bool quoted;
		df_str unq = df_unquote(p->a, name, name_len, &quoted);
		if (unq.len == 0)
			continue;
		if (nd == DF_MAX_HEREDOCS) {
			df_parse_error(p->doc, in, marker, "too many heredocs in one instruction (limit %d)", DF_MAX_HEREDOCS);
			break;
		}
		if (nd == cap) {
			size_t ncap = cap ? cap * 2 : 2;
			/* Each heredoc is written whole as it is counted. */
			docs = df_arena_grow_uninit(p->a, docs, nd, ncap, sizeof(*docs));
			cap = ncap;
		}
		int fd = -1;
		if (digits) {
			long v = 0;
			for (size_t d = 0; d < digits && v < 100000; d++)
				v = v * 10 + (s[d] - '0');
			fd = (int)v;
		}
		docs[nd++] = (df_heredoc){
			.name = unq,
			.marker_span = marker,
			.fd = fd,
			.chomp = chomp,
			.expand = !quoted,
		};
	}
	in->heredocs = docs;
	in->nheredocs = nd;
}

/* ---- one instruction ------------------------------------------------------ */

/* n bytes at p cleared, n at least 16 and known at the call (the part of
 * df_instr to clear): sixteen bytes a store, the last store overlapping
 * the one before. A memset() of a size the compiler can see becomes an
 * inline `rep stos` (an instruction per eight bytes), and a call to the C
 * library's costs its dispatch on every instruction parsed. Past sixteen
 * stores the loop is left to the compiler: correct, only slower. */
static inline void clear_bytes(void *p, size_t n)
{
#ifdef __SSE2__
	unsigned char *b = p;
	/* Unrolled before the compiler could make the loop a memset(). */
#pragma GCC unroll 16
	for (size_t i = 0; i + 16 < n; i += 16)
		_mm_storeu_si128((__m128i *)(void *)(b + i), _mm_setzero_si128());
	_mm_storeu_si128((__m128i *)(void *)(b + n - 16), _mm_setzero_si128());
#else
	memset(p, 0, n);
#endif
}

/* instruction -> keyword (blank flag)* (blank arguments)? */
df_instr *df_instr_parse(df_doc *doc, const df_text *text, df_instr *outer)
{
	parser ctx = { doc, &doc->arena };
	parser *p = &ctx;
	/* The fields before exec_form are each written here (span and lines
	 * zero until the document parser knows them), and the words of one
	 * kind at the end by that kind's parse function: only the fields
	 * between need clearing. */
	df_instr *in = df_arena_alloc_uninit(p->a, sizeof(df_instr));
	_Static_assert(offsetof(df_instr, from_image) - offsetof(df_instr, exec_form) >= 16,
		       "clear_bytes() clears sixteen bytes at least");
	clear_bytes((unsigned char *)in + offsetof(df_instr, exec_form),
		offsetof(df_instr, from_image) - offsetof(df_instr, exec_form));
	in->span = (df_span){ 0, 0 };
	in->line = in->end_line = 0;
	in->text = *text;
	in->outer = outer;
	const char *s = text->str.ptr;
	size_t len = text->str.len, k = 0;
	while (k < len && is_ws((unsigned char)s[k]))
		k++;
	size_t kw0 = k;
	in->kind = scan_keyword(s, &k, len);
	in->keyword = str_of(text, kw0, k);
	in->keyword_span = df_text_span_first(text, kw0, k - kw0);

	/* Most instructions have no flags: the blanks after the keyword and a
	 * look for "--" answer that without a call. */
	df_flag_word *fw = NULL;
	size_t rest_off = k, nf = 0;
	while (rest_off < len && is_ws((unsigned char)s[rest_off]))
		rest_off++;
	if (len - rest_off >= 2 && s[rest_off] == '-' && s[rest_off + 1] == '-')
		nf = df_extract_flags(p->a, text, rest_off, len, &fw, &rest_off);
	size_t rest_end = len;
	while (rest_end > rest_off && is_ws((unsigned char)s[rest_end - 1]))
		rest_end--;
	in->rest = str_of(text, rest_off, rest_end);
	in->rest_off = (uint32_t)rest_off;

	in->flags = nf ? DF_ARENA_ARRAY(p->a, df_flag, nf) : NULL;
	in->nflags = nf;
	for (size_t i = 0; i < nf; i++) {
		df_flag *f = &in->flags[i];
		const char *w = fw[i].word.ptr + 2;
		size_t wl = fw[i].word.len - 2;
		const char *eq = memchr(w, '=', wl);
		f->name = (df_str){ w, eq ? (size_t)(eq - w) : wl };
		f->has_value = eq != NULL;
		f->value = eq ? (df_str){ eq + 1, wl - f->name.len - 1 } : (df_str){ "", 0 };
		f->span = df_text_span_first(text, fw[i].off, fw[i].end - fw[i].off);
		f->raw = str_of(text, fw[i].off, fw[i].end);
	}

	if (in->kind == DF_I_UNKNOWN) {
		if (in->keyword.len == 0) {
			df_parse_error(p->doc, in, instr_span_text(in), "empty instruction");
		} else {
			const char *near = suggest_keyword(in->keyword);
			char upper[32];
			size_t ul = in->keyword.len < sizeof(upper) - 1 ? in->keyword.len : sizeof(upper) - 1;
			for (size_t i = 0; i < ul; i++)
				upper[i] = (char)df_to_upper((unsigned char)in->keyword.ptr[i]);
			upper[ul] = '\0';
			if (near)
				df_parse_error(p->doc, in, kw_span(in), "unknown instruction: %s (did you mean %s?)", upper, near);
			else
				df_parse_error(p->doc, in, kw_span(in), "unknown instruction: %s", upper);
		}
		rest_as_arg(p, in);
		return in;
	}

	char err[256];
	size_t bad;
	/* A bad flag is reported; the arguments are still parsed so that the
	 * tree stays useful. */
	if (nf && in->kind != DF_I_ONBUILD && df_flags_check(p->a, in, err, sizeof(err), &bad) < 0)
		df_parse_error(p->doc, in, in->flags[bad].span, "%s", err);
	if (in->kind == DF_I_ONBUILD && nf) {
		df_parse_error(p->doc, in, in->flags[0].span, "unknown flag: --%.*s for onbuild",
			(int)in->flags[0].name.len, in->flags[0].name.ptr);
		return in;
	}

	switch (in->kind) {
	case DF_I_FROM:
		parse_from(p, in);
		break;
	case DF_I_RUN:
	case DF_I_CMD:
	case DF_I_ENTRYPOINT:
		if (!parse_maybe_json(p, in, in->rest_off))
			break;
		if (!in->exec_form)
			rest_as_arg(p, in);
		if (in->kind == DF_I_RUN && in->nargs == 0 && !in->exec_form)
			df_parse_error(p->doc, in, kw_span(in), "RUN requires at least one argument");
		break;
	case DF_I_SHELL:
		if (!parse_maybe_json(p, in, in->rest_off))
			break;
		if (!in->exec_form)
			df_parse_error(p->doc, in, in->rest.len ? df_text_span(text, in->rest_off, in->rest.len) : kw_span(in),
				"SHELL requires the arguments to be in JSON form");
		else if (in->nargs == 0)
			df_parse_error(p->doc, in, kw_span(in), "SHELL requires at least one argument");
		break;
	case DF_I_COPY:
	case DF_I_ADD:
		parse_copy(p, in);
		break;
	case DF_I_VOLUME:
		if (!parse_maybe_json_list(p, in))
			break;
		if (in->nargs == 0)
			df_parse_error(p->doc, in, kw_span(in), "VOLUME requires at least one argument");
		for (size_t i = 0; i < in->nargs; i++) {
			size_t b = 0, e = in->args[i].value.len;
			const char *v = in->args[i].value.ptr;
			while (b < e && is_ws((unsigned char)v[b]))
				b++;
			if (b == e) {
				df_parse_error(p->doc, in, in->args[i].span, "VOLUME specified can not be an empty string");
				break;
			}
		}
		break;
	case DF_I_ENV:
	case DF_I_LABEL:
		parse_key_values(p, in);
		break;
	case DF_I_ARG:
		parse_arg(p, in);
		break;
	case DF_I_EXPOSE: {
		df_word *w;
		size_t n = df_split_blank(p->a, text, in->rest_off, in->rest_off + in->rest.len, &w);
		words_to_args(in, w, n);
		if (n == 0)
			df_parse_error(p->doc, in, kw_span(in), "EXPOSE requires at least one argument");
		check_ports(p, in);
		break;
	}
	case DF_I_USER:
	case DF_I_WORKDIR:
	case DF_I_STOPSIGNAL:
	case DF_I_MAINTAINER:
		parse_one_arg(p, in);
		break;
	case DF_I_HEALTHCHECK:
		parse_healthcheck(p, in);
		break;
	case DF_I_ONBUILD:
		parse_onbuild(p, in);
		break;
	case DF_I_UNKNOWN:
	case DF_I_COUNT:
		DF_BUG("unreachable instruction kind");
	}
	if (may_have_heredocs(in))
		find_heredocs(p, in);
	return in;
}
