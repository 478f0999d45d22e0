/* rebuild.c - what makes RUN steps re-run; see rebuild.h. */
#include "engine/rebuild.h"

#include <string.h>
#include <strings.h>

#include "util/util.h"

/* The tables below hold their names' lengths (DF_STR_LIT): they are
 * scanned for every ARG, and a length known beforehand rejects most
 * entries without a call. */

/* Is name exactly lit? */
static bool equals(df_str name, df_str lit)
{
	return name.len == lit.len && memcmp(name.ptr, lit.ptr, lit.len) == 0;
}

/* Is name lit in any case? */
static bool equals_ignoring_case(df_str name, df_str lit)
{
	return name.len == lit.len && df_mem_ieq(name.ptr, name.len, lit.ptr);
}

/* Does name start with lit (not empty)? The first byte tells most pairs
 * apart before memcmp() is called. */
static bool starts_with(df_str name, df_str lit)
{
	return name.len >= lit.len && name.ptr[0] == lit.ptr[0] && memcmp(name.ptr, lit.ptr, lit.len) == 0;
}

/* name upper-cased without '_' and '-' into out (cap bytes); its length,
 * or cap + 1 when it does not fit. */
static size_t squeeze(df_str name, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < name.len; i++) {
		if (name.ptr[i] == '_' || name.ptr[i] == '-')
			continue;
		if (o == cap)
			return cap + 1;
		out[o++] = (char)df_to_upper((unsigned char)name.ptr[i]);
	}
	return o;
}

bool df_arg_busts_cache(df_str name)
{
	static const df_str prefixes[] = {
		DF_STR_LIT("CACHEBUST"), DF_STR_LIT("CACHEBREAK"), DF_STR_LIT("BUSTCACHE"),
		DF_STR_LIT("NOCACHE"),
	};
	static const df_str names[] = {
		DF_STR_LIT("CACHEDATE"), DF_STR_LIT("CACHETS"), DF_STR_LIT("CACHETIMESTAMP"),
		DF_STR_LIT("CACHEKEYDATE"),
	};
	/* The first letter that counts tells most names apart before the
	 * squeeze: none of the lists' starts with it. */
	size_t first = 0;
	while (first < name.len && (name.ptr[first] == '_' || name.ptr[first] == '-'))
		first++;
	char c = first < name.len ? (char)df_to_upper((unsigned char)name.ptr[first]) : '\0';
	bool may = false;
	for (size_t i = 0; i < DF_ARRAY_LEN(prefixes) && !may; i++)
		may = prefixes[i].ptr[0] == c;
	for (size_t i = 0; i < DF_ARRAY_LEN(names) && !may; i++)
		may = names[i].ptr[0] == c;
	if (!may)
		return false;
	/* No cache buster has a name of more than 63 letters. */
	char buf[63];
	df_str s = { buf, squeeze(name, buf, sizeof(buf)) };
	if (s.len > sizeof(buf))
		return false;
	for (size_t i = 0; i < DF_ARRAY_LEN(prefixes); i++)
		if (starts_with(s, prefixes[i]))
			return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (equals(s, names[i]))
			return true;
	return false;
}

/* Is tok (any case) the last '_'-separated word of name? */
static bool last_word_is(df_str name, df_str tok)
{
	return name.len >= tok.len && df_mem_ieq(name.ptr + name.len - tok.len, tok.len, tok.ptr) &&
	       (name.len == tok.len || name.ptr[name.len - tok.len - 1] == '_');
}

static bool predefined(df_str name)
{
	static const df_str names[] = {
		DF_STR_LIT("TARGETPLATFORM"), DF_STR_LIT("TARGETOS"), DF_STR_LIT("TARGETARCH"),
		DF_STR_LIT("TARGETVARIANT"), DF_STR_LIT("BUILDPLATFORM"), DF_STR_LIT("BUILDOS"),
		DF_STR_LIT("BUILDARCH"), DF_STR_LIT("BUILDVARIANT"), DF_STR_LIT("HTTP_PROXY"),
		DF_STR_LIT("HTTPS_PROXY"), DF_STR_LIT("FTP_PROXY"), DF_STR_LIT("NO_PROXY"),
		DF_STR_LIT("ALL_PROXY"),
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (equals_ignoring_case(name, names[i]))
			return true;
	return false;
}

df_per_build df_arg_per_build(const df_kv *kv, bool has_default)
{
	/* Whole names: a bare VERSION is the build's own; NODE_VERSION=20 is a
	 * pinned tool and stays. */
	static const df_str names[] = {
		DF_STR_LIT("VERSION"), DF_STR_LIT("APP_VERSION"), DF_STR_LIT("BUILD_VERSION"),
		DF_STR_LIT("RELEASE_VERSION"), DF_STR_LIT("IMAGE_VERSION"), DF_STR_LIT("BUILD_NUMBER"),
		DF_STR_LIT("BUILD_ID"), DF_STR_LIT("BUILD_TAG"), DF_STR_LIT("RUN_NUMBER"),
		DF_STR_LIT("RUN_ID"),
	};
	/* The last word of a name: a commit or a moment changes every build
	 * (BUILD_DATE, VCS_REF), a format or a length does not (DATE_FORMAT). */
	static const df_str tokens[] = {
		DF_STR_LIT("SHA"), DF_STR_LIT("COMMIT"), DF_STR_LIT("REVISION"), DF_STR_LIT("REF"),
		DF_STR_LIT("DATE"), DF_STR_LIT("TIMESTAMP"),
	};
	if (predefined(kv->key))
		return DF_PER_BUILD_NOT;
	if (df_arg_busts_cache(kv->key))
		return DF_PER_BUILD_CACHE_BUSTER;
	if (!has_default)
		return DF_PER_BUILD_NO_DEFAULT;
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (equals_ignoring_case(kv->key, names[i]))
			return DF_PER_BUILD_NAMED;
	for (size_t i = 0; i < DF_ARRAY_LEN(tokens); i++)
		if (last_word_is(kv->key, tokens[i]))
			return DF_PER_BUILD_NAMED;
	return DF_PER_BUILD_NOT;
}

bool df_arg_read_by_tools(df_str name)
{
	/* Settings programs read from their environment on their own: the
	 * environment of a framework (NODE_ENV, MIX_ENV, RAILS_ENV ...), a
	 * package manager's or compiler's configuration. */
	static const df_str prefixes[] = {
		DF_STR_LIT("NPM_CONFIG_"), DF_STR_LIT("YARN_"), DF_STR_LIT("PNPM_"), DF_STR_LIT("PIP_"),
		DF_STR_LIT("POETRY_"), DF_STR_LIT("UV_"), DF_STR_LIT("PIPENV_"), DF_STR_LIT("PYTHON"),
		DF_STR_LIT("CARGO_"), DF_STR_LIT("RUST"), DF_STR_LIT("GO"), DF_STR_LIT("CGO_"),
		DF_STR_LIT("MAVEN_"), DF_STR_LIT("GRADLE_"), DF_STR_LIT("JAVA_"), DF_STR_LIT("BUNDLE_"),
		DF_STR_LIT("GEM_"), DF_STR_LIT("COMPOSER_"), DF_STR_LIT("DOTNET_"), DF_STR_LIT("NUGET_"),
		DF_STR_LIT("ASPNETCORE_"), DF_STR_LIT("HEX_"), DF_STR_LIT("MIX_"), DF_STR_LIT("LC_"),
		DF_STR_LIT("NODE_"),
		DF_STR_LIT("npm_config_"),	/* npm reads its settings in lower case too */
	};
	static const df_str names[] = {
		DF_STR_LIT("DEBIAN_FRONTEND"), DF_STR_LIT("TZ"), DF_STR_LIT("LANG"), DF_STR_LIT("LANGUAGE"),
		DF_STR_LIT("CC"), DF_STR_LIT("CXX"), DF_STR_LIT("CFLAGS"), DF_STR_LIT("CXXFLAGS"),
		DF_STR_LIT("CPPFLAGS"), DF_STR_LIT("LDFLAGS"), DF_STR_LIT("MAKEFLAGS"),
		DF_STR_LIT("PKG_CONFIG_PATH"), DF_STR_LIT("SSL_CERT_FILE"), DF_STR_LIT("HOME"),
		DF_STR_LIT("PATH"), DF_STR_LIT("SHELL"), DF_STR_LIT("USER"),
	};
	if (name.len > 4 && df_mem_ieq(name.ptr + name.len - 4, 4, "_ENV"))
		return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (equals(name, names[i]))
			return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(prefixes); i++)
		if (starts_with(name, prefixes[i]))
			return true;
	return false;
}

bool df_text_reads_var(df_str text, df_str name)
{
	if (text.len < name.len + 1)
		return false;
	/* Each '$' that leaves room for the name after it, found by memchr():
	 * heredoc scripts are long and hold few. */
	const size_t last = text.len - name.len - 1;
	for (const char *p = memchr(text.ptr, '$', last + 1); p;
	     p = memchr(p + 1, '$', last - (size_t)(p - text.ptr))) {
		size_t i = (size_t)(p - text.ptr);
		size_t j = i + 1 + (text.ptr[i + 1] == '{');
		if (j + name.len > text.len || memcmp(text.ptr + j, name.ptr, name.len) != 0)
			continue;
		j += name.len;
		if (j == text.len || !(df_is_alnum((unsigned char)text.ptr[j]) || text.ptr[j] == '_'))
			return true;
	}
	return false;
}

/* Does text[at..) spell name, ignoring case, the name not going on? */
static bool names_at(df_str text, size_t at, df_str name)
{
	if (at + name.len > text.len || strncasecmp(text.ptr + at, name.ptr, name.len) != 0)
		return false;
	size_t j = at + name.len;
	return j == text.len || !(df_is_alnum((unsigned char)text.ptr[j]) || text.ptr[j] == '_');
}

/* Does a Windows shell read the variable name in text: PowerShell's
 * $env:name or cmd's %name%? Both ignore case. */
static bool text_reads_windows_var(df_str text, df_str name)
{
	for (const char *p = memchr(text.ptr, '$', text.len); p;
	     p = memchr(p + 1, '$', text.len - (size_t)(p + 1 - text.ptr))) {
		size_t i = (size_t)(p - text.ptr);
		if (i + 5 <= text.len && strncasecmp(p + 1, "env:", 4) == 0 && names_at(text, i + 5, name))
			return true;
	}
	for (const char *p = memchr(text.ptr, '%', text.len); p;
	     p = memchr(p + 1, '%', text.len - (size_t)(p + 1 - text.ptr))) {
		size_t j = (size_t)(p - text.ptr) + 1 + name.len;
		if (names_at(text, j - name.len, name) && j < text.len && text.ptr[j] == '%')
			return true;
	}
	return false;
}

bool df_instr_reads_var(const df_instr *in, df_str name)
{
	for (size_t i = 0; i < in->nuses; i++)
		if (in->uses[i].name.len == name.len && memcmp(in->uses[i].name.ptr, name.ptr, name.len) == 0)
			return true;
	/* An exec-form RUN reads the environment through the shell it runs
	 * (["sh", "-c", "echo $X"]); the builder expands none of it. */
	for (size_t i = 0; in->kind == DF_I_RUN && in->exec_form && i < in->nargs; i++)
		if (df_text_reads_var(in->args[i].value, name))
			return true;
	/* The builder leaves RUN heredoc scripts to the shell, which reads
	 * the variables there. */
	for (size_t i = 0; in->kind == DF_I_RUN && i < in->nheredocs; i++)
		if (df_text_reads_var(in->heredocs[i].body.str, name))
			return true;
	/* Under a Windows SHELL, RUN's text is PowerShell's or cmd's. */
	return in->kind == DF_I_RUN && text_reads_windows_var(in->text.str, name);
}

void df_add_lines(df_buf *b, const uint32_t *lines, size_t n)
{
	size_t shown = n > 5 ? 4 : n;
	df_buf_adds(b, n == 1 ? "line " : "lines ");
	for (size_t i = 0; i < shown; i++) {
		if (i)
			df_buf_adds(b, i + 1 == shown && shown == n ? " and " : ", ");
		df_buf_addu(b, lines[i]);
	}
	if (shown < n) {
		df_buf_adds(b, " and ");
		df_buf_addu(b, n - shown);
		df_buf_adds(b, " more");
	}
}
