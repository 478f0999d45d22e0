/*
 * context.h - a build context: the directory tree the builder may COPY/ADD
 * from, after .dockerignore, and what each COPY/ADD source selects in it.
 *
 * Opening a context walks it once: a symlink is an entry of its own, never
 * followed; the names of each directory in byte order, depth first (the
 * builder's order), and nothing is skipped but what the ignore file
 * excludes. Types come from the directory listing (lstat() only where it
 * does not tell); sizes and permission bits only on request (stat_entries),
 * as an lstat() per entry costs more than all the rest of a walk. The
 * ignore file is "<Dockerfile>.dockerignore" beside the Dockerfile when
 * that exists, else ".dockerignore" at the context root.
 *
 * An excluded directory is not entered unless an exception could re-include
 * something under it; then its contents are looked at one by one, and the
 * directory itself is kept (flagged implied) exactly when something under it
 * is, as the builder sends the parents of what it sends.
 *
 * Ownership: df_context_open() fills a df_context the caller owns and frees
 * with df_context_release(); entry paths live as long as the context. The
 * walk is bounded in entries and depth; going over is an error, not a
 * truncated list. Nothing here prints.
 */
#ifndef DF_CONTEXT_CONTEXT_H
#define DF_CONTEXT_CONTEXT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "context/ignore.h"
#include "util/arena.h"
#include "util/buf.h"

#define DF_CONTEXT_MAX_ENTRIES 1000000u
#define DF_CONTEXT_MAX_DEPTH 256u

typedef enum df_ctx_type {
	DF_CTX_FILE,
	DF_CTX_DIR,
	DF_CTX_SYMLINK,
	DF_CTX_OTHER,	/* FIFO, socket, device */
} df_ctx_type;

typedef struct df_ctx_entry {
	const char *path;	/* relative to the root, '/'-separated, clean; owned by the context */
	df_ctx_type type;
	uint64_t size;		/* st_size: bytes of a file, length of a symlink's target;
				 * 0 unless opts->stat_entries */
	uint32_t mode;		/* st_mode: type and permission bits; the type bits
				 * only unless opts->stat_entries */
	uint32_t depth;		/* 0 for an entry at the root */
	size_t ndesc;		/* how many entries after this one lie under it (directories) */
	bool implied;		/* excluded, kept because something under it is re-included */
} df_ctx_entry;

/* The entry's name: the last component of its path (the path itself at
 * the root). */
static inline const char *df_ctx_entry_name(const df_ctx_entry *e)
{
	return e->depth ? strrchr(e->path, '/') + 1 : e->path;
}

/* A name at the root of the context, as the walk met it. */
typedef struct df_ctx_name {
	const char *name;	/* the entry's path; owned by the context */
	df_ctx_type type;
} df_ctx_name;

typedef struct df_context_opts {
	const char *dockerfile;	/* path of the Dockerfile, or NULL: where its own ignore file is */
	size_t max_entries;	/* 0: DF_CONTEXT_MAX_ENTRIES; counts excluded entries met too */
	unsigned max_depth;	/* 0: DF_CONTEXT_MAX_DEPTH */
	bool stat_entries;	/* lstat() every entry: fill size and mode */
	/* The ignore file's text as a fix would leave it (fix/fixer.h), read
	 * instead of the disk: ignore_path names the file it stands for (the
	 * one in force, or the .dockerignore a fix creates) and is what
	 * ignore_file becomes. NULL: the file is looked for as above. */
	const char *ignore_path;
	const char *ignore_text;
	size_t ignore_len;
} df_context_opts;

typedef struct df_context {
	char *root;			/* the directory as given; owned */
	char *root_real;		/* its realpath() when walked, NULL if none; owned */
	char *ignore_file;		/* the ignore file read, NULL if none; owned */
	df_ignore *ignore;		/* its matcher, NULL if none; owned */
	char *dockerfile;		/* the Dockerfile's path in the context, NULL if outside or not given; owned */
	df_ctx_entry *entries;		/* kept entries in walk order */
	size_t len, cap;
	df_ctx_entry *excluded;		/* excluded entries the walk met; a directory not entered stands for all it holds */
	size_t nexcluded, excluded_cap;
	const df_ctx_entry **by_path;	/* the entries sorted by path, for lookups */
	uint64_t *by_path_keys;		/* the first 8 bytes of each of their paths,
					 * big-endian, 0-padded: most comparisons of
					 * a lookup end there */
	df_ctx_name *top;		/* every name at the root, kept or excluded, in byte order */
	uint64_t *top_keys;		/* their first 8 bytes, as by_path_keys */
	size_t ntop;
	df_arena arena;			/* entry paths */
	/* df_context_memo()'s results and the index below: the only parts
	 * that change after opening, under memo_lock. A memo is found
	 * without it (it is complete before it is linked in, and never
	 * changes after). */
	pthread_mutex_t memo_lock;
	bool memo_ready;		/* memo_lock is initialised */
	struct ctx_memo *memos;
	/* The entries grouped by depth, each group in walk order: group d is
	 * by_depth[depth_start[d] .. depth_start[d + 1]), d < ndepths. A
	 * pattern of n components can only match an entry at depth n - 1.
	 * Made, and only read, by the selection of a pattern source (under
	 * memo_lock); NULL before the first. */
	size_t *by_depth;
	size_t *depth_start;
	size_t ndepths;
} df_context;

#define DF_CONTEXT_INIT { 0 }

/* Walk root (opts may be NULL). 0, or -1 with a message in err (an unreadable
 * directory or ignore file, a malformed ignore file as "name:line:col: ...",
 * a tree over the limits); ctx is released on failure. */
int df_context_open(df_context *ctx, const char *root, const df_context_opts *opts, df_buf *err);
void df_context_release(df_context *ctx);

/* Append dockerfile's path in the context (relative, '/'-separated, as
 * entries are named) to out; false, out untouched, when it lies outside the
 * root or is "-". Symlinked directories are resolved on both sides. */
bool df_context_locate(const df_context *ctx, const char *dockerfile, df_buf *out);

/*
 * Data derived from the context alone, computed once however many
 * Dockerfiles built in it ask and from however many threads: the first call
 * with key (any address of the caller's, e.g. its rule) runs make(ctx) under
 * the context's lock, later calls return the same result. The context owns
 * it and frees it with free_fn at release. For what would otherwise be
 * redone per COPY of every file (a rule's judgement of every entry). make
 * must not call df_context_memo() itself.
 */
const void *df_context_memo(const df_context *ctx, const void *key, void *(*make)(const df_context *ctx),
			    void (*free_fn)(void *));

/* Is name (one component, no '/') at the root of the context, kept or
 * excluded? Its type into *type when so. The walk's listing of the root
 * answers, as it was when the context was opened: no system call. */
bool df_context_at_root(const df_context *ctx, const char *name, df_ctx_type *type);

/* The kept entry at path (cleaned first), or NULL. */
const df_ctx_entry *df_context_find(const df_context *ctx, const char *path);

/* What one COPY/ADD source brings in from the context. items is read-only:
 * it is the context's own list of what a source selects (the same sources
 * come back in COPY after COPY, file after file) or, for a union of several,
 * own; either way valid until the selection is reused or released, and
 * until the context is released. */
typedef struct df_ctx_selection {
	const size_t *items;	/* indices into ctx->entries, in walk order, no repeats */
	size_t len;
	size_t roots;		/* entries the source named or its wildcards matched */
	size_t ignored;		/* of those, excluded ones (the builder would not find them) */
	size_t *own;		/* storage of a union (df_ctx_selection_own()), or NULL */
	size_t cap;
} df_ctx_selection;

#define DF_CTX_SELECTION_INIT { NULL, 0, 0, 0, NULL, 0 }

void df_ctx_selection_release(df_ctx_selection *sel);

/*
 * Select what src brings in, with the builder's source semantics: src is
 * taken relative to the context root ("/a", "./a" and "a" are the same, ".."
 * cannot leave it, "." is everything); without '*', '?' or '[' it names one
 * path, else each of its components is a filepath.Match pattern matched
 * against the names at that level. A directory brings in what is under it,
 * anything else itself. Nothing matched is not an error here (roots == 0);
 * a malformed pattern is (-1, message in err). sel is reset first.
 */
int df_context_select(const df_context *ctx, const char *src, df_ctx_selection *sel, df_buf *err);

/* Room for n items in sel's own storage, which items then points to (len
 * is left to the caller), for building a union. */
size_t *df_ctx_selection_own(df_ctx_selection *sel, size_t n);

/* Where in sel->items the first item not below entry index k is (sel->len
 * if none): a binary search. Items are in walk order, so what sel brings in
 * of entry k and of what lies under it (k + ndesc) is the run from there;
 * a rule that judges a few entries of a large context (memoised with
 * df_context_memo()) can look each up instead of scanning every selection. */
size_t df_ctx_selection_seek(const df_ctx_selection *sel, size_t k);

/* Does sel bring in path or anything under it? A lookup, not a scan. */
bool df_ctx_selection_has(const df_context *ctx, const df_ctx_selection *sel, const char *path);

/* The first entry of sel with a path component matching the filepath.Match
 * pattern name ("node_modules", ".env*", "*.pem"), or NULL. */
const df_ctx_entry *df_ctx_selection_find_name(const df_context *ctx, const df_ctx_selection *sel,
					       const char *name);

#endif
