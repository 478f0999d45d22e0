/* engine.c - the rule registry and runner; see engine.h and rule.h. */
#include "engine/engine.h"
#include "engine/pragma.h"
#include "util/buf.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* The registry: rules/rules.list names every rule once. */
#define DF_RULE(code) extern const df_rule df_rule_##code;
#include "rules/rules.list"
#undef DF_RULE

static const df_rule *const all_rules[] = {
#define DF_RULE(code) &df_rule_##code,
#include "rules/rules.list"
#undef DF_RULE
};

const df_rule *const *df_rules(size_t *n)
{
	*n = DF_ARRAY_LEN(all_rules);
	return all_rules;
}

const df_rule *df_rule_find(const char *code)
{
	for (size_t i = 0; i < DF_ARRAY_LEN(all_rules); i++)
		if (strcmp(all_rules[i]->code, code) == 0)
			return all_rules[i];
	return NULL;
}

const char *df_category_name(df_category c)
{
	switch (c) {
	case DF_CAT_CORRECTNESS: return "correctness";
	case DF_CAT_SECURITY: return "security";
	case DF_CAT_CACHE: return "cache";
	case DF_CAT_SIZE: return "size";
	case DF_CAT_STYLE: return "style";
	case DF_CAT_MAINTAINABILITY: return "maintainability";
	}
	DF_BUG("bad category %d", (int)c);
}

const char *df_fix_kind_name(df_fix_kind f)
{
	switch (f) {
	case DF_FIX_NONE: return "none";
	case DF_FIX_SAFE: return "safe";
	case DF_FIX_UNSAFE: return "unsafe";
	case DF_FIX_DISPLAY: return "display-only";
	}
	DF_BUG("bad fix kind %d", (int)f);
}

struct df_lint {
	const df_doc *doc;
	const df_graph *graph;
	df_diags *out;
	const df_lint_opts *opts;	/* never NULL */
};

const df_lint_opts *df_lint_config(const df_lint *lint)
{
	return lint->opts;
}

int df_label_type_parse(const char *s)
{
	static const char *const names[] = { "text", "url", "semver", "hash", "rfc3339", "spdx", "email" };
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const df_doc *df_lint_doc(const df_lint *lint)
{
	return lint->doc;
}

const df_graph *df_lint_graph(const df_lint *lint)
{
	return lint->graph;
}

void df_report(df_lint *lint, const df_rule *rule, df_span sp, const char *fmt, ...)
{
	uint32_t l1, c1, l2, c2;
	df_source_pos(&lint->doc->src, sp.start, &l1, &c1);
	df_source_pos(&lint->doc->src, sp.end > sp.start ? sp.end : sp.start, &l2, &c2);
	df_buf msg = DF_BUF_INIT;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		df_buf_vaddf(&msg, fmt, ap);
		va_end(ap);
	} else {
		df_buf_adds(&msg, rule->message);
	}
	df_diags_add(lint->out, rule->severity, rule->code, l1, c1, l2, c2, "%s", df_buf_str(&msg));
	df_buf_release(&msg);
}

static bool is_ignored(const df_lint_opts *o, const char *code)
{
	for (size_t i = 0; o && i < o->nignored; i++)
		if (strcmp(o->ignored[i], code) == 0)
			return true;
	return false;
}

void df_lint_file(const df_doc *doc, const df_graph *g, const df_lint_opts *opts, df_diags *out)
{
	df_diags found = DF_DIAGS_INIT;
	static const df_lint_opts no_opts;
	df_lint lint = { doc, g, &found, opts ? opts : &no_opts };
	size_t n = DF_ARRAY_LEN(all_rules);
	void **states = df_xcalloc(n, sizeof(void *));
	for (size_t r = 0; r < n; r++)
		states[r] = all_rules[r]->state_size ? df_xcalloc(1, all_rules[r]->state_size) : NULL;

	/* Hooks in document order: every instruction, then its stage's end. */
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		for (size_t r = 0; r < n; r++)
			if (all_rules[r]->on_instr)
				all_rules[r]->on_instr(&lint, in, states[r]);
		int st = g->steps[i].stage;
		if (st >= 0 && g->stages[st].last == i)
			for (size_t r = 0; r < n; r++)
				if (all_rules[r]->on_stage_end)
					all_rules[r]->on_stage_end(&lint, &g->stages[st], states[r]);
	}
	for (size_t r = 0; r < n; r++)
		if (all_rules[r]->on_file_end)
			all_rules[r]->on_file_end(&lint, states[r]);
	for (size_t r = 0; r < n; r++)
		free(states[r]);
	free(states);

	/* Parse errors are findings too. */
	for (size_t i = 0; i < doc->diags.len; i++) {
		const df_diag *d = &doc->diags.items[i];
		df_diags_add(&found, d->severity, d->code, d->line, d->col, d->end_line, d->end_col, "%s", d->message);
	}

	/* What rules never see: pragmas, ignored codes, severity overrides. */
	df_pragmas pragmas;
	df_pragmas_collect(doc, &pragmas);
	for (size_t i = 0; i < found.len; i++) {
		df_diag *d = &found.items[i];
		if (is_ignored(opts, d->code) ||
		    (!(opts && opts->disable_ignore_pragma) && df_pragmas_suppress(&pragmas, d)))
			continue;
		df_severity sev = d->severity;
		for (size_t k = 0; opts && k < opts->noverrides; k++)
			if (strcmp(opts->overrides[k].code, d->code) == 0)
				sev = opts->overrides[k].severity;
		if (sev == DF_SEV_IGNORE)
			continue;	/* a rule that is off unless raised */
		df_diags_add(out, sev, d->code, d->line, d->col, d->end_line, d->end_col, "%s", d->message);
	}
	df_pragmas_release(&pragmas);
	df_diags_release(&found);
	df_diags_sort(out);
}
