/* DL3010 - use ADD to extract a local archive. */
#include "engine/cmds.h"
#include "engine/rule.h"
#include "parse/flags.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);
static void release(df_lint *lint, void *state);

/* The programs that extract an archive: tar when told to (extracts()), the
 * others always. A RUN that runs none of them (most do not) is no business
 * of this rule: the engine leaves it out (df_rule.commands). */
static const char *const extractors[] = {
	"tar", "unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat", NULL,
};

/* An archive a COPY of the current stage brought in, not yet seen extracted. */
typedef struct archive {
	df_str name;	/* basename */
	df_span span;	/* the COPY word naming it */
} archive;

typedef struct archives {
	archive *v;
	size_t len, cap;
} archives;

const df_rule df_rule_DL3010 = {
	.code = "DL3010",
	.name = "add-to-extract-archive",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "Use `ADD` for extracting archives into an image.",
	.docs = {
		.what = "Reports a COPY (without --from) of a local archive (.tar, .gz, .tgz, .xz, "
			"...; the destination's name when it is itself an archive name) that a "
			"later RUN of the same stage extracts with `tar -x`/`--extract`/`--get` or "
			"with unzip, gunzip, bunzip2, unlzma, unxz, zgz, uncompress, zcat or gzcat. "
			"As in hadolint, only the last stage is checked (in a file with no FROM, "
			"every line).",
		.why = "ADD unpacks a local archive in one step; COPY plus a RUN that extracts it "
		       "stores the archive in a layer of its own for nothing.",
		.example = "FROM alpine:3.20\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt\n",
		.instead = "FROM alpine:3.20\nADD app.tar.gz /opt/\n",
	},
	.state_size = sizeof(archives),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_COPY) | DF_KIND(DF_I_RUN),
	.commands = extractors,
	.on_instr = check,
	.on_file_end = release,
};

/* Quotes dropped. */
static df_str unquoted(df_str s)
{
	while (s.len && (s.ptr[0] == '"' || s.ptr[0] == '\'')) {
		s.ptr++;
		s.len--;
	}
	while (s.len && (s.ptr[s.len - 1] == '"' || s.ptr[s.len - 1] == '\''))
		s.len--;
	return s;
}

/* Quotes dropped, then what follows the last '/' or '\'. */
static df_str basename_of(df_str s)
{
	s = unquoted(s);
	for (size_t i = s.len; i > 0; i--)
		if (s.ptr[i - 1] == '/' || s.ptr[i - 1] == '\\')
			return (df_str){ s.ptr + i, s.len - i };
	return s;
}

/* Does the unquoted path s name an archive? What follows its last dot is
 * the extension of its basename too, or holds a '/' or '\' and is none:
 * the path needs no cutting to its basename first. */
static bool is_archive(df_str s)
{
	const char *dot = s.len ? memrchr(s.ptr, '.', s.len) : NULL;
	if (!dot)
		return false;
	/* Each one dot and the letters after it: one look at the last dot
	 * finds which. */
	static const char *const exts[] = {
		".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2",
		".tgz", ".tlz", ".tpz", ".txz", ".xz",
	};
	size_t n = s.len - (size_t)(dot - s.ptr);
	for (size_t i = 0; i < DF_ARRAY_LEN(exts); i++)
		if (df_mem_eq(dot, n, exts[i]))
			return true;
	return false;
}

static bool str_eq(df_str a, df_str b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* The word's value as the builder sees it; false when it is unknown. */
static bool word_value(const df_word *w, df_str *out)
{
	if (w->exp.state == DF_EXP_UNKNOWN || w->exp.state == DF_EXP_ERROR)
		return false;
	*out = w->exp.state == DF_EXP_KNOWN ? w->exp.value : w->value;
	return true;
}

static void remember(archives *a, const df_word *w)
{
	df_str v;
	if (!word_value(w, &v))
		return;
	if (!is_archive(unquoted(v)))
		return;
	df_str name = basename_of(v);
	for (size_t i = 0; i < a->len; i++)
		if (str_eq(a->v[i].name, name) && a->v[i].span.start == w->span.start)
			return;
	df_grow((void **)&a->v, &a->cap, a->len + 1, sizeof(archive));
	a->v[a->len++] = (archive){ name, w->span };
}

static bool extracts(const df_cmd_view *v)
{
	if (df_cmd_named(v, "tar")) {
		for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
			df_str s = v->cmd->words[i].value;
			if (df_mem_eq(s.ptr, s.len, "--extract") || df_mem_eq(s.ptr, s.len, "--get"))
				return true;
			if (s.len > 1 && s.ptr[0] == '-' && s.ptr[1] != '-' && memchr(s.ptr, 'x', s.len))
				return true;
		}
		return false;
	}
	for (const char *const *e = extractors; *e; e++)
		if (df_cmd_named(v, *e))
			return true;
	return false;
}

typedef struct run_ctx {
	df_lint *lint;
	archives *a;
} run_ctx;

static int each(const df_cmd_view *v, void *ud)
{
	run_ctx *c = ud;
	if (!extracts(v))
		return 0;
	for (size_t i = v->name + 1; i < v->cmd->nwords; i++) {
		df_str s = v->cmd->words[i].value;
		if (s.len && s.ptr[0] == '-')
			continue;	/* hadolint compares the non-flag arguments */
		df_str name = basename_of(s);
		for (size_t k = 0; k < c->a->len;) {
			if (!str_eq(c->a->v[k].name, name)) {
				k++;
				continue;
			}
			df_report(c->lint, &df_rule_DL3010, c->a->v[k].span, NULL);
			c->a->v[k] = c->a->v[--c->a->len];	/* reported once */
		}
	}
	return 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	archives *a = state;
	if (in->kind == DF_I_FROM) {
		a->len = 0;
		return;
	}
	/* A RUN is looked at only after the COPY of an archive, which most
	 * files have none of. */
	if (in->kind == DF_I_RUN && !a->len)
		return;
	/* hadolint's state (its findings included) resets at every FROM and its
	 * findings are made at the end: only the last stage is reported (in a
	 * file with no FROM, the lines there are). */
	size_t nstages = df_lint_doc(lint)->nstages;
	if (in->has_error || (in->stage < 0 ? nstages != 0 : (size_t)in->stage + 1 != nstages))
		return;
	if (in->kind == DF_I_COPY && in->dest && !df_instr_flag(in, "from")) {
		df_str d;
		if (word_value(in->dest, &d) && is_archive(unquoted(d))) {
			remember(a, in->dest);
			return;
		}
		for (size_t i = 0; i < in->nsources; i++)
			remember(a, &in->sources[i]);
	} else if (in->kind == DF_I_RUN) {
		run_ctx c = { lint, a };
		df_lint_each_command(lint, in, each, &c);
	}
}

static void release(df_lint *lint, void *state)
{
	(void)lint;
	archives *a = state;
	free(a->v);
	a->v = NULL;
	a->len = a->cap = 0;
}
