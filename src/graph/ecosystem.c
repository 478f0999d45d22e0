/* ecosystem.c - the package-manager table and the classifier over it. */
#include "graph/ecosystem.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "util/util.h"

/* A NULL-terminated list of strings with static storage. */
#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define VERBS(...) ((const df_eco_verb[]){__VA_ARGS__, {.words = NULL}})
#define V(w, k, f) {.words = (w), .kind = (k), .flags = (f)}
#define NO_LIST ((const char *const[]){NULL})

static const df_eco_manager managers[] = {
	{
		.name = "npm",
		.commands = L("npm"),
		.verbs = VERBS(
			V("ci", DF_ECO_DEPS, DF_ECO_SCRIPTS),
			V("clean-install", DF_ECO_DEPS, DF_ECO_SCRIPTS),
			V("install", DF_ECO_DEPS, DF_ECO_SCRIPTS | DF_ECO_ARGS_PKGS),
			V("i", DF_ECO_DEPS, DF_ECO_SCRIPTS | DF_ECO_ARGS_PKGS),
			V("add", DF_ECO_DEPS, DF_ECO_SCRIPTS | DF_ECO_ARGS_PKGS),
			V("run", DF_ECO_SOURCES, 0), V("run-script", DF_ECO_SOURCES, 0),
			V("test", DF_ECO_SOURCES, 0), V("start", DF_ECO_SOURCES, 0),
			V("exec", DF_ECO_SOURCES, 0), V("pack", DF_ECO_SOURCES, 0),
			V("publish", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("--prefix", "--omit", "--include", "--only", "-w", "--workspace",
				"--registry", "--cache", "--loglevel", "--userconfig"),
		.dir_opts = L("--prefix"),
		.scripts_off = L("--ignore-scripts"),
		.manifests = L("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
		.exact = true,
		.writes = L("node_modules"),
		.caches = L("/root/.npm"),
	},
	{
		.name = "yarn",
		.commands = L("yarn", "yarnpkg"),
		/* Yarn runs a package.json script for any other word. */
		.verbs = VERBS(
			V("", DF_ECO_DEPS, DF_ECO_SCRIPTS),
			V("install", DF_ECO_DEPS, DF_ECO_SCRIPTS),
			V("add", DF_ECO_PACKAGES, 0), V("global", DF_ECO_PACKAGES, 0),
			V("dlx", DF_ECO_PACKAGES, 0),
			V("cache", DF_ECO_NONE, 0), V("config", DF_ECO_NONE, 0), V("set", DF_ECO_NONE, 0),
			V("plugin", DF_ECO_NONE, 0), V("policies", DF_ECO_NONE, 0)),
		.other = DF_ECO_SOURCES,
		.value_opts = L("--cwd", "--modules-folder", "--cache-folder", "--network-timeout",
				"--mutex", "--registry"),
		.dir_opts = L("--cwd"),
		.scripts_off = L("--ignore-scripts"),
		.manifests = L("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml",
			       ".yarn/releases/", ".yarn/plugins/"),
		.exact = true,
		.writes = L("node_modules", ".pnp.cjs", ".pnp.loader.mjs"),
		.caches = L("/usr/local/share/.cache/yarn", ".yarn/cache/"),
	},
	{
		.name = "pnpm",
		.commands = L("pnpm"),
		.verbs = VERBS(
			V("install", DF_ECO_DEPS, DF_ECO_SCRIPTS | DF_ECO_ARGS_PKGS),
			V("i", DF_ECO_DEPS, DF_ECO_SCRIPTS | DF_ECO_ARGS_PKGS),
			/* fetch exists so the store fills from the lockfile alone */
			{.words = "fetch", .kind = DF_ECO_DEPS,
			 .manifests = L("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc")},
			V("add", DF_ECO_PACKAGES, 0), V("dlx", DF_ECO_PACKAGES, 0),
			V("store", DF_ECO_NONE, 0), V("config", DF_ECO_NONE, 0), V("setup", DF_ECO_NONE, 0),
			V("env", DF_ECO_NONE, 0)),
		.other = DF_ECO_SOURCES,
		.value_opts = L("-C", "--dir", "--filter", "-F", "--store-dir", "--reporter",
				"--registry"),
		.dir_opts = L("-C", "--dir"),
		.scripts_off = L("--ignore-scripts"),
		.manifests = L("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"),
		.exact = true,
		.writes = L("node_modules"),
		.caches = L("/root/.local/share/pnpm/store"),
	},
	{
		.name = "bun",
		.commands = L("bun"),
		/* `bun FILE` runs a file of the project. */
		.verbs = VERBS(
			V("install", DF_ECO_DEPS, DF_ECO_SCRIPTS | DF_ECO_ARGS_PKGS),
			V("i", DF_ECO_DEPS, DF_ECO_SCRIPTS | DF_ECO_ARGS_PKGS),
			V("add", DF_ECO_PACKAGES, 0), V("x", DF_ECO_PACKAGES, 0),
			V("pm", DF_ECO_NONE, 0), V("upgrade", DF_ECO_NONE, 0)),
		.other = DF_ECO_SOURCES,
		.value_opts = L("--cwd", "--cache-dir", "--registry", "--backend"),
		.dir_opts = L("--cwd"),
		.scripts_off = L("--ignore-scripts"),
		.manifests = L("package.json", "bun.lockb", "bun.lock", "bunfig.toml"),
		.exact = true,
		.writes = L("node_modules"),
		.caches = L("/root/.bun/install/cache"),
		.cache_off = L("--no-cache"),
	},
	{
		.name = "pip",
		.commands = L("pip"),
		.modules = L("pip"),
		.verbs = VERBS(
			V("install", DF_ECO_DEPS, DF_ECO_NEEDS_FILE | DF_ECO_ARGS_PKGS),
			V("download", DF_ECO_DEPS, DF_ECO_NEEDS_FILE | DF_ECO_ARGS_PKGS),
			V("wheel", DF_ECO_DEPS, DF_ECO_NEEDS_FILE | DF_ECO_ARGS_PKGS)),
		.other = DF_ECO_NONE,
		.value_opts = L("-r", "--requirement", "-c", "--constraint", "-e", "--editable",
				"-i", "--index-url", "--extra-index-url", "-f", "--find-links",
				"-t", "--target", "--prefix", "--root", "--cache-dir",
				"--progress-bar", "--platform", "--python-version", "--only-binary",
				"--no-binary", "--trusted-host", "--timeout", "--retries", "--src",
				"-C", "--config-settings", "-w", "--wheel-dir", "-d", "--dest"),
		.file_opts = L("-r", "--requirement", "-c", "--constraint"),
		.source_opts = L("-e", "--editable"),
		.slash_is_path = true,
		.manifests = NO_LIST,
		.exact = true,
		.writes = L("site-packages"),
		.caches = L("/root/.cache/pip"),
		.cache_off = L("--no-cache-dir"),
	},
	{
		.name = "pipenv",
		.commands = L("pipenv"),
		.verbs = VERBS(
			V("install", DF_ECO_DEPS, DF_ECO_ARGS_PKGS),
			V("sync", DF_ECO_DEPS, 0),
			V("run", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("--python", "--categories", "-e", "--editable"),
		.source_opts = L("-e", "--editable"),
		.slash_is_path = true,
		.manifests = L("Pipfile", "Pipfile.lock"),
		.exact = true,
		.writes = L("virtualenv"),
		.caches = L("/root/.cache/pipenv"),
	},
	{
		.name = "poetry",
		.commands = L("poetry"),
		.verbs = VERBS(
			{.words = "install", .kind = DF_ECO_DEPS, .need_all = L("--no-root"),
			 .why = "installs the root package"},
			{.words = "sync", .kind = DF_ECO_DEPS, .need_all = L("--no-root"),
			 .why = "installs the root package"},
			V("add", DF_ECO_PACKAGES, 0),
			V("build", DF_ECO_SOURCES, 0), V("run", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("--with", "--without", "--only", "-E", "--extras", "-C", "--directory",
				"-P", "--project"),
		.dir_opts = L("-C", "--directory", "-P", "--project"),
		.manifests = L("pyproject.toml", "poetry.lock", "poetry.toml"),
		.exact = true,
		.writes = L("virtualenv"),
		.caches = L("/root/.cache/pypoetry"),
		.cache_off = L("--no-cache"),
	},
	{
		.name = "uv",
		.commands = L("uv"),
		.verbs = VERBS(
			/* uv sync installs the project too, editable, by default */
			{.words = "sync", .kind = DF_ECO_DEPS,
			 .need_any = L("--no-install-project", "--no-install-workspace"),
			 .why = "installs the project"},
			{.words = "pip install", .kind = DF_ECO_DEPS,
			 .flags = DF_ECO_NEEDS_FILE | DF_ECO_ARGS_PKGS, .manifests = NO_LIST},
			{.words = "pip sync", .kind = DF_ECO_DEPS, .flags = DF_ECO_ARGS_FILES,
			 .manifests = NO_LIST},
			V("add", DF_ECO_PACKAGES, 0), V("tool install", DF_ECO_PACKAGES, 0),
			V("run", DF_ECO_SOURCES, 0), V("build", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("-r", "--requirement", "-c", "--constraint", "-e", "--editable",
				"--python", "-p", "--extra", "--group", "--package", "--index-url",
				"--extra-index-url", "--directory", "--project", "--target",
				"--prefix"),
		.dir_opts = L("--directory", "--project"),
		.file_opts = L("-r", "--requirement", "-c", "--constraint"),
		.source_opts = L("-e", "--editable"),
		.slash_is_path = true,
		.manifests = L("pyproject.toml", "uv.lock"),
		.exact = true,
		.writes = L(".venv"),
		.caches = L("/root/.cache/uv"),
		.cache_off = L("--no-cache", "-n"),
	},
	{
		.name = "go",
		.commands = L("go"),
		.verbs = VERBS(
			V("mod download", DF_ECO_DEPS, 0),
			V("get", DF_ECO_PACKAGES, DF_ECO_ARGS_PKGS),
			V("install", DF_ECO_SOURCES, DF_ECO_AT_PKGS),
			V("build", DF_ECO_SOURCES, 0), V("run", DF_ECO_SOURCES, 0), V("test", DF_ECO_SOURCES, 0),
			V("generate", DF_ECO_SOURCES, 0), V("vet", DF_ECO_SOURCES, 0),
			V("mod tidy", DF_ECO_SOURCES, 0), V("mod vendor", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("-C", "-o", "-tags", "-ldflags", "-gcflags", "-p", "-mod", "-modfile",
				"-buildmode"),
		.dir_opts = L("-C"),
		.file_opts = L("-modfile"),
		.manifests = L("go.mod", "go.sum"),
		.exact = true,
		.writes = L("/go/pkg/mod"),
		.caches = L("/go/pkg/mod", "/root/.cache/go-build"),
	},
	{
		.name = "cargo",
		.commands = L("cargo"),
		.verbs = VERBS(
			V("fetch", DF_ECO_DEPS, 0),
			V("vendor", DF_ECO_DEPS, 0),
			/* cargo-chef: the recipe stands for the manifests */
			{.words = "chef cook", .kind = DF_ECO_DEPS, .manifests = NO_LIST},
			V("install", DF_ECO_PACKAGES, DF_ECO_ARGS_PKGS),
			V("build", DF_ECO_SOURCES, 0), V("run", DF_ECO_SOURCES, 0), V("test", DF_ECO_SOURCES, 0),
			V("check", DF_ECO_SOURCES, 0), V("chef prepare", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("--manifest-path", "--recipe-path", "--target", "-p", "--package",
				"--features", "-F", "-j", "--jobs", "--profile", "--target-dir",
				"--bin", "--example", "--root", "--path", "--git", "--branch", "--tag",
				"--rev", "--version"),
		.file_opts = L("--manifest-path", "--recipe-path"),
		.source_opts = L("--path"),
		.manifests = L("Cargo.toml", "Cargo.lock"),
		.exact = false,
		.writes = L("target"),
		.caches = L("/usr/local/cargo/registry", "/usr/local/cargo/git"),
	},
	{
		.name = "maven",
		.commands = L("mvn", "mvnw"),
		.verbs = VERBS(
			V("dependency:go-offline", DF_ECO_DEPS, 0),
			V("dependency:resolve", DF_ECO_DEPS, 0),
			V("dependency:resolve-plugins", DF_ECO_DEPS, 0),
			V("de.qaware.maven:go-offline-maven-plugin:resolve-dependencies", DF_ECO_DEPS, 0),
			V("clean", DF_ECO_NONE, 0)),
		.goals = true,
		.other = DF_ECO_SOURCES,
		.value_opts = L("-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P",
				"--activate-profiles", "-D", "--define", "-pl", "--projects", "-rf",
				"--resume-from", "-T", "--threads", "-l", "--log-file", "-t",
				"--toolchains", "-b", "--builder"),
		.file_opts = L("-f", "--file"),
		.manifests = L("pom.xml", ".mvn/"),
		.exact = false,
		.writes = L("/root/.m2"),
		.caches = L("/root/.m2"),
	},
	{
		.name = "gradle",
		.commands = L("gradle", "gradlew"),
		.verbs = VERBS(
			V("dependencies", DF_ECO_DEPS, 0),
			V("clean", DF_ECO_NONE, 0)),
		.goals = true,
		.other = DF_ECO_SOURCES,
		.value_opts = L("-x", "--exclude-task", "-p", "--project-dir", "-b", "--build-file",
				"-c", "--settings-file", "-D", "-P", "-I", "--init-script",
				"--console", "--warning-mode", "-g", "--gradle-user-home",
				"--max-workers", "--configuration"),
		.dir_opts = L("-p", "--project-dir"),
		.manifests = L("build.gradle", "build.gradle.kts", "settings.gradle",
			       "settings.gradle.kts", "gradle.properties", "gradle/"),
		.exact = false,
		.writes = L("/root/.gradle"),
		.caches = L("/root/.gradle"),
	},
	{
		.name = "bundler",
		.commands = L("bundle", "bundler"),
		.verbs = VERBS(
			V("", DF_ECO_DEPS, 0),
			V("install", DF_ECO_DEPS, 0),
			V("add", DF_ECO_PACKAGES, 0),
			V("exec", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("-j", "--jobs", "--retry", "--path", "--without", "--with", "--gemfile"),
		.file_opts = L("--gemfile"),
		.manifests = L("Gemfile", "Gemfile.lock", "gems.rb", "gems.locked"),
		.exact = true,
		.writes = L("/usr/local/bundle"),
		.caches = L("/usr/local/bundle/cache"),
	},
	{
		.name = "composer",
		.commands = L("composer", "composer.phar"),
		.modules = L("composer", "composer.phar"),
		/* An unknown word runs a composer.json script. */
		.verbs = VERBS(
			{.words = "install", .kind = DF_ECO_DEPS,
			 .need_all = L("--no-scripts", "--no-autoloader"),
			 .why = "runs scripts and builds the autoloader"},
			V("require", DF_ECO_PACKAGES, 0), V("global", DF_ECO_PACKAGES, 0),
			V("create-project", DF_ECO_PACKAGES, 0),
			V("dump-autoload", DF_ECO_SOURCES, 0), V("dumpautoload", DF_ECO_SOURCES, 0),
			V("config", DF_ECO_NONE, 0), V("self-update", DF_ECO_NONE, 0),
			V("selfupdate", DF_ECO_NONE, 0), V("clear-cache", DF_ECO_NONE, 0),
			V("clearcache", DF_ECO_NONE, 0), V("diagnose", DF_ECO_NONE, 0)),
		.other = DF_ECO_SOURCES,
		.value_opts = L("-d", "--working-dir"),
		.dir_opts = L("-d", "--working-dir"),
		.manifests = L("composer.json", "composer.lock"),
		.exact = true,
		.writes = L("vendor"),
		.caches = L("/root/.composer/cache"),
		.cache_off = L("--no-cache"),
	},
	{
		.name = "dotnet",
		.commands = L("dotnet"),
		.verbs = VERBS(
			V("restore", DF_ECO_DEPS, DF_ECO_ARGS_FILES),
			V("build", DF_ECO_SOURCES, 0), V("publish", DF_ECO_SOURCES, 0),
			V("test", DF_ECO_SOURCES, 0), V("run", DF_ECO_SOURCES, 0), V("pack", DF_ECO_SOURCES, 0)),
		.other = DF_ECO_NONE,
		.value_opts = L("-s", "--source", "-r", "--runtime", "--packages", "--configfile", "-c",
				"--configuration", "-o", "--output", "-f", "--framework", "-a",
				"--arch", "--os", "-v", "--verbosity"),
		.file_opts = L("--configfile"),
		.manifests = L("*.csproj", "*.fsproj", "*.vbproj", "*.sln", "NuGet.config",
			       "nuget.config", "Directory.*.props"),
		.exact = false,
		.writes = L("obj"),
		.caches = L("/root/.nuget/packages"),
	},
	{
		.name = "mix",
		.commands = L("mix"),
		/* Any other task is project code or a dependency's. */
		.verbs = VERBS(
			V("deps.get", DF_ECO_DEPS, 0),
			V("local.hex", DF_ECO_NONE, 0), V("local.rebar", DF_ECO_NONE, 0),
			V("archive.install", DF_ECO_NONE, 0)),
		.other = DF_ECO_SOURCES,
		.value_opts = L("--only"),
		.manifests = L("mix.exs", "mix.lock"),
		.exact = true,
		.writes = L("deps"),
		.caches = L("/root/.hex", "/root/.mix"),
	},
};

#define NMANAGERS (sizeof(managers) / sizeof(managers[0]))

/* Programs that run a manager given as their argument. */
static const struct {
	const char *program;
	const char *flag;	/* before the module, or NULL */
} runners[] = {
	{"python", "-m"},
	{"php", NULL},
};

const df_eco_manager *df_eco_managers(size_t *n)
{
	*n = NMANAGERS;
	return managers;
}

const df_eco_manager *df_eco_find(const char *name)
{
	/* The first bytes tell most names apart before a strcmp() call. */
	for (size_t i = 0; i < NMANAGERS; i++)
		if (managers[i].name[0] == name[0] && strcmp(managers[i].name, name) == 0)
			return &managers[i];
	return NULL;
}

const char *df_eco_kind_name(df_eco_kind k)
{
	switch (k) {
	case DF_ECO_NONE:
		return "none";
	case DF_ECO_DEPS:
		return "deps";
	case DF_ECO_PACKAGES:
		return "packages";
	case DF_ECO_SOURCES:
		return "sources";
	}
	return "none";
}

/* ------------------------------------------------------------------------ */
/* Words */

/* The command's arguments, as values: argv[0] is the program. */
typedef struct args {
	const char **v;
	size_t n;
} args;

static bool in_list(const char *const *list, const char *s, size_t len)
{
	for (; list && *list; list++)
		if (strlen(*list) == len && memcmp(*list, s, len) == 0)
			return true;
	return false;
}

/* The last path component of s: *p, *whole bytes long, *len without a
 * version suffix (pip3.12 -> pip). One pass over s: every command of every
 * RUN comes here. */
static void program_name(const char *s, const char **p, size_t *len, size_t *whole)
{
	const char *b = s, *e = s;
	for (; *e; e++)
		if (*e == '/')
			b = e + 1;
	size_t n = (size_t)(e - b);
	*whole = n;
	while (n > 1 && (df_is_digit((unsigned char)b[n - 1]) || b[n - 1] == '.'))
		n--;
	/* "composer.phar" and the like end in letters: kept whole */
	*p = b;
	*len = n;
}

/* Is s the NUL-terminated t? Inline, byte by byte: the words compared
 * with option lists mostly differ from each option within two bytes. */
static bool str_eq(const char *s, const char *t)
{
	while (*s && *s == *t)
		s++, t++;
	return *s == *t;
}

/* Option word w against opt, as df_sh_has_flag() compares. Returns 1 for a
 * match taking its value from the next word, 2 for a value inside w, 0 for
 * no match. */
static int opt_match(const char *w, const char *opt)
{
	size_t n = 0;
	for (; opt[n]; n++)
		if (w[n] != opt[n])
			return 0;
	if (w[n] == '\0')
		return 1;
	if (w[n] == '=')
		return 2;
	/* -rFILE, but not -r matching --requirement's prefix */
	if (opt[0] == '-' && opt[1] != '-' && n == 2)
		return 2;
	return 0;
}

/* Whether one of a's options (before "--") matches flag. */
static bool has_opt(const args *a, size_t from, const char *flag)
{
	for (size_t i = from; i < a->n; i++) {
		if (str_eq(a->v[i], "--"))
			break;
		if (a->v[i][0] == '-' && opt_match(a->v[i], flag))
			return true;
	}
	return false;
}

static bool has_all(const args *a, size_t from, const char *const *flags)
{
	for (; flags && *flags; flags++)
		if (!has_opt(a, from, *flags))
			return false;
	return true;
}

static bool has_any(const args *a, size_t from, const char *const *flags)
{
	for (; flags && *flags; flags++)
		if (has_opt(a, from, *flags))
			return true;
	return false;
}

/*
 * The value of option word a->v[*i] if it is one of opts, else NULL;
 * advances *i past a separate value word.
 */
static const char *opt_value(const args *a, size_t *i, const char *const *opts)
{
	const char *w = a->v[*i];
	for (; opts && *opts; opts++) {
		int m = opt_match(w, *opts);
		if (m == 1 && *i + 1 < a->n)
			return a->v[++*i];
		if (m == 2) {
			size_t n = strlen(*opts);
			return w + n + (w[n] == '=');
		}
	}
	return NULL;
}


/* A local path rather than a package name or URL. Byte compares and one
 * measure of s, not a library call for each test: every argument of every
 * install comes here. */
static bool path_like(const df_eco_manager *m, const char *s)
{
	/* ".", "..", "./...", "../...", "/...", "~...", "file:..." */
	if ((s[0] == '.' && (s[1] == '\0' || s[1] == '/' || (s[1] == '.' && (s[2] == '\0' || s[2] == '/')))) ||
	    s[0] == '/' || s[0] == '~' || (s[0] == 'f' && strncmp(s, "file:", 5) == 0))
		return true;
	size_t n = strlen(s);
	for (const char *c = memchr(s, ':', n); c; c = memchr(c + 1, ':', n - (size_t)(c + 1 - s)))
		if (c[1] == '/' && c[2] == '/')
			return false;	/* a URL */
	if (df_mem_has_suffix(s, n, ".whl") || df_mem_has_suffix(s, n, ".tar.gz") || df_mem_has_suffix(s, n, ".tgz") ||
	    df_mem_has_suffix(s, n, ".zip"))
		return true;
	return m->slash_is_path && memchr(s, '/', n) && !memchr(s, '@', n);
}

/* ------------------------------------------------------------------------ */
/* Paths */

/* strlen(s) when s[from..] is clean: components neither empty nor "." nor
 * "..", one '/' between them, and one after the last only when slash_ok;
 * else 0. */
static size_t clean_len(const char *s, size_t from, bool slash_ok)
{
	for (size_t i = from;;) {
		/* Each manifest of each install is checked: a component at a
		 * step, not a byte. */
		size_t j = (size_t)(strchrnul(s + i, '/') - s);
		if (j == i || (s[i] == '.' && (j == i + 1 || (j == i + 2 && s[i + 1] == '.'))))
			return 0;
		if (!s[j])
			return j;
		if (!s[j + 1])
			return slash_ok ? j + 1 : 0;
		i = j + 1;
	}
}

/* How a join takes its base when the join is only a copy: 0 for none (NULL
 * or ""), the length of a clean absolute base, SIZE_MAX for any other base,
 * which needs the general join. */
static size_t clean_base_len(const char *base)
{
	if (!base || !*base)
		return 0;
	if (base[0] != '/')
		return SIZE_MAX;
	size_t bl = base[1] ? clean_len(base, 1, false) : 1;
	return bl ? bl : SIZE_MAX;
}

/* base[0..bl) (clean_base_len() of base, not SIZE_MAX) and the clean rel,
 * rl bytes long, side by side; rel is relative unless bl is 0. */
static char *join_copy(df_arena *a, const char *base, size_t bl, const char *rel, size_t rl)
{
	/* Written whole below: no clearing first. */
	char *out = df_arena_alloc_uninit(a, bl + (bl > 1) + rl + 1);
	size_t o = 0;
	if (bl) {
		memcpy(out, base, bl);
		o = bl;
		if (bl > 1)
			out[o++] = '/';
	}
	memcpy(out + o, rel, rl + 1);
	return out;
}

/* The join when it is only a copy: base (clean, absolute, or none) and rel
 * (clean) side by side, or rel clean and absolute, as most are; NULL for
 * the general case. */
static char *join_clean(df_arena *a, const char *base, const char *rel)
{
	size_t rl, bl = 0;
	if (rel[0] == '/') {
		rl = rel[1] ? clean_len(rel, 1, false) : 1;
	} else {
		rl = clean_len(rel, 0, true);
		if (rl)
			bl = clean_base_len(base);
	}
	if (!rl || bl == SIZE_MAX)
		return NULL;
	return join_copy(a, base, bl, rel, rl);
}

char *df_eco_path_join(df_arena *a, const char *base, const char *rel)
{
	char *clean = join_clean(a, base, rel);
	if (clean)
		return clean;
	/* The joined text, on the stack when it fits (nearly always: this
	 * runs for every manifest of every install, and a heap buffer each
	 * time cost more than the join); comp points into it. */
	char small[512];
	df_buf in = DF_BUF_INIT;
	size_t bl = rel[0] != '/' && base && *base ? strlen(base) : 0, rl = strlen(rel);
	size_t n = bl + (bl ? 1 : 0) + rl;
	char *s = small;
	if (n >= sizeof(small)) {
		df_buf_grow(&in, n + 1);
		s = in.buf;
	}
	if (bl) {
		memcpy(s, base, bl);
		s[bl] = '/';
		memcpy(s + bl + 1, rel, rl + 1);
	} else {
		memcpy(s, rel, rl + 1);
	}
	bool abs = s[0] == '/';
	bool dir = n > 1 && s[n - 1] == '/';

	/* The kept components, as a stack; ".." pops one. */
	df_str *comp = DF_ARENA_ARRAY(a, df_str, n / 2 + 1);
	size_t depth = 0;
	for (size_t i = 0; i < n;) {
		while (i < n && s[i] == '/')
			i++;
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		df_str c = {s + i, j - i};
		if (c.len == 0 || (c.len == 1 && c.ptr[0] == '.')) {
			/* nothing */
		} else if (c.len == 2 && c.ptr[0] == '.' && c.ptr[1] == '.') {
			if (depth > 0 && !(comp[depth - 1].len == 2 && comp[depth - 1].ptr[0] == '.'))
				depth--;
			else if (!abs)
				comp[depth++] = c;	/* a relative path climbing above its start */
		} else {
			comp[depth++] = c;
		}
		i = j;
	}
	char *out = df_arena_alloc(a, n + 3);
	size_t o = 0;
	if (abs)
		out[o++] = '/';
	for (size_t k = 0; k < depth; k++) {
		if (k > 0)
			out[o++] = '/';
		memcpy(out + o, comp[k].ptr, comp[k].len);
		o += comp[k].len;
	}
	if (o == 0)
		out[o++] = '.';
	if (dir && out[o - 1] != '/')
		out[o++] = '/';
	out[o] = '\0';
	df_buf_release(&in);
	return out;
}

/* Add path, the join of rel with the directory it is relative to. */
static df_eco_path *add_path(df_arena *a, df_eco_use *u, size_t *cap, const char *path, const char *rel,
			     bool named)
{
	if (u->nmanifests == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		/* Each slot is written whole as it is pushed. */
		u->manifests = df_arena_grow_uninit(a, u->manifests, *cap, ncap, sizeof(*u->manifests));
		*cap = ncap;
	}
	df_eco_path *p = &u->manifests[u->nmanifests++];
	p->path = path;
	p->glob = strpbrk(rel, "*?[") != NULL;
	p->dir = path[strlen(path) - 1] == '/';
	p->named = named;
	return p;
}

bool df_eco_cd(df_arena *a, const df_sh_cmd *c, size_t name, const char **cwd)
{
	if (c->kind != DF_SH_SIMPLE || name >= c->nwords || strcmp(c->words[name].value.ptr, "cd") != 0)
		return false;
	/* cd [-L|-P] [DIR] */
	size_t i = name + 1;
	while (i < c->nwords && (strcmp(c->words[i].value.ptr, "-L") == 0 ||
				 strcmp(c->words[i].value.ptr, "-P") == 0))
		i++;
	const char *dir = i < c->nwords ? c->words[i].value.ptr : NULL;
	if (!dir || strcmp(dir, "-") == 0 || dir[0] == '~' || strchr(dir, '$') || strchr(dir, '`') ||
	    (dir[0] != '/' && !*cwd))
		*cwd = NULL;
	else
		*cwd = df_eco_path_join(a, *cwd, dir);
	return true;
}

/* ------------------------------------------------------------------------ */
/* Classification */

/*
 * The managers' command names in an open-addressing table, each with the
 * first manager that lists it: every command of every RUN is looked up, and
 * most are no manager's (rm, echo, apt-get), which a scan of every list
 * took long to say. Built once, on first use (files are linted on several
 * threads).
 */
#define NAME_SLOTS 256		/* a power of two, at least twice the names */

typedef struct name_slot {
	const char *name;	/* NULL: free */
	size_t len;
	size_t manager;		/* index in managers */
} name_slot;

static name_slot names[NAME_SLOTS];
/* The managers' options that take a value (value_opts), in slots of the
 * same kind keyed by manager and option: every option word of an install
 * is looked up, and a manager lists up to thirty. */
#define VALUE_OPT_SLOTS 512	/* a power of two, at least twice the options */
static name_slot value_opts[VALUE_OPT_SLOTS];
/* By first byte, the lengths of the names starting with it: bit n for n
 * bytes (bit 31: 31 or more). Most commands fail this before any hash. */
static uint32_t name_lens[256];
/*
 * By manager, what an option word's second and third bytes must be for it
 * to match one of the manager's options that classify_by() looks for
 * (dir_opts, file_opts, source_opts, value_opts), as opt_match() compares:
 * the word starts with the option, so a two-byte option "-r" (which
 * matches "-rFILE" too) tells its second byte, a longer one its second and
 * third (pair_bit()). Many option words of an install match none, and
 * are mostly told so here, before the lists are searched.
 */
typedef struct opt_filter {
	uint64_t short_opts[4];	/* bit b: an option "-b" */
	uint64_t long_opts[4];	/* bit pair_bit(): an option of three bytes or more */
	bool off;		/* an option of one byte: every word may match */
} opt_filter;
static opt_filter opt_filters[NMANAGERS];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static uint32_t len_bit(size_t n)
{
	return (uint32_t)1 << (n < 31 ? n : 31);
}

/* FNV-1a of s[0..n). */
static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static name_slot *name_slot_of(const char *s, size_t n)
{
	for (size_t i = fnv1a(s, n) & (NAME_SLOTS - 1);; i = (i + 1) & (NAME_SLOTS - 1)) {
		name_slot *slot = &names[i];
		if (!slot->name || (slot->len == n && memcmp(slot->name, s, n) == 0))
			return slot;
	}
}

/* The slot of manager k's option s[0..n) in value_opts, or the free slot
 * where it goes. */
static name_slot *value_opt_slot_of(size_t k, const char *s, size_t n)
{
	uint32_t h = fnv1a(s, n) ^ (uint32_t)k * 2654435761u;
	for (size_t i = h & (VALUE_OPT_SLOTS - 1);; i = (i + 1) & (VALUE_OPT_SLOTS - 1)) {
		name_slot *slot = &value_opts[i];
		if (!slot->name || (slot->manager == k && slot->len == n && memcmp(slot->name, s, n) == 0))
			return slot;
	}
}

static unsigned char pair_bit(char second, char third)
{
	return (unsigned char)((unsigned char)second * 31u + (unsigned char)third);
}

static void bit_set(uint64_t bits[4], unsigned char b)
{
	bits[b / 64] |= (uint64_t)1 << (b % 64);
}

static bool bit_has(const uint64_t bits[4], unsigned char b)
{
	return bits[b / 64] >> (b % 64) & 1;
}

static void opt_filter_add(opt_filter *f, const char *const *opts)
{
	for (; opts && *opts; opts++) {
		const char *o = *opts;
		if (o[0] != '-')
			continue;	/* matches no option word */
		if (!o[1])
			f->off = true;
		else if (!o[2])
			bit_set(f->short_opts, (unsigned char)o[1]);
		else
			bit_set(f->long_opts, pair_bit(o[1], o[2]));
	}
}

/* Can option word w ("-" and at least one more byte) match one of manager
 * k's options (opt_filter)? */
static bool may_match_opt(size_t k, const char *w)
{
	const opt_filter *f = &opt_filters[k];
	return f->off || bit_has(f->short_opts, (unsigned char)w[1]) ||
	       (w[2] && bit_has(f->long_opts, pair_bit(w[1], w[2])));
}

/* df_eco_classify_by() joins the manifests of the table by a copy, which
 * only clean relative paths allow. */
static void check_manifests(const char *const *list)
{
	for (; list && *list; list++)
		if (!**list || **list == '/' || clean_len(*list, 0, true) != strlen(*list))
			DF_BUG("a manifest of the table that is not a clean relative path");
}

static void names_build(void)
{
	size_t used = 0;
	for (size_t k = 0; k < NMANAGERS; k++)
		for (const char *const *c = managers[k].commands; c && *c; c++) {
			name_slot *slot = name_slot_of(*c, strlen(*c));
			if (slot->name)
				continue;	/* an earlier manager's: it wins */
			if (++used > NAME_SLOTS / 2)
				DF_BUG("more command names than NAME_SLOTS / 2");
			*slot = (name_slot){ *c, strlen(*c), k };
			name_lens[(unsigned char)(*c)[0]] |= len_bit(strlen(*c));
		}
	used = 0;
	for (size_t k = 0; k < NMANAGERS; k++)
		for (const char *const *o = managers[k].value_opts; o && *o; o++) {
			name_slot *slot = value_opt_slot_of(k, *o, strlen(*o));
			if (slot->name)
				continue;	/* listed twice */
			if (++used > VALUE_OPT_SLOTS / 2)
				DF_BUG("more value options than VALUE_OPT_SLOTS / 2");
			*slot = (name_slot){ *o, strlen(*o), k };
		}
	for (size_t k = 0; k < NMANAGERS; k++) {
		opt_filter_add(&opt_filters[k], managers[k].dir_opts);
		opt_filter_add(&opt_filters[k], managers[k].file_opts);
		opt_filter_add(&opt_filters[k], managers[k].source_opts);
		opt_filter_add(&opt_filters[k], managers[k].value_opts);
		check_manifests(managers[k].manifests);
		for (const df_eco_verb *v = managers[k].verbs; v && v->words; v++)
			check_manifests(v->manifests);
	}
}

static void pair_add(unsigned char pairs[DF_ECO_NAME_PAIRS], const char *name)
{
	if (!name[0] || !name[1])
		DF_BUG("a manager's command or a runner shorter than two bytes");
	size_t bit = (size_t)(unsigned char)name[0] << 8 | (unsigned char)name[1];
	pairs[bit / 8] |= (unsigned char)(1u << (bit % 8));
}

void df_eco_name_pairs(unsigned char pairs[DF_ECO_NAME_PAIRS])
{
	for (size_t k = 0; k < NMANAGERS; k++)
		for (const char *const *c = managers[k].commands; c && *c; c++)
			pair_add(pairs, *c);
	for (size_t r = 0; r < sizeof(runners) / sizeof(runners[0]); r++)
		pair_add(pairs, runners[r].program);
}

/* The first manager whose commands hold s[0..n), or NMANAGERS. */
static size_t manager_named(const char *s, size_t n)
{
	if (!n || !(name_lens[(unsigned char)s[0]] & len_bit(n)))
		return NMANAGERS;
	const name_slot *slot = name_slot_of(s, n);
	return slot->name ? slot->manager : NMANAGERS;
}

/* Does option word w take the next word as its value (is it one of m's
 * value_opts)? */
static bool takes_value(const df_eco_manager *m, const char *w)
{
	return value_opt_slot_of((size_t)(m - managers), w, strlen(w))->name != NULL;
}

/* Word i of c counting from its name, by value. */
static const char *word_at(const df_sh_cmd *c, size_t name, size_t i)
{
	return c->words[name + i].value.ptr;
}

/* The manager run by the program c->words[name] names; *first is the index
 * (from the name) of its first argument. */
/* The manager runner r (p of the program word) runs as c's word after it
 * (python -m pip, php composer.phar), or NULL. */
static const df_eco_manager *run_by(const df_sh_cmd *c, size_t name, size_t r, size_t *first)
{
	size_t n = c->nwords - name, i = 1;
	if (runners[r].flag) {
		if (n < 2 || strcmp(word_at(c, name, 1), runners[r].flag) != 0)
			return NULL;
		i = 2;
	}
	if (i >= n)
		return NULL;
	const char *mp;
	size_t mlen, mwhole;
	program_name(word_at(c, name, i), &mp, &mlen, &mwhole);
	for (size_t k = 0; k < NMANAGERS; k++)
		if (in_list(managers[k].modules, mp, mlen) || in_list(managers[k].modules, mp, mwhole)) {
			*first = i + 1;
			return &managers[k];
		}
	return NULL;
}

/* by_runner (unless NULL): set when the program is a runner. */
static const df_eco_manager *find_manager_by(const df_sh_cmd *c, size_t name, size_t *first, bool *by_runner)
{
	const char *p;
	size_t len, whole;
	program_name(word_at(c, name, 0), &p, &len, &whole);
	for (size_t r = 0; r < sizeof(runners) / sizeof(runners[0]); r++)
		if (df_mem_eq(p, len, runners[r].program)) {
			if (by_runner)
				*by_runner = true;
			return run_by(c, name, r, first);
		}
	/* The first manager listing the name without its version suffix
	 * (pip3.12 is pip's) or with it. */
	pthread_once(&names_once, names_build);
	size_t k = manager_named(p, len), kw;
	if (whole != len && (kw = manager_named(p, whole)) < k)
		k = kw;
	if (k == NMANAGERS)
		return NULL;
	*first = 1;
	return &managers[k];
}

static const df_eco_manager *find_manager(const df_sh_cmd *c, size_t name, size_t *first)
{
	return find_manager_by(c, name, first, NULL);
}

const df_eco_manager *df_eco_manager_of(const df_sh_cmd *c, size_t name)
{
	size_t first;
	if (c->kind != DF_SH_SIMPLE || name >= c->nwords)
		return NULL;
	return find_manager(c, name, &first);
}

const df_eco_manager *df_eco_manager_run(const df_sh_cmd *c, size_t name, bool *by_runner)
{
	size_t first;
	*by_runner = false;
	if (c->kind != DF_SH_SIMPLE || name >= c->nwords)
		return NULL;
	return find_manager_by(c, name, &first, by_runner);
}

/* Does verb (space-separated words) match pos[0..]? Returns its word count. */
static size_t verb_match(const char *verb, const char **pos, size_t npos)
{
	size_t k = 0;
	const char *s = verb;
	while (*s) {
		if (k >= npos)
			return 0;
		/* One word of the verb against pos[k], byte by byte. */
		const char *w = pos[k];
		while (*s && *s != ' ' && *s == *w)
			s++, w++;
		if (*w || (*s && *s != ' '))
			return 0;
		k++;
		while (*s == ' ')
			s++;
	}
	return k;
}

static const df_eco_verb *find_verb(const df_eco_manager *m, const char *word)
{
	for (const df_eco_verb *v = m->verbs; v && v->words; v++)
		if (str_eq(v->words, word))
			return v;
	return NULL;
}

/* Goals mode: the strongest class among the goals (SOURCES > DEPS > NONE). */
static const df_eco_verb *judge_goals(const df_eco_manager *m, const char **pos, size_t npos,
				      df_eco_use *out)
{
	const df_eco_verb *best = NULL;
	out->kind = DF_ECO_NONE;
	for (size_t i = 0; i < npos; i++) {
		const df_eco_verb *v = find_verb(m, pos[i]);
		df_eco_kind k = v ? v->kind : m->other;
		if (k > out->kind) {
			out->kind = k;
			out->verb = pos[i];
			best = v;
		}
	}
	if (out->kind == DF_ECO_NONE && npos > 0)
		out->verb = pos[0];
	if (out->kind == DF_ECO_SOURCES)
		out->why = best ? "reads the sources" : "runs a goal that reads the sources";
	return out->kind == DF_ECO_DEPS ? best : NULL;
}

void df_eco_classify(df_arena *a, const df_sh_cmd *c, size_t name, const char *cwd,
		     df_eco_use *out)
{
	df_eco_classify_by(a, c, name, NULL, cwd, out);
}

void df_eco_classify_by(df_arena *a, const df_sh_cmd *c, size_t name, const df_eco_manager *m,
			const char *cwd, df_eco_use *out)
{
	memset(out, 0, sizeof(*out));
	out->verb = "";
	if (c->kind != DF_SH_SIMPLE || name >= c->nwords)
		return;
	/* Most commands are no manager's: said before anything is copied.
	 * A manager named by the program itself has its arguments from the
	 * word after the name. */
	size_t first = 1;
	if (!m && !(m = find_manager(c, name, &first)))
		return;
	out->manager = m;
	pthread_once(&names_once, names_build);	/* for may_match_opt(), takes_value() */
	/* The words, then room for the positionals and the files: on the
	 * stack for a command of usual length (nothing in out points there). */
	size_t nw = c->nwords - name;
	const char *small[3 * 16];
	const char **words = nw <= 16 ? small : DF_ARENA_ARRAY(a, const char *, 3 * nw);
	args av = {words, nw};
	for (size_t i = 0; i < av.n; i++)
		av.v[i] = c->words[name + i].value.ptr;

	/* Positionals, and the values of the options that matter. */
	const char **pos = words + nw;
	size_t npos = 0;
	const char **files = words + 2 * nw;
	size_t nfiles = 0;
	const char *dir = NULL, *source = NULL;
	bool dashdash = false;
	for (size_t i = first; i < av.n; i++) {
		const char *w = av.v[i];
		if (dashdash || w[0] != '-' || w[1] == '\0') {
			pos[npos++] = w;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!may_match_opt((size_t)(m - managers), w))
			continue;
		size_t j = i;
		const char *v;
		if ((v = opt_value(&av, &j, m->dir_opts)))
			dir = v;
		else if ((v = opt_value(&av, &j, m->file_opts)))
			files[nfiles++] = v;
		else if ((v = opt_value(&av, &j, m->source_opts)))
			source = source && path_like(m, source) ? source : v;
		else if (takes_value(m, w) && i + 1 < av.n)
			j = i + 1;
		i = j;
	}

	const df_eco_verb *verb = NULL;
	size_t nverb = 0;
	if (m->goals) {
		verb = judge_goals(m, pos, npos, out);
		if (!verb)
			return;
	} else {
		for (const df_eco_verb *v = m->verbs; v && v->words; v++) {
			size_t k = verb_match(v->words, pos, npos);
			bool bare = v->words[0] == '\0' && npos == 0;
			if ((k || bare) && (!verb || k > nverb)) {
				verb = v;
				nverb = k;
			}
		}
		if (!verb) {
			out->kind = m->other;
			out->verb = npos ? pos[0] : "";
			if (m->other == DF_ECO_SOURCES)
				out->why = "runs a project script";
			return;
		}
		out->verb = verb->words;
		out->kind = verb->kind;
	}

	/* Judge the arguments after the verb. */
	const char **rest = pos + nverb;
	size_t nrest = m->goals ? 0 : npos - nverb;
	bool any_path = false, all_at = nrest > 0;
	for (size_t i = 0; i < nrest; i++) {
		any_path |= path_like(m, rest[i]);
		all_at &= strchr(rest[i], '@') != NULL && !path_like(m, rest[i]);
	}
	if (source && path_like(m, source)) {
		out->kind = DF_ECO_SOURCES;
		out->why = "installs a local path";
		return;
	}
	if (out->kind == DF_ECO_SOURCES) {
		if ((verb->flags & DF_ECO_AT_PKGS) && all_at) {
			out->kind = DF_ECO_PACKAGES;
			out->why = "installs named packages";
		} else {
			out->why = verb->why ? verb->why : "reads the sources";
		}
		return;
	}
	if (verb->flags & DF_ECO_ARGS_PKGS) {
		bool by_file = (verb->flags & DF_ECO_NEEDS_FILE) && nfiles > 0;
		if (any_path) {
			out->kind = DF_ECO_SOURCES;
			out->why = "installs a local path";
			return;
		}
		if (nrest > 0 && !by_file) {
			out->kind = DF_ECO_PACKAGES;
			out->why = "installs named packages";
			return;
		}
	}
	if (out->kind == DF_ECO_PACKAGES) {
		out->why = "installs named packages";
		return;
	}
	if (source) {
		/* pip -e git+https://...: a named package */
		if (!((verb->flags & DF_ECO_NEEDS_FILE) && nfiles > 0)) {
			out->kind = DF_ECO_PACKAGES;
			out->why = "installs named packages";
			return;
		}
	}
	if (out->kind != DF_ECO_DEPS)
		return;
	if ((verb->flags & DF_ECO_NEEDS_FILE) && nfiles == 0) {
		/* pip install with nothing to install */
		out->kind = DF_ECO_NONE;
		return;
	}
	if (!has_all(&av, first, verb->need_all) ||
	    (verb->need_any && !has_any(&av, first, verb->need_any))) {
		/* It installs the dependencies and reads the sources too:
		 * what it reads is filled all the same, for a rule that
		 * suggests the flags (see split_flags). */
		out->kind = DF_ECO_SOURCES;
		out->why = verb->why;
		out->split_any = has_all(&av, first, verb->need_all);
		out->split_flags = out->split_any ? verb->need_any : verb->need_all;
	}

	/* A dependency install (or one short of split_flags): what it reads. */
	out->dir = dir ? df_eco_path_join(a, cwd, dir) : cwd;
	size_t cap = 0;
	const char *const *list = verb->manifests ? verb->manifests : m->manifests;
	/* The table's names are clean and relative (names_build() checks):
	 * with a directory found clean, once for them all, each join is a
	 * copy. */
	size_t bl = clean_base_len(out->dir);
	for (; list && *list; list++)
		add_path(a, out, &cap,
			 bl == SIZE_MAX ? df_eco_path_join(a, out->dir, *list)
					: join_copy(a, out->dir, bl, *list, strlen(*list)),
			 *list, false);
	/* ./gradlew, ./mvnw: the wrapper script comes from the context too */
	if (strchr(av.v[0], '/') && av.v[0][0] != '/')
		add_path(a, out, &cap, df_eco_path_join(a, cwd, av.v[0]), av.v[0], true);
	for (size_t i = 0; i < nfiles; i++)
		add_path(a, out, &cap, df_eco_path_join(a, cwd, files[i]), files[i], true);
	if (verb->flags & DF_ECO_ARGS_FILES)
		for (size_t i = 0; i < nrest; i++)
			add_path(a, out, &cap, df_eco_path_join(a, cwd, rest[i]), rest[i], true);
	/* a named file may include others (pip -r inside -r); a glob needs the
	 * context to say what it reads */
	out->exact = m->exact && nfiles == 0 && !((verb->flags & DF_ECO_ARGS_FILES) && nrest);
	for (size_t i = 0; i < out->nmanifests; i++)
		if (out->manifests[i].glob)
			out->exact = false;
	out->scripts = (verb->flags & DF_ECO_SCRIPTS) && !has_any(&av, first, m->scripts_off);
}

void df_eco_use_dump(const df_eco_use *u, df_buf *out)
{
	if (!u->manager && u->kind == DF_ECO_NONE) {
		df_buf_adds(out, "none");
		return;
	}
	df_buf_addf(out, "%s %s %s", df_eco_kind_name(u->kind), u->manager->name,
		    *u->verb ? u->verb : "''");
	if (u->why)
		df_buf_addf(out, " (%s)", u->why);
	if (u->kind != DF_ECO_DEPS)
		return;
	if (u->exact)
		df_buf_adds(out, " exact");
	if (u->scripts)
		df_buf_adds(out, " scripts");
	df_buf_addc(out, ':');
	for (size_t i = 0; i < u->nmanifests; i++)
		df_buf_addf(out, " %s", u->manifests[i].path);
}
