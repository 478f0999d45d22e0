/* DF1006 - a RUN chowns or chmods what a COPY just wrote. */
#include "engine/cleanup.h"
#include "engine/cmds.h"
#include "engine/copyctx.h"
#include "engine/landing.h"
#include "engine/opts.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "util/util.h"

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
	.fix = DF_FIX_NONE,
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
			"what the COPY wrote.",
		.why = "A layer stores every file a step changes, and changing the owner or the mode "
		       "is a change: the RUN's layer holds a second full copy of each file the COPY's "
		       "layer already holds, so the image carries them twice (a `chown -R` over an "
		       "application tree can double its size). `COPY --chown=user:group` and "
		       "`COPY --chmod=755` write the files with the right owner and mode once. When "
		       "the RUN does nothing else, replacing it by the flag changes nothing else "
		       "(safe fix).",
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
	copies *c;
	const char *cwd;	/* NULL: unknown */
	size_t others;		/* commands other than chown, chmod and cd */
	const df_cmd_view *cmd;	/* the first chown/chmod on copied files */
	const copied *copy;	/* the COPY it touches */
	df_str change;		/* its owner or mode */
	bool beyond;		/* its operand reaches beyond the copied files */
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

static void report(walk *w)
{
	bool chown = df_cmd_named(w->cmd, "chown");
	df_buf msg;
	df_buf_init(&msg);
	add_command(&msg, w->cmd);
	df_buf_adds(&msg, " rewrites the files that ");
	df_copy_add_text(&msg, w->copy->in);
	df_buf_addf(&msg, " (line %u) wrote, so the image stores them twice; ", (unsigned)w->copy->in->line);
	if (chown && w->change.len)
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
	df_report(w->lint, &df_rule_DF1006, df_cmd_word_span(w->cmd, w->cmd->name), "%s", df_buf_str(&msg));
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
	walk w = { .lint = lint, .c = c };
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
