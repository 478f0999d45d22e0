/* lint_run.c - lint the inputs of a `dfopt lint` run and print what was
 * found; see lint.h. */
#include "cli/cli.h"
#include "cli/lint.h"
#include "graph/graph.h"
#include "output/output.h"

#include <stdlib.h>
#include <string.h>

int df_lint_run_inputs(const df_lint_run *run)
{
	int rc = DF_EXIT_OK;
	size_t nfiles = run->ninputs;
	df_file_findings *files = calloc(nfiles, sizeof(*files));
	df_diags *diags = calloc(nfiles, sizeof(*diags));
	if (!files || !diags) {
		free(files);
		free(diags);
		return df_cli_usage_error("lint", "out of memory");
	}
	size_t shown = 0;
	for (size_t f = 0; f < nfiles; f++) {
		const char *path = run->inputs[f];
		df_doc doc;
		if (df_cli_load(path, NULL, &doc) < 0) {
			rc = DF_EXIT_ERROR;
			continue;
		}
		df_graph g;
		df_graph_build(&g, &doc, NULL);
		df_lint_file(&doc, &g, &run->opts, &diags[shown]);
		for (size_t i = 0; i < diags[shown].len; i++)
			if (run->threshold >= 0 && (int)diags[shown].items[i].severity <= run->threshold &&
			    rc == DF_EXIT_OK && !run->no_fail)
				rc = DF_EXIT_FINDINGS;
		files[shown].file = strcmp(path, "-") ? path : "<stdin>";
		files[shown].diags = &diags[shown];
		shown++;
		df_graph_release(&g);
		df_doc_release(&doc);
	}
	df_buf out = DF_BUF_INIT;
	df_output_render(run->outputs[0].format, files, shown, &out);
	df_cli_print(&out);
	df_buf_release(&out);
	for (size_t f = 0; f < shown; f++)
		df_diags_release(&diags[f]);
	free(diags);
	free(files);
	return rc;
}
