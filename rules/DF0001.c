/* DF0001 - an ignore pragma or check directive names a code nothing reports. */
#include "engine/custom.h"
#include "engine/engine.h"
#include "engine/pragma.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, void *state);

const df_rule df_rule_DF0001 = {
	.code = "DF0001",
	.name = "unknown-code-in-pragma",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "unknown code in ignore pragma",
	.docs = {
		.what = "Reports a code in an ignore pragma (`# hadolint ignore=`, `# dfopt ignore=`, and their "
			"`global` and `stage` forms) that no rule reports, and a name in `# check=skip=` that is "
			"not a BuildKit build check. Known codes are the registered rules, DL1000 (parse errors), "
			"ShellCheck's `SC` followed by digits, BuildKit's check names, and the codes of the "
			"configuration's custom rules (docs/custom-rules.md). Codes are case-sensitive; a near "
			"miss is named in the message.",
		.why = "A misspelt code silences nothing: the finding it was meant for still fails the build, "
		       "or a code retired upstream leaves a pragma that only looks like it does something. "
		       "BuildKit ignores unknown names in `# check=skip=` without a word.",
		.example = "# check=skip=jsonargsrecommended\n"
			   "FROM alpine:3.20\n"
			   "# hadolint ignore=DL3OO3\n"
			   "RUN cd /src && make\n"
			   "CMD make run\n",
		.instead = "# check=skip=JSONArgsRecommended\n"
			   "FROM alpine:3.20\n"
			   "# hadolint ignore=DL3003\n"
			   "RUN cd /src && make\n"
			   "CMD make run\n",
	},
	.on_file_end = check,
};

/* Removed from hadolint; never reused (RULES.md). */
static const char *const retired[] = { "DL3005", "DL3017", "DL3031", "DL3039", "DL4002" };

static void report_code(df_lint *lint, df_span sp, const char *code)
{
	for (size_t i = 0; i < DF_ARRAY_LEN(retired); i++)
		if (strcmp(code, retired[i]) == 0) {
			df_report(lint, &df_rule_DF0001, sp, "code '%s' in ignore pragma was retired and is never reported",
				  code);
			return;
		}
	char upper[64];
	size_t n = strlen(code);
	if (n < sizeof(upper)) {
		for (size_t i = 0; i <= n; i++)
			upper[i] = (char)df_to_upper((unsigned char)code[i]);
		if (df_code_known(upper) && !df_code_is_buildkit_check(upper, n)) {
			df_report(lint, &df_rule_DF0001, sp, "unknown code '%s' in ignore pragma (did you mean '%s'?)", code,
				  upper);
			return;
		}
	}
	const char *near = df_buildkit_check_near(code, n);
	if (near)
		df_report(lint, &df_rule_DF0001, sp, "unknown code '%s' in ignore pragma (did you mean '%s'?)", code, near);
	else
		df_report(lint, &df_rule_DF0001, sp, "unknown code '%s' in ignore pragma", code);
}

static void report_check(df_lint *lint, df_span sp, df_str name)
{
	char code[64];
	if (name.len < sizeof(code)) {
		memcpy(code, name.ptr, name.len);
		code[name.len] = '\0';
		if (df_code_known(code)) {
			df_report(lint, &df_rule_DF0001, sp,
				  "'%s' is not a BuildKit check: check=skip skips only build checks (use an ignore pragma)",
				  code);
			return;
		}
	}
	const char *near = df_buildkit_check_near(name.ptr, name.len);
	if (near)
		df_report(lint, &df_rule_DF0001, sp, "unknown build check '%.*s' in check directive (did you mean '%s'?)",
			  (int)name.len, name.ptr, near);
	else
		df_report(lint, &df_rule_DF0001, sp, "unknown build check '%.*s' in check directive", (int)name.len,
			  name.ptr);
}

static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_doc *doc = df_lint_doc(lint);
	const df_lint_opts *opts = df_lint_config(lint);	/* the config's custom rules are known codes */
	for (size_t i = 0; i < doc->checks.nskip; i++)
		if (!df_code_is_buildkit_check(doc->checks.skip[i].ptr, doc->checks.skip[i].len))
			report_check(lint, doc->checks.skip_spans[i], doc->checks.skip[i]);
	for (size_t i = 0; i < doc->nnodes; i++) {
		const df_node *n = &doc->nodes[i];
		if (n->kind != DF_NODE_COMMENT)
			continue;
		const char *s = doc->src.data + n->span.start, *e = doc->src.data + n->span.end;
		while (e > s && (e[-1] == '\n' || e[-1] == '\r'))
			e--;
		df_pragma pr;
		/* A pragma has its `ignore=`: most comments lack the `=`,
		 * which costs less to look for than parsing them. */
		if (!memchr(s, '=', (size_t)(e - s)) || !df_pragma_parse(s, e, &pr))
			continue;
		for (size_t k = 0; k < pr.ncodes; k++) {
			if (df_code_known(pr.codes[k]) || df_custom_find(opts->custom, opts->ncustom, pr.codes[k]))
				continue;
			uint32_t start = n->span.start + pr.offs[k];
			report_code(lint, (df_span){ start, start + (uint32_t)strlen(pr.codes[k]) }, pr.codes[k]);
		}
		df_pragma_release(&pr);
	}
}
