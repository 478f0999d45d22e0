/* DL3000 - use an absolute WORKDIR. */
#include "engine/rule.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void note(df_lint *lint, const df_instr *in, void *state);
static void check(df_lint *lint, void *state);

typedef struct seen {
	/* A WORKDIR this rule reports: the walk at the end, which finds
	 * each its fix, only serves those, and most files have none. */
	bool any_reported;
} seen;

const df_rule df_rule_DL3000 = {
	.code = "DL3000",
	.name = "absolute-workdir",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_SAFE,
	.message = "Use absolute WORKDIR",
	.docs = {
		.what = "Reports a WORKDIR whose path is relative. The fix writes the absolute path "
			"it resolves to (`WORKDIR app` after `WORKDIR /srv` becomes `WORKDIR /srv/app`): "
			"safe when the directory in force before is known (an earlier absolute "
			"WORKDIR of the stage or of the stage it is built on, or `FROM scratch`); "
			"unsafe when it comes from an image, whose own WORKDIR dfopt cannot see "
			"and assumes to be `/`, the default. A path that holds a variable, a quote "
			"or an escape, or follows a WORKDIR whose path is unknown, gets no fix; nor "
			"does a WORKDIR before the first FROM, which is still checked, as in hadolint.",
		.why = "A relative WORKDIR is resolved against whatever directory the base image "
		       "or an earlier WORKDIR left behind, so the same line means different places "
		       "in different builds.",
		.example = "FROM alpine\nWORKDIR app\n",
		.instead = "FROM alpine\nWORKDIR /app\n",
	},
	.state_size = sizeof(seen),
	.instr_kinds = DF_KIND(DF_I_WORKDIR),
	.on_instr = note,
	.on_file_end = check,
};

/* hadolint's test: after quotes, '/' or '$' or a Windows drive "X:". When
 * the builder's expansion is known, dfopt judges the expanded path. */
static bool absolute(df_str p)
{
	size_t i = 0;
	while (i < p.len && (p.ptr[i] == '"' || p.ptr[i] == '\''))
		i++;
	if (i >= p.len)
		return false;
	char c = p.ptr[i];
	if (c == '/' || c == '$' || c == '\\')
		return true;
	return i + 1 < p.len && p.ptr[i + 1] == ':' &&
	       ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* Is in a WORKDIR this rule reports: one whose path is relative, unless
 * its value is unknown? */
static bool reported(const df_instr *in)
{
	if (in->kind != DF_I_WORKDIR || in->has_error || in->nargs != 1)
		return false;
	const df_word *w = &in->args[0];
	return w->exp.state != DF_EXP_UNKNOWN && !absolute(w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->raw);
}

/* Text the fix can write as it is and the builder reads back unchanged: no
 * quote, variable, escape or backslash (a Windows path is no POSIX one). */
static bool plain(df_str s, char escape)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == '"' || c == '\'' || c == '$' || c == '\\' || c == (unsigned char)escape || c < 0x20)
			return false;
	}
	return true;
}

/*
 * The WORKDIR of each stage as the walk goes, and how far it can be
 * trusted: the fix needs to know why a path is unknown, not only that it
 * is. An image's own WORKDIR is a guess dfopt may offer as an unsafe fix; a
 * path from an unknown build arg is no guess.
 */
typedef enum origin {
	KNOWN,		/* every WORKDIR seen, or scratch */
	IMAGE,		/* relative to an image's WORKDIR, assumed "/" */
	UNKNOWN,	/* a WORKDIR whose value is unknown */
} origin;

typedef struct workdir {
	char *path;	/* absolute and clean; owned */
	origin from;
} workdir;

/* dir joined with rel (rel alone when absolute), cleaned as the builder
 * does: no empty or "." elements, ".." drops the one before it (never
 * above "/"). Returns a new string. */
static char *resolve(const char *dir, df_str rel)
{
	bool abs = rel.len && rel.ptr[0] == '/';
	size_t dlen = abs ? 0 : strlen(dir), n = dlen + 1 + rel.len, o = 0;
	char *in = df_xmalloc(n + 1), *out = df_xmalloc(n + 2);
	memcpy(in, dir, dlen);
	in[dlen] = '/';
	memcpy(in + dlen + 1, rel.ptr, rel.len);
	for (size_t r = 0; r < n;) {
		while (r < n && in[r] == '/')
			r++;
		size_t e = r;
		while (e < n && in[e] != '/')
			e++;
		if (e - r == 2 && in[r] == '.' && in[r + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (e > r && !(e - r == 1 && in[r] == '.')) {
			out[o++] = '/';
			memcpy(out + o, in + r, e - r);
			o += e - r;
		}
		r = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(in);
	return out;
}

/* Report in's relative path w, offering the path it resolves to from wd. */
static void judge(df_lint *lint, const df_instr *in, const df_word *w, const workdir *wd)
{
	const df_doc *doc = df_lint_doc(lint);
	df_fix_kind kind = wd->from == KNOWN ? DF_FIX_SAFE : wd->from == IMAGE ? DF_FIX_UNSAFE : DF_FIX_NONE;
	/* The word is rewritten whole, so it must be one run of source text
	 * and mean what it says. */
	if (in->outer || w->span.end - w->span.start != w->raw.len || !plain(w->raw, doc->escape) ||
	    !plain((df_str){ wd->path, strlen(wd->path) }, doc->escape))
		kind = DF_FIX_NONE;
	df_fix *fix = df_report_fix(lint, &df_rule_DL3000, kind, w->span, NULL);
	if (!fix || kind == DF_FIX_NONE)
		return;
	char *abs = resolve(wd->path, w->raw);
	df_fix_edit(fix, w->span.start, w->span.end, abs);
	free(abs);
}

static void note(df_lint *lint, const df_instr *in, void *state)
{
	(void)lint;
	seen *s = state;
	s->any_reported = s->any_reported || reported(in);
}

/* A stage starts from its base stage's last WORKDIR: a walk over the whole
 * file at the end, in order, since a base always comes first. */
static void check(df_lint *lint, void *state)
{
	const seen *s = state;
	if (!s->any_reported)
		return;
	const df_doc *doc = df_lint_doc(lint);
	const df_graph *g = df_lint_graph(lint);
	workdir *at = df_xcalloc(g->nstages ? g->nstages : 1, sizeof(*at));
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		if (in->stage < 0 && reported(in)) {
			/* Before the first FROM, as hadolint checks it: no fix. */
			judge(lint, in, &in->args[0], &(workdir){ "/", UNKNOWN });
			continue;
		}
		if (in->stage < 0 || (size_t)in->stage >= g->nstages)
			continue;
		workdir *wd = &at[in->stage];
		if (in->kind == DF_I_FROM) {
			const df_stage *st = &g->stages[in->stage];
			bool on_stage = st->base_kind == DF_BASE_STAGE && st->base_stage >= 0 && st->base_stage < in->stage;
			free(wd->path);
			wd->path = df_xstrdup(on_stage && at[st->base_stage].path ? at[st->base_stage].path : "/");
			wd->from = on_stage ? at[st->base_stage].from : st->base_kind == DF_BASE_SCRATCH ? KNOWN : IMAGE;
			continue;
		}
		if (in->kind != DF_I_WORKDIR || in->has_error || in->nargs != 1 || !wd->path)
			continue;
		const df_word *w = &in->args[0];
		df_str path = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->raw;
		/* As the graph reads it: a value is known when expanded or
		 * when there was nothing to expand. */
		bool known = w->exp.state == DF_EXP_KNOWN ||
			     (w->exp.state == DF_EXP_NONE && !memchr(w->raw.ptr, '$', w->raw.len));
		if (reported(in))
			judge(lint, in, w, &(workdir){ wd->path, known ? wd->from : UNKNOWN });
		if (!known || (absolute(path) && !(path.len && path.ptr[0] == '/'))) {
			wd->from = UNKNOWN;	/* or a Windows path, which this does not model */
		} else {
			char *next = resolve(wd->path, path);
			free(wd->path);
			wd->path = next;
			if (path.len && path.ptr[0] == '/')
				wd->from = KNOWN;
		}
	}
	for (size_t i = 0; i < g->nstages; i++)
		free(at[i].path);
	free(at);
}
