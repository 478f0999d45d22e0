/* cmd_parse.c - `dfopt parse`: the syntax tree and graph of one Dockerfile. */
#include "cli/cli.h"
#include "graph/graph.h"
#include "parse/dump.h"

#include <stdio.h>
#include <string.h>

static const char *const parse_formats[] = { "json", "text", NULL };
static const df_file_cmd parse_cmd = {
	"parse",
	"usage: dfopt parse [--format json|text] [--target STAGE] [--build-arg NAME=VALUE]... FILE|-\n"
	"\n"
	"Print what dfopt's parser sees: every instruction with its flags, arguments,\n"
	"heredocs and expanded values, the shell commands of RUN, the parse errors, and\n"
	"the instruction graph (json only). The JSON format is described in\n"
	"docs/parse-json.md. Exit 0 when the file parses, 2 when it has errors.\n",
	parse_formats,
};

int df_cmd_parse(int argc, char **argv)
{
	df_load_opts o;
	df_doc doc;
	int rc;
	if (!df_cli_open(&parse_cmd, argc, argv, &o, &doc, &rc))
		return rc;
	df_buf out = DF_BUF_INIT;
	rc = DF_EXIT_OK;
	if (!strcmp(o.format, "json")) {
		cJSON *j = df_dump_doc_json(&doc);
		df_graph g;
		if (df_graph_build(&g, &doc, o.target) == 0) {
			cJSON_AddItemToObject(j, "graph", df_graph_json(&g));
			df_graph_release(&g);
		} else {
			rc = df_cli_usage_error("parse", "no stage named '%s'", o.target);
		}
		df_dump_json_render(j, &out);
		cJSON_Delete(j);
	} else {
		df_dump_doc_text(&doc, &out);
	}
	df_cli_print(&out);
	df_buf_release(&out);
	if (df_cli_report_errors(&doc))
		rc = DF_EXIT_ERROR;
	df_cli_close(&o, &doc);
	return rc;
}
