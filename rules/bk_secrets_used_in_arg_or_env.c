/* SecretsUsedInArgOrEnv - ARG and ENV names that look like secrets. */
#include "engine/rule.h"
#include "util/util.h"

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

static const char *const deny[] = {
	"apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd",
	"secret", "token",
};

static const char *const allow[] = { "public", "file", "version" };

static bool part_in(const char *p, size_t n, const char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++)
		if (df_mem_ieq(p, n, list[i]))
			return true;
	return false;
}

static bool sensitive(df_str name)
{
	bool denied = false;
	size_t start = 0;
	for (size_t i = 0; i <= name.len; i++) {
		if (i < name.len && name.ptr[i] != '_')
			continue;
		const char *p = name.ptr + start;
		size_t n = i - start;
		/* An allowed part wins wherever it is: SECRET_FILE names a path. */
		if (part_in(p, n, allow, DF_ARRAY_LEN(allow)))
			return false;
		denied = denied || part_in(p, n, deny, DF_ARRAY_LEN(deny));
		start = i + 1;
	}
	return denied;
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
