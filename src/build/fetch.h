/*
 * fetch.h - ADD <url>: downloading a remote file as the builder's source.
 *
 * The download runs `curl` (no shell, ~/.curlrc ignored): http and https
 * only, redirects included (at most 10), an HTTP error status is a failure.
 * The bytes land in a file of the caller's choosing, created 0600 (the mode
 * Docker gives a downloaded file) and removed again when anything fails;
 * its mtime is the server's Last-Modified when the final response has one,
 * else the epoch. Remote archives are never unpacked: that is the caller's
 * business, and Docker does not do it.
 *
 * The name the file takes in the image (when the destination is a
 * directory) is the last component of the URL's path, percent-decoded, as
 * the Dockerfile reference says ("the filename is inferred from the URL
 * path"); not the path after redirects, not a Content-Disposition header.
 * A URL with no such component (http://example.com/) has no name.
 *
 * Nothing here prints; errors are one line naming the URL.
 */
#ifndef DF_BUILD_FETCH_H
#define DF_BUILD_FETCH_H

#include <stdbool.h>

#include "build/digest.h"
#include "util/buf.h"

/* An http:// or https:// URL that ADD downloads (not a git repository). */
bool df_fetch_is_url(const char *src);

/* An ADD source naming a git repository: git@host:..., git://, ssh://,
 * or an http(s) URL whose path ends in ".git". */
bool df_fetch_is_git(const char *src);

/*
 * The file name Docker gives what url downloads (malloc'd), or NULL when
 * its path has no last component ("/", "", "." or ".."), or it decodes to
 * one holding a NUL byte.
 */
char *df_fetch_name(const char *url);

/*
 * Download url into dest_file (which must not exist). 0 with *digest the
 * sha256 of the bytes and *filename (malloc'd, the caller frees; NULL when
 * the URL names none, see df_fetch_name) set; -1 with one line in err:
 * "ADD <url>: curl is not installed", "ADD <url>: download failed: The
 * requested URL returned error: 404 (curl exit status 22)", ...
 */
int df_fetch_url(const char *url, const char *dest_file, df_digest *digest, char **filename, df_buf *err);

/*
 * ADD --checksum=<checksum>: 0 when checksum is well formed
 * ("sha256:<64 lower-case hex digits>", the only algorithm Docker takes)
 * and, when got is not NULL, equal to it; -1 with one line in err naming
 * the URL and both digests otherwise. Call it with got NULL before the
 * download to fail early on a malformed value.
 */
int df_fetch_verify(const char *url, const char *checksum, const df_digest *got, df_buf *err);

#endif
