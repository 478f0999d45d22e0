/* custom.c - the rules of a team's config file; see custom.h. */
#include "engine/custom.h"
#include "engine/cmds.h"
#include "parse/shell.h"
#include "util/arena.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int df_custom_compile(const char *pattern, bool whole, pcre2_code **out, df_buf *err)
{
	/* Invalid UTF-8 in a Dockerfile must not turn every match into an
	 * error: MATCH_INVALID_UTF matches the valid parts. */
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	if (whole)
		opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", code);
		df_buf_addf(err, "%s at offset %zu", (const char *)msg, (size_t)off);
		return -1;
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* an optimisation only */
	*out = re;
	return 0;
}

static pcre2_code *copy_re(const pcre2_code *re)
{
	if (!re)
		return NULL;
	/* The JIT code is not copied with the pattern. */
	pcre2_code *c = pcre2_code_copy(re);
	if (!c)
		df_die_oom();
	(void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	return c;
}

void df_custom_rule_copy(df_custom_rule *dst, const df_custom_rule *src)
{
	*dst = *src;
	dst->pattern = copy_re(src->pattern);
	dst->command = copy_re(src->command);
	dst->words = copy_re(src->words);
	dst->unless = copy_re(src->unless);
}

void df_custom_rule_release(df_custom_rule *r)
{
	pcre2_code_free(r->pattern);
	pcre2_code_free(r->command);
	pcre2_code_free(r->words);
	pcre2_code_free(r->unless);
	memset(r, 0, sizeof(*r));
}

const df_custom_rule *df_custom_find(const df_custom_rule *rules, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rules[i].code, code))
			return &rules[i];
	return NULL;
}

/* --- linting ------------------------------------------------------------------ */

/* What one file's run needs: match data and limits are per run, as
 * several threads lint with the same compiled rules. */
typedef struct custom_run {
	const df_doc *doc;
	df_diags *out;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	df_arena arena;		/* exec-form commands, expansions */
	df_buf words;		/* a command's arguments, joined */
	df_buf subject;		/* an instruction's arguments, a command's name */
} custom_run;

/* PCRE2's JIT scans a subject a vector at a time and may read bytes past
 * its end (within the vector): subjects are copied with zeroed bytes after
 * them, so that those reads see defined memory, whatever the source holds
 * there. */
#define SUBJECT_PAD 64

/* b holds a subject: pad it, and give its text. */
static const char *padded(df_buf *b)
{
	static const char zeros[SUBJECT_PAD];
	size_t len = b->len;
	df_buf_add(b, zeros, sizeof(zeros));
	b->len = len;
	return b->buf;
}

static bool matches(custom_run *run, const pcre2_code *re, const char *s, size_t n)
{
	/* Anything but a match (no match, the match limit) is no match. */
	return pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, run->md, run->mctx) >= 0;
}

static void report(custom_run *run, const df_custom_rule *r, df_span sp)
{
	uint32_t l1, c1, l2, c2;
	df_source_pos(&run->doc->src, sp.start, &l1, &c1);
	df_source_pos(&run->doc->src, sp.end > sp.start ? sp.end : sp.start, &l2, &c2);
	df_diags_add_str(run->out, r->severity, r->code, l1, c1, l2, c2, r->message);
}

static df_span args_span(const df_instr *in)
{
	return in->rest.len ? df_text_span(&in->text, in->rest_off, in->rest.len) : in->keyword_span;
}

/* Does re match in's arguments? */
static bool args_match(custom_run *run, const pcre2_code *re, const df_instr *in)
{
	df_buf_reset(&run->subject);
	if (in->rest.len)
		df_buf_add(&run->subject, in->rest.ptr, in->rest.len);
	return matches(run, re, padded(&run->subject), in->rest.len);
}

/* The command rules of one instruction, with what they match against. */
typedef struct cmd_check {
	custom_run *run;
	const df_instr *in;		/* the RUN, CMD or ENTRYPOINT (an ONBUILD's trigger too) */
	const df_custom_rule *rules;
	size_t n;
	uint32_t kind;			/* DF_KIND() of in */
	bool expand;			/* a RUN: its words expand at build time */
	df_cmd_view view;		/* where the commands being visited come from */
} cmd_check;

static void check_command(cmd_check *cc, const df_cmd_view *v)
{
	custom_run *run = cc->run;
	const df_sh_word *name = &v->cmd->words[v->name];
	df_str base = name->value;
	for (size_t i = base.len; i > 0; i--)
		if (base.ptr[i - 1] == '/') {
			base = (df_str){ base.ptr + i, base.len - i };
			break;
		}
	df_buf_reset(&run->subject);
	df_buf_add(&run->subject, base.ptr, base.len);
	const char *basename = padded(&run->subject);
	const df_sh_cmd *cmd = NULL;
	for (size_t k = 0; k < cc->n; k++) {
		const df_custom_rule *r = &cc->rules[k];
		if (!r->command || !(r->kinds & cc->kind) || !matches(run, r->command, basename, base.len))
			continue;
		if (!cmd) {
			/* Joined once for all the rules that name the command. */
			if (cc->expand) {
				df_sh_cmd *e = DF_ARENA_NEW(&run->arena, df_sh_cmd);
				*e = df_cmd_expanded(&run->arena, v, cc->in);
				cmd = e;
			} else {
				cmd = v->cmd;
			}
			df_buf_reset(&run->words);
			for (size_t w = v->name + 1; w < cmd->nwords; w++) {
				if (w > v->name + 1)
					df_buf_addc(&run->words, ' ');
				df_buf_add(&run->words, cmd->words[w].value.ptr, cmd->words[w].value.len);
			}
			(void)padded(&run->words);
		}
		const char *s = run->words.buf;
		if (r->words && !matches(run, r->words, s, run->words.len))
			continue;
		if (r->unless && matches(run, r->unless, s, run->words.len))
			continue;
		df_span sp = df_cmd_word_span(v, v->name);
		if (v->name + 1 < v->cmd->nwords) {
			sp = df_cmd_word_span(v, v->name + 1);
			sp.end = df_cmd_word_span(v, v->cmd->nwords - 1).end;
		}
		report(run, r, sp);
	}
}

static int visit(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	cmd_check *cc = ud;
	if (cmd->kind != DF_SH_SIMPLE || cmd->nwords == 0)
		return 0;
	cc->view.cmd = cmd;
	cc->view.name = df_sh_cmd_name_index(cmd);
	check_command(cc, &cc->view);
	return 0;
}

/* The command rules over in's commands, walked as engine/cmds.c walks a
 * RUN's; CMD and ENTRYPOINT too, which the engine's list leaves out. */
static void check_commands(custom_run *run, const df_custom_rule *rules, size_t n, const df_instr *in)
{
	cmd_check cc;
	memset(&cc, 0, sizeof(cc));
	cc.run = run;
	cc.in = in;
	cc.rules = rules;
	cc.n = n;
	cc.kind = DF_KIND(in->kind);
	cc.expand = in->kind == DF_I_RUN;
	if (in->exec_form) {
		if (!in->nargs)
			return;
		cc.view.text = &in->text;
		cc.view.exec = in->args;
		(void)visit(df_sh_argv_cmd(&run->arena, in->args, in->nargs), NULL, &cc);
		return;
	}
	if (in->script && in->nargs) {
		cc.view.text = &in->text;
		cc.view.base = in->args[0].text_off;
		(void)df_sh_walk(in->script, visit, &cc);
	}
	for (size_t i = 0; in->kind == DF_I_RUN && i < in->nheredocs; i++) {
		if (!in->heredocs[i].script)
			continue;
		cc.view.text = &in->heredocs[i].body;
		cc.view.base = 0;
		cc.view.in_heredoc = true;
		(void)df_sh_walk(in->heredocs[i].script, visit, &cc);
	}
}

void df_custom_lint(const df_doc *doc, const df_custom_rule *rules, size_t n, df_diags *out)
{
	if (!n)
		return;
	custom_run run = { doc, out, NULL, NULL, { 0 }, DF_BUF_INIT, DF_BUF_INIT };
	run.md = pcre2_match_data_create(1, NULL);
	run.mctx = pcre2_match_context_create(NULL);
	if (!run.md || !run.mctx)
		df_die_oom();
	pcre2_set_match_limit(run.mctx, DF_CUSTOM_MATCH_LIMIT);
	df_arena_init(&run.arena);
	uint32_t command_kinds = 0;
	for (size_t k = 0; k < n; k++)
		if (rules[k].command)
			command_kinds |= rules[k].kinds;
	/* Required rules look at the final stage: from the last FROM on. */
	size_t last_from = doc->ninstrs;
	for (size_t i = 0; i < doc->ninstrs; i++)
		if (doc->instrs[i]->kind == DF_I_FROM)
			last_from = i;
	bool *found = df_xcalloc(n, sizeof(bool));
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_instr *top = doc->instrs[i];
		for (size_t k = 0; k < n; k++) {
			const df_custom_rule *r = &rules[k];
			if (!r->pattern)
				continue;
			if (r->required) {
				/* An ONBUILD trigger runs in another image. */
				if (i >= last_from && !found[k] && (r->kinds & DF_KIND(top->kind)) &&
				    args_match(&run, r->pattern, top))
					found[k] = true;
				continue;
			}
			/* ONBUILD RUN is a RUN, unless the rule is about ONBUILD. */
			const df_instr *in = top->inner && !(r->kinds & DF_KIND(DF_I_ONBUILD)) ? top->inner : top;
			if ((r->kinds & DF_KIND(in->kind)) && args_match(&run, r->pattern, in) &&
			    !(r->unless && args_match(&run, r->unless, in)))
				report(&run, r, args_span(in));
		}
		const df_instr *in = top->inner ? top->inner : top;
		if ((command_kinds & DF_KIND(in->kind)) && !in->has_error)
			check_commands(&run, rules, n, in);
	}
	for (size_t k = 0; k < n && last_from < doc->ninstrs; k++)
		if (rules[k].required && !found[k])
			report(&run, &rules[k], args_span(doc->instrs[last_from]));
	free(found);
	df_buf_release(&run.words);
	df_buf_release(&run.subject);
	df_arena_release(&run.arena);
	pcre2_match_context_free(run.mctx);
	pcre2_match_data_free(run.md);
}
