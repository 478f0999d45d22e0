/* DF1001 - a COPY that brings in more than the manifests comes before a dependency install. */
#include "context/glob.h"
#include "context/manifest.h"
#include "engine/cmds.h"
#include "engine/copyctx.h"
#include "engine/fixes.h"
#include "engine/rule.h"
#include "graph/ecosystem.h"
#include "graph/filemodel.h"
#include "util/arena.h"
#include "util/util.h"

#include <string.h>

/* Context COPYs a stage may hold before its install; later ones are not
 * judged (a stage with more is no hand-written Dockerfile). */
#define MAX_COPIES 32
/* Manifests named in one finding. */
#define MAX_NAMED 6
/* Installs of a stage remembered. */
#define MAX_INSTALLS 8

typedef struct df1001_state {
	const df_instr *copies[MAX_COPIES];	/* context COPY/ADDs of the stage, in order */
	bool reported[MAX_COPIES];
	size_t ncopies;
	size_t nreported;
	/* The stage's installs so far: their manager, and how many of copies
	 * came before each. */
	const df_eco_manager *installed[MAX_INSTALLS];
	size_t installed_after[MAX_INSTALLS];
	size_t ninstalled;
	/* The WORKDIR text a RUN's walk cleaned last, and its clean form (in
	 * the engine's arena, which lasts the file): a file's RUNs mostly run
	 * in the same one. Keyed by the text, the only thing cleaning reads. */
	df_str workdir;
	const char *workdir_clean;
} df1001_state;

static void on_instr(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DF1001 = {
	.code = "DF1001",
	.name = "context-copied-before-dependency-install",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CACHE,
	.fix = DF_FIX_SAFE,
	.message = "a COPY brings in more than the dependency manifests before the install",
	.docs = {
		.what = "Reports a COPY or ADD from the build context that brings in more than the dependency "
			"manifests and comes, in the same stage, before a RUN that installs dependencies from "
			"those manifests only (`npm ci`, `pip install -r requirements.txt`, `go mod download`, "
			"`poetry install --no-root`, `mvn dependency:go-offline`, `bundle install` ... every "
			"package manager of docs/ecosystems.md). The install's project directory (its WORKDIR, "
			"any `cd` before it in the RUN, or a directory option) must lie at or under the COPY's "
			"destination. A COPY of the whole context (`.`, `./`, `*`, `/`) always counts. A "
			"narrower source counts when it brings in the install's manifests and something else: "
			"with a build context, by what it selects there (file names compared with the "
			"manifests'); without one (stdin, `--no-context`), when it looks like a directory (ends "
			"in `/`, or its last component has no `.` and starts with a lowercase letter or digit: "
			"`src`, `./app`) and no earlier COPY of the stage copied only manifests. A COPY of "
			"manifests only (`COPY package*.json ./`), a `COPY --from`, a heredoc or a URL never "
			"counts; installs that are not dependency installs (`npm run build`, `pip install .`, "
			"`npm install express`) are not judged; each stage is judged on its own. An install "
			"that reads the sources only for want of a flag (`poetry install` without `--no-root`, "
			"`composer install` without `--no-scripts --no-autoloader`, `uv sync` without "
			"`--no-install-project`) is judged too: the message names the flags the install before "
			"the COPY needs, and a second install after it does the rest. A COPY that follows an "
			"install of the same package manager in the stage is the split already made (the "
			"second install may read the sources). One finding per COPY, at its broad source, "
			"naming the first install after it.\n\n"
			"With a build context the message counts the files the COPY brings in, names the "
			"manifests that exist, and says whether the split is safe: it is when the manager reads "
			"exactly its manifests, the install runs no project script (package.json has no "
			"`preinstall`, `install`, `postinstall` or `prepare` script, or `--ignore-scripts`), "
			"package.json declares no workspaces and no `file:`/`link:` dependency, and the COPY "
			"does not bring in what the install writes (`node_modules`, `vendor` ...) over its "
			"output. Without a context it names the manifests the install reads.\n\n"
			"The fix (with a context) makes the split: a COPY of the manifests that exist, to "
			"where the broad COPY puts them and with its --chown, --chmod and --link, then the "
			"install, moved up whole, then the broad COPY and what follows it, unchanged. It is "
			"offered when the install's RUN holds only dependency installs and the managers' "
			"settings, the manifests lie in one directory, and nothing between the COPY and the "
			"install but other COPYs, LABEL and EXPOSE; safe when the split is, else unsafe.",
		.why = "A COPY's cache key covers the contents of every file it brings in. When the whole "
		       "source tree lands before the dependency install, editing any source file misses the "
		       "cache at that COPY and re-runs the install after it: minutes of downloads on every "
		       "build, for dependencies that did not change. Copying the manifests first keeps the "
		       "install cached until a manifest changes.",
		.example = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD [\"node\", \"server.js\"]\n",
		.instead = "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n"
			   "COPY . .\nCMD [\"node\", \"server.js\"]\n",
	},
	.state_size = sizeof(df1001_state),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_COPY) | DF_KIND(DF_I_ADD) | DF_KIND(DF_I_RUN),
	.on_instr = on_instr,
};

/* One COPY judged against one install. */
typedef struct pair {
	df_lint *lint;
	df_arena *arena;
	const df_instr *copy, *run;
	df_copy_sources *srcs;
	const df_eco_use *use;
	const df_cmd_view *cmd;	/* the install, expanded */
	const char *dest;	/* the COPY's destination, clean; NULL when unknown */
	const char *rel;	/* the project directory under it ("" at it) */
	const char *prefix;	/* where the destination's contents lie in the context ("" for the
				 * whole context, "src/" for COPY src ...), NULL when unknown (a glob) */
} pair;

/* path relative to dir when it lies at or under it ("" at it), else NULL;
 * both clean absolute paths, dir "/" holding everything. */
static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path + 1;
	if (strncmp(path, dir, n) != 0)
		return NULL;
	return path[n] == '\0' ? path + n : path[n] == '/' ? path + n + 1 : NULL;
}

/* s cleaned, without a trailing '/' (but "/" stays). */
static char *clean_dir(df_arena *a, const char *s)
{
	/* Its trailing '/' dropped first: most paths are clean without it,
	 * and df_eco_path_join() copies a clean one as it is. */
	size_t n = strlen(s);
	if (n > 1 && s[n - 1] == '/') {
		while (n > 1 && s[n - 1] == '/')
			n--;
		s = df_arena_memdup(a, s, n);
	}
	char *p = df_eco_path_join(a, NULL, s);
	n = strlen(p);
	if (n > 1 && p[n - 1] == '/')
		p[n - 1] = '\0';
	return p;
}

static const char *base_name(const char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	const char *slash = memrchr(p, '/', n);	/* asked of every manifest path */
	return slash ? slash + 1 : p;
}

/* Does the context file at path read as one of the install's manifests,
 * by name (a directory manifest such as gradle/ by any component)? */
static bool is_manifest_file(const df_eco_use *u, const char *path)
{
	const char *base = base_name(path);
	for (size_t i = 0; i < u->nmanifests; i++) {
		const char *m = u->manifests[i].path;
		if (u->manifests[i].dir) {
			size_t n = strlen(m) - 1;
			while (n > 0 && m[n - 1] != '/')
				n--;
			size_t len = strlen(m + n) - 1;	/* "gradle" of ".../gradle/" */
			for (const char *c = path; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL)
				if (strncmp(c, m + n, len) == 0 && c[len] == '/')
					return true;
		} else if (df_glob_match(base_name(m), base, NULL) == 1) {
			return true;
		}
	}
	return false;
}

/* Does source value s name only manifests by its words: its base name is,
 * or matches as a pattern, one of the manifests' (`package*.json`)? */
static bool names_manifest(const df_eco_use *u, df_str s)
{
	/* A name without '*', '?', '[' or '\\' matches as a pattern only the
	 * same name: two such are compared as strings, which is most pairs. */
	static const char meta[] = "*?[\\";
	char buf[256];
	if (s.len >= sizeof(buf))
		return false;
	memcpy(buf, s.ptr, s.len);
	buf[s.len] = '\0';
	const char *b = base_name(buf);
	bool literal = !strpbrk(b, meta);
	for (size_t i = 0; i < u->nmanifests; i++) {
		const char *m = base_name(u->manifests[i].path);
		if (literal && !strpbrk(m, meta)) {
			if (strcmp(b, m) == 0)
				return true;
		} else if (df_glob_match(b, m, NULL) == 1 || df_glob_match(m, b, NULL) == 1) {
			return true;
		}
	}
	return false;
}

/* Without a context, does source value s look like a directory of the
 * project (`src`, `./app`, `app/`) rather than a file (`app.py`, `Gemfile`,
 * `Makefile`)? */
static bool looks_like_dir(df_str s)
{
	if (s.len == 0 || memchr(s.ptr, '*', s.len) || memchr(s.ptr, '?', s.len) || memchr(s.ptr, '[', s.len))
		return false;
	if (s.ptr[s.len - 1] == '/')
		return true;
	size_t i = s.len;
	while (i > 0 && s.ptr[i - 1] != '/')
		i--;
	df_str last = {s.ptr + i, s.len - i};
	return last.len && !memchr(last.ptr, '.', last.len) &&
	       ((last.ptr[0] >= 'a' && last.ptr[0] <= 'z') || df_is_digit(last.ptr[0]));
}

/* Did a COPY of the stage before the install copy manifests only (the
 * usual first half of the split)? */
static bool stage_copied_manifests(df_lint *lint, const df1001_state *st, const df_eco_use *u)
{
	df_copy_sources s = DF_COPY_SOURCES_INIT;
	bool found = false;
	for (size_t i = 0; i < st->ncopies && !found; i++) {
		if (!df_copy_context_sources(df_lint_graph(lint), st->copies[i], &s) || !s.len || s.unknown)
			continue;
		bool all = true;
		for (size_t k = 0; k < s.len && all; k++)
			all = names_manifest(u, s.items[k].value);
		found = all;
	}
	df_copy_sources_release(&s);
	return found;
}

/* The install as findings quote it: its words from the command name,
 * cut at 60 bytes. */
static void add_install(df_buf *b, const df_cmd_view *v)
{
	df_buf t = DF_BUF_INIT;
	for (size_t i = v->name; i < v->cmd->nwords; i++) {
		if (i > v->name)
			df_buf_addc(&t, ' ');
		df_buf_add(&t, v->cmd->words[i].value.ptr, v->cmd->words[i].value.len);
	}
	size_t n = t.len > 60 ? 60 : t.len;
	df_buf_addf(b, "`%.*s%s`", (int)n, df_buf_str(&t), n < t.len ? "..." : "");
	df_buf_release(&t);
}

/* A path's place in the context, given its image path (absolute, or
 * relative to the cwd when that is unknown and is the destination); NULL
 * when the COPY does not tell (outside the destination, several sources). */
static const char *manifest_ctx_path(const pair *p, const char *m)
{
	const char *rel = m;
	if (!p->prefix || (m[0] == '/' && !(p->dest && (rel = under(m, p->dest)))))
		return NULL;
	size_t n = strlen(p->prefix) + strlen(rel) + 1;
	char *out = df_arena_alloc(p->arena, n);
	memcpy(out, p->prefix, strlen(p->prefix));
	memcpy(out + strlen(p->prefix), rel, strlen(rel) + 1);
	return out;
}

/*
 * Append the manifests that exist in the context (their context paths) to
 * names (for a message) and to paths (each ending in NUL), and read those
 * manifest.h knows (package.json); return how many exist. why gets the first reason the split may read more than them;
 * *read is set when a manifest said whether the install runs scripts.
 */
static size_t find_manifests(const pair *p, const df_context *ctx, df_buf *names, df_buf *paths, df_buf *why,
			     bool *read)
{
	size_t found = 0;
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	df_buf err = DF_BUF_INIT, path = DF_BUF_INIT;
	for (size_t i = 0; i < p->use->nmanifests; i++) {
		const df_eco_path *m = &p->use->manifests[i];
		const char *cp = manifest_ctx_path(p, m->path);
		if (!cp)
			continue;
		size_t n = strlen(cp);
		const char *key = m->dir && n > 1 ? df_arena_memdup(p->arena, cp, n - 1) : cp;
		df_buf_reset(&err);
		if (m->glob && df_context_select(ctx, key, &sel, &err) == 0) {
			for (size_t k = 0; k < sel.len; k++) {
				const df_ctx_entry *e = &ctx->entries[sel.items[k]];
				if (df_glob_match(key, e->path, NULL) != 1)
					continue;
				if (found++ < MAX_NAMED)
					df_buf_addf(names, "%s%s", names->len ? ", " : "", e->path);
				df_buf_add(paths, e->path, strlen(e->path) + 1);
			}
			continue;
		}
		const df_ctx_entry *e = m->glob ? NULL : df_context_find(ctx, key);
		if (!e)
			continue;
		if (found++ < MAX_NAMED)
			df_buf_addf(names, "%s%s", names->len ? ", " : "", cp);
		df_buf_add(paths, cp, strlen(cp) + 1);
		if (e->type != DF_CTX_FILE || why->len)
			continue;
		/* What the manifest says the install also reads or runs. */
		df_manifest man;
		df_buf_reset(&path);
		df_buf_addf(&path, "%s/%s", ctx->root, e->path);
		df_buf_reset(&err);
		if (df_manifest_read(df_buf_str(&path), &man, &err) < 0)
			df_buf_addf(why, "%s could not be read as JSON", e->path);
		else if (!man.known)
			continue;
		*read = true;
		if (man.hook && p->use->scripts)
			df_buf_addf(why, "%s runs a `%s` script on install, which may read other files", e->path,
				    man.hook);
		else if (man.workspaces)
			df_buf_addf(why, "%s declares workspaces, whose manifests the install reads too", e->path);
		else if (man.local_dep[0])
			df_buf_addf(why, "%s depends on the local package `%s`", e->path, man.local_dep);
	}
	if (found > MAX_NAMED)
		df_buf_addf(names, " and %zu more", found - MAX_NAMED);
	df_ctx_selection_release(&sel);
	df_buf_release(&err);
	df_buf_release(&path);
	return found;
}

/* The manifests the table says the install reads: their context paths
 * where the COPY's sources tell them, else their names. For a finding
 * without a context, or with none of them in it. */
static void add_table_manifests(df_buf *b, const pair *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->use->nmanifests && n < MAX_NAMED; i++) {
		const char *cp = manifest_ctx_path(p, p->use->manifests[i].path);
		const char *shown = cp ? cp : base_name(p->use->manifests[i].path);
		df_buf_addf(b, "%s%s", n++ ? ", " : "", shown);
	}
}

/* For an install that reads the sources for want of flags: what it does
 * and the flags the one before the COPY needs. */
static void add_split_flags(df_buf *b, const pair *p)
{
	df_buf_addf(b, "as written it %s: the install before the COPY needs",
		    p->use->why ? p->use->why : "reads the sources");
	size_t n = 0;
	for (const char *const *f = p->use->split_flags; *f; f++)
		if (!df_cmd_has_arg(p->cmd, *f))
			df_buf_addf(b, "%s%s", n++ && p->use->split_any ? " or " : " ", *f);
	df_buf_adds(b, ", and a second one after it does the rest");
}

/* What the install writes that the COPY brings in over it (node_modules
 * from the developer's machine), or NULL. */
static const char *overwritten(const pair *p, const df_context *ctx, const df_ctx_selection *sel)
{
	const char *const *w = p->use->manager && p->prefix ? p->use->manager->writes : NULL;
	for (; w && *w; w++) {
		const char *img = (*w)[0] == '/' || !p->use->dir ? *w : df_eco_path_join(p->arena, p->use->dir, *w);
		const char *cp = manifest_ctx_path(p, img);
		if (cp && *cp && df_ctx_selection_has(ctx, sel, clean_dir(p->arena, cp)))
			return *w;
	}
	return NULL;
}

/*
 * The line the split puts before the broad COPY, into line_out (with the
 * file's line ending): a COPY of the manifests (paths: NUL-separated
 * context paths, all in one directory under p->prefix) to where the broad
 * COPY puts them, with its --chown, --chmod and --link. False when the
 * manifests lie in several directories or need quoting.
 */
static bool split_text(const pair *p, const df_buf *paths, df_buf *line_out)
{
	const df_doc *doc = df_lint_doc(p->lint);
	const df_instr *c = p->copy;
	const char *subdir = NULL;
	size_t plen = strlen(p->prefix);
	df_buf line = DF_BUF_INIT;
	char kw[32];
	df_buf_adds(&line, df_keyword_like("COPY", c->keyword, kw));
	for (size_t i = 0; i < c->nflags; i++) {
		df_str n = c->flags[i].name;
		if (df_mem_eq(n.ptr, n.len, "chown") || df_mem_eq(n.ptr, n.len, "chmod") || df_mem_eq(n.ptr, n.len, "link")) {
			df_buf_addc(&line, ' ');
			df_buf_add(&line, doc->src.data + c->flags[i].span.start, c->flags[i].span.end - c->flags[i].span.start);
		} else if (!df_mem_eq(n.ptr, n.len, "from")) {
			df_buf_release(&line);
			return false;	/* --exclude, --parents: not for a list of files */
		}
	}
	for (size_t off = 0; off < paths->len; off += strlen(paths->buf + off) + 1) {
		const char *cp = paths->buf + off, *slash = strrchr(cp, '/');
		size_t dl = slash ? (size_t)(slash - cp) + 1 : 0;
		if (strncmp(cp, p->prefix, plen) != 0 || dl < plen || strpbrk(cp, " \t\"'$`\\*?[")) {
			df_buf_release(&line);
			return false;
		}
		const char *sd = df_arena_memdup(p->arena, cp + plen, dl - plen);
		if (subdir && strcmp(subdir, sd) != 0) {
			df_buf_release(&line);
			return false;
		}
		subdir = sd;
		df_buf_addc(&line, ' ');
		df_buf_adds(&line, cp);
	}
	/* The destination as the broad COPY wrote it, to the manifests'
	 * directory under it, ending in '/' (several sources need it). */
	df_buf_addc(&line, ' ');
	df_str d = c->dest->raw;
	df_buf_add(&line, d.ptr, d.len);
	if (!d.len || d.ptr[d.len - 1] != '/')
		df_buf_addc(&line, '/');
	df_buf_adds(&line, subdir ? subdir : "");
	/* The file's line ending, and the install's text as written. */
	const char *src = doc->src.data;
	bool crlf = c->span.end >= 2 && src[c->span.end - 2] == '\r' && src[c->span.end - 1] == '\n';
	df_buf_adds(&line, crlf ? "\r\n" : "\n");
	*line_out = line;
	return true;
}

/* A command the install's RUN may hold to be split off: a dependency install, or a
 * package manager's own settings (`bundle config set ...`). */
static int settles(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	df_arena *a = ud;
	if (cmd->kind != DF_SH_SIMPLE || !cmd->nwords)
		return 0;
	df_eco_use u;
	df_eco_classify(a, cmd, df_sh_cmd_name_index(cmd), NULL, &u);
	return !(u.manager && (u.kind == DF_ECO_DEPS || u.kind == DF_ECO_NONE));
}

/* How the fix reorders: the install up above the broad COPY, or the broad
 * COPY down below the install. */
typedef enum reorder { REORDER_NONE, INSTALL_UP, COPY_DOWN } reorder;

/*
 * How the split can be made without changing what any step sees. The
 * install's RUN must hold only dependency installs and the managers'
 * settings (a build needs the sources), and no heredoc. Then:
 *  - INSTALL_UP when only other COPYs, LABEL and EXPOSE lie between: the
 *    install sees the same WORKDIR, ENV and USER above them;
 *  - COPY_DOWN when only WORKDIR, ENV, ARG, USER, LABEL and EXPOSE lie
 *    between and the COPY reads no variable: it lands where it did (its
 *    destination absolute when a WORKDIR lies between) and no step between
 *    reads its files.
 */
static reorder how_to_reorder(df_lint *lint, const df_instr *copy, const df_instr *r, df_arena *a)
{
	if (r->nheredocs || r->outer || (!r->script && !r->exec_form))
		return REORDER_NONE;
	if (r->exec_form) {
		size_t n;
		df_run_use *u = df_run_uses(a, df_lint_graph(lint), r->index, &n);
		if (n != 1 || u[0].use.kind != DF_ECO_DEPS)
			return REORDER_NONE;
	} else if (df_sh_walk(r->script, settles, a) != 0) {
		return REORDER_NONE;
	}
	const df_doc *doc = df_lint_doc(lint);
	bool up = true, down = !memchr(copy->text.str.ptr, '$', copy->text.str.len), workdir = false;
	for (size_t i = copy->index + 1; i < r->index; i++) {
		df_instr_kind k = doc->instrs[i]->kind;
		up &= k == DF_I_COPY || k == DF_I_ADD || k == DF_I_LABEL || k == DF_I_EXPOSE;
		down &= k == DF_I_WORKDIR || k == DF_I_ENV || k == DF_I_ARG || k == DF_I_USER || k == DF_I_LABEL ||
			k == DF_I_EXPOSE;
		workdir |= k == DF_I_WORKDIR;
	}
	if (workdir && (!copy->dest || !copy->dest->value.len || copy->dest->value.ptr[0] != '/'))
		down = false;
	return up ? INSTALL_UP : down ? COPY_DOWN : REORDER_NONE;
}

/* The split's edits: the manifests' COPY line, then the install above
 * the broad COPY (INSTALL_UP), or the broad COPY below the install
 * (COPY_DOWN), each moved whole, as written. */
static void reorder_edits(const pair *p, reorder how, df_buf *line, df_fix *fix)
{
	const char *src = df_lint_doc(p->lint)->src.data;
	df_span c = p->copy->span, r = p->run->span;
	bool crlf = line->len >= 2 && line->buf[line->len - 2] == '\r';
	const char *eol = crlf ? "\r\n" : "\n";
	if (how == INSTALL_UP) {
		df_buf_add(line, src + r.start, r.end - r.start);
		if (r.end == r.start || src[r.end - 1] != '\n')
			df_buf_adds(line, eol);
		df_fix_edit_n(fix, c.start, c.start, df_buf_str(line), line->len);
		df_fix_edit(fix, r.start, r.end, "");
		return;
	}
	df_buf copy = DF_BUF_INIT;
	if (r.end == r.start || src[r.end - 1] != '\n')
		df_buf_adds(&copy, eol);
	df_buf_add(&copy, src + c.start, c.end - c.start);
	if (c.end == c.start || src[c.end - 1] != '\n')
		df_buf_adds(&copy, eol);
	df_fix_edit_n(fix, c.start, c.end, df_buf_str(line), line->len);
	df_fix_edit_n(fix, r.end, r.end, df_buf_str(&copy), copy.len);
	df_buf_release(&copy);
}

static bool report(const pair *p, const df_copy_source *culprit)
{
	df_lint *lint = p->lint;
	const df_context *ctx = df_lint_context(lint);
	df_buf msg = DF_BUF_INIT, install = DF_BUF_INIT, names = DF_BUF_INIT, why = DF_BUF_INIT, err = DF_BUF_INIT;
	df_buf paths = DF_BUF_INIT;
	df_ctx_selection sel = DF_CTX_SELECTION_INIT;
	bool fired = false;
	/* The split the fix makes: none without the manifests' names (no
	 * context), or when the install needs another flag first. */
	df_fix_kind kind = DF_FIX_NONE;
	reorder how = REORDER_NONE;
	add_install(&install, p->cmd);
	df_copy_add_text(&msg, p->copy);
	df_buf_addf(&msg, " (line %u) ", (unsigned)p->copy->line);
	if (ctx && !p->srcs->unknown && df_copy_select(ctx, p->copy, p->srcs, &sel, &err) == 0) {
		size_t files = 0;
		bool beyond = false;
		for (size_t i = 0; i < sel.len; i++) {
			const df_ctx_entry *e = &ctx->entries[sel.items[i]];
			if (e->type == DF_CTX_DIR)
				continue;
			files++;
			beyond |= !is_manifest_file(p->use, e->path);
		}
		if (!beyond)
			goto out;	/* manifests only, after all: the right shape */
		bool read = false;
		size_t found = p->prefix ? find_manifests(p, ctx, &names, &paths, &why, &read) : 0;
		if (found && p->copy->dest && (how = how_to_reorder(lint, p->copy, p->run, p->arena)) != REORDER_NONE)
			kind = DF_FIX_UNSAFE;
		df_buf_adds(&msg, "brings in ");
		df_copy_add_count(&msg, files);
		df_buf_addf(&msg, " file%s before %s (line %u): a change to any of them re-runs the install; ",
			    files == 1 ? "" : "s", df_buf_str(&install), (unsigned)p->run->line);
		if (found) {
			df_buf_addf(&msg, "copy %s first", df_buf_str(&names));
		} else {
			df_buf_adds(&msg, "copy its manifests (");
			add_table_manifests(&msg, p);
			df_buf_adds(&msg, ": those that exist) first");
		}
		df_buf_addf(&msg, ", run %s, then copy the rest", df_buf_str(&install));
		const char *out_dir = overwritten(p, ctx, &sel);
		if (p->use->split_flags) {
			kind = DF_FIX_NONE;
			df_buf_adds(&msg, "; the split is unsafe: ");
			add_split_flags(&msg, p);
		} else if (!p->use->exact)
			df_buf_adds(&msg, "; the split is unsafe: the install may read files beyond these (what they "
					  "include or point to)");
		else if (why.len)
			df_buf_addf(&msg, "; the split is unsafe: %s", df_buf_str(&why));
		else if (p->use->scripts && !read)
			df_buf_adds(&msg, "; the split is unsafe: the install may run project scripts");
		else if (out_dir)
			df_buf_addf(&msg, "; the split is unsafe: the COPY brings in %s over what the install wrote "
					  "(add it to .dockerignore)", out_dir);
		else if (kind == DF_FIX_UNSAFE)
			kind = DF_FIX_SAFE, df_buf_adds(&msg, "; the split is safe");
		else
			df_buf_adds(&msg, "; the split is safe");
	} else {
		if (culprit->whole)
			df_buf_adds(&msg, "brings in the whole build context");
		else
			df_buf_addf(&msg, "brings in the directory %.*s", (int)culprit->value.len, culprit->value.ptr);
		df_buf_addf(&msg, " before %s (line %u): a change to any file in it re-runs the install; copy the "
				  "manifests it reads (",
			    df_buf_str(&install), (unsigned)p->run->line);
		add_table_manifests(&msg, p);
		df_buf_addf(&msg, ": those that exist) first, run %s, then copy the rest", df_buf_str(&install));
		if (p->use->split_flags) {
			df_buf_adds(&msg, "; ");
			add_split_flags(&msg, p);
		}
	}
	df_buf line = DF_BUF_INIT;
	if (kind != DF_FIX_NONE && !split_text(p, &paths, &line))
		kind = DF_FIX_NONE;
	df_fix *fix = df_report_fix(lint, &df_rule_DF1001, kind, culprit->word->span, "%s", df_buf_str(&msg));
	if (fix)
		reorder_edits(p, how, &line, fix);
	df_buf_release(&line);
	fired = true;
out:
	df_ctx_selection_release(&sel);
	df_buf_release(&msg);
	df_buf_release(&install);
	df_buf_release(&names);
	df_buf_release(&why);
	df_buf_release(&err);
	df_buf_release(&paths);
	return fired;
}

/*
 * Judge COPY i of the stage against the install: does its destination hold
 * the project directory, and does it bring in more than the manifests? True
 * when it did report.
 */
static bool judge(df_lint *lint, df1001_state *st, size_t i, const df_instr *run, const df_cmd_view *v,
		  const df_eco_use *u, df_arena *a)
{
	const df_graph *g = df_lint_graph(lint);
	const df_instr *copy = st->copies[i];
	const df_copy_model *model = g->steps[copy->index].copy;
	const df_step *rs = &g->steps[run->index], *cs = &g->steps[copy->index];
	pair p = {lint, a, copy, run, NULL, u, v, NULL, NULL, NULL};

	/* Where the project lies under the destination. */
	if (model->dest_known)
		p.dest = clean_dir(a, df_arena_memdup(a, model->dest.ptr, model->dest.len));
	if (p.dest && u->dir && u->dir[0] == '/') {
		p.rel = under(u->dir, p.dest);
	} else if (!u->dir && copy->dest && rs->workdir.len == cs->workdir.len &&
		   memcmp(rs->workdir.ptr, cs->workdir.ptr, cs->workdir.len) == 0) {
		/* The same unknown WORKDIR, the COPY into it and the install
		 * in it: `COPY . .` then `RUN npm ci`. */
		df_str d = copy->dest->value;
		if ((d.len == 1 && d.ptr[0] == '.') || (d.len == 2 && d.ptr[0] == '.' && d.ptr[1] == '/'))
			p.rel = "";
	}
	if (!p.rel)
		return false;

	df_copy_sources srcs = DF_COPY_SOURCES_INIT;
	df_copy_context_sources(g, copy, &srcs);
	p.srcs = &srcs;
	const df_copy_source *culprit = NULL;
	const df_context *ctx = NULL;
	for (size_t k = 0; k < srcs.len && !culprit; k++)
		if (srcs.items[k].whole)
			culprit = &srcs.items[k];
	if (culprit) {
		p.prefix = "";
	} else {
		/* A narrower source: open the context only for one that
		 * names more than manifests, the file's reason to look. */
		for (size_t k = 0; k < srcs.len && !culprit; k++) {
			df_str s = srcs.items[k].value;
			if (names_manifest(u, s))
				continue;
			/* With a context the selection decides (below); without
			 * one, the word must look like a directory. */
			if (!ctx)
				ctx = df_lint_context(lint);
			if (ctx || looks_like_dir(s))
				culprit = &srcs.items[k];
		}
		if (culprit && !ctx && stage_copied_manifests(lint, st, u))
			culprit = NULL;
		if (culprit && ctx) {
			/* With the context: the source must bring in one of the
			 * manifests, by name, beside other files. */
			df_ctx_selection sel = DF_CTX_SELECTION_INIT;
			df_buf err = DF_BUF_INIT;
			bool manifest = false;
			if (!srcs.unknown && df_copy_select(ctx, copy, &srcs, &sel, &err) == 0)
				for (size_t k = 0; k < sel.len && !manifest; k++) {
					const df_ctx_entry *e = &ctx->entries[sel.items[k]];
					manifest = e->type != DF_CTX_DIR && is_manifest_file(u, e->path);
				}
			df_ctx_selection_release(&sel);
			df_buf_release(&err);
			if (!manifest)
				culprit = NULL;
		}
		/* One directory source: its contents land at the
		 * destination, so the manifests lie under it in the context. */
		const char *word = culprit ? df_arena_memdup(a, culprit->value.ptr, culprit->value.len) : NULL;
		if (word && srcs.len == 1 && !df_glob_has_meta(word)) {
			const df_ctx_entry *e = ctx ? df_context_find(ctx, word) : NULL;
			if (!ctx || (e && e->type == DF_CTX_DIR)) {
				df_buf dir = DF_BUF_INIT;
				df_buf_addc(&dir, '/');
				df_buf_adds(&dir, word);
				char *clean = clean_dir(a, df_buf_str(&dir));
				df_buf_reset(&dir);
				if (clean[1])
					df_buf_addf(&dir, "%s/", clean + 1);
				p.prefix = df_arena_memdup(a, df_buf_str(&dir), dir.len);
				df_buf_release(&dir);
			}
		}
	}
	bool fired = culprit && report(&p, culprit);
	df_copy_sources_release(&srcs);
	return fired;
}

typedef struct walk {
	df_lint *lint;
	df1001_state *st;
	const df_instr *run;
	const df_step *step;	/* the RUN's */
	const char *cwd;	/* valid once cwd_known */
	bool cwd_known;
	df_arena arena;		/* scratch for the RUN, once arena_ready */
	bool arena_ready;
} walk;

/* The walk's scratch arena, set up on first use: most RUNs run no package
 * manager, and have no use for it. */
static df_arena *walk_arena(walk *w)
{
	if (!w->arena_ready) {
		df_arena_init(&w->arena);
		w->arena_ready = true;
	}
	return &w->arena;
}

/* The directory the command runs in, so far: the RUN's WORKDIR cleaned, on
 * first use (most RUNs run no package manager, and have no use for it),
 * then as `cd` changes it. */
static const char **walk_cwd(walk *w)
{
	if (!w->cwd_known && w->step->workdir_known) {
		df1001_state *st = w->st;
		df_str d = w->step->workdir;
		if (!st->workdir_clean || st->workdir.len != d.len || memcmp(st->workdir.ptr, d.ptr, d.len) != 0) {
			df_arena *a = &df_lint_cmds(w->lint)->arena;
			st->workdir = d;
			st->workdir_clean = clean_dir(a, df_arena_memdup(a, d.ptr, d.len));
		}
		w->cwd = st->workdir_clean;
	}
	w->cwd_known = true;
	return &w->cwd;
}

static int on_cmd(const df_cmd_view *v, void *ud)
{
	walk *w = ud;
	if (df_cmd_named(v, "cd")) {
		const df_cmd_view *e = df_lint_expanded(w->lint, v);
		df_eco_cd(walk_arena(w), e->cmd, e->name, walk_cwd(w));
		return 0;
	}
	/* The table first on the words as written (the engine looked the
	 * name up): only a manager's command is worth expanding, and
	 * classifying. */
	if (!v->eco)
		return 0;
	df_eco_use u;
	const df_cmd_view *e = df_lint_expanded(w->lint, v);
	/* Before the stage's first COPY only the kind of install counts (the
	 * installs are remembered): what it reads, from which directory, is
	 * asked only when there is a COPY to judge. */
	bool judging = w->st->ncopies > 0;
	df_lint_eco_classify(w->lint, v, e, walk_arena(w), judging ? *walk_cwd(w) : NULL, judging, &u);
	/* A dependency install, or one that reads the sources only for want
	 * of a flag (`poetry install` without --no-root): the split adds it. */
	if (u.kind != DF_ECO_DEPS && !(u.kind == DF_ECO_SOURCES && u.split_flags))
		return 0;
	df1001_state *st = w->st;
	/* A COPY is reported once, naming the first install it comes
	 * before: the split moves it below that one, and so below the rest.
	 * A COPY after an install of the same manager is the split already
	 * made (`poetry install --no-root`, COPY, `poetry install`). */
	for (size_t i = 0; i < st->ncopies; i++) {
		bool split = false;
		for (size_t k = 0; k < st->ninstalled && !split; k++)
			split = st->installed[k] == u.manager && st->installed_after[k] <= i;
		if (!split && !st->reported[i] && judge(w->lint, st, i, w->run, e, &u, walk_arena(w))) {
			st->reported[i] = true;
			st->nreported++;
		}
	}
	if (st->ninstalled < MAX_INSTALLS) {
		st->installed[st->ninstalled] = u.manager;
		st->installed_after[st->ninstalled++] = st->ncopies;
	}
	return st->ncopies && st->nreported == st->ncopies;
}

/* Walk the commands of run, a RUN of the stage. Not inlined: on_instr() is
 * called for every FROM and COPY too, which then need none of the
 * registers the walk saves. */
static void __attribute__((noinline)) walk_run(df_lint *lint, df1001_state *st, const df_instr *run)
{
	walk w = { .lint = lint, .st = st, .run = run, .step = &df_lint_graph(lint)->steps[run->index] };
	df_lint_each_command(lint, run, on_cmd, &w);
	if (w.arena_ready)
		df_arena_release(&w.arena);
}

static void on_instr(df_lint *lint, const df_instr *in, void *state)
{
	df1001_state *st = state;
	switch (in->kind) {
	case DF_I_FROM:
		st->ncopies = st->nreported = st->ninstalled = 0;
		return;
	case DF_I_COPY:
	case DF_I_ADD: {
		const df_copy_sources *s;
		if (st->ncopies < MAX_COPIES && df_lint_copy_sources_peek(lint, in, &s) && s->len) {
			st->reported[st->ncopies] = false;
			st->copies[st->ncopies++] = in;
		}
		return;
	}
	case DF_I_RUN:
		break;
	default:
		return;
	}
	/* Every COPY reported: nothing left to judge. With no COPY yet, the
	 * installs still count: one before the first COPY is the split made
	 * with bind mounts (`RUN --mount=type=bind,source=uv.lock ... uv sync
	 * --no-install-project`, COPY, `uv sync`). */
	if (st->ncopies && st->nreported == st->ncopies)
		return;
	walk_run(lint, st, in);
}
