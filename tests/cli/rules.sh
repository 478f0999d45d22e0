#!/bin/sh
# The rule catalogue: `dfopt rules` (text and json), `dfopt rules --docs`, and
# docs/rules/ kept in step with the rules' metadata.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set.
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

expect 0 "rules" "$DFOPT" rules
nrules=$(($(wc -l <"$tmp/out") - 1))
if [ "$nrules" -gt 0 ]; then ok; else bad "rules lists no rule"; fi
if grep -qE '^DF0001 +warning +maintainability +none +unknown-code-in-pragma$' "$tmp/out"; then ok; else bad "rules table: no DF0001 row"; fi

expect 0 "rules json" "$DFOPT" rules --format json
if [ "$(grep -c '"code":' "$tmp/out")" -eq "$nrules" ]; then ok; else bad "rules json: not one object per rule"; fi
contains "$tmp/out" '"name":	"unknown-code-in-pragma"' "rules json name"
if command -v python3 >/dev/null 2>&1; then
	if python3 - "$tmp/out" "$nrules" <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))
assert len(rules) == int(sys.argv[2]), len(rules)
for r in rules:
    for k in ("code", "name", "severity", "category", "fix", "message"):
        assert isinstance(r[k], str) and r[k], (r.get("code"), k)
    for k in ("what", "why", "example", "instead"):
        assert isinstance(r["docs"][k], str) and r["docs"][k], (r["code"], k)
    assert isinstance(r["subsumes_parse_error"], bool)
PY
	then ok; else bad "rules json does not hold every rule's metadata"; fi
fi
expect 2 "rules bad format" "$DFOPT" rules --format yaml
contains "$tmp/err" "unknown format 'yaml'" "rules bad format message"
expect 2 "rules argument" "$DFOPT" rules DL3003
expect 0 "rules help" "$DFOPT" rules --help
contains "$tmp/out" "usage: dfopt rules" "rules help text"

# docs/rules/ is what `dfopt rules --docs` writes, byte for byte.
expect 0 "rules --docs" "$DFOPT" rules --docs "$tmp/rules"
if [ "$(find "$tmp/rules" -name '*.md' ! -name README.md | wc -l)" -eq "$nrules" ]; then ok; else bad "rules --docs: not one page per rule"; fi
contains "$tmp/rules/README.md" "[DL3003](DL3003.md)" "docs index links the pages"
contains "$tmp/rules/DL3003.md" "## Why it matters" "docs page sections"
if diff -r "$SRC/docs/rules" "$tmp/rules" >"$tmp/diff"; then
	ok
else
	bad "docs/rules is stale: regenerate it with 'make docs-rules' (dfopt rules --docs docs/rules) and commit the result"
	head -n 40 "$tmp/diff"
fi
expect 2 "rules --docs unwritable" "$DFOPT" rules --docs "$tmp/nope/rules"
contains "$tmp/err" "cannot create '$tmp/nope/rules'" "rules --docs error message"

# One problem, one finding: DL3043's fixtures are also parse errors (DL1000)
# at the same span, reported once, as DL3043.
for f in "$SRC"/fixtures/rules/DL3043/onbuild-*.Dockerfile; do
	"$DFOPT" lint --no-fail "$f" >"$tmp/out" 2>"$tmp/err"
	if grep -q DL3043 "$tmp/out" && ! grep -q DL1000 "$tmp/out"; then ok; else bad "$(basename "$f"): not one DL3043 alone"; cat "$tmp/out"; fi
done

# explain: the same metadata for one rule.
expect 0 "explain DF0001" "$DFOPT" explain DF0001
contains "$tmp/out" "DF0001 unknown-code-in-pragma (warning, maintainability)" "explain header"

finish rules
