/*
 * fetch.c - ADD <url> downloads through curl; see fetch.h.
 *
 * curl rather than libcurl: it is on every machine that would build
 * images, brings its own TLS and proxy handling (http_proxy, https_proxy,
 * no_proxy from the environment), and keeps dfopt's link line short. It is
 * spawned directly (posix_spawnp, no shell), its stderr read through a pipe
 * for the one line that says what went wrong.
 */
#include "build/fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/file.h"
#include "util/util.h"

extern char **environ;

/* What is kept of curl's stderr, and of the response headers read back. */
#define FETCH_MAX_STDERR 4096
#define FETCH_MAX_HEADERS (1u << 20)

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The path of an http(s) URL: from the first '/' after the host to the
 * query or fragment; *n its length. */
static const char *url_path(const char *url, size_t *n)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	*n = *p == '/' ? strcspn(p, "?#") : 0;
	return p;
}

bool df_fetch_is_git(const char *src)
{
	if (has_prefix(src, "git@") || has_prefix(src, "git://") || has_prefix(src, "ssh://") ||
	    has_prefix(src, "github.com/"))
		return true;
	if (!has_prefix(src, "http://") && !has_prefix(src, "https://"))
		return false;
	size_t n;
	const char *path = url_path(src, &n);
	while (n && path[n - 1] == '/')
		n--;
	return n >= 4 && memcmp(path + n - 4, ".git", 4) == 0;
}

bool df_fetch_is_url(const char *src)
{
	return (has_prefix(src, "http://") || has_prefix(src, "https://")) && !df_fetch_is_git(src);
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)df_to_lower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *df_fetch_name(const char *url)
{
	size_t n;
	const char *path = url_path(url, &n);
	/* Decoded first, then split, as Go's url.Parse and path.Base do: an
	 * escaped '/' separates too. A malformed escape stays as written. */
	df_buf dec = DF_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (path[i] == '%' && i + 2 < n && (hi = hex_val(path[i + 1])) >= 0 &&
		    (lo = hex_val(path[i + 2])) >= 0) {
			char c = (char)(hi * 16 + lo);
			if (c == '\0') {
				df_buf_release(&dec);
				return NULL;
			}
			df_buf_addc(&dec, c);
			i += 2;
		} else {
			df_buf_addc(&dec, path[i]);
		}
	}
	const char *s = df_buf_str(&dec);
	size_t len = dec.len;
	while (len && s[len - 1] == '/')
		len--;
	size_t start = len;
	while (start && s[start - 1] != '/')
		start--;
	char *name = NULL;
	size_t nl = len - start;
	if (nl && !(nl == 1 && s[start] == '.') && !(nl == 2 && s[start] == '.' && s[start + 1] == '.'))
		name = df_xstrndup(s + start, nl);
	df_buf_release(&dec);
	return name;
}

/* The last non-empty line of curl's stderr, without its "curl: (N) " lead. */
static void curl_reason(const df_buf *text, df_buf *out)
{
	const char *s = df_buf_str(text);
	size_t end = text->len;
	while (end && (s[end - 1] == '\n' || s[end - 1] == '\r' || s[end - 1] == ' '))
		end--;
	size_t start = end;
	while (start && s[start - 1] != '\n')
		start--;
	const char *line = s + start;
	size_t n = end - start;
	if (n >= 6 && !memcmp(line, "curl: ", 6)) {
		line += 6;
		n -= 6;
	}
	if (n && line[0] == '(') {
		const char *close = memchr(line, ')', n);
		if (close && (size_t)(close - line) + 2 <= n && close[1] == ' ') {
			n -= (size_t)(close + 2 - line);
			line = close + 2;
		}
	}
	for (size_t i = 0; i < n; i++)
		df_buf_addc(out, (line[i] >= ' ' && line[i] != 0x7f) ? line[i] : '?');
}

/* Run curl; 0 when it exited 0, else -1 with the reason in err. */
static int run_curl(const char *url, const char *file, const char *headers, df_buf *err)
{
	const char *argv[] = {
		"curl", "-q", "-fsSL", "--proto", "=http,https", "--proto-redir", "=http,https",
		"--max-redirs", "10", "-D", headers, "-o", file, url, NULL,
	};
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		df_buf_addf(err, "ADD %s: pipe: %s", url, strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
	pid_t pid;
	int rc = posix_spawnp(&pid, "curl", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		if (rc == ENOENT)
			df_buf_addf(err, "ADD %s: curl is not installed", url);
		else
			df_buf_addf(err, "ADD %s: cannot run curl: %s", url, strerror(rc));
		return -1;
	}
	/* Read to the end (so curl never blocks on a full pipe), keep the start. */
	df_buf text = DF_BUF_INIT;
	char chunk[1024];
	for (;;) {
		ssize_t r = read(pfd[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (text.len < FETCH_MAX_STDERR)
			df_buf_add(&text, chunk, (size_t)r);
	}
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			df_buf_addf(err, "ADD %s: waiting for curl: %s", url, strerror(errno));
			df_buf_release(&text);
			return -1;
		}
	rc = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && text.len == 0) {
		/* POSIX lets posix_spawnp report a failed exec this way rather
		 * than by its return value (glibc does under valgrind, for one);
		 * curl's own exit statuses stop far below 127. */
		df_buf_addf(err, "ADD %s: curl is not installed", url);
		rc = -1;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		df_buf why = DF_BUF_INIT;
		curl_reason(&text, &why);
		df_buf_addf(err, "ADD %s: download failed: %s", url, why.len ? df_buf_str(&why) : "no reason given");
		if (WIFEXITED(status))
			df_buf_addf(err, " (curl exit status %d)", WEXITSTATUS(status));
		else
			df_buf_addf(err, " (curl killed by signal %d)", WTERMSIG(status));
		df_buf_release(&why);
		rc = -1;
	}
	df_buf_release(&text);
	return rc;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110's preferred form); -1 if not. */
static time_t http_date(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%*3s, %d %3s %d %d:%d:%d", &tm.tm_mday, mon, &tm.tm_year, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec) != 6)
		return -1;
	const char *m = strstr(months, mon);
	if (!m || strlen(mon) != 3 || (m - months) % 3)
		return -1;
	tm.tm_mon = (int)((m - months) / 3);
	tm.tm_year -= 1900;
	return timegm(&tm);
}

/* The Last-Modified of the last response in a curl -D dump (redirects
 * come first, each starting with its status line), or -1. */
static time_t last_modified(const char *headers)
{
	df_buf text = DF_BUF_INIT, e = DF_BUF_INIT;
	time_t t = -1;
	if (df_read_input(headers, FETCH_MAX_HEADERS, &text, &e) == 0) {
		const char *s = df_buf_str(&text);
		while (*s) {
			size_t n = strcspn(s, "\n");
			if (n >= 5 && !memcmp(s, "HTTP/", 5))
				t = -1;
			else if (n > 14 && !strncasecmp(s, "last-modified:", 14)) {
				char *v = df_xstrndup(s + 14, n - 14);
				t = http_date(v + strspn(v, " \t"));
				free(v);
			}
			s += n + (s[n] == '\n');
		}
	}
	df_buf_release(&text);
	df_buf_release(&e);
	return t;
}

int df_fetch_url(const char *url, const char *dest_file, df_digest *digest, char **filename, df_buf *err)
{
	*filename = NULL;
	/* Made 0600 first: curl writes into the existing file and keeps it. */
	int fd = open(dest_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		df_buf_addf(err, "ADD %s: cannot create '%s': %s", url, dest_file, strerror(errno));
		return -1;
	}
	close(fd);
	df_buf headers = DF_BUF_INIT;
	df_buf_addf(&headers, "%s.headers", dest_file);
	int rc = run_curl(url, dest_file, df_buf_str(&headers), err);
	if (rc == 0 && chmod(dest_file, 0600) < 0) {
		df_buf_addf(err, "ADD %s: chmod '%s': %s", url, dest_file, strerror(errno));
		rc = -1;
	}
	if (rc == 0) {
		time_t t = last_modified(df_buf_str(&headers));
		struct timespec ts[2] = { { .tv_sec = t < 0 ? 0 : t }, { .tv_sec = t < 0 ? 0 : t } };
		if (utimensat(AT_FDCWD, dest_file, ts, 0) < 0) {
			df_buf_addf(err, "ADD %s: setting the mtime of '%s': %s", url, dest_file, strerror(errno));
			rc = -1;
		}
	}
	if (rc == 0) {
		df_buf e = DF_BUF_INIT;
		rc = df_sha256_file(dest_file, digest, NULL, &e);
		if (rc < 0)
			df_buf_addf(err, "ADD %s: %s", url, df_buf_str(&e));
		df_buf_release(&e);
	}
	unlink(df_buf_str(&headers));
	df_buf_release(&headers);
	if (rc < 0) {
		unlink(dest_file);
		return -1;
	}
	*filename = df_fetch_name(url);
	return 0;
}

int df_fetch_verify(const char *url, const char *checksum, const df_digest *got, df_buf *err)
{
	df_digest want;
	if (!df_digest_parse(&want, checksum)) {
		df_buf_addf(err, "ADD --checksum=%s: not a digest: expected sha256:<64 lower-case hex digits>",
			    checksum);
		return -1;
	}
	if (got && strcmp(want.s, got->s) != 0) {
		df_buf_addf(err, "ADD %s: checksum mismatch: expected %s, got %s", url, want.s, got->s);
		return -1;
	}
	return 0;
}
