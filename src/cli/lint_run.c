/*
 * lint_run.c - lint the inputs of a `dfopt lint` run and print what was
 * found; see lint.h.
 *
 * The inputs become jobs, in order: a file or "-" is one job, a directory
 * one job per Dockerfile under it (discover.h). Jobs run one at a time or on
 * run->jobs threads; either way a job's stderr lines and its findings come
 * out in job order, so -j never changes a byte of the output.
 *
 * Reports stream: each job's findings are rendered into every report as
 * soon as the job is done and its turn has come, written out, and freed, so
 * a run holds one file's findings at a time (-j: those of the jobs done
 * ahead of their turn). A report file is opened before the first job and
 * its errors, like standard output's, are told after the last one, where
 * they were told when reports were written at the end.
 *
 * With --fix or --diff a job first runs the fixer (fix/fixer.h) over its
 * text: --fix writes the result in place (stdin: to standard output, the
 * reports then going to standard error) and reports what remains in it;
 * --diff prints the unified diff on standard output instead of the
 * reports and writes nothing. A file whose fixes were refused (a fix that
 * would break it) is left as it was, and the run exits 3.
 *
 * Fixes may extend the build context's ignore file too (fix/side.h). What a
 * job writes, that file and then the Dockerfile, is written when the job's
 * turn comes, on the main thread, in job order: Dockerfiles sharing an
 * ignore file each add what they need to the file as the jobs before them
 * left it, once, and -j changes nothing there either. --diff shows the
 * ignore file's diff after the Dockerfile's, each job's against the file as
 * the diffs before it would leave it. A job is judged in the contexts as
 * the run found them (contexts.h) plus its own fixes: the context its fixer
 * opened for them is the one what remains is linted in.
 *
 * --file-path-in-report renames the file in every report format. A run
 * that would lint more than one file with it is a usage error: every report
 * would blame the same name.
 */
#include "cli/cli.h"
#include "cli/contexts.h"
#include "cli/discover.h"
#include "cli/lint.h"
#include "fix/diff.h"
#include "fix/fixer.h"
#include "fix/side.h"
#include "fix/write.h"
#include "graph/graph.h"
#include "output/output.h"
#include "util/file.h"
#include "util/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Threads get the stack the main thread usually has: the parsers recurse. */
#define LINT_STACK_SIZE (8u << 20)
/* Inputs kept open between gather() and their read, at most. */
#define KEEP_OPEN_MAX 65536
/* More threads than this buys nothing but memory. */
#define LINT_MAX_JOBS 256
/* Without lint threads, how far read_ahead's reader may run ahead: jobs,
 * and bytes read and not yet linted (one file more than this at most). */
#define READ_AHEAD_JOBS 64
#define READ_AHEAD_BYTES (32u << 20)

typedef struct lint_job {
	const char *path;	/* what is read: a file or "-" */
	char *owned_path;	/* path, when discovery made it */
	df_buf data;		/* the bytes; kept until rendered, for tty snippets */
	df_buf err;		/* why it could not be read; empty when it was */
	df_diags diags;
	df_buf fix_out;		/* for standard output: the diff (--diff), the fixed text (--fix of stdin) */
	df_buf fix_err;		/* for standard error: fixes applied (--show-fixes), a refusal */
	bool refused;		/* a fix would have broken the file */
	bool changed;		/* --diff: the fixes change the file */
	bool write;		/* --fix: data is to be written over the file */
	char *side_path;	/* the ignore file the fixes extend, or NULL */
	char **side_lines;	/* the lines they add to it */
	size_t nside;
	df_context *fixed_ctx;	/* the context as the fixed ignore file makes it */
	int fd;			/* path opened by gather(), to read; -1: none */
	df_input_info info;	/* what fd is */
	bool read;		/* data and err are read already: stdin, or by read_ahead */
	bool done;		/* under lint_pool.lock once threads run */
} lint_job;

typedef struct lint_jobs {
	lint_job *items;
	size_t len, cap;
} lint_jobs;

typedef struct lint_pool {
	lint_job *jobs;
	size_t njobs;
	const df_lint_run *run;
	df_buf spare;		/* without threads or reader: the last job's byte buffer, reused */
	pthread_mutex_t lock;
	pthread_cond_t changed;	/* a job is done */
	size_t next;		/* the next job a thread takes */
	df_contexts *contexts;	/* the build contexts, opened as rules ask */
	df_side_files side;	/* --diff: the ignore files as the diffs so far leave them */
	bool reading_ahead;	/* a read_ahead reader reads the jobs' files */
} lint_pool;

/* One -f/-o report while the jobs run. */
typedef struct lint_report {
	const df_lint_output *spec;
	df_output out;		/* valid when ok */
	bool ok;		/* the format is known */
	FILE *f;		/* stdout, or the report file; NULL: not open */
	int err;		/* errno of the first failure to open or write; 0: none */
	bool batch;		/* not a terminal: written in REPORT_BATCH pieces */
	df_buf text;		/* rendered and not yet written; reused */
} lint_report;

/*
 * A report that is not shown on a terminal is written when this much has
 * been rendered, not after every file: linting a tree of small files
 * otherwise costs a write(2) for each of them, which takes as long as
 * linting one. A terminal gets each file's findings at once.
 */
#define REPORT_BATCH (64 * 1024)

static const char *shown_path(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

static lint_job *add_job(lint_jobs *js, const char *path, char *owned)
{
	df_grow((void **)&js->items, &js->cap, js->len + 1, sizeof(*js->items));
	lint_job *j = &js->items[js->len++];
	memset(j, 0, sizeof(*j));
	j->path = path;
	j->owned_path = owned;
	df_buf_init(&j->data);
	df_buf_init(&j->err);
	df_buf_init(&j->fix_out);
	df_buf_init(&j->fix_err);
	df_diags_init(&j->diags);
	j->fd = -1;
	return j;
}

static void release_jobs(lint_jobs *js)
{
	for (size_t i = 0; i < js->len; i++) {
		free(js->items[i].owned_path);
		df_buf_release(&js->items[i].data);
		df_buf_release(&js->items[i].err);
		df_buf_release(&js->items[i].fix_out);
		df_buf_release(&js->items[i].fix_err);
		df_diags_release(&js->items[i].diags);
		if (js->items[i].fd >= 0)
			close(js->items[i].fd);	/* a job that never ran */
		free(js->items[i].side_path);
		for (size_t k = 0; k < js->items[i].nside; k++)
			free(js->items[i].side_lines[k]);
		free(js->items[i].side_lines);
	}
	free(js->items);
}

typedef struct discover_ctx {
	bool verbose;
	int rc;
} discover_ctx;

static void on_discover(void *ctx, df_discover_event ev, const char *path, const char *text)
{
	discover_ctx *c = ctx;
	if (ev == DF_DISCOVER_ERROR) {
		fprintf(stderr, "dfopt: cannot read '%s': %s\n", path, text);
		c->rc = DF_EXIT_ERROR;
	} else if (c->verbose) {
		fprintf(stderr, "dfopt: skipping '%s' (%s)\n", path, text);
	}
}

/* Is in a directory? Asked instead of opening it, or when opening it
 * failed: an unreadable directory is discovery's to report. */
static bool is_directory(df_input_dir *dir, const char *in)
{
	df_input_info info;
	return df_input_stat_in(dir, in, &info) == 0 && S_ISDIR(info.mode);
}

/* How many inputs gather() keeps open: half the descriptors the process
 * may have, the rest left for what linting opens (build contexts,
 * ShellCheck's pipes, reports). */
static size_t open_budget(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 2 * KEEP_OPEN_MAX)
		return KEEP_OPEN_MAX;
	return (size_t)rl.rlim_cur / 2;
}

/* Whether a read_ahead thread reads the files of a run of njobs jobs: one
 * job at a time (no lint threads), more than one file, and no --fix, which
 * reads each file in its turn. */
static bool reads_ahead(const df_lint_run *run, size_t njobs)
{
	return run->jobs <= 1 && run->fix != DF_FIX_MODE_WRITE && njobs > 1;
}

/*
 * One job per file to lint, in input order; a directory's Dockerfiles
 * where it stands. Inputs that cannot be read stay jobs: their errors are
 * reported in their turn.
 *
 * Each input is opened here to learn whether it is a directory, and a
 * file stays open for its job to read, in its turn, on whichever thread
 * runs it: a stat() here and an open() then would walk every path twice,
 * which costs about as much as linting a small file. Past open_budget(),
 * inputs are only stat()ed. So they are when a reader thread reads the
 * files ahead (read_ahead): its open() walks the path again, but on its
 * own core, while the main thread lints. --fix opens each in its turn: a
 * file given twice is read again after the first job's fixes replaced it.
 */
static void gather(const df_lint_run *run, lint_jobs *js, discover_ctx *dc)
{
	size_t budget = run->fix == DF_FIX_MODE_WRITE || reads_ahead(run, run->ninputs) ? 0 : open_budget();
	df_input_dir dir = DF_INPUT_DIR_INIT;
	for (size_t i = 0; i < run->ninputs; i++) {
		const char *in = run->inputs[i];
		if (!strcmp(in, "-")) {
			add_job(js, in, NULL);
			continue;
		}
		if (budget) {
			df_input_info info;
			int fd = df_input_open_in(&dir, in, &info);
			if (fd >= 0 && !S_ISDIR(info.mode)) {
				lint_job *j = add_job(js, in, NULL);
				j->fd = fd;
				j->info = info;
				budget--;
				continue;
			}
			if (fd >= 0)
				close(fd);
			else if (!is_directory(&dir, in)) {
				add_job(js, in, NULL);
				continue;
			}
		} else if (!is_directory(&dir, in)) {
			add_job(js, in, NULL);
			continue;
		}
		df_discovery found = DF_DISCOVERY_INIT;
		df_discover(in, &found, on_discover, dc);
		if (!found.len) {
			/* Asked to lint a tree and nothing to lint: most likely a
			 * wrong path, which a pre-commit hook must not pass. */
			fprintf(stderr, "dfopt: no Dockerfile found in '%s'\n", in);
			dc->rc = DF_EXIT_ERROR;
		}
		else if (run->verbose)
			fprintf(stderr, "dfopt: found %zu Dockerfile%s in '%s'\n", found.len,
				found.len == 1 ? "" : "s", in);
		for (size_t k = 0; k < found.len; k++) {
			add_job(js, found.paths[k], found.paths[k]);
			found.paths[k] = NULL;	/* the job owns it now */
		}
		df_discovery_release(&found);
	}
	df_input_dir_release(&dir);
}

static const df_context *fixed_context(void *arg, const char **dockerfile)
{
	const df_context *ctx = arg;
	*dockerfile = ctx->dockerfile;
	return ctx;
}

/* --fix or --diff on the job's text: the diff, the fixed text or the
 * rewritten file, and j->data becomes what is linted afterwards. */
static void fix_job(const df_lint_run *run, const df_lint_opts *opts, lint_job *j)
{
	const char *name = shown_path(j->path);
	df_fix_run fr = { opts, NULL, run->unsafe_fixes, 0, NULL };
	df_fix_result res;
	df_fix_file(name, strcmp(j->path, "-") ? j->path : NULL, df_buf_str(&j->data), j->data.len, &fr, &res);
	if (res.refused) {
		/* Not even the rounds before the refused one: a file is fixed
		 * whole or not at all. */
		j->refused = true;
		df_buf_addf(&j->fix_err,
			    "dfopt: %s: fixes not applied: they would make the file fail to parse (%s); the file is left as it was\n",
			    name, df_buf_str(&res.refusal));
		df_fix_result_release(&res);
		return;
	}
	bool changed = res.text.len != j->data.len || memcmp(df_buf_str(&res.text), df_buf_str(&j->data), j->data.len);
	if (changed && run->fix == DF_FIX_MODE_DIFF) {
		j->changed = true;
		df_diff_unified(name, df_buf_str(&j->data), j->data.len, name, df_buf_str(&res.text), res.text.len,
				&j->fix_out);
	} else if (run->fix == DF_FIX_MODE_WRITE && !strcmp(j->path, "-")) {
		df_buf_add(&j->fix_out, df_buf_str(&res.text), res.text.len);
	} else {
		j->write = changed;	/* in the job's turn, with the ignore file */
	}
	if (res.nside) {
		/* Committed in the job's turn (commit_job()). */
		j->side_path = res.side_path;
		j->side_lines = res.side_lines;
		j->nside = res.nside;
		res.side_path = NULL;
		res.side_lines = NULL;
		res.nside = 0;
		if (run->fix == DF_FIX_MODE_WRITE) {
			j->fixed_ctx = res.context;
			res.context = NULL;
		}
	}
	if (run->show_fixes)
		for (size_t i = 0; i < res.nnotes; i++)
			df_buf_addf(&j->fix_err, "dfopt: %s:%u:%u: %s %s: %s\n", name, res.notes[i].line,
				    res.notes[i].col, run->fix == DF_FIX_MODE_DIFF ? "would fix" : "fixed",
				    res.notes[i].code, res.notes[i].message);
	if (res.unsettled)
		df_buf_addf(&j->fix_err, "dfopt: %s: warning: still fixing after %u rounds; run --fix again\n", name,
			    res.rounds);
	if (run->fix == DF_FIX_MODE_WRITE) {
		df_buf tmp = j->data;
		j->data = res.text;
		res.text = tmp;
	}
	df_fix_result_release(&res);
}

/* Read the job's bytes, or why they cannot be, unless that is done; a
 * file gather() did not open is opened relative to dir, unless NULL. */
static void read_job(lint_job *j, df_input_dir *dir)
{
	if (j->read)
		return;
	int rc;
	if (j->fd >= 0) {
		rc = df_read_text_open(j->fd, &j->info, j->path, DF_MAX_FILE, &j->data, &j->err);
		j->fd = -1;
	} else {
		rc = df_read_text_in(dir, j->path, DF_MAX_FILE, &j->data, &j->err);
	}
	if (rc < 0)
		df_buf_release(&j->data);
	j->read = true;
}

/* Read, parse and lint one job; touches nothing but the job (and the
 * shared contexts, under their lock). */
static void lint_one(const lint_pool *p, lint_job *j)
{
	read_job(j, NULL);
	if (j->err.len)
		return;
	df_context_ask jc = { p->contexts, j->path, DF_BUF_INIT, DF_BUF_INIT };
	df_lint_opts opts = p->run->opts;
	opts.context = df_contexts_ask;
	opts.context_arg = &jc;
	opts.context_fixes = strcmp(j->path, "-") != 0;
	if (p->run->fix != DF_FIX_MODE_NONE)
		fix_job(p->run, &opts, j);
	if (j->err.len) {
		df_buf_release(&jc.where);
		df_buf_release(&jc.err);
		if (j->fixed_ctx) {
			df_context_release(j->fixed_ctx);
			free(j->fixed_ctx);
			j->fixed_ctx = NULL;
		}
		return;
	}
	if (j->fixed_ctx) {
		/* What remains is judged in the context as it will be. */
		opts.context = fixed_context;
		opts.context_arg = j->fixed_ctx;
	}
	df_doc doc;
	df_doc_parse(&doc, shown_path(j->path), df_buf_str(&j->data), j->data.len, NULL);
	df_graph g;
	df_graph_build(&g, &doc, NULL);
	df_lint_file(&doc, &g, &opts, &j->diags);
	if (jc.err.len) {
		/* A context the builder could not use either: the file's
		 * findings would be half of them. */
		df_buf_addf(&j->err, "%s: %s", shown_path(j->path), df_buf_str(&jc.err));
		df_diags_release(&j->diags);
		df_diags_init(&j->diags);
	}
	df_buf_release(&jc.where);
	df_buf_release(&jc.err);
	df_graph_release(&g);
	df_doc_release(&doc);
	if (j->fixed_ctx) {
		df_context_release(j->fixed_ctx);
		free(j->fixed_ctx);
		j->fixed_ctx = NULL;
	}
}

static void *worker(void *arg)
{
	lint_pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next < p->njobs ? p->next++ : p->njobs;
		pthread_mutex_unlock(&p->lock);
		if (i == p->njobs)
			return NULL;
		lint_one(p, &p->jobs[i]);
		pthread_mutex_lock(&p->lock);
		p->jobs[i].done = true;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
	}
}

/*
 * Read-ahead, for a run without lint threads: a reader thread reads the
 * jobs' files in job order, up to READ_AHEAD_JOBS files and about
 * READ_AHEAD_BYTES ahead of the job being linted. Opening and reading a
 * file, most of the time a small one spends in the kernel, is then done on
 * another core while the main thread lints the file before. Linting stays
 * on the main thread, one file at a time, and the output is what it was,
 * byte for byte.
 *
 * The counters are atomics, and a side takes the lock only to sleep: the
 * main thread when its next file is not read yet, the reader when it is as
 * far ahead as it may go. The reader is woken once half its window is free
 * again, not after every file: a wake-up costs more than reading a small
 * file. Each side raises its flag before it looks at the counters one last
 * time, and the other looks at the flag after it moved a counter, so one of
 * them always sees the other's move.
 */
typedef struct read_ahead {
	lint_job *jobs;
	size_t njobs;
	atomic_size_t read;	/* jobs [0, read) are read */
	atomic_size_t taken;	/* jobs [0, taken) are the main thread's */
	atomic_size_t bytes;	/* of the jobs read and not taken */
	atomic_bool main_waits, reader_waits;
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* a flag's side may go on */
	pthread_t tid;
} read_ahead;

/* Whether the reader, having read the jobs before next, must wait. */
static bool reader_must_wait(read_ahead *ra, size_t next)
{
	size_t ahead = next - atomic_load(&ra->taken);
	return ahead && (ahead >= READ_AHEAD_JOBS || atomic_load(&ra->bytes) >= READ_AHEAD_BYTES);
}

/* Whether the waiting reader may go on: half its window is free. */
static bool reader_may_go(read_ahead *ra, size_t next)
{
	size_t ahead = next - atomic_load(&ra->taken);
	return !ahead || (ahead <= READ_AHEAD_JOBS / 2 && atomic_load(&ra->bytes) <= READ_AHEAD_BYTES / 2);
}

static bool job_is_read(read_ahead *ra, size_t i)
{
	return atomic_load(&ra->read) > i;
}

/* Sleep, flag up, until ready(ra, arg). */
static void ra_wait(read_ahead *ra, atomic_bool *flag, bool (*ready)(read_ahead *, size_t), size_t arg)
{
	pthread_mutex_lock(&ra->lock);
	atomic_store(flag, true);
	while (!ready(ra, arg))
		pthread_cond_wait(&ra->wake, &ra->lock);
	atomic_store(flag, false);
	pthread_mutex_unlock(&ra->lock);
}

/* Wake the side whose flag is up, if it is. */
static void ra_wake(read_ahead *ra, atomic_bool *flag)
{
	if (!atomic_load(flag))
		return;
	pthread_mutex_lock(&ra->lock);
	pthread_cond_broadcast(&ra->wake);
	pthread_mutex_unlock(&ra->lock);
}

static void *reader(void *arg)
{
	read_ahead *ra = arg;
	df_input_dir dir = DF_INPUT_DIR_INIT;
	for (size_t i = 0; i < ra->njobs; i++) {
		if (reader_must_wait(ra, i))
			ra_wait(ra, &ra->reader_waits, reader_may_go, i);
		read_job(&ra->jobs[i], &dir);
		atomic_fetch_add(&ra->bytes, ra->jobs[i].data.len);
		atomic_store(&ra->read, i + 1);
		ra_wake(ra, &ra->main_waits);
	}
	df_input_dir_release(&dir);
	return NULL;
}

/* Start reading p's jobs ahead; false when no thread could be had. */
static bool read_ahead_start(read_ahead *ra, const lint_pool *p)
{
	*ra = (read_ahead){ .jobs = p->jobs, .njobs = p->njobs };
	atomic_init(&ra->read, 0);
	atomic_init(&ra->taken, 0);
	atomic_init(&ra->bytes, 0);
	atomic_init(&ra->main_waits, false);
	atomic_init(&ra->reader_waits, false);
	if (pthread_mutex_init(&ra->lock, NULL) != 0)
		return false;
	if (pthread_cond_init(&ra->wake, NULL) != 0) {
		pthread_mutex_destroy(&ra->lock);
		return false;
	}
	if (pthread_create(&ra->tid, NULL, reader, ra) != 0) {
		pthread_cond_destroy(&ra->wake);
		pthread_mutex_destroy(&ra->lock);
		return false;
	}
	return true;
}

/* Job i, read: the main thread's to lint. Jobs are taken in order. */
static void read_ahead_take(read_ahead *ra, size_t i)
{
	if (!job_is_read(ra, i))
		ra_wait(ra, &ra->main_waits, job_is_read, i);
	atomic_fetch_sub(&ra->bytes, ra->jobs[i].data.len);
	atomic_store(&ra->taken, i + 1);
	if (reader_may_go(ra, atomic_load(&ra->read)))
		ra_wake(ra, &ra->reader_waits);
}

/* After the last job is taken. */
static void read_ahead_end(read_ahead *ra)
{
	pthread_join(ra->tid, NULL);
	pthread_cond_destroy(&ra->wake);
	pthread_mutex_destroy(&ra->lock);
}

/* A finished job's writes, in its turn: the ignore file's lines (--diff:
 * their diff), then the Dockerfile. A failure leaves the Dockerfile as it
 * was and drops the job's findings for the error. */
static void commit_job(lint_pool *p, lint_job *j)
{
	const df_lint_run *run = p->run;
	if (j->err.len)
		return;
	if (j->nside) {
		bool write = run->fix == DF_FIX_MODE_WRITE;
		df_buf added = DF_BUF_INIT;
		long n = df_side_commit(&p->side, j->side_path, j->side_path, (const char *const *)j->side_lines,
					j->nside, write, &j->fix_out, &added, &j->err);
		j->changed |= n > 0 && !write;
		/* "./.dockerignore" for a Dockerfile given as "Dockerfile". */
		const char *shown = strncmp(j->side_path, "./", 2) ? j->side_path : j->side_path + 2;
		for (size_t at = 0; n > 0 && run->show_fixes && at < added.len;) {
			const char *nl = memchr(added.buf + at, '\n', added.len - at);
			df_buf_addf(&j->fix_err, "dfopt: %s: %s `%.*s`\n", shown, write ? "added" : "would add",
				    (int)(nl - (added.buf + at)), added.buf + at);
			at = (size_t)(nl - added.buf) + 1;
		}
		df_buf_release(&added);
		if (n < 0)
			return;
	}
	if (j->write)
		df_write_atomic(j->path, df_buf_str(&j->data), j->data.len, &j->err);
}

/* A finished job's stderr lines (and --diff's and stdin --fix's standard
 * output) and its share of the exit code. */
static int report_job(const df_lint_run *run, const lint_job *j, int rc)
{
	if (run->verbose)
		fprintf(stderr, "dfopt: linting '%s'\n", shown_path(j->path));
	fputs(df_buf_str(&j->fix_err), stderr);
	fwrite(j->fix_out.buf ? j->fix_out.buf : "", 1, j->fix_out.len, stdout);
	if (j->err.len) {
		fprintf(stderr, "dfopt: %s\n", df_buf_str(&j->err));
		return DF_EXIT_ERROR;
	}
	if (rc == DF_EXIT_ERROR)
		return rc;
	if (j->refused)
		return DF_EXIT_FIX;
	if (rc != DF_EXIT_OK || run->no_fail || run->threshold < 0)
		return rc;
	if (run->fix == DF_FIX_MODE_DIFF)
		return j->changed ? DF_EXIT_FINDINGS : rc;
	for (size_t i = 0; i < j->diags.len; i++)
		if ((int)j->diags.items[i].severity <= run->threshold)
			return DF_EXIT_FINDINGS;
	return rc;
}

static void flush_report(lint_report *r)
{
	if (r->f && !r->err && r->text.len && fwrite(r->text.buf, 1, r->text.len, r->f) != r->text.len)
		r->err = errno ? errno : EIO;
	df_buf_reset(&r->text);
}

/* A finished job's findings into every report, then freed. */
static void render_job(lint_pool *p, lint_report *reps, lint_job *j)
{
	const df_lint_run *run = p->run;
	if (!j->err.len) {
		df_file_findings ff = {
			run->report_path ? run->report_path : shown_path(j->path),
			&j->diags, j->data.buf, j->data.len,
		};
		for (size_t k = 0; k < run->noutputs; k++)
			if (reps[k].ok) {
				df_output_file(&reps[k].out, &ff, &reps[k].text);
				if (!reps[k].batch || reps[k].text.len >= REPORT_BATCH)
					flush_report(&reps[k]);
			}
	}
	df_diags_release(&j->diags);
	if (!p->reading_ahead && !p->spare.buf) {
		p->spare = j->data;
		df_buf_init(&j->data);
	}
	df_buf_release(&j->data);
}

static int lint_all(lint_pool *p, lint_report *reps, int rc)
{
	const df_lint_run *run = p->run;
	unsigned want = run->jobs > LINT_MAX_JOBS ? LINT_MAX_JOBS : run->jobs;
	size_t nthreads = want < p->njobs ? want : p->njobs;
	pthread_t *tids = NULL;
	size_t started = 0;
	if (nthreads > 1) {
		tids = df_xcalloc(nthreads, sizeof(*tids));
		pthread_attr_t attr;
		bool attr_ok = pthread_attr_init(&attr) == 0;
		if (attr_ok)
			pthread_attr_setstacksize(&attr, LINT_STACK_SIZE);
		for (; started < nthreads; started++)
			if (pthread_create(&tids[started], attr_ok ? &attr : NULL, worker, p) != 0)
				break;	/* fewer threads still finish the work */
		if (attr_ok)
			pthread_attr_destroy(&attr);
	}
	/* Alone, the main thread has files read ahead, unless each file's
	 * turn is where it must be read: --fix may have just rewritten it. */
	read_ahead ra;
	p->reading_ahead = reads_ahead(run, p->njobs) && read_ahead_start(&ra, p);
	for (size_t i = 0; i < p->njobs; i++) {
		lint_job *j = &p->jobs[i];
		if (started) {
			pthread_mutex_lock(&p->lock);
			while (!j->done)
				pthread_cond_wait(&p->changed, &p->lock);
			pthread_mutex_unlock(&p->lock);
		} else {
			if (p->reading_ahead)
				read_ahead_take(&ra, i);
			else if (!j->data.buf) {
				j->data = p->spare;
				df_buf_reset(&j->data);
				df_buf_init(&p->spare);
			}
			lint_one(p, j);
		}
		commit_job(p, j);
		int r = report_job(run, j, rc);
		/* An error outranks a refused fix, which outranks findings. */
		rc = r == DF_EXIT_ERROR || rc == DF_EXIT_ERROR ? DF_EXIT_ERROR
		     : r == DF_EXIT_FIX || rc == DF_EXIT_FIX   ? DF_EXIT_FIX
							       : r;
		render_job(p, reps, j);
	}
	if (p->reading_ahead)
		read_ahead_end(&ra);
	for (size_t k = 0; k < started; k++)
		pthread_join(tids[k], NULL);
	free(tids);
	return rc;
}

/* Where a report with no -o file goes: stdout, unless the fixes take it. */
static FILE *stdout_report(const df_lint_run *run)
{
	if (run->fix == DF_FIX_MODE_DIFF)
		return NULL;
	if (run->fix == DF_FIX_MODE_WRITE)
		for (size_t i = 0; i < run->ninputs; i++)
			if (!strcmp(run->inputs[i], "-"))
				return stderr;
	return stdout;
}

/* Open every report and write what comes before the first file. */
static void begin_reports(const df_lint_run *run, lint_report *reps)
{
	for (size_t k = 0; k < run->noutputs; k++) {
		lint_report *r = &reps[k];
		const df_lint_output *o = &run->outputs[k];
		r->spec = o;
		df_buf_init(&r->text);
		/* Escape sequences only reach a terminal, never a report file. */
		df_output_opts style = {
			.color = run->color && !o->path, .snippets = true, .summary = true,
			.custom = run->opts.custom, .ncustom = run->opts.ncustom,
		};
		r->ok = df_output_begin(&r->out, o->format, &style, &r->text) == 0;
		if (!r->ok)
			continue;
		/* Standard output may be taken: by --diff's diffs, which are
		 * the run's output, or by the fixed text of stdin. */
		r->f = o->path ? fopen(o->path, "wb") : stdout_report(run);
		if (o->path && !r->f)
			r->err = errno;
		r->batch = r->f && !isatty(fileno(r->f));
		flush_report(r);
	}
}

/* Write what comes after the last file, close, and tell what failed. */
static int end_reports(const df_lint_run *run, lint_report *reps, int rc)
{
	for (size_t k = 0; k < run->noutputs; k++) {
		lint_report *r = &reps[k];
		const df_lint_output *o = r->spec;
		if (!r->ok) {
			rc = df_cli_usage_error("lint", "unknown format '%s' (see 'dfopt lint --help')", o->format);
			df_buf_release(&r->text);
			continue;
		}
		df_output_end(&r->out, &r->text);
		flush_report(r);
		df_buf_release(&r->text);
		if (!o->path)
			continue;
		if (run->verbose)
			fprintf(stderr, "dfopt: writing the %s report to '%s'\n", o->format, o->path);
		if (r->f && fclose(r->f) != 0 && !r->err)
			r->err = errno;
		if (r->err) {
			fprintf(stderr, "dfopt: cannot write '%s': %s\n", o->path, strerror(r->err));
			rc = DF_EXIT_ERROR;
		}
	}
	int out_err = 0;
	for (size_t k = 0; k < run->noutputs; k++)
		if (reps[k].ok && !run->outputs[k].path && reps[k].err && !out_err)
			out_err = reps[k].err;
	if (fflush(stdout) != 0 && !out_err)
		out_err = errno;
	if (out_err) {
		fprintf(stderr, "dfopt: cannot write standard output: %s\n", strerror(out_err));
		rc = DF_EXIT_ERROR;
	}
	return rc;
}

int df_lint_run_inputs(const df_lint_run *run)
{
	discover_ctx dc = { run->verbose, DF_EXIT_OK };
	lint_jobs js = { NULL, 0, 0 };
	gather(run, &js, &dc);
	int rc = dc.rc;
	if (run->report_path && js.len > 1) {
		rc = df_cli_usage_error("lint", "--file-path-in-report names one file, but %zu are linted", js.len);
		release_jobs(&js);
		return rc;
	}

	df_contexts contexts;
	df_contexts_init(&contexts, run->context, run->no_context);
	lint_pool pool = { js.items, js.len, run, DF_BUF_INIT, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
			   &contexts, DF_SIDE_FILES_INIT, false };
	/* stdin is read here, once, so no thread waits on it or races for it. */
	for (size_t i = 0; i < js.len; i++) {
		lint_job *j = &js.items[i];
		if (!strcmp(j->path, "-")) {
			if (df_read_text("-", DF_MAX_FILE, &j->data, &j->err) < 0)
				df_buf_release(&j->data);
			j->read = true;
		}
	}
	lint_report *reps = df_xcalloc(run->noutputs ? run->noutputs : 1, sizeof(*reps));
	begin_reports(run, reps);
	rc = lint_all(&pool, reps, rc);
	pthread_mutex_destroy(&pool.lock);
	pthread_cond_destroy(&pool.changed);
	df_buf_release(&pool.spare);
	df_contexts_release(&contexts);
	df_side_files_release(&pool.side);
	rc = end_reports(run, reps, rc);
	free(reps);
	release_jobs(&js);
	return rc;
}
