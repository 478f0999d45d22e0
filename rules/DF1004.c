/* DF1004 - a broad COPY sends VCS data, OS junk and build outputs. */
#include "engine/cmds.h"
#include "engine/copyctx.h"
#include "engine/ignorefix.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void on_copy(df_lint *lint, const df_instr *in, void *state);
static void check(df_lint *lint, void *state);

const df_rule df_rule_DF1004 = {
	.code = "DF1004",
	.name = "missing-dockerignore",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_UNSAFE,
	.message = "a broad COPY sends files no build needs",
	.docs = {
		.what = "Reports the first COPY or ADD of the whole build context (`COPY . .`, `COPY ./ /app`, "
			"`COPY * /app/`, `ADD . /src`) that brings in, after `.dockerignore` and the "
			"instruction's `--exclude`, version-control data (`.git`, `.hg`, `.svn`, `.bzr`), "
			"editor and OS leftovers (`.idea`, `.vscode`, `.DS_Store`, `Thumbs.db`), Python "
			"caches (`__pycache__`, `.pytest_cache`, `.mypy_cache`, `.tox`), or the local "
			"output of a package manager the Dockerfile runs (`node_modules` for npm, yarn, "
			"pnpm and bun, `.venv` for uv, `target` for cargo, `vendor` for composer, `obj` "
			"for dotnet, `deps` for mix). Only what exists in the context is named, with its "
			"file count and the line to add to `.dockerignore` (`**/name` when it is also "
			"found below the top). The Dockerfile itself is DF1005's finding. Without a "
			"build context (stdin, `--no-context`) the rule stays quiet: the file alone "
			"cannot show what the context holds. The fix (unsafe: it changes the build context) "
			"adds those lines to the ignore file in force, creating `.dockerignore` when there "
			"is none; it is not offered when one would exclude a path a COPY names, or one "
			"the ignore file brings back with an exception.",
		.why = "Every file a COPY brings in is part of its cache key. A commit rewrites files "
		       "under `.git`, a local `npm install` rewrites `node_modules`: the COPY misses, "
		       "and so does every step after it, though nothing the image needs changed. The "
		       "files are also sent to the builder and stored in the layer. Host build outputs "
		       "can even replace what the image built for its own platform.",
		.example = "# .dockerignore is missing; the context holds .git and node_modules\n"
			   "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
		.instead = "# .dockerignore:\n#   .git\n#   node_modules\n"
			   "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
	},
	.state_size = sizeof(size_t),
	.instr_kinds = DF_KIND(DF_I_COPY) | DF_KIND(DF_I_ADD),
	.on_instr = on_copy,
	.on_file_end = check,
};

/* Sent by a broad COPY whatever the project: never an input of a build. */
static const char *const junk[] = {
	".git", ".hg", ".svn", ".bzr",
	".idea", ".vscode", ".DS_Store", "Thumbs.db",
	"__pycache__", ".pytest_cache", ".mypy_cache", ".tox",
};

/* State: 1 + the index of the first broad COPY, 0 when none yet. */
static void on_copy(df_lint *lint, const df_instr *in, void *state)
{
	size_t *first = state;
	if (*first)
		return;
	const df_copy_sources *srcs;
	if (df_lint_copy_sources_peek(lint, in, &srcs) && srcs->whole)
		*first = in->index + 1;
}

/* One name to look for, and what was found of it. */
typedef struct candidate {
	const char *name;
	size_t files;		/* files sent under it (or itself) */
	bool found, nested;	/* nested: also below the top level */
} candidate;

typedef struct managers {
	bool *used;		/* parallel to df_eco_managers() */
	const df_eco_manager *table;
	size_t n;
} managers;

static int note_manager(const df_cmd_view *v, void *ud)
{
	managers *m = ud;
	for (size_t i = 0; i < m->n; i++)
		for (const char *const *c = m->table[i].commands; c && *c; c++)
			if (df_cmd_named(v, *c))
				m->used[i] = true;
	return 0;
}

/* The names to look for: the junk, then the relative outputs of the
 * managers the file runs, each once. */
static size_t candidates(df_lint *lint, candidate *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < DF_ARRAY_LEN(junk) && n < cap; i++)
		out[n++] = (candidate){ .name = junk[i] };
	managers m;
	m.table = df_eco_managers(&m.n);
	m.used = df_xcalloc(m.n ? m.n : 1, sizeof(*m.used));
	const df_doc *doc = df_lint_doc(lint);
	for (size_t i = 0; i < doc->ninstrs; i++)
		df_lint_each_command(lint, doc->instrs[i], note_manager, &m);
	for (size_t i = 0; i < m.n; i++) {
		for (const char *const *w = m.table[i].writes; m.used[i] && w && *w; w++) {
			if ((*w)[0] == '/')
				continue;
			bool dup = false;
			for (size_t k = 0; k < n && !dup; k++)
				dup = strcmp(out[k].name, *w) == 0;
			if (!dup && n < cap)
				out[n++] = (candidate){ .name = *w };
		}
	}
	free(m.used);
	return n;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Per context: which entries' names may be a candidate, by entry index
 * and as the list of those indices (few: a context holds thousands of
 * names, a handful of them junk). The Dockerfiles built in one context
 * share it; each then compares names only for the entries it flags. */
typedef struct flagged {
	bool *may;	/* by entry index */
	size_t *at;	/* the flagged indices, ascending */
	size_t n;
} flagged;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void *flag_candidates(const df_context *ctx)
{
	/* Every name that may be a candidate of a Dockerfile (junk, or any
	 * manager's relative output), sorted: a binary search per entry
	 * rather than a comparison with each. */
	size_t nm, nnames = DF_ARRAY_LEN(junk);
	const df_eco_manager *m = df_eco_managers(&nm);
	for (size_t i = 0; i < nm; i++)
		for (const char *const *w = m[i].writes; w && *w; w++)
			nnames++;
	const char **names = df_xcalloc(nnames, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < DF_ARRAY_LEN(junk); i++)
		names[n++] = junk[i];
	for (size_t i = 0; i < nm; i++)
		for (const char *const *w = m[i].writes; w && *w; w++)
			if ((*w)[0] != '/')
				names[n++] = *w;
	qsort(names, n, sizeof(*names), cmp_name);

	flagged *f = df_xcalloc(1, sizeof(*f));
	f->may = df_xcalloc(ctx->len + 1, sizeof(*f->may));
	size_t cap = 0;
	for (size_t i = 0; i < ctx->len; i++) {
		const char *base = df_ctx_entry_name(&ctx->entries[i]);
		if ((f->may[i] = bsearch(&base, names, n, sizeof(*names), cmp_name) != NULL)) {
			df_grow((void **)&f->at, &cap, f->n + 1, sizeof(*f->at));
			f->at[f->n++] = i;
		}
	}
	free(names);
	return f;
}

static void free_flagged(void *p)
{
	flagged *f = p;
	if (f) {
		free(f->may);
		free(f->at);
		free(f);
	}
}

/* The entries found, for the fix: hits[0..n), or overflow when more. */
typedef struct found_paths {
	const char *hits[64];
	size_t n;
	bool overflow;
} found_paths;

/* Count what sel brings in of flagged entry k, at sel->items[*i]; *i moves
 * past it and, for a directory that is a candidate, past what is under it. */
static void count_one(const df_context *ctx, const df_ctx_selection *sel, size_t *i, size_t k, candidate *c,
		      size_t nc, found_paths *fp)
{
	const df_ctx_entry *e = &ctx->entries[k];
	candidate *hit = NULL;
	for (size_t j = 0; j < nc && !hit; j++)
		if (strcmp(df_ctx_entry_name(e), c[j].name) == 0)
			hit = &c[j];
	++*i;
	if (!hit)
		return;
	size_t files = e->type == DF_CTX_DIR ? 0 : 1;
	if (e->type == DF_CTX_DIR)
		for (; *i < sel->len && sel->items[*i] <= k + e->ndesc; ++*i)
			files += ctx->entries[sel->items[*i]].type != DF_CTX_DIR;
	if (!files)
		return;	/* an empty directory costs next to nothing */
	hit->files += files;
	hit->found = true;
	if (fp->n < DF_ARRAY_LEN(fp->hits))
		fp->hits[fp->n++] = e->path;
	else
		fp->overflow = true;
	hit->nested |= e->depth > 0;
}

/* Count what sel brings in of each candidate: a directory with the name
 * stands for the files under it, a file for itself. A broad COPY selects
 * the whole context: the flagged entries are looked up in it then (a
 * binary search each) rather than every selected entry read. */
static void count(const df_context *ctx, const flagged *fl, const df_ctx_selection *sel, candidate *c, size_t nc,
		  found_paths *fp)
{
	if (sel->len <= fl->n) {
		for (size_t i = 0; i < sel->len;) {
			size_t k = sel->items[i];
			if (fl->may[k])
				count_one(ctx, sel, &i, k, c, nc, fp);
			else
				i++;
		}
		return;
	}
	size_t i = 0;	/* sel->items[0..i) are counted or passed over */
	for (size_t q = 0; q < fl->n; q++) {
		size_t k = fl->at[q];
		if (i > 0 && sel->items[i - 1] >= k)
			continue;	/* under a directory counted already */
		i = df_ctx_selection_seek(sel, k);
		if (i >= sel->len)
			break;
		if (sel->items[i] == k)
			count_one(ctx, sel, &i, k, c, nc, fp);
	}
}

static void check(df_lint *lint, void *state)
{
	size_t first = *(size_t *)state;
	if (!first)
		return;
	const df_context *ctx = df_lint_context(lint);
	if (!ctx)
		return;
	/* Only a flagged entry can be found, and most contexts have none:
	 * then neither the COPY nor the file's commands need a look. */
	const flagged *fl = df_context_memo(ctx, &df_rule_DF1004, flag_candidates, free_flagged);
	if (!fl->n)
		return;
	const df_instr *in = df_lint_doc(lint)->instrs[first - 1];
	df_copy_sources srcs = DF_COPY_SOURCES_INIT;
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	df_buf err = DF_BUF_INIT, msg = DF_BUF_INIT, pats = DF_BUF_INIT;
	candidate c[64];
	df_copy_context_sources(df_lint_graph(lint), in, &srcs);
	if (df_copy_select(ctx, in, &srcs, &sel, &err) < 0)
		goto out;
	size_t nc = candidates(lint, c, DF_ARRAY_LEN(c));
	found_paths fp = { .n = 0 };
	count(ctx, fl, &sel, c, nc, &fp);
	size_t found = 0, shown = 0;
	for (size_t i = 0; i < nc; i++)
		found += c[i].found;
	if (!found)
		goto out;
	df_copy_add_text(&msg, in);
	df_buf_adds(&msg, " sends ");
	for (size_t i = 0; i < nc; i++) {
		if (!c[i].found)
			continue;
		if (shown)
			df_buf_adds(&msg, shown + 1 == found ? " and " : ", ");
		df_buf_addf(&msg, "%s (", c[i].name);
		df_copy_add_count(&msg, c[i].files);
		df_buf_adds(&msg, c[i].files == 1 ? " file)" : " files)");
		shown++;
	}
	df_buf_adds(&msg, ": any change to them (a commit, a local install or build) re-runs this step and "
			  "every one after it; ");
	df_buf_adds(&msg, ctx->ignore_file ? "add " : "create a .dockerignore with ");
	shown = 0;
	for (size_t i = 0; i < nc; i++) {
		if (!c[i].found)
			continue;
		if (shown)
			df_buf_adds(&msg, shown + 1 == found ? " and " : ", ");
		df_buf_addf(&msg, "`%s%s`", c[i].nested ? "**/" : "", c[i].name);
		shown++;
	}
	if (ctx->ignore_file)
		df_buf_addf(&msg, " to %s", base_name(ctx->ignore_file));
	const df_copy_source *whole = srcs.items;
	while (!whole->whole)
		whole++;
	/* The fix adds the lines the message names. */
	const char *lines[DF_ARRAY_LEN(c)];
	size_t at[DF_ARRAY_LEN(c)], nlines = 0;
	bool quoted = true;
	for (size_t i = 0; i < nc && quoted; i++) {
		if (!c[i].found)
			continue;
		at[nlines++] = pats.len;
		quoted = df_ignore_quote(c[i].name, c[i].nested, &pats);
		df_buf_addc(&pats, '\0');
	}
	for (size_t i = 0; i < nlines; i++)
		lines[i] = pats.buf + at[i];
	bool can = quoted && df_ignore_fix_ok(lint, lines, nlines, fp.overflow ? NULL : fp.hits, fp.n);
	df_fix *fix = df_report_fix(lint, &df_rule_DF1004, can ? DF_FIX_UNSAFE : DF_FIX_NONE, whole->word->span, "%s",
				    df_buf_str(&msg));
	for (size_t i = 0; i < nlines && can; i++)
		df_fix_ignore(fix, lines[i]);
out:
	df_copy_sources_release(&srcs);
	df_ctx_selection_release(&sel);
	df_buf_release(&err);
	df_buf_release(&msg);
	df_buf_release(&pats);
}
