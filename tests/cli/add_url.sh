#!/bin/sh
# dfopt build: ADD <url> against a local HTTP server (python3 -m http.server):
# the file's name, mode and content in the image, remote archives left
# packed, the cache (an unchanged remote file hits, a changed one misses and
# --explain says why), --checksum, and the failures (404, a wrong checksum,
# --checksum on a local source, git URLs, no curl). Needs root (dfopt build
# does), curl and python3.
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

for tool in curl python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "add_url.sh: no '$tool' on PATH; these checks need it installed"
		exit 1
	fi
done

store=$tmp/store
export DFOPT_STORE="$store"
# shellcheck source=tests/cli/build-image.sh
. "$SRC/tests/cli/build-image.sh"

# The server: a free port, files under $www, stopped on exit.
www=$tmp/www
mkdir -p "$www" "$tmp/ctx"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 "$port" --directory "$www" >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
url=http://127.0.0.1:$port
tries=0
until curl -s -o /dev/null "$url/"; do
	tries=$((tries + 1))
	if [ "$tries" -ge 100 ]; then
		echo "add_url.sh: the HTTP server on port $port does not answer:"
		cat "$tmp/server.log"
		exit 1
	fi
	sleep 0.1
done

# dockerfile LINE...: the Dockerfile of $tmp/ctx, on the busybox base.
dockerfile() {
	printf 'FROM busybox\n' >"$tmp/ctx/Dockerfile"
	printf '%s\n' "$@" >>"$tmp/ctx/Dockerfile"
}
# status N: the status of step N in the last run's output.
status() { grep -E "^#$1 (CACHED|BUILT|MISS|FAILED)" "$tmp/out" | sed 's/^#[0-9]* //; s/ .*//'; }

echo 'hello from the server' >"$www/hello.txt"
mkdir -p "$tmp/pkg/dir"
echo inside >"$tmp/pkg/dir/file"
tar -czf "$www/pkg.tar.gz" -C "$tmp/pkg" dir

dockerfile "ADD $url/hello.txt /dl/" \
	"ADD $url/hello.txt /renamed.txt" \
	"ADD $url/pkg.tar.gz /arch/" \
	"RUN stat -c '%a %u:%g %n' /dl/hello.txt /renamed.txt && cat /dl/hello.txt && ls /arch"

# Cold build: downloaded, named by the URL (or the destination), 0600, root's.
expect 0 "cold build" "$DFOPT" build --explain "$tmp/ctx"
is "cold: the ADD" "$(status 2)" BUILT
contains "$tmp/out" "600 0:0 /dl/hello.txt" "a URL into a directory takes the URL's file name, mode 0600"
contains "$tmp/out" "600 0:0 /renamed.txt" "a URL onto a file path takes that path"
contains "$tmp/out" "#5 hello from the server" "the content is what the server served"
contains "$tmp/out" "#5 pkg.tar.gz" "a remote archive is not unpacked"
lacks "$tmp/out" "#5 dir" "nothing of the archive is unpacked"

# Unchanged remote files: everything cached.
expect 0 "warm build" "$DFOPT" build --explain "$tmp/ctx"
contains "$tmp/out" "4 cached, 0 built" "an unchanged remote file hits"

# A changed remote file misses, and --explain says why.
echo 'changed on the server' >"$www/hello.txt"
expect 0 "dry run after a remote change" "$DFOPT" build --dry-run "$tmp/ctx"
is "dry run: the ADD is fetched and misses" "$(status 2)" MISS
expect 0 "after a remote change" "$DFOPT" build --explain "$tmp/ctx"
is "remote change: the ADD" "$(status 2)" BUILT
contains "$tmp/out" "#2 why: the downloaded file changed" "the miss names the download"
contains "$tmp/out" "#5 changed on the server" "the new content lands"
is "remote change: the unchanged archive after it" "$(status 4)" BUILT

# --checksum: the right digest builds, a wrong one fails naming both.
sum=sha256:$(sha256sum "$www/hello.txt" | cut -d' ' -f1)
zero=sha256:0000000000000000000000000000000000000000000000000000000000000000
dockerfile "ADD --checksum=$sum $url/hello.txt /checked"
expect 0 "the right --checksum" "$DFOPT" build "$tmp/ctx"
is "the right --checksum: the ADD" "$(status 2)" BUILT
dockerfile "ADD --checksum=$zero $url/hello.txt /checked"
expect 2 "a wrong --checksum" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "ADD $url/hello.txt: checksum mismatch: expected $zero, got $sum" "the mismatch names both digests"
dockerfile "ADD --checksum=md5:0123 $url/hello.txt /checked"
expect 2 "a malformed --checksum" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "not a digest" "a malformed checksum is refused"
echo local >"$tmp/ctx/local.txt"
dockerfile "ADD --checksum=$sum local.txt /checked"
expect 2 "--checksum on a local source" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "ADD --checksum can't be specified for non-HTTP(S) sources" "--checksum needs a URL"

# Failures: a 404, a git repository, a URL with local files, no curl.
dockerfile "ADD $url/missing.txt /m"
expect 2 "a 404" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "Dockerfile:2: ADD $url/missing.txt: download failed:" "the failure names the URL"
contains "$tmp/err" "404" "the failure gives the HTTP status"
dockerfile "ADD https://example.com/repo.git /src"
expect 2 "a git URL" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "ADD of a git repository is not supported" "git stays unsupported"
dockerfile "ADD $url/hello.txt local.txt /both/"
expect 2 "a URL and a local file" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "use one ADD for each" "mixed sources are refused"
dockerfile "ADD $url/ /dir/"
expect 2 "a URL without a file name into a directory" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "the URL names no file" "no name to infer"
mkdir -p "$tmp/nocurl"
dockerfile "ADD $url/hello.txt /x"
expect 2 "no curl on PATH" env PATH="$tmp/nocurl" "$DFOPT" build "$tmp/ctx"
contains "$tmp/err" "ADD $url/hello.txt: curl is not installed" "a missing curl is named"

finish add_url.sh
