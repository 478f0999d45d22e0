/* rpm.c - pinned packages of rpm installs; see rpm.h. */
#include "engine/rpm.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

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

/* ${NAME} for an ARG declared so far, or an ENV of this stage or its base. */
static bool declared_var(df_lint *lint, const df_instr *in, df_str s)
{
	if (s.len < 4 || s.ptr[0] != '$' || s.ptr[1] != '{' || s.ptr[s.len - 1] != '}')
		return false;
	const char *name = s.ptr + 2;
	size_t len = s.len - 3;
	for (size_t i = 0; i < len; i++)
		if (!(df_is_alnum((unsigned char)name[i]) || name[i] == '_'))
			return false;
	const df_var *var = df_scope_find(in->scope, name, len);
	if (var && var->is_env)
		return true;
	const df_doc *doc = df_lint_doc(lint);
	for (size_t i = 0; i < doc->ninstrs && doc->instrs[i] != in; i++) {
		const df_instr *a = doc->instrs[i];
		for (size_t k = 0; a->kind == DF_I_ARG && k < a->npairs; k++)
			if (a->pairs[k].key.len == len && memcmp(a->pairs[k].key.ptr, name, len) == 0)
				return true;
	}
	return false;
}

static bool pinned(bool module, df_str s)
{
	return module ? memchr(s.ptr, ':', s.len) != NULL : versioned(s) || df_mem_has_suffix(s.ptr, s.len, ".rpm");
}

/* Is word i of v, written with a variable, pinned once the known ARG and
 * ENV values are in ("mysql-shell-$VERSION")? Every word it expands to
 * must be. */
static bool pinned_expanded(df_lint *lint, const df_cmd_view *v, size_t i, bool module)
{
	const df_cmd_view *x = df_lint_expanded(lint, v);
	uint32_t start = v->cmd->words[i].start;
	size_t n = 0;
	for (size_t k = x->name + 1; k < x->cmd->nwords; k++) {
		const df_sh_word *w = &x->cmd->words[k];
		if (w->start != start)
			continue;
		if (w->has_expansion || !pinned(module, w->value))
			return false;
		n++;
	}
	return n > 0;
}

size_t df_rpm_unpinned(df_lint *lint, const df_instr *in, const df_cmd_view *v)
{
	bool module = df_cmd_has_word(v->cmd, v->name, "module");
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
		const df_sh_word *w = &v->cmd->words[i];
		const df_str s = w->value;
		if ((s.len && s.ptr[0] == '-') || df_mem_eq(s.ptr, s.len, "install") ||
		    df_mem_eq(s.ptr, s.len, "module"))
			continue;
		bool ok = pinned(module, s) || (!module && declared_var(lint, in, s)) ||
			  (w->has_expansion && pinned_expanded(lint, v, i, module));
		if (!ok)
			return i;
	}
	return 0;
}
