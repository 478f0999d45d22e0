/* dot.c - the instruction graph as Graphviz DOT; see dot.h. */
#include "graph/dot.h"
#include "util/util.h"

#include <string.h>

/* A DOT double-quoted string body: escape quotes and backslashes, drop
 * control bytes, and cut long text so the picture stays readable. */
static void dot_str(df_buf *out, const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			df_buf_addc(out, '\\');
		if (c == '\n' || c == '\t')
			c = ' ';
		if (c < 0x20 || c == 0x7f)
			continue;
		df_buf_addc(out, (char)c);
	}
	if (len > max)
		df_buf_adds(out, "...");
}

static void instr_label(df_buf *out, const df_instr *in)
{
	df_buf_addf(out, "%u: %s ", in->line, df_instr_kind_name(in->kind));
	for (size_t i = 0; i < in->nflags; i++) {
		df_buf_adds(out, "--");
		dot_str(out, in->flags[i].name.ptr, in->flags[i].name.len, 20);
		if (in->flags[i].has_value) {
			df_buf_addc(out, '=');
			dot_str(out, in->flags[i].value.ptr, in->flags[i].value.len, 24);
		}
		df_buf_addc(out, ' ');
	}
	dot_str(out, in->rest.ptr, in->rest.len, 48);
}

void df_graph_dot(const df_graph *g, df_buf *out)
{
	const df_doc *doc = g->doc;
	df_buf_adds(out, "digraph dockerfile {\n"
		    "  rankdir=TB;\n"
		    "  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
		    "  edge [fontname=\"monospace\", fontsize=9];\n"
		    "  context [label=\"build context\", shape=folder];\n");
	for (size_t s = 0; s < g->nstages; s++) {
		const df_stage *st = &g->stages[s];
		df_buf_addf(out, "  subgraph cluster_%zu {\n    label=\"stage %zu", s, s);
		if (st->name.ptr) {
			df_buf_adds(out, " (");
			dot_str(out, st->name.ptr, st->name.len, 40);
			df_buf_adds(out, ")");
		}
		if ((int)s == g->target)
			df_buf_adds(out, " [target]");
		df_buf_adds(out, "\";\n");
		if (!st->reachable)
			df_buf_adds(out, "    style=dashed; color=grey; fontcolor=grey;\n");
		for (size_t i = st->first; i <= st->last && i < doc->ninstrs; i++) {
			const df_step *step = &g->steps[i];
			df_buf_addf(out, "    i%zu [label=\"", i);
			instr_label(out, doc->instrs[i]);
			df_buf_adds(out, "\"");
			if (step->kind == DF_STEP_LAYER)
				df_buf_adds(out, ", style=filled, fillcolor=\"#dbeafe\"");
			else if (step->kind == DF_STEP_BASE)
				df_buf_adds(out, ", shape=cds");
			else if (step->kind == DF_STEP_CONFIG || step->kind == DF_STEP_ENV)
				df_buf_adds(out, ", style=dotted");
			if (!st->reachable)
				df_buf_adds(out, ", color=grey, fontcolor=grey");
			df_buf_adds(out, "];\n");
		}
		df_buf_adds(out, "  }\n");
	}
	/* Layer chains: a build step hangs off its parent step (solid); any
	 * other instruction follows the one before it (dotted), so each stage
	 * reads top to bottom. */
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_step *step = &g->steps[i];
		if (step->stage < 0 || step->kind == DF_STEP_BASE)
			continue;
		bool build = step->kind == DF_STEP_LAYER || step->kind == DF_STEP_STATE;
		size_t from = build ? (step->parent >= 0 ? (size_t)step->parent : g->stages[step->stage].from) : i - 1;
		df_buf_addf(out, "  i%zu -> i%zu [weight=10%s];\n", from, i, build ? "" : ", style=dotted, arrowhead=none");
	}
	for (size_t e = 0; e < g->nedges; e++) {
		const df_edge *ed = &g->edges[e];
		if (ed->from >= 0) {
			df_buf_addf(out, "  i%zu -> i%zu [style=dashed, color=\"#7c3aed\", label=\"%s\"];\n",
				    g->stages[ed->from].last, ed->instr,
				    ed->kind == DF_EDGE_FROM ? "FROM" : ed->kind == DF_EDGE_COPY ? "--from" : "mount");
		} else {
			df_buf_addf(out, "  img%zu [label=\"", e);
			dot_str(out, ed->image.ptr, ed->image.len, 60);
			df_buf_addf(out, "\", shape=cylinder];\n  img%zu -> i%zu [style=dashed];\n", e, ed->instr);
		}
	}
	for (size_t i = 0; i < doc->ninstrs; i++) {
		const df_copy_model *m = g->steps[i].copy;
		if (!m || m->origin != DF_COPY_CONTEXT)
			continue;
		df_buf_addf(out, "  context -> i%zu [color=\"#059669\", label=\"", i);
		for (size_t k = 0; k < m->nsources; k++) {
			if (k)
				df_buf_addc(out, ' ');
			dot_str(out, m->sources[k].ptr, m->sources[k].len, 40);
		}
		df_buf_adds(out, "\"];\n");
	}
	df_buf_adds(out, "}\n");
}
