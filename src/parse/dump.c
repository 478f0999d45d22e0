/* dump.c - JSON and text views of a parsed document; see dump.h. */
#include "parse/dump.h"
#include "parse/shell.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static bool plain_utf8(df_str s)
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0;
	while (i < s.len) {
		unsigned char c = p[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
		if (n == 0 || c > 0xF4 || i + n > s.len)
			return false;
		for (size_t k = 1; k < n; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

cJSON *df_dump_json_str(df_str s)
{
	if (!s.ptr)
		return cJSON_CreateNull();
	if (plain_utf8(s)) {
		char *tmp = df_xstrndup(s.ptr, s.len);
		cJSON *j = cJSON_CreateString(tmp);
		free(tmp);
		return j;
	}
	/* NULs and invalid bytes: write the literal ourselves. */
	df_buf b = DF_BUF_INIT;
	df_buf_addc(&b, '"');
	const unsigned char *p = (const unsigned char *)s.ptr;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			df_buf_addc(&b, '\\');
			df_buf_addc(&b, (char)c);
		} else if (c < 0x20) {
			df_buf_addf(&b, "\\u%04x", c);
		} else if (c < 0x80) {
			df_buf_addc(&b, (char)c);
		} else {
			size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
			bool ok = n && i + n <= s.len;
			for (size_t k = 1; ok && k < n; k++)
				ok = (p[i + k] & 0xC0) == 0x80;
			if (ok) {
				df_buf_add(&b, p + i, n);
				i += n - 1;
			} else {
				df_buf_adds(&b, "\\ufffd");
			}
		}
	}
	df_buf_addc(&b, '"');
	cJSON *j = cJSON_CreateRaw(df_buf_str(&b));
	df_buf_release(&b);
	return j;
}

static void add_str(cJSON *o, const char *key, df_str s)
{
	cJSON_AddItemToObject(o, key, df_dump_json_str(s));
}

static df_str cstr(const char *s)
{
	return (df_str){ s, strlen(s) };
}

static void add_pos(cJSON *o, const df_doc *doc, df_span sp)
{
	uint32_t l, c, el, ec;
	df_source_pos(&doc->src, sp.start, &l, &c);
	df_source_pos(&doc->src, sp.end, &el, &ec);
	cJSON_AddNumberToObject(o, "line", l);
	cJSON_AddNumberToObject(o, "column", c);
	cJSON_AddNumberToObject(o, "end_line", el);
	cJSON_AddNumberToObject(o, "end_column", ec);
}

static const char *exp_state_name(df_exp_state s)
{
	switch (s) {
	case DF_EXP_NONE: return "none";
	case DF_EXP_KNOWN: return "known";
	case DF_EXP_UNKNOWN: return "unknown";
	case DF_EXP_ERROR: return "error";
	}
	DF_BUG("bad expansion state");
}

static void add_expanded(cJSON *o, const df_expanded *e)
{
	if (e->state == DF_EXP_NONE)
		return;
	cJSON *x = cJSON_AddObjectToObject(o, "expanded");
	cJSON_AddStringToObject(x, "state", exp_state_name(e->state));
	if (e->state == DF_EXP_KNOWN)
		add_str(x, "value", e->value);
	if (e->state == DF_EXP_ERROR)
		cJSON_AddStringToObject(x, "error", e->error ? e->error : "");
}

static cJSON *word_json(const df_doc *doc, const df_word *w)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "raw", w->raw);
	add_str(o, "value", w->value);
	add_pos(o, doc, w->span);
	add_expanded(o, &w->exp);
	return o;
}

static const char *flag_type_name(df_flag_type t)
{
	switch (t) {
	case DF_FLAG_STRING: return "string";
	case DF_FLAG_STRINGS: return "strings";
	case DF_FLAG_BOOL: return "bool";
	case DF_FLAG_DURATION: return "duration";
	case DF_FLAG_INT: return "int";
	case DF_FLAG_MOUNT: return "mount";
	case DF_FLAG_UNKNOWN: return "unknown";
	}
	DF_BUG("bad flag type");
}

static const char *const mount_types[] = { "bind", "cache", "tmpfs", "secret", "ssh" };
static const char *const sharings[] = { "shared", "private", "locked" };

static cJSON *mount_json(const df_mount *m)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", mount_types[m->type]);
	const struct { const char *k; df_str v; } fields[] = {
		{ "from", m->from }, { "source", m->source }, { "target", m->target },
		{ "id", m->id }, { "mode", m->mode }, { "uid", m->uid }, { "gid", m->gid },
		{ "size", m->size }, { "env", m->env },
	};
	for (size_t i = 0; i < DF_ARRAY_LEN(fields); i++)
		if (fields[i].v.ptr)
			add_str(o, fields[i].k, fields[i].v);
	cJSON_AddBoolToObject(o, "readonly", m->readonly);
	cJSON_AddBoolToObject(o, "required", m->required);
	if (m->type == DF_MOUNT_CACHE)
		cJSON_AddStringToObject(o, "sharing", sharings[m->sharing]);
	return o;
}

static cJSON *flag_json(const df_doc *doc, const df_flag *f)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "raw", f->raw);
	add_str(o, "name", f->name);
	if (f->has_value)
		add_str(o, "value", f->value);
	else
		cJSON_AddNullToObject(o, "value");
	cJSON_AddStringToObject(o, "type", flag_type_name(f->type));
	add_pos(o, doc, f->span);
	if (f->parsed_ok) {
		switch (f->type) {
		case DF_FLAG_BOOL:
			cJSON_AddBoolToObject(o, "parsed", f->boolean);
			break;
		case DF_FLAG_DURATION:
			cJSON_AddNumberToObject(o, "parsed_ms", (double)(f->duration_ns / 1000000));
			break;
		case DF_FLAG_INT:
			cJSON_AddNumberToObject(o, "parsed", (double)f->integer);
			break;
		case DF_FLAG_MOUNT:
			cJSON_AddItemToObject(o, "parsed", mount_json(f->mount));
			break;
		default:
			break;
		}
	}
	add_expanded(o, &f->exp);
	return o;
}

static cJSON *kv_json(const df_doc *doc, const df_kv *kv)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "key", kv->key);
	if (kv->has_value)
		add_str(o, "value", kv->value);
	else
		cJSON_AddNullToObject(o, "value");
	add_pos(o, doc, (df_span){ kv->key_span.start, kv->has_value ? kv->value_span.end : kv->key_span.end });
	if (kv->key_exp.state != DF_EXP_NONE) {
		cJSON *k = cJSON_AddObjectToObject(o, "key_expanded");
		cJSON_AddStringToObject(k, "state", exp_state_name(kv->key_exp.state));
		if (kv->key_exp.state == DF_EXP_KNOWN)
			add_str(k, "value", kv->key_exp.value);
	}
	add_expanded(o, &kv->value_exp);
	return o;
}

static int shell_cmd_json(const df_sh_cmd *c, const df_sh_ctx *ctx, void *ud)
{
	cJSON *arr = ud;
	if (c->nwords == 0 && c->nassigns == 0)
		return 0;	/* only redirections, e.g. the "<<EOF" of RUN <<EOF */
	cJSON *o = cJSON_CreateObject();
	size_t ni = df_sh_cmd_name_index(c);
	if (c->nwords)
		add_str(o, "name", c->words[ni].value);
	cJSON *words = cJSON_AddArrayToObject(o, "words");
	for (size_t i = 0; i < c->nwords; i++)
		cJSON_AddItemToArray(words, df_dump_json_str(c->words[i].value));
	if (c->nassigns) {
		cJSON *as = cJSON_AddArrayToObject(o, "assignments");
		for (size_t i = 0; i < c->nassigns; i++)
			cJSON_AddItemToArray(as, df_dump_json_str(c->assigns[i].raw));
	}
	if (ctx->in_substitution)
		cJSON_AddBoolToObject(o, "in_substitution", true);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static cJSON *script_json(const df_sh_script *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *cmds = cJSON_AddArrayToObject(o, "commands");
	df_sh_walk(s, shell_cmd_json, cmds);
	if (s->error) {
		cJSON_AddStringToObject(o, "error", s->error);
		cJSON_AddNumberToObject(o, "error_offset", s->error_off);
	}
	return o;
}

static cJSON *heredoc_json(const df_doc *doc, const df_heredoc *h)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "name", h->name);
	if (h->fd >= 0)
		cJSON_AddNumberToObject(o, "fd", h->fd);
	cJSON_AddBoolToObject(o, "chomp", h->chomp);
	cJSON_AddBoolToObject(o, "expand", h->expand);
	add_str(o, "body", h->body.str);
	add_expanded(o, &h->body_exp);
	add_pos(o, doc, h->marker_span);
	if (h->script)
		cJSON_AddItemToObject(o, "shell", script_json(h->script));
	return o;
}

static const char *form_name(const df_instr *in)
{
	switch (in->kind) {
	case DF_I_RUN: case DF_I_CMD: case DF_I_ENTRYPOINT: case DF_I_SHELL:
	case DF_I_COPY: case DF_I_ADD: case DF_I_VOLUME:
		return in->exec_form ? "exec" : "shell";
	case DF_I_HEALTHCHECK:
		if (in->healthcheck_none || !in->hc_type.raw.ptr)
			return NULL;
		return in->exec_form ? "exec" : "shell";
	default:
		return NULL;
	}
}

static cJSON *instr_json(const df_doc *doc, const df_instr *in)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", df_instr_kind_name(in->kind));
	add_str(o, "keyword", in->keyword);
	/* From the keyword (indentation is not the instruction) to the end. */
	add_pos(o, doc, (df_span){ in->keyword_span.start, in->span.end });
	cJSON *sp = cJSON_AddArrayToObject(o, "span");
	cJSON_AddItemToArray(sp, cJSON_CreateNumber(in->span.start));
	cJSON_AddItemToArray(sp, cJSON_CreateNumber(in->span.end));
	cJSON *flags = cJSON_AddArrayToObject(o, "flags");
	for (size_t i = 0; i < in->nflags; i++)
		cJSON_AddItemToArray(flags, flag_json(doc, &in->flags[i]));
	const char *form = form_name(in);
	if (form)
		cJSON_AddStringToObject(o, "form", form);
	add_str(o, "text", in->rest);
	cJSON *args = cJSON_AddArrayToObject(o, "args");
	for (size_t i = 0; i < in->nargs; i++)
		cJSON_AddItemToArray(args, word_json(doc, &in->args[i]));
	if (in->empty_continuations) {
		cJSON_AddNumberToObject(o, "empty_continuation_lines", in->empty_continuations);
		cJSON_AddNumberToObject(o, "first_empty_continuation_line", in->first_empty_continuation);
	}

	switch (in->kind) {
	case DF_I_FROM:
		if (in->from_image.raw.ptr) {
			cJSON *f = cJSON_AddObjectToObject(o, "from");
			cJSON_AddItemToObject(f, "image", word_json(doc, &in->from_image));
			if (in->from_alias.raw.ptr)
				cJSON_AddItemToObject(f, "alias", word_json(doc, &in->from_alias));
			else
				cJSON_AddNullToObject(f, "alias");
			if (in->from_platform)
				add_str(f, "platform", in->from_platform->value);
			else
				cJSON_AddNullToObject(f, "platform");
		}
		break;
	case DF_I_ENV:
	case DF_I_LABEL:
	case DF_I_ARG: {
		cJSON *pairs = cJSON_AddArrayToObject(o, "pairs");
		for (size_t i = 0; i < in->npairs; i++)
			cJSON_AddItemToArray(pairs, kv_json(doc, &in->pairs[i]));
		if (in->kind != DF_I_ARG)
			cJSON_AddBoolToObject(o, "legacy_form", in->legacy_kv);
		break;
	}
	case DF_I_COPY:
	case DF_I_ADD:
		if (in->dest) {
			cJSON *c = cJSON_AddObjectToObject(o, "copy");
			cJSON *srcs = cJSON_AddArrayToObject(c, "sources");
			for (size_t i = 0; i < in->nsources; i++)
				cJSON_AddItemToArray(srcs, word_json(doc, &in->sources[i]));
			cJSON_AddItemToObject(c, "dest", word_json(doc, in->dest));
		}
		break;
	case DF_I_HEALTHCHECK:
		if (in->hc_type.raw.ptr)
			cJSON_AddStringToObject(o, "healthcheck",
						in->healthcheck_none ? "NONE" : in->exec_form ? "CMD" : "CMD-SHELL");
		break;
	case DF_I_ONBUILD:
		if (in->inner)
			cJSON_AddItemToObject(o, "trigger", instr_json(doc, in->inner));
		break;
	default:
		break;
	}
	if (in->nheredocs && !(in->kind == DF_I_ONBUILD)) {
		cJSON *hs = cJSON_AddArrayToObject(o, "heredocs");
		for (size_t i = 0; i < in->nheredocs; i++)
			cJSON_AddItemToArray(hs, heredoc_json(doc, &in->heredocs[i]));
	}
	if (in->script)
		cJSON_AddItemToObject(o, "shell", script_json(in->script));
	cJSON_AddBoolToObject(o, "error", in->has_error);
	return o;
}

cJSON *df_dump_diags_json(const df_diags *diags)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < diags->len; i++) {
		const df_diag *d = &diags->items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "line", d->line);
		cJSON_AddNumberToObject(o, "column", d->col);
		cJSON_AddNumberToObject(o, "end_line", d->end_line);
		cJSON_AddNumberToObject(o, "end_column", d->end_col);
		cJSON_AddStringToObject(o, "code", d->code);
		cJSON_AddStringToObject(o, "severity", df_severity_name(d->severity));
		add_str(o, "message", cstr(d->message));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static const char *node_kind_name(df_node_kind k)
{
	switch (k) {
	case DF_NODE_BLANK: return "blank";
	case DF_NODE_COMMENT: return "comment";
	case DF_NODE_DIRECTIVE: return "directive";
	case DF_NODE_INSTR: return "instruction";
	}
	DF_BUG("bad node kind");
}

cJSON *df_dump_doc_json(const df_doc *doc)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "file", cstr(doc->src.name));
	char esc[2] = { doc->escape, 0 };
	cJSON_AddStringToObject(o, "escape", esc);
	cJSON_AddBoolToObject(o, "bom", doc->bom);
	cJSON *dirs = cJSON_AddArrayToObject(o, "directives");
	cJSON *nodes = cJSON_AddArrayToObject(o, "nodes");
	cJSON *instrs = cJSON_AddArrayToObject(o, "instructions");
	for (size_t i = 0; i < doc->nnodes; i++) {
		const df_node *n = &doc->nodes[i];
		cJSON *no = cJSON_CreateObject();
		cJSON_AddStringToObject(no, "kind", node_kind_name(n->kind));
		cJSON_AddNumberToObject(no, "line", n->line);
		cJSON *sp = cJSON_AddArrayToObject(no, "span");
		cJSON_AddItemToArray(sp, cJSON_CreateNumber(n->span.start));
		cJSON_AddItemToArray(sp, cJSON_CreateNumber(n->span.end));
		cJSON_AddItemToArray(nodes, no);
		if (n->kind == DF_NODE_DIRECTIVE) {
			cJSON *d = cJSON_CreateObject();
			add_str(d, "key", n->directive->key);
			add_str(d, "value", n->directive->value);
			cJSON_AddNumberToObject(d, "line", n->line);
			cJSON_AddItemToArray(dirs, d);
		}
	}
	for (size_t i = 0; i < doc->ninstrs; i++)
		cJSON_AddItemToArray(instrs, instr_json(doc, doc->instrs[i]));
	cJSON_AddItemToObject(o, "diagnostics", df_dump_diags_json(&doc->diags));
	return o;
}

void df_dump_json_render(const cJSON *json, df_buf *out)
{
	char *s = cJSON_Print(json);
	if (!s)
		df_die_oom();
	df_buf_adds(out, s);
	df_buf_addc(out, '\n');
	cJSON_free(s);
}

/* Text form: one line per instruction, for people. */
static void text_str(df_buf *out, df_str s)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == '\n')
			df_buf_adds(out, "\\n");
		else if (c == '\t')
			df_buf_adds(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			df_buf_addf(out, "\\x%02x", c);
		else
			df_buf_addc(out, (char)c);
	}
}

static void instr_text(const df_doc *doc, const df_instr *in, df_buf *out, int depth)
{
	uint32_t l, c;
	df_source_pos(&doc->src, in->keyword_span.start, &l, &c);
	df_buf_addf(out, "%*s%u:%u %s", depth * 2, "", l, c, df_instr_kind_name(in->kind));
	for (size_t i = 0; i < in->nflags; i++) {
		df_buf_adds(out, " --");
		text_str(out, in->flags[i].name);
		if (in->flags[i].has_value) {
			df_buf_addc(out, '=');
			text_str(out, in->flags[i].value);
		}
	}
	const char *form = form_name(in);
	if (form)
		df_buf_addf(out, " [%s]", form);
	if (in->kind == DF_I_ONBUILD && in->inner) {
		df_buf_addc(out, '\n');
		instr_text(doc, in->inner, out, depth + 1);
		return;
	}
	if (in->npairs) {
		for (size_t i = 0; i < in->npairs; i++) {
			df_buf_addc(out, ' ');
			text_str(out, in->pairs[i].key);
			if (in->pairs[i].has_value) {
				df_buf_addc(out, '=');
				const df_expanded *e = &in->pairs[i].value_exp;
				if (e->state == DF_EXP_KNOWN)
					text_str(out, e->value);
				else
					text_str(out, in->pairs[i].value);
			}
		}
	} else {
		for (size_t i = 0; i < in->nargs; i++) {
			df_buf_adds(out, " \"");
			text_str(out, in->args[i].value);
			df_buf_addc(out, '"');
		}
	}
	for (size_t i = 0; i < in->nheredocs; i++) {
		df_buf_adds(out, " <<");
		text_str(out, in->heredocs[i].name);
		df_buf_adds(out, ": \"");
		text_str(out, in->heredocs[i].body.str);
		df_buf_addc(out, '"');
	}
	df_buf_addc(out, '\n');
}

void df_dump_doc_text(const df_doc *doc, df_buf *out)
{
	for (size_t i = 0; i < doc->nnodes; i++) {
		const df_node *n = &doc->nodes[i];
		if (n->kind == DF_NODE_DIRECTIVE) {
			df_buf_addf(out, "%u:1 # ", n->line);
			text_str(out, n->directive->key);
			df_buf_addc(out, '=');
			text_str(out, n->directive->value);
			df_buf_addc(out, '\n');
		} else if (n->kind == DF_NODE_INSTR) {
			instr_text(doc, n->instr, out, 0);
		}
	}
}
