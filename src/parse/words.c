/* words.c - Docker's argument word splitters; see words.h. */
#include "parse/words.h"
#include "parse/scan.h"
#include "parse/text.h"
#include "util/buf.h"
#include "util/util.h"

#include <string.h>

/* Docker splits on unicode.IsSpace; within one logical line that is these. */
static const bool ws_char[256] = {
	[' '] = true, ['\t'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true, ['\n'] = true,
};

/* A table, not a chain of compares: this runs for every byte of the arguments. */
static bool is_ws(int c)
{
	return ws_char[c];
}

/* Chars that may end or change a word of df_split_quoted: blanks, quotes
 * and both possible escape chars. */
static const bool word_special[256] = {
	[' '] = true, ['\t'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true, ['\n'] = true,
	['\''] = true, ['"'] = true, ['\\'] = true, ['`'] = true,
};

/* Append the word text[off..end) to *arr, built in its slot. Inline in
 * both splitters: a call per word cost more than its body. */
static inline __attribute__((always_inline)) void push_word(df_arena *a, df_word **arr, size_t *n, size_t *cap,
								const df_text *t, size_t off, size_t end, bool plain)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		*arr = df_arena_grow_uninit(a, *arr, *n, ncap, sizeof(**arr));
		*cap = ncap;
	}
	df_str raw = { t->str.ptr + off, end - off };
	(*arr)[(*n)++] = (df_word){
		.raw = raw,
		.value = raw,
		.span = df_text_span_first(t, off, end - off),
		.text_off = (uint32_t)off,
		.plain = plain,
	};
}

size_t df_extract_flags(df_arena *a, const df_text *t, size_t off, size_t end,
			df_flag_word **out, size_t *rest_off)
{
	const char *s = t->str.ptr;
	size_t n = 0, cap = 0;
	df_flag_word *flags = NULL;
	size_t pos = off;

	for (;;) {
		while (pos < end && is_ws((unsigned char)s[pos]))
			pos++;
		/* Only a word starting with "--" is a flag. */
		if (pos + 1 >= end || s[pos] != '-' || s[pos + 1] != '-')
			break;
		size_t start = pos;
		/* First find the raw extent (quotes may hold blanks): the word
		 * with quotes removed is never longer. */
		size_t wend = pos;
		bool plain = true;
		/* Ordinary chars first; quotes and backslashes take the loop below. */
		while ((wend = df_scan_special(s, wend, end, true)) < end && !word_special[(unsigned char)s[wend]])
			wend++;
		for (char q = 0; wend < end; wend++) {
			char c = s[wend];
			if (q) {
				if (c == q)
					q = 0;
				else if (c == '\\')
					wend++;
			} else if (is_ws((unsigned char)c)) {
				break;
			} else if (c == '\'' || c == '"') {
				q = c;
				plain = false;
			} else if (c == '\\') {
				wend++;
				plain = false;
			}
		}
		if (wend > end)
			wend = end;
		if (plain) {
			/* No quotes, no backslashes (nearly every flag): the word is
			 * the text itself. */
			pos = wend;
			if (wend - start == 2) {
				while (pos < end && is_ws((unsigned char)s[pos]))
					pos++;
				break;	/* a bare "--" ends the flags */
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 4;
				flags = df_arena_grow_uninit(a, flags, n, ncap, sizeof(*flags));
				cap = ncap;
			}
			flags[n++] = (df_flag_word){ { s + start, wend - start }, (uint32_t)start, (uint32_t)wend };
			continue;
		}
		char *word = df_arena_alloc(a, wend - start + 1);
		size_t wl = 0;
		bool blank_ok = false;
		char quote = 0;
		while (pos < end) {
			char c = s[pos];
			if (quote) {
				if (c == quote) {
					quote = 0;
					pos++;
					continue;
				}
				if (c == '\\' && pos + 1 < end)
					pos++;
				else if (c == '\\') {
					pos++;
					continue;
				}
				word[wl++] = s[pos++];
				continue;
			}
			if (is_ws((unsigned char)c))
				break;
			if (c == '\'' || c == '"') {
				quote = c;
				blank_ok = true;
				pos++;
				continue;
			}
			if (c == '\\') {
				if (pos + 1 == end) {
					pos++;
					continue;
				}
				pos++;
			}
			word[wl++] = s[pos++];
		}
		word[wl] = '\0';
		if (wl == 2 && word[0] == '-' && word[1] == '-') {
			/* A bare "--" ends the flags and is not an argument. */
			while (pos < end && is_ws((unsigned char)s[pos]))
				pos++;
			break;
		}
		if (!blank_ok && wl == 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			flags = df_arena_grow_uninit(a, flags, n, ncap, sizeof(*flags));
			cap = ncap;
		}
		flags[n].word = (df_str){ word, wl };
		flags[n].off = (uint32_t)start;
		flags[n].end = (uint32_t)pos;
		n++;
	}
	*rest_off = pos;
	*out = flags;
	return n;
}

/* The separators of df_split_blank: the blanks above but '\n'. */
static const bool blank_sep[256] = {
	[' '] = true, ['\t'] = true, ['\v'] = true, ['\f'] = true, ['\r'] = true,
};

static bool is_blank_sep(int c)
{
	return blank_sep[c];
}

size_t df_split_blank(df_arena *a, const df_text *t, size_t off, size_t end, df_word **out)
{
	const char *s = t->str.ptr;
	size_t n = 0, cap = 0;
	df_word *words = NULL;
	size_t pos = off;
	while (pos < end) {
		while (pos < end && is_blank_sep((unsigned char)s[pos]))
			pos++;
		if (pos >= end)
			break;
		size_t start = pos;
		bool plain = true;
		/* The scan stops at every blank, and at a few bytes ('$',
		 * quotes) that are ordinary here but tell the word from a
		 * plain one. */
		while ((pos = df_scan_special(s, pos, end, true)) < end && !is_blank_sep((unsigned char)s[pos])) {
			if (df_scan_stop_special[(unsigned char)s[pos]])
				plain = false;
			pos++;
		}
		push_word(a, &words, &n, &cap, t, start, pos, plain);
	}
	*out = words;
	return n;
}

size_t df_split_quoted(df_arena *a, const df_text *t, size_t off, size_t end, char escape,
		       df_word **out)
{
	const char *s = t->str.ptr;
	size_t n = 0, cap = 0;
	df_word *words = NULL;
	size_t pos = off;
	while (pos < end) {
		while (pos < end && is_ws((unsigned char)s[pos]))
			pos++;
		if (pos >= end)
			break;
		size_t start = pos;
		char quote = 0;
		bool plain = true;
		while (pos < end) {
			if (!quote) {
				/* The common case: a run of ordinary chars, sixteen
				 * bytes a step (every ENV and LABEL byte passes); a
				 * '$' or control byte the scan stops at is ordinary. */
				while ((pos = df_scan_special(s, pos, end, true)) < end &&
				       !word_special[(unsigned char)s[pos]]) {
					if (s[pos] == '$')
						plain = false;
					pos++;
				}
			} else {
				/* Quoted text: only the closing quote and, between
				 * double quotes, the escape char do anything (both
				 * are stop bytes of the scan). */
				char stop = quote == '"' ? escape : quote;
				while ((pos = df_scan_special(s, pos, end, false)) < end &&
				       s[pos] != quote && s[pos] != stop)
					pos++;
			}
			if (pos >= end)
				break;
			char c = s[pos];
			if (!quote && is_ws((unsigned char)c))
				break;
			plain = false;	/* a quote or an escape char, in force or not */
			if (!quote && (c == '\\' || c == '`') && c != escape) {
				pos++;	/* the other escape char is an ordinary one */
				continue;
			}
			if (quote) {
				if (c == quote)
					quote = 0;
				else if (c == escape && quote != '\'' && pos + 1 < end)
					pos++;
			} else if (c == '\'' || c == '"') {
				quote = c;
			} else if (c == escape && pos + 1 < end) {
				pos++;
			}
			pos++;
		}
		push_word(a, &words, &n, &cap, t, start, pos, plain);
	}
	*out = words;
	return n;
}

df_str df_unquote(df_arena *a, const char *s, size_t len, bool *quoted)
{
	char *o = df_arena_alloc_uninit(a, len + 1);	/* o[0..n] is written below */
	size_t n = 0;
	char quote = 0;
	bool q = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (quote) {
			if (c == quote) {
				quote = 0;
				continue;
			}
			if (quote == '"' && c == '\\' && i + 1 < len &&
			    (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$')) {
				o[n++] = s[++i];
				continue;
			}
			o[n++] = c;
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			q = true;
			continue;
		}
		if (c == '\\') {
			if (i + 1 < len)
				o[n++] = s[++i];
			continue;
		}
		o[n++] = c;
	}
	o[n] = '\0';
	if (quoted)
		*quoted = q;
	return (df_str){ o, n };
}

unsigned df_edit_distance_below(const char *a, size_t alen, const char *b, size_t blen, unsigned limit)
{
	enum { MAX = 32 };
	unsigned row[MAX + 1];
	if (limit > 16)
		limit = 16;
	/* The distance is at least the difference in length. */
	if (alen > MAX || blen > MAX || (alen > blen ? alen - blen : blen - alen) >= limit)
		return limit;
	/* Lower-cased once, not for every cell. */
	char lb[MAX];
	for (size_t j = 0; j < blen; j++)
		lb[j] = (char)df_to_lower((unsigned char)b[j]);
	/* Cells hold their distance capped at limit. A cell limit or more off
	 * the diagonal cannot be below it (each step off costs one), so a row
	 * counts only the band within limit - 1 of the diagonal (limit is at
	 * least 1 here: the length test returns for 0). The cell left of the
	 * band is set to limit; those right of it were never written and hold
	 * limit from the start. */
	size_t band = limit - 1;
	for (size_t j = 0; j <= blen; j++)
		row[j] = j < limit ? (unsigned)j : limit;
	for (size_t i = 1; i <= alen; i++) {
		size_t lo = i > band ? i - band : 1, hi = i + band < blen ? i + band : blen;
		unsigned diag = row[lo - 1];
		row[lo - 1] = lo == 1 && i < limit ? (unsigned)i : limit;
		unsigned low = row[lo - 1];
		char la = (char)df_to_lower((unsigned char)a[i - 1]);
		for (size_t j = lo; j <= hi; j++) {
			unsigned up = row[j];
			unsigned best = diag + (la == lb[j - 1] ? 0 : 1);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (best > limit)
				best = limit;
			row[j] = best;
			diag = up;
			if (best < low)
				low = best;
		}
		/* Every way to the last cell crosses this row: once all its
		 * cells reach limit, so does the distance. */
		if (low >= limit)
			return limit;
	}
	return row[blen];
}

unsigned df_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
	return df_edit_distance_below(a, alen, b, blen, 16);
}
