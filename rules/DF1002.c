/* DF1002 - a per-build ARG declared above RUNs that do not need it. */
#include "engine/fixes.h"
#include "engine/rebuild.h"
#include "engine/rule.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* A per-build ARG of the current stage whose first use is not seen yet. */
typedef struct pending {
	const df_instr *arg;	/* the ARG declaring it */
	const df_kv *kv;
	const char *why;	/* why it changes per build */
	uint32_t lines[5];	/* the first RUNs below it */
	size_t nruns;		/* all of them */
} pending;

struct pending_args {
	pending *v;
	size_t len, cap;
};

static void on_instr(df_lint *lint, const df_instr *in, void *state);
static void on_stage_end(df_lint *lint, const df_stage *stage, void *state);
static void on_file_end(df_lint *lint, void *state);

const df_rule df_rule_DF1002 = {
	.code = "DF1002",
	.name = "arg-declared-before-expensive-steps",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_SAFE,
	.message = "ARG set per build is declared above RUN steps that do not use it",
	.docs = {
		.what = "Reports a stage ARG meant to take a new value per build that is declared "
			"above RUN steps of its stage that come before its first use. Such an ARG is one "
			"without a default (the build passes it; the default of the global ARG it declares "
			"again counts), one named for the build's version, "
			"commit, date or number (`VERSION`, `APP_VERSION`, `GIT_SHA`, `VCS_REF`, "
			"`COMMIT`, `REVISION`, `BUILD_DATE`, `TIMESTAMP`, `BUILD_NUMBER`, `BUILD_ID`, "
			"any name whose last `_`-separated word is SHA, COMMIT, REVISION, REF, DATE or "
			"TIMESTAMP, but not DATE_FORMAT), or a cache buster (`CACHEBUST`, `CACHE_BUST`, `NOCACHE` ...). The "
			"predefined platform and proxy args are not, nor are names programs read from "
			"the environment by themselves (NODE_ENV and any *_ENV, NPM_CONFIG_*, PIP_*, "
			"GOOS, CGO_ENABLED, CFLAGS, the locale ...): the RUNs below use them without "
			"naming them. A use is a `$NAME` the builder "
			"expands (ENV, COPY, WORKDIR ...) or the shell reads (RUN text, RUN heredoc "
			"scripts), or a new ARG of the same name. The RUNs between the ARG and that use "
			"are counted and listed; an ARG no instruction of the stage uses counts every "
			"RUN below it. ONBUILD triggers run in another build and count for nothing. "
			"Global ARGs (before the first FROM) are not in a stage's environment until the "
			"stage declares them again, and are not reported.\n\n"
			"The fix moves the ARG, as written and with the comment lines right above it (its "
			"description, its ignore pragmas), to just above the first use and the comment "
			"lines right above that. It is offered when nothing between the two reads any "
			"name the ARG declares (`ARG A B` moves whole, so both names must be first used "
			"at the same place), no ARG or ENV between sets a variable the ARG's default "
			"reads, nothing between has a parse error, and, for an ARG with comment lines "
			"above it, no other comment line lies between (comments keep their order); not "
			"when nothing uses the ARG.",
		.why = "BuildKit puts every ARG in scope with a value into the environment of each "
		       "RUN below it, used or not, and the environment is part of the RUN's cache "
		       "key. A value that changes every build (a commit, a date, a version) so "
		       "misses the cache at the first RUN after the ARG, and every later step of "
		       "the stage misses with it: package installs and dependency downloads that "
		       "have nothing to do with the value run again on each build. Declared just "
		       "above its first use, the ARG leaves the steps above that use cached. The RUNs "
		       "it passes no longer see the value, which they do not read: the move is safe.",
		.example = "FROM debian:12\nARG GIT_SHA\nRUN apt-get update && apt-get install -y "
			   "--no-install-recommends curl\nCOPY . /app\nRUN echo \"$GIT_SHA\" > /app/REVISION\n",
		.instead = "FROM debian:12\nRUN apt-get update && apt-get install -y "
			   "--no-install-recommends curl\nCOPY . /app\nARG GIT_SHA\n"
			   "RUN echo \"$GIT_SHA\" > /app/REVISION\n",
	},
	.state_size = sizeof(struct pending_args),
	.on_instr = on_instr,
	.on_stage_end = on_stage_end,
	.on_file_end = on_file_end,
};

static bool declares(const df_instr *arg, df_str name)
{
	for (size_t i = 0; i < arg->npairs; i++)
		if (arg->pairs[i].key.len == name.len && memcmp(arg->pairs[i].key.ptr, name.ptr, name.len) == 0)
			return true;
	return false;
}

/* Can arg move down to just above use? Nothing between may read a name
 * it declares (so `ARG A B` moves only when both are first used by use),
 * nor set a variable its defaults read; an instruction with a parse error
 * between may read anything. */
static bool movable(const df_doc *doc, const df_instr *arg, const df_instr *use)
{
	for (size_t i = arg->index + 1; i < use->index; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->has_error)
			return false;
		for (size_t k = 0; k < arg->npairs; k++)
			if (df_instr_reads_var(in, arg->pairs[k].key))
				return false;
		if (in->kind != DF_I_ARG && in->kind != DF_I_ENV)
			continue;
		for (size_t k = 0; k < arg->nuses; k++)
			if (declares(in, arg->uses[k].name))
				return false;
	}
	return true;
}

/* Does kv have a default: its own, or that of the global ARG it declares
 * again (`ARG BASE=debian` before FROM, `ARG BASE` in the stage)? */
static bool has_default(const df_lint *lint, const df_kv *kv)
{
	if (kv->has_value)
		return true;
	for (const df_var *g = df_lint_doc(lint)->globals; g; g = g->next)
		if (!g->predefined && g->name.len == kv->key.len && !memcmp(g->name.ptr, kv->key.ptr, kv->key.len))
			return g->state == DF_EXP_KNOWN;
	return false;
}

/* The message's words for why an ARG is set per build. */
static const char *const why_text[] = {
	[DF_PER_BUILD_CACHE_BUSTER] = "a cache buster",
	[DF_PER_BUILD_NO_DEFAULT] = "no default: set per build",
	[DF_PER_BUILD_NAMED] = "named for a value set per build",
};

static void report(df_lint *lint, const pending *p, const df_instr *use)
{
	const df_doc *doc = df_lint_doc(lint);
	bool fix = use && movable(doc, p->arg, use);
	df_span from = { 0, 0 }, to = { 0, 0 };
	if (fix) {
		/* Its comment lines go with it, unless others lie on the way:
		 * comment lines never change order. */
		from = df_instr_block(doc, p->arg);
		to = df_instr_block(doc, use);
		fix = from.start == p->arg->span.start || !df_comment_lines_in(doc, from.end, to.start);
	}
	df_buf msg;
	df_buf_init(&msg);
	/* Piece by piece rather than by format: many files have findings of
	 * this rule, and formatting costs more than the rest of it. The
	 * message is some 150 to 250 bytes: room for it at once, rather than
	 * grown from 64 as the pieces come. */
	df_buf_grow(&msg, 255);
	df_buf_adds(&msg, "ARG ");
	df_buf_add(&msg, p->kv->key.ptr, p->kv->key.len);
	df_buf_adds(&msg, " (");
	df_buf_adds(&msg, p->why);
	df_buf_adds(&msg, ") enters the cache key of ");
	df_buf_addu(&msg, p->nruns);
	df_buf_adds(&msg, p->nruns == 1 ? " RUN (" : " RUNs (");
	df_add_lines(&msg, p->lines, p->nruns);
	if (use) {
		df_buf_adds(&msg, ") before its first use at line ");
		df_buf_addu(&msg, use->line);
	} else {
		df_buf_adds(&msg, ") and nothing in the stage uses it");
	}
	df_buf_adds(&msg, p->nruns == 1 ? ": each new value re-runs it; " : ": each new value re-runs them; ");
	if (use) {
		df_buf_adds(&msg, "declare it just above line ");
		df_buf_addu(&msg, use->line);
	} else {
		df_buf_adds(&msg, "unless a program reads it from the environment, move it to the end of the "
				  "stage or drop it");
	}
	df_fix *f = df_report_fix(lint, &df_rule_DF1002, fix ? DF_FIX_SAFE : DF_FIX_NONE, p->kv->key_span, "%s",
				  df_buf_str(&msg));
	if (f && fix) {
		/* Moved as written: its lines keep their escape character and
		 * line endings, and the file's other lines stay as they are. */
		df_buf_reset(&msg);
		df_buf_add(&msg, doc->src.data + from.start, from.end - from.start);
		df_fix_edit(f, from.start, from.end, "");
		df_fix_edit_n(f, to.start, to.start, df_buf_str(&msg), msg.len);
	}
	df_buf_release(&msg);
}

/* on_instr() for an instruction that may use or declare an ARG. Not
 * inlined: on_instr() is called for every instruction, and most take its
 * early return, which then needs none of the registers this saves. */
static void __attribute__((noinline)) follow(df_lint *lint, const df_instr *in, struct pending_args *a)
{
	/* An ONBUILD trigger runs in another build: it neither uses the ARG
	 * nor makes a step here. */
	if (in->kind == DF_I_ONBUILD || in->has_error)
		return;
	for (size_t i = 0; i < a->len;) {
		pending *p = &a->v[i];
		if (df_instr_reads_var(in, p->kv->key) ||
		    (in->kind == DF_I_ARG && declares(in, p->kv->key))) {
			if (p->nruns)
				report(lint, p, in);
			a->v[i] = a->v[--a->len];	/* order does not matter: one report each */
			continue;
		}
		if (in->kind == DF_I_RUN) {
			if (p->nruns < DF_ARRAY_LEN(p->lines))
				p->lines[p->nruns] = in->line;
			p->nruns++;
		}
		i++;
	}
	if (in->kind != DF_I_ARG || in->stage < 0)
		return;
	for (size_t i = 0; i < in->npairs; i++) {
		df_per_build why = df_arg_per_build(&in->pairs[i], has_default(lint, &in->pairs[i]));
		/* An ARG a program reads from its environment (NODE_ENV for
		 * npm ci) is used by RUNs that never name it: moving it is
		 * not the user's to skip. */
		if (why == DF_PER_BUILD_NOT || df_arg_read_by_tools(in->pairs[i].key))
			continue;
		df_grow((void **)&a->v, &a->cap, a->len + 1, sizeof(*a->v));
		a->v[a->len++] = (pending){ .arg = in, .kv = &in->pairs[i], .why = why_text[why] };
	}
}

static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	struct pending_args *a = state;
	/* Most instructions end here: nothing pending, no ARG declared. */
	if (a->len || in->kind == DF_I_ARG)
		follow(lint, in, a);
}

static void on_stage_end(df_lint *lint, const df_stage *stage, void *state)
{
	(void)stage;
	struct pending_args *a = state;
	for (size_t i = 0; i < a->len; i++)
		if (a->v[i].nruns)
			report(lint, &a->v[i], NULL);
	a->len = 0;
}

static void on_file_end(df_lint *lint, void *state)
{
	(void)lint;
	struct pending_args *a = state;
	free(a->v);
}
