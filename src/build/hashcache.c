/*
 * hashcache.c - context file digests by stat; see hashcache.h.
 *
 * The file: a 16-byte magic, the entry count (u64), the entries as fixed
 * 88-byte records in host byte order (the magic names the layout, so a
 * file from another layout reads as corrupt), then the sha256 of all that.
 * In memory: the entries in a vector, found through an open-addressing
 * table by (dev, ino).
 */
#include "build/hashcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

#define HC_MAGIC "dfopt-hashes-v1\n"
#define HC_MAGIC_LEN 16
#define HC_HEAD (HC_MAGIC_LEN + 8)

typedef struct hc_entry {
	uint64_t dev, ino, size;
	int64_t mtime, ctime;	/* nanoseconds since the epoch */
	int64_t hashed;		/* when its hashing began, nanoseconds */
	uint32_t mode;
	uint32_t used;		/* the day (since the epoch) it was last put or hit */
	unsigned char sha[32];	/* of the content */
} hc_entry;

_Static_assert(sizeof(hc_entry) == 88, "hc_entry is the on-disk record");

struct df_hashcache {
	char *path, *tmpdir;
	hc_entry *v;
	size_t n, cap;
	uint32_t *slots;	/* entry index + 1; 0 empty */
	size_t nslots;		/* a power of two, at least twice n */
	uint32_t today;
	bool dirty;
	df_hashcache_stats stats;
};

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void sha_to_digest(const unsigned char sha[32], df_digest *out)
{
	static const char hex[] = "0123456789abcdef";
	char *p = out->s;
	memcpy(p, DF_DIGEST_PREFIX, sizeof DF_DIGEST_PREFIX - 1);
	p += sizeof DF_DIGEST_PREFIX - 1;
	for (int i = 0; i < 32; i++) {
		*p++ = hex[sha[i] >> 4];
		*p++ = hex[sha[i] & 15];
	}
	*p = '\0';
}

static int unhex(char c)
{
	return c >= 'a' ? c - 'a' + 10 : c - '0';
}

static void digest_to_sha(const df_digest *d, unsigned char sha[32])
{
	const char *h = df_digest_hex(d);
	for (int i = 0; i < 32; i++)
		sha[i] = (unsigned char)(unhex(h[2 * i]) << 4 | unhex(h[2 * i + 1]));
}

static size_t slot_of(const df_hashcache *hc, uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
	return (size_t)(h ^ (h >> 29)) & (hc->nslots - 1);
}

/* The slot holding (dev, ino), or the empty slot where it would go. */
static size_t find_slot(const df_hashcache *hc, uint64_t dev, uint64_t ino)
{
	size_t i = slot_of(hc, dev, ino);
	while (hc->slots[i]) {
		const hc_entry *e = &hc->v[hc->slots[i] - 1];
		if (e->dev == dev && e->ino == ino)
			break;
		i = (i + 1) & (hc->nslots - 1);
	}
	return i;
}

static void rehash(df_hashcache *hc, size_t want)
{
	size_t ns = 64;
	while (ns < 2 * want)
		ns *= 2;
	free(hc->slots);
	hc->slots = df_xcalloc(ns, sizeof(*hc->slots));
	hc->nslots = ns;
	for (size_t i = 0; i < hc->n; i++)
		hc->slots[find_slot(hc, hc->v[i].dev, hc->v[i].ino)] = (uint32_t)(i + 1);
}

/* Add e, or replace the entry of the same inode when replace is set. */
static void insert(df_hashcache *hc, const hc_entry *e, bool replace)
{
	if (2 * (hc->n + 1) > hc->nslots)
		rehash(hc, hc->n + 1);
	size_t s = find_slot(hc, e->dev, e->ino);
	if (hc->slots[s]) {
		if (replace)
			hc->v[hc->slots[s] - 1] = *e;
		return;
	}
	df_grow((void **)&hc->v, &hc->cap, hc->n + 1, sizeof(*hc->v));
	hc->v[hc->n] = *e;
	hc->slots[s] = (uint32_t)++hc->n;
}

static bool racy(const hc_entry *e)
{
	return e->mtime > e->hashed - DF_HASHCACHE_RACY_NS || e->ctime > e->hashed - DF_HASHCACHE_RACY_NS;
}

/* Read a cache file's entries into *v; false (and nothing) when it is
 * missing or not a complete, intact cache file. */
static bool load(const char *path, hc_entry **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct stat st;
	unsigned char *data = NULL;
	bool ok = false;
	size_t max = HC_HEAD + (size_t)DF_HASHCACHE_MAX_ENTRIES * sizeof(hc_entry) + 32;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < HC_HEAD + 32 || (uint64_t)st.st_size > max)
		goto out;
	size_t len = (size_t)st.st_size, got = 0;
	data = df_xmalloc(len);
	while (got < len) {
		ssize_t r = read(fd, data + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	uint64_t count;
	memcpy(&count, data + HC_MAGIC_LEN, 8);
	if (memcmp(data, HC_MAGIC, HC_MAGIC_LEN) != 0 || count > DF_HASHCACHE_MAX_ENTRIES ||
	    len != HC_HEAD + count * sizeof(hc_entry) + 32)
		goto out;
	df_digest sum;
	unsigned char want[32];
	df_sha256_buf(data, len - 32, &sum);
	digest_to_sha(&sum, want);
	if (memcmp(want, data + len - 32, 32) != 0)
		goto out;
	*n = (size_t)count;
	*v = df_xmalloc(*n ? *n * sizeof(hc_entry) : 1);
	memcpy(*v, data + HC_HEAD, *n * sizeof(hc_entry));
	ok = true;
out:
	free(data);
	close(fd);
	return ok;
}

df_hashcache *df_hashcache_open(const char *path, const char *tmpdir)
{
	df_hashcache *hc = df_xcalloc(1, sizeof(*hc));
	hc->path = df_xstrdup(path);
	hc->tmpdir = df_xstrdup(tmpdir);
	hc->today = (uint32_t)(time(NULL) / 86400);
	hc_entry *v;
	size_t n;
	rehash(hc, 0);
	if (load(path, &v, &n)) {
		rehash(hc, n);
		for (size_t i = 0; i < n; i++)
			insert(hc, &v[i], false);
		free(v);
	}
	return hc;
}

void df_hashcache_free(df_hashcache *hc)
{
	if (!hc)
		return;
	free(hc->path);
	free(hc->tmpdir);
	free(hc->v);
	free(hc->slots);
	free(hc);
}

static void entry_key(hc_entry *e, const struct stat *st)
{
	memset(e, 0, sizeof(*e));
	e->dev = (uint64_t)st->st_dev;
	e->ino = (uint64_t)st->st_ino;
	e->size = (uint64_t)st->st_size;
	e->mtime = ts_ns(&st->st_mtim);
	e->ctime = ts_ns(&st->st_ctim);
	e->mode = (uint32_t)st->st_mode;
}

bool df_hashcache_get(df_hashcache *hc, const struct stat *st, df_digest *content)
{
	hc_entry k;
	entry_key(&k, st);
	size_t s = find_slot(hc, k.dev, k.ino);
	hc_entry *e = hc->slots[s] ? &hc->v[hc->slots[s] - 1] : NULL;
	if (!e || !S_ISREG(st->st_mode) || e->size != k.size || e->mtime != k.mtime || e->ctime != k.ctime ||
	    e->mode != k.mode || racy(e)) {
		hc->stats.misses++;
		return false;
	}
	sha_to_digest(e->sha, content);
	if (e->used != hc->today) {
		e->used = hc->today;
		hc->dirty = true;
	}
	hc->stats.hits++;
	return true;
}

void df_hashcache_put(df_hashcache *hc, const struct stat *st, const df_digest *content,
		      const struct timespec *hashed_at)
{
	if (!S_ISREG(st->st_mode) || !df_digest_set(content))
		return;
	hc_entry e;
	entry_key(&e, st);
	e.hashed = ts_ns(hashed_at);
	e.used = hc->today;
	if (racy(&e)) {
		hc->stats.racy++;
		return;
	}
	digest_to_sha(content, e.sha);
	insert(hc, &e, true);
	hc->dirty = true;
	hc->stats.stored++;
}

static int by_use(const void *a, const void *b)
{
	uint32_t x = ((const hc_entry *)a)->used, y = ((const hc_entry *)b)->used;
	return x > y ? -1 : x < y;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int df_hashcache_save(df_hashcache *hc, df_buf *err)
{
	if (!hc->dirty)
		return 0;
	/* Keep what a concurrent build saved since we loaded, unless we know
	 * better about the same inode. */
	hc_entry *v;
	size_t n;
	if (load(hc->path, &v, &n)) {
		for (size_t i = 0; i < n; i++)
			insert(hc, &v[i], false);
		free(v);
	}
	if (hc->n > DF_HASHCACHE_MAX_ENTRIES) {
		qsort(hc->v, hc->n, sizeof(*hc->v), by_use);
		hc->n = DF_HASHCACHE_MAX_ENTRIES;
		rehash(hc, hc->n);
	}
	df_buf tmp = DF_BUF_INIT;
	df_buf_addf(&tmp, "%s/hashcache-XXXXXX", hc->tmpdir);
	int fd = mkstemp(tmp.buf);
	if (fd < 0) {
		df_buf_addf(err, "cannot create '%s': %s", tmp.buf, strerror(errno));
		df_buf_release(&tmp);
		return -1;
	}
	uint64_t count = hc->n;
	df_sha256 h;
	df_sha256_init(&h);
	df_sha256_update(&h, HC_MAGIC, HC_MAGIC_LEN);
	df_sha256_update(&h, &count, 8);
	df_sha256_update(&h, hc->v, hc->n * sizeof(*hc->v));
	df_digest d;
	df_sha256_final(&h, &d);
	unsigned char sum[32];
	digest_to_sha(&d, sum);
	int rc = 0;
	if (write_all(fd, HC_MAGIC, HC_MAGIC_LEN) < 0 || write_all(fd, &count, 8) < 0 ||
	    write_all(fd, hc->v, hc->n * sizeof(*hc->v)) < 0 || write_all(fd, sum, 32) < 0 ||
	    fchmod(fd, 0644) < 0) {
		df_buf_addf(err, "cannot write '%s': %s", tmp.buf, strerror(errno));
		rc = -1;
	}
	if (close(fd) < 0 && rc == 0) {
		df_buf_addf(err, "cannot write '%s': %s", tmp.buf, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp.buf, hc->path) < 0) {
		df_buf_addf(err, "cannot rename '%s' to '%s': %s", tmp.buf, hc->path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp.buf);
	else
		hc->dirty = false;
	df_buf_release(&tmp);
	return rc;
}

void df_hashcache_stats_get(const df_hashcache *hc, df_hashcache_stats *out)
{
	*out = hc->stats;
	out->entries = hc->n;
}
