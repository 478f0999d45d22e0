/*
 * bench_parse - parser throughput and memory benchmark (make bench).
 *
 *   bench_parse [--repeat N] FILE...
 *	Loads every FILE into memory, then parses each one N times (default 1)
 *	with df_doc_parse() + df_doc_release() on one core and prints one line:
 *	  bytes=B files=F nodes=M diags=D refused=R repeat=N seconds=S mb_per_s=X files_per_s=Y
 *	bytes, files, nodes (top-level nodes of all docs), diags (parse
 *	diagnostics) and refused (parses that returned -1: input refused as a
 *	whole) count one pass; seconds
 *	covers all N passes; MB is 10^6 bytes.
 *
 *   bench_parse --rss FILE
 *	Loads FILE, parses it once, releases it and prints
 *	  peak_rss_kib=K
 *	the peak resident set size of doing so, in KiB. The work runs in a
 *	forked child and K is getrusage(RUSAGE_CHILDREN).ru_maxrss: Linux
 *	carries a process's peak RSS over execve(), so RUSAGE_SELF would
 *	report the footprint of whichever shell started bench_parse.
 *
 *   bench_parse --run N COMMAND [ARG...]
 *	Runs COMMAND N times, one after the other, with its output thrown
 *	away, and prints
 *	  runs=N best_seconds=S best_cpu_seconds=C peak_rss_kib=K
 *	S is the shortest wall time from fork() to the end of wait4(), so
 *	process start is included and no shell is; C the least CPU time of a
 *	run, user and system, all its threads (from wait4()): more than S
 *	when the command works on several cores at once; K is the largest
 *	peak RSS of a run (each run's own, from wait4()). For the single-file
 *	figures of run.sh, where a shell's own overhead would blur a few
 *	milliseconds.
 *
 * Exit status: 0 on success, 2 on a usage error or an unreadable file;
 * --run: 2 when COMMAND cannot run or exits with a status other than 0
 * or 1 (1 is what `dfopt lint` says about findings).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parse/parser.h"

typedef struct bench_file {
	const char *path;
	char *data;
	size_t len;
} bench_file;

static void usage(void)
{
	fputs("usage: bench_parse [--repeat N] FILE...\n"
	      "       bench_parse --rss FILE\n"
	      "       bench_parse --run N COMMAND [ARG...]\n", stderr);
	exit(2);
}

/* Read all of path into f; on failure print why and exit 2. */
static void load_file(bench_file *f, const char *path)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 4096, len = 0, n;
	char *data;

	if (!fp) {
		fprintf(stderr, "bench_parse: cannot read '%s': %s\n", path, strerror(errno));
		exit(2);
	}
	data = malloc(cap);
	if (!data) {
		fputs("bench_parse: out of memory\n", stderr);
		exit(2);
	}
	while ((n = fread(data + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len == cap) {
			char *bigger = realloc(data, cap * 2);
			if (!bigger) {
				fputs("bench_parse: out of memory\n", stderr);
				exit(2);
			}
			data = bigger;
			cap *= 2;
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, "bench_parse: cannot read '%s': %s\n", path, strerror(errno));
		exit(2);
	}
	fclose(fp);
	f->path = path;
	f->data = data;
	f->len = len;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse f once, counting its nodes and diagnostics; returns the
 * df_doc_parse() result. */
static int parse_once(const bench_file *f, size_t *nodes, size_t *diags)
{
	df_doc doc;
	int rc;

	memset(&doc, 0, sizeof(doc));
	rc = df_doc_parse(&doc, f->path, f->data, f->len, NULL);
	*nodes += doc.nnodes;
	*diags += doc.diags.len;
	df_doc_release(&doc);
	return rc;
}

static int cmd_rss(const char *path)
{
	struct rusage ru;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench_parse: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		bench_file f;
		size_t nodes = 0, diags = 0;

		load_file(&f, path);
		parse_once(&f, &nodes, &diags);
		free(f.data);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		fprintf(stderr, "bench_parse: waitpid: %s\n", strerror(errno));
		return 2;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0) {
		fprintf(stderr, "bench_parse: getrusage: %s\n", strerror(errno));
		return 2;
	}
	/* Linux reports ru_maxrss in KiB. */
	printf("peak_rss_kib=%ld\n", ru.ru_maxrss);
	return 0;
}

static double tv_seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Run argv once with stdout on /dev/null; its wall time, CPU time and
 * peak RSS. */
static int run_once(char **argv, double *seconds, double *cpu_seconds, long *rss_kib)
{
	struct rusage ru;
	int status;
	double start;
	pid_t pid;

	fflush(NULL);
	start = now_seconds();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench_parse: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "bench_parse: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		fprintf(stderr, "bench_parse: wait4: %s\n", strerror(errno));
		return 2;
	}
	*seconds = now_seconds() - start;
	*cpu_seconds = tv_seconds(ru.ru_utime) + tv_seconds(ru.ru_stime);
	*rss_kib = ru.ru_maxrss;	/* KiB on Linux */
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "bench_parse: '%s' failed (status %d)\n", argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return 2;
	}
	return 0;
}

static int cmd_run(const char *count, char **argv)
{
	double best = 0, seconds, best_cpu = 0, cpu;
	long peak = 0, rss;
	unsigned long n, i;
	char *end;

	errno = 0;
	n = strtoul(count, &end, 10);
	if (errno || *end || end == count || n == 0 || count[0] == '-') {
		fprintf(stderr, "bench_parse: bad run count '%s'\n", count);
		return 2;
	}
	for (i = 0; i < n; i++) {
		int rc = run_once(argv, &seconds, &cpu, &rss);
		if (rc)
			return rc;
		if (i == 0 || seconds < best)
			best = seconds;
		if (i == 0 || cpu < best_cpu)
			best_cpu = cpu;
		if (rss > peak)
			peak = rss;
	}
	printf("runs=%lu best_seconds=%.6f best_cpu_seconds=%.6f peak_rss_kib=%ld\n", n, best, best_cpu, peak);
	return 0;
}

static int cmd_throughput(char **paths, int npaths, unsigned long repeat)
{
	bench_file *files = calloc((size_t)npaths, sizeof(*files));
	size_t bytes = 0, nodes = 0, diags = 0, refused = 0;
	double start, seconds;
	unsigned long r;
	int i;

	if (!files) {
		fputs("bench_parse: out of memory\n", stderr);
		return 2;
	}
	for (i = 0; i < npaths; i++) {
		load_file(&files[i], paths[i]);
		bytes += files[i].len;
	}

	start = now_seconds();
	for (r = 0; r < repeat; r++)
		for (i = 0; i < npaths; i++)
			if (parse_once(&files[i], &nodes, &diags) != 0)
				refused++;
	seconds = now_seconds() - start;
	if (seconds <= 0)
		seconds = 1e-9;

	printf("bytes=%zu files=%d nodes=%zu diags=%zu refused=%zu repeat=%lu seconds=%.6f mb_per_s=%.2f files_per_s=%.1f\n",
	       bytes, npaths, nodes / repeat, diags / repeat, refused / repeat, repeat, seconds,
	       (double)bytes * (double)repeat / seconds / 1e6,
	       (double)npaths * (double)repeat / seconds);

	for (i = 0; i < npaths; i++)
		free(files[i].data);
	free(files);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long repeat = 1;
	int i = 1;

	if (argc >= 2 && strcmp(argv[1], "--rss") == 0) {
		if (argc != 3)
			usage();
		return cmd_rss(argv[2]);
	}
	if (argc >= 2 && strcmp(argv[1], "--run") == 0) {
		if (argc < 4)
			usage();
		return cmd_run(argv[2], argv + 3);
	}
	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			repeat = strtoul(argv[i + 1], &end, 10);
			if (errno || *end || end == argv[i + 1] || repeat == 0 || argv[i + 1][0] == '-') {
				fprintf(stderr, "bench_parse: bad repeat count '%s'\n", argv[i + 1]);
				return 2;
			}
			i += 2;
		} else {
			usage();
		}
	}
	if (i >= argc)
		usage();
	return cmd_throughput(argv + i, argc - i, repeat);
}
