/* flags.c - builder flags per instruction; see flags.h. */
#include "parse/flags.h"
#include "parse/words.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

typedef struct flag_spec {
	const char *name;
	size_t len;
	df_flag_type type;
} flag_spec;

#define FLAG(name, type) { name, sizeof(name) - 1, type }

/* Every flag of the current Dockerfile frontend, per instruction. */
static const flag_spec from_flags[] = {
	FLAG("platform", DF_FLAG_STRING),
};
static const flag_spec run_flags[] = {
	FLAG("mount", DF_FLAG_MOUNT),
	FLAG("network", DF_FLAG_STRING),
	FLAG("security", DF_FLAG_STRING),
};
static const flag_spec copy_flags[] = {
	FLAG("from", DF_FLAG_STRING),
	FLAG("chown", DF_FLAG_STRING),
	FLAG("chmod", DF_FLAG_STRING),
	FLAG("link", DF_FLAG_BOOL),
	FLAG("parents", DF_FLAG_BOOL),
	FLAG("exclude", DF_FLAG_STRINGS),
};
static const flag_spec add_flags[] = {
	FLAG("chown", DF_FLAG_STRING),
	FLAG("chmod", DF_FLAG_STRING),
	FLAG("link", DF_FLAG_BOOL),
	FLAG("keep-git-dir", DF_FLAG_BOOL),
	FLAG("checksum", DF_FLAG_STRING),
	FLAG("unpack", DF_FLAG_BOOL),
	FLAG("exclude", DF_FLAG_STRINGS),
};
static const flag_spec healthcheck_flags[] = {
	FLAG("interval", DF_FLAG_DURATION),
	FLAG("timeout", DF_FLAG_DURATION),
	FLAG("start-period", DF_FLAG_DURATION),
	FLAG("start-interval", DF_FLAG_DURATION),
	FLAG("retries", DF_FLAG_INT),
};
#undef FLAG

typedef struct flag_specs {
	const flag_spec *spec;
	size_t n;
} flag_specs;

#define FLAG_SPECS(table) { table, DF_ARRAY_LEN(table) }
static const flag_specs flags_of_kind[DF_I_COUNT] = {
	[DF_I_FROM] = FLAG_SPECS(from_flags),
	[DF_I_RUN] = FLAG_SPECS(run_flags),
	[DF_I_COPY] = FLAG_SPECS(copy_flags),
	[DF_I_ADD] = FLAG_SPECS(add_flags),
	[DF_I_HEALTHCHECK] = FLAG_SPECS(healthcheck_flags),
};
#undef FLAG_SPECS

static const flag_spec *find_spec(df_instr_kind kind, df_str name)
{
	const flag_specs *fs = &flags_of_kind[kind];
	for (size_t i = 0; i < fs->n; i++)
		if (fs->spec[i].len == name.len && memcmp(name.ptr, fs->spec[i].name, name.len) == 0)
			return &fs->spec[i];
	return NULL;
}

static const char *nearest_flag(df_instr_kind kind, df_str name)
{
	const flag_specs *fs = &flags_of_kind[kind];
	const char *best = NULL;
	unsigned best_d = 3;	/* suggest only close matches */
	for (size_t i = 0; i < fs->n; i++) {
		unsigned d = df_edit_distance(name.ptr, name.len, fs->spec[i].name, fs->spec[i].len);
		if (d < best_d) {
			best_d = d;
			best = fs->spec[i].name;
		}
	}
	return best;
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
	/* Most values hold no quote at all: one look answers for every field. */
	bool quotes = memchr(s, '"', len) != NULL;
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
			if (quotes && memchr(s + i, '"', fe - i))
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

/* The keys of a --mount field, aliases included, most used first. */
typedef enum mount_key {
	MK_TYPE, MK_TARGET, MK_ID, MK_SHARING, MK_FROM, MK_SOURCE, MK_RO, MK_RW,
	MK_REQUIRED, MK_MODE, MK_UID, MK_GID, MK_SIZE, MK_ENV,
} mount_key;

typedef struct mount_key_spec {
	const char *name;	/* lower case */
	size_t len;
	mount_key key;
} mount_key_spec;

#define MOUNT_KEY(name, key) { name, sizeof(name) - 1, key }
static const mount_key_spec mount_keys[] = {
	MOUNT_KEY("type", MK_TYPE), MOUNT_KEY("target", MK_TARGET), MOUNT_KEY("id", MK_ID),
	MOUNT_KEY("sharing", MK_SHARING), MOUNT_KEY("from", MK_FROM), MOUNT_KEY("source", MK_SOURCE),
	MOUNT_KEY("src", MK_SOURCE), MOUNT_KEY("dst", MK_TARGET), MOUNT_KEY("destination", MK_TARGET),
	MOUNT_KEY("ro", MK_RO), MOUNT_KEY("readonly", MK_RO), MOUNT_KEY("rw", MK_RW),
	MOUNT_KEY("readwrite", MK_RW), MOUNT_KEY("required", MK_REQUIRED), MOUNT_KEY("mode", MK_MODE),
	MOUNT_KEY("uid", MK_UID), MOUNT_KEY("gid", MK_GID), MOUNT_KEY("size", MK_SIZE),
	MOUNT_KEY("env", MK_ENV),
};
#undef MOUNT_KEY

/* Does k[0..len) spell name, all lower-case letters, in any case? Setting
 * bit 5 lower-cases a letter, and turns no other byte into one. */
static bool letters_ieq(const char *k, const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((k[i] | 0x20) != name[i])
			return false;
	return true;
}

/* The key k[0..len), in any case, or NULL when the frontend knows no such key. */
static const mount_key_spec *find_mount_key(const char *k, size_t len)
{
	for (size_t i = 0; i < DF_ARRAY_LEN(mount_keys); i++)
		if (mount_keys[i].len == len && letters_ieq(k, mount_keys[i].name, len))
			return &mount_keys[i];
	return NULL;
}

/* An unknown key for the message, lower-cased as the frontend prints it. */
static void unexpected_key(df_arena *a, df_str f, size_t klen, char *err, size_t errlen)
{
	char *low = df_arena_memdup(a, f.ptr, klen);
	for (size_t j = 0; j < klen; j++)
		low[j] = (char)df_to_lower((unsigned char)low[j]);
	snprintf(err, errlen, "unexpected key '%.*s' in '%.*s'", (int)klen, low, (int)f.len, f.ptr);
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
	/* Filled whole as each field is read: no need to clear it first. */
	m->opts = df_arena_grow_uninit(a, NULL, 0, nf, sizeof(df_mount_opt));

	/* The type decides defaults, so find it first: a field "type=..." in
	 * any case (no other key has an '=' at 4). */
	for (size_t i = 0; i < nf; i++) {
		df_str f = fields[i];
		if (f.len < 5 || f.ptr[4] != '=' || !letters_ieq(f.ptr, "type", 4))
			continue;
		df_str v = { f.ptr + 5, f.len - 5 };
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
		const mount_key_spec *key = find_mount_key(f.ptr, klen);
		if (!key) {
			unexpected_key(a, f, klen, err, errlen);
			return NULL;
		}
		/* A known key, lower-cased, is its name in the table. */
		df_str v = eq ? (df_str){ eq + 1, f.len - klen - 1 } : (df_str){ "", 0 };
		m->opts[m->nopts++] = (df_mount_opt){ .key = { key->name, klen }, .value = v, .has_value = eq != NULL };

		if (!eq) {
			/* Bare words allowed by the frontend: ro, rw, readonly, readwrite, required. */
			if (key->key == MK_RO || key->key == MK_RW) {
				m->readonly = key->key == MK_RO;
			} else if (key->key == MK_REQUIRED) {
				m->required = true;
			} else {
				unexpected_key(a, f, klen, err, errlen);
				return NULL;
			}
			continue;
		}
		bool b;
		switch (key->key) {
		case MK_TYPE:
			break;
		case MK_FROM:
			m->from = v;
			break;
		case MK_SOURCE:
			m->source = v;
			break;
		case MK_TARGET:
			m->target = v;
			break;
		case MK_RO:
		case MK_RW:
		case MK_REQUIRED:
			if (!parse_bool(v, &b)) {
				snprintf(err, errlen, "invalid value for %s: %.*s", key->name, (int)v.len, v.ptr);
				return NULL;
			}
			if (key->key == MK_REQUIRED)
				m->required = b;
			else
				m->readonly = key->key == MK_RO ? b : !b;
			break;
		case MK_ID:
			m->id = v;
			break;
		case MK_SHARING:
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
			break;
		case MK_MODE:
			m->mode = v;
			break;
		case MK_UID:
			m->uid = v;
			break;
		case MK_GID:
			m->gid = v;
			break;
		case MK_SIZE:
			m->size = v;
			break;
		case MK_ENV:
			m->env = v;
			break;
		}
	}
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
