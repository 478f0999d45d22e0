/* config.c - settings from YAML files and the environment; see config.h. */
#include "engine/config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util/file.h"
#include "util/util.h"

void df_config_init(df_config *c)
{
	memset(c, 0, sizeof(*c));
	df_arena_init(&c->arena);
	c->threshold = -1;
	c->no_fail = c->no_color = c->verbose = DF_CONFIG_UNSET;
	c->strict_labels = c->disable_ignore_pragma = c->shellcheck = DF_CONFIG_UNSET;
}

void df_config_release(df_config *c)
{
	free(c->ignored);
	free(c->overrides);
	free(c->trusted);
	free(c->labels);
	for (size_t i = 0; i < c->ncustom; i++)
		df_custom_rule_release(&c->custom[i]);
	free(c->custom);
	df_arena_release(&c->arena);
	df_config_init(c);
}

static const char *keep(df_config *c, const char *s)
{
	return df_arena_memdup(&c->arena, s, strlen(s));
}

void df_config_add_ignored(df_config *c, const char *code)
{
	df_grow((void **)&c->ignored, &c->cap_ignored, c->nignored + 1, sizeof(*c->ignored));
	c->ignored[c->nignored++] = keep(c, code);
}

void df_config_add_override(df_config *c, const char *code, df_severity sev)
{
	df_grow((void **)&c->overrides, &c->cap_overrides, c->noverrides + 1, sizeof(*c->overrides));
	c->overrides[c->noverrides++] = (df_severity_override){ keep(c, code), sev };
}

void df_config_add_trusted(df_config *c, const char *registry)
{
	df_grow((void **)&c->trusted, &c->cap_trusted, c->ntrusted + 1, sizeof(*c->trusted));
	c->trusted[c->ntrusted++] = keep(c, registry);
}

void df_config_add_label(df_config *c, const char *name, df_label_type type)
{
	/* One entry per name: an upper layer retypes a label in place. */
	for (size_t i = 0; i < c->nlabels; i++)
		if (!strcmp(c->labels[i].name, name)) {
			c->labels[i].type = type;
			return;
		}
	df_grow((void **)&c->labels, &c->cap_labels, c->nlabels + 1, sizeof(*c->labels));
	c->labels[c->nlabels++] = (df_label_spec){ keep(c, name), type };
}

void df_config_set_format(df_config *c, const char *format, const char *origin)
{
	c->format = keep(c, format);
	c->format_origin = origin ? keep(c, origin) : NULL;
}

void df_config_add_custom(df_config *c, df_custom_rule *r)
{
	df_custom_rule *slot = (df_custom_rule *)df_custom_find(c->custom, c->ncustom, r->code);
	if (slot) {
		df_custom_rule_release(slot);
	} else {
		df_grow((void **)&c->custom, &c->cap_custom, c->ncustom + 1, sizeof(*c->custom));
		slot = &c->custom[c->ncustom++];
	}
	*slot = *r;
	slot->code = keep(c, r->code);
	slot->message = keep(c, r->message);
	slot->docs = r->docs ? keep(c, r->docs) : NULL;
	memset(r, 0, sizeof(*r));
}

void df_config_merge(df_config *dst, const df_config *src)
{
	for (size_t i = 0; i < src->nignored; i++)
		df_config_add_ignored(dst, src->ignored[i]);
	for (size_t i = 0; i < src->noverrides; i++)
		df_config_add_override(dst, src->overrides[i].code, src->overrides[i].severity);
	for (size_t i = 0; i < src->ntrusted; i++)
		df_config_add_trusted(dst, src->trusted[i]);
	for (size_t i = 0; i < src->nlabels; i++)
		df_config_add_label(dst, src->labels[i].name, src->labels[i].type);
	for (size_t i = 0; i < src->ncustom; i++) {
		df_custom_rule r;
		df_custom_rule_copy(&r, &src->custom[i]);
		df_config_add_custom(dst, &r);
	}
	if (src->threshold >= 0)
		dst->threshold = src->threshold;
	if (src->format)
		df_config_set_format(dst, src->format, src->format_origin);
	const df_config_bool *from[] = { &src->no_fail, &src->no_color, &src->verbose, &src->strict_labels,
					 &src->disable_ignore_pragma, &src->shellcheck };
	df_config_bool *to[] = { &dst->no_fail, &dst->no_color, &dst->verbose, &dst->strict_labels,
				 &dst->disable_ignore_pragma, &dst->shellcheck };
	for (size_t i = 0; i < DF_ARRAY_LEN(from); i++)
		if (*from[i] != DF_CONFIG_UNSET)
			*to[i] = *from[i];
}

/* --- values ----------------------------------------------------------------- */

static const char *const severity_names[] = { "error", "warning", "info", "style" };

int df_config_parse_severity(const char *s)
{
	for (int i = 0; i < (int)DF_ARRAY_LEN(severity_names); i++)
		if (!strcmp(s, severity_names[i]))
			return i;
	return -1;
}

int df_config_parse_threshold(const char *s)
{
	if (!strcmp(s, "ignore") || !strcmp(s, "none"))
		return DF_SEV_IGNORE;
	return df_config_parse_severity(s);
}

int df_config_parse_bool(const char *s)
{
	/* hadolint's truthy words, and their opposites so that a typo is an
	 * error rather than a silent "false". */
	static const char *const yes[] = { "1", "y", "yes", "on", "true" };
	static const char *const no[] = { "0", "n", "no", "off", "false" };
	for (size_t i = 0; i < DF_ARRAY_LEN(yes); i++) {
		if (df_mem_ieq(s, strlen(s), yes[i]))
			return 1;
		if (df_mem_ieq(s, strlen(s), no[i]))
			return 0;
	}
	return -1;
}

int df_config_parse_label(const char *s, size_t *name_len, df_label_type *type)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return -1;
	int t = df_label_type_parse(colon + 1);
	if (t < 0)
		return -1;
	*name_len = (size_t)(colon - s);
	*type = (df_label_type)t;
	return 0;
}

#define THRESHOLD_NAMES "error, warning, info, style, ignore or none"
#define SEVERITY_NAMES "error, warning, info or style"
#define LABEL_TYPES "text, url, semver, hash, rfc3339, spdx or email"

/* --- YAML ------------------------------------------------------------------- */

/* A recursive descent over libyaml's events: the schema is fixed and
 * shallow, so the walk never descends into anything it does not expect,
 * whatever the nesting of the input. */
typedef struct loader {
	yaml_parser_t parser;
	yaml_event_t ev;	/* the current event */
	bool have_ev;
	const char *name;
	df_config *c;
	df_buf *err;
	char key[160];		/* the dotted key being read, for messages */
	char **custom_codes;	/* the custom rules' codes this file defined */
	size_t ncustom_codes, cap_custom_codes;
} loader;

static int fail_at(loader *l, yaml_mark_t m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_at(loader *l, yaml_mark_t m, const char *fmt, ...)
{
	df_buf msg = DF_BUF_INIT;
	df_buf_addf(&msg, "%s:%zu:%zu: ", l->name, m.line + 1, m.column + 1);
	if (l->key[0])
		df_buf_addf(&msg, "key '%s': ", l->key);
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* One line, whatever the quoted keys and values hold (a plain scalar
	 * may span lines). */
	for (size_t i = 0; i < msg.len; i++) {
		unsigned char c = (unsigned char)msg.buf[i];
		if (c == '\n')
			df_buf_adds(l->err, "\\n");
		else if (c < 0x20 || c == 0x7f)
			df_buf_addf(l->err, "\\x%02x", c);
		else
			df_buf_addc(l->err, (char)c);
	}
	df_buf_release(&msg);
	return -1;
}

static int next(loader *l)
{
	if (l->have_ev)
		yaml_event_delete(&l->ev);
	l->have_ev = false;
	if (!yaml_parser_parse(&l->parser, &l->ev)) {
		const yaml_parser_t *p = &l->parser;
		l->key[0] = '\0';
		df_buf_addf(l->err, "%s:%zu:%zu: invalid YAML: %s", l->name, p->problem_mark.line + 1,
			    p->problem_mark.column + 1, p->problem ? p->problem : "unknown error");
		if (p->context)
			df_buf_addf(l->err, " %s", p->context);
		return -1;
	}
	l->have_ev = true;
	if (l->ev.type == YAML_ALIAS_EVENT)
		return fail_at(l, l->ev.start_mark, "aliases (*name) are not supported");
	return 0;
}

static const char *scalar(const loader *l)
{
	return (const char *)l->ev.data.scalar.value;
}

static bool is_null(const loader *l)
{
	if (l->ev.type != YAML_SCALAR_EVENT || l->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = scalar(l);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* The current event for a message: "a mapping", "'text'". */
static const char *what(const loader *l, char *buf, size_t size)
{
	switch (l->ev.type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_SCALAR_EVENT: {
		const char *s = scalar(l);
		size_t n = strlen(s);
		if (n > 40)
			snprintf(buf, size, "'%.40s...'", s);
		else
			snprintf(buf, size, "'%s'", s);
		return buf;
	}
	default:
		return "nothing";
	}
}

/* A scalar usable as a string: no NUL inside (it would cut the text). */
static int string_value(loader *l, const char *expected)
{
	char b[64];
	if (l->ev.type != YAML_SCALAR_EVENT)
		return fail_at(l, l->ev.start_mark, "expected %s, not %s", expected, what(l, b, sizeof(b)));
	if (strlen(scalar(l)) != l->ev.data.scalar.length)
		return fail_at(l, l->ev.start_mark, "the value holds a NUL byte");
	if (!l->ev.data.scalar.length)
		return fail_at(l, l->ev.start_mark, "expected %s, not an empty string", expected);
	return 0;
}

static int read_bool(loader *l, df_config_bool *out)
{
	if (next(l) < 0)
		return -1;
	if (is_null(l))
		return 0;
	/* YAML 1.2's booleans; a quoted "true" is a string. */
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	if (l->ev.type == YAML_SCALAR_EVENT && l->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		for (size_t i = 0; i < DF_ARRAY_LEN(yes); i++) {
			if (!strcmp(scalar(l), yes[i])) {
				*out = DF_CONFIG_ON;
				return 0;
			}
			if (!strcmp(scalar(l), no[i])) {
				*out = DF_CONFIG_OFF;
				return 0;
			}
		}
	char b[64];
	return fail_at(l, l->ev.start_mark, "expected true or false, not %s", what(l, b, sizeof(b)));
}

typedef enum list_kind { LIST_IGNORED, LIST_OVERRIDE, LIST_TRUSTED } list_kind;

static void add_item(loader *l, list_kind kind, df_severity sev)
{
	if (kind == LIST_IGNORED)
		df_config_add_ignored(l->c, scalar(l));
	else if (kind == LIST_OVERRIDE)
		df_config_add_override(l->c, scalar(l), sev);
	else
		df_config_add_trusted(l->c, scalar(l));
}

/* [ITEM...]; trustedRegistries also takes one bare ITEM (hadolint does). */
static int read_list(loader *l, list_kind kind, df_severity sev)
{
	const char *items = kind == LIST_TRUSTED ? "a list of registries" : "a list of rule codes";
	const char *item = kind == LIST_TRUSTED ? "a registry" : "a rule code";
	if (next(l) < 0)
		return -1;
	if (is_null(l))
		return 0;
	if (kind == LIST_TRUSTED && l->ev.type == YAML_SCALAR_EVENT) {
		if (string_value(l, item) < 0)
			return -1;
		add_item(l, kind, sev);
		return 0;
	}
	if (l->ev.type != YAML_SEQUENCE_START_EVENT) {
		char b[64];
		return fail_at(l, l->ev.start_mark, "expected %s, not %s", items, what(l, b, sizeof(b)));
	}
	for (;;) {
		if (next(l) < 0)
			return -1;
		if (l->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (string_value(l, item) < 0)
			return -1;
		add_item(l, kind, sev);
	}
}

/* Set l->key to prefix.name (or name), cut to fit. */
static void set_key(loader *l, const char *prefix, const char *name)
{
	snprintf(l->key, sizeof(l->key), "%s%s%.100s", prefix ? prefix : "", prefix ? "." : "", name);
}

/* override: {error: [CODE...], warning: [...], info: [...], style: [...]} */
static int read_override(loader *l)
{
	if (next(l) < 0)
		return -1;
	if (is_null(l))
		return 0;
	char b[64];
	if (l->ev.type != YAML_MAPPING_START_EVENT)
		return fail_at(l, l->ev.start_mark, "expected a mapping of severities to lists of rule codes, not %s",
			       what(l, b, sizeof(b)));
	unsigned seen = 0;
	for (;;) {
		if (next(l) < 0)
			return -1;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (string_value(l, "a severity") < 0)
			return -1;
		int sev = df_config_parse_severity(scalar(l));
		if (sev < 0)
			return fail_at(l, l->ev.start_mark, "unknown severity %s (" SEVERITY_NAMES ")", what(l, b, sizeof(b)));
		if (seen & (1u << sev))
			return fail_at(l, l->ev.start_mark, "'%s' appears twice", scalar(l));
		seen |= 1u << sev;
		set_key(l, "override", scalar(l));
		if (read_list(l, LIST_OVERRIDE, (df_severity)sev) < 0)
			return -1;
		set_key(l, NULL, "override");
	}
}

/* label-schema: {NAME: TYPE...} */
static int read_labels(loader *l)
{
	if (next(l) < 0)
		return -1;
	if (is_null(l))
		return 0;
	char b[64];
	if (l->ev.type != YAML_MAPPING_START_EVENT)
		return fail_at(l, l->ev.start_mark, "expected a mapping of label names to types, not %s",
			       what(l, b, sizeof(b)));
	for (;;) {
		if (next(l) < 0)
			return -1;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (string_value(l, "a label name") < 0)
			return -1;
		set_key(l, "label-schema", scalar(l));
		char *name = df_xstrdup(scalar(l));
		if (next(l) < 0 || string_value(l, "a label type") < 0) {
			free(name);
			return -1;
		}
		int type = df_label_type_parse(scalar(l));
		if (type < 0) {
			free(name);
			return fail_at(l, l->ev.start_mark, "unknown label type %s (" LABEL_TYPES ")", what(l, b, sizeof(b)));
		}
		df_config_add_label(l->c, name, (df_label_type)type);
		free(name);
		set_key(l, NULL, "label-schema");
	}
}

static int read_threshold(loader *l)
{
	if (next(l) < 0)
		return -1;
	if (is_null(l))
		return 0;
	if (string_value(l, "a threshold") < 0)
		return -1;
	int t = df_config_parse_threshold(scalar(l));
	if (t < 0) {
		char b[64];
		return fail_at(l, l->ev.start_mark, "unknown threshold %s (" THRESHOLD_NAMES ")", what(l, b, sizeof(b)));
	}
	l->c->threshold = t;
	return 0;
}

static int read_format(loader *l)
{
	if (next(l) < 0)
		return -1;
	if (is_null(l))
		return 0;
	if (string_value(l, "a format name") < 0)
		return -1;
	char origin[512];
	snprintf(origin, sizeof(origin), "%s:%zu:%zu: key 'format'", l->name, l->ev.start_mark.line + 1,
		 l->ev.start_mark.column + 1);
	df_config_set_format(l->c, scalar(l), origin);
	return 0;
}

/* --- custom rules (engine/custom.h) ------------------------------------------ */

enum custom_key {
	CK_CODE, CK_SEVERITY, CK_MESSAGE, CK_INSTRUCTIONS, CK_PATTERN, CK_COMMAND, CK_WORDS, CK_UNLESS,
	CK_REQUIRED, CK_DOCS, CK_COUNT,
};

static const char *const custom_keys[] = {
	[CK_CODE] = "code",
	[CK_SEVERITY] = "severity",
	[CK_MESSAGE] = "message",
	[CK_INSTRUCTIONS] = "instructions",
	[CK_PATTERN] = "pattern",
	[CK_COMMAND] = "command",
	[CK_WORDS] = "words",
	[CK_UNLESS] = "unless",
	[CK_REQUIRED] = "required",
	[CK_DOCS] = "docs",
};

/* One rule as written, gathered before it is checked: keys come in any
 * order, and most checks need several. */
typedef struct custom_text {
	char *value[CK_COUNT];		/* NULL: absent (instructions: has_kinds) */
	yaml_mark_t mark[CK_COUNT];	/* where each value starts */
	uint32_t kinds;			/* instructions, as DF_KIND() bits */
	bool has_kinds;
	size_t index;			/* 1-based place in the list */
	yaml_mark_t start;		/* the rule's mapping */
} custom_text;

static void custom_text_release(custom_text *t)
{
	for (int k = 0; k < CK_COUNT; k++)
		free(t->value[k]);
}

static int rule_fail(loader *l, const custom_text *t, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* fail_at() naming the rule: by its code once read, else by its place. */
static int rule_fail(loader *l, const custom_text *t, yaml_mark_t m, const char *fmt, ...)
{
	df_buf msg = DF_BUF_INIT;
	if (t->value[CK_CODE])
		df_buf_addf(&msg, "custom rule '%.40s': ", t->value[CK_CODE]);
	else
		df_buf_addf(&msg, "custom rule #%zu: ", t->index);
	va_list ap;
	va_start(ap, fmt);
	df_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	l->key[0] = '\0';
	fail_at(l, m, "%s", df_buf_str(&msg));
	df_buf_release(&msg);
	return -1;
}

/* The instruction kind named s, any case ("from", "RUN"); -1 if none. */
static int instr_kind(const char *s)
{
	for (int k = DF_I_UNKNOWN + 1; k < DF_I_COUNT; k++)
		if (df_mem_ieq(s, strlen(s), df_instr_kind_name((df_instr_kind)k)))
			return k;
	return -1;
}

/* instructions: NAME | [NAME...] */
static int read_custom_kinds(loader *l, custom_text *t)
{
	char b[64];
	bool list = l->ev.type == YAML_SEQUENCE_START_EVENT;
	if (!list && l->ev.type != YAML_SCALAR_EVENT)
		return rule_fail(l, t, l->ev.start_mark, "instructions: expected a list of instructions, not %s",
				 what(l, b, sizeof(b)));
	t->has_kinds = true;
	t->mark[CK_INSTRUCTIONS] = l->ev.start_mark;
	for (;;) {
		if (list) {
			if (next(l) < 0)
				return -1;
			if (l->ev.type == YAML_SEQUENCE_END_EVENT)
				break;
		}
		if (l->ev.type != YAML_SCALAR_EVENT)
			return rule_fail(l, t, l->ev.start_mark, "instructions: expected an instruction, not %s",
					 what(l, b, sizeof(b)));
		int k = instr_kind(scalar(l));
		if (k < 0)
			return rule_fail(l, t, l->ev.start_mark, "instructions: unknown instruction %s",
					 what(l, b, sizeof(b)));
		t->kinds |= DF_KIND(k);
		if (!list)
			break;
	}
	if (!t->kinds)
		return rule_fail(l, t, t->mark[CK_INSTRUCTIONS], "instructions: the list is empty");
	return 0;
}

/* A code of the rule's own: [A-Z]+[0-9]+, short, no prefix of dfopt's. */
static const char *bad_code(const char *s)
{
	size_t n = strlen(s), letters = 0, digits = 0;
	while (letters < n && s[letters] >= 'A' && s[letters] <= 'Z')
		letters++;
	while (letters + digits < n && df_is_digit((unsigned char)s[letters + digits]))
		digits++;
	if (!letters || !digits || letters + digits != n)
		return "is not capital letters then digits, like ACME001";
	if (n >= DF_CUSTOM_CODE_MAX)
		return "is too long";
	if (letters == 2 && (!strncmp(s, "DL", 2) || !strncmp(s, "DF", 2) || !strncmp(s, "SC", 2)))
		return df_rule_find(s) ? "is a built-in rule's code" :
		       "has a prefix of dfopt's own rules (DL, DF) or ShellCheck's (SC)";
	return NULL;
}

/* Compile t's pattern under key k into *out (NULL when absent). */
static int compile_key(loader *l, const custom_text *t, int k, pcre2_code **out)
{
	if (!t->value[k])
		return 0;
	df_buf err = DF_BUF_INIT;
	int rc = df_custom_compile(t->value[k], k == CK_COMMAND, out, &err);
	if (rc < 0)
		rule_fail(l, t, t->mark[k], "%s: %s", custom_keys[k], df_buf_str(&err));
	df_buf_release(&err);
	return rc;
}

/* Check t whole and add it to the config. */
static int add_custom_rule(loader *l, custom_text *t)
{
	const char *code = t->value[CK_CODE];
	if (!code)
		return rule_fail(l, t, t->start, "missing key 'code'");
	const char *why = bad_code(code);
	if (why)
		return rule_fail(l, t, t->mark[CK_CODE], "code %s", why);
	for (size_t i = 0; i < l->ncustom_codes; i++)
		if (!strcmp(l->custom_codes[i], code))
			return rule_fail(l, t, t->mark[CK_CODE], "code defined twice in this file");
	if (!t->value[CK_MESSAGE])
		return rule_fail(l, t, t->start, "missing key 'message'");
	int sev = DF_SEV_WARNING;
	if (t->value[CK_SEVERITY] && (sev = df_config_parse_severity(t->value[CK_SEVERITY])) < 0)
		return rule_fail(l, t, t->mark[CK_SEVERITY], "severity: unknown severity '%.40s' (" SEVERITY_NAMES ")",
				 t->value[CK_SEVERITY]);
	bool command = t->value[CK_COMMAND] != NULL;
	if (command && t->value[CK_PATTERN])
		return rule_fail(l, t, t->mark[CK_COMMAND], "give pattern or command, not both");
	if (!command && !t->value[CK_PATTERN])
		return rule_fail(l, t, t->start, "missing key 'pattern' or 'command'");
	if (!command && t->value[CK_WORDS])
		return rule_fail(l, t, t->mark[CK_WORDS], "words needs command");
	int required = 0;
	if (t->value[CK_REQUIRED]) {
		required = df_config_parse_bool(t->value[CK_REQUIRED]);
		if (required < 0)
			return rule_fail(l, t, t->mark[CK_REQUIRED], "required: expected true or false, not '%.40s'",
					 t->value[CK_REQUIRED]);
		if (required && command)
			return rule_fail(l, t, t->mark[CK_REQUIRED], "required goes with pattern, not command");
		if (required && t->value[CK_UNLESS])
			return rule_fail(l, t, t->mark[CK_UNLESS], "unless does not go with required");
	}
	uint32_t kinds = t->kinds;
	if (!t->has_kinds) {
		kinds = command ? DF_CUSTOM_COMMAND_KINDS : (DF_KIND(DF_I_COUNT) - 1) & ~DF_KIND(DF_I_UNKNOWN);
	} else if (command && (kinds & ~DF_CUSTOM_COMMAND_KINDS)) {
		return rule_fail(l, t, t->mark[CK_INSTRUCTIONS],
				 "instructions: a command rule applies to RUN, CMD and ENTRYPOINT only");
	}
	df_custom_rule r = { code, (df_severity)sev, t->value[CK_MESSAGE], t->value[CK_DOCS], kinds, required == 1,
			     NULL, NULL, NULL, NULL };
	if (compile_key(l, t, CK_PATTERN, &r.pattern) < 0 || compile_key(l, t, CK_COMMAND, &r.command) < 0 ||
	    compile_key(l, t, CK_WORDS, &r.words) < 0 || compile_key(l, t, CK_UNLESS, &r.unless) < 0) {
		df_custom_rule_release(&r);
		return -1;
	}
	df_config_add_custom(l->c, &r);
	df_grow((void **)&l->custom_codes, &l->cap_custom_codes, l->ncustom_codes + 1, sizeof(*l->custom_codes));
	l->custom_codes[l->ncustom_codes++] = df_xstrdup(code);
	return 0;
}

/* {code: CODE, message: TEXT, ...}: the mapping has started. */
static int read_custom_rule(loader *l, custom_text *t)
{
	char b[64];
	for (;;) {
		if (next(l) < 0)
			return -1;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			return add_custom_rule(l, t);
		if (l->ev.type != YAML_SCALAR_EVENT)
			return rule_fail(l, t, l->ev.start_mark, "expected a key, not %s", what(l, b, sizeof(b)));
		int k = -1;
		for (int i = 0; i < CK_COUNT; i++)
			if (!strcmp(scalar(l), custom_keys[i]))
				k = i;
		if (k < 0)
			return rule_fail(l, t, l->ev.start_mark,
					 "unknown key %s (code, severity, message, instructions, pattern, command, words, "
					 "unless, required or docs)", what(l, b, sizeof(b)));
		if (t->value[k] || (k == CK_INSTRUCTIONS && t->has_kinds))
			return rule_fail(l, t, l->ev.start_mark, "key '%s' appears twice", custom_keys[k]);
		if (next(l) < 0)
			return -1;
		if (is_null(l))
			continue;	/* as if absent */
		if (k == CK_INSTRUCTIONS) {
			if (read_custom_kinds(l, t) < 0)
				return -1;
			continue;
		}
		if (l->ev.type != YAML_SCALAR_EVENT)
			return rule_fail(l, t, l->ev.start_mark, "%s: expected a string, not %s", custom_keys[k],
					 what(l, b, sizeof(b)));
		if (strlen(scalar(l)) != l->ev.data.scalar.length)
			return rule_fail(l, t, l->ev.start_mark, "%s: the value holds a NUL byte", custom_keys[k]);
		if (!l->ev.data.scalar.length)
			return rule_fail(l, t, l->ev.start_mark, "%s: expected a string, not an empty one", custom_keys[k]);
		t->value[k] = df_xstrdup(scalar(l));
		t->mark[k] = l->ev.start_mark;
	}
}

/* custom-rules: [RULE...] */
static int read_custom_rules(loader *l)
{
	if (next(l) < 0)
		return -1;
	if (is_null(l))
		return 0;
	char b[64];
	if (l->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail_at(l, l->ev.start_mark, "expected a list of rules, not %s", what(l, b, sizeof(b)));
	for (size_t index = 1;; index++) {
		if (next(l) < 0)
			return -1;
		if (l->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		custom_text t;
		memset(&t, 0, sizeof(t));
		t.index = index;
		t.start = l->ev.start_mark;
		if (l->ev.type != YAML_MAPPING_START_EVENT)
			return rule_fail(l, &t, l->ev.start_mark, "expected a mapping of code, message, ..., not %s",
					 what(l, b, sizeof(b)));
		int rc = read_custom_rule(l, &t);
		custom_text_release(&t);
		if (rc < 0)
			return -1;
	}
}

enum key_id {
	K_IGNORED, K_OVERRIDE, K_THRESHOLD, K_TRUSTED, K_LABELS, K_STRICT_LABELS, K_DISABLE_PRAGMA,
	K_NO_FAIL, K_NO_COLOR, K_VERBOSE, K_FORMAT, K_SHELLCHECK, K_CUSTOM,
};

static const char *const key_names[] = {
	[K_IGNORED] = "ignored",
	[K_OVERRIDE] = "override",
	[K_THRESHOLD] = "failure-threshold",
	[K_TRUSTED] = "trustedRegistries",
	[K_LABELS] = "label-schema",
	[K_STRICT_LABELS] = "strict-labels",
	[K_DISABLE_PRAGMA] = "disable-ignore-pragma",
	[K_NO_FAIL] = "no-fail",
	[K_NO_COLOR] = "no-color",
	[K_VERBOSE] = "verbose",
	[K_FORMAT] = "format",
	[K_SHELLCHECK] = "shellcheck",
	[K_CUSTOM] = "custom-rules",
};

static int read_value(loader *l, int k)
{
	df_config *c = l->c;
	switch (k) {
	case K_IGNORED:
		return read_list(l, LIST_IGNORED, DF_SEV_ERROR);
	case K_OVERRIDE:
		return read_override(l);
	case K_THRESHOLD:
		return read_threshold(l);
	case K_TRUSTED:
		return read_list(l, LIST_TRUSTED, DF_SEV_ERROR);
	case K_LABELS:
		return read_labels(l);
	case K_STRICT_LABELS:
		return read_bool(l, &c->strict_labels);
	case K_DISABLE_PRAGMA:
		return read_bool(l, &c->disable_ignore_pragma);
	case K_NO_FAIL:
		return read_bool(l, &c->no_fail);
	case K_NO_COLOR:
		return read_bool(l, &c->no_color);
	case K_VERBOSE:
		return read_bool(l, &c->verbose);
	case K_FORMAT:
		return read_format(l);
	case K_SHELLCHECK:
		return read_bool(l, &c->shellcheck);
	case K_CUSTOM:
		return read_custom_rules(l);
	}
	DF_BUG("key %d", k);
}

static int read_settings(loader *l)
{
	uint32_t seen = 0;
	for (;;) {
		if (next(l) < 0)
			return -1;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (string_value(l, "a setting name") < 0)
			return -1;
		int k = -1;
		for (int i = 0; i < (int)DF_ARRAY_LEN(key_names); i++)
			if (!strcmp(scalar(l), key_names[i]))
				k = i;
		if (k < 0) {
			char b[64];
			return fail_at(l, l->ev.start_mark,
				       "unknown key %s (ignored, override, failure-threshold, trustedRegistries, "
				       "label-schema, strict-labels, disable-ignore-pragma, no-fail, no-color, verbose, "
				       "format, shellcheck or custom-rules)", what(l, b, sizeof(b)));
		}
		set_key(l, NULL, key_names[k]);
		if (seen & (1u << k))
			return fail_at(l, l->ev.start_mark, "appears twice");
		seen |= 1u << k;
		if (read_value(l, k) < 0)
			return -1;
		l->key[0] = '\0';
	}
}

/* stream -> [document: mapping | null] */
static int read_stream(loader *l)
{
	if (next(l) < 0)
		return -1;	/* STREAM-START */
	if (next(l) < 0)
		return -1;
	if (l->ev.type == YAML_STREAM_END_EVENT)
		return 0;	/* nothing but comments and blanks */
	if (next(l) < 0)	/* the root node, after DOCUMENT-START */
		return -1;
	if (l->ev.type == YAML_MAPPING_START_EVENT) {
		if (read_settings(l) < 0)
			return -1;
	} else if (!is_null(l)) {
		char b[64];
		return fail_at(l, l->ev.start_mark, "expected a mapping of settings, not %s", what(l, b, sizeof(b)));
	}
	if (next(l) < 0 || next(l) < 0)	/* DOCUMENT-END, then STREAM-END */
		return -1;
	if (l->ev.type != YAML_STREAM_END_EVENT)
		return fail_at(l, l->ev.start_mark, "expected one YAML document, found a second");
	return 0;
}

int df_config_load_yaml(df_config *c, const char *name, const char *text, size_t len, df_buf *err)
{
	if (len > DF_CONFIG_MAX) {
		df_buf_addf(err, "%s: config file is too large (%zu bytes, the limit is %u)", name, len, DF_CONFIG_MAX);
		return -1;
	}
	loader l = { .name = name, .c = c, .err = err };
	if (!yaml_parser_initialize(&l.parser))
		df_die_oom();
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
	int rc = read_stream(&l);
	if (l.have_ev)
		yaml_event_delete(&l.ev);
	yaml_parser_delete(&l.parser);
	for (size_t i = 0; i < l.ncustom_codes; i++)
		free(l.custom_codes[i]);
	free(l.custom_codes);
	return rc;
}

int df_config_load_file(df_config *c, const char *path, df_buf *err)
{
	df_buf data = DF_BUF_INIT;
	/* "-" is a file here, not stdin (which may hold the Dockerfile). */
	const char *open_path = strcmp(path, "-") ? path : "./-";
	if (df_read_input(open_path, DF_CONFIG_MAX, &data, err) < 0) {
		df_buf_release(&data);
		return -1;
	}
	int rc = df_config_load_yaml(c, path, df_buf_str(&data), data.len, err);
	df_buf_release(&data);
	return rc;
}

/* --- environment ------------------------------------------------------------- */

typedef enum env_kind { ENV_BOOL, ENV_FORMAT, ENV_THRESHOLD, ENV_OVERRIDE, ENV_IGNORE, ENV_TRUSTED, ENV_LABELS } env_kind;

typedef struct env_var {
	const char *suffix;	/* after HADOLINT_ or DFOPT_ */
	env_kind kind;
	size_t field;		/* ENV_BOOL: offset of the df_config_bool */
	df_severity sev;	/* ENV_OVERRIDE */
} env_var;

static const env_var env_vars[] = {
	{ "NOFAIL", ENV_BOOL, offsetof(df_config, no_fail), DF_SEV_ERROR },
	{ "VERBOSE", ENV_BOOL, offsetof(df_config, verbose), DF_SEV_ERROR },
	{ "FORMAT", ENV_FORMAT, 0, DF_SEV_ERROR },
	{ "FAILURE_THRESHOLD", ENV_THRESHOLD, 0, DF_SEV_ERROR },
	{ "OVERRIDE_ERROR", ENV_OVERRIDE, 0, DF_SEV_ERROR },
	{ "OVERRIDE_WARNING", ENV_OVERRIDE, 0, DF_SEV_WARNING },
	{ "OVERRIDE_INFO", ENV_OVERRIDE, 0, DF_SEV_INFO },
	{ "OVERRIDE_STYLE", ENV_OVERRIDE, 0, DF_SEV_STYLE },
	{ "IGNORE", ENV_IGNORE, 0, DF_SEV_ERROR },
	{ "TRUSTED_REGISTRIES", ENV_TRUSTED, 0, DF_SEV_ERROR },
	{ "REQUIRE_LABELS", ENV_LABELS, 0, DF_SEV_ERROR },
	{ "STRICT_LABELS", ENV_BOOL, offsetof(df_config, strict_labels), DF_SEV_ERROR },
	{ "DISABLE_IGNORE_PRAGMA", ENV_BOOL, offsetof(df_config, disable_ignore_pragma), DF_SEV_ERROR },
};

static int env_item(df_config *c, const env_var *v, const char *var, const char *item, df_buf *err)
{
	switch (v->kind) {
	case ENV_OVERRIDE:
		df_config_add_override(c, item, v->sev);
		return 0;
	case ENV_IGNORE:
		df_config_add_ignored(c, item);
		return 0;
	case ENV_TRUSTED:
		df_config_add_trusted(c, item);
		return 0;
	case ENV_LABELS: {
		size_t n;
		df_label_type type;
		if (df_config_parse_label(item, &n, &type) < 0) {
			df_buf_addf(err, "environment variable '%s': '%s' is not NAME:TYPE with TYPE one of " LABEL_TYPES,
				    var, item);
			return -1;
		}
		char *name = df_xstrndup(item, n);
		df_config_add_label(c, name, type);
		free(name);
		return 0;
	}
	default:
		DF_BUG("env kind %d", v->kind);
	}
}

/* A comma-separated list: items trimmed of blanks, empty items skipped. */
static int env_list(df_config *c, const env_var *v, const char *var, const char *value, df_buf *err)
{
	const char *p = value;
	for (;;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && df_is_space((unsigned char)*a))
			a++;
		while (b > a && df_is_space((unsigned char)b[-1]))
			b--;
		if (b > a) {
			char *item = df_xstrndup(a, (size_t)(b - a));
			int rc = env_item(c, v, var, item, err);
			free(item);
			if (rc < 0)
				return -1;
		}
		if (!*end)
			return 0;
		p = end + 1;
	}
}

static int env_one(df_config *c, const env_var *v, const char *var, const char *value, df_buf *err)
{
	switch (v->kind) {
	case ENV_BOOL: {
		int b = df_config_parse_bool(value);
		if (b < 0) {
			df_buf_addf(err, "environment variable '%s': '%s' is not a truth value (1, y, yes, on, true or "
				    "0, n, no, off, false)", var, value);
			return -1;
		}
		*(df_config_bool *)((char *)c + v->field) = b ? DF_CONFIG_ON : DF_CONFIG_OFF;
		return 0;
	}
	case ENV_FORMAT: {
		char origin[128];
		snprintf(origin, sizeof(origin), "environment variable '%s'", var);
		df_config_set_format(c, value, origin);
		return 0;
	}
	case ENV_THRESHOLD: {
		int t = df_config_parse_threshold(value);
		if (t < 0) {
			df_buf_addf(err, "environment variable '%s': unknown threshold '%s' (" THRESHOLD_NAMES ")", var, value);
			return -1;
		}
		c->threshold = t;
		return 0;
	}
	default:
		return env_list(c, v, var, value, err);
	}
}

int df_config_load_env(df_config *c, df_config_getenv get, void *ctx, df_buf *err)
{
	static const char *const prefixes[] = { "HADOLINT_", "DFOPT_" };
	for (size_t p = 0; p < DF_ARRAY_LEN(prefixes); p++)
		for (size_t i = 0; i < DF_ARRAY_LEN(env_vars); i++) {
			char var[64];
			snprintf(var, sizeof(var), "%s%s", prefixes[p], env_vars[i].suffix);
			const char *value = get(var, ctx);
			if (value && *value && env_one(c, &env_vars[i], var, value, err) < 0)
				return -1;
		}
	const char *nc = get("NO_COLOR", ctx);
	if (nc && *nc)
		c->no_color = DF_CONFIG_ON;
	return 0;
}

/* --- search ------------------------------------------------------------------- */

static bool usable(const char *s)
{
	return s && *s;
}

/* Is dir/name (or name when dir is NULL) a regular file? Then path holds it. */
static bool try_file(const char *dir, const char *name, df_buf *path)
{
	df_buf p = DF_BUF_INIT;
	if (dir)
		df_buf_addf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	else
		df_buf_adds(&p, name);
	struct stat st;
	bool found = stat(df_buf_str(&p), &st) == 0 && S_ISREG(st.st_mode);
	if (found) {
		df_buf_reset(path);
		df_buf_add(path, p.buf, p.len);
	}
	df_buf_release(&p);
	return found;
}

static bool try_names(const char *dir, const char *const *names, df_buf *path)
{
	for (; *names; names++)
		if (try_file(dir, *names, path))
			return true;
	return false;
}

/* The config directories to look in: $XDG_CONFIG_HOME (when absolute),
 * then ~/.config; NULL where there is none. */
static void config_dirs(const df_config_dirs *d, df_buf *xdg, df_buf *home_config)
{
	if (usable(d->xdg_config_home) && d->xdg_config_home[0] == '/')
		df_buf_adds(xdg, d->xdg_config_home);
	if (usable(d->home))
		df_buf_addf(home_config, "%s/.config", d->home);
}

bool df_config_find_hadolint(const df_config_dirs *d, df_buf *path)
{
	static const char *const hidden[] = { ".hadolint.yaml", ".hadolint.yml", NULL };
	static const char *const visible[] = { "hadolint.yaml", "hadolint.yml", NULL };
	static const char *const app[] = { "hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml", NULL };
	if (try_names(NULL, hidden, path))
		return true;
	df_buf xdg = DF_BUF_INIT, home_config = DF_BUF_INIT, app_dir = DF_BUF_INIT;
	config_dirs(d, &xdg, &home_config);
	bool found = (xdg.len && try_names(xdg.buf, visible, path)) ||
		     (home_config.len && try_names(home_config.buf, visible, path));
	if (!found && usable(d->home)) {
		df_buf_addf(&app_dir, "%s/.hadolint", d->home);
		found = try_names(app_dir.buf, app, path) || try_names(d->home, hidden, path);
	}
	df_buf_release(&xdg);
	df_buf_release(&home_config);
	df_buf_release(&app_dir);
	return found;
}

bool df_config_find_dfopt(const df_config_dirs *d, df_buf *path)
{
	static const char *const hidden[] = { ".dfopt.yaml", ".dfopt.yml", NULL };
	static const char *const visible[] = { "dfopt/config.yaml", "dfopt/config.yml", NULL };
	if (try_names(NULL, hidden, path))
		return true;
	df_buf xdg = DF_BUF_INIT, home_config = DF_BUF_INIT;
	config_dirs(d, &xdg, &home_config);
	bool found = (xdg.len && try_names(xdg.buf, visible, path)) ||
		     (home_config.len && try_names(home_config.buf, visible, path));
	df_buf_release(&xdg);
	df_buf_release(&home_config);
	return found;
}
