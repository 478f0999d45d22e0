/* check_fetch.c - ADD <url> helpers: which sources are URLs or git
 * repositories, the file name a URL gives, --checksum values, and the
 * download's failure paths that need no server (a protocol curl must
 * refuse, curl missing); tests/cli/add_url.sh downloads for real. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/fetch.h"
#include "util/util.h"
#include "testutil.h"

static void name_is(const char *url, const char *want)
{
	char *got = df_fetch_name(url);
	if (!want)
		ck_assert_msg(got == NULL, "%s: got '%s', want no name", url, got);
	else
		ck_assert_msg(got && !strcmp(got, want), "%s: got '%s', want '%s'", url, got ? got : "(null)", want);
	free(got);
}

START_TEST(test_classify)
{
	ck_assert(df_fetch_is_url("http://example.com/a.txt"));
	ck_assert(df_fetch_is_url("https://example.com/a.tar.gz?x=1"));
	ck_assert(!df_fetch_is_url("HTTP://example.com/a"));	/* Docker's test is case-sensitive */
	ck_assert(!df_fetch_is_url("ftp://example.com/a"));
	ck_assert(!df_fetch_is_url("src/http://x"));
	ck_assert(!df_fetch_is_url("https://github.com/o/r.git"));
	ck_assert(df_fetch_is_git("https://github.com/o/r.git"));
	ck_assert(df_fetch_is_git("https://github.com/o/r.git#main"));
	ck_assert(df_fetch_is_git("https://github.com/o/r.git/"));
	ck_assert(df_fetch_is_git("git@github.com:o/r.git"));
	ck_assert(df_fetch_is_git("git://example.com/r"));
	ck_assert(df_fetch_is_git("ssh://git@example.com/r"));
	ck_assert(df_fetch_is_git("github.com/o/r"));
	ck_assert(!df_fetch_is_git("https://example.com/r.git.txt"));
	ck_assert(!df_fetch_is_git("https://example.com/?q=r.git"));
	ck_assert(!df_fetch_is_git("local.git/file"));
}
END_TEST

START_TEST(test_name)
{
	name_is("http://example.com/foobar", "foobar");
	name_is("https://example.com/a/b/pkg.tar.gz", "pkg.tar.gz");
	name_is("https://example.com/a/b/?x=/y", "b");
	name_is("https://example.com/dir/", "dir");
	name_is("https://example.com/f.txt#frag/x", "f.txt");
	name_is("https://example.com/my%20file.txt", "my file.txt");
	name_is("https://example.com/a%2Fb", "b");		/* decoded, then split */
	name_is("https://example.com/bad%zz", "bad%zz");	/* a malformed escape stays */
	name_is("https://example.com/trail%", "trail%");
	name_is("https://example.com", NULL);
	name_is("https://example.com/", NULL);
	name_is("https://example.com?x=1", NULL);
	name_is("https://example.com/a/..", NULL);
	name_is("https://example.com/.", NULL);
	name_is("https://example.com/nul%00", NULL);
}
END_TEST

START_TEST(test_verify)
{
	df_buf err = DF_BUF_INIT;
	const char *good = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	df_digest empty;
	df_sha256_buf("", 0, &empty);
	ck_assert_int_eq(df_fetch_verify("http://h/f", good, NULL, &err), 0);
	ck_assert_int_eq(df_fetch_verify("http://h/f", good, &empty, &err), 0);
	ck_assert_uint_eq(err.len, 0);
	df_digest other;
	df_sha256_buf("x", 1, &other);
	ck_assert_int_eq(df_fetch_verify("http://h/f", good, &other, &err), -1);
	ck_assert_msg(strstr(df_buf_str(&err), "ADD http://h/f: checksum mismatch: expected sha256:e3b0") &&
			      strstr(df_buf_str(&err), other.s),
		      "%s", df_buf_str(&err));
	const char *bad[] = { "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:E3B0", "e3b0c44298fc",
			      "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855" };
	for (size_t i = 0; i < DF_ARRAY_LEN(bad); i++) {
		df_buf_reset(&err);
		ck_assert_int_eq(df_fetch_verify("http://h/f", bad[i], NULL, &err), -1);
		ck_assert_msg(strstr(df_buf_str(&err), "not a digest"), "%s: %s", bad[i], df_buf_str(&err));
	}
	df_buf_release(&err);
}
END_TEST

/* A scratch file path that does not exist yet. */
static char *scratch_file(void)
{
	char dir[] = "/tmp/check_fetch.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	df_buf p = DF_BUF_INIT;
	df_buf_addf(&p, "%s/dl", dir);
	return df_buf_detach(&p, NULL);
}

static void scratch_remove(char *file)
{
	char *slash = strrchr(file, '/');
	ck_assert_int_ne(access(file, F_OK), 0);	/* removed on failure */
	*slash = '\0';
	ck_assert_int_eq(rmdir(file), 0);		/* and nothing left beside it */
	free(file);
}

START_TEST(test_download_failures)
{
	df_buf err = DF_BUF_INIT;
	df_digest d;
	char *name = (char *)"unset";
	char *file = scratch_file();
	/* curl is told to take http and https only */
	if (system("command -v curl >/dev/null 2>&1") == 0) {
		ck_assert_int_eq(df_fetch_url("file:///etc/passwd", file, &d, &name, &err), -1);
		ck_assert_ptr_null(name);
		ck_assert_msg(strstr(df_buf_str(&err), "ADD file:///etc/passwd: download failed: ") &&
				      strstr(df_buf_str(&err), "(curl exit status "),
			      "%s", df_buf_str(&err));
		ck_assert_ptr_null(strchr(df_buf_str(&err), '\n'));
	}
	/* no curl on PATH */
	char *path = getenv("PATH") ? df_xstrdup(getenv("PATH")) : NULL;
	setenv("PATH", "/nonexistent", 1);
	df_buf_reset(&err);
	ck_assert_int_eq(df_fetch_url("http://127.0.0.1:9/f.txt", file, &d, &name, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "ADD http://127.0.0.1:9/f.txt: curl is not installed");
	if (path)
		setenv("PATH", path, 1);
	free(path);
	/* the file must not exist yet: never overwritten */
	ck_assert_int_eq(tu_write(file, "x", 1), 0);
	df_buf_reset(&err);
	ck_assert_int_eq(df_fetch_url("http://127.0.0.1:9/f.txt", file, &d, &name, &err), -1);
	ck_assert_msg(strstr(df_buf_str(&err), "cannot create"), "%s", df_buf_str(&err));
	ck_assert_int_eq(unlink(file), 0);
	scratch_remove(file);
	df_buf_release(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("fetch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_verify);
	tcase_add_test(tc, test_download_failures);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
