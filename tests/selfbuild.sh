#!/bin/sh
# selfbuild.sh BUILDDIR - dfopt's own Dockerfile, linted clean by dfopt and
# built by dfopt's builder (`make check-selfbuild`, and a CI step).
#
# The base images (debian:12, debian:12-slim) are a Debian root file system
# made with debootstrap (cached in BUILDDIR/tests/selfbuild/rootfs) and
# imported into a scratch store; the build installs the toolchain from
# Debian's mirror, so it needs the network. Then the image itself runs:
# `dfopt --version` inside a build based on it.
set -eu
build=${1:?usage: selfbuild.sh BUILDDIR}
src=$(cd "$(dirname "$0")/.." && pwd)
dfopt=$build/dfopt
work=$build/tests/selfbuild
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$work"
export DFOPT_STORE="$work/store"

echo "== dfopt lints its own Dockerfile clean"
"$dfopt" lint --no-shellcheck "$src/Dockerfile"

if [ ! -x "$work/rootfs/bin/sh" ]; then
	command -v debootstrap >/dev/null 2>&1 || { echo "selfbuild.sh: debootstrap is needed (apt-get install debootstrap)"; exit 2; }
	echo "== debootstrap bookworm into $work/rootfs"
	rm -rf "$work/rootfs"
	debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		{ tail -20 "$work/debootstrap.log"; exit 2; }
fi
"$dfopt" image import debian:12 "$work/rootfs"
"$dfopt" image import debian:12-slim "$work/rootfs"

echo "== dfopt build of dfopt"
"$dfopt" build --explain -t dfopt-self --output "$work/oci" "$src"
printf 'FROM dfopt-self\nRUN ["dfopt", "--version"]\n' >"$work/run.Dockerfile"
echo "== the image runs dfopt"
"$dfopt" build --no-cache -f "$work/run.Dockerfile" "$work" | tee "$work/run.out"
grep -q '^#2 dfopt ' "$work/run.out" || { echo "selfbuild.sh: dfopt --version did not run in the image"; exit 1; }
echo "selfbuild: PASS"
