/*
 * check_hashcache.c - the content digest cache of context files: a hit
 * reads nothing, any change of the file's stat misses, racy entries are
 * not trusted, a damaged cache file is ignored, concurrent saves merge.
 *
 * Each test works in a fresh temporary directory holding a context (ctx/)
 * and the cache file. Digests made by hand go in with a hashing time in
 * the future of the file's times, so they are trusted without waiting;
 * the end-to-end test waits out the racy second once.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/copy.h"
#include "build/hashcache.h"
#include "testutil.h"
#include "util/util.h"

static char top[64], ctxdir[128], cachefile[128];

static void setup(void)
{
	snprintf(top, sizeof(top), "/tmp/dfopt-hashcache-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(ctxdir, sizeof(ctxdir), "%s/ctx", top);
	snprintf(cachefile, sizeof(cachefile), "%s/hashcache", top);
	ck_assert_int_eq(mkdir(ctxdir, 0755), 0);
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *at(const char *rel)
{
	static char path[4][256];
	static int n;
	n = (n + 1) % 4;
	snprintf(path[n], sizeof(path[n]), "%s/%s", ctxdir, rel);
	return path[n];
}

static void put(const char *rel, const char *text)
{
	ck_assert_int_eq(tu_write(at(rel), text, strlen(text)), 0);
}

static struct stat lst(const char *rel)
{
	struct stat st;
	ck_assert_int_eq(lstat(at(rel), &st), 0);
	return st;
}

/* A hashing time safely after everything the test wrote. */
static struct timespec later(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 5;
	return t;
}

static df_hashcache *open_cache(void)
{
	return df_hashcache_open(cachefile, top);
}

static void save(df_hashcache *hc)
{
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(df_hashcache_save(hc, &err) == 0, "%s", df_buf_str(&err));
	df_buf_release(&err);
}

static size_t entries(df_hashcache *hc)
{
	df_hashcache_stats s;
	df_hashcache_stats_get(hc, &s);
	return s.entries;
}

/* The manifest of COPY . / from the context, with the cache hc (or none). */
static char *manifest(df_hashcache *hc)
{
	df_context ctx = DF_CONTEXT_INIT;
	df_buf err = DF_BUF_INIT, out = DF_BUF_INIT;
	ck_assert_msg(df_context_open(&ctx, ctxdir, NULL, &err) == 0, "%s", df_buf_str(&err));
	const char *src[1] = { "." };
	df_copy_req r;
	memset(&r, 0, sizeof(r));
	r.ctx = &ctx;
	r.sources = src;
	r.nsources = 1;
	r.dest = "/";
	r.workdir = "/";
	r.hashes = hc;
	ck_assert_msg(df_copy_manifest(&r, ctxdir, &out, &err) == 0, "%s", df_buf_str(&err));
	df_context_release(&ctx);
	df_buf_release(&err);
	return out.buf ? df_buf_detach(&out, NULL) : df_xstrdup("");
}

/* The digest the manifest gives path (a line "path\tsha256:..."). */
static const char *entry_digest(const char *m, const char *path)
{
	static char d[4][DF_DIGEST_STRLEN + 1];
	static int n;
	n = (n + 1) % 4;
	char want[256];
	snprintf(want, sizeof(want), "%s\t", path);
	for (const char *l = m; *l; l = strchr(l, '\n') + 1) {
		if (strncmp(l, want, strlen(want)) == 0) {
			snprintf(d[n], sizeof(d[n]), "%.*s", DF_DIGEST_STRLEN, l + strlen(want));
			return d[n];
		}
		if (!strchr(l, '\n'))
			break;
	}
	ck_abort_msg("no line for %s in:\n%s", path, m);
	return NULL;
}

START_TEST(hit_and_misses)
{
	put("a", "hello");
	struct stat st = lst("a");
	df_digest d, got;
	df_sha256_buf("hello", 5, &d);
	struct timespec t = later();
	df_hashcache *hc = open_cache();
	ck_assert(!df_hashcache_get(hc, &st, &got));
	df_hashcache_put(hc, &st, &d, &t);
	ck_assert(df_hashcache_get(hc, &st, &got));
	ck_assert_str_eq(got.s, d.s);
	/* each part of the stat counts */
	struct stat x = st;
	x.st_size++;
	ck_assert(!df_hashcache_get(hc, &x, &got));
	x = st;
	x.st_mtim.tv_nsec ^= 1;
	ck_assert(!df_hashcache_get(hc, &x, &got));
	x = st;
	x.st_mtim.tv_sec--;
	ck_assert(!df_hashcache_get(hc, &x, &got));
	x = st;
	x.st_ctim.tv_nsec ^= 1;
	ck_assert(!df_hashcache_get(hc, &x, &got));
	x = st;
	x.st_ino++;
	ck_assert(!df_hashcache_get(hc, &x, &got));
	x = st;
	x.st_dev++;
	ck_assert(!df_hashcache_get(hc, &x, &got));
	x = st;
	x.st_mode ^= 0100;
	ck_assert(!df_hashcache_get(hc, &x, &got));
	/* a real change of the file */
	put("a", "hellO");
	x = lst("a");
	ck_assert(!df_hashcache_get(hc, &x, &got));
	df_hashcache_stats s;
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.hits, 1);
	ck_assert_uint_eq(s.misses, 9);
	ck_assert_uint_eq(s.stored, 1);
	df_hashcache_free(hc);
}
END_TEST

START_TEST(racy_not_trusted)
{
	put("a", "hello");
	struct stat st = lst("a");
	df_digest d, got;
	df_sha256_buf("hello", 5, &d);
	df_hashcache *hc = open_cache();
	/* hashed in the same tick as written: a write right after would keep
	 * the same times */
	struct timespec t = st.st_mtim;
	df_hashcache_put(hc, &st, &d, &t);
	ck_assert(!df_hashcache_get(hc, &st, &got));
	/* less than DF_HASHCACHE_RACY_NS after the change (ctime) */
	t = st.st_ctim;
	t.tv_nsec += 500000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	df_hashcache_put(hc, &st, &d, &t);
	ck_assert(!df_hashcache_get(hc, &st, &got));
	df_hashcache_stats s;
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.racy, 2);
	ck_assert_uint_eq(s.entries, 0);
	/* a second later it is trusted */
	t = st.st_ctim;
	t.tv_sec += 1;
	df_hashcache_put(hc, &st, &d, &t);
	ck_assert(df_hashcache_get(hc, &st, &got));
	df_hashcache_free(hc);
}
END_TEST

/* A hit never opens the file: a digest planted for a's stat comes back in
 * the manifest instead of a's real content. */
START_TEST(hit_reads_nothing)
{
	put("a", "AAAA");
	put("b", "BBBB");
	ck_assert_int_eq(chmod(at("a"), 0644), 0);
	ck_assert_int_eq(chmod(at("b"), 0644), 0);
	char *plain = manifest(NULL);
	ck_assert_str_ne(entry_digest(plain, "a"), entry_digest(plain, "b"));
	df_hashcache *hc = open_cache();
	struct stat st = lst("a");
	df_digest lie;
	df_sha256_buf("BBBB", 4, &lie);
	struct timespec t = later();
	df_hashcache_put(hc, &st, &lie, &t);
	char *m = manifest(hc);
	ck_assert_str_eq(entry_digest(m, "a"), entry_digest(plain, "b"));
	ck_assert_str_eq(entry_digest(m, "b"), entry_digest(plain, "b"));
	df_hashcache_stats s;
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.hits, 1);
	ck_assert_uint_eq(s.misses, 1);	/* b */
	free(plain);
	free(m);
	df_hashcache_free(hc);
}
END_TEST

/* Through df_copy_manifest: the first pass hashes and remembers, the
 * second only stats; the same manifest as without a cache; an edited file
 * misses; the saved file serves the next open. */
START_TEST(end_to_end)
{
	ck_assert_int_eq(mkdir(at("src"), 0755), 0);
	put("src/x.js", "x");
	put("src/y.js", "y");
	put("package.json", "{}");
	ck_assert_int_eq(symlink("x.js", at("src/link")), 0);
	/* outlive the racy window of the files just written */
	usleep(1100 * 1000);
	char *plain = manifest(NULL);
	df_hashcache *hc = open_cache();
	char *m1 = manifest(hc);
	df_hashcache_stats s;
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.misses, 3);
	ck_assert_uint_eq(s.stored, 3);
	char *m2 = manifest(hc);
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.hits, 3);
	ck_assert_uint_eq(s.misses, 3);
	ck_assert_str_eq(m1, plain);
	ck_assert_str_eq(m2, plain);
	save(hc);
	df_hashcache_free(hc);

	hc = open_cache();
	ck_assert_uint_eq(entries(hc), 3);
	put("src/y.js", "Y");	/* same size */
	char *m3 = manifest(hc);
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.hits, 2);
	ck_assert_uint_eq(s.misses, 1);
	ck_assert_uint_eq(s.racy, 1);	/* just written */
	ck_assert_str_ne(entry_digest(m3, "src/y.js"), entry_digest(plain, "src/y.js"));
	ck_assert_str_eq(entry_digest(m3, "src/x.js"), entry_digest(plain, "src/x.js"));
	free(plain);
	plain = manifest(NULL);
	ck_assert_str_eq(m3, plain);
	free(plain);
	free(m1);
	free(m2);
	free(m3);
	df_hashcache_free(hc);
}
END_TEST

/* Contexts large enough to be hashed ahead on several threads (windows
 * of 512 items): the same manifest, hits and planted digests honoured. */
START_TEST(many_files)
{
	enum { N = 600 };
	char name[32], text[32];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		snprintf(text, sizeof(text), "content %d", i);
		put(name, text);
	}
	char *plain = manifest(NULL);
	df_hashcache *hc = open_cache();
	char *m1 = manifest(hc);
	ck_assert_str_eq(m1, plain);
	df_hashcache_stats s;
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.hits, 0);
	ck_assert_uint_eq(s.stored + s.racy, N);
	/* trust them all, and plant a lie for the last one */
	struct timespec t = later();
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		snprintf(text, sizeof(text), i == N - 1 ? "content 0" : "content %d", i);
		df_digest d;
		df_sha256_buf(text, strlen(text), &d);
		struct stat st = lst(name);
		df_hashcache_put(hc, &st, &d, &t);
	}
	df_hashcache_stats_get(hc, &s);
	size_t hits0 = s.hits;
	char *m2 = manifest(hc);
	df_hashcache_stats_get(hc, &s);
	ck_assert_uint_eq(s.hits - hits0, N);
	snprintf(name, sizeof(name), "f%03d", N - 1);
	ck_assert_str_eq(entry_digest(m2, name), entry_digest(plain, "f000"));
	ck_assert_str_eq(entry_digest(m2, "f001"), entry_digest(plain, "f001"));
	ck_assert_str_ne(m2, plain);
	free(plain);
	free(m1);
	free(m2);
	df_hashcache_free(hc);
}
END_TEST

static void write_cache_file(const void *data, size_t len)
{
	ck_assert_int_eq(tu_write(cachefile, data, len), 0);
}

START_TEST(damaged_file_ignored)
{
	put("a", "hello");
	put("b", "world");
	struct stat sa = lst("a"), sb = lst("b");
	df_digest d, got;
	df_sha256_buf("hello", 5, &d);
	struct timespec t = later();
	df_hashcache *hc = open_cache();
	df_hashcache_put(hc, &sa, &d, &t);
	df_hashcache_put(hc, &sb, &d, &t);
	save(hc);
	df_hashcache_free(hc);
	df_buf good = DF_BUF_INIT;
	ck_assert_int_eq(tu_read(cachefile, &good), 0);
	hc = open_cache();
	ck_assert_uint_eq(entries(hc), 2);
	ck_assert(df_hashcache_get(hc, &sa, &got));
	df_hashcache_free(hc);

	/* every single flipped byte (a digest, a time, the count, the sum) */
	for (size_t i = 0; i < good.len; i++) {
		char *bad = df_xmalloc(good.len);
		memcpy(bad, good.buf, good.len);
		bad[i] ^= 0x20;
		write_cache_file(bad, good.len);
		free(bad);
		hc = open_cache();
		ck_assert_msg(entries(hc) == 0, "byte %zu flipped, still trusted", i);
		ck_assert(!df_hashcache_get(hc, &sa, &got));
		df_hashcache_free(hc);
	}
	/* torn: every shorter prefix, and trailing junk */
	for (size_t n = 0; n < good.len; n += 7) {
		write_cache_file(good.buf, n);
		hc = open_cache();
		ck_assert_msg(entries(hc) == 0, "%zu of %zu bytes trusted", n, good.len);
		df_hashcache_free(hc);
	}
	df_buf longer = DF_BUF_INIT;
	df_buf_add(&longer, good.buf, good.len);
	df_buf_adds(&longer, "junk");
	write_cache_file(longer.buf, longer.len);
	hc = open_cache();
	ck_assert_uint_eq(entries(hc), 0);
	df_hashcache_free(hc);
	/* a directory where the file should be */
	unlink(cachefile);
	ck_assert_int_eq(mkdir(cachefile, 0755), 0);
	hc = open_cache();
	ck_assert_uint_eq(entries(hc), 0);
	df_hashcache_free(hc);
	df_buf_release(&longer);
	df_buf_release(&good);
}
END_TEST

/* Two builds that loaded the same file save in turn: the second keeps
 * what the first added. Nothing changed: nothing is written. */
START_TEST(concurrent_saves_merge)
{
	put("a", "hello");
	put("b", "world");
	struct stat sa = lst("a"), sb = lst("b");
	df_digest da, db, got;
	df_sha256_buf("hello", 5, &da);
	df_sha256_buf("world", 5, &db);
	struct timespec t = later();
	df_hashcache *one = open_cache(), *two = open_cache();
	df_hashcache_put(one, &sa, &da, &t);
	df_hashcache_put(two, &sb, &db, &t);
	save(one);
	save(two);
	df_hashcache_free(one);
	df_hashcache_free(two);
	df_hashcache *hc = open_cache();
	ck_assert_uint_eq(entries(hc), 2);
	ck_assert(df_hashcache_get(hc, &sa, &got));
	ck_assert_str_eq(got.s, da.s);
	ck_assert(df_hashcache_get(hc, &sb, &got));
	ck_assert_str_eq(got.s, db.s);
	ck_assert_int_eq(unlink(cachefile), 0);
	save(hc);	/* not dirty: hits on the day they were stored */
	ck_assert_int_eq(access(cachefile, F_OK), -1);
	df_hashcache_free(hc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hashcache");
	TCase *tc = tcase_create("hashcache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hit_and_misses);
	tcase_add_test(tc, racy_not_trusted);
	tcase_add_test(tc, hit_reads_nothing);
	tcase_add_test(tc, end_to_end);
	tcase_add_test(tc, many_files);
	tcase_add_test(tc, damaged_file_ignored);
	tcase_add_test(tc, concurrent_saves_merge);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
