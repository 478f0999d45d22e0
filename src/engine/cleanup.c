/* cleanup.c - what a RUN leaves behind; see cleanup.h. */
#include "engine/cleanup.h"

#include <fnmatch.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "engine/opts.h"
#include "util/util.h"

/* df_mem_contains() by memmem(): a RUN's whole text is searched for every
 * file a rule asks about, and a byte-by-byte compare at every offset costs
 * more than the rest of such a rule. */
static bool contains(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return k == 0 || (n >= k && memmem(s, n, lit, k) != NULL);
}

/* Longer paths are never matched: no rule has a reason to care about them. */
#define PATH_CAP 1024

#ifdef __SSE2__
/* The sixteen bytes at p hold a '$' or a "//". */
static bool unplain16(const char *p)
{
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
	unsigned dollar = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8('$')));
	unsigned slash = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8('/')));
	return dollar | (slash & slash >> 1);
}
#endif

/* Does s[0..n) hold no '$' and no "//": is it normalised but for a
 * trailing '/'? Every path of every rule is asked: with SSE2, sixteen
 * bytes a step, each load overlapping the one before by a byte so that a
 * "//" across two loads is seen, the last one taken back to end at n; a
 * shorter path is copied into a block of NULs first. */
static bool plain(const char *s, size_t n)
{
#ifdef __SSE2__
	if (n < 16) {
		char block[16] = { 0 };
		memcpy(block, s, n);
		return !unplain16(block);
	}
	for (size_t i = 0;; i += 15) {
		size_t at = n - i >= 16 ? i : n - 16;
		if (unplain16(s + at))
			return false;
		if (n - at <= 16)
			return true;
	}
#else
	for (size_t i = 0; i < n; i++)
		if (s[i] == '$' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/'))
			return false;
	return true;
#endif
}

/* s[0..n) as the comparisons below read it, into out (PATH_CAP bytes):
 * `~` and `${NAME}` as `$HOME` and `$NAME`, no "./" in front, no repeated
 * or trailing '/'. False when it does not fit. */
static bool normalise(const char *s, size_t n, char *out)
{
	size_t o = 0, i = 0;
	if (n && s[0] == '~' && (n == 1 || s[1] == '/')) {
		memcpy(out, "$HOME", 5);
		o = 5;
		i = 1;
	}
	while (n - i >= 2 && s[i] == '.' && s[i + 1] == '/')
		i += 2;
	if (i < n && o + (n - i) + 1 <= PATH_CAP && plain(s + i, n - i)) {
		/* Every path of every rule comes here, and most need no
		 * change but a trailing '/': one copy. */
		memcpy(out + o, s + i, n - i);
		o += n - i;
		i = n;
	}
	for (; i < n; i++) {
		if (o + 2 > PATH_CAP)
			return false;
		char c = s[i];
		if (c == '/') {
			if (o && out[o - 1] == '/')
				continue;
		} else if (c == '$' && i + 1 < n && s[i + 1] == '{') {
			size_t j = i + 2;
			while (j < n && (df_is_alnum((unsigned char)s[j]) || s[j] == '_'))
				j++;
			if (j < n && s[j] == '}' && j > i + 2) {
				if (o + (j - i - 2) + 2 > PATH_CAP)
					return false;
				out[o++] = '$';
				memcpy(out + o, s + i + 2, j - i - 2);
				o += j - i - 2;
				i = j;
				continue;
			}
		}
		out[o++] = c;
	}
	while (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return true;
}

static size_t components(const char *s)
{
	size_t n = *s && *s != '/';
	for (; *s; s++)
		n += s[0] == '/' && s[1];
	return n;
}

/* Does the rm operand w name path p (both normalised)? A path starting
 * with a variable ($HOME/.npm, "$D") is anchored like an absolute one. */
static bool names(const char *w, const char *p)
{
	bool wabs = w[0] == '/' || w[0] == '$', pabs = p[0] == '/' || p[0] == '$';
	if (wabs != pabs) {
		/* One is relative: compare it with as many trailing components
		 * of the other. */
		const char **abs = wabs ? &w : &p;
		size_t want = components(wabs ? p : w);
		const char *s = *abs + strlen(*abs);
		while (s > *abs && want) {
			s--;
			if (*s == '/' && --want == 0)
				break;
		}
		if (want || *s != '/')
			return false;
		*abs = s + 1;
	}
	/* The pattern's bytes before its first special one (or escape) match
	 * only themselves: most operands differ from the path there, and
	 * fnmatch() costs much more than that compare. Without a '*', '?' or
	 * '[' it is no pattern at all. */
	size_t head = strcspn(w, "*?[\\");
	if (!w[head] || (w[head] == '\\' && !w[head + strcspn(w + head, "*?[")]))
		return strcmp(w, p) == 0;
	if (strncmp(w, p, head) != 0)
		return false;
	if (w[head] == '*' && !w[head + 1]) {
		/* A trailing star, the usual glob (everything in a
		 * directory), as fnmatch() reads it: the rest of p is within
		 * one component, and not a hidden one when it starts it. */
		const char *rest = p + head;
		return !strchr(rest, '/') && !(rest[0] == '.' && (head == 0 || w[head - 1] == '/'));
	}
	return fnmatch(w, p, FNM_PATHNAME | FNM_PERIOD) == 0;
}

/* Does the rm operand w remove a directory above p (both normalised)? */
static bool removes_above(const char *w, const char *p)
{
	if ((w[0] == '/' || w[0] == '$') == (p[0] == '/' || p[0] == '$')) {
		/* Anchored as p is, as are p's parents (the usual case): said
		 * without the walk below where it can be. */
		size_t lit = strcspn(w, "*?[");
		if (!w[lit]) {
			/* Literal: is it p up to one of its '/', or the root
			 * above an absolute p? */
			if (w[0] == '/' && !w[1])
				return p[0] == '/';
			return lit > 0 && strncmp(p, w, lit) == 0 && p[lit] == '/';
		}
		/* A glob: a parent it matches starts with its literal head
		 * (names()), and so does p. */
		if (strncmp(p, w, strcspn(w, "*?[\\")) != 0)
			return false;
	}
	char buf[PATH_CAP];
	size_t n = strlen(p);
	memcpy(buf, p, n + 1);
	for (;;) {
		while (n > 0 && buf[n - 1] != '/')
			n--;
		if (n == 0)
			return false;	/* relative: no parent left */
		if (n == 1) {
			buf[1] = '\0';	/* the root */
			return names(w, buf);
		}
		buf[--n] = '\0';
		if (names(w, buf))
			return true;
	}
}

static bool is_meta(char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

/* Can the rm operand w be told from p (both normalised) by their first
 * bytes: neither p nor a directory above it? Anchored alike, w names one
 * only if p starts with w's bytes before its first special one (names(),
 * removes_above()): a byte compare up to the first that differs tells most
 * pairs a rule compares (`/tmp/x` and `/var/cache/apt`, `/var/lib/apt/lists`
 * and `/var/cache/apt`) without a strcspn(). */
static bool differ_early(const char *w, const char *p)
{
	if ((w[0] == '/' || w[0] == '$') != (p[0] == '/' || p[0] == '$'))
		return false;
	for (size_t i = 0; w[i] && !is_meta(w[i]); i++)
		if (w[i] != p[i])
			return true;
	return false;
}

/* Does the rm operand w remove p: p itself, or with recursive a directory
 * above it? */
static bool removes(const char *w, const char *p, bool recursive)
{
	return !differ_early(w, p) && (names(w, p) || (recursive && removes_above(w, p)));
}

static const df_optspec rm_opts = { 0 };

static bool rm_removes(const df_sh_cmd *c, size_t name, const char *path, bool unknown_counts)
{
	static const char *const recursive_long[] = { "--recursive", NULL };
	int recursive = -1;	/* read from the options once an operand asks */
	df_opt_iter it;
	df_opt o;
	char w[PATH_CAP];
	df_opt_iter_init(&it, c, name, &rm_opts);
	while (df_opt_next(&it, &o)) {
		if (o.letter || o.name.ptr)
			continue;
		if (c->words[o.word].has_expansion && unknown_counts)
			return true;
		if (!normalise(o.value.ptr, o.value.len, w))
			continue;
		if (names(w, path))
			return true;
		if (recursive < 0)
			recursive = df_opt_has(c, name, &rm_opts, 'r', recursive_long) ||
				    df_opt_has(c, name, &rm_opts, 'R', NULL);
		if (recursive && removes_above(w, path))
			return true;
	}
	return false;
}

/* Index of v in the list c holds: v may be the engine's view or its
 * expansion (a copy), which sits elsewhere. */
static size_t view_index(const df_cmds *c, const df_cmd_view *v)
{
	uintptr_t at = (uintptr_t)v, first = (uintptr_t)c->views;
	if (at >= first && at < first + c->n * sizeof(*v))
		return (at - first) / sizeof(*v);
	for (size_t i = 0; i < c->n; i++)
		if (c->views[i].text == v->text && c->views[i].base == v->base &&
		    c->views[i].cmd->start == v->cmd->start && c->views[i].name == v->name)
			return i;
	DF_BUG("a command that is not the current instruction's");
}

int df_run_each_after(df_lint *lint, const df_cmd_view *v, df_cmd_fn fn, void *ud)
{
	df_cmds *c = df_lint_cmds(lint);
	for (size_t i = view_index(c, v) + 1; i < c->n; i++) {
		int rc = fn(&c->views[i], ud);
		if (rc)
			return rc;
	}
	return 0;
}

typedef struct removal {
	df_lint *lint;
	const char *path;	/* normalised */
	bool unknown_counts;
} removal;

static int removes_path(const df_cmd_view *v, void *ud)
{
	const removal *r = ud;
	if (!df_cmd_named(v, "rm"))
		return 0;
	const df_cmd_view *e = df_lint_expanded(r->lint, v);
	return rm_removes(e->cmd, e->name, r->path, r->unknown_counts);
}

/* An answer of df_run_removes_after(), kept with the command it was asked
 * of: the size rules ask the same of the same install (DF1003 and DF1007
 * whether the package lists go), and the walk over the rest of the RUN
 * costs more than normalising the path again to look the answer up. */
typedef struct removes_memo {
	const struct removes_memo *next;
	bool unknown_counts, removed;
	char path[];	/* normalised */
} removes_memo;

bool df_run_removes_after(df_lint *lint, const df_cmd_view *v, const char *path, size_t len,
			  bool unknown_counts)
{
	char p[PATH_CAP];
	return normalise(path, len, p) && df_run_removes_normal_after(lint, v, p, unknown_counts);
}

bool df_run_removes_normal_after(df_lint *lint, const df_cmd_view *v, const char *normal,
				 bool unknown_counts)
{
	const void **memo = df_lint_cmd_memo(lint, v, DF_CMD_MEMO_REMOVES);
	for (const removes_memo *m = memo ? *memo : NULL; m; m = m->next)
		if (m->unknown_counts == unknown_counts && strcmp(m->path, normal) == 0)
			return m->removed;
	removal r = { lint, normal, unknown_counts };
	bool removed = df_run_each_after(lint, v, removes_path, &r) != 0;
	if (memo) {
		size_t n = strlen(normal) + 1;
		removes_memo *m = df_arena_alloc(&df_lint_cmds(lint)->arena, sizeof(*m) + n);
		m->next = *memo;
		m->unknown_counts = unknown_counts;
		m->removed = removed;
		memcpy(m->path, normal, n);
		*memo = m;
	}
	return removed;
}

bool df_path_covers(const char *op, size_t len, const char *path, bool recursive)
{
	char w[PATH_CAP], p[PATH_CAP];
	return normalise(op, len, w) && normalise(path, strlen(path), p) && removes(w, p, recursive);
}

const char *df_path_normal(df_arena *a, const char *path, size_t len)
{
	char p[PATH_CAP];
	return normalise(path, len, p) ? df_arena_memdup(a, p, strlen(p)) : NULL;
}

const char *df_path_normal_keep(df_arena *a, const char *path)
{
	/* What normalise() leaves as it is: no `~` or "./" in front, no '$'
	 * or "//" (plain()), no trailing '/' but the root's, and room in
	 * PATH_CAP. */
	size_t n = strlen(path);
	if (n && n + 1 <= PATH_CAP && !(path[0] == '~' && (n == 1 || path[1] == '/')) &&
	    !(path[0] == '.' && path[1] == '/') && (n == 1 || path[n - 1] != '/') && plain(path, n))
		return path;
	return df_path_normal(a, path, n);
}

bool df_path_normal_covers(const char *op, const char *path, bool recursive)
{
	return removes(op, path, recursive);
}

bool df_path_normal_within_len(const char *dir, const char *target, size_t n)
{
	return strncmp(dir, target, n) == 0 &&
	       (dir[n] == '\0' || dir[n] == '/' || (n == 1 && target[0] == '/'));
}

bool df_path_normal_within(const char *dir, const char *target)
{
	return df_path_normal_within_len(dir, target, strlen(target));
}

bool df_run_mounts_cache(const df_instr *run, const char *dir)
{
	char d[PATH_CAP], t[PATH_CAP];
	bool have_d = false;	/* dir normalised: only once a mount asks, most RUNs have none */
	for (size_t i = 0; i < run->nflags; i++) {
		const df_mount *m = run->flags[i].mount;
		if (run->flags[i].type != DF_FLAG_MOUNT || !run->flags[i].parsed_ok || !m || !m->target.ptr)
			continue;
		if (m->type != DF_MOUNT_CACHE && m->type != DF_MOUNT_TMPFS)
			continue;
		if (!have_d && !normalise(dir, strlen(dir), d))
			return false;
		have_d = true;
		if (normalise(m->target.ptr, m->target.len, t) && df_path_normal_within(d, t))
			return true;
	}
	return false;
}

bool df_run_cache_mount_with(const df_instr *run, const char *frag)
{
	for (size_t i = 0; i < run->nflags; i++) {
		const df_mount *m = run->flags[i].mount;
		if (run->flags[i].type != DF_FLAG_MOUNT || !run->flags[i].parsed_ok || !m || !m->target.ptr)
			continue;
		if ((m->type == DF_MOUNT_CACHE || m->type == DF_MOUNT_TMPFS) &&
		    df_mem_contains(m->target.ptr, m->target.len, frag))
			return true;
	}
	return false;
}

typedef struct text_write {
	const char *needle, *file;
} text_write;

static int writes_text(const df_cmd_view *v, void *ud)
{
	const text_write *t = ud;
	const df_sh_cmd *c = v->cmd;
	bool tee = df_cmd_named(v, "tee");
	if (!tee && !df_cmd_named(v, "echo") && !df_cmd_named(v, "printf"))
		return 0;
	bool text = false, to_file = false;
	for (size_t i = v->name + 1; i < c->nwords; i++) {
		df_str w = c->words[i].value;
		text |= contains(w.ptr, w.len, t->needle);
		to_file |= tee && contains(w.ptr, w.len, t->file);
	}
	for (size_t i = 0; i < c->nredirs; i++) {
		df_str f = c->redirs[i].target.value;
		to_file |= c->redirs[i].op[0] == '>' && contains(f.ptr, f.len, t->file);
	}
	/* tee writes what it reads: the text is in the command before it. */
	return to_file && (text || tee);
}

bool df_run_writes_text(df_lint *lint, const df_instr *run, const char *needle, const char *file)
{
	text_write t = { needle, file };
	if (!contains(run->text.str.ptr, run->text.str.len, needle)) {
		bool in_heredoc = false;
		for (size_t i = 0; i < run->nheredocs; i++)
			in_heredoc |= contains(run->heredocs[i].body.str.ptr, run->heredocs[i].body.str.len,
						      needle);
		if (!in_heredoc)
			return false;
	}
	return df_lint_each_command(lint, run, writes_text, &t) != 0;
}

bool df_stage_ships(const df_graph *g, int stage)
{
	int t = g->target;
	/* A base stage comes before the stage built on it: the walk is short. */
	for (size_t steps = 0; t >= 0 && (size_t)t < g->nstages && steps <= g->nstages; steps++) {
		if (t == stage)
			return true;
		if (g->stages[t].base_kind != DF_BASE_STAGE)
			return false;
		t = g->stages[t].base_stage;
	}
	return false;
}

bool df_stage_chain_marked(const df_graph *g, int stage, uint64_t marks)
{
	for (size_t steps = 0; stage >= 0 && (size_t)stage < g->nstages && steps <= g->nstages; steps++) {
		if (marks & (UINT64_C(1) << (stage % 64)))
			return true;
		if (g->stages[stage].base_kind != DF_BASE_STAGE)
			return false;
		stage = g->stages[stage].base_stage;
	}
	return false;
}

const df_stage *df_stage_root(const df_graph *g, int stage)
{
	for (size_t steps = 0; stage >= 0 && (size_t)stage < g->nstages && steps <= g->nstages; steps++) {
		if (g->stages[stage].base_kind != DF_BASE_STAGE)
			return &g->stages[stage];
		stage = g->stages[stage].base_stage;
	}
	return NULL;
}
