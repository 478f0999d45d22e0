#!/bin/sh
# ShellCheck through `dfopt lint`: on by default when installed, off with
# --no-shellcheck or DFOPT_SHELLCHECK=, quiet when the program is missing;
# `dfopt explain` and SARIF point SC codes at ShellCheck's wiki.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set; needs
# ShellCheck installed.
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"
unset DFOPT_SHELLCHECK SHELLCHECK_OPTS

if ! command -v shellcheck >/dev/null 2>&1; then
	echo "shellcheck: no 'shellcheck' on PATH; these checks need ShellCheck installed"
	exit 1
fi

# One SC finding (info) and one rule finding (DL4000, error).
# shellcheck disable=SC2016 # the Dockerfile's own $HOME, not this script's
printf 'FROM alpine:3.19\nMAINTAINER x\nRUN echo $HOME && \\\n    ls $HOME\n' >"$tmp/Dockerfile"

expect 1 "lint with shellcheck" "$DFOPT" lint -f gnu "$tmp/Dockerfile"
contains "$tmp/out" "Dockerfile:3.10-3.15: info: SC2086 Double quote" "SC2086 on the RUN line"
contains "$tmp/out" "Dockerfile:4.8-4.13: info: SC2086 Double quote" "SC2086 on the continuation line"
contains "$tmp/out" "DL4000" "rules run alongside"
expect 0 "--ignore SC2086" "$DFOPT" lint -f gnu --no-fail --ignore SC2086 "$tmp/Dockerfile"
lacks "$tmp/out" "SC2086" "--ignore SC2086"
contains "$tmp/out" "DL4000" "rules run with --ignore SC2086"

expect 1 "--no-shellcheck" "$DFOPT" lint -f gnu --no-shellcheck "$tmp/Dockerfile"
lacks "$tmp/out" "SC2086" "--no-shellcheck"
contains "$tmp/out" "DL4000" "rules run with --no-shellcheck"

# Absent: no SC finding, no error message, the rules still run.
for how in "DFOPT_SHELLCHECK=$tmp/no-such-program" "DFOPT_SHELLCHECK=" "PATH=$tmp"; do
	expect 1 "lint with $how" env "$how" "$DFOPT" lint -f gnu "$tmp/Dockerfile"
	lacks "$tmp/out" "SC2086" "$how"
	contains "$tmp/out" "DL4000" "rules run with $how"
	if [ -s "$tmp/err" ]; then bad "$how: stderr not empty"; cat "$tmp/err"; else ok; fi
done

# DFOPT_SHELLCHECK names the program: a wrapper that logs its calls runs
# once for a file of many RUNs.
sc=$(command -v shellcheck)
printf '#!/bin/sh\necho call >>"%s/calls"\nexec "%s" "$@"\n' "$tmp" "$sc" >"$tmp/wrapper"
chmod +x "$tmp/wrapper"
{
	echo 'FROM alpine:3.19'
	i=0
	while [ $i -lt 20 ]; do echo "RUN echo \$HOME$i"; i=$((i + 1)); done
} >"$tmp/many.Dockerfile"
expect 1 "lint through a wrapper" env DFOPT_SHELLCHECK="$tmp/wrapper" "$DFOPT" lint -f gnu "$tmp/many.Dockerfile"
if [ "$(grep -c SC2086 "$tmp/out")" -eq 20 ]; then ok; else bad "wrapper: not 20 SC2086"; fi
if [ "$(wc -l <"$tmp/calls")" -eq 1 ]; then ok; else bad "wrapper: $(wc -l <"$tmp/calls") calls for one file"; fi

expect 1 "sarif" "$DFOPT" lint -f sarif "$tmp/Dockerfile"
contains "$tmp/out" '"helpUri":	"https://www.shellcheck.net/wiki/SC2086"' "sarif help link"

expect 0 "explain SC2086" "$DFOPT" explain SC2086
contains "$tmp/out" "https://www.shellcheck.net/wiki/SC2086" "explain wiki link"
expect 2 "explain SCX" "$DFOPT" explain SCX
contains "$tmp/err" "no rule 'SCX'" "explain of no code"

finish shellcheck
