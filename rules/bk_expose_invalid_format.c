/* ExposeInvalidFormat - EXPOSE with an IP address or a host:container mapping. */
#include "engine/rule.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_ExposeInvalidFormat = {
	.code = "ExposeInvalidFormat",
	.name = "expose-invalid-format",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_CORRECTNESS,
	.fix = DF_FIX_NONE,
	.message = "EXPOSE should not name an IP address or a host port",
	.docs = {
		.what = "Reports an EXPOSE port holding a `:`: an IP address (`127.0.0.1:80`) or "
			"a `host:container` mapping (`8080:80`), ONBUILD triggers included. "
			"Ports are judged after the builder's expansion; one that depends on an "
			"unknown build arg is left alone.",
		.why = "EXPOSE only documents the container's ports; which host address and port "
		       "they are published on is decided by `docker run -p`. The builder drops "
		       "the host part, and warns that it will refuse it in a future release.",
		.example = "FROM nginx\nEXPOSE 8080:80\n",
		.instead = "FROM nginx\nEXPOSE 80\n",
	},
	.instr_kinds = DF_KIND(DF_I_EXPOSE),
	.on_instr = check,
};

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind == DF_I_ONBUILD)
		in = in->inner;
	if (!in || in->kind != DF_I_EXPOSE)
		return;
	for (size_t i = 0; i < in->nargs; i++) {
		const df_word *w = &in->args[i];
		/* ${PORT:-80} is no mapping: judge what the builder makes of it. */
		df_str v;
		if (!df_expanded_value(&w->exp, w->raw, &v))
			continue;
		if (v.len && memchr(v.ptr, ':', v.len))
			df_report(lint, &df_rule_ExposeInvalidFormat, w->span,
				  "EXPOSE should not name an IP address or a host port: '%.*s'", (int)w->raw.len,
				  w->raw.ptr);
	}
}
