/* DL3067 - do not copy a whole filesystem from another stage. */
#include "engine/rule.h"
#include "parse/flags.h"
#include "util/util.h"

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3067 = {
	.code = "DL3067",
	.name = "no-copy-whole-filesystem",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "Do not copy an entire filesystem from another stage",
	.docs = {
		.what = "Reports `COPY --from=X / /`: a source of `/` copied to a target of `/`.",
		.why = "It drags every file of the other stage, build tools and caches included, "
		       "into this one and defeats the point of a multi-stage build.",
		.example = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
			   "FROM debian:12\nCOPY --from=build / /\n",
		.instead = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
			   "FROM debian:12\nCOPY --from=build /app /usr/local/bin/app\n",
	},
	.instr_kinds = DF_KIND(DF_I_COPY),
	.on_instr = check,
};

/* The word's value without surrounding quotes is "/". */
static bool is_root(const df_word *w)
{
	df_str v = w->value;
	if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0]) {
		v.ptr++;
		v.len -= 2;
	}
	return df_mem_eq(v.ptr, v.len, "/");
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if (in->kind != DF_I_COPY || in->has_error || !in->dest || !df_instr_flag(in, "from"))
		return;
	if (!is_root(in->dest))
		return;
	for (size_t i = 0; i < in->nsources; i++) {
		if (is_root(&in->sources[i])) {
			df_report(lint, &df_rule_DL3067, in->sources[i].span, NULL);
			return;
		}
	}
}
