/* output.c - findings as text for people and programs; see output.h. */
#include "output/output.h"

#include "config.h"
#include "engine/custom.h"
#include "engine/engine.h"
#include "parse/dump.h"
#include "util/json.h"
#include "util/util.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each finding d of one file f, in order. */
#define FOR_EACH_DIAG(f, d)                                                     \
	for (const df_diag *d = (f)->diags->items, *d##_end = d + (f)->diags->len; d < d##_end; d++)

/* The table behind df_output: a format is three parts, any of them NULL
 * for nothing. */
typedef struct df_output_format {
	const char *name;
	void (*begin)(df_output *o, df_buf *out);
	void (*file)(df_output *o, const df_file_findings *f, df_buf *out);
	void (*end)(df_output *o, df_buf *out);
} df_output_format;

static cJSON *jstr(const char *s)
{
	cJSON *j = df_dump_json_str((df_str){ s, strlen(s) });
	if (!j)
		df_die_oom();
	return j;
}

/* A file path as a URI reference (RFC 3986): SARIF's artifactLocation.uri
 * must be one, so blanks, '%', '#', '?', brackets, non-ASCII bytes and the
 * like are percent-encoded; '/' and the other path characters stay. */
static cJSON *sarif_uri(const char *path)
{
	df_buf u = DF_BUF_INIT;
	df_buf_add_uri_path(&u, path, "-._~/!$&'()*+,;=:@");
	cJSON *j = jstr(df_buf_str(&u));
	df_buf_release(&u);
	return j;
}

/*
 * j as cJSON_Print() lays it out where it stands depth levels down in a
 * larger tree (its lines indented depth more tabs), then freed. A tree's
 * strings carry no raw newline, so every newline is layout.
 */
static void json_item(df_buf *out, cJSON *j, unsigned depth)
{
	char *s = cJSON_Print(j);
	if (!s)
		df_die_oom();
	cJSON_Delete(j);
	for (const char *p = s, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			df_buf_adds(out, p);
			break;
		}
		df_buf_add(out, p, (size_t)(nl - p) + 1);
		for (unsigned k = 0; k < depth; k++)
			df_buf_addc(out, '\t');
	}
	cJSON_free(s);
}

/* The separator cJSON's layout puts between the items of an array. */
static void json_sep(df_output *o, df_buf *out, const char *sep)
{
	if (o->nfindings++)
		df_buf_adds(out, sep);
}

/* --- tty: lines for people, with optional snippets and colour ------------ */

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_GUTTER "\033[1;34m"

static const char *sgr_severity(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR:
		return "\033[1;31m";
	case DF_SEV_WARNING:
		return "\033[1;33m";
	case DF_SEV_INFO:
		return "\033[1;36m";
	default:
		return "\033[1;35m";
	}
}

static bool is_utf8_cont(unsigned char c)
{
	return c >= 0x80 && c <= 0xbf;
}

/*
 * The character at s[i] (i < n): its length in bytes, and whether it must
 * show as '?' because a terminal would act on it (C0 but tab and, with
 * keep_nl, newline; DEL; C1 as UTF-8 or as a raw byte) or because it is not
 * UTF-8. Every character is one column.
 */
static size_t tty_char(const char *s, size_t n, size_t i, bool keep_nl, bool *replace)
{
	unsigned char c = (unsigned char)s[i];
	*replace = false;
	if (c < 0x80) {
		*replace = (c < 0x20 && c != '\t' && !(keep_nl && c == '\n')) || c == 0x7f;
		return 1;
	}
	size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (!len || i + len > n) {
		*replace = true;
		return 1;
	}
	for (size_t k = 1; k < len; k++)
		if (!is_utf8_cont((unsigned char)s[i + k])) {
			*replace = true;
			return 1;
		}
	*replace = c == 0xc2 && (unsigned char)s[i + 1] <= 0x9f;	/* U+0080..U+009F */
	return len;
}

/* s[0..n) for the terminal: what tty_char() flags shows as '?'. */
static void tty_text(df_buf *out, const char *s, size_t n, bool keep_nl)
{
	size_t run = 0;		/* start of the bytes not yet copied */
	for (size_t i = 0; i < n;) {
		bool replace;
		size_t len = tty_char(s, n, i, keep_nl, &replace);
		if (replace) {
			df_buf_add(out, s + run, i - run);
			df_buf_addc(out, '?');
			run = i + len;
		}
		i += len;
	}
	df_buf_add(out, s + run, n - run);
}

static void tty_str(df_buf *out, const char *s, bool keep_nl)
{
	tty_text(out, s, strlen(s), keep_nl);
}

/* Walks a file's lines forward: findings come sorted by position, so a
 * file's snippets cost one pass over it. */
typedef struct line_cursor {
	const char *src;
	size_t len;
	uint32_t line;		/* the 1-based line starting at off */
	size_t off;
} line_cursor;

/* The bytes of 1-based line (without its "\n" or "\r\n"); false when the
 * file has no such line. */
static bool find_line(line_cursor *c, uint32_t line, size_t *start, size_t *end)
{
	if (!line)
		return false;
	if (line < c->line) {
		c->line = 1;
		c->off = 0;
	}
	while (c->line < line) {
		const char *nl = memchr(c->src + c->off, '\n', c->len - c->off);
		if (!nl)
			return false;
		c->off = (size_t)(nl - c->src) + 1;
		c->line++;
	}
	const char *nl = memchr(c->src + c->off, '\n', c->len - c->off);
	*start = c->off;
	*end = nl ? (size_t)(nl - c->src) : c->len;
	if (*end > *start && c->src[*end - 1] == '\r')
		(*end)--;
	return true;
}

static void tty_gutter(df_buf *out, const df_output_opts *o, int width, uint32_t line, bool text)
{
	if (o->color)
		df_buf_adds(out, SGR_GUTTER);
	if (line)
		df_buf_addf(out, "  %*" PRIu32 " |", width, line);
	else
		df_buf_addf(out, "  %*s |", width, "");
	if (o->color)
		df_buf_adds(out, SGR_RESET);
	if (text)
		df_buf_addc(out, ' ');
}

/* The line d starts on and carets under its span; nothing when the line
 * is not in the source. */
static void tty_snippet(df_buf *out, const df_output_opts *o, const df_diag *d, line_cursor *cur)
{
	size_t ls, le;
	if (!find_line(cur, d->line, &ls, &le))
		return;
	const char *line = cur->src + ls;
	size_t n = le - ls;
	size_t c0 = d->col ? d->col - 1 : 0;
	size_t c1 = d->end_line > d->line ? n : d->end_line == d->line && d->end_col ? d->end_col - 1 : 0;
	if (c0 > n)
		c0 = n;

	/* The shown bytes [ws, we): a window around the span on a long line,
	 * cut on character boundaries. A BOM is not shown and takes no column. */
	size_t ws = 0, we = n;
	if (n >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
		ws = 3;
	if (n > DF_OUTPUT_SNIPPET_MAX) {
		if (c0 > ws + DF_OUTPUT_SNIPPET_BEFORE)
			ws = c0 - DF_OUTPUT_SNIPPET_BEFORE;
		while (ws > 0 && is_utf8_cont((unsigned char)line[ws]))
			ws--;
		if (ws + DF_OUTPUT_SNIPPET_WINDOW < n) {
			we = ws + DF_OUTPUT_SNIPPET_WINDOW;
			while (we > ws && is_utf8_cont((unsigned char)line[we]))
				we--;
		}
	}
	bool cut_left = ws > 0 && !(ws == 3 && !memcmp(line, "\xef\xbb\xbf", 3));
	bool cut_right = we < n;
	if (c0 < ws)
		c0 = ws;
	if (c0 > we)
		c0 = we;
	if (c1 > we)
		c1 = we;

	int width = snprintf(NULL, 0, "%" PRIu32, d->line);
	tty_gutter(out, o, width, d->line, we > ws || cut_left || cut_right);
	if (cut_left)
		df_buf_adds(out, "...");
	tty_text(out, line + ws, we - ws, false);
	if (cut_right)
		df_buf_adds(out, "...");
	df_buf_addc(out, '\n');

	tty_gutter(out, o, width, 0, true);
	if (cut_left)
		df_buf_adds(out, "   ");
	bool replace;
	for (size_t i = ws; i < c0; i += tty_char(line, we, i, false, &replace))
		df_buf_addc(out, line[i] == '\t' ? '\t' : ' ');
	if (o->color)
		df_buf_adds(out, sgr_severity(d->severity));
	size_t carets = 0;
	for (size_t i = c0; i < c1; i += tty_char(line, we, i, false, &replace))
		carets++;
	if (!carets)
		carets = 1;	/* an empty span, or one at the end of the line */
	for (size_t k = 0; k < carets; k++)
		df_buf_addc(out, '^');
	if (o->color)
		df_buf_adds(out, SGR_RESET);
	df_buf_adds(out, "\n\n");
}

static void tty_summary(df_buf *out, const df_output *o)
{
	static const char *const names[][2] = {
		{ "error", "errors" }, { "warning", "warnings" }, { "info", "info" }, { "style", "style" },
	};
	size_t total = o->nfindings, nwith = o->nfiles_with;
	if (!total)
		return;
	if (o->opts.color)
		df_buf_adds(out, SGR_BOLD);
	df_buf_addf(out, "%zu finding%s (", total, total == 1 ? "" : "s");
	const char *sep = "";
	for (size_t s = 0; s < 4; s++)
		if (o->nsev[s]) {
			df_buf_addf(out, "%s%zu %s", sep, o->nsev[s], names[s][o->nsev[s] != 1]);
			sep = ", ";
		}
	df_buf_addf(out, ") in %zu file%s", nwith, nwith == 1 ? "" : "s");
	if (o->opts.color)
		df_buf_adds(out, SGR_RESET);
	df_buf_addc(out, '\n');
	if (o->nsafe)
		df_buf_addf(out, "[*] %zu fixable with `dfopt --fix`", o->nsafe);
	if (o->nunsafe)
		df_buf_addf(out, "%s%zu more with `dfopt --fix --unsafe-fixes`", o->nsafe ? " (" : "", o->nunsafe);
	if (o->nsafe && o->nunsafe)
		df_buf_addc(out, ')');
	if (o->nsafe || o->nunsafe)
		df_buf_addc(out, '\n');
}

static void tty_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	const df_output_opts *opt = &o->opts;
	line_cursor cur = { f->source, f->source_len, 1, 0 };
	o->nfiles_with += f->diags->len > 0;
	FOR_EACH_DIAG(f, d) {
		if ((size_t)d->severity < 4)
			o->nsev[d->severity]++;
		o->nfindings++;
		o->nsafe += d->fix_kind == DF_FIX_SAFE;
		o->nunsafe += d->fix_kind == DF_FIX_UNSAFE;
		tty_str(out, f->file, false);
		df_buf_addc(out, ':');
		df_buf_addu(out, d->line);
		df_buf_addc(out, ':');
		df_buf_addu(out, d->col);
		df_buf_addc(out, ' ');
		/* [*]: `dfopt --fix` fixes it, as ruff marks its fixable ones. */
		const char *mark = d->fix_kind == DF_FIX_SAFE ? " [*]" : "";
		if (opt->color) {
			df_buf_addf(out, SGR_BOLD "%s" SGR_RESET "%s %s%s" SGR_RESET ": ", d->code, mark,
				    sgr_severity(d->severity), df_severity_name(d->severity));
		} else {
			df_buf_adds(out, d->code);
			df_buf_adds(out, mark);
			df_buf_addc(out, ' ');
			df_buf_adds(out, df_severity_name(d->severity));
			df_buf_add(out, ": ", 2);
		}
		tty_str(out, d->message, true);
		df_buf_addc(out, '\n');
		if (opt->snippets && f->source)
			tty_snippet(out, opt, d, &cur);
	}
}

static void tty_end(df_output *o, df_buf *out)
{
	if (o->opts.summary)
		tty_summary(out, o);
}

/* --- json: hadolint's array, written directly (the hot format) ----------- */

/* The index of d's code in o->codes, adding it when new. Few codes ever
 * fire, many times each: a code a rule's finding borrows (diag.h) has the
 * same address every time, found by address before any strcmp(). Only
 * such addresses are kept: a copy's could be freed and reused. */
static size_t code_index(df_output *o, const df_diag *d)
{
	const char *code = d->code;
	if (d->borrowed_code)
		for (size_t k = 0; k < o->ncodes; k++)
			if (o->borrowed[k] == code)
				return k;
	for (size_t k = 0; k < o->ncodes; k++)
		if (!strcmp(o->codes[k], code)) {
			if (d->borrowed_code)
				o->borrowed[k] = code;
			return k;
		}
	df_grow((void **)&o->codes, &o->codes_cap, o->ncodes + 1, sizeof(*o->codes));
	df_grow((void **)&o->borrowed, &o->borrowed_cap, o->ncodes + 1, sizeof(*o->borrowed));
	o->codes[o->ncodes] = df_xstrdup(code);
	o->borrowed[o->ncodes] = d->borrowed_code ? code : NULL;
	return o->ncodes++;
}

/*
 * The part of a finding's object from its fix to the key of its line, for
 * each fix kind and severity: the names df_fix_kind_name() and
 * df_severity_name() give, as JSON strings, with the keys around them.
 * Every finding has one, so it is neither looked up nor measured each time,
 * and it is copied as one block of JSON_FIX_LEVEL_ROOM bytes (the cursor
 * then moves by its length). json_begin() checks them against the
 * functions.
 */
#define JSON_FIX_LEVEL_ROOM 48
typedef struct json_fix_level {
	char text[JSON_FIX_LEVEL_ROOM];	/* NUL-padded */
	size_t len;
} json_fix_level;

#define JSON_FIX_LEVEL_TEXT(fix, level) ",\"fix\":\"" fix "\",\"level\":\"" level "\",\"line\":"
#define JSON_FIX_LEVEL(fix, level) { JSON_FIX_LEVEL_TEXT(fix, level), sizeof(JSON_FIX_LEVEL_TEXT(fix, level)) - 1 }
#define JSON_FIX_LEVELS(fix)                                           \
	{                                                              \
		[DF_SEV_ERROR] = JSON_FIX_LEVEL(fix, "error"),         \
		[DF_SEV_WARNING] = JSON_FIX_LEVEL(fix, "warning"),     \
		[DF_SEV_INFO] = JSON_FIX_LEVEL(fix, "info"),           \
		[DF_SEV_STYLE] = JSON_FIX_LEVEL(fix, "style"),         \
		[DF_SEV_IGNORE] = JSON_FIX_LEVEL(fix, "ignore"),       \
	}
#define JSON_NSEVERITIES (DF_SEV_IGNORE + 1)
static const json_fix_level json_fix_levels[][JSON_NSEVERITIES] = {
	[DF_FIX_NONE] = JSON_FIX_LEVELS("none"),
	[DF_FIX_SAFE] = JSON_FIX_LEVELS("safe"),
	[DF_FIX_UNSAFE] = JSON_FIX_LEVELS("unsafe"),
	[DF_FIX_DISPLAY] = JSON_FIX_LEVELS("display-only"),
};

/* The part for a fix kind and a severity at p, whose room has
 * JSON_FIX_LEVEL_ROOM bytes. */
static char *json_put_fix_level(char *p, size_t fix, size_t severity)
{
	if (fix >= DF_ARRAY_LEN(json_fix_levels) || severity >= JSON_NSEVERITIES)
		DF_BUG("bad fix kind %zu or severity %zu", fix, severity);
	const json_fix_level *fl = &json_fix_levels[fix][severity];
	memcpy(p, fl->text, JSON_FIX_LEVEL_ROOM);
	return p + fl->len;
}

static void json_begin(df_output *o, df_buf *out)
{
	(void)o;
	df_buf want = DF_BUF_INIT;
	for (size_t f = 0; f < DF_ARRAY_LEN(json_fix_levels); f++)
		for (size_t s = 0; s < JSON_NSEVERITIES; s++) {
			df_buf_reset(&want);
			df_buf_addf(&want, ",\"fix\":\"%s\",\"level\":\"%s\",\"line\":",
				    df_fix_kind_name((df_fix_kind)f), df_severity_name((df_severity)s));
			const json_fix_level *fl = &json_fix_levels[f][s];
			if (fl->len != want.len || memcmp(fl->text, want.buf, want.len))
				DF_BUG("JSON of fix kind %zu and severity %zu differs", f, s);
		}
	df_buf_release(&want);
	df_buf_addc(out, '[');
}

#define KEY(s) s, sizeof(s) - 1

/* The bytes of a finding's object but its strings: the separator before
 * it, the keys, four numbers at their longest, and the room of the part
 * from its fix to the key of its line. */
#define JSON_FINDING_FIXED                                                                     \
	(sizeof(",{\"code\":,\"column\":,\"end_column\":,\"end_line\":,\"file\":,\"message\":}") + \
	 4 * DF_PUT_U_MAX + JSON_FIX_LEVEL_ROOM)

/*
 * A string a finding borrows (diag.h: a rule's code or fixed message) as a
 * JSON string, escaped once per report: the same few addresses come back
 * finding after finding, and a borrowed string lives, unchanged, as long
 * as the program, so its address stands for its text. at and len place it
 * in o->json_borrowed_text.
 */
struct json_borrowed {
	const char *s;		/* NULL: a free slot */
	size_t at, len;
};

static inline size_t json_borrowed_slot(const struct json_borrowed *slots, size_t cap, const char *s)
{
	size_t k = (size_t)(((uint64_t)(uintptr_t)s * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
	while (slots[k].s && slots[k].s != s)
		k = (k + 1) & (cap - 1);
	return k;
}

/* s's JSON string escaped into o->json_borrowed_text; the table is kept
 * at most half full. */
static const struct json_borrowed *json_borrowed_add(df_output *o, const char *s)
{
	if (2 * (o->json_nborrowed + 1) > o->json_borrowed_cap) {
		size_t cap = o->json_borrowed_cap ? 2 * o->json_borrowed_cap : 64;
		struct json_borrowed *slots = df_xcalloc(cap, sizeof(*slots));
		for (size_t k = 0; k < o->json_borrowed_cap; k++)
			if (o->json_borrowed[k].s)
				slots[json_borrowed_slot(slots, cap, o->json_borrowed[k].s)] = o->json_borrowed[k];
		free(o->json_borrowed);
		o->json_borrowed = slots;
		o->json_borrowed_cap = cap;
	}
	struct json_borrowed *e = &o->json_borrowed[json_borrowed_slot(o->json_borrowed, o->json_borrowed_cap, s)];
	e->s = s;
	e->at = o->json_borrowed_text.len;
	df_json_add_cstr(&o->json_borrowed_text, s);
	e->len = o->json_borrowed_text.len - e->at;
	o->json_nborrowed++;
	return e;
}

/* Where s's JSON string is in o->json_borrowed_text: nearly always found. */
static inline const struct json_borrowed *json_borrowed_of(df_output *o, const char *s)
{
	if (o->json_borrowed_cap) {
		const struct json_borrowed *e =
			&o->json_borrowed[json_borrowed_slot(o->json_borrowed, o->json_borrowed_cap, s)];
		if (e->s)
			return e;
	}
	return json_borrowed_add(o, s);
}

/* One of a finding's strings on its way into JSON: escaped already (a
 * borrowed one), or to be escaped as it is written. Placed by offset: a
 * later lookup may move the table and the text. */
typedef struct json_piece {
	bool escaped;		/* at and len place it in o->json_borrowed_text */
	const char *text;	/* when not escaped: text[0..len) */
	size_t at, len;
} json_piece;

/* The piece for text[0..len), to be escaped as it is written; the most
 * bytes it writes added to *room. */
static inline json_piece json_text_piece(const char *text, size_t len, size_t *room)
{
	if (len > DF_JSON_LEN_MAX)
		df_die_oom();
	*room += DF_JSON_STR_MAX(len);
	return (json_piece){ false, text, 0, len };
}

/* The piece for s, which the finding borrows when borrowed; the most
 * bytes it writes added to *room. */
static inline __attribute__((always_inline)) json_piece json_piece_of(df_output *o, const char *s, bool borrowed,
								     size_t *room)
{
	if (!borrowed)
		return json_text_piece(s, strlen(s), room);
	const struct json_borrowed *e = json_borrowed_of(o, s);
	*room += e->len;
	return (json_piece){ true, s, e->at, e->len };
}

/* json_piece_of() for d's message, whose length d knows when it owns it. */
static inline json_piece json_message_piece(df_output *o, const df_diag *d, size_t *room)
{
	if (d->borrowed_message)
		return json_piece_of(o, d->message, true, room);
	return json_text_piece(d->message, df_diag_message_len(d), room);
}

static inline char *json_put_piece(char *p, const df_output *o, const json_piece *pc)
{
	if (pc->escaped)
		return df_put_short(p, o->json_borrowed_text.buf + pc->at, pc->len);
	return df_json_put_str(p, pc->text, pc->len);
}

/* Keys in cJSON's order for the same object: as they were added. Each
 * finding is written through a cursor into room asked for once: most of
 * its pieces are a few bytes. */
static void json_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	if (!f->diags->len)
		return;
	df_buf_reset(&o->name);
	df_json_add_cstr(&o->name, f->file);
	FOR_EACH_DIAG(f, d) {
		size_t room = JSON_FINDING_FIXED + o->name.len;
		json_piece code = json_piece_of(o, d->code, d->borrowed_code, &room);
		json_piece message = json_message_piece(o, d, &room);
		char *p = df_buf_room(out, room);
		if (o->nfindings++)
			*p++ = ',';
		p = df_put(p, KEY("{\"code\":"));
		p = json_put_piece(p, o, &code);
		p = df_put(p, KEY(",\"column\":"));
		p = df_put_u(p, d->col);
		p = df_put(p, KEY(",\"end_column\":"));
		p = df_put_u(p, d->end_col);
		p = df_put(p, KEY(",\"end_line\":"));
		p = df_put_u(p, d->end_line);
		p = df_put(p, KEY(",\"file\":"));
		p = df_put_short(p, o->name.buf, o->name.len);
		/* "fix": whether --fix can act on this finding (none for
		 * parse errors, ShellCheck's codes, and rules without a
		 * fix). */
		p = json_put_fix_level(p, d->fix_kind, (size_t)d->severity);
		p = df_put_u(p, d->line);
		p = df_put(p, KEY(",\"message\":"));
		p = json_put_piece(p, o, &message);
		*p++ = '}';
		df_buf_set_end(out, p);
	}
}

static void json_end(df_output *o, df_buf *out)
{
	(void)o;
	df_buf_add(out, "]\n", 2);
}

/* --- SARIF 2.1.0 ------------------------------------------------------- */

/*
 * The rules that fired come before the results and a result names its rule
 * by index in them, sorted by code: neither is known before the last file.
 * So results are rendered into o->held as they come, each ruleIndex a
 * SARIF_REF byte standing for the code o->refs records, and the end renders
 * the document around them with the results array as SARIF_RESULTS. Both
 * bytes are control characters: no JSON text holds them raw.
 */
#define SARIF_RESULTS "\001"
#define SARIF_REF "\002"

static const char *sarif_level(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR: return "error";
	case DF_SEV_WARNING: return "warning";
	default: return "note";
	}
}

static cJSON *sarif_rule(const df_output *out, const char *code)
{
	const df_rule *r = df_rule_find(code);
	const df_custom_rule *c = r ? NULL : df_custom_find(out->opts.custom, out->opts.ncustom, code);
	const char *name = r && r->name ? r->name : code;
	const char *brief = r && r->message ? r->message : c && c->message ? c->message : code;
	const char *full = r && r->docs.what ? r->docs.what : c && c->docs ? c->docs : brief;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", code);
	cJSON_AddStringToObject(o, "name", name);
	cJSON *sd = cJSON_AddObjectToObject(o, "shortDescription");
	cJSON_AddStringToObject(sd, "text", brief);
	cJSON *fd = cJSON_AddObjectToObject(o, "fullDescription");
	cJSON_AddStringToObject(fd, "text", full);
	if (r || c) {
		/* The rule's own severity: a result's level is the one the run
		 * gave it (overrides), which may differ. Off by default: "none". */
		df_severity sev = r ? r->severity : c->severity;
		cJSON *dc = cJSON_AddObjectToObject(o, "defaultConfiguration");
		cJSON_AddStringToObject(dc, "level", sev == DF_SEV_IGNORE ? "none" : sarif_level(sev));
	}
	/* SC codes are ShellCheck's (no df_rule): its wiki documents them. */
	bool sc = !strncmp(code, "SC", 2);
	if (!strncmp(code, "DL", 2) || sc) {
		df_buf u = DF_BUF_INIT;
		df_buf_addf(&u, sc ? "https://www.shellcheck.net/wiki/%s" : "https://github.com/hadolint/hadolint/wiki/%s",
			    code);
		cJSON_AddStringToObject(o, "helpUri", df_buf_str(&u));
		df_buf_release(&u);
	}
	return o;
}

static void sarif_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	(void)out;
	FOR_EACH_DIAG(f, d) {
		df_grow((void **)&o->refs, &o->refs_cap, o->nrefs + 1, sizeof(*o->refs));
		o->refs[o->nrefs++] = code_index(o, d);
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "ruleId", d->code);
		cJSON_AddRawToObject(r, "ruleIndex", SARIF_REF);
		cJSON_AddStringToObject(r, "level", sarif_level(d->severity));
		cJSON *msg = cJSON_AddObjectToObject(r, "message");
		cJSON_AddItemToObject(msg, "text", jstr(d->message));
		cJSON *locs = cJSON_AddArrayToObject(r, "locations");
		cJSON *loc = cJSON_CreateObject();
		cJSON_AddItemToArray(locs, loc);
		cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
		cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
		cJSON_AddItemToObject(art, "uri", sarif_uri(f->file));
		cJSON *reg = cJSON_AddObjectToObject(phys, "region");
		cJSON_AddNumberToObject(reg, "startLine", d->line);
		cJSON_AddNumberToObject(reg, "startColumn", d->col);
		cJSON_AddNumberToObject(reg, "endLine", d->end_line);
		cJSON_AddNumberToObject(reg, "endColumn", d->end_col);
		json_sep(o, &o->held, ", ");
		/* root { runs [ run { results [ here */
		json_item(&o->held, r, 4);
	}
}

/* A fired code and its index in df_output.codes. */
typedef struct sarif_code {
	const char *code;
	size_t id;
} sarif_code;

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const sarif_code *)a)->code, ((const sarif_code *)b)->code);
}

static void sarif_end(df_output *o, df_buf *out)
{
	/* rank[id]: where o->codes[id] stands among the codes sorted. */
	sarif_code *order = df_xcalloc(o->ncodes ? o->ncodes : 1, sizeof(*order));
	size_t *rank = df_xcalloc(o->ncodes ? o->ncodes : 1, sizeof(*rank));
	for (size_t k = 0; k < o->ncodes; k++)
		order[k] = (sarif_code){ o->codes[k], k };
	qsort(order, o->ncodes, sizeof(*order), cmp_code);
	for (size_t k = 0; k < o->ncodes; k++)
		rank[order[k].id] = k;

	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(root, "version", "2.1.0");
	cJSON *runs = cJSON_AddArrayToObject(root, "runs");
	cJSON *run = cJSON_CreateObject();
	cJSON_AddItemToArray(runs, run);
	cJSON *tool = cJSON_AddObjectToObject(run, "tool");
	cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
	cJSON_AddStringToObject(driver, "name", "dfopt");
	cJSON_AddStringToObject(driver, "version", PACKAGE_VERSION);
	cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
	for (size_t k = 0; k < o->ncodes; k++)
		cJSON_AddItemToArray(rules, sarif_rule(o, order[k].code));
	cJSON_AddRawToObject(run, "results", SARIF_RESULTS);
	char *doc = cJSON_Print(root);
	if (!doc)
		df_die_oom();
	cJSON_Delete(root);

	const char *at = strchr(doc, SARIF_RESULTS[0]);
	if (!at)
		DF_BUG("SARIF results placeholder missing");
	df_buf_add(out, doc, (size_t)(at - doc));
	df_buf_addc(out, '[');
	const char *p = o->held.buf, *end = p + o->held.len;
	for (size_t k = 0; p && p < end; k++) {
		const char *ref = memchr(p, SARIF_REF[0], (size_t)(end - p));
		if (!ref) {
			df_buf_add(out, p, (size_t)(end - p));
			break;
		}
		if (k >= o->nrefs)
			DF_BUG("SARIF result without its rule");
		df_buf_add(out, p, (size_t)(ref - p));
		df_json_add_uint(out, rank[o->refs[k]]);
		p = ref + 1;
	}
	df_buf_addc(out, ']');
	df_buf_adds(out, at + 1);
	df_buf_addc(out, '\n');
	cJSON_free(doc);
	free(order);
	free(rank);
}

/* --- XML: checkstyle, junit ---------------------------------------------- */

/* s escaped for XML text and attributes; control characters XML 1.0 cannot
 * carry become '?'. */
static void xml_esc(df_buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': df_buf_adds(out, "&amp;"); break;
		case '<': df_buf_adds(out, "&lt;"); break;
		case '>': df_buf_adds(out, "&gt;"); break;
		case '"': df_buf_adds(out, "&quot;"); break;
		case '\'': df_buf_adds(out, "&apos;"); break;
		case '\n': df_buf_adds(out, "&#10;"); break;
		case '\r': df_buf_adds(out, "&#13;"); break;
		case '\t': df_buf_adds(out, "&#9;"); break;
		default: df_buf_addc(out, *p < 0x20 ? '?' : (char)*p); break;
		}
	}
}

static const char *checkstyle_severity(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR: return "error";
	case DF_SEV_WARNING: return "warning";
	default: return "info";
	}
}

static void checkstyle_begin(df_output *o, df_buf *out)
{
	(void)o;
	df_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
}

static void checkstyle_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	(void)o;
	df_buf_adds(out, "  <file name=\"");
	xml_esc(out, f->file);
	df_buf_adds(out, "\">\n");
	FOR_EACH_DIAG(f, d) {
		df_buf_addf(out, "    <error line=\"%u\" column=\"%u\" severity=\"%s\" message=\"", d->line,
			    d->col, checkstyle_severity(d->severity));
		xml_esc(out, d->message);
		df_buf_adds(out, "\" source=\"dfopt.");
		xml_esc(out, d->code);
		df_buf_adds(out, "\"/>\n");
	}
	df_buf_adds(out, "  </file>\n");
}

static void checkstyle_end(df_output *o, df_buf *out)
{
	(void)o;
	df_buf_adds(out, "</checkstyle>\n");
}

/* The suites wait in o->held: the first line counts every finding. */
static void junit_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	(void)out;
	df_buf *h = &o->held;
	size_t n = f->diags->len;
	o->nfindings += n;
	df_buf_adds(h, "  <testsuite name=\"");
	xml_esc(h, f->file);
	df_buf_addf(h, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", n, n);
	FOR_EACH_DIAG(f, d) {
		df_buf_adds(h, "    <testcase name=\"");
		xml_esc(h, d->code);
		df_buf_addf(h, " %u:%u\" classname=\"", d->line, d->col);
		xml_esc(h, f->file);
		df_buf_adds(h, "\">\n      <failure message=\"");
		xml_esc(h, d->message);
		df_buf_addf(h, "\" type=\"%s\">", df_severity_name(d->severity));
		xml_esc(h, f->file);
		df_buf_addf(h, ":%u:%u ", d->line, d->col);
		xml_esc(h, d->code);
		df_buf_adds(h, " ");
		xml_esc(h, d->message);
		df_buf_adds(h, "</failure>\n    </testcase>\n");
	}
	df_buf_adds(h, "  </testsuite>\n");
}

static void junit_end(df_output *o, df_buf *out)
{
	df_buf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"dfopt\" tests=\"%zu\" failures=\"%zu\">\n", o->nfindings, o->nfindings);
	df_buf_add(out, o->held.buf, o->held.len);
	df_buf_adds(out, "</testsuites>\n");
}

/* --- gnu, github --------------------------------------------------------- */

static void gnu_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	(void)o;
	size_t name_len = strlen(f->file);
	FOR_EACH_DIAG(f, d) {
		/* file:line.col-end_line.end_col: severity: CODE message */
		df_buf_add(out, f->file, name_len);
		df_buf_addc(out, ':');
		df_buf_addu(out, d->line);
		df_buf_addc(out, '.');
		df_buf_addu(out, d->col);
		df_buf_addc(out, '-');
		df_buf_addu(out, d->end_line);
		df_buf_addc(out, '.');
		df_buf_addu(out, d->end_col);
		df_buf_add(out, ": ", 2);
		df_buf_adds(out, df_severity_name(d->severity));
		df_buf_add(out, ": ", 2);
		df_buf_adds(out, d->code);
		df_buf_addc(out, ' ');
		/* One line per finding: line breaks in the message become spaces. */
		for (const char *p = d->message; *p; p++)
			df_buf_addc(out, *p == '\n' || *p == '\r' ? ' ' : *p);
		df_buf_addc(out, '\n');
	}
}

/* A workflow command's value: '%', CR and LF percent-encoded, so the
 * command stays one line; in a property also ':' and ',', which would end
 * the properties or the property. */
static void gh_esc(df_buf *out, const char *s, bool property)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '%': df_buf_adds(out, "%25"); break;
		case '\r': df_buf_adds(out, "%0D"); break;
		case '\n': df_buf_adds(out, "%0A"); break;
		case ':': property ? df_buf_adds(out, "%3A") : df_buf_addc(out, *p); break;
		case ',': property ? df_buf_adds(out, "%2C") : df_buf_addc(out, *p); break;
		default: df_buf_addc(out, *p); break;
		}
	}
}

/* GitHub places an annotation by its path from the top of the repository:
 * "./Dockerfile" (what `dfopt lint .` finds) would miss the file in a pull
 * request's diff, so leading "./" go. */
static const char *gh_path(const char *file)
{
	while (file[0] == '.' && file[1] == '/' && file[2])
		for (file += 2; *file == '/'; file++)
			;
	return file;
}

/*
 * ::error|warning|notice file=F,line=L,col=C,endLine=L,endColumn=C,title=CODE::message
 *
 * Columns only on a one-line span: GitHub's annotations take them on one
 * line only (the runner drops them when line and endLine differ). endColumn
 * is the span's last column, not one past it like ours, so a one-byte span
 * has col == endColumn; an empty one too (the runner drops an endColumn
 * below col). A finding with no line (0) names the file alone.
 */
static void github_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	(void)o;
	FOR_EACH_DIAG(f, d) {
		const char *cmd = d->severity == DF_SEV_ERROR ? "error"
				  : d->severity == DF_SEV_WARNING ? "warning" : "notice";
		df_buf_addf(out, "::%s file=", cmd);
		gh_esc(out, gh_path(f->file), true);
		if (d->line) {
			df_buf_addf(out, ",line=%u", d->line);
			if (d->col && d->end_line == d->line)
				df_buf_addf(out, ",col=%u,endLine=%u,endColumn=%u", d->col, d->end_line,
					    d->end_col > d->col ? d->end_col - 1 : d->col);
			else if (d->end_line > d->line)
				df_buf_addf(out, ",endLine=%u", d->end_line);
		}
		df_buf_adds(out, ",title=");
		gh_esc(out, d->code, true);
		df_buf_adds(out, "::");
		gh_esc(out, d->message, false);
		df_buf_addc(out, '\n');
	}
}

/* --- Code Climate, GitLab, SonarQube, Codacy ----------------------------- */

/* FNV-1a, 64 bits, over file, code, line and message (NUL-separated). */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static void fingerprint(const char *file, const df_diag *d, char hex[17])
{
	char line[16];
	snprintf(line, sizeof(line), "%u", d->line);
	const char *parts[] = { file, d->code, line, d->message };
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t k = 0; k < 4; k++)
		h = fnv1a(h, parts[k], strlen(parts[k]) + 1);
	snprintf(hex, 17, "%016" PRIx64, h);
}

static void array_begin(df_output *o, df_buf *out)
{
	(void)o;
	df_buf_addc(out, '[');
}

static void codeclimate_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	FOR_EACH_DIAG(f, d) {
		bool risk = d->severity == DF_SEV_ERROR || d->severity == DF_SEV_WARNING;
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "type", "issue");
		cJSON_AddStringToObject(j, "check_name", d->code);
		cJSON_AddItemToObject(j, "description", jstr(d->message));
		cJSON *cats = cJSON_AddArrayToObject(j, "categories");
		cJSON_AddItemToArray(cats, cJSON_CreateString(risk ? "Bug Risk" : "Style"));
		cJSON *loc = cJSON_AddObjectToObject(j, "location");
		cJSON_AddItemToObject(loc, "path", jstr(f->file));
		cJSON *lines = cJSON_AddObjectToObject(loc, "lines");
		cJSON_AddNumberToObject(lines, "begin", d->line);
		cJSON_AddNumberToObject(lines, "end", d->end_line);
		cJSON_AddStringToObject(j, "severity", d->severity == DF_SEV_ERROR ? "major"
						       : d->severity == DF_SEV_WARNING ? "minor" : "info");
		char hex[17];
		fingerprint(f->file, d, hex);
		cJSON_AddStringToObject(j, "fingerprint", hex);
		json_sep(o, out, ", ");
		json_item(out, j, 1);	/* [ here */
	}
}

static void array_end(df_output *o, df_buf *out)
{
	(void)o;
	df_buf_add(out, "]\n", 2);
}

static const char *sonar_severity(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR: return "CRITICAL";
	case DF_SEV_WARNING: return "MAJOR";
	case DF_SEV_INFO: return "MINOR";
	default: return "INFO";
	}
}

static void sonarqube_begin(df_output *o, df_buf *out)
{
	(void)o;
	df_buf_adds(out, "{\n\t\"issues\":\t[");
}

static void sonarqube_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	FOR_EACH_DIAG(f, d) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "engineId", "dfopt");
		cJSON_AddStringToObject(j, "ruleId", d->code);
		cJSON_AddStringToObject(j, "severity", sonar_severity(d->severity));
		cJSON_AddStringToObject(j, "type", "CODE_SMELL");
		cJSON *pl = cJSON_AddObjectToObject(j, "primaryLocation");
		cJSON_AddItemToObject(pl, "message", jstr(d->message));
		cJSON_AddItemToObject(pl, "filePath", jstr(f->file));
		cJSON *tr = cJSON_AddObjectToObject(pl, "textRange");
		cJSON_AddNumberToObject(tr, "startLine", d->line);
		cJSON_AddNumberToObject(tr, "endLine", d->end_line);
		/* Sonar columns are 0-based; end_col is exclusive either way. */
		cJSON_AddNumberToObject(tr, "startColumn", d->col ? d->col - 1 : 0);
		cJSON_AddNumberToObject(tr, "endColumn", d->end_col ? d->end_col - 1 : 0);
		json_sep(o, out, ", ");
		json_item(out, j, 2);	/* { issues [ here */
	}
}

static void sonarqube_end(df_output *o, df_buf *out)
{
	(void)o;
	df_buf_adds(out, "]\n}\n");
}

/* The bytes of a Codacy line but its strings. */
#define CODACY_FIXED (sizeof("{\"filename\":,\"patternId\":,\"message\":,\"line\":}\n") + DF_PUT_U_MAX)

/* One unformatted object a line, written directly as json's are. */
static void codacy_file(df_output *o, const df_file_findings *f, df_buf *out)
{
	if (!f->diags->len)
		return;
	df_buf_reset(&o->name);
	df_json_add_cstr(&o->name, f->file);
	FOR_EACH_DIAG(f, d) {
		size_t room = CODACY_FIXED + o->name.len;
		json_piece code = json_piece_of(o, d->code, d->borrowed_code, &room);
		json_piece message = json_message_piece(o, d, &room);
		char *p = df_buf_room(out, room);
		p = df_put(p, KEY("{\"filename\":"));
		p = df_put_short(p, o->name.buf, o->name.len);
		p = df_put(p, KEY(",\"patternId\":"));
		p = json_put_piece(p, o, &code);
		p = df_put(p, KEY(",\"message\":"));
		p = json_put_piece(p, o, &message);
		p = df_put(p, KEY(",\"line\":"));
		p = df_put_u(p, d->line);
		p = df_put(p, "}\n", 2);
		df_buf_set_end(out, p);
	}
}

static const df_output_format formats[] = {
	{ "tty", NULL, tty_file, tty_end },
	{ "json", json_begin, json_file, json_end },
	{ "sarif", NULL, sarif_file, sarif_end },
	{ "checkstyle", checkstyle_begin, checkstyle_file, checkstyle_end },
	{ "gnu", NULL, gnu_file, NULL },
	{ "codeclimate", array_begin, codeclimate_file, array_end },
	{ "gitlab_codeclimate", array_begin, codeclimate_file, array_end },
	{ "github", NULL, github_file, NULL },
	{ "junit", NULL, junit_file, junit_end },
	{ "sonarqube", sonarqube_begin, sonarqube_file, sonarqube_end },
	{ "codacy", NULL, codacy_file, NULL },
};

static const df_output_format *find_format(const char *name)
{
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++)
		if (!strcmp(formats[k].name, name))
			return &formats[k];
	return NULL;
}

bool df_output_known(const char *format)
{
	return find_format(format) != NULL;
}

int df_output_begin(df_output *o, const char *format, const df_output_opts *opts, df_buf *out)
{
	const df_output_format *fmt = find_format(format);
	if (!fmt)
		return -1;
	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	if (opts)
		o->opts = *opts;
	df_buf_init(&o->held);
	df_buf_init(&o->name);
	df_buf_init(&o->json_borrowed_text);
	if (fmt->begin)
		fmt->begin(o, out);
	return 0;
}

void df_output_file(df_output *o, const df_file_findings *file, df_buf *out)
{
	if (o->fmt->file)
		o->fmt->file(o, file, out);
}

void df_output_end(df_output *o, df_buf *out)
{
	if (o->fmt->end)
		o->fmt->end(o, out);
	df_buf_release(&o->held);
	df_buf_release(&o->name);
	free(o->json_borrowed);
	df_buf_release(&o->json_borrowed_text);
	for (size_t k = 0; k < o->ncodes; k++)
		free(o->codes[k]);
	free(o->codes);
	free(o->borrowed);
	free(o->refs);
	memset(o, 0, sizeof(*o));
}

int df_output_render_opts(const char *format, const df_file_findings *files, size_t nfiles,
			  const df_output_opts *opts, df_buf *out)
{
	df_output o;
	if (df_output_begin(&o, format, opts, out) < 0)
		return -1;
	for (size_t f = 0; f < nfiles; f++)
		df_output_file(&o, &files[f], out);
	df_output_end(&o, out);
	return 0;
}

int df_output_render(const char *format, const df_file_findings *files, size_t nfiles, df_buf *out)
{
	return df_output_render_opts(format, files, nfiles, NULL, out);
}
