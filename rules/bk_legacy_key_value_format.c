/* LegacyKeyValueFormat - ENV or LABEL written `key value` without `=`. */
#include "engine/rule.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_LegacyKeyValueFormat = {
	.code = "LegacyKeyValueFormat",
	.name = "legacy-key-value-format",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_SAFE,
	.message = "use the key=value form instead of the legacy key value form",
	.docs = {
		.what = "Reports an ENV or LABEL (ONBUILD triggers included) in the legacy "
			"`KEY value` form, whose first word has no `=`. The fix writes `KEY=value` "
			"with the value the builder made of the legacy one: as written when it has "
			"no blank outside quotes, else in double quotes, its single quotes, double "
			"quotes and escapes rewritten to mean the same inside them "
			"(`ENV A 'x $y' z` becomes `ENV A=\"x \\$y z\"`). No fix for an ONBUILD "
			"trigger, a `${...}` or `$` before a quote outside quotes, a quote left "
			"open, a quote or escape in the key, or a comment line between key and value.",
		.why = "In the legacy form the whole rest of the line is one value, spaces and "
		       "quotes included, which is easy to misread; the `key=value` form says "
		       "exactly where each value ends and allows several pairs.",
		.example = "FROM alpine\nENV GREETING hello world\n",
		.instead = "FROM alpine\nENV GREETING=\"hello world\"\n",
	},
	.instr_kinds = DF_KIND(DF_I_ENV) | DF_KIND(DF_I_LABEL),
	.on_instr = check,
};

/* One edit of the fix, at source offsets. */
typedef struct edit {
	uint32_t start, end;
	const char *text;
} edit;

typedef struct edits {
	edit *items;	/* room until it is full, then on the heap */
	size_t len, cap;
	char esc[2];	/* the escape char as a string */
	edit room[8];	/* most fixes are an edit or two */
} edits;

static void edits_init(edits *e, char esc)
{
	*e = (edits){ .items = e->room, .cap = DF_ARRAY_LEN(e->room), .esc = { esc, '\0' } };
}

static void edits_release(edits *e)
{
	if (e->items != e->room)
		free(e->items);
}

static void add(edits *e, uint32_t start, uint32_t end, const char *text)
{
	if (e->len == e->cap) {
		e->cap *= 2;
		if (e->items == e->room)
			e->items = memcpy(df_xmalloc(e->cap * sizeof(*e->items)), e->room, sizeof(e->room));
		else
			e->items = df_xrealloc(e->items, e->cap * sizeof(*e->items));
	}
	e->items[e->len++] = (edit){ start, end, text };
}

/* Does `$c` start the same expansion inside "..." as outside? */
static bool dollar_name(char c)
{
	return df_is_alnum((unsigned char)c) || c == '_' || (c && strchr("@*#?-$!", c) != NULL);
}

/*
 * The edits that turn the legacy value text[v0, v1) (with the blanks before
 * it, from key_end) into `="..."` meaning the same to the builder's
 * expansion (expand.h): unquoted, the escape char makes the next char
 * literal; inside double quotes it does so only before `"`, `$` and itself
 * and is kept before anything else; single quotes are literal. So an
 * unquoted escape stays before those three and goes before any other char,
 * single quotes go and `"`, `$` and the escape char inside them get an
 * escape, double quotes go and their content stays as it is. False when
 * that cannot be done exactly.
 */
static bool quote_value(const df_instr *in, size_t v0, size_t v1, edits *e)
{
	const df_text *t = &in->text;
	const char *s = t->str.ptr;
	char esc = e->esc[0];
	char quote = 0;
	for (size_t i = v0; i < v1; i++) {
		char c = s[i];
		uint32_t at = df_text_src(t, i);
		if (quote == '\'') {
			if (c == '\'') {
				add(e, at, at + 1, "");
				quote = 0;
			} else if (c == '"' || c == '$' || c == esc) {
				add(e, at, at, e->esc);
			}
		} else if (quote == '"') {
			if (c == esc)
				i++;	/* the pair means the same in both */
			else if (c == '"') {
				add(e, at, at + 1, "");
				quote = 0;
			}
		} else if (c == esc) {
			char n = i + 1 < v1 ? s[i + 1] : 0;
			if (n != '"' && n != '$' && n != esc)
				add(e, at, at + 1, "");	/* also a trailing one, which is dropped */
			i++;
		} else if (c == '\'' || c == '"') {
			add(e, at, at + 1, "");
			quote = c;
		} else if (c == '$') {
			/* ${...} reads its words by rules of its own; `$` before
			 * a quote or an escape is a literal `$` that would turn
			 * into an expansion once they are gone. */
			char n = i + 1 < v1 ? s[i + 1] : ' ';
			if (n == '{' || !(dollar_name(n) || df_is_blank((unsigned char)n)))
				return false;
		}
	}
	if (quote)
		return false;
	uint32_t end = df_text_src(t, v1 - 1) + 1;
	add(e, end, end, "\"");
	return true;
}

/* Has text[v0, v1) a blank outside quotes, escaped by nothing? -1 when a
 * quote is left open: the builder fails on that, and the fix stays away. */
static int needs_quotes(const df_text *t, size_t v0, size_t v1, char esc)
{
	bool blank = false;
	char quote = 0;
	for (size_t i = v0; i < v1; i++) {
		char c = t->str.ptr[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			else if (quote == '"' && c == esc)
				i++;
		} else if (c == esc) {
			i++;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (df_is_blank((unsigned char)c)) {
			blank = true;
		}
	}
	return quote ? -1 : blank;
}

/* The fix's edits for in's pair, or false when there is none. */
static bool fix_edits(const df_lint *lint, const df_instr *in, edits *e)
{
	const df_doc *doc = df_lint_doc(lint);
	const df_kv *kv = &in->pairs[0];
	const df_text *t = &in->text;
	if (in->outer || !kv->key.len || !kv->value.len || memchr(kv->key.ptr, '"', kv->key.len) ||
	    memchr(kv->key.ptr, '\'', kv->key.len) || memchr(kv->key.ptr, doc->escape, kv->key.len))
		return false;
	/* The blanks between key and value become `=`: they may hold a line
	 * continuation, but a comment line there would go with them. */
	uint32_t gap = kv->key_span.end, vstart = kv->value_span.start;
	if (gap > vstart || memchr(doc->src.data + gap, '#', vstart - gap))
		return false;
	size_t v0 = (size_t)(kv->value.ptr - t->str.ptr), v1 = v0 + kv->value.len;
	int need = needs_quotes(t, v0, v1, doc->escape);
	if (need < 0)
		return false;
	if (!need) {
		add(e, gap, vstart, "=");
		return true;
	}
	add(e, gap, vstart, "=\"");
	return quote_value(in, v0, v1, e);
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind == DF_I_ONBUILD)
		in = in->inner;
	if (!in || (in->kind != DF_I_ENV && in->kind != DF_I_LABEL) || !in->legacy_kv || !in->npairs)
		return;
	/* Written out, not formatted: the legacy form is common, and "%s"
	 * is the reporter's cheap path. */
	const char *msg = in->kind == DF_I_ENV ? "use 'ENV key=value' instead of the legacy 'ENV key value' form"
					       : "use 'LABEL key=value' instead of the legacy 'LABEL key value' form";
	edits e;
	edits_init(&e, df_lint_doc(lint)->escape);
	bool can = fix_edits(lint, in, &e);
	df_fix *fix = df_report_fix(lint, &df_rule_LegacyKeyValueFormat, can ? DF_FIX_SAFE : DF_FIX_NONE,
				    in->pairs[0].key_span, "%s", msg);
	for (size_t i = 0; can && i < e.len; i++)
		df_fix_edit(fix, e.items[i].start, e.items[i].end, e.items[i].text);
	edits_release(&e);
}
