/* DL3028 - pin versions in gem install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DL3028 = {
	.code = "DL3028",
	.name = "gem-pin-versions",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
	.docs = {
		.what = "Reports a `gem install` or `gem i` gem written without `:<version>` when the "
			"command has no `-v`/`--version`, in RUN and ONBUILD RUN. As in hadolint, every "
			"option is taken to consume the next word, and words after `--` are build "
			"options. Unlike hadolint, `$VAR` gems are judged by their ARG/ENV value when it "
			"is known and skipped when it is not.",
		.why = "An unpinned gem installs whatever rubygems.org serves on the day of the "
		       "build, so two builds of the same Dockerfile can differ.",
		.example = "FROM ruby:3.3\nRUN gem install bundler\n",
		.instead = "FROM ruby:3.3\nRUN gem install bundler:2.5.10\n",
	},
	.commands = (const char *const[]){ "gem", NULL },
	.on_command = on_command,
};

static bool pinned(df_str p)
{
	return memchr(p.ptr, ':', p.len) != NULL;
}

static bool is(const df_sh_word *w, const char *s)
{
	return df_mem_eq(w->value.ptr, w->value.len, s);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)in;
	(void)state;
	const df_cmd_view *ev = df_lint_expanded(lint, v);
	const df_sh_cmd *c = ev->cmd;
	bool install = false;
	for (size_t i = v->name + 1; i < c->nwords; i++) {
		const df_sh_word *w = &c->words[i];
		if (is(w, "-v") || is(w, "--version") || df_mem_has_prefix(w->value.ptr, w->value.len, "--version="))
			return 0;	/* the version is given for all gems */
		install = install || is(w, "install") || is(w, "i");
	}
	if (!install)
		return 0;
	for (size_t i = v->name + 1; i < c->nwords; i++) {
		const df_sh_word *w = &c->words[i];
		if (is(w, "--"))
			break;	/* the rest are the gem's build options */
		if (w->value.len && w->value.ptr[0] == '-') {
			i++;	/* hadolint's quirk: every option takes the next word */
			continue;
		}
		if (is(w, "install") || is(w, "i"))
			continue;
		/* A gem of unknown value passes. */
		if (!w->has_expansion && !pinned(w->value)) {
			df_report(lint, &df_rule_DL3028, df_cmd_word_span(ev, i), NULL);
			return 1;	/* one finding per instruction */
		}
	}
	return 0;
}
