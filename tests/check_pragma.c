/*
 * check_pragma.c - what a Dockerfile says about its own findings: ignore
 * pragmas, the `# check=` directive, and one finding per problem when a
 * rule and the parser report the same thing (engine.h).
 *
 * BuildKit's checks have no rules yet, so the check directive is tested on
 * synthetic findings named after them (df_checks_skip/df_checks_severity,
 * which the engine applies to every finding) and through the engine on
 * findings that are not checks, which it must leave alone.
 */
#include "engine/engine.h"
#include "engine/pragma.h"
#include "graph/graph.h"
#include "testutil.h"
#include "util/util.h"

static void lint_opts(const char *text, const df_lint_opts *o, df_diags *out)
{
	df_doc doc;
	df_doc_parse(&doc, "Dockerfile", text, strlen(text), NULL);
	df_graph g;
	ck_assert_int_eq(df_graph_build(&g, &doc, NULL), 0);
	df_lint_file(&doc, &g, o, out);
	df_graph_release(&g);
	df_doc_release(&doc);
}

static size_t count_code_opts(const char *text, const char *code, const df_lint_opts *o)
{
	df_diags d = DF_DIAGS_INIT;
	lint_opts(text, o, &d);
	size_t n = 0;
	for (size_t i = 0; i < d.len; i++)
		n += strcmp(d.items[i].code, code) == 0;
	df_diags_release(&d);
	return n;
}

static size_t count_code(const char *text, const char *code)
{
	return count_code_opts(text, code, NULL);
}

static bool parse_pragma(const char *s, df_pragma *pr)
{
	return df_pragma_parse(s, s + strlen(s), pr);
}

/* ---- pragma syntax ------------------------------------------------------ */

START_TEST(test_pragma_forms)
{
	df_pragma pr;
	ck_assert(parse_pragma("# hadolint ignore=DL3003,DL3008", &pr));
	ck_assert_int_eq(pr.scope, DF_PRAGMA_LINE);
	ck_assert_uint_eq(pr.ncodes, 2);
	ck_assert_str_eq(pr.codes[0], "DL3003");
	ck_assert_str_eq(pr.codes[1], "DL3008");
	ck_assert_uint_eq(pr.offs[0], 18);
	ck_assert_uint_eq(pr.offs[1], 25);
	df_pragma_release(&pr);

	ck_assert(parse_pragma("  #dfopt global ignore = DL3059 , SC2086", &pr));
	ck_assert_int_eq(pr.scope, DF_PRAGMA_GLOBAL);
	ck_assert_uint_eq(pr.ncodes, 2);
	ck_assert_str_eq(pr.codes[1], "SC2086");
	df_pragma_release(&pr);

	ck_assert(parse_pragma("# hadolint stage ignore=StageNameCasing", &pr));
	ck_assert_int_eq(pr.scope, DF_PRAGMA_STAGE);
	ck_assert_str_eq(pr.codes[0], "StageNameCasing");
	df_pragma_release(&pr);
}
END_TEST

/* After the codes, the rest of the line is a comment, however it starts. */
START_TEST(test_pragma_trailing_comment)
{
	static const char *const lines[] = {
		"# hadolint ignore=DL3003 because the build needs it",
		"# hadolint ignore=DL3003: the build needs it",
		"# hadolint ignore=DL3003 # the build needs it",
		"# hadolint ignore=DL3003; DL3008 is not ignored",
		"# hadolint ignore=DL3003, (DL3008 is not ignored)",
		"# hadolint ignore=DL3003\r",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(lines); i++) {
		df_pragma pr;
		ck_assert_msg(parse_pragma(lines[i], &pr), "not a pragma: %s", lines[i]);
		ck_assert_msg(pr.ncodes == 1 && strcmp(pr.codes[0], "DL3003") == 0, "%s: %zu codes, first '%s'", lines[i],
			      pr.ncodes, pr.codes[0]);
		df_pragma_release(&pr);
	}
}
END_TEST

START_TEST(test_not_pragmas)
{
	static const char *const lines[] = {
		"# hadolint ignore DL3003",	/* no '=' */
		"# hadolint ignore=",		/* no code */
		"# hadolint ignore=: why",
		"# hadolintignore=DL3003",
		"# eslint ignore=DL3003",
		"# hadolint global=DL3003",
		"RUN true # hadolint ignore=DL3003",
		"# the hadolint ignore=DL3003 pragma",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(lines); i++) {
		df_pragma pr;
		ck_assert_msg(!parse_pragma(lines[i], &pr), "a pragma: %s", lines[i]);
		ck_assert_ptr_null(pr.codes);
	}
}
END_TEST

/* ---- pragma scopes, through the engine ------------------------------------ */

START_TEST(test_pragma_scopes)
{
	/* Line: the instruction below the comment block, all its lines. */
	ck_assert_uint_eq(count_code("FROM a:1\n# hadolint ignore=DL3003\n# why\nRUN cd /x \\\n && cd /y\n", "DL3003"), 0);
	ck_assert_uint_eq(count_code("FROM a:1\n# hadolint ignore=DL3003\nRUN cd /x\nRUN cd /y\n", "DL3003"), 1);
	ck_assert_uint_eq(count_code("FROM a:1\n# hadolint ignore=DL3003: legacy\nRUN cd /x\n", "DL3003"), 0);
	/* Stage: to the end of the stage; right above a FROM, that stage. */
	static const char two_stages[] = "FROM a:1 AS one\nRUN cd /x\n# dfopt stage ignore=DL3003\nFROM a:1 AS two\n"
					 "RUN cd /y\nRUN cd /z\nFROM a:1\nRUN cd /w\n";
	df_diags d = DF_DIAGS_INIT;
	lint_opts(two_stages, NULL, &d);
	size_t n = 0;
	for (size_t i = 0; i < d.len; i++)
		if (!strcmp(d.items[i].code, "DL3003")) {
			ck_assert(d.items[i].line == 2 || d.items[i].line == 8);
			n++;
		}
	ck_assert_uint_eq(n, 2);
	df_diags_release(&d);
	/* Global: everywhere, also above the pragma. */
	ck_assert_uint_eq(count_code("FROM a:1\nRUN cd /x\n# hadolint global ignore=DL3003\nFROM b:1\nRUN cd /y\n", "DL3003"), 0);
	/* --disable-ignore-pragma turns them all off. */
	df_lint_opts off = { .disable_ignore_pragma = true };
	ck_assert_uint_eq(count_code_opts("# hadolint global ignore=DL3003\nFROM a:1\nRUN cd /x\n", "DL3003", &off), 1);
}
END_TEST

/* ---- known codes (DF0001) -------------------------------------------------- */

START_TEST(test_known_codes)
{
	static const char *const known[] = { "DL1000", "DL3003", "DL1001", "DF0001", "SC2086", "SC1",
					     "StageNameCasing", "JSONArgsRecommended", "WorkdirRelativePath" };
	for (size_t i = 0; i < DF_ARRAY_LEN(known); i++)
		ck_assert_msg(df_code_known(known[i]), "'%s' should be known", known[i]);
	static const char *const unknown[] = { "DL9999", "dl3003", "SC", "SC20x6", "sc2086", "stagenamecasing",
					       "DL3005", "DF9999", "" };
	for (size_t i = 0; i < DF_ARRAY_LEN(unknown); i++)
		ck_assert_msg(!df_code_known(unknown[i]), "'%s' should be unknown", unknown[i]);
	ck_assert_str_eq(df_buildkit_check_near("stagenamecasing", 15), "StageNameCasing");
	ck_assert_str_eq(df_buildkit_check_near("JSONArgRecommended", 18), "JSONArgsRecommended");
	ck_assert_ptr_null(df_buildkit_check_near("DL3003", 6));
}
END_TEST

/* ---- the check directive ------------------------------------------------------- */

static void parse_text(const char *text, df_doc *doc)
{
	df_doc_parse(doc, "Dockerfile", text, strlen(text), NULL);
}

static bool has_skip(const df_check_opts *c, const char *name)
{
	for (size_t i = 0; i < c->nskip; i++)
		if (c->skip[i].len == strlen(name) && memcmp(c->skip[i].ptr, name, c->skip[i].len) == 0)
			return true;
	return false;
}

START_TEST(test_check_directive_parse)
{
	df_doc doc;
	parse_text("# check=skip=StageNameCasing, FromAsCasing ;error=true\nFROM a AS b\n", &doc);
	ck_assert_uint_eq(doc.diags.len, 0);
	ck_assert(doc.checks.error);
	ck_assert(!doc.checks.skip_all);
	ck_assert_uint_eq(doc.checks.nskip, 2);
	ck_assert(has_skip(&doc.checks, "StageNameCasing") && has_skip(&doc.checks, "FromAsCasing"));
	/* Spans point at the names as written. */
	ck_assert_uint_eq(doc.checks.skip_spans[1].start, 30);
	ck_assert_uint_eq(doc.checks.skip_spans[1].end, 42);
	df_doc_release(&doc);

	parse_text("#CHECK = error=T; skip=all\nFROM a\n", &doc);
	ck_assert_uint_eq(doc.diags.len, 0);
	ck_assert(doc.checks.error && doc.checks.skip_all);
	df_doc_release(&doc);

	/* Go's boolean spellings; no directive, nothing set. */
	parse_text("# check=error=False\nFROM a\n", &doc);
	ck_assert(!doc.checks.error && doc.diags.len == 0);
	df_doc_release(&doc);
	parse_text("FROM a\n", &doc);
	ck_assert(!doc.checks.error && !doc.checks.skip_all && doc.checks.nskip == 0);
	df_doc_release(&doc);

	/* The first two ';' split, as in BuildKit: the third option's value
	 * keeps the rest. Empty names are dropped. */
	parse_text("# check=error=1;experimental=all;skip=a;b,,c\nFROM a\n", &doc);
	ck_assert_uint_eq(doc.diags.len, 0);
	ck_assert_uint_eq(doc.checks.nskip, 2);
	ck_assert(has_skip(&doc.checks, "a;b") && has_skip(&doc.checks, "c"));
	df_doc_release(&doc);

	/* A check directive after a comment is a comment. */
	parse_text("# hello\n# check=error=true\nFROM a\n", &doc);
	ck_assert(!doc.checks.error);
	df_doc_release(&doc);
}
END_TEST

/* BuildKit's three options, experimental among them (accepted: dfopt runs
 * the experimental checks anyway). */
START_TEST(test_check_directive_experimental)
{
	df_doc doc;
	parse_text("# check=skip=JSONArgsRecommended;error=true;experimental=all\nFROM a\n", &doc);
	ck_assert_uint_eq(doc.diags.len, 0);
	ck_assert(doc.checks.error);
	ck_assert_uint_eq(doc.checks.nskip, 1);
	df_doc_release(&doc);
	parse_text("# check=experimental=CopyIgnoredFile\nFROM a\n", &doc);
	ck_assert_uint_eq(doc.diags.len, 0);
	df_doc_release(&doc);
}
END_TEST

/* BuildKit refuses to build with a malformed check directive: DL1000, and
 * no options. */
START_TEST(test_check_directive_malformed)
{
	static const struct {
		const char *text;
		const char *message;
		uint32_t col;
	} cases[] = {
		{ "# check=foo\nFROM a\n", "invalid check option 'foo' (expected skip=NAME,... or error=BOOL)", 9 },
		{ "# check=skip=a;error=maybe\nFROM a\n", "invalid check option 'error=maybe': not a boolean (true or false)",
		  22 },
		{ "# check=Skip=a\nFROM a\n", "invalid check option 'Skip' (expected skip, error or experimental)", 9 },
		/* Three options at most: the third keeps any further ';'. */
		{ "# check=error=true;error=x;skip=a\nFROM a\n",
		  "invalid check option 'error=x': not a boolean (true or false)", 26 },
		{ "# check=skip=a;error=true;error=false;skip=b\nFROM a\n",
		  "invalid check option 'error=false;skip=b': not a boolean (true or false)", 33 },
		{ "# check=skip=a;nonsense\nFROM a\n",
		  "invalid check option 'nonsense' (expected skip=NAME,... or error=BOOL)", 16 },
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(cases); i++) {
		df_doc doc;
		parse_text(cases[i].text, &doc);
		ck_assert_msg(doc.diags.len == 1, "%s: %zu diagnostics", cases[i].text, doc.diags.len);
		ck_assert_str_eq(doc.diags.items[0].code, "DL1000");
		ck_assert_str_eq(doc.diags.items[0].message, cases[i].message);
		ck_assert_uint_eq(doc.diags.items[0].line, 1);
		ck_assert_uint_eq(doc.diags.items[0].col, cases[i].col);
		ck_assert(!doc.checks.error && !doc.checks.skip_all && doc.checks.nskip == 0);
		df_doc_release(&doc);
	}
}
END_TEST

START_TEST(test_check_directive_findings)
{
	df_doc doc;
	parse_text("# check=skip=StageNameCasing,FromAsCasing;error=true\nFROM a\n", &doc);
	const df_check_opts *c = &doc.checks;
	ck_assert(df_checks_skip(c, "StageNameCasing"));
	ck_assert(df_checks_skip(c, "FromAsCasing"));
	ck_assert(!df_checks_skip(c, "JSONArgsRecommended"));
	ck_assert(!df_checks_skip(c, "stagenamecasing"));
	ck_assert_int_eq(df_checks_severity(c, "JSONArgsRecommended", DF_SEV_WARNING), DF_SEV_ERROR);
	ck_assert_int_eq(df_checks_severity(c, "InvalidDefinitionDescription", DF_SEV_IGNORE), DF_SEV_IGNORE);
	/* dfopt's own rules are not build checks. */
	ck_assert_int_eq(df_checks_severity(c, "DL3003", DF_SEV_WARNING), DF_SEV_WARNING);
	df_doc_release(&doc);

	parse_text("# check=skip=all\nFROM a\n", &doc);
	ck_assert(df_checks_skip(&doc.checks, "UndefinedVar"));
	ck_assert(!df_checks_skip(&doc.checks, "DL3003"));
	ck_assert(!df_checks_skip(&doc.checks, "DL1000"));
	ck_assert_int_eq(df_checks_severity(&doc.checks, "UndefinedVar", DF_SEV_WARNING), DF_SEV_WARNING);
	df_doc_release(&doc);

	/* Through the engine, rules that are not checks keep their findings
	 * and severities. */
	df_diags d = DF_DIAGS_INIT;
	lint_opts("# check=skip=all;error=true\nFROM a:1\nRUN cd /x\n", NULL, &d);
	size_t n = 0;
	for (size_t i = 0; i < d.len; i++)
		if (!strcmp(d.items[i].code, "DL3003")) {
			ck_assert_int_eq(d.items[i].severity, DF_SEV_WARNING);
			n++;
		}
	ck_assert_uint_eq(n, 1);
	df_diags_release(&d);
}
END_TEST

/* ---- one finding per problem ------------------------------------------------------- */

START_TEST(test_parse_error_replaced_by_rule)
{
	static const char *const texts[] = {
		"FROM a:1\nONBUILD ONBUILD RUN x\n",
		"FROM a:1\nONBUILD FROM b\n",
		"FROM a:1\nONBUILD maintainer me\n",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(texts); i++) {
		df_diags d = DF_DIAGS_INIT;
		lint_opts(texts[i], NULL, &d);
		size_t n1000 = 0, n3043 = 0;
		for (size_t k = 0; k < d.len; k++) {
			n1000 += strcmp(d.items[k].code, "DL1000") == 0;
			if (!strcmp(d.items[k].code, "DL3043")) {
				ck_assert_int_eq(d.items[k].severity, DF_SEV_ERROR);
				n3043++;
			}
		}
		ck_assert_msg(n1000 == 0 && n3043 == 1, "%s: %zu DL1000 and %zu DL3043", texts[i], n1000, n3043);
		df_diags_release(&d);
	}
	/* Ignoring either code silences the one finding. */
	ck_assert_uint_eq(count_code("FROM a:1\n# hadolint ignore=DL1000\nONBUILD FROM b\n", "DL3043"), 0);
	ck_assert_uint_eq(count_code("FROM a:1\n# hadolint ignore=DL3043\nONBUILD FROM b\n", "DL1000"), 0);
	const char *ignored[] = { "DL1000" };
	df_lint_opts o = { .ignored = ignored, .nignored = 1 };
	ck_assert_uint_eq(count_code_opts("FROM a:1\nONBUILD FROM b\n", "DL3043", &o), 0);
	/* Another parse error, elsewhere, is another problem: it stays. */
	ck_assert_uint_eq(count_code("FROM a:1\nONBUILD FROM b\nCOPY a\n", "DL1000"), 1);
	ck_assert_uint_eq(count_code("FROM a:1\nONBUILD FROM b\nCOPY a\n", "DL3043"), 1);
	/* A rule that does not subsume parse errors keeps both. */
	ck_assert_uint_eq(count_code("FROM a:1\nMAINTAINER\n", "DL1000"), 1);
	ck_assert_uint_eq(count_code("FROM a:1\nMAINTAINER\n", "DL4000"), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pragma");
	TCase *tc = tcase_create("pragma");
	tcase_add_test(tc, test_pragma_forms);
	tcase_add_test(tc, test_pragma_trailing_comment);
	tcase_add_test(tc, test_not_pragmas);
	tcase_add_test(tc, test_pragma_scopes);
	tcase_add_test(tc, test_known_codes);
	tcase_add_test(tc, test_check_directive_parse);
	tcase_add_test(tc, test_check_directive_malformed);
	tcase_add_test(tc, test_check_directive_experimental);
	tcase_add_test(tc, test_check_directive_findings);
	tcase_add_test(tc, test_parse_error_replaced_by_rule);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
