/*
 * check_shellcheck.c - ShellCheck over RUN scripts (engine/shellcheck.h).
 *
 * fixtures/shellcheck/<case>.Dockerfile is linted with the shellcheck found
 * on $PATH; its SC findings are compared with <case>.expected, one a line:
 *   LINE:COL-END_LINE:END_COL CODE severity message
 * (empty: no SC finding). DFOPT_BLESS=1 rewrites the expected files. The
 * suite needs ShellCheck installed and fails when it is not. The rest runs
 * stand-in programs: a wrapper that logs its calls (one process per file,
 * the temporary files removed), and broken or missing ones (no SC finding,
 * the rules still run).
 */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/shellcheck.h"
#include "graph/graph.h"
#include "output/output.h"
#include "testutil.h"
#include "util/util.h"

static char **cases;
static size_t ncases;
static char *real_shellcheck;	/* the installed one, found once */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(void)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/fixtures/shellcheck", tu_srcdir());
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n <= 11 || strcmp(e->d_name + n - 11, ".Dockerfile") != 0)
			continue;
		cases = realloc(cases, (ncases + 1) * sizeof(*cases));
		cases[ncases++] = strndup(e->d_name, n - 11);
	}
	closedir(d);
	if (ncases)
		qsort(cases, ncases, sizeof(*cases), cmp_name);
}

static void lint_text(const char *text, size_t len, const df_lint_opts *o, df_diags *out)
{
	df_doc doc;
	df_doc_parse(&doc, "Dockerfile", text, len, NULL);
	df_graph g;
	ck_assert_int_eq(df_graph_build(&g, &doc, NULL), 0);
	df_lint_file(&doc, &g, o, out);
	df_graph_release(&g);
	df_doc_release(&doc);
}

static size_t count_prefix(const df_diags *d, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < d->len; i++)
		n += strncmp(d->items[i].code, prefix, strlen(prefix)) == 0;
	return n;
}

/* SC findings of text linted with program, and how many of them. */
static size_t sc_count(const char *text, const char *program, const df_lint_opts *base)
{
	df_lint_opts o = base ? *base : (df_lint_opts){ 0 };
	o.shellcheck = program;
	df_diags d = DF_DIAGS_INIT;
	lint_text(text, strlen(text), &o, &d);
	size_t n = count_prefix(&d, "SC");
	df_diags_release(&d);
	return n;
}

START_TEST(test_fixture)
{
	const char *name = cases[_i];
	char path[4600], expected_path[4600];
	snprintf(path, sizeof(path), "%s/fixtures/shellcheck/%s.Dockerfile", tu_srcdir(), name);
	snprintf(expected_path, sizeof(expected_path), "%s/fixtures/shellcheck/%s.expected", tu_srcdir(), name);
	df_buf data = DF_BUF_INIT, got = DF_BUF_INIT, want = DF_BUF_INIT;
	ck_assert_msg(tu_read(path, &data) == 0, "%s: unreadable", name);
	df_lint_opts o = { .shellcheck = real_shellcheck };
	df_diags d = DF_DIAGS_INIT;
	lint_text(df_buf_str(&data), data.len, &o, &d);
	for (size_t i = 0; i < d.len; i++)
		if (!strncmp(d.items[i].code, "SC", 2))
			df_buf_addf(&got, "%u:%u-%u:%u %s %s %s\n", d.items[i].line, d.items[i].col,
				    d.items[i].end_line, d.items[i].end_col, d.items[i].code,
				    df_severity_name(d.items[i].severity), d.items[i].message);
	const char *bless = getenv("DFOPT_BLESS");
	if (bless && *bless && strcmp(bless, "0") != 0) {
		ck_assert_int_eq(tu_write(expected_path, df_buf_str(&got), got.len), 0);
	} else {
		ck_assert_msg(tu_read(expected_path, &want) == 0, "%s: no .expected (DFOPT_BLESS=1 writes it)", name);
		ck_assert_msg(want.len == got.len && memcmp(df_buf_str(&want), df_buf_str(&got), got.len) == 0,
			      "%s: findings differ\n--- expected\n%s--- got\n%s", name, df_buf_str(&want),
			      df_buf_str(&got));
	}
	df_diags_release(&d);
	df_buf_release(&data);
	df_buf_release(&got);
	df_buf_release(&want);
}
END_TEST

/* --- stand-in programs ---------------------------------------------------- */

static char tmpdir[256];

static void make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/check_shellcheck.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	if (!d)
		return;
	struct dirent *e;
	char p[600];
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
			unlink(p);
		}
	closedir(d);
	rmdir(tmpdir);
}

/* An executable sh script tmpdir/name holding body; its path in out. */
static void make_program(const char *name, const char *body, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s", tmpdir, name);
	df_buf b = DF_BUF_INIT;
	df_buf_addf(&b, "#!/bin/sh\n%s", body);
	ck_assert_int_eq(tu_write(out, b.buf, b.len), 0);
	ck_assert_int_eq(chmod(out, 0755), 0);
	df_buf_release(&b);
}

static size_t count_lines(const char *path)
{
	df_buf b = DF_BUF_INIT;
	size_t n = 0;
	if (access(path, R_OK) == 0 && tu_read(path, &b) == 0)
		for (size_t i = 0; i < b.len; i++)
			n += b.buf[i] == '\n';
	df_buf_release(&b);
	return n;
}

/* 20 RUNs, one process: the wrapper logs each call and the directory of
 * its last file, which must be gone afterwards. */
START_TEST(test_one_process_per_file)
{
	make_tmpdir();
	char wrapper[600], body[2048], log[600], dirs[600];
	snprintf(log, sizeof(log), "%s/calls", tmpdir);
	snprintf(dirs, sizeof(dirs), "%s/dirs", tmpdir);
	snprintf(body, sizeof(body),
		 "echo \"$#\" >> '%s'\nfor a; do last=$a; done\ndirname \"$last\" >> '%s'\nexec '%s' \"$@\"\n", log,
		 dirs, real_shellcheck);
	make_program("wrapper", body, wrapper, sizeof(wrapper));
	df_buf text = DF_BUF_INIT;
	df_buf_adds(&text, "FROM alpine:3.19\n");
	for (int i = 0; i < 20; i++)
		df_buf_addf(&text, "RUN echo $HOME%d\n", i);
	ck_assert_uint_eq(sc_count(text.buf, wrapper, NULL), 20);
	ck_assert_uint_eq(count_lines(log), 1);
	df_buf calls = DF_BUF_INIT, dir = DF_BUF_INIT;
	ck_assert_int_eq(tu_read(log, &calls), 0);
	/* --norc, --format, --exclude, "--" and the 20 scripts */
	ck_assert_str_eq(calls.buf, "24\n");
	ck_assert_int_eq(tu_read(dirs, &dir), 0);
	ck_assert_uint_gt(dir.len, 1);
	dir.buf[dir.len - 1] = '\0';
	ck_assert_msg(access(dir.buf, F_OK) != 0, "temporary directory '%s' left behind", dir.buf);
	/* No RUN to check: no process at all. */
	ck_assert_uint_eq(sc_count("FROM a\nRUN [\"echo\", \"$x\"]\nCOPY a b\n", wrapper, NULL), 0);
	ck_assert_uint_eq(count_lines(log), 1);
	df_buf_release(&calls);
	df_buf_release(&dir);
	df_buf_release(&text);
	remove_tmpdir();
}
END_TEST

/* Missing or broken programs: no SC finding, no error, the rules run. */
START_TEST(test_absent_or_broken)
{
	static const char text[] = "FROM alpine\nRUN echo $HOME\nMAINTAINER x\n";
	make_tmpdir();
	char garbage[600], bad_json[600], status2[600], huge[600], missing[600];
	make_program("garbage", "echo 'not json'\nexit 1\n", garbage, sizeof(garbage));
	make_program("bad_json",
		     "echo '{\"comments\":[{\"file\":3},{\"file\":\"/x/0\",\"line\":1e30,\"column\":-1,"
		     "\"code\":\"x\",\"level\":\"error\",\"message\":\"m\"},{\"file\":\"/x/9\",\"line\":2,"
		     "\"column\":1,\"code\":1,\"level\":\"error\",\"message\":\"m\"}]}'\nexit 1\n",
		     bad_json, sizeof(bad_json));
	make_program("status2", "echo '{\"comments\":[]}'\nexit 2\n", status2, sizeof(status2));
	make_program("huge", "exec yes '{}'\n", huge, sizeof(huge));
	snprintf(missing, sizeof(missing), "%s/no-such-shellcheck", tmpdir);
	const char *programs[] = { missing, "/bin/false", "/bin/true", garbage, bad_json, status2, huge };
	for (size_t i = 0; i < DF_ARRAY_LEN(programs); i++) {
		df_lint_opts o = { .shellcheck = programs[i] };
		df_diags d = DF_DIAGS_INIT;
		lint_text(text, strlen(text), &o, &d);
		ck_assert_msg(count_prefix(&d, "SC") == 0, "%s: SC findings", programs[i]);
		ck_assert_msg(count_prefix(&d, "DL3006") == 1 && count_prefix(&d, "DL4000") == 1,
			      "%s: the rules did not run", programs[i]);
		df_diags_release(&d);
	}
	/* No shellcheck on $PATH: none found, the file linted as without. */
	setenv("PATH", tmpdir, 1);
	unsetenv("DFOPT_SHELLCHECK");
	const char *none = df_shellcheck_find();
	ck_assert_ptr_null(none);
	df_lint_opts o = { .shellcheck = none };
	df_diags d = DF_DIAGS_INIT;
	lint_text(text, strlen(text), &o, &d);
	ck_assert_uint_eq(count_prefix(&d, "SC"), 0);
	ck_assert_uint_eq(count_prefix(&d, "DL"), 2);
	df_diags_release(&d);
	/* The finding is there with the real program. */
	ck_assert_uint_eq(sc_count(text, real_shellcheck, NULL), 1);
	remove_tmpdir();
}
END_TEST

START_TEST(test_find)
{
	char *saved_path = strdup(getenv("PATH") ? getenv("PATH") : "");
	make_tmpdir();
	char fake[600];
	make_program("shellcheck", "exit 0\n", fake, sizeof(fake));
	unsetenv("DFOPT_SHELLCHECK");

	/* The first shellcheck on $PATH; none there: NULL. */
	df_buf p = DF_BUF_INIT;
	df_buf_addf(&p, "/nonexistent:%s:%s", tmpdir, saved_path);
	setenv("PATH", p.buf, 1);
	ck_assert_str_eq(df_shellcheck_find(), fake);
	setenv("PATH", "/nonexistent:/proc", 1);
	ck_assert_ptr_null(df_shellcheck_find());
	/* A directory or a file that is not executable does not count. */
	char dir_entry[600];
	snprintf(dir_entry, sizeof(dir_entry), "%s/sub", tmpdir);
	ck_assert_int_eq(mkdir(dir_entry, 0755), 0);
	snprintf(dir_entry, sizeof(dir_entry), "%s/sub/shellcheck", tmpdir);
	ck_assert_int_eq(mkdir(dir_entry, 0755), 0);
	df_buf_reset(&p);
	df_buf_addf(&p, "%s/sub:%s", tmpdir, tmpdir);
	setenv("PATH", p.buf, 1);
	ck_assert_str_eq(df_shellcheck_find(), fake);
	ck_assert_int_eq(chmod(fake, 0644), 0);
	ck_assert_ptr_null(df_shellcheck_find());
	ck_assert_int_eq(chmod(fake, 0755), 0);

	/* DFOPT_SHELLCHECK: empty is off, a path is taken as is, a name is
	 * looked up on $PATH. */
	setenv("DFOPT_SHELLCHECK", "", 1);
	ck_assert_ptr_null(df_shellcheck_find());
	setenv("DFOPT_SHELLCHECK", "/bin/true", 1);
	ck_assert_str_eq(df_shellcheck_find(), "/bin/true");
	setenv("DFOPT_SHELLCHECK", "/nonexistent/shellcheck", 1);
	ck_assert_ptr_null(df_shellcheck_find());
	setenv("DFOPT_SHELLCHECK", "shellcheck", 1);
	ck_assert_str_eq(df_shellcheck_find(), fake);
	setenv("DFOPT_SHELLCHECK", "other", 1);
	ck_assert_ptr_null(df_shellcheck_find());

	unsetenv("DFOPT_SHELLCHECK");
	setenv("PATH", saved_path, 1);
	ck_assert_int_eq(rmdir(dir_entry), 0);
	free(saved_path);
	df_buf_release(&p);
	remove_tmpdir();
}
END_TEST

/* SC findings meet the rules' suppression: ignored codes, overrides, the
 * pragma switch. */
START_TEST(test_suppression)
{
	static const char text[] = "FROM alpine\n# hadolint ignore=SC2086\nRUN echo $HOME\nRUN echo $HOME\n";
	ck_assert_uint_eq(sc_count(text, real_shellcheck, NULL), 1);
	df_lint_opts o = { .disable_ignore_pragma = true };
	ck_assert_uint_eq(sc_count(text, real_shellcheck, &o), 2);
	const char *ignored[] = { "SC2086" };
	df_lint_opts o2 = { .ignored = ignored, .nignored = 1 };
	ck_assert_uint_eq(sc_count(text, real_shellcheck, &o2), 0);
	df_severity_override ov = { "SC2086", DF_SEV_ERROR };
	df_lint_opts o3 = { .overrides = &ov, .noverrides = 1, .shellcheck = real_shellcheck };
	df_diags d = DF_DIAGS_INIT;
	lint_text(text, strlen(text), &o3, &d);
	ck_assert_uint_eq(count_prefix(&d, "SC2086"), 1);
	for (size_t i = 0; i < d.len; i++)
		if (!strcmp(d.items[i].code, "SC2086"))
			ck_assert_int_eq(d.items[i].severity, DF_SEV_ERROR);
	df_diags_release(&d);
	/* No program: nothing runs. */
	ck_assert_uint_eq(sc_count(text, NULL, NULL), 0);
}
END_TEST

/* Every output format takes a code with no df_rule; SARIF links the wiki. */
START_TEST(test_output)
{
	static const char *const formats[] = { "tty", "json", "sarif", "checkstyle", "gnu", "codeclimate",
		"gitlab_codeclimate", "github", "junit", "sonarqube", "codacy" };
	df_diags d = DF_DIAGS_INIT;
	df_diags_add(&d, DF_SEV_INFO, "SC2086", 2, 10, 2, 15, "%s", "Double quote to prevent globbing.");
	df_file_findings f = { .file = "Dockerfile", .diags = &d };
	for (size_t i = 0; i < DF_ARRAY_LEN(formats); i++) {
		df_buf out = DF_BUF_INIT;
		ck_assert_msg(df_output_render(formats[i], &f, 1, &out) == 0, "%s: not rendered", formats[i]);
		ck_assert_msg(strstr(df_buf_str(&out), "SC2086"), "%s: no code in\n%s", formats[i], df_buf_str(&out));
		if (!strcmp(formats[i], "sarif"))
			ck_assert_msg(strstr(out.buf, "https://www.shellcheck.net/wiki/SC2086"), "no help link in\n%s",
				      out.buf);
		df_buf_release(&out);
	}
	df_diags_release(&d);
}
END_TEST

int main(void)
{
	/* The fixtures need the real ShellCheck: fail loudly without it. Its
	 * own options from the environment would change what it finds. */
	unsetenv("DFOPT_SHELLCHECK");
	unsetenv("SHELLCHECK_OPTS");
	const char *sc = df_shellcheck_find();
	if (!sc) {
		fprintf(stderr, "check_shellcheck: no 'shellcheck' on PATH; this suite needs ShellCheck installed\n");
		return EXIT_FAILURE;
	}
	real_shellcheck = strdup(sc);
	collect();
	if (ncases == 0) {
		fprintf(stderr, "check_shellcheck: no fixtures in '%s/fixtures/shellcheck'\n", tu_srcdir());
		return EXIT_FAILURE;
	}
	Suite *s = suite_create("shellcheck");
	TCase *tc = tcase_create("shellcheck");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_fixture, 0, (int)ncases);
	tcase_add_test(tc, test_one_process_per_file);
	tcase_add_test(tc, test_absent_or_broken);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_suppression);
	tcase_add_test(tc, test_output);
	suite_add_tcase(s, tc);
	int rc = tu_run(s);
	for (size_t i = 0; i < ncases; i++)
		free(cases[i]);
	free(cases);
	free(real_shellcheck);
	return rc;
}
