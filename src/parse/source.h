/*
 * source.h - the bytes of one Dockerfile and the map from byte offsets to
 * 1-based line and column numbers.
 *
 * Ownership: a df_source owns a private copy of the bytes (NUL-terminated,
 * though the bytes themselves may hold NULs) and its line table; made by
 * df_source_init_in(), they live in an arena instead and go with it.
 * Invariant: line_starts[0] == 0 and line_starts is strictly increasing; a
 * line ends just after its '\n' (or at the end of the data). The table has
 * one more entry than nlines, line_starts[nlines] == len, so that the end of
 * every line is the start of the next.
 */
#ifndef DF_PARSE_SOURCE_H
#define DF_PARSE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct df_source {
	char *name;		/* display name, e.g. "Dockerfile" or "-" */
	char *data;		/* owned copy, data[len] == '\0' */
	size_t len;
	uint32_t *line_starts;	/* byte offset of each physical line, and len */
	size_t nlines;
	bool in_arena;		/* name, data and line_starts belong to an arena */
} df_source;

/* Copies name and data. Fails (-1) only when len exceeds UINT32_MAX - 1. */
int df_source_init(df_source *src, const char *name, const char *data, size_t len);
/* The same with the copies made in a (a parsed document's arena: one
 * allocation fewer per piece, and nothing to free on its own). */
int df_source_init_in(df_source *src, df_arena *a, const char *name, const char *data, size_t len);
void df_source_release(df_source *src);

/* 1-based line and byte column of off (off may equal len). */
void df_source_pos(const df_source *src, size_t off, uint32_t *line, uint32_t *col);
/* Offset of the first byte of 1-based line. */
size_t df_source_line_start(const df_source *src, uint32_t line);

#endif
