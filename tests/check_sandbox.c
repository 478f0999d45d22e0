/*
 * check_sandbox.c - RUN in namespaces over an overlay of layers: what lands
 * in the upper dir (and what the sandbox's own mount points leave there:
 * nothing), exit statuses, env, cwd, user, network, output prefixes,
 * layer order, pid 1, extra mounts, and the root given to COPY.
 *
 * Needs root (namespaces, overlayfs, mknod): as another user the suite
 * fails and says so. The root file system is made here from the static
 * busybox of Debian's busybox-static.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build/sandbox.h"
#include "testutil.h"

static char tmp[64];		/* the suite's scratch dir */
static char base[128];		/* a root file system: busybox, /etc/passwd, /etc/group */

static void mkfile(const char *path, const char *text, mode_t mode)
{
	ck_assert_msg(tu_write(path, text, strlen(text)) == 0, "cannot write %s", path);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static char *pathf(const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
	char *p = malloc(n);
	snprintf(p, n, fmt, a, b);
	return p;
}

static void make_base(void)
{
	static const char *const applets[] = { "sh", "ls", "cat", "echo", "id", "rm", "mkdir", "test", "pwd",
					       "printf", "seq", "grep", "wc", "stat", "hostname", "kill", "sleep",
					       "touch", "sort", "tr" };
	snprintf(base, sizeof(base), "%s/base", tmp);
	char p[256];
	ck_assert_int_eq(mkdir(base, 0755), 0);
	snprintf(p, sizeof(p), "%s/bin", base);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc", base);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	df_buf bb = DF_BUF_INIT;
	ck_assert_msg(tu_read("/bin/busybox", &bb) == 0, "needs /bin/busybox (Debian's busybox-static)");
	snprintf(p, sizeof(p), "%s/bin/busybox", base);
	ck_assert_int_eq(tu_write(p, bb.buf, bb.len), 0);
	ck_assert_int_eq(chmod(p, 0755), 0);
	df_buf_release(&bb);
	for (size_t i = 0; i < sizeof(applets) / sizeof(*applets); i++) {
		snprintf(p, sizeof(p), "%s/bin/%s", base, applets[i]);
		ck_assert_int_eq(symlink("busybox", p), 0);
	}
	snprintf(p, sizeof(p), "%s/etc/passwd", base);
	mkfile(p, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n", 0644);
	snprintf(p, sizeof(p), "%s/etc/group", base);
	mkfile(p, "root:x:0:\napp:x:1000:\nstaff:x:50:app,other\n", 0644);
}

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/dfopt-sbx-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	make_base();
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* One run's results. */
typedef struct step {
	char *upper;
	int rc, status;
	df_buf out, err;
} step;

static void step_release(step *s)
{
	free(s->upper);
	df_buf_release(&s->out);
	df_buf_release(&s->err);
}

/* Run script with sh -c (or sb->argv when set) over sb's lowers (base
 * alone when none), in a fresh upper dir. */
static void run(df_sandbox *sb, const char *script, step *s)
{
	static const char *const env[] = { "PATH=/bin", NULL };
	const char *lowers[] = { base };
	const char *argv[] = { "sh", "-c", script, NULL };
	char dir[128], work[160], out[160];
	memset(s, 0, sizeof(*s));
	snprintf(dir, sizeof(dir), "%s/step-XXXXXX", tmp);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	s->upper = pathf("%s/upper%s", dir, "");
	snprintf(work, sizeof(work), "%s/work", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_int_eq(mkdir(s->upper, 0755), 0);
	ck_assert_int_eq(mkdir(work, 0755), 0);
	if (!sb->lowers) {
		sb->lowers = lowers;
		sb->nlowers = 1;
	}
	if (!sb->argv)
		sb->argv = argv;
	if (!sb->env)
		sb->env = env;
	if (!sb->prefix)
		sb->prefix = "#1 ";
	sb->upper = s->upper;
	sb->work = work;
	sb->out_fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(sb->out_fd, 0);
	s->status = -1;
	s->rc = df_sandbox_run(sb, &s->status, &s->err);
	close(sb->out_fd);
	ck_assert_int_eq(tu_read(out, &s->out), 0);
	if (sb->argv == argv)
		sb->argv = NULL;
	if (sb->lowers == lowers) {
		sb->lowers = NULL;
		sb->nlowers = 0;
	}
}

/* Run and expect exit status 0 and exactly want as the output. */
static void run_ok(df_sandbox *sb, const char *script, const char *want)
{
	step s;
	run(sb, script, &s);
	ck_assert_msg(s.rc == 0, "%s: %s", script, df_buf_str(&s.err));
	ck_assert_msg(s.status == 0, "%s: status %d, output:\n%s", script, s.status, df_buf_str(&s.out));
	ck_assert_str_eq(df_buf_str(&s.out), want);
	step_release(&s);
}

static bool exists(const char *dir, const char *rel)
{
	char *p = pathf("%s/%s", dir, rel);
	struct stat st;
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

/* The names in dir, sorted, space-separated. */
static char *names(const char *dir)
{
	char *cmd = pathf("ls -A %s%s | tr '\\n' ' '", dir, "");
	FILE *f = popen(cmd, "r");
	free(cmd);
	ck_assert_ptr_nonnull(f);
	char buf[1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	pclose(f);
	return strdup(buf);
}

START_TEST(test_upper)
{
	df_sandbox sb = { 0 };
	step s;
	run(&sb, "echo hi > /a; rm /bin/ls; mkdir -p /x/y", &s);
	ck_assert_msg(s.rc == 0, "%s", df_buf_str(&s.err));
	ck_assert_int_eq(s.status, 0);
	df_buf a = DF_BUF_INIT;
	char *p = pathf("%s/%s", s.upper, "a");
	ck_assert_int_eq(tu_read(p, &a), 0);
	ck_assert_str_eq(df_buf_str(&a), "hi\n");
	free(p);
	df_buf_release(&a);
	struct stat st;
	p = pathf("%s/%s", s.upper, "bin/ls");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_msg(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0), "bin/ls is not a whiteout");
	free(p);
	p = pathf("%s/%s", s.upper, "x/y");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	free(p);
	/* no /proc, /dev, /etc (hosts, resolv.conf, hostname were mounted
	 * into the image's /etc): only what the command changed */
	char *top = names(s.upper);
	ck_assert_str_eq(top, "a bin x ");
	free(top);
	top = names(p = pathf("%s/%s", s.upper, "bin"));
	ck_assert_str_eq(top, "ls ");
	free(top);
	free(p);
	step_release(&s);

	/* a command writing next to the mounted /etc/hosts keeps /etc */
	run(&sb, "echo x > /etc/foo; echo y >> /etc/hosts", &s);
	ck_assert_int_eq(s.status, 0);
	top = names(p = pathf("%s/%s", s.upper, "etc"));
	ck_assert_str_eq(top, "foo ");
	free(top);
	free(p);
	step_release(&s);
}
END_TEST

START_TEST(test_status)
{
	df_sandbox sb = { 0 };
	step s;
	run(&sb, "echo out; exit 3", &s);
	ck_assert_int_eq(s.rc, 0);
	ck_assert_int_eq(s.status, 3);
	ck_assert_str_eq(df_buf_str(&s.out), "#1 out\n");
	step_release(&s);

	/* pid 1 ignores signals it has no handler for, even SIGKILL from
	 * inside its namespace, as in a container; a CPU limit is enforced
	 * by the kernel itself */
	run(&sb, "kill -9 $$; ulimit -t 1; while :; do :; done", &s);
	ck_assert_int_eq(s.rc, 0);
	ck_assert_int_eq(s.status, 137);
	step_release(&s);
	/* the shell's own report of a killed child */
	run(&sb, "sh -c 'kill -9 $$'; exit $?", &s);
	ck_assert_int_eq(s.status, 137);
	step_release(&s);

	const char *missing[] = { "no-such-command", "x", NULL };
	sb.argv = missing;
	run(&sb, NULL, &s);
	ck_assert_msg(s.rc == 0, "%s", df_buf_str(&s.err));
	ck_assert_int_eq(s.status, 127);
	ck_assert_str_eq(df_buf_str(&s.out), "#1 dfopt: no-such-command: command not found\n");
	step_release(&s);
	const char *direct[] = { "/bin/echo", "a b", NULL };
	sb.argv = direct;
	run(&sb, NULL, &s);
	ck_assert_int_eq(s.status, 0);
	ck_assert_str_eq(df_buf_str(&s.out), "#1 a b\n");
	step_release(&s);

	/* an empty root: no shell at all */
	sb.argv = NULL;
	const char *none[] = { NULL };
	sb.lowers = none;
	sb.nlowers = 0;
	run(&sb, "true", &s);
	ck_assert_msg(s.rc == 0, "%s", df_buf_str(&s.err));
	ck_assert_int_eq(s.status, 127);
	char *top = names(s.upper);
	ck_assert_str_eq(top, "");
	free(top);
	step_release(&s);
}
END_TEST

START_TEST(test_env_cwd_user)
{
	const char *env[] = { "PATH=/usr/bin:/bin", "FOO=bar baz", NULL };
	df_sandbox sb = { .env = env, .cwd = "/work/dir", .user = "app", .hostname = "box" };
	run_ok(&sb, "id -u; id -g; id -G; echo \"$FOO\"; pwd; echo $HOME; hostname; cat /etc/hostname",
	       "#1 1000\n#1 1000\n#1 1000 50\n#1 bar baz\n#1 /work/dir\n#1 /home/app\n#1 box\n#1 box\n");
	sb.user = "app:staff";
	run_ok(&sb, "id -u; id -g", "#1 1000\n#1 50\n");
	sb.user = "1234:7";
	run_ok(&sb, "id -u; id -g; echo $HOME", "#1 1234\n#1 7\n#1 /\n");
	sb.user = "root";
	sb.cwd = NULL;
	run_ok(&sb, "id -u; pwd; echo $HOME", "#1 0\n#1 /\n#1 /root\n");

	/* an unknown user or group is a setup error, not a failed step */
	step s;
	sb.user = "nobody";
	run(&sb, "true", &s);
	ck_assert_int_eq(s.rc, -1);
	ck_assert_str_eq(df_buf_str(&s.err), "user 'nobody' is not in the image's /etc/passwd");
	step_release(&s);
	sb.user = "app:wheel";
	run(&sb, "true", &s);
	ck_assert_int_eq(s.rc, -1);
	ck_assert_str_eq(df_buf_str(&s.err), "group 'wheel' is not in the image's /etc/group");
	step_release(&s);

	/* the WORKDIR made for the step is part of its layer */
	sb.user = NULL;
	sb.cwd = "/w/d";
	run(&sb, "true", &s);
	ck_assert_int_eq(s.status, 0);
	ck_assert(exists(s.upper, "w/d"));
	step_release(&s);
}
END_TEST

START_TEST(test_network_none)
{
	df_sandbox sb = { .network_none = true };
	/* /proc/net/dev: two header lines, then one line per interface */
	run_ok(&sb, "grep : /proc/net/dev | while read name rest; do echo $name; done",
	       "#1 lo:\n");
	run_ok(&sb, "grep -c . /proc/net/dev", "#1 3\n");
}
END_TEST

START_TEST(test_output)
{
	df_sandbox sb = { .prefix = "#7 " };
	run_ok(&sb, "printf 'a\\nb\\n\\nc'; echo err >&2", "#7 a\n#7 b\n#7 \n#7 cerr\n");
	/* far more than a pipe holds, both streams */
	step s;
	run(&sb, "seq 1 100000; seq 1 50000 >&2", &s);
	ck_assert_int_eq(s.status, 0);
	size_t lines = 0;
	for (size_t i = 0; i < s.out.len; i++)
		lines += s.out.buf[i] == '\n';
	ck_assert_uint_eq(lines, 150000);
	ck_assert(strncmp(s.out.buf, "#7 1\n#7 2\n", 10) == 0);
	ck_assert(s.out.len > 14 && strcmp(s.out.buf + s.out.len - 9, "#7 50000\n") == 0);
	step_release(&s);
	sb.prefix = NULL;
	run_ok(&sb, "echo $$", "#1 1\n");	/* run() default prefix; pid 1 */
}
END_TEST

START_TEST(test_layers)
{
	/* a top layer deleting /bin/rm (a 0/0 char device) and adding files,
	 * /etc/hosts among them */
	char *top = pathf("%s/%s", tmp, "top"), *p;
	ck_assert_int_eq(mkdir(top, 0755), 0);
	p = pathf("%s/%s", top, "bin");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = pathf("%s/%s", top, "bin/rm");
	ck_assert_int_eq(mknod(p, S_IFCHR | 0, makedev(0, 0)), 0);
	free(p);
	p = pathf("%s/%s", top, "hello");
	mkfile(p, "from top\n", 0644);
	free(p);
	p = pathf("%s/%s", top, "etc");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = pathf("%s/%s", top, "etc/hosts");
	mkfile(p, "image hosts\n", 0644);
	free(p);
	const char *lowers[] = { base, top };
	df_sandbox sb = { .lowers = lowers, .nlowers = 2 };
	step s;
	run(&sb, "test -e /bin/rm && echo rm || echo no rm; cat /hello; grep -c 'image hosts' /etc/hosts", &s);
	ck_assert_msg(s.rc == 0, "%s", df_buf_str(&s.err));
	ck_assert_str_eq(df_buf_str(&s.out), "#1 no rm\n#1 from top\n#1 0\n");
	p = names(s.upper);
	ck_assert_str_eq(p, "");
	free(p);
	step_release(&s);
	/* the image's file is the one the layer keeps */
	df_buf h = DF_BUF_INIT;
	p = pathf("%s/%s", top, "etc/hosts");
	ck_assert_int_eq(tu_read(p, &h), 0);
	ck_assert_str_eq(df_buf_str(&h), "image hosts\n");
	df_buf_release(&h);
	free(p);
	free(top);

	/* many layers: more than one page of absolute lowerdir paths */
	enum { N = 150 };
	char *dirs[N];
	const char *many[N + 1];
	many[0] = base;
	for (int i = 0; i < N; i++) {
		char name[64];
		snprintf(name, sizeof(name), "a-rather-long-layer-directory-name-%03d", i);
		dirs[i] = pathf("%s/%s", tmp, name);
		ck_assert_int_eq(mkdir(dirs[i], 0755), 0);
		p = pathf("%s/%s", dirs[i], "layer");
		mkfile(p, name + 35, 0644);
		free(p);
		many[i + 1] = dirs[i];
	}
	df_sandbox big = { .lowers = many, .nlowers = N + 1 };
	run_ok(&big, "cat /layer; echo; test -x /bin/sh && echo sh", "#1 149\n#1 sh\n");
	for (int i = 0; i < N; i++)
		free(dirs[i]);

	/* past overlayfs's limit: a clear error */
	const char *too_many[501];
	for (int i = 0; i < 501; i++)
		too_many[i] = base;
	df_sandbox over = { .lowers = too_many, .nlowers = 501 };
	step s2;
	run(&over, "true", &s2);
	ck_assert_int_eq(s2.rc, -1);
	ck_assert_str_eq(df_buf_str(&s2.err), "501 layers: overlayfs stacks at most 500");
	step_release(&s2);
}
END_TEST

START_TEST(test_mounts)
{
	char *hostdir = pathf("%s/%s", tmp, "hostdir"), *p;
	ck_assert_int_eq(mkdir(hostdir, 0755), 0);
	p = pathf("%s/%s", hostdir, "data");
	mkfile(p, "xyz\n", 0644);
	free(p);
	char *secret = pathf("%s/%s", tmp, "secret");
	mkfile(secret, "s3cr3t\n", 0644);
	/* an absolute symlink in the image must resolve inside the root */
	char *outside = pathf("%s/%s", tmp, "outside");
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	char *img = pathf("%s/%s", tmp, "img");
	ck_assert_int_eq(mkdir(img, 0755), 0);
	p = pathf("%s/%s", img, "evil");
	ck_assert_int_eq(symlink(outside, p), 0);
	free(p);
	const char *lowers[] = { base, img };

	df_sbx_mount m[] = {
		{ .type = DF_SBX_TMPFS, .target = "/tmp/t" },
		{ .type = DF_SBX_BIND, .source = hostdir, .target = "/mnt/h", .readonly = true },
		{ .type = DF_SBX_BIND, .source = hostdir, .target = "/mnt/rw" },
		{ .type = DF_SBX_BIND, .source = secret, .target = "/run/secrets/s", .readonly = true,
		  .mode = 0400, .uid = 1000, .gid = 50 },
	};
	df_sandbox sb = { .lowers = lowers, .nlowers = 2, .mounts = m, .nmounts = 4 };
	step s;
	run(&sb,
	    "cat /mnt/h/data; echo w > /tmp/t/f && cat /tmp/t/f; (echo z > /mnt/h/new) 2>/dev/null || echo ro;"
	    " echo rw > /mnt/rw/new; stat -c '%a %u %g' /run/secrets/s; cat /run/secrets/s",
	    &s);
	ck_assert_msg(s.rc == 0, "%s", df_buf_str(&s.err));
	ck_assert_str_eq(df_buf_str(&s.out), "#1 xyz\n#1 w\n#1 ro\n#1 400 1000 50\n#1 s3cr3t\n");
	ck_assert_int_eq(s.status, 0);
	/* the mount points are not in the layer */
	p = names(s.upper);
	ck_assert_str_eq(p, "");
	free(p);
	ck_assert(exists(hostdir, "new") && !exists(hostdir, "data/new"));
	struct stat st;
	ck_assert_int_eq(stat(secret, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	step_release(&s);

	/* /evil is a link to a host path: inside the root it leads nowhere,
	 * and nothing is made on the host; a failed setup leaves nothing in
	 * the upper dir either */
	df_sbx_mount evil[] = { { .type = DF_SBX_TMPFS, .target = "/evil/x" } };
	sb.mounts = evil;
	sb.nmounts = 1;
	run(&sb, "true", &s);
	ck_assert_int_eq(s.rc, -1);
	ck_assert_str_eq(df_buf_str(&s.err), "cannot create mount target '/evil/x': No such file or directory");
	ck_assert(!exists(outside, "x"));
	p = names(s.upper);
	ck_assert_str_eq(p, "");
	free(p);
	step_release(&s);

	/* a mount point that the command fills stays */
	df_sbx_mount one[] = { { .type = DF_SBX_TMPFS, .target = "/var/cache/t" } };
	df_sandbox sb2 = { .mounts = one, .nmounts = 1 };
	run(&sb2, "echo kept > /var/cache/keep", &s);
	ck_assert_int_eq(s.status, 0);
	ck_assert(exists(s.upper, "var/cache/keep") && !exists(s.upper, "var/cache/t"));
	step_release(&s);
	free(hostdir);
	free(secret);
	free(outside);
	free(img);
}
END_TEST

/* Is a process with arg among its arguments running? */
static bool running(const char *arg)
{
	FILE *f = popen("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n'", "r");
	ck_assert_ptr_nonnull(f);
	char line[4096];
	bool found = false;
	while (fgets(line, sizeof(line), f))
		found |= strcmp(line, arg) == 0;
	pclose(f);
	return found;
}

/* The builder killed mid-step: the command dies, no mount stays. */
START_TEST(test_killed)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		df_sandbox sb = { 0 };
		step s;
		run(&sb, "sleep 31337", &s);
		_exit(0);
	}
	for (int i = 0; i < 100 && !running("31337\n"); i++)
		usleep(20000);
	ck_assert_msg(running("31337\n"), "the step did not start");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	bool gone = false;
	for (int i = 0; i < 100 && !gone; i++) {
		usleep(20000);
		gone = !running("31337\n");
	}
	ck_assert_msg(gone, "the command outlived the builder");
	df_buf mounts = DF_BUF_INIT;
	ck_assert_int_eq(tu_read("/proc/self/mountinfo", &mounts), 0);
	ck_assert_ptr_null(strstr(df_buf_str(&mounts), tmp));
	df_buf_release(&mounts);
}
END_TEST

/* fn for df_sandbox_with_root: copy src_root/srcfile into root/copied. */
static int copy_in(void *arg, const char *root, const char *src_root, df_buf *err)
{
	if (arg) {
		df_buf_adds(err, (const char *)arg);
		return -1;
	}
	df_buf data = DF_BUF_INIT;
	char *from = pathf("%s/%s", src_root, "srcfile"), *to = pathf("%s/%s", root, "copied");
	int rc = tu_read(from, &data) == 0 && tu_write(to, data.buf, data.len) == 0 ? 0 : -1;
	/* the source is read-only */
	char *w = pathf("%s/%s", src_root, "w");
	if (rc == 0 && tu_write(w, "x", 1) == 0) {
		df_buf_adds(err, "source root is writable");
		rc = -1;
	}
	free(w);
	free(from);
	free(to);
	df_buf_release(&data);
	return rc;
}

/* fn for df_sandbox_with_root: src_root is an empty read-only dir. */
static int empty_src(void *arg, const char *root, const char *src_root, df_buf *err)
{
	char *w = pathf("%s/%s", src_root, "w"), *names_ = names(src_root);
	int rc = 0;
	if (strcmp(names_, "") != 0 || tu_write(w, "x", 1) == 0) {
		df_buf_addf(err, "source root not empty and read-only: '%s'", names_);
		rc = -1;
	}
	free(w);
	free(names_);
	return rc;
}

START_TEST(test_with_root)
{
	char *l1 = pathf("%s/%s", tmp, "src1"), *l2 = pathf("%s/%s", tmp, "src2"), *p;
	ck_assert_int_eq(mkdir(l1, 0755), 0);
	ck_assert_int_eq(mkdir(l2, 0755), 0);
	p = pathf("%s/%s", l2, "srcfile");
	mkfile(p, "from src\n", 0644);
	free(p);
	char *upper = pathf("%s/%s", tmp, "wr-upper"), *work = pathf("%s/%s", tmp, "wr-work");
	ck_assert_int_eq(mkdir(upper, 0755), 0);
	ck_assert_int_eq(mkdir(work, 0755), 0);
	const char *lowers[] = { base };
	const char *srcl[] = { l1, l2 };
	df_sandbox sb = { .lowers = lowers, .nlowers = 1, .upper = upper, .work = work };
	df_sandbox src = { .lowers = srcl, .nlowers = 2 };
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(df_sandbox_with_root(&sb, &src, copy_in, NULL, &err) == 0, "%s", df_buf_str(&err));
	df_buf got = DF_BUF_INIT;
	p = pathf("%s/%s", upper, "copied");
	ck_assert_int_eq(tu_read(p, &got), 0);
	ck_assert_str_eq(df_buf_str(&got), "from src\n");
	free(p);
	df_buf_release(&got);
	/* one source layer (a read-only bind) */
	src.lowers = srcl + 1;
	src.nlowers = 1;
	ck_assert_msg(df_sandbox_with_root(&sb, &src, copy_in, NULL, &err) == 0, "%s", df_buf_str(&err));
	/* no source layers: an empty, read-only root */
	src.nlowers = 0;
	ck_assert_msg(df_sandbox_with_root(&sb, &src, empty_src, NULL, &err) == 0, "%s", df_buf_str(&err));
	/* paths relative to the caller's working directory */
	ck_assert_int_eq(chdir(tmp), 0);
	const char *rel_lowers[] = { "base" };
	df_sandbox rel = { .lowers = rel_lowers, .nlowers = 1, .upper = "wr-upper", .work = "wr-work" };
	src.lowers = srcl + 1;
	src.nlowers = 1;
	ck_assert_msg(df_sandbox_with_root(&rel, &src, copy_in, NULL, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_int_eq(chdir("/"), 0);
	/* fn's error comes back */
	ck_assert_int_eq(df_sandbox_with_root(&sb, NULL, copy_in, "cannot copy 'x': boom", &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "cannot copy 'x': boom");
	df_buf_release(&err);
	free(l1);
	free(l2);
	free(upper);
	free(work);
}
END_TEST

START_TEST(test_available)
{
	df_buf why = DF_BUF_INIT;
	ck_assert_msg(df_sandbox_available(&why), "%s", df_buf_str(&why));
	df_buf_release(&why);
}
END_TEST

static Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("run");
	/* once, in the runner: teardown runs even when a test fails */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_upper);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_env_cwd_user);
	tcase_add_test(tc, test_network_none);
	tcase_add_test(tc, test_output);
	tcase_add_test(tc, test_layers);
	tcase_add_test(tc, test_mounts);
	tcase_add_test(tc, test_killed);
	tcase_add_test(tc, test_with_root);
	tcase_add_test(tc, test_available);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "check_sandbox: needs root (mount and pid namespaces, overlayfs, mknod)\n");
		return EXIT_FAILURE;
	}
	return tu_run(sandbox_suite());
}
