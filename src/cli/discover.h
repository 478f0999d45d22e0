/*
 * discover.h - the Dockerfiles under a directory given to `dfopt lint`.
 *
 * The walk goes down every directory, does not follow symbolic links to
 * directories (no loops, no leaving the tree), and keeps the files whose
 * name says they are Dockerfiles (df_discover_is_dockerfile()). It does not
 * enter directories that hold version control data or vendored and
 * generated code (df_discover_skip_dir()); the directory the walk starts
 * from is always entered, whatever its name. .gitignore files are not read:
 * what is found does not depend on the state of a git checkout.
 *
 * Files named on the command line are linted whatever their name; only the
 * walk filters names.
 *
 * Nothing here prints: skipped entries and I/O errors go to a callback, in
 * walk order (each directory's entries in byte order), and the caller says
 * them or not. The walk goes on after an error.
 */
#ifndef DF_CLI_DISCOVER_H
#define DF_CLI_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

/* Directories deeper than this below the start are an error, not a crash. */
#define DF_DISCOVER_MAX_DEPTH 256

typedef enum df_discover_event {
	DF_DISCOVER_SKIP,	/* path left out on purpose; text says why */
	DF_DISCOVER_ERROR,	/* path could not be read; text is the reason */
} df_discover_event;

typedef void (*df_discover_fn)(void *ctx, df_discover_event ev, const char *path, const char *text);

/* The Dockerfiles found. Owns paths and their strings. */
typedef struct df_discovery {
	char **paths;		/* "<dir>/<relative path>", in byte order */
	size_t len, cap;
} df_discovery;

#define DF_DISCOVERY_INIT { NULL, 0, 0 }

void df_discovery_init(df_discovery *d);
void df_discovery_release(df_discovery *d);

/*
 * Walk dir (a directory) and append the Dockerfiles under it to out; the
 * ones this call appends come in byte order of their whole path (what
 * `LC_ALL=C sort` gives). Paths are dir joined to the relative path with
 * one '/'. notify, when not NULL, hears of every skipped entry and error.
 * Returns 0, or -1 when any part of the tree could not be read (the rest is
 * still walked and appended).
 */
int df_discover(const char *dir, df_discovery *out, df_discover_fn notify, void *ctx);

/*
 * Is a file of this name (no directory part) a Dockerfile? Yes for
 * Dockerfile, Containerfile and their lowercase forms, with or without a
 * ".SUFFIX" (Dockerfile.dev), and for NAME.Dockerfile, NAME.dockerfile,
 * NAME.Containerfile and NAME.containerfile. No for hidden files, and for
 * the per-Dockerfile ignore files Dockerfile.dockerignore and
 * Containerfile.containerignore (any name ending in ".dockerignore" or
 * ".containerignore").
 */
bool df_discover_is_dockerfile(const char *name);

/*
 * Why a directory of this name is not walked, or NULL when it is:
 * "version control" for .git, .hg, .svn, .bzr, .jj, _darcs and CVS;
 * "vendored or generated" for node_modules, bower_components, vendor,
 * .venv, venv, __pycache__, .tox, .nox, .mypy_cache, .pytest_cache, target
 * and .terraform. Other hidden directories are walked: .devcontainer and
 * .github often hold Dockerfiles.
 */
const char *df_discover_skip_dir(const char *name);

#endif
