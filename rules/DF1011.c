/* DF1011 - a single-stage build keeps its compilers in the image. */
#include "context/glob.h"
#include "engine/cmds.h"
#include "engine/ospkg.h"
#include "engine/rule.h"
#include "util/util.h"

#include <string.h>

static int on_build(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state);
static void check(df_lint *lint, void *state);

/* Commands that compile or assemble a program, with the verb (the first
 * positional words, NULL-terminated) that makes them do so, or none for
 * any use. The entries of one name are next to each other, and either all
 * have a verb or the name has one entry; every verb ends with the word
 * "build". Those with a verb first: most commands asked about are npm,
 * yarn or go. */
typedef struct build_cmd {
	const char *name;
	const char *verb[3];
} build_cmd;

static const build_cmd builds[] = {
	{ "npm", { "run", "build" } }, { "yarn", { "build" } }, { "yarn", { "run", "build" } },
	{ "pnpm", { "build" } }, { "pnpm", { "run", "build" } }, { "go", { "build" } },
	{ "cargo", { "build" } },
	{ "make", { NULL } }, { "cmake", { NULL } }, { "ninja", { NULL } }, { "meson", { NULL } },
	{ "configure", { NULL } }, { "gcc", { NULL } }, { "g++", { NULL } }, { "cc", { NULL } },
	{ "c++", { NULL } }, { "clang", { NULL } }, { "clang++", { NULL } },
};

const df_rule df_rule_DF1011 = {
	.code = "DF1011",
	.name = "build-tooling-in-final-stage",
	.severity = DF_SEV_INFO,
	.category = DF_CAT_SIZE,
	.fix = DF_FIX_NONE,
	.message = "compilers and headers stay in the image of a single-stage build",
	.docs = {
		.what = "Reports, in a Dockerfile with a single stage, a system package install "
			"(apt, apk, dnf, yum, zypper) of build tooling, when a later command builds "
			"something with it. Tooling is compilers and build tools (`gcc`, `g++`, "
			"`gcc-c++`, `clang`, `make`, `cmake`, `ninja-build`, `meson`, `build-essential`, "
			"`build-base`, `autoconf`, `automake`, `libtool`, `pkg-config`, `golang`, "
			"`rustc`, `cargo`, versioned `gcc-12` and the like) and development headers "
			"(`*-dev`, `*-devel`). A build is `make`, `cmake`, `ninja`, `meson`, "
			"`./configure`, a direct `gcc`/`cc`/`clang` call, `go build`, `cargo build`, or "
			"`npm`/`yarn`/`pnpm` `run build`. It stays quiet when the file has several "
			"stages (the final one is a choice then), when nothing is built after the "
			"install (a `pip install` that compiles a native wheel needs gcc while it "
			"installs, and nothing shows what it leaves), and when a removal of the same "
			"manager (`apt-get purge`, `apk del .build-deps`, `dnf remove`) comes after the "
			"install. The finding names the first three packages.",
		.why = "Compilers and headers are hundreds of megabytes the running program never "
		       "uses, and tools an attacker in the container can use. A build stage with "
		       "the toolchain and a final stage that copies only the result ship a fraction "
		       "of it, and the final stage's cache no longer depends on the toolchain.",
		.example = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends "
			   "gcc make libc6-dev\nCOPY . /src\nRUN make -C /src && cp /src/app /usr/local/bin/\n"
			   "CMD [\"app\"]\n",
		.instead = "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y "
			   "--no-install-recommends gcc make libc6-dev\nCOPY . /src\nRUN make -C /src\n"
			   "FROM debian:12-slim\nCOPY --from=build /src/app /usr/local/bin/\nCMD [\"app\"]\n",
	},
	.state_size = sizeof(bool),
	.commands = (const char *const[]){ "make", "cmake", "ninja", "meson", "configure", "gcc", "g++", "cc", "c++",
					   "clang", "clang++", "go", "cargo", "npm", "yarn", "pnpm", NULL },
	.on_command = on_build,
	.on_file_end = check,
};

/* Build tooling, by package name: the names, the filepath.Match patterns
 * `gcc-[0-9]*`, `g++-[0-9]*` and `clang-[0-9]*`, and `*-dev`, `*-devel`.
 * Every package of every install is looked up, and most are none of them:
 * the names are compared in place, the suffixes directly (a `*` matches
 * no `/`), and only a name with a pattern's prefix goes to the matcher. */
static const char *const tooling_names[] = {
	"gcc", "g++", "gcc-c++", "cpp", "clang", "llvm", "make", "cmake", "ninja-build", "meson",
	"build-essential", "build-base", "autoconf", "automake", "libtool", "pkg-config", "pkgconf",
	"golang", "golang-go", "rustc", "cargo",
};

static const struct {
	const char *prefix;	/* the literal part, which the name must start with */
	const char *glob;
} tooling_globs[] = {
	{ "gcc-", "gcc-[0-9]*" }, { "g++-", "g++-[0-9]*" }, { "clang-", "clang-[0-9]*" },
};

static bool is_tooling(df_str name)
{
	char buf[256];
	if (!name.len || name.len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < DF_ARRAY_LEN(tooling_names); i++)
		if (df_mem_eq(name.ptr, name.len, tooling_names[i]))
			return true;
	if ((df_mem_has_suffix(name.ptr, name.len, "-dev") || df_mem_has_suffix(name.ptr, name.len, "-devel")) &&
	    !memchr(name.ptr, '/', name.len))
		return true;
	for (size_t i = 0; i < DF_ARRAY_LEN(tooling_globs); i++) {
		if (!df_mem_has_prefix(name.ptr, name.len, tooling_globs[i].prefix))
			continue;
		memcpy(buf, name.ptr, name.len);
		buf[name.len] = '\0';
		if (df_glob_match(tooling_globs[i].glob, buf, NULL) == 1)
			return true;
	}
	return false;
}

/* Is v a build (builds[])? If so, *last is the index in the expanded
 * command's words of its last word that says so (the name, or the verb). */
static bool build_of(df_lint *lint, const df_cmd_view *v, size_t *last)
{
	size_t i = 0;
	while (i < DF_ARRAY_LEN(builds) && !df_cmd_named(v, builds[i].name))
		i++;
	if (i == DF_ARRAY_LEN(builds))
		return false;
	*last = v->name;
	if (!builds[i].verb[0])
		return true;
	/* Most commands of these names (npm ci, go mod download) have no
	 * word "build": their positionals need no look. */
	const df_sh_cmd *c = df_lint_expanded(lint, v)->cmd;
	bool build = false;
	for (size_t j = v->name + 1; j < c->nwords && !build; j++)
		build = df_mem_eq(c->words[j].value.ptr, c->words[j].value.len, "build");
	if (!build)
		return false;
	size_t n;
	const df_sh_word **pos = df_lint_positionals(lint, c, v->name, NULL, &n);
	for (const char *name = builds[i].name; i < DF_ARRAY_LEN(builds) && !strcmp(builds[i].name, name); i++) {
		const char *const *verb = builds[i].verb;
		size_t k = 0;
		for (; verb[k] && k < n && df_mem_eq(pos[k]->value.ptr, pos[k]->value.len, verb[k]); k++)
			*last = (size_t)(pos[k] - c->words);
		if (!verb[k])
			return true;
	}
	return false;
}

/* State: whether a RUN builds. Most files build nothing: the installs are
 * read, at the end, only for those that do. */
static int on_build(df_lint *lint, const df_instr *in, const df_cmd_view *v, void *state)
{
	/* One build decides: the file's later commands need no look. */
	if (*(bool *)state)
		return 1;
	size_t last;
	if (in->outer || !build_of(lint, v, &last))
		return 0;
	*(bool *)state = true;
	return 1;
}

typedef struct walk {
	df_lint *lint;
	size_t ninstr;			/* the RUN being walked */
	df_span pkgs[3];		/* the first tooling packages installed */
	size_t npkgs;
	uint32_t install_line;
	const df_ospkg_manager *manager;	/* of the first of them */
	bool removed;			/* a removal of that manager after it */
	bool built;			/* a build after it */
	df_span build_span;		/* the first such build's command name */
	uint32_t build_line;
} walk;

static int each(const df_cmd_view *v, void *ud)
{
	walk *w = ud;
	df_ospkg_use u;
	if (df_ospkg_read(w->lint, v, &u)) {
		if (u.action == DF_OSPKG_REMOVE && w->manager == u.manager)
			w->removed = true;
		for (size_t i = 0; u.action == DF_OSPKG_INSTALL && i < u.npkgs; i++) {
			if (u.pkgs[i]->has_expansion || !is_tooling(df_ospkg_name(u.pkgs[i])))
				continue;
			if (!w->manager) {
				w->manager = u.manager;
				w->install_line = df_lint_doc(w->lint)->instrs[w->ninstr]->line;
			}
			if (w->npkgs < 3)
				w->pkgs[w->npkgs] = df_cmd_word_span(u.cmd, (size_t)(u.pkgs[i] - u.cmd->cmd->words));
			w->npkgs++;
		}
		return 0;
	}
	size_t last;
	if (w->manager && !w->built && build_of(w->lint, v, &last)) {
		w->built = true;
		w->build_span = df_cmd_word_span(v, v->name);
		w->build_span.end = df_cmd_word_span(df_lint_expanded(w->lint, v), last).end;
		w->build_line = df_lint_doc(w->lint)->instrs[w->ninstr]->line;
	}
	return 0;
}

static void check(df_lint *lint, void *state)
{
	const df_graph *g = df_lint_graph(lint);
	if (!*(bool *)state || g->nstages != 1)
		return;
	const df_doc *doc = df_lint_doc(lint);
	walk w = { .lint = lint };
	for (size_t i = 0; i < doc->ninstrs; i++) {
		w.ninstr = i;
		df_lint_each_command(lint, doc->instrs[i], each, &w);
	}
	if (!w.manager || !w.built || w.removed)
		return;
	df_buf msg = DF_BUF_INIT;
	size_t shown = w.npkgs < 3 ? w.npkgs : 3;
	for (size_t k = 0; k < shown; k++) {
		if (k)
			df_buf_adds(&msg, k + 1 == shown && w.npkgs <= 3 ? " and " : ", ");
		df_buf_add(&msg, doc->src.data + w.pkgs[k].start, w.pkgs[k].end - w.pkgs[k].start);
	}
	if (w.npkgs > 3)
		df_buf_addf(&msg, " and %zu more", w.npkgs - 3);
	df_buf_addf(&msg, " (line %u) %s in the image, yet after `%.*s` (line %u) only what it built is "
			  "needed: build in a stage of its own and COPY --from it the result into a slim final stage",
		    w.install_line, w.npkgs == 1 ? "stays" : "stay", (int)(w.build_span.end - w.build_span.start), doc->src.data + w.build_span.start,
		    w.build_line);
	df_report(lint, &df_rule_DF1011, w.pkgs[0], "%s", df_buf_str(&msg));
	df_buf_release(&msg);
}
