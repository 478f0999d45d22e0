/* shellcheck.c - ShellCheck over the scripts RUN runs; see shellcheck.h. */
#include "engine/shellcheck.h"
#include "parse/shell.h"
#include "util/buf.h"
#include "util/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	SC_MAX_OUTPUT = 64 << 20,	/* bytes of JSON taken from shellcheck */
	SC_MAX_SCRIPTS = 4096,		/* scripts per process: argv stays far below ARG_MAX */
};

/* The shells ShellCheck knows, by the shebang we give it. */
typedef enum sc_dialect {
	SC_NONE,	/* not a shell ShellCheck checks: skip the script */
	SC_SH,
	SC_BASH,
	SC_DASH,
	SC_KSH,
} sc_dialect;

static const char *const shebangs[] = {
	[SC_SH] = "#!/bin/sh\n",
	[SC_BASH] = "#!/bin/bash\n",
	[SC_DASH] = "#!/bin/dash\n",
	[SC_KSH] = "#!/bin/ksh\n",
};

/*
 * One file handed to shellcheck: a prelude (shebang, declarations) and the
 * script, each byte of which maps back to a source offset.
 */
typedef struct sc_script {
	df_buf file;		/* the file's bytes */
	size_t body;		/* where the script starts in file */
	uint32_t prelude_lines;	/* lines before it */
	uint32_t *map;		/* map[i]: source offset of file.buf[body + i] */
	size_t nmap, cap;
	size_t *lines;		/* offset in the script of each of its lines */
	size_t nlines;
} sc_script;

typedef struct sc_batch {
	sc_script *items;
	size_t len, cap;
} sc_batch;

/* --- which shell ---------------------------------------------------------- */

static df_str base_name(df_str s)
{
	size_t b = s.len;
	while (b > 0 && s.ptr[b - 1] != '/')
		b--;
	return (df_str){ s.ptr + b, s.len - b };
}

static sc_dialect dialect_of(df_str word)
{
	df_str b = base_name(word);
	if (df_mem_eq(b.ptr, b.len, "sh") || df_mem_eq(b.ptr, b.len, "ash") || df_mem_eq(b.ptr, b.len, "busybox"))
		return SC_SH;
	if (df_mem_eq(b.ptr, b.len, "bash"))
		return SC_BASH;
	if (df_mem_eq(b.ptr, b.len, "dash"))
		return SC_DASH;
	if (df_mem_eq(b.ptr, b.len, "ksh") || df_mem_eq(b.ptr, b.len, "mksh"))
		return SC_KSH;
	return SC_NONE;	/* zsh, pwsh, powershell, cmd, ... */
}

/* The dialect of the SHELL instruction in force (NULL: /bin/sh -c). */
static sc_dialect shell_dialect(const df_instr *shell)
{
	if (!shell)
		return SC_SH;
	if (!shell->exec_form || shell->nargs == 0)
		return SC_NONE;
	size_t i = 0;
	/* SHELL ["/usr/bin/env", "bash", "-c"]: the shell is env's argument. */
	df_str b = base_name(shell->args[0].value);
	if (df_mem_eq(b.ptr, b.len, "env"))
		for (i = 1; i < shell->nargs && shell->args[i].value.len && shell->args[i].value.ptr[0] == '-'; i++)
			;
	return i < shell->nargs ? dialect_of(shell->args[i].value) : SC_NONE;
}

/* A body's "#!" line: false when there is none; else the dialect it names
 * (its interpreter, or env's argument) and, in *skip, where the line after
 * it starts. */
static bool shebang_dialect(df_str body, sc_dialect *d, size_t *skip)
{
	if (body.len < 2 || body.ptr[0] != '#' || body.ptr[1] != '!')
		return false;
	size_t e = 2;
	while (e < body.len && body.ptr[e] != '\n')
		e++;
	*skip = e < body.len ? e + 1 : e;
	*d = SC_NONE;
	for (size_t w = 2; w < e;) {
		/* Every byte that ends a word is passed over here ('\r', '\v'
		 * too, not only blanks): each turn moves on. */
		while (w < e && df_is_space(body.ptr[w]))
			w++;
		size_t w0 = w;
		while (w < e && !df_is_space(body.ptr[w]))
			w++;
		df_str word = { body.ptr + w0, w - w0 };
		if (!word.len || word.ptr[0] == '-')
			continue;
		df_str b = base_name(word);
		if (!df_mem_eq(b.ptr, b.len, "env")) {
			*d = dialect_of(word);
			break;
		}
	}
	return true;
}

/* The first command of s, as the parser decides what a heredoc is. */
static const df_sh_cmd *first_command(const df_sh_script *s)
{
	if (!s || !s->list || s->list->nitems == 0)
		return NULL;
	const df_sh_andor *ao = s->list->items[0];
	return ao->npipes && ao->pipes[0]->ncmds ? ao->pipes[0]->cmds[0] : NULL;
}

/* The dialect of the shell command c runs, if c is a simple command. */
static sc_dialect fed_dialect(const df_sh_cmd *c)
{
	if (!c || c->kind != DF_SH_SIMPLE || c->nwords == 0)
		return SC_NONE;
	return dialect_of(c->words[df_sh_cmd_name_index(c)].value);
}

/* --- building the scripts ------------------------------------------------- */

static bool is_name(df_str s)
{
	if (!s.len || df_is_digit(s.ptr[0]))
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!df_is_alnum(s.ptr[i]) && s.ptr[i] != '_')
			return false;
	return true;
}

/* A new script in b, its prelude written: the shebang of d, then an export
 * of the proxy args and of every name bound in scope (as df_scope_find()
 * sees them: a base stage's ENV only; env_only: ENV only). Duplicates are
 * harmless. */
static sc_script *script_begin(sc_batch *b, sc_dialect d, const df_var *scope, bool env_only)
{
	df_grow((void **)&b->items, &b->cap, b->len + 1, sizeof(*b->items));
	sc_script *s = &b->items[b->len++];
	memset(s, 0, sizeof(*s));
	df_buf_adds(&s->file, shebangs[d]);
	/* The builder hands the proxy args to every RUN without an ARG. */
	df_buf_adds(&s->file, "export http_proxy=1 https_proxy=1 ftp_proxy=1 no_proxy=1 all_proxy=1\n");
	s->prelude_lines = 2;
	bool base = false;
	for (const df_var *v = scope; v; v = v->next) {
		if (v->barrier) {
			base = true;
			continue;
		}
		if ((base || env_only) && !v->is_env)
			continue;
		if (!is_name(v->name))
			continue;
		/* An exported assignment: no "unused" or "unassigned" finding. */
		df_buf_addf(&s->file, "export %.*s=1\n", (int)v->name.len, v->name.ptr);
		s->prelude_lines++;
	}
	s->body = s->file.len;
	return s;
}

static void script_reserve(sc_script *s, size_t n)
{
	df_grow((void **)&s->map, &s->cap, s->nmap + n, sizeof(*s->map));
}

/* Append t's bytes [off, off + len), each mapped to its source offset. */
static void script_add(sc_script *s, const df_text *t, size_t off, size_t len)
{
	script_reserve(s, len);
	df_buf_add(&s->file, t->str.ptr + off, len);
	for (size_t i = 0; i < len; i++)
		s->map[s->nmap++] = df_text_src(t, off + i);
}

/* Append bytes that are not in the source, all mapped to src. */
static void script_add_made(sc_script *s, const char *p, size_t len, uint32_t src)
{
	script_reserve(s, len);
	df_buf_add(&s->file, p, len);
	for (size_t i = 0; i < len; i++)
		s->map[s->nmap++] = src;
}

static void script_release(sc_script *s)
{
	df_buf_release(&s->file);
	free(s->map);
	free(s->lines);
}

/* The scripts of one RUN (r: the RUN, or an ONBUILD's trigger). */
static void collect_run(sc_batch *b, const df_instr *r, sc_dialect d, const df_var *scope, bool env_only)
{
	if (r->kind != DF_I_RUN || r->has_error || r->exec_form || r->nargs != 1)
		return;
	const df_sh_cmd *first = first_command(r->script);
	/* `RUN <<EOF`: the body is the script; the line holds nothing else. */
	bool markers_only = r->nheredocs && (!first || (first->kind == DF_SH_SIMPLE && first->nwords == 0 &&
							first->nassigns == 0));
	if (!markers_only && d != SC_NONE) {
		/* The RUN line, then its heredocs as the shell reads them. Bodies
		 * that are scripts of their own are checked below instead. */
		const df_word *w = &r->args[0];
		sc_script *s = script_begin(b, d, scope, env_only);
		script_add(s, &r->text, w->text_off, w->raw.len);
		script_add_made(s, "\n", 1, df_text_src(&r->text, w->text_off + w->raw.len));
		for (size_t i = 0; i < r->nheredocs; i++) {
			const df_heredoc *h = &r->heredocs[i];
			if (!h->script)
				script_add(s, &h->body, 0, h->body.str.len);
			script_add_made(s, h->name.ptr, h->name.len, h->terminator_span.start);
			script_add_made(s, "\n", 1, h->terminator_span.start);
		}
	}
	for (size_t i = 0; i < r->nheredocs; i++) {
		const df_heredoc *h = &r->heredocs[i];
		if (!h->script || h->body.str.len == 0)
			continue;
		size_t skip = 0;
		sc_dialect hd;
		/* No shebang: the shell running the RUN (`RUN <<EOF`) or the
		 * one the body is fed to (`RUN bash <<EOF`). */
		if (!shebang_dialect(h->body.str, &hd, &skip))
			hd = markers_only ? d : fed_dialect(first);
		if (hd == SC_NONE || skip >= h->body.str.len)
			continue;
		/* Our shebang replaces the body's: it must stay on line 1. */
		sc_script *s = script_begin(b, hd, scope, env_only);
		script_add(s, &h->body, skip, h->body.str.len - skip);
	}
}

static void collect(sc_batch *b, const df_doc *doc, const df_graph *g)
{
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		sc_dialect d = shell_dialect(g->steps[i].shell);
		if (in->kind == DF_I_ONBUILD && in->inner)
			/* The trigger runs in a build from this image, which keeps
			 * the SHELL and the ENV, not the ARGs. */
			collect_run(b, in->inner, d, in->scope, true);
		else
			collect_run(b, in, d, in->scope, false);
	}
}

/* --- running shellcheck --------------------------------------------------- */

/* fd moved above the standard descriptors (close-on-exec), so the child's
 * dup2() onto 0-2 never clobbers it; -1 on failure (fd closed). */
static int high_fd(int fd)
{
	if (fd < 0 || fd > 2)
		return fd;
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return h;
}

/* Run argv[0] with argv, stdout into out (at most SC_MAX_OUTPUT bytes),
 * stdin and stderr on /dev/null. 0 when it exits with 0 or 1. */
static int run_program(char *const argv[], df_buf *out)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	int rd = high_fd(fds[0]), wr = high_fd(fds[1]);
	int null = high_fd(open("/dev/null", O_RDWR | O_CLOEXEC));
	pid_t pid = rd < 0 || wr < 0 || null < 0 ? -1 : fork();
	if (pid == 0) {
		/* Between fork and exec only async-signal-safe calls. */
		if (dup2(null, 0) < 0 || dup2(wr, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wr >= 0)
		close(wr);
	if (null >= 0)
		close(null);
	if (pid < 0) {
		if (rd >= 0)
			close(rd);
		return -1;
	}
	int rc = 0;
	char chunk[16384];
	for (;;) {
		ssize_t n = read(rd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		if (out->len + (size_t)n > SC_MAX_OUTPUT) {
			kill(pid, SIGKILL);	/* our child: it would block on a full pipe */
			rc = -1;
			break;
		}
		df_buf_add(out, chunk, (size_t)n);
	}
	close(rd);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	/* ShellCheck exits 1 when it found something: that is success. */
	if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return -1;
	return 0;
}

static int write_all(const char *path, const df_buf *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < data->len;) {
		ssize_t n = write(fd, data->buf + off, data->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

/* --- mapping findings back ------------------------------------------------ */

/*
 * Bytes of the character at p as ShellCheck counts columns (json1 counts
 * characters, a tab being one). It decodes leniently: a lead byte with n
 * high bits set (2 to 4) and n - 1 continuation bytes after it is one
 * character, overlong forms and surrogates included, unless the value
 * passes U+10FFFF; any other byte is a character of its own.
 */
static size_t sc_char_len(const unsigned char *p, size_t n)
{
	size_t need = p[0] >= 0xf0 && p[0] < 0xf8 ? 4 : p[0] >= 0xe0 && p[0] < 0xf0 ? 3 : p[0] >= 0xc0 && p[0] < 0xe0 ? 2 : 1;
	if (need == 1 || need > n)
		return 1;
	for (size_t i = 1; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	if (need == 4) {
		uint32_t v = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
			     (uint32_t)(p[2] & 0x3f) << 6 | (uint32_t)(p[3] & 0x3f);
		if (v > 0x10ffff)
			return 1;
	}
	return need;
}

/* Offset in s's script of 1-based (line, col) of the file; clamped to the
 * script, false when the position is in the prelude. */
static bool script_offset(sc_script *s, double line, double col, size_t *off)
{
	if (!s->lines) {
		const char *t = s->file.buf + s->body;
		s->lines = df_xmalloc((s->nmap + 1) * sizeof(*s->lines));
		s->lines[s->nlines++] = 0;
		for (size_t i = 0; i < s->nmap; i++)
			if (t[i] == '\n' && i + 1 < s->nmap)
				s->lines[s->nlines++] = i + 1;
	}
	if (line <= s->prelude_lines)
		return false;
	double l = line - s->prelude_lines;
	if (l > (double)s->nlines) {
		*off = s->nmap;
		return true;
	}
	const unsigned char *t = (const unsigned char *)s->file.buf + s->body;
	size_t p = s->lines[(size_t)l - 1];
	for (double c = 1; c < col && p < s->nmap && t[p] != '\n'; c++)
		p += sc_char_len(t + p, s->nmap - p);
	*off = p;
	return true;
}

static bool get_num(const cJSON *o, const char *key, double *v)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(j) || !(j->valuedouble >= 1 && j->valuedouble <= 1e9))
		return false;
	*v = j->valuedouble;
	return true;
}

static bool get_severity(const char *level, df_severity *sev)
{
	static const struct { const char *name; df_severity sev; } levels[] = {
		{ "error", DF_SEV_ERROR }, { "warning", DF_SEV_WARNING },
		{ "info", DF_SEV_INFO }, { "style", DF_SEV_STYLE },
	};
	for (size_t i = 0; level && i < DF_ARRAY_LEN(levels); i++)
		if (strcmp(level, levels[i].name) == 0) {
			*sev = levels[i].sev;
			return true;
		}
	return false;
}

/* The script a finding's "file" names: ".../<index>". */
static sc_script *script_of(sc_batch *b, const char *file)
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	if (!slash || !df_is_digit(slash[1]))
		return NULL;
	char *end;
	unsigned long k = strtoul(slash + 1, &end, 10);
	return *end == '\0' && k < b->len ? &b->items[k] : NULL;
}

/*
 * Does the script range [p, q) hold blanks where the builder joined a
 * continuation line? SC2291 ("quote repeated spaces") there is about the
 * join, not the user's text: one blank before the backslash plus the next
 * line's indent read as repeated spaces between echo's arguments.
 */
static bool blank_join(const sc_script *s, size_t p, size_t q)
{
	const char *t = s->file.buf + s->body;
	for (size_t i = p + 1; i < q && i < s->nmap; i++)
		if (s->map[i] != s->map[i - 1] + 1 && (df_is_blank(t[i]) || df_is_blank(t[i - 1])))
			return true;
	return false;
}

/* One finding c to a diagnostic in out; garbage is skipped. */
static void add_finding(const df_doc *doc, sc_batch *b, const cJSON *c, df_diags *out)
{
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(c, "file");
	const cJSON *level = cJSON_GetObjectItemCaseSensitive(c, "level");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c, "message");
	sc_script *s = script_of(b, cJSON_GetStringValue(file));
	double l1, c1, l2, c2, code;
	df_severity sev;
	if (!s || !cJSON_IsString(msg) || !get_severity(cJSON_GetStringValue(level), &sev) ||
	    !get_num(c, "line", &l1) || !get_num(c, "column", &c1) || !get_num(c, "code", &code))
		return;
	if (!get_num(c, "endLine", &l2) || !get_num(c, "endColumn", &c2))
		l2 = l1, c2 = c1;
	size_t p, q;
	if (!script_offset(s, l1, c1, &p))
		return;	/* in the prelude: about our own lines */
	if (!script_offset(s, l2, c2, &q))
		q = p;
	if (code == 2291 && blank_join(s, p, q))
		return;
	/* Start at p's byte; end just past the byte before q (end exclusive). */
	uint32_t start = p < s->nmap ? s->map[p] : s->map[s->nmap - 1] + 1;
	uint32_t end = q > p ? s->map[q - 1] + 1 : start;
	if (end < start)
		end = start;
	uint32_t sl, sc, el, ec;
	df_source_pos(&doc->src, start, &sl, &sc);
	df_source_pos(&doc->src, end, &el, &ec);
	char name[24];
	snprintf(name, sizeof(name), "SC%.0f", code);
	df_diags_add(out, sev, name, sl, sc, el, ec, "%s", msg->valuestring);
}

/* --- the run ---------------------------------------------------------------- */

/* Run the program (argv[0..nfixed)) over scripts [from, to) of b, whose
 * paths follow in argv, and add what it finds to out. */
static int check_scripts(const df_doc *doc, sc_batch *b, char *const *argv, size_t nfixed, size_t from, size_t to,
			 df_diags *out)
{
	char **args = df_xcalloc(nfixed + (to - from) + 1, sizeof(char *));
	memcpy(args, argv, nfixed * sizeof(char *));
	memcpy(args + nfixed, argv + nfixed + from, (to - from) * sizeof(char *));
	df_buf json = DF_BUF_INIT;
	int rc = -1;
	if (run_program(args, &json) == 0) {
		/* cJSON_Parse records its last error in a global: one parse at a
		 * time when files are linted on several threads. */
		static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;
		pthread_mutex_lock(&parse_lock);
		cJSON *root = cJSON_Parse(df_buf_str(&json));
		pthread_mutex_unlock(&parse_lock);
		const cJSON *comments = cJSON_GetObjectItemCaseSensitive(root, "comments");
		if (cJSON_IsArray(comments)) {
			const cJSON *c;
			cJSON_ArrayForEach(c, comments)
				add_finding(doc, b, c, out);
			rc = 0;
		}
		cJSON_Delete(root);
	}
	df_buf_release(&json);
	free(args);
	return rc;
}

int df_shellcheck_file(const df_doc *doc, const df_graph *g, const char *program, df_diags *out)
{
	sc_batch b = { NULL, 0, 0 };
	collect(&b, doc, g);
	for (size_t i = 0; i < b.len; i++)
		if (b.items[i].nmap == 0)
			DF_BUG("empty shellcheck script %zu", i);
	if (b.len == 0)
		return 0;

	int rc = -1;
	const char *tmp = getenv("TMPDIR");
	df_buf dir = DF_BUF_INIT;
	df_buf_addf(&dir, "%s/dfopt-sc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	static const char *const fixed[] = { "--norc", "--format=json1", "--exclude=SC1090,SC1091,SC2187", "--" };
	size_t nfixed = DF_ARRAY_LEN(fixed);
	char **argv = df_xcalloc(1 + nfixed + b.len + 1, sizeof(char *));
	size_t written = 0;
	if (!mkdtemp(dir.buf))
		goto out;
	argv[0] = (char *)program;
	for (size_t i = 0; i < nfixed; i++)
		argv[1 + i] = (char *)fixed[i];
	for (; written < b.len; written++) {
		df_buf path = DF_BUF_INIT;
		df_buf_addf(&path, "%s/%zu", dir.buf, written);
		argv[1 + nfixed + written] = df_buf_detach(&path, NULL);
		if (write_all(argv[1 + nfixed + written], &b.items[written].file) < 0) {
			written++;	/* maybe created: removed below */
			goto clean;
		}
	}
	rc = 0;
	for (size_t from = 0; from < b.len && rc == 0; from += SC_MAX_SCRIPTS) {
		size_t to = b.len - from > SC_MAX_SCRIPTS ? from + SC_MAX_SCRIPTS : b.len;
		rc = check_scripts(doc, &b, argv, 1 + nfixed, from, to, out);
	}
clean:
	for (size_t i = 0; i < written; i++)
		unlink(argv[1 + nfixed + i]);
	rmdir(dir.buf);
out:
	for (size_t i = 0; i < b.len; i++) {
		free(argv[1 + nfixed + i]);
		script_release(&b.items[i]);
	}
	free(argv);
	free(b.items);
	df_buf_release(&dir);
	return rc;
}

/* --- finding the program -------------------------------------------------- */

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

const char *df_shellcheck_find(void)
{
	static df_buf found = DF_BUF_INIT;
	const char *name = getenv("DFOPT_SHELLCHECK");
	if (name && !*name)
		return NULL;	/* set and empty: off */
	if (name && strchr(name, '/'))
		return is_executable(name) ? name : NULL;
	if (!name)
		name = "shellcheck";
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";	/* execvp's fallback */
	for (const char *p = path;; p++) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		df_buf_reset(&found);
		if (n)
			df_buf_add(&found, p, n);
		else
			df_buf_addc(&found, '.');
		df_buf_addc(&found, '/');
		df_buf_adds(&found, name);
		if (is_executable(found.buf))
			return found.buf;
		if (!e)
			return NULL;
		p = e;
	}
}
