/* UndefinedVar - a value the builder expands reads an undefined variable. */
#include "engine/rule.h"
#include "parse/scope.h"
#include "parse/words.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_UndefinedVar = {
	.code = "UndefinedVar",
	.name = "undefined-var",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "variable is not defined",
	.docs = {
		.what = "BuildKit's check of the same name: reports a `$NAME` that the builder "
			"expands (COPY/ADD paths and flags, ENV, LABEL, ARG defaults, WORKDIR, USER, "
			"EXPOSE, VOLUME, STOPSIGNAL, `--mount` values) when no ARG or ENV in scope "
			"defines NAME, and suggests the nearest name in scope, or, for a global or predefined ARG, "
			"re-declaring it in the stage. RUN, CMD and "
			"ENTRYPOINT text is left to the shell and not checked, nor are FROM lines "
			"(UndefinedArgInFrom) and ONBUILD triggers. Forms with a value of their "
			"own (`${NAME:-default}`, `${NAME+alt}`) are reported too, as BuildKit does: "
			"its expansion records NAME as undefined whatever the modifier. "
			"A stage built on another stage (`FROM base`) sees that stage's ARGs as "
			"well as its ENV, as BuildKit hands both on.\n\n"
			"The builder also knows the base image's ENV; dfopt does not. In a stage "
			"built on an image, a name in capitals (PYTHON_VERSION, JAVA_HOME) is "
			"taken to come from the image and is reported only when it is one edit or "
			"two away from a name in scope or a common one (PATH, HOME, ...) and about "
			"as long, the likely typo; names with lower-case letters are always reported.",
		.why = "An undefined variable expands to the empty string without any error, so "
		       "a typo or an ARG declared in another stage (or before FROM and not "
		       "re-declared) silently changes a path, a label or a user.",
		.example = "FROM alpine:3.20\nCOPY $src /app/\n",
		.instead = "FROM alpine:3.20\nARG src=.\nCOPY $src /app/\n",
	},
	.on_instr = check,
};

/* Variables nearly every image sets: their typos are worth a report. */
static const char *const common_env[] = {
	"HOME", "HOSTNAME", "LANG", "PATH", "PWD", "SHELL", "TERM", "USER",
};

/* ${NAME}: the span takes the closing brace in. */
static df_span with_brace(const df_source *src, df_span sp)
{
	if (sp.start + 1 < src->len && src->data[sp.start + 1] == '{' && sp.end < src->len && src->data[sp.end] == '}')
		sp.end++;
	return sp;
}

static bool all_caps(df_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (!(s.ptr[i] >= 'A' && s.ptr[i] <= 'Z') && !df_is_digit((unsigned char)s.ptr[i]) && s.ptr[i] != '_')
			return false;
	return true;
}

typedef struct suggestion {
	df_str name;
	unsigned dist;
} suggestion;

static void consider(suggestion *best, df_str name, const char *cand, size_t len)
{
	unsigned d = df_edit_distance_below(name.ptr, name.len, cand, len, best->dist);
	if (d < best->dist && d < name.len) {
		best->name = (df_str){ cand, len };
		best->dist = d;
	}
}

/* Is name an ARG of a stage this one is built on? The builder hands a
 * stage's ARGs on to the stages built on it (they are part of the build
 * state it starts from), though df_scope_find() sees only the ENV ones. */
static bool base_stage_arg(const df_var *scope, df_str name)
{
	bool base = false;
	for (const df_var *v = scope; v; v = v->next) {
		if (v->barrier)
			base = true;
		else if (base && !v->is_env && v->name.len == name.len &&
			 memcmp(v->name.ptr, name.ptr, name.len) == 0)
			return true;
	}
	return false;
}

/* The name nearest to name among the bindings in scope (a base stage's
 * ARGs included, see base_stage_arg()) and, on an image, the common ones. */
static suggestion nearest(const df_var *scope, df_str name, bool image)
{
	suggestion best = { { NULL, 0 }, 3 };
	for (const df_var *v = scope; v; v = v->next)
		if (!v->barrier)
			consider(&best, name, v->name.ptr, v->name.len);
	for (size_t i = 0; image && i < DF_ARRAY_LEN(common_env); i++)
		consider(&best, name, common_env[i], strlen(common_env[i]));
	return best;
}

/* Is stage si built, through its chain of base stages, on an image whose
 * ENV we cannot see? */
static bool on_image(const df_graph *g, int si)
{
	for (size_t hops = 0; si >= 0 && (size_t)si < g->nstages && hops <= g->nstages; hops++) {
		const df_stage *st = &g->stages[si];
		if (st->base_kind != DF_BASE_STAGE)
			return st->base_kind != DF_BASE_SCRATCH;
		si = st->base_stage;
	}
	return true;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	/* Most instructions use no variable: asked first, it spares them the
	 * rest of the call's set-up. */
	if (!in->nuses || in->kind == DF_I_FROM || in->kind == DF_I_ONBUILD || in->has_error || in->stage < 0)
		return;
	const df_doc *doc = df_lint_doc(lint);
	for (size_t i = 0; i < in->nuses; i++) {
		const df_use *u = &in->uses[i];
		/* No position: a COPY heredoc body, reported by nobody. */
		if (u->def || u->by_shell || (u->span.start == 0 && u->span.end == 0))
			continue;
		if (base_stage_arg(in->scope, u->name))
			continue;
		df_span sp = with_brace(&doc->src, u->span);
		/* The usual cause: a global or predefined ARG used in a stage
		 * without re-declaring it there. */
		if (df_scope_find(doc->globals, u->name.ptr, u->name.len)) {
			df_report(lint, &df_rule_UndefinedVar, sp,
				  "variable '$%.*s' is not defined in this stage: add 'ARG %.*s' to use the global one",
				  (int)u->name.len, u->name.ptr, (int)u->name.len, u->name.ptr);
			continue;
		}
		/* Asked only here: nearly every use is defined. */
		bool image = on_image(df_lint_graph(lint), in->stage);
		bool common = false;
		for (size_t k = 0; k < DF_ARRAY_LEN(common_env); k++)
			common = common || df_mem_eq(u->name.ptr, u->name.len, common_env[k]);
		if (image && common)
			continue;
		suggestion s = nearest(in->scope, u->name, image);
		/* Most likely the base image's own ENV, unless a near twin of a
		 * known name: PAHT is a typo, GOPATH and JAVA_HOME are not. */
		if (image && all_caps(u->name) &&
		    (!s.name.ptr || s.name.len + 1 < u->name.len || u->name.len + 1 < s.name.len))
			continue;
		if (s.name.ptr)
			df_report(lint, &df_rule_UndefinedVar, sp,
				  "variable '$%.*s' is not defined (did you mean $%.*s?)", (int)u->name.len,
				  u->name.ptr, (int)s.name.len, s.name.ptr);
		else
			df_report(lint, &df_rule_UndefinedVar, sp, "variable '$%.*s' is not defined",
				  (int)u->name.len, u->name.ptr);
	}
}
