/* cmd_rules.c - `dfopt rules` and `dfopt explain`: the rule catalogue.
 *
 * Everything here comes from the rules' metadata (rule.h), including the
 * pages of docs/rules/, which `dfopt rules --docs DIR` writes and a test
 * keeps in step with the code. With -c FILE, the custom rules of a config
 * file (engine/custom.h) are listed and explained too, never written as
 * docs. */
#include "cli/cli.h"
#include "engine/config.h"
#include "engine/engine.h"
#include "util/buf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char rules_usage[] =
	"usage: dfopt rules [--format text|json] [-c FILE]\n"
	"       dfopt rules --docs DIR\n"
	"\n"
	"List every rule: code, default severity, category, fix availability and name\n"
	"(text, the default), or every rule with its message and documentation (json).\n"
	"-c FILE lists the custom rules of a config file too (docs/custom-rules.md).\n"
	"--docs writes one Markdown page per rule and an index, README.md, into DIR: how\n"
	"docs/rules/ is made ('make docs-rules').\n";

static const char *severity_label(df_severity s)
{
	return s == DF_SEV_IGNORE ? "ignore (off unless raised)" : df_severity_name(s);
}

/* Markdown table cells: a '|' would end the cell, a newline the row. */
static void add_cell(df_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			df_buf_adds(b, "\\|");
		else if (*s == '\n')
			df_buf_addc(b, ' ');
		else
			df_buf_addc(b, *s);
	}
}

static void add_block(df_buf *b, const char *title, const char *text)
{
	df_buf_addf(b, "\n## %s\n\n%s\n", title, text);
}

static void add_dockerfile(df_buf *b, const char *title, const char *text)
{
	size_t n = strlen(text);
	df_buf_addf(b, "\n## %s\n\n```dockerfile\n%s%s```\n", title, text, n && text[n - 1] == '\n' ? "" : "\n");
}

/* The page of docs/rules/<CODE>.md. */
static void rule_page(const df_rule *r, df_buf *b)
{
	df_buf_addf(b, "<!-- Generated from the rule's metadata by 'make docs-rules'; do not edit. -->\n"
		    "# %s: %s\n\n"
		    "| Severity | Category | Fix |\n"
		    "|---|---|---|\n"
		    "| %s | %s | %s |\n\n"
		    "Message:\n\n> ",
		    r->code, r->name, severity_label(r->severity), df_category_name(r->category),
		    df_fix_kind_name(r->fix));
	df_buf_adds(b, r->message);
	df_buf_addc(b, '\n');
	add_block(b, "What it does", r->docs.what);
	add_block(b, "Why it matters", r->docs.why);
	add_dockerfile(b, "Example", r->docs.example);
	add_dockerfile(b, "Use instead", r->docs.instead);
	if (r->subsumes_parse_error)
		df_buf_adds(b, "\nWhere the builder also refuses the instruction, this finding replaces the parse "
			       "error (DL1000) at the same place; ignoring either code silences it.\n");
	df_buf_addf(b, "\nIgnore it with `# dfopt ignore=%s` (or `# hadolint ignore=%s`) above the instruction, "
		    "`--ignore %s`, or change its severity in the configuration.\n",
		    r->code, r->code, r->code);
}

/* docs/rules/README.md: one row per rule. */
static void rule_index(const df_rule *const *rules, size_t n, df_buf *b)
{
	df_buf_adds(b, "<!-- Generated from the rules' metadata by 'make docs-rules'; do not edit. -->\n"
		       "# dfopt rules\n\n"
		       "Every rule of `dfopt rules`, with its default severity. `dfopt explain CODE` prints the same "
		       "documentation in a terminal. Parse errors are reported as DL1000 (error), and ShellCheck's "
		       "findings for RUN scripts keep their SC codes.\n\n"
		       "| Code | Name | Severity | Category | Fix | Message |\n"
		       "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		df_buf_addf(b, "| [%s](%s.md) | %s | %s | %s | %s | ", rules[i]->code, rules[i]->code, rules[i]->name,
			    severity_label(rules[i]->severity), df_category_name(rules[i]->category),
			    df_fix_kind_name(rules[i]->fix));
		add_cell(b, rules[i]->message);
		df_buf_adds(b, " |\n");
	}
	df_buf_adds(b, "\n## Silencing findings\n\n"
		       "- `# dfopt ignore=CODE[,CODE...]` (or `# hadolint ignore=...`) on the comment lines right "
		       "above an instruction silences those codes on it; words after the codes are a comment.\n"
		       "- `# dfopt global ignore=...` covers the whole file; `# dfopt stage ignore=...` the rest of "
		       "the stage (written right above a FROM, that FROM's stage).\n"
		       "- `# check=skip=Name1,Name2` (or `skip=all`) and `# check=error=true`, BuildKit's parser "
		       "directive at the top of the file, skip BuildKit's build checks or raise them to error.\n"
		       "- `dfopt lint --ignore CODE` turns a code off for the whole run.\n\n"
		       "Codes are case-sensitive: DF0001 reports a code that nothing reports. When a rule "
		       "reports what is also a parse error at the same place, only the rule's finding is shown, "
		       "and ignoring either code silences it.\n");
}

static int write_file(const char *dir, const char *name, const df_buf *b)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return df_cli_usage_error("rules", "path too long: '%s/%s'", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return df_cli_usage_error("rules", "cannot write '%s': %s", path, strerror(errno));
	size_t w = fwrite(b->buf, 1, b->len, f);
	int err = w == b->len ? 0 : errno;
	if (fclose(f) != 0 && !err)
		err = errno;
	if (err)
		return df_cli_usage_error("rules", "cannot write '%s': %s", path, strerror(err));
	return DF_EXIT_OK;
}

static int write_docs(const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return df_cli_usage_error("rules", "cannot create '%s': %s", dir, strerror(errno));
	size_t n;
	const df_rule *const *rules = df_rules(&n);
	df_buf b = DF_BUF_INIT;
	int rc = DF_EXIT_OK;
	for (size_t i = 0; i < n && rc == DF_EXIT_OK; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s.md", rules[i]->code);
		df_buf_reset(&b);
		rule_page(rules[i], &b);
		rc = write_file(dir, name, &b);
	}
	if (rc == DF_EXIT_OK) {
		df_buf_reset(&b);
		rule_index(rules, n, &b);
		rc = write_file(dir, "README.md", &b);
	}
	df_buf_release(&b);
	return rc;
}

static cJSON *rule_json(const df_rule *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", r->code);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "severity", df_severity_name(r->severity));
	cJSON_AddStringToObject(o, "category", df_category_name(r->category));
	cJSON_AddStringToObject(o, "fix", df_fix_kind_name(r->fix));
	cJSON_AddStringToObject(o, "message", r->message);
	cJSON *d = cJSON_AddObjectToObject(o, "docs");
	cJSON_AddStringToObject(d, "what", r->docs.what);
	cJSON_AddStringToObject(d, "why", r->docs.why);
	cJSON_AddStringToObject(d, "example", r->docs.example);
	cJSON_AddStringToObject(d, "instead", r->docs.instead);
	cJSON_AddBoolToObject(o, "subsumes_parse_error", r->subsumes_parse_error);
	return o;
}

/* The custom rules of config file path into cfg; an exit code. */
static int load_custom(const char *cmd, const char *path, df_config *cfg)
{
	df_buf err = DF_BUF_INIT;
	int rc = df_config_load_file(cfg, path, &err) < 0 ? df_cli_usage_error(cmd, "%s", df_buf_str(&err)) : DF_EXIT_OK;
	df_buf_release(&err);
	return rc;
}

static cJSON *custom_json(const df_custom_rule *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", r->code);
	cJSON_AddStringToObject(o, "severity", df_severity_name(r->severity));
	cJSON_AddStringToObject(o, "category", "custom");
	cJSON_AddStringToObject(o, "fix", df_fix_kind_name(DF_FIX_NONE));
	cJSON_AddStringToObject(o, "message", r->message);
	if (r->docs)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "docs"), "what", r->docs);
	return o;
}

/* The catalogue, with cfg's custom rules after dfopt's own. */
static int list_rules(const char *format, const df_config *cfg)
{
	size_t n;
	const df_rule *const *rules = df_rules(&n);
	if (!strcmp(format, "json")) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, rule_json(rules[i]));
		for (size_t i = 0; i < cfg->ncustom; i++)
			cJSON_AddItemToArray(arr, custom_json(&cfg->custom[i]));
		char *s = cJSON_Print(arr);
		cJSON_Delete(arr);
		if (!s)
			return df_cli_usage_error("rules", "out of memory");
		puts(s);
		cJSON_free(s);
		return DF_EXIT_OK;
	}
	if (strcmp(format, "text") != 0)
		return df_cli_usage_error("rules", "unknown format '%s' (text or json)", format);
	/* The code column fits the longest code: BuildKit's check names are
	 * words, not six characters. */
	int w = 4;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(rules[i]->code) > w)
			w = (int)strlen(rules[i]->code);
	for (size_t i = 0; i < cfg->ncustom; i++)
		if ((int)strlen(cfg->custom[i].code) > w)
			w = (int)strlen(cfg->custom[i].code);
	printf("%-*s %-8s %-16s %-8s %s\n", w, "CODE", "SEVERITY", "CATEGORY", "FIX", "NAME");
	for (size_t i = 0; i < n; i++)
		printf("%-*s %-8s %-16s %-8s %s\n", w, rules[i]->code, df_severity_name(rules[i]->severity),
		       df_category_name(rules[i]->category), df_fix_kind_name(rules[i]->fix), rules[i]->name);
	/* Custom rules have no name: the message stands in. */
	for (size_t i = 0; i < cfg->ncustom; i++)
		printf("%-*s %-8s %-16s %-8s %s\n", w, cfg->custom[i].code, df_severity_name(cfg->custom[i].severity),
		       "custom", df_fix_kind_name(DF_FIX_NONE), cfg->custom[i].message);
	return DF_EXIT_OK;
}

int df_cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "docs", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text", *docs = NULL, *config = NULL;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+c:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'd':
			docs = optarg;
			break;
		case 'h':
			fputs(rules_usage, stdout);
			return DF_EXIT_OK;
		default:
			return df_cli_usage_error("rules", "option '%s' is not known or needs a value (see 'dfopt rules --help')",
						  argv[optind - 1]);
		}
	}
	if (optind < argc)
		return df_cli_usage_error("rules", "takes no arguments (see 'dfopt rules --help')");
	/* The docs are dfopt's own: never a config's rules. */
	if (docs && config)
		return df_cli_usage_error("rules", "--docs writes dfopt's own rules: -c does not go with it");
	if (docs)
		return write_docs(docs);
	df_config cfg;
	df_config_init(&cfg);
	int rc = config ? load_custom("rules", config, &cfg) : DF_EXIT_OK;
	if (rc == DF_EXIT_OK)
		rc = list_rules(format, &cfg);
	df_config_release(&cfg);
	return rc;
}

/* explain -c FILE CODE: a custom rule of that config. */
static int explain_custom(const char *path, const char *code)
{
	df_config cfg;
	df_config_init(&cfg);
	int rc = load_custom("explain", path, &cfg);
	const df_custom_rule *r = rc == DF_EXIT_OK ? df_custom_find(cfg.custom, cfg.ncustom, code) : NULL;
	if (r)
		printf("%s (%s, custom rule of %s)\n\n%s\n%s%s%s", r->code, df_severity_name(r->severity), path,
		       r->message, r->docs ? "\n" : "", r->docs ? r->docs : "", r->docs ? "\n" : "");
	df_config_release(&cfg);
	return rc != DF_EXIT_OK || r ? rc : -1;
}

int df_cmd_explain(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "-c")) {
		/* A custom rule, or else one of dfopt's. */
		int rc = explain_custom(argv[2], argv[3]);
		if (rc >= 0)
			return rc;
		argv += 2;
		argc -= 2;
	}
	if (argc != 2)
		return df_cli_usage_error("explain", "usage: dfopt explain [-c FILE] CODE");
	const df_rule *r = df_rule_find(argv[1]);
	const char *sc = strncmp(argv[1], "SC", 2) ? NULL : argv[1] + 2;
	if (!r && sc && *sc && strspn(sc, "0123456789") == strlen(sc)) {
		/* ShellCheck's codes are documented by ShellCheck. */
		printf("%s is a ShellCheck code: its findings on RUN scripts come from ShellCheck.\n"
		       "See https://www.shellcheck.net/wiki/%s\n", argv[1], argv[1]);
		return DF_EXIT_OK;
	}
	if (!r)
		return df_cli_usage_error("explain", "no rule '%s' (see 'dfopt rules')", argv[1]);
	printf("%s %s (%s, %s)\n\n%s\n\nWhat it does\n  %s\n\nWhy it matters\n  %s\n\nExample\n%s\nUse instead\n%s",
	       r->code, r->name, df_severity_name(r->severity), df_category_name(r->category), r->message,
	       r->docs.what, r->docs.why, r->docs.example, r->docs.instead);
	return DF_EXIT_OK;
}
