#!/bin/sh
# Every Dockerfile under fixtures/ through `dfopt lint` in one run: no crash,
# no sanitizer report, exit 0 with --no-fail, and JSON output that parses
# back with findings only for those files. tests/check_lint_all.c does the
# same in process, file by file, in every output format.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set.
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

# Files with a NUL byte are binary to the command line (an error of their
# own, tested by hostile.sh); the parser's own fixture of one stays.
find "$SRC/fixtures" -type f \( -name Dockerfile -o -name '*.Dockerfile' \) | sort | while read -r f; do
	if [ "$(tr -d '\000' <"$f" | wc -c)" -eq "$(wc -c <"$f")" ]; then echo "$f"; fi
done >"$tmp/list"
n=$(wc -l <"$tmp/list")
if [ "$n" -ge 100 ]; then ok; else bad "only $n Dockerfiles under $SRC/fixtures"; fi

# One run writes the three reports (ShellCheck runs once per file).
# The names hold no blanks (the fixtures are ours); xargs would split one
# long list into several runs, so pass it whole.
# shellcheck disable=SC2046
"$DFOPT" lint --no-fail -f json -o "$tmp/json" -f tty -o "$tmp/tty" -f sarif -o "$tmp/sarif" \
	$(cat "$tmp/list") >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "lint of every fixture: exit $rc"; head -5 "$tmp/err"; fi
if grep -qE 'runtime error|Sanitizer|LeakSanitizer' "$tmp/err"; then
	bad "lint of every fixture: sanitizer report"
	head -20 "$tmp/err"
else
	ok
fi
for format in json tty sarif; do
	if [ -s "$tmp/$format" ]; then ok; else bad "no $format report written"; fi
done

if [ "$(head -c 1 "$tmp/json")" = "[" ]; then ok; else bad "json output does not start with '['"; fi
if command -v python3 >/dev/null 2>&1; then
	if python3 - "$tmp/json" "$tmp/list" "$tmp/sarif" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
files = set(open(sys.argv[2]).read().split("\n")) - {""}
for f in findings:
    assert f["file"] in files, f["file"]
    assert f["code"] and f["message"], f
    assert f["line"] >= 1 and f["column"] >= 1, f
    assert (f["end_line"], f["end_column"]) >= (f["line"], f["column"]), f
sarif = json.load(open(sys.argv[3]))
assert len(sarif["runs"][0]["results"]) == len(findings)
# What SARIF 2.1.0's schema requires of the parts dfopt writes.
assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
driver = sarif["runs"][0]["tool"]["driver"]
assert isinstance(driver["name"], str) and driver["name"]
ids = [r["id"] for r in driver["rules"]]
assert len(ids) == len(set(ids)), "rule ids repeat"
for r in driver["rules"]:
    for k in ("shortDescription", "fullDescription"):
        assert isinstance(r[k]["text"], str) and r[k]["text"], r
    if "helpUri" in r:
        assert r["helpUri"].startswith("https://") and " " not in r["helpUri"], r
for res in sarif["runs"][0]["results"]:
    assert res["level"] in ("none", "note", "warning", "error"), res
    assert isinstance(res["message"]["text"], str) and res["message"]["text"], res
    assert ids[res["ruleIndex"]] == res["ruleId"], res
    (loc,) = res["locations"]
    uri = loc["physicalLocation"]["artifactLocation"]["uri"]
    assert uri and not any(c in uri for c in ' "<>\\^`{|}'), uri
    reg = loc["physicalLocation"]["region"]
    assert reg["startLine"] >= 1 and reg["startColumn"] >= 1, reg
    assert (reg["endLine"], reg["endColumn"]) >= (reg["startLine"], reg["startColumn"]), reg
PY
	then ok; else bad "lint output of every fixture is not valid JSON with sane findings"; fi
fi

finish lint_fixtures
