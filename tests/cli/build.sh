#!/bin/sh
# dfopt build: real builds of fixtures/build/app on a busybox base image,
# checking the cache decisions (CACHED/BUILT per step, over edits), the miss
# explanations, the image written (OCI layout, config, reproducible bytes),
# the sandbox (network none, cache mounts, secrets kept out of layers) and
# the failure paths. Needs root (namespaces, overlayfs) and a static busybox
# (Debian's busybox-static).
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

# The builder's commands run in a program of their own: linting must not
# load libarchive or libcrypto (their loading costs more than a lint).
if command -v ldd >/dev/null 2>&1; then
	ldd "$DFOPT" >"$tmp/ldd" 2>&1
	lacks "$tmp/ldd" "libarchive" "dfopt does not link libarchive"
	lacks "$tmp/ldd" "libcrypto" "dfopt does not link libcrypto"
fi
if [ -x "$(dirname "$DFOPT")/dfopt-build" ]; then ok; else bad "no dfopt-build beside $DFOPT"; fi

store=$tmp/store
export DFOPT_STORE="$store"
# shellcheck source=tests/cli/build-image.sh
. "$SRC/tests/cli/build-image.sh"
contains "$tmp/import.out" "busybox sha256:" "import prints the manifest digest"

app=$tmp/app
cp -R "$SRC/fixtures/build/app" "$app"
chmod -R u+w "$app"

# steps FILE: the "#N STATUS" lines in order, e.g. "#3 CACHED".
steps() { grep -E '^#[0-9]+ (CACHED|BUILT|FAILED)' "$1" | sed 's/ [0-9.]*s .*//'; }
# status N: the status of step N in the last run's output.
status() { steps "$tmp/out" | sed -n "s/^#$1 //p"; }

# Cold build: every step but FROM built; the unneeded stage is skipped.
expect 0 "cold build" "$DFOPT" build --explain -t app "$app"
lacks "$tmp/out" "never built" "the tools stage is not built"
contains "$tmp/out" "[deps 4/4] RUN --mount=type=cache" "steps are named by stage and position"
contains "$tmp/out" "3 packages" "RUN output is shown"
contains "$tmp/out" "#4 3 packages" "RUN output lines carry the step prefix"
contains "$tmp/out" "Built 9 steps: 0 cached, 9 built" "summary of a cold build"
is "cold build: step 4" "$(status 4)" BUILT

# The same build again: everything cached.
expect 0 "warm build" "$DFOPT" build --explain -t app "$app"
contains "$tmp/out" "Built 9 steps: 9 cached, 0 built" "nothing rebuilt"
manifest1=$(sed -n 's/.*image \(sha256:[0-9a-f]*\)$/\1/p' "$tmp/out")

# A source edit: the dependency steps stay cached, COPY . . and after rebuild.
echo 'echo changed' >"$app/src/main.sh"
expect 0 "after a source edit" "$DFOPT" build --explain "$app"
is "source edit: the install step" "$(status 4)" CACHED
is "source edit: COPY . ." "$(status 8)" BUILT
is "source edit: the RUN after it" "$(status 9)" BUILT
contains "$tmp/out" "#8 why: context files changed: src/main.sh" "the miss names the file"
contains "$tmp/out" "#9 why: parent step #8 missed" "a later miss names its parent"

# An ignored file changes nothing.
echo 'more' >>"$app/build/out.bin"
expect 0 "after editing an ignored file" "$DFOPT" build "$app"
contains "$tmp/out" "9 cached, 0 built" "an ignored file does not bust the cache"

# Touching a file's mtime changes nothing; neither does a LABEL edit.
touch -d '2001-01-01' "$app/src/util.txt"
expect 0 "after touching a file" "$DFOPT" build "$app"
contains "$tmp/out" "9 cached, 0 built" "an mtime alone does not bust the cache"
sed 's/image.title=app/image.title=renamed/' "$app/Dockerfile" >"$tmp/label.Dockerfile"
expect 0 "after a LABEL edit" "$DFOPT" build -f "$tmp/label.Dockerfile" "$app"
contains "$tmp/out" "9 cached, 0 built" "a LABEL edit rebuilds nothing"

# A manifest edit: the install misses, and says why.
echo 'openssl' >>"$app/deps.txt"
expect 0 "after a manifest edit" "$DFOPT" build --explain "$app"
is "manifest edit: the install step" "$(status 4)" BUILT
contains "$tmp/out" "why: context files changed: deps.txt" "the manifest edit is named"
contains "$tmp/out" "4 packages" "the install ran on the new manifest"

# A build arg in scope changes the RUN keys that see it.
expect 0 "with a build arg" "$DFOPT" build --explain --build-arg FLAVOUR=spicy "$app"
is "build arg: COPY . ." "$(status 8)" CACHED
is "build arg: the RUN that sees it" "$(status 9)" BUILT
contains "$tmp/out" "#9 why: build arg FLAVOUR changed" "the miss names the build arg"

# JSON progress: one event per line, with keys and reasons.
expect 0 "json progress" "$DFOPT" build --progress=json "$app"
contains "$tmp/out" '"event":"step"' "step events"
contains "$tmp/out" '"status":"CACHED"' "statuses"
contains "$tmp/out" '"key":"sha256:' "keys"
contains "$tmp/out" '"event":"done"' "the final event"
if grep -v '^{' "$tmp/out" | grep -q .; then bad "json progress: a line that is not an event"; else ok; fi

# Dry run: keys only, same decisions as the real build, nothing executes.
echo 'echo again' >"$app/src/main.sh"
expect 0 "dry run" "$DFOPT" build --dry-run --progress=json "$app"
contains "$tmp/out" '"status":"MISS"' "a dry run reports misses"
lacks "$tmp/out" '"status":"BUILT"' "a dry run builds nothing"
grep -o '"step":[0-9]*,[^}]*"status":"[A-Z]*"' "$tmp/out" | sed 's/"stage.*"status"/ /' >"$tmp/dry"
expect 0 "the real build after the dry run" "$DFOPT" build --progress=json "$app"
grep -o '"step":[0-9]*,[^}]*"status":"[A-Z]*"' "$tmp/out" | sed 's/"stage.*"status"/ /; s/BUILT/MISS/' >"$tmp/real"
same "$tmp/dry" "$tmp/real" "dry run and real build agree on every step"

# The image: config, layers and an OCI layout that checks out.
expect 0 "build into an OCI layout" "$DFOPT" build --output "$tmp/layout" -t app "$app"
holds "oci-layout written" test -f "$tmp/layout/oci-layout"
contains "$tmp/layout/index.json" '"org.opencontainers.image.ref.name"' "the index names the image"
blobs_ok=1
for blob in "$tmp/layout/blobs/sha256/"*; do
	[ "$(sha256sum "$blob" | cut -d' ' -f1)" = "$(basename "$blob")" ] || blobs_ok=0
done
is "every blob is named by its sha256" "$blobs_ok" 1
config=$(grep -l '"rootfs"' "$tmp/layout/blobs/sha256/"* | head -n 1)
contains "$config" '"WorkingDir":"/app"' "WORKDIR in the config"
contains "$config" '"User":"1000:1000"' "USER in the config"
contains "$config" '"8080/tcp":{}' "EXPOSE in the config"
contains "$config" '"Cmd":["greet"]' "CMD in the config"
contains "$config" '"APP_HOME=/app"' "ENV in the config"
contains "$config" '"PATH=/app/bin:' "ENV expanded against the base image's"
contains "$config" '"org.opencontainers.image.title":"app"' "LABEL in the config"
contains "$config" '"empty_layer":true' "config-only steps in the history"

# Independent tools read the layout: skopeo and umoci (Debian's; CI installs them).
for tool in skopeo umoci; do
	command -v "$tool" >/dev/null 2>&1 || bad "$tool is not installed (apt-get install $tool)"
done
expect 0 "skopeo reads the layout" skopeo inspect "oci:$tmp/layout:app"
contains "$tmp/out" '"org.opencontainers.image.title": "app"' "skopeo sees the labels"
contains "$tmp/out" '"Architecture": "' "skopeo sees the platform"
expect 0 "umoci reads the layout" umoci stat --image "$tmp/layout:app"
contains "$tmp/out" "COPY . ." "umoci sees the history"

# Reproducible: a build without the cache gives the same image, byte for byte.
expect 0 "rebuild without the cache" "$DFOPT" build --no-cache --explain --output "$tmp/layout2" "$app"
contains "$tmp/out" "#8 why: --no-cache" "--no-cache is the reason"
same "$tmp/layout/blobs/sha256/$(basename "$config")" "$tmp/layout2/blobs/sha256/$(basename "$config")" \
	"the same config"
manifest2=$(sed -n 's/.*image \(sha256:[0-9a-f]*\)$/\1/p' "$tmp/out")
holds "the image id is printed" test -n "$manifest2"

# The file system: what the steps wrote is in the layers, the sandbox's
# own mounts are not, the network was none, and the ignored files are out.
mkdir -p "$tmp/fs"
for layer in $(grep -o '"sha256:[0-9a-f]*"' "$(grep -l 'layer.v1.tar' "$tmp/layout/blobs/sha256/"* | head -n 1)" |
	tr -d '"' | sed 's/sha256://'); do
	[ -f "$tmp/layout/blobs/sha256/$layer" ] || continue
	gzip -dc "$tmp/layout/blobs/sha256/$layer" 2>/dev/null | tar -tf - >>"$tmp/fs/list" 2>/dev/null
done
contains "$tmp/fs/list" "app/bin/greet" "the RUN's file is in a layer"
contains "$tmp/fs/list" "app/src/main.sh" "the sources are in a layer"
contains "$tmp/fs/list" "app/deps/installed.txt" "COPY --from brought the stage's file"
contains "$tmp/fs/list" "etc/motd" "the heredoc file is in a layer"
lacks "$tmp/fs/list" "app/build/out.bin" "an ignored file is not copied"
lacks "$tmp/fs/list" "app/Dockerfile" "the ignored Dockerfile is not copied"
lacks "$tmp/fs/list" "proc/" "the sandbox's /proc is not in a layer"
lacks "$tmp/fs/list" "cache/runs" "the cache mount is not in a layer"

# The cache mount persists across builds: two runs recorded.
runs=$(find "$store/mounts" -name runs -exec cat {} + 2>/dev/null | wc -l)
holds "cache mount: $runs runs recorded, want 2 or more" test "$runs" -ge 2

# A failing step stops the build with its exit status and names the step.
printf 'FROM busybox\nRUN echo before\nRUN exit 3\nRUN echo never\n' >"$tmp/fail.Dockerfile"
expect 3 "a failing RUN" "$DFOPT" build -f "$tmp/fail.Dockerfile" "$tmp/app"
contains "$tmp/err" "fail.Dockerfile:3: step #3 \`RUN exit 3\` failed with exit code 3" "the failure names the step"
lacks "$tmp/out" "never" "no step runs after a failure"

# Every instruction: what each puts into the image, and ADD unpacking a tar.
mkdir -p "$tmp/inst/lib"
echo vendored >"$tmp/inst/lib/v.txt"
tar -czf "$tmp/inst/vendor.tar.gz" -C "$tmp/inst" lib
cat >"$tmp/inst/Dockerfile" <<'EOF'
FROM busybox
ARG WHO=world
ENV GREETING="hello $WHO"
LABEL com.example.role=test
MAINTAINER dfopt tests
SHELL ["/bin/sh", "-e", "-c"]
WORKDIR /srv
USER root
ADD vendor.tar.gz /opt/vendor/
COPY lib/v.txt plain.txt
RUN test "$(cat /opt/vendor/lib/v.txt)" = vendored && echo "$GREETING" > greeting
EXPOSE 8080 53/udp
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --retries=2 CMD wget -q -O- http://localhost:8080/ || exit 1
CMD ["serve"]
ENTRYPOINT ["/bin/sh", "-c"]
ONBUILD RUN echo triggered
EOF
expect 0 "every instruction" "$DFOPT" build --output "$tmp/inst-layout" -t inst "$tmp/inst"
icfg=$(grep -l '"rootfs"' "$tmp/inst-layout/blobs/sha256/"* | head -n 1)
contains "$icfg" '"GREETING=hello world"' "ENV expands an ARG"
contains "$icfg" '"com.example.role":"test"' "LABEL"
contains "$icfg" '"author":"dfopt tests"' "MAINTAINER"
contains "$icfg" '"Shell":["/bin/sh","-e","-c"]' "SHELL"
contains "$icfg" '"WorkingDir":"/srv"' "WORKDIR"
contains "$icfg" '"53/udp":{}' "EXPOSE with a protocol"
contains "$icfg" '"Volumes":{"/data":{}}' "VOLUME"
contains "$icfg" '"StopSignal":"SIGTERM"' "STOPSIGNAL"
contains "$icfg" '"Test":["CMD-SHELL","wget -q -O- http://localhost:8080/ || exit 1"]' "HEALTHCHECK test"
contains "$icfg" '"Interval":30000000000' "HEALTHCHECK interval"
contains "$icfg" '"Retries":2' "HEALTHCHECK retries"
contains "$icfg" '"Cmd":["serve"]' "CMD set in the stage survives ENTRYPOINT"
contains "$icfg" '"Entrypoint":["/bin/sh","-c"]' "ENTRYPOINT"
contains "$icfg" '"OnBuild":["RUN echo triggered"]' "ONBUILD is kept for the images built on this one"
mkdir -p "$tmp/inst-fs"
for blob in "$tmp/inst-layout/blobs/sha256/"*; do
	gzip -dc "$blob" 2>/dev/null | tar -xf - -C "$tmp/inst-fs" 2>/dev/null || true
done
contains "$tmp/inst-fs/opt/vendor/lib/v.txt" "vendored" "ADD unpacks a local tar"
contains "$tmp/inst-fs/srv/plain.txt" "vendored" "COPY to a file name"
contains "$tmp/inst-fs/srv/greeting" "hello world" "RUN sees the ENV and the SHELL"
printf 'FROM inst\nRUN true\n' >"$tmp/inst/onbuild.Dockerfile"
expect 2 "a base image with ONBUILD triggers" "$DFOPT" build -f "$tmp/inst/onbuild.Dockerfile" "$tmp/inst"
contains "$tmp/err" "ONBUILD" "the error names the triggers"

# Bind mounts: what .dockerignore keeps, read-only by default, a read-write
# one's writes are lost, a stage's files through from=.
cat >"$tmp/bind.Dockerfile" <<'EOF'
FROM busybox AS files
RUN mkdir -p /data && echo from-stage > /data/note
FROM busybox
RUN --mount=type=bind,target=/ctx ls -a /ctx > /ctx-listing && (touch /ctx/x 2>/dev/null && echo writable || echo read-only) > /ctx-mode
RUN --mount=type=bind,source=src,target=/src,rw touch /src/new && ls /src > /src-listing
RUN --mount=type=bind,from=files,source=/data,target=/d cat /d/note > /from-stage
EOF
expect 0 "bind mounts" "$DFOPT" build -f "$tmp/bind.Dockerfile" --output "$tmp/bind-layout" "$app"
mkdir -p "$tmp/bind-fs"
for blob in "$tmp/bind-layout/blobs/sha256/"*; do
	gzip -dc "$blob" 2>/dev/null | tar -xf - -C "$tmp/bind-fs" 2>/dev/null || true
done
contains "$tmp/bind-fs/ctx-listing" "deps.txt" "the context bind shows the context"
lacks "$tmp/bind-fs/ctx-listing" "build" "the context bind hides what .dockerignore excludes"
contains "$tmp/bind-fs/ctx-mode" "read-only" "a bind mount is read-only by default"
contains "$tmp/bind-fs/src-listing" "new" "a read-write bind mount takes writes"
holds "a read-write bind mount's writes do not reach the context" test ! -e "$app/src/new"
holds "nor the layer" test ! -e "$tmp/bind-fs/src/new"
contains "$tmp/bind-fs/from-stage" "from-stage" "a bind mount from a stage"
printf 'FROM busybox\nRUN --mount=type=bind,source=../..,target=/up ls /up\n' >"$tmp/bind-escape.Dockerfile"
expect 2 "a bind mount out of the context" "$DFOPT" build -f "$tmp/bind-escape.Dockerfile" "$app"

# Secrets are mounted for the step and never stored.
printf 's3cret\n' >"$tmp/token"
printf 'FROM busybox\nRUN --mount=type=secret,id=token cat /run/secrets/token > /seen && ls /run/secrets\n' \
	>"$tmp/secret.Dockerfile"
expect 0 "a secret mount" "$DFOPT" build -f "$tmp/secret.Dockerfile" --secret id=token,src="$tmp/token" \
	--output "$tmp/secret-layout" "$tmp/app"
found=0
for blob in "$tmp/secret-layout/blobs/sha256/"*; do
	if gzip -dc "$blob" 2>/dev/null | tar -tf - 2>/dev/null | grep -q 'run/secrets'; then found=1; fi
done
is "the secret's mount point is in no layer" "$found" 0

# The context cannot be escaped: not with .., not through a symlink.
mkdir -p "$tmp/escape/inside"
echo secret >"$tmp/outside.txt"
ln -s "$tmp/outside.txt" "$tmp/escape/inside/link"
ln -s ../../outside.txt "$tmp/escape/inside/rel"
printf 'FROM busybox\nCOPY ../outside.txt /x\n' >"$tmp/escape/Dockerfile"
expect 2 "COPY .. out of the context" "$DFOPT" build "$tmp/escape"
printf 'FROM busybox\nCOPY inside/link inside/rel /got/\nRUN cat /got/* 2>/dev/null | grep -c secret > /count || true\n' \
	>"$tmp/escape/Dockerfile"
"$DFOPT" build --output "$tmp/escape-layout" "$tmp/escape" >"$tmp/out" 2>"$tmp/err"
lacks "$tmp/out" "secret" "a symlink in the context does not bring in a file outside it"
found=0
for blob in "$tmp/escape-layout/blobs/sha256/"*; do
	if gzip -dc "$blob" 2>/dev/null | tar -xOf - 2>/dev/null | grep -q secret; then found=1; fi
done
is "no layer holds the outside file" "$found" 0
# RUN cannot write outside its root.
printf 'FROM busybox\nRUN echo escaped > /host-marker && ls / > /dev/null\n' >"$tmp/escape/Dockerfile"
expect 0 "a RUN writing at its root" "$DFOPT" build "$tmp/escape"
holds "the RUN wrote in its own root, not the host's" test ! -e /host-marker

# Errors: one line, exit 2.
expect 2 "a missing base image" sh -c "printf 'FROM nosuch:1\n' >\"$tmp/nobase\" && \"$DFOPT\" build -f \"$tmp/nobase\" \"$tmp/app\""
contains "$tmp/err" "nosuch:1" "the missing image is named"
expect 2 "a missing COPY source" sh -c "printf 'FROM busybox\nCOPY nope /x\n' >\"$tmp/nosrc\" && \"$DFOPT\" build -f \"$tmp/nosrc\" \"$tmp/app\""
contains "$tmp/err" "nosrc:2:" "the failing COPY is located"
expect 2 "a parse error" sh -c "printf 'FROM busybox\nFORM x\n' >\"$tmp/bad\" && \"$DFOPT\" build -f \"$tmp/bad\" \"$tmp/app\""
contains "$tmp/err" "bad:2:1:" "the parse error is located"
expect 2 "an unknown target" "$DFOPT" build --target nosuch "$app"
expect 2 "an unknown progress mode" "$DFOPT" build --progress=fancy "$app"

# The store on the command line.
expect 0 "images" "$DFOPT" images
contains "$tmp/out" "busybox:latest" "images lists the base image"
contains "$tmp/out" "app:latest" "images lists the tagged build"
expect 0 "cache ls" "$DFOPT" cache ls
contains "$tmp/out" "records," "cache ls counts the records"
expect 0 "image export" "$DFOPT" image export app "$tmp/exported"
holds "image export writes a layout" test -f "$tmp/exported/index.json"
expect 2 "image import of nothing" "$DFOPT" image import broken "$tmp/nosuch"
expect 2 "image import argument count" "$DFOPT" image import onlyone
expect 0 "prune to a byte budget" "$DFOPT" cache prune --keep-bytes 1k
expect 2 "prune with a bad size" "$DFOPT" cache prune --keep-bytes lots

# dfopt's own Dockerfile lints clean (tests/selfbuild.sh also builds it).
expect 0 "dfopt's own Dockerfile lints clean" "$DFOPT" lint --no-shellcheck "$SRC/Dockerfile"
is "no finding in dfopt's own Dockerfile" "$(cat "$tmp/out")" ""

# Prune keeps what a name reaches.
expect 0 "cache prune" "$DFOPT" cache prune --all
contains "$tmp/out" "freed" "prune reports what it freed"
expect 0 "a build after prune" "$DFOPT" build "$app"
contains "$tmp/out" "Built 9 steps" "the build still works after prune"
holds "the warm build printed an image id" test -n "$manifest1"

finish build.sh
