#!/bin/sh
# dfopt measure: the example app built as it is and as --fix rewrites it,
# through a source edit, a manifest edit and a replayed git history; the
# rewrite keeps the install cached where the original rebuilds it, both
# build the same file system, and a dry run agrees with real builds.
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

export DFOPT_STORE="$tmp/store"
# shellcheck source=tests/cli/build-image.sh
. "$SRC/tests/cli/build-image.sh"

app=$tmp/node-app
cp -R "$SRC/fixtures/build/node-app" "$app"
chmod -R u+w "$app"
cp "$app/Dockerfile" "$tmp/Dockerfile.before"

# cell FILE SCENARIO VARIANT FIELD: one figure of a JSON report (0: original, 1: fixed).
cell() {
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
s = [s for s in r["scenarios"] if s["name"] == sys.argv[2] or s["name"].startswith(sys.argv[2] + " ")]
print(s[0]["variants"][int(sys.argv[3])].get(sys.argv[4], "-") if s else "none")' "$@"
}

expect 0 "measure with verify" "$DFOPT" measure --verify --format json --svg "$tmp/chart.svg" "$app"
cp "$tmp/out" "$tmp/real.json"
same "$app/Dockerfile" "$tmp/Dockerfile.before" "the user's Dockerfile is untouched"
holds "the user's context got no build output" test ! -e "$app/node_modules"
contains "$tmp/out" '"same":	true' "both variants build the same file system"
contains "$tmp/out" "COPY package.json package-lock.json ./" "the rewrite is shown"
# cold: original WORKDIR, COPY . ., RUN; fixed WORKDIR, COPY manifests, RUN, COPY . .
is "cold original steps" "$(cell "$tmp/out" cold 0 steps)" 3
is "cold fixed steps" "$(cell "$tmp/out" cold 1 steps)" 4
is "cold original rebuilt" "$(cell "$tmp/out" cold 0 rebuilt)" 3
is "no change: original hits" "$(cell "$tmp/out" no-change 0 hits)" 3
is "no change: fixed hits" "$(cell "$tmp/out" no-change 1 hits)" 4
# A source edit: the original re-runs the install, the rewrite only copies.
is "source edit: original rebuilt" "$(cell "$tmp/out" source 0 rebuilt)" 2
is "source edit: fixed rebuilt" "$(cell "$tmp/out" source 1 rebuilt)" 1
is "source edit: fixed hits" "$(cell "$tmp/out" source 1 hits)" 3
# A manifest edit: both re-run the install.
is "manifest edit: original rebuilt" "$(cell "$tmp/out" manifest 0 rebuilt)" 2
is "manifest edit: fixed rebuilt" "$(cell "$tmp/out" manifest 1 rebuilt)" 3
contains "$tmp/chart.svg" "<svg" "the chart is SVG"
contains "$tmp/chart.svg" "source" "the chart has the scenarios"
secs=$(cell "$tmp/out" source 0 seconds)
holds "the original's source-edit rebuild took $secs s, want the install's second" \
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 1 else 1)' "$secs"

# The dry run computes the same hits as the real builds.
expect 0 "dry run" "$DFOPT" measure --dry-run --format json "$app"
for sc in cold no-change source manifest; do
	for v in 0 1; do
		is "dry run $sc/$v hits" "$(cell "$tmp/out" "$sc" "$v" hits)" "$(cell "$tmp/real.json" "$sc" "$v" hits)"
	done
done

# Table and Markdown.
expect 0 "table" "$DFOPT" measure --dry-run "$app"
contains "$tmp/out" "scenario" "table header"
contains "$tmp/out" "fixed" "table rows"
expect 0 "markdown" "$DFOPT" measure --dry-run --format markdown "$app"
contains "$tmp/out" "| scenario | variant |" "markdown table"

# History: a repository with a source commit and a manifest commit.
repo=$tmp/repo
cp -R "$SRC/fixtures/build/node-app" "$repo"
chmod -R u+w "$repo"
git -C "$repo" init -q
git -C "$repo" -c user.name=t -c user.email=t@example.com add -A
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -qm "first"
echo 'console.log("two");' >>"$repo/src/index.js"
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -qam "edit a source"
sed -i 's/1.3.0/1.3.1/' "$repo/package.json" "$repo/package-lock.json"
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -qam "bump left-pad"
echo 'tmp' >"$repo/untracked.txt"
expect 0 "history" "$DFOPT" measure --history 2 --format json "$repo"
is "history: base is a scenario" "$(cell "$tmp/out" base 0 steps)" 3
is "history: source commit, original rebuilt" "$(cell "$tmp/out" "commit" 0 rebuilt)" 2
is "history: source commit, fixed rebuilt" "$(cell "$tmp/out" "commit" 1 rebuilt)" 1
holds "history: per-commit figures" python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
c = [s for s in r["scenarios"] if s["name"].startswith("commit ")]
assert [s["detail"] for s in c] == ["edit a source", "bump left-pad"], c
assert [s["variants"][1]["rebuilt"] for s in c] == [1, 3], c
assert [s["variants"][0]["rebuilt"] for s in c] == [2, 2], c' "$tmp/out"
is "history leaves the repository alone" "$(git -C "$repo" status --porcelain)" "?? untracked.txt"

# --against another file, and errors.
printf 'FROM busybox\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n' >"$tmp/other"
expect 0 "against" "$DFOPT" measure --dry-run --against "$tmp/other" "$app"
contains "$tmp/out" "$tmp/other" "the other file names the variant"
expect 2 "verify with dry run" "$DFOPT" measure --dry-run --verify "$app"
expect 2 "unknown engine" "$DFOPT" measure --engine podman "$app"
expect 2 "missing context" "$DFOPT" measure "$tmp/nosuch"

# --engine buildah: the same scenarios on buildah agree with dfopt's own
# builder on what hits and what is rebuilt (CI installs buildah).
expect 2 "engine with dry run" "$DFOPT" measure --engine buildah --dry-run "$app"
contains "$tmp/err" "--dry-run needs --engine dfopt" "dry run is dfopt's"
expect 2 "engine with verify" "$DFOPT" measure --engine buildah --verify "$app"
contains "$tmp/err" "--verify needs --engine dfopt" "verify is dfopt's"
if command -v buildah >/dev/null 2>&1; then
	expect 0 "measure on buildah" "$DFOPT" measure --engine buildah --format json "$app"
	for sc in cold no-change source manifest; do
		for v in 0 1; do
			for f in steps hits rebuilt; do
				is "buildah $sc/$v $f" "$(cell "$tmp/out" "$sc" "$v" "$f")" "$(cell "$tmp/real.json" "$sc" "$v" "$f")"
			done
		done
	done
	holds "buildah: the original's source-edit rebuild took time" \
		python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)' "$(cell "$tmp/out" source 0 seconds)"
	holds "buildah: new layers have bytes" \
		python3 -c 'import sys; sys.exit(0 if int(sys.argv[1]) > 0 else 1)' "$(cell "$tmp/out" cold 0 new_bytes)"
else
	echo "measure.sh: --engine buildah skipped: buildah not installed"
fi

finish measure.sh
