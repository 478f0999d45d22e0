/*
 * check_ecosystem.c - tests of the package-manager table and its classifier
 * (src/graph/ecosystem.h), driven by fixtures/ecosystem/cases.txt:
 *
 *   CWD | COMMAND LINE | EXPECTED
 *
 * CWD is the WORKDIR in force ("-" for unknown). The command line is parsed
 * with the sh parser; `cd DIR` moves the cwd as it would in one RUN; every
 * other simple command is classified and, unless it belongs to no manager,
 * dumped with df_eco_use_dump(). EXPECTED is those dumps joined by " ; ", or
 * "none". Lines starting with '#' and blank lines are skipped.
 */
#include "graph/ecosystem.h"
#include "parse/shell.h"
#include "util/arena.h"
#include "util/buf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct run {
	df_arena *arena;
	const char *cwd;
	df_buf *out;
	bool any;
} run;

static int visit(const df_sh_cmd *c, const df_sh_ctx *ctx, void *ud)
{
	run *r = ud;
	if (c->kind != DF_SH_SIMPLE || c->nwords == 0)
		return 0;
	size_t name = df_sh_cmd_name_index(c);
	if (df_eco_cd(r->arena, c, name, &r->cwd))
		return 0;
	df_eco_use u;
	df_eco_classify(r->arena, c, name, r->cwd, &u);
	if (!u.manager)
		return 0;
	if (r->any)
		df_buf_adds(r->out, " ; ");
	df_eco_use_dump(&u, r->out);
	r->any = true;
	return 0;
}

static df_str trim(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return (df_str){s, n};
}

/* The classification of one case, as the fixture spells it. */
static char *classify_line(const char *cwd, const char *cmd)
{
	df_arena a = DF_ARENA_INIT;
	df_buf out = DF_BUF_INIT;
	df_sh_script *s = df_sh_parse(&a, cmd, strlen(cmd));
	if (s->error) {
		df_buf_addf(&out, "parse error: %s", s->error);
	} else {
		run r = {&a, strcmp(cwd, "-") == 0 ? NULL : cwd, &out, false};
		df_sh_walk(s, visit, &r);
		if (!r.any)
			df_buf_adds(&out, "none");
	}
	df_arena_release(&a);
	return df_buf_detach(&out, NULL);
}

START_TEST(test_cases)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/fixtures/ecosystem/cases.txt", tu_srcdir());
	df_buf file = DF_BUF_INIT, fails = DF_BUF_INIT;
	ck_assert_int_eq(tu_read(path, &file), 0);

	size_t ncases = 0, nfail = 0;
	bool seen[32] = {false};
	size_t nmanagers;
	const df_eco_manager *m = df_eco_managers(&nmanagers);
	ck_assert_uint_le(nmanagers, 32);

	const char *p = file.buf, *end = file.buf + file.len;
	for (size_t lineno = 1; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		df_str line = trim(p, n);
		p = nl ? nl + 1 : end;
		if (line.len == 0 || line.ptr[0] == '#')
			continue;
		const char *bar1 = memchr(line.ptr, '|', line.len);
		const char *bar2 = bar1 ? memchr(bar1 + 1, '|', (size_t)(line.ptr + line.len - bar1 - 1)) : NULL;
		ck_assert_msg(bar1 && bar2, "cases.txt:%zu: want 'cwd | command | expected'", lineno);
		df_str f1 = trim(line.ptr, (size_t)(bar1 - line.ptr));
		df_str f2 = trim(bar1 + 1, (size_t)(bar2 - bar1 - 1));
		df_str f3 = trim(bar2 + 1, (size_t)(line.ptr + line.len - bar2 - 1));
		char *cwd = strndup(f1.ptr, f1.len), *cmd = strndup(f2.ptr, f2.len);
		char *want = strndup(f3.ptr, f3.len);
		char *got = classify_line(cwd, cmd);
		ncases++;
		if (strcmp(got, want) != 0) {
			nfail++;
			df_buf_addf(&fails, "cases.txt:%zu: %s\n  want: %s\n  got:  %s\n", lineno, cmd,
				    want, got);
		}
		for (size_t k = 0; k < nmanagers; k++) {
			df_buf key = DF_BUF_INIT;
			df_buf_addf(&key, "deps %s ", m[k].name);
			if (strstr(got, df_buf_str(&key)))
				seen[k] = true;
			df_buf_release(&key);
		}
		free(cwd);
		free(cmd);
		free(want);
		free(got);
	}
	ck_assert_msg(nfail == 0, "%zu of %zu cases failed:\n%s", nfail, ncases, df_buf_str(&fails));
	ck_assert_msg(ncases >= 60, "only %zu cases", ncases);
	for (size_t k = 0; k < nmanagers; k++)
		ck_assert_msg(seen[k], "no dependency-install case for '%s'", m[k].name);
	df_buf_release(&file);
	df_buf_release(&fails);
}
END_TEST

/* Every entry is complete enough for the rules that read it. */
START_TEST(test_table_shape)
{
	size_t n;
	const df_eco_manager *m = df_eco_managers(&n);
	ck_assert_uint_eq(n, 16);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(m[i].name && m[i].commands && m[i].commands[0], "entry %zu", i);
		ck_assert_ptr_eq(df_eco_find(m[i].name), &m[i]);
		bool deps = false;
		for (const df_eco_verb *v = m[i].verbs; v && v->words; v++)
			deps |= v->kind == DF_ECO_DEPS;
		ck_assert_msg(deps, "'%s' has no dependency install", m[i].name);
		ck_assert_msg(m[i].writes && m[i].writes[0], "'%s' writes nothing", m[i].name);
		ck_assert_msg(m[i].caches && m[i].caches[0], "'%s' has no cache", m[i].name);
	}
	ck_assert_ptr_null(df_eco_find("apt"));
}
END_TEST

START_TEST(test_path_join)
{
	static const struct {
		const char *base, *rel, *want;
	} rows[] = {
		{"/app", "package.json", "/app/package.json"},
		{"/app/", "./requirements/prod.txt", "/app/requirements/prod.txt"},
		{"/app/web", "../api/go.mod", "/app/api/go.mod"},
		{"/app", "/tmp/r.txt", "/tmp/r.txt"},
		{"/", "../../x", "/x"},
		{NULL, "web//package.json", "web/package.json"},
		{NULL, "../x/./y", "../x/y"},
		{"/app", "gradle/", "/app/gradle/"},
		{"/app", ".", "/app"},
		{NULL, ".", "."},
		{"a/b", "../../..", ".."},
	};
	df_arena a = DF_ARENA_INIT;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = df_eco_path_join(&a, rows[i].base, rows[i].rel);
		ck_assert_msg(strcmp(got, rows[i].want) == 0, "join(%s, %s) = %s, want %s",
			      rows[i].base ? rows[i].base : "NULL", rows[i].rel, got, rows[i].want);
	}
	df_arena_release(&a);
}
END_TEST

static void doc_has(const char *doc, const char *manager, const char *const *list)
{
	for (; list && *list; list++)
		ck_assert_msg(strstr(doc, *list), "docs/ecosystems.md does not mention '%s' of '%s'",
			      *list, manager);
}

/* docs/ecosystems.md shows the table as implemented: every manager, manifest,
 * output and cache in it. */
START_TEST(test_docs_match_table)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/docs/ecosystems.md", tu_srcdir());
	df_buf doc = DF_BUF_INIT;
	ck_assert_int_eq(tu_read(path, &doc), 0);
	size_t n;
	const df_eco_manager *m = df_eco_managers(&n);
	for (size_t i = 0; i < n; i++) {
		char row[64];
		snprintf(row, sizeof(row), "\n| %s |", m[i].name);
		ck_assert_msg(strstr(df_buf_str(&doc), row), "docs/ecosystems.md has no row for '%s'",
			      m[i].name);
		doc_has(df_buf_str(&doc), m[i].name, m[i].manifests);
		doc_has(df_buf_str(&doc), m[i].name, m[i].writes);
		doc_has(df_buf_str(&doc), m[i].name, m[i].caches);
		for (const df_eco_verb *v = m[i].verbs; v && v->words; v++)
			doc_has(df_buf_str(&doc), m[i].name, v->manifests);
	}
	df_buf_release(&doc);
}
END_TEST

/* A compound command is no install, whatever it holds. */
START_TEST(test_not_simple)
{
	df_arena a = DF_ARENA_INIT;
	const char *text = "( npm ci )";
	df_sh_script *s = df_sh_parse(&a, text, strlen(text));
	const df_sh_cmd *c = s->list->items[0]->pipes[0]->cmds[0];
	ck_assert_int_eq(c->kind, DF_SH_SUBSHELL);
	df_eco_use u;
	df_eco_classify(&a, c, 0, "/app", &u);
	ck_assert_int_eq(u.kind, DF_ECO_NONE);
	ck_assert_ptr_null(u.manager);
	df_arena_release(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ecosystem");
	TCase *tc = tcase_create("ecosystem");
	tcase_add_test(tc, test_cases);
	tcase_add_test(tc, test_table_shape);
	tcase_add_test(tc, test_path_join);
	tcase_add_test(tc, test_docs_match_table);
	tcase_add_test(tc, test_not_simple);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
