/* DF2010 - a downloaded archive extracted and left in the layer. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/download.h"
#include "engine/opts.h"
#include "engine/rule.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);

const df_rule df_rule_DF2010 = {
	.code = "DF2010",
	.name = "archive-not-deleted",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "downloaded archive extracted but not deleted in the same RUN",
	.docs = {
		.what = "Reports a `curl` or `wget` in a RUN (shell form, heredoc scripts, ONBUILD "
			"RUN) that saves an archive to a file (`-o F`, `-O`, wget's default name or "
			"`-O F`; F ending in .tar, .tar.gz, .tgz, .tar.xz, .txz, .tar.bz2, .tbz2, "
			".tar.zst, .tar.lz, .zip, .7z) when a later command of the same RUN extracts F "
			"(`tar` with `x`/`--extract` and `-f F`, old-style `tar xzf F`, `bsdtar`, "
			"`unzip F`, `7z x F`) and none removes it: an `rm` of F, of a glob matching it "
			"(`rm *.tgz`), or with `-r` of a directory holding it (`rm -rf /tmp/*`), "
			"relative and absolute names compared by their last components; a relative F "
			"after a `cd DIR` of the RUN (DIR written out) is also DIR/F, so `rm -rf DIR` "
			"counts. An `rm` "
			"word of unknown value counts as removing it. Quiet when extracted from a "
			"pipe (`curl ... | tar x`), when F is under a cache or tmpfs mount, and in "
			"stages that do not end up in the image (a builder stage's layers are not "
			"shipped). There is no fix: where the `rm` goes depends on what later commands "
			"still read.",
		.why = "After extraction the archive is dead weight, often as large as what was "
		       "unpacked from it, and it stays in the layer. Deleting it in a later RUN "
		       "does not shrink the image.",
		.example = "FROM debian:12\n"
			   "RUN curl -fsSLo /tmp/go.tgz https://go.dev/dl/go1.22.0.linux-amd64.tar.gz \\\n"
			   " && tar -C /usr/local -xzf /tmp/go.tgz\n",
		.instead = "FROM debian:12\n"
			   "RUN curl -fsSL https://go.dev/dl/go1.22.0.linux-amd64.tar.gz \\\n"
			   " | tar -C /usr/local -xz\n",
	},
	.commands = (const char *const[]){ "curl", "wget", NULL },
	.on_command = on_command,
};

static const char *const archive_suffixes[] = {
	".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz", ".tar.zst",
	".tzst", ".tar.lz", ".tar.lzma", ".zip", ".7z",
};

static bool archive_name(df_str s)
{
	for (size_t i = 0; i < DF_ARRAY_LEN(archive_suffixes); i++)
		if (df_mem_has_suffix(s.ptr, s.len, archive_suffixes[i]))
			return true;
	return false;
}

static const df_optspec tar_opts = {
	.short_values = "bCfFgHKLNTVX",
	.long_values = (const char *const[]){ "--file", "--directory", "--exclude", "--files-from",
					      "--exclude-from", "--strip-components", "--owner",
					      "--group", "--mode", "--format", "--transform",
					      "--use-compress-program", "--blocking-factor", NULL },
};

static const df_optspec unzip_opts = { .short_values = "dxP" };

typedef struct extract {
	df_lint *lint;
	const char *file;	/* the archive */
} extract;

static bool names_file(const extract *x, df_str w)
{
	return df_path_covers(w.ptr, w.len, x->file, false);
}

/* tar (or bsdtar) extracting the archive: -x/--extract/--get with -f F, or
 * the old style `tar xzf F`. */
static bool tar_extracts(const extract *x, const df_sh_cmd *c, size_t name)
{
	static const char *const extract_longs[] = { "--extract", "--get", NULL };
	static const char *const file_long[] = { "--file", NULL };
	bool mode = false, file = false;
	size_t from = name;
	if (name + 1 < c->nwords && c->words[name + 1].value.len && c->words[name + 1].value.ptr[0] != '-') {
		/* Old style: a first word of letters, whose value options take
		 * the next words in order. */
		df_str k = c->words[name + 1].value;
		size_t next = name + 2;
		for (size_t i = 0; i < k.len; i++) {
			mode |= k.ptr[i] == 'x';
			if (strchr("bCfFgHKLNTVX", k.ptr[i]) && next < c->nwords) {
				file |= k.ptr[i] == 'f' && names_file(x, c->words[next].value);
				next++;
			}
		}
		from = next - 1;
	}
	df_opt_iter it;
	df_opt o;
	df_opt_iter_init(&it, c, from, &tar_opts);
	while (df_opt_next(&it, &o)) {
		mode |= o.letter == 'x' || df_opt_is_long(&o, extract_longs);
		if ((o.letter == 'f' || df_opt_is_long(&o, file_long)) && o.value.ptr)
			file |= names_file(x, o.value);
	}
	return mode && file;
}

static int extracts(const df_cmd_view *v, void *ud)
{
	const extract *x = ud;
	if (!df_cmd_named(v, "tar") && !df_cmd_named(v, "bsdtar") && !df_cmd_named(v, "unzip") &&
	    !df_cmd_named(v, "7z") && !df_cmd_named(v, "7za") && !df_cmd_named(v, "7zr"))
		return 0;
	const df_cmd_view *e = df_lint_expanded(x->lint, v);
	const df_sh_cmd *c = e->cmd;
	if (df_cmd_named(v, "tar") || df_cmd_named(v, "bsdtar"))
		return tar_extracts(x, c, e->name);
	df_opt_iter it;
	df_opt o;
	bool seven = !df_cmd_named(v, "unzip"), x_seen = false;
	df_opt_iter_init(&it, c, e->name, seven ? NULL : &unzip_opts);
	while (df_opt_next(&it, &o)) {
		if (o.letter || o.name.ptr)
			continue;
		if (seven && !x_seen) {
			/* 7z's command comes first: x or e extract. */
			if (!df_mem_eq(o.value.ptr, o.value.len, "x") && !df_mem_eq(o.value.ptr, o.value.len, "e"))
				return 0;
			x_seen = true;
			continue;
		}
		return names_file(x, o.value);	/* the archive is the first operand */
	}
	return 0;
}

/* Where the `cd` commands of a RUN before the download left the shell. */
typedef struct cd_walk {
	df_lint *lint;
	const df_sh_cmd *download;	/* stop here */
	char dir[1024];			/* "": no cd yet, or one that cannot be read */
} cd_walk;

static int follow_cd(const df_cmd_view *v, void *ud)
{
	cd_walk *cw = ud;
	if (v->cmd == cw->download)
		return 1;
	if (!df_cmd_named(v, "cd"))
		return 0;
	const df_cmd_view *e = df_lint_expanded(cw->lint, v);
	df_str to = e->name + 1 < e->cmd->nwords ? e->cmd->words[e->name + 1].value : (df_str){ NULL, 0 };
	if (!to.ptr || e->name + 2 != e->cmd->nwords || e->cmd->words[e->name + 1].has_expansion ||
	    !to.len || (to.ptr[0] != '/' && !cw->dir[0]) || to.len + strlen(cw->dir) + 2 > sizeof(cw->dir)) {
		cw->dir[0] = '\0';	/* `cd`, `cd -`, `cd $X`: somewhere unknown */
		return 0;
	}
	if (to.ptr[0] == '/')
		cw->dir[0] = '\0';
	size_t n = strlen(cw->dir);
	if (n)
		cw->dir[n++] = '/';
	memcpy(cw->dir + n, to.ptr, to.len);
	cw->dir[n + to.len] = '\0';
	return 0;
}

static int on_command(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	(void)state;
	df_download d;
	const df_instr *run = in->inner ? in->inner : in;
	if (!df_download_read(lint, in, v, &d) || !d.output.ptr || !archive_name(d.output) ||
	    !df_stage_ships(df_lint_graph(lint), in->stage))
		return 0;
	char path[1024];
	if (d.output.len >= sizeof(path))
		return 0;
	memcpy(path, d.output.ptr, d.output.len);
	path[d.output.len] = '\0';
	extract x = { lint, path };
	if (!df_run_each_after(lint, v, extracts, &x) || df_run_mounts_cache(run, path) ||
	    df_run_removes_after(lint, v, d.output.ptr, d.output.len, true))
		return 0;
	/* A relative download lands where a `cd` before it went: an rm of
	 * that directory removes the archive too. */
	cd_walk cw = { .lint = lint, .download = v->cmd };
	if (path[0] != '/' && (df_lint_each_command(lint, run, follow_cd, &cw), cw.dir[0])) {
		char full[2048];
		int n = snprintf(full, sizeof(full), "%s/%s", cw.dir, path);
		if (n > 0 && (size_t)n < sizeof(full) &&
		    (df_run_mounts_cache(run, full) || df_run_removes_after(lint, v, full, (size_t)n, true)))
			return 0;
	}
	df_report(lint, &df_rule_DF2010, df_cmd_word_span(d.view, d.output_word),
		  "'%.*s' is extracted but never deleted in this RUN, so the archive stays in the layer "
		  "next to what it unpacked; add `&& rm %.*s` after the extraction, or pipe the "
		  "download into the extractor",
		  (int)d.output.len, d.output.ptr, (int)d.output.len, d.output.ptr);
	return 0;
}
