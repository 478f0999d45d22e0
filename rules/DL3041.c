/* DL3041 - pin versions in dnf install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3041 = {
	.code = "DL3041",
	.name = "dnf-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Specify version with `dnf install -y <package>-<version>`.",
	.docs = {
		.what = "Reports a `dnf` or `microdnf` `install` package (also in ONBUILD RUN) not "
			"written as `name-version`: every `-`-separated piece after the first may "
			"hold only letters, digits and `.~^_:+`, and one must start with a digit. "
			"`.rpm` files pass, and so does `${VAR}` for a declared ARG or an ENV of this "
			"stage or its base. Group commands are not checked; a `dnf module install` "
			"module needs a `:stream`.",
		.why = "An unpinned package installs whatever version the repository holds on the "
		       "day of the build: builds stop being repeatable and break without notice.",
		.example = "FROM fedora:40\nRUN dnf install -y httpd\n",
		.instead = "FROM fedora:40\nRUN dnf install -y httpd-2.4.62\n",
	},
	.on_instr = check,
};

typedef struct ctx {
	df_lint *lint;
	const df_instr *in;	/* the top-level instruction */
} ctx;

static bool has_arg(const df_cmd_view *v, const char *arg)
{
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++)
		if (df_mem_eq(v->cmd->words[i].value.ptr, v->cmd->words[i].value.len, arg))
			return true;
	return false;
}

static bool version_char(char c)
{
	return df_is_alnum((unsigned char)c) || (c && strchr(".~^_:+", c));
}

/* name-version: every piece after the first dash is version-like, one
 * starting with a digit. */
static bool versioned(df_str s)
{
	const char *dash = memchr(s.ptr, '-', s.len);
	if (!dash)
		return false;
	bool digit = false;
	for (size_t i = (size_t)(dash - s.ptr) + 1, start = i; i <= s.len; i++) {
		if (i == s.len || s.ptr[i] == '-') {
			digit = digit || (i > start && df_is_digit((unsigned char)s.ptr[start]));
			start = i + 1;
		} else if (!version_char(s.ptr[i])) {
			return false;
		}
	}
	return digit;
}

static bool ends_with(df_str s, const char *suffix)
{
	size_t n = strlen(suffix);
	return s.len >= n && memcmp(s.ptr + s.len - n, suffix, n) == 0;
}

/* ${NAME} for an ARG declared so far, or an ENV of this stage or its base. */
static bool declared_var(const ctx *cx, df_str s)
{
	if (s.len < 4 || s.ptr[0] != '$' || s.ptr[1] != '{' || s.ptr[s.len - 1] != '}')
		return false;
	const char *name = s.ptr + 2;
	size_t len = s.len - 3;
	for (size_t i = 0; i < len; i++)
		if (!(df_is_alnum((unsigned char)name[i]) || name[i] == '_'))
			return false;
	const df_var *var = df_scope_find(cx->in->scope, name, len);
	if (var && var->is_env)
		return true;
	const df_doc *doc = df_lint_doc(cx->lint);
	for (size_t i = 0; i < doc->ninstrs && doc->instrs[i] != cx->in; i++) {
		const df_instr *a = doc->instrs[i];
		for (size_t k = 0; a->kind == DF_I_ARG && k < a->npairs; k++)
			if (a->pairs[k].key.len == len && memcmp(a->pairs[k].key.ptr, name, len) == 0)
				return true;
	}
	return false;
}

static int each(const df_cmd_view *v, void *ud)
{
	const ctx *cx = ud;
	if (!(df_cmd_named(v, "dnf") || df_cmd_named(v, "microdnf")) || !has_arg(v, "install"))
		return 0;
	bool module = has_arg(v, "module");
	if (!module && has_arg(v, "group"))
		return 0;
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
		const df_str s = v->cmd->words[i].value;
		if ((s.len && s.ptr[0] == '-') || df_mem_eq(s.ptr, s.len, "install") ||
		    df_mem_eq(s.ptr, s.len, "module"))
			continue;
		bool ok = module ? memchr(s.ptr, ':', s.len) != NULL
				 : versioned(s) || ends_with(s, ".rpm") || declared_var(cx, s);
		if (!ok) {
			df_report(cx->lint, &df_rule_DL3041, df_cmd_word_span(v, i), NULL);
			return 1;	/* one finding per instruction, as hadolint */
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	ctx cx = { lint, in };
	df_each_command(in->inner ? in->inner : in, each, &cx);
}
