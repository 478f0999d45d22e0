/*
 * check_fixtures.c - the data-driven parser suite.
 *
 * Every directory fixtures/parse/<case>/ holds a Dockerfile and
 * expected.json, the exact output of `dfopt parse --format json` for it
 * (syntax tree, diagnostics and graph). A new case is a new directory.
 * DFOPT_BLESS=1 rewrites expected.json from the current parser; review the
 * diff like code. Every fixture, and every Dockerfile under fixtures/, must
 * also print back byte for byte from its tree.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "graph/graph.h"
#include "parse/dump.h"
#include "testutil.h"

static char **cases;
static size_t ncases;
static char **dockerfiles;
static size_t ndockerfiles;

static void push(char ***arr, size_t *n, const char *s)
{
	*arr = realloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = strdup(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect every file named *Dockerfile* below dir (bounded depth). */
static void walk(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 6) {
		if (d)
			closedir(d);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path, depth + 1);
		else if (S_ISREG(st.st_mode) && strstr(e->d_name, "Dockerfile") &&
			 !strstr(e->d_name, ".fixed") && !strstr(e->d_name, ".expected"))
			push(&dockerfiles, &ndockerfiles, path);
	}
	closedir(d);
}

static void collect(void)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/fixtures/parse", tu_srcdir());
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				push(&cases, &ncases, e->d_name);
		closedir(d);
	}
	if (ncases)
		qsort(cases, ncases, sizeof(*cases), cmp_str);
	snprintf(dir, sizeof(dir), "%s/fixtures", tu_srcdir());
	walk(dir, 0);
	if (ndockerfiles)
		qsort(dockerfiles, ndockerfiles, sizeof(*dockerfiles), cmp_str);
}

/* What `dfopt parse --format json` prints for a file, with a stable name. */
static void render(const char *name, const df_buf *data, df_buf *out, df_doc *doc)
{
	df_doc_parse(doc, name, df_buf_str(data), data->len, NULL);
	cJSON *j = df_dump_doc_json(doc);
	df_graph g;
	ck_assert_int_eq(df_graph_build(&g, doc, NULL), 0);
	cJSON_AddItemToObject(j, "graph", df_graph_json(&g));
	df_graph_release(&g);
	df_dump_json_render(j, out);
	cJSON_Delete(j);
}

START_TEST(test_parse_fixture)
{
	const char *name = cases[_i];
	char path[4096], expected_path[4096];
	snprintf(path, sizeof(path), "%s/fixtures/parse/%s/Dockerfile", tu_srcdir(), name);
	snprintf(expected_path, sizeof(expected_path), "%s/fixtures/parse/%s/expected.json", tu_srcdir(), name);
	df_buf data = DF_BUF_INIT, out = DF_BUF_INIT, expected = DF_BUF_INIT;
	ck_assert_msg(tu_read(path, &data) == 0, "%s: cannot read its Dockerfile", name);
	df_doc doc;
	render("Dockerfile", &data, &out, &doc);
	tu_check_lossless(name, &doc, df_buf_str(&data), data.len);
	const char *bless = getenv("DFOPT_BLESS");
	if (bless && *bless && strcmp(bless, "0") != 0) {
		ck_assert_msg(tu_write(expected_path, out.buf, out.len) == 0, "%s: cannot write expected.json", name);
	} else {
		ck_assert_msg(tu_read(expected_path, &expected) == 0,
			      "%s: expected.json is missing (DFOPT_BLESS=1 make check writes it)", name);
		if (expected.len != out.len || memcmp(expected.buf, out.buf, out.len) != 0) {
			/* Leave the actual output beside the build for a diff. */
			char actual[4096];
			snprintf(actual, sizeof(actual), "fixture-%s.actual.json", name);
			tu_write(actual, out.buf, out.len);
			ck_abort_msg("%s: parse output differs from expected.json (see %s)", name, actual);
		}
	}
	df_doc_release(&doc);
	df_buf_release(&data);
	df_buf_release(&out);
	df_buf_release(&expected);
}
END_TEST

START_TEST(test_every_dockerfile_is_lossless)
{
	const char *path = dockerfiles[_i];
	df_buf data = DF_BUF_INIT;
	ck_assert_msg(tu_read(path, &data) == 0, "%s: unreadable", path);
	df_doc doc;
	df_doc_parse(&doc, path, df_buf_str(&data), data.len, NULL);
	tu_check_lossless(path, &doc, df_buf_str(&data), data.len);
	df_doc_release(&doc);
	df_buf_release(&data);
}
END_TEST

START_TEST(test_examples_parse_cleanly)
{
	size_t checked = 0;
	for (size_t i = 0; i < ndockerfiles; i++) {
		if (!strstr(dockerfiles[i], "/fixtures/examples/"))
			continue;
		df_buf data = DF_BUF_INIT;
		ck_assert_int_eq(tu_read(dockerfiles[i], &data), 0);
		df_doc doc;
		df_doc_parse(&doc, dockerfiles[i], df_buf_str(&data), data.len, NULL);
		ck_assert_msg(doc.diags.len == 0, "%s: %u:%u: %s", dockerfiles[i],
			      doc.diags.len ? doc.diags.items[0].line : 0, doc.diags.len ? doc.diags.items[0].col : 0,
			      doc.diags.len ? doc.diags.items[0].message : "");
		ck_assert_msg(doc.ninstrs > 0, "%s: no instructions", dockerfiles[i]);
		checked++;
		df_doc_release(&doc);
		df_buf_release(&data);
	}
	ck_assert_msg(checked >= 6, "only %zu example Dockerfiles found", checked);
}
END_TEST

START_TEST(test_enough_fixtures)
{
	size_t negative = 0;
	for (size_t i = 0; i < ncases; i++) {
		char path[4096];
		df_buf ex = DF_BUF_INIT;
		snprintf(path, sizeof(path), "%s/fixtures/parse/%s/expected.json", tu_srcdir(), cases[i]);
		if (tu_read(path, &ex) == 0 && strstr(df_buf_str(&ex), "\"code\":\t\"DL1000\""))
			negative++;
		df_buf_release(&ex);
	}
	ck_assert_msg(ncases >= 60, "only %zu parser fixtures", ncases);
	ck_assert_msg(negative >= 12, "only %zu negative parser fixtures", negative);
}
END_TEST

int main(void)
{
	collect();
	Suite *s = suite_create("fixtures");
	TCase *tc = tcase_create("parse");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_parse_fixture, 0, (int)ncases);
	tcase_add_loop_test(tc, test_every_dockerfile_is_lossless, 0, (int)ndockerfiles);
	tcase_add_test(tc, test_examples_parse_cleanly);
	tcase_add_test(tc, test_enough_fixtures);
	suite_add_tcase(s, tc);
	int rc = tu_run(s);
	for (size_t i = 0; i < ncases; i++)
		free(cases[i]);
	for (size_t i = 0; i < ndockerfiles; i++)
		free(dockerfiles[i]);
	free(cases);
	free(dockerfiles);
	return rc;
}
