/* flags.c - builder flags per instruction; see flags.h. */
#include "parse/flags.h"
#include "parse/words.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

typedef struct flag_spec {
	df_instr_kind kind;
	const char *name;
	df_flag_type type;
} flag_spec;

/* Every flag of the current Dockerfile frontend, per instruction. */
static const flag_spec flag_table[] = {
	{ DF_I_FROM, "platform", DF_FLAG_STRING },
	{ DF_I_RUN, "mount", DF_FLAG_MOUNT },
	{ DF_I_RUN, "network", DF_FLAG_STRING },
	{ DF_I_RUN, "security", DF_FLAG_STRING },
	{ DF_I_COPY, "from", DF_FLAG_STRING },
	{ DF_I_COPY, "chown", DF_FLAG_STRING },
	{ DF_I_COPY, "chmod", DF_FLAG_STRING },
	{ DF_I_COPY, "link", DF_FLAG_BOOL },
	{ DF_I_COPY, "parents", DF_FLAG_BOOL },
	{ DF_I_COPY, "exclude", DF_FLAG_STRINGS },
	{ DF_I_ADD, "chown", DF_FLAG_STRING },
	{ DF_I_ADD, "chmod", DF_FLAG_STRING },
	{ DF_I_ADD, "link", DF_FLAG_BOOL },
	{ DF_I_ADD, "keep-git-dir", DF_FLAG_BOOL },
	{ DF_I_ADD, "checksum", DF_FLAG_STRING },
	{ DF_I_ADD, "unpack", DF_FLAG_BOOL },
	{ DF_I_ADD, "exclude", DF_FLAG_STRINGS },
	{ DF_I_HEALTHCHECK, "interval", DF_FLAG_DURATION },
	{ DF_I_HEALTHCHECK, "timeout", DF_FLAG_DURATION },
	{ DF_I_HEALTHCHECK, "start-period", DF_FLAG_DURATION },
	{ DF_I_HEALTHCHECK, "start-interval", DF_FLAG_DURATION },
	{ DF_I_HEALTHCHECK, "retries", DF_FLAG_INT },
};

static const flag_spec *find_spec(df_instr_kind kind, df_str name)
{
	for (size_t i = 0; i < DF_ARRAY_LEN(flag_table); i++)
		if (flag_table[i].kind == kind && df_mem_eq(name.ptr, name.len, flag_table[i].name))
			return &flag_table[i];
	return NULL;
}

static const char *nearest_flag(df_instr_kind kind, df_str name)
{
	const char *best = NULL;
	unsigned best_d = 3;	/* suggest only close matches */
	for (size_t i = 0; i < DF_ARRAY_LEN(flag_table); i++) {
		if (flag_table[i].kind != kind)
			continue;
		unsigned d = df_edit_distance(name.ptr, name.len, flag_table[i].name, strlen(flag_table[i].name));
		if (d < best_d) {
			best_d = d;
			best = flag_table[i].name;
		}
	}
	return best;
}

df_flag *df_instr_flag(const df_instr *in, const char *name)
{
	df_flag *found = NULL;
	for (size_t i = 0; i < in->nflags; i++)
		if (df_mem_eq(in->flags[i].name.ptr, in->flags[i].name.len, name))
			found = &in->flags[i];
	return found;
}

bool df_parse_duration(const char *s, size_t len, int64_t *ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
		{ "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	size_t i = 0;
	bool neg = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return false;
	if (len - i == 1 && s[i] == '0') {
		*ns = 0;
		return true;
	}
	double total = 0;
	while (i < len) {
		size_t start = i;
		double v = 0, scale = 1;
		bool digits = false;
		while (i < len && df_is_digit((unsigned char)s[i])) {
			v = v * 10 + (s[i++] - '0');
			digits = true;
		}
		if (i < len && s[i] == '.') {
			i++;
			while (i < len && df_is_digit((unsigned char)s[i])) {
				scale /= 10;
				v += (s[i++] - '0') * scale;
				digits = true;
			}
		}
		if (!digits || i == start)
			return false;
		size_t ustart = i;
		while (i < len && s[i] != '.' && !df_is_digit((unsigned char)s[i]))
			i++;
		if (i == ustart)
			return false;	/* Go: missing unit */
		double mult = 0;
		for (size_t u = 0; u < DF_ARRAY_LEN(units); u++)
			if (df_mem_eq(s + ustart, i - ustart, units[u].unit))
				mult = units[u].ns;
		if (mult == 0)
			return false;
		total += v * mult;
		if (total > 9.2e18)
			return false;
	}
	*ns = (int64_t)(neg ? -total : total);
	return true;
}

static bool parse_bool(df_str v, bool *out)
{
	/* Go's strconv.ParseBool, as the builder uses for flags and mounts. */
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < DF_ARRAY_LEN(yes); i++)
		if (df_mem_eq(v.ptr, v.len, yes[i])) {
			*out = true;
			return true;
		}
	for (size_t i = 0; i < DF_ARRAY_LEN(no); i++)
		if (df_mem_eq(v.ptr, v.len, no[i])) {
			*out = false;
			return true;
		}
	return false;
}

/* Split one CSV record (Go encoding/csv rules: "" quoting, "" inside
 * quotes). Unquoted fields point into s; quoted ones are unescaped copies. */
static size_t csv_fields(df_arena *a, const char *s, size_t len, df_str **out, bool *ok)
{
	size_t n = 0, cap = 0;
	df_str *fields = NULL;
	size_t i = 0;
	*ok = true;
	for (;;) {
		df_str field;
		if (i < len && s[i] == '"') {
			char *buf = df_arena_alloc_uninit(a, len - i + 1);
			size_t bl = 0;
			i++;
			for (;;) {
				if (i >= len) {
					*ok = false;
					break;
				}
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						buf[bl++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				buf[bl++] = s[i++];
			}
			if (*ok && i < len && s[i] != ',')
				*ok = false;
			buf[bl] = '\0';
			field = (df_str){ buf, bl };
		} else {
			/* Most fields: the comma by memchr(), then a stray
			 * quote before it, rather than a test per byte. */
			const char *comma = memchr(s + i, ',', len - i);
			size_t fe = comma ? (size_t)(comma - s) : len;
			if (memchr(s + i, '"', fe - i))
				*ok = false;
			field = (df_str){ s + i, fe - i };
			i = fe;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			fields = df_arena_grow_uninit(a, fields, n, ncap, sizeof(*fields));
			cap = ncap;
		}
		fields[n++] = field;
		if (!*ok || i >= len)
			break;
		i++;	/* the comma */
	}
	*out = fields;
	return n;
}

static bool key_is(df_str k, const char *a, const char *b, const char *c)
{
	return df_mem_eq(k.ptr, k.len, a) || (b && df_mem_eq(k.ptr, k.len, b)) ||
	       (c && df_mem_eq(k.ptr, k.len, c));
}

df_mount *df_mount_parse(df_arena *a, const char *s, size_t len, char *err, size_t errlen)
{
	df_str *fields;
	bool ok;
	size_t nf = csv_fields(a, s, len, &fields, &ok);
	if (!ok) {
		snprintf(err, errlen, "invalid mount value '%.*s': bad quoting", (int)len, s);
		return NULL;
	}
	df_mount *m = DF_ARENA_NEW(a, df_mount);
	m->type = DF_MOUNT_BIND;
	m->opts = DF_ARENA_ARRAY(a, df_mount_opt, nf);
	bool ro_set = false;

	/* The type decides defaults, so find it first. */
	for (size_t i = 0; i < nf; i++) {
		const char *eq = memchr(fields[i].ptr, '=', fields[i].len);
		if (!eq || !df_mem_ieq(fields[i].ptr, (size_t)(eq - fields[i].ptr), "type"))
			continue;
		df_str v = { eq + 1, fields[i].len - (size_t)(eq + 1 - fields[i].ptr) };
		if (df_mem_eq(v.ptr, v.len, "bind"))
			m->type = DF_MOUNT_BIND;
		else if (df_mem_eq(v.ptr, v.len, "cache"))
			m->type = DF_MOUNT_CACHE;
		else if (df_mem_eq(v.ptr, v.len, "tmpfs"))
			m->type = DF_MOUNT_TMPFS;
		else if (df_mem_eq(v.ptr, v.len, "secret"))
			m->type = DF_MOUNT_SECRET;
		else if (df_mem_eq(v.ptr, v.len, "ssh"))
			m->type = DF_MOUNT_SSH;
		else {
			snprintf(err, errlen, "unsupported mount type \"%.*s\"", (int)v.len, v.ptr);
			return NULL;
		}
	}
	/* Only cache and tmpfs mounts are writable unless told otherwise. */
	m->readonly = m->type != DF_MOUNT_CACHE && m->type != DF_MOUNT_TMPFS;
	m->required = false;

	for (size_t i = 0; i < nf; i++) {
		df_str f = fields[i];
		if (f.len == 0)
			continue;
		const char *eq = memchr(f.ptr, '=', f.len);
		size_t klen = eq ? (size_t)(eq - f.ptr) : f.len;
		/* Keys are nearly always written in lower case already: only
		 * the others are copied to be lowered. */
		const char *key = f.ptr;
		for (size_t k = 0; k < klen; k++) {
			if (df_to_lower((unsigned char)f.ptr[k]) != f.ptr[k]) {
				char *low = df_arena_memdup(a, f.ptr, klen);
				for (size_t j = 0; j < klen; j++)
					low[j] = (char)df_to_lower((unsigned char)low[j]);
				key = low;
				break;
			}
		}
		df_mount_opt *o = &m->opts[m->nopts++];
		o->key = (df_str){ key, klen };
		o->has_value = eq != NULL;
		o->value = eq ? (df_str){ eq + 1, f.len - klen - 1 } : (df_str){ "", 0 };
		df_str k = o->key, v = o->value;

		if (!eq) {
			/* Bare words allowed by the frontend: ro, rw, readonly, readwrite, required. */
			if (key_is(k, "ro", "readonly", NULL)) {
				m->readonly = true;
				ro_set = true;
			} else if (key_is(k, "rw", "readwrite", NULL)) {
				m->readonly = false;
				ro_set = true;
			} else if (key_is(k, "required", NULL, NULL)) {
				m->required = true;
			} else {
				snprintf(err, errlen, "unexpected key '%.*s' in '%.*s'", (int)klen, key, (int)f.len, f.ptr);
				return NULL;
			}
			continue;
		}
		if (key_is(k, "type", NULL, NULL)) {
			continue;
		} else if (key_is(k, "from", NULL, NULL)) {
			m->from = v;
		} else if (key_is(k, "source", "src", NULL)) {
			m->source = v;
		} else if (key_is(k, "target", "dst", "destination")) {
			m->target = v;
		} else if (key_is(k, "ro", "readonly", NULL) || key_is(k, "rw", "readwrite", NULL) ||
			   key_is(k, "required", NULL, NULL)) {
			bool b;
			if (!parse_bool(v, &b)) {
				snprintf(err, errlen, "invalid value for %.*s: %.*s", (int)klen, key, (int)v.len, v.ptr);
				return NULL;
			}
			if (key_is(k, "required", NULL, NULL)) {
				m->required = b;
			} else {
				m->readonly = key_is(k, "ro", "readonly", NULL) ? b : !b;
				ro_set = true;
			}
		} else if (key_is(k, "id", NULL, NULL)) {
			m->id = v;
		} else if (key_is(k, "sharing", NULL, NULL)) {
			if (df_mem_eq(v.ptr, v.len, "shared"))
				m->sharing = DF_SHARING_SHARED;
			else if (df_mem_eq(v.ptr, v.len, "private"))
				m->sharing = DF_SHARING_PRIVATE;
			else if (df_mem_eq(v.ptr, v.len, "locked"))
				m->sharing = DF_SHARING_LOCKED;
			else {
				snprintf(err, errlen, "unsupported sharing value \"%.*s\"", (int)v.len, v.ptr);
				return NULL;
			}
		} else if (key_is(k, "mode", NULL, NULL)) {
			m->mode = v;
		} else if (key_is(k, "uid", NULL, NULL)) {
			m->uid = v;
		} else if (key_is(k, "gid", NULL, NULL)) {
			m->gid = v;
		} else if (key_is(k, "size", NULL, NULL)) {
			m->size = v;
		} else if (key_is(k, "env", NULL, NULL)) {
			m->env = v;
		} else {
			snprintf(err, errlen, "unexpected key '%.*s' in '%.*s'", (int)klen, key, (int)f.len, f.ptr);
			return NULL;
		}
	}
	(void)ro_set;
	/* No target is fine: the builder joins it onto the working directory,
	 * which may come from the base image. */
	if (m->type == DF_MOUNT_SECRET && !m->target.ptr && !m->id.ptr && !m->env.ptr) {
		snprintf(err, errlen, "secret mount needs an id, a target or an env in '%.*s'", (int)len, s);
		return NULL;
	}
	return m;
}

/* The caller's buffer, not a static one: files are parsed on threads. */
static const char *kind_lower(df_instr_kind k, char buf[16])
{
	const char *n = df_instr_kind_name(k);
	size_t i = 0;
	for (; n[i] && i + 1 < 16; i++)
		buf[i] = (char)df_to_lower((unsigned char)n[i]);
	buf[i] = '\0';
	return buf;
}

static int check_one(df_arena *a, df_instr *in, df_flag *f, char *err, size_t errlen)
{
	const flag_spec *spec = find_spec(in->kind, f->name);
	if (!spec) {
		f->type = DF_FLAG_UNKNOWN;
		const char *near = nearest_flag(in->kind, f->name);
		char kind[16];
		if (near)
			snprintf(err, errlen, "unknown flag: --%.*s (did you mean --%s?)", (int)f->name.len, f->name.ptr, near);
		else
			snprintf(err, errlen, "unknown flag: --%.*s for %s", (int)f->name.len, f->name.ptr, kind_lower(in->kind, kind));
		return -1;
	}
	f->type = spec->type;
	for (df_flag *g = in->flags; g < f; g++) {
		if (spec->type != DF_FLAG_STRINGS && spec->type != DF_FLAG_MOUNT && df_mem_eq(g->name.ptr, g->name.len, spec->name)) {
			snprintf(err, errlen, "duplicate flag specified: --%s", spec->name);
			return -1;
		}
	}
	switch (spec->type) {
	case DF_FLAG_BOOL:
		if (!f->has_value) {
			f->boolean = true;
		} else if (f->value.len == 0) {
			snprintf(err, errlen, "missing a value on flag: --%s", spec->name);
			return -1;
		} else {
			/* The builder lower-cases and accepts only true and false. */
			if (df_mem_ieq(f->value.ptr, f->value.len, "true"))
				f->boolean = true;
			else if (df_mem_ieq(f->value.ptr, f->value.len, "false"))
				f->boolean = false;
			else {
				snprintf(err, errlen, "expecting boolean value for flag --%s, not: %.*s",
					 spec->name, (int)f->value.len, f->value.ptr);
				return -1;
			}
		}
		break;
	case DF_FLAG_STRING:
	case DF_FLAG_STRINGS:
	case DF_FLAG_DURATION:
	case DF_FLAG_INT:
	case DF_FLAG_MOUNT:
		if (!f->has_value) {
			snprintf(err, errlen, "missing a value on flag: --%s", spec->name);
			return -1;
		}
		break;
	case DF_FLAG_UNKNOWN:
		DF_BUG("unknown flag type in table");
	}
	if (spec->type == DF_FLAG_DURATION && f->value.len) {
		if (!df_parse_duration(f->value.ptr, f->value.len, &f->duration_ns)) {
			snprintf(err, errlen, "invalid duration for --%s: \"%.*s\"", spec->name, (int)f->value.len, f->value.ptr);
			return -1;
		}
		if (f->duration_ns != 0 && f->duration_ns < 1000000) {
			snprintf(err, errlen, "interval \"%s\" cannot be less than 1ms", spec->name);
			return -1;
		}
		if (f->duration_ns < 0) {
			snprintf(err, errlen, "interval \"%s\" cannot be negative", spec->name);
			return -1;
		}
	}
	if (spec->type == DF_FLAG_INT && f->value.len) {
		int64_t v = 0;
		size_t i = 0;
		bool neg = false;
		if (f->value.ptr[0] == '-' || f->value.ptr[0] == '+')
			neg = f->value.ptr[i++] == '-';
		if (i == f->value.len)
			goto bad_int;
		for (; i < f->value.len; i++) {
			if (!df_is_digit((unsigned char)f->value.ptr[i]) || v > 214748364)
				goto bad_int;
			v = v * 10 + (f->value.ptr[i] - '0');
		}
		if (v > 2147483647 + (int64_t)neg)
			goto bad_int;
		f->integer = neg ? -v : v;
		if (f->integer < 0) {
			snprintf(err, errlen, "--%s cannot be negative (%lld)", spec->name, (long long)f->integer);
			return -1;
		}
	}
	if (spec->type == DF_FLAG_MOUNT) {
		f->mount = df_mount_parse(a, f->value.ptr, f->value.len, err, errlen);
		if (!f->mount)
			return -1;
	}
	if (in->kind == DF_I_RUN && df_mem_eq(f->name.ptr, f->name.len, "network") &&
	    !df_mem_eq(f->value.ptr, f->value.len, "default") && !df_mem_eq(f->value.ptr, f->value.len, "none") &&
	    !df_mem_eq(f->value.ptr, f->value.len, "host")) {
		snprintf(err, errlen, "unsupported network mode \"%.*s\"", (int)f->value.len, f->value.ptr);
		return -1;
	}
	if (in->kind == DF_I_RUN && df_mem_eq(f->name.ptr, f->name.len, "security") &&
	    !df_mem_eq(f->value.ptr, f->value.len, "sandbox") && !df_mem_eq(f->value.ptr, f->value.len, "insecure")) {
		snprintf(err, errlen, "unsupported security mode \"%.*s\"", (int)f->value.len, f->value.ptr);
		return -1;
	}
	f->parsed_ok = true;
	return 0;

bad_int:
	snprintf(err, errlen, "invalid value for --%s: \"%.*s\" is not an integer", spec->name, (int)f->value.len, f->value.ptr);
	return -1;
}

int df_flags_check(df_arena *a, df_instr *in, char *err, size_t errlen, size_t *bad)
{
	for (size_t i = 0; i < in->nflags; i++)
		in->flags[i].type = DF_FLAG_UNKNOWN;
	for (size_t i = 0; i < in->nflags; i++) {
		if (check_one(a, in, &in->flags[i], err, errlen) < 0) {
			*bad = i;
			return -1;
		}
	}
	return 0;
}

const df_flag *df_from_platform_redundant(const df_instr *in)
{
	const df_flag *f = in->kind == DF_I_FROM && !in->has_error ? in->from_platform : NULL;
	if (f && (df_mem_eq(f->value.ptr, f->value.len, "$TARGETPLATFORM") ||
		  df_mem_eq(f->value.ptr, f->value.len, "${TARGETPLATFORM}")))
		return f;
	return NULL;
}
