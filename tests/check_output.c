/*
 * check_output.c - every output format over a fixed set of findings.
 *
 * Two files' findings (one message carries quotes, <, >, &, %, ':', ',' and
 * a newline; one file name carries ':' and ',') are rendered in each format
 * and compared with fixtures/output/<format>.golden; DFOPT_BLESS=1 rewrites
 * the golden files. JSON formats must parse back with cJSON; XML formats must
 * be well-formed (balanced tags, quoted attributes, escaped text); github
 * lines must read back through the runner's workflow command grammar, every
 * escaped file name, title and message round-tripping.
 *
 * The files carry their source, which only the tty options use: snippets
 * (tabs, UTF-8, CRLF, an escape sequence, a span running over two lines) and
 * colour have goldens of their own, fixtures/output/tty-<variant>.golden.
 */
#include <cjson/cJSON.h>
#include <ctype.h>

#include "output/output.h"
#include "testutil.h"

static const char *const formats[] = {
	"tty", "json", "sarif", "checkstyle", "gnu", "codeclimate", "gitlab_codeclimate",
	"github", "junit", "sonarqube", "codacy",
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static df_diags diags_a, diags_b, diags_none;
static df_file_findings files[3];

/* The sources the findings point into. */
static const char source_a[] =
	"FORM alpine\n"
	"FROM alpine:3.20\n"
	"RUN cd dir && make\n"
	"RUN\tapt -y curl \\\n"
	"  && true\n";
static const char source_b[] =
	"# syntax=docker/dockerfile:1\r\n"
	"FROM ubuntu # \033[2J\r\n"
	"\r\n"
	"\r\n"
	"\r\n"
	"\r\n"
	"RUN \xc3\xa9&& cd /ab\r\n";

static void setup(void)
{
	df_diags_init(&diags_a);
	df_diags_init(&diags_b);
	df_diags_init(&diags_none);
	df_diags_add(&diags_a, DF_SEV_ERROR, "DL1000", 1, 1, 1, 5, "unexpected 'FORM'");
	df_diags_add(&diags_a, DF_SEV_WARNING, "DL3003", 3, 5, 3, 11, "use WORKDIR to switch to a directory");
	df_diags_add(&diags_a, DF_SEV_INFO, "DL3008", 4, 12, 5, 3,
		     "pin \"curl\" <version> & 100%% sure: a, b\nsecond line");
	df_diags_add(&diags_b, DF_SEV_STYLE, "DL3006", 2, 1, 2, 12, "always tag the image 'ubuntu'");
	df_diags_add(&diags_b, DF_SEV_WARNING, "DL3003", 7, 10, 7, 16, "use WORKDIR to switch to a directory");
	files[0] = (df_file_findings){ "Dockerfile", &diags_a, source_a, sizeof(source_a) - 1 };
	files[1] = (df_file_findings){ "svc/a:b,c.Dockerfile", &diags_b, source_b, sizeof(source_b) - 1 };
	files[2] = (df_file_findings){ "clean.Dockerfile", &diags_none, NULL, 0 };
}

static void teardown(void)
{
	df_diags_release(&diags_a);
	df_diags_release(&diags_b);
	df_diags_release(&diags_none);
}

static bool is_json(const char *f)
{
	return !strcmp(f, "json") || !strcmp(f, "sarif") || !strcmp(f, "codeclimate") ||
	       !strcmp(f, "gitlab_codeclimate") || !strcmp(f, "sonarqube");
}

static bool is_xml(const char *f)
{
	return !strcmp(f, "checkstyle") || !strcmp(f, "junit");
}

/* An entity at p ("&amp;" ...); its length or 0. */
static size_t xml_entity(const char *p)
{
	static const char *const named[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	for (size_t k = 0; k < 5; k++)
		if (!strncmp(p, named[k], strlen(named[k])))
			return strlen(named[k]);
	if (p[1] == '#') {
		size_t n = 2;
		while (isdigit((unsigned char)p[n]))
			n++;
		return n > 2 && p[n] == ';' ? n + 1 : 0;
	}
	return 0;
}

/* A tiny XML well-formedness check: NULL if fine, else what is wrong. */
static const char *xml_check(const char *s)
{
	const char *stack[64];
	size_t depth = 0, roots = 0;
	const char *p = s;
	if (!strncmp(p, "<?xml", 5)) {
		p = strstr(p, "?>");
		if (!p)
			return "unterminated declaration";
		p += 2;
	}
	while (*p) {
		if (*p == '&') {
			size_t n = xml_entity(p);
			if (!n)
				return "bare & in text";
			p += n;
		} else if (*p == '>') {
			return "bare > in text";
		} else if (*p != '<') {
			if (!depth && !isspace((unsigned char)*p))
				return "text outside the root";
			p++;
		} else if (p[1] == '/') {
			const char *name = p + 2;
			size_t n = strcspn(name, " \t\n>");
			if (!depth)
				return "close without open";
			const char *open = stack[--depth];
			if (strncmp(open, name, n) || strcspn(open, " \t\n/>") != n)
				return "mismatched close tag";
			p = name + n;
			while (isspace((unsigned char)*p))
				p++;
			if (*p != '>')
				return "bad close tag";
			p++;
		} else {
			const char *name = p + 1;
			size_t n = strcspn(name, " \t\n/>");
			if (!n)
				return "empty tag name";
			p = name + n;
			for (;;) {
				while (isspace((unsigned char)*p))
					p++;
				if (*p == '>' || !strncmp(p, "/>", 2))
					break;
				size_t an = strcspn(p, " \t\n=/>");
				if (!an || p[an] != '=' || p[an + 1] != '"')
					return "bad attribute";
				p += an + 2;
				while (*p != '"') {
					if (!*p || *p == '<' || *p == '\n' || *p == '\r')
						return "bad character in attribute";
					if (*p == '&') {
						size_t en = xml_entity(p);
						if (!en)
							return "bare & in attribute";
						p += en;
					} else {
						p++;
					}
				}
				p++;
			}
			if (!depth)
				roots++;
			if (*p == '>') {
				if (depth == 64)
					return "too deep";
				stack[depth++] = name;
				p++;
			} else {
				p += 2;
			}
		}
	}
	if (depth)
		return "unclosed tag";
	return roots == 1 ? NULL : "not exactly one root element";
}

static void render(const char *format, size_t nfiles, df_buf *out)
{
	ck_assert(df_output_known(format));
	ck_assert_int_eq(df_output_render(format, files, nfiles, out), 0);
}

static void check_parses(const char *format, const char *text)
{
	if (is_json(format)) {
		cJSON *j = cJSON_Parse(text);
		ck_assert_msg(j != NULL, "%s: output is not JSON", format);
		cJSON_Delete(j);
	} else if (is_xml(format)) {
		const char *why = xml_check(text);
		ck_assert_msg(why == NULL, "%s: not well-formed XML: %s", format, why);
	} else if (!strcmp(format, "codacy")) {
		const char *p = text;
		while (*p) {
			const char *nl = strchr(p, '\n');
			ck_assert_msg(nl != NULL, "codacy: unterminated line");
			char *line = strndup(p, (size_t)(nl - p));
			cJSON *j = cJSON_Parse(line);
			ck_assert_msg(cJSON_IsObject(j), "codacy: line is not a JSON object: %s", line);
			cJSON_Delete(j);
			free(line);
			p = nl + 1;
		}
	}
}

/* Compare out with fixtures/output/<name>.golden, or rewrite it under
 * DFOPT_BLESS. */
static void check_golden(const char *name, const df_buf *out)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/fixtures/output/%s.golden", tu_srcdir(), name);
	const char *bless = getenv("DFOPT_BLESS");
	if (bless && *bless && strcmp(bless, "0")) {
		ck_assert_int_eq(tu_write(path, out->len ? df_buf_str(out) : "", out->len), 0);
		return;
	}
	df_buf want = DF_BUF_INIT;
	ck_assert_msg(tu_read(path, &want) == 0, "%s: cannot read %s", name, path);
	ck_assert_msg(out->len == want.len && !memcmp(df_buf_str(out), df_buf_str(&want), out->len),
		      "%s: output differs from %s:\n%s", name, path, df_buf_str(out));
	df_buf_release(&want);
}

START_TEST(test_format_golden)
{
	const char *format = formats[_i];
	df_buf out = DF_BUF_INIT;
	render(format, 3, &out);
	check_parses(format, df_buf_str(&out));

	check_golden(format, &out);
	df_buf_release(&out);
}
END_TEST

static const struct {
	const char *name;
	df_output_opts opts;
} tty_variants[] = {
	{ "tty-snippets", { .color = false, .snippets = true, .summary = true } },
	{ "tty-color", { .color = true, .snippets = true, .summary = true } },
};

START_TEST(test_tty_golden)
{
	df_buf out = DF_BUF_INIT;
	ck_assert_int_eq(df_output_render_opts("tty", files, 3, &tty_variants[_i].opts, &out), 0);
	check_golden(tty_variants[_i].name, &out);
	df_buf_release(&out);
}
END_TEST

/* Options change nothing but tty; all false is the plain tty format. */
START_TEST(test_tty_options_scope)
{
	static const df_output_opts all = { .color = true, .snippets = true, .summary = true };
	df_buf a = DF_BUF_INIT, b = DF_BUF_INIT;
	for (size_t k = 0; k < NFORMATS; k++) {
		df_buf_reset(&a);
		df_buf_reset(&b);
		ck_assert_int_eq(df_output_render(formats[k], files, 3, &a), 0);
		ck_assert_int_eq(df_output_render_opts(formats[k], files, 3, strcmp(formats[k], "tty") ? &all : NULL, &b), 0);
		ck_assert_msg(a.len == b.len && !memcmp(df_buf_str(&a), df_buf_str(&b), a.len), "%s: options changed it",
			      formats[k]);
	}
	df_buf_release(&a);
	df_buf_release(&b);
}
END_TEST

/* A report written file by file, its text taken and the out buffer emptied
 * after every call, and each file's findings, name and bytes scribbled
 * over once rendered: the same bytes as rendering all at once. */
START_TEST(test_stream_matches_render)
{
	static const df_output_opts all = { .color = true, .snippets = true, .summary = true };
	const char *format = formats[_i];
	df_buf whole = DF_BUF_INIT, streamed = DF_BUF_INIT, out = DF_BUF_INIT;
	ck_assert_int_eq(df_output_render_opts(format, files, 3, &all, &whole), 0);
	df_output o;
	ck_assert_int_eq(df_output_begin(&o, format, &all, &out), 0);
	for (size_t f = 0; f <= 3; f++) {
		df_buf_add(&streamed, out.buf, out.len);
		df_buf_reset(&out);
		if (f == 3)
			break;
		df_diags copy = DF_DIAGS_INIT;
		for (size_t i = 0; i < files[f].diags->len; i++) {
			const df_diag *d = &files[f].diags->items[i];
			df_diags_add_str(&copy, d->severity, d->code, d->line, d->col, d->end_line, d->end_col,
					 d->message);
		}
		char *name = strdup(files[f].file);
		char *src = files[f].source ? strndup(files[f].source, files[f].source_len) : NULL;
		df_file_findings ff = { name, &copy, src, files[f].source_len };
		df_output_file(&o, &ff, &out);
		for (size_t i = 0; i < copy.len; i++) {	/* owned: df_diags_add_str() copied them */
			memset((char *)copy.items[i].code, 'X', strlen(copy.items[i].code));
			memset((char *)copy.items[i].message, 'X', strlen(copy.items[i].message));
		}
		memset(name, 'X', strlen(name));
		if (src)
			memset(src, 'X', files[f].source_len);
		df_diags_release(&copy);
		free(name);
		free(src);
	}
	df_output_end(&o, &out);
	df_buf_add(&streamed, out.buf, out.len);
	ck_assert_msg(whole.len == streamed.len && !memcmp(df_buf_str(&whole), df_buf_str(&streamed), whole.len),
		      "%s: streamed output differs", format);
	ck_assert_int_eq(df_output_begin(&o, "xml", NULL, &out), -1);
	df_buf_release(&whole);
	df_buf_release(&streamed);
	df_buf_release(&out);
}
END_TEST

/* One finding over src rendered with snippets. */
static void snippet(const char *src, uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
		    const char *message, df_buf *out)
{
	static const df_output_opts opts = { .color = false, .snippets = true, .summary = false };
	df_diags d = DF_DIAGS_INIT;
	df_diags_add(&d, DF_SEV_WARNING, "DL3003", line, col, end_line, end_col, "%s", message);
	df_file_findings f = { "D", &d, src, strlen(src) };
	df_buf_reset(out);
	ck_assert_int_eq(df_output_render_opts("tty", &f, 1, &opts, out), 0);
	df_diags_release(&d);
}

START_TEST(test_tty_snippet_edges)
{
	df_buf out = DF_BUF_INIT;
	/* A BOM takes no column; the span counts it like the parser does. */
	snippet("\xef\xbb\xbf" "FORM x\n", 1, 4, 1, 8, "m", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:1:4 DL3003 warning: m\n  1 | FORM x\n    | ^^^^\n\n");
	/* An empty span and one past the end of the line: one caret. */
	snippet("FROM x\n", 1, 7, 1, 7, "m", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:1:7 DL3003 warning: m\n  1 | FROM x\n    |       ^\n\n");
	snippet("FROM x\n", 1, 40, 1, 50, "m", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:1:40 DL3003 warning: m\n  1 | FROM x\n    |       ^\n\n");
	/* An empty line has no trailing blank in its gutter. */
	snippet("FROM x\n\nRUN y\n", 2, 1, 2, 1, "m", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:2:1 DL3003 warning: m\n  2 |\n    | ^\n\n");
	/* No such line (or line 0): the finding alone. */
	snippet("FROM x\n", 9, 1, 9, 2, "m", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:9:1 DL3003 warning: m\n");
	snippet("FROM x\n", 0, 0, 0, 0, "m", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:0:0 DL3003 warning: m\n");
	/* A wide gutter for a long file; a file without a final newline. */
	df_buf src = DF_BUF_INIT;
	for (int i = 1; i < 1234; i++)
		df_buf_adds(&src, "#\n");
	df_buf_adds(&src, "FROM x");
	snippet(df_buf_str(&src), 1234, 6, 1234, 7, "m", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:1234:6 DL3003 warning: m\n  1234 | FROM x\n       |      ^\n\n");
	/* Control bytes in the message and the line show as '?'; newlines
	 * in the message stay. */
	snippet("RUN a\x1b]0;x\x07" "b\n", 1, 5, 1, 6, "a\x1b[31mb\nc\xc2\x9b", &out);
	ck_assert_str_eq(df_buf_str(&out), "D:1:5 DL3003 warning: a?[31mb\nc?\n  1 | RUN a?]0;x?b\n    |     ^\n\n");
	df_buf_release(&src);
	df_buf_release(&out);
}
END_TEST

/* A long line shows a window; the carets still fall under the span. */
START_TEST(test_tty_snippet_window)
{
	df_buf src = DF_BUF_INIT, out = DF_BUF_INIT;
	df_buf_adds(&src, "RUN ");
	for (int i = 0; i < 3000; i++)
		df_buf_addc(&src, (char)('a' + i % 26));
	df_buf_addc(&src, '\n');
	uint32_t col = 2001;	/* byte 2000, an 'a' + 1996 % 26 */
	snippet(df_buf_str(&src), 1, col, 1, col + 5, "m", &out);
	const char *text = strchr(df_buf_str(&out), '\n') + 1;
	const char *carets = strchr(text, '\n') + 1;
	const char *shown = strstr(text, "| ") + 2;
	const char *first = strchr(carets, '^');
	ck_assert_ptr_nonnull(first);
	ck_assert_int_eq(strspn(first, "^"), 5);
	size_t at = (size_t)(first - carets) - (size_t)(shown - text);
	ck_assert_int_eq(strncmp(shown + at, src.buf + col - 1, 5), 0);
	ck_assert_int_eq(strncmp(shown, "...", 3), 0);
	const char *end = strchr(text, '\n');
	ck_assert_int_eq(strncmp(end - 3, "...", 3), 0);
	ck_assert_int_eq(end - shown, 3 + DF_OUTPUT_SNIPPET_WINDOW + 3);
	ck_assert_int_eq(at, 3 + DF_OUTPUT_SNIPPET_BEFORE);
	/* The start of the line: no cut on the left. */
	snippet(df_buf_str(&src), 1, 1, 1, 4, "m", &out);
	ck_assert(strstr(df_buf_str(&out), "  1 | RUN abc") != NULL);
	ck_assert(strstr(df_buf_str(&out), "    | ^^^\n") != NULL);
	df_buf_release(&src);
	df_buf_release(&out);
}
END_TEST

START_TEST(test_tty_summary)
{
	static const df_output_opts opts = { .color = false, .snippets = false, .summary = true };
	df_buf out = DF_BUF_INIT;
	ck_assert_int_eq(df_output_render_opts("tty", files + 1, 1, &opts, &out), 0);
	const char *last = strrchr(df_buf_str(&out), '\n');
	ck_assert_ptr_nonnull(last);
	ck_assert_str_eq(strstr(df_buf_str(&out), "2 findings"), "2 findings (1 warning, 1 style) in 1 file\n");
	df_buf_reset(&out);
	ck_assert_int_eq(df_output_render_opts("tty", files + 2, 1, &opts, &out), 0);
	ck_assert_uint_eq(out.len, 0);	/* nothing found: nothing said */
	df_buf_release(&out);
}
END_TEST

/* No findings at all still renders a valid document. */
START_TEST(test_format_empty)
{
	const char *format = formats[_i];
	df_buf out = DF_BUF_INIT;
	render(format, 0, &out);
	check_parses(format, df_buf_str(&out));
	df_buf_release(&out);
	render(format, 1, &out);	/* the first file only */
	check_parses(format, df_buf_str(&out));
	df_buf_release(&out);
}
END_TEST

START_TEST(test_unknown_format)
{
	df_buf out = DF_BUF_INIT;
	ck_assert(!df_output_known("xml"));
	ck_assert(!df_output_known(""));
	ck_assert(!df_output_known("SARIF"));
	ck_assert_int_eq(df_output_render("xml", files, 2, &out), -1);
	ck_assert_uint_eq(out.len, 0);
	df_buf_release(&out);
}
END_TEST

/* The GitLab fingerprint is stable and tells findings apart. */
START_TEST(test_gitlab_fingerprint)
{
	df_buf a = DF_BUF_INIT, b = DF_BUF_INIT;
	render("gitlab_codeclimate", 2, &a);
	render("gitlab_codeclimate", 2, &b);
	ck_assert_str_eq(df_buf_str(&a), df_buf_str(&b));
	cJSON *arr = cJSON_Parse(df_buf_str(&a));
	ck_assert(cJSON_IsArray(arr));
	int n = cJSON_GetArraySize(arr);
	ck_assert_int_eq(n, 5);
	for (int i = 0; i < n; i++) {
		const char *fi = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "fingerprint"));
		ck_assert(fi != NULL);
		ck_assert_uint_eq(strlen(fi), 16);
		ck_assert_uint_eq(strspn(fi, "0123456789abcdef"), 16);
		for (int k = 0; k < i; k++)
			ck_assert_str_ne(fi, cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, k),
										      "fingerprint")));
	}
	cJSON_Delete(arr);
	df_buf_release(&a);
	df_buf_release(&b);
}
END_TEST

/* --- github: the workflow command syntax ------------------------------------
 *
 * A command is one line, "::" NAME [" " KEY "=" VALUE ("," KEY "=" VALUE)*]
 * "::" DATA, the properties ending at the first "::"; the runner splits them
 * at ',' and each at its first '=', then decodes %0D, %0A, %3A, %2C and %25
 * in values, %0D, %0A and %25 in the data. gh_parse() reads a line that way
 * and checks nothing else could be meant: no raw CR, LF, ':' or ',' inside a
 * value, no raw CR or LF in the data, only known keys, each once, in the
 * order GitHub documents them. */
typedef struct gh_cmd {
	char name[16];
	char file[256], title[64], message[256];
	long line, col, end_line, end_column;	/* -1: absent */
} gh_cmd;

/* Decode s[0..n) into out (cap bytes); property: also %3A and %2C. */
static bool gh_unescape(const char *s, size_t n, bool property, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r' || c == '\n' || (property && (c == ':' || c == ',')))
			return false;
		if (c == '%') {
			if (i + 2 >= n)
				return false;
			if (!strncmp(s + i, "%25", 3)) c = '%';
			else if (!strncmp(s + i, "%0D", 3)) c = '\r';
			else if (!strncmp(s + i, "%0A", 3)) c = '\n';
			else if (property && !strncmp(s + i, "%3A", 3)) c = ':';
			else if (property && !strncmp(s + i, "%2C", 3)) c = ',';
			else return false;	/* we escape every '%' */
			i += 2;
		}
		if (o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

static bool gh_number(const char *s, size_t n, long *out)
{
	if (!n || n > 9 || strspn(s, "0123456789") < n || s[0] == '0')
		return false;
	*out = strtol(s, NULL, 10);
	return true;
}

static bool gh_parse(const char *line, gh_cmd *c)
{
	static const char *const keys[] = { "file", "line", "col", "endLine", "endColumn", "title" };
	memset(c, 0, sizeof(*c));
	c->line = c->col = c->end_line = c->end_column = -1;
	if (strncmp(line, "::", 2))
		return false;
	const char *end = strstr(line + 2, "::");
	if (!end || strchr(line, '\n'))
		return false;
	const char *p = line + 2;
	size_t nn = strcspn(p, " :");
	if (!nn || nn >= sizeof(c->name))
		return false;
	memcpy(c->name, p, nn);
	p += nn;
	size_t next_key = 0;
	if (*p == ' ') {
		p++;
		while (p < end) {
			const char *comma = memchr(p, ',', (size_t)(end - p));
			const char *stop = comma ? comma : end;
			const char *eq = memchr(p, '=', (size_t)(stop - p));
			if (!eq)
				return false;
			size_t k = next_key;
			while (k < 6 && ((size_t)(eq - p) != strlen(keys[k]) || strncmp(p, keys[k], (size_t)(eq - p))))
				k++;
			if (k == 6)
				return false;	/* unknown, repeated or out of order */
			next_key = k + 1;
			const char *v = eq + 1;
			size_t vn = (size_t)(stop - v);
			bool ok = k == 0 ? gh_unescape(v, vn, true, c->file, sizeof(c->file))
				: k == 1 ? gh_number(v, vn, &c->line)
				: k == 2 ? gh_number(v, vn, &c->col)
				: k == 3 ? gh_number(v, vn, &c->end_line)
				: k == 4 ? gh_number(v, vn, &c->end_column)
				: gh_unescape(v, vn, true, c->title, sizeof(c->title));
			if (!ok)
				return false;
			p = comma ? comma + 1 : end;
		}
	} else if (p != end) {
		return false;
	}
	return gh_unescape(end + 2, strlen(end + 2), false, c->message, sizeof(c->message));
}

/* One finding rendered as a github command, parsed back. */
static void gh_one(const char *file, df_severity sev, const char *code, uint32_t line, uint32_t col, uint32_t end_line,
		   uint32_t end_col, const char *message, gh_cmd *c, df_buf *out)
{
	df_diags d = DF_DIAGS_INIT;
	df_diags_add(&d, sev, code, line, col, end_line, end_col, "%s", message);
	df_file_findings f = { file, &d, NULL, 0 };
	df_buf_reset(out);
	ck_assert_int_eq(df_output_render("github", &f, 1, out), 0);
	df_diags_release(&d);
	ck_assert_msg(out->len && out->buf[out->len - 1] == '\n', "github: not one line: %s", df_buf_str(out));
	char *text = strndup(out->buf, out->len - 1);
	ck_assert_msg(gh_parse(text, c), "github: not a workflow command: %s", text);
	free(text);
}

/* Every line of the golden output is a command that names its finding. */
START_TEST(test_github_golden_parses)
{
	df_buf out = DF_BUF_INIT;
	render("github", 3, &out);
	size_t n = 0;
	for (const char *p = df_buf_str(&out), *nl; (nl = strchr(p, '\n')); p = nl + 1, n++) {
		gh_cmd c;
		char *line = strndup(p, (size_t)(nl - p));
		ck_assert_msg(gh_parse(line, &c), "github: not a workflow command: %s", line);
		free(line);
		ck_assert(!strcmp(c.name, "error") || !strcmp(c.name, "warning") || !strcmp(c.name, "notice"));
		ck_assert(c.line > 0);
		ck_assert(!strcmp(c.file, "Dockerfile") || !strcmp(c.file, "svc/a:b,c.Dockerfile"));
	}
	ck_assert_uint_eq(n, 5);
	df_buf_release(&out);
}
END_TEST

START_TEST(test_github_commands)
{
	df_buf out = DF_BUF_INIT;
	gh_cmd c;

	/* The documented shape, byte for byte; endColumn is the last column. */
	gh_one("Dockerfile", DF_SEV_WARNING, "DL3003", 3, 5, 3, 11, "use WORKDIR", &c, &out);
	ck_assert_str_eq(df_buf_str(&out),
			 "::warning file=Dockerfile,line=3,col=5,endLine=3,endColumn=10,title=DL3003::use WORKDIR\n");
	/* Severity names: error, warning, and notice for info and style. */
	gh_one("D", DF_SEV_ERROR, "DL1000", 1, 1, 1, 2, "m", &c, &out);
	ck_assert_str_eq(c.name, "error");
	gh_one("D", DF_SEV_INFO, "DL3008", 1, 1, 1, 2, "m", &c, &out);
	ck_assert_str_eq(c.name, "notice");
	gh_one("D", DF_SEV_STYLE, "DL3006", 1, 1, 1, 2, "m", &c, &out);
	ck_assert_str_eq(c.name, "notice");
	ck_assert_int_eq(c.col, 1);
	ck_assert_int_eq(c.end_column, 1);	/* one byte */
	/* An empty span: endColumn is not below col (the runner would drop both). */
	gh_one("D", DF_SEV_WARNING, "DL3003", 2, 7, 2, 7, "m", &c, &out);
	ck_assert_int_eq(c.col, 7);
	ck_assert_int_eq(c.end_column, 7);
	/* Over two lines: lines only, no columns (GitHub takes them on one line). */
	gh_one("D", DF_SEV_WARNING, "DL3008", 4, 12, 5, 3, "m", &c, &out);
	ck_assert_str_eq(df_buf_str(&out), "::warning file=D,line=4,endLine=5,title=DL3008::m\n");
	/* Paths from the top of the repository: no leading "./". */
	gh_one("./svc/./Dockerfile", DF_SEV_WARNING, "DL3003", 1, 1, 1, 2, "m", &c, &out);
	ck_assert_str_eq(c.file, "svc/./Dockerfile");
	gh_one(".//./Dockerfile", DF_SEV_WARNING, "DL3003", 1, 1, 1, 2, "m", &c, &out);
	ck_assert_str_eq(c.file, "Dockerfile");
	gh_one("./", DF_SEV_WARNING, "DL3003", 1, 1, 1, 2, "m", &c, &out);
	ck_assert_str_eq(c.file, "./");
	gh_one(".Dockerfile", DF_SEV_WARNING, "DL3003", 1, 1, 1, 2, "m", &c, &out);
	ck_assert_str_eq(c.file, ".Dockerfile");
	/* No line: the file alone. */
	gh_one("D", DF_SEV_ERROR, "DL1000", 0, 0, 0, 0, "cannot read", &c, &out);
	ck_assert_str_eq(df_buf_str(&out), "::error file=D,title=DL1000::cannot read\n");

	/* Escaping: every special character round-trips, in the file name,
	 * the title and the message, and the line stays one command. */
	static const char nasty_file[] = "a:b,c%25 d\r\n::warning file=x::y.Dockerfile";
	static const char nasty_msg[] = "100% sure: a, b\r\nsecond line ::error::not a command %0A";
	gh_one(nasty_file, DF_SEV_WARNING, "X:1,2%", 7, 1, 7, 4, nasty_msg, &c, &out);
	ck_assert_str_eq(c.file, nasty_file);
	ck_assert_str_eq(c.title, "X:1,2%");
	ck_assert_str_eq(c.message, nasty_msg);
	ck_assert_int_eq(c.line, 7);
	ck_assert_int_eq(c.end_line, 7);
	ck_assert_ptr_nonnull(strstr(df_buf_str(&out), "file=a%3Ab%2Cc%2525 d%0D%0A%3A%3Awarning file=x%3A%3Ay.Dockerfile,"));
	ck_assert_ptr_nonnull(strstr(df_buf_str(&out), "title=X%3A1%2C2%25::"));
	ck_assert_ptr_nonnull(strstr(df_buf_str(&out), "::100%25 sure: a, b%0D%0Asecond line ::error::not a command %250A\n"));
	df_buf_release(&out);
}
END_TEST

/* The parser itself refuses what the runner would read otherwise. */
START_TEST(test_github_checker)
{
	gh_cmd c;
	ck_assert(gh_parse("::warning file=D,line=1,col=2,endLine=1,endColumn=3,title=T::m", &c));
	ck_assert(gh_parse("::notice::m", &c));
	ck_assert(!gh_parse("::warning file=a:b,line=1::m", &c));	/* ':' ends the properties */
	ck_assert(!gh_parse("::warning file=a,b,line=1::m", &c));	/* 'b' is no property */
	ck_assert(!gh_parse("::warning line=1,file=D::m", &c));	/* order */
	ck_assert(!gh_parse("::warning file=D,file=E::m", &c));	/* twice */
	ck_assert(!gh_parse("::warning line=x::m", &c));
	ck_assert(!gh_parse("::warning file=D::100% sure", &c));	/* a bare % */
	ck_assert(!gh_parse("::warning file=D::a\rb", &c));
	ck_assert(!gh_parse("warning file=D::m", &c));
}
END_TEST

/* The checker itself rejects what it should. */
START_TEST(test_xml_checker)
{
	ck_assert_ptr_null(xml_check("<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\"><b/>t &lt; u</a>\n"));
	ck_assert_ptr_nonnull(xml_check("<a><b></a></b>"));
	ck_assert_ptr_nonnull(xml_check("<a>x & y</a>"));
	ck_assert_ptr_nonnull(xml_check("<a x=\"<\"/>"));
	ck_assert_ptr_nonnull(xml_check("<a x=\"a\"b\"/>"));
	ck_assert_ptr_nonnull(xml_check("<a>"));
	ck_assert_ptr_nonnull(xml_check("<a/><b/>"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("output");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_format_golden, 0, (int)NFORMATS);
	tcase_add_loop_test(tc, test_format_empty, 0, (int)NFORMATS);
	tcase_add_loop_test(tc, test_tty_golden, 0, (int)(sizeof(tty_variants) / sizeof(tty_variants[0])));
	tcase_add_test(tc, test_tty_options_scope);
	tcase_add_loop_test(tc, test_stream_matches_render, 0, (int)NFORMATS);
	tcase_add_test(tc, test_tty_snippet_edges);
	tcase_add_test(tc, test_tty_snippet_window);
	tcase_add_test(tc, test_tty_summary);
	tcase_add_test(tc, test_unknown_format);
	tcase_add_test(tc, test_gitlab_fingerprint);
	tcase_add_test(tc, test_xml_checker);
	tcase_add_test(tc, test_github_golden_parses);
	tcase_add_test(tc, test_github_commands);
	tcase_add_test(tc, test_github_checker);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
