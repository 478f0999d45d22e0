/*
 * apt.h - what the apt rules share (DL3014 for `apt-get install`, DF2013
 * for the other subcommands that ask): does the command answer yes itself.
 */
#ifndef DF_ENGINE_APT_H
#define DF_ENGINE_APT_H

#include <stdbool.h>
#include <stddef.h>

#include "parse/shell.h"

/* Do the words of c after index from hold `-y`, `--yes`, `--assume-yes`,
 * `--qq`, or quiet level 2 (`-qq`, `-q -q`, `--quiet --quiet`, `-q=2`),
 * which implies yes? Words are compared by value. */
bool df_apt_assumes_yes(const df_sh_cmd *c, size_t from);

#endif
