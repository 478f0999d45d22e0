/* DF1009 - a package install without a cache mount, where BuildKit is in use. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/ospkg.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "parse/flags.h"
#include "util/util.h"

#include <pthread.h>
#include <string.h>

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static void on_file_end(df_lint *lint, void *state);

/* Whether the file relies on BuildKit, asked at its first RUN; a report's
 * message and the mounts its fix adds (when fixes are collected), kept for
 * the file: most installs of such a file are reported, and a buffer per
 * RUN cost more than the rest. */
typedef struct df1009_state {
	bool asked, buildkit;
	df_buf msg, add;
} df1009_state;

const df_rule df_rule_DF1009 = {
	.code = "DF1009",
	.name = "cache-mount-available",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_UNSAFE,
	.message = "package install without a cache mount for its downloads",
	.docs = {
		.what = "Reports, in a Dockerfile that already relies on BuildKit (a `# syntax=` "
			"directive, a `RUN --mount`, `--network` or `--security`, a heredoc, or "
			"`COPY`/`ADD` with `--link`, `--chmod`, `--parents`, `--exclude`, `--checksum` or "
			"`--keep-git-dir`), a RUN command that downloads packages with no cache mount on "
			"the manager's download cache: `apt-get`/`apt`/`aptitude install` "
			"(`/var/cache/apt` and `/var/lib/apt`, with `sharing=locked`), `apk add` "
			"(`/var/cache/apk`), `dnf`/`microdnf`/`yum install` (`/var/cache/dnf`, "
			"`/var/cache/yum`, locked), `zypper install` (`/var/cache/zypp`, locked), and the "
			"dependency and package installs of the language managers (`npm ci` at "
			"`/root/.npm`, `pip install -r` at `/root/.cache/pip`, `go mod download` at "
			"`/go/pkg/mod`, ...; docs/ecosystems.md). A cache or tmpfs mount on one of the "
			"manager's cache directories or a directory above it silences it, and so does one on the same directory "
			"under another home (`/home/app/.npm`). A cache mount on a directory no "
			"manager uses is taken as a cache the RUN points a manager at (`PIP_CACHE_DIR`), "
			"and silences it too. Installs that turn the cache off (`pip install "
			"--no-cache-dir`, `apk add --no-cache`) are left alone: the manager would not "
			"use the mount, and the layer keeps no cache. ONBUILD triggers are not "
			"checked. Files that do not use BuildKit are left alone: the mount would make "
			"them need it. Nor is an apt or apk install that reads package lists an "
			"earlier RUN fetched: the mounts would hide them (DF1003 merges the RUNs). "
			"The fix adds the mounts the message names right after `RUN` and its "
			"flags. It is unsafe: what the manager writes there no longer lands in the image "
			"(a later RUN that relies on `/var/lib/apt/lists` or a filled cache behaves "
			"differently).",
		.why = "When the step re-runs (a manifest changed, a step above it missed), the "
		       "manager downloads every package again. A cache mount keeps the downloads "
		       "between builds, outside the image: the layer stays as small as with the "
		       "cache deleted, and the next build fetches only what changed. apt and the "
		       "rpm managers lock their cache: `sharing=locked` lets parallel builds wait "
		       "instead of failing. Debian and Ubuntu images delete downloaded packages "
		       "after each install (`/etc/apt/apt.conf.d/docker-clean`): remove that file "
		       "in the same RUN for the apt cache to fill.",
		.example = "# syntax=docker/dockerfile:1\nFROM node:22\nWORKDIR /app\n"
			   "COPY package.json package-lock.json ./\nRUN npm ci\n",
		.instead = "# syntax=docker/dockerfile:1\nFROM node:22\nWORKDIR /app\n"
			   "COPY package.json package-lock.json ./\n"
			   "RUN --mount=type=cache,target=/root/.npm npm ci\n",
	},
	.state_size = sizeof(df1009_state),
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = on_instr,
	.on_file_end = on_file_end,
};

/*
 * Every manager's absolute caches with their df_path_normal() forms, and
 * the end of a report's message for each manager, built once for the
 * process (files are linted on several threads): a RUN with cache mounts
 * is compared with all of them, and normalising the same constants for
 * each RUN would cost more than the comparisons; a file has a report or
 * two of each manager, and writing the mounts a message names is most of
 * a report's work.
 */
typedef struct cache_dir {
	const char *dir;	/* the table's string: looked up by address */
	const char *norm;	/* NULL: too long to match */
	size_t norm_len;	/* strlen(norm) */
	bool in_root;		/* dir is under /root/ */
	size_t home_len;	/* in_root: strlen(dir + 5), its "/.npm" */
} cache_dir;

static struct {
	cache_dir *v;
	size_t n, cap;
	/* What a message says after the command: "` downloads every package
	 * again whenever this step re-runs: add `--mount=...` to the RUN", by
	 * index in the managers' tables (os, eco); a language manager's for a
	 * dependency install and for named packages, naming its first
	 * absolute cache (none: {NULL, 0}). An OS manager's mounts all its
	 * caches: how many there are is kept with it. */
	const df_ospkg_manager *os;
	const df_eco_manager *eco;
	struct os_tails {
		df_str tail;
		size_t ncaches;
	} *os_tail;
	struct eco_tails {
		df_str dependency, package;
	} *eco_tail;
	df_arena arena;		/* the norms and the tails; kept for the process */
} dirs;
static pthread_once_t dirs_once = PTHREAD_ONCE_INIT;

/* Append a string literal: its length known at compile time. */
#define ADD_LIT(b, lit) df_buf_add((b), (lit), sizeof(lit) - 1)

/* Append the mount that keeps dir out of the image, as the fix adds it and
 * the message names it. */
static void add_mount(df_buf *b, const char *dir, bool locked)
{
	ADD_LIT(b, "--mount=type=cache,target=");
	df_buf_adds(b, dir);
	if (locked)
		ADD_LIT(b, ",sharing=locked");
}

/* The first absolute cache of caches (a manager's), or NULL: the one the
 * fix mounts for a language manager. */
static const char *first_absolute(const char *const *caches)
{
	for (; caches && *caches; caches++)
		if ((*caches)[0] == '/')
			return *caches;
	return NULL;
}

/* The end of the message for the mounts of caches[0..n), in dirs.arena. */
static df_str tail_of(const char *noun, const char *const *caches, size_t n, bool locked)
{
	df_buf t = DF_BUF_INIT;
	ADD_LIT(&t, "` downloads every ");
	df_buf_adds(&t, noun);
	ADD_LIT(&t, " again whenever this step re-runs: add");
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			ADD_LIT(&t, " `");
		else
			ADD_LIT(&t, " and `");
		add_mount(&t, caches[i], locked);
		df_buf_addc(&t, '`');
	}
	ADD_LIT(&t, " to the RUN");
	df_str tail = { df_arena_memdup(&dirs.arena, t.buf, t.len), t.len };
	df_buf_release(&t);
	return tail;
}

static void add_dirs(const char *const *caches)
{
	for (; caches && *caches; caches++) {
		if ((*caches)[0] != '/')
			continue;
		df_grow((void **)&dirs.v, &dirs.cap, dirs.n + 1, sizeof(*dirs.v));
		const char *norm = df_path_normal(&dirs.arena, *caches, strlen(*caches));
		bool in_root = strncmp(*caches, "/root/", 6) == 0;
		dirs.v[dirs.n++] = (cache_dir){ *caches, norm, norm ? strlen(norm) : 0, in_root,
						in_root ? strlen(*caches + 5) : 0 };
	}
}

static void dirs_build(void)
{
	size_t nos, neco;
	const df_ospkg_manager *os = dirs.os = df_ospkg_managers(&nos);
	const df_eco_manager *eco = dirs.eco = df_eco_managers(&neco);
	dirs.os_tail = DF_ARENA_ARRAY(&dirs.arena, struct os_tails, nos);
	dirs.eco_tail = DF_ARENA_ARRAY(&dirs.arena, struct eco_tails, neco);
	for (size_t k = 0; k < nos; k++) {
		add_dirs(os[k].caches);
		size_t n = 0;
		while (os[k].caches[n])
			n++;
		dirs.os_tail[k] = (struct os_tails){ tail_of("package", os[k].caches, n, os[k].locked), n };
	}
	for (size_t k = 0; k < neco; k++) {
		add_dirs(eco[k].caches);
		const char *first = first_absolute(eco[k].caches);
		if (!first)
			continue;
		dirs.eco_tail[k].dependency = tail_of("dependency", &first, 1, false);
		dirs.eco_tail[k].package = tail_of("package", &first, 1, false);
	}
}

static const cache_dir *cache_dir_of(const char *dir)
{
	for (size_t i = 0; i < dirs.n; i++)
		if (dirs.v[i].dir == dir)
			return &dirs.v[i];
	DF_BUG("'%s' is no manager's cache", dir);
}

/* A cache or tmpfs mount of the RUN, its target normalised once. */
typedef struct mount {
	const df_mount *m;
	const char *target;	/* df_path_normal(); NULL: too long to match */
	size_t target_len;	/* strlen(target) */
} mount;

typedef struct walk {
	df_lint *lint;
	const df_instr *run;
	const mount *mounts;
	size_t nmounts;
	unsigned refreshed;	/* bit k: an OS manager k refresh came earlier in the RUN */
	df_buf *msg, *add;	/* the state's */
} walk;

/* Does mt keep the cache d out of the image: its target is d or a directory
 * above it, or the same place under another home than /root? A mount is
 * compared with every cache, and the lengths tell most pairs apart: a
 * target longer than d is neither. */
static bool keeps(const mount *mt, const cache_dir *d)
{
	/* Each compare looks at the last byte first, where most pairs
	 * differ. */
	size_t n = mt->target_len;
	if (d->norm && mt->target && n <= d->norm_len && (!n || d->norm[n - 1] == mt->target[n - 1]) &&
	    df_path_normal_within_len(d->norm, mt->target, n))
		return true;
	df_str t = mt->m->target;
	size_t h = d->home_len;	/* of "/.npm" */
	return d->in_root && t.len >= h && (!h || t.ptr[t.len - 1] == d->dir[5 + h - 1]) &&
	       memcmp(t.ptr + t.len - h, d->dir + 5, h) == 0;
}

/* Is one of caches (the absolute ones) kept by a mount of the RUN? */
static bool known_cache(const walk *w, const char *const *caches)
{
	for (; w->nmounts && caches && *caches; caches++) {
		if ((*caches)[0] != '/')
			continue;
		const cache_dir *d = cache_dir_of(*caches);
		for (size_t i = 0; i < w->nmounts; i++)
			if (keeps(&w->mounts[i], d))
				return true;
	}
	return false;
}

/* Collect the RUN's cache and tmpfs mounts into out (room for each flag),
 * w's list; true when one is a cache mount on a directory no manager caches
 * in: the RUN points some manager there itself (PIP_CACHE_DIR, npm
 * --cache), and is left alone. */
static bool read_mounts(walk *w, mount *out)
{
	const df_instr *run = w->run;
	bool custom = false;
	w->mounts = out;
	for (size_t i = 0; i < run->nflags; i++) {
		const df_mount *m = run->flags[i].mount;
		if (run->flags[i].type != DF_FLAG_MOUNT || !run->flags[i].parsed_ok || !m ||
		    (m->type != DF_MOUNT_CACHE && m->type != DF_MOUNT_TMPFS))
			continue;
		if (!m->target.ptr) {
			custom |= m->type == DF_MOUNT_CACHE;	/* it keeps no known cache */
			continue;
		}
		mount *mt = &out[w->nmounts++];
		mt->m = m;
		mt->target = df_path_normal(&df_lint_cmds(w->lint)->arena, m->target.ptr, m->target.len);
		mt->target_len = mt->target ? strlen(mt->target) : 0;
		if (m->type != DF_MOUNT_CACHE || custom)
			continue;
		bool known = false;
		for (size_t k = 0; k < dirs.n && !known; k++)
			known = keeps(mt, &dirs.v[k]);
		custom = !known;
	}
	return custom;
}

/* Bytes that hold a report's message or mounts: a message naming two
 * locked mounts (apt's, dnf's) is some 210 bytes; a longer one grows. */
enum { REPORT_ROOM = 256 };

/* Empty b for a report, with room for all of it: grown piece by piece
 * from empty, the buffers of a file's first report were reallocated
 * several times. */
static void report_buf_reset(df_buf *b)
{
	df_buf_reset(b);
	if (b->cap < REPORT_ROOM)
		df_buf_grow(b, REPORT_ROOM - 1);
}

/* Report msg (w's), with the fix: the mounts of caches[0..n) (" --mount=..."
 * each) inserted after the RUN's last flag, or its keyword. They are
 * written only for a fix that is collected: a plain lint has no use for
 * them. */
static void report(walk *w, df_span sp, const char *const *caches, size_t n, bool locked)
{
	df_fix *fix = df_report_fix(w->lint, &df_rule_DF1009, DF_FIX_UNSAFE, sp, "%s", df_buf_str(w->msg));
	if (!fix)
		return;
	df_buf *mounts = w->add;
	report_buf_reset(mounts);
	for (size_t i = 0; i < n; i++) {
		df_buf_addc(mounts, ' ');
		add_mount(mounts, caches[i], locked);
	}
	const df_instr *in = w->run;
	uint32_t at = in->nflags ? in->flags[in->nflags - 1].span.end : in->keyword_span.end;
	df_fix_edit(fix, at, at, df_buf_str(mounts));
}

static void report_os(walk *w, const df_ospkg_use *u)
{
	const df_ospkg_manager *m = u->manager;
	/* One that keeps no cache (apk --no-cache) would not use a mount. */
	if (known_cache(w, m->caches) || df_ospkg_has_opt(u, m->keep_nothing))
		return;
	/* An install that reads lists an earlier RUN fetched: the mounts
	 * would hide them and the install would fail. DF1003 merges the
	 * RUNs first. */
	if (m->install_needs_lists && !(w->refreshed >> (m - dirs.os) & 1) && !df_ospkg_has_opt(u, m->fresh_opts))
		return;
	df_buf *msg = w->msg;
	report_buf_reset(msg);
	df_str verb = u->cmd->cmd->words[u->verb].value;
	/* Pieces added as they are: a report per install, where printf
	 * would cost more than the check. */
	df_buf_addc(msg, '`');
	df_buf_add(msg, u->cmd->basename.ptr, u->cmd->basename.len);
	df_buf_addc(msg, ' ');
	df_buf_add(msg, verb.ptr, verb.len);
	const struct os_tails *t = &dirs.os_tail[m - dirs.os];
	df_buf_add(msg, t->tail.ptr, t->tail.len);
	report(w, df_cmd_word_span(u->cmd, u->cmd->name), m->caches, t->ncaches, m->locked);
}

/* The cache the fix mounts for an install of u's manager: its first
 * absolute one (first, found by the caller). */
static void report_eco(walk *w, const df_cmd_view *ev, const df_eco_use *u, const char *first)
{
	df_buf *msg = w->msg;
	report_buf_reset(msg);
	df_buf_addc(msg, '`');
	/* Up to a NUL, as "%.*s" would copy it. */
	df_buf_add(msg, ev->basename.ptr, strnlen(ev->basename.ptr, ev->basename.len));
	if (u->verb[0]) {
		df_buf_addc(msg, ' ');
		df_buf_adds(msg, u->verb);
	}
	const struct eco_tails *t = &dirs.eco_tail[u->manager - dirs.eco];
	df_str tail = u->kind == DF_ECO_DEPS ? t->dependency : t->package;
	df_buf_add(msg, tail.ptr, tail.len);
	report(w, df_cmd_word_span(ev, ev->name), &first, 1, false);
}

/* Does the command turn its manager's cache off (pip --no-cache-dir)? It
 * would not use a mount. */
static bool cache_turned_off(const df_cmd_view *v, const df_eco_manager *m)
{
	for (const char *const *o = m->cache_off; o && *o; o++)
		if (df_sh_has_flag(v->cmd, v->name, *o))
			return true;
	return false;
}

/* Could expanding v's words change them (df_lint_expanded())? */
static bool expands(const df_cmd_view *v)
{
	for (size_t i = v->name + 1; !v->exec && i < v->cmd->nwords; i++)
		if (v->cmd->words[i].has_expansion)
			return true;
	return false;
}

static int each(const df_cmd_view *v, void *ud)
{
	walk *w = ud;
	df_ospkg_use os;
	if (df_ospkg_read(w->lint, v, &os)) {
		if (os.action == DF_OSPKG_INSTALL)
			report_os(w, &os);
		else if (os.action == DF_OSPKG_REFRESH)
			w->refreshed |= 1u << (os.manager - dirs.os);
		return 0;
	}
	/* The table on the words as written: most commands are no manager's,
	 * and are neither expanded nor classified. Expansion can make one a
	 * manager's (`python -m $TOOL`) only when the program is a runner and
	 * a word changes; when none can, the command is its own expansion. */
	const df_cmd_view *ev = v;
	bool by_runner = v->eco_runner;
	const df_eco_manager *m = v->eco;	/* df_eco_manager_run(), by the engine */
	if (!m && !by_runner)
		return 0;
	if (expands(v)) {
		ev = df_lint_expanded(w->lint, v);
		if (by_runner)
			m = df_eco_manager_of(ev->cmd, ev->name);
	}
	if (!m)
		return 0;
	/* Only an install whose cache no mount keeps is reported: asked
	 * before classifying, which costs more. */
	const char *first = first_absolute(m->caches);
	if (!first || known_cache(w, m->caches) || cache_turned_off(ev, m))
		return 0;
	/* Classified once for the file: DF1001 asks the same of each install. */
	df_eco_use u;
	df_lint_eco_classify(w->lint, v, ev, &df_lint_cmds(w->lint)->arena, NULL, false, &u);
	/* u.manager is m: the classification starts with the same lookup. */
	if ((u.kind == DF_ECO_DEPS || u.kind == DF_ECO_PACKAGES) && u.manager)
		report_eco(w, ev, &u, first);
	return 0;
}

static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	df1009_state *st = state;
	if (in->kind != DF_I_RUN)
		return;	/* an ONBUILD: its trigger is not checked */
	if (!st->asked) {
		st->buildkit = df_doc_uses_buildkit(df_lint_doc(lint));
		st->asked = true;
		/* Once for the file, whose RUNs are all linted on this thread. */
		if (st->buildkit)
			pthread_once(&dirs_once, dirs_build);
	}
	if (!st->buildkit)
		return;
	walk w = { lint, in, NULL, 0, 0, &st->msg, &st->add };
	mount *mounts = in->nflags ? DF_ARENA_ARRAY(&df_lint_cmds(lint)->arena, mount, in->nflags) : NULL;
	if (read_mounts(&w, mounts))
		return;
	df_lint_each_command(lint, in, each, &w);
}

static void on_file_end(df_lint *lint, void *state)
{
	(void)lint;
	df1009_state *st = state;
	df_buf_release(&st->msg);
	df_buf_release(&st->add);
}
