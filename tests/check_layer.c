/* check_layer.c - SHA-256 digests, and layer tarballs: written reproducibly
 * from a tree (sorted, fixed times, whiteouts from an overlayfs upper dir),
 * unpacked back into the same tree, hostile tars refused. Needs root
 * (owners, device nodes, trusted.* attributes), as CI runs it. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "build/digest.h"
#include "build/layer.h"
#include "util/util.h"
#include "testutil.h"

#define EPOCH 1700000000

static void need_root(void)
{
	if (geteuid() != 0)
		ck_abort_msg("check_layer needs root (owners, mknod, trusted.* xattrs): run it as root");
}

static char *tmp_dir(void)
{
	char tmpl[] = "/tmp/dfopt-layer-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_rf(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static char *path_of(const char *dir, const char *name)
{
	df_buf b = DF_BUF_INIT;
	df_buf_addf(&b, "%s/%s", dir, name);
	return df_buf_detach(&b, NULL);
}

static void put(const char *dir, const char *name, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid)
{
	char *p = path_of(dir, name);
	ck_assert_int_eq(tu_write(p, data, len), 0);
	ck_assert_int_eq(chown(p, uid, gid), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	free(p);
}

static void put_dir(const char *dir, const char *name, mode_t mode)
{
	char *p = path_of(dir, name);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	free(p);
}

static void must(int rc, const char *what)
{
	ck_assert_msg(rc == 0, "%s: %s", what, strerror(errno));
}

/* Files, directories, a symlink, a hard link, a FIFO, setuid, an xattr,
 * a device, a socket, and names that sort differently per directory than
 * as whole paths ("a/" after "a-b" and "a.c"). */
static void make_tree(const char *root)
{
	put_dir(root, "dir", 0755);
	put(root, "dir/file", "hello\n", 6, 0640, 1000, 1001);
	put(root, "dir/suid", "#!/bin/sh\n", 10, 04755, 0, 0);
	put_dir(root, "dir/sub", 0700);
	put(root, "dir/sub/deep", "deep", 4, 0600, 0, 0);
	put_dir(root, "a", 0755);
	put(root, "a/x", "x", 1, 0644, 0, 0);
	put(root, "a-b", "ab", 2, 0644, 0, 0);
	put(root, "a.c", "ac", 2, 0644, 0, 0);
	put(root, "caf\xc3\xa9", "\xe9", 1, 0644, 0, 0);
	put(root, "bad\xff", "", 0, 0644, 0, 0);
	put(root, "hard1", "same", 4, 0644, 0, 0);
	put_dir(root, "empty", 0755);
	char *big = malloc(300000);
	for (int i = 0; i < 300000; i++)
		big[i] = (char)(i * 7 + i / 1000);
	put(root, "big", big, 300000, 0644, 0, 0);
	free(big);
	char *p = path_of(root, "hard1"), *q = path_of(root, "dir/hard2");
	must(link(p, q), "link");
	free(p), free(q);
	p = path_of(root, "link");
	must(symlink("dir/file", p), "symlink");
	free(p);
	p = path_of(root, "fifo");
	must(mkfifo(p, 0600), "mkfifo");
	must(chmod(p, 0620), "chmod");
	free(p);
	put(root, "xfile", "x", 1, 0644, 0, 0);
	p = path_of(root, "xfile");
	must(setxattr(p, "user.test", "value\0bin", 9, 0), "setxattr user.test");
	must(setxattr(p, "user.a", "1", 1, 0), "setxattr user.a");
	free(p);
	p = path_of(root, "null");
	must(mknod(p, S_IFCHR | 0666, makedev(1, 3)), "mknod");
	must(chmod(p, 0666), "chmod");
	free(p);
	p = path_of(root, "sock");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ck_assert_uint_lt(strlen(p), sizeof sa.sun_path);
	strcpy(sa.sun_path, p);
	must(bind(s, (struct sockaddr *)&sa, sizeof sa), "bind");
	close(s);
	free(p);
}

/* A listing of a tar blob, one line per entry: name, type, mode, owner,
 * mtime, then what the type has (size, link target, device) and the
 * xattrs' names. What the tests compare against literal expectations. */
static void list_blob(const char *blob, df_buf *out)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_filename(a, blob, 65536), ARCHIVE_OK);
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *types = "?";
		switch (archive_entry_hardlink(e) ? 0 : archive_entry_filetype(e)) {
		case 0: types = "h"; break;
		case AE_IFREG: types = "f"; break;
		case AE_IFDIR: types = "d"; break;
		case AE_IFLNK: types = "l"; break;
		case AE_IFIFO: types = "p"; break;
		case AE_IFCHR: types = "c"; break;
		}
		df_buf_addf(out, "%s %s %04o %lld:%lld %lld", archive_entry_pathname(e), types,
			    (unsigned)archive_entry_perm(e), (long long)archive_entry_uid(e),
			    (long long)archive_entry_gid(e), (long long)archive_entry_mtime(e));
		const char *un = archive_entry_uname(e), *gn = archive_entry_gname(e);
		ck_assert(!un || !*un);
		ck_assert(!gn || !*gn);
		ck_assert(!archive_entry_atime_is_set(e) && !archive_entry_ctime_is_set(e));
		if (archive_entry_hardlink(e))
			df_buf_addf(out, " => %s", archive_entry_hardlink(e));
		else if (archive_entry_filetype(e) == AE_IFREG)
			df_buf_addf(out, " size=%lld", (long long)archive_entry_size(e));
		if (archive_entry_symlink(e))
			df_buf_addf(out, " -> %s", archive_entry_symlink(e));
		if (archive_entry_filetype(e) == AE_IFCHR)
			df_buf_addf(out, " dev=%u,%u", (unsigned)archive_entry_rdevmajor(e),
				    (unsigned)archive_entry_rdevminor(e));
		int n = archive_entry_xattr_reset(e);
		while (n-- > 0) {
			const char *k;
			const void *v;
			size_t len;
			archive_entry_xattr_next(e, &k, &v, &len);
			df_buf_addf(out, " x:%s=%zu", k, len);
		}
		df_buf_addc(out, '\n');
	}
	ck_assert_int_eq(r, ARCHIVE_EOF);
	archive_read_free(a);
}

/* The uncompressed bytes of a blob, hashed. */
static void tar_digest(const char *blob, df_digest *d, uint64_t *size)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	ck_assert_int_eq(archive_read_open_filename(a, blob, 65536), ARCHIVE_OK);
	struct archive_entry *e;
	ck_assert_int_eq(archive_read_next_header(a, &e), ARCHIVE_OK);
	df_sha256 h;
	df_sha256_init(&h);
	*size = 0;
	char buf[8192];
	la_ssize_t n;
	while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
		df_sha256_update(&h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	ck_assert_int_eq(n, 0);
	df_sha256_final(&h, d);
	archive_read_free(a);
}

static char *blob_path(const char *blobs, const df_layer *l)
{
	return path_of(blobs, df_digest_hex(&l->digest));
}

/* A tree on disk, listed like list_blob() (sorted per directory):
 * name, type, mode, owner, and per type the content's digest, the link
 * target, the device, plus the link count and every xattr with its value.
 * with_mtime adds mtimes. */
static void describe(const char *root, const char *rel, bool with_mtime, df_buf *out)
{
	char *dir = rel[0] ? path_of(root, rel) : strdup(root);
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		char *r = rel[0] ? path_of(rel, names[i]) : strdup(names[i]);
		char *p = path_of(root, r);
		struct stat st;
		ck_assert_int_eq(lstat(p, &st), 0);
		df_buf_addf(out, "%s %o %04o %u:%u", r, (unsigned)(st.st_mode & S_IFMT) >> 12,
			    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid);
		if (with_mtime)
			df_buf_addf(out, " t=%lld", (long long)st.st_mtime);
		if (!S_ISDIR(st.st_mode) && st.st_nlink > 1)
			df_buf_addf(out, " links=%u", (unsigned)st.st_nlink);
		if (S_ISREG(st.st_mode)) {
			df_digest dg;
			df_buf err = DF_BUF_INIT;
			ck_assert_int_eq(df_sha256_file(p, &dg, NULL, &err), 0);
			df_buf_addf(out, " %.12s", df_digest_hex(&dg));
		} else if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t len = readlink(p, t, sizeof t - 1);
			ck_assert_int_ge(len, 0);
			t[len] = '\0';
			df_buf_addf(out, " -> %s", t);
		} else if (S_ISCHR(st.st_mode)) {
			df_buf_addf(out, " dev=%u,%u", major(st.st_rdev), minor(st.st_rdev));
		}
		char list[4096];
		ssize_t ln = llistxattr(p, list, sizeof list);
		char *sorted[64];
		size_t nx = 0;
		for (ssize_t k = 0; k < ln && nx < 64; k += (ssize_t)strlen(list + k) + 1)
			sorted[nx++] = list + k;
		for (size_t a = 1; a < nx; a++)
			for (size_t b = a; b > 0 && strcmp(sorted[b - 1], sorted[b]) > 0; b--) {
				char *t = sorted[b];
				sorted[b] = sorted[b - 1];
				sorted[b - 1] = t;
			}
		for (size_t k = 0; k < nx; k++) {
			char v[256];
			ssize_t vl = lgetxattr(p, sorted[k], v, sizeof v);
			ck_assert_int_ge(vl, 0);
			df_buf_addf(out, " x:%s=", sorted[k]);
			for (ssize_t c = 0; c < vl; c++)
				df_buf_addf(out, v[c] >= 0x20 && v[c] < 0x7f ? "%c" : "\\%o", (unsigned char)v[c]);
		}
		df_buf_addc(out, '\n');
		if (S_ISDIR(st.st_mode))
			describe(root, r, with_mtime, out);
		free(r);
		free(p);
		free(names[i]);
	}
	free(names);
	free(dir);
}

static void touch_all(const char *root, const char *rel, time_t t)
{
	char *dir = rel[0] ? path_of(root, rel) : strdup(root);
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *r = rel[0] ? path_of(rel, de->d_name) : strdup(de->d_name);
		char *p = path_of(root, r);
		struct stat st;
		ck_assert_int_eq(lstat(p, &st), 0);
		if (S_ISDIR(st.st_mode))
			touch_all(root, r, t);
		struct timespec ts[2] = { { t, 0 }, { t, 0 } };
		ck_assert_int_eq(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
		free(r);
		free(p);
	}
	closedir(d);
	free(dir);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* ---- digests ---------------------------------------------------------------- */

START_TEST(test_sha256_vectors)
{
	df_digest d;
	df_sha256_buf("abc", 3, &d);
	ck_assert_str_eq(d.s, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	df_sha256_buf("", 0, &d);
	ck_assert_str_eq(d.s, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_str_eq(df_digest_hex(&d), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	df_sha256_buf(m, strlen(m), &d);
	ck_assert_str_eq(d.s, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a's, in uneven pieces. */
	char a[1000];
	memset(a, 'a', sizeof a);
	df_sha256 h;
	df_sha256_init(&h);
	for (size_t left = 1000000, piece = 1; left; piece = piece * 3 % 997 + 1) {
		size_t n = piece < left ? piece : left;
		df_sha256_update(&h, a, n);
		left -= n;
	}
	df_sha256_final(&h, &d);
	ck_assert_str_eq(d.s, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	ck_assert_ptr_null(h.ctx);
}
END_TEST

START_TEST(test_sha256_file_and_parse)
{
	char *dir = tmp_dir();
	char *p = path_of(dir, "f");
	ck_assert_int_eq(tu_write(p, "abc", 3), 0);
	df_digest d;
	uint64_t size = 0;
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_sha256_file(p, &d, &size, &err), 0);
	ck_assert_str_eq(d.s, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_uint_eq(size, 3);
	ck_assert_int_eq(df_sha256_file(dir, &d, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "Is a directory"));
	df_buf_reset(&err);
	char *missing = path_of(dir, "missing");
	ck_assert_int_eq(df_sha256_file(missing, &d, NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.buf, "missing': No such file or directory"));
	df_buf_release(&err);
	free(missing);
	free(p);
	rm_rf(dir);

	df_digest q;
	ck_assert(df_digest_parse(&q, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	ck_assert(df_digest_set(&q));
	ck_assert(!df_digest_parse(&q, "sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	ck_assert(!df_digest_parse(&q, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"));
	ck_assert(!df_digest_parse(&q, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0"));
	ck_assert(!df_digest_parse(&q, "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	ck_assert(!df_digest_parse(&q, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	df_digest unset = { "" };
	ck_assert(!df_digest_set(&unset));
}
END_TEST

/* ---- writing ---------------------------------------------------------------- */

static const char plain_listing[] =
	"a-b f 0644 0:0 1700000000 size=2\n"
	"a.c f 0644 0:0 1700000000 size=2\n"
	"a/ d 0755 0:0 1700000000\n"
	"a/x f 0644 0:0 1700000000 size=1\n"
	"bad\xff f 0644 0:0 1700000000 size=0\n"
	"big f 0644 0:0 1700000000 size=300000\n"
	"caf\xc3\xa9 f 0644 0:0 1700000000 size=1\n"
	"dir/ d 0755 0:0 1700000000\n"
	"dir/file f 0640 1000:1001 1700000000 size=6\n"
	"dir/hard2 f 0644 0:0 1700000000 size=4\n"
	"dir/sub/ d 0700 0:0 1700000000\n"
	"dir/sub/deep f 0600 0:0 1700000000 size=4\n"
	"dir/suid f 4755 0:0 1700000000 size=10\n"
	"empty/ d 0755 0:0 1700000000\n"
	"fifo p 0620 0:0 1700000000\n"
	"hard1 h 0644 0:0 1700000000 => dir/hard2\n"
	"link l 0777 0:0 1700000000 -> dir/file\n"
	"null c 0666 0:0 1700000000 dev=1,3\n"
	"xfile f 0644 0:0 1700000000 size=1 x:user.a=1 x:user.test=9\n";

START_TEST(test_write_reproducible)
{
	need_root();
	char *base = tmp_dir();
	char *root = path_of(base, "root"), *blobs1 = path_of(base, "blobs1"), *blobs2 = path_of(base, "blobs2");
	must(mkdir(root, 0755), "mkdir");
	must(mkdir(blobs1, 0755), "mkdir");
	must(mkdir(blobs2, 0755), "mkdir");
	make_tree(root);

	df_layer l1, l2, l3;
	df_buf err = DF_BUF_INIT;
	touch_all(root, "", 1000);
	ck_assert_msg(df_layer_write(root, DF_LAYER_PLAIN, EPOCH, blobs1, &l1, &err) == 0, "%s", df_buf_str(&err));
	/* Other mtimes and atimes on disk, the same epoch: the same bytes. */
	touch_all(root, "", 2000000000);
	ck_assert_msg(df_layer_write(root, DF_LAYER_PLAIN, EPOCH, blobs2, &l2, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(l1.diff_id.s, l2.diff_id.s);
	ck_assert_str_eq(l1.digest.s, l2.digest.s);
	ck_assert_uint_eq(l1.size, l2.size);
	ck_assert_uint_eq(l1.tar_size, l2.tar_size);
	ck_assert_uint_eq(l1.entries, 19);
	ck_assert_uint_eq(l1.entries, l2.entries);
	ck_assert_str_ne(l1.diff_id.s, l1.digest.s);

	/* The blob is stored under its digest, and is what the digest says. */
	char *blob = blob_path(blobs1, &l1);
	df_digest d;
	uint64_t size;
	ck_assert_msg(df_sha256_file(blob, &d, &size, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(d.s, l1.digest.s);
	ck_assert_uint_eq(size, l1.size);
	ck_assert_uint_eq(count_entries(blobs1), 1);	/* no temporary left */
	struct stat st;
	ck_assert_int_eq(stat(blob, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	/* gzip with no name and no time in its header. */
	df_buf bytes = DF_BUF_INIT;
	ck_assert_int_eq(tu_read(blob, &bytes), 0);
	ck_assert_uint_ge(bytes.len, 10);
	ck_assert(memcmp(bytes.buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8) == 0);
	df_buf_release(&bytes);
	/* The diffID is the uncompressed tar's. */
	tar_digest(blob, &d, &size);
	ck_assert_str_eq(d.s, l1.diff_id.s);
	ck_assert_uint_eq(size, l1.tar_size);
	ck_assert_uint_eq(size % 512, 0);

	/* Entries sorted by their names' bytes, numeric owners, the epoch
	 * everywhere, links and xattrs as they are; no socket. */
	df_buf listing = DF_BUF_INIT;
	list_blob(blob, &listing);
	ck_assert_str_eq(listing.buf, plain_listing);
	df_buf_release(&listing);

	/* The same again into the same store keeps the blob; another epoch
	 * is another layer. */
	ck_assert_int_eq(df_layer_write(root, DF_LAYER_PLAIN, EPOCH, blobs1, &l3, &err), 0);
	ck_assert_str_eq(l3.digest.s, l1.digest.s);
	ck_assert_uint_eq(count_entries(blobs1), 1);
	ck_assert_int_eq(df_layer_write(root, DF_LAYER_PLAIN, EPOCH + 1, blobs1, &l3, &err), 0);
	ck_assert_str_ne(l3.diff_id.s, l1.diff_id.s);
	ck_assert_uint_eq(count_entries(blobs1), 2);
	df_buf_release(&err);
	free(blob);
	free(root), free(blobs1), free(blobs2);
	rm_rf(base);
}
END_TEST

START_TEST(test_write_errors)
{
	need_root();
	char *base = tmp_dir();
	char *root = path_of(base, "root"), *blobs = path_of(base, "blobs");
	must(mkdir(root, 0755), "mkdir");
	must(mkdir(blobs, 0755), "mkdir");
	df_layer l;
	df_buf err = DF_BUF_INIT;
	/* A name that would read as a whiteout. */
	put(root, ".wh.x", "", 0, 0644, 0, 0);
	ck_assert_int_eq(df_layer_write(root, DF_LAYER_PLAIN, 0, blobs, &l, &err), -1);
	ck_assert_msg(strstr(err.buf, ".wh.x' into a layer") != NULL, "%s", err.buf);
	ck_assert_uint_eq(count_entries(blobs), 0);
	df_buf_reset(&err);
	char *missing = path_of(base, "missing");
	ck_assert_int_eq(df_layer_write(missing, DF_LAYER_PLAIN, 0, blobs, &l, &err), -1);
	ck_assert_msg(strstr(err.buf, "missing': No such file or directory") != NULL, "%s", err.buf);
	df_buf_reset(&err);
	ck_assert_int_eq(df_layer_write(root, DF_LAYER_PLAIN, 0, missing, &l, &err), -1);
	ck_assert_msg(strstr(err.buf, "cannot create a file in") != NULL, "%s", err.buf);
	df_buf_reset(&err);
	ck_assert_int_eq(df_layer_write(root, DF_LAYER_PLAIN, -1, blobs, &l, &err), -1);
	ck_assert_msg(strstr(err.buf, "invalid epoch") != NULL, "%s", err.buf);
	/* An upper dir whose file data lives in a lower layer cannot make
	 * a layer by itself; as a plain tree it is just a file. */
	char *up = path_of(base, "up");
	must(mkdir(up, 0755), "mkdir");
	put(up, "f", "", 0, 0644, 0, 0);
	char *f = path_of(up, "f");
	must(setxattr(f, "trusted.overlay.metacopy", "", 0, 0), "setxattr trusted.overlay.metacopy");
	df_buf_reset(&err);
	ck_assert_int_eq(df_layer_write(up, DF_LAYER_UPPER, 0, blobs, &l, &err), -1);
	ck_assert_msg(strstr(err.buf, "up/f' into a layer: its content lives in a lower layer") != NULL, "%s", err.buf);
	ck_assert_int_eq(df_layer_write(up, DF_LAYER_PLAIN, 0, blobs, &l, &err), 0);
	ck_assert_uint_eq(l.entries, 1);
	free(f), free(up);
	/* An empty tree is an empty tar: its end marker only. */
	char *empty = path_of(base, "empty");
	must(mkdir(empty, 0755), "mkdir");
	df_buf_reset(&err);
	ck_assert_int_eq(df_layer_write(empty, DF_LAYER_PLAIN, 0, blobs, &l, &err), 0);
	ck_assert_uint_eq(l.entries, 0);
	ck_assert_uint_eq(l.tar_size, 1024);
	df_buf_release(&err);
	free(empty), free(missing), free(root), free(blobs);
	rm_rf(base);
}
END_TEST

/* ---- unpacking ---------------------------------------------------------------- */

START_TEST(test_unpack_roundtrip)
{
	need_root();
	char *base = tmp_dir();
	char *root = path_of(base, "root"), *blobs = path_of(base, "blobs"), *dest = path_of(base, "dest");
	must(mkdir(root, 0755), "mkdir");
	must(mkdir(blobs, 0755), "mkdir");
	must(mkdir(dest, 0755), "mkdir");
	make_tree(root);
	df_layer l;
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(df_layer_write(root, DF_LAYER_PLAIN, EPOCH, blobs, &l, &err) == 0, "%s", df_buf_str(&err));
	char *blob = blob_path(blobs, &l);
	df_digest diff_id;
	ck_assert_msg(df_layer_unpack(blob, dest, &diff_id, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(diff_id.s, l.diff_id.s);

	/* The same tree, but device nodes are not made from layers (and the
	 * socket was never in it); every mtime is the epoch. */
	char *p = path_of(root, "null");
	must(unlink(p), "unlink");
	free(p);
	p = path_of(root, "sock");
	must(unlink(p), "unlink");
	free(p);
	df_buf want = DF_BUF_INIT, got = DF_BUF_INIT;
	describe(root, "", false, &want);
	describe(dest, "", false, &got);
	ck_assert_str_eq(got.buf, want.buf);
	ck_assert_ptr_nonnull(strstr(got.buf, "xfile 10 0644 0:0 2d711642b726 x:user.a=1 x:user.test=value\\0bin\n"));
	ck_assert_ptr_nonnull(strstr(got.buf, "dir/hard2 10 0644 0:0 links=2"));
	ck_assert_ptr_nonnull(strstr(got.buf, "dir/suid 10 4755 0:0"));
	ck_assert_ptr_nonnull(strstr(got.buf, "fifo 1 0620 0:0\n"));
	df_buf_reset(&got);
	describe(dest, "", true, &got);
	for (const char *line = got.buf; *line; line = strchr(line, '\n') + 1)
		ck_assert_msg(strstr(line, " t=1700000000") != NULL && strstr(line, " t=1700000000") < strchr(line, '\n'),
			      "mtime not the epoch: %.*s", (int)(strchr(line, '\n') - line), line);
	char *h1 = path_of(dest, "hard1"), *h2 = path_of(dest, "dir/hard2");
	struct stat s1, s2;
	ck_assert_int_eq(stat(h1, &s1), 0);
	ck_assert_int_eq(stat(h2, &s2), 0);
	ck_assert(s1.st_ino == s2.st_ino);

	/* Unpacking wants an empty directory. */
	ck_assert_int_eq(df_layer_unpack(blob, dest, NULL, &err), -1);
	ck_assert_msg(strstr(err.buf, "not an empty directory") != NULL, "%s", err.buf);
	df_buf_release(&err);
	df_buf_release(&want);
	df_buf_release(&got);
	free(h1), free(h2);
	free(blob), free(root), free(blobs), free(dest);
	rm_rf(base);
}
END_TEST

static const char upper_listing[] =
	".wh.gone f 0000 0:0 1700000000 size=0\n"
	"keep f 0644 0:0 1700000000 size=1\n"
	"opq/ d 0755 0:0 1700000000\n"
	"opq/.wh..wh..opq f 0000 0:0 1700000000 size=0\n"
	"opq/new f 0644 0:0 1700000000 size=1\n"
	"origin f 0644 0:0 1700000000 size=1 x:user.keep=1\n"
	"sub/ d 0755 0:0 1700000000\n"
	"sub/.wh.gone2 f 0000 0:0 1700000000 size=0\n";

static const char upper_as_plain_listing[] =
	"gone c 0000 0:0 1700000000 dev=0,0\n"
	"keep f 0644 0:0 1700000000 size=1\n"
	"opq/ d 0755 0:0 1700000000\n"
	"opq/new f 0644 0:0 1700000000 size=1\n"
	"origin f 0644 0:0 1700000000 size=1 x:user.keep=1\n"
	"sub/ d 0755 0:0 1700000000\n"
	"sub/gone2 h 0000 0:0 1700000000 => gone\n";

START_TEST(test_upper_whiteouts)
{
	need_root();
	char *base = tmp_dir();
	char *up = path_of(base, "up"), *blobs = path_of(base, "blobs"), *dest = path_of(base, "dest");
	must(mkdir(up, 0755), "mkdir");
	must(mkdir(blobs, 0755), "mkdir");
	must(mkdir(dest, 0755), "mkdir");
	/* What overlayfs leaves in an upper dir: a deletion as a 0/0 char
	 * device (the kernel may share one inode among them), an opaque
	 * directory, its bookkeeping attributes on copied-up files. */
	put(up, "keep", "k", 1, 0644, 0, 0);
	char *p = path_of(up, "gone"), *q = path_of(up, "sub/gone2");
	must(mknod(p, S_IFCHR | 0, makedev(0, 0)), "mknod");
	put_dir(up, "sub", 0755);
	must(link(p, q), "link");
	free(p), free(q);
	put_dir(up, "opq", 0755);
	p = path_of(up, "opq");
	must(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), "setxattr trusted.overlay.opaque");
	free(p);
	put(up, "opq/new", "n", 1, 0644, 0, 0);
	put(up, "origin", "o", 1, 0644, 0, 0);
	p = path_of(up, "origin");
	must(setxattr(p, "trusted.overlay.origin", "abc", 3, 0), "setxattr trusted.overlay.origin");
	must(setxattr(p, "user.keep", "1", 1, 0), "setxattr user.keep");
	free(p);

	df_layer l;
	df_buf err = DF_BUF_INIT, listing = DF_BUF_INIT;
	ck_assert_msg(df_layer_write(up, DF_LAYER_UPPER, EPOCH, blobs, &l, &err) == 0, "%s", df_buf_str(&err));
	char *blob = blob_path(blobs, &l);
	list_blob(blob, &listing);
	ck_assert_str_eq(listing.buf, upper_listing);
	ck_assert_uint_eq(l.entries, 8);

	/* The same tree as a plain one: the device and the link stay what they
	 * are, overlayfs' attributes still go. */
	df_layer lp;
	ck_assert_msg(df_layer_write(up, DF_LAYER_PLAIN, EPOCH, blobs, &lp, &err) == 0, "%s", df_buf_str(&err));
	char *blobp = blob_path(blobs, &lp);
	df_buf_reset(&listing);
	list_blob(blobp, &listing);
	ck_assert_str_eq(listing.buf, upper_as_plain_listing);

	/* Unpacked, the whiteouts are overlayfs' again. */
	df_digest diff_id;
	ck_assert_msg(df_layer_unpack(blob, dest, &diff_id, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_str_eq(diff_id.s, l.diff_id.s);
	df_buf got = DF_BUF_INIT;
	describe(dest, "", false, &got);
	ck_assert_str_eq(got.buf, "gone 2 0000 0:0 dev=0,0\n"
				  "keep 10 0644 0:0 8254c329a928\n"
				  "opq 4 0755 0:0 x:trusted.overlay.opaque=y\n"
				  "opq/new 10 0644 0:0 1b16b1df538b\n"
				  "origin 10 0644 0:0 65c74c15a686 x:user.keep=1\n"
				  "sub 4 0755 0:0\n"
				  "sub/gone2 2 0000 0:0 dev=0,0\n");
	df_buf_release(&got);
	df_buf_release(&listing);
	df_buf_release(&err);
	free(blob), free(blobp), free(up), free(blobs), free(dest);
	rm_rf(base);
}
END_TEST

/* One entry of a tar made by a test: type 'f' file, 'd' directory, 'l'
 * symlink to target, 'h' hard link to target. */
typedef struct tentry {
	const char *name;
	char type;
	const char *target;
} tentry;

static void make_tar(const char *path, const tentry *ents, size_t n, bool gzip)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	for (size_t i = 0; i < n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_mtime(e, EPOCH, 0);
		switch (ents[i].type) {
		case 'f':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, 5);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0750);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, ents[i].target);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, ents[i].target);
			break;
		}
		ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].type == 'f')
			ck_assert_int_eq(archive_write_data(a, "pwned", 5), 5);
	}
	archive_entry_free(e);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

START_TEST(test_unpack_plain_tar)
{
	need_root();
	char *base = tmp_dir();
	char *tar = path_of(base, "layer.tar"), *dest = path_of(base, "dest");
	must(mkdir(dest, 0755), "mkdir");
	/* Names as `tar -C dir .` writes them; the root entry sets dest's mode. */
	static const tentry ents[] = {
		{ "./", 'd', NULL }, { "./etc/", 'd', NULL }, { "./etc/passwd", 'f', NULL },
		{ "./etc/group", 'h', "./etc/passwd" }, { "usr//bin/sh", 'l', "/bin/busybox" },
		{ "etc/.wh.shadow", 'f', NULL }, { "usr/.wh..wh..opq", 'f', NULL },
	};
	make_tar(tar, ents, DF_ARRAY_LEN(ents), false);
	df_digest diff_id, file_digest;
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(df_layer_unpack(tar, dest, &diff_id, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_int_eq(df_sha256_file(tar, &file_digest, NULL, &err), 0);
	ck_assert_str_eq(diff_id.s, file_digest.s);
	df_buf got = DF_BUF_INIT;
	describe(dest, "", false, &got);
	ck_assert_str_eq(got.buf, "etc 4 0750 0:0\n"
				  "etc/group 10 0644 0:0 links=2 c0fa141c657c\n"
				  "etc/passwd 10 0644 0:0 links=2 c0fa141c657c\n"
				  "etc/shadow 2 0000 0:0 dev=0,0\n"
				  "usr 4 0755 0:0 x:trusted.overlay.opaque=y\n"
				  "usr/bin 4 0755 0:0\n"
				  "usr/bin/sh 12 0777 0:0 -> /bin/busybox\n");
	struct stat st;
	ck_assert_int_eq(stat(dest, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	ck_assert_int_eq(st.st_mtime, EPOCH);
	df_buf_release(&got);
	df_buf_release(&err);
	free(tar), free(dest);
	rm_rf(base);
}
END_TEST

/* Tars that try to write outside the destination: each is refused, with
 * the entry named, and leaves nothing behind, inside dest or out. */
START_TEST(test_unpack_hostile)
{
	need_root();
	char *base = tmp_dir();
	char *outside = path_of(base, "outside"), *tar = path_of(base, "layer.tgz");
	must(mkdir(outside, 0755), "mkdir");
	const tentry dotdot[] = { { "ok", 'f', NULL }, { "../x", 'f', NULL } };
	const tentry deep_dotdot[] = { { "d/", 'd', NULL }, { "d/../../y", 'f', NULL } };
	const tentry absolute[] = { { "/tmp/dfopt-layer-absolute", 'f', NULL } };
	const tentry through_symlink[] = { { "l", 'l', outside }, { "l/pwned", 'f', NULL } };
	const tentry through_dotdot_link[] = { { "l", 'l', ".." }, { "l/outside/", 'd', NULL } };
	const tentry link_out[] = { { "h", 'h', "../../etc/passwd" } };
	const tentry link_abs[] = { { "h", 'h', "/etc/passwd" } };
	const tentry link_via_symlink[] = { { "l", 'l', "/etc" }, { "h", 'h', "l/passwd" } };
	const tentry bad_whiteout[] = { { "a/.wh...", 'f', NULL } };
	const struct {
		const tentry *ents;
		size_t n;
		const char *msg;
	} cases[] = {
		{ dotdot, 2, "cannot unpack '../x' from '" },
		{ deep_dotdot, 2, "cannot unpack 'd/../../y' from '" },
		{ absolute, 1, "'/tmp/dfopt-layer-absolute' from '" },
		{ through_symlink, 2, "'l/pwned' from '" },
		{ through_dotdot_link, 2, "'l/outside/' from '" },
		{ link_out, 1, "'h' from '" },
		{ link_abs, 1, "'h' from '" },
		{ link_via_symlink, 2, "'h' from '" },
		{ bad_whiteout, 1, "an invalid whiteout" },
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(cases); i++) {
		make_tar(tar, cases[i].ents, cases[i].n, true);
		char *dest = path_of(base, "dest");
		must(mkdir(dest, 0755), "mkdir");
		df_buf err = DF_BUF_INIT;
		ck_assert_msg(df_layer_unpack(tar, dest, NULL, &err) == -1, "case %zu was unpacked", i);
		ck_assert_msg(strstr(df_buf_str(&err), cases[i].msg) != NULL, "case %zu: %s", i, df_buf_str(&err));
		ck_assert_msg(count_entries(dest) == 0, "case %zu left files in dest", i);
		ck_assert_msg(count_entries(outside) == 0, "case %zu wrote outside", i);
		ck_assert_uint_eq(count_entries(base), 3);	/* outside, layer.tgz, dest */
		ck_assert_int_ne(access("/tmp/dfopt-layer-absolute", F_OK), 0);
		must(rmdir(dest), "rmdir");
		df_buf_release(&err);
		free(dest);
	}
	/* Not a tar at all. */
	ck_assert_int_eq(tu_write(tar, "hello, world\n", 13), 0);
	char *dest = path_of(base, "dest");
	must(mkdir(dest, 0755), "mkdir");
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_layer_unpack(tar, dest, NULL, &err), -1);
	ck_assert_msg(strstr(df_buf_str(&err), "cannot read layer '") != NULL, "%s", df_buf_str(&err));
	df_buf_release(&err);
	free(dest), free(outside), free(tar);
	rm_rf(base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("layer");
	TCase *tc = tcase_create("layer");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_sha256_file_and_parse);
	tcase_add_test(tc, test_write_reproducible);
	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_unpack_roundtrip);
	tcase_add_test(tc, test_upper_whiteouts);
	tcase_add_test(tc, test_unpack_plain_tar);
	tcase_add_test(tc, test_unpack_hostile);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
