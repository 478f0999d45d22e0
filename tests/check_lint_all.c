/*
 * check_lint_all.c - every Dockerfile in fixtures/ through the whole linter.
 *
 * Each Dockerfile and *.Dockerfile anywhere under fixtures/ is parsed,
 * linted with every rule on (rules that are off by default raised, rule
 * input for the configuration-only rules given) and rendered in every
 * output format. It
 * must not crash (the sanitizer build runs this suite too: .ci/run), the
 * findings must be well-formed, sorted and the same on a second run, and the
 * JSON formats must parse back with one entry per finding. Each is also
 * fixed (safe and unsafe fixes): no fix may be refused, the result is fixed
 * again to the same bytes, every comment line survives, and a file with
 * nothing to fix comes back byte-identical. A new fixture anywhere is
 * covered without touching this file.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "fix/fixer.h"
#include "graph/graph.h"
#include "output/output.h"
#include "testutil.h"
#include "util/util.h"

static char **files;
static size_t nfiles;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dockerfile(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "Dockerfile") == 0 || (n > 11 && strcmp(name + n - 11, ".Dockerfile") == 0);
}

static void walk(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		struct stat st;
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 8) {
			walk(path, depth + 1);
		} else if (S_ISREG(st.st_mode) && is_dockerfile(e->d_name)) {
			files = realloc(files, (nfiles + 1) * sizeof(*files));
			files[nfiles++] = strdup(path);
		}
	}
	closedir(d);
}

/* Rule input that turns on the configuration-only rules (DL3026,
 * DL3049-DL3058). */
static const char *const trusted[] = { "docker.io", "*.example.com" };
static const df_label_spec labels[] = {
	{ "org.opencontainers.image.title", DF_LABEL_TEXT },
	{ "org.opencontainers.image.url", DF_LABEL_URL },
	{ "org.opencontainers.image.version", DF_LABEL_SEMVER },
	{ "org.opencontainers.image.revision", DF_LABEL_HASH },
	{ "org.opencontainers.image.created", DF_LABEL_RFC3339 },
	{ "org.opencontainers.image.licenses", DF_LABEL_SPDX },
	{ "org.opencontainers.image.authors", DF_LABEL_EMAIL },
};

/* Every rule on; free *raise afterwards. */
static df_lint_opts every_rule(df_severity_override **raise)
{
	size_t n;
	const df_rule *const *rules = df_rules(&n);
	*raise = calloc(n, sizeof(**raise));
	size_t nraise = 0;
	for (size_t i = 0; i < n; i++)
		if (rules[i]->severity == DF_SEV_IGNORE)
			(*raise)[nraise++] = (df_severity_override){ rules[i]->code, DF_SEV_INFO };
	df_lint_opts o = {
		.overrides = *raise,
		.noverrides = nraise,
		.trusted_registries = trusted,
		.ntrusted = DF_ARRAY_LEN(trusted),
		.labels = labels,
		.nlabels = DF_ARRAY_LEN(labels),
		.strict_labels = true,
	};
	return o;
}

static void lint(const df_buf *data, const char *name, df_diags *out)
{
	df_severity_override *raise;
	df_lint_opts o = every_rule(&raise);
	df_doc doc;
	df_doc_parse(&doc, name, df_buf_str(data), data->len, NULL);
	df_graph g;
	ck_assert_msg(df_graph_build(&g, &doc, NULL) == 0, "%s: no graph", name);
	df_lint_file(&doc, &g, &o, out);
	df_graph_release(&g);
	df_doc_release(&doc);
	free(raise);
}

/* Every finding names a code, a message, a severity and a range that starts
 * at 1:1 or later and does not end before it starts; the list is sorted. */
static void check_findings(const char *name, const df_diags *d)
{
	for (size_t i = 0; i < d->len; i++) {
		const df_diag *f = &d->items[i];
		ck_assert_msg(f->code && *f->code && f->message && *f->message, "%s: finding %zu has no code or message",
			      name, i);
		ck_assert_msg(f->severity <= DF_SEV_STYLE, "%s: %s has severity %d", name, f->code, (int)f->severity);
		ck_assert_msg(f->line >= 1 && f->col >= 1, "%s: %s at %u:%u", name, f->code, f->line, f->col);
		ck_assert_msg(f->end_line > f->line || (f->end_line == f->line && f->end_col >= f->col),
			      "%s: %s ends at %u:%u before it starts at %u:%u", name, f->code, f->end_line, f->end_col,
			      f->line, f->col);
		if (i) {
			const df_diag *p = &d->items[i - 1];
			ck_assert_msg(p->line < f->line || (p->line == f->line && p->col <= f->col),
				      "%s: findings not sorted at %s %u:%u", name, f->code, f->line, f->col);
		}
	}
}

/* The number of entries of a JSON array, or of the array at key; -1 when
 * text is not JSON of that shape. */
static int json_count(const char *text, const char *key)
{
	cJSON *j = cJSON_Parse(text);
	if (!j)
		return -1;
	const cJSON *arr = key ? cJSON_GetObjectItemCaseSensitive(j, key) : j;
	int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
	cJSON_Delete(j);
	return n;
}

START_TEST(test_lint_fixture)
{
	const char *path = files[_i];
	df_buf data = DF_BUF_INIT;
	ck_assert_msg(tu_read(path, &data) == 0, "%s: unreadable", path);
	df_diags d = DF_DIAGS_INIT, again = DF_DIAGS_INIT;
	lint(&data, path, &d);
	check_findings(path, &d);

	/* Deterministic: a second run gives the same findings. */
	lint(&data, path, &again);
	ck_assert_msg(again.len == d.len, "%s: %zu findings, then %zu", path, d.len, again.len);
	for (size_t i = 0; i < d.len; i++)
		ck_assert_msg(strcmp(d.items[i].code, again.items[i].code) == 0 &&
				      strcmp(d.items[i].message, again.items[i].message) == 0 &&
				      d.items[i].line == again.items[i].line && d.items[i].col == again.items[i].col,
			      "%s: finding %zu differs between runs", path, i);

	static const char *const formats[] = { "tty", "json", "sarif", "checkstyle", "gnu", "codeclimate",
					       "gitlab_codeclimate", "github", "junit", "sonarqube", "codacy" };
	df_file_findings ff = { path, &d, df_buf_str(&data), data.len };
	df_output_opts all = { .color = true, .snippets = true, .summary = true };
	for (size_t f = 0; f < DF_ARRAY_LEN(formats); f++) {
		df_buf out = DF_BUF_INIT;
		ck_assert_int_eq(df_output_render_opts(formats[f], &ff, 1, &all, &out), 0);
		const char *text = df_buf_str(&out);
		int want = (int)d.len, got = -2;
		if (!strcmp(formats[f], "json") || !strcmp(formats[f], "codeclimate") ||
		    !strcmp(formats[f], "gitlab_codeclimate"))
			got = json_count(text, NULL);
		else if (!strcmp(formats[f], "sonarqube"))
			got = json_count(text, "issues");
		else if (!strcmp(formats[f], "sarif")) {
			cJSON *j = cJSON_Parse(text);
			const cJSON *runs = cJSON_GetObjectItemCaseSensitive(j, "runs");
			const cJSON *res = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, 0), "results");
			got = cJSON_IsArray(res) ? cJSON_GetArraySize(res) : -1;
			cJSON_Delete(j);
		}
		if (got != -2)
			ck_assert_msg(got == want, "%s: %s output has %d entries for %d findings (or is not JSON)", path,
				      formats[f], got, want);
		if (!strcmp(formats[f], "codacy")) {
			/* One JSON object a line. */
			size_t lines = 0;
			for (const char *p = text; *p;) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);
				char *line = strndup(p, len);
				cJSON *j = cJSON_Parse(line);
				ck_assert_msg(j != NULL, "%s: codacy line is not JSON: %s", path, line);
				cJSON_Delete(j);
				free(line);
				lines++;
				p += len + (nl != NULL);
			}
			ck_assert_msg(lines == d.len, "%s: %zu codacy lines for %zu findings", path, lines, d.len);
		}
		df_buf_release(&out);
	}
	df_diags_release(&d);
	df_diags_release(&again);
	df_buf_release(&data);
}
END_TEST

/* The comment lines of text ('#' first on the line), in order, "\n"-joined. */
static void comments(const char *text, size_t len, df_buf *out)
{
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len, i = at;
		while (i < end && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i < end && text[i] == '#') {
			df_buf_add(out, text + i, end - i);
			df_buf_addc(out, '\n');
		}
		at = end + 1;
	}
}

START_TEST(test_fix_fixture)
{
	const char *path = files[_i];
	df_buf data = DF_BUF_INIT, before = DF_BUF_INIT, after = DF_BUF_INIT;
	ck_assert_msg(tu_read(path, &data) == 0, "%s: unreadable", path);
	df_severity_override *raise;
	df_lint_opts o = every_rule(&raise);
	df_fix_run run = { &o, NULL, true, 0, NULL };
	df_fix_result r, again;
	df_fix_text(path, df_buf_str(&data), data.len, &run, &r);
	ck_assert_msg(!r.refused, "%s: a fix was refused: %s", path, df_buf_str(&r.refusal));
	ck_assert_msg(!r.unsettled, "%s: still fixing after %u rounds", path, r.rounds);
	if (!r.nnotes)
		ck_assert_msg(r.text.len == data.len && memcmp(r.text.buf, data.buf, data.len) == 0,
			      "%s: changed with nothing fixed", path);
	/* Idempotent: the fixed text has nothing left to fix. */
	df_fix_text(path, df_buf_str(&r.text), r.text.len, &run, &again);
	ck_assert_msg(again.nnotes == 0, "%s: fixing the fixed text fixes %s again", path,
		      again.nnotes ? again.notes[0].code : "");
	/* Comments are never lost (nor reordered). */
	comments(df_buf_str(&data), data.len, &before);
	comments(df_buf_str(&r.text), r.text.len, &after);
	ck_assert_msg(before.len == after.len && memcmp(df_buf_str(&before), df_buf_str(&after), before.len) == 0,
		      "%s: comments changed by fixing:\n%s---\n%s", path, df_buf_str(&before), df_buf_str(&after));
	df_fix_result_release(&again);
	df_fix_result_release(&r);
	df_buf_release(&before);
	df_buf_release(&after);
	df_buf_release(&data);
	free(raise);
}
END_TEST

/* The walk found the fixture tree: an empty run would pass vacuously. */
START_TEST(test_found_fixtures)
{
	ck_assert_msg(nfiles >= 100, "only %zu Dockerfiles under %s/fixtures", nfiles, tu_srcdir());
}
END_TEST

int main(void)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/fixtures", tu_srcdir());
	walk(dir, 0);
	if (nfiles)
		qsort(files, nfiles, sizeof(*files), cmp_str);
	Suite *s = suite_create("lint_all");
	TCase *tc = tcase_create("lint_all");
	tcase_set_timeout(tc, 60);	/* a hang guard for the sanitizer build */
	tcase_add_test(tc, test_found_fixtures);
	tcase_add_loop_test(tc, test_lint_fixture, 0, (int)nfiles);
	tcase_add_loop_test(tc, test_fix_fixture, 0, (int)nfiles);
	suite_add_tcase(s, tc);
	int rc = tu_run(s);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return rc;
}
