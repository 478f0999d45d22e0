/* InvalidDefinitionDescription - a comment above FROM/ARG that is no description. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, void *state);

const df_rule df_rule_InvalidDefinitionDescription = {
	.code = "InvalidDefinitionDescription",
	.name = "invalid-definition-description",
	.severity = DF_SEV_IGNORE,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_NONE,
	.message = "a comment right above a stage or ARG should start with its name",
	.docs = {
		.what = "BuildKit's check of the same name, off by default (as in BuildKit, where it "
			"is experimental; `# check=experimental=InvalidDefinitionDescription` or "
			"`experimental=all` turns it on as a warning, and `skip=` does not reach it "
			"then): reports the comment lines directly above a named stage's "
			"FROM or an ARG when the first word of the first of them is not the stage "
			"name or one of the ARG's names. A blank line between the comment and the "
			"instruction makes the comment an ordinary one.",
		.why = "Tools that document a build (`docker buildx build --call=outline`) read "
		       "the comment right above a stage or an ARG as its description, in the "
		       "form `# NAME description`. A comment that is not meant as one shows up "
		       "as a confusing description.",
		.example = "# the build toolchain\nFROM golang:1.22 AS build\n",
		.instead = "# build compiles the server\nFROM golang:1.22 AS build\n",
	},
	.on_file_end = check,
};

/* The first word of a comment line: after the '#' and blanks. */
static df_str first_word(const df_source *src, df_span line, uint32_t *off)
{
	uint32_t i = line.start, e = line.end;
	while (i < e && df_is_space((unsigned char)src->data[i]))
		i++;
	if (i < e && src->data[i] == '#')
		i++;
	while (i < e && df_is_blank((unsigned char)src->data[i]))
		i++;
	uint32_t j = i;
	while (j < e && !df_is_space((unsigned char)src->data[j]))
		j++;
	*off = i;
	return (df_str){ src->data + i, j - i };
}

static void judge(df_lint *lint, const df_doc *doc, const df_node *comment, const df_instr *in)
{
	uint32_t off;
	df_str w = first_word(&doc->src, comment->span, &off);
	const char *what;
	if (in->kind == DF_I_FROM) {
		df_str name = in->from_alias.raw;
		if (!name.ptr || (w.len == name.len && !memcmp(w.ptr, name.ptr, w.len)))
			return;
		what = "stage";
	} else {
		if (!in->npairs)
			return;
		for (size_t i = 0; i < in->npairs; i++)
			if (w.len == in->pairs[i].key.len && !memcmp(w.ptr, in->pairs[i].key.ptr, w.len))
				return;
		what = "ARG";
	}
	df_span sp = { off, off + (uint32_t)w.len };
	if (w.len == 0) {
		/* A bare '#': the line without its newline. */
		sp = comment->span;
		while (sp.end > sp.start && df_is_space((unsigned char)doc->src.data[sp.end - 1]))
			sp.end--;
	}
	df_str name = in->kind == DF_I_FROM ? in->from_alias.raw
		      : in->npairs == 1 ? in->pairs[0].key : (df_str){ "<name>", 6 };
	df_report(lint, &df_rule_InvalidDefinitionDescription, sp,
		  "the comment right above this %s should read '# %.*s <description>'; if it is no description, put a blank line in between",
		  what, (int)name.len, name.ptr);
}

static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_doc *doc = df_lint_doc(lint);
	const df_node *block = NULL;	/* first line of the comments just above */
	for (size_t i = 0; i < doc->nnodes; i++) {
		const df_node *n = &doc->nodes[i];
		if (n->kind == DF_NODE_COMMENT) {
			if (!block)
				block = n;
			continue;
		}
		if (n->kind == DF_NODE_INSTR && block && !n->instr->has_error &&
		    (n->instr->kind == DF_I_FROM || n->instr->kind == DF_I_ARG))
			judge(lint, doc, block, n->instr);
		block = NULL;
	}
}
