/* DF1007 - a RUN removes files an earlier layer wrote. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/copyctx.h"
#include "engine/download.h"
#include "engine/fixes.h"
#include "engine/landing.h"
#include "engine/opts.h"
#include "engine/ospkg.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "util/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static void on_stage_end(df_lint *lint, const df_stage *stage, void *state);
static void on_file_end(df_lint *lint, void *state);

/* Files a step of the current stage left in its layer. */
typedef struct written {
	const char *path;	/* absolute (a glob for "everything in a directory") */
	const char *norm;	/* path, df_path_normal_keep() once an rm asks */
	bool normed;		/* norm is set (NULL: too long to match) */
	char what[96];		/* "the package lists of `apt-get update`";
				 * a COPY/ADD's: made when reported */
	uint32_t line;
	const df_instr *run;	/* the RUN that wrote them; NULL: a COPY/ADD */
	const df_instr *copy;	/* the COPY/ADD that wrote them; NULL: a RUN */
	bool reported;
} written;

typedef struct layers {
	written *v;
	size_t len, cap;
	/* doc->instrs[pending..) have no records in v yet: what the steps
	 * of the stage wrote is worked out when a later RUN runs rm, as most
	 * never do (see record_pending()). */
	size_t pending;
	df_arena arena;		/* paths and v, for the file (zeroed: ready) */
} layers;

const df_rule df_rule_DF1007 = {
	.code = "DF1007",
	.name = "cleanup-in-later-layer",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_UNSAFE,
	.message = "a RUN removes files an earlier layer wrote: the image does not shrink",
	.docs = {
		.what = "Reports an `rm` in a RUN that removes files an earlier step of the same stage "
			"left in its layer. What a step leaves is known for: the package lists of a "
			"refresh (`apt-get update`: /var/lib/apt/lists, `apk update`: /var/cache/apk, "
			"`dnf`/`yum makecache`, `zypper refresh`); the metadata and package cache of an "
			"install that keeps one (`apk add` without `--no-cache`: /var/cache/apk; `dnf`, "
			"`microdnf`, `yum`, `zypper` install: /var/cache/dnf, /var/cache/yum, "
			"/var/cache/zypp) unless the same RUN runs the manager's `clean` after it; the "
			"file a `curl -o`/`-O` or `wget` download writes; and the files a COPY or an ADD "
			"of a URL puts at its destination. A step that removes those files itself (or, "
			"for a download, moves it away with `mv`), or writes them into a cache or tmpfs "
			"mount, leaves nothing. An `apt-get install` "
			"leaves no archives in the official Debian and Ubuntu images (their apt "
			"configuration deletes them), so it counts for nothing. An rm deletes a path it "
			"names, a glob over it, or with `-r` a directory above it. An rm that follows "
			"the RUN's own refresh or install of the same manager (`apt-get update && ... "
			"&& rm -rf /var/lib/apt/lists/*`) cleans up after that RUN and is not reported, "
			"even when an earlier layer kept the lists too (that layer's RUN is DL3009's "
			"finding). An rm operand is resolved against the WORKDIR and any `cd` before it; a relative "
			"one with an unknown directory, or one of unknown value, counts for nothing. "
			"ONBUILD instructions are not judged.\n\n"
			"The fix moves the `rm` to the end of the RUN that wrote the files, after ` && \\` "
			"on a new line (the file's escape character and line ending), and takes it out "
			"of the later RUN: the whole RUN when it is all that RUN does (the comment lines "
			"above it stay; none is offered when they hold an ignore pragma, which would then "
			"apply to the next instruction), else the command with its `&&`. It is offered when both "
			"RUNs are shell form without heredocs in a POSIX-style shell, the writing RUN ends "
			"with a command (no `&`, no trailing `# comment`), nothing but instructions other "
			"than RUN, COPY and ADD lies between them, the `rm` has no redirection or "
			"assignment and only literal absolute operands that each delete what that RUN "
			"wrote, and it is a command of the later RUN's `&&` chain (not after `;`, `||` "
			"or in a pipe) with nothing before it but package manager cleans (`apt-get clean`): "
			"a command before it may read the files (`tar -xf` of a download).",
		.why = "Each step's layer is stored as it was when the step ended; a later step "
		       "that deletes a file only adds a marker that hides it. The bytes are still "
		       "pulled and stored with the image, so the clean-up costs a step and saves "
		       "nothing. Removed in the RUN that writes them, they never reach a layer. "
		       "Moving the removal changes which RUN does what (a RUN between that read the "
		       "files would fail, and the writing RUN's cache key changes), so the fix is "
		       "unsafe.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
			   "RUN rm -rf /var/lib/apt/lists/*\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends "
			   "curl && \\\n    rm -rf /var/lib/apt/lists/*\n",
	},
	.state_size = sizeof(layers),
	/* Only a RUN with an rm is judged: the steps before it are read then. */
	.instr_kinds = DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "rm", NULL },
	.on_instr = on_instr,
	.on_stage_end = on_stage_end,
	.on_file_end = on_file_end,
};

/* Append s[0..n) to w->what, of which *o bytes are used: up to a NUL and
 * cut to fit, as snprintf("%.*s") would. The texts are put together by
 * pieces: formatting them cost more than the rest of a record. */
static void what_add(written *w, size_t *o, const char *s, size_t n)
{
	n = strnlen(s, n);
	if (n > sizeof(w->what) - 1 - *o)
		n = sizeof(w->what) - 1 - *o;
	memcpy(w->what + *o, s, n);
	*o += n;
	w->what[*o] = '\0';
}

static void what_adds(written *w, size_t *o, const char *s)
{
	what_add(w, o, s, strlen(s));
}

/* Record path, written by in; its what is empty (a RUN's caller fills it).
 * The records are in the file's arena: they live as long as the file, and
 * a heap array cost more than filling it. */
static written *add(layers *l, const char *path, const df_instr *in, bool copied)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		l->v = df_arena_grow_uninit(&l->arena, l->v, l->cap, cap, sizeof(*l->v));
		l->cap = cap;
	}
	written *w = &l->v[l->len++];
	*w = (written){ .path = path, .line = in->line, .run = copied ? NULL : in, .copy = copied ? in : NULL };
	return w;
}

/* The what of a COPY/ADD's record, "what COPY a b wrote": made only for a
 * report, as most records never get one and the text costs. */
static void copy_what(written *r)
{
	df_buf text = DF_BUF_INIT;
	df_buf_adds(&text, "what ");
	df_copy_add_text(&text, r->copy);
	df_buf_adds(&text, " wrote");
	size_t o = 0;
	what_add(r, &o, df_buf_str(&text), text.len);
	df_buf_release(&text);
}

typedef struct walk {
	df_lint *lint;
	const df_instr *run;
	layers *l;
	size_t before;		/* records of earlier steps: l->v[0..before) */
	const df_graph *g;
	const char *cwd;	/* valid once cwd_known (walk_cwd()) */
	bool cwd_known;
	bool judge;		/* judge the rm commands; else record what the
				 * others write */
	bool reported;
	/* Judging: the package managers' directories this RUN writes itself
	 * (its own `apt-get update`), of the commands before views[scanned]:
	 * found when an rm first needs them (own_before()), as most never do. */
	const char *own[4];
	size_t nown, scanned;
} walk;

typedef struct cleaner {
	df_lint *lint;
	const df_ospkg_manager *m;
} cleaner;

/* Is v a `clean` of c's manager (`dnf clean all`, `apk cache clean`)? */
static int cleans(const df_cmd_view *v, void *ud)
{
	const cleaner *c = ud;
	for (const char *const *n = c->m->commands; *n; n++)
		if (df_cmd_named(v, *n))
			return df_cmd_has_arg(v, "clean");
	return 0;
}

/*
 * The glob of everything in each system package manager's lists directory
 * (what it leaves there), with its df_path_normal() form, by index in
 * df_ospkg_managers(): built once for the process (files are linted on
 * several threads), as every install of every RUN asks whether the RUN
 * removes it.
 */
typedef struct lists_path {
	const char *path;
	const char *norm;	/* NULL: too long to match */
} lists_path;

static struct {
	const df_ospkg_manager *managers;
	lists_path *v;
	df_arena arena;		/* the paths; kept for the process */
} lists;
static pthread_once_t lists_once = PTHREAD_ONCE_INIT;

static void lists_build(void)
{
	size_t n;
	lists.managers = df_ospkg_managers(&n);
	lists.v = DF_ARENA_ARRAY(&lists.arena, lists_path, n);
	for (size_t k = 0; k < n; k++) {
		const char *dir = lists.managers[k].lists;
		size_t len = strlen(dir);
		char *p = df_arena_alloc(&lists.arena, len + 3);
		memcpy(p, dir, len);
		memcpy(p + len, "/*", 3);
		lists.v[k] = (lists_path){ p, df_path_normal(&lists.arena, p, len + 2) };
	}
}

/* Everything in m's lists directory. */
static const lists_path *everything_in(const df_ospkg_manager *m)
{
	pthread_once(&lists_once, lists_build);
	return &lists.v[m - lists.managers];
}

/* Does u leave files in its manager's directory (lists, cache), where no
 * cache mount of the RUN takes them? */
static bool leaves_lists(const walk *w, const df_ospkg_use *u)
{
	const df_ospkg_manager *m = u->manager;
	bool keeps = u->action == DF_OSPKG_REFRESH ||
		     (u->action == DF_OSPKG_INSTALL && m->install_keeps && !df_ospkg_has_opt(u, m->keep_nothing));
	return keeps && !df_run_mounts_cache(w->run, m->lists);
}

/* The directory the command runs in, so far: the RUN's WORKDIR on first
 * use (most commands of a walk need none), then as `cd` changes it. */
static const char **walk_cwd(walk *w)
{
	if (!w->cwd_known)
		w->cwd = df_run_workdir(&w->l->arena, w->g, w->run);
	w->cwd_known = true;
	return &w->cwd;
}

/* The directory to resolve path against: none for an absolute path (most
 * are), for which looking up the RUN's WORKDIR would be wasted. */
static const char *operand_cwd(walk *w, df_str path)
{
	return path.len && path.ptr[0] == '/' ? NULL : *walk_cwd(w);
}

/* A later `mv` of the same RUN that moves path away (path, or a directory
 * holding it, among its sources)? */
typedef struct move_search {
	walk *w;
	const char *path;
} move_search;

static int moves_away(const df_cmd_view *v, void *ud)
{
	const move_search *ms = ud;
	if (!df_cmd_named(v, "mv"))
		return 0;
	const df_cmd_view *e = df_lint_expanded(ms->w->lint, v);
	const df_sh_cmd *c = e->cmd;
	bool target_opt = false;	/* -t DIR: every operand is a source */
	size_t ops[64], n = 0;
	for (size_t i = e->name + 1; i < c->nwords && n < DF_ARRAY_LEN(ops); i++) {
		df_str a = c->words[i].value;
		if (c->words[i].has_expansion)
			return 0;	/* an operand of unknown value: cannot tell */
		if (df_mem_eq(a.ptr, a.len, "-t") || df_mem_eq(a.ptr, a.len, "-S")) {
			target_opt |= a.ptr[1] == 't';
			i++;
		} else if (a.len && a.ptr[0] == '-') {
			target_opt |= df_mem_has_prefix(a.ptr, a.len, "--target-directory");
		} else {
			ops[n++] = i;
		}
	}
	size_t sources = target_opt ? n : n ? n - 1 : 0;
	for (size_t k = 0; k < sources; k++) {
		df_str op = c->words[ops[k]].value;
		const char *from = df_path_resolve(&ms->w->l->arena, operand_cwd(ms->w, op), op);
		if (from && df_path_covers(from, strlen(from), ms->path, true))
			return 1;
	}
	return 0;
}

/* Record what command v leaves in the layer. */
static void note_writes(walk *w, const df_cmd_view *v)
{
	df_ospkg_use u;
	if (df_ospkg_read(w->lint, v, &u)) {
		const df_ospkg_manager *m = u.manager;
		if (!leaves_lists(w, &u))
			return;
		const lists_path *p = everything_in(m);
		cleaner c = { w->lint, m };
		if ((p->norm && df_run_removes_normal_after(w->lint, v, p->norm, true)) ||
		    (u.action == DF_OSPKG_INSTALL && df_run_each_after(w->lint, v, cleans, &c)))
			return;
		/* "the package lists of `apt-get update`" */
		df_str verb = u.cmd->cmd->words[u.verb].value;
		written *r = add(w->l, p->path, w->run, false);
		size_t o = 0;
		what_adds(r, &o, u.action == DF_OSPKG_REFRESH ? "the package lists of `" : "the package cache of `");
		what_add(r, &o, v->basename.ptr, v->basename.len);
		what_adds(r, &o, " ");
		what_add(r, &o, verb.ptr, verb.len);
		what_adds(r, &o, "`");
		return;
	}
	/* df_download_read() clears d before it looks at the name: most
	 * commands are told apart cheaper here. */
	if (!df_cmd_named(v, "curl") && !df_cmd_named(v, "wget"))
		return;
	df_download d;
	if (!df_download_read(w->lint, w->run, v, &d) || !d.output.ptr || d.unknown)
		return;
	const char *p = df_path_resolve(&w->l->arena, operand_cwd(w, d.output), d.output);
	move_search ms = { w, p };
	if (!p || df_run_removes_after(w->lint, v, p, strlen(p), true) || df_run_each_after(w->lint, v, moves_away, &ms))
		return;
	/* "/tmp/x.tgz, the `curl` download" (the path cut at 60 bytes) */
	written *r = add(w->l, p, w->run, false);
	size_t o = 0;
	what_add(r, &o, p, 60);
	what_adds(r, &o, d.wget ? ", the `wget` download" : ", the `curl` download");
}

/* The operands of an rm, resolved against the directory the command runs
 * in: a relative one says nothing when that is unknown, nor does one of
 * unknown value. Each is kept df_path_normal() (NULL: too long to match),
 * as every record of the stage is compared with it. */
typedef struct rm_ops {
	const char *path[32];
	size_t n;
	bool recursive;
} rm_ops;

static void read_rm(walk *w, const df_cmd_view *v, rm_ops *ops)
{
	static const char *const recursive_long[] = { "--recursive", NULL };
	static const df_optspec none = { 0 };
	const df_cmd_view *e = df_lint_expanded(w->lint, v);
	ops->recursive = false;
	ops->n = 0;
	df_opt_iter it;
	df_opt o;
	/* One pass over the words for both: -r counts wherever it is. */
	df_opt_iter_init(&it, e->cmd, e->name, &none);
	while (df_opt_next(&it, &o)) {
		if (o.letter || o.name.ptr) {
			ops->recursive |= o.letter == 'r' || o.letter == 'R' || df_opt_is_long(&o, recursive_long);
			continue;
		}
		if (ops->n == DF_ARRAY_LEN(ops->path) || e->cmd->words[o.word].has_expansion)
			continue;
		const char *op = df_path_resolve(&w->l->arena, operand_cwd(w, o.value), o.value);
		if (op)
			ops->path[ops->n++] = df_path_normal_keep(&w->l->arena, op);
	}
}

static bool rm_deletes(layers *l, const rm_ops *ops, written *r)
{
	/* Every rm of the stage is compared with r: its path is normalised
	 * once, when the first one is. */
	if (!r->normed) {
		r->norm = df_path_normal_keep(&l->arena, r->path);
		r->normed = true;
	}
	for (size_t i = 0; i < ops->n && r->norm; i++)
		if (ops->path[i] && df_path_normal_covers(ops->path[i], r->norm, ops->recursive))
			return true;
	return false;
}

/* --- the fix ----------------------------------------------------------- */

/* Where v's command sits in run's script: a pipeline of its own, as
 * pipes[*j] of the and-or list *a, the only list item. */
static bool top_level(const df_instr *run, const df_cmd_view *v, const df_sh_andor **a, size_t *j)
{
	if (v->exec || v->in_heredoc || !run->script || run->script->error || run->script->list->nitems != 1)
		return false;
	*a = run->script->list->items[0];
	for (size_t i = 0; i < (*a)->npipes; i++)
		if ((*a)->pipes[i]->cmds[0] == v->cmd) {
			*j = i;
			return (*a)->pipes[i]->ncmds == 1 && !(*a)->pipes[i]->bang && !(*a)->background;
		}
	return false;
}

/* Is c a package manager's `clean` (`apt-get clean`, `dnf clean all`)? It
 * reads nothing of what an rm after it deletes. */
static bool is_clean(const df_sh_cmd *c)
{
	static const char *const managers[] = { "apt-get", "apt", "dnf", "microdnf", "yum", "zypper", "apk", NULL };
	if (c->kind != DF_SH_SIMPLE || !c->nwords || c->nassigns || c->nredirs)
		return false;
	bool clean = false;
	for (size_t i = 1; i < c->nwords; i++)
		clean |= df_mem_eq(c->words[i].value.ptr, c->words[i].value.len, "clean");
	for (const char *const *m = managers; clean && *m; m++)
		if (df_sh_word_is(&c->words[0], *m))
			return true;
	return false;
}

/* The source span of script bytes [start, end) of run. */
static df_span script_span(const df_instr *run, uint32_t start, uint32_t end)
{
	return df_text_span(&run->text, run->args[0].text_off + start, end - start);
}

/*
 * The removal's move to the RUN that wrote r (the docs above say when):
 * its kind, and with fix, its edits.
 */
static df_fix_kind move_fix(walk *w, const df_cmd_view *v, const written *r, df_fix *fix)
{
	const df_doc *doc = df_lint_doc(w->lint);
	const df_instr *from = r->run, *run = w->run;
	const df_sh_cmd *c = v->cmd;
	const df_sh_andor *a;
	size_t j;
	uint32_t at;
	if (!from || run->nheredocs || c->nassigns || c->nredirs || !top_level(run, v, &a, &j) ||
	    !df_run_end(w->lint, from, &at) || !df_run_end(w->lint, run, &(uint32_t){ 0 }))
		return DF_FIX_NONE;
	for (size_t i = from->index + 1; i < run->index; i++) {
		df_instr_kind k = doc->instrs[i]->kind;
		if (k == DF_I_RUN || k == DF_I_COPY || k == DF_I_ADD)
			return DF_FIX_NONE;
	}
	/* Each operand: literal, absolute, deleting what that RUN wrote. */
	bool recursive = false;
	for (size_t i = v->name + 1; i < c->nwords; i++) {
		const df_sh_word *wd = &c->words[i];
		if (wd->has_expansion)
			return DF_FIX_NONE;
		if (wd->value.ptr[0] == '-') {
			if (wd->value.ptr[1] == '-' && !df_mem_eq(wd->value.ptr, wd->value.len, "--recursive") &&
			    !df_mem_eq(wd->value.ptr, wd->value.len, "--force"))
				return DF_FIX_NONE;	/* "--" or an option of unknown meaning */
			recursive |= wd->value.ptr[1] == '-' ? wd->value.ptr[2] == 'r'
							     : strpbrk(wd->value.ptr, "rR") != NULL;
			continue;
		}
		if (wd->value.ptr[0] != '/')
			return DF_FIX_NONE;
		bool deletes = false;
		for (size_t k = 0; k < w->before && !deletes; k++)
			deletes = w->l->v[k].run == from &&
				  df_path_covers(wd->value.ptr, wd->value.len, w->l->v[k].path, recursive);
		if (!deletes)
			return DF_FIX_NONE;
	}
	/* The commands before it in the later RUN might read the files (a
	 * `tar -xf` of the download): only cleans may come first. */
	for (size_t i = 0; i < j; i++)
		if (a->pipes[i]->ncmds != 1 || !is_clean(a->pipes[i]->cmds[0]))
			return DF_FIX_NONE;
	/* Out of the later RUN: all of it, or the command with its `&&`. */
	df_span cut;
	if (a->npipes == 1) {
		if (df_instr_pragma_above(doc, run))
			return DF_FIX_NONE;	/* it would silence the next instruction */
		cut = run->span;
	} else if (j > 0 && a->ops[j] == DF_SH_OP_AND && (j + 1 == a->npipes || a->ops[j + 1] == DF_SH_OP_AND)) {
		cut.start = script_span(run, a->pipes[j - 1]->start, a->pipes[j - 1]->end).end;
		cut.end = script_span(run, a->pipes[j]->start, a->pipes[j]->end).end;
	} else if (j == 0 && a->ops[1] == DF_SH_OP_AND) {
		cut.start = script_span(run, a->pipes[0]->start, a->pipes[0]->end).start;
		cut.end = script_span(run, a->pipes[1]->start, a->pipes[1]->end).start;
	} else {
		return DF_FIX_NONE;
	}
	/* Comment lines in the continuation there stay. */
	df_span self = script_span(run, c->start, c->end);
	for (uint32_t i = cut.start; a->npipes > 1 && i < cut.end; i++)
		if (doc->src.data[i] == '#' && (i < self.start || i >= self.end))
			return DF_FIX_NONE;
	if (!fix)
		return DF_FIX_UNSAFE;
	df_buf b = DF_BUF_INIT;
	df_run_continue(doc, from, &b);
	for (size_t i = 0; i < c->nwords; i++) {
		if (i)
			df_buf_addc(&b, ' ');
		df_buf_add(&b, c->words[i].raw.ptr, c->words[i].raw.len);
	}
	df_fix_edit_n(fix, at, at, df_buf_str(&b), b.len);
	df_fix_edit(fix, cut.start, cut.end, "");
	df_buf_release(&b);
	return DF_FIX_UNSAFE;
}

/* Find the directories of w->own written before rm (see walk). */
static void own_before(walk *w, const df_cmd_view *rm)
{
	const df_cmds *c = df_lint_cmds(w->lint);
	size_t end = df_cmds_index(c, rm);
	for (; w->scanned < end && w->nown < DF_ARRAY_LEN(w->own); w->scanned++) {
		df_ospkg_use u;
		if (df_ospkg_read(w->lint, &c->views[w->scanned], &u) && leaves_lists(w, &u))
			w->own[w->nown++] = u.manager->lists;
	}
}

/*
 * Did this RUN write r's files again before its rm (a package manager's
 * directory: its own `apt-get update` refreshed the lists an earlier layer
 * left)? Then the rm cleans up after the RUN itself, as it should; what
 * the earlier layer keeps is that RUN's finding (DL3009), not this rm's.
 */
static bool rewritten(walk *w, const df_cmd_view *rm, const written *r)
{
	if (r->run)
		own_before(w, rm);
	for (size_t k = 0; k < w->nown && r->run; k++) {
		size_t n = strlen(w->own[k]);
		if (strncmp(r->path, w->own[k], n) == 0 && strcmp(r->path + n, "/*") == 0)
			return true;
	}
	return false;
}

static int each(const df_cmd_view *v, void *ud)
{
	walk *w = ud;
	/* Only a cd needs its words expanded here: expanding costs. */
	if (df_cmd_named(v, "cd") &&
	    df_eco_cd(&w->l->arena, df_lint_expanded(w->lint, v)->cmd, v->name, walk_cwd(w)))
		return 0;
	if (!w->judge) {
		note_writes(w, v);	/* an rm writes nothing */
		return 0;
	}
	if (!df_cmd_named(v, "rm") || w->reported || !w->before)
		return 0;
	rm_ops ops;
	read_rm(w, v, &ops);
	for (size_t i = 0; i < w->before && ops.n; i++) {
		written *r = &w->l->v[i];
		if (r->reported || !rm_deletes(w->l, &ops, r) || df_run_mounts_cache(w->run, r->path) ||
		    rewritten(w, v, r))
			continue;
		if (r->copy)
			copy_what(r);
		df_fix_kind kind = r->copy ? DF_FIX_NONE : move_fix(w, v, r, NULL);
		df_fix *fix = df_report_fix(w->lint, &df_rule_DF1007, kind, df_cmd_word_span(v, v->name),
			  "`rm` deletes %s, which the layer of line %u keeps: the image does not shrink; "
			  "%s",
			  r->what, (unsigned)r->line,
			  r->copy ? "read such files through `RUN --mount=type=bind` instead, or copy only what the "
				     "image keeps"
				   : "delete them in the RUN that writes them");
		if (fix && kind != DF_FIX_NONE)
			move_fix(w, v, r, fix);
		r->reported = true;
		w->reported = true;
		break;
	}
	return 0;
}

/* Record where the files of in (a COPY or ADD) landed. */
static void add_landings(layers *l, const df_graph *g, const df_instr *in)
{
	df_landing out[16];
	size_t n = df_copy_landings(&l->arena, g, in, out, DF_ARRAY_LEN(out));
	for (size_t i = 0; i < n; i++)
		add(l, out[i].path, in, true);
}

/* Walk the commands of run, a RUN of the stage: with judge, judge its rm
 * commands against the records of the steps before it; else record what
 * the others write. */
static void walk_run(df_lint *lint, layers *l, const df_graph *g, const df_instr *run, bool judge)
{
	walk w = { .lint = lint, .run = run, .l = l, .before = l->len, .g = g, .judge = judge };
	df_lint_each_command(lint, run, each, &w);
}

/* Record what the steps of the stage from doc->instrs[l->pending] up to
 * run wrote: the RUNs' records first, as they were when each RUN was read
 * at its turn, then the COPY and ADD landings. ONBUILD triggers and
 * instructions with an error write nothing. */
static void record_pending(df_lint *lint, layers *l, const df_graph *g, const df_instr *run)
{
	const df_doc *doc = df_lint_doc(lint);
	for (size_t i = l->pending; i < run->index; i++)
		if (doc->instrs[i]->kind == DF_I_RUN && !doc->instrs[i]->has_error)
			walk_run(lint, l, g, doc->instrs[i], false);
	for (size_t i = l->pending; i < run->index; i++) {
		const df_instr *in = doc->instrs[i];
		if ((in->kind == DF_I_COPY || in->kind == DF_I_ADD) && !in->has_error)
			add_landings(l, g, in);
	}
}

/* A RUN with an rm (the engine calls it for no other: see commands). */
static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	layers *l = state;
	if (in->outer || in->kind == DF_I_ONBUILD || in->has_error)
		return;
	const df_graph *g = df_lint_graph(lint);
	record_pending(lint, l, g, in);
	/* With no record before it, its rm deletes nothing an earlier step
	 * left: there is nothing to judge. */
	if (l->len)
		walk_run(lint, l, g, in, true);
	/* Its own writes come after every record its rm was judged against,
	 * and before those of the steps after it: recorded, like those of a
	 * RUN without rm, when a later RUN of the stage runs rm (the last
	 * such RUN of a stage never needs them). */
	l->pending = in->index;
}

static void on_stage_end(df_lint *lint, const df_stage *stage, void *state)
{
	(void)lint;
	layers *l = state;
	l->len = 0;
	l->pending = stage->last + 1;
}

static void on_file_end(df_lint *lint, void *state)
{
	(void)lint;
	layers *l = state;
	df_arena_release(&l->arena);	/* v with it */
}
