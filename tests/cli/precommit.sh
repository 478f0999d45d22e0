#!/bin/sh
# precommit.sh - the hooks of .pre-commit-hooks.yaml under the real
# pre-commit tool: a throw-away project whose .pre-commit-config.yaml takes
# this source tree as the hook repository, the dfopt under test first on
# PATH. A commit of a Dockerfile with findings is refused with the findings
# shown, a clean one is made, a file that is no Dockerfile is skipped;
# dfopt-fix rewrites a fixable file, pre-commit says so and refuses the
# commit, and the rewritten file then commits. The hooks' `files` pattern
# picks exactly what `dfopt lint DIR` discovers.
#
# The hook repository is the source tree itself at HEAD when it is the top
# of a git work tree whose hook files are committed as they are; otherwise
# (a tarball, as in `make distcheck`, or hook files not committed yet) a
# git repository made here holding a copy of them. Skipped (77) without
# pre-commit or git; needs no network (the hooks are `language: script`).
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

for tool in pre-commit git python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "precommit: SKIP: no $tool"
		exit 77
	fi
done

hook_files=".pre-commit-hooks.yaml .ci/pre-commit-hook"
src=$(cd "$SRC" && pwd -P)

# No setting of the developer's or of an enclosing git run leaks in.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE PRE_COMMIT_COLOR SKIP
GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
PRE_COMMIT_HOME=$tmp/pre-commit-cache
export GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL PRE_COMMIT_HOME
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global safe.directory '*'

# The dfopt under test is the one the hooks find.
mkdir -p "$tmp/bin"
ln -s "$(cd "$(dirname "$DFOPT")" && pwd -P)/$(basename "$DFOPT")" "$tmp/bin/dfopt"
PATH=$tmp/bin:$PATH
export PATH

# shellcheck disable=SC2086 # the file list splits on blanks
if [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" = "$src" ] &&
	git -C "$src" ls-files --error-unmatch $hook_files >/dev/null 2>&1 &&
	git -C "$src" diff --quiet HEAD -- $hook_files; then
	repo=$src
	echo "precommit: hook repository $repo"
else
	repo=$tmp/hook-repo
	mkdir -p "$repo/.ci"
	for f in $hook_files; do
		cp -p "$src/$f" "$repo/$f"
	done
	git -C "$repo" init -q
	git -C "$repo" add .
	git -C "$repo" commit -q -m "hooks"
	echo "precommit: hook repository: a copy of the hook files in $repo"
fi
rev=$(git -C "$repo" rev-parse HEAD)

# project HOOK...: a new git project in $tmp/proj using the hooks.
project() {
	rm -rf "$tmp/proj"
	git init -q "$tmp/proj"
	{
		echo "repos:"
		echo "- repo: $repo"
		echo "  rev: $rev"
		echo "  hooks:"
		for h in "$@"; do
			echo "  - id: $h"
		done
	} >"$tmp/proj/.pre-commit-config.yaml"
	(cd "$tmp/proj" && pre-commit install) >"$tmp/out" 2>&1 || { bad "pre-commit install"; cat "$tmp/out"; }
	(cd "$tmp/proj" && git add .pre-commit-config.yaml && git commit -q -m config) >"$tmp/out" 2>&1 ||
		{ bad "commit of the config"; cat "$tmp/out"; }
}

# commit MESSAGE FILE...: stage the files and commit them in $tmp/proj;
# pre-commit's report in $tmp/out, the exit status in $rc.
commit() {
	msg=$1; shift
	(cd "$tmp/proj" && git add -- "$@" && git commit -q -m "$msg") >"$tmp/out" 2>&1
	rc=$?
}

head_subject() { git -C "$tmp/proj" log -1 --format=%s; }

# --- dfopt: a commit with findings is refused, a clean one is made --------
project dfopt
printf 'FROM ubuntu\nRUN cd /tmp && make\n' >"$tmp/proj/Dockerfile"
commit "bad" Dockerfile
if [ "$rc" -ne 0 ]; then ok; else bad "dfopt: a Dockerfile with findings was committed"; fi
contains "$tmp/out" "dfopt" "dfopt: the hook ran"
contains "$tmp/out" "Failed" "dfopt: the hook failed"
contains "$tmp/out" "Dockerfile:1:6 DL3006 warning" "dfopt: the findings are shown"
contains "$tmp/out" "DL3003" "dfopt: every finding is shown"
is "dfopt: no commit made" "$(head_subject)" "config"

printf 'FROM alpine:3.20\nUSER 65534\nCMD ["true"]\n' >"$tmp/proj/Dockerfile"
mkdir -p "$tmp/proj/svc"
printf 'FROM alpine:3.20\nUSER 65534\n' >"$tmp/proj/svc/api.Dockerfile"
commit "good" Dockerfile svc/api.Dockerfile
is "dfopt: a clean commit exits 0" "$rc" 0
contains "$tmp/out" "Passed" "dfopt: the hook passed"
is "dfopt: the clean commit is made" "$(head_subject)" "good"

# A change to no Dockerfile: the hook has nothing to check.
echo notes >"$tmp/proj/notes.txt"
printf 'FROM ubuntu\n' >"$tmp/proj/Dockerfile.dockerignore"
commit "notes" notes.txt Dockerfile.dockerignore
is "dfopt: other files commit" "$rc" 0
contains "$tmp/out" "Skipped" "dfopt: skipped without Dockerfiles"

# A finding in a subdirectory's Dockerfile, by its path from the top.
printf 'FROM ubuntu\n' >"$tmp/proj/svc/api.Dockerfile"
commit "bad svc" svc/api.Dockerfile
if [ "$rc" -ne 0 ]; then ok; else bad "dfopt: svc/api.Dockerfile with findings was committed"; fi
contains "$tmp/out" "svc/api.Dockerfile:1:6 DL3006" "dfopt: a finding in a subdirectory"

# --- dfopt-fix: the hook rewrites the file; pre-commit refuses, then takes it
project dfopt-fix dfopt
printf 'FROM alpine:3.20\nRUN apk add curl=8.9.1-r0\nUSER 65534\n' >"$tmp/proj/app.Dockerfile"
commit "unfixed" app.Dockerfile
if [ "$rc" -ne 0 ]; then ok; else bad "dfopt-fix: the commit was made before the fix was staged"; fi
contains "$tmp/out" "files were modified by this hook" "dfopt-fix: pre-commit reports the rewrite"
contains "$tmp/out" "app.Dockerfile:2:5: fixed DL3019" "dfopt-fix: the fix is named"
contains "$tmp/proj/app.Dockerfile" "RUN apk add --no-cache curl=8.9.1-r0" "dfopt-fix: the file is fixed"
is "dfopt-fix: no commit made" "$(head_subject)" "config"
commit "fixed" app.Dockerfile
is "dfopt-fix: the fixed file commits" "$rc" 0
is "dfopt-fix: the fixed commit is made" "$(head_subject)" "fixed"
if [ "$rc" -ne 0 ]; then cat "$tmp/out"; fi

# --- files: the pattern picks what dfopt's discovery picks -----------------
# Every name gets the same finding; pre-commit passes the hook the names
# its pattern matches (gnu output: one line each), `dfopt lint DIR` lists
# the names its discovery finds.
project dfopt
cat >"$tmp/proj/.pre-commit-config.yaml" <<EOF
repos:
- repo: $repo
  rev: $rev
  hooks:
  - id: dfopt
    args: [--no-fail, -f, gnu]
    verbose: true
EOF
mkdir -p "$tmp/proj/names/svc"
for n in Dockerfile dockerfile Containerfile containerfile Dockerfile.dev dockerfile.prod Containerfile.x \
	api.Dockerfile web.dockerfile a.b.Containerfile x.containerfile svc/Dockerfile svc/api.Dockerfile \
	svc/Dockerfile.a.b Dockerfile. .Dockerfile .hidden.Dockerfile Dockerfile.dockerignore \
	api.Dockerfile.dockerignore Containerfile.containerignore .dockerignore DockerFile dockerfiles \
	Dockerfile-dev Dockerfilex xDockerfile Dockerfile.d/x notes.txt; do
	mkdir -p "$(dirname "$tmp/proj/names/$n")"
	printf 'FROM ubuntu\n' >"$tmp/proj/names/$n"
done
(cd "$tmp/proj" && git add -A && pre-commit run --all-files) >"$tmp/out" 2>&1
sed -n 's/^\(names\/[^:]*\):1\.6-.*DL3006.*/\1/p' "$tmp/out" | sort >"$tmp/by-pre-commit"
(cd "$tmp/proj" && dfopt lint --no-fail -f gnu names) | sed -n 's/^\(names\/[^:]*\):1\.6-.*DL3006.*/\1/p' | sort >"$tmp/by-dfopt"
if [ "$(wc -l <"$tmp/by-dfopt")" -eq 14 ]; then ok; else bad "files: dfopt discovered $(wc -l <"$tmp/by-dfopt") names, want 14"; fi
same "$tmp/by-pre-commit" "$tmp/by-dfopt" "files: pre-commit's pattern and dfopt's discovery"

finish precommit
