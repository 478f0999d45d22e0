/*
 * check_graph.c - the instruction graph: stages and their bases, the stage
 * DAG, reachability from the target, layer chains, WORKDIR/USER/SHELL in
 * force, the COPY file model and def-use edges.
 */
#include "graph/dot.h"
#include "graph/graph.h"
#include "testutil.h"

static df_doc doc;
static df_graph g;

static void build(const char *text, const char *target)
{
	df_doc_parse(&doc, "Dockerfile", text, strlen(text), NULL);
	ck_assert_msg(doc.diags.len == 0, "parse error: %s", doc.diags.len ? doc.diags.items[0].message : "");
	ck_assert_int_eq(df_graph_build(&g, &doc, target), 0);
}

static void done(void)
{
	df_graph_release(&g);
	df_doc_release(&doc);
}

static void assert_str(df_str s, const char *want)
{
	ck_assert_msg(s.ptr && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0,
		      "got '%.*s', want '%s'", (int)s.len, s.ptr ? s.ptr : "", want);
}

static const char multi[] =
	"ARG GO=1.22\n"				/* 0 */
	"FROM golang:${GO} AS build\n"		/* 1 */
	"WORKDIR /src\n"			/* 2 */
	"COPY go.mod go.sum ./\n"		/* 3 */
	"RUN go mod download\n"			/* 4 */
	"COPY . .\n"				/* 5 */
	"RUN go build -o /out/app\n"		/* 6 */
	"FROM alpine:3.19 AS tools\n"		/* 7 */
	"RUN apk add --no-cache curl\n"		/* 8 */
	"FROM scratch AS final\n"		/* 9 */
	"COPY --from=build /out/app /app\n"	/* 10 */
	"USER 65532\n"				/* 11 */
	"ENTRYPOINT [\"/app\"]\n";		/* 12 */

START_TEST(test_stages_and_bases)
{
	build(multi, NULL);
	ck_assert_uint_eq(g.nstages, 3);
	ck_assert_int_eq(g.stages[0].base_kind, DF_BASE_IMAGE);
	assert_str(g.stages[0].base_ref, "golang:1.22");
	assert_str(g.stages[0].name, "build");
	ck_assert_int_eq(g.stages[2].base_kind, DF_BASE_SCRATCH);
	ck_assert_int_eq(g.target, 2);
	done();
}
END_TEST

START_TEST(test_reachability)
{
	build(multi, NULL);
	ck_assert(g.stages[0].reachable);
	ck_assert(!g.stages[1].reachable);
	ck_assert(g.stages[2].reachable);
	done();
	build(multi, "tools");
	ck_assert_int_eq(g.target, 1);
	ck_assert(!g.stages[0].reachable);
	ck_assert(g.stages[1].reachable);
	done();
	df_doc_parse(&doc, "f", multi, strlen(multi), NULL);
	ck_assert_int_eq(df_graph_build(&g, &doc, "nope"), -1);
	df_doc_release(&doc);
}
END_TEST

START_TEST(test_layer_chain_and_state)
{
	build(multi, NULL);
	ck_assert_int_eq(g.steps[2].kind, DF_STEP_STATE);
	ck_assert_int_eq(g.steps[3].kind, DF_STEP_LAYER);
	ck_assert_int_eq(g.steps[3].parent, 2);
	ck_assert_int_eq(g.steps[6].parent, 5);
	ck_assert_int_eq(g.steps[2].parent, -1);
	ck_assert_int_eq(g.steps[12].kind, DF_STEP_CONFIG);
	ck_assert(g.steps[3].workdir_known);
	assert_str(g.steps[3].workdir, "/src");
	ck_assert(!g.steps[1].workdir_known);	/* the golang image sets its own */
	assert_str(g.steps[12].user, "65532");
	done();
}
END_TEST

START_TEST(test_copy_model)
{
	build(multi, NULL);
	const df_copy_model *m = g.steps[3].copy;
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->origin, DF_COPY_CONTEXT);
	ck_assert_uint_eq(m->nsources, 2);
	assert_str(m->dest, "/src/");
	ck_assert(m->dest_known);
	m = g.steps[10].copy;
	ck_assert_int_eq(m->origin, DF_COPY_STAGE);
	ck_assert_int_eq(m->stage, 0);
	assert_str(m->dest, "/app");
	ck_assert(!m->dest_is_dir);
	done();
}
END_TEST

START_TEST(test_stage_edges)
{
	build("FROM alpine AS a\nRUN x\nFROM a AS b\nRUN --mount=type=bind,from=a,target=/m y\n"
	      "FROM b\nCOPY --from=0 /x /y\nCOPY --from=nginx:1 /etc/nginx /n\n", NULL);
	ck_assert_uint_eq(g.nstages, 3);
	size_t from = 0, copy = 0, mount = 0, image = 0;
	for (size_t i = 0; i < g.nedges; i++) {
		if (g.edges[i].from < 0)
			image++;
		else if (g.edges[i].kind == DF_EDGE_FROM)
			from++;
		else if (g.edges[i].kind == DF_EDGE_COPY)
			copy++;
		else
			mount++;
	}
	ck_assert_uint_eq(from, 2);
	ck_assert_uint_eq(copy, 1);
	ck_assert_uint_eq(mount, 1);
	ck_assert_uint_eq(image, 2);	/* FROM alpine and COPY --from=nginx:1 */
	ck_assert(g.stages[0].reachable && g.stages[1].reachable);
	ck_assert_int_eq(g.stages[1].base_kind, DF_BASE_STAGE);
	done();
}
END_TEST

START_TEST(test_stage_inherits_workdir_user_shell_env)
{
	build("FROM scratch AS a\nWORKDIR /w\nUSER app\nSHELL [\"/bin/bash\", \"-c\"]\nENV K=v\n"
	      "FROM a\nWORKDIR sub\nRUN echo $K\n", NULL);
	const df_step *st = &g.steps[7];
	assert_str(st->workdir, "/w/sub");
	ck_assert(st->workdir_known);
	assert_str(st->user, "app");
	ck_assert_ptr_nonnull(st->shell);
	ck_assert_uint_eq(g.ndefuses, 1);
	ck_assert_uint_eq(g.defuses[0].def, 4);
	ck_assert_uint_eq(g.defuses[0].use, 7);
	ck_assert(g.defuses[0].by_shell);
	done();
}
END_TEST

START_TEST(test_def_use_builder_expansion)
{
	build("ARG BASE=alpine\nFROM ${BASE}\nARG DIR=/opt\nENV HOME_DIR=$DIR/home\nWORKDIR $HOME_DIR\n", NULL);
	/* FROM uses the global ARG; ENV uses the stage ARG; WORKDIR uses ENV. */
	ck_assert_uint_eq(g.ndefuses, 3);
	ck_assert_uint_eq(g.defuses[0].def, 0);
	ck_assert_uint_eq(g.defuses[0].use, 1);
	ck_assert_uint_eq(g.defuses[1].def, 2);
	ck_assert_uint_eq(g.defuses[2].def, 3);
	ck_assert_uint_eq(g.defuses[2].use, 4);
	ck_assert(!g.defuses[2].by_shell);
	assert_str(g.steps[4].workdir, "/");	/* in force before WORKDIR runs */
	done();
}
END_TEST

START_TEST(test_dot_output)
{
	build(multi, NULL);
	df_buf out = DF_BUF_INIT;
	df_graph_dot(&g, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "digraph dockerfile {"));
	ck_assert_ptr_nonnull(strstr(out.buf, "subgraph cluster_2"));
	ck_assert_ptr_nonnull(strstr(out.buf, "context -> i3"));
	ck_assert_ptr_nonnull(strstr(out.buf, "i6 -> i10"));	/* COPY --from=build */
	ck_assert_ptr_nonnull(strstr(out.buf, "style=dashed; color=grey"));	/* unreachable tools */
	df_buf_release(&out);
	done();
}
END_TEST

START_TEST(test_no_stage)
{
	build("ARG A=1\n", NULL);
	ck_assert_int_eq(g.target, -1);
	ck_assert_uint_eq(g.nstages, 0);
	done();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("graph");
	tcase_add_test(tc, test_stages_and_bases);
	tcase_add_test(tc, test_reachability);
	tcase_add_test(tc, test_layer_chain_and_state);
	tcase_add_test(tc, test_copy_model);
	tcase_add_test(tc, test_stage_edges);
	tcase_add_test(tc, test_stage_inherits_workdir_user_shell_env);
	tcase_add_test(tc, test_def_use_builder_expansion);
	tcase_add_test(tc, test_dot_output);
	tcase_add_test(tc, test_no_stage);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
