/* DL3042 - pip install without --no-cache-dir. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "parse/scope.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3042 = {
	.code = "DL3042",
	.name = "pip-no-cache-dir",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_SAFE,
	.message = "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
	.docs = {
		.what = "Reports a `pip install` (or `python -m pip install`) without `--no-cache-dir`, "
			"in RUN and ONBUILD RUN. Exempt: pipx and pipenv; `PIP_NO_CACHE_DIR` set to a "
			"true value in the RUN text or by an ENV of this stage or its base stage; a "
			"cache or tmpfs mount on `.cache/pip`. An ARG or ENV value holding the option "
			"counts (`pip install $PIP_FLAGS`). Unlike hadolint, an ARG "
			"`PIP_NO_CACHE_DIR` also counts (RUN sees it in its environment), and an ENV "
			"also exempts an ONBUILD RUN (the child image inherits it).",
		.why = "pip keeps every downloaded wheel in ~/.cache/pip, which then stays in the "
		       "layer and makes the image bigger for nothing.",
		.example = "FROM python:3.12\nRUN pip install flask==3.0.3\n",
		.instead = "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.3\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = check,
};

static const char *const truthy[] = {
	"1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES", NULL,
};

static bool is_truthy(df_str v)
{
	for (size_t i = 0; truthy[i]; i++)
		if (df_mem_eq(v.ptr, v.len, truthy[i]))
			return true;
	return false;
}

/* The text sets PIP_NO_CACHE_DIR=<truthy...> somewhere (hadolint: a prefix
 * match on the value; an opening quote is allowed here). */
static bool text_sets_no_cache(df_str t)
{
	static const char key[] = "PIP_NO_CACHE_DIR=";
	const size_t klen = sizeof(key) - 1;
	if (!t.len)
		return false;
	for (const char *at = t.ptr, *end = t.ptr + t.len;
	     (at = memmem(at, (size_t)(end - at), key, klen)) != NULL; at++) {
		df_str v = { at + klen, (size_t)(end - at) - klen };
		if (v.len && (v.ptr[0] == '"' || v.ptr[0] == '\'')) {
			v.ptr++;
			v.len--;
		}
		for (size_t k = 0; truthy[k]; k++)
			if (df_mem_has_prefix(v.ptr, v.len, truthy[k]))
				return true;
	}
	return false;
}

static bool exempt(const df_instr *in, const df_instr *run)
{
	if (df_run_cache_mount_with(run, ".cache/pip"))
		return true;
	const df_var *var = df_scope_find(in->scope, "PIP_NO_CACHE_DIR", 16);
	/* A trigger runs in the child image, which inherits ENV but not ARG. */
	if (var && var->state == DF_EXP_KNOWN && (var->is_env || !in->inner) && is_truthy(var->value))
		return true;
	if (text_sets_no_cache(run->text.str))
		return true;
	for (size_t i = 0; i < run->nheredocs; i++)
		if (text_sets_no_cache(run->heredocs[i].body.str))
			return true;
	return false;
}

static bool is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

/* Sets *sub to the word after which pip's arguments start (the pip* command,
 * or the "pip" of `python* -m pip`); false when the command is no pip, or is
 * the pipx or pipenv wrapper. */
static bool find_pip(const df_cmd_view *v, size_t *sub)
{
	const df_sh_cmd *c = v->cmd;
	df_str name = v->basename;
	if (name.len < 3 || name.ptr[0] != 'p')
		return false;	/* neither pip* nor python*, like most commands */
	if (df_mem_has_prefix(name.ptr, name.len, "pip")) {
		*sub = v->name;
		return !df_mem_has_prefix(name.ptr, name.len, "pipx") && !df_mem_has_prefix(name.ptr, name.len, "pipenv");
	}
	if (!df_mem_has_prefix(name.ptr, name.len, "python"))
		return false;
	for (size_t i = v->name + 1; i + 1 < c->nwords; i++) {
		if (is(&c->words[i], "-m") && is(&c->words[i + 1], "pip")) {
			*sub = i + 1;
			return true;
		}
	}
	return false;
}

typedef struct pip_search {
	df_lint *lint;
	df_cmd_view found;	/* the first pip install without --no-cache-dir */
} pip_search;

/* The first pip install without --no-cache-dir, its words as the shell
 * would see them (an ARG or ENV may hold the option): ud's found. */
static int each(const df_cmd_view *v, void *ud)
{
	pip_search *ps = ud;
	size_t sub;
	/* The words as written first: most commands are no pip, and are
	 * not expanded for nothing. */
	if (!find_pip(v, &sub))
		return 0;
	const df_cmd_view *x = df_lint_expanded(ps->lint, v);
	if (!find_pip(x, &sub))
		return 0;
	bool install = false;
	for (size_t i = sub + 1; i < x->cmd->nwords; i++) {
		if (is(&x->cmd->words[i], "--no-cache-dir"))
			return 0;
		install = install || is(&x->cmd->words[i], "install");
	}
	if (!install)
		return 0;
	ps->found = *v;	/* valid while the engine holds this RUN */
	return 1;	/* one finding per instruction */
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	pip_search ps = { .lint = lint };
	/* The install first: the exemptions search the whole text. */
	if (df_lint_each_command(lint, run, each, &ps) && !exempt(in, run)) {
		const df_cmd_view *pip = &ps.found;
		df_report_insert_after(lint, &df_rule_DL3042, DF_FIX_SAFE, df_cmd_word_span(pip, pip->name), NULL, pip,
				       df_cmd_literal_word(pip, "install"), "--no-cache-dir");
	}
}
