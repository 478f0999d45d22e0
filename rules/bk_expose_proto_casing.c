/* ExposeProtoCasing - the protocol of an EXPOSE port should be lowercase. */
#include "engine/fixes.h"
#include "engine/rule.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_ExposeProtoCasing = {
	.code = "ExposeProtoCasing",
	.name = "expose-proto-casing",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_STYLE,
	.fix = DF_FIX_SAFE,
	.message = "the protocol of an exposed port should be lowercase",
	.docs = {
		.what = "Reports the protocol of an EXPOSE port (`80/TCP`) written with an "
			"upper-case letter, ONBUILD triggers included. Ports are judged after the "
			"builder's expansion; one that depends on an unknown build arg is left alone.",
		.why = "Protocols are `tcp`, `udp` and `sctp`; the builder lower-cases them, so "
		       "`80/TCP` and `80/tcp` are one port written two ways.",
		.example = "FROM nginx\nEXPOSE 80/TCP\n",
		.instead = "FROM nginx\nEXPOSE 80/tcp\n",
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
		/* Judge what the builder makes of the word (${P/x/y} holds a
		 * slash that is no protocol); point at the protocol when the
		 * word is written as it expands. */
		df_str v;
		if (!df_expanded_value(&w->exp, w->raw, &v))
			continue;
		const char *slash = v.len ? memchr(v.ptr, '/', v.len) : NULL;
		if (!slash)
			continue;
		size_t off = (size_t)(slash + 1 - v.ptr), len = v.len - off;
		for (size_t j = off; j < v.len; j++) {
			if (v.ptr[j] >= 'A' && v.ptr[j] <= 'Z') {
				bool literal = v.len == w->raw.len && memcmp(v.ptr, w->raw.ptr, v.len) == 0;
				df_span sp = literal ? df_text_span(&in->text, w->text_off + off, len) : w->span;
				/* Fixed where the word says it: a protocol from a
				 * variable is the variable's business. */
				df_fix *fix = df_report_fix(lint, &df_rule_ExposeProtoCasing,
							    literal && len < 32 ? DF_FIX_SAFE : DF_FIX_NONE, sp,
							    "protocol '%.*s' in EXPOSE should be lowercase", (int)len,
							    v.ptr + off);
				char low[32];
				if (fix)
					df_fix_edit(fix, sp.start, sp.end,
						    df_ascii_case((df_str){ v.ptr + off, len }, true, low));
				break;
			}
		}
	}
}
