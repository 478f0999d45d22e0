/* DL3036 - clean the zypper cache after zypper install. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3036 = {
	.code = "DL3036",
	.name = "zypper-clean",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "`zypper clean` missing after zypper use.",
	.docs = {
		.what = "Reports a RUN (also ONBUILD RUN) with a `zypper install` or `zypper in` "
			"that no later `zypper clean` or `zypper cc` of the same RUN follows, "
			"unless the RUN has a cache or tmpfs mount whose target contains `/var/cache/zypp` (`/var/cache/zypp/` too, as hadolint reads it).",
		.why = "zypper keeps downloaded packages and metadata in /var/cache/zypp: they "
		       "stay in the layer and the image carries them for nothing. Cleaning in a "
		       "later RUN does not shrink the image.",
		.example = "FROM opensuse/leap:15\nRUN zypper install -y httpd\n",
		.instead = "FROM opensuse/leap:15\nRUN zypper install -y httpd && zypper clean\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "zypper", NULL },
	.on_instr = check,
};

typedef struct found {
	df_span install;	/* the command name of the first install */
	bool has_install, has_cleanup;
} found;

static int each(const df_cmd_view *v, void *ud)
{
	found *f = ud;
	if (!df_cmd_named(v, "zypper"))
		return 0;
	/* Only a cleanup after the first install counts. */
	if (f->has_install && (df_cmd_has_arg(v, "clean") || df_cmd_has_arg(v, "cc"))) {
		f->has_cleanup = true;
		return 1;
	}
	if (!f->has_install && (df_cmd_has_arg(v, "install") || df_cmd_has_arg(v, "in"))) {
		f->has_install = true;
		f->install = df_cmd_word_span(v, v->name);
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (run->kind != DF_I_RUN || df_run_cache_mount_with(run, "/var/cache/zypp"))
		return;
	found f = { 0 };
	df_lint_each_command(lint, run, each, &f);
	if (f.has_install && !f.has_cleanup)
		df_report(lint, &df_rule_DL3036, f.install, NULL);
}
