#!/bin/sh
# fix.sh - `dfopt lint --fix`, `--diff`, `--show-fixes`, `--unsafe-fixes`:
# what is written and what is not, the exit codes, and the file left as the
# user had it in every other way (mode, symlink, mtime when unchanged, line
# endings, comments).
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

# Two safe fixes (DL4000 and the casing of `run`), a comment, a finding
# without a fix (DL3006).
cat >"$tmp/Dockerfile" <<'DF'
FROM alpine
# maintained by the platform team
MAINTAINER Platform Team <platform@example.com>
run echo hi
DF
cp "$tmp/Dockerfile" "$tmp/orig"
cat >"$tmp/want" <<'DF'
FROM alpine
# maintained by the platform team
LABEL org.opencontainers.image.authors="Platform Team <platform@example.com>"
RUN echo hi
DF

# Plain lint: [*] marks the fixable findings; the summary counts them.
expect 1 "lint" "$DFOPT" lint --no-shellcheck "$tmp/Dockerfile"
contains "$tmp/out" "DL4000 [*] error" "fixable marked"
contains "$tmp/out" "DL3006 warning" "unfixable not marked"
contains "$tmp/out" "[*] 2 fixable with \`dfopt --fix\`" "summary"
expect 1 "json" "$DFOPT" lint --no-shellcheck -f json "$tmp/Dockerfile"
contains "$tmp/out" '"code":"DL4000","column":1,"end_column":11,"end_line":3,"file":' "json finding"
contains "$tmp/out" '"fix":"safe"' "json: fix safe"
contains "$tmp/out" '"fix":"none"' "json: fix none"

# --diff: a unified diff on stdout, no report, nothing written, exit 1.
expect 1 "--diff" "$DFOPT" lint --no-shellcheck --diff "$tmp/Dockerfile"
same "$tmp/Dockerfile" "$tmp/orig" "--diff writes nothing"
contains "$tmp/out" "--- a/${tmp#/}/Dockerfile" "diff header"
contains "$tmp/out" "-MAINTAINER Platform Team <platform@example.com>" "diff: removed line"
contains "$tmp/out" '+LABEL org.opencontainers.image.authors="Platform Team <platform@example.com>"' "diff: added line"
contains "$tmp/out" "+RUN echo hi" "diff: casing"
lacks "$tmp/out" "DL3006" "--diff prints no report"
expect 0 "--diff of a clean file" "$DFOPT" lint --no-shellcheck --diff "$tmp/want"
if [ -s "$tmp/out" ]; then bad "--diff of a clean file printed something"; else ok; fi

# --fix: written in place, mode kept, what remains reported and decides the
# exit code; --show-fixes says what was done.
chmod 640 "$tmp/Dockerfile"
expect 1 "--fix" "$DFOPT" lint --no-shellcheck --fix --show-fixes "$tmp/Dockerfile"
same "$tmp/Dockerfile" "$tmp/want" "fixed text"
if [ "$(stat -c %a "$tmp/Dockerfile")" = 640 ]; then ok; else bad "mode not kept"; fi
contains "$tmp/out" "DL3006" "remaining finding reported"
lacks "$tmp/out" "DL4000" "fixed finding gone"
contains "$tmp/err" "Dockerfile:3:1: fixed DL4000: MAINTAINER is deprecated" "--show-fixes"
# Fixing again changes nothing and does not touch the file.
touch -d '2001-01-01 00:00:00' "$tmp/Dockerfile"
expect 1 "--fix again" "$DFOPT" lint --no-shellcheck --fix "$tmp/Dockerfile"
if [ "$(stat -c %Y "$tmp/Dockerfile")" = "$(date -d '2001-01-01 00:00:00' +%s)" ]; then ok; else bad "unchanged file rewritten"; fi

# A file given twice is fixed once: the second job reads what the first
# wrote, even without threads.
cp "$tmp/orig" "$tmp/twice.Dockerfile"
expect 1 "--fix of a file given twice" "$DFOPT" lint --no-shellcheck --fix --show-fixes -j 1 "$tmp/twice.Dockerfile" "$tmp/twice.Dockerfile"
is "a file given twice: fixed once" "$(grep -c 'twice.Dockerfile:3:1: fixed DL4000' "$tmp/err")" 1
same "$tmp/twice.Dockerfile" "$tmp/want" "fixed text (given twice)"

# A MAINTAINER continued over a comment line is reported without a fix:
# the one-line label would lose the comment.
printf 'FROM alpine:3.20\nMAINTAINER Jane \\\n# who to ask\n  <jane@example.com>\n' >"$tmp/comment.Dockerfile"
cp "$tmp/comment.Dockerfile" "$tmp/comment.orig"
expect 1 "--fix of a MAINTAINER over a comment line" "$DFOPT" lint --no-shellcheck --fix "$tmp/comment.Dockerfile"
same "$tmp/comment.Dockerfile" "$tmp/comment.orig" "a comment line kept"
contains "$tmp/out" "DL4000" "reported all the same"

# A symlink stays a link; its target is fixed.
cp "$tmp/orig" "$tmp/target.Dockerfile"
ln -s target.Dockerfile "$tmp/link.Dockerfile"
expect 1 "--fix through a symlink" "$DFOPT" lint --no-shellcheck --fix "$tmp/link.Dockerfile"
if [ -L "$tmp/link.Dockerfile" ]; then ok; else bad "symlink replaced by a file"; fi
same "$tmp/target.Dockerfile" "$tmp/want" "symlink target fixed"

# A read-only file: an error, the file intact, the others still fixed.
cp "$tmp/orig" "$tmp/ro.Dockerfile"
cp "$tmp/orig" "$tmp/rw.Dockerfile"
chmod 444 "$tmp/ro.Dockerfile"
expect 2 "--fix of a read-only file" "$DFOPT" lint --no-shellcheck --fix "$tmp/ro.Dockerfile" "$tmp/rw.Dockerfile"
contains "$tmp/err" "cannot write '$tmp/ro.Dockerfile': the file is read-only" "read-only message"
same "$tmp/ro.Dockerfile" "$tmp/orig" "read-only file intact"
same "$tmp/rw.Dockerfile" "$tmp/want" "the other file fixed"

# CRLF line endings and the escape directive stay.
printf 'FROM alpine\r\nMAINTAINER x\r\nRUN echo hi\r\n' >"$tmp/crlf.Dockerfile"
expect 1 "--fix CRLF" "$DFOPT" lint --no-shellcheck --fix "$tmp/crlf.Dockerfile"
printf 'FROM alpine\r\nLABEL org.opencontainers.image.authors="x"\r\nRUN echo hi\r\n' >"$tmp/crlf.want"
same "$tmp/crlf.Dockerfile" "$tmp/crlf.want" "CRLF kept"

# stdin: the fixed text on stdout, the report on stderr.
expect 1 "--fix of stdin" "$DFOPT" lint --no-shellcheck --fix - <"$tmp/orig"
same "$tmp/out" "$tmp/want" "stdin: fixed text on stdout"
contains "$tmp/err" "<stdin>:1:6 DL3006" "stdin: report on stderr"

# -j: the same bytes as one at a time.
for i in 1 2 3 4 5 6; do cp "$tmp/orig" "$tmp/j$i.Dockerfile"; done
expect 1 "--diff -j 3" "$DFOPT" lint --no-shellcheck --diff -j 3 "$tmp"/j?.Dockerfile
cp "$tmp/out" "$tmp/j3.out"
expect 1 "--diff -j 1" "$DFOPT" lint --no-shellcheck --diff "$tmp"/j?.Dockerfile
same "$tmp/out" "$tmp/j3.out" "--diff -j output"

# Fixes of the build context's ignore file (DF1004, DF1005, DF1013): unsafe,
# so only with --unsafe-fixes; --diff shows them from /dev/null for a new
# file; each line once however many Dockerfiles of the run want it.
ctx=$tmp/ctx
mkdir -p "$ctx/node_modules/a" "$ctx/.git"
echo 'module.exports = 1' >"$ctx/node_modules/a/index.js"
echo 'ref: refs/heads/main' >"$ctx/.git/HEAD"
echo 'TOKEN=1' >"$ctx/.env"
echo '{}' >"$ctx/package.json"
printf 'FROM node:22\nWORKDIR /app\nCOPY package.json ./\nCOPY . .\n' >"$ctx/Dockerfile"
cp "$ctx/Dockerfile" "$ctx/Dockerfile.dev"
cp "$ctx/Dockerfile" "$tmp/ctx.orig"
expect 1 "side fix without --unsafe-fixes" "$DFOPT" lint --no-shellcheck --fix "$ctx/Dockerfile"
if [ -e "$ctx/.dockerignore" ]; then bad "--fix wrote .dockerignore without --unsafe-fixes"; else ok; fi
contains "$tmp/out" "DF1004" "unsafe side fix left for --unsafe-fixes"
expect 1 "--diff of a side fix" "$DFOPT" lint --no-shellcheck --diff --unsafe-fixes --show-fixes "$ctx/Dockerfile"
if [ -e "$ctx/.dockerignore" ]; then bad "--diff wrote .dockerignore"; else ok; fi
same "$ctx/Dockerfile" "$tmp/ctx.orig" "--diff leaves the Dockerfile"
printf -- '--- /dev/null\n+++ b/%s/.dockerignore\n@@ -0,0 +1,3 @@\n+.git\n+Dockerfile\n+.env\n' \
	"${ctx#/}" >"$tmp/want.diff"
same "$tmp/out" "$tmp/want.diff" "side file diff"
contains "$tmp/err" "$ctx/.dockerignore: would add \`.env\`" "--show-fixes names the side file"
# Two Dockerfiles sharing the context: the second adds only its own name
# (node_modules is no finding: no npm runs).
expect 0 "--fix of two Dockerfiles sharing a context" "$DFOPT" lint --no-shellcheck --fix --unsafe-fixes -j 2 \
	"$ctx/Dockerfile" "$ctx/Dockerfile.dev"
printf '.git\nDockerfile\n.env\nDockerfile.dev\n' >"$tmp/want.ignore"
same "$ctx/.dockerignore" "$tmp/want.ignore" "shared .dockerignore, each line once"
if [ "$(stat -c %a "$ctx/.dockerignore")" = 644 ]; then ok; else bad "created .dockerignore not 0644"; fi
same "$ctx/Dockerfile" "$tmp/ctx.orig" "the Dockerfile itself unchanged"
expect 0 "--fix again" "$DFOPT" lint --no-shellcheck --fix --unsafe-fixes "$ctx/Dockerfile" "$ctx/Dockerfile.dev"
same "$ctx/.dockerignore" "$tmp/want.ignore" "fixed again: nothing added"
# The Dockerfile's own ignore file is the one extended; CRLF kept.
rm "$ctx/.dockerignore"
printf '*.log\r\n.git' >"$ctx/Dockerfile.dockerignore"
expect 0 "--fix extends <name>.dockerignore" "$DFOPT" lint --no-shellcheck --fix --unsafe-fixes "$ctx/Dockerfile"
printf '*.log\r\n.git\r\nDockerfile\r\nDockerfile.dockerignore\r\n.env\r\n' >"$tmp/want.own"
same "$ctx/Dockerfile.dockerignore" "$tmp/want.own" "own ignore file extended, CRLF kept"
if [ -e "$ctx/.dockerignore" ]; then bad "the root .dockerignore created beside the own one"; else ok; fi
rm "$ctx/Dockerfile.dockerignore"
# stdin has no file of the context to fix, even with --context.
expect 1 "--fix of stdin with --context" "$DFOPT" lint --no-shellcheck --fix --unsafe-fixes --context "$ctx" - \
	<"$ctx/Dockerfile"
if [ -e "$ctx/.dockerignore" ]; then bad "stdin's fixes wrote .dockerignore"; else ok; fi
# A finding whose fix is not offered (the RUN mounts the Dockerfile the
# ignore line would leave out) is reported after --fix as without it: the
# file's context is asked afresh for each lint of a fix round.
bind=$tmp/bind
mkdir -p "$bind"
printf 'FROM alpine:3.20\nCOPY ./ /app\nRUN --mount=type=bind,source=Dockerfile,target=/x true\n' >"$bind/Dockerfile"
expect 1 "lint of a context fix not offered" "$DFOPT" lint --no-shellcheck -f gnu "$bind/Dockerfile"
cp "$tmp/out" "$tmp/bind.lint"
contains "$tmp/bind.lint" "DF1005" "the finding without --fix"
expect 1 "--fix of a context fix not offered" "$DFOPT" lint --no-shellcheck -f gnu --fix --unsafe-fixes "$bind/Dockerfile"
same "$tmp/out" "$tmp/bind.lint" "the same findings after --fix"
if [ -e "$bind/.dockerignore" ]; then bad "--fix wrote a .dockerignore it did not offer"; else ok; fi
# A read-only ignore file: an error naming it, exit 2, both files intact.
printf 'x\n' >"$ctx/.dockerignore"
chmod 444 "$ctx/.dockerignore"
expect 2 "--fix with a read-only .dockerignore" "$DFOPT" lint --no-shellcheck --fix --unsafe-fixes "$ctx/Dockerfile"
contains "$tmp/err" "cannot write '$ctx/.dockerignore': the file is read-only" "read-only side file message"
if [ "$(cat "$ctx/.dockerignore")" = x ]; then ok; else bad "read-only .dockerignore changed"; fi
chmod 644 "$ctx/.dockerignore"

# A full disk: the write fails with a message naming the file, exit 2, and
# the file stays as it was (needs root, to mount a small tmpfs).
full=$tmp/full
mkdir -p "$full"
# shellcheck disable=SC2016 # $1 and $2 are the inner sh's
if [ "$(id -u)" = 0 ] && unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs "$1"' sh "$full" 2>/dev/null; then
	unshare -m sh -c '
		mount -t tmpfs -o size=16k tmpfs "$2" || exit 99
		cp "$1/orig" "$2/Dockerfile"
		cp "$1/orig" "$2/orig"
		echo "TOKEN=1" >"$2/.env"
		printf "FROM alpine:3.20\nCOPY . /srv\n" >"$2/Dockerfile.dev"
		dd if=/dev/zero of="$2/fill" bs=1024 count=64 2>/dev/null
		"$3" lint --no-shellcheck --fix "$2/Dockerfile" >"$1/full.out" 2>"$1/full.err"
		echo $? >"$1/full.rc"
		"$3" lint --no-shellcheck --fix --unsafe-fixes "$2/Dockerfile.dev" >"$1/full2.out" 2>"$1/full2.err"
		echo $? >"$1/full2.rc"
		cmp -s "$2/Dockerfile" "$2/orig" && echo intact >"$1/full.state"
		[ -e "$2/.dockerignore" ] || echo absent >"$1/full2.state"
		ls -a "$2" >"$1/full.ls"
	' sh "$tmp" "$full" "$DFOPT"
	if [ "$(cat "$tmp/full.rc" 2>/dev/null)" = 2 ]; then ok; else bad "full disk: exit $(cat "$tmp/full.rc" 2>/dev/null), want 2"; fi
	contains "$tmp/full.err" "cannot write '$full/Dockerfile': No space left on device" "full disk message"
	if [ "$(cat "$tmp/full.state" 2>/dev/null)" = intact ]; then ok; else bad "full disk: Dockerfile changed"; fi
	if [ "$(cat "$tmp/full2.rc" 2>/dev/null)" = 2 ]; then ok; else bad "full disk, side file: exit $(cat "$tmp/full2.rc" 2>/dev/null), want 2"; fi
	contains "$tmp/full2.err" "cannot write '$full/.dockerignore': No space left on device" "full disk side file message"
	if [ "$(cat "$tmp/full2.state" 2>/dev/null)" = absent ]; then ok; else bad "full disk: .dockerignore half made"; fi
	lacks "$tmp/full.ls" "dfopt-" "full disk: no temporary file left"
else
	echo "fix: skipping the full-disk checks: mounting a tmpfs is not permitted here"
fi

# Fixes of several rules together leave a file that still builds: the RUNs
# DF1003 merges one round at a time, and DL3009 deletes the apt lists only
# once no later RUN installs from them (not between two installs).
cat >"$tmp/apt.Dockerfile" <<'DF'
FROM debian:12
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl=7.88.1-10
RUN apt-get install -y --no-install-recommends jq=1.6-2.1
DF
cat >"$tmp/apt.want" <<'DF'
FROM debian:12
RUN apt-get update && \
    apt-get install -y --no-install-recommends curl=7.88.1-10 && \
    apt-get install -y --no-install-recommends jq=1.6-2.1 && rm -rf /var/lib/apt/lists/*
DF
expect 0 "--fix: merges, then the cleanup" "$DFOPT" lint --no-shellcheck --fix "$tmp/apt.Dockerfile"
same "$tmp/apt.Dockerfile" "$tmp/apt.want" "apt lists deleted after the last install"

# Usage errors.
expect 2 "--fix with --diff" "$DFOPT" lint --fix --diff "$tmp/want"
contains "$tmp/err" "do not go together" "--fix --diff message"
expect 2 "--unsafe-fixes alone" "$DFOPT" lint --unsafe-fixes "$tmp/want"
contains "$tmp/err" "--unsafe-fixes needs --fix or --diff" "--unsafe-fixes message"
expect 2 "--show-fixes alone" "$DFOPT" lint --show-fixes "$tmp/want"

finish fix
