#!/bin/sh
# CLI contract tests: exit codes, error message format, stdin, output formats.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set.
set -u

DFOPT=${DFOPT:-./dfopt}
SRC=${DF_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- COMMAND...
expect() {
	want=$1; shift
	what=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want"; cat "$tmp/err"; fi
}

contains() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -5; fi
}

example=$SRC/fixtures/examples/multi-stage/Dockerfile
[ -f "$example" ] || example=$(find "$SRC/fixtures/examples" -name Dockerfile | sort | head -n 1)

expect 0 "version" "$DFOPT" --version
contains "$tmp/out" "dfopt " "version output"
expect 0 "help" "$DFOPT" --help
contains "$tmp/out" "usage: dfopt" "help output"
expect 2 "no arguments" "$DFOPT"
expect 2 "unknown command" "$DFOPT" frobnicate
contains "$tmp/err" "unknown command 'frobnicate'" "unknown command message"
expect 0 "parse --help" "$DFOPT" parse --help
contains "$tmp/out" "usage: dfopt parse" "parse help"

expect 0 "parse example as json" "$DFOPT" parse "$example"
contains "$tmp/out" '"instructions":' "json has instructions"
contains "$tmp/out" '"graph":' "json has graph"
if command -v python3 >/dev/null 2>&1; then
	if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"; then ok; else bad "parse json is not valid JSON"; fi
fi
expect 0 "parse example as text" "$DFOPT" parse --format text "$example"
contains "$tmp/out" "FROM" "text dump"
expect 2 "bad format" "$DFOPT" parse --format yaml "$example"
contains "$tmp/err" "unknown format 'yaml'" "bad format message"

printf 'FROM alpine\nRUN echo hi\n' >"$tmp/ok.Dockerfile"
expect 0 "stdin" sh -c "\"$DFOPT\" parse - < \"$tmp/ok.Dockerfile\""
contains "$tmp/out" '"file":	"<stdin>"' "stdin file name"

# Input errors: one line per problem, file:line:col: message, exit 2.
printf 'FROM alpine\nCOPY --frm=x a b\nFORM x\nRUN ok\n' >"$tmp/bad.Dockerfile"
expect 2 "parse errors" "$DFOPT" parse "$tmp/bad.Dockerfile"
contains "$tmp/err" "$tmp/bad.Dockerfile:2:6: unknown flag: --frm (did you mean --from?)" "flag error location"
contains "$tmp/err" "$tmp/bad.Dockerfile:3:1: unknown instruction: FORM (did you mean FROM?)" "instruction error location"
contains "$tmp/out" '"kind":	"RUN"' "parsing went on after the errors"
expect 2 "missing file" "$DFOPT" parse "$tmp/nope"
contains "$tmp/err" "dfopt: cannot read '$tmp/nope': No such file or directory" "missing file message"
expect 2 "directory" "$DFOPT" parse "$tmp"
contains "$tmp/err" "Is a directory" "directory message"
mkfifo "$tmp/fifo"
expect 2 "fifo" "$DFOPT" parse "$tmp/fifo"
contains "$tmp/err" "not a regular file" "fifo message"
expect 2 "two files" "$DFOPT" parse "$example" "$example"
expect 2 "bad build-arg" "$DFOPT" parse --build-arg NOEQUALS "$example"

# An empty file: one error, empty output (the sanitizer build checks the write).
: >"$tmp/empty.Dockerfile"
expect 2 "empty file, text" "$DFOPT" parse --format text "$tmp/empty.Dockerfile"
contains "$tmp/err" "1:1: file with no instructions" "empty file message"
if grep -q "runtime error" "$tmp/err"; then bad "empty file: sanitizer report"; else ok; fi

# Binary garbage is an input error or a clean parse, never a crash.
head -c 65536 /dev/urandom >"$tmp/random.bin"
"$DFOPT" parse "$tmp/random.bin" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then ok; else bad "random bytes: exit $rc"; fi

# Large hostile files finish (a guard against quadratic paths, not a timing).
awk 'BEGIN { print "FROM scratch"; print "ENV V0=x"; for (i = 1; i < 30000; i++) printf "ENV V%d=$V0 W%d=${V0:-y}\n", i, i }' >"$tmp/env.Dockerfile"
expect 0 "30,000 ENV lines" timeout 60 "$DFOPT" parse "$tmp/env.Dockerfile"
awk 'BEGIN { for (i = 0; i < 5000; i++) { if (i) printf "FROM s%d AS s%d\n", i - 1, i; else print "FROM scratch AS s0"; printf "ENV E%d=1\nCOPY --from=s%d /a /b\n", i, i / 2 } }' >"$tmp/stages.Dockerfile"
expect 0 "5,000 chained stages" timeout 60 "$DFOPT" parse "$tmp/stages.Dockerfile"

# Build args reach the expansion.
# shellcheck disable=SC2016 # the Dockerfile's own $TAG, not the shell's
printf 'ARG TAG=1\nFROM alpine:$TAG\n' >"$tmp/arg.Dockerfile"
expect 0 "build-arg" "$DFOPT" parse --build-arg TAG=3.20 "$tmp/arg.Dockerfile"
contains "$tmp/out" '"value":	"alpine:3.20"' "build-arg expanded"

# graph: DOT by default, JSON on request, --target checked.
expect 0 "graph dot" "$DFOPT" graph "$example"
contains "$tmp/out" "digraph dockerfile {" "dot output"
if command -v dot >/dev/null 2>&1; then
	if dot -Tsvg "$tmp/out" -o "$tmp/graph.svg" && grep -q '<svg' "$tmp/graph.svg"; then ok; else bad "dot cannot render the graph"; fi
fi
expect 0 "graph json" "$DFOPT" graph --format json "$example"
contains "$tmp/out" '"stages":' "graph json"
expect 2 "graph unknown target" "$DFOPT" graph --target nosuchstage "$example"
contains "$tmp/err" "no stage named 'nosuchstage'" "target message"

# lint: the default command; exit 1 at or above the threshold, 0 below it.
printf 'FROM alpine:3.20\nRUN cd /src && make\nMAINTAINER x\n' >"$tmp/lint.Dockerfile"
expect 1 "lint findings" "$DFOPT" "$tmp/lint.Dockerfile"
contains "$tmp/out" "$tmp/lint.Dockerfile:2:5 DL3003 warning: Use WORKDIR to switch to a directory" "lint tty line"
contains "$tmp/out" "$tmp/lint.Dockerfile:3:1 DL4000 error: MAINTAINER is deprecated" "lint error line"
expect 1 "lint subcommand" "$DFOPT" lint --ignore DL3003 "$tmp/lint.Dockerfile"
if grep -q DL3003 "$tmp/out"; then bad "--ignore kept DL3003"; else ok; fi
expect 0 "lint threshold none" "$DFOPT" lint -t none "$tmp/lint.Dockerfile"
expect 0 "lint no-fail" "$DFOPT" lint --no-fail "$tmp/lint.Dockerfile"
printf 'FROM alpine:3.20\n# hadolint ignore=DL3003\nRUN cd /src && make\n' >"$tmp/clean.Dockerfile"
expect 0 "lint clean after pragma" "$DFOPT" "$tmp/clean.Dockerfile"
if [ -s "$tmp/out" ] || grep -q "runtime error" "$tmp/err"; then bad "clean lint printed something"; else ok; fi
expect 1 "lint json" "$DFOPT" lint -f json "$tmp/lint.Dockerfile"
contains "$tmp/out" '"code":"DL3003","column":5,"end_column":7,"end_line":2' "lint json fields"
if command -v python3 >/dev/null 2>&1; then
	if python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 2' "$tmp/out"; then ok; else bad "lint json does not parse back"; fi
fi
expect 2 "lint missing file" "$DFOPT" lint "$tmp/nope" "$tmp/lint.Dockerfile"
contains "$tmp/out" "DL4000" "other files still linted"
# Rule input: trusted registries (DL3026) and the label schema.
printf 'FROM ghcr.io/acme/base:1.0\nRUN true\n' >"$tmp/registry.Dockerfile"
expect 0 "no trusted registries configured" "$DFOPT" lint "$tmp/registry.Dockerfile"
expect 1 "untrusted registry" "$DFOPT" lint --trusted-registry docker.io --trusted-registry '*.example.com' "$tmp/registry.Dockerfile"
contains "$tmp/out" "$tmp/registry.Dockerfile:1:6 DL3026 error: Use only an allowed registry in the FROM image" "DL3026 finding"
expect 2 "bad label type" "$DFOPT" lint --require-label version:number "$tmp/registry.Dockerfile"
contains "$tmp/err" "unknown label type 'number'" "bad label type message"
expect 1 "lint stdin" sh -c "\"$DFOPT\" lint - < \"$tmp/lint.Dockerfile\""
contains "$tmp/out" "<stdin>:2:5 DL3003" "lint stdin name"
expect 0 "rules" "$DFOPT" rules
contains "$tmp/out" "DL3003   warning  maintainability" "rules table"
expect 0 "explain" "$DFOPT" explain DL3003
contains "$tmp/out" "Why it matters" "explain docs"
expect 2 "explain unknown" "$DFOPT" explain DL9999

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
