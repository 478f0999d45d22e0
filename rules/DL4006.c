/* DL4006 - set -o pipefail in SHELL before piping in RUN. */
#include "engine/fixes.h"
#include "engine/rule.h"
#include "parse/shell.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

/* Does the SHELL in force in this stage make pipes safe? */
typedef struct pipefail {
	bool safe;
	/* The first RUN reported since the stage's FROM or its last SHELL:
	 * every finding up to the next one offers the same fix, a SHELL line
	 * above that RUN, so the fixer applies it once. */
	const df_instr *first;
	df_fix_kind kind;	/* of that fix: unsafe, or none (fix_kind()) */
} pipefail;

const df_rule df_rule_DL4006 = {
	.code = "DL4006",
	.name = "pipefail",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_UNSAFE,
	.message = "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check",
	.docs = {
		.what = "Reports the first pipe `|` in a shell-form RUN (or its sh heredoc "
			"scripts) when the stage has no SHELL running bash, zsh or ash with "
			"`-o pipefail`. A pwsh, powershell or cmd SHELL turns the check off. "
			"`set -o pipefail` inside the RUN does not count, as in hadolint. "
			"Exec-form RUN is argv: a `|` there is no pipe. The fix adds a SHELL line "
			"with `-o pipefail` above the first such RUN (after the stage's FROM or "
			"its last SHELL): the SHELL in force when it runs bash, zsh or ash, with "
			"its options kept; else `/bin/ash` when the stage's base image is named "
			"like alpine or busybox (which have no bash), and `/bin/bash` otherwise. It "
			"is unsafe: a pipeline that failed quietly now fails the build, and the image "
			"may have no such shell. None is offered for a Windows base (a `windows`, "
			"`servercore` or `nanoserver` image, or the backtick escape), nor when a RUN "
			"the SHELL would govern pipes from `yes`, which pipefail makes fail.",
		.why = "Without pipefail a pipeline's status is its last command's, so "
		       "`curl ... | tar x` succeeds even when the download failed.",
		.example = "FROM debian:12\nRUN curl -fsSL https://example.com/x.tgz | tar xz\n",
		.instead = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
			   "RUN curl -fsSL https://example.com/x.tgz | tar xz\n",
	},
	.state_size = sizeof(pipefail),
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_SHELL) | DF_KIND(DF_I_RUN),
	.on_instr = check,
};

static df_str basename_of(df_str s)
{
	for (size_t i = s.len; i > 0; i--)
		if (s.ptr[i - 1] == '/')
			return (df_str){ s.ptr + i, s.len - i };
	return s;
}

/* SHELL ["pwsh", ...] and friends: not a POSIX shell at all. */
static bool non_posix(const df_instr *in)
{
	if (in->nargs == 0)
		return false;
	df_str a = in->args[0].value;
	return df_mem_has_prefix(a.ptr, a.len, "pwsh") || df_mem_has_prefix(a.ptr, a.len, "powershell") ||
	       df_mem_has_prefix(a.ptr, a.len, "cmd");
}

/* bash, zsh or ash with an option cluster holding 'o' and the word pipefail. */
static bool sets_pipefail(const df_instr *in)
{
	if (in->nargs == 0)
		return false;
	df_str name = basename_of(in->args[0].value);
	if (!df_mem_eq(name.ptr, name.len, "bash") && !df_mem_eq(name.ptr, name.len, "zsh") &&
	    !df_mem_eq(name.ptr, name.len, "ash"))
		return false;
	bool flag_o = false, word = false;
	for (size_t i = 1; i < in->nargs; i++) {
		df_str a = in->args[i].value;
		if (a.len > 1 && a.ptr[0] == '-' && a.ptr[1] != '-' && memchr(a.ptr, 'o', a.len))
			flag_o = true;
		else if (df_mem_eq(a.ptr, a.len, "--o"))
			flag_o = true;
		if (df_mem_eq(a.ptr, a.len, "pipefail"))
			word = true;
	}
	return flag_o && word;
}

/* A pipe found: its script and pipeline; match, when set, says which
 * pipelines count. */
typedef struct pipe_at {
	const df_sh_script *script;
	const df_sh_pipeline *pipe;
	bool (*match)(const df_sh_pipeline *p);
} pipe_at;

static bool in_list(const df_sh_script *s, const df_sh_list *l, pipe_at *out);

static bool in_word(const df_sh_word *w, pipe_at *out)
{
	for (size_t i = 0; i < w->nsubs; i++)
		if (in_list(w->subs[i], w->subs[i]->list, out))
			return true;
	return false;
}

static bool in_cmd(const df_sh_script *s, const df_sh_cmd *c, pipe_at *out)
{
	for (size_t i = 0; i < c->nassigns; i++)
		if (in_word(&c->assigns[i], out))
			return true;
	for (size_t i = 0; i < c->nwords; i++)
		if (in_word(&c->words[i], out))
			return true;
	for (size_t i = 0; i < c->nheader; i++)
		if (in_word(&c->header[i], out))
			return true;
	for (size_t i = 0; i < c->nredirs; i++)
		if (in_word(&c->redirs[i].target, out))
			return true;
	for (size_t i = 0; i < c->nbodies; i++)
		if (in_list(s, c->bodies[i], out))
			return true;
	return false;
}

/* The first pipeline of two or more commands, in source order. */
static bool in_list(const df_sh_script *s, const df_sh_list *l, pipe_at *out)
{
	for (size_t i = 0; i < l->nitems; i++) {
		const df_sh_andor *ao = l->items[i];
		for (size_t j = 0; j < ao->npipes; j++) {
			const df_sh_pipeline *p = ao->pipes[j];
			if (p->ncmds > 1 && (!out->match || out->match(p))) {
				out->script = s;
				out->pipe = p;
				return true;
			}
			if (in_cmd(s, p->cmds[0], out))
				return true;
		}
	}
	return false;
}

/* The span of the first pipe of top, which has one, into *out: at the '|'
 * after the pipeline's first command, or fallback (see find_pipe()). Not
 * inlined: most scripts have no '|' (find_pipe() stops there), which then
 * need none of the registers the walk saves. */
static bool __attribute__((noinline)) locate_pipe(const df_sh_script *top, const df_text *text, size_t base,
						   df_span fallback, df_span *out)
{
	pipe_at at = { .match = NULL };
	if (!in_list(top, top->list, &at))
		return false;
	const df_sh_script *s = at.script;
	df_span sp = fallback;
	if (s->text.ptr == top->text.ptr) {
		const df_sh_pipeline *p = at.pipe;
		sp = df_text_span(text, base + p->start, p->end - p->start);
		for (uint32_t i = p->cmds[0]->end; i < p->cmds[1]->start && i < s->text.len; i++) {
			if (s->text.ptr[i] == '|') {
				sp = df_text_span(text, base + i, 1);
				break;
			}
		}
	}
	*out = sp;
	return true;
}

/* Find the first pipe of top, if any, into *out: at the '|' after the
 * pipeline's first command. text is where top's offsets point, from base;
 * fallback is used for a `...` body with escapes, whose own text has no map
 * back. */
static bool find_pipe(const df_sh_script *top, const df_text *text, size_t base, df_span fallback, df_span *out)
{
	/* A pipeline is written with a `|`, in top's text or in that of a
	 * substitution taken from it: most scripts have none, and a byte
	 * search costs less than the walk. */
	return memchr(top->text.ptr, '|', top->text.len) && locate_pipe(top, text, base, fallback, out);
}

/* The stage's base image, through the stages it is built on; NULL when
 * unknown. */
static const df_stage *root_stage(const df_graph *g, int stage)
{
	for (size_t hops = 0; stage >= 0 && (size_t)stage < g->nstages && hops <= g->nstages; hops++) {
		const df_stage *st = &g->stages[stage];
		if (st->base_kind != DF_BASE_STAGE)
			return st;
		stage = st->base_stage;
	}
	return NULL;
}

/* The image the stage of step i is built on, through its base stages;
 * empty when unknown. */
static df_str base_image(const df_graph *g, int i)
{
	const df_stage *root = i >= 0 ? root_stage(g, g->steps[i].stage) : NULL;
	return root && root->base_kind == DF_BASE_IMAGE ? root->base_ref : (df_str){ NULL, 0 };
}

/* The SHELL line the fix writes above run: its argv as JSON. */
static void shell_argv(df_lint *lint, const df_instr *run, df_buf *out)
{
	const df_graph *g = df_lint_graph(lint);
	int i = df_graph_instr_index(g, run);
	const df_instr *sh = i >= 0 ? g->steps[i].shell : NULL;
	df_buf_addc(out, '[');
	if (sh && sh->nargs) {
		df_str name = basename_of(sh->args[0].value);
		if (df_mem_eq(name.ptr, name.len, "bash") || df_mem_eq(name.ptr, name.len, "zsh") ||
		    df_mem_eq(name.ptr, name.len, "ash")) {
			/* The shell the stage chose, its options kept. One
			 * with pipefail comes from a base stage, where it
			 * does not count here: it is written again as is. */
			bool has = sets_pipefail(sh);
			for (size_t a = 0; a < sh->nargs; a++) {
				df_json_add_str(out, sh->args[a].value.ptr, sh->args[a].value.len);
				df_buf_adds(out, a == 0 && !has ? ", \"-o\", \"pipefail\"" : "");
				df_buf_adds(out, a + 1 < sh->nargs ? ", " : "]");
			}
			return;
		}
	}
	/* Alpine and busybox have ash, no bash. */
	df_str ref = base_image(g, i);
	bool alpine = df_mem_contains(ref.ptr, ref.len, "alpine") || df_mem_contains(ref.ptr, ref.len, "busybox");
	df_buf_adds(out, alpine ? "\"/bin/ash\"" : "\"/bin/bash\"");
	df_buf_adds(out, ", \"-o\", \"pipefail\", \"-c\"]");
}

/* A pipeline fed by `yes`: yes dies of SIGPIPE once the reader is done,
 * which pipefail turns into the pipeline's failure. */
static bool fed_by_yes(const df_sh_pipeline *p)
{
	return df_sh_cmd_is(p->cmds[0], "yes");
}

/* Would a pipefail SHELL above first break a RUN it governs, up to the
 * next FROM or SHELL: one with a pipeline fed by `yes`? */
static bool breaks_a_run(const df_doc *doc, const df_instr *first)
{
	for (size_t i = first->index; i < doc->ninstrs; i++) {
		const df_instr *in = doc->instrs[i];
		if (i > first->index && (in->kind == DF_I_FROM || in->kind == DF_I_SHELL))
			break;
		if (in->kind != DF_I_RUN || in->exec_form)
			continue;
		/* A '|' in the text first, as find_pipe() looks: most RUNs
		 * have none. */
		pipe_at at = { .match = fed_by_yes };
		const df_sh_script *sc = in->script;
		if (sc && memchr(sc->text.ptr, '|', sc->text.len) && in_list(sc, sc->list, &at))
			return true;
		for (size_t h = 0; h < in->nheredocs; h++) {
			sc = in->heredocs[h].script;
			if (sc && memchr(sc->text.ptr, '|', sc->text.len) && in_list(sc, sc->list, &at))
				return true;
		}
	}
	return false;
}

/* Is the stage's base a Windows image (or the file written for one, with
 * the backtick escape)? Its shell is cmd or PowerShell: no bash to set. */
static bool windows_base(df_lint *lint, const df_instr *run)
{
	if (df_lint_doc(lint)->escape == '`')
		return true;
	const df_graph *g = df_lint_graph(lint);
	df_str ref = base_image(g, df_graph_instr_index(g, run));
	return df_mem_contains(ref.ptr, ref.len, "windows") || df_mem_contains(ref.ptr, ref.len, "nanoserver") ||
	       df_mem_contains(ref.ptr, ref.len, "servercore") || df_mem_contains(ref.ptr, ref.len, "dotnet/framework");
}

/* Report the RUN's pipe at sp, offering a SHELL line above p->first: with
 * that RUN's indentation, the keyword in its case, its line ending. */
static void report(df_lint *lint, pipefail *p, const df_instr *run, df_span sp)
{
	if (!p->first) {
		p->first = run;
		p->kind = windows_base(lint, run) || breaks_a_run(df_lint_doc(lint), run) ? DF_FIX_NONE
											 : DF_FIX_UNSAFE;
	}
	df_fix *fix = df_report_fix(lint, &df_rule_DL4006, p->kind, sp, NULL);
	if (!fix || p->kind == DF_FIX_NONE)
		return;
	const df_source *src = &df_lint_doc(lint)->src;
	const df_instr *at = p->first;
	uint32_t kw = at->keyword_span.start, bol = kw;
	while (bol > 0 && src->data[bol - 1] != '\n')
		bol--;
	df_buf line = DF_BUF_INIT;
	for (uint32_t k = bol; k < kw && df_is_blank((unsigned char)src->data[k]); k++)
		df_buf_addc(&line, src->data[k]);
	char buf[32];
	df_buf_adds(&line, df_keyword_like("SHELL", at->keyword, buf));
	df_buf_addc(&line, ' ');
	shell_argv(lint, at, &line);
	/* The RUN's own line ending, or the one of the line above it. */
	const char *nl = memchr(src->data + kw, '\n', src->len - kw);
	bool crlf = nl ? nl > src->data + kw && nl[-1] == '\r' : bol >= 2 && src->data[bol - 2] == '\r';
	df_buf_adds(&line, crlf ? "\r\n" : "\n");
	df_fix_edit(fix, bol, bol, df_buf_str(&line));
	df_buf_release(&line);
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	pipefail *p = state;
	if (in->kind == DF_I_FROM) {
		p->safe = false;
		p->first = NULL;
	} else if (in->kind == DF_I_SHELL && !in->has_error) {
		p->safe = non_posix(in) || sets_pipefail(in);
		p->first = NULL;
	} else if (in->kind == DF_I_RUN && !in->has_error && !p->safe && !in->exec_form) {
		df_span sp;
		bool found = in->script && find_pipe(in->script, &in->text, in->args[0].text_off, in->keyword_span, &sp);
		for (size_t i = 0; i < in->nheredocs && !found; i++)
			found = in->heredocs[i].script &&
				find_pipe(in->heredocs[i].script, &in->heredocs[i].body, 0, in->keyword_span, &sp);
		if (found)
			report(lint, p, in, sp);	/* one finding per instruction, as hadolint */
	}
}
