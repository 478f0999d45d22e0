/* DL3041 - pin versions in dnf install. */
#include "engine/rpm.h"
#include "engine/rule.h"

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
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "dnf", "microdnf", NULL },
	.on_instr = check,
};

typedef struct ctx {
	df_lint *lint;
	const df_instr *in;	/* the top-level instruction */
} ctx;

static int each(const df_cmd_view *v, void *ud)
{
	const ctx *cx = ud;
	if (!(df_cmd_named(v, "dnf") || df_cmd_named(v, "microdnf")) || !df_cmd_has_arg(v, "install"))
		return 0;
	if (!df_cmd_has_arg(v, "module") && df_cmd_has_arg(v, "group"))
		return 0;
	size_t bad = df_rpm_unpinned(cx->lint, cx->in, v);
	if (!bad)
		return 0;
	df_report(cx->lint, &df_rule_DL3041, df_cmd_word_span(v, bad), NULL);
	return 1;	/* one finding per instruction, as hadolint */
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	ctx cx = { lint, in };
	df_lint_each_command(lint, in->inner ? in->inner : in, each, &cx);
}
