/*
 * check_fix.c - the fixer's mechanics: byte-range edits and which of them a
 * round applies, unified diffs (checked by applying them back), atomic file
 * replacement and creation, lines appended to an ignore file, and the
 * rounds themselves.
 *
 * The rounds are driven by a stand-in for the engine: this file defines
 * df_lint_file(), so the linker takes it instead of the library's (nothing
 * else here needs the engine), and each test says through `fake` which
 * finding and fix it reports. That is how a fix no real rule makes (one that
 * breaks the file) is tried.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fix/diff.h"
#include "fix/edit.h"
#include "fix/fixer.h"
#include "fix/side.h"
#include "fix/write.h"
#include "testutil.h"

/* What the stand-in engine reports, once per text that holds `when`: a
 * finding at line 1 with an unsafe fix replacing `when` with `with` and
 * adding `line` to the ignore file (either may be NULL); and, once per text
 * that holds `when2`, a second finding whose fix replaces it with `with2`. */
static struct {
	const char *when, *with, *line;
	const char *when2, *with2;
	unsigned calls;
} fake;

/* The second finding of the stand-in engine, when the text holds when2. */
static void fake_second(const df_doc *doc, const df_lint_opts *opts, df_diags *out)
{
	const char *at = fake.when2 ? strstr(doc->src.data, fake.when2) : NULL;
	if (!at)
		return;
	df_diag *d = df_diags_add_str(out, DF_SEV_WARNING, "DF9998", 2, 1, 2, 2, "fake too");
	d->fix_kind = DF_FIX_UNSAFE;
	if (!opts->fixes)
		return;
	d->fix_group = (uint32_t)df_edits_begin(opts->fixes) + 1;
	size_t start = (size_t)(at - doc->src.data);
	df_edits_add(opts->fixes, start, start + strlen(fake.when2), fake.with2, strlen(fake.with2));
}

void df_lint_file(const df_doc *doc, const df_graph *g, const df_lint_opts *opts, df_diags *out)
{
	(void)g;
	fake.calls++;
	const char *at = fake.when ? strstr(doc->src.data, fake.when) : NULL;
	if (!at) {
		fake_second(doc, opts, out);
		return;
	}
	if (opts->context) {
		/* A rule that asks for the context sees the fixed one. */
		const char *dockerfile = NULL;
		const df_context *ctx = opts->context(opts->context_arg, &dockerfile);
		if (ctx && fake.line && ctx->ignore && df_ignore_match(ctx->ignore, "secret.env"))
			return;
	}
	df_diag *d = df_diags_add_str(out, DF_SEV_WARNING, "DF9999", 1, 1, 1, 2, "fake");
	d->fix_kind = DF_FIX_UNSAFE;
	if (!opts->fixes)
		return;
	size_t group = df_edits_begin(opts->fixes);
	d->fix_group = (uint32_t)group + 1;
	size_t start = (size_t)(at - doc->src.data);
	if (fake.with)
		df_edits_add(opts->fixes, start, start + strlen(fake.when), fake.with, strlen(fake.with));
	if (fake.line)
		df_edits_add_line(opts->fixes, fake.line);
	fake_second(doc, opts, out);
}

/* Apply e to text; the result, and how many groups were applied and left. */
static char *apply(const df_edits *e, const char *text, size_t *applied, size_t *left)
{
	df_buf out = DF_BUF_INIT;
	bool *which = calloc(e->ngroups + 1, sizeof(bool));
	*applied = df_edits_apply(e, text, strlen(text), &out, left, which);
	size_t n = 0;
	for (size_t g = 0; g < e->ngroups; g++)
		n += which[g];
	ck_assert_uint_eq(n, *applied);
	free(which);
	char *s = strdup(df_buf_str(&out));
	df_buf_release(&out);
	return s;
}

#define ONE(e, s, en, t) (df_edits_begin(e), df_edits_add(e, s, en, t, strlen(t)))

START_TEST(test_edits)
{
	size_t n, left;
	char *r;
	df_edits e = DF_EDITS_INIT;
	/* Replace, insert, delete; touching ranges both apply. */
	ONE(&e, 0, 4, "FROM");
	ONE(&e, 5, 5, "docker.io/");
	ONE(&e, 11, 12, "");
	r = apply(&e, "from alpine:3.19 AS x", &n, &left);
	ck_assert_str_eq(r, "FROM docker.io/alpine3.19 AS x");
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(left, 0);
	free(r);
	df_edits_release(&e);

	/* Overlaps wait: the first added wins; same-offset insertions and an
	 * insertion strictly inside a replaced range collide. */
	ONE(&e, 2, 6, "X");
	ONE(&e, 4, 8, "Y");
	ONE(&e, 10, 10, "a");
	ONE(&e, 10, 10, "b");
	ONE(&e, 4, 4, "c");
	ONE(&e, 6, 6, "d");	/* at the end of [2,6): touching, applies */
	ONE(&e, 2, 2, "e");	/* at its start: applies, before it */
	r = apply(&e, "0123456789ABC", &n, &left);
	ck_assert_str_eq(r, "01eXd6789aABC");
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(left, 3);
	free(r);
	df_edits_release(&e);

	/* A group is all or nothing. */
	df_edits_begin(&e);
	df_edits_add(&e, 0, 1, "a", 1);
	df_edits_begin(&e);
	df_edits_add(&e, 5, 6, "b", 1);
	df_edits_add(&e, 0, 2, "c", 1);	/* collides with the first group */
	r = apply(&e, "xxxxxxx", &n, &left);
	ck_assert_str_eq(r, "axxxxxx");
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(left, 1);
	free(r);
	df_edits_release(&e);

	/* Past the end is refused; an empty text takes an insertion. */
	ONE(&e, 3, 9, "z");
	r = apply(&e, "abcd", &n, &left);
	ck_assert_str_eq(r, "abcd");
	ck_assert_uint_eq(left, 1);
	free(r);
	df_edits_release(&e);
	ONE(&e, 0, 0, "FROM scratch\n");
	r = apply(&e, "", &n, &left);
	ck_assert_str_eq(r, "FROM scratch\n");
	free(r);
	df_edits_release(&e);
}
END_TEST

/* Apply a unified diff to a, as patch would (strictly: context must
 * match); NULL when it does not apply. */
static char *patch(const char *a, const char *diff)
{
	df_buf out = DF_BUF_INIT;
	const char *p = diff;
	ck_assert(strncmp(p, "--- a/", 6) == 0);
	p = strchr(p, '\n') + 1;
	ck_assert(strncmp(p, "+++ b/", 6) == 0);
	p = strchr(p, '\n') + 1;
	/* The lines of a, as offsets. */
	const char *at = a;
	size_t line = 0;	/* lines of a consumed */
	while (*p) {
		unsigned long a0, na = 1, b0, nb = 1;
		ck_assert_msg(sscanf(p, "@@ -%lu", &a0) == 1, "bad hunk header: %s", p);
		const char *c = strchr(p, ',');
		const char *sp = strchr(p + 4, ' ');
		if (c && c < sp)
			na = strtoul(c + 1, NULL, 10);
		const char *plus = strchr(p, '+');
		b0 = strtoul(plus + 1, NULL, 10);
		c = strchr(plus, ',');
		const char *end = strstr(plus, " @@");
		if (c && c < end)
			nb = strtoul(c + 1, NULL, 10);
		(void)b0;
		size_t first = na ? a0 - 1 : a0;
		while (line < first) {	/* copy untouched lines */
			const char *nl = strchr(at, '\n');
			size_t l = nl ? (size_t)(nl - at) + 1 : strlen(at);
			df_buf_add(&out, at, l);
			at += l;
			line++;
		}
		p = strchr(p, '\n') + 1;
		size_t seen_a = 0, seen_b = 0;
		while (*p && *p != '@') {
			char kind = *p++;
			const char *nl = strchr(p, '\n');
			size_t l = (size_t)(nl - p) + 1;
			bool no_eol = strncmp(nl + 1, "\\ No newline", 12) == 0;
			size_t body = no_eol ? l - 1 : l;
			if (kind == ' ' || kind == '-') {
				if (strncmp(at, p, body) != 0) {
					df_buf_release(&out);
					return NULL;
				}
				at += body;
				line++;
				seen_a++;
			}
			if (kind == ' ' || kind == '+') {
				df_buf_add(&out, p, body);
				seen_b++;
			}
			p = nl + 1;
			if (no_eol)
				p = strchr(p, '\n') + 1;
		}
		ck_assert_uint_eq(seen_a, na);
		ck_assert_uint_eq(seen_b, nb);
	}
	df_buf_adds(&out, at);
	char *s = strdup(df_buf_str(&out));
	df_buf_release(&out);
	return s;
}

static void check_diff(const char *a, const char *b)
{
	df_buf d = DF_BUF_INIT;
	df_diff_unified("Dockerfile", a, strlen(a), "Dockerfile", b, strlen(b), &d);
	if (strcmp(a, b) == 0) {
		ck_assert_uint_eq(d.len, 0);
	} else {
		char *r = patch(a, df_buf_str(&d));
		ck_assert_msg(r && strcmp(r, b) == 0, "diff does not turn\n%s\ninto\n%s\n:\n%s", a, b, df_buf_str(&d));
		free(r);
	}
	df_buf_release(&d);
}

START_TEST(test_diff_exact)
{
	const char *a = "FROM alpine\nCOPY . /app\nRUN npm ci\nCMD [\"node\"]\n";
	const char *b = "FROM alpine\nCOPY package.json /app/\nRUN npm ci\nCOPY . /app\nCMD [\"node\"]\n";
	df_buf d = DF_BUF_INIT;
	df_diff_unified("Dockerfile", a, strlen(a), "Dockerfile", b, strlen(b), &d);
	ck_assert_str_eq(df_buf_str(&d), "--- a/Dockerfile\n+++ b/Dockerfile\n"
					 "@@ -1,4 +1,5 @@\n"
					 " FROM alpine\n"
					 "-COPY . /app\n"
					 "+COPY package.json /app/\n"
					 " RUN npm ci\n"
					 "+COPY . /app\n"
					 " CMD [\"node\"]\n");
	df_buf_reset(&d);
	/* No newline at the end, on one side. */
	df_diff_unified("f", "a\nb", 3, "f", "a\nb\n", 4, &d);
	ck_assert_str_eq(df_buf_str(&d), "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
	df_buf_reset(&d);
	/* Insertion into an empty file; far-apart changes make two hunks. */
	df_diff_unified("f", "", 0, "f", "x\n", 2, &d);
	ck_assert_str_eq(df_buf_str(&d), "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n");
	df_buf_reset(&d);
	const char *l = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
	const char *m = "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\nTWELVE\n";
	df_diff_unified("f", l, strlen(l), "f", m, strlen(m), &d);
	ck_assert_str_eq(df_buf_str(&d), "--- a/f\n+++ b/f\n"
					 "@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n"
					 "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+TWELVE\n");
	df_buf_release(&d);
	check_diff("same\n", "same\n");
}
END_TEST

/* Random edits of random line files: the diff always applies back. */
START_TEST(test_diff_random)
{
	unsigned seed = 12345;
	static const char *const pool[] = { "FROM a\n", "RUN x\n", "COPY . .\n", "\n", "# c\n", "RUN y\r\n", "ENV A=1\n" };
	for (int iter = 0; iter < 400; iter++) {
		df_buf a = DF_BUF_INIT, b = DF_BUF_INIT;
		int n = (int)(rand_r(&seed) % 40);
		for (int i = 0; i < n; i++) {
			const char *ln = pool[rand_r(&seed) % 7];
			df_buf_adds(&a, ln);
			int r = (int)(rand_r(&seed) % 10);
			if (r == 0)
				continue;	/* deleted */
			if (r == 1)
				df_buf_adds(&b, pool[rand_r(&seed) % 7]);	/* inserted */
			df_buf_adds(&b, r == 2 ? pool[rand_r(&seed) % 7] : ln);
		}
		if (rand_r(&seed) % 4 == 0)
			df_buf_adds(&a, "tail");
		if (rand_r(&seed) % 4 == 0)
			df_buf_adds(&b, "tail");
		check_diff(df_buf_str(&a), df_buf_str(&b));
		df_buf_release(&a);
		df_buf_release(&b);
	}
}
END_TEST

/* A long file rewritten throughout still gives a diff that applies. */
START_TEST(test_diff_bounded)
{
	df_buf a = DF_BUF_INIT, b = DF_BUF_INIT;
	for (int i = 0; i < 6000; i++) {
		df_buf_addf(&a, "RUN a%d\n", i);
		df_buf_addf(&b, "RUN b%d\n", i);
	}
	check_diff(df_buf_str(&a), df_buf_str(&b));
	df_buf_release(&a);
	df_buf_release(&b);
}
END_TEST

static char dir[] = "/tmp/dfopt-fix-XXXXXX";

static size_t entries(void)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

static void slurp(const char *path, df_buf *out)
{
	df_buf_reset(out);
	ck_assert_int_eq(tu_read(path, out), 0);
}

START_TEST(test_write)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char f[256], link[256], ro[256];
	snprintf(f, sizeof(f), "%s/Dockerfile", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(ro, sizeof(ro), "%s/ro", dir);
	ck_assert_int_eq(tu_write(f, "FROM a\n", 7), 0);
	ck_assert_int_eq(chmod(f, 0640), 0);
	df_buf err = DF_BUF_INIT, got = DF_BUF_INIT;

	/* Unchanged: not written, mtime kept. */
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, f, old, 0), 0);
	ck_assert_int_eq(df_write_atomic(f, "FROM a\n", 7, &err), 1);
	struct stat st;
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000000000);

	/* Written: contents and mode, no temporary file left. */
	ck_assert_int_eq(df_write_atomic(f, "FROM b\n", 7, &err), 0);
	slurp(f, &got);
	ck_assert_str_eq(df_buf_str(&got), "FROM b\n");
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	ck_assert_uint_eq(entries(), 1);

	/* Through a symlink: the target changes, the link stays a link. */
	ck_assert_int_eq(symlink("Dockerfile", link), 0);
	ck_assert_int_eq(df_write_atomic(link, "FROM c\n", 7, &err), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	slurp(f, &got);
	ck_assert_str_eq(df_buf_str(&got), "FROM c\n");

	/* Read-only: refused (even for root), the file intact. */
	ck_assert_int_eq(tu_write(ro, "FROM r\n", 7), 0);
	ck_assert_int_eq(chmod(ro, 0444), 0);
	ck_assert_int_eq(df_write_atomic(ro, "FROM s\n", 7, &err), -1);
	ck_assert_msg(strstr(df_buf_str(&err), "read-only") != NULL, "%s", df_buf_str(&err));
	slurp(ro, &got);
	ck_assert_str_eq(df_buf_str(&got), "FROM r\n");

	/* Missing files and directories are errors. */
	df_buf_reset(&err);
	ck_assert_int_eq(df_write_atomic("/nonexistent/Dockerfile", "x", 1, &err), -1);
	ck_assert_msg(strstr(df_buf_str(&err), "/nonexistent/Dockerfile") != NULL, "%s", df_buf_str(&err));
	ck_assert_int_eq(df_write_atomic(dir, "x", 1, &err), -1);
	ck_assert_uint_eq(entries(), 3);

	unlink(link);
	chmod(ro, 0644);
	unlink(ro);
	unlink(f);
	rmdir(dir);
	df_buf_release(&err);
	df_buf_release(&got);
}
END_TEST

START_TEST(test_refused_round)
{
	/* A fix whose result no longer parses: refused, the text as it was,
	 * the refusal naming the new error. */
	static const char text[] = "FROM a\nRUN echo hi\n";
	df_lint_opts o = { 0 };
	df_fix_run run = { &o, NULL, true, 0, NULL };
	df_fix_result r;
	memset(&fake, 0, sizeof(fake));
	fake.when = "RUN echo hi";
	fake.with = "RUN";
	df_fix_text("Dockerfile", text, strlen(text), &run, &r);
	ck_assert(r.refused);
	ck_assert_str_eq(df_buf_str(&r.text), text);
	ck_assert_msg(strstr(df_buf_str(&r.refusal), "2:1: RUN requires at least one argument") != NULL, "%s",
		      df_buf_str(&r.refusal));
	ck_assert_uint_eq(r.nnotes, 0);
	df_fix_result_release(&r);

	/* Unsafe fixes wait for --unsafe-fixes. */
	run.unsafe = false;
	fake.with = "RUN echo  hi";
	df_fix_text("Dockerfile", text, strlen(text), &run, &r);
	ck_assert(!r.refused);
	ck_assert_str_eq(df_buf_str(&r.text), text);
	df_fix_result_release(&r);
}
END_TEST

START_TEST(test_one_fix_per_instruction)
{
	/* Two fixes of one instruction: the first in its round, the second
	 * judged again in the next one. Of two instructions: one round. */
	df_lint_opts o = { 0 };
	df_fix_run run = { &o, NULL, true, 0, NULL };
	df_fix_result r;
	memset(&fake, 0, sizeof(fake));
	fake.when = "hi";
	fake.with = "HI";
	fake.when2 = "there";
	fake.with2 = "THERE";
	static const char one[] = "FROM a\nRUN echo hi there\n";
	df_fix_text("Dockerfile", one, strlen(one), &run, &r);
	ck_assert_str_eq(df_buf_str(&r.text), "FROM a\nRUN echo HI THERE\n");
	ck_assert_uint_eq(r.nnotes, 2);
	ck_assert_uint_eq(r.notes[0].round, 1);
	ck_assert_uint_eq(r.notes[1].round, 2);
	df_fix_result_release(&r);

	static const char two[] = "FROM a\nRUN echo hi\nRUN echo there\n";
	df_fix_text("Dockerfile", two, strlen(two), &run, &r);
	ck_assert_str_eq(df_buf_str(&r.text), "FROM a\nRUN echo HI\nRUN echo THERE\n");
	ck_assert_uint_eq(r.nnotes, 2);
	ck_assert_uint_eq(r.notes[0].round, 1);
	ck_assert_uint_eq(r.notes[1].round, 1);
	df_fix_result_release(&r);
}
END_TEST

static char side_dir[] = "/tmp/dfopt-side-XXXXXX";

/* The context of the side-file tests, opened from disk. */
static const df_context *disk_context(void *arg, const char **dockerfile)
{
	df_context *ctx = arg;
	*dockerfile = ctx->dockerfile;
	return ctx;
}

START_TEST(test_side_rounds)
{
	static const char text[] = "FROM a\nCOPY . .\n";
	ck_assert_ptr_nonnull(mkdtemp(side_dir));
	char path[256], ignore[256];
	snprintf(path, sizeof(path), "%s/Dockerfile", side_dir);
	snprintf(ignore, sizeof(ignore), "%s/.dockerignore", side_dir);
	ck_assert_int_eq(tu_write(path, text, strlen(text)), 0);
	df_context ctx;
	df_buf err = DF_BUF_INIT;
	df_context_opts co = { .dockerfile = path };
	ck_assert_int_eq(df_context_open(&ctx, side_dir, &co, &err), 0);
	df_lint_opts o = { 0 };
	o.context = disk_context;
	o.context_arg = &ctx;
	df_fix_run run = { &o, NULL, true, 0, NULL };
	df_fix_result r;

	/* A fix of the ignore file alone: the line kept for the caller, the
	 * next round linted in the context it makes (the finding is gone). */
	memset(&fake, 0, sizeof(fake));
	fake.when = "COPY";
	fake.line = "secret.env";
	df_fix_file("Dockerfile", path, text, strlen(text), &run, &r);
	ck_assert(!r.refused && !r.unsettled);
	ck_assert_uint_eq(r.nside, 1);
	ck_assert_str_eq(r.side_lines[0], "secret.env");
	ck_assert_str_eq(r.side_path, ignore);
	ck_assert(!r.side_existed);
	ck_assert_str_eq(df_buf_str(&r.side_text), "secret.env\n");
	ck_assert_ptr_nonnull(r.context);
	ck_assert_uint_eq(r.nnotes, 1);
	ck_assert_uint_eq(r.rounds, 1);
	ck_assert_int_eq(access(ignore, F_OK), -1);	/* nothing written */
	df_fix_result_release(&r);

	/* Without a path (stdin) such a fix is not applied. */
	df_fix_text("Dockerfile", text, strlen(text), &run, &r);
	ck_assert_uint_eq(r.nside, 0);
	ck_assert_uint_eq(r.nnotes, 0);
	df_fix_result_release(&r);

	/* Committed: created 0644; again: nothing added; --diff of a created
	 * file is from /dev/null. */
	df_side_files sf = DF_SIDE_FILES_INIT;
	const char *lines[] = { "secret.env", "/secret.env/", "b" };
	df_buf diff = DF_BUF_INIT, added = DF_BUF_INIT, got = DF_BUF_INIT;
	ck_assert_int_eq(df_side_commit(&sf, ignore, ".dockerignore", lines, 1, false, &diff, &added, &err), 1);
	ck_assert_str_eq(df_buf_str(&diff), "--- /dev/null\n+++ b/.dockerignore\n@@ -0,0 +1 @@\n+secret.env\n");
	ck_assert_str_eq(df_buf_str(&added), "secret.env\n");
	ck_assert_int_eq(access(ignore, F_OK), -1);
	/* The same diff run remembers it: the second Dockerfile adds only b. */
	df_buf_reset(&diff);
	ck_assert_int_eq(df_side_commit(&sf, ignore, ".dockerignore", lines, 3, false, &diff, NULL, &err), 1);
	ck_assert_str_eq(df_buf_str(&diff), "--- a/.dockerignore\n+++ b/.dockerignore\n@@ -1 +1,2 @@\n secret.env\n+b\n");
	df_side_files_release(&sf);
	ck_assert_int_eq(df_side_commit(&sf, ignore, ".dockerignore", lines, 2, true, NULL, NULL, &err), 1);
	ck_assert_int_eq(tu_read(ignore, &got), 0);
	ck_assert_str_eq(df_buf_str(&got), "secret.env\n");
	struct stat st;
	ck_assert_int_eq(stat(ignore, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(df_side_commit(&sf, ignore, ".dockerignore", lines, 2, true, NULL, NULL, &err), 0);
	df_side_files_release(&sf);

	unlink(ignore);
	unlink(path);
	rmdir(side_dir);
	df_context_release(&ctx);
	df_buf_release(&err);
	df_buf_release(&diff);
	df_buf_release(&added);
	df_buf_release(&got);
}
END_TEST

START_TEST(test_side_append)
{
	df_buf out = DF_BUF_INIT;
	const char *lines[] = { ".git", "node_modules", ".git", "**/x" };
	/* A missing file; no final newline; CRLF; already there, however
	 * written; comments and exceptions are not patterns. */
	ck_assert_uint_eq(df_side_append(NULL, 0, lines, 2, &out), 2);
	ck_assert_str_eq(df_buf_str(&out), ".git\nnode_modules\n");
	ck_assert_uint_eq(df_side_append("a", 1, lines, 1, &out), 1);
	ck_assert_str_eq(df_buf_str(&out), "a\n.git\n");
	ck_assert_uint_eq(df_side_append("a\r\nb", 4, lines, 3, &out), 2);
	ck_assert_str_eq(df_buf_str(&out), "a\r\nb\r\n.git\r\nnode_modules\r\n");
	ck_assert_uint_eq(df_side_append("  /.git/ \nnode_modules\n", 24, lines, 3, &out), 0);
	ck_assert_uint_eq(df_side_append("#.git\n!**/x\n", 12, lines + 2, 2, &out), 2);
	ck_assert_str_eq(df_buf_str(&out), "#.git\n!**/x\n.git\n**/x\n");
	ck_assert(df_side_has_line("x\n./a/b\n", 9, "a/b"));
	ck_assert(!df_side_has_line("x\n./a/b\n", 9, "a"));
	df_buf_release(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fix");
	TCase *tc = tcase_create("fix");
	tcase_add_test(tc, test_edits);
	tcase_add_test(tc, test_diff_exact);
	tcase_add_test(tc, test_diff_random);
	tcase_add_test(tc, test_diff_bounded);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_refused_round);
	tcase_add_test(tc, test_one_fix_per_instruction);
	tcase_add_test(tc, test_side_rounds);
	tcase_add_test(tc, test_side_append);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
