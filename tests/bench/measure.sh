#!/bin/sh
# measure.sh BUILDDIR - the history-replay benchmark of `dfopt measure`.
#
# Generates a git repository of fixtures/build/node-app with 500 commits
# (git fast-import: mostly source edits, every tenth a manifest bump, now
# and then a Dockerfile comment), then times
#   dfopt measure --dry-run --history 500
# (keys only: both variants, every commit, the fixed variant re-fixed when
# the Dockerfile changes), next to a baseline measured in the same run: one
# `dfopt build --dry-run` of the same app, the cost of keying one build.
# Target: the replay in under 10 s. Prints PASS/FAIL; exits 1 on a miss, 2
# on a setup error. BENCH_COMMITS overrides the 500.
set -eu

build=${1:?usage: measure.sh BUILDDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
dfopt=$build/dfopt
commits=${BENCH_COMMITS:-500}
target=10
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DFOPT_STORE="$work/store"

sh "$src/fixtures/build/base-image.sh" "$dfopt" >/dev/null || { echo "measure.sh: base image import failed"; exit 2; }

repo=$work/repo
cp -R "$src/fixtures/build/node-app" "$repo"
chmod -R u+w "$repo"
git -C "$repo" init -q
git -C "$repo" -c user.name=bench -c user.email=bench@example.com add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -qm "import"

# One fast-import stream: commit i edits src/index.js, every tenth bumps the
# lockfile, every fiftieth touches a Dockerfile comment.
{
	i=1
	while [ "$i" -le "$commits" ]; do
		file=src/index.js
		body="console.log($i);"
		if [ $((i % 10)) -eq 0 ]; then file=package-lock.json; body="{\"lockfileVersion\": 3, \"rev\": $i}"; fi
		if [ $((i % 50)) -eq 0 ]; then file=Dockerfile; body="# revision $i
FROM busybox
WORKDIR /app
COPY . .
RUN npm ci
CMD [\"node\", \"src/index.js\"]"; fi
		printf 'commit refs/heads/master\ncommitter bench <bench@example.com> %d +0000\ndata <<EOM\nchange %d\nEOM\n' \
			$((1700000000 + i)) "$i"
		[ "$i" -eq 1 ] && printf 'from refs/heads/master^0\n'
		printf 'M 100644 inline %s\ndata <<EOD\n%s\nEOD\n\n' "$file" "$body"
		i=$((i + 1))
	done
} | git -C "$repo" fast-import --quiet --force
git -C "$repo" checkout -q -f master 2>/dev/null || git -C "$repo" reset -q --hard

now() { date +%s.%N; }
t0=$(now)
"$dfopt" build --dry-run --progress=quiet "$repo" >/dev/null
t1=$(now)
"$dfopt" measure --dry-run --history "$commits" --format json "$repo" >"$work/out.json"
t2=$(now)
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
base=$(calc "$t1 - $t0")
replay=$(calc "$t2 - $t1")
per=$(calc "$replay / $commits * 1000")
ratio=$(calc "$replay / $base")
printf 'one dry build (baseline): %.3f s\n' "$base"
printf 'measure --dry-run --history %d: %.2f s (%.1f ms per commit, %.0fx one dry build)\n' \
	"$commits" "$replay" "$per" "$ratio"
scenarios=$(grep -c '"name":' "$work/out.json" || true)
if [ "$scenarios" -lt "$commits" ]; then
	echo "FAIL: the report has $scenarios scenarios, want at least $commits"
	exit 1
fi
if [ "$(calc "$replay < $target")" = "1.000000" ]; then
	printf 'PASS: history replay %.2f s < %d s\n' "$replay" "$target"
else
	printf 'FAIL: history replay %.2f s >= %d s\n' "$replay" "$target"
	exit 1
fi
