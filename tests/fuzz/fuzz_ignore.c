/*
 * fuzz_ignore - libFuzzer target for the .dockerignore matcher.
 *
 * The input is a .dockerignore text, then (after a NUL byte, if any) paths
 * to match, one per line. Checks ignore.h's promises, aborting on a
 * violation:
 *  - df_ignore_compile() returns 0 with a matcher, or -1 with no matcher and
 *    one "name:line:col: message" line in err;
 *  - every pattern it keeps is not empty and has no trailing '/' (a lone
 *    "/" aside). Docker's two cleaning passes (the reader's, then the
 *    matcher's after trimming and taking off the '!') can leave a leading
 *    '/' ("/ /x" gives "/x") or a leading "./" ("/!./x" gives the exception
 *    "./x"), so those are allowed;
 *  - matching a path and matching it again give the same answer, and a path
 *    written unclean ("./p", "p/") is judged as its clean form.
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_ignore
 * Run:   tests/fuzz/run.sh SECONDS (after the parser target)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *subject)
{
	fprintf(stderr, "fuzz_ignore: %s: '%s'\n", what, subject ? subject : "");
	abort();
}

static void check_patterns(const df_ignore *m)
{
	for (size_t i = 0; i < df_ignore_count(m); i++) {
		const char *p = df_ignore_pattern(m, i, NULL, NULL);
		size_t n = strlen(p);
		if (n == 0)
			fail("empty pattern", p);
		if (n > 1 && p[n - 1] == '/')
			fail("pattern not clean", p);
	}
}

static void check_path(const df_ignore *m, const char *path)
{
	bool first = df_ignore_match(m, path);
	if (df_ignore_match(m, path) != first)
		fail("two answers for one path", path);
	if (!*path || path[0] == '/' || path[0] == '.' || strchr(path, '\\') || strstr(path, "//") ||
	    path[strlen(path) - 1] == '/')
		return;	/* only simple clean paths get the unclean forms below */
	char buf[4200];
	if (strlen(path) > 4096)
		return;
	snprintf(buf, sizeof(buf), "./%s", path);
	if (df_ignore_match(m, buf) != first)
		fail("'./' changes the answer", path);
	snprintf(buf, sizeof(buf), "%s/", path);
	if (df_ignore_match(m, buf) != first)
		fail("a trailing '/' changes the answer", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	df_ignore *m = NULL;
	df_buf err = DF_BUF_INIT;
	int rc = df_ignore_compile(".dockerignore", text, tlen, &m, &err);
	if (rc == 0) {
		if (!m || err.len)
			fail("success without a matcher or with a message", df_buf_str(&err));
		check_patterns(m);
		/* The paths: the rest of the input, one per line; and a few fixed ones. */
		static const char *const fixed[] = { "a", "a/b", "node_modules/x/y.js", ".git/HEAD", "Dockerfile" };
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			check_path(m, fixed[i]);
		if (nul) {
			const char *p = nul + 1, *end = text + size;
			char line[4097];
			while (p < end) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				size_t n = (size_t)((nl ? nl : end) - p);
				if (n < sizeof(line) && !memchr(p, '\0', n)) {
					memcpy(line, p, n);
					line[n] = '\0';
					check_path(m, line);
				}
				p += n + 1;
			}
		}
		df_ignore_free(m);
	} else {
		if (rc != -1 || m)
			fail("failure with a matcher", NULL);
		const char *msg = df_buf_str(&err);
		if (strncmp(msg, ".dockerignore:", 14) != 0 || strchr(msg, '\n'))
			fail("error message is not one 'name:line:col: message' line", msg);
	}
	df_buf_release(&err);
	return 0;
}
