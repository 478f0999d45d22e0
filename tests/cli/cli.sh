#!/bin/sh
# CLI contract tests: exit codes, error message format, stdin, output formats.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set.
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

example=$SRC/fixtures/examples/multi-stage/Dockerfile
[ -f "$example" ] || example=$(find "$SRC/fixtures/examples" -name Dockerfile | sort | head -n 1)

expect 0 "version" "$DFOPT" --version
contains "$tmp/out" "dfopt " "version output"
expect 0 "version: -v" "$DFOPT" -v
contains "$tmp/out" "dfopt " "-v output"
expect 0 "version: -V alone" "$DFOPT" -V
contains "$tmp/out" "dfopt " "-V output"
printf 'FROM alpine:3.20\n' >"$tmp/verbose.Dockerfile"
expect 0 "-V before a file is --verbose" "$DFOPT" -V --no-shellcheck "$tmp/verbose.Dockerfile"
contains "$tmp/err" "linting '$tmp/verbose.Dockerfile'" "-V is verbose"
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
contains "$tmp/err" "a FIFO with no writer" "fifo message"
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
# Under valgrind (VALGRIND set, by tests/valgrind.sh), a tenth of the size.
nenv=30000 nstages=5000
[ -z "${VALGRIND:-}" ] || nenv=3000 nstages=500
awk -v n="$nenv" 'BEGIN { print "FROM scratch"; print "ENV V0=x"; for (i = 1; i < n; i++) printf "ENV V%d=$V0 W%d=${V0:-y}\n", i, i }' >"$tmp/env.Dockerfile"
expect 0 "$nenv ENV lines" timeout 60 "$DFOPT" parse "$tmp/env.Dockerfile"
expect 0 "$nenv ENV lines linted" timeout 60 "$DFOPT" lint --no-fail --no-shellcheck "$tmp/env.Dockerfile"
awk -v n="$nstages" 'BEGIN { for (i = 0; i < n; i++) { if (i) printf "FROM s%d AS s%d\n", i - 1, i; else print "FROM scratch AS s0"; printf "ENV E%d=1\nCOPY --from=s%d /a /b\n", i, i / 2 } }' >"$tmp/stages.Dockerfile"
expect 0 "$nstages chained stages" timeout 60 "$DFOPT" parse "$tmp/stages.Dockerfile"

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
contains "$tmp/out" "$tmp/lint.Dockerfile:3:1 DL4000 [*] error: MAINTAINER is deprecated" "lint error line"
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
if grep -qE '^DL3003 +warning +maintainability ' "$tmp/out"; then ok; else bad "rules table: no DL3003 row"; fi
expect 0 "explain" "$DFOPT" explain DL3003
contains "$tmp/out" "Why it matters" "explain docs"
expect 2 "explain unknown" "$DFOPT" explain DL9999

# Configuration: config files, HADOLINT_/DFOPT_ variables and options, with
# the environment below the config files below the command line. Each run is
# in a project directory with a private HOME and XDG_CONFIG_HOME.
cfg=$tmp/cfg
mkdir -p "$cfg/proj" "$cfg/home/.config" "$cfg/home/.hadolint" "$cfg/xdg"
printf 'FROM alpine\nMAINTAINER x\n' >"$cfg/proj/Dockerfile"	# DL3006 warning, DL4000 error
printf 'FROM alpine\n' >"$cfg/proj/warn.Dockerfile"		# DL3006 warning only
in_proj() { (cd "$cfg/proj" && HOME=$cfg/home XDG_CONFIG_HOME=$cfg/xdg exec "$@"); }

expect 1 "config: none found" in_proj "$DFOPT" lint -V --no-shellcheck Dockerfile
contains "$tmp/err" "dfopt: no config file" "-V without config"
# hadolint's search order, from the last place to the first.
printf 'ignored: [DL4000]\n' >"$cfg/home/.hadolint.yaml"
expect 1 "config: ~/.hadolint.yaml" in_proj "$DFOPT" lint -V --no-shellcheck Dockerfile
contains "$tmp/err" "dfopt: config file '$cfg/home/.hadolint.yaml'" "-V names ~/.hadolint.yaml"
lacks "$tmp/out" "DL4000" "ignored by ~/.hadolint.yaml"
printf 'ignored: [DL3006]\n' >"$cfg/home/.hadolint/config.yml"
expect 1 "config: ~/.hadolint/config.yml" in_proj "$DFOPT" lint -V --no-shellcheck Dockerfile
contains "$tmp/err" "dfopt: config file '$cfg/home/.hadolint/config.yml'" "-V names ~/.hadolint/config.yml"
contains "$tmp/out" "DL4000" "home .hadolint.yaml no longer read"
lacks "$tmp/out" "DL3006" "ignored by ~/.hadolint/config.yml"
printf 'ignored: [DL4000]\n' >"$cfg/home/.config/hadolint.yaml"
expect 1 "config: ~/.config/hadolint.yaml" in_proj "$DFOPT" lint -V --no-shellcheck Dockerfile
contains "$tmp/err" "dfopt: config file '$cfg/home/.config/hadolint.yaml'" "-V names ~/.config/hadolint.yaml"
printf 'ignored: [DL3006]\n' >"$cfg/xdg/hadolint.yml"
expect 1 "config: XDG_CONFIG_HOME" in_proj "$DFOPT" lint -V --no-shellcheck Dockerfile
contains "$tmp/err" "dfopt: config file '$cfg/xdg/hadolint.yml'" "-V names \$XDG_CONFIG_HOME/hadolint.yml"
printf 'ignored: [DL3006, DL4000]\n' >"$cfg/proj/.hadolint.yml"
expect 0 "config: ./.hadolint.yml" in_proj "$DFOPT" lint -V --no-shellcheck Dockerfile
contains "$tmp/err" "dfopt: config file '.hadolint.yml'" "-V names .hadolint.yml"
if [ -s "$tmp/out" ]; then bad "everything ignored, yet output"; else ok; fi
# .dfopt.yaml is read too, on top: its scalars win, lists add up.
printf 'ignored: [DL3006]\nfailure-threshold: style\nno-fail: true\n' >"$cfg/proj/.hadolint.yaml"
printf 'ignored: [DL3059]\nfailure-threshold: error\n' >"$cfg/proj/.dfopt.yaml"
expect 0 "config: .hadolint.yaml and .dfopt.yaml" in_proj env DFOPT_NOFAIL=0 "$DFOPT" lint -V --no-shellcheck Dockerfile
contains "$tmp/err" "dfopt: config file '.hadolint.yaml'" "-V names .hadolint.yaml"
contains "$tmp/err" "dfopt: config file '.dfopt.yaml'" "-V names .dfopt.yaml"
lacks "$tmp/out" "DL3006" ".hadolint.yaml's ignored list kept"
contains "$tmp/out" "DL4000 [*] error" "DL4000 still reported"
printf 'no-fail: false\nfailure-threshold: error\n' >"$cfg/proj/.dfopt.yaml"
expect 1 "config: .dfopt.yaml's no-fail over .hadolint.yaml's" in_proj "$DFOPT" lint --no-shellcheck Dockerfile
expect 0 "config: .dfopt.yaml's threshold over .hadolint.yaml's" in_proj "$DFOPT" lint --no-shellcheck --warning DL4000 Dockerfile
contains "$tmp/out" "DL4000 [*] warning" "--warning override"
rm -f "$cfg/proj/.hadolint.yaml" "$cfg/proj/.hadolint.yml" "$cfg/proj/.dfopt.yaml" "$cfg/xdg/hadolint.yml"
# -c: that file and no other; a missing one is an error.
printf 'override:\n  style: [DL4000, DL3006]\n' >"$cfg/only.yaml"
expect 0 "config: -c" in_proj "$DFOPT" lint -V --no-shellcheck -c "$cfg/only.yaml" -t warning Dockerfile
contains "$tmp/err" "dfopt: config file '$cfg/only.yaml'" "-V names the -c file"
lacks "$tmp/err" "hadolint.yaml" "-c reads no other file"
contains "$tmp/out" "DL4000 [*] style" "override from the -c file"
expect 2 "config: -c missing" in_proj "$DFOPT" lint --no-shellcheck --config "$cfg/nope.yaml" Dockerfile
contains "$tmp/err" "dfopt: cannot read '$cfg/nope.yaml': No such file or directory" "-c missing message"
# Environment < file < command line, for a scalar and for severity overrides.
rm -f "$cfg/home/.hadolint.yaml" "$cfg/home/.hadolint/config.yml" "$cfg/home/.config/hadolint.yaml"
expect 1 "env: threshold" in_proj env HADOLINT_FAILURE_THRESHOLD=warning "$DFOPT" lint --no-shellcheck warn.Dockerfile
expect 0 "env: DFOPT_ over HADOLINT_" in_proj env HADOLINT_FAILURE_THRESHOLD=warning DFOPT_FAILURE_THRESHOLD=error \
	"$DFOPT" lint --no-shellcheck warn.Dockerfile
printf 'failure-threshold: error\noverride:\n  info: [DL3006]\n' >"$cfg/proj/.hadolint.yaml"
expect 0 "file over env: threshold" in_proj env HADOLINT_FAILURE_THRESHOLD=warning "$DFOPT" lint --no-shellcheck warn.Dockerfile
expect 1 "cli over file: threshold" in_proj env HADOLINT_FAILURE_THRESHOLD=style "$DFOPT" lint --no-shellcheck -t info warn.Dockerfile
expect 0 "file over env: override" in_proj env HADOLINT_OVERRIDE_ERROR=DL3006 "$DFOPT" lint --no-shellcheck -t warning warn.Dockerfile
contains "$tmp/out" "DL3006 info" "the file's override"
expect 1 "cli over file: override" in_proj "$DFOPT" lint --no-shellcheck --error DL3006 warn.Dockerfile
contains "$tmp/out" "DL3006 error" "--error override"
expect 0 "cli: --style" in_proj "$DFOPT" lint --no-shellcheck --style DL3006 -t info warn.Dockerfile
contains "$tmp/out" "DL3006 style" "--style override"
expect 0 "env: ignore list" in_proj env HADOLINT_IGNORE=DL3000,DL3006 "$DFOPT" lint --no-shellcheck warn.Dockerfile
if [ -s "$tmp/out" ]; then bad "HADOLINT_IGNORE kept DL3006"; else ok; fi
expect 0 "config: format" in_proj env HADOLINT_FORMAT=json "$DFOPT" lint --no-shellcheck warn.Dockerfile
contains "$tmp/out" '"code":"DL3006"' "HADOLINT_FORMAT=json"
printf 'no-fail: false\n' >"$cfg/proj/.hadolint.yaml"
expect 1 "file over env: no-fail" in_proj env HADOLINT_NOFAIL=true "$DFOPT" lint --no-shellcheck Dockerfile
expect 0 "cli over file: no-fail" in_proj "$DFOPT" lint --no-shellcheck --no-fail Dockerfile
rm -f "$cfg/proj/.hadolint.yaml"
# -o: each takes the last -f before it; nothing on stdout when every -f has one.
expect 1 "-o: two reports" in_proj "$DFOPT" lint --no-shellcheck -f json -o "$tmp/a.json" -f sarif -o "$tmp/b.sarif" Dockerfile
if [ -s "$tmp/out" ]; then bad "-o: stdout not empty"; else ok; fi
contains "$tmp/a.json" '"code":"DL4000"' "-o json report"
contains "$tmp/b.sarif" '"runs":' "-o sarif report"
if command -v python3 >/dev/null 2>&1; then
	if python3 -c 'import json,sys; json.load(open(sys.argv[1])); json.load(open(sys.argv[2]))' "$tmp/a.json" "$tmp/b.sarif"; then ok; else bad "-o reports are not JSON"; fi
fi
expect 1 "-o: a -f without -o goes to stdout" in_proj "$DFOPT" lint --no-shellcheck -f checkstyle -o "$tmp/c.xml" -f gnu Dockerfile
contains "$tmp/c.xml" "<checkstyle" "-o checkstyle report"
contains "$tmp/out" "Dockerfile:2.1-2.11: error: DL4000" "stdout gnu report"
expect 2 "-o: same file twice" in_proj "$DFOPT" lint -o "$tmp/x" -o "$tmp/x" Dockerfile
contains "$tmp/err" "output '$tmp/x' given twice" "-o twice message"
# Malformed settings: exit 2, and where.
printf 'ignored: [DL3000]\noverride:\n  error: DL3001\n' >"$cfg/proj/.hadolint.yaml"
expect 2 "config: wrong type" in_proj "$DFOPT" lint Dockerfile
contains "$tmp/err" "dfopt: .hadolint.yaml:3:10: key 'override.error': expected a list of rule codes, not 'DL3001'" "wrong type message"
lacks "$tmp/out" "DL4000" "no lint after a config error"
printf 'ignored: [DL3000\n' >"$cfg/proj/.hadolint.yaml"
expect 2 "config: invalid YAML" in_proj "$DFOPT" lint Dockerfile
contains "$tmp/err" "dfopt: .hadolint.yaml:2:1: invalid YAML:" "invalid YAML message"
printf 'trusted-registries: [docker.io]\n' >"$cfg/proj/.hadolint.yaml"
expect 2 "config: unknown key" in_proj "$DFOPT" lint Dockerfile
contains "$tmp/err" "dfopt: .hadolint.yaml:1:1: unknown key 'trusted-registries'" "unknown key message"
printf 'format: yaml\n' >"$cfg/proj/.hadolint.yaml"
expect 2 "config: unknown format" in_proj "$DFOPT" lint Dockerfile
contains "$tmp/err" "dfopt: .hadolint.yaml:1:9: key 'format': unknown format 'yaml'" "unknown format message"
: >"$cfg/proj/.hadolint.yaml"
expect 1 "config: empty file" in_proj "$DFOPT" lint --no-shellcheck Dockerfile
rm -f "$cfg/proj/.hadolint.yaml"
expect 2 "env: bad value" in_proj env HADOLINT_STRICT_LABELS=maybe "$DFOPT" lint Dockerfile
contains "$tmp/err" "environment variable 'HADOLINT_STRICT_LABELS'" "bad env message"
expect 2 "env: bad format" in_proj env DFOPT_FORMAT=yaml "$DFOPT" lint Dockerfile
contains "$tmp/err" "environment variable 'DFOPT_FORMAT': unknown format 'yaml'" "bad env format message"
expect 2 "cli: bad threshold" in_proj "$DFOPT" lint -t high Dockerfile
contains "$tmp/err" "unknown failure threshold 'high'" "bad threshold message"
expect 2 "cli: bad jobs" in_proj "$DFOPT" lint -j 0 Dockerfile
contains "$tmp/err" "--jobs needs a number from 1 to 1024, not '0'" "bad jobs message"
expect 2 "cli: missing value" in_proj "$DFOPT" lint Dockerfile --error
contains "$tmp/err" "option '--error' needs a value" "missing value message"
expect 1 "cli: options after files" in_proj "$DFOPT" lint Dockerfile --no-shellcheck -f json
contains "$tmp/out" '"code":"DL4000"' "options after the file"
# Colour: tty output to a terminal only, and not with NO_COLOR or --no-color
# (script(1) gives the terminal; without it, only the pipe case is checked).
esc=$(printf '\033')
expect 1 "colour: not into a pipe" in_proj "$DFOPT" lint --no-shellcheck Dockerfile
lacks "$tmp/out" "$esc" "colour into a pipe"
: >"$tmp/tty"
if command -v script >/dev/null 2>&1; then
	in_proj script -qec "\"$DFOPT\" lint --no-shellcheck Dockerfile" /dev/null >"$tmp/tty" 2>&1 </dev/null
fi
if grep -q DL4000 "$tmp/tty"; then
	contains "$tmp/tty" "${esc}[" "colour on a terminal"
	in_proj env NO_COLOR=1 script -qec "\"$DFOPT\" lint --no-shellcheck Dockerfile" /dev/null >"$tmp/tty" 2>&1 </dev/null
	contains "$tmp/tty" "DL4000" "NO_COLOR on a terminal: output"
	lacks "$tmp/tty" "$esc" "NO_COLOR on a terminal"
	in_proj script -qec "\"$DFOPT\" lint --no-shellcheck --no-color Dockerfile" /dev/null >"$tmp/tty" 2>&1 </dev/null
	contains "$tmp/tty" "DL4000" "--no-color on a terminal: output"
	lacks "$tmp/tty" "$esc" "--no-color on a terminal"
fi

# --- lint run: inputs, discovery, -j, outputs, tty snippets (lint_run.c) ---
run=$tmp/run
mkdir -p "$run"
# same A B WHAT: the two files are byte-identical.
mkdf() { printf 'FROM alpine:3.20\nMAINTAINER %s\n' "$1" >"$2"; }

# Directory inputs: Dockerfile names, in byte order of the path; VCS and
# vendored trees skipped; other names only when named on the command line.
tree=$run/tree
mkdir -p "$tree/.git" "$tree/node_modules/pkg" "$tree/sub" "$tree/.devcontainer" "$tree/empty"
for f in .git/Dockerfile node_modules/pkg/Dockerfile Dockerfile.dev app.Dockerfile Containerfile README \
	sub/Dockerfile .devcontainer/Dockerfile Dockerfile.dockerignore; do mkdf "$f" "$tree/$f"; done
ln -s .. "$tree/sub/loop"
expect 1 "lint a directory" "$DFOPT" lint --no-shellcheck -f gnu "$tree"
cut -d: -f1 "$tmp/out" | uniq >"$run/files"
printf '%s\n' "$tree/.devcontainer/Dockerfile" "$tree/Containerfile" "$tree/Dockerfile.dev" \
	"$tree/app.Dockerfile" "$tree/sub/Dockerfile" >"$run/want"
same "$run/files" "$run/want" "discovered files and their order"
if [ -s "$tmp/err" ]; then bad "directory lint wrote to stderr"; sed 's/^/  | /' "$tmp/err" | head -5; else ok; fi
expect 1 "lint a directory, verbose" "$DFOPT" lint --no-shellcheck -V -f gnu "$tree/"
contains "$tmp/err" "dfopt: skipping '$tree/.git' (version control)" "-V: .git skipped"
contains "$tmp/err" "dfopt: skipping '$tree/node_modules' (vendored or generated)" "-V: node_modules skipped"
contains "$tmp/err" "dfopt: skipping '$tree/sub/loop' (symbolic link to a directory)" "-V: link not followed"
contains "$tmp/err" "dfopt: found 5 Dockerfiles in '$tree/'" "-V: count"
contains "$tmp/err" "dfopt: linting '$tree/app.Dockerfile'" "-V: linting"
contains "$tmp/out" "$tree/Containerfile:2.1" "trailing slash: one '/' in paths"
expect 1 "explicit file of any name" "$DFOPT" lint --no-shellcheck -f gnu "$tree/README"
contains "$tmp/out" "$tree/README:2.1" "README linted when named"
expect 2 "directory without Dockerfiles" "$DFOPT" lint --no-shellcheck "$tree/empty"
contains "$tmp/err" "dfopt: no Dockerfile found in '$tree/empty'" "no Dockerfile error"
expect 2 "missing input among others" "$DFOPT" lint --no-shellcheck -f gnu "$run/nope" "$tree/sub"
contains "$tmp/err" "dfopt: cannot read '$run/nope': No such file or directory" "missing input message"
contains "$tmp/out" "$tree/sub/Dockerfile:2.1" "others still linted"

# -j: the same bytes on stdout and stderr and the same exit code as one at a
# time, over many files with findings, parse errors and unreadable inputs.
many=$run/many
mkdir -p "$many"
i=0
while [ $i -lt 40 ]; do
	case $((i % 4)) in
	0) printf 'FROM alpine\nRUN cd /x && apt-get install curl\n' ;;
	1) printf 'FORM x\nFROM debian:12 AS b\nRUN --frm=x true\nMAINTAINER m%d\n' $i ;;
	2) # shellcheck disable=SC2016 # the Dockerfile's own $((...)) and `date`
		printf 'FROM alpine:3.20\nRUN echo $((1+%d)) `date` && sudo ls\n' $i ;;
	3) printf 'FROM alpine:3.20\n' ;;
	esac >"$many/$i.Dockerfile"
	i=$((i + 1))
done
mkfifo "$many/25.Dockerfile.fifo"
inputs="$many/0.Dockerfile $many/nope.Dockerfile $many/25.Dockerfile.fifo $many $run/tree/empty $many/7.Dockerfile"
for fmt in tty json sarif; do
	# shellcheck disable=SC2086 # word splitting of $inputs is the point
	"$DFOPT" lint -V -f "$fmt" -j 1 $inputs >"$run/j1.out" 2>"$run/j1.err"
	rc1=$?
	# shellcheck disable=SC2086
	"$DFOPT" lint -V -f "$fmt" -j 4 $inputs >"$run/j4.out" 2>"$run/j4.err"
	rc4=$?
	if [ $rc1 -eq 2 ] && [ $rc4 -eq 2 ]; then ok; else bad "-j $fmt: exit $rc1 and $rc4, want 2"; fi
	same "$run/j1.out" "$run/j4.out" "-j 4 stdout ($fmt)"
	same "$run/j1.err" "$run/j4.err" "-j 4 stderr ($fmt)"
done
contains "$run/j4.err" "dfopt: cannot read '$many/nope.Dockerfile': No such file or directory" "-j: missing file"
contains "$run/j4.err" "dfopt: cannot read '$many/25.Dockerfile.fifo': nothing to read (a FIFO with no writer)" "-j: fifo"
contains "$run/j4.out" "$many/9.Dockerfile" "-j: the directory's files"
if grep -q "runtime error\|ThreadSanitizer\|AddressSanitizer" "$run/j4.err"; then bad "-j: sanitizer report"; else ok; fi
"$DFOPT" lint -f gnu -j 3 "$many" "$many" "$many" >"$run/j3.out" 2>&1
"$DFOPT" lint -f gnu -j 1 "$many" "$many" "$many" >"$run/j1.out" 2>&1
same "$run/j1.out" "$run/j3.out" "-j 3 over the same files three times"
# With threads, inputs are kept open until their turn within half the
# descriptor limit; past it they are opened in their turn, with the same
# output. One job at a time, a reader thread opens each ahead of its turn
# and holds one descriptor at most.
# shellcheck disable=SC3045 # dash and bash, the shells the suite runs in, have ulimit -n
if (ulimit -n 32) 2>/dev/null; then
	"$DFOPT" lint -f gnu -j 1 "$many"/*.Dockerfile "$many"/*.Dockerfile >"$run/j1.out" 2>&1
	(ulimit -n 32 && "$DFOPT" lint -f gnu -j 2 "$many"/*.Dockerfile "$many"/*.Dockerfile) >"$run/fds.out" 2>&1
	same "$run/j1.out" "$run/fds.out" "inputs past the descriptor budget"
	(ulimit -n 32 && "$DFOPT" lint -f gnu -j 1 "$many"/*.Dockerfile "$many"/*.Dockerfile) >"$run/fds.out" 2>&1
	same "$run/j1.out" "$run/fds.out" "inputs read ahead under a low descriptor limit"
else
	bad "this shell cannot set ulimit -n"
fi
# Inputs from one directory are opened relative to it: the same results
# as each file linted alone, however the path is spelt.
(cd "$many" && "$DFOPT" lint -f gnu -j 1 0.Dockerfile ./1.Dockerfile ../many/2.Dockerfile "$many//5.Dockerfile" \
	"$many/nope.Dockerfile" "$many/6.Dockerfile/" "$many/7.Dockerfile") >"$run/dir.out" 2>"$run/dir.err"
(cd "$many" && for f in 0.Dockerfile ./1.Dockerfile ../many/2.Dockerfile "$many//5.Dockerfile" "$many/nope.Dockerfile" \
	"$many/6.Dockerfile/" "$many/7.Dockerfile"; do "$DFOPT" lint -f gnu -j 1 "$f"; done) >"$run/alone.out" 2>"$run/alone.err"
same "$run/alone.out" "$run/dir.out" "inputs of one directory"
same "$run/alone.err" "$run/dir.err" "inputs of one directory: errors"
contains "$run/dir.err" "dfopt: cannot read '$many/6.Dockerfile/': Not a directory" "a file named as a directory"
# Files read ahead of their turn: past the reader's window of files (many
# small ones) and of bytes (a few large ones among them), the same output as
# with threads, which read their own.
big=$run/big
mkdir -p "$big"
line='# 0123456789012345678901234567890123456789012345678901234567890123456789'
awk -v l="$line" 'BEGIN { print "FROM alpine:3.20"; for (i = 0; i < 180000; i++) print l; print "MAINTAINER m" }' \
	>"$big/a.Dockerfile"
cp "$big/a.Dockerfile" "$big/b.Dockerfile"
cp "$big/a.Dockerfile" "$big/c.Dockerfile"
ahead="$many $big/a.Dockerfile $many/0.Dockerfile $big/b.Dockerfile $big/c.Dockerfile $many"
# shellcheck disable=SC2086 # word splitting of $ahead is the point
"$DFOPT" lint -f gnu -j 1 $ahead >"$run/j1.out" 2>&1
# shellcheck disable=SC2086
"$DFOPT" lint -f gnu -j 2 $ahead >"$run/j2.out" 2>&1
same "$run/j1.out" "$run/j2.out" "files read ahead: windows of files and of bytes"
if [ "$(grep -c "^$big/c.Dockerfile:" "$run/j1.out")" -gt 0 ]; then ok; else bad "files read ahead: the large files linted"; fi
rm -rf "$big"
chmod 000 "$many/3.Dockerfile"
if ! cat "$many/3.Dockerfile" >/dev/null 2>&1; then
	expect 2 "-j: unreadable file" "$DFOPT" lint -j 4 "$many"
	contains "$tmp/err" "dfopt: cannot read '$many/3.Dockerfile': Permission denied" "unreadable message"
fi
chmod 644 "$many/3.Dockerfile"

# stdin, alone and among files and threads.
mkdf stdin "$run/in.Dockerfile"
expect 1 "stdin" sh -c "\"$DFOPT\" lint --no-shellcheck - < \"$run/in.Dockerfile\""
contains "$tmp/out" "<stdin>:2:1 DL4000 [*] error: MAINTAINER is deprecated" "stdin finding"
expect 1 "stdin among files, -j" sh -c "\"$DFOPT\" lint --no-shellcheck -f gnu -j 4 \"$tree/sub\" - \"$tree/Containerfile\" < \"$run/in.Dockerfile\""
cut -d: -f1 "$tmp/out" | uniq >"$run/files"
printf '%s\n' "$tree/sub/Dockerfile" "<stdin>" "$tree/Containerfile" >"$run/want"
same "$run/files" "$run/want" "stdin keeps its place"

# tty: the source line and carets under the span, a summary, no colour
# when stdout is not a terminal.
printf 'FROM alpine:3.20\nRUN\tcd /src && make\nMAINTAINER x\n' >"$run/tty.Dockerfile"
expect 1 "tty snippets" "$DFOPT" lint --no-shellcheck "$run/tty.Dockerfile"
printf '%s\n' "$run/tty.Dockerfile:2:5 DL3003 warning: Use WORKDIR to switch to a directory" \
	"  2 | RUN	cd /src && make" "    |    	^^" "" \
	"$run/tty.Dockerfile:3:1 DL4000 [*] error: MAINTAINER is deprecated" "  3 | MAINTAINER x" "    | ^^^^^^^^^^" "" \
	"2 findings (1 error, 1 warning) in 1 file" "[*] 1 fixable with \`dfopt --fix\`" >"$run/want"
same "$tmp/out" "$run/want" "tty with snippets"
if grep -q "$(printf '\033')" "$tmp/out"; then bad "colour in a pipe"; else ok; fi
if script -qec "true" /dev/null >/dev/null 2>&1; then
	script -qec "\"$DFOPT\" lint --no-shellcheck \"$run/tty.Dockerfile\"" /dev/null >"$run/color.out" 2>&1
	contains "$run/color.out" "$(printf '\033[1;33mwarning\033[0m')" "colour on a terminal"
	script -qec "\"$DFOPT\" lint --no-shellcheck --no-color \"$run/tty.Dockerfile\"" /dev/null >"$run/color.out" 2>&1
	if grep -q "$(printf '\033')" "$run/color.out"; then bad "--no-color"; else ok; fi
	script -qec "\"$DFOPT\" lint --no-shellcheck -f tty -o \"$run/report.txt\" \"$run/tty.Dockerfile\"" /dev/null >/dev/null 2>&1
	if grep -q "$(printf '\033')" "$run/report.txt"; then bad "colour in a report file"; else ok; fi
fi

# Several outputs; a report that cannot be written is exit 2, the others
# are still written.
expect 1 "two outputs" "$DFOPT" lint --no-shellcheck -f json -o "$run/r.json" -f checkstyle -o "$run/r.xml" -f gnu "$run/tty.Dockerfile"
contains "$run/r.json" '"code":"DL4000"' "json report file"
contains "$run/r.xml" "<checkstyle" "checkstyle report file"
contains "$tmp/out" "$run/tty.Dockerfile:3.1-3.11: error: DL4000" "gnu on stdout"
rm -f "$run/r.json"
expect 2 "unwritable report" "$DFOPT" lint --no-shellcheck -f sarif -o "$run/no/dir/r.sarif" -f json -o "$run/r.json" "$run/tty.Dockerfile"
contains "$tmp/err" "dfopt: cannot write '$run/no/dir/r.sarif': No such file or directory" "unwritable report message"
contains "$run/r.json" '"code":"DL4000"' "the other report still written"
if [ -w /dev/full ]; then
	expect 2 "stdout full" sh -c "\"$DFOPT\" lint --no-shellcheck \"$run/tty.Dockerfile\" >/dev/full"
	contains "$tmp/err" "dfopt: cannot write standard output: No space left on device" "stdout full message"
fi

# --file-path-in-report: every format, one file only.
expect 1 "report path" sh -c "\"$DFOPT\" lint --no-shellcheck --file-path-in-report app/Dockerfile -f json - < \"$run/tty.Dockerfile\""
contains "$tmp/out" '"file":"app/Dockerfile"' "report path in json"
expect 1 "report path, tty" "$DFOPT" lint --no-shellcheck --file-path-in-report app/Dockerfile "$run/tty.Dockerfile"
contains "$tmp/out" "app/Dockerfile:3:1 DL4000" "report path in tty"
expect 2 "report path, two files" "$DFOPT" lint --no-shellcheck --file-path-in-report x "$tree/sub"  "$run/tty.Dockerfile"
contains "$tmp/err" "--file-path-in-report names one file, but 2 are linted" "report path with two files"

# SARIF locations are URI references: a blank in a path is percent-encoded.
mkdir -p "$tmp/my app"
printf 'FROM alpine\n' >"$tmp/my app/Dockerfile"
expect 1 "sarif of a path with a blank" "$DFOPT" lint --no-shellcheck -f sarif "$tmp/my app/Dockerfile"
contains "$tmp/out" "my%20app/Dockerfile" "sarif uri percent-encoded"

# A BuildKit check and the DL rule it duplicates: one finding, the DL one;
# ignoring either name silences it; # check=skip= counts as ignoring.
printf 'FROM alpine:3.20 AS Scratch\nMAINTAINER x\nCMD ["a"]\nCMD ["b"]\n' >"$tmp/dup.Dockerfile"
expect 1 "duplicates merged" "$DFOPT" lint --no-shellcheck -f gnu "$tmp/dup.Dockerfile"
if [ "$(grep -c 'DL4000\|DL3063\|DL4003' "$tmp/out")" -eq 3 ]; then ok; else bad "DL findings kept"; cat "$tmp/out"; fi
lacks "$tmp/out" "MaintainerDeprecated" "duplicate dropped"
lacks "$tmp/out" "MultipleInstructionsDisallowed" "duplicate dropped"
contains "$tmp/out" "StageNameCasing" "a check with no DL twin stays"
expect 1 "duplicate ignored by its check name" "$DFOPT" lint --no-shellcheck -f gnu --ignore MaintainerDeprecated "$tmp/dup.Dockerfile"
lacks "$tmp/out" "DL4000" "ignoring the check name silences the DL finding"
{ printf '# check=skip=MultipleInstructionsDisallowed\n'; cat "$tmp/dup.Dockerfile"; } >"$tmp/dup2.Dockerfile"
expect 1 "duplicate skipped by # check=" "$DFOPT" lint --no-shellcheck -f gnu "$tmp/dup2.Dockerfile"
lacks "$tmp/out" "DL4003" "check=skip silences the DL twin"

# # check=experimental= turns on a check BuildKit ships off, as a warning.
printf '# bar this is the bar\nARG foo=bar\nFROM scratch\n' >"$tmp/exp.Dockerfile"
expect 0 "an experimental check is off" "$DFOPT" lint --no-shellcheck -f gnu "$tmp/exp.Dockerfile"
lacks "$tmp/out" "InvalidDefinitionDescription" "an experimental check is off by default"
for on in InvalidDefinitionDescription all; do
	{ printf '# check=experimental=%s\n\n' "$on"; cat "$tmp/exp.Dockerfile"; } >"$tmp/exp2.Dockerfile"
	expect 1 "experimental=$on" "$DFOPT" lint --no-shellcheck -f gnu "$tmp/exp2.Dockerfile"
	contains "$tmp/out" "exp2.Dockerfile:3.3-3.6: warning: InvalidDefinitionDescription" "experimental=$on: a warning"
done

finish cli
