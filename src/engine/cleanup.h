/*
 * cleanup.h - what the size rules share about what a RUN leaves behind: does
 * a later command of the same RUN remove a path, does a cache mount keep it
 * out of the layer, does it write a setting to a config file, and does the
 * stage end up in the image at all.
 *
 * Removal is judged from `rm` commands only (after sudo and the like), with
 * their words expanded from the ARG and ENV values in force. An rm word
 * removes a path when it is the path, a glob matching it (`*.tgz` in the
 * same directory), or, with -r/-R/--recursive, a directory holding it or a
 * glob matching one (`rm -rf` of everything in /tmp). `~` and `${HOME}` are read as `$HOME`, and
 * `${NAME}` as `$NAME`, so "$D" and "${D}" are one path. When one of the two is
 * relative and the other absolute or led by a variable (a `cd` between them,
 * `$HOME/.npm`), the relative one is compared with the same number of
 * trailing components of the other: ".npm/_cacache" asks about any .npm.
 */
#ifndef DF_ENGINE_CLEANUP_H
#define DF_ENGINE_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/cmds.h"
#include "engine/rule.h"
#include "util/arena.h"

/* Call fn for each command of the instruction being linted that comes after
 * v (a command df_lint_each_command() or on_command gave, or its
 * expansion), in order; stop when fn returns non-zero, and return that. */
int df_run_each_after(df_lint *lint, const df_cmd_view *v, df_cmd_fn fn, void *ud);

/* Does a command of the instruction being linted that comes after v (a
 * command df_lint_each_command() or on_command gave) remove path[0..len)?
 * With unknown_counts, an rm word whose value is unknown ($TMP unset, $(...))
 * counts as removing it: the rules stay quiet where they cannot tell. */
bool df_run_removes_after(df_lint *lint, const df_cmd_view *v, const char *path, size_t len,
			  bool unknown_counts);
/* The same of a path given df_path_normal() (below), for a rule that asks
 * about the same constant path in every RUN and normalises it once. */
bool df_run_removes_normal_after(df_lint *lint, const df_cmd_view *v, const char *normal,
				 bool unknown_counts);

/* Does the operand op[0..len) of a command that acts on paths (rm, chown,
 * chmod) name path, as rm's are judged above: path itself, a glob matching
 * it, or with recursive a directory holding it? */
bool df_path_covers(const char *op, size_t len, const char *path, bool recursive);

/* Has run (a RUN, not its ONBUILD) a cache or tmpfs mount whose target is
 * dir (an absolute path) or a directory holding it? */
bool df_run_mounts_cache(const df_instr *run, const char *dir);

/* Has run a cache or tmpfs mount whose target contains frag anywhere, as
 * hadolint's rules ask: "/var/cache/apk" is kept by a mount on
 * "/var/cache/apk/" too, ".cache/pip" by one on "/root/.cache/pip". */
bool df_run_cache_mount_with(const df_instr *run, const char *frag);

/*
 * For a rule that compares the same paths many times (the operands of an rm
 * with every file it knows of, a mount's target with every cache): each path
 * normalised once, then the comparisons above on the results.
 *
 * df_path_normal() gives path[0..len) as they compare it (`~` as `$HOME`,
 * `${NAME}` as `$NAME`, no "./" in front, no repeated or trailing '/'), a
 * copy in a; NULL when it is too long to match anything, where they answer
 * false. Normalising twice is not the same: pass the path as written.
 */
const char *df_path_normal(df_arena *a, const char *path, size_t len);
/* df_path_normal() of the NUL-terminated path, without a copy when
 * normalising changes nothing (as for nearly every path a rule resolved
 * itself, df_path_resolve()): then path itself, which the caller keeps
 * as long as the result. */
const char *df_path_normal_keep(df_arena *a, const char *path);
/* df_path_covers() of an operand and a path, both df_path_normal(). */
bool df_path_normal_covers(const char *op, const char *path, bool recursive);
/* Is dir target or in it (both df_path_normal()): what df_run_mounts_cache()
 * asks of each mount's target? */
bool df_path_normal_within(const char *dir, const char *target);
/* The same, target's length known (a target compared with many dirs). */
bool df_path_normal_within_len(const char *dir, const char *target, size_t target_len);

/* Does run (a RUN) write text holding needle to a file whose path holds
 * file, with echo, printf or tee (`echo 'gem: --no-document' > ~/.gemrc`),
 * as far as its words show? */
bool df_run_writes_text(df_lint *lint, const df_instr *run, const char *needle, const char *file);

/* Does stage end up in the image being built: is it the target stage, or a
 * stage that the target is built FROM, directly or through other stages? A
 * stage that only gives files to COPY --from does not: its layers are not
 * shipped, so what they carry costs nothing. -1 (before any FROM): false. */
bool df_stage_ships(const df_graph *g, int stage);

/* Is stage, or a stage it is built FROM (directly or through others),
 * marked in marks (bit stage % 64)? For settings a RUN writes into the
 * file system (a gemrc, an apt.conf), which every stage built on it sees. */
bool df_stage_chain_marked(const df_graph *g, int stage, uint64_t marks);

/* The first stage of stage's FROM chain: the one not built on another
 * stage (its base is an image, scratch or unknown); NULL for -1. */
const df_stage *df_stage_root(const df_graph *g, int stage);

#endif
