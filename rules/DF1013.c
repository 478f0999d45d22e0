/* DF1013 - a COPY puts files holding secrets into the image. */
#include "context/glob.h"
#include "engine/copyctx.h"
#include "engine/ignorefix.h"
#include "engine/rule.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DF1013 = {
	.code = "DF1013",
	.name = "secret-in-context",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_UNSAFE,
	.message = "a COPY puts files holding secrets into the image",
	.docs = {
		.what = "Reports a COPY or ADD from the build context that brings in, after "
			"`.dockerignore` and the instruction's `--exclude`, files that hold credentials: "
			"`.env` and `.env.*` (but not the templates `.env.example`, `.env.sample`, "
			"`.env.template`, `.env.dist`), SSH private keys (`id_rsa`, `id_dsa`, `id_ecdsa`, "
			"`id_ed25519`), `*.key`, `*.pem` holding a `PRIVATE KEY` block, key stores "
			"(`*.p12`, `*.pfx`, `*.jks`), `.npmrc` holding an `_authToken`, `.pypirc`, "
			"`.git-credentials`, `.netrc`, `.htpasswd`, `.aws/credentials`, "
			"`.docker/config.json`, `credentials.json`, Google service-account keys "
			"(`*service-account*.json`, `*service_account*.json`, holding a `private_key`) and Terraform state "
			"(`*.tfstate`). It fires for a broad COPY (`COPY . .`) and for a COPY that names "
			"such a file. The message names the first three files and how many more there "
			"are. Files are read only to check the content conditions, at most 64 KiB each. "
			"Without a build context the rule stays quiet. The fix (unsafe: it changes the build "
			"context) adds each file's exact path to the ignore file in force, creating "
			"`.dockerignore` when there is none; it is not offered when a COPY names one of the "
			"files itself (the build would fail without it).",
		.why = "Whatever a COPY brings in is stored in a layer: anyone who can pull the image, "
		       "or read the build cache, can read the files, and deleting them in a later step "
		       "does not remove them from the earlier layer.",
		.example = "# the context holds .env and deploy/id_rsa; no .dockerignore\n"
			   "FROM node:22\nWORKDIR /app\nCOPY . .\n",
		.instead = "# .dockerignore:\n#   .env\n#   **/id_rsa\n"
			   "FROM node:22\nWORKDIR /app\nCOPY . .\n"
			   "RUN --mount=type=secret,id=env,target=/app/.env npm run build\n",
	},
	.state_size = sizeof(bool),
	.instr_kinds = DF_KIND(DF_I_COPY) | DF_KIND(DF_I_ADD),
	.on_instr = check,
};

/* Files that hold credentials, by name. A pattern with '/' matches the end of
 * the path, else the base name (filepath.Match). With content set, only a
 * file whose first 64 KiB hold that text counts: a certificate is a .pem
 * too, and most .npmrc files only name a registry. */
typedef struct secret {
	const char *pattern;
	const char *content;
	const char *what;	/* said after the name, or NULL */
} secret;

static const secret secrets[] = {
	{ ".env", NULL, NULL },
	{ ".env.*", NULL, NULL },
	{ "id_rsa", NULL, NULL },
	{ "id_dsa", NULL, NULL },
	{ "id_ecdsa", NULL, NULL },
	{ "id_ed25519", NULL, NULL },
	{ "*.key", NULL, NULL },
	{ "*.pem", "PRIVATE KEY", "a private key" },
	{ "*.p12", NULL, NULL },
	{ "*.pfx", NULL, NULL },
	{ "*.jks", NULL, NULL },
	{ ".npmrc", "_authToken", "an auth token" },
	{ ".pypirc", NULL, NULL },
	{ ".git-credentials", NULL, NULL },
	{ ".netrc", NULL, NULL },
	{ ".htpasswd", NULL, NULL },
	{ ".aws/credentials", NULL, NULL },
	{ ".docker/config.json", NULL, NULL },
	{ "credentials.json", NULL, NULL },
	{ "*service[-_]account*.json", "private_key", "a private key" },
	{ "*.tfstate", NULL, NULL },
};

/* Templates that ship placeholders, not secrets. */
static const char *const templates[] = { ".env.example", ".env.sample", ".env.template", ".env.dist" };

#define CONTENT_MAX (64u << 10)

static bool file_holds(const df_context *ctx, const char *path, const char *text)
{
	df_buf full = DF_BUF_INIT;
	df_buf_addf(&full, "%s/%s", ctx->root, path);
	int fd = open(full.buf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	df_buf_release(&full);
	if (fd < 0)
		return false;
	char *buf = df_xmalloc(CONTENT_MAX + 1);
	size_t n = 0;
	ssize_t r;
	while (n < CONTENT_MAX && (r = read(fd, buf + n, CONTENT_MAX - n)) > 0)
		n += (size_t)r;
	close(fd);
	bool found = df_mem_contains(buf, n, text);
	free(buf);
	return found;
}

/* How a pattern of the table is matched against a base name: mostly a
 * name, a `*.ext` or a `name.*`, compared directly (a context holds
 * thousands of names, each tried against every pattern); the rest go to
 * filepath.Match. A pattern with '/' matches the end of the path. Settled
 * once per context, not per name. */
typedef enum form { FORM_NAME, FORM_SUFFIX, FORM_PREFIX, FORM_PATH, FORM_GLOB } form;

typedef struct pattern_form {
	form how;
	const char *lit;	/* the text compared; FORM_GLOB: the literal
				 * text the pattern ends with, a name it
				 * matches must end with too */
	size_t len;
} pattern_form;

static pattern_form form_of(const char *pattern)
{
	const char *meta = strpbrk(pattern, "*?[\\");
	if (strchr(pattern, '/'))
		return (pattern_form){ FORM_PATH, pattern, strlen(pattern) };
	if (!meta)
		return (pattern_form){ FORM_NAME, pattern, strlen(pattern) };
	if (meta == pattern && !strpbrk(pattern + 1, "*?[\\"))
		return (pattern_form){ FORM_SUFFIX, pattern + 1, strlen(pattern + 1) };
	if (meta[0] == '*' && !meta[1])
		return (pattern_form){ FORM_PREFIX, pattern, (size_t)(meta - pattern) };
	/* After the last '*', '?' or ']' (none escaped), the text is literal. */
	size_t at = strlen(pattern);
	while (!strchr(pattern, '\\') && at > 0 && !strchr("*?]", pattern[at - 1]))
		at--;
	return (pattern_form){ FORM_GLOB, pattern + at, strlen(pattern + at) };
}

/* Does e (its path ending in base, bl long) match pattern, of form f? */
static bool matches(const pattern_form *f, const char *pattern, const df_ctx_entry *e, const char *base,
		    size_t bl)
{
	/* The last (a prefix: the first) character first: most names
	 * differ there. */
	switch (f->how) {
	case FORM_NAME:
		return bl == f->len && memcmp(base, f->lit, bl) == 0;
	case FORM_SUFFIX:
		return bl >= f->len && (!f->len || base[bl - 1] == f->lit[f->len - 1]) &&
		       memcmp(base + bl - f->len, f->lit, f->len) == 0;
	case FORM_PREFIX:
		return bl >= f->len && (!f->len || base[0] == f->lit[0]) && memcmp(base, f->lit, f->len) == 0;
	case FORM_PATH: {
		size_t el = (size_t)(base - e->path) + bl;
		return el >= f->len && (!f->len || e->path[el - 1] == f->lit[f->len - 1]) &&
		       memcmp(e->path + el - f->len, f->lit, f->len) == 0 &&
		       (el == f->len || e->path[el - f->len - 1] == '/');
	}
	case FORM_GLOB:
		break;
	}
	if (bl < f->len || memcmp(base + bl - f->len, f->lit, f->len) != 0)
		return false;
	return df_glob_match(pattern, base, NULL) == 1;
}

/* What a name must look like to be worth trying the patterns on: every
 * pattern but a prefix one ends with literal text of two bytes or more, so
 * the path of an entry it matches ends with the same two bytes; a prefix
 * one needs its first byte at the start of the name. Most names of a
 * context pass neither test (a context holds thousands of names, each
 * tried against every pattern otherwise). */
typedef struct prefilter {
	bool off;		/* a pattern fits neither test: try them all */
	bool first[256];	/* first bytes of the prefix patterns */
	uint8_t tail[65536 / 8];	/* the last two bytes of the others, as bits */
} prefilter;

static void prefilter_add_tail(prefilter *pf, const char *lit, size_t len)
{
	if (len < 2) {
		pf->off = true;
		return;
	}
	unsigned t = (unsigned char)lit[len - 2] << 8 | (unsigned char)lit[len - 1];
	pf->tail[t / 8] |= (uint8_t)(1u << (t % 8));
}

static void prefilter_init(prefilter *pf, const pattern_form *forms, size_t n)
{
	memset(pf, 0, sizeof(*pf));
	for (size_t i = 0; i < n; i++) {
		if (forms[i].how != FORM_PREFIX)
			prefilter_add_tail(pf, forms[i].lit, forms[i].len);
		else if (forms[i].len)
			pf->first[(unsigned char)forms[i].lit[0]] = true;
		else
			pf->off = true;
	}
}

/* Could a pattern match e (its path el bytes long, its base name base)? */
static bool prefilter_pass(const prefilter *pf, const df_ctx_entry *e, size_t el, const char *base)
{
	if (pf->off || el < 2 || pf->first[(unsigned char)base[0]])
		return true;
	unsigned t = (unsigned char)e->path[el - 2] << 8 | (unsigned char)e->path[el - 1];
	return pf->tail[t / 8] & (1u << (t % 8));
}

/* The secret e is, or NULL. */
static const secret *secret_of(const df_context *ctx, const pattern_form *forms, const prefilter *pf,
			       const df_ctx_entry *e)
{
	if (e->type != DF_CTX_FILE)
		return NULL;
	const char *base = df_ctx_entry_name(e);
	size_t bl = strlen(base);
	if (!prefilter_pass(pf, e, (size_t)(base - e->path) + bl, base))
		return NULL;
	for (size_t i = 0; i < DF_ARRAY_LEN(secrets); i++) {
		const secret *s = &secrets[i];
		if (!matches(&forms[i], s->pattern, e, base, bl))
			continue;
		/* Only a name a pattern takes can be a template: asked then. */
		for (size_t k = 0; k < DF_ARRAY_LEN(templates); k++)
			if (strcmp(base, templates[k]) == 0)
				return NULL;
		if (!s->content || file_holds(ctx, e->path, s->content))
			return s;
	}
	return NULL;
}

/* The secret each entry of ctx is (NULL: none), by entry index and as the
 * list of the entries that are one: judged once per context, not per COPY
 * of every Dockerfile built in it. */
typedef struct classified {
	const secret **of;	/* by entry index */
	size_t *at;		/* the indices with a secret, ascending */
	size_t n;
} classified;

static void *classify(const df_context *ctx)
{
	pattern_form forms[DF_ARRAY_LEN(secrets)];
	for (size_t i = 0; i < DF_ARRAY_LEN(secrets); i++)
		forms[i] = form_of(secrets[i].pattern);
	prefilter *pf = df_xmalloc(sizeof(*pf));
	prefilter_init(pf, forms, DF_ARRAY_LEN(secrets));
	classified *c = df_xcalloc(1, sizeof(*c));
	c->of = df_xcalloc(ctx->len + 1, sizeof(*c->of));
	size_t cap = 0;
	for (size_t i = 0; i < ctx->len; i++)
		if ((c->of[i] = secret_of(ctx, forms, pf, &ctx->entries[i]))) {
			df_grow((void **)&c->at, &cap, c->n + 1, sizeof(*c->at));
			c->at[c->n++] = i;
		}
	free(pf);
	return c;
}

static void free_classified(void *p)
{
	classified *c = p;
	if (c) {
		free(c->of);
		free(c->at);
		free(c);
	}
}

/* Does the source name one file itself (no pattern, no directory)? */
static bool names_file(const df_context *ctx, const df_copy_source *s)
{
	if (s->whole)
		return false;
	df_buf p = DF_BUF_INIT;
	df_copy_source_path(s, &p);
	const df_ctx_entry *e = df_glob_has_meta(df_buf_str(&p)) ? NULL : df_context_find(ctx, df_buf_str(&p));
	df_buf_release(&p);
	return e && e->type != DF_CTX_DIR;
}

/* State: the file's context is known to hold no secret (or there is none):
 * its other COPYs need no look. */
static void check(df_lint *lint, const df_instr *in, void *state)
{
	bool *none = state;
	if (*none)
		return;
	/* Most contexts hold no secret: that is known from the sources the
	 * engine keeps (borrowed) and the context's memo, before the sources
	 * are copied and the selection is set up. */
	const df_copy_sources *peeked;
	if (!df_lint_copy_sources_peek(lint, in, &peeked) || !peeked->len)
		return;
	const df_context *ctx = df_lint_context(lint);
	const classified *cl = ctx ? df_context_memo(ctx, &df_rule_DF1013, classify, free_classified) : NULL;
	if (!cl || !cl->n) {
		*none = true;
		return;
	}
	df_copy_sources srcs = DF_COPY_SOURCES_INIT;
	df_lint_copy_context(lint, in, &srcs);
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	df_buf err = DF_BUF_INIT;
	const df_copy_source *culprit = NULL;
	const char *shown[3], *what[3];
	const char **all = NULL;	/* every file found, for the fix */
	size_t all_cap = 0;
	bool direct = true;
	size_t found = 0;
	/* Source by source, to point at the one that brings them in. */
	for (size_t i = 0; i < srcs.len; i++) {
		df_copy_sources one = srcs;
		one.items = &srcs.items[i];
		one.len = 1;
		if (df_copy_select(ctx, in, &one, &sel, &err) < 0)
			break;
		size_t before = found;
		/* The selection's secrets, in walk order: a broad COPY selects
		 * the whole context, where the few secrets are looked up (a
		 * binary search each) rather than every entry read. */
		bool seek = sel.len > cl->n;
		for (size_t k = 0, q = 0; seek ? q < cl->n : k < sel.len; k++, q++) {
			size_t at = seek ? cl->at[q] : sel.items[k];
			if (seek) {
				size_t j = df_ctx_selection_seek(&sel, at);
				if (j >= sel.len)
					break;
				if (sel.items[j] != at)
					continue;
			}
			const df_ctx_entry *e = &ctx->entries[at];
			const secret *s = cl->of[at];
			if (!s)
				continue;
			if (found < 3) {
				shown[found] = e->path;
				what[found] = s->what;
			}
			df_grow((void **)&all, &all_cap, found + 1, sizeof(*all));
			all[found++] = e->path;
		}
		if (found > before) {
			culprit = culprit ? culprit : &srcs.items[i];
			direct &= names_file(ctx, &srcs.items[i]);
		}
	}
	if (found) {
		df_buf msg = DF_BUF_INIT;
		df_copy_add_text(&msg, in);
		if (found == 1)
			df_buf_adds(&msg, " puts a file holding secrets into the image: ");
		else
			df_buf_addf(&msg, " puts %zu files holding secrets into the image: ", found);
		size_t n = found < 3 ? found : 3;
		for (size_t k = 0; k < n; k++) {
			if (k)
				df_buf_adds(&msg, k + 1 == n && found <= 3 ? " and " : ", ");
			df_buf_adds(&msg, shown[k]);
			if (what[k])
				df_buf_addf(&msg, " (%s)", what[k]);
		}
		if (found > 3)
			df_buf_addf(&msg, " and %zu more", found - 3);
		df_buf_adds(&msg, direct ? "; anyone who can pull the image can read them: pass them at build time "
					   "with `RUN --mount=type=secret` instead"
					 : "; anyone who can pull the image can read them: exclude them in .dockerignore "
					   "and pass what the build needs with `RUN --mount=type=secret`");
		/* The fix: each file's exact path in the ignore file. */
		df_buf pats = DF_BUF_INIT;
		const char **lines = df_xcalloc(found, sizeof(*lines));
		size_t *at = df_xcalloc(found, sizeof(*at));
		bool quoted = true;
		for (size_t k = 0; k < found && quoted; k++) {
			at[k] = pats.len;
			quoted = df_ignore_quote(all[k], false, &pats);
			df_buf_addc(&pats, '\0');
		}
		for (size_t k = 0; k < found && quoted; k++)
			lines[k] = pats.buf + at[k];
		bool can = quoted && df_ignore_fix_ok(lint, lines, found, all, found);
		df_fix *fix = df_report_fix(lint, &df_rule_DF1013, can ? DF_FIX_UNSAFE : DF_FIX_NONE,
					    culprit->word->span, "%s", df_buf_str(&msg));
		for (size_t k = 0; k < found && can; k++)
			df_fix_ignore(fix, lines[k]);
		free(at);
		free(lines);
		df_buf_release(&pats);
		df_buf_release(&msg);
	}
	free(all);
	df_copy_sources_release(&srcs);
	df_ctx_selection_release(&sel);
	df_buf_release(&err);
}
