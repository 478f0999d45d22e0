/* pipeline.c - where a command of a RUN sits; see pipeline.h. */
#include "engine/pipeline.h"

typedef struct find {
	const df_sh_cmd *target;
	df_sh_ctx *ctx;
} find;

static int visit(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	find *f = ud;
	if (cmd != f->target)
		return 0;
	*f->ctx = *ctx;
	return 1;
}

bool df_run_cmd_ctx(const df_instr *run, const df_sh_cmd *cmd, df_sh_ctx *ctx)
{
	find f = { cmd, ctx };
	if (run->script && df_sh_walk(run->script, visit, &f))
		return true;
	for (size_t i = 0; i < run->nheredocs; i++)
		if (run->heredocs[i].script && df_sh_walk(run->heredocs[i].script, visit, &f))
			return true;
	return false;
}
