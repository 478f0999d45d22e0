# lib.sh - what the command-line test scripts share; sourced, not run.
#
# Sets DFOPT (the binary), SRC (the source tree), tmp (a scratch directory
# removed on exit), and HOME and XDG_CONFIG_HOME inside tmp with no lint
# settings in the environment, so a developer's own config cannot change
# results. Checks count into pass and fail; finish NAME prints the tally
# and gives the script's exit status.
# shellcheck shell=sh

DFOPT=${DFOPT:-./dfopt}
# shellcheck disable=SC2034 # for the scripts that source this
SRC=${DF_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config
export HOME XDG_CONFIG_HOME
for v in NOFAIL VERBOSE FORMAT FAILURE_THRESHOLD OVERRIDE_ERROR OVERRIDE_WARNING OVERRIDE_INFO OVERRIDE_STYLE \
	IGNORE TRUSTED_REGISTRIES REQUIRE_LABELS STRICT_LABELS DISABLE_IGNORE_PRAGMA; do
	unset "HADOLINT_$v" "DFOPT_$v"
done
unset NO_COLOR
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION COMMAND...: run it, output in $tmp/out and $tmp/err
expect() {
	want=$1; shift
	what=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want"; cat "$tmp/err"; fi
}

# contains FILE TEXT DESCRIPTION / lacks FILE TEXT DESCRIPTION
contains() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -5; fi
}
lacks() {
	if grep -qF -- "$2" "$1"; then bad "$3: '$2' in $(basename "$1")"; sed 's/^/  | /' "$1" | head -5; else ok; fi
}

# is DESCRIPTION GOT WANT: two strings are equal
is() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
# holds DESCRIPTION COMMAND...: the command succeeds
holds() {
	what=$1; shift
	if "$@"; then ok; else bad "$what"; fi
}

# same FILE1 FILE2 DESCRIPTION: byte for byte
same() { if cmp -s "$1" "$2"; then ok; else bad "$3: $(basename "$1") and $(basename "$2") differ"; diff "$1" "$2" | head -10; fi; }

finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
