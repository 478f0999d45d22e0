/*
 * cmd_lsp.c - `dfopt lsp`: a Language Server over standard input and
 * output, for editors. Messages are framed by lsp/rpc.h; positions are
 * converted by lsp/pos.h.
 *
 * The server keeps the text of every open document (textDocument/didOpen,
 * didChange with full or incremental changes) and lints it after open,
 * change and save, once no message is waiting (a burst of changes is
 * linted once, at its end), as `dfopt lint` would lint the file: the same
 * config files and environment, found from the document's path (see
 * find_config()), and its directory as the build context (file:// URIs
 * only: an untitled document has none; contexts are walked when a rule
 * first asks and kept until a document is saved). Findings go out as
 * textDocument/publishDiagnostics; closing a document clears them.
 *
 * Fixes are the engine's own (engine.h collects them as byte-range edits
 * on the linted text, fix/edit.h): textDocument/codeAction answers, from
 * the last lint, one quickfix per finding in the range that offers a fix
 * to apply (safe or unsafe, the latter marked), and "Fix all (dfopt)",
 * which is what `dfopt lint --fix` would make of the text (fix/fixer.h) as
 * one edit. A fix that extends the build context's ignore file (DF1004,
 * DF1005, DF1013; fix/side.h) edits that file too, in the same workspace
 * edit: the lines `dfopt lint --fix` would append, at the end of the text
 * the editor holds when the file is open, else of the file on disk; one
 * that does not exist yet is created where the client can create files
 * (workspace.workspaceEdit.resourceOperations), else the fix is not
 * offered. "Fix all" leaves the ignore file alone.
 *
 * Input is hostile: a message over LSP_MAX_MESSAGE bytes is skipped, bad
 * JSON gets a parse error (-32700), an unknown request -32601; unknown
 * notifications are ignored; at most LSP_MAX_DOCS documents are kept.
 * Standard output carries protocol messages only; what the user should
 * see otherwise goes out as window/showMessage.
 *
 * Exit: 0 after shutdown then exit, 1 on exit (or end of input) without
 * shutdown, as the protocol says.
 */
#include "cli/cli.h"
#include "cli/contexts.h"
#include "context/ignore.h"
#include "engine/config.h"
#include "engine/engine.h"
#include "engine/shellcheck.h"
#include "fix/fixer.h"
#include "fix/side.h"
#include "graph/graph.h"
#include "lsp/pos.h"
#include "lsp/rpc.h"
#include "util/file.h"
#include "util/util.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

/* A document as JSON may be twice its bytes and more (escapes); the
 * parser refuses files over DF_MAX_FILE anyway. */
#define LSP_MAX_MESSAGE ((size_t)DF_MAX_FILE * 2)
#define LSP_MAX_DOCS 1024

/* JSON-RPC and LSP error codes. */
enum {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_NOT_INITIALIZED = -32002,
};

static const char lsp_usage[] =
	"usage: dfopt lsp [--stdio]\n"
	"\n"
	"Run a Language Server on standard input and output: editors get dfopt's findings as\n"
	"diagnostics while a Dockerfile is edited, and its fixes as code actions (one per\n"
	"finding, and \"Fix all (dfopt)\"). Settings come from the config files and environment\n"
	"`dfopt lint` reads, config files looked for from the document's directory upwards\n"
	"first. See docs/lsp.md for editor setup.\n"
	"\n"
	"options:\n"
	"      --stdio    talk over standard input and output (the only way; accepted for\n"
	"                 clients that pass it)\n"
	"  -h, --help     show this help\n";

typedef struct lsp_doc {
	char *uri;
	char *path;		/* file:// URIs: the file's path; NULL: none */
	long long version;
	df_buf text;
	bool stale;		/* text changed since the last lint */
	/* The last lint of text: its findings and their fixes. */
	df_diags diags;
	df_edits edits;
} lsp_doc;

typedef struct lsp_server {
	FILE *out;
	bool initialized;	/* initialize answered */
	bool shutdown;		/* shutdown received */
	lsp_doc *docs;
	size_t ndocs, cap;
	const char *shellcheck;	/* found once: the program does not move */
	bool shellcheck_found;
	/* The build contexts, opened when a rule first asks and kept until a
	 * document is saved: walking a tree on every key typed costs too
	 * much, and what it holds seldom changes while a Dockerfile does. */
	df_contexts contexts;
	char *problem;		/* the last config or context error shown */
	/* What the client's workspace edits can hold (initialize). */
	bool doc_changes;	/* documentChanges: versioned edits, in order */
	bool create_files;	/* and a "create" among them */
} lsp_server;

/* --- messages out --- */

/* o[key] = text (len bytes), made valid UTF-8 (lsp/pos.h). */
static void add_text(cJSON *o, const char *key, const char *text, size_t len)
{
	df_buf b = DF_BUF_INIT;
	df_lsp_add_utf8(&b, text ? text : "", len);
	cJSON_AddStringToObject(o, key, df_buf_str(&b));
	df_buf_release(&b);
}

/* A message with its "jsonrpc" member, which comes first. */
static cJSON *new_msg(void)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	return msg;
}

static void send_json(lsp_server *s, cJSON *msg)
{
	char *text = cJSON_PrintUnformatted(msg);
	if (text) {
		/* A client that stopped reading: nothing to tell it. */
		(void)df_rpc_write(s->out, text, strlen(text));
		cJSON_free(text);
	}
	cJSON_Delete(msg);
}

static void send_result(lsp_server *s, const cJSON *id, cJSON *result)
{
	cJSON *msg = new_msg();
	cJSON_AddItemToObject(msg, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
	cJSON_AddItemToObject(msg, "result", result ? result : cJSON_CreateNull());
	send_json(s, msg);
}

static void send_error(lsp_server *s, const cJSON *id, int code, const char *message)
{
	cJSON *msg = new_msg();
	cJSON_AddItemToObject(msg, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
	cJSON *err = cJSON_AddObjectToObject(msg, "error");
	cJSON_AddNumberToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", message);
	send_json(s, msg);
}

static void send_notification(lsp_server *s, const char *method, cJSON *params)
{
	cJSON *msg = new_msg();
	cJSON_AddStringToObject(msg, "method", method);
	cJSON_AddItemToObject(msg, "params", params);
	send_json(s, msg);
}

/* window/showMessage; type 1 error, 2 warning. */
static void show_message(lsp_server *s, int type, const char *text)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "type", type);
	add_text(p, "message", text, strlen(text));
	send_notification(s, "window/showMessage", p);
}

/* --- documents --- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The path of a file:// URI (percent-decoded), or NULL: another scheme, a
 * remote host, or a path that no file can have. */
static char *uri_path(const char *uri)
{
	static const char scheme[] = "file://";
	if (strncasecmp(uri, scheme, strlen(scheme)))
		return NULL;
	const char *p = uri + strlen(scheme);
	if (!strncasecmp(p, "localhost/", strlen("localhost/")))
		p += strlen("localhost");
	if (*p != '/')
		return NULL;
	df_buf out = DF_BUF_INIT;
	for (; *p && *p != '?' && *p != '#'; p++) {
		int hi, lo;
		if (*p == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
			char c = (char)(hi << 4 | lo);
			if (!c) {
				df_buf_release(&out);
				return NULL;
			}
			df_buf_addc(&out, c);
			p += 2;
		} else {
			df_buf_addc(&out, *p);
		}
	}
	if (out.len >= PATH_MAX) {
		df_buf_release(&out);
		return NULL;
	}
	return df_buf_detach(&out, NULL);
}

static lsp_doc *find_doc(lsp_server *s, const char *uri)
{
	for (size_t i = 0; i < s->ndocs; i++)
		if (!strcmp(s->docs[i].uri, uri))
			return &s->docs[i];
	return NULL;
}

static void forget_lint(lsp_doc *d)
{
	df_diags_release(&d->diags);
	df_diags_init(&d->diags);
	df_edits_release(&d->edits);
	d->edits = (df_edits)DF_EDITS_INIT;
}

static void close_doc(lsp_server *s, lsp_doc *d)
{
	free(d->uri);
	free(d->path);
	df_buf_release(&d->text);
	forget_lint(d);
	size_t i = (size_t)(d - s->docs);
	memmove(d, d + 1, (s->ndocs - i - 1) * sizeof(*d));
	s->ndocs--;
}

/* --- settings: what `dfopt lint` would use for the document --- */

static const char *env_lookup(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

/*
 * The config file of one kind (names: the file names in a project) for
 * the document: the nearest directory from the document's up to / that
 * holds one, else where `dfopt lint` looks (find(): the working directory,
 * which an editor makes the workspace's root, then the user's). An
 * untitled document has no directory of its own.
 */
static bool find_config(const lsp_doc *d, const char *const *names,
			bool (*find)(const df_config_dirs *, df_buf *), df_buf *path)
{
	if (d->path) {
		df_buf dir = DF_BUF_INIT;
		df_buf_adds(&dir, d->path);
		for (;;) {
			char *slash = strrchr(dir.buf, '/');
			if (!slash)
				break;
			dir.len = (size_t)(slash - dir.buf);
			dir.buf[dir.len] = '\0';
			for (const char *const *n = names; *n; n++) {
				df_buf_reset(path);
				df_buf_addf(path, "%s/%s", df_buf_str(&dir), *n);
				struct stat st;
				if (stat(df_buf_str(path), &st) == 0 && S_ISREG(st.st_mode)) {
					df_buf_release(&dir);
					return true;
				}
			}
		}
		df_buf_release(&dir);
		df_buf_reset(path);
	}
	df_config_dirs dirs = { getenv("HOME"), getenv("XDG_CONFIG_HOME") };
	return find(&dirs, path);
}

/* One lint's settings: the config layers and the context they need. */
typedef struct doc_settings {
	df_config cfg;
	df_lint_opts opts;
	df_context_ask dc;
	df_buf problem;		/* a config error, then a context's */
} doc_settings;

/* Settings for d. After a config error (in st->problem), what loaded
 * before it is used: the editor keeps working while the file is fixed. */
static void settings_init(lsp_server *s, const lsp_doc *d, doc_settings *st)
{
	static const char *const hadolint_names[] = { ".hadolint.yaml", ".hadolint.yml", NULL };
	static const char *const dfopt_names[] = { ".dfopt.yaml", ".dfopt.yml", NULL };
	memset(st, 0, sizeof(*st));
	df_config_init(&st->cfg);
	df_buf err = DF_BUF_INIT, path = DF_BUF_INIT;
	int rc = df_config_load_env(&st->cfg, env_lookup, NULL, &err);
	if (rc == 0 && find_config(d, hadolint_names, df_config_find_hadolint, &path))
		rc = df_config_load_file(&st->cfg, df_buf_str(&path), &err);
	df_buf_reset(&path);
	if (rc == 0 && find_config(d, dfopt_names, df_config_find_dfopt, &path))
		rc = df_config_load_file(&st->cfg, df_buf_str(&path), &err);
	if (rc < 0)
		df_buf_addf(&st->problem, "dfopt: %s", df_buf_str(&err));
	df_buf_release(&err);
	df_buf_release(&path);
	if (!s->shellcheck_found && st->cfg.shellcheck != DF_CONFIG_OFF) {
		s->shellcheck = df_shellcheck_find();
		s->shellcheck_found = true;
	}
	const df_config *c = &st->cfg;
	df_lint_opts o = {
		.ignored = c->ignored,
		.nignored = c->nignored,
		.overrides = c->overrides,
		.noverrides = c->noverrides,
		.disable_ignore_pragma = c->disable_ignore_pragma == DF_CONFIG_ON,
		.trusted_registries = c->trusted,
		.ntrusted = c->ntrusted,
		.labels = c->labels,
		.nlabels = c->nlabels,
		.strict_labels = c->strict_labels == DF_CONFIG_ON,
		.shellcheck = c->shellcheck == DF_CONFIG_OFF ? NULL : s->shellcheck,
		.custom = c->custom,
		.ncustom = c->ncustom,
		/* Ignore-file fixes where there is a file (see the top). */
		.context_fixes = d->path != NULL,
	};
	st->opts = o;
	if (d->path) {
		st->dc.contexts = &s->contexts;
		st->dc.path = d->path;
		st->opts.context = df_contexts_ask;
		st->opts.context_arg = &st->dc;
	}
}

static void settings_release(doc_settings *st)
{
	df_buf_release(&st->problem);
	df_buf_release(&st->dc.where);
	df_buf_release(&st->dc.err);
	df_config_release(&st->cfg);
}

static const char *doc_name(const lsp_doc *d)
{
	return d->path ? d->path : d->uri;
}

/* --- diagnostics --- */

static cJSON *json_pos(df_lsp_pos p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "line", p.line);
	cJSON_AddNumberToObject(o, "character", p.character);
	return o;
}

static cJSON *json_range(df_lsp_pos a, df_lsp_pos b)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "start", json_pos(a));
	cJSON_AddItemToObject(o, "end", json_pos(b));
	return o;
}

/* A finding's range in the document's LSP positions. */
static void diag_range(const df_lsp_text *t, const df_diag *dg, df_lsp_pos *a, df_lsp_pos *b)
{
	size_t start = df_lsp_offset_of_linecol(t, dg->line, dg->col);
	size_t end = dg->end_line ? df_lsp_offset_of_linecol(t, dg->end_line, dg->end_col) : start;
	if (end < start)
		end = start;
	*a = df_lsp_pos_of(t, start);
	*b = df_lsp_pos_of(t, end);
}

/* Where a code is documented, or NULL: hadolint's wiki for the DL rules
 * dfopt shares with it, ShellCheck's for SC codes. */
static char *code_href(const char *code)
{
	df_buf u = DF_BUF_INIT;
	if (!strncmp(code, "DL", 2))
		df_buf_addf(&u, "https://github.com/hadolint/hadolint/wiki/%s", code);
	else if (!strncmp(code, "SC", 2))
		df_buf_addf(&u, "https://www.shellcheck.net/wiki/%s", code);
	else
		return NULL;
	return df_buf_detach(&u, NULL);
}

static cJSON *json_diag(const df_lsp_text *t, const df_diag *dg)
{
	/* error=1 warning=2 info=3; style is a hint (4). */
	static const int severity[] = { 1, 2, 3, 4, 4 };
	df_lsp_pos a, b;
	diag_range(t, dg, &a, &b);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "range", json_range(a, b));
	cJSON_AddNumberToObject(o, "severity", severity[dg->severity <= DF_SEV_IGNORE ? dg->severity : DF_SEV_STYLE]);
	cJSON_AddStringToObject(o, "code", dg->code);
	char *href = code_href(dg->code);
	if (href) {
		cJSON *cd = cJSON_AddObjectToObject(o, "codeDescription");
		cJSON_AddStringToObject(cd, "href", href);
		free(href);
	}
	cJSON_AddStringToObject(o, "source", "dfopt");
	add_text(o, "message", dg->message, strlen(dg->message));
	return o;
}

static void publish(lsp_server *s, const lsp_doc *d, bool empty)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "uri", d->uri);
	if (!empty)
		cJSON_AddNumberToObject(p, "version", (double)d->version);
	cJSON *list = cJSON_AddArrayToObject(p, "diagnostics");
	if (!empty) {
		df_lsp_text t;
		df_lsp_text_init(&t, df_buf_str(&d->text), d->text.len);
		for (size_t i = 0; i < d->diags.len; i++)
			cJSON_AddItemToArray(list, json_diag(&t, &d->diags.items[i]));
		df_lsp_text_release(&t);
	}
	send_notification(s, "textDocument/publishDiagnostics", p);
}

/* Lint d's text with its fixes collected, and publish the findings. */
static void lint_doc(lsp_server *s, lsp_doc *d)
{
	d->stale = false;
	forget_lint(d);
	doc_settings st;
	settings_init(s, d, &st);
	st.opts.fixes = &d->edits;
	df_doc doc;
	df_doc_parse(&doc, doc_name(d), df_buf_str(&d->text), d->text.len, NULL);
	df_graph g;
	df_graph_build(&g, &doc, NULL);
	df_lint_file(&doc, &g, &st.opts, &d->diags);
	if (st.dc.err.len)
		/* `dfopt lint` would stop at this; an editor is better served
		 * by the findings that need no context, and the reason. */
		df_buf_addf(&st.problem, "%sdfopt: %s: %s", st.problem.len ? "; " : "", doc_name(d),
			    df_buf_str(&st.dc.err));
	/* Told once, not on every key typed while it lasts. */
	if (st.problem.len && (!s->problem || strcmp(s->problem, df_buf_str(&st.problem))))
		show_message(s, 1, df_buf_str(&st.problem));
	free(s->problem);
	s->problem = st.problem.len ? df_buf_detach(&st.problem, NULL) : NULL;
	df_graph_release(&g);
	df_doc_release(&doc);
	settings_release(&st);
	publish(s, d, false);
}

/* --- code actions --- */

/* Does a finding's fix apply at all (display-only fixes never do)? */
static bool fix_offered(const lsp_doc *d, const df_diag *dg)
{
	if (!dg->fix_group || (dg->fix_kind != DF_FIX_SAFE && dg->fix_kind != DF_FIX_UNSAFE))
		return false;
	bool any = false;
	for (size_t e = 0; e < d->edits.nlines; e++)
		any |= d->edits.lines[e].group == dg->fix_group - 1;
	for (size_t e = 0; e < d->edits.len; e++)
		any |= d->edits.items[e].group == dg->fix_group - 1;
	return any;
}

/* The file:// URI of an absolute path: every byte but the unreserved ones
 * and '/' percent-encoded, as editors write them. */
static char *path_uri(const char *path)
{
	df_buf u = DF_BUF_INIT;
	df_buf_adds(&u, "file://");
	df_buf_add_uri_path(&u, path, "-._~/");
	return df_buf_detach(&u, NULL);
}

/* The ignore file a document's side fixes extend (fix/side.h): the one its
 * context reads, else a .dockerignore to create at the context's root. */
typedef struct side_target {
	char *uri;
	bool exists;
	df_buf text;		/* as the editor holds it, else as on disk */
	const lsp_doc *open;	/* the editor's document of it, or NULL */
} side_target;

static bool side_target_of(lsp_server *s, const lsp_doc *d, side_target *t)
{
	memset(t, 0, sizeof(*t));
	df_buf_init(&t->text);
	if (!d->path)
		return false;
	df_buf where = DF_BUF_INIT, err = DF_BUF_INIT, path = DF_BUF_INIT;
	const df_context *ctx = df_contexts_get(&s->contexts, d->path, &where, &err);
	bool ok = ctx != NULL;
	if (ok)
		df_side_path(ctx, &path);
	ok = ok && path.buf[0] == '/';
	if (ok) {
		t->uri = path_uri(path.buf);
		t->open = find_doc(s, t->uri);
		t->exists = t->open || ctx->ignore_file;
		if (t->open)
			df_buf_add(&t->text, df_buf_str(&t->open->text), t->open->text.len);
		else if (ctx->ignore_file)
			ok = df_read_input(ctx->ignore_file, DF_IGNORE_MAX_BYTES, &t->text, &err) == 0;
	}
	df_buf_release(&where);
	df_buf_release(&err);
	df_buf_release(&path);
	return ok;
}

static void side_target_release(side_target *t)
{
	free(t->uri);
	df_buf_release(&t->text);
}

static cJSON *text_edit(const df_lsp_text *t, size_t start, size_t end, const char *text, size_t len)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "range", json_range(df_lsp_pos_of(t, start), df_lsp_pos_of(t, end)));
	add_text(o, "newText", text, len);
	return o;
}

/* {"changes": {uri: edits}} */
static cJSON *workspace_edit(const lsp_doc *d, cJSON *edits)
{
	cJSON *we = cJSON_CreateObject();
	cJSON *changes = cJSON_AddObjectToObject(we, "changes");
	cJSON_AddItemToObject(changes, d->uri, edits);
	return we;
}

/* {"textDocument": {uri, version}, "edits": edits}; version < 0: null. */
static cJSON *doc_edit(const char *uri, long long version, cJSON *edits)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *id = cJSON_AddObjectToObject(o, "textDocument");
	cJSON_AddStringToObject(id, "uri", uri);
	if (version < 0)
		cJSON_AddNullToObject(id, "version");
	else
		cJSON_AddNumberToObject(id, "version", (double)version);
	cJSON_AddItemToObject(o, "edits", edits);
	return o;
}

/*
 * The workspace edit of a fix with lines for the ignore file: edits of d
 * and the lines appended to the ignore file, as documentChanges when the
 * client takes them (creating the file first when it does not exist), else
 * as changes of the two files. NULL when the client cannot receive it.
 */
static cJSON *side_workspace_edit(lsp_server *s, const lsp_doc *d, const df_diag *dg, cJSON *edits)
{
	side_target tg;
	cJSON *we = NULL;
	const char **lines = df_xcalloc(d->edits.nlines + 1, sizeof(*lines));
	size_t n = 0;
	for (size_t e = 0; e < d->edits.nlines; e++)
		if (d->edits.lines[e].group == dg->fix_group - 1)
			lines[n++] = d->edits.lines[e].line;
	df_buf after = DF_BUF_INIT;
	if (side_target_of(s, d, &tg) && (tg.exists || (s->doc_changes && s->create_files))) {
		const char *old = tg.exists ? df_buf_str(&tg.text) : NULL;
		size_t olen = tg.exists ? tg.text.len : 0;
		df_side_append(old, olen, lines, n, &after);
		/* df_side_append() copies the old text first: what it adds
		 * goes at the end. */
		df_lsp_text it;
		df_lsp_text_init(&it, old ? old : "", olen);
		cJSON *side = cJSON_CreateArray();
		cJSON_AddItemToArray(side, text_edit(&it, olen, olen, after.buf + olen, after.len - olen));
		df_lsp_text_release(&it);
		we = cJSON_CreateObject();
		if (s->doc_changes) {
			cJSON *dc = cJSON_AddArrayToObject(we, "documentChanges");
			if (!tg.exists) {
				cJSON *mk = cJSON_CreateObject();
				cJSON_AddStringToObject(mk, "kind", "create");
				cJSON_AddStringToObject(mk, "uri", tg.uri);
				cJSON *o = cJSON_AddObjectToObject(mk, "options");
				cJSON_AddBoolToObject(o, "ignoreIfExists", true);
				cJSON_AddItemToArray(dc, mk);
			}
			cJSON_AddItemToArray(dc, doc_edit(d->uri, d->version, edits));
			cJSON_AddItemToArray(dc, doc_edit(tg.uri, tg.open ? tg.open->version : -1, side));
		} else {
			cJSON *ch = cJSON_AddObjectToObject(we, "changes");
			cJSON_AddItemToObject(ch, d->uri, edits);
			cJSON_AddItemToObject(ch, tg.uri, side);
		}
		edits = NULL;
	}
	cJSON_Delete(edits);
	df_buf_release(&after);
	side_target_release(&tg);
	free(lines);
	return we;
}

static cJSON *quickfix(lsp_server *s, const lsp_doc *d, const df_lsp_text *t, const df_diag *dg)
{
	bool unsafe = dg->fix_kind == DF_FIX_UNSAFE;
	cJSON *edits = cJSON_CreateArray();
	bool side = false;
	for (size_t e = 0; e < d->edits.len; e++) {
		const df_edit *ed = &d->edits.items[e];
		if (ed->group == dg->fix_group - 1)
			cJSON_AddItemToArray(edits, text_edit(t, ed->start, ed->end, ed->text, ed->len));
	}
	for (size_t e = 0; e < d->edits.nlines && !side; e++)
		side = d->edits.lines[e].group == dg->fix_group - 1;
	cJSON *we = side ? side_workspace_edit(s, d, dg, edits) : workspace_edit(d, edits);
	if (!we)
		return NULL;
	df_buf title = DF_BUF_INIT;
	df_buf_addf(&title, "Fix %s: %s%s", dg->code, dg->message, unsafe ? " (unsafe)" : "");
	cJSON *a = cJSON_CreateObject();
	add_text(a, "title", title.buf, title.len);
	df_buf_release(&title);
	cJSON_AddStringToObject(a, "kind", "quickfix");
	cJSON *diags = cJSON_AddArrayToObject(a, "diagnostics");
	cJSON_AddItemToArray(diags, json_diag(t, dg));
	cJSON_AddBoolToObject(a, "isPreferred", !unsafe);
	cJSON_AddItemToObject(a, "edit", we);
	return a;
}

/* "Fix all (dfopt)": the text as `dfopt lint --fix` leaves it, as one edit
 * of what lies between the common head and tail; NULL when nothing
 * changes or the fixes were refused. */
static cJSON *fix_all(lsp_server *s, const lsp_doc *d, const df_lsp_text *t)
{
	doc_settings st;
	settings_init(s, d, &st);
	df_fix_run fr = { &st.opts, NULL, false, 0, NULL };
	df_fix_result res;
	df_fix_file(doc_name(d), NULL, df_buf_str(&d->text), d->text.len, &fr, &res);
	cJSON *a = NULL;
	const char *old = df_buf_str(&d->text), *new = df_buf_str(&res.text);
	size_t olen = d->text.len, nlen = res.text.len;
	if (!res.refused && (olen != nlen || memcmp(old, new, olen))) {
		size_t head = 0, tail = 0;
		while (head < olen && head < nlen && old[head] == new[head])
			head++;
		while (tail < olen - head && tail < nlen - head && old[olen - 1 - tail] == new[nlen - 1 - tail])
			tail++;
		/* Keep the edit on character boundaries: back up over
		 * continuation bytes so neither end splits a character. */
		while (head && ((unsigned char)old[head] & 0xc0) == 0x80)
			head--;
		while (tail && ((unsigned char)old[olen - tail] & 0xc0) == 0x80)
			tail--;
		/* Nor a "\r\n", one line break to an editor. */
		if (head && old[head - 1] == '\r' && old[head] == '\n')
			head--;
		if (tail && olen - tail > head && old[olen - tail] == '\n' && old[olen - tail - 1] == '\r')
			tail--;
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "title", "Fix all (dfopt)");
		cJSON_AddStringToObject(a, "kind", "source.fixAll.dfopt");
		cJSON *edits = cJSON_CreateArray();
		cJSON_AddItemToArray(edits, text_edit(t, head, olen - tail, new + head, nlen - tail - head));
		cJSON_AddItemToObject(a, "edit", workspace_edit(d, edits));
	}
	df_fix_result_release(&res);
	settings_release(&st);
	return a;
}

/* Does the client want actions of kind (context.only: kinds and their
 * parents, "source" covering "source.fixAll.dfopt")? */
static bool kind_wanted(const cJSON *only, const char *kind)
{
	if (!cJSON_IsArray(only))
		return true;
	const cJSON *k;
	cJSON_ArrayForEach(k, only) {
		if (!cJSON_IsString(k))
			continue;
		size_t n = strlen(k->valuestring);
		if (!strncmp(kind, k->valuestring, n) && (kind[n] == '\0' || kind[n] == '.'))
			return true;
	}
	return false;
}

/* A document's version (an integer in the protocol), or keep. */
static long long get_version(const cJSON *v, long long keep)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -1e15 && v->valuedouble <= 1e15))
		return keep;
	return (long long)v->valuedouble;
}

static bool pos_le(df_lsp_pos a, df_lsp_pos b)
{
	return a.line < b.line || (a.line == b.line && a.character <= b.character);
}

static bool get_pos(const cJSON *o, df_lsp_pos *p)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "line");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "character");
	if (!cJSON_IsNumber(l) || !cJSON_IsNumber(c) || l->valuedouble < 0 || c->valuedouble < 0)
		return false;
	p->line = l->valuedouble > UINT32_MAX ? UINT32_MAX : (uint32_t)l->valuedouble;
	p->character = c->valuedouble > UINT32_MAX ? UINT32_MAX : (uint32_t)c->valuedouble;
	return true;
}

static bool get_range(const cJSON *o, df_lsp_pos *a, df_lsp_pos *b)
{
	return cJSON_IsObject(o) && get_pos(cJSON_GetObjectItemCaseSensitive(o, "start"), a) &&
	       get_pos(cJSON_GetObjectItemCaseSensitive(o, "end"), b);
}

/* Is the finding (code, from a to b) one of the diagnostics the client
 * sent in context.diagnostics (those under the cursor, as it sees them)? */
static bool in_context(const cJSON *diags, const char *code, df_lsp_pos a, df_lsp_pos b)
{
	const cJSON *dg;
	cJSON_ArrayForEach(dg, diags) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(dg, "code");
		df_lsp_pos da, db;
		if (cJSON_IsString(c) && !strcmp(c->valuestring, code) &&
		    get_range(cJSON_GetObjectItemCaseSensitive(dg, "range"), &da, &db) && pos_le(da, a) &&
		    pos_le(a, da) && pos_le(db, b) && pos_le(b, db))
			return true;
	}
	return false;
}

static const char *get_uri(const cJSON *params)
{
	const cJSON *td = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(td, "uri");
	return cJSON_IsString(uri) ? uri->valuestring : NULL;
}

static void on_code_action(lsp_server *s, const cJSON *id, const cJSON *params)
{
	const char *uri = get_uri(params);
	df_lsp_pos ra, rb;
	if (!uri || !get_range(cJSON_GetObjectItemCaseSensitive(params, "range"), &ra, &rb)) {
		send_error(s, id, RPC_INVALID_PARAMS, "codeAction needs textDocument.uri and range");
		return;
	}
	const cJSON *context = cJSON_GetObjectItemCaseSensitive(params, "context");
	const cJSON *only = cJSON_GetObjectItemCaseSensitive(context, "only");
	const cJSON *sent = cJSON_GetObjectItemCaseSensitive(context, "diagnostics");
	cJSON *actions = cJSON_CreateArray();
	lsp_doc *d = find_doc(s, uri);
	if (d && d->stale)
		lint_doc(s, d);	/* the actions are those of the text as it is */
	if (d) {
		df_lsp_text t;
		df_lsp_text_init(&t, df_buf_str(&d->text), d->text.len);
		bool any = false;
		for (size_t i = 0; i < d->diags.len; i++) {
			const df_diag *dg = &d->diags.items[i];
			if (!fix_offered(d, dg))
				continue;
			any |= dg->fix_kind == DF_FIX_SAFE;
			df_lsp_pos a, b;
			diag_range(&t, dg, &a, &b);
			/* The findings the requested range touches, and those
			 * the client says are under the cursor. */
			cJSON *q = NULL;
			if (kind_wanted(only, "quickfix") &&
			    ((pos_le(a, rb) && pos_le(ra, b)) || in_context(sent, dg->code, a, b)))
				q = quickfix(s, d, &t, dg);
			if (q)
				cJSON_AddItemToArray(actions, q);
		}
		cJSON *all = any && kind_wanted(only, "source.fixAll.dfopt") ? fix_all(s, d, &t) : NULL;
		if (all)
			cJSON_AddItemToArray(actions, all);
		df_lsp_text_release(&t);
	}
	send_result(s, id, actions);
}

/* --- document sync --- */

static void on_did_open(lsp_server *s, const cJSON *params)
{
	const cJSON *td = cJSON_GetObjectItemCaseSensitive(params, "textDocument");
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(td, "uri");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(td, "text");
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(td, "version");
	if (!cJSON_IsString(uri) || !cJSON_IsString(text))
		return;
	lsp_doc *d = find_doc(s, uri->valuestring);
	if (!d) {
		if (s->ndocs >= LSP_MAX_DOCS) {
			show_message(s, 2, "dfopt: too many open documents; close some to lint more");
			return;
		}
		df_grow((void **)&s->docs, &s->cap, s->ndocs + 1, sizeof(*s->docs));
		d = &s->docs[s->ndocs++];
		memset(d, 0, sizeof(*d));
		d->uri = df_xstrdup(uri->valuestring);
		d->path = uri_path(uri->valuestring);
		df_diags_init(&d->diags);
		d->edits = (df_edits)DF_EDITS_INIT;
	}
	d->version = get_version(version, 0);
	df_buf_reset(&d->text);
	df_buf_adds(&d->text, text->valuestring);
	d->stale = true;
}

/* One contentChanges item: a range's replacement, or (no range) the whole
 * text. False when it makes no sense. */
static bool apply_change(lsp_doc *d, const cJSON *change)
{
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(change, "text");
	if (!cJSON_IsString(text))
		return false;
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(change, "range");
	if (!range) {
		df_buf_reset(&d->text);
		df_buf_adds(&d->text, text->valuestring);
		return true;
	}
	df_lsp_pos a, b;
	if (!get_range(range, &a, &b))
		return false;
	df_lsp_text t;
	df_lsp_text_init(&t, df_buf_str(&d->text), d->text.len);
	size_t start = df_lsp_offset_of(&t, a), end = df_lsp_offset_of(&t, b);
	df_lsp_text_release(&t);
	if (end < start)
		end = start;
	size_t add = strlen(text->valuestring);
	if (d->text.len - (end - start) + add > DF_MAX_FILE * (size_t)2)
		return false;
	df_buf next = DF_BUF_INIT;
	df_buf_add(&next, df_buf_str(&d->text), start);
	df_buf_add(&next, text->valuestring, add);
	df_buf_add(&next, df_buf_str(&d->text) + end, d->text.len - end);
	df_buf_release(&d->text);
	d->text = next;
	return true;
}

static void on_did_change(lsp_server *s, const cJSON *params)
{
	const char *uri = get_uri(params);
	lsp_doc *d = uri ? find_doc(s, uri) : NULL;
	if (!d)
		return;
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(params, "textDocument"),
								"version");
	d->version = get_version(version, d->version);
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(params, "contentChanges");
	const cJSON *c;
	cJSON_ArrayForEach(c, changes) {
		if (!apply_change(d, c))
			show_message(s, 2, "dfopt: a change that could not be applied was ignored");
	}
	d->stale = true;
}

static void on_did_save(lsp_server *s, const cJSON *params)
{
	const char *uri = get_uri(params);
	lsp_doc *d = uri ? find_doc(s, uri) : NULL;
	if (!d)
		return;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(params, "text");
	if (cJSON_IsString(text)) {
		df_buf_reset(&d->text);
		df_buf_adds(&d->text, text->valuestring);
	}
	/* The context may have changed too (an ignore file, a COPY
	 * source): it is walked again when a rule asks. */
	df_contexts_release(&s->contexts);
	df_contexts_init(&s->contexts, NULL, false);
	d->stale = true;
}

static void on_did_close(lsp_server *s, const cJSON *params)
{
	const char *uri = get_uri(params);
	lsp_doc *d = uri ? find_doc(s, uri) : NULL;
	if (!d)
		return;
	publish(s, d, true);
	close_doc(s, d);
}

/* --- the session --- */

/* What the client's workspace edits can hold, from its capabilities. */
static void client_edits(lsp_server *s, const cJSON *params)
{
	const cJSON *caps = cJSON_GetObjectItemCaseSensitive(params, "capabilities");
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(caps, "workspace");
	const cJSON *we = cJSON_GetObjectItemCaseSensitive(ws, "workspaceEdit");
	s->doc_changes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(we, "documentChanges"));
	const cJSON *op;
	cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(we, "resourceOperations"))
		s->create_files |= s->doc_changes && cJSON_IsString(op) && !strcmp(op->valuestring, "create");
}

static cJSON *capabilities(void)
{
	cJSON *r = cJSON_CreateObject();
	cJSON *caps = cJSON_AddObjectToObject(r, "capabilities");
	cJSON_AddStringToObject(caps, "positionEncoding", "utf-16");
	cJSON *sync = cJSON_AddObjectToObject(caps, "textDocumentSync");
	cJSON_AddBoolToObject(sync, "openClose", true);
	cJSON_AddNumberToObject(sync, "change", 2);	/* incremental */
	cJSON *save = cJSON_AddObjectToObject(sync, "save");
	cJSON_AddBoolToObject(save, "includeText", false);
	cJSON *ca = cJSON_AddObjectToObject(caps, "codeActionProvider");
	cJSON *kinds = cJSON_AddArrayToObject(ca, "codeActionKinds");
	cJSON_AddItemToArray(kinds, cJSON_CreateString("quickfix"));
	cJSON_AddItemToArray(kinds, cJSON_CreateString("source.fixAll.dfopt"));
	cJSON *info = cJSON_AddObjectToObject(r, "serverInfo");
	cJSON_AddStringToObject(info, "name", "dfopt");
	cJSON_AddStringToObject(info, "version", PACKAGE_VERSION);
	return r;
}

/* One message; returns 0 to go on, or 1 + the exit code after exit. */
static int handle(lsp_server *s, const cJSON *msg)
{
	if (!cJSON_IsObject(msg)) {
		send_error(s, NULL, RPC_INVALID_REQUEST, "a message must be a JSON object");
		return 0;
	}
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	if (id && !cJSON_IsNumber(id) && !cJSON_IsString(id)) {
		send_error(s, NULL, RPC_INVALID_REQUEST, "an id must be a number or a string");
		return 0;
	}
	if (!cJSON_IsString(method)) {
		/* A response to a request of ours (there are none), or junk. */
		if (id && !cJSON_GetObjectItemCaseSensitive(msg, "result") && !cJSON_GetObjectItemCaseSensitive(msg, "error"))
			send_error(s, id, RPC_INVALID_REQUEST, "a request needs a method");
		return 0;
	}
	const char *m = method->valuestring;
	if (!strcmp(m, "exit"))
		return 1 + (s->shutdown ? 0 : 1);
	if (id) {
		if (!strcmp(m, "initialize")) {
			if (s->initialized) {
				send_error(s, id, RPC_INVALID_REQUEST, "initialize was already received");
			} else {
				client_edits(s, params);
				send_result(s, id, capabilities());
			}
			s->initialized = true;
		} else if (!s->initialized) {
			send_error(s, id, RPC_NOT_INITIALIZED, "initialize first");
		} else if (s->shutdown) {
			send_error(s, id, RPC_INVALID_REQUEST, "shutdown was received: only exit is left");
		} else if (!strcmp(m, "shutdown")) {
			s->shutdown = true;
			send_result(s, id, NULL);
		} else if (!strcmp(m, "textDocument/codeAction")) {
			on_code_action(s, id, params);
		} else {
			df_buf text = DF_BUF_INIT;
			df_buf_addf(&text, "unknown method '%s'", m);
			send_error(s, id, RPC_METHOD_NOT_FOUND, df_buf_str(&text));
			df_buf_release(&text);
		}
		return 0;
	}
	/* Notifications: before initialize or after shutdown, dropped. */
	if (!s->initialized || s->shutdown || !cJSON_IsObject(params))
		return 0;
	if (!strcmp(m, "textDocument/didOpen"))
		on_did_open(s, params);
	else if (!strcmp(m, "textDocument/didChange"))
		on_did_change(s, params);
	else if (!strcmp(m, "textDocument/didSave"))
		on_did_save(s, params);
	else if (!strcmp(m, "textDocument/didClose"))
		on_did_close(s, params);
	return 0;
}

int df_cmd_lsp(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(lsp_usage, stdout);
			return DF_EXIT_OK;
		}
		if (strcmp(argv[i], "--stdio"))
			return df_cli_usage_error("lsp", "unknown argument '%s' (see 'dfopt lsp --help')", argv[i]);
	}
	lsp_server s;
	memset(&s, 0, sizeof(s));
	s.out = stdout;
	static df_rpc_in in;	/* its buffer is too big for the stack */
	df_rpc_in_init(&in, STDIN_FILENO);
	df_contexts_init(&s.contexts, NULL, false);
	df_buf body = DF_BUF_INIT, err = DF_BUF_INIT;
	int rc = -1;
	while (rc < 0) {
		df_buf_reset(&err);
		df_rpc_status st = df_rpc_read(&in, LSP_MAX_MESSAGE, &body, &err);
		if (st == DF_RPC_EOF || st == DF_RPC_LOST) {
			/* The client went away without exit. */
			rc = s.shutdown ? 0 : 1;
			break;
		}
		if (st == DF_RPC_BAD) {
			send_error(&s, NULL, RPC_PARSE_ERROR, df_buf_str(&err));
			continue;
		}
		cJSON *msg = cJSON_ParseWithLength(body.buf, body.len);
		if (!msg) {
			send_error(&s, NULL, RPC_PARSE_ERROR, "malformed JSON");
			continue;
		}
		int r = handle(&s, msg);
		cJSON_Delete(msg);
		if (r)
			rc = r - 1;
		/* Lint what changed once the client pauses: a change per key
		 * typed would otherwise queue a lint per key. */
		for (size_t i = 0; rc < 0 && i < s.ndocs && !df_rpc_pending(&in); i++)
			if (s.docs[i].stale)
				lint_doc(&s, &s.docs[i]);
	}
	while (s.ndocs)
		close_doc(&s, &s.docs[s.ndocs - 1]);
	free(s.docs);
	free(s.problem);
	df_contexts_release(&s.contexts);
	df_buf_release(&body);
	df_buf_release(&err);
	return rc;
}
