/* cmd_measure.c - `dfopt measure`: what the rewrite is worth, in rebuilds. */
#include "build/sandbox.h"
#include "cli/cli.h"
#include "measure/engine.h"
#include "measure/measure.h"
#include "util/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char measure_usage[] =
	"usage: dfopt measure [options] [CONTEXT]\n"
	"\n"
	"Build the Dockerfile as it is and as `dfopt --fix` rewrites it (or another file),\n"
	"each in a scratch copy of the context with a cache of its own, then replay edits and\n"
	"rebuild: cold, no change, one source file edited, the dependency manifest edited, and\n"
	"with --history N the last N commits. Reports steps, cache hits, steps rebuilt, rebuild\n"
	"seconds and new layer bytes per variant and scenario. Your files are never touched.\n"
	"\n"
	"options:\n"
	"  -f, --file FILE        the Dockerfile (default: CONTEXT/Dockerfile)\n"
	"      --against OTHER    compare with another Dockerfile instead of the fixed one\n"
	"      --unsafe-fixes     the fixed variant takes the unsafe fixes too\n"
	"      --edit PATH        the source file to edit (context-relative)\n"
	"      --history N        replay the last N commits of the context's git repository\n"
	"      --verify           check that both variants build the same file system and config\n"
	"      --dry-run          compute cache keys only (seconds from earlier builds or estimates)\n"
	"      --format FMT       table (default), json or markdown\n"
	"      --svg FILE         also draw the rebuild seconds as an SVG bar chart\n"
	"      --target STAGE     build this stage\n"
	"      --build-arg K=V    set a build arg (repeatable)\n"
	"      --engine ENGINE    who builds: dfopt (its own builder, the default), buildah\n"
	"                         (buildah bud --layers) or docker (docker buildx build)\n"
	"      --store DIR        the store holding the base images\n"
	"  -v, --verbose          show the builds' progress on stderr\n"
	"\n"
	"exit status: 0 measured, 1 a build failed or --verify found differences, 2 error\n";

int df_cmd_measure(int argc, char **argv)
{
	enum { O_AGAINST = 256, O_UNSAFE, O_EDIT, O_HISTORY, O_VERIFY, O_DRY, O_FORMAT, O_SVG, O_TARGET, O_ARG,
	       O_ENGINE, O_STORE };
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "against", required_argument, NULL, O_AGAINST },
		{ "unsafe-fixes", no_argument, NULL, O_UNSAFE },
		{ "edit", required_argument, NULL, O_EDIT },
		{ "history", required_argument, NULL, O_HISTORY },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "svg", required_argument, NULL, O_SVG },
		{ "target", required_argument, NULL, O_TARGET },
		{ "build-arg", required_argument, NULL, O_ARG },
		{ "engine", required_argument, NULL, O_ENGINE },
		{ "store", required_argument, NULL, O_STORE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	df_measure_opts o;
	memset(&o, 0, sizeof(o));
	o.log_fd = -1;
	const char *file = NULL, *format = "table", *svg = NULL;
	const char **args = NULL;
	size_t nargs = 0, cap = 0;
	int rc = DF_EXIT_OK, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case O_AGAINST: o.against = optarg; break;
		case O_UNSAFE: o.unsafe_fixes = true; break;
		case O_EDIT: o.edit = optarg; break;
		case O_HISTORY: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 100000)
				rc = df_cli_usage_error("measure", "--history takes a number of commits (got '%s')", optarg);
			o.history = (unsigned)n;
			break;
		}
		case O_VERIFY: o.verify = true; break;
		case O_DRY: o.dry_run = true; break;
		case O_FORMAT:
			format = optarg;
			if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "markdown"))
				rc = df_cli_usage_error("measure", "unknown format '%s' (table, json or markdown)", format);
			break;
		case O_SVG: svg = optarg; break;
		case O_TARGET: o.target = optarg; break;
		case O_ARG:
			if (!strchr(optarg, '='))
				rc = df_cli_usage_error("measure", "--build-arg takes NAME=VALUE (got '%s')", optarg);
			df_grow((void **)&args, &cap, nargs + 1, sizeof(char *));
			args[nargs++] = optarg;
			break;
		case O_ENGINE:
		{
			int e = df_engine_parse_name(optarg);
			if (e < 0)
				rc = df_cli_usage_error("measure", "unknown engine '%s' (dfopt, buildah or docker)", optarg);
			else
				o.engine = (df_measure_engine)e;
			break;
		}
		case O_STORE: o.store = optarg; break;
		case 'v': o.log_fd = STDERR_FILENO; break;
		case 'h':
			fputs(measure_usage, stdout);
			free(args);
			return DF_EXIT_OK;
		default:
			rc = DF_EXIT_ERROR;
		}
	}
	if (rc == DF_EXIT_OK && argc - optind > 1)
		rc = df_cli_usage_error("measure", "one build context at most (got %d)", argc - optind);
	const char *ctx = optind < argc ? argv[optind] : ".";
	df_buf dockerfile = DF_BUF_INIT, why = DF_BUF_INIT;
	if (file)
		df_buf_adds(&dockerfile, file);
	else
		df_buf_addf(&dockerfile, "%s/Dockerfile", ctx);
	o.dockerfile = df_buf_str(&dockerfile);
	o.context = ctx;
	o.build_args = args;
	o.nbuild_args = nargs;
	o.self = "/proc/self/exe";
	if (rc == DF_EXIT_OK && o.engine != DF_ENGINE_DFOPT && (o.dry_run || o.verify))
		rc = df_cli_usage_error("measure", "%s needs --engine dfopt", o.dry_run ? "--dry-run" : "--verify");
	/* An external engine brings its own isolation. */
	if (rc == DF_EXIT_OK && o.engine == DF_ENGINE_DFOPT && !o.dry_run && !df_sandbox_available(&why))
		rc = df_cli_usage_error("measure", "cannot build here: %s", df_buf_str(&why));
	if (rc == DF_EXIT_OK) {
		df_measure_result r;
		df_buf err = DF_BUF_INIT, out = DF_BUF_INIT;
		if (df_measure(&o, &r, &err) < 0) {
			fprintf(stderr, "dfopt measure: %s\n", df_buf_str(&err));
			rc = DF_EXIT_ERROR;
		} else {
			if (!strcmp(format, "json"))
				df_measure_json(&r, &out);
			else if (!strcmp(format, "markdown"))
				df_measure_markdown(&r, &out);
			else
				df_measure_table(&r, &out);
			df_cli_print(&out);
			if (svg) {
				df_buf chart = DF_BUF_INIT;
				df_measure_svg(&r, &chart);
				FILE *f = fopen(svg, "w");
				if (!f || fwrite(chart.buf, 1, chart.len, f) != chart.len || fclose(f) != 0) {
					fprintf(stderr, "dfopt measure: cannot write '%s'\n", svg);
					rc = DF_EXIT_ERROR;
				}
				df_buf_release(&chart);
			}
			for (size_t i = 0; i < r.n && rc == DF_EXIT_OK; i++)
				for (int v = 0; v < 2; v++)
					if (r.sc[i].v[v].error && strcmp(r.sc[i].v[v].error, "skipped"))
						rc = DF_EXIT_FINDINGS;
			if (r.verified && !r.verify_ok && rc == DF_EXIT_OK)
				rc = DF_EXIT_FINDINGS;
			df_measure_result_release(&r);
		}
		df_buf_release(&err);
		df_buf_release(&out);
	}
	df_buf_release(&dockerfile);
	df_buf_release(&why);
	free(args);
	return rc;
}
