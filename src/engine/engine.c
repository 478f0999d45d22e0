/* engine.c - the rule registry and runner; see engine.h and rule.h. */
#include "engine/engine.h"
#include "engine/cmds.h"
#include "engine/copyctx.h"
#include "engine/custom.h"
#include "engine/pragma.h"
#include "engine/shellcheck.h"
#include "util/buf.h"
#include "util/util.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/*
 * What run_rules() needs to know of the rules, which are constants: built
 * once, on first use (files are linted on several threads), instead of for
 * every file.
 *
 * The hooks there are, and for each kind of instruction the on_instr hooks
 * that want it, in rule order: the loops run for every instruction, where
 * reading every rule's descriptor, or calling every rule, would cost more
 * than the hooks that have something to do. The rules' states go in one
 * block per file, each at offs[r], aligned for any type: a hook's state is
 * found by adding its offset to the block, with no table of pointers to
 * fill for each file (a rule with no state gets the address of its empty
 * place, which it does not read).
 *
 * The names of commands rules declare (df_rule.commands) are in an
 * open-addressing table, each with the set of rules that name it, as bits
 * by rule index so that hooks run in rule order: one lookup of a command's
 * name serves every rule.
 *
 * The codes that take part in same_as pairing (rule.h), sorted for a
 * binary search: each finding is looked up once, instead of compared with
 * every such rule's codes. A rule's finding borrows the rule's code (diag.h),
 * so each rule's code is also kept by its address, with its entry there
 * (NULL: none): most findings are told by one probe, without a strcmp().
 */
#define CMD_SLOTS 256		/* a power of two, at least twice the names */
#define CODE_SLOTS 512		/* a power of two, at least twice the rules */
#define NRULES DF_ARRAY_LEN(all_rules)
#define RULE_WORDS ((NRULES + 63) / 64)

typedef struct cmd_slot {
	const char *name;	/* NULL: free */
	size_t len;
	uint64_t rules[RULE_WORDS];
} cmd_slot;

typedef struct same_as_code {
	const char *code;
	size_t group;		/* which rule with same_as, by order in all_rules */
	bool is_check;		/* the rule's own code, not one it names */
} same_as_code;

typedef struct instr_hook {
	void (*fn)(df_lint *lint, const df_instr *in, void *state);
	uint32_t kinds;		/* 0: all */
	unsigned needs_input;	/* df_rule.needs_input */
	size_t rule;		/* index in all_rules */
	bool gated;		/* a RUN only with one of the rule's commands */
} instr_hook;

/*
 * The on_instr hooks for each kind of instruction, in rule order, for one
 * set of rule input that a run gives (df_rule.needs_input): a rule whose
 * input the run lacks is in none of the lists, and the set chosen for a
 * file depends on its options only.
 */
typedef struct kind_lists {
	/* Each kind's hooks, copied in place: the loops below read each hook
	 * there, not through an index. */
	struct kind_hook {
		void (*fn)(df_lint *lint, const df_instr *in, void *state);
		size_t state;	/* the rule's offs[] */
	} for_kind[DF_I_COUNT][NRULES];
	size_t nfor_kind[DF_I_COUNT];
	/* For a RUN's gate: the hooks of for_kind[k] that no gate skips, as
	 * bits by place in the list, and each rule's place there plus one. */
	uint64_t ungated[DF_I_COUNT][RULE_WORDS];
	uint16_t place[DF_I_COUNT][NRULES];
} kind_lists;

static struct {
	size_t offs[NRULES], total;	/* the states in the block */
	instr_hook instr[NRULES];
	size_t ninstr;
	kind_lists by_input[DF_INPUT_ALL + 1];	/* by the DF_INPUT_* bits given */
	size_t stage[NRULES];	/* rules with on_stage_end */
	size_t nstage;
	size_t file_end[NRULES];	/* rules with on_file_end */
	size_t nfile_end;
	/* Rules off by default whose findings take no part in the file's
	 * other findings (none stands for a parse error or pairs with
	 * another: same_as): unless a file raises their severity, what they
	 * find is dropped at the end of df_lint_file(). */
	size_t off_alone[NRULES];
	size_t noff_alone;
	/* Those of them with neither on_instr nor on_command, which decide
	 * at a stage's or the file's end only: as bits by rule index, the
	 * rules run_rules() leaves out of a file that cannot raise them. */
	uint64_t off_alone_at_end[RULE_WORDS];
	cmd_slot cmds[CMD_SLOTS];
	uint64_t cmd_hooks[RULE_WORDS];	/* rules with on_command */
	same_as_code *same_as;		/* by code */
	size_t nsame_as;
	struct code_slot {
		const char *code;	/* a rule's df_rule.code; NULL: free */
		const same_as_code *same_as;
	} codes[CODE_SLOTS];
} plan;
static pthread_once_t plan_once = PTHREAD_ONCE_INIT;

/* The slot of the name s[0..n), or the free slot where it would go. The
 * hash reads the length and three bytes, not every byte: every command of
 * every RUN is looked up, and the names, few and short, differ there. */
static inline cmd_slot *cmd_slot_of(const char *s, size_t n)
{
	uint32_t h = (uint32_t)n * 0x9e3779b1u;
	if (n)
		h ^= ((uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[n / 2] << 8 |
		      (uint32_t)(unsigned char)s[n - 1] << 16) * 0x85ebca6bu;
	h ^= h >> 16;
	for (size_t i = h & (CMD_SLOTS - 1);; i = (i + 1) & (CMD_SLOTS - 1)) {
		cmd_slot *slot = &plan.cmds[i];
		if (!slot->name || (slot->len == n && memcmp(slot->name, s, n) == 0))
			return slot;
	}
}

static void plan_commands(size_t r, size_t *used)
{
	const df_rule *rule = all_rules[r];
	if (rule->on_command && !rule->commands)
		DF_BUG("rule %s: on_command without commands", rule->code);
	if (rule->on_command)
		plan.cmd_hooks[r / 64] |= UINT64_C(1) << (r % 64);
	for (const char *const *c = rule->commands; c && *c; c++) {
		cmd_slot *slot = cmd_slot_of(*c, strlen(*c));
		if (!slot->name) {
			/* Half full at most: lookups stay short and end. */
			if (++*used > CMD_SLOTS / 2)
				DF_BUG("more command names than CMD_SLOTS / 2");
			slot->name = *c;
			slot->len = strlen(*c);
		}
		slot->rules[r / 64] |= UINT64_C(1) << (r % 64);
	}
}

static int cmp_same_as(const void *a, const void *b)
{
	return strcmp(((const same_as_code *)a)->code, ((const same_as_code *)b)->code);
}

/* Add code to the table of merge_same_as() unless it is there: a code
 * listed twice keeps its first place, group by group and each check's own
 * code first, the group it was matched with when groups were tried in turn. */
static void add_same_as(const char *code, size_t group, bool is_check, size_t *cap)
{
	for (size_t i = 0; i < plan.nsame_as; i++)
		if (strcmp(plan.same_as[i].code, code) == 0)
			return;
	void *items = plan.same_as;
	df_grow(&items, cap, plan.nsame_as + 1, sizeof(*plan.same_as));
	plan.same_as = items;
	plan.same_as[plan.nsame_as++] = (same_as_code){ code, group, is_check };
}

static void plan_same_as(void)
{
	size_t cap = 0, k = 0;
	for (size_t r = 0; r < NRULES; r++) {
		const df_rule *rule = all_rules[r];
		if (!rule->same_as)
			continue;
		add_same_as(rule->code, k, true, &cap);
		for (const char *const *c = rule->same_as; *c; c++)
			add_same_as(*c, k, false, &cap);
		k++;
	}
	if (plan.nsame_as)
		qsort(plan.same_as, plan.nsame_as, sizeof(*plan.same_as), cmp_same_as);
}

static size_t code_slot_of(const char *code)
{
	uint64_t h = (uint64_t)(uintptr_t)code * UINT64_C(0x9e3779b97f4a7c15);	/* Fibonacci hashing */
	size_t i = (size_t)(h >> 40) & (CODE_SLOTS - 1);
	while (plan.codes[i].code && plan.codes[i].code != code)
		i = (i + 1) & (CODE_SLOTS - 1);
	return i;
}

/* After plan_same_as(): each rule's code by its address. */
static void plan_codes(void)
{
	_Static_assert(2 * NRULES <= CODE_SLOTS, "CODE_SLOTS too small");
	for (size_t r = 0; r < NRULES; r++) {
		const char *code = all_rules[r]->code;
		same_as_code want = { code, 0, false };
		struct code_slot *slot = &plan.codes[code_slot_of(code)];
		slot->code = code;
		slot->same_as = plan.nsame_as ? bsearch(&want, plan.same_as, plan.nsame_as, sizeof(want), cmp_same_as)
					      : NULL;
	}
}

/* The entry of code in the same_as table, or NULL. */
static const same_as_code *same_as_of(const char *code)
{
	const struct code_slot *slot = &plan.codes[code_slot_of(code)];
	if (slot->code)
		return slot->same_as;
	/* Not a rule's own code: a parse error's, a copy, ShellCheck's. */
	same_as_code want = { code, 0, false };
	return bsearch(&want, plan.same_as, plan.nsame_as, sizeof(want), cmp_same_as);
}

/* Add rule r's on_instr to the lists of the kinds in kinds. */
static void plan_kind_lists(kind_lists *l, size_t r, uint32_t kinds)
{
	for (uint32_t bits = kinds; bits; bits &= bits - 1) {
		unsigned k = (unsigned)__builtin_ctz(bits);
		size_t at = l->nfor_kind[k]++;
		l->for_kind[k][at] = (struct kind_hook){ all_rules[r]->on_instr, plan.offs[r] };
		l->place[k][r] = (uint16_t)(at + 1);
		if (!all_rules[r]->commands)
			l->ungated[k][at / 64] |= UINT64_C(1) << (at % 64);
	}
}

static void plan_build(void)
{
	const size_t align = _Alignof(max_align_t);
	size_t used = 0;
	for (size_t r = 0; r < NRULES; r++) {
		const df_rule *rule = all_rules[r];
		plan.offs[r] = plan.total;
		plan.total += (rule->state_size + align - 1) & ~(align - 1);
		if (rule->on_instr) {
			uint32_t kinds = rule->instr_kinds, every = DF_KIND(DF_I_COUNT) - 1;
			for (unsigned given = 0; given <= DF_INPUT_ALL; given++)
				if (!rule->needs_input || (rule->needs_input & given))
					plan_kind_lists(&plan.by_input[given], r, kinds ? kinds & every : every);
			plan.instr[plan.ninstr++] =
				(instr_hook){ rule->on_instr, kinds, rule->needs_input, r, rule->commands != NULL };
		}
		if (rule->on_stage_end)
			plan.stage[plan.nstage++] = r;
		if (rule->on_file_end)
			plan.file_end[plan.nfile_end++] = r;
		plan_commands(r, &used);
	}
	plan_same_as();
	plan_codes();
	for (size_t r = 0; r < NRULES; r++) {
		const df_rule *rule = all_rules[r];
		if (rule->severity == DF_SEV_IGNORE && !rule->subsumes_parse_error &&
		    !plan.codes[code_slot_of(rule->code)].same_as) {
			plan.off_alone[plan.noff_alone++] = r;
			if (!rule->on_instr && !rule->on_command)
				plan.off_alone_at_end[r / 64] |= UINT64_C(1) << (r % 64);
		}
	}
}

struct df_lint {
	const df_doc *doc;
	const df_graph *graph;
	df_diags *out;
	const df_lint_opts *opts;	/* never NULL */
	df_cmds cmds;			/* of the instruction the rules are on */
	bool context_asked;		/* opts->context was called */
	const df_context *context;	/* its answers */
	const char *context_dockerfile;
	struct df_fix {			/* what df_report_fix() hands out */
		df_edits *edits;
		size_t group;
	} fix;
	df_copy_memo copy;		/* copyctx.c's, for the file */
};

df_copy_memo *df_lint_copy_memo(df_lint *lint)
{
	return &lint->copy;
}

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

static void ask_context(df_lint *lint)
{
	if (lint->context_asked)
		return;
	lint->context_asked = true;
	if (lint->opts->context)
		lint->context = lint->opts->context(lint->opts->context_arg, &lint->context_dockerfile);
	if (!lint->context)
		lint->context_dockerfile = NULL;
}

const df_context *df_lint_context(df_lint *lint)
{
	ask_context(lint);
	return lint->context;
}

const char *df_lint_context_dockerfile(df_lint *lint)
{
	ask_context(lint);
	return lint->context_dockerfile;
}

df_cmds *df_lint_cmds(df_lint *lint)
{
	return &lint->cmds;
}

/* The most pieces format_plain() takes: runs of literal text and
 * arguments. */
#define PLAIN_PIECES 16

/*
 * What vsnprintf() writes for fmt, in the text of list, and its length,
 * when fmt is literal text, "%%" and the conversions messages use: %s,
 * %.*s and %u. NULL, with ap untouched, for any other fmt, a NULL string
 * or more pieces than PLAIN_PIECES: vsnprintf() is then asked. Its set-up
 * costs more than formatting a message so: most messages are a sentence
 * with a name or two.
 */
static const char *format_plain(df_diags *list, size_t *len, const char *fmt, va_list ap)
{
	struct {
		const char *text;
		size_t len;
	} piece[PLAIN_PIECES];
	char digits[PLAIN_PIECES][DF_PUT_U_MAX];
	size_t n = 0, total = 0;
	bool plain = true;
	va_list cp;
	va_copy(cp, ap);
	for (const char *f = fmt; *f && plain; n++) {
		if (n == PLAIN_PIECES) {
			plain = false;
		} else if (*f != '%') {
			const char *end = strchrnul(f, '%');
			piece[n].text = f;
			piece[n].len = (size_t)(end - f);
			f = end;
		} else if (f[1] == '%') {
			piece[n].text = f + 1;
			piece[n].len = 1;
			f += 2;
		} else if (f[1] == 's') {
			const char *s = va_arg(cp, const char *);
			plain = s != NULL;	/* vsnprintf() writes "(null)" */
			piece[n].text = s;
			piece[n].len = s ? strlen(s) : 0;
			f += 2;
		} else if (f[1] == '.' && f[2] == '*' && f[3] == 's') {
			int prec = va_arg(cp, int);
			const char *s = va_arg(cp, const char *);
			plain = s != NULL;
			piece[n].text = s;
			/* At most prec bytes, none past a NUL; a negative
			 * precision is taken as none. */
			piece[n].len = !s ? 0 : prec < 0 ? strlen(s) : strnlen(s, (size_t)prec);
			f += 4;
		} else if (f[1] == 'u') {
			piece[n].text = digits[n];
			piece[n].len = (size_t)(df_put_u(digits[n], va_arg(cp, unsigned)) - digits[n]);
			f += 2;
		} else {
			plain = false;
		}
		total += plain ? piece[n].len : 0;
	}
	va_end(cp);
	if (!plain)
		return NULL;
	char *text = df_diags_text(list, total), *p = text;
	for (size_t k = 0; k < n; k++)
		p = df_put(p, piece[k].text, piece[k].len);
	*p = '\0';
	/* No piece holds a NUL. */
	*len = total;
	return text;
}

/*
 * The message text fmt formats, in the text of list, and its length.
 * Formatting is a good part of what reporting costs: "%s" (a message a
 * rule built itself) is a copy, most other formats are format_plain()'s,
 * and the rest are formatted once into room that fits nearly every
 * message, then copied.
 */
static const char *format_text(df_diags *list, size_t *len, const char *fmt, va_list ap)
{
	if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) {
		va_list cp;
		va_copy(cp, ap);
		const char *s = va_arg(cp, const char *);
		va_end(cp);
		if (s) {
			*len = strlen(s);
			return memcpy(df_diags_text(list, *len), s, *len + 1);
		}
	}
	const char *plain = format_plain(list, len, fmt, ap);
	if (plain)
		return plain;
	char room[512];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(room, sizeof(room), fmt, cp);
	va_end(cp);
	if (n < 0)
		DF_BUG("bad format '%s'", fmt);
	char *text = df_diags_text(list, (size_t)n);
	if ((size_t)n < sizeof(room))
		memcpy(text, room, (size_t)n + 1);
	else
		vsnprintf(text, (size_t)n + 1, fmt, ap);
	/* Measured, not n: a "%c" may have written a NUL, which ends it. */
	*len = strlen(text);
	return text;
}

/* d's message formatted from fmt, into the text of list, which owns it.
 * Its length is kept: output would measure it again. */
static void format_message(df_diags *list, df_diag *d, const char *fmt, va_list ap)
{
	size_t len;
	d->message = format_text(list, &len, fmt, ap);
	d->message_len = df_diag_len_field(len);
	d->borrowed_message = false;
}

/* Where a finding's span starts and ends, as df_source_pos() tells, as
 * d's position. Most spans end on the line they start on: then the end's
 * column is counted from that line's start, without a second search of
 * the lines. */
static void span_pos(const df_source *src, df_span sp, df_diag *d)
{
	size_t end = sp.end > sp.start ? sp.end : sp.start;
	df_source_pos(src, sp.start, &d->line, &d->col);
	if (d->line >= src->nlines || src->line_starts[d->line] > end) {
		d->end_line = d->line;
		d->end_col = d->col + (uint32_t)(end - sp.start);
		return;
	}
	df_source_pos(src, end, &d->end_line, &d->end_col);
}

/* May lint's file raise the severity of rule's findings: a severity
 * override that names it, or a check directive that changes severities? */
static bool may_be_raised(const df_lint *lint, const df_rule *rule)
{
	if (df_checks_may_change_severity(&lint->doc->checks))
		return true;
	for (size_t k = 0; k < lint->opts->noverrides; k++)
		if (strcmp(lint->opts->overrides[k].code, rule->code) == 0)
			return true;
	return false;
}

/* Is a finding of rule sure to be dropped at the end of df_lint_file()?
 * Then it is not recorded at all: its position and message would be
 * worked out for nothing. Asked of every finding: the usual answer, a
 * rule that is on, first. */
static bool never_shown(const df_lint *lint, const df_rule *rule)
{
	if (rule->severity != DF_SEV_IGNORE)
		return false;
	for (size_t k = 0; k < plan.noff_alone; k++)
		if (all_rules[plan.off_alone[k]] == rule)
			return !may_be_raised(lint, rule);
	return false;
}

void df_report(df_lint *lint, const df_rule *rule, df_span sp, const char *fmt, ...)
{
	if (never_shown(lint, rule))
		return;
	/* The rule's code and fixed message live as long as the program:
	 * borrowed, not copied. span_pos() sets the position. */
	df_diag *d = df_diags_add_static(lint->out, rule->severity, rule->code, 0, 0, 0, 0, rule->message);
	span_pos(&lint->doc->src, sp, d);
	if (!fmt)
		return;
	va_list ap;
	va_start(ap, fmt);
	format_message(lint->out, d, fmt, ap);
	va_end(ap);
}

df_fix *df_report_fix(df_lint *lint, const df_rule *rule, df_fix_kind kind, df_span sp, const char *fmt, ...)
{
	/* A fix applies with its finding only: none for a dropped one. */
	if (never_shown(lint, rule))
		return NULL;
	/* Borrowed, as df_report()'s: the code and fixed message are the
	 * rule's. span_pos() sets the position. */
	df_diag *d = df_diags_add_static(lint->out, rule->severity, rule->code, 0, 0, 0, 0, rule->message);
	span_pos(&lint->doc->src, sp, d);
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		format_message(lint->out, d, fmt, ap);
		va_end(ap);
	}
	/* A finding never offers more than its rule declares. */
	if (kind == DF_FIX_NONE || rule->fix == DF_FIX_NONE)
		return NULL;
	if (kind < rule->fix)
		kind = rule->fix;
	d->fix_kind = (unsigned char)kind;
	if (!lint->opts->fixes)
		return NULL;
	lint->fix.edits = lint->opts->fixes;
	lint->fix.group = df_edits_begin(lint->opts->fixes);
	d->fix_group = (uint32_t)lint->fix.group + 1;
	return &lint->fix;
}

void df_fix_edit_n(df_fix *fix, uint32_t start, uint32_t end, const char *text, size_t len)
{
	if (!fix)
		return;
	/* df_edits_add() files an edit under the newest group: make sure the
	 * group is this fix's even if the rule edits after another report. */
	if (fix->edits->ngroups != fix->group + 1)
		DF_BUG("df_fix_edit() after another finding was reported");
	df_edits_add(fix->edits, start, end, text, len);
}

void df_fix_edit(df_fix *fix, uint32_t start, uint32_t end, const char *text)
{
	df_fix_edit_n(fix, start, end, text, strlen(text));
}

void df_fix_ignore(df_fix *fix, const char *pattern)
{
	if (!fix)
		return;
	if (fix->edits->ngroups != fix->group + 1)
		DF_BUG("df_fix_ignore() after another finding was reported");
	df_edits_add_line(fix->edits, pattern);
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
 * same span): also[k] = "DL1000" tells that found[k] took one's place. Sorted and
 * searched, so a hostile file full of both stays n log n.
 */
static void add_parse_errors(const df_doc *doc, df_diags *found, const char **also)
{
	if (!doc->diags.len)
		return;	/* most files parse cleanly */
	const char *codes[DF_ARRAY_LEN(all_rules)];
	size_t ncodes = 0;
	for (size_t r = 0; r < DF_ARRAY_LEN(all_rules); r++)
		if (all_rules[r]->subsumes_parse_error)
			codes[ncodes++] = all_rules[r]->code;
	size_t nrule = found->len, ncand = 0;
	span_key *cand = df_xcalloc(nrule + 1, sizeof(span_key));
	for (size_t k = 0; k < nrule; k++)
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
			also[cand[lo].idx] = "DL1000";
			continue;
		}
		df_diags_add_str(found, d->severity, d->code, d->line, d->col, d->end_line, d->end_col, d->message);
	}
	free(cand);
}

/* A finding of a rule with same_as, or of a code one names, placed for
 * pairing: which such rule, the stage and line of the finding. */
typedef struct pair_key {
	size_t group;		/* which rule with same_as it belongs to */
	int stage;
	uint32_t line;
	size_t idx;		/* in found */
} pair_key;

static int cmp_pair_key(const void *a, const void *b)
{
	const pair_key *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->stage != y->stage)
		return x->stage < y->stage ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The stage of the instruction that holds line; -1 outside any. */
static int stage_of_line(const df_doc *doc, const df_graph *g, uint32_t line)
{
	size_t lo = 0, hi = doc->ninstrs;
	while (lo < hi) {	/* the first instruction ending at or after line */
		size_t mid = lo + (hi - lo) / 2;
		if (doc->instrs[mid]->end_line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < doc->ninstrs && doc->instrs[lo]->line <= line)
		return g->steps[lo].stage;
	return -1;
}

/*
 * One finding per problem where a BuildKit check and DL rules report the
 * same one (rule.h: same_as): in each stage, the check's findings and the
 * DL rules' pair up in line order; each paired check finding is dropped,
 * and its code goes to also[] of the DL finding kept, so that suppressing
 * either code silences it. Linear after sorting, however many there are.
 */
static void merge_same_as(const df_doc *doc, const df_graph *g, const df_diags *found, size_t nrule,
			  const char **also, bool *dropped)
{
	pair_key *checks = NULL, *dls = NULL;
	size_t nchecks = 0, ndls = 0;
	for (size_t i = 0; i < nrule && plan.nsame_as; i++) {
		const same_as_code *sc = same_as_of(found->items[i].code);
		if (!sc)
			continue;
		if (!checks) {	/* the first such finding: most files have none */
			checks = df_xcalloc(nrule, sizeof(pair_key));
			dls = df_xcalloc(nrule, sizeof(pair_key));
		}
		uint32_t line = found->items[i].line;
		pair_key key = { sc->group, stage_of_line(doc, g, line), line, i };
		if (sc->is_check)
			checks[nchecks++] = key;
		else
			dls[ndls++] = key;
	}
	if (!nchecks || !ndls) {
		free(checks);
		free(dls);
		return;	/* nothing to pair (and qsort wants no NULL) */
	}
	qsort(checks, nchecks, sizeof(pair_key), cmp_pair_key);
	qsort(dls, ndls, sizeof(pair_key), cmp_pair_key);
	for (size_t c = 0, d = 0; c < nchecks && d < ndls;) {
		const pair_key *x = &checks[c], *y = &dls[d];
		if (x->group != y->group || x->stage != y->stage) {
			/* different problems: step past the smaller */
			pair_key xs = *x, ys = *y;
			xs.line = ys.line = 0;
			xs.idx = ys.idx = 0;
			if (cmp_pair_key(&xs, &ys) < 0)
				c++;
			else
				d++;
			continue;
		}
		dropped[x->idx] = true;
		if (!also[y->idx])
			also[y->idx] = found->items[x->idx].code;
		c++, d++;
	}
	free(checks);
	free(dls);
}

/* The on_command hooks for the commands of one instruction. */
typedef struct cmd_pass {
	df_lint *lint;
	const df_instr *in;		/* the RUN, or the ONBUILD of one */
	unsigned char *states;		/* the block of the rules' states */
	uint64_t done[RULE_WORDS];	/* rules whose hook returned non-zero */
} cmd_pass;

/* The hooks of the rules of slot (which names v's command) for v. */
static void dispatch_command(cmd_pass *p, const cmd_slot *slot, const df_cmd_view *v)
{
	for (size_t w = 0; w < RULE_WORDS; w++) {
		uint64_t bits = slot->rules[w] & plan.cmd_hooks[w] & ~p->done[w];
		for (; bits; bits &= bits - 1) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			size_t r = w * 64 + b;
			if (all_rules[r]->on_command(p->lint, p->in, v, p->states + plan.offs[r]))
				p->done[w] |= UINT64_C(1) << b;
		}
	}
}

/*
 * The rules that the commands of run (a RUN) name, as bits by rule index
 * into has, and each command's slot (NULL: no rule names it) into slots,
 * room for *n (updated to the commands' count) or, for more commands, an
 * array the caller frees: one lookup of each name serves the gate and
 * the on_command hooks.
 */
static const cmd_slot **mark_rules(df_lint *lint, const df_instr *run, uint64_t *has, const cmd_slot **room,
				   size_t *n)
{
	size_t ncmds;
	const df_cmd_view *views = df_cmds_views(&lint->cmds, run, &ncmds);
	const cmd_slot **slots = ncmds <= *n ? room : df_xmalloc(ncmds * sizeof(*slots));
	for (size_t i = 0; i < ncmds; i++) {
		const cmd_slot *slot = cmd_slot_of(views[i].basename.ptr, views[i].basename.len);
		slots[i] = slot->name ? slot : NULL;
		for (size_t w = 0; slot->name && w < RULE_WORDS; w++)
			has[w] |= slot->rules[w];
	}
	*n = ncmds;
	return slots;
}

/* Does h skip an instruction? has: the rules that the commands of the
 * instruction's RUN name, NULL for an instruction that runs none; given:
 * the rule input the run gives (input_given()). */
static bool skips(const instr_hook *h, const uint64_t *has, unsigned given)
{
	return (h->needs_input && !(h->needs_input & given)) ||
	       (has && h->gated && !((has[h->rule / 64] >> (h->rule % 64)) & 1));
}

/* The DF_INPUT_* bits of the rule input o gives. */
static unsigned input_given(const df_lint_opts *o)
{
	return (o->ntrusted ? DF_INPUT_TRUSTED_REGISTRIES : 0) |
	       (o->nlabels || o->strict_labels ? DF_INPUT_LABELS : 0);
}

/* Run the rules' hooks over lint's file in document order: every
 * instruction (on_instr, then on_command), then its stage's end; the file's
 * end last. */
static void run_rules(df_lint *lint)
{
	const df_doc *doc = lint->doc;
	const df_graph *g = lint->graph;
	/* The states on the stack when they fit (today's rules need under
	 * 2 KB): a heap block of that size cost more than many files' hooks. */
	_Alignas(max_align_t) unsigned char room_states[2048];
	unsigned char *block = room_states;
	if (plan.total > sizeof(room_states))
		block = df_xcalloc(1, plan.total);
	else
		memset(block, 0, plan.total);
	/* A rule that only decides at a stage's or the file's end, and whose
	 * findings this file would drop (never_shown()), is not run: rules
	 * only report. (Rules with on_instr or on_command hooks are in lists
	 * every file shares, and run as usual.) may_be_raised() says no for
	 * each of them unless the file has a severity override or a check
	 * directive that changes severities, which most files have not. */
	uint64_t quiet[RULE_WORDS];
	memcpy(quiet, plan.off_alone_at_end, sizeof(quiet));
	if (lint->opts->noverrides || df_checks_may_change_severity(&doc->checks))
		for (size_t w = 0; w < RULE_WORDS; w++)
			for (uint64_t bits = plan.off_alone_at_end[w]; bits; bits &= bits - 1) {
				unsigned b = (unsigned)__builtin_ctzll(bits);
				if (may_be_raised(lint, all_rules[w * 64 + b]))
					quiet[w] &= ~(UINT64_C(1) << b);
			}

	unsigned given = input_given(lint->opts);
	const kind_lists *lists = &plan.by_input[given];

	/* The stages follow one another, each to its last instruction: the
	 * next to end is the only one an instruction can end. The document
	 * and graph do not change while the rules run: what the loop reads
	 * of them at every instruction is in locals, which the compiler
	 * would otherwise load again after each hook call. */
	df_instr *const *instrs = doc->instrs;
	const size_t ninstrs = doc->ninstrs;
	const df_stage *const stages = g->stages;
	const size_t nstages = g->nstages;
	size_t next_stage = 0;
	size_t stage_last = nstages ? stages[0].last : SIZE_MAX;	/* the next stage's */
	for (size_t i = 0; i < ninstrs; i++) {
		const df_instr *in = instrs[i];
		/* The rules the commands of a RUN name: one lookup of each
		 * command's name decides which hooks see the RUN at all. */
		const df_instr *run = in->inner ? in->inner : in;
		uint64_t has[RULE_WORDS] = { 0 }, any = 0;
		const uint64_t *gate = NULL;
		const cmd_slot *room[32], **slots = NULL;
		size_t ncmds = DF_ARRAY_LEN(room);
		if (run->kind == DF_I_RUN) {
			slots = mark_rules(lint, run, has, room, &ncmds);
			for (size_t w = 0; w < RULE_WORDS; w++)
				any |= has[w] & plan.cmd_hooks[w];
			gate = has;
		}
		if (in->inner) {
			/* An ONBUILD is of two kinds: its own and its trigger's. */
			uint32_t kinds = DF_KIND(in->kind) | DF_KIND(in->inner->kind);
			for (size_t h = 0; h < plan.ninstr; h++) {
				const instr_hook *hk = &plan.instr[h];
				if ((!hk->kinds || (hk->kinds & kinds)) && !skips(hk, gate, given))
					hk->fn(lint, in, block + plan.offs[hk->rule]);
			}
		} else if (!gate) {
			/* The loop most instructions take: the list and its
			 * length in locals, as a hook could, for all the
			 * compiler knows, change plan. */
			const struct kind_hook *hooks = lists->for_kind[in->kind];
			size_t n = lists->nfor_kind[in->kind];
			for (size_t k = 0; k < n; k++)
				hooks[k].fn(lint, in, block + hooks[k].state);
		} else {
			/* A RUN: most of its hooks are gated and its commands
			 * name few rules, so the hooks to call are collected as
			 * bits by place in the list, then called in that order. */
			uint64_t on[RULE_WORDS];
			memcpy(on, lists->ungated[in->kind], sizeof(on));
			for (size_t w = 0; w < RULE_WORDS; w++)
				for (uint64_t bits = has[w]; bits; bits &= bits - 1) {
					size_t r = w * 64 + (unsigned)__builtin_ctzll(bits);
					size_t place = lists->place[in->kind][r];
					if (place)
						on[(place - 1) / 64] |= UINT64_C(1) << ((place - 1) % 64);
				}
			const struct kind_hook *hooks = lists->for_kind[in->kind];
			for (size_t w = 0; w < RULE_WORDS; w++)
				for (uint64_t bits = on[w]; bits; bits &= bits - 1) {
					size_t at = w * 64 + (unsigned)__builtin_ctzll(bits);
					hooks[at].fn(lint, in, block + hooks[at].state);
				}
		}
		if (any) {
			/* The hooks above may have looked at other RUNs: the
			 * window back on this one (loaded, so nothing moves),
			 * read afresh at each command. */
			cmd_pass p = { lint, in, block, { 0 } };
			size_t n;
			df_cmds_views(&lint->cmds, run, &n);
			for (size_t k = 0; k < n; k++)
				if (slots[k])
					dispatch_command(&p, slots[k], &lint->cmds.views[k]);
		}
		if (slots && slots != room)
			free(slots);
		if (i == stage_last) {
			const df_stage *stage = &stages[next_stage++];
			stage_last = next_stage < nstages ? stages[next_stage].last : SIZE_MAX;
			for (size_t h = 0; h < plan.nstage; h++) {
				size_t r = plan.stage[h];
				if (!((quiet[r / 64] >> (r % 64)) & 1))
					all_rules[r]->on_stage_end(lint, stage, block + plan.offs[r]);
			}
		}
	}
	for (size_t h = 0; h < plan.nfile_end; h++) {
		size_t r = plan.file_end[h];
		if (!((quiet[r / 64] >> (r % 64)) & 1))
			all_rules[r]->on_file_end(lint, block + plan.offs[r]);
	}
	if (block != room_states)
		free(block);
}

void df_lint_file(const df_doc *doc, const df_graph *g, const df_lint_opts *opts, df_diags *out)
{
	df_diags found = DF_DIAGS_INIT;
	static const df_lint_opts no_opts;
	df_lint lint = { doc, g, &found, opts ? opts : &no_opts, { 0 }, false, NULL, NULL, { NULL, 0 }, { NULL } };
	pthread_once(&plan_once, plan_build);
	df_cmds_init(&lint.cmds);
	run_rules(&lint);
	df_cmds_release(&lint.cmds);
	df_copy_sources_release(&lint.copy.srcs);
	/* ShellCheck's findings meet the same suppression; when it cannot run
	 * there are none (it is optional). */
	if (opts && opts->shellcheck)
		(void)df_shellcheck_file(doc, g, opts->shellcheck, &found);
	if (opts && opts->ncustom)
		df_custom_lint(doc, opts->custom, opts->ncustom, &found);

	/* Parse errors are findings too, but one problem is one finding: a
	 * rule finding that stands for a parse error replaces it. */
	size_t nrule = found.len;
	/* On the stack for the usual count: allocating them cost more than
	 * the rest of this tail for most files. Only the first nrule entries
	 * are ever read or written: the rest of the room is not cleared. */
	const char *also_room[64];
	bool dropped_room[64];
	const char **also = also_room;
	bool *dropped = dropped_room;
	if (nrule < DF_ARRAY_LEN(also_room)) {
		memset(also, 0, nrule * sizeof(*also));
		memset(dropped, 0, nrule * sizeof(*dropped));
	} else {
		also = df_xcalloc(nrule + 1, sizeof(*also));
		dropped = df_xcalloc(nrule + 1, sizeof(*dropped));
	}
	add_parse_errors(doc, &found, also);
	if (!(opts && opts->keep_duplicates))
		merge_same_as(doc, g, &found, nrule, also, dropped);

	/* What rules never see: pragmas, the check directive, ignored codes,
	 * severity overrides. */
	df_pragmas pragmas;
	df_pragmas_collect(doc, &pragmas);
	/* Most files have no ignored code, no pragma and no check directive:
	 * then no finding is looked up (pragma.c's functions would each say
	 * at once that there is nothing to do, for every finding). */
	const df_check_opts *ck = &doc->checks;
	bool may_suppress = (opts && opts->nignored) || df_checks_may_skip(ck) ||
			    (pragmas.len && !(opts && opts->disable_ignore_pragma));
	bool may_raise = df_checks_may_change_severity(ck);
	/* The findings kept are moved to the front of found, which out then
	 * takes over whole, text and all: no message is copied again. */
	size_t kept = 0;
	for (size_t i = 0; i < found.len; i++) {
		df_diag *d = &found.items[i];
		if ((i < nrule && dropped[i]) ||
		    (may_suppress && (suppressed(doc, opts, &pragmas, d->line, d->code) ||
				      (i < nrule && also[i] && suppressed(doc, opts, &pragmas, d->line, also[i])))))
			continue;
		df_severity sev = may_raise ? df_checks_severity(ck, d->code, d->severity) : d->severity;
		for (size_t k = 0; opts && k < opts->noverrides; k++)
			if (strcmp(opts->overrides[k].code, d->code) == 0)
				sev = opts->overrides[k].severity;
		if (sev == DF_SEV_IGNORE)
			continue;	/* a rule that is off unless raised */
		d->severity = sev;
		if (kept != i)	/* most files drop none: each finding is in place */
			found.items[kept] = *d;
		kept++;
	}
	found.len = kept;
	df_pragmas_release(&pragmas);
	if (also != also_room)
		free(also);
	if (dropped != dropped_room)
		free(dropped);
	df_diags_take(out, &found);
	df_diags_release(&found);
	df_diags_sort(out);
}
