/*
 * openat2.h - openat2(2) with a fallback where the system call is missing.
 *
 * The builder opens every path inside a root or a source directory with
 * openat2()'s RESOLVE_ flags, so that no symlink or ".." leads out of it.
 * Where the call is refused with ENOSYS (kernels before 5.6, seccomp
 * filters of older container runtimes, valgrind before it learnt the call)
 * df_openat2() resolves the path itself, one component at a time, each
 * opened with O_NOFOLLOW relative to the directory before it: the same
 * scoping, race-free as to where it can lead (a rename during the walk
 * can change what is found inside, never make it resolve outside).
 *
 * The fallback knows RESOLVE_BENEATH or RESOLVE_IN_ROOT, either with
 * RESOLVE_NO_SYMLINKS and RESOLVE_NO_MAGICLINKS (magic links cannot be told
 * from symlinks there: they are read as symlinks, so they too resolve in
 * the root or are refused), and no resolve flag at all (plain openat());
 * not O_CREAT. Anything else keeps the ENOSYS. Errors are
 * the kernel's: EXDEV for a path leaving a RESOLVE_BENEATH directory, ELOOP
 * for a symlink under RESOLVE_NO_SYMLINKS or over 40 followed, EAGAIN when
 * a concurrent rename was seen (retry, as with the system call).
 */
#ifndef DF_BUILD_OPENAT2_H
#define DF_BUILD_OPENAT2_H

#include <stdint.h>

/* openat2(dirfd, path, {flags | O_CLOEXEC, resolve}); -1 with errno. An
 * empty path names dirfd itself. */
int df_openat2(int dirfd, const char *path, int flags, uint64_t resolve);

/* The fallback alone, for the tests to hold it against the system call. */
int df_openat2_walk(int dirfd, const char *path, int flags, uint64_t resolve);

#endif
