/* graph.c - the instruction graph; see graph.h. */
#include "graph/graph.h"
#include "graph/filemodel.h"
#include "parse/dump.h"
#include "parse/flags.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static df_str val_of(const df_word *w, bool *known)
{
	if (w->exp.state == DF_EXP_KNOWN) {
		*known = true;
		return w->exp.value;
	}
	*known = w->exp.state == DF_EXP_NONE && !memchr(w->value.ptr, '$', w->value.len);
	return w->value;
}

/* Stage names are case-insensitive; the builder stores them lower-cased. */
static df_str lower(df_arena *a, df_str s)
{
	char *p = df_arena_alloc(a, s.len + 1);
	for (size_t i = 0; i < s.len; i++)
		p[i] = (char)df_to_lower((unsigned char)s.ptr[i]);
	return (df_str){ p, s.len };
}

static bool str_ieq(df_str a, df_str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (df_to_lower((unsigned char)a.ptr[i]) != df_to_lower((unsigned char)b.ptr[i]))
			return false;
	return true;
}

int df_graph_stage_ref(const df_graph *g, df_str ref, size_t before)
{
	if (ref.len == 0)
		return -1;
	for (size_t i = before; i-- > 0;)
		if (g->stages[i].name.ptr && str_ieq(g->stages[i].name, ref))
			return (int)i;
	bool digits = ref.len < 9;
	for (size_t i = 0; i < ref.len && digits; i++)
		digits = df_is_digit((unsigned char)ref.ptr[i]);
	if (digits) {
		size_t n = 0;
		for (size_t i = 0; i < ref.len; i++)
			n = n * 10 + (size_t)(ref.ptr[i] - '0');
		if (n < before)
			return (int)n;
	}
	return -1;
}

int df_graph_instr_index(const df_graph *g, const df_instr *in)
{
	if (in->index < g->doc->ninstrs && g->doc->instrs[in->index] == in)
		return (int)in->index;
	return -1;
}

bool df_graph_chain_has(const df_graph *g, const df_doc *doc, size_t si, bool (*has)(const df_instr *in))
{
	/* Each base comes before the stage built on it: the chain ends. */
	for (;;) {
		const df_stage *st = &g->stages[si];
		for (size_t i = st->first; i <= st->last && i < doc->ninstrs; i++)
			if (has(doc->instrs[i]))
				return true;
		if (st->base_kind != DF_BASE_STAGE || st->base_stage < 0 || (size_t)st->base_stage >= si)
			return false;
		si = (size_t)st->base_stage;
	}
}

bool df_graph_stage_name_taken(const df_graph *g, int stage)
{
	if (stage < 0 || (size_t)stage >= g->nstages || !g->stages[stage].name.ptr)
		return false;
	df_str name = g->stages[stage].name;
	for (int i = 0; i < stage; i++) {
		df_str other = g->stages[i].name;
		if (other.ptr && other.len == name.len && memcmp(other.ptr, name.ptr, name.len) == 0)
			return true;
	}
	return false;
}

static void add_edge(df_graph *g, size_t *cap, df_edge e)
{
	if (g->nedges == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		g->edges = df_arena_grow_uninit(&g->arena, g->edges, g->nedges, ncap, sizeof(df_edge));
		*cap = ncap;
	}
	g->edges[g->nedges++] = e;
}

/* Add the def-use edges of in (instruction i) from the uses scope
 * resolution found: one pass with the steps, not a second over the
 * instructions. */
static void add_defuses(df_graph *g, size_t *cap, const df_instr *in, size_t i)
{
	for (size_t u = 0; u < in->nuses; u++) {
		const df_var *def = in->uses[u].def;
		if (!def || !def->def)
			continue;
		int d = df_graph_instr_index(g, def->def);
		if (d < 0)
			continue;
		if (g->ndefuses == *cap) {
			size_t ncap = *cap ? *cap * 2 : 8;
			g->defuses = df_arena_grow_uninit(&g->arena, g->defuses, g->ndefuses, ncap, sizeof(df_defuse));
			*cap = ncap;
		}
		g->defuses[g->ndefuses++] = (df_defuse){ (size_t)d, i, in->uses[u].name, in->uses[u].by_shell };
	}
}

static df_step_kind step_kind(df_instr_kind k)
{
	switch (k) {
	case DF_I_FROM: return DF_STEP_BASE;
	case DF_I_RUN: case DF_I_COPY: case DF_I_ADD: return DF_STEP_LAYER;
	case DF_I_WORKDIR: return DF_STEP_STATE;
	case DF_I_ARG: case DF_I_ENV: case DF_I_USER: case DF_I_SHELL: return DF_STEP_ENV;
	default: return DF_STEP_CONFIG;
	}
}

/* Go's path.Clean of an absolute path in buf[0..n): one slash between
 * elements, no "." elements, ".." removes the element before it (never
 * above "/"). Cleans in place, returns the new length (at least 1). */
static size_t clean_abs(char *buf, size_t n)
{
	size_t w = 1, r = 0;
	buf[0] = '/';
	while (r < n) {
		while (r < n && buf[r] == '/')
			r++;
		size_t e = r;
		while (e < n && buf[e] != '/')
			e++;
		size_t len = e - r;
		if (len == 0 || (len == 1 && buf[r] == '.')) {
			/* nothing */
		} else if (len == 2 && buf[r] == '.' && buf[r + 1] == '.') {
			while (w > 1 && buf[w - 1] != '/')
				w--;
			if (w > 1)
				w--;
		} else {
			if (w > 1)
				buf[w++] = '/';
			/* Until something is dropped the element is already
			 * in place: most paths are clean. */
			if (w != r)
				memmove(buf + w, buf + r, len);
			w += len;
		}
		r = e;
	}
	return w;
}

#ifdef __SSE2__
/* A bit for each of buf[0..len) (len <= 64) that is c, bit i for buf[i];
 * the bytes up to the next multiple of sixteen are read and must not be c. */
static uint64_t byte_bits(const char *buf, size_t len, char c)
{
	uint64_t bits = 0;
	for (size_t i = 0; i < len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
		bits |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))) << i;
	}
	return bits;
}
#endif

/* Would clean_abs() leave the absolute path buf[0..n) as it is? It does
 * when no element is empty, "." or "..", and no '/' ends the path but "/"
 * itself: most paths, answered from the masks of their slashes and dots
 * instead of element by element. buf must have sixteen zero bytes at n. */
static bool is_clean_abs(const char *buf, size_t n)
{
#ifdef __SSE2__
	if (n < 64) {
		uint64_t slash = byte_bits(buf, n, '/'), dot = byte_bits(buf, n, '.');
		uint64_t sep = slash | (uint64_t)1 << n;	/* an element ends at a '/' or at n */
		uint64_t bad = (slash & slash >> 1) |				/* "//" */
			       (slash & dot >> 1 & sep >> 2) |			/* "/." */
			       (slash & dot >> 1 & dot >> 2 & sep >> 3);	/* "/.." */
		return !bad && (n == 1 || buf[n - 1] != '/');
	}
#else
	(void)buf;
	(void)n;
#endif
	return false;
}

/* Resolve rel against the directory dir as the builder does: an absolute
 * path stands alone, a relative one is joined; the result is cleaned, and
 * keep_slash keeps a trailing '/' of rel (COPY destinations). */
static df_str resolve_path(df_arena *a, df_str dir, df_str rel, bool keep_slash)
{
	bool abs = rel.len && rel.ptr[0] == '/';
	/* Room for a '/' before dir, one after it, one kept at the end, and
	 * the sixteen zero bytes is_clean_abs() reads past the path. */
	size_t cap = (abs ? 0 : dir.len) + rel.len + 3 + 16;
	/* Written whole below (and NUL-terminated): no clearing first. */
	char *buf = df_arena_alloc_uninit(a, cap);
	size_t n = 0;
	/* clean_abs() wants the path to start with '/': one is added only
	 * when dir lacks it, as a doubled slash would make it move every
	 * element of a path that is already clean. */
	if (!abs) {
		if (!dir.len || dir.ptr[0] != '/')
			buf[n++] = '/';
		memcpy(buf + n, dir.ptr, dir.len);
		n += dir.len;
		buf[n++] = '/';
	}
	memcpy(buf + n, rel.ptr, rel.len);
	n += rel.len;
	/* A trailing '/' or "/." (a destination "./", a join with ".") adds
	 * nothing to what the path cleans to: without it, such a path often
	 * needs no cleaning. */
	while ((n > 1 && buf[n - 1] == '/') || (n > 2 && buf[n - 1] == '.' && buf[n - 2] == '/'))
		n -= buf[n - 1] == '/' ? 1 : 2;
	memset(buf + n, 0, 16);
	if (!is_clean_abs(buf, n))
		n = clean_abs(buf, n);
	bool slash = rel.len && (rel.ptr[rel.len - 1] == '/' ||
				 (rel.len >= 2 && rel.ptr[rel.len - 1] == '.' && rel.ptr[rel.len - 2] == '/'));
	if (keep_slash && slash && n > 1)
		buf[n++] = '/';
	buf[n] = '\0';
	return (df_str){ buf, n };
}

static bool is_remote(df_str s)
{
	static const char *const prefixes[] = { "http://", "https://", "git@", "git://", "ssh://" };
	for (size_t i = 0; i < DF_ARRAY_LEN(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (s.len >= n && df_mem_ieq(s.ptr, n, prefixes[i]))
			return true;
	}
	return false;
}

static df_copy_model *copy_model(df_graph *g, const df_instr *in, const df_step *st, size_t stage_index,
				 size_t *ecap, size_t idx)
{
	df_copy_model *m = DF_ARENA_NEW(&g->arena, df_copy_model);
	m->stage = -1;
	m->origin = DF_COPY_CONTEXT;
	const df_flag *from = in->kind == DF_I_COPY ? df_instr_flag(in, "from") : NULL;
	if (from && from->has_value) {
		int s = df_graph_stage_ref(g, from->value, stage_index);
		if (s >= 0) {
			m->origin = DF_COPY_STAGE;
			m->stage = s;
			add_edge(g, ecap, (df_edge){ DF_EDGE_COPY, s, stage_index, idx, from->value });
		} else {
			m->origin = DF_COPY_IMAGE;
			m->image = from->value;
			add_edge(g, ecap, (df_edge){ DF_EDGE_COPY, -1, stage_index, idx, from->value });
		}
	}
	/* Each source fills one slot below: no clearing first. */
	m->sources = df_arena_alloc_uninit(&g->arena, (in->nsources ? in->nsources : 1) * sizeof(df_str));
	size_t heredocs = 0, remote = 0;
	for (size_t i = 0; i < in->nsources; i++) {
		bool known;
		bool is_heredoc = false;
		for (size_t h = 0; h < in->nheredocs; h++)
			if (in->sources[i].span.start == in->heredocs[h].marker_span.start) {
				is_heredoc = true;
				m->sources[m->nsources++] = in->heredocs[h].name;
			}
		if (is_heredoc) {
			heredocs++;
			continue;
		}
		df_str v = val_of(&in->sources[i], &known);
		if (in->kind == DF_I_ADD && is_remote(v))
			remote++;
		m->sources[m->nsources++] = v;
	}
	if (m->origin == DF_COPY_CONTEXT && in->nsources && heredocs == in->nsources)
		m->origin = DF_COPY_HEREDOC;
	else if (m->origin == DF_COPY_CONTEXT && in->nsources && remote == in->nsources)
		m->origin = DF_COPY_URL;
	if (in->dest) {
		bool known;
		df_str d = val_of(in->dest, &known);
		m->dest = resolve_path(&g->arena, st->workdir, d, true);
		m->dest_known = known && (st->workdir_known || (d.len && d.ptr[0] == '/'));
		/* "dir/", ".", "..": the destination names a directory. */
		bool dot_end = d.len && d.ptr[d.len - 1] == '.' &&
			       (d.len == 1 || d.ptr[d.len - 2] == '/' ||
				(d.ptr[d.len - 2] == '.' && (d.len == 2 || d.ptr[d.len - 3] == '/')));
		m->dest_is_dir = (d.len && d.ptr[d.len - 1] == '/') || dot_end || in->nsources > 1;
	}
	return m;
}

static void mount_edges(df_graph *g, const df_instr *in, size_t stage_index, size_t *ecap, size_t idx)
{
	for (size_t i = 0; i < in->nflags; i++) {
		const df_flag *f = &in->flags[i];
		if (f->type != DF_FLAG_MOUNT || !f->mount || !f->mount->from.ptr)
			continue;
		int s = df_graph_stage_ref(g, f->mount->from, stage_index);
		add_edge(g, ecap, (df_edge){ DF_EDGE_MOUNT, s, stage_index, idx, f->mount->from });
	}
}

static void mark_reachable(df_graph *g, size_t s)
{
	/* Iterative DFS: edges only point to earlier stages, so depth is bounded
	 * by the stage count, but hostile files may have many. */
	size_t *stack = df_arena_alloc_uninit(&g->arena, sizeof(size_t) * (g->nstages + 1));
	size_t top = 0;
	stack[top++] = s;
	while (top) {
		size_t cur = stack[--top];
		if (g->stages[cur].reachable)
			continue;
		g->stages[cur].reachable = true;
		for (size_t e = 0; e < g->nedges; e++)
			if (g->edges[e].to == cur && g->edges[e].from >= 0 &&
			    !g->stages[g->edges[e].from].reachable && top < g->nstages)
				stack[top++] = (size_t)g->edges[e].from;
	}
}

int df_graph_build(df_graph *g, const df_doc *doc, const char *target)
{
	memset(g, 0, sizeof(*g));
	g->doc = doc;
	g->target = -1;
	df_arena_init(&g->arena);
	size_t n = doc->ninstrs, ecap = 0, dcap = 0;
	/* Sized once, so from the arena: a lint run builds a graph per file,
	 * and the arena's one block serves what would be several mallocs.
	 * The loop below writes every step whole: no clearing first. */
	g->steps = df_arena_alloc_uninit(&g->arena, (n ? n : 1) * sizeof(df_step));
	if (n == 0)
		memset(g->steps, 0, sizeof(df_step));
	/* df_doc_parse() counted the FROMs (scope resolution numbers the
	 * stages). */
	size_t nfrom = doc->nstages;
	g->stages = df_arena_calloc(&g->arena, nfrom ? nfrom : 1, sizeof(df_stage));
	/* Each stage's state after its last instruction: what a stage built
	 * on it starts from (a step holds the state before it runs). */
	df_step *finals = df_arena_alloc_uninit(&g->arena, (nfrom ? nfrom : 1) * sizeof(df_step));

	const df_str root = { "/", 1 };
	const df_str empty = { "", 0 };
	int last_step = -1;
	df_stage *cur = NULL;
	df_step state;
	memset(&state, 0, sizeof(state));
	for (size_t i = 0; i < n; i++) {
		const df_instr *in = doc->instrs[i];
		df_step *st = &g->steps[i];
		if (in->nuses)
			add_defuses(g, &dcap, in, i);
		if (in->kind == DF_I_FROM) {
			if (cur) {
				cur->last = i - 1;
				finals[cur->index] = state;
			}
			if (g->nstages == nfrom)
				DF_BUG("more FROMs than doc->nstages");
			cur = &g->stages[g->nstages];
			cur->index = g->nstages++;
			cur->from = cur->first = cur->last = i;
			cur->base_stage = -1;
			cur->name = in->from_alias.raw.ptr ? lower(&g->arena, in->from_alias.raw) : (df_str){ NULL, 0 };
			bool known;
			df_str ref = in->from_image.raw.ptr ? val_of(&in->from_image, &known) : empty;
			if (!in->from_image.raw.ptr)
				known = false;
			cur->base_ref = ref;
			int bs = known ? df_graph_stage_ref(g, ref, cur->index) : -1;
			/* Inherit the base's final state, or start from an image. */
			memset(&state, 0, sizeof(state));
			state.workdir = root;
			state.user = empty;
			if (bs >= 0) {
				cur->base_kind = DF_BASE_STAGE;
				cur->base_stage = bs;
				const df_step *fin = &finals[bs];
				state.workdir = fin->workdir;
				state.workdir_known = fin->workdir_known;
				state.user = fin->user;
				state.user_known = fin->user_known;
				state.shell = fin->shell;
				add_edge(g, &ecap, (df_edge){ DF_EDGE_FROM, bs, cur->index, i, ref });
			} else if (known && df_mem_ieq(ref.ptr, ref.len, "scratch")) {
				cur->base_kind = DF_BASE_SCRATCH;
				state.workdir_known = true;
				state.user_known = true;
			} else {
				cur->base_kind = known ? DF_BASE_IMAGE : DF_BASE_UNKNOWN;
				/* An image may set its own WORKDIR and USER. */
				state.workdir_known = false;
				state.user_known = false;
				add_edge(g, &ecap, (df_edge){ DF_EDGE_FROM, -1, cur->index, i, ref });
			}
			*st = state;
			st->kind = DF_STEP_BASE;
			st->stage = (int)cur->index;
			st->parent = -1;
			last_step = (int)i;
			continue;
		}
		if (!cur) {
			*st = (df_step){ .kind = DF_STEP_NONE, .stage = -1, .parent = -1 };
			continue;
		}
		cur->last = i;
		*st = state;
		st->stage = (int)cur->index;
		st->kind = in->has_error ? DF_STEP_NONE : step_kind(in->kind);
		st->parent = last_step == (int)cur->from ? -1 : last_step;
		if (st->kind == DF_STEP_LAYER || st->kind == DF_STEP_STATE)
			last_step = (int)i;
		if (in->has_error)
			continue;
		switch (in->kind) {
		case DF_I_WORKDIR:
			if (in->nargs) {
				bool known;
				df_str w = val_of(&in->args[0], &known);
				/* The builder keeps an absolute WORKDIR as written. */
				state.workdir = w.len && w.ptr[0] == '/' ? w : resolve_path(&g->arena, state.workdir, w, false);
				state.workdir_known = known && (state.workdir_known || (w.len && w.ptr[0] == '/'));
			}
			break;
		case DF_I_USER:
			if (in->nargs) {
				bool known;
				state.user = val_of(&in->args[0], &known);
				state.user_known = known;
			}
			break;
		case DF_I_SHELL:
			if (in->exec_form && in->nargs)
				state.shell = in;
			break;
		case DF_I_COPY:
		case DF_I_ADD:
			st->copy = copy_model(g, in, st, cur->index, &ecap, i);
			break;
		case DF_I_RUN:
			mount_edges(g, in, cur->index, &ecap, i);
			break;
		default:
			break;
		}
	}
	if (cur)
		cur->last = n - 1;

	if (g->nstages) {
		if (target && *target) {
			g->target = df_graph_stage_ref(g, (df_str){ target, strlen(target) }, g->nstages);
			if (g->target < 0) {
				df_graph_release(g);
				return -1;
			}
		} else {
			g->target = (int)g->nstages - 1;
		}
		mark_reachable(g, (size_t)g->target);
	} else if (target && *target) {
		df_graph_release(g);
		return -1;
	}
	return 0;
}

void df_graph_release(df_graph *g)
{
	df_arena_release(&g->arena);
	memset(g, 0, sizeof(*g));
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *base_kind_name(df_base_kind k)
{
	switch (k) {
	case DF_BASE_IMAGE: return "image";
	case DF_BASE_STAGE: return "stage";
	case DF_BASE_SCRATCH: return "scratch";
	case DF_BASE_UNKNOWN: return "unknown";
	}
	DF_BUG("bad base kind");
}

static const char *edge_kind_name(df_edge_kind k)
{
	switch (k) {
	case DF_EDGE_FROM: return "from";
	case DF_EDGE_COPY: return "copy-from";
	case DF_EDGE_MOUNT: return "mount-from";
	}
	DF_BUG("bad edge kind");
}

static const char *step_kind_name(df_step_kind k)
{
	switch (k) {
	case DF_STEP_NONE: return "none";
	case DF_STEP_BASE: return "base";
	case DF_STEP_LAYER: return "layer";
	case DF_STEP_STATE: return "state";
	case DF_STEP_ENV: return "env";
	case DF_STEP_CONFIG: return "config";
	}
	DF_BUG("bad step kind");
}

static const char *origin_name(df_copy_origin o)
{
	switch (o) {
	case DF_COPY_CONTEXT: return "context";
	case DF_COPY_STAGE: return "stage";
	case DF_COPY_IMAGE: return "image";
	case DF_COPY_HEREDOC: return "heredoc";
	case DF_COPY_URL: return "url";
	}
	DF_BUG("bad copy origin");
}

static void add_known_str(cJSON *o, const char *key, df_str s, bool known)
{
	if (known)
		cJSON_AddItemToObject(o, key, df_dump_json_str(s));
	else
		cJSON_AddNullToObject(o, key);
}

/* How many of the newest bindings a step's "env" shows: enough for any real
 * Dockerfile, and it keeps the JSON linear in the file's size. */
enum { ENV_JSON_MAX = 256 };

typedef struct env_item {
	const df_var *var;
	size_t order;		/* 0 = newest */
} env_item;

static int env_item_cmp(const void *a, const void *b)
{
	const env_item *x = a, *y = b;
	size_t n = x->var->name.len < y->var->name.len ? x->var->name.len : y->var->name.len;
	int c = memcmp(x->var->name.ptr, y->var->name.ptr, n);
	if (c)
		return c;
	if (x->var->name.len != y->var->name.len)
		return x->var->name.len < y->var->name.len ? -1 : 1;
	/* Of one name, ENV wins over ARG, then the newest binding. */
	if (x->var->is_env != y->var->is_env)
		return x->var->is_env ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int env_order_cmp(const void *a, const void *b)
{
	const env_item *x = a, *y = b;
	return x->order < y->order ? 1 : x->order > y->order ? -1 : 0;
}

static cJSON *env_json(const df_instr *in)
{
	/* The bindings in force, one per name (as the expansion sees them),
	 * oldest first. */
	env_item items[ENV_JSON_MAX];
	size_t n = 0;
	bool base = false;
	for (const df_var *v = in->scope; v && n < ENV_JSON_MAX; v = v->next) {
		if (v->barrier) {
			base = true;	/* the base stage's ARGs are not visible */
			continue;
		}
		if (!v->predefined && (v->is_env || !base)) {
			items[n].var = v;
			items[n].order = n;
			n++;
		}
	}
	qsort(items, n, sizeof(*items), env_item_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = kept && items[kept - 1].var->name.len == items[i].var->name.len &&
			   memcmp(items[kept - 1].var->name.ptr, items[i].var->name.ptr, items[i].var->name.len) == 0;
		if (!dup)
			items[kept++] = items[i];
	}
	qsort(items, kept, sizeof(*items), env_order_cmp);
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < kept; i++) {
		const df_var *v = items[i].var;
		char *name = df_xstrndup(v->name.ptr, v->name.len);
		cJSON_AddItemToObject(o, name, v->state == DF_EXP_KNOWN ? df_dump_json_str(v->value) : cJSON_CreateNull());
		free(name);
	}
	return o;
}

cJSON *df_graph_json(const df_graph *g)
{
	const df_doc *doc = g->doc;
	cJSON *o = cJSON_CreateObject();
	if (g->target >= 0)
		cJSON_AddNumberToObject(o, "target", g->target);
	else
		cJSON_AddNullToObject(o, "target");
	cJSON *stages = cJSON_AddArrayToObject(o, "stages");
	for (size_t i = 0; i < g->nstages; i++) {
		const df_stage *s = &g->stages[i];
		cJSON *so = cJSON_CreateObject();
		cJSON_AddNumberToObject(so, "index", (double)s->index);
		if (s->name.ptr)
			cJSON_AddItemToObject(so, "name", df_dump_json_str(s->name));
		else
			cJSON_AddNullToObject(so, "name");
		cJSON *b = cJSON_AddObjectToObject(so, "base");
		cJSON_AddStringToObject(b, "kind", base_kind_name(s->base_kind));
		cJSON_AddItemToObject(b, "ref", df_dump_json_str(s->base_ref));
		if (s->base_kind == DF_BASE_STAGE)
			cJSON_AddNumberToObject(b, "stage", s->base_stage);
		cJSON_AddNumberToObject(so, "line", doc->instrs[s->from]->line);
		cJSON_AddNumberToObject(so, "first", (double)s->first);
		cJSON_AddNumberToObject(so, "last", (double)s->last);
		cJSON_AddBoolToObject(so, "reachable", s->reachable);
		cJSON_AddItemToArray(stages, so);
	}
	cJSON *edges = cJSON_AddArrayToObject(o, "edges");
	for (size_t i = 0; i < g->nedges; i++) {
		const df_edge *e = &g->edges[i];
		cJSON *eo = cJSON_CreateObject();
		cJSON_AddStringToObject(eo, "kind", edge_kind_name(e->kind));
		if (e->from >= 0)
			cJSON_AddNumberToObject(eo, "from", e->from);
		else
			cJSON_AddItemToObject(eo, "image", df_dump_json_str(e->image));
		cJSON_AddNumberToObject(eo, "to", (double)e->to);
		cJSON_AddNumberToObject(eo, "line", doc->instrs[e->instr]->line);
		cJSON_AddItemToArray(edges, eo);
	}
	cJSON *steps = cJSON_AddArrayToObject(o, "steps");
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_step *st = &g->steps[i];
		const df_instr *in = doc->instrs[i];
		cJSON *so = cJSON_CreateObject();
		cJSON_AddNumberToObject(so, "instruction", (double)i);
		cJSON_AddNumberToObject(so, "line", in->line);
		cJSON_AddStringToObject(so, "kind", step_kind_name(st->kind));
		cJSON_AddNumberToObject(so, "stage", st->stage);
		if (st->stage >= 0) {
			cJSON_AddNumberToObject(so, "parent", st->parent);
			add_known_str(so, "workdir", st->workdir, st->workdir_known);
			add_known_str(so, "user", st->user, st->user_known);
			cJSON *sh = cJSON_AddArrayToObject(so, "shell");
			if (st->shell) {
				for (size_t k = 0; k < st->shell->nargs; k++)
					cJSON_AddItemToArray(sh, df_dump_json_str(st->shell->args[k].value));
			} else {
				cJSON_AddItemToArray(sh, cJSON_CreateString("/bin/sh"));
				cJSON_AddItemToArray(sh, cJSON_CreateString("-c"));
			}
		}
		cJSON_AddItemToObject(so, "env", env_json(in));
		if (st->copy) {
			const df_copy_model *m = st->copy;
			cJSON *c = cJSON_AddObjectToObject(so, "copy");
			cJSON_AddStringToObject(c, "origin", origin_name(m->origin));
			if (m->origin == DF_COPY_STAGE)
				cJSON_AddNumberToObject(c, "stage", m->stage);
			if (m->origin == DF_COPY_IMAGE)
				cJSON_AddItemToObject(c, "image", df_dump_json_str(m->image));
			cJSON *srcs = cJSON_AddArrayToObject(c, "sources");
			for (size_t k = 0; k < m->nsources; k++)
				cJSON_AddItemToArray(srcs, df_dump_json_str(m->sources[k]));
			add_known_str(c, "dest", m->dest, m->dest_known);
			cJSON_AddBoolToObject(c, "dest_is_dir", m->dest_is_dir);
		}
		cJSON *run_uses = df_run_uses_json(g, i);
		if (run_uses)
			cJSON_AddItemToObject(so, "uses", run_uses);
		cJSON_AddItemToArray(steps, so);
	}
	cJSON *uses = cJSON_AddArrayToObject(o, "def_use");
	for (size_t i = 0; i < g->ndefuses; i++) {
		const df_defuse *d = &g->defuses[i];
		cJSON *uo = cJSON_CreateObject();
		cJSON_AddItemToObject(uo, "name", df_dump_json_str(d->name));
		cJSON_AddNumberToObject(uo, "def", (double)d->def);
		cJSON_AddNumberToObject(uo, "use", (double)d->use);
		if (d->by_shell)
			cJSON_AddBoolToObject(uo, "by_shell", true);
		cJSON_AddItemToArray(uses, uo);
	}
	return o;
}
