/* check_engine.c - reading `dfopt measure --engine` figures from buildah's
 * and BuildKit's output: which steps count, which hit, how long the
 * rebuilt ones took. tests/cli/measure.sh runs buildah for real. */
#include <stdlib.h>

#include "measure/engine.h"
#include "testutil.h"

static void cell_is(const df_measure_cell *c, size_t steps, size_t hits, size_t rebuilt)
{
	ck_assert_uint_eq(c->steps, steps);
	ck_assert_uint_eq(c->hits, hits);
	ck_assert_uint_eq(c->rebuilt, rebuilt);
}

START_TEST(test_names)
{
	ck_assert_int_eq(df_engine_parse_name("dfopt"), DF_ENGINE_DFOPT);
	ck_assert_int_eq(df_engine_parse_name("buildah"), DF_ENGINE_BUILDAH);
	ck_assert_int_eq(df_engine_parse_name("docker"), DF_ENGINE_DOCKER);
	ck_assert_int_eq(df_engine_parse_name("podman"), -1);
	ck_assert_str_eq(df_engine_name(DF_ENGINE_BUILDAH), "buildah");
}
END_TEST

/* A source edit on the node app: WORKDIR hits, COPY and RUN run. CMD
 * and FROM are buildah steps, not dfopt's. */
START_TEST(test_buildah_single)
{
	const char *out = "STEP 1/5: FROM busybox\n"
			  "STEP 2/5: WORKDIR /app\n"
			  "--> Using cache cb6917d552a6d049950986ae4b4032c28793fc48c70538fcac4f6fa712e8750c\n"
			  "--> cb6917d552a\n"
			  "STEP 3/5: COPY . .\n"
			  "--> 2bcb785e037\n"
			  "STEP 4/5: RUN npm ci\n"
			  "added 1 package\n"
			  "--> ae26f219367\n"
			  "STEP 5/5: CMD [\"node\", \"src/index.js\"]\n"
			  "COMMIT dfopt-measure\n"
			  "--> 93c1f26851f\n"
			  "Successfully tagged localhost/dfopt-measure:latest\n"
			  "93c1f26851f3039f715e972bcc943d0d6ed79c47a83bdde133d47e29ee73db07\n";
	/* Line i arrived at second i: COPY took 2 s (lines 4..6), RUN 3 s. */
	double times[16];
	for (int i = 0; i < 16; i++)
		times[i] = i;
	df_measure_cell c = { 0 };
	df_engine_parse_buildah(out, times, &c);
	cell_is(&c, 3, 1, 2);
	ck_assert_double_eq_tol(c.seconds, 5.0, 1e-9);
}
END_TEST

/* Multi-stage, all cached, the last step (CMD) hits before COMMIT; with
 * --target, a stage alone and no prefix. */
START_TEST(test_buildah_stages)
{
	const char *out = "[1/2] STEP 1/5: FROM busybox AS build\n"
			  "[1/2] STEP 2/5: WORKDIR /src\n"
			  "--> Using cache af0e3d5002a8\n"
			  "--> af0e3d5002a\n"
			  "[1/2] STEP 3/5: COPY package.json ./\n"
			  "--> Using cache 4c28b6f5e0d0\n"
			  "[1/2] STEP 4/5: RUN echo built > out\n"
			  "--> Using cache 5ef4781f340d\n"
			  "[1/2] STEP 5/5: ENV A=1\n"
			  "--> Using cache 28abf9ad3592\n"
			  "[2/2] STEP 1/4: FROM busybox\n"
			  "[2/2] STEP 2/4: COPY --from=build /src/out /out\n"
			  "--> Using cache 70986b9cc070\n"
			  "[2/2] STEP 3/4: ADD package.json /p.json\n"
			  "--> 8c20547aab0\n"
			  "[2/2] STEP 4/4: CMD [\"cat\",\"/out\"]\n"
			  "--> Using cache 71cf061f1153\n"
			  "[2/2] COMMIT t2\n"
			  "--> 71cf061f115\n";
	df_measure_cell c = { 0 };
	df_engine_parse_buildah(out, NULL, &c);
	cell_is(&c, 5, 4, 1);
	ck_assert_double_eq(c.seconds, 0);
	/* A build that fails in its RUN: the RUN counts as rebuilt. */
	const char *failed = "STEP 1/3: FROM busybox\n"
			     "STEP 2/3: run false\n"
			     "error building at STEP \"RUN false\": exit status 1\n";
	df_engine_parse_buildah(failed, NULL, &c);
	cell_is(&c, 1, 0, 1);
}
END_TEST

START_TEST(test_docker)
{
	const char *out = "#0 building with \"dfopt-measure-1-0\" instance using docker-container driver\n"
			  "\n"
			  "#1 [internal] load build definition from Dockerfile\n"
			  "#1 transferring dockerfile: 130B done\n"
			  "#1 DONE 0.0s\n"
			  "\n"
			  "#2 [context busybox] load metadata for busybox\n"
			  "#2 DONE 0.0s\n"
			  "\n"
			  "#4 [stage-0 1/4] FROM busybox\n"
			  "#4 DONE 0.0s\n"
			  "\n"
			  "#5 [internal] load build context\n"
			  "#5 transferring context: 1.2kB done\n"
			  "#5 DONE 0.0s\n"
			  "\n"
			  "#6 [stage-0 2/4] WORKDIR /app\n"
			  "#6 CACHED\n"
			  "\n"
			  "#7 [stage-0 3/4] COPY . .\n"
			  "#7 DONE 0.2s\n"
			  "\n"
			  "#8 [stage-0 4/4] RUN npm ci\n"
			  "#8 0.512 added 1 package\n"
			  "#8 [stage-0 4/4] RUN npm ci\n"
			  "#8 DONE 1.3s\n";
	df_measure_cell c = { 0 };
	df_engine_parse_docker(out, &c);
	cell_is(&c, 3, 1, 2);
	ck_assert_double_eq_tol(c.seconds, 1.5, 1e-9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_buildah_single);
	tcase_add_test(tc, test_buildah_stages);
	tcase_add_test(tc, test_docker);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
