/* DL3064 - no secrets in ARG or ENV names. */
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static void check(df_lint *lint, const df_instr *in, void *state);

const df_rule df_rule_DL3064 = {
	.code = "DL3064",
	.name = "no-secret-in-arg-env",
	.severity = DF_SEV_WARNING,
	.category = DF_CAT_SECURITY,
	.fix = DF_FIX_NONE,
	.message = "Potentially sensitive data should not be used in the `ARG` or `ENV` commands",
	.docs = {
		.what = "Reports an ARG or ENV (also in ONBUILD) whose name is a well-known secret "
			"variable (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, NPM_TOKEN, ...) or contains "
			"api_key, client_key, password, private, secret, token or username.",
		.why = "ARG values are kept in the image history and ENV values in its config: "
		       "anyone who can pull the image can read them.",
		.example = "FROM node:20\nARG NPM_TOKEN\nRUN npm ci\n",
		.instead = "FROM node:20\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n",
	},
	.instr_kinds = DF_KIND(DF_I_ARG) | DF_KIND(DF_I_ENV),
	.on_instr = check,
};

/* Upper case, sorted by byte: searched by halves. */
static const char *const known[] = {
	"ACCESS_TOKEN", "APPLICATION_KEY", "APP_SECRET", "AUTH_TOKEN", "AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY", "BITTREX_API_KEY", "BITTREX_API_SECRET", "CF_PASSWORD",
	"CF_USERNAME", "CIRCLE_TOKEN", "CI_DEPLOY_PASSWORD", "CI_DEPLOY_USER",
	"DOCKERHUB_PASSWORD", "DOCKER_EMAIL", "DOCKER_PASSWORD", "DOCKER_USERNAME",
	"FACEBOOK_ACCESS_TOKEN", "FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET", "FIREBASE_API_TOKEN",
	"FIREBASE_TOKEN", "FOSSA_API_KEY", "GH_ENTERPRISE_TOKEN", "GH_TOKEN",
	"GITHUB_ENTERPRISE_TOKEN", "GITHUB_TOKEN", "HEROKU_API_KEY", "HEROKU_API_USER",
	"NPM_AUTH_TOKEN", "NPM_TOKEN", "OKTA_AUTHN_GROUPID", "OKTA_CLIENT_ORGURL",
	"OKTA_CLIENT_TOKEN", "OKTA_OAUTH2_CLIENTID", "OKTA_OAUTH2_CLIENTSECRET", "OPENAI_API_KEY",
	"OS_PASSWORD", "OS_USERNAME", "POSTGRES_PASSWORD", "SLACK_TOKEN", "STRIPE_API_KEY",
	"STRIPE_DEVICE_NAME", "TRAVIS_OS_NAME", "TRAVIS_SECURE_ENV_VARS", "TRAVIS_SUDO",
	"VAULT_CLIENT_KEY", "VAULT_TOKEN",
};

/* name, upper-cased, against k: <0, 0 or >0 as strcmp. */
static int cmp_upper(df_str name, const char *k)
{
	size_t i = 0;
	for (; i < name.len && k[i]; i++) {
		int a = df_to_upper((unsigned char)name.ptr[i]), b = (unsigned char)k[i];
		if (a != b)
			return a - b;
	}
	return i < name.len ? 1 : k[i] ? -1 : 0;
}

static bool is_known(df_str name)
{
	size_t lo = 0, hi = DF_ARRAY_LEN(known);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_upper(name, known[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* Does name hold needle (lower case) at i, in any case? */
static bool holds_at(df_str name, size_t i, const char *needle)
{
	size_t j = 0;
	for (; needle[j] && i + j < name.len; j++)
		if (df_to_lower((unsigned char)name.ptr[i + j]) != needle[j])
			return false;
	return !needle[j];
}

/* Does name hold api_key, client_key, password, private, secret, token or
 * username, in any case? One pass over the name, the letter at each place
 * picking the words to compare there: every ARG and ENV name is searched. */
static bool has_suspicious(df_str name)
{
	/* The first letters of the words, in both cases: most places of a
	 * name hold none of them and cost one look-up. */
	static const bool starts[256] = {
		['a'] = true, ['c'] = true, ['p'] = true, ['s'] = true, ['t'] = true, ['u'] = true,
		['A'] = true, ['C'] = true, ['P'] = true, ['S'] = true, ['T'] = true, ['U'] = true,
	};
	static const char *const words[] = { "api_key", "client_key", "password", "private",
					     "secret", "token", "username" };
	for (size_t i = 0; i < name.len; i++) {
		if (!starts[(unsigned char)name.ptr[i]])
			continue;
		char c = (char)df_to_lower((unsigned char)name.ptr[i]);
		for (size_t w = 0; w < DF_ARRAY_LEN(words); w++)
			if (words[w][0] == c && holds_at(name, i, words[w]))
				return true;
	}
	return false;
}

static bool sensitive(df_str name)
{
	return is_known(name) || has_suspicious(name);
}

static void check(df_lint *lint, const df_instr *in, void *state)
{
	(void)state;
	const df_instr *t = in->inner ? in->inner : in;
	if ((t->kind != DF_I_ARG && t->kind != DF_I_ENV) || t->has_error)
		return;
	for (size_t i = 0; i < t->npairs; i++) {
		if (sensitive(t->pairs[i].key)) {
			df_report(lint, &df_rule_DL3064, t->pairs[i].key_span, NULL);
			return;	/* one finding per instruction, as hadolint */
		}
	}
}
