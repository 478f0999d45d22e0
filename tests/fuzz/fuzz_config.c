/*
 * fuzz_config - libFuzzer target for the config loader (.hadolint.yaml,
 * .dfopt.yaml).
 *
 * Loads any bytes as YAML on top of an empty config and checks config.h's
 * promises, aborting on a violation:
 *  - df_config_load_yaml() returns 0 with err empty, or -1 with exactly one
 *    line in err that starts with the file name;
 *  - what a successful load sets is well formed: codes and registries are
 *    non-empty strings, overrides carry a real severity, the threshold is
 *    unset or a severity;
 *  - loading the same text on top again succeeds too (layers stack).
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_config
 * Run:   tests/fuzz/run.sh SECONDS (after the parser target)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_config: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char name[] = ".hadolint.yaml";
	df_config c;
	df_config_init(&c);
	df_buf err = DF_BUF_INIT;
	int rc = df_config_load_yaml(&c, name, (const char *)data, size, &err);
	const char *msg = df_buf_str(&err);
	if (rc == 0) {
		if (err.len)
			fail("success with an error message");
		for (size_t i = 0; i < c.nignored; i++)
			if (!c.ignored[i] || !*c.ignored[i])
				fail("empty ignored code");
		for (size_t i = 0; i < c.ntrusted; i++)
			if (!c.trusted[i] || !*c.trusted[i])
				fail("empty trusted registry");
		for (size_t i = 0; i < c.noverrides; i++)
			if (!c.overrides[i].code || (int)c.overrides[i].severity < 0 ||
			    c.overrides[i].severity > DF_SEV_IGNORE)
				fail("bad override");
		if (c.threshold < -1 || c.threshold > DF_SEV_IGNORE)
			fail("bad threshold");
		df_buf err2 = DF_BUF_INIT;
		if (df_config_load_yaml(&c, name, (const char *)data, size, &err2) != 0)
			fail("a text that loaded once does not load on top of itself");
		df_buf_release(&err2);
	} else {
		if (rc != -1)
			fail("return value other than 0 and -1");
		if (strncmp(msg, name, strlen(name)) != 0)
			fail("error message does not start with the file name");
		if (!err.len || strchr(msg, '\n'))
			fail("error message is not one line");
	}
	df_buf_release(&err);
	df_config_release(&c);
	return 0;
}
