/* opts.c - getopt-style reading of a command's words; see opts.h. */
#include "engine/opts.h"

#include <string.h>

#include "util/util.h"

void df_opt_iter_init(df_opt_iter *it, const df_sh_cmd *c, size_t from, const df_optspec *spec)
{
	memset(it, 0, sizeof(*it));
	it->c = c;
	it->spec = spec;
	it->i = from + 1;
}

static bool in_list(df_str s, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (df_mem_eq(s.ptr, s.len, list[i]))
			return true;
	return false;
}

bool df_opt_is_long(const df_opt *o, const char *const *names)
{
	return o->name.ptr && in_list(o->name, names);
}

bool df_opt_may_hide_option(const df_sh_word *w)
{
	return w->has_expansion && w->value.len && (w->value.ptr[0] == '$' || w->value.ptr[0] == '`');
}

/* Give o the next word as its value, when there is one. */
static void take_next(df_opt_iter *it, df_opt *o)
{
	if (it->i < it->c->nwords) {
		o->value = it->c->words[it->i].value;
		o->value_word = it->i++;
	}
}

bool df_opt_next(df_opt_iter *it, df_opt *o)
{
	const df_sh_cmd *c = it->c;
	memset(o, 0, sizeof(*o));
	if (!it->k) {
		/* A new word. The first "--" ends the options, and is no
		 * operand itself. */
		if (!c || it->i >= c->nwords)
			return false;
		df_str w = c->words[it->i].value;
		if (!it->operands && w.len == 2 && w.ptr[0] == '-' && w.ptr[1] == '-') {
			it->operands = true;
			if (++it->i >= c->nwords)
				return false;
			w = c->words[it->i].value;
		}
		if (it->operands || w.len < 2 || w.ptr[0] != '-') {
			o->word = o->value_word = it->i++;
			o->value = w;
			return true;
		}
		if (w.ptr[1] == '-') {
			const char *eq = memchr(w.ptr, '=', w.len);
			o->word = it->i++;
			o->name = (df_str){ w.ptr, eq ? (size_t)(eq - w.ptr) : w.len };
			if (eq) {
				o->value = (df_str){ eq + 1, w.len - (size_t)(eq + 1 - w.ptr) };
				o->value_word = o->word;
			} else if (it->spec && in_list(o->name, it->spec->long_values)) {
				take_next(it, o);
			}
			return true;
		}
		it->k = 1;	/* a cluster of short options, read below */
	}
	/* Inside a cluster: the next letter. */
	df_str w = c->words[it->i].value;
	o->word = it->i;
	o->letter = w.ptr[it->k++];
	if (it->spec && it->spec->short_values && o->letter && strchr(it->spec->short_values, o->letter)) {
		size_t rest = w.len - it->k;
		it->k = 0;
		it->i++;
		if (rest) {
			o->value = (df_str){ w.ptr + w.len - rest, rest };
			o->value_word = o->word;
		} else {
			take_next(it, o);
		}
		return true;
	}
	if (it->k >= w.len) {
		it->k = 0;
		it->i++;
	}
	return true;
}

bool df_opt_has(const df_sh_cmd *c, size_t from, const df_optspec *spec, char letter,
		const char *const *longs)
{
	df_opt_iter it;
	df_opt o;
	df_opt_iter_init(&it, c, from, spec);
	while (df_opt_next(&it, &o))
		if ((letter && o.letter == letter) || df_opt_is_long(&o, longs))
			return true;
	return false;
}
