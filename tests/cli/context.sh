#!/bin/sh
# context.sh - which build context a Dockerfile is linted in (docs/context.md):
# the Dockerfile's directory by default, --context DIR, none with
# --no-context or for stdin, the ignore file read, and the errors.
# shellcheck shell=sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

# app/: a context with a secret and no .dockerignore; web.Dockerfile has its
# own ignore file that leaves the secret and itself out. other/: a context
# with a secret of its own.
mkdir -p "$tmp/app" "$tmp/other" "$tmp/bad" "$tmp/same"
printf 'FROM alpine:3.20\nCOPY . /srv\n' >"$tmp/app/Dockerfile"
printf 'FROM alpine:3.20\nCOPY . /srv\n' >"$tmp/app/web.Dockerfile"
printf 'web.Dockerfile\n.env\n' >"$tmp/app/web.Dockerfile.dockerignore"
printf 'A=1\n' >"$tmp/app/.env"
printf 'B=2\n' >"$tmp/other/.env.local"
printf 'ok\n  [z\n' >"$tmp/bad/.dockerignore"
cp "$tmp/app/Dockerfile" "$tmp/same/Dockerfile"
printf 'B=2\n' >"$tmp/same/.env.local"

lint() { "$DFOPT" --no-color -f gnu "$@"; }

# Default: the Dockerfile's own directory.
expect 1 "default context" lint "$tmp/app/Dockerfile"
contains "$tmp/out" "DF1013" "default context: the secret beside the Dockerfile"
contains "$tmp/out" ": .env;" "default context: names the file"
contains "$tmp/out" "DF1005" "default context: the Dockerfile is sent"

# --context elsewhere: that directory's files, and a Dockerfile outside it.
expect 1 "--context elsewhere" lint --context "$tmp/other" "$tmp/app/Dockerfile"
contains "$tmp/out" ".env.local" "--context: the other directory's file"
lacks "$tmp/out" ": .env;" "--context: not the Dockerfile's directory"
lacks "$tmp/out" "DF1005" "--context: the Dockerfile lies outside it"

# --no-context: the file alone.
expect 0 "--no-context" lint --no-context "$tmp/app/Dockerfile"
lacks "$tmp/out" "DF10" "--no-context: no context finding"

# stdin: no context unless --context gives one.
expect 0 "stdin" sh -c "\"$DFOPT\" -f gnu - <\"$tmp/app/Dockerfile\""
lacks "$tmp/out" "DF1013" "stdin: no context"
expect 1 "stdin with --context" sh -c "\"$DFOPT\" -f gnu --context \"$tmp/app\" - <\"$tmp/app/Dockerfile\""
contains "$tmp/out" "DF1013" "stdin with --context: the context's secret"
lacks "$tmp/out" "DF1005" "stdin with --context: no Dockerfile in the context"

# Two Dockerfiles in one directory: web.Dockerfile reads its own ignore file.
expect 1 "two Dockerfiles" lint "$tmp/app/Dockerfile" "$tmp/app/web.Dockerfile"
contains "$tmp/out" "app/Dockerfile:2.6-2.7: warning: DF1013" "two Dockerfiles: the plain one"
lacks "$tmp/out" "web.Dockerfile:" "two Dockerfiles: the own ignore file excludes the secret and the file"

# A malformed .dockerignore: exit 2, one line naming file:line:col.
expect 2 "malformed .dockerignore" lint --context "$tmp/bad" "$tmp/app/Dockerfile"
contains "$tmp/err" "bad/.dockerignore:2:3:" "malformed .dockerignore: file:line:col"
if [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok; else bad "malformed .dockerignore: one line"; cat "$tmp/err"; fi
# ... and the file is not linted without it, but --no-context can.
expect 0 "malformed .dockerignore, --no-context" lint --no-context --context "$tmp/bad" "$tmp/app/Dockerfile"

# --context to a missing directory: a usage error.
expect 2 "missing --context" lint --context "$tmp/nowhere" "$tmp/app/Dockerfile"
contains "$tmp/err" "nowhere" "missing --context: names it"

# A file whose rules never ask for the context does not need one: a broken
# ignore file is no error of a file without COPY.
printf 'FROM alpine:3.20\nRUN true\n' >"$tmp/bad/Dockerfile"
expect 0 "no COPY, broken ignore file" lint "$tmp/bad/Dockerfile"

# -j 2: the same output, in the same order, as one job.
lint "$tmp/app/Dockerfile" "$tmp/app/web.Dockerfile" "$tmp/same/Dockerfile" >"$tmp/j1" 2>&1
lint -j 2 "$tmp/app/Dockerfile" "$tmp/app/web.Dockerfile" "$tmp/same/Dockerfile" >"$tmp/j2" 2>&1
same "$tmp/j1" "$tmp/j2" "-j 2"
contains "$tmp/j2" "same/Dockerfile:2.6-2.7: warning: DF1013" "-j 2: every file linted"

# Own ignore files that are one file through a symlink: each Dockerfile's
# findings name its own, whichever file a -j run opens first.
mkdir -p "$tmp/linked"
printf 'FROM alpine:3.20\nCOPY . /srv\n' >"$tmp/linked/b.Dockerfile"
cp "$tmp/linked/b.Dockerfile" "$tmp/linked/c.Dockerfile"
printf 'node_modules\n' >"$tmp/linked/b.Dockerfile.dockerignore"
ln -s b.Dockerfile.dockerignore "$tmp/linked/c.Dockerfile.dockerignore"
expect 1 "linked own ignore files" lint -j 1 "$tmp/linked/b.Dockerfile" "$tmp/linked/c.Dockerfile"
# shellcheck disable=SC2016 # the backquotes are the message's
contains "$tmp/out" 'add `c.Dockerfile` and `c.Dockerfile.dockerignore` to c.Dockerfile.dockerignore' \
	"linked own ignore files: the second names its own"
cp "$tmp/out" "$tmp/linked.j1"
for _ in 1 2 3 4 5 6 7 8; do
	lint -j 2 "$tmp/linked/b.Dockerfile" "$tmp/linked/c.Dockerfile" >"$tmp/linked.j2" 2>&1
	cmp -s "$tmp/linked.j1" "$tmp/linked.j2" || break
done
same "$tmp/linked.j1" "$tmp/linked.j2" "linked own ignore files: -j 2 as -j 1"

finish context.sh
