/* diag.c - diagnostic lists; see diag.h. */
#include "util/diag.h"
#include "util/buf.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

void df_diags_init(df_diags *d)
{
	d->items = NULL;
	d->len = d->cap = 0;
	d->text = NULL;
}

void df_diags_release(df_diags *d)
{
	for (struct df_diag_text *t = d->text, *older; t; t = older) {
		older = t->older;
		free(t);
	}
	free(d->items);
	df_diags_init(d);
}

char *df_diags_text_grow(df_diags *d, size_t len)
{
	if (len >= SIZE_MAX / 2)
		df_die_oom();
	/* Room for the messages of most files in the first block, which is
	 * small enough for malloc's per-thread cache. */
	enum { BLOCK_ROOM = 1024 - sizeof(struct df_diag_text) };
	size_t cap = len < BLOCK_ROOM ? BLOCK_ROOM : len + 1;
	struct df_diag_text *t = df_xmalloc(sizeof(*t) + cap);
	t->older = d->text;
	t->used = len + 1;
	t->cap = cap;
	d->text = t;
	return t->bytes;
}

void df_diags_take(df_diags *to, df_diags *from)
{
	if (!to->len) {
		/* The usual case, a list filled for one file: its array is
		 * handed over rather than copied. */
		free(to->items);
		to->items = from->items;
		to->cap = from->cap;
		to->len = from->len;
		from->items = NULL;
		from->cap = 0;
	} else if (from->len) {
		void *items = to->items;
		df_grow(&items, &to->cap, to->len + from->len, sizeof(*to->items));
		to->items = items;
		memcpy(to->items + to->len, from->items, from->len * sizeof(*from->items));
		to->len += from->len;
	}
	from->len = 0;
	struct df_diag_text *oldest = from->text;
	if (!oldest)
		return;
	while (oldest->older)
		oldest = oldest->older;
	/* from's newest block becomes to's: new strings go on filling it. */
	oldest->older = to->text;
	to->text = from->text;
	from->text = NULL;
}

/* A copy of s[0..len) and a NUL in d's text. */
static const char *copy_text(df_diags *d, const char *s, size_t len)
{
	char *p = df_diags_text(d, len);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

df_diag *df_diags_grow_one(df_diags *d)
{
	/* Room for 16 at first, all the findings of most files: grown from
	 * df_grow()'s first 8, most lists were moved. */
	enum { FIRST_ROOM = 16 };
	void *p = d->items;
	df_grow(&p, &d->cap, d->cap ? d->len + 1 : FIRST_ROOM, sizeof(*d->items));
	d->items = p;
	return &d->items[d->len++];
}

/* A new entry at the end of d, its strings not set. */
static df_diag *push(df_diags *d, df_severity sev, uint32_t line, uint32_t col, uint32_t end_line,
		     uint32_t end_col)
{
	df_diag *g = d->len < d->cap ? &d->items[d->len++] : df_diags_grow_one(d);
	g->line = line;
	g->col = col;
	g->end_line = end_line;
	g->end_col = end_col;
	g->severity = sev;
	g->fix_kind = 0;
	g->fix_group = 0;
	return g;
}

/* An entry whose code and message d owns: copies of code and of
 * message[0..len), which holds no NUL. */
static df_diag *add_copy(df_diags *d, df_severity sev, const char *code,
			 uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
			 const char *message, size_t len)
{
	df_diag *g = push(d, sev, line, col, end_line, end_col);
	g->code = copy_text(d, code, strlen(code));
	g->message = copy_text(d, message, len);
	g->message_len = df_diag_len_field(len);
	g->borrowed_code = g->borrowed_message = false;
	return g;
}

df_diag *df_diags_add_str(df_diags *d, df_severity sev, const char *code,
			  uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
			  const char *message)
{
	return add_copy(d, sev, code, line, col, end_line, end_col, message, strlen(message));
}

df_diag *df_diags_add(df_diags *d, df_severity sev, const char *code,
		      uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	df_diag *g;
	/* "%s" is the common format: a copy, without vsnprintf's two passes. */
	if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) {
		const char *message = va_arg(ap, const char *);
		g = add_copy(d, sev, code, line, col, end_line, end_col, message, strlen(message));
	} else {
		df_buf msg = DF_BUF_INIT;
		df_buf_vaddf(&msg, fmt, ap);
		/* A "%c" may have written a NUL: the message ends there. */
		const char *message = df_buf_str(&msg);
		g = add_copy(d, sev, code, line, col, end_line, end_col, message, strlen(message));
		df_buf_release(&msg);
	}
	va_end(ap);
	return g;
}

static int diag_cmp(const df_diag *a, const df_diag *b)
{
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->code, b->code);
}

void df_diags_sort(df_diags *d)
{
	/* Insertion sort: stable, and lists are short and nearly sorted, so
	 * an entry already in place is not moved out and back. */
	for (size_t i = 1; i < d->len; i++) {
		if (diag_cmp(&d->items[i - 1], &d->items[i]) <= 0)
			continue;
		df_diag tmp = d->items[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&d->items[j - 1], &tmp) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = tmp;
	}
}

const char *df_severity_name(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR: return "error";
	case DF_SEV_WARNING: return "warning";
	case DF_SEV_INFO: return "info";
	case DF_SEV_STYLE: return "style";
	case DF_SEV_IGNORE: return "ignore";
	}
	DF_BUG("bad severity %d", (int)s);
}
