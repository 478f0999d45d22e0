/* rebuild.c - what makes RUN steps re-run; see rebuild.h. */
#include "engine/rebuild.h"

#include <string.h>

#include "util/util.h"

/* name upper-cased without '_' and '-' into out (cap bytes); false when
 * it does not fit. */
static bool squeeze(df_str name, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < name.len; i++) {
		if (name.ptr[i] == '_' || name.ptr[i] == '-')
			continue;
		if (o + 1 >= cap)
			return false;
		out[o++] = (char)df_to_upper((unsigned char)name.ptr[i]);
	}
	out[o] = '\0';
	return true;
}

bool df_arg_busts_cache(df_str name)
{
	static const char *const prefixes[] = { "CACHEBUST", "CACHEBREAK", "BUSTCACHE", "NOCACHE" };
	static const char *const names[] = { "CACHEDATE", "CACHETS", "CACHETIMESTAMP", "CACHEKEYDATE" };
	/* The first letter that counts tells most names apart before the
	 * squeeze: none of the lists' starts with it. */
	size_t first = 0;
	while (first < name.len && (name.ptr[first] == '_' || name.ptr[first] == '-'))
		first++;
	char c = first < name.len ? (char)df_to_upper((unsigned char)name.ptr[first]) : '\0';
	bool may = false;
	for (size_t i = 0; i < DF_ARRAY_LEN(prefixes) && !may; i++)
		may = prefixes[i][0] == c;
	for (size_t i = 0; i < DF_ARRAY_LEN(names) && !may; i++)
		may = names[i][0] == c;
	if (!may)
		return false;
	char s[64];
	if (!squeeze(name, s, sizeof(s)))
		return false;
	for (size_t i = 0; i < DF_ARRAY_LEN(prefixes); i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

/* Is tok (any case) the last '_'-separated word of name? */
static bool last_word_is(df_str name, const char *tok)
{
	size_t n = strlen(tok);
	return name.len >= n && df_mem_ieq(name.ptr + name.len - n, n, tok) &&
	       (name.len == n || name.ptr[name.len - n - 1] == '_');
}

static bool predefined(df_str name)
{
	static const char *const names[] = {
		"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM",
		"BUILDOS", "BUILDARCH", "BUILDVARIANT", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY",
		"NO_PROXY", "ALL_PROXY",
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (df_mem_ieq(name.ptr, name.len, names[i]))
			return true;
	return false;
}

bool df_arg_per_build(const df_kv *kv, bool has_default)
{
	/* Whole names: a bare VERSION is the build's own; NODE_VERSION=20 is a
	 * pinned tool and stays. */
	static const char *const names[] = {
		"VERSION", "APP_VERSION", "BUILD_VERSION", "RELEASE_VERSION", "IMAGE_VERSION",
		"BUILD_NUMBER", "BUILD_ID", "BUILD_TAG", "RUN_NUMBER", "RUN_ID",
	};
	/* The last word of a name: a commit or a moment changes every build
	 * (BUILD_DATE, VCS_REF), a format or a length does not (DATE_FORMAT). */
	static const char *const tokens[] = { "SHA", "COMMIT", "REVISION", "REF", "DATE", "TIMESTAMP" };
	if (predefined(kv->key))
		return false;
	if (!has_default || df_arg_busts_cache(kv->key))
		return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (df_mem_ieq(kv->key.ptr, kv->key.len, names[i]))
			return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(tokens); i++)
		if (last_word_is(kv->key, tokens[i]))
			return true;
	return false;
}

bool df_arg_read_by_tools(df_str name)
{
	/* Settings programs read from their environment on their own: the
	 * environment of a framework (NODE_ENV, MIX_ENV, RAILS_ENV ...), a
	 * package manager's or compiler's configuration. */
	static const char *const prefixes[] = {
		"NPM_CONFIG_", "YARN_", "PNPM_", "PIP_", "POETRY_", "UV_", "PIPENV_", "PYTHON", "CARGO_",
		"RUST", "GO", "CGO_", "MAVEN_", "GRADLE_", "JAVA_", "BUNDLE_", "GEM_", "COMPOSER_", "DOTNET_",
		"NUGET_", "ASPNETCORE_", "HEX_", "MIX_", "LC_", "NODE_",
	};
	static const char *const names[] = {
		"DEBIAN_FRONTEND", "TZ", "LANG", "LANGUAGE", "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS",
		"LDFLAGS", "MAKEFLAGS", "PKG_CONFIG_PATH", "SSL_CERT_FILE", "HOME", "PATH", "SHELL", "USER",
	};
	if (name.len > 4 && df_mem_ieq(name.ptr + name.len - 4, 4, "_ENV"))
		return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(names); i++)
		if (df_mem_eq(name.ptr, name.len, names[i]))
			return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(prefixes); i++)
		if (df_mem_has_prefix(name.ptr, name.len, prefixes[i]))
			return true;
	/* npm reads its settings in lower case too. */
	return df_mem_has_prefix(name.ptr, name.len, "npm_config_");
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
	return false;
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
	if (shown < n)
		df_buf_addf(b, " and %zu more", n - shown);
}
