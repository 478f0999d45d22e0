/*
 * flags.h - the builder flags each instruction accepts, and their typed
 * values: RUN --mount CSV fields, HEALTHCHECK durations and retries, boolean
 * COPY/ADD flags.
 */
#ifndef DF_PARSE_FLAGS_H
#define DF_PARSE_FLAGS_H

#include "parse/ast.h"

#include <string.h>

/*
 * Type and check in->flags (already split, names and values filled). Sets
 * each flag's type and parsed value. On the first problem returns -1 with a
 * message in err (lowercase, no period) and *bad set to the offending flag's
 * index; the flags after it keep DF_FLAG_UNKNOWN. Returns 0 when all are good.
 */
int df_flags_check(df_arena *a, df_instr *in, char *err, size_t errlen, size_t *bad);

/* Go's time.ParseDuration: "1m30s", "1.5s", "500ms", "0". */
bool df_parse_duration(const char *s, size_t len, int64_t *ns);

/* Parse a RUN --mount value (CSV of key[=value]). NULL with err on error. */
df_mount *df_mount_parse(df_arena *a, const char *s, size_t len, char *err, size_t errlen);

/* Lookup of a flag by name in an instruction (NULL if absent; last one wins).
 * Inline: callers name the flag with a literal, whose length then costs
 * nothing, and most flags differ from it in length alone. */
static inline df_flag *df_instr_flag(const df_instr *in, const char *name)
{
	size_t len = strlen(name);
	df_flag *found = NULL;
	for (size_t i = 0; i < in->nflags; i++)
		if (in->flags[i].name.len == len && memcmp(in->flags[i].name.ptr, name, len) == 0)
			found = &in->flags[i];
	return found;
}

/* The --platform flag of a FROM when it says $TARGETPLATFORM (or
 * ${TARGETPLATFORM}), the default every stage gets anyway; else NULL. */
const df_flag *df_from_platform_redundant(const df_instr *in);

#endif
