/* DL3032 - clean the yum cache after yum install. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3032 = {
	.code = "DL3032",
	.name = "yum-clean-all",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "`yum clean all` missing after yum command.",
	.docs = {
		.what = "Reports a RUN (also ONBUILD RUN) with a `yum install` that no later "
			"command of the same RUN follows with `yum clean`, a `yum ... all` or an "
			"`rm -rf`.",
		.why = "yum keeps downloaded packages and metadata in /var/cache/yum: they stay "
		       "in the layer and the image carries them for nothing. Cleaning in a later "
		       "RUN does not shrink the image.",
		.example = "FROM centos:7\nRUN yum install -y httpd\n",
		.instead = "FROM centos:7\nRUN yum install -y httpd && yum clean all\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "yum", NULL },
	.on_instr = check,
};

typedef struct found {
	df_span install;	/* the command name of the first install */
	bool has_install, has_cleanup;
} found;

static int each(const df_cmd_view *v, void *ud)
{
	found *f = ud;
	bool yum = df_cmd_named(v, "yum");
	/* Only a cleanup after the first install counts. */
	if (f->has_install && ((yum && (df_cmd_has_arg(v, "clean") || df_cmd_has_arg(v, "all"))) ||
			       (df_cmd_named(v, "rm") && df_cmd_has_arg(v, "-rf")))) {
		f->has_cleanup = true;
		return 1;
	}
	if (!f->has_install && yum && df_cmd_has_arg(v, "install")) {
		f->has_install = true;
		f->install = df_cmd_word_span(v, v->name);
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	found f = { 0 };
	df_lint_each_command(lint, in->inner ? in->inner : in, each, &f);
	if (f.has_install && !f.has_cleanup)
		df_report(lint, &df_rule_DL3032, f.install, NULL);
}
