/*
 * filemodel.c - the package-manager commands of a RUN; see filemodel.h.
 */
#include "graph/filemodel.h"

#include <stdlib.h>
#include <string.h>

#include "parse/dump.h"
#include "util/util.h"

typedef struct collect {
	df_arena *a;
	const char *cwd;
	df_run_use *items;
	size_t len, cap;
} collect;

static void consider(collect *c, const df_sh_cmd *cmd)
{
	if (cmd->kind != DF_SH_SIMPLE || !cmd->nwords)
		return;
	size_t name = df_sh_cmd_name_index(cmd);
	if (name >= cmd->nwords || df_eco_cd(c->a, cmd, name, &c->cwd))
		return;
	df_eco_use u;
	df_eco_classify(c->a, cmd, name, c->cwd, &u);
	if (u.kind == DF_ECO_NONE)
		return;
	df_grow((void **)&c->items, &c->cap, c->len + 1, sizeof(*c->items));
	c->items[c->len++] = (df_run_use){ u, cmd };
}

static int visit(const df_sh_cmd *cmd, const df_sh_ctx *ctx, void *ud)
{
	(void)ctx;
	consider(ud, cmd);
	return 0;
}

df_run_use *df_run_uses(df_arena *a, const df_graph *g, size_t instr, size_t *n)
{
	*n = 0;
	const df_instr *in = g->doc->instrs[instr];
	if (in->kind != DF_I_RUN || in->has_error)
		return NULL;
	const df_step *st = &g->steps[instr];
	collect c = { a, NULL, NULL, 0, 0 };
	if (st->workdir_known)
		c.cwd = df_eco_path_join(a, NULL, df_arena_memdup(a, st->workdir.ptr, st->workdir.len));
	if (in->exec_form && in->nargs) {
		consider(&c, df_sh_argv_cmd(a, in->args, in->nargs));
	}
	if (in->script)
		df_sh_walk(in->script, visit, &c);
	for (size_t i = 0; i < in->nheredocs; i++)
		if (in->heredocs[i].script)
			df_sh_walk(in->heredocs[i].script, visit, &c);
	/* The items live in the arena with everything else returned. */
	df_run_use *out = c.len ? DF_ARENA_ARRAY(a, df_run_use, c.len) : NULL;
	if (c.len)
		memcpy(out, c.items, c.len * sizeof(*out));
	free(c.items);
	*n = c.len;
	return out;
}

static cJSON *strings(const char *const *list, const char *dir, df_arena *a)
{
	cJSON *arr = cJSON_CreateArray();
	for (; list && *list; list++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(df_eco_path_join(a, dir, *list)));
	return arr;
}

cJSON *df_run_uses_json(const df_graph *g, size_t instr)
{
	df_arena a;
	df_arena_init(&a);
	size_t n;
	df_run_use *u = df_run_uses(&a, g, instr, &n);
	cJSON *arr = NULL;
	if (n)
		arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		const df_eco_use *e = &u[i].use;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "manager", e->manager ? e->manager->name : "");
		cJSON_AddStringToObject(o, "kind", df_eco_kind_name(e->kind));
		cJSON_AddStringToObject(o, "verb", e->verb ? e->verb : "");
		if (e->kind == DF_ECO_DEPS) {
			if (e->dir)
				cJSON_AddStringToObject(o, "dir", e->dir);
			else
				cJSON_AddNullToObject(o, "dir");
			cJSON *reads = cJSON_AddArrayToObject(o, "reads");
			for (size_t k = 0; k < e->nmanifests; k++)
				cJSON_AddItemToArray(reads, cJSON_CreateString(e->manifests[k].path));
			cJSON_AddBoolToObject(o, "exact", e->exact);
			cJSON_AddItemToObject(o, "writes", strings(e->manager->writes, NULL, &a));
		} else if (e->why) {
			cJSON_AddStringToObject(o, "why", e->why);
		}
		if (e->manager)
			cJSON_AddItemToObject(o, "caches", strings(e->manager->caches, NULL, &a));
		cJSON_AddItemToArray(arr, o);
	}
	df_arena_release(&a);
	return arr;
}
