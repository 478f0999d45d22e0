/*
 * check_discover.c - which files a directory walk calls Dockerfiles, what it
 * leaves out and why, and the order it gives them in.
 *
 * Each test builds a small tree under a fresh temporary directory.
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/discover.h"
#include "testutil.h"
#include "util/util.h"

static char root[64];

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/dfopt-discover-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", root, root);
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
		ck_assert_int_eq(tu_write(path, "FROM scratch\n", 13), 0);
}

static void link_to(const char *target, const char *rel)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

/* What the walk said besides the files, one "event path: text" a line,
 * paths relative to root. */
typedef struct heard {
	df_buf log;
	size_t errors;
} heard;

static void listen(void *ctx, df_discover_event ev, const char *path, const char *text)
{
	heard *h = ctx;
	size_t n = strlen(root);
	ck_assert(!strncmp(path, root, n));
	df_buf_addf(&h->log, "%s %s: %s\n", ev == DF_DISCOVER_SKIP ? "skip" : "error", path + n + 1, text);
	h->errors += ev == DF_DISCOVER_ERROR;
}

/* The found paths relative to root, one a line. */
static void found_list(const df_discovery *d, df_buf *out)
{
	size_t n = strlen(root);
	for (size_t i = 0; i < d->len; i++) {
		ck_assert_msg(!strncmp(d->paths[i], root, n) && d->paths[i][n] == '/', "%s outside the root",
			      d->paths[i]);
		df_buf_addf(out, "%s\n", d->paths[i] + n + 1);
	}
}

START_TEST(test_names)
{
	static const char *const yes[] = {
		"Dockerfile", "dockerfile", "Containerfile", "containerfile", "Dockerfile.dev",
		"Dockerfile.prod.arm64", "dockerfile.ci", "Containerfile.build", "app.Dockerfile",
		"app.dockerfile", "x.Containerfile", "web.containerfile", "a.b.Dockerfile",
	};
	static const char *const no[] = {
		"Dockerfile.dockerignore", "app.Dockerfile.dockerignore", "Containerfile.containerignore",
		"Dockerfile.containerignore", ".dockerignore", ".Dockerfile", ".dockerfile", "Dockerfile.",
		".Dockerfile.swp", "README", "Dockerfiles", "MyDockerfile", "Dockerfile-dev", "DOCKERFILE",
		"docker-compose.yml", "", "dockerfile.md.dockerignore",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(yes); i++)
		ck_assert_msg(df_discover_is_dockerfile(yes[i]), "'%s' should be a Dockerfile", yes[i]);
	for (size_t i = 0; i < DF_ARRAY_LEN(no); i++)
		ck_assert_msg(!df_discover_is_dockerfile(no[i]), "'%s' should not be a Dockerfile", no[i]);
}
END_TEST

START_TEST(test_skip_dirs)
{
	ck_assert_str_eq(df_discover_skip_dir(".git"), "version control");
	ck_assert_str_eq(df_discover_skip_dir(".hg"), "version control");
	ck_assert_str_eq(df_discover_skip_dir("node_modules"), "vendored or generated");
	ck_assert_str_eq(df_discover_skip_dir("vendor"), "vendored or generated");
	ck_assert_str_eq(df_discover_skip_dir(".venv"), "vendored or generated");
	ck_assert_ptr_null(df_discover_skip_dir(".devcontainer"));
	ck_assert_ptr_null(df_discover_skip_dir(".github"));
	ck_assert_ptr_null(df_discover_skip_dir("build"));
	ck_assert_ptr_null(df_discover_skip_dir("Node_modules"));
}
END_TEST

/* A tree with a bit of everything: what is kept, in byte order of the whole
 * path, and what is said about the rest. */
START_TEST(test_walk)
{
	make("Dockerfile");
	make("README.md");
	make("Dockerfile.dockerignore");
	make("a.Dockerfile");
	make("a/Dockerfile");
	make("a/b/Containerfile");
	make("svc/Dockerfile.dev");
	make("svc/app.Dockerfile");
	make(".devcontainer/Dockerfile");
	make(".git/Dockerfile");
	make("node_modules/pkg/Dockerfile");
	make("svc/vendor/lib/Dockerfile");
	make("empty/");
	link_to("..", "a/up");			/* a loop if followed */
	link_to("../svc/app.Dockerfile", "a/linked.Dockerfile");
	link_to("nowhere", "a/dead.Dockerfile");
	link_to("nowhere", "a/dead-link");	/* not a Dockerfile's name: no error */
	char fifo[4200];
	snprintf(fifo, sizeof(fifo), "%s/svc/Dockerfile.pipe", root);
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);

	df_discovery d = DF_DISCOVERY_INIT;
	heard h = { DF_BUF_INIT, 0 };
	ck_assert_int_eq(df_discover(root, &d, listen, &h), -1);
	df_buf got = DF_BUF_INIT;
	found_list(&d, &got);
	ck_assert_str_eq(df_buf_str(&got),
			 ".devcontainer/Dockerfile\n"
			 "Dockerfile\n"
			 "a.Dockerfile\n"
			 "a/Dockerfile\n"
			 "a/b/Containerfile\n"
			 "a/linked.Dockerfile\n"
			 "svc/Dockerfile.dev\n"
			 "svc/app.Dockerfile\n");
	ck_assert_str_eq(df_buf_str(&h.log),
			 "skip .git: version control\n"
			 "error a/dead.Dockerfile: No such file or directory\n"
			 "skip a/up: symbolic link to a directory\n"
			 "skip node_modules: vendored or generated\n"
			 "skip svc/Dockerfile.pipe: not a regular file\n"
			 "skip svc/vendor: vendored or generated\n");
	ck_assert_uint_eq(h.errors, 1);
	df_buf_release(&got);
	df_buf_release(&h.log);
	df_discovery_release(&d);
	ck_assert_uint_eq(d.len, 0);
}
END_TEST

/* The start directory is walked whatever its name; a trailing '/' gives
 * no "//"; later calls append after what is there, each call sorted. */
START_TEST(test_start_dir)
{
	make("node_modules/Dockerfile");
	make("node_modules/.git/Dockerfile");
	make("x/Dockerfile");
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/node_modules/", root);
	df_discovery d = DF_DISCOVERY_INIT;
	ck_assert_int_eq(df_discover(dir, &d, NULL, NULL), 0);
	snprintf(dir, sizeof(dir), "%s/x", root);
	ck_assert_int_eq(df_discover(dir, &d, NULL, NULL), 0);
	df_buf got = DF_BUF_INIT;
	found_list(&d, &got);
	ck_assert_str_eq(df_buf_str(&got), "node_modules/Dockerfile\nx/Dockerfile\n");
	df_buf_release(&got);
	df_discovery_release(&d);
}
END_TEST

/* "." names what it finds as users write it: "Dockerfile", "x/Dockerfile". */
START_TEST(test_working_dir)
{
	make("Dockerfile");
	make("x/Dockerfile");
	char cwd[4200];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(root), 0);
	df_discovery d = DF_DISCOVERY_INIT;
	ck_assert_int_eq(df_discover(".", &d, NULL, NULL), 0);
	ck_assert_int_eq(df_discover("./", &d, NULL, NULL), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_uint_eq(d.len, 4);
	ck_assert_str_eq(d.paths[0], "Dockerfile");
	ck_assert_str_eq(d.paths[1], "x/Dockerfile");
	ck_assert_str_eq(d.paths[2], "Dockerfile");
	df_discovery_release(&d);
}
END_TEST

START_TEST(test_nothing_found)
{
	make("docs/README.md");
	make(".git/Dockerfile");
	df_discovery d = DF_DISCOVERY_INIT;
	heard h = { DF_BUF_INIT, 0 };
	ck_assert_int_eq(df_discover(root, &d, listen, &h), 0);
	ck_assert_uint_eq(d.len, 0);
	ck_assert_str_eq(df_buf_str(&h.log), "skip .git: version control\n");
	df_buf_release(&h.log);
	df_discovery_release(&d);
}
END_TEST

/* A directory that cannot be opened is an error; the walk goes on. */
START_TEST(test_unreadable_dir)
{
	make("a/Dockerfile");
	make("locked/Dockerfile");
	make("z/Dockerfile");
	char locked[4200];
	snprintf(locked, sizeof(locked), "%s/locked", root);
	ck_assert_int_eq(chmod(locked, 0), 0);
	if (access(locked, R_OK) == 0)
		return;		/* root reads anything: nothing to test */
	df_discovery d = DF_DISCOVERY_INIT;
	heard h = { DF_BUF_INIT, 0 };
	ck_assert_int_eq(df_discover(root, &d, listen, &h), -1);
	df_buf got = DF_BUF_INIT;
	found_list(&d, &got);
	ck_assert_str_eq(df_buf_str(&got), "a/Dockerfile\nz/Dockerfile\n");
	ck_assert_str_eq(df_buf_str(&h.log), "error locked: Permission denied\n");
	df_buf_release(&got);
	df_buf_release(&h.log);
	df_discovery_release(&d);
}
END_TEST

/* A tree deeper than the limit is an error at the limit, not a crash. */
START_TEST(test_too_deep)
{
	df_buf rel = DF_BUF_INIT;
	for (int i = 0; i <= DF_DISCOVER_MAX_DEPTH + 1; i++)
		df_buf_adds(&rel, "d/");
	df_buf_adds(&rel, "Dockerfile");
	make(df_buf_str(&rel));
	make("d/Dockerfile");
	df_discovery d = DF_DISCOVERY_INIT;
	heard h = { DF_BUF_INIT, 0 };
	ck_assert_int_eq(df_discover(root, &d, listen, &h), -1);
	ck_assert_uint_eq(d.len, 1);
	ck_assert_uint_eq(h.errors, 1);
	ck_assert_msg(strstr(df_buf_str(&h.log), ": directories nested too deep\n") != NULL, "%s", df_buf_str(&h.log));
	df_buf_release(&rel);
	df_buf_release(&h.log);
	df_discovery_release(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("discover");
	TCase *tc = tcase_create("discover");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_skip_dirs);
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_start_dir);
	tcase_add_test(tc, test_working_dir);
	tcase_add_test(tc, test_nothing_found);
	tcase_add_test(tc, test_unreadable_dir);
	tcase_add_test(tc, test_too_deep);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
