#!/bin/sh
# dfopt measure on the example apps of fixtures/apps/, offline: their base
# images are fixtures/apps/base-images.sh's toolbox, whose tool stand-ins
# fail when the files the real tool reads are missing. For each app, the
# rewrite keeps the dependency install cached through a source edit where
# the original re-runs it, both variants build the same file system
# (--verify), and a dry run computes the same hits as the real builds.
# Run by `make check` with DFOPT (the binary) and DF_SRCDIR set; needs root.
# shellcheck disable=SC2154 # r_*, d_*, u_*: set by eval "$(figures ...)"
set -u

# shellcheck source=tests/cli/lib.sh
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: dfopt build needs root (namespaces and overlayfs); run the suite as root"
	exit 1
fi
export DFOPT_STORE="$tmp/store"
if ! sh "$SRC/fixtures/apps/base-images.sh" "$DFOPT" >"$tmp/import.out" 2>&1; then
	echo "$0: importing the apps' base images failed:"
	cat "$tmp/import.out"
	exit 1
fi

# figures FILE PREFIX: a JSON report's figures as shell assignments,
# PREFIX_SCENARIO_VARIANT_FIELD (0: original, 1: the other; "no-change" as
# no_change), PREFIX_manifest (the file the manifest scenario edits, or
# none) and PREFIX_same (verify's answer, or none), "none" for what the
# report lacks: one python3 a report.
figures() {
	python3 -c 'import json,re,sys
r = json.load(open(sys.argv[1]))
p = sys.argv[2]
fig = {p + "_manifest": "none", p + "_same": str(r.get("verify", {}).get("same", "none"))}
for name in ("cold", "no_change", "source", "manifest"):
	for i in (0, 1):
		for k in ("steps", "hits", "rebuilt", "error"):
			fig["%s_%s_%d_%s" % (p, name, i, k)] = "none"
for s in r["scenarios"]:
	name = re.sub("[^A-Za-z0-9]", "_", s["name"])
	if s["name"] == "manifest":
		fig[p + "_manifest"] = s["detail"]
	for i, v in enumerate(s["variants"]):
		for k in ("steps", "hits", "rebuilt", "error"):
			fig["%s_%s_%d_%s" % (p, name, i, k)] = str(v.get(k, "-"))
for k, v in sorted(fig.items()):
	print("%s=\x27%s\x27" % (k, v.replace("\x27", "")))' "$@"
}

# app NAME FLAGS STEPS SOURCE_REBUILT INSTALL_AT MANIFEST: measure NAME
# (a writable copy) with FLAGS ("-": none). STEPS: the original's and the
# other's build steps (FROM not counted); SOURCE_REBUILT: the steps each
# rebuilds after the source edit; INSTALL_AT: the install's place among the
# other variant's steps. The steps of a stage hit up to the first miss, so
# the other variant's source-edit hits are INSTALL_AT exactly: the install
# hits, the broad COPY after it misses; the original hits fewer, its
# install behind the broad COPY. MANIFEST: the file the manifest scenario
# edits ("none": no such scenario).
app() {
	name=$1 flags=$2 steps=$3 rebuilt=$4 at=$5 manifest=$6
	[ "$flags" != - ] || flags=''
	ctx=$tmp/apps/$name
	mkdir -p "$tmp/apps"
	cp -R "$SRC/fixtures/apps/$name" "$ctx"
	chmod -R u+w "$ctx"
	# shellcheck disable=SC2086 # the flags are words
	set -- $flags
	[ "${1:-}" != --against ] || set -- --against "$ctx/$2"
	expect 0 "$name: measure --verify $*" "$DFOPT" measure --verify --format json "$@" "$ctx"
	cp "$tmp/out" "$tmp/$name.json"
	eval "$(figures "$tmp/$name.json" r)"
	is "$name: verify.same" "$r_same" True
	is "$name: steps" "$r_cold_0_steps $r_cold_1_steps" "$steps"
	is "$name: no-change rebuilds nothing" "$r_no_change_0_rebuilt $r_no_change_1_rebuilt" "0 0"
	is "$name: source edit, steps rebuilt" "$r_source_0_rebuilt $r_source_1_rebuilt" "$rebuilt"
	holds "$name: the original re-runs the install after a source edit ($r_source_0_rebuilt rebuilt)" \
		test "$r_source_0_rebuilt" -ge 2
	holds "$name: the other variant rebuilds less ($r_source_1_rebuilt < $r_source_0_rebuilt)" \
		test "$r_source_1_rebuilt" -lt "$r_source_0_rebuilt"
	is "$name: source edit, the other variant hits up to its install" "$r_source_1_hits" "$at"
	holds "$name: source edit, the original's install misses ($r_source_0_hits hits)" \
		test "$r_source_0_hits" -lt "$at"
	is "$name: the manifest edit" "$r_manifest" "$manifest"
	if [ "$manifest" != none ]; then
		holds "$name: a manifest edit re-runs the other variant's install ($r_manifest_1_hits hits)" \
			test "$r_manifest_1_hits" -lt "$at"
	fi

	expect 0 "$name: measure --dry-run" "$DFOPT" measure --dry-run --format json "$@" "$ctx"
	eval "$(figures "$tmp/out" d)"
	is "$name: dry run, same hits" \
		"$d_cold_0_hits $d_cold_1_hits $d_no_change_0_hits $d_no_change_1_hits $d_source_0_hits $d_source_1_hits" \
		"$r_cold_0_hits $r_cold_1_hits $r_no_change_0_hits $r_no_change_1_hits $r_source_0_hits $r_source_1_hits"
	is "$name: dry run, same manifest hits" "$d_manifest $d_manifest_0_hits $d_manifest_1_hits" \
		"$r_manifest $r_manifest_0_hits $r_manifest_1_hits"
}

# The safe rewrite (dfopt --fix).
app node-npm - "3 4" "2 1" 3 package.json
app node-yarn - "3 4" "3 1" 3 package.json
app go - "5 6" "4 3" 3 go.mod
app php-composer - "5 6" "4 3" 3 composer.json
app python-poetry - "5 6" "3 2" 4 pyproject.toml
app ruby-bundler - "3 4" "2 1" 3 Gemfile
# DF1001 calls these splits unsafe (the install may read more than the
# manifests): here it does not, and --unsafe-fixes measures them.
app java-maven --unsafe-fixes "5 6" "4 3" 3 pom.xml
# pip's manifest is whatever -r names: measure finds it through the install.
app python-pip --unsafe-fixes "3 4" "2 1" 3 requirements.txt
# cargo reads the package's targets even to fetch: the unsafe split fails
# (the stand-in says so), fixed.Dockerfile's stub target makes it work.
app rust-cargo "--against fixed.Dockerfile" "5 6" "4 3" 3 Cargo.toml
expect 1 "rust-cargo: measure --unsafe-fixes fails" "$DFOPT" measure --verify --unsafe-fixes --format json \
	"$tmp/apps/rust-cargo"
eval "$(figures "$tmp/out" u)"
# shellcheck disable=SC2016 # the backquotes are the message's own
is "rust-cargo: the unsafe split's fetch fails" "${u_cold_1_error#*: }" 'step #4 `RUN cargo fetch --locked` failed with exit code 1'
is "rust-cargo: nothing to verify when a build failed" "$u_same" none
is "rust-cargo: the original builds" "$u_source_0_rebuilt" 4

finish apps_measure.sh
