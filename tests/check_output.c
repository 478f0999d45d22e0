/*
 * check_output.c - every output format over a fixed set of findings.
 *
 * Two files' findings (one message carries quotes, <, >, &, %, ':', ',' and
 * a newline; one file name carries ':' and ',') are rendered in each format
 * and compared with fixtures/output/<format>.golden; DFOPT_BLESS=1 rewrites
 * the golden files. JSON formats must parse back with cJSON; XML formats must
 * be well-formed (balanced tags, quoted attributes, escaped text).
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
	files[0] = (df_file_findings){ "Dockerfile", &diags_a };
	files[1] = (df_file_findings){ "svc/a:b,c.Dockerfile", &diags_b };
	files[2] = (df_file_findings){ "clean.Dockerfile", &diags_none };
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

START_TEST(test_format_golden)
{
	const char *format = formats[_i];
	df_buf out = DF_BUF_INIT;
	render(format, 3, &out);
	check_parses(format, df_buf_str(&out));

	char path[4200];
	snprintf(path, sizeof(path), "%s/fixtures/output/%s.golden", tu_srcdir(), format);
	const char *bless = getenv("DFOPT_BLESS");
	if (bless && *bless && strcmp(bless, "0")) {
		ck_assert_int_eq(tu_write(path, out.len ? df_buf_str(&out) : "", out.len), 0);
	} else {
		df_buf want = DF_BUF_INIT;
		ck_assert_msg(tu_read(path, &want) == 0, "%s: cannot read %s", format, path);
		ck_assert_msg(out.len == want.len && !memcmp(df_buf_str(&out), df_buf_str(&want), out.len),
			      "%s: output differs from %s:\n%s", format, path, df_buf_str(&out));
		df_buf_release(&want);
	}
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
	tcase_add_test(tc, test_unknown_format);
	tcase_add_test(tc, test_gitlab_fingerprint);
	tcase_add_test(tc, test_xml_checker);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
