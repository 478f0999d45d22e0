/* DF1014 - a step meant to run every build sits above expensive steps. */
#include "engine/cmds.h"
#include "engine/rebuild.h"
#include "engine/rule.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static void on_stage_end(df_lint *lint, const df_stage *stage, void *state);
static void on_file_end(df_lint *lint, void *state);

/* A RUN of the current stage that runs anew every build, or is meant to,
 * with the RUNs seen below it. */
typedef struct buster {
	df_span span;		/* the word that makes it so */
	char what[64];		/* "uses ARG CACHEBUST", "runs `date`" */
	bool arg;		/* a cache-bust ARG: it re-runs every build */
	uint32_t lines[5];	/* the first RUNs below it */
	size_t nruns;
} buster;

struct busters {
	buster *v;
	size_t len, cap;
};

const df_rule df_rule_DF1014 = {
	.code = "DF1014",
	.name = "cache-busting-step",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_NONE,
	.message = "a step that runs anew every build is placed above other RUN steps",
	.docs = {
		.what = "Reports a RUN that is meant to run again on every build when other RUN steps "
			"of the same stage come after it. Such a RUN is one that reads a cache-bust ARG "
			"of its stage (`CACHEBUST`, `CACHE_BUST`, `CACHEBUSTER`, `NOCACHE`, `CACHE_DATE` "
			"..., in its text or a heredoc script), or one that keeps a value that differs at "
			"every run: the output of `date` (without `-d`/`--date`/`-r`/`--reference`, which "
			"print a fixed date) or `uuidgen` written to a file or taken by a `$(...)`, or "
			"`$RANDOM`, `$SRANDOM`, `$EPOCHSECONDS` or `$EPOCHREALTIME` outside single quotes. "
			"A bare `RUN date` only prints to the build log and is fine. The finding names "
			"the RUNs below it. A RUN that stamps the "
			"date as the last RUN of its stage is fine, and so is one followed only by COPY "
			"or metadata instructions. ONBUILD triggers are not judged.",
		.why = "BuildKit keys a RUN by its text and environment, not by what it prints, so "
		       "`echo $(date) > /build-date` is cached like any step and keeps the date of "
		       "the first build. The cures people reach for, a `CACHEBUST` build arg set to "
		       "the time or `--no-cache`, make the step miss on every build, and once a step "
		       "misses, every step after it in the stage misses too: the package installs "
		       "and dependency downloads below it run again each time. Placed last in the "
		       "stage (or in a stage of its own), the volatile step re-runs alone.",
		.example = "FROM node:22\nARG CACHEBUST\nRUN echo \"$CACHEBUST\" > /build-id\n"
			   "COPY package.json package-lock.json ./\nRUN npm ci\n",
		.instead = "FROM node:22\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
			   "ARG CACHEBUST\nRUN echo \"$CACHEBUST\" > /build-id\n",
	},
	.state_size = sizeof(struct busters),
	.instr_kinds = DF_KIND(DF_I_RUN),
	.on_instr = on_instr,
	.on_stage_end = on_stage_end,
	.on_file_end = on_file_end,
};

/* may_read_volatile() knows their first letters: keep it in step. */
static const char *const volatile_vars[] = { "RANDOM", "SRANDOM", "EPOCHSECONDS", "EPOCHREALTIME" };

typedef struct found {
	df_span span;
	char what[64];
	bool hit;
} found;

/* Is c a command whose output differs at every run? `date -d X` and
 * `date -r FILE` print a fixed date. */
static bool volatile_program(const df_sh_cmd *c)
{
	size_t name = df_sh_cmd_name_index(c);
	if (c->kind != DF_SH_SIMPLE || name >= c->nwords)
		return false;
	if (df_sh_word_is(&c->words[name], "uuidgen"))
		return true;
	return df_sh_word_is(&c->words[name], "date") && !df_sh_has_flag(c, name, "-d") &&
	       !df_sh_has_flag(c, name, "--date") && !df_sh_has_flag(c, name, "-r") &&
	       !df_sh_has_flag(c, name, "--reference");
}

static int volatile_visit(const df_sh_cmd *c, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	const df_sh_cmd **hit = ud;
	if (volatile_program(c)) {
		*hit = c;
		return 1;
	}
	return 0;
}

/* Does c send its output to a file? */
static bool writes_file(const df_sh_cmd *c)
{
	static const char *const ops[] = { ">", ">>", ">|", "&>", "&>>" };
	for (size_t i = 0; i < c->nredirs; i++)
		for (size_t k = 0; k < DF_ARRAY_LEN(ops); k++)
			if (!strcmp(c->redirs[i].op, ops[k]) && c->redirs[i].fd != 2)
				return true;
	return false;
}

/* Could text read one of volatile_vars? They all start with R, S or E:
 * a `$` or `${` before one of those letters is needed, and most words
 * with a `$` lack it, which spares the full look-up of each name. */
static bool may_read_volatile(df_str text)
{
	const char *end = text.ptr + text.len;
	for (const char *p = memchr(text.ptr, '$', text.len); p; p = memchr(p + 1, '$', (size_t)(end - p - 1))) {
		const char *q = p + 1 < end && p[1] == '{' ? p + 2 : p + 1;
		if (q < end && (*q == 'R' || *q == 'S' || *q == 'E'))
			return true;
	}
	return false;
}

/* A volatile value that the RUN keeps: the output of `date` or `uuidgen`
 * written to a file or taken by a substitution, or $RANDOM and the like
 * in a word. A bare `RUN date` only prints to the build log. */
static int volatile_cmd(const df_cmd_view *v, void *ud)
{
	found *f = ud;
	/* Most commands redirect nothing: told before their name is read. */
	if (v->cmd->nredirs && (df_cmd_named(v, "date") || df_cmd_named(v, "uuidgen")) &&
	    volatile_program(v->cmd) && writes_file(v->cmd)) {
		f->span = df_cmd_word_span(v, v->name);
		snprintf(f->what, sizeof(f->what), "stores the output of `%.*s`", (int)v->basename.len,
			 v->basename.ptr);
		return f->hit = true;
	}
	for (size_t i = v->name; i < v->cmd->nwords; i++) {
		/* A word with substitutions has an expansion too (shell.h):
		 * most words have neither, told by one look. */
		const df_sh_word *w = &v->cmd->words[i];
		if (!w->has_expansion)
			continue;
		for (size_t k = 0; k < w->nsubs; k++) {
			const df_sh_cmd *c = NULL;
			if (!df_sh_walk(w->subs[k], volatile_visit, &c))
				continue;
			size_t name = df_sh_cmd_name_index(c);
			f->span = df_cmd_word_span(v, i);
			snprintf(f->what, sizeof(f->what), "uses the output of `%.*s`",
				 (int)(c->words[name].value.len > 20 ? 20 : c->words[name].value.len),
				 c->words[name].value.ptr);
			return f->hit = true;
		}
		bool dollar = may_read_volatile(w->raw);
		for (size_t k = 0; k < DF_ARRAY_LEN(volatile_vars) && dollar; k++) {
			df_str name = { volatile_vars[k], strlen(volatile_vars[k]) };
			if (!df_text_reads_var(w->raw, name))
				continue;
			f->span = df_cmd_word_span(v, i);
			snprintf(f->what, sizeof(f->what), "reads `$%s`", volatile_vars[k]);
			return f->hit = true;
		}
	}
	return 0;
}

static bool bust_binding(const df_var *b, const df_instr *in)
{
	return b && !b->is_env && !b->predefined && !b->barrier && b->def && b->def->stage == in->stage &&
	       df_arg_busts_cache(b->name);
}

/* The cache-bust ARG of in's stage that in reads, or NULL. */
static const df_var *bust_arg(const df_instr *in)
{
	for (size_t i = 0; i < in->nuses; i++)
		if (bust_binding(in->uses[i].def, in))
			return in->uses[i].def;
	/* Heredoc scripts and exec-form argv record no uses: ask the ARGs in
	 * scope. */
	if (!in->nheredocs && !in->exec_form)
		return NULL;
	for (const df_var *b = in->scope; b && !b->barrier; b = b->next)
		if (bust_binding(b, in) && df_instr_reads_var(in, b->name))
			return b;
	return NULL;
}

static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	struct busters *a = state;
	if (in->kind != DF_I_RUN || in->has_error)
		return;
	for (size_t i = 0; i < a->len; i++) {
		if (a->v[i].nruns < DF_ARRAY_LEN(a->v[i].lines))
			a->v[i].lines[a->v[i].nruns] = in->line;
		a->v[i].nruns++;
	}
	found f = { .hit = false };
	const df_var *arg = bust_arg(in);
	if (arg) {
		f.hit = true;
		f.span = in->keyword_span;
		for (size_t i = 0; i < in->nuses; i++)
			if (in->uses[i].name.len == arg->name.len &&
			    !memcmp(in->uses[i].name.ptr, arg->name.ptr, arg->name.len)) {
				f.span = in->uses[i].span;
				break;
			}
		snprintf(f.what, sizeof(f.what), "reads ARG %.*s", (int)arg->name.len, arg->name.ptr);
	} else {
		df_lint_each_command(lint, in, volatile_cmd, &f);
	}
	if (!f.hit)
		return;
	df_grow((void **)&a->v, &a->cap, a->len + 1, sizeof(*a->v));
	buster *b = &a->v[a->len++];
	*b = (buster){ .span = f.span, .arg = arg != NULL };
	memcpy(b->what, f.what, sizeof(b->what));
}

static void on_stage_end(df_lint *lint, const df_stage *stage, void *state)
{
	(void)stage;
	struct busters *a = state;
	for (size_t i = 0; i < a->len; i++) {
		const buster *b = &a->v[i];
		if (!b->nruns)
			continue;
		df_buf msg;
		df_buf_init(&msg);
		df_buf_addf(&msg, "this RUN %s: ", b->what);
		if (b->arg)
			df_buf_adds(&msg, "each new value re-runs it");
		else
			df_buf_adds(&msg, "it is cached by its text, so it keeps a stale value unless forced "
					  "to re-run");
		if (b->nruns == 1)
			df_buf_adds(&msg, ", and every re-run re-runs the RUN after it (");
		else
			df_buf_addf(&msg, ", and every re-run re-runs the %zu RUNs after it (", b->nruns);
		df_add_lines(&msg, b->lines, b->nruns);
		df_buf_adds(&msg, "); move it to the end of the stage");
		df_report(lint, &df_rule_DF1014, b->span, "%s", df_buf_str(&msg));
		df_buf_release(&msg);
	}
	a->len = 0;
}

static void on_file_end(df_lint *lint, void *state)
{
	(void)lint;
	struct busters *a = state;
	free(a->v);
}
