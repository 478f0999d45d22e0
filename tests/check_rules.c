/*
 * check_rules.c - the data-driven rule suite.
 *
 * fixtures/rules/<CODE>/<case>.Dockerfile is linted with every rule and no
 * build context (as stdin is); fixtures/rules/<CODE>/<case>/Dockerfile with
 * that directory as its build context (its files, its .dockerignore). The
 * findings of rule CODE are compared with <case>.expected, one per line:
 *   LINE:COL-END_LINE:END_COL CODE message
 * (an empty file: the rule stays quiet); a rule that is off by default is
 * raised to info for its fixtures. A rule that needs configuration reads it
 * from fixtures/rules/<CODE>/config, applied to every case of the directory,
 * one setting a line: `trusted-registry NAME`, `label NAME TYPE`,
 * `strict-labels` (blank lines and # comments skipped). A rule with a fix
 * has its fixes applied too, its own only: where they change the case,
 * <case>.fixed holds the result of the safe ones and, where the unsafe ones
 * change more, <case>.unsafe.fixed that of all of them; the result is fixed
 * again to the same bytes. A context case is fixed in a scratch copy of its
 * directory (the fixture is never touched), and a fix that extends the
 * context's ignore file (fix/side.h) has that file's result in
 * <case>.<name>.fixed / <case>.<name>.unsafe.fixed beside the others, where
 * name is the file's name without its leading dot: `dockerignore`, or
 * `Dockerfile.dockerignore` for the Dockerfile's own; the same rule holds
 * (the unsafe one only where it differs from the safe one). After such a
 * fix the copy is linted again from disk: the rule must be quiet, and
 * fixing again must change nothing. DFOPT_BLESS=1 rewrites the expected and
 * fixed files. Every registered rule needs a firing and a quiet case, and a
 * rule with a fix a .fixed snapshot (of the Dockerfile or of a side file).
 * Ignore pragmas are tested here too, on inline files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fix/fixer.h"
#include "fix/side.h"
#include "graph/graph.h"
#include "testutil.h"

typedef struct rule_case {
	char code[64];		/* a DL code or a BuildKit check name */
	char name[256];
	bool context;		/* <case>/Dockerfile in its own context */
} rule_case;

static rule_case *cases;
static size_t ncases;

static int cmp_case(const void *a, const void *b)
{
	const rule_case *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	return c ? c : strcmp(x->name, y->name);
}

static void collect(void)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/fixtures/rules", tu_srcdir());
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(cases->code))
			continue;
		char sub[4200];
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		DIR *s = opendir(sub);
		if (!s)
			continue;
		struct dirent *f;
		while ((f = readdir(s)) != NULL) {
			size_t n = strlen(f->d_name);
			char inner[4600];
			snprintf(inner, sizeof(inner), "%s/%s/Dockerfile", sub, f->d_name);
			bool context = f->d_name[0] != '.' && n < sizeof(cases->name) && access(inner, R_OK) == 0;
			if (!context &&
			    (n <= 11 || strcmp(f->d_name + n - 11, ".Dockerfile") != 0 || n - 11 >= sizeof(cases->name)))
				continue;
			cases = realloc(cases, (ncases + 1) * sizeof(*cases));
			snprintf(cases[ncases].code, sizeof(cases->code), "%s", e->d_name);
			snprintf(cases[ncases].name, sizeof(cases->name), "%.*s", (int)(context ? n : n - 11), f->d_name);
			cases[ncases].context = context;
			ncases++;
		}
		closedir(s);
	}
	closedir(d);
	if (ncases)
		qsort(cases, ncases, sizeof(*cases), cmp_case);
}

/* A fixture's context, opened by the test before linting. */
typedef struct fixture_context {
	df_context ctx;
	bool open;
} fixture_context;

static const df_context *give_context(void *arg, const char **dockerfile)
{
	fixture_context *fc = arg;
	*dockerfile = fc->open ? fc->ctx.dockerfile : NULL;
	return fc->open ? &fc->ctx : NULL;
}

static void lint_text_opts(const char *text, size_t len, const df_lint_opts *o, df_diags *out)
{
	df_doc doc;
	df_doc_parse(&doc, "Dockerfile", text, len, NULL);
	df_graph g;
	ck_assert_int_eq(df_graph_build(&g, &doc, NULL), 0);
	df_lint_file(&doc, &g, o, out);
	df_graph_release(&g);
	df_doc_release(&doc);
}

/* Rule input of a fixture directory's config file, if any. */
typedef struct fixture_config {
	df_buf text;		/* the file, cut into NUL-terminated words */
	const char *trusted[16];
	df_label_spec labels[16];
	bool strict;
	size_t ntrusted, nlabels;
} fixture_config;

static void config_load(const char *code, fixture_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	char path[4600];
	snprintf(path, sizeof(path), "%s/fixtures/rules/%s/config", tu_srcdir(), code);
	if (access(path, R_OK) != 0 || tu_read(path, &cfg->text) != 0 || cfg->text.len == 0)
		return;
	char *save = NULL;
	for (char *line = strtok_r((char *)df_buf_str(&cfg->text), "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *w = NULL, *a = strtok_r(line, " \t", &w);
		if (!a || a[0] == '#')
			continue;
		char *b = strtok_r(NULL, " \t", &w), *c = strtok_r(NULL, " \t", &w);
		if (!strcmp(a, "trusted-registry") && b && cfg->ntrusted < 16) {
			cfg->trusted[cfg->ntrusted++] = b;
		} else if (!strcmp(a, "label") && b && c && df_label_type_parse(c) >= 0 && cfg->nlabels < 16) {
			cfg->labels[cfg->nlabels].name = b;
			cfg->labels[cfg->nlabels++].type = (df_label_type)df_label_type_parse(c);
		} else if (!strcmp(a, "strict-labels")) {
			cfg->strict = true;
		} else {
			ck_abort_msg("%s/config: bad line '%s'", code, a);
		}
	}
}

static bool blessing(void)
{
	const char *bless = getenv("DFOPT_BLESS");
	return bless && *bless && strcmp(bless, "0") != 0;
}

/* Compare got with the snapshot at path, which exists exactly when changed
 * (DFOPT_BLESS=1 writes or removes it). */
static void check_snapshot(const rule_case *c, const char *path, const df_buf *got, bool changed)
{
	const char *name = strrchr(path, '/') + 1;
	if (blessing()) {
		if (changed)
			ck_assert_int_eq(tu_write(path, df_buf_str(got), got->len), 0);
		else
			unlink(path);
	} else if (changed) {
		df_buf want = DF_BUF_INIT;
		ck_assert_msg(access(path, R_OK) == 0, "%s/%s: the fix changes the case but there is no %s (DFOPT_BLESS=1 writes it)",
			      c->code, c->name, name);
		ck_assert_int_eq(tu_read(path, &want), 0);
		ck_assert_msg(want.len == got->len && memcmp(df_buf_str(&want), df_buf_str(got), got->len) == 0,
			      "%s/%s: fixed text differs from %s\n--- expected\n%s--- got\n%s", c->code, c->name, name,
			      df_buf_str(&want), df_buf_str(got));
		df_buf_release(&want);
	} else {
		ck_assert_msg(access(path, F_OK) != 0, "%s/%s: %s exists but the fix changes nothing", c->code, c->name,
			      name);
	}
}

static bool same_buf(const df_buf *a, const df_buf *b)
{
	return a->len == b->len && memcmp(df_buf_str(a), df_buf_str(b), a->len) == 0;
}

/* Copy the tree at from to to (which exists): directories, files and
 * symlinks, with their permission bits plus the owner's write bit (a
 * project is writable even when the fixtures are not, as in distcheck). */
static void copy_tree(const char *from, const char *to)
{
	DIR *d = opendir(from);
	ck_assert_msg(d != NULL, "cannot open '%s'", from);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char a[4096], b[4096];
		snprintf(a, sizeof(a), "%s/%s", from, e->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, e->d_name);
		struct stat st;
		ck_assert_int_eq(lstat(a, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			ck_assert_int_eq(mkdir(b, 0700), 0);
			copy_tree(a, b);
			chmod(b, (st.st_mode & 07777) | 0700);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(a, target, sizeof(target) - 1);
			ck_assert_int_ge(n, 0);
			target[n] = '\0';
			ck_assert_int_eq(symlink(target, b), 0);
		} else if (S_ISREG(st.st_mode)) {
			df_buf data = DF_BUF_INIT;
			ck_assert_int_eq(tu_read(a, &data), 0);
			ck_assert_int_eq(tu_write(b, df_buf_str(&data), data.len), 0);
			chmod(b, (st.st_mode & 07777) | 0200);
			df_buf_release(&data);
		}
	}
	closedir(d);
}

static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			remove_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* What one fix of a case left: the Dockerfile's text and, for a context
 * case, the ignore file's (side_name: its name without the leading dot). */
typedef struct fix_outcome {
	df_buf text;
	df_buf side;
	bool side_exists;
	char side_name[256];
} fix_outcome;

static void outcome_release(fix_outcome *f)
{
	df_buf_release(&f->text);
	df_buf_release(&f->side);
}

/* The ignore file a context directory reads for its Dockerfile, or the
 * .dockerignore a fix would create. */
static void side_of(const char *dir, fix_outcome *f)
{
	char own[4600], root[4600];
	snprintf(own, sizeof(own), "%s/Dockerfile.dockerignore", dir);
	snprintf(root, sizeof(root), "%s/.dockerignore", dir);
	const char *path = access(own, F_OK) == 0 ? own : root;
	const char *base = strrchr(path, '/') + 1;
	snprintf(f->side_name, sizeof(f->side_name), "%s", base + (base[0] == '.'));
	df_buf_reset(&f->side);
	f->side_exists = access(path, F_OK) == 0;
	if (f->side_exists)
		ck_assert_int_eq(tu_read(path, &f->side), 0);
}

/* Lint text in dir's context (read from disk) into out. */
static void lint_in(const char *dir, const df_lint_opts *base, const df_buf *text, df_diags *out)
{
	char path[4600];
	snprintf(path, sizeof(path), "%s/Dockerfile", dir);
	fixture_context fc = { .open = false };
	df_buf err = DF_BUF_INIT;
	df_context_opts co = { .dockerfile = path };
	fc.open = df_context_open(&fc.ctx, dir, &co, &err) == 0;
	ck_assert_msg(fc.open, "%s: %s", dir, df_buf_str(&err));
	df_lint_opts o = *base;
	o.context = give_context;
	o.context_arg = &fc;
	o.context_fixes = true;
	lint_text_opts(df_buf_str(text), text->len, &o, out);
	df_context_release(&fc.ctx);
	df_buf_release(&err);
}

/* Fix text with run in the context of dir, as `dfopt --fix` does: the
 * ignore file's lines committed to it, the Dockerfile written. */
static void fix_in(const rule_case *c, const char *dir, const df_fix_run *run, const df_buf *text, df_fix_result *r)
{
	char path[4600];
	snprintf(path, sizeof(path), "%s/Dockerfile", dir);
	fixture_context fc = { .open = false };
	df_buf err = DF_BUF_INIT;
	df_context_opts co = { .dockerfile = path };
	fc.open = df_context_open(&fc.ctx, dir, &co, &err) == 0;
	ck_assert_msg(fc.open, "%s/%s: %s", c->code, c->name, df_buf_str(&err));
	df_lint_opts o = *run->lint;
	o.context = give_context;
	o.context_arg = &fc;
	o.context_fixes = true;
	df_fix_run fr = *run;
	fr.lint = &o;
	df_fix_file("Dockerfile", path, df_buf_str(text), text->len, &fr, r);
	ck_assert_msg(!r->refused, "%s/%s: fix refused: %s", c->code, c->name, df_buf_str(&r->refusal));
	if (r->nside) {
		df_side_files sf = DF_SIDE_FILES_INIT;
		ck_assert_msg(df_side_commit(&sf, r->side_path, r->side_path, (const char *const *)r->side_lines,
					     r->nside, true, NULL, NULL, &err) > 0,
			      "%s/%s: %s", c->code, c->name, df_buf_str(&err));
		df_side_files_release(&sf);
	}
	ck_assert_int_eq(tu_write(path, df_buf_str(&r->text), r->text.len), 0);
	df_context_release(&fc.ctx);
	df_buf_release(&err);
}

/* The rule's own fixes over the case (unsafe ones too when asked), checked
 * against the snapshots: each exists exactly when the fixes change its file
 * (and, for the unsafe ones, change more than the safe fixes do). A context
 * case is fixed in a scratch copy of its directory. */
static void check_fixed(const rule_case *c, const df_lint_opts *o, const df_buf *data, bool unsafe,
			const fix_outcome *safe, fix_outcome *out)
{
	const char *suffix = unsafe ? ".unsafe.fixed" : ".fixed";
	char path[4700], dir[4400], scratch[64] = "/tmp/dfopt-rules-XXXXXX";
	snprintf(path, sizeof(path), "%s/fixtures/rules/%s/%s%s", tu_srcdir(), c->code, c->name, suffix);
	snprintf(dir, sizeof(dir), "%s/fixtures/rules/%s/%s", tu_srcdir(), c->code, c->name);
	df_fix_run run = { o, NULL, unsafe, 0, c->code };
	df_fix_result r, again;
	fix_outcome before = { DF_BUF_INIT, DF_BUF_INIT, false, "" };
	if (c->context) {
		ck_assert_ptr_nonnull(mkdtemp(scratch));
		copy_tree(dir, scratch);
		side_of(scratch, &before);
		fix_in(c, scratch, &run, data, &r);
	} else {
		df_fix_text("Dockerfile", df_buf_str(data), data->len, &run, &r);
		ck_assert_msg(!r.refused, "%s/%s: fix refused: %s", c->code, c->name, df_buf_str(&r.refusal));
	}
	const df_buf *base = unsafe ? &safe->text : data;
	check_snapshot(c, path, &r.text, !same_buf(&r.text, base));
	df_buf_add(&out->text, df_buf_str(&r.text), r.text.len);
	if (c->context) {
		side_of(scratch, out);
		const fix_outcome *side_base = unsafe ? safe : &before;
		bool changed = out->side_exists != side_base->side_exists || !same_buf(&out->side, &side_base->side);
		char side_path[4800];
		snprintf(side_path, sizeof(side_path), "%s/fixtures/rules/%s/%s.%s%s", tu_srcdir(), c->code, c->name,
			 out->side_name, suffix);
		check_snapshot(c, side_path, &out->side, changed);
		if (out->side_exists != before.side_exists || !same_buf(&out->side, &before.side)) {
			/* The ignore file changed: the copy, linted anew from
			 * disk, no longer has the rule's finding. */
			df_diags d = DF_DIAGS_INIT;
			lint_in(scratch, o, &r.text, &d);
			for (size_t i = 0; i < d.len; i++)
				ck_assert_msg(strcmp(d.items[i].code, c->code) != 0,
					      "%s/%s: the fixed context still has %u:%u %s", c->code, c->name,
					      d.items[i].line, d.items[i].col, d.items[i].message);
			df_diags_release(&d);
		}
		/* Fixed is fixed: another run finds nothing more to do. */
		fix_in(c, scratch, &run, &r.text, &again);
		ck_assert_msg(again.nnotes == 0 && again.nside == 0, "%s/%s: fixing the fixed context fixes again",
			      c->code, c->name);
		remove_tree(scratch);
	} else {
		df_fix_text("Dockerfile", df_buf_str(&r.text), r.text.len, &run, &again);
		ck_assert_msg(again.nnotes == 0, "%s/%s: fixing the fixed text fixes again", c->code, c->name);
	}
	df_fix_result_release(&again);
	df_fix_result_release(&r);
	outcome_release(&before);
}

START_TEST(test_rule_fixture)
{
	const rule_case *c = &cases[_i];
	char path[4600], expected_path[4600];
	char dir[4400];
	snprintf(dir, sizeof(dir), "%s/fixtures/rules/%s/%s", tu_srcdir(), c->code, c->name);
	snprintf(path, sizeof(path), "%s%s", dir, c->context ? "/Dockerfile" : ".Dockerfile");
	snprintf(expected_path, sizeof(expected_path), "%s/fixtures/rules/%s/%s.expected", tu_srcdir(), c->code, c->name);
	df_buf data = DF_BUF_INIT, got = DF_BUF_INIT, want = DF_BUF_INIT;
	ck_assert_msg(tu_read(path, &data) == 0, "%s/%s: unreadable", c->code, c->name);
	df_diags d = DF_DIAGS_INIT;
	/* A rule that is off by default is raised to info for its fixtures. */
	const df_rule *rule = df_rule_find(c->code);
	df_severity_override raise = { c->code, DF_SEV_INFO };
	fixture_config cfg;
	config_load(c->code, &cfg);
	df_lint_opts o = {
		.overrides = &raise,
		.noverrides = rule && rule->severity == DF_SEV_IGNORE ? 1 : 0,
		.trusted_registries = cfg.trusted,
		.ntrusted = cfg.ntrusted,
		.labels = cfg.labels,
		.nlabels = cfg.nlabels,
		.strict_labels = cfg.strict,
		.keep_duplicates = true,	/* each rule on its own */
	};
	fixture_context fc = { .open = false };
	if (c->context) {
		df_buf err = DF_BUF_INIT;
		df_context_opts co = { .dockerfile = path };
		fc.open = df_context_open(&fc.ctx, dir, &co, &err) == 0;
		ck_assert_msg(fc.open, "%s/%s: %s", c->code, c->name, df_buf_str(&err));
		df_buf_release(&err);
		o.context = give_context;
		o.context_arg = &fc;
	}
	lint_text_opts(df_buf_str(&data), data.len, &o, &d);
	if (rule && (rule->fix == DF_FIX_SAFE || rule->fix == DF_FIX_UNSAFE)) {
		fix_outcome safe = { DF_BUF_INIT, DF_BUF_INIT, false, "" }, unsafe = safe;
		check_fixed(c, &o, &data, false, NULL, &safe);
		check_fixed(c, &o, &data, true, &safe, &unsafe);
		outcome_release(&safe);
		outcome_release(&unsafe);
	}
	if (fc.open)
		df_context_release(&fc.ctx);
	df_buf_release(&cfg.text);
	for (size_t i = 0; i < d.len; i++)
		if (!strcmp(d.items[i].code, c->code))
			df_buf_addf(&got, "%u:%u-%u:%u %s %s\n", d.items[i].line, d.items[i].col,
				    d.items[i].end_line, d.items[i].end_col, d.items[i].code, d.items[i].message);
	if (blessing()) {
		ck_assert_int_eq(tu_write(expected_path, df_buf_str(&got), got.len), 0);
	} else {
		ck_assert_msg(tu_read(expected_path, &want) == 0, "%s/%s: no .expected (DFOPT_BLESS=1 writes it)",
			      c->code, c->name);
		ck_assert_msg(want.len == got.len && memcmp(df_buf_str(&want), df_buf_str(&got), got.len) == 0,
			      "%s/%s: findings differ\n--- expected\n%s--- got\n%s", c->code, c->name,
			      df_buf_str(&want), df_buf_str(&got));
	}
	df_diags_release(&d);
	df_buf_release(&data);
	df_buf_release(&got);
	df_buf_release(&want);
}
END_TEST

/* Every rule fires in one fixture and stays quiet in another. */
START_TEST(test_every_rule_has_fixtures)
{
	size_t n;
	const df_rule *const *rules = df_rules(&n);
	ck_assert_uint_gt(n, 0);
	for (size_t r = 0; r < n; r++) {
		size_t firing = 0, quiet = 0;
		for (size_t i = 0; i < ncases; i++) {
			if (strcmp(cases[i].code, rules[r]->code))
				continue;
			char p[4600];
			df_buf b = DF_BUF_INIT;
			snprintf(p, sizeof(p), "%s/fixtures/rules/%s/%s.expected", tu_srcdir(), cases[i].code, cases[i].name);
			if (tu_read(p, &b) == 0) {
				if (b.len)
					firing++;
				else
					quiet++;
			}
			df_buf_release(&b);
		}
		ck_assert_msg(firing >= 1 && quiet >= 1, "%s: %zu firing and %zu quiet fixtures", rules[r]->code,
			      firing, quiet);
		if (rules[r]->fix == DF_FIX_SAFE || rules[r]->fix == DF_FIX_UNSAFE) {
			/* Any snapshot: the Dockerfile's or a side file's. */
			size_t fixed = 0;
			char p[4700];
			snprintf(p, sizeof(p), "%s/fixtures/rules/%s", tu_srcdir(), rules[r]->code);
			DIR *d = opendir(p);
			struct dirent *e;
			while (d && (e = readdir(d)) != NULL) {
				size_t len = strlen(e->d_name);
				fixed += len > 6 && strcmp(e->d_name + len - 6, ".fixed") == 0;
			}
			if (d)
				closedir(d);
			ck_assert_msg(fixed >= 1, "%s: a rule with a fix needs a .fixed (or .unsafe.fixed) snapshot",
				      rules[r]->code);
		}
		ck_assert_msg(rules[r]->docs.what && rules[r]->docs.why && rules[r]->docs.example &&
				      rules[r]->docs.instead && rules[r]->message && rules[r]->name,
			      "%s: incomplete metadata", rules[r]->code);
		if (r)
			ck_assert_msg(strcmp(rules[r - 1]->code, rules[r]->code) < 0, "rules.list is not sorted at %s",
				      rules[r]->code);
	}
}
END_TEST

static size_t count_code(const char *text, const char *code)
{
	df_diags d = DF_DIAGS_INIT;
	lint_text_opts(text, strlen(text), NULL, &d);
	size_t n = 0;
	for (size_t i = 0; i < d.len; i++)
		n += strcmp(d.items[i].code, code) == 0;
	df_diags_release(&d);
	return n;
}

START_TEST(test_move_keeps_nul_bytes)
{
	/* An ARG moved down to its next declaration (DF1002), its comment
	 * with it: the moved lines keep every byte, NULs too (the front ends
	 * refuse such files; the library must not cut them short). */
	static const char text[] = "FROM a:1\n# why B\nARG B\0X\nRUN one\nRUN two\nARG B\0X\n";
	static const char want[] = "FROM a:1\nRUN one\nRUN two\n# why B\nARG B\0X\nARG B\0X\n";
	df_lint_opts o = { 0 };
	df_fix_run run = { &o, NULL, true, 0, NULL };
	df_fix_result r;
	df_fix_text("Dockerfile", text, sizeof(text) - 1, &run, &r);
	ck_assert(!r.refused);
	ck_assert_uint_eq(r.text.len, sizeof(want) - 1);
	ck_assert(memcmp(r.text.buf, want, sizeof(want) - 1) == 0);
	df_fix_result_release(&r);
}
END_TEST

START_TEST(test_pragmas)
{
	/* Line pragma: only the next instruction, either spelling, with a
	 * trailing comment and a comment block between. */
	ck_assert_uint_eq(count_code("FROM a\n# hadolint ignore=DL4000\nMAINTAINER x\nMAINTAINER y\n", "DL4000"), 1);
	ck_assert_uint_eq(count_code("FROM a\n# dfopt ignore=DL3003, DL4000 legacy\n# note\nMAINTAINER x\n", "DL4000"), 0);
	ck_assert_uint_eq(count_code("FROM a\n# hadolint ignore=DL3003\n\nMAINTAINER x\n", "DL4000"), 1);
	/* Global and stage forms. */
	ck_assert_uint_eq(count_code("# hadolint global ignore=DL4000\nFROM a\nMAINTAINER x\nFROM b\nMAINTAINER y\n", "DL4000"), 0);
	ck_assert_uint_eq(count_code("FROM a\n# dfopt stage ignore=DL4000\nMAINTAINER x\nFROM b\nMAINTAINER y\n", "DL4000"), 1);
	/* Not a pragma: no '=' or another tool's name. */
	ck_assert_uint_eq(count_code("FROM a\n# hadolint ignore DL4000\nMAINTAINER x\n", "DL4000"), 1);
	ck_assert_uint_eq(count_code("FROM a\n# eslint ignore=DL4000\nMAINTAINER x\n", "DL4000"), 1);
}
END_TEST

START_TEST(test_options)
{
	static const char text[] = "FROM a:1\nMAINTAINER x\n";
	df_doc doc;
	df_doc_parse(&doc, "Dockerfile", text, strlen(text), NULL);
	df_graph g;
	df_graph_build(&g, &doc, NULL);
	/* MaintainerDeprecated, its BuildKit twin, goes with it. */
	const char *ignored[] = { "DL4000" };
	df_lint_opts o = { .ignored = ignored, .nignored = 1 };
	df_diags d = DF_DIAGS_INIT;
	df_lint_file(&doc, &g, &o, &d);
	ck_assert_uint_eq(d.len, 0);
	df_diags_release(&d);
	df_severity_override ov = { "DL4000", DF_SEV_STYLE };
	df_lint_opts o2 = { .overrides = &ov, .noverrides = 1 };
	df_lint_file(&doc, &g, &o2, &d);
	size_t n = 0;
	for (size_t i = 0; i < d.len; i++) {
		if (strcmp(d.items[i].code, "DL4000") == 0) {
			ck_assert_int_eq(d.items[i].severity, DF_SEV_STYLE);
			n++;
		}
	}
	ck_assert_uint_eq(n, 1);
	df_diags_release(&d);
	df_graph_release(&g);
	df_doc_release(&doc);
}
END_TEST

int main(void)
{
	collect();
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");
	tcase_add_loop_test(tc, test_rule_fixture, 0, (int)ncases);
	tcase_add_test(tc, test_every_rule_has_fixtures);
	tcase_add_test(tc, test_move_keeps_nul_bytes);
	tcase_add_test(tc, test_pragmas);
	tcase_add_test(tc, test_options);
	suite_add_tcase(s, tc);
	int rc = tu_run(s);
	free(cases);
	return rc;
}
