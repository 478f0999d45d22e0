/*
 * side.c - appending patterns to a build context's ignore file; see side.h.
 */
#include "fix/side.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "context/context.h"
#include "context/ignore.h"
#include "fix/diff.h"
#include "fix/write.h"
#include "util/file.h"
#include "util/util.h"

struct side_file {
	char *path;
	df_buf text;		/* as the commits so far left it */
	bool exists;		/* on disk, or made to by a commit */
};

/* A pattern as the ignore file reader compares it: surrounding white space
 * trimmed, "./" and "/" prefixes and "/" suffixes dropped. */
static void clean(const char *s, size_t n, const char **out, size_t *outn)
{
	while (n && df_is_space((unsigned char)s[0]))
		s++, n--;
	while (n && df_is_space((unsigned char)s[n - 1]))
		n--;
	for (;;) {
		if (n && s[0] == '/')
			s++, n--;
		else if (n >= 2 && s[0] == '.' && s[1] == '/')
			s += 2, n -= 2;
		else
			break;
	}
	while (n > 1 && s[n - 1] == '/')
		n--;
	*out = s;
	*outn = n;
}

void df_side_path(const df_context *ctx, df_buf *out)
{
	df_buf_reset(out);
	if (ctx->ignore_file)
		df_buf_adds(out, ctx->ignore_file);
	else
		df_buf_addf(out, "%s/.dockerignore", ctx->root);
}

bool df_side_has_line(const char *text, size_t len, const char *pattern)
{
	const char *p;
	size_t pn;
	clean(pattern, strlen(pattern), &p, &pn);
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *l;
		size_t ln;
		if (text[at] != '#') {
			clean(text + at, end - at, &l, &ln);
			if (ln == pn && memcmp(l, p, pn) == 0)
				return true;
		}
		at = end + 1;
	}
	return false;
}

size_t df_side_append(const char *text, size_t len, const char *const *lines, size_t n, df_buf *out)
{
	df_buf_reset(out);
	if (len)
		df_buf_add(out, text, len);
	const char *nl = len ? memchr(text, '\n', len) : NULL;
	const char *eol = nl && nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
	size_t added = 0;
	for (size_t i = 0; i < n; i++) {
		/* Checked against what is added so far too: two fixes may
		 * want the same line. */
		if (df_side_has_line(df_buf_str(out), out->len, lines[i]))
			continue;
		if (out->len && out->buf[out->len - 1] != '\n')
			df_buf_adds(out, eol);
		df_buf_adds(out, lines[i]);
		df_buf_adds(out, eol);
		added++;
	}
	return added;
}

void df_side_files_release(df_side_files *sf)
{
	for (size_t i = 0; i < sf->len; i++) {
		free(sf->items[i].path);
		df_buf_release(&sf->items[i].text);
	}
	free(sf->items);
	memset(sf, 0, sizeof(*sf));
}

/* Read path into text; *exists false (and text empty) when it is not there. */
static int load(const char *path, df_buf *text, bool *exists, df_buf *err)
{
	struct stat st;
	df_buf_reset(text);
	*exists = stat(path, &st) == 0;
	if (!*exists) {
		if (errno == ENOENT)
			return 0;
		df_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	return df_read_input(path, DF_IGNORE_MAX_BYTES, text, err);
}

long df_side_commit(df_side_files *sf, const char *path, const char *name, const char *const *lines, size_t n,
		    bool write, df_buf *diff, df_buf *added, df_buf *err)
{
	struct side_file *f = NULL;
	for (size_t i = 0; i < sf->len && !f; i++)
		if (strcmp(sf->items[i].path, path) == 0)
			f = &sf->items[i];
	if (!f) {
		df_grow((void **)&sf->items, &sf->cap, sf->len + 1, sizeof(*sf->items));
		f = &sf->items[sf->len++];
		f->path = df_xstrdup(path);
		df_buf_init(&f->text);
		f->exists = false;
		if (!write && load(path, &f->text, &f->exists, err) < 0) {
			sf->len--;
			free(f->path);
			df_buf_release(&f->text);
			return -1;
		}
	}
	/* Writing: the file as it is now, whatever changed it since. */
	if (write && load(path, &f->text, &f->exists, err) < 0)
		return -1;
	df_buf next = DF_BUF_INIT;
	size_t n_added = df_side_append(df_buf_str(&f->text), f->text.len, lines, n, &next);
	int rc = 0;
	if (!n_added) {
		df_buf_release(&next);
		return 0;
	}
	if (write)
		rc = f->exists ? df_write_atomic(path, df_buf_str(&next), next.len, err)
			       : df_write_create(path, df_buf_str(&next), next.len, 0644, err);
	else
		df_diff_unified(f->exists ? name : NULL, df_buf_str(&f->text), f->text.len, name, df_buf_str(&next),
				next.len, diff);
	if (rc < 0) {
		df_buf_release(&next);
		return -1;
	}
	for (size_t i = 0; added && i < n; i++)
		if (!df_side_has_line(df_buf_str(&f->text), f->text.len, lines[i]) &&
		    !df_side_has_line(df_buf_str(added), added->len, lines[i])) {
			df_buf_adds(added, lines[i]);
			df_buf_addc(added, '\n');
		}
	df_buf_release(&f->text);
	f->text = next;
	f->exists = true;
	return (long)n_added;
}
