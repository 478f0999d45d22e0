#!/bin/sh
# hostile.sh - inputs no one should write, which dfopt must survive: binary
# files, NUL bytes, invalid UTF-8, escape sequences, huge files and lines,
# deep continuations, many heredocs, unterminated constructs, a directory or
# a FIFO where a file should be. Each gets a clear one-line error (exit 2) or
# a correct result, within a time bound (a hang fails the test, it does not
# stall the suite) and, for the large inputs, within a memory bound.
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

LIMIT=120	# seconds: far above the normal run; only a hang hits it
[ -z "${VALGRIND:-}" ] || LIMIT=1800
# A memory bound of 3 GiB of address space where it can be enforced
# (sanitizer builds reserve terabytes of it, so there the sanitizer
# watches): linear growth stays far below it, a runaway does not. A 50 MB
# file peaks at about 1.3 GB resident: the syntax tree keeps every word of
# every shell command with its spans. Under valgrind (VALGRIND set, by
# tests/valgrind.sh) valgrind watches instead, and the time limit grows.
# shellcheck disable=SC3045 # dash, bash and busybox sh all have ulimit -v
mem_bound() {
	if [ -n "${VALGRIND:-}" ] || grep -q __asan_init "$DFOPT" 2>/dev/null; then "$@"; else (ulimit -v 3145728; "$@"); fi
}

# lints FILE EXIT DESCRIPTION: `dfopt lint` on FILE within the bounds
lints() {
	expect "$2" "$3" mem_bound timeout "$LIMIT" "$DFOPT" lint --no-shellcheck -f json "$1"
	if [ "$2" -ne 2 ]; then
		if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null; then ok; else bad "$3: output is not JSON"; fi
	fi
}

# one_line_error DESCRIPTION: stderr is one line naming FILE:LINE:COL
one_line_error() {
	n=$(wc -l <"$tmp/err")
	if [ "$n" -eq 1 ]; then ok; else bad "$1: $n lines on stderr"; cat "$tmp/err"; fi
	if grep -Eq ':[0-9]+:[0-9]+: ' "$tmp/err"; then ok; else bad "$1: no line:col in '$(cat "$tmp/err")'"; fi
}

# Binary data and NUL bytes: not a Dockerfile, said at the first NUL.
head -c 4096 /dev/urandom >"$tmp/random"
printf '\0' >>"$tmp/random"
lints "$tmp/random" 2 "random bytes"
one_line_error "random bytes"
contains "$tmp/err" "not a text file" "random bytes"
printf 'FROM alpine:3.19\nRUN echo a\0b\n' >"$tmp/nul"
lints "$tmp/nul" 2 "a NUL byte"
contains "$tmp/err" "nul:2:11: " "the NUL byte's position"

# Invalid UTF-8 is text the builder takes as bytes: linted, valid JSON.
printf 'FROM alpine:3.19\nRUN echo \377\376 \300\n' >"$tmp/latin"
lints "$tmp/latin" 0 "invalid UTF-8"
printf 'FROM alpine:3.19\nLABEL k\377=v\nRUN cd /x\033[31m && echo \033]0;title\007\n' >"$tmp/esc"
expect 1 "escape sequences" "$DFOPT" lint --no-shellcheck "$tmp/esc"
if tr -d '\n' <"$tmp/out" | grep -q "$(printf '\033')"; then bad "an escape sequence reached the terminal"; else ok; fi

# Size: a 50 MB file, one 1 MB line, 100,000 continuation lines, 10,000
# heredocs; under valgrind a tenth of those (the 1 MB line and the file
# over the size limit stay: they cost little).
scale=1
[ -z "${VALGRIND:-}" ] || scale=10
python3 - "$tmp" "$scale" <<'PY'
import sys
d = sys.argv[1]
scale = int(sys.argv[2])
block = "".join("RUN apt-get update && apt-get install -y --no-install-recommends pkg%d=1.%d \\\n    && rm -rf /var/lib/apt/lists/*\n" % (i, i) for i in range(200))
with open(d + "/big", "w") as f:
    f.write("FROM debian:12\n")
    while f.tell() < 50 * 1024 * 1024 // scale:
        f.write(block)
with open(d + "/longline", "w") as f:
    f.write("FROM debian:12\nRUN echo " + "x" * (1 << 20) + "\n")
with open(d + "/continuations", "w") as f:
    f.write("FROM debian:12\nRUN true \\\n" + " && true \\\n" * (100000 // scale) + " && true\n")
with open(d + "/heredocs", "w") as f:
    f.write("# syntax=docker/dockerfile:1\nFROM debian:12\n")
    for i in range(10000 // scale):
        f.write("RUN <<EOF%d\necho %d\nEOF%d\n" % (i, i, i))
with open(d + "/onbuild", "w") as f:
    f.write("FROM debian:12\n" + "ONBUILD " * 1000 + "RUN true\n")
with open(d + "/toobig", "w") as f:
    f.write("FROM debian:12\n" + "#" * (65 * 1024 * 1024) + "\n")
PY
lints "$tmp/big" 0 "a 50 MB file"
lints "$tmp/longline" 1 "a 1 MB line"
contains "$tmp/out" "is too long" "a line over the builder's limit is a parse error"
lints "$tmp/continuations" 0 "100,000 continuation lines"
lints "$tmp/heredocs" 1 "10,000 heredocs"
lacks "$tmp/out" "DL1000" "10,000 heredocs parse"
lints "$tmp/onbuild" 1 "ONBUILD ONBUILD ..."
contains "$tmp/out" "DL3043" "nested ONBUILD is reported"
expect 2 "a file over the size limit" "$DFOPT" lint --no-shellcheck "$tmp/toobig"
contains "$tmp/err" "toobig" "the size error names the file"

# Unterminated constructs: parse errors at their place, not a crash.
printf 'FROM alpine:3.19\nCMD ["a", "b"\n' >"$tmp/json"
lints "$tmp/json" 1 "unterminated JSON"
printf 'FROM alpine:3.19\nRUN <<EOF\necho never closed\n' >"$tmp/heredoc"
lints "$tmp/heredoc" 1 "unterminated heredoc"
contains "$tmp/out" "DL1000" "unterminated heredoc reported"
printf 'FROM alpine:3.19\nRUN echo "unclosed \\\n' >"$tmp/quote"
lints "$tmp/quote" 0 "unclosed quote and a continuation at the end"

# Not files: a directory named Dockerfile holding none, a FIFO.
mkdir -p "$tmp/empty/Dockerfile"
expect 2 "a directory with no Dockerfile" "$DFOPT" lint --no-shellcheck "$tmp/empty/Dockerfile"
contains "$tmp/err" "no Dockerfile found" "empty directory"
mkfifo "$tmp/fifo"
expect 2 "a FIFO with no writer" "$DFOPT" lint --no-shellcheck "$tmp/fifo"
contains "$tmp/err" "no writer" "a FIFO with no writer is said, not waited on"
# A pipe with its writer, as <(...) gives: linted.
printf 'FROM alpine:3.19\nRUN echo hi\n' | expect 0 "a pipe" "$DFOPT" lint --no-shellcheck /dev/stdin

finish hostile
