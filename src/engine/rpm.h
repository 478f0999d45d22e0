/*
 * rpm.h - what the rpm package rules share (DL3033 for yum, DL3041 for dnf
 * and microdnf): which package words of an install are pinned.
 *
 * A package is pinned when it has the form name-version (every piece after
 * the first '-' holds only letters, digits and ".~^_:+", and one starts
 * with a digit), is an .rpm file, or is ${VAR} for an ARG declared earlier
 * or an ENV in scope; in a `module install`, a module needs ":stream". A
 * word written with variables of known value is judged as the shell would
 * see it ("mysql-shell-$VERSION" with VERSION=8.0.35-1.el8 is pinned).
 */
#ifndef DF_ENGINE_RPM_H
#define DF_ENGINE_RPM_H

#include "engine/cmds.h"
#include "engine/rule.h"

/* Index of the first unpinned package word of the install command v of
 * instruction in, or 0 when every package is pinned. */
size_t df_rpm_unpinned(df_lint *lint, const df_instr *in, const df_cmd_view *v);

#endif
