#!/bin/sh
# The example apps of fixtures/apps/: each cache-hostile Dockerfile gets
# DF1001 naming the app's install and how many context files its broad COPY
# brings in, each fixed.Dockerfile none; --no-context and --context DIR
# change what DF1001 can count.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set.
# shellcheck disable=SC2016 # the backquotes are the findings' own, quoting commands
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

apps=$SRC/fixtures/apps

# df1001 FILE ARGS...: lint FILE as JSON (the Dockerfile's directory is the
# context unless ARGS say otherwise); the DF1001 findings' objects, one a
# line, in $tmp/df1001.
df1001() {
	file=$1
	shift
	expect 0 "lint $file" "$DFOPT" lint --no-fail -f json "$@" "$file"
	tr '{' '\n' <"$tmp/out" | grep '"code":"DF1001"' >"$tmp/df1001"
}

# app NAME TEXT: DF1001 fires once on NAME/Dockerfile with TEXT in its
# message, and not on NAME/fixed.Dockerfile.
app() {
	df1001 "$apps/$1/Dockerfile"
	if [ "$(wc -l <"$tmp/df1001")" -eq 1 ]; then ok; else bad "$1: not one DF1001 finding"; cat "$tmp/out"; fi
	contains "$tmp/df1001" "$2" "$1/Dockerfile"
	df1001 "$apps/$1/fixed.Dockerfile"
	lacks "$tmp/df1001" "DF1001" "$1/fixed.Dockerfile"
}

app node-npm 'brings in 6 files before `npm ci --omit=dev` (line 5)'
app node-yarn 'brings in 5 files before `yarn install --frozen-lockfile --production` (line 4)'
app python-pip 'brings in 5 files before `pip install --no-cache-dir -r requirements.txt` (line 4)'
app python-poetry 'brings in 6 files before `poetry install --no-root --only main` (line 6)'
app go 'brings in 5 files before `go mod download` (line 4)'
app java-maven 'brings in 4 files before `mvn -B dependency:go-offline` (line 4)'
app ruby-bundler 'brings in 6 files before `bundle install` (line 4)'
app rust-cargo 'brings in 5 files before `cargo fetch --locked` (line 4)'
app php-composer 'brings in 5 files before `composer install --no-dev --no-scripts --no-autoloader` (line 4)'

# What the context adds: the manifests that exist, and whether the split is safe.
df1001 "$apps/node-npm/Dockerfile"
contains "$tmp/df1001" 'copy package.json, package-lock.json first, run `npm ci --omit=dev`, then copy the rest; the split is safe' "node-npm fix"
df1001 "$apps/python-pip/Dockerfile"
contains "$tmp/df1001" 'the split is unsafe' "python-pip: pip -r may include other files"

# --no-context: `COPY . .` still fires, from the Dockerfile alone, with the
# table's manifests and no count.
df1001 "$apps/node-npm/Dockerfile" --no-context
contains "$tmp/df1001" '`COPY . .` (line 4) brings in the whole build context before `npm ci --omit=dev` (line 5)' "--no-context"
contains "$tmp/df1001" 'package.json, package-lock.json, npm-shrinkwrap.json, .npmrc' "--no-context manifests"
lacks "$tmp/df1001" 'files before' "--no-context count"
# stdin has no context either.
expect 0 "lint stdin" sh -c "\"\$1\" lint --no-fail -f json - <\"\$2\"" sh "$DFOPT" "$apps/node-npm/Dockerfile"
contains "$tmp/out" 'brings in the whole build context before `npm ci --omit=dev`' "stdin"

# --context elsewhere: the counts and manifests come from that directory.
df1001 "$apps/node-npm/Dockerfile" --context "$apps/node-yarn"
contains "$tmp/df1001" 'brings in 5 files before `npm ci --omit=dev` (line 5)' "--context node-yarn"
contains "$tmp/df1001" 'copy package.json first' "--context node-yarn manifests"
df1001 "$apps/node-npm/fixed.Dockerfile" --context "$apps/go"
lacks "$tmp/df1001" "DF1001" "fixed.Dockerfile in another context"

# (a distcheck source tree is read-only: the copies are made writable)
# --fix makes the split in every app: the manifests first, the install,
# then the rest (unsafe where the manager may read more than its
# manifests); the fixed file has no DF1001, and fixing again changes nothing.
for app in "$apps"/*/; do
	name=$(basename "$app")
	rm -rf "$tmp/fix" && cp -r "$app" "$tmp/fix" && chmod -R u+w "$tmp/fix"
	expect 0 "$name: --fix --unsafe-fixes" "$DFOPT" lint --no-fail --no-shellcheck --fix --unsafe-fixes "$tmp/fix/Dockerfile"
	df1001 "$tmp/fix/Dockerfile"
	lacks "$tmp/df1001" "DF1001" "$name: fixed"
	cp "$tmp/fix/Dockerfile" "$tmp/fixed-once"
	expect 0 "$name: --fix again" "$DFOPT" lint --no-fail --no-shellcheck --fix --unsafe-fixes "$tmp/fix/Dockerfile"
	same "$tmp/fix/Dockerfile" "$tmp/fixed-once" "$name: fixing again changes nothing"
done
# The safe fix alone splits node-npm: its split is proven safe.
rm -rf "$tmp/fix" && cp -r "$apps/node-npm" "$tmp/fix" && chmod -R u+w "$tmp/fix"
expect 0 "node-npm: --fix" "$DFOPT" lint --no-fail --no-shellcheck --fix "$tmp/fix/Dockerfile"
order=$(grep -nxE 'COPY package.json package-lock.json \./|RUN npm ci --omit=dev|COPY \. \.' "$tmp/fix/Dockerfile" | cut -d: -f2- | tr '\n' '|')
if [ "$order" = "COPY package.json package-lock.json ./|RUN npm ci --omit=dev|COPY . .|" ]; then ok; else bad "node-npm: order after --fix: $order"; fi

finish apps
