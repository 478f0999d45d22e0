/* cmd_graph.c - `dfopt graph`: draw the instruction graph. */
#include "cli/cli.h"
#include "graph/dot.h"
#include "graph/graph.h"
#include "parse/dump.h"

#include <stdio.h>
#include <string.h>

static const char *const graph_formats[] = { "dot", "json", NULL };
static const df_file_cmd graph_cmd = {
	"graph",
	"usage: dfopt graph [--format dot|json] [--target STAGE] [--build-arg NAME=VALUE]... FILE|-\n"
	"\n"
	"Draw the instruction graph: stages, layer chains, stage edges (FROM, COPY --from,\n"
	"RUN --mount from=) and what each COPY/ADD takes from the build context. DOT\n"
	"output renders with Graphviz: dfopt graph Dockerfile | dot -Tsvg > graph.svg\n",
	graph_formats,
};

int df_cmd_graph(int argc, char **argv)
{
	df_load_opts o;
	df_doc doc;
	int rc;
	if (!df_cli_open(&graph_cmd, argc, argv, &o, &doc, &rc))
		return rc;
	df_graph g;
	if (df_graph_build(&g, &doc, o.target) < 0) {
		rc = df_cli_usage_error("graph", "no stage named '%s' in '%s'", o.target, doc.src.name);
		df_cli_close(&o, &doc);
		return rc;
	}
	df_buf out = DF_BUF_INIT;
	if (!strcmp(o.format, "dot")) {
		df_graph_dot(&g, &out);
	} else {
		cJSON *j = df_graph_json(&g);
		df_dump_json_render(j, &out);
		cJSON_Delete(j);
	}
	df_cli_print(&out);
	df_buf_release(&out);
	rc = df_cli_report_errors(&doc) ? DF_EXIT_ERROR : DF_EXIT_OK;
	df_graph_release(&g);
	df_cli_close(&o, &doc);
	return rc;
}
