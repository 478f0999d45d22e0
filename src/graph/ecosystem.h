/*
 * ecosystem.h - the package managers dfopt knows (docs/ecosystems.md), as
 * data: which commands install dependencies, which manifests such an install
 * reads, what it writes and where it keeps its download cache. The file
 * model of a RUN and the cache rules (DF1001, DF1004, DF1009) ask this table
 * instead of knowing any manager themselves.
 *
 * One df_eco_manager per manager, in a const table; df_eco_classify() is
 * generic over it: no manager is named in its code.
 *
 * Classes of a command (df_eco_kind):
 *  - NONE:     not a command of a known manager, or one that installs and
 *              builds nothing (`npm config set`, `mix local.hex`, `mvn clean`).
 *  - DEPS:     a dependency install that needs only the manifests
 *              (`npm ci`, `pip install -r r.txt`, `go mod download`).
 *  - PACKAGES: installs packages named on the command line (`npm install
 *              express`, `pip install flask`, `cargo install ripgrep`): reads
 *              no project file, so it is no dependency install either.
 *  - SOURCES:  reads the project's sources: a build, a script, or an install
 *              of the project itself (`pip install .`, `go build`, `npm run
 *              build`, `poetry install` without --no-root, `composer
 *              install` without --no-scripts --no-autoloader).
 *
 * Paths: manifests are image paths. A relative manifest is joined with the
 * project directory (the cwd, or a directory option such as `npm --prefix
 * D`, `yarn --cwd D`, `composer -d D`, joined with the cwd); with the cwd
 * unknown (NULL) they stay relative to it. Names may be globs (`*.csproj`,
 * flagged) and directories (a trailing '/': `gradle/`).
 *
 * Ownership: the table is static and const. Everything df_eco_classify() and
 * the path helpers return comes from the arena passed in.
 */
#ifndef DF_GRAPH_ECOSYSTEM_H
#define DF_GRAPH_ECOSYSTEM_H

#include <stdbool.h>
#include <stddef.h>

#include "parse/shell.h"
#include "util/arena.h"
#include "util/buf.h"

typedef enum df_eco_kind {
	DF_ECO_NONE,
	DF_ECO_DEPS,
	DF_ECO_PACKAGES,
	DF_ECO_SOURCES,
} df_eco_kind;

/* Verb flags (df_eco_verb.flags). */
enum {
	DF_ECO_ARGS_PKGS = 1 << 0,	/* arguments after the verb name packages:
					 * PACKAGES, or SOURCES for a local path */
	DF_ECO_NEEDS_FILE = 1 << 1,	/* DEPS only with a file option (pip -r F);
					 * otherwise judged by its arguments */
	DF_ECO_ARGS_FILES = 1 << 2,	/* arguments are manifest files (dotnet
					 * restore App.csproj, uv pip sync r.txt) */
	DF_ECO_AT_PKGS = 1 << 3,	/* every argument NAME@VERSION: PACKAGES
					 * (go install x@latest) */
	DF_ECO_SCRIPTS = 1 << 4,	/* runs the project's own scripts (npm
					 * lifecycle) unless a scripts_off flag */
};

/*
 * One subcommand. Without goals (see df_eco_manager) the verb is the first
 * positional words of the command ("ci", "mod download", "" for the bare
 * command); with goals it is one goal or task.
 */
typedef struct df_eco_verb {
	const char *words;		/* space-separated; NULL ends a verb list */
	df_eco_kind kind;		/* the class when its conditions hold */
	unsigned flags;
	const char *const *need_all;	/* DEPS only with all these flags, else
					 * SOURCES (poetry --no-root); may be NULL */
	const char *const *need_any;	/* DEPS only with one of these (uv sync
					 * --no-install-project); may be NULL */
	const char *why;		/* SOURCES when a need_* flag is missing:
					 * what it reads */
	const char *const *manifests;	/* replaces the manager's list (pnpm
					 * fetch reads only the lockfile); NULL:
					 * the manager's */
} df_eco_verb;

/*
 * One package manager. String lists end with NULL; any of them may be NULL
 * for an empty list. Options are compared as df_sh_has_flag() does: a long
 * option also matches "--opt=value", a short one "-oValue".
 */
typedef struct df_eco_manager {
	const char *name;		/* "npm", "maven" ... */
	const char *const *commands;	/* program basenames, version suffix
					 * stripped (pip3.12 -> pip) */
	const char *const *modules;	/* run as `python -m M` or `php M` */
	const df_eco_verb *verbs;
	bool goals;			/* every positional is a goal or task
					 * (maven, gradle): the command is the
					 * strongest class among them, and a
					 * NONE goal (clean) counts for nothing */
	df_eco_kind other;		/* an unlisted verb: NONE, or SOURCES
					 * where it runs a project script (yarn
					 * build) or goal (mvn package) */
	const char *const *value_opts;	/* options taking the next word as value */
	const char *const *dir_opts;	/* value: the project directory */
	const char *const *file_opts;	/* value: a manifest file (pip -r F) */
	const char *const *source_opts;	/* value: something installed (pip -e
					 * D): a local path means SOURCES */
	const char *const *scripts_off;	/* stop DF_ECO_SCRIPTS (--ignore-scripts) */
	bool slash_is_path;		/* an argument holding '/' (no "://")
					 * is a local path (pip), not a
					 * user/repo shorthand (npm) */
	const char *const *manifests;	/* read by a dependency install */
	bool exact;			/* the manifests are all it reads in
					 * a one-project layout (see exact in
					 * df_eco_use) */
	const char *const *writes;	/* where the install puts what it gets */
	const char *const *caches;	/* download caches, for cache mounts */
	const char *const *cache_off;	/* options with which it uses none of
					 * them (pip --no-cache-dir) */
} df_eco_manager;

typedef struct df_eco_path {
	const char *path;	/* image path, or cwd-relative with cwd unknown */
	bool glob;		/* holds * ? or [ */
	bool dir;		/* a directory: ends with '/' */
	bool named;		/* named on the command line (-r F), not the table */
} df_eco_path;

/* What one command is. */
typedef struct df_eco_use {
	df_eco_kind kind;
	const df_eco_manager *manager;	/* NULL exactly when kind is NONE
					 * and the command is no manager's */
	const char *verb;	/* the verb, goal or word that decided the
				 * class; "" for the bare command */
	const char *why;	/* PACKAGES, SOURCES: a short static reason */
	const char *dir;	/* DEPS: the project directory (the cwd, or a
				 * directory option joined with it); relative
				 * to the cwd when that is unknown, NULL when
				 * it is the cwd and unknown */
	df_eco_path *manifests;	/* DEPS: what it reads, table order, then the
				 * files named on the command line */
	size_t nmanifests;
	bool exact;		/* DEPS: it reads these (the ones that exist)
				 * and nothing else, unless a manifest widens
				 * the project (npm/yarn workspaces, a Gemfile
				 * `gemspec`, go.mod `replace ../x`); false when
				 * a manifest may include files the list cannot
				 * name (pip -r, maven modules, gradle, cargo
				 * targets, dotnet project references) */
	bool scripts;		/* DEPS: may run project scripts, so reading
				 * only the manifests is not proven */
	const char *const *split_flags;	/* SOURCES of a dependency install that
				 * reads the sources only for want of these
				 * flags (poetry install: --no-root; composer
				 * install: --no-scripts, --no-autoloader; uv
				 * sync: either of its two): dir, manifests,
				 * exact and scripts are then filled as for
				 * DEPS, what the flagged install would read.
				 * NULL otherwise */
	bool split_any;		/* one of split_flags is enough (uv sync) */
} df_eco_use;

/* The table, in docs/ecosystems.md order. */
const df_eco_manager *df_eco_managers(size_t *n);
/* The manager called name, or NULL. */
const df_eco_manager *df_eco_find(const char *name);
/* "none", "deps", "packages", "sources". */
const char *df_eco_kind_name(df_eco_kind k);

/*
 * Classify c, whose words are taken by value (expand them first), the
 * command name being c->words[name] (df_sh_cmd_name_index() skips sudo,
 * env ...). cwd is the directory in force: WORKDIR, then any `cd` before it
 * in the same RUN (df_eco_cd()); NULL when unknown. Fills *out; never fails.
 * A compound command, or a simple one without words, is NONE.
 */
void df_eco_classify(df_arena *a, const df_sh_cmd *c, size_t name, const char *cwd,
		     df_eco_use *out);
/* df_eco_classify() with the manager known: m is what df_eco_manager_run()
 * found with *by_runner false (the program names m, whatever its arguments
 * say), from c or from c's words before expansion; NULL: looked up here. */
void df_eco_classify_by(df_arena *a, const df_sh_cmd *c, size_t name, const df_eco_manager *m,
			const char *cwd, df_eco_use *out);

/* The manager c runs (name as above), as df_eco_classify() finds it, or
 * NULL: its first step alone, for a caller that classifies only a manager's
 * commands, and only once their words are expanded. */
const df_eco_manager *df_eco_manager_of(const df_sh_cmd *c, size_t name);
/* df_eco_manager_of(), and in *by_runner whether the program is a runner
 * (`python -m`, `php`) whose argument names the manager. When it is not,
 * only the program name was read: expanding c's arguments (never its name)
 * cannot change the answer, and a caller may ask before expanding. */
const df_eco_manager *df_eco_manager_run(const df_sh_cmd *c, size_t name, bool *by_runner);
/*
 * The first two bytes of the managers' commands and the runners, as bits:
 * sets bit first * 256 + second of pairs (DF_ECO_NAME_PAIRS bytes) for each,
 * for a caller that keeps the table. A program word holding no '/' whose
 * first two bytes have no bit set names neither (every such name is two
 * bytes or more): df_eco_manager_run() finds nothing, and most commands
 * (rm, chmod, apt-get) are told so without reading their name.
 */
#define DF_ECO_NAME_PAIRS (256 * 256 / 8)
void df_eco_name_pairs(unsigned char pairs[DF_ECO_NAME_PAIRS]);

/*
 * Whether c (name as above) is `cd [DIR]`; if so, *cwd becomes the
 * directory it changes to (DIR joined with *cwd), or NULL when unknown
 * (`cd`, `cd -`, `cd $X` unexpanded, a relative DIR with *cwd unknown).
 */
bool df_eco_cd(df_arena *a, const df_sh_cmd *c, size_t name, const char **cwd);

/*
 * rel joined with base and normalised: no "." components, ".." applied
 * (never above "/"), no repeated or trailing '/' (but a trailing '/' of rel
 * is kept, marking a directory). An absolute rel ignores base; a NULL base
 * leaves a relative rel relative.
 */
char *df_eco_path_join(df_arena *a, const char *base, const char *rel);

/*
 * Append u on one line, for tests and debugging:
 *   "none" | KIND " " MANAGER " " VERB [" (" WHY ")"]
 *   deps adds [" exact"] [" scripts"] ":" {" " PATH}
 * VERB is shown as '' when empty.
 */
void df_eco_use_dump(const df_eco_use *u, df_buf *out);

#endif
