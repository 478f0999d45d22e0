/*
 * rule.h - what a lint rule is, and the little it may do.
 *
 * A rule is one file in rules/ exporting one const df_rule: its code, name,
 * default severity, category, fix availability, message and docs, which are
 * the single source for `dfopt rules`, `dfopt explain` and docs/rules/.
 * Rules only report: they never print, never see suppression (ignore
 * pragmas, ignored codes, severity overrides), and never look ahead. Their
 * only configuration is rule input read with df_lint_config(). They get hooks in document order:
 * on_instr for every top-level instruction of the kinds in instr_kinds (an
 * ONBUILD trigger is in->inner) when the run gives the input in
 * needs_input, then on_command for the commands of a RUN
 * that bear one of the names in commands, on_stage_end after the last
 * instruction of each stage, on_file_end once.
 * Facts a rule needs later go into its state (state_size bytes, zeroed per
 * file, owned by the engine).
 *
 * Ownership: everything a hook receives is borrowed for the hook's call.
 */
#ifndef DF_ENGINE_RULE_H
#define DF_ENGINE_RULE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/graph.h"
#include "parse/ast.h"
#include "util/diag.h"

typedef enum df_category {
	DF_CAT_CORRECTNESS,
	DF_CAT_SECURITY,
	DF_CAT_CACHE,
	DF_CAT_SIZE,
	DF_CAT_STYLE,
	DF_CAT_MAINTAINABILITY,
} df_category;

typedef enum df_fix_kind {
	DF_FIX_NONE,
	DF_FIX_SAFE,		/* applied by --fix */
	DF_FIX_UNSAFE,		/* needs --unsafe-fixes */
	DF_FIX_DISPLAY,		/* shown, never applied */
} df_fix_kind;

typedef struct df_rule_docs {
	const char *what;	/* What it does */
	const char *why;	/* Why it matters */
	const char *example;	/* a Dockerfile snippet that fires */
	const char *instead;	/* the same, fixed */
} df_rule_docs;

typedef struct df_lint df_lint;	/* the engine's state for one file (opaque) */
typedef struct df_lint_opts df_lint_opts;	/* engine.h */
typedef struct df_cmd_view df_cmd_view;	/* one command of a RUN: cmds.h */
typedef struct df_context df_context;	/* a build context: context/context.h */

/* The bit of instruction kind k in df_rule.instr_kinds. */
#define DF_KIND(k) (UINT32_C(1) << (k))

/* Rule input (df_lint_config()) that a rule's on_instr acts on, as bits in
 * df_rule.needs_input. */
enum {
	DF_INPUT_TRUSTED_REGISTRIES = 1 << 0,	/* some trusted registry */
	DF_INPUT_LABELS = 1 << 1,		/* a label schema, or strict labels */
	DF_INPUT_ALL = (1 << 2) - 1
};

typedef struct df_rule {
	const char *code;	/* "DL3003"; never reused once retired */
	const char *name;	/* kebab-case, e.g. "use-workdir-not-cd" */
	df_severity severity;	/* default */
	df_category category;
	df_fix_kind fix;
	const char *message;	/* what a finding says */
	df_rule_docs docs;
	/* A finding of this rule is the more specific report of the parse
	 * error (DL1000) at the very same span: the engine drops that DL1000,
	 * one finding per problem, and ignoring either code silences it. */
	bool subsumes_parse_error;
	/* A BuildKit check that reports the problem some DL rules report
	 * (their codes, NULL-terminated): where they report it in the same
	 * stage, only the DL finding is kept (hadolint's code, for teams that
	 * switch), and ignoring either code silences it. The two rules'
	 * findings of a stage pair up in line order. */
	const char *const *same_as;
	size_t state_size;
	/* The kinds of instruction on_instr acts on, as DF_KIND() bits (an
	 * ONBUILD counts as ONBUILD and as its trigger's kind); 0: every kind.
	 * The engine calls on_instr for those only: most rules care about one
	 * kind or two, and calling every rule for every instruction costs more
	 * than most of their checks. A rule that keeps state across
	 * instructions names every kind it reads or resets that state on. */
	uint32_t instr_kinds;
	/* The rule input without which on_instr does nothing (no finding, no
	 * state), as DF_INPUT_* bits; 0: none. The engine calls on_instr only
	 * when the run's options give some of it: most runs configure no
	 * such input, and the rules that need it are called for common
	 * kinds. */
	unsigned needs_input;
	void (*on_instr)(df_lint *lint, const df_instr *in, void *state);
	/* The command names (basenames, as df_cmd_named() compares them;
	 * NULL-terminated) the rule is about; NULL: none. The engine looks
	 * each command's name up once for all rules: most rules about
	 * commands care about a program or two, and handing every rule every
	 * command costs more than their checks.
	 *  - on_command (which needs commands) is called, after the on_instr
	 *    hooks, for each command of a RUN (or of an ONBUILD's RUN trigger:
	 *    in is the ONBUILD) bearing one of the names, in source order,
	 *    until it returns non-zero (one finding per instruction, say).
	 *  - With commands, on_instr sees a RUN (or the ONBUILD of one) only
	 *    when one of its commands bears one of the names, and the other
	 *    kinds of instr_kinds as before: for a rule that judges a RUN as a
	 *    whole (looks ahead, or decides after its last command) and finds
	 *    nothing in one without those commands.
	 * A rule that looks at every command whatever its name leaves commands
	 * NULL and walks them with df_lint_each_command() from on_instr. */
	const char *const *commands;
	int (*on_command)(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);
	void (*on_stage_end)(df_lint *lint, const df_stage *stage, void *state);
	void (*on_file_end)(df_lint *lint, void *state);
} df_rule;

/* Report a finding of rule over sp (the offending word); fmt NULL uses the
 * rule's message. */
void df_report(df_lint *lint, const df_rule *rule, df_span sp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A fix, offered with a finding: byte-range edits on the text that was
 * linted (offsets into doc->src.data, as spans are), applied together or
 * not at all (fix/edit.h).
 *
 * df_report_fix() reports like df_report() and says how safe this
 * finding's fix is: DF_FIX_SAFE (`dfopt --fix` applies it), DF_FIX_UNSAFE
 * (only with --unsafe-fixes: it may change what the build does) or
 * DF_FIX_DISPLAY (shown, never applied); never more than the rule's .fix
 * declares. It returns the fix to add edits to, or NULL when the run does
 * not collect fixes (a plain lint) or the finding is sure to be dropped (a
 * rule off by default that the file does not raise): df_fix_edit() on
 * NULL does nothing, so
 * a rule builds its edits unconditionally unless their text is costly.
 * The fix is valid until the rule's next report. A rule reports its
 * finding whole and edits only what the fix is about: comments, layout and
 * line endings around it stay as they are.
 */
typedef struct df_fix df_fix;
df_fix *df_report_fix(df_lint *lint, const df_rule *rule, df_fix_kind kind, df_span sp, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Replace bytes [start, end) of the linted text with text (start == end:
 * insert before start). */
void df_fix_edit(df_fix *fix, uint32_t start, uint32_t end, const char *text);
/* The same with the len bytes at text, which may hold NULs: for text taken
 * from the source (a moved instruction), where a C string would stop at
 * the first NUL and lose the rest. */
void df_fix_edit_n(df_fix *fix, uint32_t start, uint32_t end, const char *text, size_t len);
/* Append pattern (a line of ignore-file syntax, quoted as
 * engine/ignorefix.h does) to the build context's ignore file, the one in
 * force or a new .dockerignore at the root: a fix of a side file
 * (fix/side.h), applied with the fix's other edits or not at all, and only
 * where the run can edit the context's files (a Dockerfile read from a
 * file, not stdin): rules offer it after df_ignore_fix_ok() said yes. */
void df_fix_ignore(df_fix *fix, const char *pattern);

const df_doc *df_lint_doc(const df_lint *lint);
const df_graph *df_lint_graph(const df_lint *lint);
/* The run's options (never NULL; all empty when the caller gave none), for
 * rule input only: the trusted registries (DL3026) and the label schema and
 * strict-labels switch (DL3049-DL3058). Include engine/engine.h for the
 * fields. Suppression in it stays the engine's business. */
const df_lint_opts *df_lint_config(const df_lint *lint);

/* The build context the file is built in, after .dockerignore, or NULL
 * when there is none (stdin, --no-context): rules that need it stay quiet
 * then, or judge from the Dockerfile alone. Opened on the first call. */
const df_context *df_lint_context(df_lint *lint);
/* The Dockerfile's own path in that context ("Dockerfile",
 * "docker/app.Dockerfile"), or NULL when it lies outside or there is no
 * context. */
const char *df_lint_context_dockerfile(df_lint *lint);

/* Helpers rules share. */
const char *df_category_name(df_category c);
const char *df_fix_kind_name(df_fix_kind f);

#endif
