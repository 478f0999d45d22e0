/* SecretsUsedInArgOrEnv - ARG and ENV names that look like secrets. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_SecretsUsedInArgOrEnv = {
	.code = "SecretsUsedInArgOrEnv",
	.name = "secrets-used-in-arg-or-env",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_NONE,
	.message = "ARG or ENV name suggests sensitive data",
	.docs = {
		.what = "BuildKit's check of the same name: reports an ARG or ENV whose name, split "
			"at `_`, has a part (case-insensitive) that is apikey, auth, credential, "
			"credentials, key, password, pword, passwd, secret or token, unless another "
			"part is public, file or version. Triggers inside ONBUILD are not checked, "
			"as the builder does not check them. DL3064 looks for secrets with a "
			"different list.",
		.why = "ARG values stay in the image history and ENV values in its config: "
		       "anyone who can pull the image can read them.",
		.example = "FROM alpine:3.20\nARG GITHUB_TOKEN\nRUN ./fetch.sh\n",
		.instead = "FROM alpine:3.20\nRUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN ./fetch.sh\n",
	},
	.instr_kinds = DF_KIND(DF_I_ARG) | DF_KIND(DF_I_ENV),
	.on_instr = check,
};

enum part_kind { PART_PLAIN, PART_DENY, PART_ALLOW };

/* What a part of the name is: a word of the deny list (apikey, auth,
 * credential, credentials, key, password, pword, passwd, secret, token),
 * of the allow list (public, file, version) or neither. Picked by length
 * first: every part of every name is looked up, and most parts have no
 * word of their length or differ from it at the first byte. */
static enum part_kind part_kind(const char *p, size_t n)
{
	switch (n) {
	case 3:
		return df_mem_ieq(p, n, "key") ? PART_DENY : PART_PLAIN;
	case 4:
		if (df_mem_ieq(p, n, "file"))
			return PART_ALLOW;
		return df_mem_ieq(p, n, "auth") ? PART_DENY : PART_PLAIN;
	case 5:
		return df_mem_ieq(p, n, "pword") || df_mem_ieq(p, n, "token") ? PART_DENY : PART_PLAIN;
	case 6:
		if (df_mem_ieq(p, n, "public"))
			return PART_ALLOW;
		if (df_mem_ieq(p, n, "apikey") || df_mem_ieq(p, n, "passwd") || df_mem_ieq(p, n, "secret"))
			return PART_DENY;
		return PART_PLAIN;
	case 7:
		return df_mem_ieq(p, n, "version") ? PART_ALLOW : PART_PLAIN;
	case 8:
		return df_mem_ieq(p, n, "password") ? PART_DENY : PART_PLAIN;
	case 10:
		return df_mem_ieq(p, n, "credential") ? PART_DENY : PART_PLAIN;
	case 11:
		return df_mem_ieq(p, n, "credentials") ? PART_DENY : PART_PLAIN;
	default:
		return PART_PLAIN;
	}
}

static bool sensitive(df_str name)
{
	bool denied = false;
	const char *p = name.ptr, *end = name.ptr + name.len;
	for (;;) {
		const char *sep = memchr(p, '_', (size_t)(end - p));
		enum part_kind k = part_kind(p, (size_t)((sep ? sep : end) - p));
		/* An allowed part wins wherever it is: SECRET_FILE names a path. */
		if (k == PART_ALLOW)
			return false;
		denied = denied || k == PART_DENY;
		if (!sep)
			return denied;
		p = sep + 1;
	}
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	if ((in->kind != DF_I_ARG && in->kind != DF_I_ENV) || in->has_error)
		return;
	const char *kw = in->kind == DF_I_ARG ? "ARG" : "ENV";
	for (size_t i = 0; i < in->npairs; i++) {
		df_str k = in->pairs[i].key;
		if (sensitive(k))
			df_report(lint, &df_rule_SecretsUsedInArgOrEnv, in->pairs[i].key_span,
				  "%s \"%.*s\" may hold sensitive data: ARG and ENV values are kept in the image",
				  kw, (int)k.len, k.ptr);
	}
}
