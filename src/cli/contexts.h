/*
 * contexts.h - the build contexts of a `dfopt lint` run, opened when a rule
 * first asks and shared by every Dockerfile built in the same one.
 *
 * A Dockerfile's context is the run's --context directory, else the
 * directory the Dockerfile is in; stdin has one only with --context, and
 * --no-context gives no file one. Two Dockerfiles share an opened context
 * when they name the same directory (after realpath) and read the same
 * ignore file: a Dockerfile with its own "<name>.dockerignore" gets a walk
 * of its own. A context that cannot be opened (unreadable, over the walk's
 * limits, a malformed ignore file) is an error of every file that asked for
 * it, told once per file with the reason.
 *
 * The set is the contexts as the run found them: an ignore file that --fix
 * extends is not read again here (which jobs would see it would depend on
 * -j); the fixer lints a file whose fixes changed it in a context of its
 * own (fix/fixer.h). Whether a Dockerfile has its own ignore file is read
 * from the listing of its directory when that was walked already (a run's
 * files mostly share a directory), not asked of the system per file.
 *
 * Thread-safety: df_contexts_get() may be called from the lint threads at
 * once; a walk runs under the set's lock, so two threads never walk the same
 * tree. Ownership: the set owns the contexts until df_contexts_release().
 */
#ifndef DF_CLI_CONTEXTS_H
#define DF_CLI_CONTEXTS_H

#include <pthread.h>
#include <stdbool.h>

#include "context/context.h"
#include "util/buf.h"

typedef struct df_contexts {
	const char *dir;	/* --context DIR, or NULL: each Dockerfile's directory */
	bool none;		/* --no-context */
	pthread_mutex_t lock;
	struct ctx_slot **slots;	/* opened (or failed) contexts; each
					 * stays where it is while others are added */
	size_t len, cap;
	char *last_root, *last_real;	/* the last root asked for and its
					 * realpath() (NULL: none), under lock */
	const df_context *last_listed;	/* an opened context of last_real, whose
					 * listing of the root answers whether
					 * a Dockerfile there has its own ignore
					 * file; NULL: none yet */
	struct ctx_slot *last_plain;	/* the slot of last_real for a Dockerfile
					 * without its own ignore file (most
					 * are), found without a search; NULL:
					 * none yet */
} df_contexts;

void df_contexts_init(df_contexts *cs, const char *dir, bool none);
void df_contexts_release(df_contexts *cs);

/*
 * The context of the Dockerfile read from path ("-": stdin), or NULL. With
 * no context to give (stdin without --context, --no-context) it returns
 * NULL and leaves err empty; when the context cannot be opened, NULL with
 * the reason in err. *where (which the caller releases) gets the
 * Dockerfile's path in the context when it lies inside.
 */
const df_context *df_contexts_get(df_contexts *cs, const char *path, df_buf *where, df_buf *err);

/* The engine's question for one Dockerfile (df_lint_opts.context with a
 * df_context_ask as its argument): its context from contexts, with where
 * and err filled as df_contexts_get() fills them, afresh at each ask (a
 * file is linted once per --fix round); the caller releases both. */
typedef struct df_context_ask {
	df_contexts *contexts;
	const char *path;
	df_buf where;		/* the Dockerfile's path in it */
	df_buf err;		/* why it could not be opened */
} df_context_ask;

const df_context *df_contexts_ask(void *ask, const char **dockerfile);

#endif
