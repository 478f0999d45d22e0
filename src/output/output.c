/* output.c - findings as text for people and programs; see output.h. */
#include "output/output.h"
#include "engine/engine.h"
#include "parse/dump.h"
#include "util/util.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOR_EACH_DIAG(files, nfiles, f, i, d)                                   \
	for (size_t f = 0; f < (nfiles); f++)                                   \
		for (size_t i = 0; i < (files)[f].diags->len; i++)              \
			for (const df_diag *d = &(files)[f].diags->items[i]; d; d = NULL)

static cJSON *jstr(const char *s)
{
	cJSON *j = df_dump_json_str((df_str){ s, strlen(s) });
	if (!j)
		df_die_oom();
	return j;
}

static void render_json_tree(cJSON *j, df_buf *out)
{
	df_dump_json_render(j, out);
	cJSON_Delete(j);
}

/* --- tty: lines for people, with optional snippets and colour ------------ */

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_GUTTER "\033[1;34m"

static const char *sgr_severity(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR:
		return "\033[1;31m";
	case DF_SEV_WARNING:
		return "\033[1;33m";
	case DF_SEV_INFO:
		return "\033[1;36m";
	default:
		return "\033[1;35m";
	}
}

static bool is_utf8_cont(unsigned char c)
{
	return c >= 0x80 && c <= 0xbf;
}

/*
 * The character at s[i] (i < n): its length in bytes, and whether it must
 * show as '?' because a terminal would act on it (C0 but tab and, with
 * keep_nl, newline; DEL; C1 as UTF-8 or as a raw byte) or because it is not
 * UTF-8. Every character is one column.
 */
static size_t tty_char(const char *s, size_t n, size_t i, bool keep_nl, bool *replace)
{
	unsigned char c = (unsigned char)s[i];
	*replace = false;
	if (c < 0x80) {
		*replace = (c < 0x20 && c != '\t' && !(keep_nl && c == '\n')) || c == 0x7f;
		return 1;
	}
	size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (!len || i + len > n) {
		*replace = true;
		return 1;
	}
	for (size_t k = 1; k < len; k++)
		if (!is_utf8_cont((unsigned char)s[i + k])) {
			*replace = true;
			return 1;
		}
	*replace = c == 0xc2 && (unsigned char)s[i + 1] <= 0x9f;	/* U+0080..U+009F */
	return len;
}

/* s[0..n) for the terminal: what tty_char() flags shows as '?'. */
static void tty_text(df_buf *out, const char *s, size_t n, bool keep_nl)
{
	size_t run = 0;		/* start of the bytes not yet copied */
	for (size_t i = 0; i < n;) {
		bool replace;
		size_t len = tty_char(s, n, i, keep_nl, &replace);
		if (replace) {
			df_buf_add(out, s + run, i - run);
			df_buf_addc(out, '?');
			run = i + len;
		}
		i += len;
	}
	df_buf_add(out, s + run, n - run);
}

static void tty_str(df_buf *out, const char *s, bool keep_nl)
{
	tty_text(out, s, strlen(s), keep_nl);
}

/* Walks a file's lines forward: findings come sorted by position, so a
 * file's snippets cost one pass over it. */
typedef struct line_cursor {
	const char *src;
	size_t len;
	uint32_t line;		/* the 1-based line starting at off */
	size_t off;
} line_cursor;

/* The bytes of 1-based line (without its "\n" or "\r\n"); false when the
 * file has no such line. */
static bool find_line(line_cursor *c, uint32_t line, size_t *start, size_t *end)
{
	if (!line)
		return false;
	if (line < c->line) {
		c->line = 1;
		c->off = 0;
	}
	while (c->line < line) {
		const char *nl = memchr(c->src + c->off, '\n', c->len - c->off);
		if (!nl)
			return false;
		c->off = (size_t)(nl - c->src) + 1;
		c->line++;
	}
	const char *nl = memchr(c->src + c->off, '\n', c->len - c->off);
	*start = c->off;
	*end = nl ? (size_t)(nl - c->src) : c->len;
	if (*end > *start && c->src[*end - 1] == '\r')
		(*end)--;
	return true;
}

static void tty_gutter(df_buf *out, const df_output_opts *o, int width, uint32_t line, bool text)
{
	if (o->color)
		df_buf_adds(out, SGR_GUTTER);
	if (line)
		df_buf_addf(out, "  %*" PRIu32 " |", width, line);
	else
		df_buf_addf(out, "  %*s |", width, "");
	if (o->color)
		df_buf_adds(out, SGR_RESET);
	if (text)
		df_buf_addc(out, ' ');
}

/* The line d starts on and carets under its span; nothing when the line
 * is not in the source. */
static void tty_snippet(df_buf *out, const df_output_opts *o, const df_diag *d, line_cursor *cur)
{
	size_t ls, le;
	if (!find_line(cur, d->line, &ls, &le))
		return;
	const char *line = cur->src + ls;
	size_t n = le - ls;
	size_t c0 = d->col ? d->col - 1 : 0;
	size_t c1 = d->end_line > d->line ? n : d->end_line == d->line && d->end_col ? d->end_col - 1 : 0;
	if (c0 > n)
		c0 = n;

	/* The shown bytes [ws, we): a window around the span on a long line,
	 * cut on character boundaries. A BOM is not shown and takes no column. */
	size_t ws = 0, we = n;
	if (n >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
		ws = 3;
	if (n > DF_OUTPUT_SNIPPET_MAX) {
		if (c0 > ws + DF_OUTPUT_SNIPPET_BEFORE)
			ws = c0 - DF_OUTPUT_SNIPPET_BEFORE;
		while (ws > 0 && is_utf8_cont((unsigned char)line[ws]))
			ws--;
		if (ws + DF_OUTPUT_SNIPPET_WINDOW < n) {
			we = ws + DF_OUTPUT_SNIPPET_WINDOW;
			while (we > ws && is_utf8_cont((unsigned char)line[we]))
				we--;
		}
	}
	bool cut_left = ws > 0 && !(ws == 3 && !memcmp(line, "\xef\xbb\xbf", 3));
	bool cut_right = we < n;
	if (c0 < ws)
		c0 = ws;
	if (c0 > we)
		c0 = we;
	if (c1 > we)
		c1 = we;

	int width = snprintf(NULL, 0, "%" PRIu32, d->line);
	tty_gutter(out, o, width, d->line, we > ws || cut_left || cut_right);
	if (cut_left)
		df_buf_adds(out, "...");
	tty_text(out, line + ws, we - ws, false);
	if (cut_right)
		df_buf_adds(out, "...");
	df_buf_addc(out, '\n');

	tty_gutter(out, o, width, 0, true);
	if (cut_left)
		df_buf_adds(out, "   ");
	bool replace;
	for (size_t i = ws; i < c0; i += tty_char(line, we, i, false, &replace))
		df_buf_addc(out, line[i] == '\t' ? '\t' : ' ');
	if (o->color)
		df_buf_adds(out, sgr_severity(d->severity));
	size_t carets = 0;
	for (size_t i = c0; i < c1; i += tty_char(line, we, i, false, &replace))
		carets++;
	if (!carets)
		carets = 1;	/* an empty span, or one at the end of the line */
	for (size_t k = 0; k < carets; k++)
		df_buf_addc(out, '^');
	if (o->color)
		df_buf_adds(out, SGR_RESET);
	df_buf_adds(out, "\n\n");
}

static void tty_summary(df_buf *out, const df_output_opts *o, const df_file_findings *files, size_t nfiles)
{
	static const char *const names[][2] = {
		{ "error", "errors" }, { "warning", "warnings" }, { "info", "info" }, { "style", "style" },
	};
	size_t counts[4] = { 0 }, total = 0, nwith = 0;
	for (size_t f = 0; f < nfiles; f++) {
		nwith += files[f].diags->len > 0;
		for (size_t i = 0; i < files[f].diags->len; i++) {
			df_severity s = files[f].diags->items[i].severity;
			if ((size_t)s < 4)
				counts[s]++;
			total++;
		}
	}
	if (!total)
		return;
	if (o->color)
		df_buf_adds(out, SGR_BOLD);
	df_buf_addf(out, "%zu finding%s (", total, total == 1 ? "" : "s");
	const char *sep = "";
	for (size_t s = 0; s < 4; s++)
		if (counts[s]) {
			df_buf_addf(out, "%s%zu %s", sep, counts[s], names[s][counts[s] != 1]);
			sep = ", ";
		}
	df_buf_addf(out, ") in %zu file%s", nwith, nwith == 1 ? "" : "s");
	if (o->color)
		df_buf_adds(out, SGR_RESET);
	df_buf_addc(out, '\n');
}

static void render_tty_opts(const df_file_findings *files, size_t nfiles, const df_output_opts *o, df_buf *out)
{
	for (size_t f = 0; f < nfiles; f++) {
		line_cursor cur = { files[f].source, files[f].source_len, 1, 0 };
		for (size_t i = 0; i < files[f].diags->len; i++) {
			const df_diag *d = &files[f].diags->items[i];
			tty_str(out, files[f].file, false);
			df_buf_addf(out, ":%u:%u ", d->line, d->col);
			if (o->color)
				df_buf_addf(out, SGR_BOLD "%s" SGR_RESET " %s%s" SGR_RESET ": ", d->code,
					    sgr_severity(d->severity), df_severity_name(d->severity));
			else
				df_buf_addf(out, "%s %s: ", d->code, df_severity_name(d->severity));
			tty_str(out, d->message, true);
			df_buf_addc(out, '\n');
			if (o->snippets && files[f].source)
				tty_snippet(out, o, d, &cur);
		}
	}
	if (o->summary)
		tty_summary(out, o, files, nfiles);
}

static void render_tty(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	static const df_output_opts plain;
	render_tty_opts(files, nfiles, &plain, out);
}

static void render_json(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t f = 0; f < nfiles; f++)
		for (size_t i = 0; i < files[f].diags->len; i++) {
			const df_diag *d = &files[f].diags->items[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "code", d->code);
			cJSON_AddNumberToObject(o, "column", d->col);
			cJSON_AddNumberToObject(o, "end_column", d->end_col);
			cJSON_AddNumberToObject(o, "end_line", d->end_line);
			cJSON_AddItemToObject(o, "file", df_dump_json_str((df_str){ files[f].file, strlen(files[f].file) }));
			/* Whether --fix can act on it: the rule's fix kind (none for
			 * parse errors and ShellCheck's codes). */
			const df_rule *r = df_rule_find(d->code);
			cJSON_AddStringToObject(o, "fix", df_fix_kind_name(r ? r->fix : DF_FIX_NONE));
			cJSON_AddStringToObject(o, "level", df_severity_name(d->severity));
			cJSON_AddNumberToObject(o, "line", d->line);
			cJSON_AddItemToObject(o, "message", df_dump_json_str((df_str){ d->message, strlen(d->message) }));
			cJSON_AddItemToArray(arr, o);
		}
	char *s = cJSON_PrintUnformatted(arr);
	df_buf_adds(out, s);
	df_buf_addc(out, '\n');
	cJSON_free(s);
	cJSON_Delete(arr);
}

/* --- SARIF 2.1.0 ------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *sarif_level(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR: return "error";
	case DF_SEV_WARNING: return "warning";
	default: return "note";
	}
}

static cJSON *sarif_rule(const char *code)
{
	const df_rule *r = df_rule_find(code);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", code);
	cJSON_AddStringToObject(o, "name", r && r->name ? r->name : code);
	cJSON *sd = cJSON_AddObjectToObject(o, "shortDescription");
	cJSON_AddStringToObject(sd, "text", r && r->message ? r->message : code);
	cJSON *fd = cJSON_AddObjectToObject(o, "fullDescription");
	cJSON_AddStringToObject(fd, "text", r && r->docs.what ? r->docs.what : r && r->message ? r->message : code);
	/* SC codes are ShellCheck's (no df_rule): its wiki documents them. */
	bool sc = !strncmp(code, "SC", 2);
	if (!strncmp(code, "DL", 2) || sc) {
		df_buf u = DF_BUF_INIT;
		df_buf_addf(&u, sc ? "https://www.shellcheck.net/wiki/%s" : "https://github.com/hadolint/hadolint/wiki/%s",
			    code);
		cJSON_AddStringToObject(o, "helpUri", df_buf_str(&u));
		df_buf_release(&u);
	}
	return o;
}

static void render_sarif(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	size_t n = 0;
	FOR_EACH_DIAG(files, nfiles, f, i, d)
		n++;
	const char **codes = calloc(n ? n : 1, sizeof(*codes));
	if (!codes)
		df_die_oom();
	size_t ncodes = 0;
	FOR_EACH_DIAG(files, nfiles, f, i, d)
		codes[ncodes++] = d->code;
	qsort(codes, ncodes, sizeof(*codes), cmp_str);
	size_t u = 0;
	for (size_t k = 0; k < ncodes; k++)
		if (!u || strcmp(codes[u - 1], codes[k]))
			codes[u++] = codes[k];
	ncodes = u;

	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(root, "version", "2.1.0");
	cJSON *runs = cJSON_AddArrayToObject(root, "runs");
	cJSON *run = cJSON_CreateObject();
	cJSON_AddItemToArray(runs, run);
	cJSON *tool = cJSON_AddObjectToObject(run, "tool");
	cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
	cJSON_AddStringToObject(driver, "name", "dfopt");
	cJSON_AddStringToObject(driver, "informationUri", "https://github.com/hadolint/hadolint");
	cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
	for (size_t k = 0; k < ncodes; k++)
		cJSON_AddItemToArray(rules, sarif_rule(codes[k]));
	cJSON *results = cJSON_AddArrayToObject(run, "results");
	FOR_EACH_DIAG(files, nfiles, f, i, d) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "ruleId", d->code);
		const char **hit = bsearch(&d->code, codes, ncodes, sizeof(*codes), cmp_str);
		cJSON_AddNumberToObject(r, "ruleIndex", (double)(hit - codes));
		cJSON_AddStringToObject(r, "level", sarif_level(d->severity));
		cJSON *msg = cJSON_AddObjectToObject(r, "message");
		cJSON_AddItemToObject(msg, "text", jstr(d->message));
		cJSON *locs = cJSON_AddArrayToObject(r, "locations");
		cJSON *loc = cJSON_CreateObject();
		cJSON_AddItemToArray(locs, loc);
		cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
		cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
		cJSON_AddItemToObject(art, "uri", jstr(files[f].file));
		cJSON *reg = cJSON_AddObjectToObject(phys, "region");
		cJSON_AddNumberToObject(reg, "startLine", d->line);
		cJSON_AddNumberToObject(reg, "startColumn", d->col);
		cJSON_AddNumberToObject(reg, "endLine", d->end_line);
		cJSON_AddNumberToObject(reg, "endColumn", d->end_col);
		cJSON_AddItemToArray(results, r);
	}
	free(codes);
	render_json_tree(root, out);
}

/* --- XML: checkstyle, junit ---------------------------------------------- */

/* s escaped for XML text and attributes; control characters XML 1.0 cannot
 * carry become '?'. */
static void xml_esc(df_buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': df_buf_adds(out, "&amp;"); break;
		case '<': df_buf_adds(out, "&lt;"); break;
		case '>': df_buf_adds(out, "&gt;"); break;
		case '"': df_buf_adds(out, "&quot;"); break;
		case '\'': df_buf_adds(out, "&apos;"); break;
		case '\n': df_buf_adds(out, "&#10;"); break;
		case '\r': df_buf_adds(out, "&#13;"); break;
		case '\t': df_buf_adds(out, "&#9;"); break;
		default: df_buf_addc(out, *p < 0x20 ? '?' : (char)*p); break;
		}
	}
}

static const char *checkstyle_severity(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR: return "error";
	case DF_SEV_WARNING: return "warning";
	default: return "info";
	}
}

static void render_checkstyle(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	df_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
	for (size_t f = 0; f < nfiles; f++) {
		df_buf_adds(out, "  <file name=\"");
		xml_esc(out, files[f].file);
		df_buf_adds(out, "\">\n");
		for (size_t i = 0; i < files[f].diags->len; i++) {
			const df_diag *d = &files[f].diags->items[i];
			df_buf_addf(out, "    <error line=\"%u\" column=\"%u\" severity=\"%s\" message=\"", d->line,
				    d->col, checkstyle_severity(d->severity));
			xml_esc(out, d->message);
			df_buf_adds(out, "\" source=\"dfopt.");
			xml_esc(out, d->code);
			df_buf_adds(out, "\"/>\n");
		}
		df_buf_adds(out, "  </file>\n");
	}
	df_buf_adds(out, "</checkstyle>\n");
}

static void render_junit(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	size_t total = 0;
	for (size_t f = 0; f < nfiles; f++)
		total += files[f].diags->len;
	df_buf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"dfopt\" tests=\"%zu\" failures=\"%zu\">\n", total, total);
	for (size_t f = 0; f < nfiles; f++) {
		size_t n = files[f].diags->len;
		df_buf_adds(out, "  <testsuite name=\"");
		xml_esc(out, files[f].file);
		df_buf_addf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", n, n);
		for (size_t i = 0; i < n; i++) {
			const df_diag *d = &files[f].diags->items[i];
			df_buf_adds(out, "    <testcase name=\"");
			xml_esc(out, d->code);
			df_buf_addf(out, " %u:%u\" classname=\"", d->line, d->col);
			xml_esc(out, files[f].file);
			df_buf_adds(out, "\">\n      <failure message=\"");
			xml_esc(out, d->message);
			df_buf_addf(out, "\" type=\"%s\">", df_severity_name(d->severity));
			xml_esc(out, files[f].file);
			df_buf_addf(out, ":%u:%u ", d->line, d->col);
			xml_esc(out, d->code);
			df_buf_adds(out, " ");
			xml_esc(out, d->message);
			df_buf_adds(out, "</failure>\n    </testcase>\n");
		}
		df_buf_adds(out, "  </testsuite>\n");
	}
	df_buf_adds(out, "</testsuites>\n");
}

/* --- gnu, github --------------------------------------------------------- */

static void render_gnu(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	FOR_EACH_DIAG(files, nfiles, f, i, d) {
		df_buf_addf(out, "%s:%u.%u-%u.%u: %s: %s ", files[f].file, d->line, d->col, d->end_line,
			    d->end_col, df_severity_name(d->severity), d->code);
		/* One line per finding: line breaks in the message become spaces. */
		for (const char *p = d->message; *p; p++)
			df_buf_addc(out, *p == '\n' || *p == '\r' ? ' ' : *p);
		df_buf_addc(out, '\n');
	}
}

static void gh_esc(df_buf *out, const char *s, bool property)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '%': df_buf_adds(out, "%25"); break;
		case '\r': df_buf_adds(out, "%0D"); break;
		case '\n': df_buf_adds(out, "%0A"); break;
		case ':': property ? df_buf_adds(out, "%3A") : df_buf_addc(out, *p); break;
		case ',': property ? df_buf_adds(out, "%2C") : df_buf_addc(out, *p); break;
		default: df_buf_addc(out, *p); break;
		}
	}
}

static void render_github(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	FOR_EACH_DIAG(files, nfiles, f, i, d) {
		const char *cmd = d->severity == DF_SEV_ERROR ? "error"
				  : d->severity == DF_SEV_WARNING ? "warning" : "notice";
		df_buf_addf(out, "::%s file=", cmd);
		gh_esc(out, files[f].file, true);
		df_buf_addf(out, ",line=%u,col=%u,endLine=%u,endColumn=%u,title=", d->line, d->col, d->end_line,
			    d->end_col);
		gh_esc(out, d->code, true);
		df_buf_adds(out, "::");
		gh_esc(out, d->message, false);
		df_buf_addc(out, '\n');
	}
}

/* --- Code Climate, GitLab, SonarQube, Codacy ----------------------------- */

/* FNV-1a, 64 bits, over file, code, line and message (NUL-separated). */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

static void fingerprint(const char *file, const df_diag *d, char hex[17])
{
	char line[16];
	snprintf(line, sizeof(line), "%u", d->line);
	const char *parts[] = { file, d->code, line, d->message };
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	for (size_t k = 0; k < 4; k++)
		h = fnv1a(h, parts[k], strlen(parts[k]) + 1);
	snprintf(hex, 17, "%016" PRIx64, h);
}

static void render_codeclimate(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	cJSON *arr = cJSON_CreateArray();
	FOR_EACH_DIAG(files, nfiles, f, i, d) {
		bool risk = d->severity == DF_SEV_ERROR || d->severity == DF_SEV_WARNING;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "issue");
		cJSON_AddStringToObject(o, "check_name", d->code);
		cJSON_AddItemToObject(o, "description", jstr(d->message));
		cJSON *cats = cJSON_AddArrayToObject(o, "categories");
		cJSON_AddItemToArray(cats, cJSON_CreateString(risk ? "Bug Risk" : "Style"));
		cJSON *loc = cJSON_AddObjectToObject(o, "location");
		cJSON_AddItemToObject(loc, "path", jstr(files[f].file));
		cJSON *lines = cJSON_AddObjectToObject(loc, "lines");
		cJSON_AddNumberToObject(lines, "begin", d->line);
		cJSON_AddNumberToObject(lines, "end", d->end_line);
		cJSON_AddStringToObject(o, "severity", d->severity == DF_SEV_ERROR ? "major"
						       : d->severity == DF_SEV_WARNING ? "minor" : "info");
		char hex[17];
		fingerprint(files[f].file, d, hex);
		cJSON_AddStringToObject(o, "fingerprint", hex);
		cJSON_AddItemToArray(arr, o);
	}
	render_json_tree(arr, out);
}

static const char *sonar_severity(df_severity s)
{
	switch (s) {
	case DF_SEV_ERROR: return "CRITICAL";
	case DF_SEV_WARNING: return "MAJOR";
	case DF_SEV_INFO: return "MINOR";
	default: return "INFO";
	}
}

static void render_sonarqube(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *issues = cJSON_AddArrayToObject(root, "issues");
	FOR_EACH_DIAG(files, nfiles, f, i, d) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "engineId", "dfopt");
		cJSON_AddStringToObject(o, "ruleId", d->code);
		cJSON_AddStringToObject(o, "severity", sonar_severity(d->severity));
		cJSON_AddStringToObject(o, "type", "CODE_SMELL");
		cJSON *pl = cJSON_AddObjectToObject(o, "primaryLocation");
		cJSON_AddItemToObject(pl, "message", jstr(d->message));
		cJSON_AddItemToObject(pl, "filePath", jstr(files[f].file));
		cJSON *tr = cJSON_AddObjectToObject(pl, "textRange");
		cJSON_AddNumberToObject(tr, "startLine", d->line);
		cJSON_AddNumberToObject(tr, "endLine", d->end_line);
		/* Sonar columns are 0-based; end_col is exclusive either way. */
		cJSON_AddNumberToObject(tr, "startColumn", d->col ? d->col - 1 : 0);
		cJSON_AddNumberToObject(tr, "endColumn", d->end_col ? d->end_col - 1 : 0);
		cJSON_AddItemToArray(issues, o);
	}
	render_json_tree(root, out);
}

static void render_codacy(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	FOR_EACH_DIAG(files, nfiles, f, i, d) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "filename", jstr(files[f].file));
		cJSON_AddStringToObject(o, "patternId", d->code);
		cJSON_AddItemToObject(o, "message", jstr(d->message));
		cJSON_AddNumberToObject(o, "line", d->line);
		char *s = cJSON_PrintUnformatted(o);
		if (!s)
			df_die_oom();
		df_buf_adds(out, s);
		df_buf_addc(out, '\n');
		cJSON_free(s);
		cJSON_Delete(o);
	}
}

typedef struct out_format {
	const char *name;
	void (*render)(const df_file_findings *files, size_t nfiles, df_buf *out);
} out_format;

static const out_format formats[] = {
	{ "tty", render_tty },
	{ "json", render_json },
	{ "sarif", render_sarif },
	{ "checkstyle", render_checkstyle },
	{ "gnu", render_gnu },
	{ "codeclimate", render_codeclimate },
	{ "gitlab_codeclimate", render_codeclimate },
	{ "github", render_github },
	{ "junit", render_junit },
	{ "sonarqube", render_sonarqube },
	{ "codacy", render_codacy },
};

static const out_format *find_format(const char *name)
{
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++)
		if (!strcmp(formats[k].name, name))
			return &formats[k];
	return NULL;
}

bool df_output_known(const char *format)
{
	return find_format(format) != NULL;
}

int df_output_render_opts(const char *format, const df_file_findings *files, size_t nfiles,
			  const df_output_opts *opts, df_buf *out)
{
	const out_format *fmt = find_format(format);
	if (!fmt)
		return -1;
	/* tty is the one format with options; the table keeps one signature. */
	if (fmt->render == render_tty && opts)
		render_tty_opts(files, nfiles, opts, out);
	else
		fmt->render(files, nfiles, out);
	return 0;
}

int df_output_render(const char *format, const df_file_findings *files, size_t nfiles, df_buf *out)
{
	return df_output_render_opts(format, files, nfiles, NULL, out);
}
