# build-image.sh - the base image of the builder tests; sourced, not run.
#
# Imports fixtures/build/base-image.sh's busybox image into $DFOPT_STORE,
# its output in $tmp/import.out. Needs root (dfopt build does); exits the
# calling script with a message otherwise or when the import fails.
# shellcheck shell=sh
# shellcheck disable=SC2154 # tmp, SRC and DFOPT come from lib.sh

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: dfopt build needs root (namespaces and overlayfs); run the suite as root"
	exit 1
fi
if ! sh "$SRC/fixtures/build/base-image.sh" "$DFOPT" >"$tmp/import.out" 2>&1; then
	echo "$0: importing the busybox base image failed:"
	cat "$tmp/import.out"
	exit 1
fi
