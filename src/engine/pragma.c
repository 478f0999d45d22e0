/* pragma.c - ignore pragmas and the check directive; see pragma.h. */
#include "engine/pragma.h"
#include "engine/engine.h"
#include "parse/words.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* BuildKit's build check names (RULES.md section 2), sorted. */
static const char *const buildkit_checks[] = {
	"ConsistentInstructionCasing",
	"CopyIgnoredFile",
	"DuplicateStageName",
	"ExposeInvalidFormat",
	"ExposeProtoCasing",
	"FromAsCasing",
	"FromPlatformFlagConstDisallowed",
	"InvalidDefaultArgInFrom",
	"InvalidDefinitionDescription",
	"JSONArgsRecommended",
	"LegacyKeyValueFormat",
	"MaintainerDeprecated",
	"MultipleInstructionsDisallowed",
	"NoEmptyContinuation",
	"RedundantTargetPlatform",
	"ReservedStageName",
	"SecretsUsedInArgOrEnv",
	"StageNameCasing",
	"UndefinedArgInFrom",
	"UndefinedVar",
	"WorkdirRelativePath",
};

bool df_code_is_buildkit_check(const char *s, size_t n)
{
	for (size_t i = 0; i < DF_ARRAY_LEN(buildkit_checks); i++)
		if (df_mem_eq(s, n, buildkit_checks[i]))
			return true;
	return false;
}

const char *df_buildkit_check_near(const char *s, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 3;	/* the names are long: two edits is still a typo */
	for (size_t i = 0; i < DF_ARRAY_LEN(buildkit_checks); i++) {
		unsigned d = df_edit_distance(s, n, buildkit_checks[i], strlen(buildkit_checks[i]));
		if (d < best_d) {
			best = buildkit_checks[i];
			best_d = d;
		}
	}
	return best;
}

bool df_code_known(const char *code)
{
	if (strcmp(code, "DL1000") == 0 || df_rule_find(code))
		return true;
	if (code[0] == 'S' && code[1] == 'C' && code[2]) {
		const char *p = code + 2;
		while (df_is_digit((unsigned char)*p))
			p++;
		if (!*p)
			return true;
	}
	return df_code_is_buildkit_check(code, strlen(code));
}

/* Is code[0..n) one of the names of a check option (all: every name)? */
static bool option_names(bool all, const df_str *names, size_t count, const char *code, size_t n)
{
	for (size_t i = 0; i < count && !all; i++)
		all = names[i].len == n && memcmp(names[i].ptr, code, n) == 0;
	return all;
}

/* Does experimental= name the BuildKit check code? */
static bool experimental_on(const df_check_opts *c, const char *code, size_t n)
{
	return option_names(c->experimental_all, c->experimental, c->nexperimental, code, n);
}

bool df_checks_skip(const df_check_opts *c, const char *code)
{
	if (!df_checks_may_skip(c))
		return false;	/* no skip=, as in most files: no need to look at code */
	size_t n = strlen(code);
	/* As in BuildKit, a check experimental= turns on is not skipped. */
	if (!df_code_is_buildkit_check(code, n) || experimental_on(c, code, n))
		return false;
	return option_names(c->skip_all, c->skip, c->nskip, code, n);
}

df_severity df_checks_severity(const df_check_opts *c, const char *code, df_severity sev)
{
	if (!df_checks_may_change_severity(c))
		return sev;	/* as in most files */
	size_t n = strlen(code);
	if (!df_code_is_buildkit_check(code, n))
		return sev;
	/* An experimental check experimental= turns on is a warning, as
	 * BuildKit's checks are. */
	if (sev == DF_SEV_IGNORE && experimental_on(c, code, n))
		sev = DF_SEV_WARNING;
	/* BuildKit fails the build on any check that ran; a check that is
	 * off by default stays off. */
	if (c->error && sev != DF_SEV_IGNORE)
		return DF_SEV_ERROR;
	return sev;
}

/* Match the word w at *p (then blanks), advancing *p on success. */
static bool take_word(const char **p, const char *end, const char *w)
{
	/* Every comment is asked for "hadolint" and "dfopt", and nearly all
	 * differ at the first byte: told before w is measured. */
	if (*p >= end || **p != w[0])
		return false;
	size_t n = strlen(w);
	if ((size_t)(end - *p) < n || memcmp(*p, w, n) != 0)
		return false;
	const char *q = *p + n;
	if (q < end && !df_is_blank((unsigned char)*q) && *q != '=')
		return false;
	while (q < end && df_is_blank((unsigned char)*q))
		q++;
	*p = q;
	return true;
}

/* pragma -> '#' (hadolint|dfopt) [global|stage] ignore '=' CODE (',' CODE)* rest
 * CODE -> [A-Za-z0-9]+ */
bool df_pragma_parse(const char *s, const char *end, df_pragma *pr)
{
	memset(pr, 0, sizeof(*pr));
	const char *p = s;
	while (p < end && df_is_blank((unsigned char)*p))
		p++;
	if (p >= end || *p != '#')
		return false;
	p++;
	while (p < end && df_is_blank((unsigned char)*p))
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
	while (p < end && df_is_blank((unsigned char)*p))
		p++;
	size_t cap = 0, ocap = 0;
	while (p < end) {
		const char *c = p;
		while (p < end && df_is_alnum((unsigned char)*p))
			p++;
		if (p == c)
			break;	/* `ignore=,x` or `ignore=: why`: no code here */
		void *arr = pr->codes;
		df_grow(&arr, &cap, pr->ncodes + 1, sizeof(char *));
		pr->codes = arr;
		arr = pr->offs;
		df_grow(&arr, &ocap, pr->ncodes + 1, sizeof(uint32_t));
		pr->offs = arr;
		pr->offs[pr->ncodes] = (uint32_t)(c - s);
		pr->codes[pr->ncodes++] = df_xstrndup(c, (size_t)(p - c));
		while (p < end && df_is_blank((unsigned char)*p))
			p++;
		if (p >= end || *p != ',')
			break;	/* the rest of the line is a comment */
		p++;
		while (p < end && df_is_blank((unsigned char)*p))
			p++;
	}
	if (pr->ncodes == 0) {
		df_pragma_release(pr);
		return false;
	}
	return true;
}

void df_pragma_release(df_pragma *pr)
{
	for (size_t k = 0; k < pr->ncodes; k++)
		free(pr->codes[k]);
	free(pr->codes);
	free(pr->offs);
	memset(pr, 0, sizeof(*pr));
}

void df_pragmas_collect(const df_doc *doc, df_pragmas *out)
{
	memset(out, 0, sizeof(*out));
	/* Every node of the file is passed over: the list and its length in
	 * locals, as for all the compiler knows the calls below could change
	 * doc, and it would read both again at each node. */
	const df_node *nodes = doc->nodes;
	size_t nnodes = doc->nnodes;
	for (size_t i = 0; i < nnodes; i++) {
		const df_node *n = &nodes[i];
		if (n->kind != DF_NODE_COMMENT)
			continue;
		df_pragma pr;
		const char *s = doc->src.data + n->span.start, *e = doc->src.data + n->span.end;
		while (e > s && (e[-1] == '\n' || e[-1] == '\r'))
			e--;
		if (!df_pragma_parse(s, e, &pr))
			continue;
		pr.line = n->line;
		/* The instruction below this block of comment lines. */
		size_t j = i + 1;
		while (j < nnodes && nodes[j].kind == DF_NODE_COMMENT)
			j++;
		const df_instr *next = j < nnodes && nodes[j].kind == DF_NODE_INSTR ? nodes[j].instr : NULL;
		switch (pr.scope) {
		case DF_PRAGMA_LINE:
			if (!next) {
				df_pragma_release(&pr);
				continue;
			}
			pr.from = next->line;
			pr.to = next->end_line;
			break;
		case DF_PRAGMA_STAGE: {
			/* To the line before the next FROM; a pragma right above
			 * a FROM is about the stage that FROM starts. */
			pr.from = n->line;
			pr.to = UINT32_MAX;
			size_t k = next && next->kind == DF_I_FROM ? j + 1 : j;
			for (; k < nnodes; k++)
				if (nodes[k].kind == DF_NODE_INSTR && nodes[k].instr->kind == DF_I_FROM) {
					pr.to = nodes[k].line - 1;
					break;
				}
			break;
		}
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

bool df_pragmas_suppress(const df_pragmas *p, uint32_t line, const char *code)
{
	for (size_t i = 0; i < p->len; i++) {
		const df_pragma *pr = &p->items[i];
		if (line < pr->from || line > pr->to)
			continue;
		for (size_t k = 0; k < pr->ncodes; k++)
			if (strcmp(pr->codes[k], code) == 0)
				return true;
	}
	return false;
}

void df_pragmas_release(df_pragmas *p)
{
	for (size_t i = 0; i < p->len; i++)
		df_pragma_release(&p->items[i]);
	free(p->items);
	memset(p, 0, sizeof(*p));
}
