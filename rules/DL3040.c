/* DL3040 - clean the dnf cache after dnf install. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3040 = {
	.code = "DL3040",
	.name = "dnf-clean-all",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "`dnf clean all` missing after dnf command.",
	.docs = {
		.what = "Reports a RUN (also ONBUILD RUN) with a `dnf` or `microdnf` `install`, "
			"`in`, `upgrade`, `up`, `upgrade-minimal`, `up-min`, `reinstall` or `rei` "
			"that no later command of the same RUN follows with the same tool and "
			"`clean` or `all`, or with `rm -rf`. A cache or tmpfs mount whose target "
			"contains `/var/cache/libdnf5` or `.cache/libdnf5` exempts the RUN.",
		.why = "dnf keeps downloaded packages and metadata in its cache: they stay in the "
		       "layer and the image carries them for nothing. Cleaning in a later RUN "
		       "does not shrink the image.",
		.example = "FROM fedora:40\nRUN dnf install -y httpd\n",
		.instead = "FROM fedora:40\nRUN dnf install -y httpd && dnf clean all\n",
	},
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "dnf", "microdnf", NULL },
	.on_instr = check,
};

static const char *const tools[] = { "dnf", "microdnf" };

static const char *const installs[] = {
	"install", "in", "upgrade", "up", "upgrade-minimal", "up-min", "reinstall", "rei", NULL,
};

typedef struct pending {
	df_span install;	/* the command name of the tool's first install */
	size_t order;		/* when it came, to report the earlier tool first */
	bool has_install, has_cleanup;
} pending;

typedef struct found {
	pending tool[2];	/* parallel to tools */
	size_t seen;		/* commands visited so far */
} found;

static bool is_install(const df_cmd_view *v)
{
	for (size_t i = 0; installs[i]; i++)
		if (df_cmd_has_arg(v, installs[i]))
			return true;
	return false;
}

static int each(const df_cmd_view *v, void *ud)
{
	found *f = ud;
	bool rm_rf = df_cmd_named(v, "rm") && df_cmd_has_arg(v, "-rf");
	f->seen++;
	for (size_t t = 0; t < 2; t++) {
		pending *p = &f->tool[t];
		bool named = df_cmd_named(v, tools[t]);
		/* Only a cleanup after the tool's first install counts. */
		if (p->has_install &&
		    (rm_rf || (named && (df_cmd_has_arg(v, "clean") || df_cmd_has_arg(v, "all"))))) {
			p->has_cleanup = true;
			continue;
		}
		if (!p->has_install && named && is_install(v)) {
			p->has_install = true;
			p->install = df_cmd_word_span(v, v->name);
			p->order = f->seen;
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	if (run->kind != DF_I_RUN || df_run_cache_mount_with(run, "/var/cache/libdnf5") ||
	    df_run_cache_mount_with(run, ".cache/libdnf5"))
		return;
	found f;
	memset(&f, 0, sizeof(f));
	df_lint_each_command(lint, run, each, &f);
	const pending *bad = NULL;
	for (size_t t = 0; t < 2; t++) {
		const pending *p = &f.tool[t];
		if (p->has_install && !p->has_cleanup && (!bad || p->order < bad->order))
			bad = p;
	}
	if (bad)
		df_report(lint, &df_rule_DL3040, bad->install, NULL);
}
