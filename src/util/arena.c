/* arena.c - bump allocator; see arena.h. */
#include "util/arena.h"
#include "util/util.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { DF_ARENA_BLOCK = 32 * 1024 };

/*
 * Standard-size blocks that arenas gave back, kept for the next arena on
 * the same thread: every file is parsed, built into a graph and linted
 * with arenas of its own, all released when it is done, and taking the
 * same few blocks back costs less than a malloc and a free of 32 KiB each
 * time. At most POOL_MAX blocks wait, so a huge file does not keep its
 * memory. A thread's pool is freed when it ends (pool_key's destructor);
 * the main thread's lasts as long as the process. Under AddressSanitizer
 * no block waits (a POOL_MAX of 0): each goes back to malloc at once, so
 * that a use after release is still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_MAX 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_MAX 0
#endif
#endif
#ifndef POOL_MAX
#define POOL_MAX 8
#endif

static _Thread_local struct {
	struct df_arena_block *head;	/* linked through prev */
	size_t n;
	bool keyed;			/* pool_key is set on this thread */
} pool;
static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_free(void *unused)
{
	(void)unused;
	while (pool.head) {
		struct df_arena_block *b = pool.head;
		pool.head = b->prev;
		free(b);
	}
	pool.n = 0;
}

static void pool_key_create(void)
{
	if (pthread_key_create(&pool_key, pool_free) != 0)
		df_die_oom();
}

/* Keep b for later if there is room; false: the caller frees it. */
static bool pool_put(struct df_arena_block *b)
{
	if (b->cap != DF_ARENA_BLOCK || pool.n + 1 > POOL_MAX)
		return false;
	if (!pool.keyed) {
		/* The destructor runs only for a key with a value. */
		pthread_once(&pool_once, pool_key_create);
		pthread_setspecific(pool_key, &pool);
		pool.keyed = true;
	}
	b->prev = pool.head;
	pool.head = b;
	pool.n++;
	return true;
}

/* A standard block from the pool, or NULL. */
static struct df_arena_block *pool_take(void)
{
	struct df_arena_block *b = pool.head;
	if (b) {
		pool.head = b->prev;
		pool.n--;
	}
	return b;
}

void df_arena_init(df_arena *a)
{
	a->next = NULL;
	a->left = 0;
	a->head = NULL;
	a->total = 0;
}

void df_arena_release(df_arena *a)
{
	struct df_arena_block *b = a->head;
	while (b) {
		struct df_arena_block *prev = b->prev;
		if (!pool_put(b))
			free(b);
		b = prev;
	}
	df_arena_init(a);
}

void *df_arena_alloc_block(df_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	size_t need = (n + align - 1) & ~(align - 1);
	if (need < n)
		df_die_oom();
	if (a->head && need <= a->left) {
		/* A request of no bytes, which the inline path leaves here. */
		void *p = a->next;
		a->next += need;
		a->left -= need;
		return p;
	}
	/* Big requests get a block of their own so small ones keep packing. */
	size_t cap = need > DF_ARENA_BLOCK / 4 ? need : DF_ARENA_BLOCK;
	struct df_arena_block *b = cap == DF_ARENA_BLOCK ? pool_take() : NULL;
	if (!b)
		b = malloc(sizeof(*b) + cap);
	if (!b)
		df_die_oom();
	b->cap = cap;
	a->total += cap;
	if (need > DF_ARENA_BLOCK / 4 && a->head) {
		/* Keep the current small block on top for later small requests. */
		b->prev = a->head->prev;
		a->head->prev = b;
		return b->data;
	}
	b->prev = a->head;
	a->head = b;
	a->next = b->data + need;
	a->left = cap - need;
	return b->data;
}

void *df_arena_grow_uninit_slow(df_arena *a, void *old, size_t old_count, size_t new_count, size_t size)
{
	const size_t align = alignof(max_align_t);
	if (size && new_count > SIZE_MAX / size)
		df_die_oom();
	if (old && old_count >= new_count)
		return old;
	size_t old_bytes = old ? old_count * size : 0;
	size_t new_bytes = new_count * size;
	size_t old_need = (old_bytes + align - 1) & ~(align - 1);
	size_t new_need = (new_bytes + align - 1) & ~(align - 1);
	/* Arrays grow while being filled, so the old one is often the newest
	 * allocation: extend it where it lies instead of copying. */
	if (old && (unsigned char *)old + old_need == a->next &&
	    new_need >= new_bytes && a->left >= new_need - old_need) {
		a->next += new_need - old_need;
		a->left -= new_need - old_need;
		return old;
	}
	void *p = df_arena_alloc_uninit(a, new_bytes);
	if (old_bytes)
		memcpy(p, old, old_bytes);
	return p;
}

void *df_arena_grow(df_arena *a, void *old, size_t old_count, size_t new_count, size_t size)
{
	void *p = df_arena_grow_uninit(a, old, old_count, new_count, size);
	size_t kept = old ? old_count : 0;
	if (new_count > kept)
		memset((unsigned char *)p + kept * size, 0, (new_count - kept) * size);
	return p;
}

void df_arena_shrink(df_arena *a, void *p, size_t old_bytes, size_t new_bytes)
{
	const size_t align = alignof(max_align_t);
	size_t old_need = (old_bytes + align - 1) & ~(align - 1);
	size_t new_need = (new_bytes + align - 1) & ~(align - 1);
	if (p && new_need <= old_need && (unsigned char *)p + old_need == a->next) {
		a->next -= old_need - new_need;
		a->left += old_need - new_need;
	}
}
