/*
 * hashcache.h - the content digests of build-context files, remembered by
 * what stat() says about them, so that a rebuild reads only what changed.
 *
 * An entry maps a regular file's (st_dev, st_ino, st_size, st_mtim,
 * st_ctim, st_mode) to the sha256 of its bytes. A file whose stat matches
 * an entry is not read: its digest comes from the cache. Any write to a
 * file moves its mtime and ctime, a chmod or a rename its ctime, a
 * replacement its inode, so a match means the same bytes, with one
 * exception that the cache guards against: a file written again within
 * the same clock tick as it was hashed keeps its times (the racy case git's
 * index knows). So an entry is trusted only when the file's mtime and ctime
 * were at least DF_HASHCACHE_RACY_NS older than the moment its hashing
 * began; a younger one is not stored, and one loaded from disk is ignored.
 *
 * One cache file per store (store.h df_store_hashcache_path()). It is
 * loaded whole at open and written back by df_hashcache_save() when
 * something changed: merged with what another build saved meanwhile (by
 * inode; ours wins), cut to the DF_HASHCACHE_MAX_ENTRIES most recently
 * used, written to a temporary file and renamed over the old one, so
 * concurrent builds each leave a complete file (the last one wins). The
 * file carries its own sha256: a torn, truncated or otherwise corrupt file
 * is ignored as if missing, never trusted. It is not fsynced: losing it
 * costs one re-hash.
 *
 * Ownership: df_hashcache owns its entries and paths; nothing here prints.
 * Not thread-safe: callers on several threads serialize their calls
 * (copy.c's parallel hashing holds a mutex around lookups).
 */
#ifndef DF_BUILD_HASHCACHE_H
#define DF_BUILD_HASHCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "build/digest.h"
#include "util/buf.h"

/* How much older than the start of its hashing a file's mtime and ctime
 * must be for the digest to be trusted: a second covers file systems with
 * one-second time stamps and the coarse clock they take them from. */
#define DF_HASHCACHE_RACY_NS 1000000000LL
/* Entries kept on disk (88 bytes each): the least recently used go. */
#define DF_HASHCACHE_MAX_ENTRIES 200000u

typedef struct df_hashcache df_hashcache;

/* Counters since open, for tests and benchmarks. */
typedef struct df_hashcache_stats {
	size_t hits;		/* lookups answered from the cache */
	size_t misses;		/* lookups that had to read the file */
	size_t stored;		/* digests put and trusted */
	size_t racy;		/* digests put but too young to trust */
	size_t entries;		/* entries held now */
} df_hashcache_stats;

/* Load the cache file at path; temporary files for saving go to tmpdir
 * (on the same file system). A missing, unreadable or corrupt file gives
 * an empty cache: this never fails. */
df_hashcache *df_hashcache_open(const char *path, const char *tmpdir);
void df_hashcache_free(df_hashcache *hc);

/* true and *content (the sha256 of the file's bytes) when st, a stat of a
 * regular file, matches a trusted entry; false otherwise. */
bool df_hashcache_get(df_hashcache *hc, const struct stat *st, df_digest *content);

/* Remember content for the regular file st describes, whose hashing
 * began at *hashed_at (CLOCK_REALTIME, taken before the file was read). A
 * racy entry (above) is not stored. */
void df_hashcache_put(df_hashcache *hc, const struct stat *st, const df_digest *content,
		      const struct timespec *hashed_at);

/* Write the cache back if anything changed since open (see above). 0, or
 * -1 with a message naming the file in err. */
int df_hashcache_save(df_hashcache *hc, df_buf *err);

void df_hashcache_stats_get(const df_hashcache *hc, df_hashcache_stats *out);

#endif
