/* engine.c - the rule registry and runner; see engine.h and rule.h. */
#include "engine/engine.h"
#include "engine/cmds.h"
#include "engine/pragma.h"
#include "engine/shellcheck.h"
#include "util/buf.h"
#include "util/util.h"

#include <stddef.h>
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

/* Every kind has its bit in df_rule.instr_kinds; run_rules() indexes the
 * rules with bytes. */
_Static_assert(DF_I_COUNT < 32, "instruction kinds do not fit instr_kinds");
_Static_assert(DF_ARRAY_LEN(all_rules) <= 256, "rule indexes do not fit a byte");

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
	df_cmds cmds;			/* of the instruction the rules are on */
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

df_cmds *df_lint_cmds(df_lint *lint)
{
	return &lint->cmds;
}

void df_report(df_lint *lint, const df_rule *rule, df_span sp, const char *fmt, ...)
{
	uint32_t l1, c1, l2, c2;
	df_source_pos(&lint->doc->src, sp.start, &l1, &c1);
	df_source_pos(&lint->doc->src, sp.end > sp.start ? sp.end : sp.start, &l2, &c2);
	if (!fmt) {
		df_diags_add_str(lint->out, rule->severity, rule->code, l1, c1, l2, c2, rule->message);
		return;
	}
	df_buf msg = DF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	df_diags_add_take(lint->out, rule->severity, rule->code, l1, c1, l2, c2, df_buf_detach(&msg, NULL));
}

static bool is_ignored(const df_lint_opts *o, const char *code)
{
	for (size_t i = 0; o && i < o->nignored; i++)
		if (strcmp(o->ignored[i], code) == 0)
			return true;
	return false;
}

/* Is a finding with code on line silenced by the user's ignored codes, an
 * ignore pragma or the check directive? */
static bool suppressed(const df_doc *doc, const df_lint_opts *opts, const df_pragmas *pragmas, uint32_t line,
		       const char *code)
{
	return is_ignored(opts, code) || df_checks_skip(&doc->checks, code) ||
	       (!(opts && opts->disable_ignore_pragma) && df_pragmas_suppress(pragmas, line, code));
}

/* A finding's span as a sort key, and where the finding is. */
typedef struct span_key {
	uint32_t k[4];		/* line, col, end_line, end_col */
	size_t idx;
} span_key;

static span_key span_key_of(const df_diag *d, size_t idx)
{
	return (span_key){ { d->line, d->col, d->end_line, d->end_col }, idx };
}

static int cmp_span_key(const void *a, const void *b)
{
	const span_key *x = a, *y = b;
	for (int i = 0; i < 4; i++)
		if (x->k[i] != y->k[i])
			return x->k[i] < y->k[i] ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Add doc's parse errors to found (after its rule findings), except each
 * one that a rule finding stands for (rule.h: subsumes_parse_error, the
 * same span): replaces[k] tells that found[k] took one's place. Sorted and
 * searched, so a hostile file full of both stays n log n.
 */
static void add_parse_errors(const df_doc *doc, df_diags *found, bool *replaces)
{
	const char *codes[DF_ARRAY_LEN(all_rules)];
	size_t ncodes = 0;
	for (size_t r = 0; r < DF_ARRAY_LEN(all_rules); r++)
		if (all_rules[r]->subsumes_parse_error)
			codes[ncodes++] = all_rules[r]->code;
	size_t nrule = found->len, ncand = 0;
	span_key *cand = df_xcalloc(nrule + 1, sizeof(span_key));
	for (size_t k = 0; doc->diags.len && k < nrule; k++)
		for (size_t c = 0; c < ncodes; c++)
			if (strcmp(codes[c], found->items[k].code) == 0) {
				cand[ncand++] = span_key_of(&found->items[k], k);
				break;
			}
	qsort(cand, ncand, sizeof(span_key), cmp_span_key);
	for (size_t i = 0; i < doc->diags.len; i++) {
		const df_diag *d = &doc->diags.items[i];
		span_key want = span_key_of(d, 0);
		size_t lo = 0, hi = ncand;
		while (lo < hi) {	/* the first candidate not before d */
			size_t mid = lo + (hi - lo) / 2;
			if (cmp_span_key(&cand[mid], &want) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < ncand && memcmp(cand[lo].k, want.k, sizeof(want.k)) == 0) {
			replaces[cand[lo].idx] = true;
			continue;
		}
		df_diags_add_str(found, d->severity, d->code, d->line, d->col, d->end_line, d->end_col, d->message);
	}
	free(cand);
}

/* Append d to out with severity sev, its strings changing owner: copying
 * (and formatting) every finding's message again would cost more than
 * finding it did. */
static void move_diag(df_diags *out, df_diag *d, df_severity sev)
{
	void *items = out->items;
	df_grow(&items, &out->cap, out->len + 1, sizeof(*out->items));
	out->items = items;
	out->items[out->len] = *d;
	out->items[out->len++].severity = sev;
	d->code = NULL;
	d->message = NULL;
}

/* Run the rules' hooks over lint's file in document order: every
 * instruction, then its stage's end; the file's end last. */
static void run_rules(df_lint *lint)
{
	const df_doc *doc = lint->doc;
	const df_graph *g = lint->graph;
	size_t n = DF_ARRAY_LEN(all_rules);
	/* Every rule's state in one zeroed block, each aligned for any type. */
	const size_t align = _Alignof(max_align_t);
	size_t offs[DF_ARRAY_LEN(all_rules)], total = 0;
	for (size_t r = 0; r < n; r++) {
		offs[r] = total;
		total += (all_rules[r]->state_size + align - 1) & ~(align - 1);
	}
	unsigned char *block = total ? df_xcalloc(1, total) : NULL;
	void *states[DF_ARRAY_LEN(all_rules)];
	for (size_t r = 0; r < n; r++)
		states[r] = all_rules[r]->state_size ? block + offs[r] : NULL;

	/* The hooks there are, packed with their states and kinds, and for
	 * each kind of instruction the on_instr hooks that want it, in rule
	 * order: the loops below run for every instruction, where reading
	 * every rule's descriptor, or calling every rule, would cost more
	 * than the hooks that have something to do. */
	struct {
		void (*fn)(df_lint *lint, const df_instr *in, void *state);
		void *state;
		uint32_t kinds;		/* 0: all */
	} instr_hooks[DF_ARRAY_LEN(all_rules)];
	struct {
		void (*fn)(df_lint *lint, const df_stage *stage, void *state);
		void *state;
	} stage_hooks[DF_ARRAY_LEN(all_rules)];
	unsigned char for_kind[DF_I_COUNT][DF_ARRAY_LEN(all_rules)];	/* into instr_hooks */
	size_t nfor_kind[DF_I_COUNT] = { 0 };
	size_t ninstr = 0, nstage = 0;
	for (size_t r = 0; r < n; r++) {
		if (all_rules[r]->on_instr) {
			uint32_t kinds = all_rules[r]->instr_kinds, every = DF_KIND(DF_I_COUNT) - 1;
			/* Set bits one by one: this runs for every file. */
			for (uint32_t bits = kinds ? kinds & every : every; bits; bits &= bits - 1) {
				unsigned k = (unsigned)__builtin_ctz(bits);
				for_kind[k][nfor_kind[k]++] = (unsigned char)ninstr;
			}
			instr_hooks[ninstr].fn = all_rules[r]->on_instr;
			instr_hooks[ninstr].kinds = kinds;
			instr_hooks[ninstr++].state = states[r];
		}
		if (all_rules[r]->on_stage_end) {
			stage_hooks[nstage].fn = all_rules[r]->on_stage_end;
			stage_hooks[nstage++].state = states[r];
		}
	}

	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->inner) {
			/* An ONBUILD is of two kinds: its own and its trigger's. */
			uint32_t kinds = DF_KIND(in->kind) | DF_KIND(in->inner->kind);
			for (size_t h = 0; h < ninstr; h++)
				if (!instr_hooks[h].kinds || (instr_hooks[h].kinds & kinds))
					instr_hooks[h].fn(lint, in, instr_hooks[h].state);
		} else {
			for (size_t k = 0; k < nfor_kind[in->kind]; k++) {
				size_t h = for_kind[in->kind][k];
				instr_hooks[h].fn(lint, in, instr_hooks[h].state);
			}
		}
		int st = g->steps[i].stage;
		if (st >= 0 && g->stages[st].last == i)
			for (size_t h = 0; h < nstage; h++)
				stage_hooks[h].fn(lint, &g->stages[st], stage_hooks[h].state);
	}
	for (size_t r = 0; r < n; r++)
		if (all_rules[r]->on_file_end)
			all_rules[r]->on_file_end(lint, states[r]);
	free(block);
}

void df_lint_file(const df_doc *doc, const df_graph *g, const df_lint_opts *opts, df_diags *out)
{
	df_diags found = DF_DIAGS_INIT;
	static const df_lint_opts no_opts;
	df_lint lint = { doc, g, &found, opts ? opts : &no_opts, { 0 } };
	df_cmds_init(&lint.cmds);
	run_rules(&lint);
	df_cmds_release(&lint.cmds);
	/* ShellCheck's findings meet the same suppression; when it cannot run
	 * there are none (it is optional). */
	if (opts && opts->shellcheck)
		(void)df_shellcheck_file(doc, g, opts->shellcheck, &found);

	/* Parse errors are findings too, but one problem is one finding: a
	 * rule finding that stands for a parse error replaces it. */
	size_t nrule = found.len;
	bool *replaces = df_xcalloc(nrule + 1, sizeof(bool));
	add_parse_errors(doc, &found, replaces);

	/* What rules never see: pragmas, the check directive, ignored codes,
	 * severity overrides. */
	df_pragmas pragmas;
	df_pragmas_collect(doc, &pragmas);
	for (size_t i = 0; i < found.len; i++) {
		df_diag *d = &found.items[i];
		if (suppressed(doc, opts, &pragmas, d->line, d->code) ||
		    (i < nrule && replaces[i] && suppressed(doc, opts, &pragmas, d->line, "DL1000")))
			continue;
		df_severity sev = df_checks_severity(&doc->checks, d->code, d->severity);
		for (size_t k = 0; opts && k < opts->noverrides; k++)
			if (strcmp(opts->overrides[k].code, d->code) == 0)
				sev = opts->overrides[k].severity;
		if (sev == DF_SEV_IGNORE)
			continue;	/* a rule that is off unless raised */
		move_diag(out, d, sev);
	}
	df_pragmas_release(&pragmas);
	free(replaces);
	df_diags_release(&found);
	df_diags_sort(out);
}
