/*
 * engine.h - the rule registry and the runner.
 *
 * df_lint_file() runs every enabled rule over one parsed document and its
 * graph, then applies what rules never see: ignore pragmas and the
 * `# check=` directive (pragma.h), the codes the user turned off, and
 * severity overrides (which win over `check=error=true`). Parse errors of the
 * document come out as DL1000 findings.
 *
 * One problem, one finding: a rule that declares subsumes_parse_error
 * (rule.h) is the specific report of the DL1000 at the same span, which is
 * then dropped; the rule's finding is silenced by ignoring either code.
 * Matching is by exact span, so a parse error elsewhere on the instruction
 * (a different problem) is still reported.
 *
 * Findings are sorted by position, then code: the output is deterministic.
 */
#ifndef DF_ENGINE_ENGINE_H
#define DF_ENGINE_ENGINE_H

#include "context/context.h"
#include "engine/rule.h"
#include "fix/edit.h"

/* Every registered rule, ordered by code. */
const df_rule *const *df_rules(size_t *n);
/* The rule with code (case-sensitive), or NULL. */
const df_rule *df_rule_find(const char *code);

typedef struct df_severity_override {
	const char *code;
	df_severity severity;
} df_severity_override;

/* Types of the label schema (hadolint's label-schema). */
typedef enum df_label_type {
	DF_LABEL_TEXT,
	DF_LABEL_URL,
	DF_LABEL_SEMVER,
	DF_LABEL_HASH,
	DF_LABEL_RFC3339,
	DF_LABEL_SPDX,
	DF_LABEL_EMAIL,
} df_label_type;

typedef struct df_label_spec {
	const char *name;
	df_label_type type;
} df_label_spec;

/* The label type named s ("text", "url", ...); -1 if none. */
int df_label_type_parse(const char *s);

struct df_lint_opts {
	const char *const *ignored;	/* codes turned off */
	size_t nignored;
	const df_severity_override *overrides;
	size_t noverrides;
	bool disable_ignore_pragma;	/* honour no `# hadolint ignore=` */
	/* Rule input (rules read it with df_lint_config()). */
	const char *const *trusted_registries;	/* DL3026; none: the rule is off */
	size_t ntrusted;
	const df_label_spec *labels;	/* label schema: DL3049, DL3051-DL3058 */
	size_t nlabels;
	bool strict_labels;		/* DL3050: labels outside the schema */
	/* The shellcheck program that checks RUN scripts (SC codes); NULL:
	 * none. */
	const char *shellcheck;
	/* The file's build context, for the rules that judge what a COPY
	 * brings in (df_lint_context()): asked for at most once per file, on
	 * first use, so a file whose rules never ask costs no walk of the
	 * tree. It answers the context (NULL: none, as for stdin or
	 * --no-context) and sets *dockerfile to the Dockerfile's path in it
	 * (NULL: not inside it); both stay valid until df_lint_file()
	 * returns. NULL: no context. */
	const df_context *(*context)(void *arg, const char **dockerfile);
	void *context_arg;
	/* The context's files may be fixed (df_fix_ignore()): the Dockerfile
	 * was read from a file, whose path the fixer has. False for stdin. */
	bool context_fixes;
	/* Collect the findings' fixes here (df_report_fix()): each finding
	 * that offers one gets its group as fix_group. NULL: a plain lint,
	 * the findings only say whether they are fixable (fix_kind). */
	df_edits *fixes;
	/* Report a BuildKit check's finding even where a DL rule reports the
	 * same problem (rule.h: same_as): for testing a rule on its own. */
	bool keep_duplicates;
	/* The config's custom rules (engine/custom.h), run after the
	 * built-in ones and under the same suppression. */
	const struct df_custom_rule *custom;
	size_t ncustom;
};

/* Lint doc (with its graph g) into out, which the caller owns. */
void df_lint_file(const df_doc *doc, const df_graph *g, const df_lint_opts *opts, df_diags *out);

#endif
