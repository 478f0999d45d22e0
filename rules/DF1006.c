/* DF1006 - a RUN chowns or chmods what a COPY just wrote. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/copyctx.h"
#include "engine/fixes.h"
#include "engine/landing.h"
#include "engine/opts.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "util/util.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static void on_stage_end(df_lint *lint, const df_stage *stage, void *state);
static void on_file_end(df_lint *lint, void *state);

#define MAX_LANDINGS 16

/* A COPY or ADD of the current stage and where its files landed, worked
 * out when a RUN first chowns or chmods something: most never do. */
typedef struct copied {
	const df_instr *in;
	df_landing *landings;	/* from the arena */
	size_t n;
	bool known;		/* landings worked out */
} copied;

typedef struct copies {
	copied *v;
	size_t len, cap;
	df_arena arena;		/* landings and paths, for the file (zeroed: ready) */
} copies;

const df_rule df_rule_DF1006 = {
	.code = "DF1006",
	.name = "copy-then-chown",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_SAFE,
	.message = "a RUN changes the owner or mode of files a COPY wrote: they are stored twice",
	.docs = {
		.what = "Reports a `chown` or `chmod` in a RUN whose operand, resolved against the "
			"WORKDIR and any `cd` before it in the RUN, names files that an earlier COPY or "
			"ADD of the same stage wrote: a copied file itself (`chmod +x "
			"/usr/local/bin/entrypoint.sh` after `COPY entrypoint.sh /usr/local/bin/`), a glob "
			"matching it, or, with `-R`/`--recursive`, the directory the files went into or "
			"one above it (`chown -R app /app` after `COPY . /app/src`). A directory copied "
			"into (`COPY . /app`) counts only for a recursive command. ADD of a local file is "
			"left out (ADD unpacks archives, so where its files land depends on the file), "
			"as are destinations and operands of unknown value and ONBUILD instructions. "
			"One finding per RUN, on its first such command; it names the COPY and says when "
			"the fix is not safe: the RUN does other work too, or its operand reaches beyond "
			"what the COPY wrote.\n\n"
			"The fix adds `--chown=USER:GROUP` or `--chmod=MODE` to the COPY and deletes the RUN; "
			"the comment lines above it stay, so none is offered when they hold an ignore pragma, "
			"which would then apply to the next instruction. It is offered when the RUN does "
			"nothing else (its commands are that one `chown`/`chmod`, with `-R` at most, and "
			"`cd`s, joined by `&&`, with no flags or heredocs), the COPY (not ADD) has one source "
			"of known value, no glob, and not the flag already, only ARG, ENV, LABEL or EXPOSE "
			"lie between, the owner is a literal `user:group` (`chown user` keeps the group, "
			"while `--chown=user` sets the group numbered as the user's UID) and the mode an "
			"octal number, and the operand is where the source lands (recursively for a "
			"directory). It is safe when the build context shows the source is a file; unsafe for "
			"a directory, whose own entry keeps its owner and mode when it existed before the "
			"COPY (WORKDIR creates it), and for a source whose type is unknown (`--from`, no "
			"context). `--chmod` needs BuildKit (the legacy builder refuses it): the chmod fix is "
			"unsafe too unless the file relies on BuildKit already (a `# syntax=` line, heredocs, "
			"`RUN --mount` ...).",
		.why = "A layer stores every file a step changes, and changing the owner or the mode "
		       "is a change: the RUN's layer holds a second full copy of each file the COPY's "
		       "layer already holds, so the image carries them twice (a `chown -R` over an "
		       "application tree can double its size). `COPY --chown=user:group` and "
		       "`COPY --chmod=755` write the files with the right owner and mode once. When "
		       "the RUN does nothing else to a copied file, replacing it by the flag changes "
		       "nothing else (safe fix); a directory's own entry may differ (unsafe fix).",
		.example = "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN chown -R node:node /app\n",
		.instead = "FROM node:22-slim\nWORKDIR /app\nCOPY --chown=node:node . .\n",
	},
	.state_size = sizeof(copies),
	.instr_kinds = DF_KIND(DF_I_COPY) | DF_KIND(DF_I_ADD) | DF_KIND(DF_I_RUN),
	.commands = (const char *const[]){ "chown", "chmod", NULL },
	.on_instr = on_instr,
	.on_stage_end = on_stage_end,
	.on_file_end = on_file_end,
};

/* What the walk over a RUN found. */
typedef struct walk {
	df_lint *lint;
	const df_instr *run;	/* the RUN walked */
	copies *c;
	const char *cwd;	/* NULL: unknown */
	size_t others;		/* commands other than chown, chmod and cd */
	const df_cmd_view *cmd;	/* the first chown/chmod on copied files */
	const copied *copy;	/* the COPY it touches */
	df_str change;		/* its owner or mode */
	bool beyond;		/* its operand reaches beyond the copied files */
	const char *op;		/* the operand it matched, resolved */
	bool recursive;		/* it has -R */
	size_t changes;		/* chown and chmod commands of the RUN */
} walk;

/* Does op (resolved) touch landing l? */
static bool touches(const char *op, const df_landing *l, bool recursive, bool *beyond)
{
	if (l->dir && !recursive)
		return false;	/* the directory entry only */
	if (l->glob && fnmatch(l->path, op, FNM_PATHNAME) == 0) {
		*beyond = false;
		return true;
	}
	if (!df_path_covers(op, strlen(op), l->path, recursive))
		return false;
	/* A directory above the landing: the command changes more. */
	*beyond = strcmp(op, l->path) != 0 && !strpbrk(op, "*?[");
	return true;
}

static const copied *landed(df_lint *lint, copies *c, size_t k)
{
	copied *cp = &c->v[k];
	if (!cp->known) {
		df_landing tmp[MAX_LANDINGS];
		cp->n = df_copy_landings(&c->arena, df_lint_graph(lint), cp->in, tmp, MAX_LANDINGS);
		cp->landings = df_arena_alloc(&c->arena, cp->n * sizeof(*tmp) + 1);
		memcpy(cp->landings, tmp, cp->n * sizeof(*tmp));
		cp->known = true;
	}
	return cp;
}

static void match(walk *w, const df_cmd_view *v, const df_cmd_view *ev)
{
	static const char *const recursive_long[] = { "--recursive", NULL };
	static const df_optspec none = { 0 };
	bool recursive = df_opt_has(ev->cmd, ev->name, &none, 'R', recursive_long);
	bool reference = df_sh_has_flag(ev->cmd, ev->name, "--reference");
	size_t n;
	const df_sh_word **pos = df_lint_positionals(w->lint, ev->cmd, ev->name, NULL, &n);
	for (size_t i = reference ? 0 : 1; i < n && !w->cmd; i++) {
		if (pos[i]->has_expansion)
			continue;
		const char *op = df_path_resolve(&w->c->arena, w->cwd, pos[i]->value);
		for (size_t k = w->c->len; op && k-- > 0 && !w->cmd;) {
			const copied *cp = landed(w->lint, w->c, k);
			for (size_t j = 0; j < cp->n; j++) {
				bool beyond = false;
				if (!touches(op, &cp->landings[j], recursive, &beyond))
					continue;
				w->cmd = v;
				w->copy = cp;
				w->change = reference || !n ? (df_str){ NULL, 0 } : pos[0]->value;
				w->beyond = beyond;
				w->op = op;
				w->recursive = recursive;
				break;
			}
		}
	}
}

static int each(const df_cmd_view *v, void *ud)
{
	walk *w = ud;
	/* Only a cd needs its words expanded here: expanding costs. */
	if (df_cmd_named(v, "cd") &&
	    df_eco_cd(&w->c->arena, df_lint_expanded(w->lint, v)->cmd, v->name, &w->cwd))
		return 0;
	if (!df_cmd_named(v, "chown") && !df_cmd_named(v, "chmod")) {
		w->others++;
		return 0;
	}
	w->changes++;
	if (!w->cmd)
		match(w, v, df_lint_expanded(w->lint, v));
	return 0;
}

/* Append the command as written, "`chown -R app /app`", cut at 60 bytes. */
static void add_command(df_buf *b, const df_cmd_view *v)
{
	df_buf_addc(b, '`');
	size_t len = 0;
	for (size_t i = v->name; i < v->cmd->nwords; i++) {
		/* Exec form: the argv, not its JSON spelling. */
		df_str r = v->exec ? v->cmd->words[i].value : v->cmd->words[i].raw;
		if (len + r.len > 60) {
			df_buf_adds(b, " ...");
			break;
		}
		if (i > v->name)
			df_buf_addc(b, ' ');
		df_buf_add(b, r.ptr, r.len);
		len += r.len + 1;
	}
	df_buf_addc(b, '`');
}

static bool is_octal(df_str s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] < '0' || s.ptr[i] > '7')
			return false;
	return true;
}

/* --- the fix ----------------------------------------------------------- */

/* An owner COPY --chown sets as chown does: `user:group`, both given, as
 * names or numbers. */
static bool plain_owner(df_str s)
{
	const char *colon = memchr(s.ptr, ':', s.len);
	if (!colon || colon == s.ptr || colon + 1 == s.ptr + s.len)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char ch = s.ptr[i];
		if (!isalnum((unsigned char)ch) && (!ch || !strchr("_-.", ch)) && s.ptr + i != colon)
			return false;
	}
	return true;
}

static bool is_octal(df_str s);

static bool has_any(df_str s, const char *chars)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] && strchr(chars, s.ptr[i]))
			return true;
	return false;
}

/* Is the RUN that one chown/chmod, with `cd`s at most, joined by `&&`? */
static bool only_this(const walk *w)
{
	const df_instr *run = w->run;
	if (run->nflags || run->nheredocs || w->others || w->changes != 1)
		return false;
	if (run->exec_form)
		return true;
	if (!run->script || run->script->error || run->script->list->nitems != 1)
		return false;
	const df_sh_andor *a = run->script->list->items[0];
	for (size_t i = 0; i < a->npipes; i++) {
		const df_sh_cmd *c = a->pipes[i]->cmds[0];
		if (a->pipes[i]->ncmds != 1 || a->pipes[i]->bang || (i && a->ops[i] != DF_SH_OP_AND) ||
		    c->kind != DF_SH_SIMPLE || c->nredirs || c->nassigns)
			return false;
	}
	return !a->background;
}

/* The owner or mode the command sets, when its words are `-R` at most and
 * two literal operands: what the COPY flag can say. */
static bool plain_change(const walk *w, bool chown, df_str *change)
{
	const df_sh_cmd *c = w->cmd->cmd;
	size_t npos = 0;
	for (size_t i = w->cmd->name + 1; i < c->nwords; i++) {
		const df_sh_word *wd = &c->words[i];
		if (!w->cmd->exec && (wd->quoted || wd->has_expansion))
			return false;
		if (df_mem_eq(wd->value.ptr, wd->value.len, "-R") ||
		    df_mem_eq(wd->value.ptr, wd->value.len, "--recursive"))
			continue;
		if (npos++ == 0)
			*change = wd->value;
	}
	return npos == 2 && (chown ? plain_owner(*change) : is_octal(*change) && change->len >= 3 && change->len <= 4);
}

typedef enum src_kind { SRC_UNKNOWN, SRC_FILE, SRC_DIR } src_kind;

/* What the COPY's one source is: a directory when it says so (`.`, `src/`),
 * else what the build context holds there; unknown without a context and
 * for `--from`. */
static src_kind source_kind(df_lint *lint, const df_instr *copy)
{
	df_str v = copy->sources[0].value;
	if (df_copy_source_is_whole(v) || (v.len && v.ptr[v.len - 1] == '/'))
		return SRC_DIR;
	df_copy_sources srcs = DF_COPY_SOURCES_INIT;
	const df_context *ctx = df_lint_copy_context(lint, copy, &srcs);
	src_kind k = SRC_UNKNOWN;
	if (ctx && srcs.len == 1) {
		df_buf path = DF_BUF_INIT;
		df_copy_source_path(&srcs.items[0], &path);
		const df_ctx_entry *e = df_context_find(ctx, df_buf_str(&path));
		if (e && e->type == DF_CTX_FILE)
			k = SRC_FILE;
		else if (e && e->type == DF_CTX_DIR)
			k = SRC_DIR;
		df_buf_release(&path);
	}
	df_copy_sources_release(&srcs);
	return k;
}

/* The COPY's --name flag, or NULL. */
static const df_flag *copy_flag(const df_instr *copy, const char *name)
{
	for (size_t i = 0; i < copy->nflags; i++)
		if (df_mem_eq(copy->flags[i].name.ptr, copy->flags[i].name.len, name))
			return &copy->flags[i];
	return NULL;
}

/*
 * How safe replacing the RUN by a COPY flag is (docs above), with the
 * flag's text into flag; DF_FIX_NONE when it would not do the same.
 */
static df_fix_kind flag_fix(const walk *w, df_buf *flag)
{
	const df_doc *doc = df_lint_doc(w->lint);
	const df_instr *copy = w->copy->in;
	bool chown = df_cmd_named(w->cmd, "chown");
	const char *name = chown ? "chown" : "chmod";
	df_str change = { NULL, 0 }, src = copy->nsources ? copy->sources[0].value : change;
	if (copy->kind != DF_I_COPY || copy->nheredocs || copy->nsources != 1 || w->beyond || !w->op ||
	    !only_this(w) || df_instr_pragma_above(doc, w->run) || !plain_change(w, chown, &change) ||
	    has_any(src, "*?[$") || memchr(copy->sources[0].raw.ptr, '$', copy->sources[0].raw.len))
		return DF_FIX_NONE;
	if (copy_flag(copy, name))
		return DF_FIX_NONE;
	/* What lies between runs before or after the change alike. */
	for (size_t i = copy->index + 1; i < w->run->index; i++) {
		df_instr_kind k = doc->instrs[i]->kind;
		if (k != DF_I_ARG && k != DF_I_ENV && k != DF_I_LABEL && k != DF_I_EXPOSE)
			return DF_FIX_NONE;
	}
	/* The operand must be where the source lands, as its type says. */
	src_kind k = source_kind(w->lint, copy);
	bool has_dir = false, match = false, as_dir = false;
	for (size_t j = 0; j < w->copy->n; j++)
		has_dir |= w->copy->landings[j].dir;
	for (size_t j = 0; j < w->copy->n && !match; j++) {
		const df_landing *l = &w->copy->landings[j];
		if (l->glob || strcmp(l->path, w->op) != 0 || (k == SRC_FILE && l->dir) ||
		    (k == SRC_DIR && !l->dir && has_dir))
			continue;
		as_dir = l->dir || k == SRC_DIR;
		match = w->recursive || !as_dir;
	}
	if (!match)
		return DF_FIX_NONE;
	df_buf_addf(flag, " --%s=%.*s", name, (int)change.len, change.ptr);
	return k == SRC_FILE && !as_dir && (chown || df_doc_uses_buildkit(doc)) ? DF_FIX_SAFE : DF_FIX_UNSAFE;
}

static void report(walk *w)
{
	bool chown = df_cmd_named(w->cmd, "chown");
	df_buf msg;
	df_buf_init(&msg);
	add_command(&msg, w->cmd);
	df_buf_adds(&msg, " rewrites the files that ");
	df_copy_add_text(&msg, w->copy->in);
	df_buf_addf(&msg, " (line %u) wrote, so the image stores them twice; ", (unsigned)w->copy->in->line);
	const df_flag *set = copy_flag(w->copy->in, chown ? "chown" : "chmod");
	if (set && w->change.len && set->value.len == w->change.len &&
	    memcmp(set->value.ptr, w->change.ptr, w->change.len) == 0)
		df_buf_addf(&msg, "the COPY's `--%s=%.*s` sets that already: drop the command", chown ? "chown" : "chmod",
			    (int)set->value.len, set->value.ptr);
	else if (set && w->change.len)
		df_buf_addf(&msg, "change the COPY's `--%s=%.*s` to `--%s=%.*s`", chown ? "chown" : "chmod",
			    (int)set->value.len, set->value.ptr, chown ? "chown" : "chmod", (int)w->change.len,
			    w->change.ptr);
	else if (set)
		df_buf_addf(&msg, "set it with the COPY's `--%s` instead", chown ? "chown" : "chmod");
	else if (chown && w->change.len && !memchr(w->change.ptr, ':', w->change.len))
		/* `--chown=user` alone sets the group numbered as the UID. */
		df_buf_addf(&msg, "copy them with `--chown=%.*s:<group>`", (int)w->change.len, w->change.ptr);
	else if (chown && w->change.len)
		df_buf_addf(&msg, "copy them with `--chown=%.*s`", (int)w->change.len, w->change.ptr);
	else if (!chown && is_octal(w->change))
		df_buf_addf(&msg, "copy them with `--chmod=%.*s`", (int)w->change.len, w->change.ptr);
	else
		df_buf_adds(&msg, chown ? "copy them with `--chown=<user>:<group>`"
					: "copy them with `--chmod=<octal mode>` (755 for +x)");
	if (w->others)
		df_buf_adds(&msg, " (the RUN does other work too: keep it without this command)");
	else if (w->beyond)
		df_buf_adds(&msg, " (it also reaches files the COPY did not write: check them before dropping it)");
	df_buf flag = DF_BUF_INIT;
	df_fix_kind kind = flag_fix(w, &flag);
	df_fix *fix = df_report_fix(w->lint, &df_rule_DF1006, kind, df_cmd_word_span(w->cmd, w->cmd->name), "%s",
				    df_buf_str(&msg));
	if (fix && kind != DF_FIX_NONE) {
		const df_instr *copy = w->copy->in;
		uint32_t at = copy->nflags ? copy->flags[copy->nflags - 1].span.end : copy->keyword_span.end;
		df_fix_edit(fix, at, at, df_buf_str(&flag));
		df_fix_edit(fix, w->run->span.start, w->run->span.end, "");
	}
	df_buf_release(&flag);
	df_buf_release(&msg);
}

static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	copies *c = state;
	if (in->outer || in->kind == DF_I_ONBUILD || in->has_error)
		return;
	if (in->kind == DF_I_COPY || in->kind == DF_I_ADD) {
		df_grow((void **)&c->v, &c->cap, c->len + 1, sizeof(*c->v));
		c->v[c->len++] = (copied){ .in = in };
		return;
	}
	if (!c->len)
		return;
	walk w = { .lint = lint, .run = in, .c = c };
	w.cwd = df_run_workdir(&c->arena, df_lint_graph(lint), in);
	df_lint_each_command(lint, in, each, &w);
	if (w.cmd)
		report(&w);
}

static void on_stage_end(df_lint *lint, const df_stage *stage, void *state)
{
	(void)lint;
	(void)stage;
	((copies *)state)->len = 0;
}

static void on_file_end(df_lint *lint, void *state)
{
	(void)lint;
	copies *c = state;
	free(c->v);
	df_arena_release(&c->arena);
}
