#!/bin/sh
# peers.sh BUILDDIR - dfopt against the Node.js Dockerfile linters on the npm
# registry (dockerfilelint, dockerfile-utils, dockerfile_lint), on the corpus
# of `make bench`, in the same run (`make bench-peers`).
#
# The peers are installed with npm into BUILDDIR/tests/bench/peers (once;
# pinned versions below) and driven by peers.js through the library entry
# point their command-line tools call, one Node.js process per measurement:
#   - the corpus: every file in one process (peers.js over the list; dfopt
#     lint with every rule, ShellCheck off, one core), best of PEER_RUNS for
#     the peers (seconds each) and of PEER_FAST_RUNS for dfopt and grep
#     (tenths of a second each, where a shared machine's noise weighs more:
#     the best of few short runs is rarely an undisturbed one);
#   - one file, process start included: the typical (median-sized) file,
#     best of PEER_FILE_RUNS;
#   - the floor: `grep -c ''` over the same files, in one process.
# Wall times come from bench_parse --run (fork to wait4, no shell in the
# measure), peak RSS from wait4() too. Prints files/s, MB/s, peak RSS and
# dfopt's speed-up over the fastest peer.
#
# Targets (every rule on): the corpus at least 9x faster than the fastest
# peer; one file at least 10x faster than the fastest peer. Exits 1 if one
# fails, 2 on a setup error (no node/npm, no registry).
#
# Environment: PEER_RUNS (default 3), PEER_FAST_RUNS (default 15),
# PEER_FILE_RUNS (default 10),
# BENCH_FILES (corpus size, as run.sh).
set -eu

prog=peers.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

[ $# -eq 1 ] || die "usage: peers.sh BUILDDIR"
builddir=$1
bench=$builddir/tests/bench/bench_parse
dfopt=$builddir/dfopt
corpus=$builddir/tests/bench/corpus
work=$builddir/tests/bench
peers_dir=$work/peers
runs=${PEER_RUNS:-3}
fast_runs=${PEER_FAST_RUNS:-15}
file_runs=${PEER_FILE_RUNS:-10}
nfiles=${BENCH_FILES:-3000}
target_corpus=9
target_file=10
tools="dockerfilelint dockerfile-utils dockerfile_lint"
packages="dockerfilelint@1.8.0 dockerfile-utils@0.16.3 dockerfile_lint@0.3.4"

[ -x "$bench" ] || die "'$bench' is missing; run 'make bench-peers'"
[ -x "$dfopt" ] || die "'$dfopt' is missing; run 'make bench-peers'"
command -v node >/dev/null || die "node is not installed (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm is not installed (Debian: apt-get install npm)"


# ---- the peers ------------------------------------------------------------------
if [ ! -f "$peers_dir/.installed" ] || [ "$(cat "$peers_dir/.installed")" != "$packages" ]; then
	echo "peers: installing $packages"
	mkdir -p "$peers_dir"
	# shellcheck disable=SC2086 # one word per package
	(cd "$peers_dir" && npm install --no-audit --no-fund --silent --prefix . $packages) ||
		die "npm could not install the peers"
	printf '%s\n' "$packages" >"$peers_dir/.installed"
fi
cp "$here/peers.js" "$peers_dir/peers.js"

# ---- the corpus (shared with run.sh) ----------------------------------------------
ensure_corpus
set -- "$corpus"/*.Dockerfile
[ -f "$1" ] || die "no files in '$corpus'"
bytes=$(cat "$@" | wc -c | tr -d ' ')
typical=$(median_file "$@")
list=$work/peers.list
one=$work/peers.one
printf '%s\n' "$@" >"$list"
printf '%s\n' "$typical" >"$one"
echo "corpus: $# files, $bytes bytes; typical file $(basename "$typical")"

# report NAME CORPUS_LINE FILE_LINE: one row of the table
# (cores: the corpus run's CPU time, all threads, over its wall time)
report() {
	# $1 name, $2 corpus line, $3 file line
	s=$(field best_seconds "$2")
	f=$(field best_seconds "$3")
	printf '%-18s %10.1f %9.2f %6.2f %10s %11.2f %10s\n' "$1" "$(calc "$nfiles_run / $s")" "$(calc "$bytes / $s / 1e6")" \
		"$(calc "$(field best_cpu_seconds "$2") / $s")" "$(field peak_rss_kib "$2")" "$(calc "$f * 1e3")" \
		"$(field peak_rss_kib "$3")"
}
nfiles_run=$#

lint_cmd="$dfopt lint --no-fail -f json --no-shellcheck --jobs 1"
# shellcheck disable=SC2086 # split on purpose: no blanks in the build path
d_corpus=$("$bench" --run "$fast_runs" $lint_cmd "$@") || die "cannot lint the corpus"
# shellcheck disable=SC2086
d_file=$("$bench" --run "$file_runs" $lint_cmd "$typical") || die "cannot lint '$typical'"
g_corpus=$("$bench" --run "$fast_runs" grep -c '' "$@") || die "cannot run grep"
g_file=$("$bench" --run "$file_runs" grep -c '' "$typical") || die "cannot run grep"

echo
printf '%-18s %10s %9s %6s %10s %11s %10s\n' tool "files/s" "MB/s" cores "RSS KiB" "1 file ms" "RSS KiB"
report "grep -c ''" "$g_corpus" "$g_file"
report dfopt "$d_corpus" "$d_file"
best_corpus='' best_file='' best_corpus_tool='' best_file_tool=''
for t in $tools; do
	pc=$("$bench" --run "$runs" node "$peers_dir/peers.js" "$t" "$list") || die "$t failed on the corpus"
	pf=$("$bench" --run "$file_runs" node "$peers_dir/peers.js" "$t" "$one") || die "$t failed on one file"
	report "$t" "$pc" "$pf"
	s=$(field best_seconds "$pc")
	f=$(field best_seconds "$pf")
	if [ -z "$best_corpus" ] || is "$s < $best_corpus"; then best_corpus=$s best_corpus_tool=$t; fi
	if [ -z "$best_file" ] || is "$f < $best_file"; then best_file=$f best_file_tool=$t; fi
done
rm -f "$list" "$one"

d_s=$(field best_seconds "$d_corpus")
d_f=$(field best_seconds "$d_file")
g_s=$(field best_seconds "$g_corpus")
up_corpus=$(fmt2 "$best_corpus / $d_s")
up_file=$(fmt2 "$best_file / $d_f")
echo "(best of $runs runs over the corpus for the peers, $fast_runs for dfopt and grep, $file_runs of one file;"
echo " grep is the floor of reading the files:"
echo " the fastest peer takes $(fmt2 "$best_corpus / $g_s")x grep's time over the corpus, dfopt $(fmt2 "$d_s / $g_s")x)"
echo
status=0
if is "$up_corpus >= $target_corpus"; then
	echo "PASS  corpus: dfopt ${up_corpus}x faster than the fastest peer ($best_corpus_tool) >= ${target_corpus}x"
else
	echo "FAIL  corpus: dfopt ${up_corpus}x faster than the fastest peer ($best_corpus_tool) < ${target_corpus}x"
	status=1
fi
if is "$up_file >= $target_file"; then
	echo "PASS  one file: dfopt ${up_file}x faster than the fastest peer ($best_file_tool) >= ${target_file}x"
else
	echo "FAIL  one file: dfopt ${up_file}x faster than the fastest peer ($best_file_tool) < ${target_file}x"
	status=1
fi
exit "$status"
