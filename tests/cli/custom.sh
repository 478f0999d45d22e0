#!/bin/sh
# Custom rules (docs/custom-rules.md) through `dfopt lint`, from fixtures:
# each fixtures/custom/<case>/ holds a .dfopt.yaml, a Dockerfile, optionally
# `args` (more options for the run, split at blanks) and `expected`: what
#   dfopt lint -c .dfopt.yaml --no-shellcheck --no-fail -f gnu ARGS Dockerfile
# run in that directory writes on stdout, the built-in rules' findings left
# out (DF0001's kept: it judges the ignore pragmas), then on stderr, then
# `exit N`. A malformed config is a case like the others: its expected holds
# the error. DFOPT_BLESS=1 rewrites the expected files. Then a few checks of
# what holds for every case: the JSON and SARIF reports carry the custom
# findings, a config found by itself (./.dfopt.yaml) does as -c does, and
# `dfopt rules -c` and `dfopt explain -c` show a config's rules.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set.
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

case $DFOPT in /*) ;; *) DFOPT=$(pwd)/$DFOPT ;; esac

# The built-in codes, whose findings the snapshots leave out.
"$DFOPT" rules | awk 'NR > 1 && $1 != "DF0001" { print $1 }' >"$tmp/builtin"
if [ -s "$tmp/builtin" ]; then ok; else bad "dfopt rules listed no rule"; fi

# run_case DIR OUT: the case's report as its expected file holds it.
run_case() {
	args=
	[ -f "$1/args" ] && args=$(cat "$1/args")
	# shellcheck disable=SC2086 # args are words
	(cd "$1" && "$DFOPT" lint -c .dfopt.yaml --no-shellcheck --no-fail -f gnu $args Dockerfile) \
		>"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	awk 'NR == FNR { builtin[$1] = 1; next } !($3 in builtin) && $3 !~ /^SC[0-9]+$/' \
		"$tmp/builtin" "$tmp/stdout" >"$2"
	cat "$tmp/stderr" >>"$2"
	echo "exit $rc" >>"$2"
}

n=0
for dir in "$SRC"/fixtures/custom/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	n=$((n + 1))
	run_case "$dir" "$tmp/got"
	if [ "${DFOPT_BLESS:-}" = 1 ]; then
		cp "$tmp/got" "$dir/expected"
		ok
		continue
	fi
	if [ ! -f "$dir/expected" ]; then
		bad "custom/$name: no expected file (DFOPT_BLESS=1 writes it)"
	elif cmp -s "$dir/expected" "$tmp/got"; then
		ok
	else
		bad "custom/$name: the report differs from expected"
		diff "$dir/expected" "$tmp/got" | head -20
	fi
done
if [ "$n" -ge 10 ]; then ok; else bad "only $n custom rule cases"; fi

# The other formats carry the same findings, code and message.
case=$SRC/fixtures/custom/insecure-curl
(cd "$case" && "$DFOPT" lint -c .dfopt.yaml --no-shellcheck --no-fail -f json -o "$tmp/json" \
	-f sarif -o "$tmp/sarif" Dockerfile)
is "json and sarif reports written" "$?" 0
contains "$tmp/json" '"code":"ACME002"' "json report"
contains "$tmp/json" '"message":"curl without TLS verification:' "json report"
contains "$tmp/sarif" '"ACME002"' "sarif report"
# SARIF describes the rule as the config does: message, docs, severity.
python3 - "$tmp/sarif" >"$tmp/rule" <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]
r = [r for r in rules if r["id"] == "ACME002"][0]
print(r["shortDescription"]["text"])
print(r["fullDescription"]["text"])
print(r["defaultConfiguration"]["level"])
PY
contains "$tmp/rule" "curl without TLS verification: drop -k/--insecure" "sarif: the custom rule's message"
contains "$tmp/rule" "anyone on the path can swap the download" "sarif: the custom rule's docs"
contains "$tmp/rule" "error" "sarif: the custom rule's severity"

# ./.dfopt.yaml is found without -c, and -V says so.
mkdir "$tmp/found"
cp "$case/.dfopt.yaml" "$case/Dockerfile" "$tmp/found/"
(cd "$tmp/found" && "$DFOPT" lint -V --no-shellcheck --no-fail -f gnu Dockerfile) >"$tmp/out" 2>"$tmp/err"
contains "$tmp/err" "config file '.dfopt.yaml'" "config found in the current directory"
contains "$tmp/out" "ACME002" "custom rule of a config found by itself"

# A custom rule in a hadolint file counts too, and the dfopt file's rule of
# the same code replaces it.
cat >"$tmp/found/.hadolint.yaml" <<'EOF'
custom-rules:
  - code: ACME002
    message: from the hadolint file
    command: curl
  - code: ACME900
    message: only in the hadolint file
    instructions: [CMD]
    pattern: .
EOF
printf 'FROM alpine:3.20\nRUN curl https://example.com/\nCMD ["sh"]\n' >"$tmp/found/Dockerfile"
(cd "$tmp/found" && "$DFOPT" lint --no-shellcheck --no-fail -f gnu Dockerfile) >"$tmp/out" 2>"$tmp/err"
contains "$tmp/out" "ACME900 only in the hadolint file" "custom rule of the hadolint file"
lacks "$tmp/out" "from the hadolint file" "the dfopt file's rule replaces the hadolint file's"

# dfopt rules -c FILE lists them after dfopt's own; explain -c FILE CODE
# explains one (and still explains dfopt's own).
expect 0 "rules -c" "$DFOPT" rules -c "$case/.dfopt.yaml"
if grep -qE '^ACME002 +error +custom +none +curl without TLS verification' "$tmp/out"; then ok; else
	bad "rules -c: no ACME002 row"; tail -3 "$tmp/out"; fi
is "rules -c: one row more" "$(($(wc -l <"$tmp/out") - 1))" "$(($(wc -l <"$tmp/builtin") + 2))"
expect 0 "rules -c json" "$DFOPT" rules -f json -c "$case/.dfopt.yaml"
contains "$tmp/out" '"category":	"custom"' "rules -c json"
expect 2 "rules -c with --docs" "$DFOPT" rules -c "$case/.dfopt.yaml" --docs "$tmp/docs"
expect 2 "rules -c of a bad config" "$DFOPT" rules -c "$SRC/fixtures/custom/error-bad-pattern/.dfopt.yaml"
contains "$tmp/err" "custom rule 'ACME001': pattern: missing closing parenthesis at offset 12" "rules -c error"
expect 0 "explain -c" "$DFOPT" explain -c "$case/.dfopt.yaml" ACME002
contains "$tmp/out" "ACME002 (error, custom rule of" "explain -c"
contains "$tmp/out" "anyone on the path can swap the download" "explain -c: the rule's docs"
expect 0 "explain -c of a built-in rule" "$DFOPT" explain -c "$case/.dfopt.yaml" DL3003
contains "$tmp/out" "DL3003" "explain -c of a built-in rule"
expect 2 "explain -c of no rule" "$DFOPT" explain -c "$case/.dfopt.yaml" ACME999

finish custom
