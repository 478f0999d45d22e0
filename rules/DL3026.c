/* DL3026 - images come only from the trusted registries (when configured). */
#include "engine/engine.h"
#include "parse/flags.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3026 = {
	.code = "DL3026",
	.name = "trusted-registry",
	.severity = DF_SEV_ERROR,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_NONE,
	.message = "Use only an allowed registry in the FROM image",
	.docs = {
		.what = "With trusted registries configured (--trusted-registry), reports a FROM image, "
			"COPY --from image or RUN --mount from= image (bind and cache mounts) that comes "
			"from another registry. Earlier stages and `scratch` are fine; an image with no "
			"registry counts as docker.io and hub.docker.com. A pattern is `*`, `*.suffix`, "
			"`prefix*` or an exact name. A reference dfopt cannot resolve is skipped. "
			"Without configuration the rule is off.",
		.why = "Pulling from an unvetted registry lets anyone who controls it change what you build.",
		.example = "# dfopt --trusted-registry registry.example.com\nFROM ghcr.io/acme/base:1.0\n",
		.instead = "FROM registry.example.com/acme/base:1.0\n",
	},
	.instr_kinds = DF_KIND(DF_I_FROM) | DF_KIND(DF_I_COPY) | DF_KIND(DF_I_RUN),
	.needs_input = DF_INPUT_TRUSTED_REGISTRIES,
	.on_instr = check,
};

static bool matches(const char *pat, df_str reg)
{
	size_t n = strlen(pat);
	if (n == 1 && pat[0] == '*')
		return true;
	if (n > 1 && pat[0] == '*')	/* "*.suffix" */
		return reg.len >= n - 1 && memcmp(reg.ptr + reg.len - (n - 1), pat + 1, n - 1) == 0;
	if (n > 1 && pat[n - 1] == '*')	/* "prefix*" */
		return reg.len >= n - 1 && memcmp(reg.ptr, pat, n - 1) == 0;
	return reg.len == n && memcmp(reg.ptr, pat, n) == 0;
}

static bool allowed_registry(const df_lint_opts *o, df_str reg)
{
	for (size_t i = 0; i < o->ntrusted; i++)
		if (matches(o->trusted_registries[i], reg))
			return true;
	return false;
}

/* The registry of an image reference: its first path component when that
 * has a '.' or ':' or is "localhost"; none (Docker Hub) otherwise. */
static bool allowed_image(const df_lint_opts *o, df_str ref)
{
	const char *slash = memchr(ref.ptr, '/', ref.len);
	if (slash) {
		df_str first = { ref.ptr, (size_t)(slash - ref.ptr) };
		if (memchr(first.ptr, '.', first.len) || memchr(first.ptr, ':', first.len) ||
		    (first.len == 9 && memcmp(first.ptr, "localhost", 9) == 0))
			return allowed_registry(o, first);
	}
	static const df_str hub = { "docker.io", 9 }, hub2 = { "hub.docker.com", 14 };
	return allowed_registry(o, hub) || allowed_registry(o, hub2);
}

/* An image named by a COPY --from or mount from= value (not a stage). */
static bool is_image(const df_lint *lint, const df_instr *in, df_str v)
{
	if (!v.ptr || v.len == 0 || memchr(v.ptr, '$', v.len))
		return false;	/* unknown: stay quiet */
	if (df_mem_ieq(v.ptr, v.len, "scratch"))
		return false;
	return in->stage < 0 || df_graph_stage_ref(df_lint_graph(lint), v, (size_t)in->stage) < 0;
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_lint_opts *o = df_lint_config(lint);
	if (o->ntrusted == 0 || in->has_error)
		return;
	const df_graph *g = df_lint_graph(lint);
	if (in->kind == DF_I_FROM && in->stage >= 0) {
		const df_stage *st = &g->stages[in->stage];
		if (st->base_kind == DF_BASE_IMAGE && !allowed_image(o, st->base_ref))
			df_report(lint, &df_rule_DL3026, in->from_image.span, NULL);
	} else if (in->kind == DF_I_COPY) {
		const df_flag *f = df_instr_flag(in, "from");
		if (!f || !f->has_value || f->exp.state == DF_EXP_UNKNOWN || f->exp.state == DF_EXP_ERROR)
			return;
		df_str v = f->exp.state == DF_EXP_KNOWN ? f->exp.value : f->value;
		if (is_image(lint, in, v) && !allowed_image(o, v))
			df_report(lint, &df_rule_DL3026, f->span, NULL);
	} else if (in->kind == DF_I_RUN) {
		for (size_t i = 0; i < in->nflags; i++) {
			const df_flag *f = &in->flags[i];
			if (f->type != DF_FLAG_MOUNT || !f->mount ||
			    (f->mount->type != DF_MOUNT_BIND && f->mount->type != DF_MOUNT_CACHE))
				continue;
			if (is_image(lint, in, f->mount->from) && !allowed_image(o, f->mount->from)) {
				df_report(lint, &df_rule_DL3026, f->span, NULL);
				return;
			}
		}
	}
}
