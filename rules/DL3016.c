/* DL3016 - pin versions in npm install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3016 = {
	.code = "DL3016",
	.name = "npm-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
	.docs = {
		.what = "Reports an `npm install <package>` whose package has no `@version` (after any "
			"`@scope/`), is no git URL with a `#` ref, no tarball and no local path. `npm i`, "
			"`npm ci` and `npm add` are not checked, as in hadolint; ONBUILD RUN is. Unlike "
			"hadolint, `$VAR` packages are judged by their ARG/ENV value when it is known and "
			"skipped when it is not, and `--registry=URL` is one word.",
		.why = "An unpinned package installs whatever the registry serves on the day of the "
		       "build, so two builds of the same Dockerfile can differ.",
		.example = "FROM node:20\nRUN npm install -g typescript\n",
		.instead = "FROM node:20\nRUN npm install -g typescript@5.4.5\n",
	},
	.commands = (const char *const[]){ "npm", NULL },
	.on_command = on_command,
};

/* npm options whose value is the next word (not a package). */
static const char *const value_opts[] = { "--loglevel", "--registry", NULL };

static bool pinned(df_str p)
{
	const char *s = p.ptr;
	size_t n = p.len;
	if (df_mem_has_prefix(s, n, "git://") || df_mem_has_prefix(s, n, "git+ssh://") ||
	    df_mem_has_prefix(s, n, "git+http://") || df_mem_has_prefix(s, n, "git+https://"))
		return memchr(s, '#', n) != NULL;
	if (df_mem_has_suffix(s, n, ".tar") || df_mem_has_suffix(s, n, ".tar.gz") || df_mem_has_suffix(s, n, ".tgz"))
		return true;
	if (df_mem_has_prefix(s, n, "/") || df_mem_has_prefix(s, n, "./") || df_mem_has_prefix(s, n, "../") ||
	    df_mem_has_prefix(s, n, "~/"))
		return true;
	size_t from = 0;
	if (n && s[0] == '@') {
		/* @scope/name: the version '@' comes after the scope. */
		const char *slash = memchr(s, '/', n);
		from = slash ? (size_t)(slash - s) + 1 : 1;
	}
	return memchr(s + from, '@', n - from) != NULL;
}

static bool is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	(void)in;
	const df_cmd_view *ev = df_lint_expanded(lint, v);
	const df_sh_cmd *c = ev->cmd;
	size_t n;
	const df_sh_word **pos = df_lint_positionals(lint, c, v->name, value_opts, &n);
	if (n == 0 || !is(pos[0], "install"))
		return 0;	/* only `npm install`, with install as the first non-option */
	size_t i = 1;
	while (i < n && is(pos[i], "install"))
		i++;
	for (; i < n; i++) {
		/* A package of unknown value passes. */
		if (!pos[i]->has_expansion && !pinned(pos[i]->value)) {
			df_report(lint, &df_rule_DL3016, df_cmd_word_span(ev, (size_t)(pos[i] - c->words)), NULL);
			return 1;	/* one finding per instruction */
		}
	}
	return 0;
}
