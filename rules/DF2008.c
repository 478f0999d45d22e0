/* DF2008 - rpm package caches that the clean does not reach. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/opts.h"
#include "engine/rule.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2008 = {
	.code = "DF2008",
	.name = "dnf-yum-cache-not-removed",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "package cache left in the layer",
	.docs = {
		.what = "Covers what DL3032 (`yum clean all`) and DL3040 (`dnf`/`microdnf clean "
			"all`) miss, in a RUN (shell form, exec form, heredoc scripts, ONBUILD RUN):\n"
			"- `tdnf` (Photon OS, Azure Linux) `install`, `in`, `reinstall`, `update`, "
			"`upgrade`, `up` or `makecache` that no later command of the RUN follows with "
			"`tdnf clean` or an `rm` of /var/cache/tdnf (or of a directory holding it), "
			"unless a cache or tmpfs mount covers /var/cache/tdnf;\n"
			"- `yum` installing with `--enablerepo=R` when the RUN's later `yum clean` "
			"does not enable R too (or `*`): yum 3 (CentOS 7, Amazon Linux 2) cleans only "
			"the repositories enabled when the clean runs, so R's metadata and packages "
			"stay. Quiet when the RUN also removes /var/cache/yum, or mounts a cache "
			"there; a RUN without any clean is left to DL3032. dnf (and the `yum` that is "
			"dnf on RHEL 8 and later) cleans every repository's data, enabled or not, so "
			"dnf and microdnf are not checked; on those systems the extra `--enablerepo` "
			"costs nothing.\n"
			"Only stages that end up in the image are checked (the target stage and the "
			"stages it is built FROM): a builder stage's layers are not shipped.",
		.why = "The package cache (metadata and downloaded rpms, tens to hundreds of "
		       "megabytes) stays in the layer the install wrote it to. yum(8) documents "
		       "that its clean commands operate on the currently enabled repositories "
		       "only, so a repository enabled for one command keeps its cache through a "
		       "plain `yum clean all`. Cleaning in a later RUN does not shrink the image.",
		.example = "FROM centos:7\n"
			   "RUN yum install -y --enablerepo=centosplus kernel-headers && yum clean all\n",
		.instead = "FROM centos:7\n"
			   "RUN yum install -y --enablerepo=centosplus kernel-headers \\\n"
			   " && yum clean all --enablerepo=centosplus\n",
	},
	.commands = (const char *const[]){ "tdnf", "yum", NULL },
	.on_command = on_command,
};

static const char *const value_longs[] = {
	"--enablerepo", "--disablerepo", "--repo", "--repoid", "--releasever", "--installroot",
	"--setopt", "--exclude", "--config", NULL,
};

static const df_optspec rpm_opts = { .short_values = "cxR", .long_values = value_longs };

static const char *const installs[] = {
	"install", "in", "reinstall", "update", "upgrade", "up", "makecache", "groupinstall",
	"localinstall", NULL,
};

static bool word_in(df_str s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (df_mem_eq(s.ptr, s.len, list[i]))
			return true;
	return false;
}

/* The subcommand (first operand) of c, and its --enablerepo values joined
 * by ',' into repos (cap bytes). */
static df_str read_cmd(const df_sh_cmd *c, size_t name, char *repos, size_t cap, bool *unknown)
{
	static const char *const enable[] = { "--enablerepo", NULL };
	df_str sub = { NULL, 0 };
	size_t n = 0;
	df_opt_iter it;
	df_opt o;
	repos[0] = '\0';
	df_opt_iter_init(&it, c, name, &rpm_opts);
	while (df_opt_next(&it, &o)) {
		*unknown |= df_opt_may_hide_option(&c->words[o.word]);
		if (!o.letter && !o.name.ptr && !sub.ptr)
			sub = o.value;
		if (df_opt_is_long(&o, enable) && o.value.ptr && n + o.value.len + 2 < cap) {
			if (n)
				repos[n++] = ',';
			memcpy(repos + n, o.value.ptr, o.value.len);
			n += o.value.len;
			repos[n] = '\0';
		}
	}
	return sub;
}

/* The repositories of need (comma-separated) that have does not enable,
 * comma-separated into missing (cap bytes); none when have holds "*". */
static void missing_repos(const char *have, const char *need, char *missing, size_t cap)
{
	size_t n = 0;
	missing[0] = '\0';
	if (strchr(have, '*'))
		return;
	for (const char *p = need; *p;) {
		size_t len = strcspn(p, ",");
		bool found = false;
		for (const char *q = have; *q && !found;) {
			size_t qlen = strcspn(q, ",");
			found = qlen == len && memcmp(p, q, len) == 0;
			q += qlen + (q[qlen] == ',');
		}
		if (!found && len && n + len + 2 < cap) {
			if (n)
				missing[n++] = ',';
			memcpy(missing + n, p, len);
			n += len;
			missing[n] = '\0';
		}
		p += len + (p[len] == ',');
	}
}

typedef struct later {
	df_lint *lint;
	bool tdnf;
	const char *repos;	/* yum: the repositories the install enabled */
	bool clean, covered;
	char missing[512];	/* those the first clean leaves out */
} later;

static int find_clean(const df_cmd_view *v, void *ud)
{
	later *l = ud;
	if (!df_cmd_named(v, l->tdnf ? "tdnf" : "yum"))
		return 0;
	const df_cmd_view *e = df_lint_expanded(l->lint, v);
	char repos[512];
	bool unknown = false;
	df_str sub = read_cmd(e->cmd, e->name, repos, sizeof(repos), &unknown);
	if (!df_mem_eq(sub.ptr, sub.len, "clean"))
		return 0;
	char missing[sizeof(l->missing)];
	missing_repos(repos, l->repos, missing, sizeof(missing));
	if (l->tdnf || unknown || !missing[0]) {
		l->covered = true;
		return 1;
	}
	if (!l->clean)
		memcpy(l->missing, missing, sizeof(missing));
	l->clean = true;
	return 0;
}

/* Does a later rm empty the cache directory dir: remove an entry of it, as
 * both `rm -rf DIR` and a glob of everything in DIR do? */
static bool removes_cache(df_lint *lint, const df_cmd_view *v, const char *dir)
{
	char entry[64];
	int n = snprintf(entry, sizeof(entry), "%s/repo", dir);
	return df_run_removes_after(lint, v, entry, (size_t)n, true);
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	const df_instr *run = in->inner ? in->inner : in;
	const df_cmd_view *e = df_lint_expanded(lint, v);
	char repos[512];
	bool unknown = false, tdnf = df_cmd_named(v, "tdnf");
	df_str sub = read_cmd(e->cmd, e->name, repos, sizeof(repos), &unknown);
	if (!sub.ptr || !word_in(sub, installs) || unknown || (!tdnf && !repos[0]) ||
	    !df_stage_ships(df_lint_graph(lint), in->stage))
		return 0;
	later l = { .lint = lint, .tdnf = tdnf, .repos = repos };
	df_run_each_after(lint, v, find_clean, &l);
	if (tdnf) {
		if (l.covered || df_run_mounts_cache(run, "/var/cache/tdnf") ||
		    removes_cache(lint, v, "/var/cache/tdnf"))
			return 0;
		df_report(lint, &df_rule_DF2008, df_cmd_word_span(v, v->name),
			  "`tdnf %.*s` leaves its metadata and downloaded packages in /var/cache/tdnf, in "
			  "the layer; add `&& tdnf clean all` to this RUN",
			  (int)sub.len, sub.ptr);
		return 1;
	}
	if (!l.clean || l.covered || df_run_mounts_cache(run, "/var/cache/yum") ||
	    removes_cache(lint, v, "/var/cache/yum"))
		return 0;
	df_report(lint, &df_rule_DF2008, df_cmd_word_span(v, v->name),
		  "`yum clean` cleans only the repositories enabled when it runs, so the cache of %s, "
		  "enabled for this `yum %.*s`, stays in the layer; add --enablerepo=%s to the clean "
		  "(or --enablerepo='*')",
		  l.missing, (int)sub.len, sub.ptr, l.missing);
	return 1;
}
