/* pragma.c - ignore pragmas; see pragma.h. */
#include "engine/pragma.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Match the word w at *p (then blanks), advancing *p on success. */
static bool take_word(const char **p, const char *end, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(end - *p) < n || memcmp(*p, w, n) != 0)
		return false;
	const char *q = *p + n;
	if (q < end && !is_blank(*q) && *q != '=')
		return false;
	while (q < end && is_blank(*q))
		q++;
	*p = q;
	return true;
}

/* pragma -> '#' (hadolint|dfopt) [global|stage] ignore '=' CODE (',' CODE)* rest */
bool df_pragma_parse(const char *s, const char *end, df_pragma *pr)
{
	const char *p = s;
	while (p < end && is_blank(*p))
		p++;
	if (p >= end || *p != '#')
		return false;
	p++;
	while (p < end && is_blank(*p))
		p++;
	if (!take_word(&p, end, "hadolint") && !take_word(&p, end, "dfopt"))
		return false;
	pr->scope = DF_PRAGMA_LINE;
	if (take_word(&p, end, "global"))
		pr->scope = DF_PRAGMA_GLOBAL;
	else if (take_word(&p, end, "stage"))
		pr->scope = DF_PRAGMA_STAGE;
	if (!take_word(&p, end, "ignore"))
		return false;
	if (p >= end || *p != '=')
		return false;
	p++;
	while (p < end && is_blank(*p))
		p++;
	pr->codes = NULL;
	pr->ncodes = 0;
	size_t cap = 0;
	while (p < end) {
		const char *c = p;
		while (p < end && *p != ',' && !is_blank(*p) && *p != '\r')
			p++;
		if (p > c) {
			void *arr = pr->codes;
			df_grow(&arr, &cap, pr->ncodes + 1, sizeof(char *));
			pr->codes = arr;
			pr->codes[pr->ncodes++] = df_xstrndup(c, (size_t)(p - c));
		}
		while (p < end && is_blank(*p))
			p++;
		if (p >= end || *p != ',')
			break;	/* the rest of the line is a comment */
		p++;
		while (p < end && is_blank(*p))
			p++;
	}
	return pr->ncodes > 0;
}

void df_pragmas_collect(const df_doc *doc, df_pragmas *out)
{
	memset(out, 0, sizeof(*out));
	uint32_t stage_end = UINT32_MAX;
	for (size_t i = 0; i < doc->nnodes; i++) {
		const df_node *n = &doc->nodes[i];
		if (n->kind != DF_NODE_COMMENT)
			continue;
		df_pragma pr;
		memset(&pr, 0, sizeof(pr));
		const char *s = doc->src.data + n->span.start, *e = doc->src.data + n->span.end;
		while (e > s && (e[-1] == '\n' || e[-1] == '\r'))
			e--;
		if (!df_pragma_parse(s, e, &pr))
			continue;
		pr.line = n->line;
		/* The instruction below this block of comment lines. */
		size_t j = i + 1;
		while (j < doc->nnodes && doc->nodes[j].kind == DF_NODE_COMMENT)
			j++;
		const df_instr *next = j < doc->nnodes && doc->nodes[j].kind == DF_NODE_INSTR ? doc->nodes[j].instr : NULL;
		switch (pr.scope) {
		case DF_PRAGMA_LINE:
			if (!next) {
				for (size_t k = 0; k < pr.ncodes; k++)
					free(pr.codes[k]);
				free(pr.codes);
				continue;
			}
			pr.from = next->line;
			pr.to = next->end_line;
			break;
		case DF_PRAGMA_STAGE:
			/* To the line before the next FROM. */
			pr.from = n->line;
			stage_end = UINT32_MAX;
			for (size_t k = j; k < doc->nnodes; k++)
				if (doc->nodes[k].kind == DF_NODE_INSTR && doc->nodes[k].instr->kind == DF_I_FROM) {
					stage_end = doc->nodes[k].line - 1;
					break;
				}
			pr.to = stage_end;
			break;
		case DF_PRAGMA_GLOBAL:
			pr.from = 0;
			pr.to = UINT32_MAX;
			break;
		}
		void *arr = out->items;
		df_grow(&arr, &out->cap, out->len + 1, sizeof(df_pragma));
		out->items = arr;
		out->items[out->len++] = pr;
	}
}

bool df_pragmas_suppress(const df_pragmas *p, const df_diag *d)
{
	for (size_t i = 0; i < p->len; i++) {
		const df_pragma *pr = &p->items[i];
		if (d->line < pr->from || d->line > pr->to)
			continue;
		for (size_t k = 0; k < pr->ncodes; k++)
			if (strcmp(pr->codes[k], d->code) == 0)
				return true;
	}
	return false;
}

void df_pragmas_release(df_pragmas *p)
{
	for (size_t i = 0; i < p->len; i++) {
		for (size_t k = 0; k < p->items[i].ncodes; k++)
			free(p->items[i].codes[k]);
		free(p->items[i].codes);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}
