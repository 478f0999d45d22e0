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
}

void df_diags_release(df_diags *d)
{
	for (size_t i = 0; i < d->len; i++) {
		if (!d->items[i].borrowed_code)
			free((char *)d->items[i].code);
		if (!d->items[i].borrowed_message)
			free((char *)d->items[i].message);
	}
	free(d->items);
	df_diags_init(d);
}

/* A new entry at the end of d, its strings not set. */
static df_diag *push(df_diags *d, df_severity sev, uint32_t line, uint32_t col, uint32_t end_line,
		     uint32_t end_col)
{
	if (d->len == d->cap) {
		/* Room for 16 at first, all the findings of most files:
		 * grown from df_grow()'s first 8, most lists were moved. */
		enum { FIRST_ROOM = 16 };
		void *p = d->items;
		df_grow(&p, &d->cap, d->cap ? d->len + 1 : FIRST_ROOM, sizeof(*d->items));
		d->items = p;
	}
	df_diag *g = &d->items[d->len++];
	g->line = line;
	g->col = col;
	g->end_line = end_line;
	g->end_col = end_col;
	g->severity = sev;
	g->fix_kind = 0;
	g->fix_group = 0;
	return g;
}

df_diag *df_diags_add_take(df_diags *d, df_severity sev, const char *code,
			   uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
			   char *message)
{
	df_diag *g = push(d, sev, line, col, end_line, end_col);
	g->code = df_xstrdup(code);
	g->message = message;
	g->borrowed_code = g->borrowed_message = false;
	return g;
}

df_diag *df_diags_add_static(df_diags *d, df_severity sev, const char *code,
			     uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
			     const char *message)
{
	df_diag *g = push(d, sev, line, col, end_line, end_col);
	g->code = code;
	g->message = message;
	g->borrowed_code = g->borrowed_message = true;
	return g;
}

df_diag *df_diags_add_str(df_diags *d, df_severity sev, const char *code,
			  uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
			  const char *message)
{
	return df_diags_add_take(d, sev, code, line, col, end_line, end_col, df_xstrdup(message));
}

df_diag *df_diags_add(df_diags *d, df_severity sev, const char *code,
		      uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *message;
	/* "%s" is the common format: a copy, without vsnprintf's two passes. */
	if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) {
		message = df_xstrdup(va_arg(ap, const char *));
	} else {
		df_buf msg = DF_BUF_INIT;
		df_buf_vaddf(&msg, fmt, ap);
		message = df_buf_detach(&msg, NULL);
	}
	va_end(ap);
	return df_diags_add_take(d, sev, code, line, col, end_line, end_col, message);
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
