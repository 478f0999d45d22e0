/* UndefinedArgInFrom - FROM reads a variable that is not a global ARG. */
#include "engine/rule.h"
#include "parse/scope.h"
#include "parse/words.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_UndefinedArgInFrom = {
	.code = "UndefinedArgInFrom",
	.name = "undefined-arg-in-from",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "FROM uses a variable that is not a global ARG",
	.docs = {
		.what = "BuildKit's check of the same name: reports a `$NAME` in a FROM image or "
			"`--platform` when NAME is neither an ARG declared before the first FROM "
			"nor a predefined arg (TARGETPLATFORM, BUILDARCH, ...), and suggests the "
			"nearest such name. Forms that give a value of their own when the variable "
			"is unset (`${NAME:-default}`, `${NAME+alt}`) are reported too, as BuildKit "
			"does: its expansion records NAME as undefined whatever the modifier.",
		.why = "FROM sees only global ARGs: an ARG declared inside a stage, or a misspelt "
		       "name such as `$BUILDPLATFROM`, expands to the empty string and the "
		       "stage pulls a different image than intended.",
		.example = "FROM node:22${VARIANT} AS build\n",
		.instead = "ARG VARIANT=-alpine3.20\nFROM node:22${VARIANT} AS build\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM),
	.on_instr = check,
};

/* The global name nearest to name, for "did you mean"; NULL if none is
 * close enough to be a likely typo. */
static const df_var *nearest(const df_var *globals, df_str name)
{
	const df_var *best = NULL;
	unsigned best_d = 3;
	for (const df_var *v = globals; v; v = v->next) {
		if (v->barrier)
			continue;
		/* The distance is at least the difference in length: most
		 * globals are too far for the quadratic count. */
		size_t diff = name.len > v->name.len ? name.len - v->name.len : v->name.len - name.len;
		if (diff >= best_d)
			continue;
		unsigned d = df_edit_distance_below(name.ptr, name.len, v->name.ptr, v->name.len, best_d);
		if (d < best_d && d < name.len) {
			best = v;
			best_d = d;
		}
	}
	return best;
}

/* The reference to name inside the --platform flag at f ($NAME or
 * ${NAME), found again in the source: the scope layer keeps no position
 * for it. The whole flag when it is not written out plainly. */
static df_span platform_ref(const df_source *src, const df_flag *f, df_str name)
{
	for (uint32_t i = f->span.start; i < f->span.end; i++) {
		if (src->data[i] != '$')
			continue;
		uint32_t n = i + 1 < f->span.end && src->data[i + 1] == '{' ? i + 2 : i + 1;
		if (n + name.len <= f->span.end && !memcmp(src->data + n, name.ptr, name.len) &&
		    (n + name.len == f->span.end || !(df_is_alnum((unsigned char)src->data[n + name.len]) ||
						      src->data[n + name.len] == '_')))
			return (df_span){ i, n + (uint32_t)name.len };
	}
	return f->span;
}

/* ${NAME}: the span takes the closing brace in. */
static df_span with_brace(const df_source *src, df_span sp)
{
	if (sp.start + 1 < src->len && src->data[sp.start + 1] == '{' && sp.end < src->len && src->data[sp.end] == '}')
		sp.end++;
	return sp;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_FROM || in->has_error)
		return;
	const df_doc *doc = df_lint_doc(lint);
	for (size_t i = 0; i < in->nuses; i++) {
		const df_use *u = &in->uses[i];
		if (u->def || u->by_shell)
			continue;
		df_span sp = u->span;
		if (sp.start == 0 && sp.end == 0) {
			if (!in->from_platform)
				continue;
			sp = platform_ref(&doc->src, in->from_platform, u->name);
		}
		sp = with_brace(&doc->src, sp);
		const df_var *near = nearest(doc->globals, u->name);
		if (near)
			df_report(lint, &df_rule_UndefinedArgInFrom, sp,
				  "FROM argument '%.*s' is not a global ARG (did you mean %.*s?)",
				  (int)u->name.len, u->name.ptr, (int)near->name.len, near->name.ptr);
		else
			df_report(lint, &df_rule_UndefinedArgInFrom, sp, "FROM argument '%.*s' is not a global ARG",
				  (int)u->name.len, u->name.ptr);
	}
}
