/*
 * check_manifest.c - tests of what dfopt reads in a dependency manifest
 * (src/context/manifest.h): package.json install scripts, workspaces and
 * local dependencies, names of no known format, malformed and oversized
 * files.
 */
#include "context/manifest.h"
#include "util/buf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static df_manifest parse(const char *name, const char *json)
{
	df_manifest m;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_manifest_parse(name, json, strlen(json), &m, &err), 0);
	df_buf_release(&err);
	return m;
}

START_TEST(test_plain_package)
{
	df_manifest m = parse("package.json",
			      "{\"name\":\"app\",\"scripts\":{\"start\":\"node .\",\"build\":\"tsc\",\"test\":\"jest\"},"
			      "\"dependencies\":{\"express\":\"^4.19.2\"}}");
	ck_assert(m.known);
	ck_assert_ptr_null(m.hook);
	ck_assert(!m.workspaces);
	ck_assert_str_eq(m.local_dep, "");
	ck_assert(df_manifest_self_contained(&m));
}
END_TEST

START_TEST(test_install_hooks)
{
	df_manifest m = parse("app/package.json", "{\"scripts\":{\"postinstall\":\"node fetch.js\",\"prepare\":\"husky\"}}");
	ck_assert_str_eq(m.hook, "postinstall");
	ck_assert(!df_manifest_self_contained(&m));
	m = parse("package.json", "{\"scripts\":{\"prepare\":\"husky install\"}}");
	ck_assert_str_eq(m.hook, "prepare");
	/* An empty script runs nothing. */
	m = parse("package.json", "{\"scripts\":{\"preinstall\":\"\"}}");
	ck_assert_ptr_null(m.hook);
	/* prepublishOnly and friends do not run on install. */
	m = parse("package.json", "{\"scripts\":{\"prepublishOnly\":\"npm test\",\"postbuild\":\"x\"}}");
	ck_assert_ptr_null(m.hook);
}
END_TEST

START_TEST(test_workspaces_and_local_deps)
{
	df_manifest m = parse("package.json", "{\"workspaces\":[\"packages/*\"]}");
	ck_assert(m.workspaces);
	m = parse("package.json", "{\"workspaces\":{\"packages\":[\"apps/*\"]}}");
	ck_assert(m.workspaces);
	m = parse("package.json", "{\"workspaces\":[]}");
	ck_assert(!m.workspaces);
	m = parse("package.json", "{\"devDependencies\":{\"jest\":\"29\",\"shared\":\"file:../shared\"}}");
	ck_assert_str_eq(m.local_dep, "shared");
	m = parse("package.json", "{\"optionalDependencies\":{\"x\":\"link:./x\"}}");
	ck_assert_str_eq(m.local_dep, "x");
	m = parse("package.json", "{\"dependencies\":{\"a\":\"github:u/a\",\"b\":\"^1\"}}");
	ck_assert_str_eq(m.local_dep, "");
}
END_TEST

START_TEST(test_other_names_and_errors)
{
	df_manifest m = parse("composer.json", "{\"scripts\":{\"post-install-cmd\":\"x\"}}");
	ck_assert(!m.known);
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_manifest_parse("package.json", "{\"name\":", 8, &m, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "'package.json': not a JSON object");
	ck_assert(!m.known);
	df_buf_reset(&err);
	ck_assert_int_eq(df_manifest_parse("package.json", "[1]", 3, &m, &err), -1);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_read_file)
{
	char dir[] = "/tmp/check_manifest.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/package.json", dir);
	const char *json = "{\"scripts\":{\"install\":\"node-gyp rebuild\"}}";
	ck_assert_int_eq(tu_write(path, json, strlen(json)), 0);
	df_manifest m;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_manifest_read(path, &m, &err), 0);
	ck_assert_str_eq(m.hook, "install");
	/* Over the cap: an error, never a partial parse. */
	df_buf big = DF_BUF_INIT;
	df_buf_adds(&big, "{\"x\":\"");
	while (big.len <= DF_MANIFEST_MAX)
		df_buf_adds(&big, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	df_buf_adds(&big, "\"}");
	ck_assert_int_eq(tu_write(path, big.buf, big.len), 0);
	ck_assert_int_eq(df_manifest_read(path, &m, &err), -1);
	ck_assert(!m.known);
	unlink(path);
	rmdir(dir);
	df_buf_release(&big);
	df_buf_release(&err);
}
END_TEST

static Suite *manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");
	tcase_add_test(tc, test_plain_package);
	tcase_add_test(tc, test_install_hooks);
	tcase_add_test(tc, test_workspaces_and_local_deps);
	tcase_add_test(tc, test_other_names_and_errors);
	tcase_add_test(tc, test_read_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(manifest_suite());
}
