/* DL3013 - pin versions in pip install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3013 = {
	.code = "DL3013",
	.name = "pip-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` "
		   "or `pip install --requirement <requirements file>`",
	.docs = {
		.what = "Reports a `pip install` (or `python -m pip install`) package with no version "
			"specifier, in RUN and ONBUILD RUN. Requirement and constraint installs, wheels, "
			"sdists, paths and VCS URLs with `@` are accepted. Unlike hadolint, `$VAR` "
			"packages are judged by their ARG/ENV value when it is known and skipped when "
			"it is not, and `--opt=value` is one word.",
		.why = "An unpinned package installs whatever is newest on the day of the build, so "
		       "two builds of the same Dockerfile can differ and break.",
		.example = "FROM python:3.12\nRUN pip install flask\n",
		.instead = "FROM python:3.12\nRUN pip install flask==3.0.3\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = check,
};

/* pip options whose value is the next word (not a package). */
static const char *const value_opts[] = {
	"--abi", "-b", "--build", "-e", "--editable", "--extra-index-url", "-f", "--find-links",
	"-i", "--index-url", "--implementation", "--no-binary", "--only-binary", "--platform",
	"--prefix", "--progress-bar", "--proxy", "--python-version", "--root", "--src", "-t",
	"--target", "--trusted-host", "--upgrade-strategy", NULL,
};

/* Supported pip VCS schemes; a package starting with one of them is a VCS URL. */
static const char *const vcs_schemes[] = {
	"git+file", "git+https", "git+ssh", "git+http", "git+git", "git", "hg+file", "hg+http",
	"hg+https", "hg+ssh", "hg+static-http", "svn", "svn+svn", "svn+http", "svn+https",
	"svn+ssh", "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", NULL,
};

static bool pinned(df_str p)
{
	if (df_mem_contains(p.ptr, p.len, "==") || df_mem_contains(p.ptr, p.len, "!=") || df_mem_contains(p.ptr, p.len, "~=") || memchr(p.ptr, '<', p.len) ||
	    memchr(p.ptr, '>', p.len))
		return true;	/* also covers >=, <= and === */
	bool vcs = false;
	for (size_t i = 0; vcs_schemes[i]; i++)
		vcs = vcs || df_mem_has_prefix(p.ptr, p.len, vcs_schemes[i]);
	if (vcs)
		return memchr(p.ptr, '@', p.len) != NULL;
	return df_mem_has_suffix(p.ptr, p.len, ".whl") || df_mem_has_suffix(p.ptr, p.len, ".tar.gz") || memchr(p.ptr, '/', p.len) != NULL;
}

/* Can v be a pip: is it named pip* or python*? Its name's first byte tells
 * most commands from those. */
static bool may_be_pip(const df_cmd_view *v)
{
	return v->basename.len >= 3 && v->basename.ptr[0] == 'p';
}

/* Sets *ev to v (which may_be_pip()) expanded and *sub to the word after
 * which pip's arguments start in it (the pip* command, or the "pip" of
 * `python* -m pip`); false when the command is no pip. */
static bool find_pip(df_lint *lint, const df_cmd_view *v, const df_cmd_view **ev, size_t *sub)
{
	df_str name = v->basename;
	bool pip = df_mem_has_prefix(name.ptr, name.len, "pip") &&
		   !df_mem_has_prefix(name.ptr, name.len, "pipenv");
	if (!pip && !df_mem_has_prefix(name.ptr, name.len, "python"))
		return false;	/* the name is never expanded: no need to look further */
	*ev = df_lint_expanded(lint, v);
	if (pip) {
		*sub = v->name;
		return true;
	}
	const df_sh_cmd *c = (*ev)->cmd;
	for (size_t i = v->name + 1; i + 1 < c->nwords; i++) {
		if (df_mem_eq(c->words[i].value.ptr, c->words[i].value.len, "-m") &&
		    df_mem_eq(c->words[i + 1].value.ptr, c->words[i + 1].value.len, "pip")) {
			*sub = i + 1;
			return true;
		}
	}
	return false;
}

/* A package word is pinned; one of unknown value passes. */
static bool word_pinned(const df_sh_word *w)
{
	return w->has_expansion || pinned(w->value);
}

/* Report the first unpinned package of v, a command that may_be_pip(), if
 * it is a pip install. Not inlined: most commands are no pip (each() tells),
 * and need none of the registers this saves. */
static int __attribute__((noinline)) check_pip(df_lint *lint, const df_cmd_view *v)
{
	const df_cmd_view *ev;
	size_t sub;
	if (!find_pip(lint, v, &ev, &sub))
		return 0;
	const df_sh_cmd *c = ev->cmd;
	/* Requirement files, the local project and constraints pin elsewhere. */
	if (df_sh_has_flag(c, sub, "-r") || df_sh_has_flag(c, sub, "--requirement") || df_cmd_has_word(c, sub, ".") ||
	    df_sh_has_flag(c, sub, "-c") || df_sh_has_flag(c, sub, "--constraint"))
		return 0;
	size_t n;
	const df_sh_word **pos = df_lint_positionals(lint, c, sub, value_opts, &n);
	size_t i = 0;
	while (i < n && !df_mem_eq(pos[i]->value.ptr, pos[i]->value.len, "install"))
		i++;
	if (i == n)
		return 0;	/* not an install */
	while (i < n && df_mem_eq(pos[i]->value.ptr, pos[i]->value.len, "install"))
		i++;
	for (; i < n; i++) {
		if (!word_pinned(pos[i])) {
			df_report(lint, &df_rule_DL3013, df_cmd_word_span(ev, (size_t)(pos[i] - c->words)), NULL);
			return 1;	/* one finding per instruction */
		}
	}
	return 0;
}

static int each(const df_cmd_view *v, void *ud)
{
	return may_be_pip(v) ? check_pip(ud, v) : 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	df_lint_each_command(lint, in->inner ? in->inner : in, each, lint);
}
