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

static void render_tty(const df_file_findings *files, size_t nfiles, df_buf *out)
{
	for (size_t f = 0; f < nfiles; f++)
		for (size_t i = 0; i < files[f].diags->len; i++) {
			const df_diag *d = &files[f].diags->items[i];
			df_buf_addf(out, "%s:%u:%u %s %s: %s\n", files[f].file, d->line, d->col, d->code,
				    df_severity_name(d->severity), d->message);
		}
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
	if (!strncmp(code, "DL", 2)) {
		df_buf u = DF_BUF_INIT;
		df_buf_addf(&u, "https://github.com/hadolint/hadolint/wiki/%s", code);
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

int df_output_render(const char *format, const df_file_findings *files, size_t nfiles, df_buf *out)
{
	const out_format *fmt = find_format(format);
	if (!fmt)
		return -1;
	fmt->render(files, nfiles, out);
	return 0;
}
