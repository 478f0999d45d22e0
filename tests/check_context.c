/*
 * check_context.c - opening a build context: the walk, the ignore file it
 * picks, and what COPY/ADD sources select in it.
 *
 * The trees are fixtures/context/<case>/, copied to a fresh temporary
 * directory so that what git cannot hold (a .git directory, symlinks) and
 * what the limits need can be added at run time.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context/context.h"
#include "testutil.h"
#include "util/util.h"

static char root[64];

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/dfopt-context-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static void copy_fixture(const char *name)
{
	char cmd[4500];
	snprintf(cmd, sizeof(cmd), "cp -R '%s/fixtures/context/%s/.' '%s/'", tu_srcdir(), name, root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Create root/rel; a trailing '/' makes a directory. Parents are made. */
static void make(const char *rel)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
			*p = '/';
		}
	if (path[strlen(path) - 1] != '/')
		ck_assert_int_eq(tu_write(path, "x\n", 2), 0);
}

static void put(const char *rel, const char *text)
{
	char path[4200];
	make(rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(tu_write(path, text, strlen(text)), 0);
}

static void link_to(const char *target, const char *rel)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

static void open_ok(df_context *ctx, const char *dockerfile)
{
	char df[4200];
	df_context_opts opts = { 0 };
	if (dockerfile) {
		snprintf(df, sizeof(df), "%s/%s", root, dockerfile);
		opts.dockerfile = df;
	}
	df_buf err = DF_BUF_INIT;
	int rc = df_context_open(ctx, root, &opts, &err);
	ck_assert_msg(rc == 0, "open: %s", df_buf_str(&err));
	df_buf_release(&err);
}

/* The paths of the entries, one a line; a directory gets a '/'. */
static void list_entries(df_buf *out, const df_ctx_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		df_buf_addf(out, "%s%s\n", e[i].path, e[i].type == DF_CTX_DIR ? "/" : "");
}

/* What src selects, one path a line. */
static void selected(const df_context *ctx, const char *src, df_ctx_selection *sel, df_buf *out)
{
	df_buf err = DF_BUF_INIT;
	int rc = df_context_select(ctx, src, sel, &err);
	ck_assert_msg(rc == 0, "select '%s': %s", src, df_buf_str(&err));
	df_buf_reset(out);
	for (size_t i = 0; i < sel->len; i++)
		df_buf_addf(out, "%s\n", ctx->entries[sel->items[i]].path);
	df_buf_release(&err);
}

#define SELECTS(ctx, src, want_roots, want_ignored, want)                                              \
	do {                                                                                            \
		selected((ctx), (src), &sel, &got);                                                     \
		ck_assert_msg(strcmp(df_buf_str(&got), (want)) == 0, "'%s' selects:\n%s", (src),       \
			      df_buf_str(&got));                                                        \
		ck_assert_uint_eq(sel.roots, (want_roots));                                             \
		ck_assert_uint_eq(sel.ignored, (want_ignored));                                         \
	} while (0)

START_TEST(test_node_app)
{
	copy_fixture("node-app");
	make(".git/HEAD");
	make(".git/objects/ab/cdef");
	link_to("src", "current");
	df_context ctx;
	open_ok(&ctx, "Dockerfile");

	ck_assert_ptr_nonnull(ctx.ignore);
	ck_assert(strlen(ctx.ignore_file) > 14 &&
		  strcmp(ctx.ignore_file + strlen(ctx.ignore_file) - 14, "/.dockerignore") == 0);
	ck_assert_str_eq(ctx.dockerfile, "Dockerfile");
	df_buf got = DF_BUF_INIT;
	/* byte order per directory, depth first; the excluded ones left out,
	 * node_modules kept for the one thing re-included under it */
	list_entries(&got, ctx.entries, ctx.len);
	ck_assert_str_eq(df_buf_str(&got), ".dockerignore\n.env\nREADME.md\ncurrent\nnode_modules/\n"
			 "node_modules/keep-me/\nnode_modules/keep-me/index.js\npackage-lock.json\n"
			 "package.json\nsrc/\nsrc/index.js\nsrc/lib/\nsrc/lib/util.js\ntsconfig.json\n");
	df_buf_reset(&got);
	/* .git and node_modules/lodash are not entered: one entry each */
	list_entries(&got, ctx.excluded, ctx.nexcluded);
	ck_assert_str_eq(df_buf_str(&got), ".git/\nDockerfile\nNOTES.md\nnode_modules/lodash/\n");

	const df_ctx_entry *e = df_context_find(&ctx, "node_modules");
	ck_assert_ptr_nonnull(e);
	ck_assert(e->implied);
	ck_assert_uint_eq(e->ndesc, 2);
	e = df_context_find(&ctx, "./src/lib/");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->type, DF_CTX_DIR);
	ck_assert_uint_eq(e->depth, 1);
	ck_assert(!e->implied);
	/* the symlink is an entry, not followed; sizes only on request */
	e = df_context_find(&ctx, "current");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->type, DF_CTX_SYMLINK);
	ck_assert(S_ISLNK(e->mode));
	ck_assert_uint_eq(e->size, 0);
	ck_assert_ptr_null(df_context_find(&ctx, "current/index.js"));
	e = df_context_find(&ctx, "package.json");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->type, DF_CTX_FILE);
	ck_assert_ptr_null(df_context_find(&ctx, "Dockerfile"));
	df_context sized;
	df_context_opts so = { .stat_entries = true };
	df_buf serr = DF_BUF_INIT;
	ck_assert_int_eq(df_context_open(&sized, root, &so, &serr), 0);
	e = df_context_find(&sized, "current");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->size, 3);
	ck_assert(S_ISLNK(e->mode));
	e = df_context_find(&sized, "package.json");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->size, 41);
	ck_assert(S_ISREG(e->mode) && (e->mode & 0777) != 0);
	df_context_release(&sized);
	df_buf_release(&serr);

	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	selected(&ctx, ".", &sel, &got);
	ck_assert_uint_eq(sel.len, ctx.len);
	ck_assert_uint_eq(df_ctx_selection_seek(&sel, 0), 0);
	ck_assert_uint_eq(df_ctx_selection_seek(&sel, 3), 3);
	ck_assert_uint_eq(df_ctx_selection_seek(&sel, ctx.len), sel.len);
	ck_assert(df_ctx_selection_has(&ctx, &sel, "package.json"));
	ck_assert(df_ctx_selection_has(&ctx, &sel, "node_modules"));
	ck_assert(df_ctx_selection_has(&ctx, &sel, "node_modules/keep-me/index.js"));
	ck_assert(!df_ctx_selection_has(&ctx, &sel, "node_modules/lodash"));
	ck_assert(!df_ctx_selection_has(&ctx, &sel, ".git"));
	/* the Dockerfile itself is excluded, so COPY . does not send it */
	ck_assert(!df_ctx_selection_has(&ctx, &sel, ctx.dockerfile));
	e = df_ctx_selection_find_name(&ctx, &sel, ".env*");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->path, ".env");
	e = df_ctx_selection_find_name(&ctx, &sel, "node_modules");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->path, "node_modules");
	ck_assert_ptr_null(df_ctx_selection_find_name(&ctx, &sel, ".git"));
	ck_assert_ptr_null(df_ctx_selection_find_name(&ctx, &sel, "*.pem"));

	SELECTS(&ctx, "src", 1, 0, "src/index.js\nsrc/lib\nsrc/lib/util.js\n");
	ck_assert(!df_ctx_selection_has(&ctx, &sel, "package.json"));
	ck_assert(df_ctx_selection_has(&ctx, &sel, "src/lib"));
	SELECTS(&ctx, "./src/", 1, 0, "src/index.js\nsrc/lib\nsrc/lib/util.js\n");
	SELECTS(&ctx, "*.json", 3, 0, "package-lock.json\npackage.json\ntsconfig.json\n");
	SELECTS(&ctx, "package*.json", 2, 0, "package-lock.json\npackage.json\n");
	ck_assert(df_ctx_selection_has(&ctx, &sel, "package.json"));
	ck_assert_ptr_null(df_ctx_selection_find_name(&ctx, &sel, "node_modules"));
	SELECTS(&ctx, "/src/../package.json", 1, 0, "package.json\n");
	SELECTS(&ctx, "../../package.json", 1, 0, "package.json\n");
	SELECTS(&ctx, "current", 1, 0, "current\n");
	SELECTS(&ctx, "*/index.js", 1, 0, "src/index.js\n");
	SELECTS(&ctx, "*/*/index.js", 1, 0, "node_modules/keep-me/index.js\n");
	SELECTS(&ctx, "node_modules", 1, 0, "node_modules/keep-me\nnode_modules/keep-me/index.js\n");
	/* excluded sources: the builder would not find them */
	SELECTS(&ctx, "Dockerfile", 1, 1, "");
	SELECTS(&ctx, "node_modules/lodash/index.js", 1, 1, "");
	SELECTS(&ctx, "*.md", 2, 1, "README.md\n");
	SELECTS(&ctx, "missing.txt", 0, 0, "");
	SELECTS(&ctx, "*.txt", 0, 0, "");

	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_context_select(&ctx, "src/[a", &sel, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "syntax error in pattern 'src/[a'");

	df_buf_release(&err);
	df_buf_release(&got);
	df_ctx_selection_release(&sel);
	df_context_release(&ctx);
}
END_TEST

START_TEST(test_named_ignore_first)
{
	copy_fixture("named-ignore");
	df_context ctx;
	df_buf got = DF_BUF_INIT;
	/* build/app.Dockerfile.dockerignore wins over the root .dockerignore */
	open_ok(&ctx, "build/app.Dockerfile");
	ck_assert_str_eq(ctx.dockerfile, "build/app.Dockerfile");
	ck_assert(strstr(ctx.ignore_file, "/build/app.Dockerfile.dockerignore") != NULL);
	list_entries(&got, ctx.entries, ctx.len);
	ck_assert_str_eq(df_buf_str(&got), ".dockerignore\napp.txt\nbuild/\nbuild/app.Dockerfile\n"
			 "build/app.Dockerfile.dockerignore\ndocs/\ndocs/guide.txt\n");
	df_context_release(&ctx);

	/* without the Dockerfile's own, the root one */
	df_buf_reset(&got);
	open_ok(&ctx, NULL);
	ck_assert_ptr_null(ctx.dockerfile);
	ck_assert(strstr(ctx.ignore_file, "/build/") == NULL);
	list_entries(&got, ctx.entries, ctx.len);
	ck_assert_str_eq(df_buf_str(&got), ".dockerignore\napp.txt\nbuild/\nbuild/app.Dockerfile\n"
			 "build/app.Dockerfile.dockerignore\nsecrets/\nsecrets/key.pem\n");
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	selected(&ctx, ".", &sel, &got);
	ck_assert_ptr_nonnull(df_ctx_selection_find_name(&ctx, &sel, "*.pem"));
	df_ctx_selection_release(&sel);
	df_context_release(&ctx);
	df_buf_release(&got);
}
END_TEST

START_TEST(test_no_ignore_file)
{
	copy_fixture("plain");
	df_context ctx;
	open_ok(&ctx, "Dockerfile");
	ck_assert_ptr_null(ctx.ignore);
	ck_assert_ptr_null(ctx.ignore_file);
	ck_assert_uint_eq(ctx.nexcluded, 0);
	ck_assert_uint_eq(ctx.len, 7);
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	df_buf got = DF_BUF_INIT;
	selected(&ctx, ".", &sel, &got);
	/* nothing keeps the Dockerfile out of COPY . */
	ck_assert(df_ctx_selection_has(&ctx, &sel, ctx.dockerfile));
	ck_assert_ptr_nonnull(df_ctx_selection_find_name(&ctx, &sel, ".env*"));
	SELECTS(&ctx, "*.go", 1, 0, "main.go\n");
	SELECTS(&ctx, "cmd/*/main.go", 1, 0, "cmd/tool/main.go\n");
	SELECTS(&ctx, "[gm]*", 2, 0, "go.mod\nmain.go\n");
	df_ctx_selection_release(&sel);
	df_buf_release(&got);
	df_context_release(&ctx);
}
END_TEST

START_TEST(test_dockerfile_outside_context)
{
	copy_fixture("plain");
	put("ctx/a.txt", "a\n");
	char dir[200];
	snprintf(dir, sizeof(dir), "%s/ctx", root);
	char df[200];
	snprintf(df, sizeof(df), "%s/Dockerfile", root);
	df_context_opts opts = { .dockerfile = df };
	df_context ctx;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_context_open(&ctx, dir, &opts, &err), 0);
	ck_assert_ptr_null(ctx.dockerfile);
	ck_assert_uint_eq(ctx.len, 1);
	df_context_release(&ctx);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_bad_ignore_file)
{
	copy_fixture("bad-ignore");
	df_context ctx;
	df_buf err = DF_BUF_INIT, want = DF_BUF_INIT;
	ck_assert_int_eq(df_context_open(&ctx, root, NULL, &err), -1);
	df_buf_addf(&want, "%s/.dockerignore:2:4: syntax error in pattern 'a[b'", root);
	ck_assert_str_eq(df_buf_str(&err), df_buf_str(&want));
	ck_assert_ptr_null(ctx.entries);
	df_buf_release(&err);
	df_buf_release(&want);
}
END_TEST

START_TEST(test_wildcard_exception_walks_excluded_dir)
{
	put(".dockerignore", "logs\n!logs/**/*.txt\nempty\n!empty/**/*.txt\n");
	make("logs/a.txt");
	make("logs/b.bin");
	make("logs/old/c.txt");
	make("empty/d.bin");
	df_context ctx;
	open_ok(&ctx, NULL);
	df_buf got = DF_BUF_INIT;
	list_entries(&got, ctx.entries, ctx.len);
	ck_assert_str_eq(df_buf_str(&got), ".dockerignore\nlogs/\nlogs/a.txt\nlogs/old/\nlogs/old/c.txt\n");
	df_buf_reset(&got);
	/* empty holds nothing re-included: it is excluded after all, and
	 * what was looked at in it is listed too */
	list_entries(&got, ctx.excluded, ctx.nexcluded);
	ck_assert_str_eq(df_buf_str(&got), "empty/\nempty/d.bin\nlogs/b.bin\n");
	const df_ctx_entry *e = df_context_find(&ctx, "logs/old");
	ck_assert_ptr_nonnull(e);
	ck_assert(e->implied);
	df_buf_release(&got);
	df_context_release(&ctx);
}
END_TEST

START_TEST(test_limits)
{
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%d", i);
		make(name);
	}
	df_context ctx;
	df_context_opts opts = { .max_entries = 5 };
	df_buf err = DF_BUF_INIT, want = DF_BUF_INIT;
	ck_assert_int_eq(df_context_open(&ctx, root, &opts, &err), -1);
	df_buf_addf(&want, "cannot walk build context '%s': more than 5 entries", root);
	ck_assert_str_eq(df_buf_str(&err), df_buf_str(&want));
	opts.max_entries = 6;
	df_buf_reset(&err);
	ck_assert_int_eq(df_context_open(&ctx, root, &opts, &err), 0);
	df_context_release(&ctx);

	make("a/b/c/d/e");
	opts = (df_context_opts){ .max_depth = 3 };
	df_buf_reset(&err);
	df_buf_reset(&want);
	ck_assert_int_eq(df_context_open(&ctx, root, &opts, &err), -1);
	df_buf_addf(&want, "cannot walk build context '%s': 'a/b/c' is nested deeper than 3 directories", root);
	ck_assert_str_eq(df_buf_str(&err), df_buf_str(&want));
	opts.max_depth = 5;
	df_buf_reset(&err);
	ck_assert_int_eq(df_context_open(&ctx, root, &opts, &err), 0);
	df_context_release(&ctx);
	df_buf_release(&err);
	df_buf_release(&want);
}
END_TEST

START_TEST(test_not_a_directory)
{
	make("file");
	char path[200];
	snprintf(path, sizeof(path), "%s/file", root);
	df_context ctx;
	df_buf err = DF_BUF_INIT, want = DF_BUF_INIT;
	ck_assert_int_eq(df_context_open(&ctx, path, NULL, &err), -1);
	df_buf_addf(&want, "cannot open build context '%s': Not a directory", path);
	ck_assert_str_eq(df_buf_str(&err), df_buf_str(&want));
	df_buf_reset(&err);
	df_buf_reset(&want);
	snprintf(path, sizeof(path), "%s/none", root);
	ck_assert_int_eq(df_context_open(&ctx, path, NULL, &err), -1);
	df_buf_addf(&want, "cannot open build context '%s': No such file or directory", path);
	ck_assert_str_eq(df_buf_str(&err), df_buf_str(&want));
	df_buf_release(&err);
	df_buf_release(&want);
}
END_TEST

static Suite *context_suite(void)
{
	Suite *s = suite_create("context");
	TCase *tc = tcase_create("context");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_node_app);
	tcase_add_test(tc, test_named_ignore_first);
	tcase_add_test(tc, test_no_ignore_file);
	tcase_add_test(tc, test_dockerfile_outside_context);
	tcase_add_test(tc, test_bad_ignore_file);
	tcase_add_test(tc, test_wildcard_exception_walks_excluded_dir);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_not_a_directory);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(context_suite());
}
