/* cmds.c - the commands of an instruction; see cmds.h. */
#include "engine/cmds.h"
#include "engine/ospkg.h"
#include "parse/expand.h"
#include "parse/scope.h"
#include "util/util.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* By the first two bytes of a command's name with no '/': could it name a
 * language manager or runner (df_eco_name_pairs())? By its first byte, the
 * lengths (bit n for n bytes, below 32) of the system package managers'
 * commands it starts. Built once for the process (files are linted on
 * several threads), asked of every command: most are neither. */
static unsigned char eco_pairs[DF_ECO_NAME_PAIRS];
static uint32_t ospkg_lens[256];
static pthread_once_t name_kinds_once = PTHREAD_ONCE_INIT;

static void name_kinds_build(void)
{
	size_t n;
	const df_ospkg_manager *m = df_ospkg_managers(&n);
	for (size_t i = 0; i < n; i++)
		for (const char *const *c = m[i].commands; *c; c++) {
			size_t len = strlen(*c);
			/* A longer one would go unasked: none is. */
			if (len >= 32)
				DF_BUG("a package manager's command name of 32 bytes or more");
			ospkg_lens[(unsigned char)(*c)[0]] |= UINT32_C(1) << len;
		}
	df_eco_name_pairs(eco_pairs);
}

void df_cmds_init(df_cmds *c)
{
	/* All but the answers kept in pos (most of the size), which npos
	 * says are none: this runs twice for every file. */
	memset(c, 0, offsetof(df_cmds, pos));
	c->npos = c->pos_next = 0;
	df_arena_init(&c->arena);
	pthread_once(&name_kinds_once, name_kinds_build);
}

void df_cmds_release(df_cmds *c)
{
	/* The arrays live in the arena: a file's are short, and malloc and
	 * free for each of them cost more than filling them. */
	df_arena_release(&c->arena);
	df_cmds_init(c);
}

/* The last path component of s. */
static df_str basename_of(df_str s)
{
	const char *slash = memrchr(s.ptr, '/', s.len);
	size_t i = slash ? (size_t)(slash + 1 - s.ptr) : 0;
	return (df_str){ s.ptr + i, s.len - i };
}

static void add_view(df_cmds *c, const df_cmd_view *v)
{
	if (c->nall == c->cap) {
		/* The arrays grow together: all_derived[i] belongs to all[i].
		 * A view handed out before a move stays readable (the arena
		 * keeps the old array). The new slots of all_derived are
		 * cleared here, all at once, rather than one command at a
		 * time. */
		size_t cap = c->cap ? 2 * c->cap : 16;
		c->all = df_arena_grow_uninit(&c->arena, c->all, c->cap, cap, sizeof(*c->all));
		c->all_derived = df_arena_grow(&c->arena, c->all_derived, c->cap, cap, sizeof(*c->all_derived));
		c->cap = cap;
	}
	df_cmd_view *at = &c->all[c->nall];
	*at = *v;
	at->basename = basename_of(v->cmd->words[v->name].value);
	/* What most rules ask of the name first, asked once here, and for
	 * most commands told by its first byte and length. */
	at->ospkg = 0;
	if (at->basename.len && at->basename.len < 32 &&
	    (ospkg_lens[(unsigned char)at->basename.ptr[0]] >> at->basename.len & 1))
		at->ospkg = (unsigned char)df_ospkg_named(at->basename);
	df_str name = v->cmd->words[v->name].value;
	at->eco = NULL;
	at->eco_runner = false;
	/* A name with no '/' (its basename is all of it) is the program
	 * name, told by its first two bytes. One shorter names no manager:
	 * it takes pair 0 (two NULs), never set. */
	size_t pair = 0;
	if (name.len >= 2)
		pair = (size_t)(unsigned char)name.ptr[0] << 8 | (unsigned char)name.ptr[1];
	if (at->basename.ptr != name.ptr || (eco_pairs[pair / 8] >> (pair % 8) & 1))
		at->eco = df_eco_manager_run(v->cmd, v->name, &at->eco_runner);
	c->nall++;
}

typedef struct walk_ctx {
	df_cmds *cmds;
	df_cmd_view view;	/* where the commands being visited come from */
} walk_ctx;

/* A df_sh_visit_fn (ctx unused, may be NULL). */
static int visit(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	walk_ctx *w = ud;
	if (cmd->kind != DF_SH_SIMPLE || cmd->nwords == 0)
		return 0;
	w->view.cmd = cmd;
	w->view.name = df_sh_cmd_name_index(cmd);
	add_view(w->cmds, &w->view);
	return 0;
}

/* Visit the simple commands of s: from the list the parser kept (every
 * script without an error), else by a walk. */
static void collect(const df_sh_script *s, walk_ctx *w)
{
	if (!s->simple) {
		df_sh_walk(s, visit, w);
		return;
	}
	for (size_t i = 0; i < s->nsimple; i++)
		visit(s->simple[i], NULL, w);
}

/* Append the commands of in to c->all. */
static void load(df_cmds *c, const df_instr *in)
{
	walk_ctx w;
	memset(&w, 0, sizeof(w));
	w.cmds = c;
	if (in->exec_form && in->nargs) {
		/* Exec form is argv: a command of its own words, no shell. */
		df_sh_cmd *cmd = df_sh_argv_cmd(&c->arena, in->args, in->nargs);
		w.view.cmd = cmd;
		w.view.name = df_sh_cmd_name_index(cmd);
		w.view.text = &in->text;
		w.view.exec = in->args;
		add_view(c, &w.view);
		return;
	}
	if (in->script) {
		w.view.text = &in->text;
		w.view.base = in->args[0].text_off;
		collect(in->script, &w);
	}
	for (size_t i = 0; i < in->nheredocs; i++) {
		if (!in->heredocs[i].script)
			continue;
		w.view.text = &in->heredocs[i].body;
		w.view.base = 0;
		w.view.in_heredoc = true;
		collect(in->heredocs[i].script, &w);
	}
}

void df_cmds_select(df_cmds *c, const df_instr *in)
{
	if (in->index >= c->nloaded) {
		size_t n = in->index + 1 > 2 * c->nloaded ? in->index + 1 : 2 * c->nloaded;
		if (n < 32)
			n = 32;	/* most files' instructions: one allocation */
		c->loaded = df_arena_grow(&c->arena, c->loaded, c->nloaded, n, sizeof(*c->loaded));
		c->nloaded = n;
	}
	struct df_cmds_run *r = &c->loaded[in->index];
	if (r->in != in) {
		/* An ONBUILD and its trigger share an index; only a RUN loads. */
		r->in = in;
		r->first = c->nall;
		load(c, in);
		r->n = c->nall - r->first;
	}
	c->in = in;
	c->n = r->n;
	/* Nothing loaded yet (`RUN []` first): no array to point into. */
	c->views = c->all ? c->all + r->first : NULL;
	c->derived = c->all_derived ? c->all_derived + r->first : NULL;
}

const df_cmd_view df_cmds_as_is;

const df_cmd_view *df_cmds_expand(df_cmds *c, const df_cmd_view *v)
{
	size_t i = df_cmds_index(c, v);
	if (i == c->n)
		DF_BUG("expansion of a command that is not the current instruction's");
	if (!c->derived[i].expanded) {
		/* Most commands have no argument to expand: told here by a
		 * look at the words, before df_cmd_expanded() copies the
		 * command to say so. */
		const df_sh_cmd *vc = v->cmd;
		size_t k = v->name + 1;
		while (k < vc->nwords && !vc->words[k].has_expansion)
			k++;
		if (k >= vc->nwords || v->exec) {
			c->derived[i].expanded = &df_cmds_as_is;
			return v;
		}
		df_sh_cmd e = df_cmd_expanded(&c->arena, v, c->in);
		if (e.words == v->cmd->words) {
			/* Nothing expands: v is its own expansion, with no
			 * copy to make. */
			c->derived[i].expanded = &df_cmds_as_is;
			return v;
		}
		df_cmd_view *ev = df_arena_alloc_uninit(&c->arena, sizeof(*ev));
		df_sh_cmd *cmd = df_arena_alloc_uninit(&c->arena, sizeof(*cmd));
		*cmd = e;
		*ev = *v;
		ev->cmd = cmd;
		c->derived[i].expanded = ev;
	}
	return c->derived[i].expanded == &df_cmds_as_is ? v : c->derived[i].expanded;
}

void df_lint_eco_classify(df_lint *lint, const df_cmd_view *v, const df_cmd_view *e, df_arena *a,
			  const char *cwd, bool paths, df_eco_use *out)
{
	const void **memo = df_lint_cmd_memo(lint, v, DF_CMD_MEMO_ECO);
	if (memo && *memo && !paths) {
		*out = *(const df_eco_use *)*memo;
		return;
	}
	/* v->eco, found by the program's name unless through a runner, is
	 * e's manager too: expansion changes arguments only. */
	df_eco_classify_by(a, e->cmd, e->name, v->eco_runner ? NULL : v->eco, cwd, out);
	if (!memo || *memo)
		return;
	/* The paths are cwd's, and may live in a, which the caller may
	 * release before the file ends: not kept. */
	df_eco_use *kept = DF_ARENA_NEW(&df_lint_cmds(lint)->arena, df_eco_use);
	*kept = *out;
	kept->dir = NULL;
	kept->manifests = NULL;
	kept->nmanifests = 0;
	*memo = kept;
}

const df_sh_word **df_lint_positionals(df_lint *lint, const df_sh_cmd *c, size_t from,
				       const char *const *value_opts, size_t *n)
{
	/* Room for every word after from: one pass over the words, not one
	 * to count them and another to store them. */
	df_cmds *cs = df_lint_cmds(lint);
	for (size_t i = 0; i < cs->npos; i++) {
		const struct df_cmds_pos *p = &cs->pos[i];
		if (p->cmd == c && p->from == from && df_sh_positionals_same(c, &p->note, value_opts)) {
			*n = p->n;
			return p->words;
		}
	}
	size_t cap = c->nwords > from + 1 ? c->nwords - from - 1 : 1;
	const df_sh_word **out = df_arena_alloc_uninit(&cs->arena, cap * sizeof(*out));
	/* The commands are the instruction's or the arena's, which lives as
	 * long as the file: an address names one command for the file. The
	 * walk notes its words straight into the slot kept for it. */
	size_t slot = cs->npos;
	if (cs->npos < DF_ARRAY_LEN(cs->pos)) {
		cs->npos++;
	} else {
		slot = cs->pos_next;
		cs->pos_next = (slot + 1) % DF_ARRAY_LEN(cs->pos);
	}
	struct df_cmds_pos *p = &cs->pos[slot];
	*n = df_sh_positionals_noted(c, from, value_opts, out, cap, &p->note);
	p->cmd = c;
	p->from = from;
	p->words = out;
	p->n = *n;
	return out;
}

df_span df_cmd_word_span(const df_cmd_view *v, size_t i)
{
	if (v->exec)
		return v->exec[i].span;
	const df_sh_word *w = &v->cmd->words[i];
	return df_text_span(v->text, v->base + w->start, w->end - w->start);
}

static df_var_state lookup(void *ud, const char *name, size_t len, df_str *value)
{
	const df_var *var = df_scope_find(ud, name, len);
	if (!var || var->state != DF_EXP_KNOWN)
		return DF_VAR_UNKNOWN;	/* a build arg, or a variable of the script */
	*value = var->value;
	return DF_VAR_KNOWN;
}

/* Does s[0..n) hold "$("? Each '$' found is looked at: words are short, and
 * memmem() costs more to set up than this to run. */
static bool has_cmdsub(const char *s, size_t n)
{
	for (const char *d = memchr(s, '$', n); d; d = memchr(d + 1, '$', n - (size_t)(d + 1 - s)))
		if (d + 1 < s + n && d[1] == '(')
			return true;
	return false;
}

/* Does word i of v's command need expanding: an argument holding a variable
 * and no code? $(...), `...` and $((...)) run code: their value is unknown. */
static bool expandable(const df_cmd_view *v, size_t i)
{
	const df_sh_word *w = &v->cmd->words[i];
	return !v->exec && i > v->name && w->has_expansion && !memchr(w->value.ptr, '`', w->value.len) &&
	       !has_cmdsub(w->value.ptr, w->value.len);
}

df_sh_cmd df_cmd_expanded(df_arena *a, const df_cmd_view *v, const df_instr *in)
{
	const df_sh_cmd *c = v->cmd;
	df_sh_cmd out = *c;
	size_t first = v->name + 1;
	/* has_expansion first, in the loop: most words have none, and most
	 * commands no word to expand. */
	while (first < c->nwords && !(c->words[first].has_expansion && expandable(v, first)))
		first++;
	if (first >= c->nwords)
		return out;	/* nothing to expand: the words as they are */
	size_t cap = c->nwords;
	out.words = DF_ARENA_ARRAY(a, df_sh_word, cap);
	memcpy(out.words, c->words, first * sizeof(*c->words));
	out.nwords = first;
	df_expand_opts o = { .lookup = lookup, .ud = (void *)(in->outer ? NULL : in->scope) };
	for (size_t i = first; i < c->nwords; i++) {
		df_sh_word w = c->words[i];
		df_str *parts = &w.value;
		size_t nparts = 1;
		df_expand_result r;
		if (expandable(v, i)) {
			nparts = df_expand_words(a, w.raw.ptr, w.raw.len, &o, &parts, &r);
			if (r.status == DF_EXPAND_OK)
				w.has_expansion = false;
			else
				parts = &w.value, nparts = 1;
		}
		if (out.nwords + nparts > cap) {
			size_t ncap = out.nwords + nparts + c->nwords;
			out.words = df_arena_grow(a, out.words, cap, ncap, sizeof(df_sh_word));
			cap = ncap;
		}
		for (size_t k = 0; k < nparts; k++) {
			w.value = parts[k];
			out.words[out.nwords++] = w;
		}
	}
	return out;
}

bool df_cmd_has_word(const df_sh_cmd *c, size_t from, const char *word)
{
	/* Inline compares: rules ask it of every install, and most words
	 * differ from word in length or at the first byte. */
	for (size_t i = from + 1; i < c->nwords; i++)
		if (df_mem_eq(c->words[i].value.ptr, c->words[i].value.len, word))
			return true;
	return false;
}

bool df_cmd_any_unknown(const df_sh_cmd *c, size_t from)
{
	for (size_t i = from + 1; i < c->nwords; i++)
		if (c->words[i].has_expansion)
			return true;
	return false;
}
