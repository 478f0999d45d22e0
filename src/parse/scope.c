/* scope.c - builder variable scoping; see scope.h.
 *
 * One walk over the top-level instructions in order. Each instruction's
 * values are expanded against the bindings in force *before* it (so
 * `ENV a=1 b=$a` reads the old a), and only then are its own bindings added.
 * ONBUILD triggers are not expanded: they run in a later build. */
#include "parse/scope.h"
#include "parse/expand.h"
#include "parse/flags.h"
#include "parse/instr.h"
#include "parse/scan.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/*
 * The predefined args, as a ready-made chain of bindings with no known
 * value (the builder fills them per platform). Shared by every document;
 * a --build-arg for one of them is bound on top and wins.
 */
#define DF_NPREDEFINED 18
static const df_var predefined[DF_NPREDEFINED] = {
	{ &predefined[1], { "TARGETPLATFORM", 14 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[2], { "TARGETOS", 8 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[3], { "TARGETARCH", 10 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[4], { "TARGETVARIANT", 13 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[5], { "BUILDPLATFORM", 13 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[6], { "BUILDOS", 7 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[7], { "BUILDARCH", 9 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[8], { "BUILDVARIANT", 12 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[9], { "HTTP_PROXY", 10 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[10], { "HTTPS_PROXY", 11 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[11], { "FTP_PROXY", 9 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[12], { "NO_PROXY", 8 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[13], { "ALL_PROXY", 9 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[14], { "http_proxy", 10 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[15], { "https_proxy", 11 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[16], { "ftp_proxy", 9 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ &predefined[17], { "no_proxy", 8 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
	{ NULL, { "all_proxy", 9 }, { NULL, 0 }, DF_EXP_UNKNOWN, false, true, false, NULL },
};

typedef struct stage_info {
	df_str name;		/* alias, or ptr NULL */
	const df_var *final;	/* bindings at the end of the stage */
	size_t final_len;	/* their number (barriers included) */
	bool image_env;		/* built on an image whose ENV we cannot see */
} stage_info;

/*
 * A binding list is searched by walking it (df_scope_find()) while it is
 * short, as nearly all are: a short walk costs about what a hash lookup
 * does, and keeping a map would cost a hash at every binding. A list longer
 * than LIST_MAX gets a map, kept up to date from then on, so that a
 * document binding thousands of names stays linear.
 */
#define LIST_MAX 32

/* Name -> newest ENV and newest ARG binding of one scope, as
 * df_scope_find() would find them. The binding lists stay the record
 * (instructions point into them); the map only makes each lookup constant
 * time during the walk. */
typedef struct name_slot {
	const char *name;	/* NULL: empty slot */
	size_t len;
	const df_var *env, *arg;
} name_slot;

typedef struct name_map {
	name_slot *slots;	/* cap slots, cap a power of two, from a (old
				   tables stay there); NULL until first used */
	size_t cap, n;
	df_arena *a;		/* the document's */
} name_map;

/* The bindings in force in one scope: the global one or the current
 * stage's. */
typedef struct var_list {
	const df_var *head;	/* newest binding, or NULL */
	size_t len;		/* bindings from head on, barriers included;
				   the global list's tail, the predefined
				   args, is not counted */
	bool mapped;		/* len went past LIST_MAX: map holds them all */
	name_map map;
} var_list;

typedef struct scope {
	df_doc *doc;
	df_arena *a;
	const df_parse_opts *opts;
	var_list globals;	/* global ARGs and predefined args */
	var_list stage;		/* current stage's bindings */
	bool image_env;		/* unknown names may come from the base image */
	bool in_stage;
	stage_info *stages;
	size_t nstages, stages_cap;
	/* uses of the instruction being resolved: in uses_first, or malloc'd
	 * once an instruction has more */
	df_use *uses;
	size_t nuses, uses_cap;
	df_use uses_first[8];
	/* The bindings lookup() found for the expansion under way, in call
	 * order: record_refs() takes them rather than look each name up a
	 * second time. */
	const df_var *found[8];
	size_t nfound;
	bool failed;		/* an expansion of the instruction failed */
} scope;

static uint64_t hash_name(const char *s, size_t n)
{
	/* FNV-1a, eight bytes a step while there are eight (every binding
	 * and every lookup hashes a name, and names like
	 * PYTHONDONTWRITEBYTECODE are long); the last shift brings the high
	 * bits, which the steps mix best, down to the slot index. */
	uint64_t h = 1469598103934665603u;
	size_t i = 0;
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 1099511628211u;
		h ^= h >> 29;
	}
	if (i < n) {
		/* The rest as one more word: the last eight bytes of a longer
		 * name (overlapping bytes hashed already), or the first and
		 * last four of a shorter one; only the map's speed depends on
		 * the hash, never what it finds. */
		uint64_t w = n;
		if (n >= 8) {
			memcpy(&w, s + n - 8, 8);
		} else if (n >= 4) {
			uint32_t lo, hi;
			memcpy(&lo, s, 4);
			memcpy(&hi, s + n - 4, 4);
			w = lo | (uint64_t)hi << 32;
		} else {
			for (; i < n; i++)
				w = w << 8 | (unsigned char)s[i];
		}
		h = (h ^ w ^ n) * 1099511628211u;
		h ^= h >> 29;
	}
	return h ^ (h >> 32);
}

/* The slot of name in m; with create, a new empty slot when absent
 * (growing the table at half full). NULL when absent and not creating. */
static name_slot *map_slot(name_map *m, const char *name, size_t len, bool create)
{
	if (create && (m->n + 1) * 2 > m->cap) {
		name_slot *old = m->slots;
		size_t old_cap = m->cap;
		m->cap *= 2;
		m->slots = df_arena_calloc(m->a, m->cap, sizeof(name_slot));
		m->n = 0;
		for (size_t i = 0; i < old_cap; i++) {
			if (!old[i].name)
				continue;
			name_slot *d = map_slot(m, old[i].name, old[i].len, true);
			*d = old[i];
		}
	}
	for (size_t i = hash_name(name, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		name_slot *sl = &m->slots[i];
		if (!sl->name) {
			if (!create)
				return NULL;
			sl->name = name;
			sl->len = len;
			m->n++;
			return sl;
		}
		if (sl->len == len && memcmp(sl->name, name, len) == 0)
			return sl;
	}
}

static void map_put(name_map *m, const df_var *v)
{
	name_slot *sl = map_slot(m, v->name.ptr, v->name.len, true);
	if (v->is_env)
		sl->env = v;
	else
		sl->arg = v;
}

/* The binding an expansion sees: ENV wins over ARG of the same name. */
static const df_var *map_effective(name_map *m, const char *name, size_t len)
{
	const name_slot *sl = map_slot(m, name, len, false);
	return !sl ? NULL : sl->env ? sl->env : sl->arg;
}

/* Put the bindings of list l into l->map, which is then kept up to date:
 * what df_scope_find() would see, so the newest binding of each kind, and
 * only the ENV ones past a barrier. */
static void list_map(var_list *l)
{
	name_map *m = &l->map;
	if (!m->slots) {
		m->cap = 2 * LIST_MAX;
		m->slots = df_arena_calloc(m->a, m->cap, sizeof(name_slot));
	} else if (m->n) {
		memset(m->slots, 0, m->cap * sizeof(name_slot));
	}
	m->n = 0;
	bool base = false;
	for (const df_var *v = l->head; v; v = v->next) {
		if (v->barrier) {
			base = true;
			continue;
		}
		if (!v->is_env && base)
			continue;
		name_slot *sl = map_slot(m, v->name.ptr, v->name.len, true);
		if (v->is_env && !sl->env)
			sl->env = v;
		else if (!v->is_env && !sl->arg)
			sl->arg = v;
	}
	l->mapped = true;
}

/* Start list l over from head, which has len bindings. */
static void list_reset(var_list *l, const df_var *head, size_t len)
{
	l->head = head;
	l->len = len;
	l->mapped = false;
	if (len > LIST_MAX)
		list_map(l);
}

static void list_init(var_list *l, df_arena *a, const df_var *head)
{
	l->map.slots = NULL;
	l->map.cap = l->map.n = 0;
	l->map.a = a;
	list_reset(l, head, 0);
}

/* Make v, whose next is l->head, the newest binding of l. */
static void list_push(var_list *l, const df_var *v)
{
	l->head = v;
	l->len++;
	if (l->mapped)
		map_put(&l->map, v);
	else if (l->len > LIST_MAX)
		list_map(l);
}

/* Is v's name name[0..len)? The length and the last byte tell most names
 * apart without a call. */
static inline bool name_is(const df_var *v, const char *name, size_t len)
{
	return v->name.len == len && (!len || v->name.ptr[len - 1] == name[len - 1]) &&
	       memcmp(v->name.ptr, name, len) == 0;
}

/* The binding of name an expansion in the current stage sees. */
static const df_var *stage_find(scope *s, const char *name, size_t len)
{
	var_list *l = &s->stage;
	return l->mapped ? map_effective(&l->map, name, len) : df_scope_find(l->head, name, len);
}

/* The global binding of name. The global list holds ARGs only, with no
 * barrier, so the first binding of the name is the one; its tail, the
 * predefined args, is searched as the array it is. */
static const df_var *global_find(scope *s, const char *name, size_t len)
{
	var_list *l = &s->globals;
	if (l->mapped)
		return map_effective(&l->map, name, len);
	for (const df_var *v = l->head; v != predefined; v = v->next)
		if (name_is(v, name, len))
			return v;
	for (size_t i = 0; i < DF_NPREDEFINED; i++)
		if (name_is(&predefined[i], name, len))
			return &predefined[i];
	return NULL;
}

static const df_var *scope_find(scope *s, bool global, const char *name, size_t len)
{
	return global ? global_find(s, name, len) : stage_find(s, name, len);
}

static bool build_arg(const scope *s, const char *name, size_t len, df_str *value)
{
	if (!s->opts)
		return false;
	for (size_t i = 0; i < s->opts->nbuild_args; i++) {
		const char *ba = s->opts->build_args[i];
		const char *eq = strchr(ba, '=');
		if (eq && (size_t)(eq - ba) == len && memcmp(ba, name, len) == 0) {
			value->ptr = eq + 1;
			value->len = strlen(eq + 1);
			return true;
		}
	}
	return false;
}

static void add_use(scope *s, df_str name, df_span span, const df_var *def, bool by_shell)
{
	if (s->nuses == s->uses_cap) {
		void *p = s->uses == s->uses_first ? NULL : s->uses;
		df_grow(&p, &s->uses_cap, s->nuses + 1, sizeof(df_use));
		if (s->uses == s->uses_first)
			memcpy(p, s->uses_first, s->nuses * sizeof(df_use));
		s->uses = p;
	}
	s->uses[s->nuses++] = (df_use){ name, span, def, by_shell };
}

typedef struct lookup_ctx {
	scope *s;
	bool global;		/* FROM line: global scope only */
} lookup_ctx;

static df_var_state lookup(void *ud, const char *name, size_t len, df_str *value)
{
	lookup_ctx *lc = ud;
	scope *s = lc->s;
	const df_var *v = scope_find(s, lc->global, name, len);
	if (s->nfound < DF_ARRAY_LEN(s->found))
		s->found[s->nfound] = v;
	s->nfound++;
	if (v) {
		if (v->state == DF_EXP_KNOWN) {
			*value = v->value;
			return DF_VAR_KNOWN;
		}
		return DF_VAR_UNKNOWN;
	}
	/* The base image's own ENV (PATH, HOME, ...) is invisible to us. */
	if (!lc->global && s->image_env)
		return DF_VAR_UNKNOWN;
	return DF_VAR_UNSET;
}

static df_expanded to_expanded(scope *s, const df_expand_result *r)
{
	s->failed |= r->status == DF_EXPAND_ERROR;
	df_expanded e;
	memset(&e, 0, sizeof(e));
	switch (r->status) {
	case DF_EXPAND_OK:
		e.state = DF_EXP_KNOWN;
		e.value = r->value;
		break;
	case DF_EXPAND_UNKNOWN:
		e.state = DF_EXP_UNKNOWN;
		break;
	case DF_EXPAND_ERROR:
		e.state = DF_EXP_ERROR;
		e.error = r->error;
		break;
	}
	return e;
}

/* Record the variables r referenced. off maps r's offsets into the text.
 * The expander asked lookup() once for every reference with a name, in
 * order (s->nfound set to 0 before it ran): the k-th such reference was
 * resolved to s->found[k]. */
static void record_refs(scope *s, const df_expand_result *r, const df_text *t, size_t off, bool global)
{
	size_t k = 0;
	for (size_t i = 0; i < r->nrefs; i++) {
		const df_expand_ref *ref = &r->refs[i];
		if (!ref->name.len)
			continue;
		size_t call = k++;
		/* $$, $@, $1 ...: shell parameters, never ARG or ENV names. */
		if (!(df_is_alpha((unsigned char)ref->name.ptr[0]) || ref->name.ptr[0] == '_'))
			continue;
		const df_var *def = call < s->nfound && call < DF_ARRAY_LEN(s->found) ? s->found[call] :
				    scope_find(s, global, ref->name.ptr, ref->name.len);
		df_span sp = t ? df_text_span(t, off + ref->off, ref->name_off - ref->off + ref->name.len)
			       : (df_span){ 0, 0 };
		add_use(s, ref->name, sp, def, false);
	}
}

/* The escape char not in force, such as the '\' of a Windows path under
 * `# escape=``: an ordinary byte to the expander, though the scan stops at
 * it. */
static char ordinary_escape(const scope *s)
{
	return s->doc->escape == '`' ? '\\' : '`';
}

/* no_special() of text[p .. end), the text before p being plain: out of
 * line, as few texts hold an ordinary escape char. */
static __attribute__((noinline)) bool no_special_from(const scope *s, const char *text, size_t p, size_t end)
{
	char ordinary = ordinary_escape(s);
	while ((p = df_scan_special(text, p, end, false)) < end && text[p] == ordinary)
		p++;
	return p == end;
}

/* Does text[from .. end) hold no '$', quote or escape char? */
static inline __attribute__((always_inline)) bool no_special(const scope *s, const char *text, size_t from,
							      size_t end)
{
	size_t p = df_scan_special(text, from, end, false);
	return p == end || (text[p] == ordinary_escape(s) && no_special_from(s, text, p + 1, end));
}

/* Text with no '$', quote or escape char expands to itself, and so does
 * the inside of one quoted string holding none of them ("a b", 'a b'): the
 * common values take no trip through the expander. v is base[off ..]: the
 * scan may read the text before it, so that even a short value is looked at
 * sixteen bytes at once. Sets *plain. */
static inline __attribute__((always_inline)) bool is_plain(const scope *s, const char *base, size_t off,
							    df_str v, df_str *plain)
{
	size_t b = 0, e = v.len;
	if (v.len == 0) {
		*plain = v;
		return true;
	}
	if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0]) {
		b = 1;
		e = v.len - 1;
	}
	if (!no_special(s, base, off + b, off + e))
		return false;
	*plain = (df_str){ v.ptr + b, e - b };
	return true;
}

static df_expand_opts expand_opts(const scope *s, lookup_ctx *lc)
{
	df_expand_opts o;
	memset(&o, 0, sizeof(o));
	o.escape = s->doc->escape;
	o.lookup = lookup;
	o.ud = lc;
	return o;
}

/* Kept out of line: its large locals would otherwise make every call of
 * expand_str() pay for saving registers and setting up the frame, and
 * nearly every value takes the plain path. */
static df_expanded expand_slow(scope *s, df_str v, const df_text *t, size_t off, bool global)
	__attribute__((noinline));
static df_expanded expand_slow(scope *s, df_str v, const df_text *t, size_t off, bool global)
{
	lookup_ctx lc = { s, global };
	df_expand_opts o = expand_opts(s, &lc);
	df_expand_result r;
	s->nfound = 0;
	df_expand_word(s->a, v.ptr, v.len, &o, &r);
	record_refs(s, &r, t, off, global);
	return to_expanded(s, &r);
}

/* Expand v, which is t->str at off when t is not NULL (record_refs() maps
 * its references through t), else text of its own. Always inlined: for a
 * plain value, the common case, a call would cost more than the test. */
static inline __attribute__((always_inline)) df_expanded expand_str(scope *s, df_str v, const df_text *t,
								     size_t off, bool global)
{
	df_str plain;
	if (t ? is_plain(s, t->str.ptr, off, v, &plain) : is_plain(s, v.ptr, 0, v, &plain))
		return (df_expanded){ DF_EXP_KNOWN, plain, NULL };
	return expand_slow(s, v, t, off, global);
}

static void expand_word(scope *s, const df_instr *in, df_word *w, bool global)
{
	/* A word the splitter found plain is its own expansion. */
	if (w->plain) {
		w->exp = (df_expanded){ DF_EXP_KNOWN, w->value, NULL };
		return;
	}
	/* Exec-form words are decoded JSON: their offsets do not map 1:1. */
	const df_text *t = w->raw.ptr == w->value.ptr ? &in->text : NULL;
	w->exp = expand_str(s, w->value, t, w->text_off, global);
}

/* Did the word splitter find every word of in->args plain? */
static bool words_plain(const df_instr *in)
{
	for (size_t i = 0; i < in->nargs; i++)
		if (!in->args[i].plain)
			return false;
	return true;
}

/* Do the shell-form words in->args hold no '$', quote or escape char? Then
 * each is its own expansion. The splitter's flags answer for most; else
 * one scan of the text they span (sixteen bytes a step) decides, as a flag
 * is cleared by either escape char and the one not in force is ordinary. */
static bool args_plain(const scope *s, const df_instr *in)
{
	if (in->exec_form || !in->nargs)
		return false;
	if (words_plain(in))
		return true;
	const df_word *last = &in->args[in->nargs - 1];
	return no_special(s, in->text.str.ptr, in->args[0].text_off, last->text_off + last->raw.len);
}

/* A word of a COPY or ADD; plain: what args_plain() said. */
static void expand_copy_word(scope *s, const df_instr *in, df_word *w, bool plain)
{
	if (plain)
		w->exp = (df_expanded){ DF_EXP_KNOWN, w->value, NULL };
	else
		expand_word(s, in, w, false);
}

static void expand_flag(scope *s, const df_instr *in, df_flag *f)
{
	if (!f || !f->has_value)
		return;
	f->exp = expand_str(s, f->value, NULL, 0, false);
	(void)in;
}

/* RUN --mount: the builder expands every field but from=; the typed mount
 * is re-read from the expanded value when that is known. */
static void expand_mount(scope *s, const df_instr *in, df_flag *f)
{
	expand_flag(s, in, f);
	if (f->exp.state != DF_EXP_KNOWN || !f->mount || f->exp.value.ptr == f->value.ptr)
		return;
	char err[256];
	df_mount *m = df_mount_parse(s->a, f->exp.value.ptr, f->exp.value.len, err, sizeof(err));
	if (!m)
		return;
	m->from = f->mount->from;
	f->mount = m;
}

/* Printable ASCII but blanks, '$', quotes and escape chars: a word of
 * these (the common "8080/tcp") expands and splits into itself alone. */
static bool is_plain_word(df_str v)
{
	if (v.len > DF_EXPAND_MAX_OUT)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.ptr[i];
		if (c <= ' ' || c >= 0x7F || c == '$' || c == '\'' || c == '"' || c == '\\' || c == '`')
			return false;
	}
	return true;
}

/* EXPOSE: one word may yield several ports; keep them space-joined. */
static void expand_words_joined(scope *s, const df_instr *in, df_word *w)
{
	if (is_plain_word(w->value)) {
		w->exp = (df_expanded){ DF_EXP_KNOWN, w->value, NULL };
		return;
	}
	lookup_ctx lc = { s, false };
	df_expand_opts o = expand_opts(s, &lc);
	df_str *words;
	df_expand_result r;
	s->nfound = 0;
	size_t n = df_expand_words(s->a, w->value.ptr, w->value.len, &o, &words, &r);
	record_refs(s, &r, &in->text, w->text_off, false);
	if (r.status != DF_EXPAND_OK) {
		w->exp = to_expanded(s, &r);
		return;
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += words[i].len + 1;
	char *buf = df_arena_alloc(s->a, total + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf[k++] = ' ';
		memcpy(buf + k, words[i].ptr, words[i].len);
		k += words[i].len;
	}
	buf[k] = '\0';
	w->exp.state = DF_EXP_KNOWN;
	w->exp.value = (df_str){ buf, k };
}

/* Make a binding the newest of l. Always inlined: ENV binds one for each
 * pair, and the call would cost as much as the work. */
static inline __attribute__((always_inline)) df_var *bind(scope *s, var_list *l, df_str name, df_expanded val,
							  bool is_env, const df_instr *def)
{
	df_var *v = DF_ARENA_NEW(s->a, df_var);
	v->next = l->head;
	v->name = name;
	v->is_env = is_env;
	v->def = def;
	if (val.state == DF_EXP_KNOWN) {
		v->state = DF_EXP_KNOWN;
		v->value = val.value;
	} else {
		v->state = DF_EXP_UNKNOWN;
	}
	list_push(l, v);
	return v;
}

/* Find $NAME and ${NAME...} in shell text: the shell reads them at run time.
 * Out of line, so that shell_form_uses(), which calls it only for text
 * holding a '$' (most holds none), needs no large stack frame. */
static __attribute__((noinline)) void shell_uses(scope *s, const df_instr *in, const df_word *w)
{
	const char *p = w->raw.ptr;
	size_t n = w->raw.len;
	bool squote = false;
	static const bool stops[256] = { ['$'] = true, ['\''] = true };
	const unsigned char *u = (const unsigned char *)p;
	for (size_t i = 0; i < n; i++) {
		/* Jump to the next byte that matters: a quote, or a '$' outside
		 * single quotes. */
		if (squote) {
			const char *q = memchr(p + i, '\'', n - i);
			if (!q)
				break;
			i = (size_t)(q - p);
		} else {
			/* The scan stops at both, and at " \ ` too. */
			while ((i = df_scan_special(p, i, n, false)) < n && !stops[u[i]])
				i++;
			if (i >= n)
				break;
		}
		char c = p[i];
		if (c == '\'') {
			squote = !squote;
			continue;
		}
		if (squote || c != '$' || i + 1 >= n)
			continue;
		if (i > 0 && p[i - 1] == '\\')
			continue;
		size_t j = i + 1;
		if (p[j] == '{')
			j++;
		size_t name0 = j;
		if (j < n && (df_is_alpha((unsigned char)p[j]) || p[j] == '_')) {
			while (j < n && (df_is_alnum((unsigned char)p[j]) || p[j] == '_'))
				j++;
			df_str name = { p + name0, j - name0 };
			const df_var *def = stage_find(s, name.ptr, name.len);
			if (def || !s->image_env) {
				df_span sp = df_text_span(&in->text, w->text_off + i, j - i);
				add_use(s, name, sp, def, true);
			}
		}
	}
}

/* RUN, CMD, ENTRYPOINT: the variables their shell form reads. */
static __attribute__((noinline)) void shell_form_uses(scope *s, const df_instr *in)
{
	if (in->exec_form)
		return;
	for (size_t i = 0; i < in->nargs; i++)
		if (memchr(in->args[i].raw.ptr, '$', in->args[i].raw.len))
			shell_uses(s, in, &in->args[i]);
}

/* Build time: the base image's ENV, as ENV bindings defined by nothing. */
static void bind_image_env(scope *s, df_str ref)
{
	const char *const *env = s->opts->image_env ? s->opts->image_env(s->opts->image_env_ud, ref) : NULL;
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq || eq == env[i])
			continue;
		df_str name = { env[i], (size_t)(eq - env[i]) };
		df_expanded val = { DF_EXP_KNOWN, { eq + 1, strlen(eq + 1) }, NULL };
		bind(s, &s->stage, name, val, true, NULL);
	}
}

static int stage_by_name(const scope *s, df_str name)
{
	/* Stage names are case-insensitive; the latest stage of a name wins. */
	for (size_t i = s->nstages; i-- > 0;) {
		const df_str *n = &s->stages[i].name;
		if (!n->ptr || n->len != name.len)
			continue;
		bool eq = true;
		for (size_t k = 0; k < name.len && eq; k++)
			eq = df_to_lower((unsigned char)n->ptr[k]) == df_to_lower((unsigned char)name.ptr[k]);
		if (eq)
			return (int)i;
	}
	return -1;
}

static void enter_stage(scope *s, df_instr *in)
{
	if (s->in_stage) {
		s->stages[s->nstages - 1].final = s->stage.head;
		s->stages[s->nstages - 1].final_len = s->stage.len;
	}
	s->in_stage = true;
	if (in->from_image.raw.ptr)
		expand_word(s, in, &in->from_image, true);
	if (in->from_platform)
		in->from_platform->exp = expand_str(s, in->from_platform->value, NULL, 0, true);

	df_str image = in->from_image.exp.state == DF_EXP_KNOWN ? in->from_image.exp.value : in->from_image.value;
	int base = in->from_image.raw.ptr ? stage_by_name(s, image) : -1;
	if (s->nstages == s->stages_cap) {
		size_t cap = s->stages_cap ? s->stages_cap * 2 : 8;
		s->stages = df_arena_grow(s->a, s->stages, s->nstages, cap, sizeof(*s->stages));
		s->stages_cap = cap;
	}
	stage_info *st = &s->stages[s->nstages++];
	st->name = in->from_alias.raw.ptr ? in->from_alias.raw : (df_str){ NULL, 0 };
	if (base >= 0) {
		/* A stage inherits its base stage's ENV, not its ARGs: the
		 * base's bindings are shared behind a barrier that hides their
		 * ARGs. */
		df_var *barrier = DF_ARENA_NEW(s->a, df_var);
		barrier->next = s->stages[base].final;
		barrier->barrier = true;
		list_reset(&s->stage, barrier, s->stages[base].final_len + 1);
		st->image_env = s->stages[base].image_env;
	} else {
		list_reset(&s->stage, NULL, 0);
		bool scratch = in->from_image.raw.ptr && df_mem_ieq(image.ptr, image.len, "scratch");
		st->image_env = !scratch;
		if (!scratch && s->opts && s->opts->build_time) {
			bind_image_env(s, image);
			st->image_env = false;
		}
	}
	s->image_env = st->image_env;
}

static void resolve_arg(scope *s, df_instr *in, bool global)
{
	for (size_t i = 0; i < in->npairs; i++) {
		df_kv *kv = &in->pairs[i];
		df_expanded val = { DF_EXP_UNKNOWN, { NULL, 0 }, NULL };
		df_str given;
		/* Pair i is the word args[i]: the splitter may have found it
		 * plain. */
		if (kv->has_value && in->args[i].plain)
			kv->value_exp = (df_expanded){ DF_EXP_KNOWN, kv->value, NULL };
		else if (kv->has_value)
			kv->value_exp = expand_str(s, kv->value, &in->text,
						   (size_t)(kv->value.ptr - in->text.str.ptr), global);
		if (build_arg(s, kv->key.ptr, kv->key.len, &given)) {
			val.state = DF_EXP_KNOWN;
			val.value = given;
		} else if (!global && !kv->has_value) {
			/* A stage ARG without default takes the global value. */
			const df_var *g = global_find(s, kv->key.ptr, kv->key.len);
			if (g && !g->predefined) {
				val.state = g->state;
				val.value = g->value;
			}
		} else if (kv->has_value) {
			val = kv->value_exp;
		}
		/* At build time a value nobody gave is no value: unset. */
		if (val.state == DF_EXP_UNKNOWN && !kv->has_value && s->opts && s->opts->build_time)
			continue;
		bind(s, global ? &s->globals : &s->stage, kv->key, val, false, in);
	}
}

/* Did the word splitter find pair i of an ENV or LABEL plain? A pair of the
 * legacy form is the first word and the rest of the line, blanks and all:
 * plain when every word is; any other pair is the word args[i]. */
static bool pair_plain(const df_instr *in, size_t i)
{
	return in->legacy_kv ? words_plain(in) : in->args[i].plain;
}

static void resolve_env(scope *s, df_instr *in, bool is_label)
{
	/* All values of one ENV see the bindings from before it: expand them
	 * all first, then bind. */
	const char *text = in->text.str.ptr;
	for (size_t i = 0; i < in->npairs; i++) {
		df_kv *kv = &in->pairs[i];
		size_t key_off = (size_t)(kv->key.ptr - text), value_off = (size_t)(kv->value.ptr - text);
		df_str v = kv->value;
		/* Most pairs hold no '$', quote or escape char from the key to
		 * the end of the value, or to the opening quote of a value
		 * quoted whole and then within its quotes: key and value are
		 * then each their own expansion (the value out of its quotes,
		 * as is_plain() takes it). For the first kind the word
		 * splitter's flag answers, else one or two scans do. Other
		 * pairs are expanded part by part. */
		bool quoted = false;
		if (!pair_plain(in, i)) {
			quoted = v.len && (v.ptr[0] == '"' || v.ptr[0] == '\'');
			bool whole = quoted && v.len >= 2 && v.ptr[v.len - 1] == v.ptr[0];
			if (!((!quoted || whole) && key_off <= value_off &&
			      no_special(s, text, key_off, quoted ? value_off : value_off + v.len) &&
			      (!quoted || no_special(s, text, value_off + 1, value_off + v.len - 1)))) {
				kv->key_exp = expand_str(s, kv->key, &in->text, key_off, false);
				kv->value_exp = expand_str(s, kv->value, &in->text, value_off, false);
				continue;
			}
		}
		kv->key_exp = (df_expanded){ DF_EXP_KNOWN, kv->key, NULL };
		kv->value_exp = (df_expanded){ DF_EXP_KNOWN, quoted ? (df_str){ v.ptr + 1, v.len - 2 } : v, NULL };
	}
	for (size_t i = 0; i < in->npairs && !is_label; i++) {
		df_kv *kv = &in->pairs[i];
		df_str name = kv->key_exp.state == DF_EXP_KNOWN ? kv->key_exp.value : kv->key;
		bind(s, &s->stage, name, kv->value_exp, true, in);
	}
}

/* COPY, ADD: the sources but heredoc markers, the destination, the flags
 * the builder expands and the bodies of unquoted heredocs. */
static __attribute__((noinline)) void resolve_copy(scope *s, df_instr *in)
{
	bool plain = args_plain(s, in);
	for (size_t i = 0; i < in->nsources; i++) {
		bool heredoc = false;
		for (size_t h = 0; h < in->nheredocs; h++)
			if (in->sources[i].span.start == in->heredocs[h].marker_span.start)
				heredoc = true;
		if (!heredoc)
			expand_copy_word(s, in, &in->sources[i], plain);
	}
	if (in->dest)
		expand_copy_word(s, in, in->dest, plain);
	if (in->nflags) {	/* most have none: no lookups */
		expand_flag(s, in, df_instr_flag(in, "chown"));
		expand_flag(s, in, df_instr_flag(in, "chmod"));
		expand_flag(s, in, df_instr_flag(in, "checksum"));
	}
	for (size_t h = 0; h < in->nheredocs; h++)
		if (in->heredocs[h].expand)
			in->heredocs[h].body_exp = expand_str(s, in->heredocs[h].body.str, NULL, 0, false);
}

/* USER, WORKDIR, STOPSIGNAL, VOLUME: every word. */
static __attribute__((noinline)) void resolve_args(scope *s, df_instr *in)
{
	for (size_t i = 0; i < in->nargs; i++)
		expand_word(s, in, &in->args[i], false);
}

/* EXPOSE: every word, split. */
static __attribute__((noinline)) void resolve_expose(scope *s, df_instr *in)
{
	for (size_t i = 0; i < in->nargs; i++)
		expand_words_joined(s, in, &in->args[i]);
}

/* RUN: the --mount values, and the variables its shell form reads. */
static __attribute__((noinline)) void resolve_run(scope *s, df_instr *in)
{
	for (size_t i = 0; i < in->nflags; i++)
		if (in->flags[i].type == DF_FLAG_MOUNT)
			expand_mount(s, in, &in->flags[i]);
	shell_form_uses(s, in);
}

/* Each kind's work is a function of its own, and the switch only calls
 * it: the dispatch then needs no stack frame, which most instructions,
 * with little or nothing to expand, would pay for. */
static void resolve_instr(scope *s, df_instr *in)
{
	switch (in->kind) {
	case DF_I_COPY:
	case DF_I_ADD:
		resolve_copy(s, in);
		break;
	case DF_I_ENV:
		resolve_env(s, in, false);
		break;
	case DF_I_LABEL:
		resolve_env(s, in, true);
		break;
	case DF_I_ARG:
		resolve_arg(s, in, false);
		break;
	case DF_I_EXPOSE:
		resolve_expose(s, in);
		break;
	case DF_I_USER:
	case DF_I_WORKDIR:
	case DF_I_STOPSIGNAL:
	case DF_I_VOLUME:
		resolve_args(s, in);
		break;
	case DF_I_RUN:
		resolve_run(s, in);
		break;
	case DF_I_CMD:
	case DF_I_ENTRYPOINT:
		shell_form_uses(s, in);
		break;
	default:
		break;
	}
}

const df_var *df_scope_find(const df_var *bindings, const char *name, size_t len)
{
	const df_var *arg = NULL;
	bool base = false;
	for (const df_var *v = bindings; v; v = v->next) {
		if (v->barrier) {
			base = true;
			continue;
		}
		if (!name_is(v, name, len))
			continue;
		if (v->is_env)
			return v;
		if (!base && !arg)
			arg = v;
	}
	return arg;
}

/* The first word of in the builder expands and cannot (an unterminated
 * quote, ${X:?msg} with X unset, a bad substitution): the build stops
 * there, so it is a parse error. */
static void report_expand_error(df_doc *doc, df_instr *in)
{
	for (size_t i = 0; i < in->nflags; i++)
		if (in->flags[i].exp.state == DF_EXP_ERROR) {
			df_parse_error(doc, in, in->flags[i].span, "%s", in->flags[i].exp.error);
			return;
		}
	for (size_t i = 0; i < in->npairs; i++) {
		const df_kv *kv = &in->pairs[i];
		if (kv->key_exp.state == DF_EXP_ERROR || kv->value_exp.state == DF_EXP_ERROR) {
			bool key = kv->key_exp.state == DF_EXP_ERROR;
			df_parse_error(doc, in, key ? kv->key_span : kv->value_span, "%s",
				       key ? kv->key_exp.error : kv->value_exp.error);
			return;
		}
	}
	for (size_t i = 0; i < in->nargs; i++)
		if (in->args[i].exp.state == DF_EXP_ERROR) {
			df_parse_error(doc, in, in->args[i].span, "%s", in->args[i].exp.error);
			return;
		}
}

void df_scope_resolve(df_doc *doc, const df_parse_opts *opts)
{
	/* Set field by field: most of the struct is storage that needs no
	 * clearing (uses_first; found[] below nfound). */
	scope s;
	s.doc = doc;
	s.a = &doc->arena;
	s.opts = opts;
	s.in_stage = false;
	s.stages = NULL;
	s.nstages = s.stages_cap = 0;
	list_init(&s.globals, s.a, &predefined[0]);
	list_init(&s.stage, s.a, NULL);
	s.uses = s.uses_first;
	s.nuses = 0;
	s.uses_cap = DF_ARRAY_LEN(s.uses_first);
	s.nfound = 0;
	for (size_t i = 0; opts && i < DF_NPREDEFINED; i++) {
		df_str given;
		if (build_arg(&s, predefined[i].name.ptr, predefined[i].name.len, &given)) {
			df_var *v = bind(&s, &s.globals, predefined[i].name,
					 (df_expanded){ DF_EXP_KNOWN, given, NULL }, false, NULL);
			v->predefined = true;
		}
	}
	/* Before any FROM, names no instruction defines are unknown, as in a
	 * stage built on an image we cannot see. */
	s.image_env = true;
	int stage = -1;
	for (size_t i = 0; i < doc->ninstrs; i++) {
		df_instr *in = doc->instrs[i];
		s.nuses = 0;
		s.failed = false;
		if (in->kind == DF_I_FROM) {
			stage++;
			in->stage = stage;
			in->scope = s.globals.head;
			enter_stage(&s, in);
		} else if (stage < 0 && in->kind == DF_I_ARG) {
			in->stage = -1;
			in->scope = s.globals.head;
			resolve_arg(&s, in, true);
		} else if (stage < 0) {
			/* Before any FROM: a snippet (hadolint's way of testing a
			 * rule), or a file the builder refuses. Its words are
			 * expanded as in a stage built on nothing, so the rules
			 * read them as they would after a FROM; the first FROM
			 * starts its stage afresh. */
			in->stage = -1;
			in->scope = s.stage.head ? s.stage.head : s.globals.head;
			if (!in->has_error)
				resolve_instr(&s, in);
		} else {
			in->stage = stage;
			in->scope = s.stage.head;
			if (!in->has_error)
				resolve_instr(&s, in);
		}
		if (s.failed && !in->has_error && (stage >= 0 || in->kind == DF_I_ARG))
			report_expand_error(doc, in);
		if (in->inner) {
			in->inner->stage = in->stage;
			in->inner->scope = in->scope;
		}
		if (s.nuses) {
			/* Filled right away: no need to clear it first. */
			in->uses = df_arena_alloc_uninit(s.a, s.nuses * sizeof(df_use));
			memcpy(in->uses, s.uses, s.nuses * sizeof(df_use));
			in->nuses = s.nuses;
		}
	}
	doc->globals = s.globals.head;
	doc->nstages = (size_t)(stage + 1);
	if (s.uses != s.uses_first)
		free(s.uses);
}
