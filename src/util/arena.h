/*
 * arena.h - bump allocator owning every node of one parsed document.
 *
 * Ownership: an arena owns all memory handed out by df_arena_alloc() and
 * friends; nothing allocated from it is freed individually. df_arena_release()
 * frees everything at once and leaves the arena empty and reusable.
 *
 * Invariants: allocations are aligned to max_align_t; a failed allocation
 * aborts via DF_BUG-style out-of-memory handling (the process cannot go on
 * without memory, and every caller would do the same).
 */
#ifndef DF_UTIL_ARENA_H
#define DF_UTIL_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/util.h"

/* A block of storage; internal to the allocator, visible for the inline
 * fast path below. */
struct df_arena_block {
	struct df_arena_block *prev;
	size_t cap;
	_Alignas(max_align_t) unsigned char data[];
};

typedef struct df_arena {
	unsigned char *next;		/* where head's free space begins */
	size_t left;			/* its size; 0 while there is no head */
	struct df_arena_block *head;	/* newest block, allocations come from it */
	size_t total;			/* bytes obtained from malloc, for stats */
} df_arena;

#define DF_ARENA_INIT { NULL, 0, NULL, 0 }

void df_arena_init(df_arena *a);
void df_arena_release(df_arena *a);

/* The slow path: a new block, or a request of no bytes. */
void *df_arena_alloc_block(df_arena *a, size_t n);

/* Storage for n bytes with unspecified contents, for callers that fill it
 * all (copies); cheaper than clearing. */
static inline void *df_arena_alloc_uninit(df_arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	size_t need = (n + align - 1) & ~(align - 1);
	/* need - 1 wraps around for a request of no bytes and for one so
	 * large that rounding it up overflowed (need is 0 then): both take the
	 * slow path, which answers them. */
	if (need - 1 < a->left) {
		void *p = a->next;
		a->next += need;
		a->left -= need;
		return p;
	}
	return df_arena_alloc_block(a, n);
}

/* Zero-filled storage for n bytes. */
static inline void *df_arena_alloc(df_arena *a, size_t n)
{
	void *p = df_arena_alloc_uninit(a, n);
	memset(p, 0, n);
	return p;
}
/* Zero-filled storage for count objects of size bytes, overflow-checked.
 * Inline: size is a constant sizeof at nearly every call, which makes the
 * check one comparison. */
static inline void *df_arena_calloc(df_arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		df_die_oom();
	return df_arena_alloc(a, count * size);
}
/* A copy of s[0..len) followed by a NUL byte (s may itself hold NULs). */
static inline char *df_arena_memdup(df_arena *a, const char *s, size_t len)
{
	char *p = df_arena_alloc_uninit(a, len + 1);
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
/* Grow an array of old_count objects allocated from the arena to new_count,
 * keeping its contents and zero-filling the new objects. The array may grow
 * in place or move, so only the returned pointer stays valid. */
void *df_arena_grow(df_arena *a, void *old, size_t old_count, size_t new_count, size_t size);
/* The whole of df_arena_grow_uninit(), out of line. */
void *df_arena_grow_uninit_slow(df_arena *a, void *old, size_t old_count, size_t new_count, size_t size);
/* df_arena_grow() leaving the new objects uninitialized, for arrays whose
 * slots are written whole as they are pushed. */
static inline void *df_arena_grow_uninit(df_arena *a, void *old, size_t old_count, size_t new_count, size_t size)
{
	/* Every array pushed one by one starts with old NULL: that first
	 * allocation is a plain one, taken inline. */
	if (!old && size && new_count <= SIZE_MAX / size)
		return df_arena_alloc_uninit(a, new_count * size);
	return df_arena_grow_uninit_slow(a, old, old_count, new_count, size);
}

/* Give back the tail of the newest allocation: p, obtained for old_bytes
 * (or grown to them), keeps its first new_bytes. Does nothing when p is not
 * the newest allocation of the current block. */
void df_arena_shrink(df_arena *a, void *p, size_t old_bytes, size_t new_bytes);

#define DF_ARENA_NEW(a, type) ((type *)df_arena_alloc((a), sizeof(type)))
#define DF_ARENA_ARRAY(a, type, n) ((type *)df_arena_calloc((a), (n), sizeof(type)))

#endif
