/*
 * verify.c - do two images hold the same file system and config?
 *
 * Each image's layers are mounted as one read-only overlay (in this
 * process's own mount namespace, taken here) and the two trees are walked
 * side by side in name order. Compared: the set of paths, each entry's type,
 * permission bits, owner, size, content and symlink target; not times.
 * Then the runtime config (Env, Cmd, Entrypoint, WorkingDir, User, Labels,
 * ExposedPorts, Volumes, StopSignal, Healthcheck, Shell).
 */
#include "measure/measure.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "build/image.h"
#include "build/store.h"
#include "util/util.h"

typedef struct compare {
	df_buf *report;
	size_t max, found;
} compare;

static void differ(compare *c, const char *path, const char *fmt, const char *a, const char *b)
{
	if (c->found++ >= c->max)
		return;
	df_buf_addf(c->report, "/%s: ", path);
	df_buf_addf(c->report, fmt, a, b);
	df_buf_addc(c->report, '\n');
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted; NULL-terminated. */
static char **sorted_names(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	size_t n = 0, cap = 16;
	char **v = df_xcalloc(cap + 1, sizeof(char *));
	if (!d) {
		if (fd >= 0)
			close(fd);
		return v;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n == cap) {
			cap *= 2;
			v = df_xrealloc(v, (cap + 1) * sizeof(char *));
		}
		v[n++] = df_xstrdup(e->d_name);
	}
	v[n] = NULL;
	closedir(d);
	qsort(v, n, sizeof(char *), name_cmp);
	return v;
}

static void free_names(char **v)
{
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static bool same_content(int dfa, int dfb, const char *name)
{
	int fa = openat(dfa, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int fb = openat(dfb, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool same = fa >= 0 && fb >= 0;
	char ba[65536], bb[65536];
	while (same) {
		ssize_t na = read(fa, ba, sizeof ba);
		ssize_t nb = na > 0 ? read(fb, bb, (size_t)na) : read(fb, bb, 1);
		if (na < 0 || nb < 0 || na != nb || memcmp(ba, bb, (size_t)na))
			same = false;
		else if (na == 0)
			break;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

static const char *type_name(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symlink" : S_ISCHR(m) ? "character device"
	       : S_ISBLK(m) ? "block device" : S_ISFIFO(m) ? "fifo" : "socket";
}

static void walk(compare *c, int dfa, int dfb, const char *prefix);

static void compare_entry(compare *c, int dfa, int dfb, const char *name, const char *path)
{
	struct stat sa, sb;
	if (fstatat(dfa, name, &sa, AT_SYMLINK_NOFOLLOW) < 0 || fstatat(dfb, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		differ(c, path, "cannot be read%s%s", "", "");
		return;
	}
	char a[64], b[64];
	if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT)) {
		differ(c, path, "a %s in one, a %s in the other", type_name(sa.st_mode), type_name(sb.st_mode));
		return;
	}
	if ((sa.st_mode & 07777) != (sb.st_mode & 07777)) {
		snprintf(a, sizeof a, "%04o", (unsigned)(sa.st_mode & 07777));
		snprintf(b, sizeof b, "%04o", (unsigned)(sb.st_mode & 07777));
		differ(c, path, "mode %s against %s", a, b);
	}
	if (sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid) {
		snprintf(a, sizeof a, "%u:%u", (unsigned)sa.st_uid, (unsigned)sa.st_gid);
		snprintf(b, sizeof b, "%u:%u", (unsigned)sb.st_uid, (unsigned)sb.st_gid);
		differ(c, path, "owner %s against %s", a, b);
	}
	if (S_ISREG(sa.st_mode) && (sa.st_size != sb.st_size || !same_content(dfa, dfb, name))) {
		differ(c, path, "content differs%s%s", "", "");
	} else if (S_ISLNK(sa.st_mode)) {
		char ta[4096], tb[4096];
		ssize_t na = readlinkat(dfa, name, ta, sizeof ta - 1);
		ssize_t nb = readlinkat(dfb, name, tb, sizeof tb - 1);
		ta[na < 0 ? 0 : na] = '\0';
		tb[nb < 0 ? 0 : nb] = '\0';
		if (strcmp(ta, tb))
			differ(c, path, "points to %s against %s", ta, tb);
	} else if ((S_ISCHR(sa.st_mode) || S_ISBLK(sa.st_mode)) && sa.st_rdev != sb.st_rdev) {
		differ(c, path, "device numbers differ%s%s", "", "");
	} else if (S_ISDIR(sa.st_mode)) {
		int ca = openat(dfa, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int cb = openat(dfb, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (ca >= 0 && cb >= 0)
			walk(c, ca, cb, path);
		if (ca >= 0)
			close(ca);
		if (cb >= 0)
			close(cb);
	}
}

static void walk(compare *c, int dfa, int dfb, const char *prefix)
{
	char **na = sorted_names(dfa), **nb = sorted_names(dfb);
	size_t i = 0, j = 0;
	while (na[i] || nb[j]) {
		int cmp = !na[i] ? 1 : !nb[j] ? -1 : strcmp(na[i], nb[j]);
		const char *name = cmp <= 0 ? na[i] : nb[j];
		df_buf path = DF_BUF_INIT;
		df_buf_addf(&path, "%s%s%s", prefix, *prefix ? "/" : "", name);
		if (cmp < 0)
			differ(c, df_buf_str(&path), "only in the first image%s%s", "", "");
		else if (cmp > 0)
			differ(c, df_buf_str(&path), "only in the second image%s%s", "", "");
		else
			compare_entry(c, dfa, dfb, name, df_buf_str(&path));
		df_buf_release(&path);
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
	}
	free_names(na);
	free_names(nb);
}

/* Mount img's layers read-only at dir. */
static int mount_image(const df_store *s, const df_image *img, const char *dir, df_buf *err)
{
	if (img->nlayers == 0)
		return 0;
	df_buf opt = DF_BUF_INIT;
	df_buf_adds(&opt, "ro,lowerdir=");
	int rc = 0;
	for (size_t i = img->nlayers; i-- > 0 && rc == 0;) {
		df_buf p = DF_BUF_INIT;
		rc = df_store_layer_dir(s, &img->layers[i].diff_id, &img->layers[i].blob, &p, err);
		df_buf_addf(&opt, "%s%s", df_buf_str(&p), i ? ":" : "");
		df_buf_release(&p);
	}
	if (rc == 0 && mount("overlay", dir, "overlay", MS_RDONLY, df_buf_str(&opt)) < 0) {
		df_buf_addf(err, "cannot mount the image at %s: %s", dir, strerror(errno));
		rc = -1;
	}
	df_buf_release(&opt);
	return rc;
}

static void compare_config(compare *c, const df_image *a, const df_image *b)
{
	static const char *const fields[] = { "Env", "Cmd", "Entrypoint", "WorkingDir", "User", "Labels",
					      "ExposedPorts", "Volumes", "StopSignal", "Healthcheck", "Shell" };
	const cJSON *ca = cJSON_GetObjectItemCaseSensitive(a->config, "config");
	const cJSON *cb = cJSON_GetObjectItemCaseSensitive(b->config, "config");
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const cJSON *fa = cJSON_GetObjectItemCaseSensitive(ca, fields[i]);
		const cJSON *fb = cJSON_GetObjectItemCaseSensitive(cb, fields[i]);
		bool none_a = !fa || cJSON_IsNull(fa), none_b = !fb || cJSON_IsNull(fb);
		if (none_a && none_b)
			continue;
		if (none_a != none_b || !cJSON_Compare(fa, fb, true)) {
			char *ta = fa ? cJSON_PrintUnformatted(fa) : df_xstrdup("(none)");
			char *tb = fb ? cJSON_PrintUnformatted(fb) : df_xstrdup("(none)");
			if (c->found++ < c->max)
				df_buf_addf(c->report, "config %s: %s against %s\n", fields[i], ta, tb);
			free(ta);
			free(tb);
		}
	}
}

int df_measure_compare(const char *store_a, const char *manifest_a, const char *store_b, const char *manifest_b,
		       size_t max, df_buf *report, df_buf *err)
{
	df_store sa = { NULL, -1 }, sb = { NULL, -1 };
	df_image ia = DF_IMAGE_INIT, ib = DF_IMAGE_INIT;
	df_digest da, db;
	df_buf da_dir = DF_BUF_INIT, db_dir = DF_BUF_INIT;
	int rc = 0;
	if (!df_digest_parse(&da, manifest_a) || !df_digest_parse(&db, manifest_b)) {
		df_buf_adds(err, "verify: no image to compare");
		return -1;
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		df_buf_addf(err, "verify: cannot make a private mount namespace: %s", strerror(errno));
		return -1;
	}
	if (df_store_open(&sa, store_a, err) < 0 || df_store_open(&sb, store_b, err) < 0 ||
	    df_image_load(&sa, &da, &ia, err) < 0 || df_image_load(&sb, &db, &ib, err) < 0 ||
	    df_store_mkscratch(&sa, "verify-a", &da_dir, err) < 0 || df_store_mkscratch(&sb, "verify-b", &db_dir, err) < 0 ||
	    mount_image(&sa, &ia, df_buf_str(&da_dir), err) < 0 || mount_image(&sb, &ib, df_buf_str(&db_dir), err) < 0)
		rc = -1;
	if (rc == 0) {
		compare c = { report, max, 0 };
		int fa = open(df_buf_str(&da_dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int fb = open(df_buf_str(&db_dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fa < 0 || fb < 0) {
			df_buf_addf(err, "verify: %s", strerror(errno));
			rc = -1;
		} else {
			walk(&c, fa, fb, "");
			compare_config(&c, &ia, &ib);
			if (c.found > max)
				df_buf_addf(report, "... and %zu more differences\n", c.found - max);
			rc = c.found == 0;
		}
		if (fa >= 0)
			close(fa);
		if (fb >= 0)
			close(fb);
	}
	df_buf tmp = DF_BUF_INIT;
	if (da_dir.len) {
		umount2(df_buf_str(&da_dir), MNT_DETACH);
		df_store_remove_tree(df_buf_str(&da_dir), &tmp);
	}
	if (db_dir.len) {
		umount2(df_buf_str(&db_dir), MNT_DETACH);
		df_store_remove_tree(df_buf_str(&db_dir), &tmp);
	}
	df_buf_release(&tmp);
	df_buf_release(&da_dir);
	df_buf_release(&db_dir);
	df_image_release(&ia);
	df_image_release(&ib);
	if (sa.root)
		df_store_close(&sa);
	if (sb.root)
		df_store_close(&sb);
	return rc;
}
