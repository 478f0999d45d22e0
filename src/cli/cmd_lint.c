/* cmd_lint.c - `dfopt lint` (the default command), `dfopt rules` and
 * `dfopt explain`. */
#include "cli/cli.h"
#include "cli/lint.h"
#include "engine/engine.h"
#include "output/output.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char lint_usage[] =
	"usage: dfopt [lint] [-f FORMAT] [--ignore CODE]... [-t error|warning|info|style|none]\n"
	"             [--no-fail] [--disable-ignore-pragma] [--trusted-registry REGISTRY]...\n"
	"             [--require-label NAME:TYPE]... [--strict-labels] FILE|-...\n"
	"\n"
	"Lint Dockerfiles: every rule of 'dfopt rules' that is not ignored. Findings print as\n"
	"file:line:col CODE severity: message (tty, the default) or in FORMAT: json, sarif,\n"
	"checkstyle, gnu, codeclimate, gitlab_codeclimate, github, junit, sonarqube, codacy.\n"
	"Ignore pragmas in the file (# hadolint ignore=CODE, # dfopt ignore=CODE, global and\n"
	"stage forms) are honoured.\n"
	"Exit 0 when no finding is at or above the threshold (default info), 1 when one is,\n"
	"2 on a usage or I/O error (the other files are still linted).\n"
	"\n"
	"Rule input: --trusted-registry allows a registry for FROM, COPY --from and RUN --mount\n"
	"from= images (DL3026; `*`, `*.suffix`, `prefix*` or exact). --require-label adds a label\n"
	"to the schema, TYPE one of text, url, semver, hash, rfc3339, spdx, email (DL3049,\n"
	"DL3051-DL3058); --strict-labels reports labels outside the schema (DL3050).\n";

static int parse_severity(const char *s, int *out)
{
	static const char *const names[] = { "error", "warning", "info", "style" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	if (!strcmp(s, "none")) {
		*out = -1;
		return 0;
	}
	return -1;
}

int df_cmd_lint(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "failure-threshold", required_argument, NULL, 't' },
		{ "no-fail", no_argument, NULL, 'n' },
		{ "disable-ignore-pragma", no_argument, NULL, 'd' },
		{ "trusted-registry", required_argument, NULL, 'r' },
		{ "require-label", required_argument, NULL, 'l' },
		{ "strict-labels", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "tty";
	int threshold = DF_SEV_INFO;
	bool no_fail = false;
	df_lint_opts opts;
	memset(&opts, 0, sizeof(opts));
	const char **ignored = NULL;
	size_t nignored = 0;
	const char **trusted = NULL;
	size_t ntrusted = 0;
	df_label_spec *labels = NULL;
	size_t nlabels = 0;
	int rc = DF_EXIT_OK;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+f:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'i':
			ignored = realloc(ignored, (nignored + 1) * sizeof(*ignored));
			if (!ignored) {
				rc = df_cli_usage_error("lint", "out of memory");
				goto done;
			}
			ignored[nignored++] = optarg;
			break;
		case 'r':
			trusted = realloc(trusted, (ntrusted + 1) * sizeof(*trusted));
			if (!trusted) {
				rc = df_cli_usage_error("lint", "out of memory");
				goto done;
			}
			trusted[ntrusted++] = optarg;
			break;
		case 'l': {
			char *colon = strrchr(optarg, ':');
			if (!colon || colon == optarg) {
				rc = df_cli_usage_error("lint", "--require-label needs NAME:TYPE, not '%s'", optarg);
				goto done;
			}
			int type = df_label_type_parse(colon + 1);
			if (type < 0) {
				rc = df_cli_usage_error("lint", "unknown label type '%s' (text, url, semver, hash, rfc3339, spdx or email)",
								colon + 1);
				goto done;
			}
			labels = realloc(labels, (nlabels + 1) * sizeof(*labels));
			if (!labels) {
				rc = df_cli_usage_error("lint", "out of memory");
				goto done;
			}
			*colon = '\0';	/* optarg is argv: ours to cut */
			labels[nlabels].name = optarg;
			labels[nlabels++].type = (df_label_type)type;
			break;
		}
		case 's':
			opts.strict_labels = true;
			break;
		case 't':
			if (parse_severity(optarg, &threshold) < 0) {
				rc = df_cli_usage_error("lint", "unknown failure threshold '%s' (error, warning, info, style or none)", optarg);
				goto done;
			}
			break;
		case 'n':
			no_fail = true;
			break;
		case 'd':
			opts.disable_ignore_pragma = true;
			break;
		case 'h':
			fputs(lint_usage, stdout);
			goto done;
		default: {
			rc = df_cli_usage_error("lint", "option '%s' is not known or needs a value (see 'dfopt lint --help')", argv[optind - 1]);
			goto done;
		}
		}
	}
	if (!df_output_known(format)) {
		rc = df_cli_usage_error("lint", "unknown format '%s' (see 'dfopt lint --help')", format);
		goto done;
	}
	if (optind >= argc) {
		rc = df_cli_usage_error("lint", "no Dockerfile given (see 'dfopt lint --help')");
		goto done;
	}
	opts.ignored = ignored;
	opts.nignored = nignored;
	opts.trusted_registries = trusted;
	opts.ntrusted = ntrusted;
	opts.labels = labels;
	opts.nlabels = nlabels;

	df_lint_output output = { format, NULL };
	df_lint_run run = {
		.outputs = &output,
		.noutputs = 1,
		.threshold = threshold,
		.no_fail = no_fail,
		.opts = opts,
		.inputs = (const char *const *)&argv[optind],
		.ninputs = (size_t)(argc - optind),
	};
	rc = df_lint_run_inputs(&run);
done:
	free(ignored);
	free(trusted);
	free(labels);
	return rc;
}

int df_cmd_rules(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return df_cli_usage_error("rules", "takes no arguments");
	size_t n;
	const df_rule *const *rules = df_rules(&n);
	printf("%-8s %-8s %-16s %-8s %s\n", "CODE", "SEVERITY", "CATEGORY", "FIX", "NAME");
	for (size_t i = 0; i < n; i++)
		printf("%-8s %-8s %-16s %-8s %s\n", rules[i]->code, df_severity_name(rules[i]->severity),
		       df_category_name(rules[i]->category), df_fix_kind_name(rules[i]->fix), rules[i]->name);
	return DF_EXIT_OK;
}

int df_cmd_explain(int argc, char **argv)
{
	if (argc != 2)
		return df_cli_usage_error("explain", "usage: dfopt explain CODE");
	const df_rule *r = df_rule_find(argv[1]);
	if (!r)
		return df_cli_usage_error("explain", "no rule '%s' (see 'dfopt rules')", argv[1]);
	printf("%s %s (%s, %s)\n\n%s\n\nWhat it does\n  %s\n\nWhy it matters\n  %s\n\nExample\n%s\nUse instead\n%s",
	       r->code, r->name, df_severity_name(r->severity), df_category_name(r->category), r->message,
	       r->docs.what, r->docs.why, r->docs.example, r->docs.instead);
	return DF_EXIT_OK;
}
