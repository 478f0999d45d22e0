/*
 * check_ignore.c - .dockerignore matching against Docker's behaviour, from
 * the data table fixtures/context/ignore-cases.txt (its header gives the
 * format), plus error locations and the pattern primitives.
 */
#include "context/glob.h"
#include "context/ignore.h"
#include "testutil.h"
#include "util/util.h"

/* Undo the table's escapes in s[0..n) into out. */
static void unescape(df_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			df_buf_addc(out, s[i]);
			continue;
		}
		char c = s[i + 1];
		if (c == 'n' || c == 'r' || c == 't' || c == 's' || c == '\\') {
			df_buf_addc(out, c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 's' ? ' ' : '\\');
			i++;
		} else if (c == 'x' && i + 3 < n) {
			char hex[3] = { s[i + 2], s[i + 3], 0 };
			df_buf_addc(out, (char)strtol(hex, NULL, 16));
			i += 3;
		} else {
			df_buf_addc(out, '\\');
		}
	}
}

static void trim(const char **s, size_t *n)
{
	while (*n && df_is_space((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && df_is_space((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

START_TEST(test_table)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/fixtures/context/ignore-cases.txt", tu_srcdir());
	df_buf data = DF_BUF_INIT;
	ck_assert_int_eq(tu_read(path, &data), 0);
	size_t ncases = 0, line = 0;
	for (char *p = data.buf, *end = data.buf + data.len; p < end; line++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end;
		const char *s = p;
		size_t n = (size_t)(eol - p);
		p = nl ? nl + 1 : end;
		trim(&s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		/* PATTERNS | PATH | RESULT, split at the first and last " | " */
		const char *a = strstr(s, " | ");
		const char *b = NULL;
		for (const char *q = a; q && q + 3 <= s + n; q = strstr(q + 1, " | "))
			if (q + 3 <= s + n)
				b = q;
		ck_assert_msg(a && b && a != b, "ignore-cases.txt:%zu: not PATTERNS | PATH | RESULT", line + 1);
		df_buf pats = DF_BUF_INIT, file = DF_BUF_INIT, want = DF_BUF_INIT, err = DF_BUF_INIT;
		const char *f = s;
		size_t fl = (size_t)(a - s);
		trim(&f, &fl);
		unescape(&pats, f, fl);
		f = a + 3, fl = (size_t)(b - f);
		trim(&f, &fl);
		df_buf_add(&file, f, fl);
		f = b + 3, fl = (size_t)(s + n - f);
		trim(&f, &fl);
		df_buf_add(&want, f, fl);

		df_ignore *m = NULL;
		int rc = df_ignore_compile(".dockerignore", pats.buf ? pats.buf : "", pats.len, &m, &err);
		const char *got = rc < 0 ? "error" : df_ignore_match(m, df_buf_str(&file)) ? "excluded" : "included";
		ck_assert_msg(strcmp(got, df_buf_str(&want)) == 0, "ignore-cases.txt:%zu: '%s' is %s, want %s%s%s",
			      line + 1, df_buf_str(&file), got, df_buf_str(&want), rc < 0 ? ": " : "",
			      rc < 0 ? df_buf_str(&err) : "");
		if (rc < 0)
			ck_assert_msg(err.len > 0, "ignore-cases.txt:%zu: no message", line + 1);
		ncases++;
		df_ignore_free(m);
		df_buf_release(&pats);
		df_buf_release(&file);
		df_buf_release(&want);
		df_buf_release(&err);
	}
	ck_assert_uint_ge(ncases, 40);
	df_buf_release(&data);
}
END_TEST

static void expect_error(const char *text, const char *msg)
{
	df_ignore *m = (df_ignore *)1;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_ignore_compile("ctx/.dockerignore", text, strlen(text), &m, &err), -1);
	ck_assert_ptr_null(m);
	ck_assert_str_eq(df_buf_str(&err), msg);
	df_buf_release(&err);
}

START_TEST(test_error_location)
{
	expect_error("a\n  [ab\n", "ctx/.dockerignore:2:3: syntax error in pattern '[ab'");
	expect_error("# c\nx/y[]", "ctx/.dockerignore:2:4: syntax error in pattern 'x/y[]'");
	expect_error("ok\n!  a[z-]\n", "ctx/.dockerignore:2:5: syntax error in pattern 'a[z-]'");
	/* cleaned away from what was written: the column of the pattern */
	expect_error("./a//[", "ctx/.dockerignore:1:1: syntax error in pattern 'a/['");
	expect_error("\n\n !\n", "ctx/.dockerignore:3:2: illegal exclusion pattern '!'");
}
END_TEST

START_TEST(test_patterns_listed)
{
	const char *text = "# deps\nnode_modules/\n\n !/build/../dist \n*.log\n";
	df_ignore *m = NULL;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_ignore_compile(".dockerignore", text, strlen(text), &m, &err), 0);
	ck_assert_uint_eq(df_ignore_count(m), 3);
	bool exc;
	uint32_t line;
	ck_assert_str_eq(df_ignore_pattern(m, 0, &exc, &line), "node_modules");
	ck_assert(!exc);
	ck_assert_uint_eq(line, 2);
	ck_assert_str_eq(df_ignore_pattern(m, 1, &exc, &line), "dist");
	ck_assert(exc);
	ck_assert_uint_eq(line, 4);
	ck_assert_str_eq(df_ignore_pattern(m, 2, &exc, &line), "*.log");
	ck_assert_uint_eq(line, 5);
	/* unclean paths are cleaned before matching */
	ck_assert(df_ignore_match(m, "./node_modules/x"));
	ck_assert(df_ignore_match(m, "/a.log"));
	ck_assert(!df_ignore_match(m, "."));
	df_ignore_free(m);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_may_reinclude)
{
	const char *text = "node_modules\n.git\n!node_modules/keep\n";
	df_ignore *m = NULL;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_ignore_compile(".dockerignore", text, strlen(text), &m, &err), 0);
	ck_assert(df_ignore_may_reinclude(m, "node_modules"));
	ck_assert(!df_ignore_may_reinclude(m, ".git"));
	ck_assert(!df_ignore_may_reinclude(m, "node"));
	df_ignore_free(m);
	/* a wildcard exception could reach anywhere */
	text = "*\n!*/keep\n";
	ck_assert_int_eq(df_ignore_compile(".dockerignore", text, strlen(text), &m, &err), 0);
	ck_assert(df_ignore_may_reinclude(m, "anything"));
	df_ignore_free(m);
	text = "*\n";
	ck_assert_int_eq(df_ignore_compile(".dockerignore", text, strlen(text), &m, &err), 0);
	ck_assert(!df_ignore_may_reinclude(m, "anything"));
	df_ignore_free(m);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_empty_file)
{
	df_ignore *m = NULL;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_ignore_compile(".dockerignore", "", 0, &m, &err), 0);
	ck_assert_uint_eq(df_ignore_count(m), 0);
	ck_assert(!df_ignore_match(m, "a"));
	df_ignore_free(m);
	df_buf_release(&err);
}
END_TEST

static void clean_is(const char *in, const char *want)
{
	df_buf b = DF_BUF_INIT;
	df_path_clean(&b, in, strlen(in));
	ck_assert_msg(strcmp(df_buf_str(&b), want) == 0, "clean '%s' is '%s', want '%s'", in, df_buf_str(&b), want);
	df_buf_release(&b);
}

START_TEST(test_path_clean)
{
	/* Go's filepath.Clean */
	clean_is("", ".");
	clean_is(".", ".");
	clean_is("/", "/");
	clean_is("a/", "a");
	clean_is("a//b", "a/b");
	clean_is("./a/./b/", "a/b");
	clean_is("a/..", ".");
	clean_is("a/../..", "..");
	clean_is("../../a", "../../a");
	clean_is("/../a", "/a");
	clean_is("/a/b/../../..", "/");
	clean_is("a/b/../c", "a/c");
	clean_is("abc/..def", "abc/..def");
}
END_TEST

static void match_is(const char *pat, const char *name, int want)
{
	int got = df_glob_match(pat, name, NULL);
	ck_assert_msg(got == want, "match '%s' '%s' is %d, want %d", pat, name, got, want);
}

START_TEST(test_glob_match)
{
	/* Go's filepath.Match */
	match_is("*", "abc", 1);
	match_is("*", "a/b", 0);
	match_is("a*c", "abbbc", 1);
	match_is("a*/b", "abc/b", 1);
	match_is("a?c", "a/c", 0);
	match_is("a?c", "a\xc3\xa9" "c", 1);
	match_is("a?c", "a\xc3\xa9\xc3\xa9" "c", 0);
	match_is("a?c", "\xc3\xa9", 0);
	match_is("?", "\xc3\xa9", 1);
	match_is("[a-c]x", "bx", 1);
	match_is("[^a-c]x", "bx", 0);
	match_is("[!]x", "!x", 1);
	match_is("[\\]]", "]", 1);
	match_is("a\\*", "a*", 1);
	match_is("a\\*", "ab", 0);
	match_is("*x", "xxx", 1);
	match_is("[", "a", -1);
	match_is("a[", "b", -1);
	match_is("[a-", "a", -1);
	match_is("*\\", "a", -1);
	ck_assert(df_glob_has_meta("a*"));
	ck_assert(df_glob_has_meta("[ab]"));
	ck_assert(!df_glob_has_meta("a\\*b"));
	ck_assert(!df_glob_has_meta("package.json"));
}
END_TEST

static Suite *ignore_suite(void)
{
	Suite *s = suite_create("ignore");
	TCase *tc = tcase_create("ignore");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_error_location);
	tcase_add_test(tc, test_patterns_listed);
	tcase_add_test(tc, test_may_reinclude);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_path_clean);
	tcase_add_test(tc, test_glob_match);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(ignore_suite());
}
