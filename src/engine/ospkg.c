/* ospkg.c - the system package managers; see ospkg.h. */
#include "engine/ospkg.h"

#include <pthread.h>
#include <string.h>

#include "util/util.h"

/* A NULL-terminated list of strings with static storage. */
#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const df_ospkg_manager managers[] = {
	{
		.name = "apt",
		.commands = L("apt-get", "apt", "aptitude"),
		.install = L("install"),
		.remove = L("purge", "remove", "autoremove"),
		.refresh = L("update"),
		.lists = "/var/lib/apt/lists",
		.install_needs_lists = true,
		.value_opts = L("-t", "--target-release", "-o", "--option", "-c", "--config-file"),
		.caches = L("/var/cache/apt", "/var/lib/apt"),
		.locked = true,
	},
	{
		.name = "apk",
		.commands = L("apk"),
		.install = L("add"),
		.remove = L("del"),
		.refresh = L("update"),
		.lists = "/var/cache/apk",
		.fresh_opts = L("--no-cache", "-U", "--update-cache", "--update"),
		.install_needs_lists = true,
		.install_keeps = true,
		.keep_nothing = L("--no-cache"),
		.value_opts = L("-t", "--virtual", "-X", "--repository", "-p", "--root"),
		.caches = L("/var/cache/apk"),
	},
	{
		.name = "dnf",
		.commands = L("dnf", "microdnf", "dnf5"),
		.install = L("install", "groupinstall", "localinstall"),
		.remove = L("remove", "erase", "autoremove"),
		.value_opts = L("--setopt", "--repo", "--enablerepo", "--disablerepo", "--installroot",
				"--releasever"),
		.refresh = L("makecache"),
		.lists = "/var/cache/dnf",
		.fresh_opts = L("--refresh"),
		.install_keeps = true,
		.caches = L("/var/cache/dnf", "/var/cache/libdnf5"),
		.locked = true,
	},
	{
		.name = "yum",
		.commands = L("yum"),
		.install = L("install", "groupinstall", "localinstall"),
		.remove = L("remove", "erase", "autoremove"),
		.value_opts = L("--setopt", "--enablerepo", "--disablerepo", "--installroot", "--releasever"),
		.refresh = L("makecache"),
		.lists = "/var/cache/yum",
		.fresh_opts = L("--refresh"),
		.install_keeps = true,
		.caches = L("/var/cache/yum"),
		.locked = true,
	},
	{
		.name = "zypper",
		.commands = L("zypper"),
		.install = L("install", "in"),
		.remove = L("remove", "rm"),
		.refresh = L("refresh", "ref"),
		.lists = "/var/cache/zypp",
		.install_keeps = true,
		.value_opts = L("-r", "--repo", "--from", "--root"),
		.caches = L("/var/cache/zypp"),
		.locked = true,
	},
};

const df_ospkg_manager *df_ospkg_managers(size_t *n)
{
	*n = DF_ARRAY_LEN(managers);
	return managers;
}

static inline bool listed(const char *const *list, df_str w)
{
	for (; list && *list; list++)
		if (df_mem_eq(w.ptr, w.len, *list))
			return true;
	return false;
}

/* The managers' commands grouped by first byte, each group in table order,
 * with their lengths: every command of a RUN whose first byte and length
 * could be a manager's comes here (df_cmd_view.ospkg), and a name is
 * compared only with the commands of its group and its length. */
typedef struct command_name {
	const char *name;
	size_t len;
	unsigned manager;	/* 1 + the index in managers */
} command_name;
static command_name command_names[32];
/* The group of each first byte: command_names[group_first[b]..+group_len[b]). */
static unsigned char group_first[256], group_len[256];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_build(void)
{
	size_t n = 0;
	for (unsigned b = 0; b < 256; b++) {
		group_first[b] = (unsigned char)n;
		for (size_t i = 0; i < DF_ARRAY_LEN(managers); i++)
			for (const char *const *c = managers[i].commands; *c; c++) {
				if ((unsigned char)(*c)[0] != b)
					continue;
				if (n == DF_ARRAY_LEN(command_names))
					DF_BUG("more package manager commands than command_names holds");
				command_names[n++] = (command_name){ *c, strlen(*c), (unsigned)i + 1 };
			}
		group_len[b] = (unsigned char)(n - group_first[b]);
	}
}

/* The answer kept for a command that is no use of a system package
 * manager: action NONE, and nothing else set. */
static const df_ospkg_use not_a_use;

/* df_ospkg_read() for v, a command of m. */
static bool read_use(df_lint *lint, const df_cmd_view *v, const df_ospkg_manager *m, df_ospkg_use *out)
{
	const df_cmd_view *ev = df_lint_expanded(lint, v);
	size_t n;
	const df_sh_word **pos = df_lint_positionals(lint, ev->cmd, v->name, m->value_opts, &n);
	if (!n)
		return false;
	df_ospkg_action a = listed(m->install, pos[0]->value)	? DF_OSPKG_INSTALL
			    : listed(m->remove, pos[0]->value)	? DF_OSPKG_REMOVE
			    : listed(m->refresh, pos[0]->value) ? DF_OSPKG_REFRESH
								: DF_OSPKG_NONE;
	if (a == DF_OSPKG_NONE)
		return false;
	out->action = a;
	out->manager = m;
	out->cmd = ev;
	out->pkgs = pos + 1;
	out->npkgs = n - 1;
	out->verb = (size_t)(pos[0] - ev->cmd->words);
	return true;
}

unsigned df_ospkg_named(df_str name)
{
	pthread_once(&names_once, names_build);
	if (!name.len)
		return 0;
	unsigned char b = (unsigned char)name.ptr[0];
	const command_name *group = &command_names[group_first[b]];
	for (size_t k = 0; k < group_len[b]; k++)
		if (group[k].len == name.len && memcmp(group[k].name, name.ptr, name.len) == 0)
			return group[k].manager;
	return 0;
}

bool df_ospkg_read_use(df_lint *lint, const df_cmd_view *v, df_ospkg_use *out)
{
	memset(out, 0, sizeof(*out));
	if (!v->ospkg || v->ospkg > DF_ARRAY_LEN(managers))
		return false;
	bool found = read_use(lint, v, &managers[v->ospkg - 1], out);
	const void **memo = df_lint_cmd_memo(lint, v, DF_CMD_MEMO_OSPKG);
	if (memo) {
		const df_ospkg_use *kept = &not_a_use;
		if (found) {
			df_ospkg_use *use = DF_ARENA_NEW(&df_lint_cmds(lint)->arena, df_ospkg_use);
			*use = *out;
			kept = use;
		}
		*memo = kept;
	}
	return found;
}

bool df_ospkg_has_opt(const df_ospkg_use *u, const char *const *opts)
{
	for (; opts && *opts; opts++)
		if (df_sh_has_flag(u->cmd->cmd, u->cmd->name, *opts))
			return true;
	return false;
}

df_str df_ospkg_name(const df_sh_word *pkg)
{
	/* Up to the first of "=~<>" (or a NUL), one table look-up a byte:
	 * every package of every install comes here, from several rules. */
	static const bool ends[256] = { ['\0'] = true, ['='] = true, ['~'] = true, ['<'] = true, ['>'] = true };
	size_t n = 0;
	while (n < pkg->value.len && !ends[(unsigned char)pkg->value.ptr[n]])
		n++;
	return (df_str){ pkg->value.ptr, n };
}
