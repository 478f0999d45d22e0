/*
 * config.h - the settings of a lint run, gathered in layers: environment
 * variables, config files (.hadolint.yaml, .dfopt.yaml), the command line.
 *
 * A df_config holds every setting with an "unset" state, so that layers
 * stack: loading a layer into a config that already holds others puts it on
 * top. A scalar the layer sets replaces the one below; lists (ignored codes,
 * severity overrides, trusted registries) grow by the layer's items; a label
 * of the label schema replaces the one of the same name below. The CLI
 * loads, in order: the environment, the hadolint file, the dfopt file, its
 * own options; so env < hadolint file < dfopt file < command line.
 *
 * Config files are YAML (libyaml), with hadolint's keys:
 *
 *   ignored: [CODE...]                  failure-threshold: error|warning|info|style|ignore|none
 *   override: {error: [CODE...], warning: [...], info: [...], style: [...]}
 *   trustedRegistries: REGISTRY | [REGISTRY...]
 *   label-schema: {NAME: text|url|semver|hash|rfc3339|spdx|email}
 *   strict-labels, disable-ignore-pragma, no-fail, no-color, verbose: true|false
 *   format: NAME
 *
 * plus dfopt's `shellcheck: true|false` and `custom-rules:` (a list of rules,
 * engine/custom.h and docs/custom-rules.md), accepted in both files. A null
 * value (`ignored:` with nothing after it) leaves the key unset. An unknown
 * key, a wrong type, an unknown severity or label type, an alias, or a
 * second document is an error. Files are capped at DF_CONFIG_MAX bytes.
 *
 * Custom rules are checked whole when loaded, their patterns compiled
 * there; an error names the rule (by its code, or its place in the list
 * before the code is read):
 *   .dfopt.yaml:4:14: custom rule 'ACME001': pattern: missing closing parenthesis at offset 7
 * A rule replaces the one of the same code from a layer below; a code twice
 * in one file, or one of dfopt's own (DL, DF, SC prefixes, BuildKit
 * checks), is an error.
 *
 * Errors: every function that can fail returns -1 and appends one line to
 * err, without a trailing newline, naming where and what:
 *   .hadolint.yaml:3:5: key 'override.error': expected a list of rule codes, not a mapping
 *   environment variable 'HADOLINT_FAILURE_THRESHOLD': unknown threshold 'high' (...)
 * After an error the config holds whatever the layer set before it; callers
 * stop there. Nothing here prints or exits.
 *
 * Ownership: a df_config owns every string and array it holds (copies, in
 * its arena or on the heap); df_config_release() frees them all. Pointers
 * into a config stay valid until it is released (arrays may move while
 * layers are still being added).
 */
#ifndef DF_ENGINE_CONFIG_H
#define DF_ENGINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/custom.h"
#include "engine/engine.h"
#include "util/arena.h"
#include "util/buf.h"

#define DF_CONFIG_MAX (1u << 20)	/* bytes of one config file */

/* A switch a layer may leave alone. */
typedef enum df_config_bool {
	DF_CONFIG_UNSET = -1,
	DF_CONFIG_OFF = 0,
	DF_CONFIG_ON = 1,
} df_config_bool;

typedef struct df_config {
	df_arena arena;			/* every string below */
	const char **ignored;		/* codes turned off */
	size_t nignored, cap_ignored;
	df_severity_override *overrides;	/* in layer order: the last for a code wins */
	size_t noverrides, cap_overrides;
	const char **trusted;		/* trusted registries */
	size_t ntrusted, cap_trusted;
	df_label_spec *labels;		/* label schema, one entry per name */
	size_t nlabels, cap_labels;
	int threshold;			/* -1: unset; else a df_severity (DF_SEV_IGNORE: ignore or none) */
	const char *format;		/* output format name, unchecked; NULL: unset */
	const char *format_origin;	/* where it was set, a message prefix: "f.yaml:2:9: key 'format'",
					 * "environment variable 'HADOLINT_FORMAT'"; NULL: the command line */
	df_config_bool no_fail;
	df_config_bool no_color;
	df_config_bool verbose;
	df_config_bool strict_labels;
	df_config_bool disable_ignore_pragma;
	df_config_bool shellcheck;	/* dfopt's: run ShellCheck over RUN scripts */
	df_custom_rule *custom;		/* custom-rules, one per code, in load order */
	size_t ncustom, cap_custom;
} df_config;

/* An empty config: everything unset. */
void df_config_init(df_config *c);
void df_config_release(df_config *c);

/* Add one item on top of c (the command line uses these). Strings are
 * copied. */
void df_config_add_ignored(df_config *c, const char *code);
void df_config_add_override(df_config *c, const char *code, df_severity sev);
void df_config_add_trusted(df_config *c, const char *registry);
void df_config_add_label(df_config *c, const char *name, df_label_type type);
void df_config_set_format(df_config *c, const char *format, const char *origin);
/* Add rule r, its strings copied and its compiled patterns taken over (r is
 * left empty), in place of the rule of the same code if there is one. */
void df_config_add_custom(df_config *c, df_custom_rule *r);

/* Put every setting src holds on top of dst (src is unchanged). */
void df_config_merge(df_config *dst, const df_config *src);

/* Parse YAML text (len bytes; name is used in messages) on top of c. An
 * empty text (or only comments) is an empty layer. */
int df_config_load_yaml(df_config *c, const char *name, const char *text, size_t len, df_buf *err);
/* Read path (at most DF_CONFIG_MAX bytes) and load it as above; a missing
 * file is an error. */
int df_config_load_file(df_config *c, const char *path, df_buf *err);

/* Looks up an environment variable: its value or NULL when unset. */
typedef const char *(*df_config_getenv)(const char *name, void *ctx);

/*
 * Load the environment on top of c: hadolint's variables, then the same with
 * DFOPT_ in place of HADOLINT_ (so DFOPT_ wins), then NO_COLOR:
 *   HADOLINT_NOFAIL, _VERBOSE, _STRICT_LABELS, _DISABLE_IGNORE_PRAGMA: a
 *     truth value: 1, y, yes, on, true or 0, n, no, off, false (any case)
 *   HADOLINT_FORMAT, HADOLINT_FAILURE_THRESHOLD: a name
 *   HADOLINT_OVERRIDE_ERROR, _WARNING, _INFO, _STYLE, HADOLINT_IGNORE,
 *     HADOLINT_TRUSTED_REGISTRIES: comma-separated lists
 *   HADOLINT_REQUIRE_LABELS: NAME:TYPE,...
 *   NO_COLOR: any non-empty value turns colour off (no-color.org)
 * An empty variable counts as unset; list items are trimmed of blanks and
 * empty items skipped. Any other value is an error naming the variable.
 */
int df_config_load_env(df_config *c, df_config_getenv get, void *ctx, df_buf *err);

/* Value parsers shared with the command line; -1 for anything else. */
int df_config_parse_threshold(const char *s);	/* a df_severity; ignore and none: DF_SEV_IGNORE */
int df_config_parse_severity(const char *s);	/* error, warning, info or style */
int df_config_parse_bool(const char *s);	/* the truth values above: 0 or 1 */
/* "NAME:TYPE" (the last ':' splits): the name's length and the type. */
int df_config_parse_label(const char *s, size_t *name_len, df_label_type *type);

/* Where config files are looked for; NULL or "" means unset. */
typedef struct df_config_dirs {
	const char *home;		/* $HOME */
	const char *xdg_config_home;	/* $XDG_CONFIG_HOME; used when absolute */
} df_config_dirs;

/*
 * The hadolint config file that applies, found like hadolint finds it (the
 * first regular file of):
 *   ./.hadolint.yaml ./.hadolint.yml
 *   $XDG_CONFIG_HOME/hadolint.yaml .yml   (XDG default: ~/.config)
 *   ~/.config/hadolint.yaml .yml           (when XDG_CONFIG_HOME is elsewhere)
 *   ~/.hadolint/hadolint.yaml .yml ~/.hadolint/config.yaml .yml
 *   ~/.hadolint.yaml .yml
 * On true, path holds it (files in the current directory by their bare
 * name); on false, path is untouched.
 */
bool df_config_find_hadolint(const df_config_dirs *d, df_buf *path);
/*
 * The dfopt config file that applies, the first of:
 *   ./.dfopt.yaml ./.dfopt.yml
 *   $XDG_CONFIG_HOME/dfopt/config.yaml .yml   (XDG default: ~/.config)
 *   ~/.config/dfopt/config.yaml .yml           (when XDG_CONFIG_HOME is elsewhere)
 */
bool df_config_find_dfopt(const df_config_dirs *d, df_buf *path);

#endif
