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

# Usage errors.
expect 2 "--fix with --diff" "$DFOPT" lint --fix --diff "$tmp/want"
contains "$tmp/err" "do not go together" "--fix --diff message"
expect 2 "--unsafe-fixes alone" "$DFOPT" lint --unsafe-fixes "$tmp/want"
contains "$tmp/err" "--unsafe-fixes needs --fix or --diff" "--unsafe-fixes message"
expect 2 "--show-fixes alone" "$DFOPT" lint --show-fixes "$tmp/want"

finish fix
