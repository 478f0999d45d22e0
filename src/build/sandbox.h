/*
 * sandbox.h - running a build step against a root file system made of
 * layers, isolated with Linux namespaces.
 *
 * A step runs in a child process with new mount, pid, ipc and uts
 * namespaces (and a new network namespace, with only loopback, when the
 * network is "none"). In the child's private mount namespace an overlayfs
 * is mounted: the lower dirs are the unpacked parent layers (base first),
 * the upper dir is where the step's changes land (the caller turns it into
 * the layer afterwards; layer.h DF_LAYER_UPPER). The overlay is mounted with
 * redirect_dir, metacopy and index off so that the upper dir is a plain
 * change set. Everything mounted in the child disappears with it: a killed
 * build leaves no mounts behind.
 *
 * RUN: the root gets a fresh /proc and a minimal /dev (null, zero, full,
 * random, urandom, tty, pts, shm, fd links); /etc/hosts, /etc/resolv.conf
 * and /etc/hostname are bind-mounted from per-run copies of the host's (so
 * neither they nor writes to them land in the layer; an image's own file
 * stays in its layer unchanged), then the process chroots, sets user and
 * groups (USER resolved against the image's /etc/passwd and /etc/group,
 * never the host's NSS), working directory (created if missing, as Docker
 * does), environment (as given, plus HOME from passwd when it has none),
 * and execs argv (PATH looked up in the image's env; stdin /dev/null) as
 * pid 1 of its pid namespace: like a container's init it ignores signals
 * it has no handler for, and what it leaves running dies with it. Its
 * stdout and stderr are copied line by line to out_fd, each line prefixed
 * (a last line without newline too; lines over 64 KiB are split).
 *
 * Mount points (/proc, /dev, the /etc files, extra mounts' targets) are
 * made when the image lacks them and taken back out of the upper dir after
 * the run, with the directories copied up only to hold them: the layer
 * holds what the command changed, nothing of the sandbox's. Targets are
 * resolved inside the root (an image's symlinks cannot lead a mount to the
 * host; a target under a link that leads nowhere in the root is an error).
 *
 * Scratch: an empty directory "<dirname(upper)>/.sbx-XXXXXX" is made and
 * removed around each call (it stays behind, empty, only when the builder
 * is killed); a tmpfs on it, in the child's mount namespace, holds the
 * merged root and short links to the layer dirs, so any number of layers
 * up to overlayfs's 500 fits mount(2)'s one page of options. Linux 5.6 or
 * later (openat2).
 *
 * Requires root; a setup failure is an error with the reason (-1), not a
 * failed step.
 * The caller forks: call from a single-threaded process.
 */
#ifndef DF_BUILD_SANDBOX_H
#define DF_BUILD_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

typedef enum df_sbx_mount_type {
	DF_SBX_BIND,		/* host path source at target */
	DF_SBX_TMPFS,		/* an empty tmpfs at target */
} df_sbx_mount_type;

/* An extra mount inside the root (RUN --mount): cache, bind, secret and
 * tmpfs mounts all end up as one of these; the builder resolves sources. */
typedef struct df_sbx_mount {
	df_sbx_mount_type type;
	const char *source;	/* DF_SBX_BIND: host path (file or directory) */
	const char *target;	/* absolute path in the root; created if missing,
				   and what is created for it is not left in the
				   upper dir unless it existed */
	bool readonly;
	unsigned mode;		/* secret files: permission bits (0 = keep) */
	unsigned uid, gid;	/* secret files: owner; a file with mode, uid
				   or gid set is bound from a private copy, the
				   host file is never changed */
} df_sbx_mount;

typedef struct df_sandbox {
	const char *const *lowers;	/* unpacked layer dirs, base first */
	size_t nlowers;			/* 0: the root starts empty */
	const char *upper, *work;	/* overlayfs upper and work dirs (same file system, empty work) */
	const char *const *argv;	/* RUN: the command, argv[0] looked up in PATH */
	const char *const *env;		/* NAME=VALUE, NULL-terminated */
	const char *cwd;		/* absolute; "" or NULL = "/" */
	const char *user;		/* USER value: name|uid[:group|gid]; NULL or "" = root */
	bool network_none;
	const df_sbx_mount *mounts;
	size_t nmounts;
	const char *hostname;		/* NULL: "dfopt" */
	int out_fd;			/* where the step's output goes, prefixed */
	const char *prefix;		/* e.g. "#5 " */
} df_sandbox;

/*
 * Run sb->argv in the sandbox. 0 when the command ran: *status is its exit
 * code (128 + signal number when killed); -1 when the sandbox could not be
 * set up (err says why: no permission for namespaces or overlayfs, a user
 * or group that the image does not define) or the output could not be
 * written. argv[0] not found is exit status 127 as in a shell, not an
 * error (126 when it cannot be executed), with a message in the output.
 */
int df_sandbox_run(const df_sandbox *sb, int *status, df_buf *err);

/*
 * Call fn in a child process in its own mount namespace with the overlay of
 * sb mounted (argv, env, user, cwd unused): root is where the merged tree is
 * mounted, and when src is not NULL, src_root is a read-only overlay of
 * src's lowers (a COPY --from stage; src's upper, work and the rest are
 * unused). fn returns 0, or -1 with a message in err, which is carried back
 * to the caller; fn runs in the child, so nothing else it does in memory
 * reaches the caller. For COPY and ADD, which write into the root without
 * running anything inside it.
 */
int df_sandbox_with_root(const df_sandbox *sb, const df_sandbox *src,
			 int (*fn)(void *arg, const char *root, const char *src_root, df_buf *err), void *arg,
			 df_buf *err);

/* Can this process build (root, a mount namespace, an overlay mount in
 * $TMPDIR or /tmp, all in a throwaway child)? false with the reason. */
bool df_sandbox_available(df_buf *why);

#endif
