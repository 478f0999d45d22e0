#!/bin/sh
# run.sh BUILDDIR - the parser and lint benchmark behind `make bench`.
#
# Generates (or reuses) a corpus of realistic Dockerfiles in
# BUILDDIR/tests/bench/corpus, then measures in the same run:
#   - parser throughput: bench_parse over the whole corpus held in memory,
#     repeated to last at least 0.3 s, best of 9 (short runs, many of them:
#     on a shared machine the best run is the one least disturbed);
#   - a baseline: `cat` of the same files (through xargs, the list repeated to
#     at least 50 MB), best of 5;
#   - peak RSS of one parse of a typical (median-sized) file, next to the
#     peak RSS of the same program parsing an empty file;
#   - lint throughput: the real dfopt binary linting the whole corpus in one
#     process, `dfopt lint --no-fail -f json FILES...` (with --no-shellcheck
#     and --jobs 1 when `dfopt lint --help` has them: every rule, ShellCheck
#     off, one core), best of 7, next to the floor of reading the same files,
#     `grep -c '' FILES...`, best of 7;
#   - one typical file: the best wall time of 30 runs of that lint command on
#     the median-sized file, process start included, next to `cat` of the
#     file, and its peak RSS (/usr/bin/time -f %M when there is one, else
#     what bench_parse --run reads from wait4()).
# Timed runs of whole commands go through `bench_parse --run`, which forks
# and waits itself: no shell or date process in the measured time.
#
# Targets: parse >= 100 MB/s and peak RSS < 4096 KiB for the typical file;
# lint >= 50 MB/s and within 2x of the grep floor; the typical file linted
# in < 5 ms and < 8192 KiB. The 2x is only a target where it can be met: a
# lint has to parse, so when twice grep's time is less than the parser alone
# needs for the corpus (the parser throughput measured above), "within 2x"
# is physically out of reach, the ratio is reported as information and
# 50 MB/s is the gate. Prints PASS/FAIL (or INFO) per target; exits 1 if one
# fails, 2 on a setup error.
#
# Environment: BENCH_FILES (corpus size, default 3000), BENCH_MIN_SECONDS
# (minimum length of one parser run, default 0.3), BENCH_RUNS (parser runs,
# default 9), BENCH_LINT_RUNS (whole-corpus lint and grep runs, default 7),
# BENCH_FILE_RUNS (typical-file runs, default 30).
set -eu

prog=run.sh
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"

[ $# -eq 1 ] || die "usage: run.sh BUILDDIR"
builddir=$1
bench=$builddir/tests/bench/bench_parse
dfopt=$builddir/dfopt
nfiles=${BENCH_FILES:-3000}
min_seconds=${BENCH_MIN_SECONDS:-0.3}
runs=${BENCH_RUNS:-9}
lint_runs=${BENCH_LINT_RUNS:-7}
file_runs=${BENCH_FILE_RUNS:-30}
corpus=$builddir/tests/bench/corpus
work=$builddir/tests/bench

target_mbs=100
target_rss_kib=4096
target_lint_mbs=50
target_lint_ratio=2
target_file_ms=5
target_file_rss_kib=8192

[ -x "$bench" ] || die "'$bench' is missing; run 'make bench'"
[ -x "$dfopt" ] || die "'$dfopt' is missing; run 'make bench'"
case $(date +%N) in
'' | *[!0-9]*) die "date +%N does not give nanoseconds; GNU or busybox date is needed" ;;
esac

now() { date +%s.%N; }

# ---- corpus ------------------------------------------------------------------
ensure_corpus
set -- "$corpus"/*.Dockerfile
[ -f "$1" ] || die "no files in '$corpus'"
bytes=$(cat "$@" | wc -c | tr -d ' ')
echo "corpus: $# files, $bytes bytes"

if grep -q __asan_init "$bench" "$dfopt" 2>/dev/null; then
	echo "warning: built with sanitizers; the numbers are not representative"
fi

# ---- baseline: cat -------------------------------------------------------------
list=$work/corpus.list
reps=$(icalc "int(50e6 / $bytes) + 1")
: >"$list"
i=0
while [ "$i" -lt "$reps" ]; do
	printf '%s\n' "$@" >>"$list"
	i=$((i + 1))
done
cat_best=
for _ in 1 2 3 4 5; do
	t0=$(now)
	xargs cat <"$list" >/dev/null
	t1=$(now)
	d=$(calc "$t1 - $t0")
	if [ -z "$cat_best" ] || is "$d < $cat_best"; then
		cat_best=$d
	fi
done
rm -f "$list"
cat_mbs=$(calc "$bytes * $reps / $cat_best / 1e6")

# ---- parser throughput -----------------------------------------------------------
probe=$("$bench" --repeat 1 "$@")
probe_s=$(field seconds "$probe")
# aim 50% above the minimum: the first, cold pass runs slower than the rest
repeat=$(icalc "int(1.5 * $min_seconds / ($probe_s > 0 ? $probe_s : 1e-6)) + 1")
best_line=
best_mbs=0
run=0
while [ "$run" -lt "$runs" ]; do
	run=$((run + 1))
	line=$("$bench" --repeat "$repeat" "$@")
	mbs=$(field mb_per_s "$line")
	if is "$mbs > $best_mbs"; then
		best_mbs=$mbs
		best_line=$line
	fi
done
files_s=$(field files_per_s "$best_line")
refused=$(field refused "$best_line")
nodes=$(field nodes "$best_line")
diags=$(field diags "$best_line")
echo "bench_parse: $best_line"
[ "$refused" = 0 ] || echo "warning: the parser refused $refused of the $# files"
[ "$nodes" != 0 ] || echo "warning: the parser returned no nodes at all"
[ "$diags" = 0 ] || echo "note: $diags parse diagnostics over the corpus (it is meant to be valid)"

# ---- peak RSS ---------------------------------------------------------------------
# The typical file: the median by size.
typical=$(median_file "$@")
typical_bytes=$(wc -c <"$typical" | tr -d ' ')
typical_lines=$(wc -l <"$typical" | tr -d ' ')
empty=$work/empty.Dockerfile
: >"$empty"
rss=$(field peak_rss_kib "$("$bench" --rss "$typical")")
rss_base=$(field peak_rss_kib "$("$bench" --rss "$empty")")
rm -f "$empty"

# ---- lint throughput ------------------------------------------------------------
# One process over the whole corpus: every rule, ShellCheck off, one core.
lint_help=$("$dfopt" lint --help 2>&1) || true
lint_cmd="$dfopt lint --no-fail -f json"
case $lint_help in *--no-shellcheck*) lint_cmd="$lint_cmd --no-shellcheck" ;; esac
case $lint_help in *--jobs*) lint_cmd="$lint_cmd --jobs 1" ;; esac
# $lint_cmd is split on blanks on purpose: a build directory with blanks in
# its name is not supported here.
# shellcheck disable=SC2086
lint_line=$("$bench" --run "$lint_runs" $lint_cmd "$@") || die "cannot lint the corpus with '$lint_cmd'"
grep_line=$("$bench" --run "$lint_runs" grep -c '' "$@") || die "cannot run grep over the corpus"
lint_s=$(field best_seconds "$lint_line")
grep_s=$(field best_seconds "$grep_line")
lint_mbs=$(fmt2 "$bytes / $lint_s / 1e6")
# Per core: over the CPU time of all the run's threads (its files are read
# on a thread of their own), not the wall time.
lint_cpu_s=$(field best_cpu_seconds "$lint_line")
lint_core_mbs=$(fmt2 "$bytes / $lint_cpu_s / 1e6")
grep_mbs=$(fmt2 "$bytes / $grep_s / 1e6")
lint_ratio=$(fmt2 "$lint_s / $grep_s")
lint_rss=$(field peak_rss_kib "$lint_line")
# What the parser alone needs for the corpus, at this run's best throughput.
parse_s=$(calc "$bytes / $best_mbs / 1e6")

# ---- one typical file: wall time and peak RSS ---------------------------------------
# shellcheck disable=SC2086 # split on purpose, as above
file_line=$("$bench" --run "$file_runs" $lint_cmd "$typical") || die "cannot lint '$typical'"
cat_line=$("$bench" --run "$file_runs" cat "$typical") || die "cannot run cat"
file_ms=$(fmt2 "$(field best_seconds "$file_line") * 1e3")
cat_ms=$(fmt2 "$(field best_seconds "$cat_line") * 1e3")
rss_tool="wait4 (bench_parse --run)"
file_rss=$(field peak_rss_kib "$file_line")
cat_rss=$(field peak_rss_kib "$cat_line")
time_out=$work/time.out
if /usr/bin/time -f %M -o "$time_out" true 2>/dev/null; then
	# shellcheck disable=SC2086 # split on purpose, as above
	/usr/bin/time -f %M -o "$time_out" $lint_cmd "$typical" >/dev/null || true
	file_rss=$(tail -n 1 "$time_out")
	/usr/bin/time -f %M -o "$time_out" cat "$typical" >/dev/null
	cat_rss=$(tail -n 1 "$time_out")
	rss_tool="/usr/bin/time -f %M"
fi
rm -f "$time_out"
case $file_rss$cat_rss in '' | *[!0-9]*) die "no peak RSS for the typical file" ;; esac

# ---- report ---------------------------------------------------------------------------
echo
printf '%-30s %12s\n' "measure" "value"
printf '%-30s %12s\n' "parser MB/s" "$best_mbs"
printf '%-30s %12s\n' "parser files/s" "$files_s"
printf '%-30s %12.2f\n' "cat MB/s" "$cat_mbs"
printf '%-30s %12.3f\n' "ratio parser/cat" "$(calc "$best_mbs / $cat_mbs")"
printf '%-30s %12s\n' "peak RSS KiB typical file" "$rss"
printf '%-30s %12s\n' "peak RSS KiB empty file" "$rss_base"
printf '%-30s %12s\n' "lint MB/s" "$lint_mbs"
printf '%-30s %12s\n' "lint MB/s per core (CPU time)" "$lint_core_mbs"
printf '%-30s %12.2f\n' "lint ms (wall)" "$(calc "$lint_s * 1e3")"
printf '%-30s %12.2f\n' "lint ms (CPU, all threads)" "$(calc "$lint_cpu_s * 1e3")"
printf '%-30s %12.1f\n' "lint files/s" "$(calc "$# / $lint_s")"
printf '%-30s %12s\n' "grep MB/s" "$grep_mbs"
printf '%-30s %12s\n' "ratio lint time/grep time" "$lint_ratio"
printf '%-30s %12s\n' "lint peak RSS KiB (corpus)" "$lint_rss"
printf '%-30s %12s\n' "lint ms typical file" "$file_ms"
printf '%-30s %12s\n' "cat ms typical file" "$cat_ms"
printf '%-30s %12s\n' "lint peak RSS KiB typical" "$file_rss"
printf '%-30s %12s\n' "cat peak RSS KiB typical" "$cat_rss"
echo "(parser: best of $runs runs of $repeat passes over $# files; cat: best of 5 over $reps passes;"
echo " lint and grep: best of $lint_runs runs over the $# files; typical file: best of $file_runs runs;"
echo " lint command: $lint_cmd; peak RSS of single runs: $rss_tool;"
echo " typical file: $(basename "$typical"), $typical_bytes bytes, $typical_lines lines)"
echo

status=0
if is "$best_mbs >= $target_mbs"; then
	echo "PASS  parse throughput $best_mbs MB/s >= $target_mbs MB/s"
else
	echo "FAIL  parse throughput $best_mbs MB/s < $target_mbs MB/s"
	status=1
fi
if [ "$rss" -lt "$target_rss_kib" ]; then
	echo "PASS  peak RSS $rss KiB < $target_rss_kib KiB (typical file)"
else
	echo "FAIL  peak RSS $rss KiB >= $target_rss_kib KiB (typical file)"
	status=1
fi
if is "$lint_core_mbs >= $target_lint_mbs"; then
	echo "PASS  lint throughput $lint_core_mbs MB/s per core >= $target_lint_mbs MB/s (wall: $lint_mbs MB/s)"
else
	echo "FAIL  lint throughput $lint_core_mbs MB/s per core < $target_lint_mbs MB/s (wall: $lint_mbs MB/s)"
	status=1
fi
if is "$target_lint_ratio * $grep_s < $parse_s"; then
	echo "INFO  lint time ${lint_ratio}x grep's; within ${target_lint_ratio}x is out of reach here:" \
	     "twice grep's $(fmt2 "$grep_s * 1e3") ms is less than the parser alone needs" \
	     "($(fmt2 "$parse_s * 1e3") ms)"
elif is "$lint_ratio <= $target_lint_ratio"; then
	echo "PASS  lint time ${lint_ratio}x grep's <= ${target_lint_ratio}x"
else
	echo "FAIL  lint time ${lint_ratio}x grep's > ${target_lint_ratio}x"
	status=1
fi
if is "$file_ms < $target_file_ms"; then
	echo "PASS  typical file linted in $file_ms ms < $target_file_ms ms (cat: $cat_ms ms)"
else
	echo "FAIL  typical file linted in $file_ms ms >= $target_file_ms ms (cat: $cat_ms ms)"
	status=1
fi
if [ "$file_rss" -lt "$target_file_rss_kib" ]; then
	echo "PASS  typical file lint peak RSS $file_rss KiB < $target_file_rss_kib KiB (cat: $cat_rss KiB)"
else
	echo "FAIL  typical file lint peak RSS $file_rss KiB >= $target_file_rss_kib KiB (cat: $cat_rss KiB)"
	status=1
fi
exit "$status"
