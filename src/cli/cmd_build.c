/* cmd_build.c - `dfopt build`, `dfopt image` and `dfopt cache`: the layer
 * builder and its store on the command line. */
#include "build/builder.h"
#include "build/image.h"
#include "build/sandbox.h"
#include "build/store.h"
#include "cli/cli.h"
#include "util/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char build_usage[] =
	"usage: dfopt build [options] [CONTEXT]\n"
	"\n"
	"Build the Dockerfile into an OCI image with dfopt's own builder (no daemon):\n"
	"each step is looked up in the cache by a key made like BuildKit's, reused\n"
	"(CACHED) or executed (BUILT) in a namespace sandbox over the parent layers.\n"
	"CONTEXT is the build context directory (default: .).\n"
	"\n"
	"options:\n"
	"  -f, --file FILE        the Dockerfile (default: CONTEXT/Dockerfile)\n"
	"      --target STAGE     build this stage (default: the last)\n"
	"      --build-arg K=V    set a build arg (repeatable; K alone takes $K)\n"
	"  -t, --tag NAME         name the image in dfopt's store\n"
	"      --output DIR       write the image as an OCI image layout into DIR\n"
	"      --secret id=ID,src=FILE  a secret for RUN --mount=type=secret (repeatable)\n"
	"      --no-cache         execute every step\n"
	"      --explain          say why each built step missed the cache\n"
	"      --progress MODE    plain (default), json (one event per line) or quiet\n"
	"      --dry-run          compute the cache keys only: nothing executes\n"
	"      --store DIR        the store (default: $DFOPT_STORE, $XDG_CACHE_HOME/dfopt)\n"
	"\n"
	"exit status: 0 built, 2 usage, input or build error, or a failed step's own exit status\n";

static const char image_usage[] =
	"usage: dfopt image import [--store DIR] NAME SOURCE\n"
	"       dfopt image export [--store DIR] NAME DIR\n"
	"       dfopt images [--store DIR]\n"
	"\n"
	"import: put a base image into dfopt's store under NAME. SOURCE is an OCI image\n"
	"layout directory (DIR or DIR:REF), a `docker save` archive, a root file system\n"
	"tarball or a root file system directory.\n"
	"export: write the image NAME as an OCI image layout into DIR.\n"
	"images: list the image names in the store with their manifest digests.\n";

static const char cache_usage[] =
	"usage: dfopt cache ls [--store DIR]\n"
	"       dfopt cache prune [--store DIR] [--all] [--keep-hours N] [--keep-bytes N]\n"
	"\n"
	"ls: every cache record, most recently used first: key, layer size, build seconds, last use.\n"
	"prune: remove what no image name and no recent cache record reaches (default: records\n"
	"unused for 7 days; --all: every cache record; --keep-bytes: also drop the least recently\n"
	"used records until the layers kept fit in N bytes, with k/M/G suffixes).\n";

static char **args_push(char **v, size_t *n, const char *s)
{
	v = df_xrealloc(v, (*n + 1) * sizeof(char *));
	v[(*n)++] = df_xstrdup(s);
	return v;
}

static void args_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void print_summary(const df_build_opts *o, const df_build_result *r)
{
	if (o->progress == DF_PROGRESS_JSON) {
		printf("{\"event\":\"done\",\"steps\":%zu,\"cached\":%zu,\"built\":%zu,\"seconds\":%.3f,"
		       "\"build_seconds\":%.3f,\"new_bytes\":%llu,\"manifest\":\"%s\",\"image_id\":\"%s\","
		       "\"dry_run\":%s}\n",
		       r->hits + r->built, r->hits, r->built, r->seconds, r->build_seconds,
		       (unsigned long long)r->new_bytes, r->manifest.s, r->image_id.s, o->dry_run ? "true" : "false");
		return;
	}
	if (o->progress == DF_PROGRESS_QUIET) {
		if (!o->dry_run)
			printf("%s\n", r->image_id.s);
		return;
	}
	printf("%s %zu steps: %zu cached, %zu %s, %.2fs%s%s\n", o->dry_run ? "Planned" : "Built", r->hits + r->built,
	       r->hits, r->built, o->dry_run ? "to build" : "built", r->seconds, o->dry_run ? "" : "; image ",
	       o->dry_run ? "" : r->image_id.s);
}

int df_cmd_build(int argc, char **argv)
{
	enum { O_TARGET = 256, O_ARG, O_OUTPUT, O_SECRET, O_NOCACHE, O_EXPLAIN, O_PROGRESS, O_DRY, O_STORE };
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "tag", required_argument, NULL, 't' },
		{ "target", required_argument, NULL, O_TARGET },
		{ "build-arg", required_argument, NULL, O_ARG },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "secret", required_argument, NULL, O_SECRET },
		{ "no-cache", no_argument, NULL, O_NOCACHE },
		{ "explain", no_argument, NULL, O_EXPLAIN },
		{ "progress", required_argument, NULL, O_PROGRESS },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "store", required_argument, NULL, O_STORE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	df_build_opts o;
	memset(&o, 0, sizeof(o));
	o.out_fd = STDOUT_FILENO;
	char **args = NULL, **secrets = NULL;
	size_t nargs = 0, nsecrets = 0;
	const char *file = NULL;
	int rc = DF_EXIT_OK, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 't': o.tag = optarg; break;
		case O_TARGET: o.target = optarg; break;
		case O_ARG:
			if (!strchr(optarg, '=')) {
				/* K alone: the value of $K, as docker build does. */
				const char *v = getenv(optarg);
				if (!v)
					continue;
				df_buf kv = DF_BUF_INIT;
				df_buf_addf(&kv, "%s=%s", optarg, v);
				args = args_push(args, &nargs, df_buf_str(&kv));
				df_buf_release(&kv);
			} else {
				args = args_push(args, &nargs, optarg);
			}
			break;
		case O_OUTPUT: o.output = optarg; break;
		case O_SECRET: secrets = args_push(secrets, &nsecrets, optarg); break;
		case O_NOCACHE: o.no_cache = true; break;
		case O_EXPLAIN: o.explain = true; break;
		case O_PROGRESS:
			if (!strcmp(optarg, "plain") || !strcmp(optarg, "auto") || !strcmp(optarg, "tty"))
				o.progress = DF_PROGRESS_PLAIN;
			else if (!strcmp(optarg, "json") || !strcmp(optarg, "rawjson"))
				o.progress = DF_PROGRESS_JSON;
			else if (!strcmp(optarg, "quiet"))
				o.progress = DF_PROGRESS_QUIET;
			else
				rc = df_cli_usage_error("build", "unknown --progress '%s' (plain, json or quiet)", optarg);
			break;
		case O_DRY: o.dry_run = true; break;
		case O_STORE: o.store = optarg; break;
		case 'h':
			fputs(build_usage, stdout);
			args_free(args, nargs);
			args_free(secrets, nsecrets);
			return DF_EXIT_OK;
		default:
			rc = DF_EXIT_ERROR;
		}
	}
	if (rc == DF_EXIT_OK && argc - optind > 1)
		rc = df_cli_usage_error("build", "one build context at most (got %d)", argc - optind);
	const char *ctx = optind < argc ? argv[optind] : ".";
	df_buf dockerfile = DF_BUF_INIT;
	if (file)
		df_buf_adds(&dockerfile, file);
	else
		df_buf_addf(&dockerfile, "%s/Dockerfile", ctx);
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	o.epoch = epoch ? strtoll(epoch, NULL, 10) : 0;
	o.dockerfile = df_buf_str(&dockerfile);
	o.context = ctx;
	o.build_args = (const char *const *)args;
	o.nbuild_args = nargs;
	o.secrets = (const char *const *)secrets;
	o.nsecrets = nsecrets;
	if (rc == DF_EXIT_OK) {
		df_buf err = DF_BUF_INIT, why = DF_BUF_INIT;
		df_build_result r;
		if (!o.dry_run && !df_sandbox_available(&why)) {
			rc = df_cli_usage_error("build", "cannot build here: %s", df_buf_str(&why));
		} else {
			fflush(stdout);
			int brc = df_build(&o, &r, &err);
			if (brc == 0) {
				print_summary(&o, &r);
			} else {
				fprintf(stderr, "dfopt build: %s\n", df_buf_str(&err));
				rc = brc == 1 && r.exit_status > 0 ? r.exit_status : DF_EXIT_ERROR;
			}
			df_build_result_release(&r);
		}
		df_buf_release(&err);
		df_buf_release(&why);
	}
	df_buf_release(&dockerfile);
	args_free(args, nargs);
	args_free(secrets, nsecrets);
	return rc;
}

/* [--store DIR] and up to max positional arguments of image/cache
 * subcommands, from argv[first]; -1 on an unknown option or a wrong count. */
static int store_args(const char *cmd, int argc, char **argv, int first, const char **store, const char **pos,
		      int want)
{
	int n = 0;
	*store = NULL;
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--store") && i + 1 < argc)
			*store = argv[++i];
		else if (!strncmp(argv[i], "--store=", 8))
			*store = argv[i] + 8;
		else if (argv[i][0] == '-' && argv[i][1])
			return df_cli_usage_error(cmd, "unknown option '%s'", argv[i]), -1;
		else if (n < want)
			pos[n++] = argv[i];
		else
			n = want + 1;
	}
	if (n != want)
		return df_cli_usage_error(cmd, "%d argument%s expected (see dfopt %s --help)", want,
					  want == 1 ? "" : "s", cmd), -1;
	return 0;
}

static int open_store(const char *cmd, df_store *s, const char *root)
{
	df_buf err = DF_BUF_INIT;
	int rc = df_store_open(s, root, &err);
	if (rc < 0)
		fprintf(stderr, "dfopt %s: %s\n", cmd, df_buf_str(&err));
	df_buf_release(&err);
	return rc;
}

int df_cmd_images(int argc, char **argv)
{
	const char *root, *pos[1];
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(image_usage, stdout);
		return DF_EXIT_OK;
	}
	if (store_args("images", argc, argv, 1, &root, pos, 0) < 0)
		return DF_EXIT_ERROR;
	df_store s;
	if (open_store("images", &s, root) < 0)
		return DF_EXIT_ERROR;
	df_store_name *names = NULL;
	size_t n = 0;
	df_buf err = DF_BUF_INIT;
	int rc = DF_EXIT_OK;
	if (df_store_list_names(&s, &names, &n, &err) < 0) {
		fprintf(stderr, "dfopt images: %s\n", df_buf_str(&err));
		rc = DF_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		printf("%-40s %s\n", names[i].name, names[i].manifest.s);
	df_store_names_free(names, n);
	df_store_close(&s);
	df_buf_release(&err);
	return rc;
}

int df_cmd_image(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(image_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? DF_EXIT_ERROR : DF_EXIT_OK;
	}
	const char *verb = argv[1], *root, *pos[2];
	if (!strcmp(verb, "ls") || !strcmp(verb, "list"))
		return df_cmd_images(argc - 1, argv + 1);
	if (strcmp(verb, "import") && strcmp(verb, "export"))
		return df_cli_usage_error("image", "unknown command '%s' (import, export or ls)", verb);
	if (store_args("image", argc, argv, 2, &root, pos, 2) < 0)
		return DF_EXIT_ERROR;
	df_store s;
	if (open_store("image", &s, root) < 0)
		return DF_EXIT_ERROR;
	df_buf err = DF_BUF_INIT;
	int rc = DF_EXIT_OK;
	df_digest manifest;
	if (!strcmp(verb, "import")) {
		if (df_image_import(&s, pos[1], pos[0], &manifest, &err) < 0)
			rc = DF_EXIT_ERROR;
		else
			printf("%s %s\n", pos[0], manifest.s);
	} else {
		df_image img = DF_IMAGE_INIT;
		int found = df_store_resolve(&s, pos[0], &manifest, &err);
		if (found == 0)
			df_buf_addf(&err, "no image named '%s' in the store", pos[0]);
		if (found != 1 || df_image_load(&s, &manifest, &img, &err) < 0 ||
		    df_image_export(&s, &img, pos[1], pos[0], &err) < 0)
			rc = DF_EXIT_ERROR;
		df_image_release(&img);
	}
	if (rc != DF_EXIT_OK)
		fprintf(stderr, "dfopt image: %s\n", df_buf_str(&err));
	df_store_close(&s);
	df_buf_release(&err);
	return rc;
}

/* "512", "64k", "10M", "2G": bytes; -1 when malformed. */
static int64_t parse_bytes(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	int64_t unit = 1;
	if (*end == 'k' || *end == 'K')
		unit = 1000, end++;
	else if (*end == 'M')
		unit = 1000 * 1000, end++;
	else if (*end == 'G')
		unit = 1000 * 1000 * 1000, end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (end == s || *end || v < 0)
		return -1;
	return (int64_t)(v * (double)unit);
}

static int cache_ls(int argc, char **argv)
{
	const char *root, *pos[1];
	if (store_args("cache", argc, argv, 2, &root, pos, 0) < 0)
		return DF_EXIT_ERROR;
	df_store s;
	if (open_store("cache", &s, root) < 0)
		return DF_EXIT_ERROR;
	df_cache_entry *v = NULL;
	size_t n = 0;
	df_buf err = DF_BUF_INIT;
	int rc = DF_EXIT_OK;
	if (df_store_cache_list(&s, &v, &n, &err) < 0) {
		fprintf(stderr, "dfopt cache: %s\n", df_buf_str(&err));
		rc = DF_EXIT_ERROR;
	}
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		char when[32];
		time_t t = (time_t)v[i].used;
		struct tm tm;
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
		printf("%.19s  %10llu  %8.2fs  %s%s\n", df_digest_hex(&v[i].key),
		       (unsigned long long)(v[i].rec.has_layer ? v[i].rec.size : 0), v[i].rec.seconds, when,
		       v[i].rec.has_layer ? "" : "  (no layer)");
		total += v[i].rec.has_layer ? v[i].rec.size : 0;
	}
	printf("%zu records, %llu bytes of layers\n", n, (unsigned long long)total);
	free(v);
	df_store_close(&s);
	df_buf_release(&err);
	return rc;
}

int df_cmd_cache(int argc, char **argv)
{
	bool help = argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
	if (argc >= 2 && (!strcmp(argv[1], "ls") || !strcmp(argv[1], "list")))
		return cache_ls(argc, argv);
	if (argc < 2 || strcmp(argv[1], "prune")) {
		fputs(cache_usage, help ? stdout : stderr);
		return help ? DF_EXIT_OK : DF_EXIT_ERROR;
	}
	const char *store_root = NULL;
	int64_t keep = 7 * 24 * 3600, keep_bytes = -1;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--all")) {
			keep = -1;
		} else if (!strcmp(argv[i], "--keep-hours") && i + 1 < argc) {
			keep = strtoll(argv[++i], NULL, 10) * 3600;
		} else if (!strcmp(argv[i], "--keep-bytes") && i + 1 < argc) {
			if ((keep_bytes = parse_bytes(argv[++i])) < 0)
				return df_cli_usage_error("cache", "--keep-bytes takes a size (got '%s')", argv[i]);
		} else if (!strcmp(argv[i], "--store") && i + 1 < argc) {
			store_root = argv[++i];
		} else {
			return df_cli_usage_error("cache", "unknown option '%s'", argv[i]);
		}
	}
	df_store s;
	if (open_store("cache", &s, store_root) < 0)
		return DF_EXIT_ERROR;
	df_buf err = DF_BUF_INIT;
	uint64_t freed = 0;
	int rc = DF_EXIT_OK;
	if (df_store_prune_bytes(&s, keep, keep_bytes, &freed, &err) < 0) {
		fprintf(stderr, "dfopt cache: %s\n", df_buf_str(&err));
		rc = DF_EXIT_ERROR;
	} else {
		printf("freed %llu bytes\n", (unsigned long long)freed);
	}
	df_store_close(&s);
	df_buf_release(&err);
	return rc;
}
