/*
 * check_image.c - the store and OCI images: the store's layout, blobs and
 * their digest checks, cache records, image names, build records, rm -rf
 * that stays in its tree; image commit (reproducible, keys sorted), load,
 * export as an OCI layout (read back here, and by skopeo when installed),
 * import of a root file system directory, an OCI layout, tarballs and a
 * `docker save` archive made here; prune.
 *
 * Needs root for the mount point case of remove_tree and for unpacking
 * layers with their owners: as another user those tests fail and say so.
 */
#include <sched.h>

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build/image.h"
#include "build/layer.h"
#include "build/store.h"
#include "testutil.h"
#include "util/util.h"

static char tmp[64];	/* this test's scratch dir */

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/check_image-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
	df_buf err = DF_BUF_INIT;
	if (df_store_remove_tree(tmp, &err) < 0)
		fprintf(stderr, "%s\n", df_buf_str(&err));
	df_buf_release(&err);
}

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	df_buf b = DF_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return df_buf_detach(&b, NULL);
}

static void mkfile(const char *path, const char *text)
{
	ck_assert_msg(tu_write(path, text, strlen(text)) == 0, "cannot write %s", path);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void open_store(df_store *s, const char *name)
{
	df_buf err = DF_BUF_INIT;
	char *root = pathf("%s/%s", tmp, name);
	ck_assert_msg(df_store_open(s, root, &err) == 0, "%s", df_buf_str(&err));
	free(root);
	df_buf_release(&err);
}

/* A small root file system: a few files, a symlink, a directory. */
static char *make_tree(const char *name)
{
	char *root = pathf("%s/%s", tmp, name);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	char *p = pathf("%s/etc", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = pathf("%s/etc/os-release", root);
	mkfile(p, "ID=test\n");
	free(p);
	p = pathf("%s/bin", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = pathf("%s/bin/hello", root);
	mkfile(p, "#!/bin/sh\necho hello\n");
	ck_assert_int_eq(chmod(p, 0755), 0);
	free(p);
	p = pathf("%s/bin/hi", root);
	ck_assert_int_eq(symlink("hello", p), 0);
	free(p);
	return root;
}

/* Write a layer of dir into the store. */
static df_image_layer put_layer(const df_store *s, const char *dir)
{
	df_buf blobs = DF_BUF_INIT, err = DF_BUF_INIT;
	df_store_blobs_dir(s, &blobs);
	df_layer l;
	ck_assert_msg(df_layer_write(dir, DF_LAYER_PLAIN, 0, blobs.buf, &l, &err) == 0, "%s", df_buf_str(&err));
	df_image_layer il;
	memset(&il, 0, sizeof(il));
	il.blob = l.digest;
	il.diff_id = l.diff_id;
	il.size = l.size;
	snprintf(il.media_type, sizeof(il.media_type), "%s", DF_MEDIA_LAYER_GZIP);
	df_buf_release(&blobs);
	df_buf_release(&err);
	return il;
}

static cJSON *read_json(const char *path)
{
	df_buf b = DF_BUF_INIT;
	ck_assert_int_eq(tu_read(path, &b), 0);
	cJSON *j = cJSON_ParseWithLength(b.buf, b.len);
	ck_assert_msg(j != NULL, "%s is not JSON", path);
	df_buf_release(&b);
	return j;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	ck_assert_msg(cJSON_IsString(v), "no string '%s'", key);
	return v->valuestring;
}

/* Every object's keys in byte order, at every depth. */
static void assert_sorted(const cJSON *node)
{
	const cJSON *prev = NULL;
	for (const cJSON *c = node->child; c; c = c->next) {
		if (cJSON_IsObject(node) && prev)
			ck_assert_msg(strcmp(prev->string, c->string) < 0, "key '%s' after '%s'", c->string,
				      prev->string);
		assert_sorted(c);
		prev = c;
	}
}

/* --- the store --------------------------------------------------------------- */

START_TEST(test_store_layout)
{
	df_store s;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(chdir(tmp), 0);
	ck_assert_msg(df_store_open(&s, "rel/store/", &err) == 0, "%s", df_buf_str(&err));
	char *want = pathf("%s/rel/store", tmp);
	ck_assert_str_eq(s.root, want);
	free(want);
	static const char *const dirs[] = { "blobs/sha256", "layers", "cache", "images", "builds", "mounts", "tmp" };
	for (size_t i = 0; i < DF_ARRAY_LEN(dirs); i++) {
		char *p = pathf("%s/%s", s.root, dirs[i]);
		struct stat st;
		ck_assert_msg(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "%s missing", p);
		free(p);
	}
	ck_assert_int_ge(s.lock_fd, 0);
	df_store_close(&s);
	ck_assert_int_eq(s.lock_fd, -1);

	/* DFOPT_STORE is the default. */
	char *env = pathf("%s/env-store", tmp);
	setenv("DFOPT_STORE", env, 1);
	ck_assert_msg(df_store_open(&s, NULL, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(s.root, env);
	df_store_close(&s);
	unsetenv("DFOPT_STORE");
	free(env);

	/* A file where the store should be: an error naming it. */
	char *f = pathf("%s/file", tmp);
	mkfile(f, "x");
	char *bad = pathf("%s/file/store", tmp);
	ck_assert_int_eq(df_store_open(&s, bad, &err), -1);
	ck_assert_msg(strstr(df_buf_str(&err), bad), "%s", df_buf_str(&err));
	free(f);
	free(bad);
	ck_assert_int_eq(chdir("/"), 0);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_blobs)
{
	df_store s;
	open_store(&s, "store");
	df_buf err = DF_BUF_INIT, out = DF_BUF_INIT, p = DF_BUF_INIT;
	df_digest d, want;
	df_sha256_buf("hello", 5, &want);
	ck_assert_int_eq(df_store_put_blob(&s, "hello", 5, &d, &err), 0);
	ck_assert_str_eq(d.s, want.s);
	ck_assert(df_store_has_blob(&s, &d));
	ck_assert_int_eq(df_store_put_blob(&s, "hello", 5, &d, &err), 0);	/* again: kept */
	ck_assert_int_eq(df_store_read_blob(&s, &d, &out, &err), 0);
	ck_assert_str_eq(out.buf, "hello");
	df_store_blob_path(&s, &d, &p);
	char *want_path = pathf("%s/blobs/sha256/%s", s.root, df_digest_hex(&d));
	ck_assert_str_eq(p.buf, want_path);
	free(want_path);

	/* Damage is detected. */
	mkfile(p.buf, "hellO");
	ck_assert_int_eq(df_store_read_blob(&s, &d, &out, &err), -1);
	ck_assert_msg(strstr(err.buf, "corrupt"), "%s", err.buf);
	df_buf_reset(&err);

	/* An unknown blob. */
	df_sha256_buf("nothing", 7, &d);
	ck_assert(!df_store_has_blob(&s, &d));
	ck_assert_int_eq(df_store_read_blob(&s, &d, &out, &err), -1);
	ck_assert_msg(strstr(err.buf, d.s), "%s", err.buf);
	df_buf_reset(&err);

	/* A streamed blob: checked against what it should be, nothing left
	 * in tmp/ either way. */
	df_blob_writer w;
	ck_assert_int_eq(df_blob_writer_open(&s, &w, &err), 0);
	ck_assert_int_eq(df_blob_writer_write(&w, "ab", 2, &err), 0);
	ck_assert_int_eq(df_blob_writer_write(&w, "c", 1, &err), 0);
	ck_assert_int_eq(df_blob_writer_commit(&w, &want, &d, NULL, &err), -1);	/* "abc" is not "hello" */
	df_blob_writer_abort(&w);
	df_buf_reset(&err);
	ck_assert_int_eq(df_blob_writer_open(&s, &w, &err), 0);
	ck_assert_int_eq(df_blob_writer_write(&w, "abc", 3, &err), 0);
	uint64_t size = 0;
	ck_assert_int_eq(df_blob_writer_commit(&w, NULL, &d, &size, &err), 0);
	df_blob_writer_abort(&w);
	df_sha256_buf("abc", 3, &want);
	ck_assert_str_eq(d.s, want.s);
	ck_assert_uint_eq(size, 3);
	ck_assert(df_store_has_blob(&s, &d));
	char *t = pathf("%s/tmp", s.root);
	char *cmd = pathf("test -z \"$(ls -A '%s')\"", t);
	ck_assert_msg(system(cmd) == 0, "tmp/ is not empty");
	free(cmd);
	free(t);

	df_buf_release(&err);
	df_buf_release(&out);
	df_buf_release(&p);
	df_store_close(&s);
}
END_TEST

START_TEST(test_cache_records)
{
	df_store s;
	open_store(&s, "store");
	df_buf err = DF_BUF_INIT, p = DF_BUF_INIT;
	df_digest key, key2, blob;
	df_sha256_buf("key", 3, &key);
	df_sha256_buf("key2", 4, &key2);
	df_cache_rec rec, got;
	ck_assert_int_eq(df_store_cache_get(&s, &key, &got, &err), 0);

	ck_assert_int_eq(df_store_put_blob(&s, "layer", 5, &blob, &err), 0);
	memset(&rec, 0, sizeof(rec));
	rec.has_layer = true;
	rec.blob = blob;
	df_sha256_buf("diff", 4, &rec.diff_id);
	rec.size = 5;
	rec.seconds = 1.5;
	ck_assert_int_eq(df_store_cache_put(&s, &key, &rec, &err), 0);
	ck_assert_int_eq(df_store_cache_get(&s, &key, &got, &err), 1);
	ck_assert(got.has_layer);
	ck_assert_str_eq(got.blob.s, blob.s);
	ck_assert_str_eq(got.diff_id.s, rec.diff_id.s);
	ck_assert_uint_eq(got.size, 5);
	ck_assert(got.seconds == 1.5);

	/* A step without a layer. */
	memset(&rec, 0, sizeof(rec));
	rec.seconds = 0.25;
	ck_assert_int_eq(df_store_cache_put(&s, &key2, &rec, &err), 0);
	ck_assert_int_eq(df_store_cache_get(&s, &key2, &got, &err), 1);
	ck_assert(!got.has_layer);

	df_cache_entry *v;
	size_t n;
	ck_assert_int_eq(df_store_cache_list(&s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	free(v);

	/* Its blob gone: a miss. */
	df_store_blob_path(&s, &blob, &p);
	ck_assert_int_eq(unlink(p.buf), 0);
	ck_assert_int_eq(df_store_cache_get(&s, &key, &got, &err), 0);

	/* A damaged record: an error naming it. */
	df_buf_reset(&p);
	df_buf_addf(&p, "%s/cache/%s.json", s.root, df_digest_hex(&key));
	mkfile(p.buf, "{\"has_layer\":tru");
	ck_assert_int_eq(df_store_cache_get(&s, &key, &got, &err), -1);
	ck_assert_msg(strstr(err.buf, p.buf), "%s", err.buf);

	df_buf_release(&err);
	df_buf_release(&p);
	df_store_close(&s);
}
END_TEST

START_TEST(test_names)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "busybox", "busybox:latest" },
		{ "busybox:1.36", "busybox:1.36" },
		{ "library/busybox", "busybox:latest" },
		{ "docker.io/library/busybox:latest", "busybox:latest" },
		{ "docker.io/foo/bar", "foo/bar:latest" },
		{ "index.docker.io/library/debian:12", "debian:12" },
		{ "localhost:5000/app", "localhost:5000/app:latest" },
		{ "localhost:5000/app:v2", "localhost:5000/app:v2" },
		{ "quay.io/x/y@sha256:abc", "quay.io/x/y@sha256:abc" },
		{ "ghcr.io/library/z", "ghcr.io/library/z:latest" },
	};
	df_buf b = DF_BUF_INIT, err = DF_BUF_INIT;
	for (size_t i = 0; i < DF_ARRAY_LEN(cases); i++) {
		df_buf_reset(&b);
		df_store_normalize_name(cases[i].in, &b);
		ck_assert_msg(!strcmp(b.buf, cases[i].out), "%s -> %s, want %s", cases[i].in, b.buf, cases[i].out);
	}

	df_store s;
	open_store(&s, "store");
	df_digest m, got;
	df_sha256_buf("manifest", 8, &m);
	ck_assert_int_eq(df_store_resolve(&s, "busybox", &got, &err), 0);
	ck_assert_int_eq(df_store_tag(&s, "busybox", &m, &err), 0);
	static const char *const same[] = { "busybox", "busybox:latest", "docker.io/library/busybox",
					    "library/busybox:latest" };
	for (size_t i = 0; i < DF_ARRAY_LEN(same); i++) {
		memset(&got, 0, sizeof(got));
		ck_assert_msg(df_store_resolve(&s, same[i], &got, &err) == 1, "%s not found", same[i]);
		ck_assert_str_eq(got.s, m.s);
	}
	ck_assert_int_eq(df_store_resolve(&s, "busybox:1.36", &got, &err), 0);
	ck_assert_int_eq(df_store_tag(&s, "", &m, &err), -1);

	df_store_name *v;
	size_t n;
	ck_assert_int_eq(df_store_tag(&s, "alpine:3", &m, &err), 0);
	ck_assert_int_eq(df_store_list_names(&s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].name, "alpine:3");
	ck_assert_str_eq(v[1].name, "busybox:latest");
	ck_assert_str_eq(v[1].manifest.s, m.s);
	df_store_names_free(v, n);

	/* Build records and cache mount dirs. */
	df_buf_reset(&b);
	ck_assert_int_eq(df_store_get_record(&s, "/x/Dockerfile\ntarget", &b, &err), 0);
	ck_assert_int_eq(df_store_put_record(&s, "/x/Dockerfile\ntarget", "{\"steps\":[]}", &err), 0);
	ck_assert_int_eq(df_store_get_record(&s, "/x/Dockerfile\ntarget", &b, &err), 1);
	ck_assert_str_eq(b.buf, "{\"steps\":[]}");
	df_buf_reset(&b);
	ck_assert_int_eq(df_store_cache_mount_dir(&s, "npm", &b, &err), 0);
	struct stat st;
	ck_assert(stat(b.buf, &st) == 0 && S_ISDIR(st.st_mode));
	df_buf b2 = DF_BUF_INIT;
	ck_assert_int_eq(df_store_cache_mount_dir(&s, "npm", &b2, &err), 0);
	ck_assert_str_eq(b.buf, b2.buf);
	df_buf_release(&b2);

	df_buf_release(&b);
	df_buf_release(&err);
	df_store_close(&s);
}
END_TEST

START_TEST(test_remove_tree)
{
	ck_assert_msg(geteuid() == 0, "this test needs root (a tmpfs mount point)");
	df_buf err = DF_BUF_INIT;
	char *outside = pathf("%s/outside", tmp);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	char *keep = pathf("%s/keep", outside);
	mkfile(keep, "keep");

	char *t = make_tree("tree");
	char *p = pathf("%s/link-out", t);
	ck_assert_int_eq(symlink(outside, p), 0);
	free(p);
	p = pathf("%s/ro", t);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	char *q = pathf("%s/ro/f", t);
	mkfile(q, "x");
	free(q);
	ck_assert_int_eq(chmod(p, 0500), 0);
	free(p);
	ck_assert_msg(df_store_remove_tree(t, &err) == 0, "%s", df_buf_str(&err));
	ck_assert(!exists(t));
	ck_assert(exists(keep));
	ck_assert_int_eq(df_store_remove_tree(t, &err), 0);	/* gone already: fine */

	/* A symlink given as the tree: the link goes, not its target. */
	p = pathf("%s/lnk", tmp);
	ck_assert_int_eq(symlink(outside, p), 0);
	ck_assert_int_eq(df_store_remove_tree(p, &err), 0);
	ck_assert(!exists(p) && exists(keep));
	free(p);

	/* A mount point inside: refused, and what is mounted is kept. The
	 * mount stays in this test's own mount namespace. */
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	/* The type is ignored for a propagation change; "none" rather than
	 * NULL, as valgrind checks it as a string. */
	ck_assert_int_eq(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
	free(t);
	t = make_tree("tree");
	p = pathf("%s/mnt", t);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	ck_assert_msg(mount("tmpfs", p, "tmpfs", 0, "size=1m") == 0, "mount tmpfs: %s", strerror(errno));
	q = pathf("%s/mnt/inside", t);
	mkfile(q, "x");
	ck_assert_int_eq(df_store_remove_tree(t, &err), -1);
	ck_assert_msg(strstr(err.buf, "mount point"), "%s", err.buf);
	ck_assert(exists(q));
	ck_assert_int_eq(umount(p), 0);
	ck_assert_int_eq(df_store_remove_tree(t, &err), 0);
	free(p);
	free(q);
	free(t);
	free(keep);
	free(outside);
	df_buf_release(&err);
}
END_TEST

/* --- images -------------------------------------------------------------------- */

/* An image on the tree: a layer, history, labels and ports inserted in the
 * order given. */
static void make_image(const df_store *s, const char *dir, bool reverse, df_image *img)
{
	df_image_init_scratch(img);
	df_image_layer l = put_layer(s, dir);
	df_image_add_layer(img, &l);
	df_image_add_history(img, "COPY . /", false, 0);
	df_image_add_history(img, "LABEL a=1 b=2", true, 86400);
	cJSON *cfg = cJSON_GetObjectItemCaseSensitive(img->config, "config");
	cJSON *labels = cJSON_AddObjectToObject(cfg, "Labels");
	cJSON *ports = cJSON_AddObjectToObject(cfg, "ExposedPorts");
	const char *keys[] = { "b", "a", "org.z" };
	for (int i = 0; i < 3; i++) {
		const char *k = keys[reverse ? 2 - i : i];
		cJSON_AddStringToObject(labels, k, k);
	}
	cJSON_AddObjectToObject(ports, reverse ? "80/tcp" : "443/tcp");
	cJSON_AddObjectToObject(ports, reverse ? "443/tcp" : "80/tcp");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cfg, "Cmd"), cJSON_CreateString("sh"));
}

START_TEST(test_commit)
{
	df_store s;
	open_store(&s, "store");
	char *t = make_tree("tree");
	df_buf err = DF_BUF_INIT, text = DF_BUF_INIT;
	df_image a, b;
	make_image(&s, t, false, &a);
	make_image(&s, t, true, &b);
	ck_assert_msg(df_image_commit(&s, &a, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_msg(df_image_commit(&s, &b, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(a.config_digest.s, b.config_digest.s);
	ck_assert_str_eq(a.manifest.s, b.manifest.s);
	df_digest first = a.manifest;
	ck_assert_int_eq(df_image_commit(&s, &a, &err), 0);	/* again: the same */
	ck_assert_str_eq(a.manifest.s, first.s);

	/* The config: no whitespace, keys sorted, the OCI fields. */
	ck_assert_int_eq(df_store_read_blob(&s, &a.config_digest, &text, &err), 0);
	ck_assert_msg(!strchr(text.buf, '\n') && !strstr(text.buf, "\": "), "%s", text.buf);
	cJSON *c = cJSON_ParseWithLength(text.buf, text.len);
	assert_sorted(c);
	ck_assert_str_eq(jstr(c, "os"), "linux");
	ck_assert_str_eq(jstr(c, "architecture"), df_image_host_arch());
	ck_assert_str_eq(jstr(c, "created"), "1970-01-02T00:00:00Z");	/* the last step's */
	cJSON *rootfs = cJSON_GetObjectItemCaseSensitive(c, "rootfs");
	ck_assert_str_eq(jstr(rootfs, "type"), "layers");
	cJSON *ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");
	ck_assert_int_eq(cJSON_GetArraySize(ids), 1);
	ck_assert_str_eq(cJSON_GetArrayItem(ids, 0)->valuestring, a.layers[0].diff_id.s);
	cJSON *hist = cJSON_GetObjectItemCaseSensitive(c, "history");
	ck_assert_int_eq(cJSON_GetArraySize(hist), 2);
	ck_assert(!cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(hist, 0), "empty_layer"));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(hist, 1), "empty_layer")));
	ck_assert_str_eq(jstr(cJSON_GetArrayItem(hist, 1), "created_by"), "LABEL a=1 b=2");
	cJSON_Delete(c);

	/* The manifest. */
	ck_assert_int_eq(df_store_read_blob(&s, &a.manifest, &text, &err), 0);
	cJSON *m = cJSON_ParseWithLength(text.buf, text.len);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(m, "schemaVersion")->valueint, 2);
	ck_assert_str_eq(jstr(m, "mediaType"), DF_MEDIA_MANIFEST);
	cJSON *cd = cJSON_GetObjectItemCaseSensitive(m, "config");
	ck_assert_str_eq(jstr(cd, "mediaType"), DF_MEDIA_CONFIG);
	ck_assert_str_eq(jstr(cd, "digest"), a.config_digest.s);
	cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "layers"), 0);
	ck_assert_str_eq(jstr(l0, "mediaType"), DF_MEDIA_LAYER_GZIP);
	ck_assert_str_eq(jstr(l0, "digest"), a.layers[0].blob.s);
	cJSON_Delete(m);

	/* Load gives the image back; a copy is independent. */
	df_image c2;
	ck_assert_msg(df_image_load(&s, &a.manifest, &c2, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_uint_eq(c2.nlayers, 1);
	ck_assert_str_eq(c2.layers[0].diff_id.s, a.layers[0].diff_id.s);
	ck_assert_str_eq(c2.config_digest.s, a.config_digest.s);
	df_image d;
	df_image_copy(&d, &c2);
	df_image_add_history(&d, "ENV X=1", true, 0);
	ck_assert_int_eq(df_image_commit(&s, &d, &err), 0);
	ck_assert_str_ne(d.manifest.s, a.manifest.s);
	df_image_release(&c2);
	df_image_release(&d);

	/* A layer blob gone: load says which. */
	df_buf p = DF_BUF_INIT;
	df_store_blob_path(&s, &a.layers[0].blob, &p);
	ck_assert_int_eq(unlink(p.buf), 0);
	ck_assert_int_eq(df_image_load(&s, &a.manifest, &c2, &err), -1);
	ck_assert_msg(strstr(err.buf, a.layers[0].blob.s), "%s", err.buf);
	ck_assert_ptr_null(c2.config);
	df_buf_release(&p);

	df_image_release(&a);
	df_image_release(&b);
	free(t);
	df_buf_release(&err);
	df_buf_release(&text);
	df_store_close(&s);
}
END_TEST

/* Check an OCI layout: its files parse, its blobs hash to their names;
 * the manifest digest under ref. */
static void check_layout(const char *dir, const char *ref, df_digest *manifest)
{
	char *p = pathf("%s/oci-layout", dir);
	cJSON *j = read_json(p);
	ck_assert_str_eq(jstr(j, "imageLayoutVersion"), "1.0.0");
	cJSON_Delete(j);
	free(p);
	p = pathf("%s/index.json", dir);
	cJSON *index = read_json(p);
	free(p);
	ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(index, "schemaVersion")->valueint, 2);
	const cJSON *e, *found = NULL;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(index, "manifests"))
	{
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(e, "annotations");
		if (!strcmp(jstr(ann, "org.opencontainers.image.ref.name"), ref))
			found = e;
	}
	ck_assert_msg(found != NULL, "no ref %s", ref);
	ck_assert(df_digest_parse(manifest, jstr(found, "digest")));
	ck_assert_str_eq(jstr(found, "mediaType"), DF_MEDIA_MANIFEST);
	cJSON_Delete(index);

	/* Every blob named by the manifest is there with its digest. */
	p = pathf("%s/blobs/sha256/%s", dir, df_digest_hex(manifest));
	cJSON *m = read_json(p);
	free(p);
	df_digest names[16];
	size_t n = 0;
	names[n++] = *manifest;
	ck_assert(df_digest_parse(&names[n++], jstr(cJSON_GetObjectItemCaseSensitive(m, "config"), "digest")));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(m, "layers"))
	{
		ck_assert(df_digest_parse(&names[n++], jstr(e, "digest")));
	}
	cJSON_Delete(m);
	for (size_t i = 0; i < n; i++) {
		df_buf err = DF_BUF_INIT;
		df_digest got;
		p = pathf("%s/blobs/sha256/%s", dir, df_digest_hex(&names[i]));
		ck_assert_msg(df_sha256_file(p, &got, NULL, &err) == 0, "%s", df_buf_str(&err));
		ck_assert_str_eq(got.s, names[i].s);
		free(p);
		df_buf_release(&err);
	}
}

START_TEST(test_export_import_layout)
{
	df_store s, s2;
	open_store(&s, "store");
	open_store(&s2, "store2");
	char *t = make_tree("tree");
	df_buf err = DF_BUF_INIT;
	df_image img;
	make_image(&s, t, false, &img);
	ck_assert_int_eq(df_image_commit(&s, &img, &err), 0);
	char *out = pathf("%s/out/layout", tmp);
	ck_assert_msg(df_image_export(&s, &img, out, "v1", &err) == 0, "%s", df_buf_str(&err));
	ck_assert_msg(df_image_export(&s, &img, out, "v1", &err) == 0, "%s", df_buf_str(&err));
	df_digest m;
	check_layout(out, "v1", &m);
	ck_assert_str_eq(m.s, img.manifest.s);
	char *p = pathf("%s/index.json", out);
	cJSON *index = read_json(p);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(index, "manifests")), 1);
	cJSON_Delete(index);

	/* skopeo reads it, where installed. */
	if (system("command -v skopeo >/dev/null 2>&1") == 0) {
		char *cmd = pathf("skopeo inspect --raw oci:%s:v1 >/dev/null && skopeo inspect oci:%s:v1 >/dev/null", out, out);
		ck_assert_msg(system(cmd) == 0, "skopeo cannot read the layout");
		free(cmd);
	}

	/* Imported elsewhere: the same digests, named. */
	df_digest got;
	char *src = pathf("%s:v1", out);
	ck_assert_msg(df_image_import(&s2, src, "mine:1", &got, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(got.s, img.manifest.s);
	ck_assert_int_eq(df_store_resolve(&s2, "mine:1", &got, &err), 1);
	ck_assert_str_eq(got.s, img.manifest.s);
	/* The layout alone works while it holds one image. */
	ck_assert_msg(df_image_import(&s2, out, "mine:2", &got, &err) == 0, "%s", df_buf_str(&err));

	/* A layout in the store's tmp/ (where a pull puts it) is linked
	 * into blobs/, not copied. */
	df_store s5;
	open_store(&s5, "store5");
	df_buf pulled = DF_BUF_INIT;
	ck_assert_int_eq(df_store_mkscratch(&s5, "pull", &pulled, &err), 0);
	ck_assert_int_eq(df_image_export(&s, &img, pulled.buf, "p", &err), 0);
	char *layer_copy = pathf("%s/blobs/sha256/%s", pulled.buf, df_digest_hex(&img.layers[0].blob));
	ck_assert_int_eq(unlink(layer_copy), 0);	/* not linked to s's copy */
	char *cmd = pathf("cp '%s/blobs/sha256/%s' '%s'", s.root, df_digest_hex(&img.layers[0].blob), layer_copy);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_msg(df_image_import(&s5, pulled.buf, "pulled", &got, &err) == 0, "%s", df_buf_str(&err));
	struct stat st;
	ck_assert_int_eq(stat(layer_copy, &st), 0);
	ck_assert_uint_eq(st.st_nlink, 2);
	ck_assert_int_eq(df_store_remove_tree(pulled.buf, &err), 0);
	df_image back;
	ck_assert_msg(df_image_load(&s5, &got, &back, &err) == 0, "%s", df_buf_str(&err));
	df_image_release(&back);
	free(layer_copy);
	df_buf_release(&pulled);
	df_store_close(&s5);

	/* A second image in the layout: the ref must be named. */
	df_image img2;
	df_image_copy(&img2, &img);
	df_image_add_history(&img2, "ENV A=b", true, 0);
	ck_assert_int_eq(df_image_commit(&s, &img2, &err), 0);
	ck_assert_int_eq(df_image_export(&s, &img2, out, "v2", &err), 0);
	index = read_json(p);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(index, "manifests")), 2);
	cJSON_Delete(index);
	ck_assert_int_eq(df_image_import(&s2, out, "mine:3", &got, &err), -1);
	ck_assert_msg(strstr(err.buf, "DIR:REF") && strstr(err.buf, out), "%s", err.buf);
	df_buf_reset(&err);
	free(src);
	/* A ref with a colon of its own. */
	ck_assert_int_eq(df_image_export(&s, &img2, out, "app:1.0", &err), 0);
	src = pathf("%s:app:1.0", out);
	ck_assert_msg(df_image_import(&s2, src, NULL, &got, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(got.s, img2.manifest.s);
	free(src);
	src = pathf("%s:nope", out);
	ck_assert_int_eq(df_image_import(&s2, src, "mine:3", &got, &err), -1);
	ck_assert_msg(strstr(err.buf, "'nope'"), "%s", err.buf);
	df_buf_reset(&err);

	/* A damaged layer blob in the layout is refused. */
	df_store s3;
	open_store(&s3, "store3");
	char *lb = pathf("%s/blobs/sha256/%s", out, df_digest_hex(&img.layers[0].blob));
	ck_assert_int_eq(unlink(lb), 0);	/* a hard link to the store's: replace, not overwrite */
	mkfile(lb, "not a layer");
	free(src);
	src = pathf("%s:v1", out);
	ck_assert_int_eq(df_image_import(&s3, src, "bad", &got, &err), -1);
	ck_assert_msg(strstr(err.buf, "digest"), "%s", err.buf);
	ck_assert_int_eq(df_store_resolve(&s3, "bad", &got, &err), 0);
	df_store_close(&s3);

	/* A nested index for several platforms resolves to the host's. */
	df_store s4;
	open_store(&s4, "store4");
	char *nested = pathf("%s/nested", tmp);
	ck_assert_int_eq(df_image_export(&s, &img, nested, NULL, &err), 0);
	df_buf man = DF_BUF_INIT;
	ck_assert_int_eq(df_store_read_blob(&s, &img.manifest, &man, &err), 0);
	df_buf idx = DF_BUF_INIT;
	df_buf_addf(&idx,
		    "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":["
		    "{\"mediaType\":\"%s\",\"digest\":\"sha256:%064d\",\"size\":1,"
		    "\"platform\":{\"architecture\":\"otherarch\",\"os\":\"linux\"}},"
		    "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
		    "\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"}}]}",
		    DF_MEDIA_INDEX, DF_MEDIA_MANIFEST, 0, DF_MEDIA_MANIFEST, img.manifest.s, man.len,
		    df_image_host_arch());
	df_digest idig;
	df_sha256_buf(idx.buf, idx.len, &idig);
	char *ip = pathf("%s/blobs/sha256/%s", nested, df_digest_hex(&idig));
	mkfile(ip, idx.buf);
	free(ip);
	ip = pathf("%s/index.json", nested);
	df_buf top = DF_BUF_INIT;
	df_buf_addf(&top,
		    "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
		    "\"annotations\":{\"org.opencontainers.image.ref.name\":\"multi\"}}]}",
		    DF_MEDIA_INDEX, idig.s, idx.len);
	mkfile(ip, top.buf);
	ck_assert_msg(df_image_import(&s4, nested, "multi", &got, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(got.s, img.manifest.s);
	free(ip);
	free(nested);
	df_buf_release(&top);
	df_buf_release(&idx);
	df_buf_release(&man);
	df_store_close(&s4);

	free(lb);
	free(src);
	free(p);
	free(out);
	free(t);
	df_image_release(&img);
	df_image_release(&img2);
	df_buf_release(&err);
	df_store_close(&s);
	df_store_close(&s2);
}
END_TEST

/* The unpacked layer of an image's only layer holds the tree's files. */
static void check_unpacked(const df_store *s, const df_digest *manifest, const char *file, const char *text)
{
	df_buf err = DF_BUF_INIT, dir = DF_BUF_INIT, got = DF_BUF_INIT;
	df_image img;
	ck_assert_msg(df_image_load(s, manifest, &img, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_uint_eq(img.nlayers, 1);
	ck_assert_msg(df_store_layer_dir(s, &img.layers[0].diff_id, &img.layers[0].blob, &dir, &err) == 0, "%s",
		      df_buf_str(&err));
	char *p = pathf("%s/%s", dir.buf, file);
	ck_assert_int_eq(tu_read(p, &got), 0);
	ck_assert_str_eq(got.buf, text);
	free(p);
	df_image_release(&img);
	df_buf_release(&err);
	df_buf_release(&dir);
	df_buf_release(&got);
}

START_TEST(test_import_rootfs_dir)
{
	ck_assert_msg(geteuid() == 0, "this test needs root (layers are unpacked with their owners)");
	df_store s;
	open_store(&s, "store");
	char *t = make_tree("rootfs");
	df_buf err = DF_BUF_INIT;
	df_digest m, m2;
	ck_assert_msg(df_image_import(&s, t, "base", &m, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_int_eq(df_store_resolve(&s, "base:latest", &m2, &err), 1);
	ck_assert_str_eq(m.s, m2.s);
	/* Reproducible: the same tree, the same image. */
	ck_assert_int_eq(df_image_import(&s, t, "base2", &m2, &err), 0);
	ck_assert_str_eq(m.s, m2.s);
	check_unpacked(&s, &m, "etc/os-release", "ID=test\n");

	/* The config is the scratch one: PATH set, for RUN. */
	df_image img;
	ck_assert_int_eq(df_image_load(&s, &m, &img, &err), 0);
	cJSON *env = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(img.config, "config"), "Env");
	ck_assert(!strncmp(cJSON_GetArrayItem(env, 0)->valuestring, "PATH=", 5));

	/* Unpacking again, and from several processes at once, gives the
	 * one directory. */
	df_buf dir = DF_BUF_INIT;
	char *lp = pathf("%s/layers/%s", s.root, df_digest_hex(&img.layers[0].diff_id));
	ck_assert_int_eq(df_store_remove_tree(lp, &err), 0);
	pid_t kids[4];
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			df_buf d = DF_BUF_INIT, e = DF_BUF_INIT;
			int rc = df_store_layer_dir(&s, &img.layers[0].diff_id, &img.layers[0].blob, &d, &e);
			if (rc < 0)
				fprintf(stderr, "%s\n", df_buf_str(&e));
			else if (strcmp(d.buf, lp))
				fprintf(stderr, "unpacked at '%s', not '%s'\n", d.buf, lp);
			_exit(rc == 0 && !strcmp(d.buf, lp) ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int st;
		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unpacking in parallel failed");
	}
	ck_assert_int_eq(df_store_layer_dir(&s, &img.layers[0].diff_id, &img.layers[0].blob, &dir, &err), 0);
	ck_assert_str_eq(dir.buf, lp);
	char *tmpd = pathf("test -z \"$(ls -A '%s/tmp')\"", s.root);
	ck_assert_msg(system(tmpd) == 0, "a losing unpack left its copy in tmp/");
	free(tmpd);

	/* /bin/busybox as a root file system, when installed. */
	if (access("/bin/busybox", X_OK) == 0) {
		char *bb = pathf("%s/bb", tmp);
		char *cmd = pathf("mkdir -p %s/bin && cp /bin/busybox %s/bin/", bb, bb);
		ck_assert_int_eq(system(cmd), 0);
		ck_assert_msg(df_image_import(&s, bb, "busybox", &m, &err) == 0, "%s", df_buf_str(&err));
		free(cmd);
		free(bb);
	}
	free(lp);
	df_buf_release(&dir);
	df_image_release(&img);
	free(t);
	df_buf_release(&err);
	df_store_close(&s);
}
END_TEST

/* Write a tar (gzip or not) of name/text pairs, and optionally symlinks
 * ("name", NULL, "target"). */
typedef struct tar_ent {
	const char *name;
	const void *data;
	size_t len;
	const char *link;
} tar_ent;

static void write_tar(const char *path, bool gzip, const tar_ent *e, size_t n)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].name);
		if (e[i].link) {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].link);
			archive_entry_set_perm(ae, 0777);
		} else if (!e[i].data) {
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
		} else {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_set_size(ae, (la_int64_t)e[i].len);
		}
		ck_assert_int_eq(archive_write_header(a, ae), ARCHIVE_OK);
		if (e[i].data && e[i].len)
			ck_assert_int_eq(archive_write_data(a, e[i].data, e[i].len), (la_ssize_t)e[i].len);
		archive_entry_free(ae);
	}
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

#define TXT(s) s, sizeof(s) - 1

START_TEST(test_import_tarball)
{
	ck_assert_msg(geteuid() == 0, "this test needs root (layers are unpacked with their owners)");
	df_store s;
	open_store(&s, "store");
	df_buf err = DF_BUF_INIT, plain = DF_BUF_INIT;
	static const tar_ent ents[] = {
		{ "./", NULL, 0, NULL },
		{ "./etc/", NULL, 0, NULL },
		{ "./etc/hostname", TXT("tarball\n"), NULL },
		{ "./etc/alias", NULL, 0, "hostname" },
	};
	char *tp = pathf("%s/rootfs.tar", tmp), *gp = pathf("%s/rootfs.tar.gz", tmp);
	write_tar(tp, false, ents, DF_ARRAY_LEN(ents));
	write_tar(gp, true, ents, DF_ARRAY_LEN(ents));
	df_digest m, tar_digest;
	ck_assert_int_eq(df_sha256_file(tp, &tar_digest, NULL, &err), 0);

	ck_assert_msg(df_image_import(&s, tp, "plain", &m, &err) == 0, "%s", df_buf_str(&err));
	df_image img;
	ck_assert_int_eq(df_image_load(&s, &m, &img, &err), 0);
	ck_assert_str_eq(img.layers[0].media_type, DF_MEDIA_LAYER_TAR);
	ck_assert_str_eq(img.layers[0].blob.s, tar_digest.s);
	ck_assert_str_eq(img.layers[0].diff_id.s, tar_digest.s);
	df_image_release(&img);
	check_unpacked(&s, &m, "etc/hostname", "tarball\n");

	ck_assert_msg(df_image_import(&s, gp, "gz", &m, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_int_eq(df_image_load(&s, &m, &img, &err), 0);
	ck_assert_str_eq(img.layers[0].media_type, DF_MEDIA_LAYER_GZIP);
	ck_assert_str_eq(img.layers[0].diff_id.s, tar_digest.s);	/* of the uncompressed tar */
	df_digest gz_digest;
	ck_assert_int_eq(df_sha256_file(gp, &gz_digest, NULL, &err), 0);
	ck_assert_str_eq(img.layers[0].blob.s, gz_digest.s);	/* stored as it is */
	df_image_release(&img);
	check_unpacked(&s, &m, "etc/hostname", "tarball\n");

	/* Not an archive at all. */
	char *junk = pathf("%s/junk", tmp);
	mkfile(junk, "this is not a tar archive, not even close to one, at all.");
	ck_assert_int_eq(df_image_import(&s, junk, "junk", &m, &err), -1);
	ck_assert_msg(strstr(err.buf, junk), "%s", err.buf);
	df_buf_reset(&err);
	char *missing = pathf("%s/missing", tmp);
	ck_assert_int_eq(df_image_import(&s, missing, "junk", &m, &err), -1);
	ck_assert_msg(strstr(err.buf, missing) && strstr(err.buf, "No such file"), "%s", err.buf);
	free(missing);
	free(junk);
	free(tp);
	free(gp);
	df_buf_release(&plain);
	df_buf_release(&err);
	df_store_close(&s);
}
END_TEST

/* A layer tar in memory. */
static void layer_bytes(const char *file, const char *text, df_buf *out)
{
	char *p = pathf("%s/layer-%s.tar", tmp, file);
	tar_ent e[] = { { file, text, strlen(text), NULL } };
	write_tar(p, false, e, 1);
	ck_assert_int_eq(tu_read(p, out), 0);
	unlink(p);
	free(p);
}

START_TEST(test_import_docker_save)
{
	ck_assert_msg(geteuid() == 0, "this test needs root (layers are unpacked with their owners)");
	df_store s;
	open_store(&s, "store");
	df_buf err = DF_BUF_INIT, l1 = DF_BUF_INIT, l2 = DF_BUF_INIT, cfg = DF_BUF_INIT, man = DF_BUF_INIT;
	layer_bytes("a.txt", "layer one\n", &l1);
	layer_bytes("b.txt", "layer two\n", &l2);
	df_digest d1, d2;
	df_sha256_buf(l1.buf, l1.len, &d1);
	df_sha256_buf(l2.buf, l2.len, &d2);
	/* Three layers, the third the first again through a symlink, as
	 * docker save writes repeated layers. */
	df_buf_addf(&cfg,
		    "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
		    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\",\"%s\"]}}",
		    df_image_host_arch(), d1.s, d2.s, d1.s);
	df_digest cd;
	df_sha256_buf(cfg.buf, cfg.len, &cd);
	df_buf cfg_name = DF_BUF_INIT;
	df_buf_addf(&cfg_name, "%s.json", df_digest_hex(&cd));
	df_buf_addf(&man,
		    "[{\"Config\":\"%s\",\"RepoTags\":[\"saved:1\"],"
		    "\"Layers\":[\"one/layer.tar\",\"two/layer.tar\",\"three/layer.tar\"]}]",
		    cfg_name.buf);
	tar_ent ents[] = {
		{ "one/", NULL, 0, NULL },
		{ "one/layer.tar", l1.buf, l1.len, NULL },
		{ "two/", NULL, 0, NULL },
		{ "two/layer.tar", l2.buf, l2.len, NULL },
		{ "three/", NULL, 0, NULL },
		{ "three/layer.tar", NULL, 0, "../one/layer.tar" },
		{ cfg_name.buf, cfg.buf, cfg.len, NULL },
		{ "manifest.json", man.buf, man.len, NULL },
	};
	char *sp = pathf("%s/saved.tar", tmp);
	write_tar(sp, false, ents, DF_ARRAY_LEN(ents));

	df_digest m;
	ck_assert_msg(df_image_import(&s, sp, "saved:1", &m, &err) == 0, "%s", df_buf_str(&err));
	df_image img;
	ck_assert_int_eq(df_image_load(&s, &m, &img, &err), 0);
	ck_assert_str_eq(img.config_digest.s, cd.s);	/* the image ID is kept */
	ck_assert_uint_eq(img.nlayers, 3);
	ck_assert_str_eq(img.layers[0].blob.s, d1.s);
	ck_assert_str_eq(img.layers[1].blob.s, d2.s);
	ck_assert_str_eq(img.layers[2].blob.s, d1.s);
	ck_assert_str_eq(img.layers[1].media_type, DF_MEDIA_LAYER_TAR);
	ck_assert_uint_eq(img.layers[1].size, l2.len);
	df_buf dir = DF_BUF_INIT;
	ck_assert_int_eq(df_store_layer_dir(&s, &img.layers[1].diff_id, &img.layers[1].blob, &dir, &err), 0);
	df_image_release(&img);

	/* Two images in one archive: the one tagged with the name. */
	df_buf cfg2 = DF_BUF_INIT, cfg2_name = DF_BUF_INIT, man2 = DF_BUF_INIT;
	df_buf_addf(&cfg2, "{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", d2.s);
	df_digest cd2;
	df_sha256_buf(cfg2.buf, cfg2.len, &cd2);
	df_buf_addf(&cfg2_name, "blobs/sha256/%s", df_digest_hex(&cd2));
	df_buf_addf(&man2,
		    "[{\"Config\":\"%s\",\"RepoTags\":[\"saved:1\"],\"Layers\":[\"one/layer.tar\"]},"
		    "{\"Config\":\"%s\",\"RepoTags\":[\"docker.io/library/other:2\"],\"Layers\":[\"two/layer.tar\"]}]",
		    cfg_name.buf, cfg2_name.buf);
	tar_ent two[] = {
		{ "one/layer.tar", l1.buf, l1.len, NULL }, { "two/layer.tar", l2.buf, l2.len, NULL },
		{ cfg_name.buf, cfg.buf, cfg.len, NULL },  { cfg2_name.buf, cfg2.buf, cfg2.len, NULL },
		{ "manifest.json", man2.buf, man2.len, NULL },
	};
	char *sp2 = pathf("%s/saved2.tar", tmp);
	write_tar(sp2, false, two, DF_ARRAY_LEN(two));
	ck_assert_msg(df_image_import(&s, sp2, "other:2", &m, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_int_eq(df_image_load(&s, &m, &img, &err), 0);
	ck_assert_str_eq(img.config_digest.s, cd2.s);
	ck_assert_str_eq(img.layers[0].blob.s, d2.s);
	df_image_release(&img);
	ck_assert_int_eq(df_image_import(&s, sp2, "third", &m, &err), -1);
	ck_assert_msg(strstr(err.buf, "none tagged 'third:latest'"), "%s", err.buf);
	df_buf_reset(&err);
	free(sp2);
	df_buf_release(&cfg2);
	df_buf_release(&cfg2_name);
	df_buf_release(&man2);

	/* The layers disagree with the config: refused, nothing named. */
	df_buf_reset(&cfg);
	df_buf_addf(&cfg, "{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\",\"%s\"]}}",
		    d2.s, d2.s, d1.s);
	ents[6].data = cfg.buf;
	ents[6].len = cfg.len;
	write_tar(sp, false, ents, DF_ARRAY_LEN(ents));
	ck_assert_int_eq(df_image_import(&s, sp, "bad", &m, &err), -1);
	ck_assert_msg(strstr(err.buf, "one/layer.tar"), "%s", err.buf);
	ck_assert_int_eq(df_store_resolve(&s, "bad", &m, &err), 0);

	free(sp);
	df_buf_release(&dir);
	df_buf_release(&cfg_name);
	df_buf_release(&err);
	df_buf_release(&l1);
	df_buf_release(&l2);
	df_buf_release(&cfg);
	df_buf_release(&man);
	df_store_close(&s);
}
END_TEST

START_TEST(test_prune)
{
	ck_assert_msg(geteuid() == 0, "this test needs root (layers are unpacked with their owners)");
	df_store s;
	open_store(&s, "store");
	df_buf err = DF_BUF_INIT, p = DF_BUF_INIT;
	char *t = make_tree("tree");
	char *t2 = make_tree("tree2");
	char *extra = pathf("%s/extra", t2);
	mkfile(extra, "more\n");

	/* Tagged: kept. */
	df_image kept;
	make_image(&s, t, false, &kept);
	ck_assert_int_eq(df_image_commit(&s, &kept, &err), 0);
	ck_assert_int_eq(df_store_tag(&s, "kept", &kept.manifest, &err), 0);
	df_buf_reset(&p);
	ck_assert_int_eq(df_store_layer_dir(&s, &kept.layers[0].diff_id, &kept.layers[0].blob, &p, &err), 0);
	char *kept_layer = df_xstrdup(p.buf);

	/* Reached by a fresh cache record only. */
	df_image_layer cached = put_layer(&s, t2);
	df_digest key;
	df_sha256_buf("step", 4, &key);
	df_cache_rec rec = { true, cached.blob, cached.diff_id, cached.size, 0.5 };
	ck_assert_int_eq(df_store_cache_put(&s, &key, &rec, &err), 0);
	df_buf_reset(&p);
	ck_assert_int_eq(df_store_layer_dir(&s, &cached.diff_id, &cached.blob, &p, &err), 0);
	char *cached_layer = df_xstrdup(p.buf);

	/* Reached by nothing: an untagged image, a stray blob, a dead
	 * build's scratch dir. */
	df_image loose;
	df_image_copy(&loose, &kept);
	df_image_add_history(&loose, "ENV A=1", true, 0);
	ck_assert_int_eq(df_image_commit(&s, &loose, &err), 0);
	df_digest stray;
	ck_assert_int_eq(df_store_put_blob(&s, "stray", 5, &stray, &err), 0);
	df_buf scratch = DF_BUF_INIT;
	ck_assert_int_eq(df_store_mkscratch(&s, "step", &scratch, &err), 0);
	char *sf = pathf("%s/f", scratch.buf);
	mkfile(sf, "scratch");

	/* Not while another process has the store open. */
	df_store other;
	open_store(&other, "store");
	uint64_t freed = 0;
	ck_assert_int_eq(df_store_prune(&s, 3600, &freed, &err), -1);
	ck_assert_msg(strstr(err.buf, "another dfopt process"), "%s", err.buf);
	df_buf_reset(&err);
	df_store_close(&other);

	ck_assert_msg(df_store_prune(&s, 3600, &freed, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_uint_gt(freed, 0);
	ck_assert(!df_store_has_blob(&s, &loose.manifest));
	ck_assert(!df_store_has_blob(&s, &loose.config_digest));
	ck_assert(!df_store_has_blob(&s, &stray));
	ck_assert(!exists(scratch.buf));
	ck_assert(df_store_has_blob(&s, &cached.blob));
	ck_assert(exists(cached_layer));
	df_cache_rec got;
	ck_assert_int_eq(df_store_cache_get(&s, &key, &got, &err), 1);
	df_image img;
	ck_assert_msg(df_image_load(&s, &kept.manifest, &img, &err) == 0, "%s", df_buf_str(&err));
	df_image_release(&img);
	ck_assert(exists(kept_layer));

	/* A byte budget that the image alone fills drops the record. */
	ck_assert_int_eq(df_store_prune_bytes(&s, 3600, 1, &freed, &err), 0);
	ck_assert_int_eq(df_store_cache_get(&s, &key, &got, &err), 0);
	ck_assert(!df_store_has_blob(&s, &cached.blob));
	ck_assert(!exists(cached_layer));

	/* keep_seconds < 0: every record goes; the named image stays. */
	ck_assert_int_eq(df_store_cache_put(&s, &key, &(df_cache_rec){ false, { "" }, { "" }, 0, 0.1 }, &err), 0);
	ck_assert_int_eq(df_store_prune(&s, -1, &freed, &err), 0);
	ck_assert_int_eq(df_store_cache_get(&s, &key, &got, &err), 0);
	ck_assert_int_eq(df_image_load(&s, &kept.manifest, &img, &err), 0);
	df_image_release(&img);
	ck_assert(exists(kept_layer));

	free(sf);
	df_buf_release(&scratch);
	free(kept_layer);
	free(cached_layer);
	df_image_release(&kept);
	df_image_release(&loose);
	free(extra);
	free(t);
	free(t2);
	df_buf_release(&err);
	df_buf_release(&p);
	df_store_close(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_store_layout);
	tcase_add_test(tc, test_blobs);
	tcase_add_test(tc, test_cache_records);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_remove_tree);
	suite_add_tcase(s, tc);
	tc = tcase_create("image");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_commit);
	tcase_add_test(tc, test_export_import_layout);
	tcase_add_test(tc, test_import_rootfs_dir);
	tcase_add_test(tc, test_import_tarball);
	tcase_add_test(tc, test_import_docker_save);
	tcase_add_test(tc, test_prune);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
