/* digest.c - SHA-256 through libcrypto's EVP interface; see digest.h. */
#include "build/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* What df_sha256_file() reads at a time: large enough that the hashing,
 * not the system calls, sets the speed. */
#define FILE_CHUNK (256u << 10)

/* OpenSSL 3 looks the algorithm up on every init unless it is fetched
 * once; context hashing inits once per file, so fetch it once. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256;

static void md_fetch(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_md(void)
{
	pthread_once(&md_once, md_fetch);
	return md_sha256 ? md_sha256 : EVP_sha256();
}

static void to_digest(const unsigned char md[32], df_digest *out)
{
	static const char hex[] = "0123456789abcdef";
	char *p = out->s;
	memcpy(p, DF_DIGEST_PREFIX, sizeof DF_DIGEST_PREFIX - 1);
	p += sizeof DF_DIGEST_PREFIX - 1;
	for (int i = 0; i < 32; i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 15];
	}
	*p = '\0';
}

bool df_digest_parse(df_digest *d, const char *s)
{
	size_t plen = sizeof DF_DIGEST_PREFIX - 1;
	if (strncmp(s, DF_DIGEST_PREFIX, plen) != 0 || strlen(s) != DF_DIGEST_STRLEN)
		return false;
	for (const char *p = s + plen; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	memcpy(d->s, s, DF_DIGEST_STRLEN + 1);
	return true;
}

void df_sha256_init(df_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		df_die_oom();
	if (EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1)
		DF_BUG("libcrypto cannot start a SHA-256 digest");
	h->ctx = ctx;
}

void df_sha256_update(df_sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		DF_BUG("libcrypto SHA-256 update failed");
}

void df_sha256_final(df_sha256 *h, df_digest *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		DF_BUG("libcrypto SHA-256 final failed");
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	to_digest(md, out);
}

void df_sha256_buf(const void *data, size_t len, df_digest *out)
{
	df_sha256 h;
	df_sha256_init(&h);
	df_sha256_update(&h, data, len);
	df_sha256_final(&h, out);
}

int df_sha256_file(const char *path, df_digest *out, uint64_t *size, df_buf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = "Is a directory";
	if (why) {
		df_buf_addf(err, "cannot read '%s': %s", path, why);
		close(fd);
		return -1;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	unsigned char *chunk = df_xmalloc(FILE_CHUNK);
	df_sha256 h;
	df_sha256_init(&h);
	uint64_t total = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, FILE_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		df_sha256_update(&h, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	df_digest d;
	df_sha256_final(&h, &d);
	free(chunk);
	close(fd);
	if (rc == 0) {
		*out = d;
		if (size)
			*size = total;
	}
	return rc;
}
