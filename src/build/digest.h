/*
 * digest.h - SHA-256 digests in the OCI spelling ("sha256:<64 hex>").
 *
 * Everything the builder names by content (blobs, diffIDs, cache keys,
 * context checksums) is one of these. Backed by libcrypto's EVP interface,
 * which uses the CPU's SHA extensions where present.
 */
#ifndef DF_BUILD_DIGEST_H
#define DF_BUILD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define DF_DIGEST_PREFIX "sha256:"
#define DF_DIGEST_STRLEN 71	/* "sha256:" + 64 hex digits */

typedef struct df_digest {
	char s[DF_DIGEST_STRLEN + 1];	/* NUL-terminated; "" when unset */
} df_digest;

/* The 64 hex digits without the algorithm prefix. */
static inline const char *df_digest_hex(const df_digest *d)
{
	return d->s + sizeof DF_DIGEST_PREFIX - 1;
}
static inline bool df_digest_set(const df_digest *d)
{
	return d->s[0] != '\0';
}

/* Parse "sha256:<64 lower-case hex>" (exactly); false otherwise. */
bool df_digest_parse(df_digest *d, const char *s);

/* Incremental hashing. df_sha256_init() cannot fail short of memory
 * exhaustion, which aborts like the rest of dfopt's allocations. */
typedef struct df_sha256 {
	void *ctx;	/* EVP_MD_CTX */
} df_sha256;

void df_sha256_init(df_sha256 *h);
void df_sha256_update(df_sha256 *h, const void *data, size_t len);
/* Write the digest and free the context. */
void df_sha256_final(df_sha256 *h, df_digest *out);

void df_sha256_buf(const void *data, size_t len, df_digest *out);
/* Hash a file's bytes; *size (may be NULL) gets its length. -1 with a
 * message naming the file in err. */
int df_sha256_file(const char *path, df_digest *out, uint64_t *size, df_buf *err);

#endif
