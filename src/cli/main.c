/*
 * main.c - the entry point of dfopt and of dfopt-build: the subcommand table
 * and helpers shared by the subcommands.
 *
 * The builder's commands (build, measure, image, images, cache) run in
 * dfopt-build, installed in $(pkglibexecdir): dfopt with the builder linked
 * in (DF_BUILDER_PROGRAM), so measure can run its own `--fix`. Only those
 * commands need libarchive and libcrypto, whose loading (libarchive brings
 * libxml2, ICU and libstdc++) costs a process about 6 ms, longer than
 * linting a typical Dockerfile takes: dfopt does not link them and hands
 * those commands over with exec, so the terminal, signals and exit code
 * are the builder's own.
 */
#include "cli/cli.h"
#include "util/file.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "config.h"

typedef struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);	/* NULL: dfopt-build runs it */
	const char *summary;
} subcommand;

#ifdef DF_BUILDER_PROGRAM
#define BUILDER_CMD(fn) fn
#else
#define BUILDER_CMD(fn) NULL
#endif

static const subcommand commands[] = {
	{ "lint", df_cmd_lint, "lint Dockerfiles (the default command)" },
	{ "rules", df_cmd_rules, "list every rule with its code, severity and category" },
	{ "explain", df_cmd_explain, "show a rule's documentation" },
	{ "parse", df_cmd_parse, "print the syntax tree and instruction graph (json or text)" },
	{ "graph", df_cmd_graph, "draw the instruction graph (Graphviz dot or json)" },
	{ "build", BUILDER_CMD(df_cmd_build), "build the Dockerfile into an OCI image with dfopt's own builder" },
	{ "measure", BUILDER_CMD(df_cmd_measure), "build the Dockerfile and its rewrite through edits: what the fix saves" },
	{ "image", BUILDER_CMD(df_cmd_image), "import a base image into dfopt's store, or export one" },
	{ "images", BUILDER_CMD(df_cmd_images), "list the images in dfopt's store" },
	{ "cache", BUILDER_CMD(df_cmd_cache), "prune dfopt's build cache" },
	{ "lsp", df_cmd_lsp, "run a Language Server on stdin/stdout: diagnostics and fixes in editors" },
};

static void print_help(FILE *out)
{
	fputs("usage: dfopt [lint] [options] FILE|-...\n       dfopt <command> [options] [FILE|-]\n\n"
	      "Dockerfile linter and optimisation advisor.\n\ncommands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\noptions:\n"
	      "  -h, --help     show this help (dfopt <command> --help for a command)\n"
	      "  -v, --version  print the version\n\n"
	      "exit status: 0 ok, 2 usage, input or I/O error (file:line:col: message on stderr)\n", out);
}

void df_cli_print(const df_buf *out)
{
	if (out->len)
		fwrite(out->buf, 1, out->len, stdout);
}

int df_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "dfopt%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return DF_EXIT_ERROR;
}

int df_cli_load(const char *path, const df_parse_opts *opts, df_doc *doc)
{
	df_buf data = DF_BUF_INIT, err = DF_BUF_INIT;
	if (df_read_text(path, DF_MAX_FILE, &data, &err) < 0) {
		fprintf(stderr, "dfopt: %s\n", df_buf_str(&err));
		df_buf_release(&data);
		df_buf_release(&err);
		return -1;
	}
	df_doc_parse(doc, strcmp(path, "-") == 0 ? "<stdin>" : path, df_buf_str(&data), data.len, opts);
	df_buf_release(&data);
	df_buf_release(&err);
	return 0;
}

size_t df_cli_report_errors(const df_doc *doc)
{
	size_t n = 0;
	for (size_t i = 0; i < doc->diags.len; i++) {
		const df_diag *d = &doc->diags.items[i];
		if (d->severity != DF_SEV_ERROR)
			continue;
		fprintf(stderr, "%s:%u:%u: %s\n", doc->src.name, d->line, d->col, d->message);
		n++;
	}
	return n;
}

static int parse_file_opts(const char *cmd, const char *usage, int argc, char **argv, df_load_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "target", required_argument, NULL, 't' },
		{ "build-arg", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+f:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->format = optarg;
			break;
		case 't':
			o->target = optarg;
			break;
		case 'b':
			if (!strchr(optarg, '='))
				return df_cli_usage_error(cmd, "--build-arg needs NAME=VALUE, got '%s'", optarg);
			o->build_args = realloc(o->build_args, (o->nbuild_args + 1) * sizeof(*o->build_args));
			if (!o->build_args)
				return df_cli_usage_error(cmd, "out of memory");
			o->build_args[o->nbuild_args++] = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			if (optopt)
				return df_cli_usage_error(cmd, "option '-%c' is not known or needs a value (see 'dfopt %s --help')", optopt, cmd);
			return df_cli_usage_error(cmd, "option '%s' is not known or needs a value (see 'dfopt %s --help')",
						  argv[optind - 1], cmd);
		}
	}
	if (optind != argc - 1)
		return df_cli_usage_error(cmd, "expected exactly one FILE (or - for stdin); see 'dfopt %s --help'", cmd);
	o->file = argv[optind];
	return 0;
}

bool df_cli_open(const df_file_cmd *cmd, int argc, char **argv, df_load_opts *o, df_doc *doc, int *rc)
{
	memset(o, 0, sizeof(*o));
	o->format = cmd->formats[0];
	int r = parse_file_opts(cmd->name, cmd->usage, argc, argv, o);
	if (r != 0) {
		free(o->build_args);
		*rc = r < 0 ? DF_EXIT_OK : r;
		return false;
	}
	bool known = false;
	for (const char *const *f = cmd->formats; *f; f++)
		known |= strcmp(*f, o->format) == 0;
	if (!known) {
		*rc = df_cli_usage_error(cmd->name, "unknown format '%s' (see 'dfopt %s --help')", o->format, cmd->name);
		free(o->build_args);
		return false;
	}
	df_parse_opts popts = { .build_args = o->build_args, .nbuild_args = o->nbuild_args };
	if (df_cli_load(o->file, &popts, doc) < 0) {
		free(o->build_args);
		*rc = DF_EXIT_ERROR;
		return false;
	}
	return true;
}

void df_cli_close(df_load_opts *o, df_doc *doc)
{
	df_doc_release(doc);
	free(o->build_args);
	o->build_args = NULL;
}

/*
 * A lint run frees nearly all it allocated after every file. glibc would
 * then hand the top of the heap back to the kernel and fault it in again
 * for the next file, thousands of brk calls and page faults for a large
 * run: keep up to a few MB at the top instead (measured: about 14% off
 * linting 3,000 files).
 */
static void tune_malloc(void)
{
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD) && defined(M_TOP_PAD)
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
#endif
}

#ifndef DF_BUILDER_PROGRAM
/* Try to exec dfopt-build in dir with argv; returns only when it cannot. */
static void exec_builder_in(const char *dir, size_t dirlen, char **argv)
{
	static const char name[] = "/dfopt-build";
	char path[4096];
	if (dirlen + sizeof(name) > sizeof(path))
		return;
	memcpy(path, dir, dirlen);
	memcpy(path + dirlen, name, sizeof(name));
	if (access(path, X_OK) != 0)
		return;
	argv[0] = path;
	execv(path, argv);
}

/*
 * Run a builder command in dfopt-build: first the one beside this dfopt
 * (a build tree, or an installation moved as a whole), then the one in
 * the configured pkglibexecdir. Returns only on failure.
 */
static int run_builder(char **argv)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		const char *slash = strrchr(self, '/');
		if (slash)
			exec_builder_in(self, (size_t)(slash - self), argv);
	}
	exec_builder_in(DF_PKGLIBEXECDIR, strlen(DF_PKGLIBEXECDIR), argv);
	return df_cli_usage_error(argv[1], "the builder, dfopt-build, is missing: it is installed in %s "
				  "(or beside dfopt); reinstall dfopt", DF_PKGLIBEXECDIR);
}
#endif

int main(int argc, char **argv)
{
	tune_malloc();
	if (argc < 2) {
		print_help(stderr);
		return DF_EXIT_ERROR;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		print_help(stdout);
		return DF_EXIT_OK;
	}
	/* -v as hadolint has it; -V is hadolint's --verbose, so it is the version
	 * only when it stands alone. */
	if (!strcmp(cmd, "-v") || !strcmp(cmd, "--version") || !strcmp(cmd, "version") ||
	    (!strcmp(cmd, "-V") && argc == 2)) {
		printf("dfopt %s\n", PACKAGE_VERSION);
		return DF_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
#ifndef DF_BUILDER_PROGRAM
		if (!commands[i].run)
			return run_builder(argv);
#endif
		return commands[i].run(argc - 1, argv + 1);
	}
	/* Anything else is a Dockerfile (or an option) for the default command. */
	if (cmd[0] == '-' || access(cmd, F_OK) == 0)
		return df_cmd_lint(argc, argv);
	return df_cli_usage_error(NULL, "unknown command '%s' (see 'dfopt --help')", cmd);
}
