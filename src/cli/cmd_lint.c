/* cmd_lint.c - `dfopt lint`, the default command: its settings, from the
 * environment, config files and the command line (engine/config.h), into a
 * df_lint_run (lint.h). */
#include "cli/cli.h"
#include "cli/lint.h"
#include "engine/config.h"
#include "engine/engine.h"
#include "engine/shellcheck.h"
#include "output/output.h"
#include "util/util.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char lint_usage[] =
	"usage: dfopt [lint] [options] FILE|DIR|-...\n"
	"\n"
	"Lint Dockerfiles: every rule of 'dfopt rules' that is not ignored. Ignore pragmas in\n"
	"the file (# hadolint ignore=CODE, # dfopt ignore=CODE, global and stage forms) are\n"
	"honoured. Exit 0 when no finding is at or above the failure threshold, 1 when one is,\n"
	"2 on a usage, config or I/O error (the other files are still linted), 3 when a fix\n"
	"was refused because it would break the file (which is left as it was). With --diff,\n"
	"1 means some file would change.\n"
	"\n"
	"options:\n"
	"  -f, --format FORMAT        tty (the default), json, sarif, checkstyle, gnu, codeclimate,\n"
	"                             gitlab_codeclimate, github, junit, sonarqube or codacy\n"
	"  -o, --output FILE          write the format of the last -f before it to FILE\n"
	"                             (repeatable: -f json -o a.json -f sarif -o b.sarif); the last\n"
	"                             -f that no -o follows goes to stdout\n"
	"  -c, --config FILE          read this config file and no other\n"
	"  -t, --failure-threshold T  fail on findings at or above T: error, warning, info (the\n"
	"                             default) or style; ignore or none never fail\n"
	"      --no-fail              exit 0 whatever is found\n"
	"      --ignore CODE          turn a rule off (repeatable)\n"
	"      --error CODE, --warning CODE, --info CODE, --style CODE\n"
	"                             give a rule that severity (repeatable)\n"
	"      --trusted-registry R   allow a registry for FROM, COPY --from and RUN --mount from=\n"
	"                             images (DL3026; `*`, `*.suffix`, `prefix*` or exact)\n"
	"      --require-label NAME:TYPE\n"
	"                             add a label to the schema, TYPE one of text, url, semver, hash,\n"
	"                             rfc3339, spdx, email (DL3049, DL3051-DL3058)\n"
	"      --strict-labels        report labels outside the schema (DL3050)\n"
	"      --disable-ignore-pragma  honour no ignore pragma\n"
	"      --no-color             no colour in tty output (also NO_COLOR=1)\n"
	"      --no-shellcheck        do not run ShellCheck over RUN scripts\n"
	"      --fix                  apply the safe fixes in place, then report what remains\n"
	"                             (stdin: the fixed text on stdout, the report on stderr)\n"
	"      --unsafe-fixes         with --fix or --diff, apply the unsafe fixes too\n"
	"      --diff                 print what --fix would change as a unified diff; write nothing\n"
	"      --show-fixes           list each fix applied, on stderr\n"
	"      --context DIR          the build context of every file (default: the directory of\n"
	"                             each Dockerfile; stdin has none unless given)\n"
	"      --no-context           judge the Dockerfiles alone: rules about what COPY brings in\n"
	"                             from the context say only what the file shows\n"
	"      --file-path-in-report PATH  the file name reports give\n"
	"  -j, --jobs N               lint N files at once\n"
	"  -V, --verbose              say on stderr which config files are read\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Settings also come from config files with hadolint's keys and from HADOLINT_* (and\n"
	"DFOPT_*) variables; the environment loses to the config files, which lose to the\n"
	"command line, and lists add up. Config files: -c FILE, or the first found of\n"
	".hadolint.yaml/.yml, $XDG_CONFIG_HOME/hadolint.yaml, ~/.config/hadolint.yaml,\n"
	"~/.hadolint/hadolint.yaml or config.yaml, ~/.hadolint.yaml; and on top of it the first\n"
	"of .dfopt.yaml/.yml, $XDG_CONFIG_HOME/dfopt/config.yaml, ~/.config/dfopt/config.yaml.\n"
	"A config file's custom-rules: key adds a team's own rules (docs/custom-rules.md).\n"
	"See dfopt(1).\n";

enum {
	OPT_IGNORE = 256,
	OPT_ERROR,
	OPT_WARNING,
	OPT_INFO,
	OPT_STYLE,
	OPT_NO_FAIL,
	OPT_NO_COLOR,
	OPT_TRUSTED,
	OPT_LABEL,
	OPT_STRICT_LABELS,
	OPT_NO_PRAGMA,
	OPT_REPORT_PATH,
	OPT_NO_SHELLCHECK,
	OPT_CONTEXT,
	OPT_NO_CONTEXT,
	OPT_FIX,
	OPT_UNSAFE_FIXES,
	OPT_DIFF,
	OPT_SHOW_FIXES,
};

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "config", required_argument, NULL, 'c' },
	{ "failure-threshold", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'V' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "error", required_argument, NULL, OPT_ERROR },
	{ "warning", required_argument, NULL, OPT_WARNING },
	{ "info", required_argument, NULL, OPT_INFO },
	{ "style", required_argument, NULL, OPT_STYLE },
	{ "no-fail", no_argument, NULL, OPT_NO_FAIL },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "trusted-registry", required_argument, NULL, OPT_TRUSTED },
	{ "require-label", required_argument, NULL, OPT_LABEL },
	{ "strict-labels", no_argument, NULL, OPT_STRICT_LABELS },
	{ "disable-ignore-pragma", no_argument, NULL, OPT_NO_PRAGMA },
	{ "file-path-in-report", required_argument, NULL, OPT_REPORT_PATH },
	{ "no-shellcheck", no_argument, NULL, OPT_NO_SHELLCHECK },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "no-context", no_argument, NULL, OPT_NO_CONTEXT },
	{ "fix", no_argument, NULL, OPT_FIX },
	{ "unsafe-fixes", no_argument, NULL, OPT_UNSAFE_FIXES },
	{ "diff", no_argument, NULL, OPT_DIFF },
	{ "show-fixes", no_argument, NULL, OPT_SHOW_FIXES },
	{ NULL, 0, NULL, 0 },
};

#define MAX_JOBS 1024

/* What the command line says, before the other layers are known. */
typedef struct lint_args {
	df_config layer;		/* the command line's settings */
	const char *config_path;	/* -c */
	df_lint_output *outputs;	/* -o FILE pairs; format NULL: the configured one */
	size_t noutputs, cap_outputs;
	const char *last_format;	/* the last -f */
	bool last_format_written;	/* an -o followed it */
	const char *report_path;
	unsigned jobs;
	const char *context;		/* --context */
	bool no_context;
	bool fix, diff, unsafe_fixes, show_fixes;
} lint_args;

static void add_output(lint_args *a, const char *format, const char *path)
{
	df_grow((void **)&a->outputs, &a->cap_outputs, a->noutputs + 1, sizeof(*a->outputs));
	a->outputs[a->noutputs++] = (df_lint_output){ format, path };
}

/* One option; 0 to go on, -1 after --help, or an exit code. */
static int take_option(lint_args *a, int c, const char *arg)
{
	switch (c) {
	case 'f':
		if (!df_output_known(arg))
			return df_cli_usage_error("lint", "unknown format '%s' (see 'dfopt lint --help')", arg);
		a->last_format = arg;
		a->last_format_written = false;
		return 0;
	case 'o':
		for (size_t i = 0; i < a->noutputs; i++)
			if (!strcmp(a->outputs[i].path, arg))
				return df_cli_usage_error("lint", "output '%s' given twice", arg);
		add_output(a, a->last_format, arg);
		a->last_format_written = true;
		return 0;
	case 'c':
		a->config_path = arg;
		return 0;
	case 't': {
		int t = df_config_parse_threshold(arg);
		if (t < 0)
			return df_cli_usage_error("lint", "unknown failure threshold '%s' (error, warning, info, style, ignore or none)", arg);
		a->layer.threshold = t;
		return 0;
	}
	case 'V':
		a->layer.verbose = DF_CONFIG_ON;
		return 0;
	case 'j': {
		char *end;
		errno = 0;
		unsigned long n = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || n < 1 || n > MAX_JOBS)
			return df_cli_usage_error("lint", "--jobs needs a number from 1 to %d, not '%s'", MAX_JOBS, arg);
		a->jobs = (unsigned)n;
		return 0;
	}
	case 'h':
		fputs(lint_usage, stdout);
		return -1;
	case OPT_IGNORE:
		df_config_add_ignored(&a->layer, arg);
		return 0;
	case OPT_ERROR:
	case OPT_WARNING:
	case OPT_INFO:
	case OPT_STYLE:
		df_config_add_override(&a->layer, arg, (df_severity)(DF_SEV_ERROR + (c - OPT_ERROR)));
		return 0;
	case OPT_NO_FAIL:
		a->layer.no_fail = DF_CONFIG_ON;
		return 0;
	case OPT_NO_COLOR:
		a->layer.no_color = DF_CONFIG_ON;
		return 0;
	case OPT_TRUSTED:
		df_config_add_trusted(&a->layer, arg);
		return 0;
	case OPT_LABEL: {
		size_t n;
		df_label_type type;
		if (df_config_parse_label(arg, &n, &type) < 0) {
			const char *colon = strrchr(arg, ':');
			if (!colon || colon == arg)
				return df_cli_usage_error("lint", "--require-label needs NAME:TYPE, not '%s'", arg);
			return df_cli_usage_error("lint", "unknown label type '%s' (text, url, semver, hash, rfc3339, spdx or email)",
						  colon + 1);
		}
		char *name = df_xstrndup(arg, n);
		df_config_add_label(&a->layer, name, type);
		free(name);
		return 0;
	}
	case OPT_STRICT_LABELS:
		a->layer.strict_labels = DF_CONFIG_ON;
		return 0;
	case OPT_NO_PRAGMA:
		a->layer.disable_ignore_pragma = DF_CONFIG_ON;
		return 0;
	case OPT_REPORT_PATH:
		a->report_path = arg;
		return 0;
	case OPT_NO_SHELLCHECK:
		a->layer.shellcheck = DF_CONFIG_OFF;
		return 0;
	case OPT_CONTEXT: {
		struct stat st;
		if (stat(arg, &st) < 0)
			return df_cli_usage_error("lint", "--context '%s': %s", arg, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return df_cli_usage_error("lint", "--context '%s': %s", arg, strerror(ENOTDIR));
		a->context = arg;
		return 0;
	}
	case OPT_NO_CONTEXT:
		a->no_context = true;
		return 0;
	case OPT_FIX:
		a->fix = true;
		return 0;
	case OPT_UNSAFE_FIXES:
		a->unsafe_fixes = true;
		return 0;
	case OPT_DIFF:
		a->diff = true;
		return 0;
	case OPT_SHOW_FIXES:
		a->show_fixes = true;
		return 0;
	}
	DF_BUG("option %d", c);
}

static int parse_args(lint_args *a, int argc, char **argv)
{
	optind = 1;
	opterr = 0;
	int c;
	/* Options may follow the files, as with hadolint. */
	while ((c = getopt_long(argc, argv, ":f:o:c:t:Vj:h", longopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			const char *problem = c == ':' ? "needs a value" : "is not known";
			if (optopt && optopt < 256)
				return df_cli_usage_error("lint", "option '-%c' %s (see 'dfopt lint --help')", optopt, problem);
			return df_cli_usage_error("lint", "option '%s' %s (see 'dfopt lint --help')", argv[optind - 1], problem);
		}
		int rc = take_option(a, c, optarg);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *env_lookup(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

/* The layers below the command line: environment, then the config files.
 * read gets the paths of the files read. */
static int load_layers(df_config *cfg, const lint_args *a, df_buf *read)
{
	df_buf err = DF_BUF_INIT;
	int rc = df_config_load_env(cfg, env_lookup, NULL, &err);
	if (rc == 0 && a->config_path) {
		rc = df_config_load_file(cfg, a->config_path, &err);
		df_buf_addf(read, "%s%c", a->config_path, '\0');
	} else if (rc == 0) {
		df_config_dirs dirs = { getenv("HOME"), getenv("XDG_CONFIG_HOME") };
		df_buf path = DF_BUF_INIT;
		/* hadolint's file, then dfopt's on top of it. */
		bool (*const find[])(const df_config_dirs *, df_buf *) = { df_config_find_hadolint, df_config_find_dfopt };
		for (size_t i = 0; rc == 0 && i < 2; i++) {
			df_buf_reset(&path);
			if (!find[i](&dirs, &path))
				continue;
			rc = df_config_load_file(cfg, df_buf_str(&path), &err);
			df_buf_addf(read, "%s%c", df_buf_str(&path), '\0');
		}
		df_buf_release(&path);
	}
	if (rc < 0)
		df_cli_usage_error(NULL, "%s", df_buf_str(&err));
	df_buf_release(&err);
	return rc;
}

/* -V: the config files read ("a\0b\0"), and the ShellCheck in use. */
static void say_settings(const df_buf *read, const char *shellcheck)
{
	if (!read->len)
		fputs("dfopt: no config file\n", stderr);
	for (size_t off = 0; off < read->len; off += strlen(read->buf + off) + 1)
		fprintf(stderr, "dfopt: config file '%s'\n", read->buf + off);
	if (shellcheck)
		fprintf(stderr, "dfopt: shellcheck '%s'\n", shellcheck);
	else
		fputs("dfopt: no shellcheck\n", stderr);
}

int df_cmd_lint(int argc, char **argv)
{
	lint_args a;
	memset(&a, 0, sizeof(a));
	df_config_init(&a.layer);
	df_config cfg;
	df_config_init(&cfg);
	df_buf read = DF_BUF_INIT;
	int rc = parse_args(&a, argc, argv);
	if (rc)
		goto done;
	if (optind >= argc) {
		rc = df_cli_usage_error("lint", "no Dockerfile given (see 'dfopt lint --help')");
		goto done;
	}
	if (a.fix && a.diff) {
		rc = df_cli_usage_error("lint", "--fix and --diff do not go together: --diff shows what --fix would do");
		goto done;
	}
	if ((a.unsafe_fixes || a.show_fixes) && !a.fix && !a.diff) {
		rc = df_cli_usage_error("lint", "%s needs --fix or --diff", a.unsafe_fixes ? "--unsafe-fixes" : "--show-fixes");
		goto done;
	}
	if (load_layers(&cfg, &a, &read) < 0) {
		rc = DF_EXIT_ERROR;
		goto done;
	}
	df_config_merge(&cfg, &a.layer);

	/* A configured format is checked even when -f replaces it: the file
	 * is wrong either way. */
	if (cfg.format && !df_output_known(cfg.format)) {
		rc = df_cli_usage_error(NULL, "%s: unknown format '%s' (see 'dfopt lint --help')",
					cfg.format_origin ? cfg.format_origin : "config", cfg.format);
		goto done;
	}
	const char *format = cfg.format ? cfg.format : "tty";
	if (a.last_format && !a.last_format_written)
		add_output(&a, a.last_format, NULL);
	if (!a.noutputs)
		add_output(&a, format, NULL);
	bool stdout_tty = false;
	for (size_t i = 0; i < a.noutputs; i++) {
		if (!a.outputs[i].format)
			a.outputs[i].format = format;
		stdout_tty |= !a.outputs[i].path && !strcmp(a.outputs[i].format, "tty");
	}

	df_lint_opts opts = {
		.ignored = cfg.ignored,
		.nignored = cfg.nignored,
		.overrides = cfg.overrides,
		.noverrides = cfg.noverrides,
		.disable_ignore_pragma = cfg.disable_ignore_pragma == DF_CONFIG_ON,
		.trusted_registries = cfg.trusted,
		.ntrusted = cfg.ntrusted,
		.labels = cfg.labels,
		.nlabels = cfg.nlabels,
		.strict_labels = cfg.strict_labels == DF_CONFIG_ON,
		.shellcheck = cfg.shellcheck == DF_CONFIG_OFF ? NULL : df_shellcheck_find(),
		.custom = cfg.custom,
		.ncustom = cfg.ncustom,
	};
	bool verbose = cfg.verbose == DF_CONFIG_ON;
	if (verbose)
		say_settings(&read, opts.shellcheck);
	df_lint_run run = {
		.outputs = a.outputs,
		.noutputs = a.noutputs,
		.color = stdout_tty && cfg.no_color != DF_CONFIG_ON && isatty(STDOUT_FILENO),
		.verbose = verbose,
		.report_path = a.report_path,
		.jobs = a.jobs,
		.context = a.context,
		.no_context = a.no_context,
		.fix = a.fix ? DF_FIX_MODE_WRITE : a.diff ? DF_FIX_MODE_DIFF : DF_FIX_MODE_NONE,
		.unsafe_fixes = a.unsafe_fixes,
		.show_fixes = a.show_fixes,
		/* ignore and none: no finding fails the run */
		.threshold = cfg.threshold < 0 ? DF_SEV_INFO : cfg.threshold == DF_SEV_IGNORE ? -1 : cfg.threshold,
		.no_fail = cfg.no_fail == DF_CONFIG_ON,
		.opts = opts,
		.inputs = (const char *const *)&argv[optind],
		.ninputs = (size_t)(argc - optind),
	};
	rc = df_lint_run_inputs(&run);
done:
	if (rc < 0)
		rc = DF_EXIT_OK;	/* --help */
	free(a.outputs);
	df_config_release(&a.layer);
	df_config_release(&cfg);
	df_buf_release(&read);
	return rc;
}
