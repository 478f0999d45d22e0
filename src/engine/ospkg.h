/*
 * ospkg.h - the system package managers (apt, apk, dnf, yum, zypper), as
 * data: how a command installs or removes packages or refreshes the
 * package lists, which words are the packages, and where the manager keeps
 * its lists and download cache. The language managers are
 * src/graph/ecosystem.h's; this is the rest of what the cache and size
 * rules (DF1003, DF1007, DF1009, DF1010, DF1011) ask about a RUN.
 *
 * Ownership: the table is static and const; df_ospkg_read() borrows the
 * command and hands out an array owned by the engine (df_lint_positionals()),
 * valid for the hook's call.
 */
#ifndef DF_ENGINE_OSPKG_H
#define DF_ENGINE_OSPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "engine/cmds.h"
#include "engine/rule.h"

typedef struct df_ospkg_manager {
	const char *name;		/* "apt" */
	const char *const *commands;	/* basenames: apt-get, apt, aptitude */
	const char *const *install;	/* verbs that install: install, add, in */
	const char *const *remove;	/* verbs that remove: purge, del, erase */
	const char *const *refresh;	/* verbs that fetch the package lists:
					 * update, makecache, refresh */
	const char *lists;		/* where the fetched lists are kept */
	const char *const *fresh_opts;	/* install options that fetch the lists
					 * anew: apk --no-cache, dnf --refresh */
	bool install_needs_lists;	/* an install fails without lists a
					 * refresh fetched (apt, apk); dnf, yum
					 * and zypper fetch them themselves */
	bool install_keeps;		/* an install leaves lists or packages in
					 * lists (apt's are deleted by the apt
					 * configuration of Debian-based images) */
	const char *const *keep_nothing;/* install options that leave nothing
					 * there: apk --no-cache */
	const char *const *value_opts;	/* options taking the next word */
	const char *const *caches;	/* download caches, absolute */
	bool locked;			/* a cache mount there needs sharing=locked:
					 * the manager takes a lock the shared
					 * mode would break */
} df_ospkg_manager;

typedef enum df_ospkg_action {
	DF_OSPKG_NONE,
	DF_OSPKG_INSTALL,
	DF_OSPKG_REMOVE,
	DF_OSPKG_REFRESH,		/* fetches the package lists */
} df_ospkg_action;

/* What one command of a RUN does with system packages. */
typedef struct df_ospkg_use {
	df_ospkg_action action;
	const df_ospkg_manager *manager;	/* NULL when action is NONE */
	const df_cmd_view *cmd;		/* the command, expanded */
	const df_sh_word **pkgs;	/* the packages (the verb left out) */
	size_t npkgs;
	size_t verb;			/* index of the verb in cmd->cmd->words */
} df_ospkg_use;

/* The table. */
const df_ospkg_manager *df_ospkg_managers(size_t *n);

/* 1 + the index in the table of the first manager with a command named
 * name (a basename), or 0: what the engine keeps in df_cmd_view.ospkg. */
unsigned df_ospkg_named(df_str name);
/* df_ospkg_read() of a command of a manager (v->ospkg set) that has no
 * answer kept yet: reads it, and keeps the answer with the command. */
bool df_ospkg_read_use(df_lint *lint, const df_cmd_view *v, df_ospkg_use *out);
/* Read v (a command of the RUN being linted); false and action NONE when
 * it is no install, removal or refresh of a known manager. The verb is the
 * first positional word (`apt-get -y install`); `apt-get update` is
 * REFRESH, with no packages. Inline: the size and cache rules ask it of
 * every command, and most are no manager's, which v already tells; five
 * rules read every install, and all but the first get the answer kept
 * with the command (a use, or one with action NONE for a command that is
 * none), which depends on the command's words only. */
static inline bool df_ospkg_read(df_lint *lint, const df_cmd_view *v, df_ospkg_use *out)
{
	if (!v->ospkg) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	const void **memo = df_lint_cmd_memo(lint, v, DF_CMD_MEMO_OSPKG);
	if (memo && *memo) {
		*out = *(const df_ospkg_use *)*memo;
		return out->action != DF_OSPKG_NONE;
	}
	return df_ospkg_read_use(lint, v, out);
}

/* Does u's command carry one of opts (a manager's fresh_opts or
 * keep_nothing; NULL: none), as df_sh_has_flag() reads them? */
bool df_ospkg_has_opt(const df_ospkg_use *u, const char *const *opts);

/* The package's name without a version or release (`gcc=4:12.2`,
 * `curl~8`, `zlib-dev>1.2`). */
df_str df_ospkg_name(const df_sh_word *pkg);

#endif
