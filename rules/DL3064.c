/* DL3064 - no secrets in ARG or ENV names. */
#include "engine/rule.h"
#include "util/util.h"

#include <pthread.h>
#include <stdint.h>
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

/* Upper case. */
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

/*
 * known as a hash table of upper-cased names, built once (files are linted
 * on several threads): every ARG and ENV name is looked up, and a search
 * by halves compared it with six names or so. Half full at most, so a
 * look-up ends at an empty slot soon.
 */
#define KNOWN_SLOTS 128
_Static_assert(2 * DF_ARRAY_LEN(known) <= KNOWN_SLOTS, "KNOWN_SLOTS too small");
static const char *known_slots[KNOWN_SLOTS];
static size_t known_min = SIZE_MAX, known_max;
static pthread_once_t known_once = PTHREAD_ONCE_INIT;

/* A hash of s[0..n) (n > 0), upper-cased: its length and three of its
 * bytes, not every byte. Every ARG and ENV name of the right length is
 * looked up, and the known names differ there enough for a table this
 * sparse. */
static uint32_t hash_upper(const char *s, size_t n)
{
	uint32_t h = (uint32_t)n * 0x9e3779b1u;
	h ^= ((uint32_t)df_to_upper((unsigned char)s[0]) | (uint32_t)df_to_upper((unsigned char)s[n / 2]) << 8 |
	      (uint32_t)df_to_upper((unsigned char)s[n - 1]) << 16) * 0x85ebca6bu;
	return h ^ h >> 16;
}

static void known_build(void)
{
	for (size_t k = 0; k < DF_ARRAY_LEN(known); k++) {
		size_t n = strlen(known[k]);
		size_t i = hash_upper(known[k], n) & (KNOWN_SLOTS - 1);
		while (known_slots[i])
			i = (i + 1) & (KNOWN_SLOTS - 1);
		known_slots[i] = known[k];
		known_min = n < known_min ? n : known_min;
		known_max = n > known_max ? n : known_max;
	}
}

/* Is name, upper-cased, the upper-case k? */
static bool eq_upper(df_str name, const char *k)
{
	size_t i = 0;
	for (; i < name.len && k[i]; i++)
		if (df_to_upper((unsigned char)name.ptr[i]) != (unsigned char)k[i])
			return false;
	return i == name.len && !k[i];
}

static bool is_known(df_str name)
{
	if (name.len < known_min || name.len > known_max)
		return false;
	for (size_t i = hash_upper(name.ptr, name.len) & (KNOWN_SLOTS - 1); known_slots[i];
	     i = (i + 1) & (KNOWN_SLOTS - 1))
		if (eq_upper(name, known_slots[i]))
			return true;
	return false;
}

/* The words of has_suspicious(), lower case, by their first letter (a to
 * z), at most two each. */
static const df_str words_at[26][2] = {
	['a' - 'a'] = { DF_STR_LIT("api_key") },
	['c' - 'a'] = { DF_STR_LIT("client_key") },
	['p' - 'a'] = { DF_STR_LIT("password"), DF_STR_LIT("private") },
	['s' - 'a'] = { DF_STR_LIT("secret") },
	['t' - 'a'] = { DF_STR_LIT("token") },
	['u' - 'a'] = { DF_STR_LIT("username") },
};

/* The bytes a word of words_at starts with, in either case (built with
 * the known names, by tables_build()): most bytes of a name start none,
 * and are passed over with one look-up. */
static bool starts_word[256];
/* For each first letter (a to z), the second letters of its words, as bits
 * (a to z): most places where a word could start are passed over on the
 * next letter, without comparing the words. */
static uint32_t second_letters[26];

/* The tables, once for the process (files are linted on several threads). */
static void tables_build(void)
{
	known_build();
	for (unsigned c = 0; c < 26; c++)
		for (size_t k = 0; k < 2 && words_at[c][k].ptr; k++) {
			starts_word['a' + c] = starts_word['A' + c] = true;
			second_letters[c] |= UINT32_C(1) << (words_at[c][k].ptr[1] - 'a');
		}
}

/* Does name hold w at i, in any case? */
static bool holds_at(df_str name, size_t i, const df_str *w)
{
	if (name.len - i < w->len)
		return false;
	for (size_t j = 0; j < w->len; j++)
		if (df_to_lower((unsigned char)name.ptr[i + j]) != w->ptr[j])
			return false;
	return true;
}

/* Does name hold api_key, client_key, password, private, secret, token or
 * username, in any case? One pass over the name, the letter at each place
 * picking the one or two words to compare there: every ARG and ENV name is
 * searched. */
static bool has_suspicious(df_str name)
{
	/* The shortest word, "token", cannot start later. */
	for (size_t i = 0; i + 5 <= name.len; i++) {
		if (!starts_word[(unsigned char)name.ptr[i]])
			continue;
		unsigned c = (unsigned)df_to_lower((unsigned char)name.ptr[i]) - 'a';
		unsigned next = (unsigned)df_to_lower((unsigned char)name.ptr[i + 1]) - 'a';
		if (next >= 26 || !((second_letters[c] >> next) & 1))
			continue;
		for (size_t k = 0; k < 2 && words_at[c][k].ptr; k++)
			if (holds_at(name, i, &words_at[c][k]))
				return true;
	}
	return false;
}

/* After tables_build(). */
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
	pthread_once(&known_once, tables_build);
	for (size_t i = 0; i < t->npairs; i++) {
		if (sensitive(t->pairs[i].key)) {
			df_report(lint, &df_rule_DL3064, t->pairs[i].key_span, NULL);
			return;	/* one finding per instruction, as hadolint */
		}
	}
}
