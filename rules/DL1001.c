/* DL1001 - inline ignore pragmas (off unless raised). */
#include "engine/pragma.h"
#include "engine/rule.h"

#include <string.h>

static void check(df_lint *lint, void *state);

const df_rule df_rule_DL1001 = {
	.code = "DL1001",
	.name = "no-inline-ignore",
	.severity = DF_SEV_IGNORE,
	.category = DF_CAT_MAINTAINABILITY,
	.fix = DF_FIX_NONE,
	.message = "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`.",
	.docs = {
		.what = "Reports every line-level ignore pragma (`# hadolint ignore=...` or "
			"`# dfopt ignore=...`); the global and stage forms do not count. Off unless "
			"its severity is raised.",
		.why = "Teams that want every exception in the configuration file can forbid "
		       "silencing findings inside the Dockerfile.",
		.example = "FROM alpine:3.20\n# hadolint ignore=DL3003\nRUN cd /src && make\n",
		.instead = "FROM alpine:3.20\nWORKDIR /src\nRUN make\n",
	},
	.on_file_end = check,
};

static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_doc *doc = df_lint_doc(lint);
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
		if (pr.scope == DF_PRAGMA_LINE)
			df_report(lint, &df_rule_DL1001, (df_span){ n->span.start, (uint32_t)(e - doc->src.data) }, NULL);
		df_pragma_release(&pr);
	}
}
