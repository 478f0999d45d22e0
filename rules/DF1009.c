/* DF1009 - a package install without a cache mount, where BuildKit is in use. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/ospkg.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "parse/flags.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, void *state);

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
			"--no-cache-dir`, `apk add --no-cache`) are reported as well: the mount keeps "
			"the image as small and makes the next build fast. ONBUILD triggers are not "
			"checked. Files that do not use BuildKit are left alone: the mount would make "
			"them need it. The fix adds the mounts the message names right after `RUN` and its "
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
	.on_file_end = check,
};

/* Is a known cache (absolute) dir the target of a mount of run: the dir or
 * one above it, or the same place under another home than /root? */
static bool mounted(const df_instr *run, const char *dir)
{
	if (df_run_mounts_cache(run, dir))
		return true;
	if (strncmp(dir, "/root/", 6) != 0)
		return false;
	const char *tail = dir + 5;	/* "/.npm" */
	for (size_t i = 0; i < run->nflags; i++) {
		const df_mount *m = run->flags[i].mount;
		if (run->flags[i].type == DF_FLAG_MOUNT && run->flags[i].parsed_ok && m && m->target.ptr &&
		    (m->type == DF_MOUNT_CACHE || m->type == DF_MOUNT_TMPFS) &&
		    df_mem_has_suffix(m->target.ptr, m->target.len, tail))
			return true;
	}
	return false;
}

/* Is one of caches (the absolute ones) mounted by run? */
static bool known_cache(const df_instr *run, const char *const *caches)
{
	for (; caches && *caches; caches++)
		if ((*caches)[0] == '/' && mounted(run, *caches))
			return true;
	return false;
}

/* A cache mount of run on a directory no manager caches in: the RUN points
 * some manager there itself (PIP_CACHE_DIR, npm --cache). */
static bool custom_cache(const df_instr *run)
{
	size_t nos, neco;
	const df_ospkg_manager *os = df_ospkg_managers(&nos);
	const df_eco_manager *eco = df_eco_managers(&neco);
	for (size_t i = 0; i < run->nflags; i++) {
		const df_mount *m = run->flags[i].mount;
		if (run->flags[i].type != DF_FLAG_MOUNT || !run->flags[i].parsed_ok || !m || m->type != DF_MOUNT_CACHE)
			continue;
		/* The same RUN with this mount alone, for the questions above. */
		df_instr one = { 0 };
		one.flags = &run->flags[i];
		one.nflags = 1;
		bool known = false;
		for (size_t k = 0; k < nos && !known; k++)
			known = known_cache(&one, os[k].caches);
		for (size_t k = 0; k < neco && !known; k++)
			known = known_cache(&one, eco[k].caches);
		if (!known)
			return true;
	}
	return false;
}

typedef struct walk {
	df_lint *lint;
	const df_instr *run;
} walk;

/* Report with the fix: mounts (" --mount=..." each) inserted after the
 * RUN's last flag, or its keyword. */
static void report(walk *w, df_span sp, const char *msg, const char *mounts)
{
	df_fix *fix = df_report_fix(w->lint, &df_rule_DF1009, DF_FIX_UNSAFE, sp, "%s", msg);
	const df_instr *in = w->run;
	uint32_t at = in->nflags ? in->flags[in->nflags - 1].span.end : in->keyword_span.end;
	df_fix_edit(fix, at, at, mounts);
}

static void report_os(walk *w, const df_ospkg_use *u)
{
	const df_ospkg_manager *m = u->manager;
	if (known_cache(w->run, m->caches))
		return;
	df_buf msg = DF_BUF_INIT, mounts = DF_BUF_INIT;
	df_str verb = u->cmd->cmd->words[u->verb].value;
	/* Pieces added as they are: a report per install, where printf
	 * would cost more than the check. */
	df_buf_addc(&msg, '`');
	df_buf_add(&msg, u->cmd->basename.ptr, u->cmd->basename.len);
	df_buf_addc(&msg, ' ');
	df_buf_add(&msg, verb.ptr, verb.len);
	df_buf_adds(&msg, "` downloads every package again whenever this step re-runs: add");
	const char *sharing = m->locked ? ",sharing=locked" : "";
	for (const char *const *c = m->caches; *c; c++) {
		size_t at = mounts.len + 1;	/* the mount, after its space */
		df_buf_adds(&mounts, " --mount=type=cache,target=");
		df_buf_adds(&mounts, *c);
		df_buf_adds(&mounts, sharing);
		df_buf_adds(&msg, c == m->caches ? " `" : " and `");
		df_buf_add(&msg, mounts.buf + at, mounts.len - at);
		df_buf_addc(&msg, '`');
	}
	df_buf_adds(&msg, " to the RUN");
	report(w, df_cmd_word_span(u->cmd, u->cmd->name), df_buf_str(&msg), df_buf_str(&mounts));
	df_buf_release(&msg);
	df_buf_release(&mounts);
}

static void report_eco(walk *w, const df_cmd_view *ev, const df_eco_use *u)
{
	const char *first = NULL;
	for (const char *const *c = u->manager->caches; c && *c && !first; c++)
		if ((*c)[0] == '/')
			first = *c;
	if (!first || known_cache(w->run, u->manager->caches))
		return;
	df_buf msg = DF_BUF_INIT, mounts = DF_BUF_INIT;
	df_buf_addf(&msg,
		    "`%.*s%s%s` downloads every %s again whenever this step re-runs: add "
		    "`--mount=type=cache,target=%s` to the RUN",
		    (int)ev->basename.len, ev->basename.ptr, u->verb[0] ? " " : "", u->verb,
		    u->kind == DF_ECO_DEPS ? "dependency" : "package", first);
	df_buf_addf(&mounts, " --mount=type=cache,target=%s", first);
	report(w, df_cmd_word_span(ev, ev->name), df_buf_str(&msg), df_buf_str(&mounts));
	df_buf_release(&msg);
	df_buf_release(&mounts);
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
		return 0;
	}
	/* The table first on the words as written: most commands are no
	 * manager's, and are neither expanded nor classified. Expansion can
	 * make one a manager's (`python -m $TOOL`) only when it changes a
	 * word. */
	if (!df_eco_manager_of(v->cmd, v->name) && !expands(v))
		return 0;
	const df_cmd_view *ev = df_lint_expanded(w->lint, v);
	if (!df_eco_manager_of(ev->cmd, ev->name))
		return 0;
	df_eco_use u;
	df_eco_classify(&df_lint_cmds(w->lint)->arena, ev->cmd, ev->name, NULL, &u);
	if ((u.kind == DF_ECO_DEPS || u.kind == DF_ECO_PACKAGES) && u.manager)
		report_eco(w, ev, &u);
	return 0;
}

static void check(df_lint *lint, void *state)
{
	(void)state;
	const df_doc *doc = df_lint_doc(lint);
	if (!df_doc_uses_buildkit(doc))
		return;
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->kind != DF_I_RUN)
			continue;
		walk w = { lint, in };
		if (!custom_cache(in))
			df_lint_each_command(lint, in, each, &w);
	}
}
