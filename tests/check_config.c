/*
 * check_config.c - the settings layers of engine/config.h: the YAML loader
 * (every key, errors with their line and column, empty files, limits), the
 * environment variables, how layers stack, and where config files are found.
 */
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/config.h"
#include "testutil.h"
#include "util/util.h"

/* Load text as a layer of c; the error text (or "") in err. */
static int load(df_config *c, const char *text, df_buf *err)
{
	df_buf_reset(err);
	return df_config_load_yaml(c, "cfg.yaml", text, strlen(text), err);
}

static bool all_unset(const df_config *c)
{
	return !c->nignored && !c->noverrides && !c->ntrusted && !c->nlabels && c->threshold == -1 && !c->format &&
	       c->no_fail == DF_CONFIG_UNSET && c->no_color == DF_CONFIG_UNSET && c->verbose == DF_CONFIG_UNSET &&
	       c->strict_labels == DF_CONFIG_UNSET && c->disable_ignore_pragma == DF_CONFIG_UNSET &&
	       c->shellcheck == DF_CONFIG_UNSET && !c->ncustom;
}

START_TEST(test_every_key)
{
	static const char text[] =
		"# every key hadolint knows, and dfopt's own\n"
		"ignored:\n  - DL3000\n  - SC1010\n"
		"override:\n"
		"  error: [DL3001, DL3002]\n"
		"  warning:\n    - DL3042\n"
		"  info: [DL3032]\n"
		"  style: [\"DL3015\"]\n"
		"failure-threshold: warning\n"
		"trustedRegistries:\n  - docker.io\n  - \"*.gcr.io\"\n"
		"label-schema:\n  author: text\n  version: semver\n  contact: email\n"
		"strict-labels: true\n"
		"disable-ignore-pragma: True\n"
		"no-fail: false\n"
		"no-color: TRUE\n"
		"verbose: true\n"
		"format: json\n"
		"shellcheck: false\n";
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(load(&c, text, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_uint_eq(c.nignored, 2);
	ck_assert_str_eq(c.ignored[0], "DL3000");
	ck_assert_str_eq(c.ignored[1], "SC1010");
	ck_assert_uint_eq(c.noverrides, 5);
	ck_assert_str_eq(c.overrides[0].code, "DL3001");
	ck_assert_int_eq(c.overrides[0].severity, DF_SEV_ERROR);
	ck_assert_str_eq(c.overrides[1].code, "DL3002");
	ck_assert_str_eq(c.overrides[2].code, "DL3042");
	ck_assert_int_eq(c.overrides[2].severity, DF_SEV_WARNING);
	ck_assert_int_eq(c.overrides[3].severity, DF_SEV_INFO);
	ck_assert_str_eq(c.overrides[4].code, "DL3015");
	ck_assert_int_eq(c.overrides[4].severity, DF_SEV_STYLE);
	ck_assert_int_eq(c.threshold, DF_SEV_WARNING);
	ck_assert_uint_eq(c.ntrusted, 2);
	ck_assert_str_eq(c.trusted[1], "*.gcr.io");
	ck_assert_uint_eq(c.nlabels, 3);
	ck_assert_str_eq(c.labels[0].name, "author");
	ck_assert_int_eq(c.labels[0].type, DF_LABEL_TEXT);
	ck_assert_int_eq(c.labels[1].type, DF_LABEL_SEMVER);
	ck_assert_int_eq(c.labels[2].type, DF_LABEL_EMAIL);
	ck_assert_int_eq(c.strict_labels, DF_CONFIG_ON);
	ck_assert_int_eq(c.disable_ignore_pragma, DF_CONFIG_ON);
	ck_assert_int_eq(c.no_fail, DF_CONFIG_OFF);
	ck_assert_int_eq(c.no_color, DF_CONFIG_ON);
	ck_assert_int_eq(c.verbose, DF_CONFIG_ON);
	ck_assert_str_eq(c.format, "json");
	ck_assert_str_eq(c.format_origin, "cfg.yaml:24:9: key 'format'");
	ck_assert_int_eq(c.shellcheck, DF_CONFIG_OFF);
	df_config_release(&c);
	ck_assert(all_unset(&c));
	df_buf_release(&err);
}
END_TEST

START_TEST(test_scalar_forms)
{
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	/* hadolint takes one bare registry; none and ignore are the same threshold */
	ck_assert_msg(load(&c, "trustedRegistries: my-company.com:5000\nfailure-threshold: none\n", &err) == 0, "%s",
		      df_buf_str(&err));
	ck_assert_uint_eq(c.ntrusted, 1);
	ck_assert_str_eq(c.trusted[0], "my-company.com:5000");
	ck_assert_int_eq(c.threshold, DF_SEV_IGNORE);
	ck_assert_int_eq(load(&c, "failure-threshold: ignore\n", &err), 0);
	ck_assert_int_eq(c.threshold, DF_SEV_IGNORE);
	/* flow style and JSON are YAML too */
	ck_assert_msg(load(&c, "{\"ignored\": [\"DL3006\"], \"no-fail\": true}", &err) == 0, "%s", df_buf_str(&err));
	ck_assert_uint_eq(c.nignored, 1);
	ck_assert_int_eq(c.no_fail, DF_CONFIG_ON);
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

/* Texts that leave every setting unset. */
static const char *const empty_texts[] = {
	"",
	"\n\n",
	"# only a comment\n",
	"---\n",
	"---\n...\n",
	"~\n",
	"ignored:\noverride: {}\nlabel-schema: null\nformat: ~\nno-fail:\ntrustedRegistries: []\nfailure-threshold: Null\n",
};

START_TEST(test_empty)
{
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(load(&c, empty_texts[_i], &err) == 0, "text %d: %s", _i, df_buf_str(&err));
	ck_assert_msg(all_unset(&c), "text %d set something", _i);
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

static const struct {
	const char *text;
	const char *error;	/* the whole message */
} bad[] = {
	{ "ignored: DL3000\n", "cfg.yaml:1:10: key 'ignored': expected a list of rule codes, not 'DL3000'" },
	{ "ignored:\n  - [DL3000]\n", "cfg.yaml:2:5: key 'ignored': expected a rule code, not a list" },
	{ "ignored: [\"\"]\n", "cfg.yaml:1:11: key 'ignored': expected a rule code, not an empty string" },
	{ "override:\n  error: DL3001\n", "cfg.yaml:2:10: key 'override.error': expected a list of rule codes, not 'DL3001'" },
	{ "override:\n  error:\n    x: y\n", "cfg.yaml:3:5: key 'override.error': expected a list of rule codes, not a mapping" },
	{ "override: [DL3001]\n",
	  "cfg.yaml:1:11: key 'override': expected a mapping of severities to lists of rule codes, not a list" },
	{ "override:\n  fatal: [DL3001]\n", "cfg.yaml:2:3: key 'override': unknown severity 'fatal' (error, warning, info or style)" },
	{ "override:\n  error: [a]\n  error: [b]\n", "cfg.yaml:3:3: key 'override': 'error' appears twice" },
	{ "failure-threshold: high\n",
	  "cfg.yaml:1:20: key 'failure-threshold': unknown threshold 'high' (error, warning, info, style, ignore or none)" },
	{ "failure-threshold: [error]\n", "cfg.yaml:1:20: key 'failure-threshold': expected a threshold, not a list" },
	{ "trustedRegistries:\n  docker.io: yes\n",
	  "cfg.yaml:2:3: key 'trustedRegistries': expected a list of registries, not a mapping" },
	{ "label-schema:\n  version: number\n",
	  "cfg.yaml:2:12: key 'label-schema.version': unknown label type 'number' (text, url, semver, hash, rfc3339, spdx or email)" },
	{ "label-schema: [version]\n", "cfg.yaml:1:15: key 'label-schema': expected a mapping of label names to types, not a list" },
	{ "label-schema:\n  version: [semver]\n", "cfg.yaml:2:12: key 'label-schema.version': expected a label type, not a list" },
	{ "strict-labels: yes\n", "cfg.yaml:1:16: key 'strict-labels': expected true or false, not 'yes'" },
	{ "no-fail: \"true\"\n", "cfg.yaml:1:10: key 'no-fail': expected true or false, not 'true'" },
	{ "no-color: [true]\n", "cfg.yaml:1:11: key 'no-color': expected true or false, not a list" },
	{ "format: {name: json}\n", "cfg.yaml:1:9: key 'format': expected a format name, not a mapping" },
	{ "ignored: [DL3000]\ntrusted-registries: [docker.io]\n",
	  "cfg.yaml:2:1: unknown key 'trusted-registries' (ignored, override, failure-threshold, trustedRegistries, "
	  "label-schema, strict-labels, disable-ignore-pragma, no-fail, no-color, verbose, format, shellcheck or "
	  "custom-rules)" },
	{ "no-fail: true\nno-fail: false\n", "cfg.yaml:2:1: key 'no-fail': appears twice" },
	{ "- DL3000\n", "cfg.yaml:1:1: expected a mapping of settings, not a list" },
	{ "DL3000\n", "cfg.yaml:1:1: expected a mapping of settings, not 'DL3000'" },
	/* A plain scalar spanning lines is quoted on one line. */
	{ "ignor3\n\nshellcheck: false\n", "cfg.yaml:1:1: expected a mapping of settings, not 'ignor3\\nshellcheck'" },
	{ "[a]: b\n", "cfg.yaml:1:1: expected a setting name, not a list" },
	{ "base: &b [DL3000]\nignored: *b\n",
	  "cfg.yaml:1:1: unknown key 'base' (ignored, override, failure-threshold, trustedRegistries, label-schema, "
	  "strict-labels, disable-ignore-pragma, no-fail, no-color, verbose, format, shellcheck or custom-rules)" },
	{ "ignored: &b [DL3000]\noverride:\n  error: *b\n", "cfg.yaml:3:10: key 'override.error': aliases (*name) are not supported" },
	{ "ignored: [DL3000]\n---\nignored: [DL3001]\n", "cfg.yaml:2:1: expected one YAML document, found a second" },
	{ "ignored: [DL3000\n", "cfg.yaml:2:1: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence" },
	{ "ignored:\n  - a\n b: c\n", "cfg.yaml:3:2: invalid YAML: did not find expected key while parsing a block mapping" },
	{ "ignored: [\"a\\0b\"]\n", "cfg.yaml:1:11: key 'ignored': the value holds a NUL byte" },
	/* custom rules: the loader's errors (fixtures/custom/ has the others) */
	{ "custom-rules:\n  - {code: A1, message: m, pattern: x, required: maybe}\n",
	  "cfg.yaml:2:50: custom rule 'A1': required: expected true or false, not 'maybe'" },
	{ "custom-rules:\n  - {code: A1, message: m, command: x, required: true}\n",
	  "cfg.yaml:2:50: custom rule 'A1': required goes with pattern, not command" },
	{ "custom-rules:\n  - {code: A1, message: m, pattern: x, required: true, unless: y}\n",
	  "cfg.yaml:2:64: custom rule 'A1': unless does not go with required" },
	{ "custom-rules:\n  - {code: A1, message: m, pattern: x, instructions: []}\n",
	  "cfg.yaml:2:54: custom rule 'A1': instructions: the list is empty" },
	{ "custom-rules:\n  - {code: A1, message: m, pattern: x, instructions: {RUN: 1}}\n",
	  "cfg.yaml:2:54: custom rule 'A1': instructions: expected a list of instructions, not a mapping" },
	{ "custom-rules:\n  - {code: A1, message: m, pattern: x, instructions: [[RUN]]}\n",
	  "cfg.yaml:2:55: custom rule 'A1': instructions: expected an instruction, not a list" },
	{ "custom-rules:\n  - {code: A1, message: m, pattern: \"\"}\n",
	  "cfg.yaml:2:37: custom rule 'A1': pattern: expected a string, not an empty one" },
	{ "custom-rules:\n  - {code: A1, message: \"a\\0b\", pattern: x}\n",
	  "cfg.yaml:2:25: custom rule 'A1': message: the value holds a NUL byte" },
	{ "custom-rules:\n  - {code: A1, code: A2}\n", "cfg.yaml:2:16: custom rule 'A1': key 'code' appears twice" },
	{ "custom-rules:\n  - {[code]: A1}\n", "cfg.yaml:2:6: custom rule #1: expected a key, not a list" },
	{ "custom-rules:\n  - {code: A1, message: m, pattern: x}\n  - {code: A12345678901234567890123456789012, "
	  "message: m, pattern: x}\n", "cfg.yaml:3:12: custom rule 'A12345678901234567890123456789012': code is too long" },
	{ "custom-rules:\n  - {code: SC2086, message: m, pattern: x}\n",
	  "cfg.yaml:2:12: custom rule 'SC2086': code has a prefix of dfopt's own rules (DL, DF) or ShellCheck's (SC)" },
	{ "custom-rules:\n  - {code: A1, message: m, command: \"a)\"}\n",
	  "cfg.yaml:2:37: custom rule 'A1': command: unmatched closing parenthesis at offset 1" },
};

START_TEST(test_bad)
{
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(load(&c, bad[_i].text, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), bad[_i].error);
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_limits)
{
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	/* one byte over the cap, whatever it holds */
	char *big = df_xmalloc(DF_CONFIG_MAX + 2);
	memset(big, '#', DF_CONFIG_MAX + 1);
	big[DF_CONFIG_MAX + 1] = '\0';
	ck_assert_int_eq(load(&c, big, &err), -1);
	ck_assert_ptr_nonnull(strstr(df_buf_str(&err), "config file is too large"));
	/* deep nesting stops at the first level the schema does not expect */
	size_t depth = 100000;
	memcpy(big, "ignored: ", 9);
	memset(big + 9, '[', depth);
	big[9 + depth] = '\0';
	ck_assert_int_eq(load(&c, big, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "cfg.yaml:1:11: key 'ignored': expected a rule code, not a list");
	/* the same at the top level */
	memset(big, '{', depth);
	big[depth] = '\0';
	ck_assert_int_eq(load(&c, big, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "cfg.yaml:1:2: expected a setting name, not a mapping");
	free(big);
	ck_assert(all_unset(&c));
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_layers_stack)
{
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(load(&c, "ignored: [DL3000]\noverride: {error: [DL3001]}\nfailure-threshold: error\n"
				  "label-schema: {version: semver, author: text}\nno-fail: true\nformat: json\n"
				  "trustedRegistries: docker.io\n", &err), 0);
	ck_assert_int_eq(load(&c, "ignored: [DL3006]\noverride: {warning: [DL3001]}\nfailure-threshold: style\n"
				  "label-schema: {version: text, url: url}\nformat: sarif\ntrustedRegistries: [quay.io]\n",
			      &err), 0);
	/* lists add up, in layer order */
	ck_assert_uint_eq(c.nignored, 2);
	ck_assert_str_eq(c.ignored[0], "DL3000");
	ck_assert_str_eq(c.ignored[1], "DL3006");
	ck_assert_uint_eq(c.ntrusted, 2);
	ck_assert_str_eq(c.trusted[1], "quay.io");
	/* the upper override of a code comes last: the engine applies the last */
	ck_assert_uint_eq(c.noverrides, 2);
	ck_assert_int_eq(c.overrides[1].severity, DF_SEV_WARNING);
	/* a label is retyped in place; new ones are added */
	ck_assert_uint_eq(c.nlabels, 3);
	ck_assert_str_eq(c.labels[0].name, "version");
	ck_assert_int_eq(c.labels[0].type, DF_LABEL_TEXT);
	ck_assert_str_eq(c.labels[2].name, "url");
	/* scalars: the upper layer's, where it sets one */
	ck_assert_int_eq(c.threshold, DF_SEV_STYLE);
	ck_assert_str_eq(c.format, "sarif");
	ck_assert_str_eq(c.format_origin, "cfg.yaml:5:9: key 'format'");
	ck_assert_int_eq(c.no_fail, DF_CONFIG_ON);
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

/* custom-rules: every key, the defaults, compiled patterns; an upper layer
 * replaces a rule of the same code, and merging copies the patterns. */
START_TEST(test_custom_rules)
{
	df_config c, top;
	df_config_init(&c);
	df_config_init(&top);
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(load(&c, "custom-rules:\n"
			       "  - code: ACME1\n    message: m1\n    pattern: '^(?!registry\\.acme\\.io/)'\n"
			       "  - code: ACME2\n    severity: error\n    message: m2\n    instructions: [run, Cmd]\n"
			       "    command: curl|wget\n    words: '(^| )-k'\n    unless: x\n    docs: why\n"
			       "  - code: ACME3\n    message: m3\n    instructions: LABEL\n    pattern: maintainer=\n"
			       "    required: true\n    docs:\n",
			  &err) == 0, "%s", df_buf_str(&err));
	ck_assert_uint_eq(c.ncustom, 3);
	const df_custom_rule *r = &c.custom[0];
	ck_assert_str_eq(r->code, "ACME1");
	ck_assert_int_eq(r->severity, DF_SEV_WARNING);
	ck_assert_ptr_nonnull(r->pattern);
	ck_assert_ptr_null(r->command);
	ck_assert_ptr_null(r->docs);
	/* every instruction but the unknown kind */
	ck_assert_uint_eq(r->kinds, (DF_KIND(DF_I_COUNT) - 1) & ~DF_KIND(DF_I_UNKNOWN));
	r = &c.custom[1];
	ck_assert_int_eq(r->severity, DF_SEV_ERROR);
	ck_assert_uint_eq(r->kinds, DF_KIND(DF_I_RUN) | DF_KIND(DF_I_CMD));
	ck_assert(r->command && r->words && r->unless && !r->pattern);
	ck_assert_str_eq(r->docs, "why");
	r = &c.custom[2];
	ck_assert(r->required);
	ck_assert_uint_eq(r->kinds, DF_KIND(DF_I_LABEL));
	ck_assert_ptr_null(r->docs);

	/* a command rule's instructions default to RUN, CMD and ENTRYPOINT */
	ck_assert_msg(load(&top, "custom-rules:\n  - {code: ACME1, message: new, command: sudo}\n"
				 "  - {code: ACME4, message: m4, pattern: x}\n", &err) == 0, "%s", df_buf_str(&err));
	ck_assert_uint_eq(top.custom[0].kinds, DF_CUSTOM_COMMAND_KINDS);
	df_config_merge(&c, &top);
	df_config_release(&top);
	ck_assert_uint_eq(c.ncustom, 4);
	ck_assert_str_eq(c.custom[0].message, "new");
	ck_assert_ptr_nonnull(c.custom[0].command);
	ck_assert_ptr_null(c.custom[0].pattern);
	ck_assert_str_eq(c.custom[3].code, "ACME4");
	ck_assert_ptr_nonnull(df_custom_find(c.custom, c.ncustom, "ACME4"));
	ck_assert_ptr_null(df_custom_find(c.custom, c.ncustom, "ACME5"));
	/* the same code again in another file replaces it, too */
	ck_assert_int_eq(load(&c, "custom-rules: [{code: ACME4, message: again, pattern: y}]\n", &err), 0);
	ck_assert_uint_eq(c.ncustom, 4);
	ck_assert_str_eq(c.custom[3].message, "again");
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

/* A fake environment: NULL-terminated name, value pairs. */
static const char *fake_env(const char *name, void *ctx)
{
	for (const char *const *e = ctx; *e; e += 2)
		if (!strcmp(e[0], name))
			return e[1];
	return NULL;
}

START_TEST(test_env)
{
	static const char *const env[] = {
		"HADOLINT_NOFAIL", "Yes",
		"HADOLINT_VERBOSE", "0",
		"HADOLINT_FORMAT", "json",
		"DFOPT_FORMAT", "sarif",
		"HADOLINT_FAILURE_THRESHOLD", "warning",
		"HADOLINT_OVERRIDE_ERROR", "DL3010, DL3020",
		"HADOLINT_OVERRIDE_WARNING", "DL3030",
		"HADOLINT_OVERRIDE_INFO", "DL3040,,",
		"HADOLINT_OVERRIDE_STYLE", " DL3050 ",
		"DFOPT_OVERRIDE_INFO", "DL3010",
		"HADOLINT_IGNORE", "DL3000,SC2086",
		"HADOLINT_TRUSTED_REGISTRIES", "docker.io,quay.io",
		"HADOLINT_REQUIRE_LABELS", "maintainer:text,org.opencontainers.image.url:url",
		"HADOLINT_STRICT_LABELS", "on",
		"HADOLINT_DISABLE_IGNORE_PRAGMA", "TRUE",
		"DFOPT_DISABLE_IGNORE_PRAGMA", "off",
		"DFOPT_STRICT_LABELS", "",
		"NO_COLOR", "1",
		NULL,
	};
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	ck_assert_msg(df_config_load_env(&c, fake_env, (void *)env, &err) == 0, "%s", df_buf_str(&err));
	ck_assert_int_eq(c.no_fail, DF_CONFIG_ON);
	ck_assert_int_eq(c.verbose, DF_CONFIG_OFF);
	ck_assert_str_eq(c.format, "sarif");	/* DFOPT_ wins */
	ck_assert_str_eq(c.format_origin, "environment variable 'DFOPT_FORMAT'");
	ck_assert_int_eq(c.threshold, DF_SEV_WARNING);
	ck_assert_uint_eq(c.noverrides, 6);
	ck_assert_str_eq(c.overrides[1].code, "DL3020");
	ck_assert_str_eq(c.overrides[3].code, "DL3040");
	ck_assert_str_eq(c.overrides[4].code, "DL3050");
	ck_assert_int_eq(c.overrides[4].severity, DF_SEV_STYLE);
	ck_assert_str_eq(c.overrides[5].code, "DL3010");	/* after HADOLINT_'s: it wins */
	ck_assert_int_eq(c.overrides[5].severity, DF_SEV_INFO);
	ck_assert_uint_eq(c.nignored, 2);
	ck_assert_str_eq(c.ignored[1], "SC2086");
	ck_assert_uint_eq(c.ntrusted, 2);
	ck_assert_uint_eq(c.nlabels, 2);
	ck_assert_str_eq(c.labels[1].name, "org.opencontainers.image.url");
	ck_assert_int_eq(c.labels[1].type, DF_LABEL_URL);
	ck_assert_int_eq(c.strict_labels, DF_CONFIG_ON);	/* an empty variable is unset */
	ck_assert_int_eq(c.disable_ignore_pragma, DF_CONFIG_OFF);
	ck_assert_int_eq(c.no_color, DF_CONFIG_ON);
	ck_assert_int_eq(c.shellcheck, DF_CONFIG_UNSET);
	df_config_release(&c);

	static const char *const none[] = { "NO_COLOR", "", "HOME", "/root", NULL };
	df_config_init(&c);
	ck_assert_int_eq(df_config_load_env(&c, fake_env, (void *)none, &err), 0);
	ck_assert(all_unset(&c));
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

static const struct {
	const char *name, *value, *error;
} bad_env[] = {
	{ "HADOLINT_NOFAIL", "maybe",
	  "environment variable 'HADOLINT_NOFAIL': 'maybe' is not a truth value (1, y, yes, on, true or 0, n, no, off, false)" },
	{ "DFOPT_VERBOSE", "2",
	  "environment variable 'DFOPT_VERBOSE': '2' is not a truth value (1, y, yes, on, true or 0, n, no, off, false)" },
	{ "HADOLINT_FAILURE_THRESHOLD", "high",
	  "environment variable 'HADOLINT_FAILURE_THRESHOLD': unknown threshold 'high' (error, warning, info, style, ignore or none)" },
	{ "HADOLINT_REQUIRE_LABELS", "a:text,b",
	  "environment variable 'HADOLINT_REQUIRE_LABELS': 'b' is not NAME:TYPE with TYPE one of text, url, semver, hash, rfc3339, spdx or email" },
	{ "DFOPT_REQUIRE_LABELS", "v:number",
	  "environment variable 'DFOPT_REQUIRE_LABELS': 'v:number' is not NAME:TYPE with TYPE one of text, url, semver, hash, rfc3339, spdx or email" },
};

START_TEST(test_env_bad)
{
	const char *env[] = { bad_env[_i].name, bad_env[_i].value, NULL };
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_config_load_env(&c, fake_env, (void *)env, &err), -1);
	ck_assert_str_eq(df_buf_str(&err), bad_env[_i].error);
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

/* The CLI's order: environment, config file, command line. */
START_TEST(test_precedence)
{
	static const char *const env[] = {
		"HADOLINT_FAILURE_THRESHOLD", "error", "HADOLINT_NOFAIL", "1", "HADOLINT_IGNORE", "DL3000",
		"HADOLINT_FORMAT", "json", NULL,
	};
	df_config cfg, cli;
	df_config_init(&cfg);
	df_config_init(&cli);
	df_buf err = DF_BUF_INIT;
	ck_assert_int_eq(df_config_load_env(&cfg, fake_env, (void *)env, &err), 0);
	ck_assert_int_eq(load(&cfg, "failure-threshold: warning\nno-fail: false\nignored: [DL3001]\n", &err), 0);
	df_config_add_ignored(&cli, "DL3002");
	df_config_add_override(&cli, "DL3003", DF_SEV_STYLE);
	df_config_add_label(&cli, "version", DF_LABEL_SEMVER);
	df_config_add_trusted(&cli, "docker.io");
	cli.threshold = DF_SEV_STYLE;
	df_config_merge(&cfg, &cli);
	df_config_release(&cli);	/* merge copies */
	ck_assert_int_eq(cfg.threshold, DF_SEV_STYLE);	/* cli over file over env */
	ck_assert_int_eq(cfg.no_fail, DF_CONFIG_OFF);	/* file over env */
	ck_assert_str_eq(cfg.format, "json");		/* env, nobody else set it */
	ck_assert_uint_eq(cfg.nignored, 3);
	ck_assert_str_eq(cfg.ignored[0], "DL3000");
	ck_assert_str_eq(cfg.ignored[1], "DL3001");
	ck_assert_str_eq(cfg.ignored[2], "DL3002");
	ck_assert_str_eq(cfg.overrides[0].code, "DL3003");
	ck_assert_str_eq(cfg.labels[0].name, "version");
	ck_assert_str_eq(cfg.trusted[0], "docker.io");
	df_config_release(&cfg);
	df_buf_release(&err);
}
END_TEST

START_TEST(test_values)
{
	ck_assert_int_eq(df_config_parse_threshold("style"), DF_SEV_STYLE);
	ck_assert_int_eq(df_config_parse_threshold("none"), DF_SEV_IGNORE);
	ck_assert_int_eq(df_config_parse_threshold("Error"), -1);
	ck_assert_int_eq(df_config_parse_severity("ignore"), -1);
	ck_assert_int_eq(df_config_parse_severity("info"), DF_SEV_INFO);
	ck_assert_int_eq(df_config_parse_bool("Y"), 1);
	ck_assert_int_eq(df_config_parse_bool("oFF"), 0);
	ck_assert_int_eq(df_config_parse_bool(""), -1);
	ck_assert_int_eq(df_config_parse_bool("truee"), -1);
	size_t n;
	df_label_type t;
	ck_assert_int_eq(df_config_parse_label("a:b:hash", &n, &t), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(t, DF_LABEL_HASH);
	ck_assert_int_eq(df_config_parse_label(":text", &n, &t), -1);
	ck_assert_int_eq(df_config_parse_label("version", &n, &t), -1);
	ck_assert_int_eq(df_config_parse_label("version:", &n, &t), -1);
}
END_TEST

/* --- files ------------------------------------------------------------------ */

static char top[PATH_MAX];	/* a fresh directory per test: cwd/, home/, xdg/ */
static char old_cwd[PATH_MAX];

static void mkpath(const char *rel)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	ck_assert_msg(mkdir(p, 0700) == 0, "mkdir %s", p);
}

static void touch(const char *rel, const char *text)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	ck_assert_msg(tu_write(p, text, strlen(text)) == 0, "write %s", p);
}

static void remove_tree(const char *rel)
{
	char cmd[PATH_MAX * 2 + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", top, rel);
	ck_assert_int_eq(system(cmd), 0);
}

static void files_setup(void)
{
	ck_assert_ptr_nonnull(getcwd(old_cwd, sizeof(old_cwd)));
	const char *t = getenv("TMPDIR");
	snprintf(top, sizeof(top), "%s/dfopt-config-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(top));
	mkpath("cwd");
	mkpath("home");
	mkpath("xdg");
	char cwd[PATH_MAX + 8];
	snprintf(cwd, sizeof(cwd), "%s/cwd", top);
	ck_assert_int_eq(chdir(cwd), 0);
}

static void files_teardown(void)
{
	ck_assert_int_eq(chdir(old_cwd), 0);
	remove_tree("");
}

/* Where the hadolint file is found: the path, relative to top, or NULL. */
static const char *found_hadolint(bool use_xdg, char *out, size_t size)
{
	char home[PATH_MAX + 8], xdg[PATH_MAX + 8];
	snprintf(home, sizeof(home), "%s/home", top);
	snprintf(xdg, sizeof(xdg), "%s/xdg", top);
	df_config_dirs d = { home, use_xdg ? xdg : NULL };
	df_buf p = DF_BUF_INIT;
	if (!df_config_find_hadolint(&d, &p))
		return NULL;
	const char *s = df_buf_str(&p);
	if (!strncmp(s, top, strlen(top)))
		s += strlen(top) + 1;
	snprintf(out, size, "%s", s);
	df_buf_release(&p);
	return out;
}

START_TEST(test_find_hadolint_order)
{
	/* Created from the last in hadolint's order to the first; each new
	 * file is found instead of the one before. */
	static const char *const order[][2] = {
		{ "home/.hadolint.yml", "home/.hadolint.yml" },
		{ "home/.hadolint.yaml", "home/.hadolint.yaml" },
		{ "home/.hadolint/config.yml", "home/.hadolint/config.yml" },
		{ "home/.hadolint/config.yaml", "home/.hadolint/config.yaml" },
		{ "home/.hadolint/hadolint.yml", "home/.hadolint/hadolint.yml" },
		{ "home/.hadolint/hadolint.yaml", "home/.hadolint/hadolint.yaml" },
		{ "home/.config/hadolint.yml", "home/.config/hadolint.yml" },
		{ "home/.config/hadolint.yaml", "home/.config/hadolint.yaml" },
		{ "xdg/hadolint.yml", "xdg/hadolint.yml" },
		{ "xdg/hadolint.yaml", "xdg/hadolint.yaml" },
		{ "cwd/.hadolint.yml", ".hadolint.yml" },
		{ "cwd/.hadolint.yaml", ".hadolint.yaml" },
	};
	char got[PATH_MAX];
	ck_assert_ptr_null(found_hadolint(true, got, sizeof(got)));
	mkpath("home/.hadolint");
	mkpath("home/.config");
	for (size_t i = 0; i < DF_ARRAY_LEN(order); i++) {
		touch(order[i][0], "");
		ck_assert_ptr_nonnull(found_hadolint(true, got, sizeof(got)));
		ck_assert_str_eq(got, order[i][1]);
	}
}
END_TEST

START_TEST(test_find_skips)
{
	char got[PATH_MAX];
	/* a directory of the right name is not a config file */
	mkpath("cwd/.hadolint.yaml");
	mkpath("home/.config");
	touch("home/.config/hadolint.yaml", "");
	ck_assert_ptr_nonnull(found_hadolint(true, got, sizeof(got)));
	ck_assert_str_eq(got, "home/.config/hadolint.yaml");
	/* without XDG_CONFIG_HOME, ~/.config is the XDG directory */
	ck_assert_ptr_nonnull(found_hadolint(false, got, sizeof(got)));
	ck_assert_str_eq(got, "home/.config/hadolint.yaml");
	/* a relative XDG_CONFIG_HOME is ignored (the XDG spec) */
	touch("cwd/hadolint.yaml", "");
	df_config_dirs d = { NULL, "." };
	df_buf p = DF_BUF_INIT;
	ck_assert(!df_config_find_hadolint(&d, &p));
	ck_assert_uint_eq(p.len, 0);
	/* no HOME, no XDG: only the current directory */
	d.xdg_config_home = NULL;
	ck_assert(!df_config_find_hadolint(&d, &p));
	df_buf_release(&p);
}
END_TEST

START_TEST(test_find_dfopt)
{
	char home[PATH_MAX + 8], xdg[PATH_MAX + 8];
	snprintf(home, sizeof(home), "%s/home", top);
	snprintf(xdg, sizeof(xdg), "%s/xdg", top);
	df_config_dirs d = { home, xdg };
	df_buf p = DF_BUF_INIT;
	ck_assert(!df_config_find_dfopt(&d, &p));
	mkpath("home/.config");
	mkpath("home/.config/dfopt");
	touch("home/.config/dfopt/config.yml", "");
	ck_assert(df_config_find_dfopt(&d, &p));
	ck_assert_str_eq(df_buf_str(&p) + strlen(top), "/home/.config/dfopt/config.yml");
	mkpath("xdg/dfopt");
	touch("xdg/dfopt/config.yaml", "");
	ck_assert(df_config_find_dfopt(&d, &p));
	ck_assert_str_eq(df_buf_str(&p) + strlen(top), "/xdg/dfopt/config.yaml");
	touch("cwd/.dfopt.yml", "");
	ck_assert(df_config_find_dfopt(&d, &p));
	ck_assert_str_eq(df_buf_str(&p), ".dfopt.yml");
	touch("cwd/.dfopt.yaml", "");
	ck_assert(df_config_find_dfopt(&d, &p));
	ck_assert_str_eq(df_buf_str(&p), ".dfopt.yaml");
	/* the hadolint search does not see dfopt's files */
	ck_assert(!df_config_find_hadolint(&d, &p));
	df_buf_release(&p);
}
END_TEST

START_TEST(test_load_file)
{
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	touch("cwd/a.yaml", "ignored: [DL3000]\n");
	ck_assert_int_eq(df_config_load_file(&c, "a.yaml", &err), 0);
	ck_assert_uint_eq(c.nignored, 1);
	ck_assert_int_eq(df_config_load_file(&c, "missing.yaml", &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "cannot read 'missing.yaml': No such file or directory");
	df_buf_reset(&err);
	touch("cwd/bad.yaml", "\n\nno-fail: 1\n");
	ck_assert_int_eq(df_config_load_file(&c, "bad.yaml", &err), -1);
	ck_assert_str_eq(df_buf_str(&err), "bad.yaml:3:10: key 'no-fail': expected true or false, not '1'");
	/* "-" is a file name here, never stdin */
	df_buf_reset(&err);
	touch("cwd/-", "ignored: [DL3001]\n");
	ck_assert_int_eq(df_config_load_file(&c, "-", &err), 0);
	ck_assert_uint_eq(c.nignored, 2);
	df_config_release(&c);
	df_buf_release(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("yaml");
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_scalar_forms);
	tcase_add_loop_test(tc, test_empty, 0, (int)DF_ARRAY_LEN(empty_texts));
	tcase_add_loop_test(tc, test_bad, 0, (int)DF_ARRAY_LEN(bad));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_layers_stack);
	tcase_add_test(tc, test_custom_rules);
	suite_add_tcase(s, tc);
	tc = tcase_create("env");
	tcase_add_test(tc, test_env);
	tcase_add_loop_test(tc, test_env_bad, 0, (int)DF_ARRAY_LEN(bad_env));
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_values);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, files_setup, files_teardown);
	tcase_add_test(tc, test_find_hadolint_order);
	tcase_add_test(tc, test_find_skips);
	tcase_add_test(tc, test_find_dfopt);
	tcase_add_test(tc, test_load_file);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
