# lib.sh - what the benchmark scripts share; sourced, not run.
#
# The caller sets prog (its name, for messages), here (this directory),
# corpus and nfiles before calling ensure_corpus.
# shellcheck shell=sh disable=SC2154 # prog, here, corpus, nfiles: the caller's

die() {
	echo "$prog: $*" >&2
	exit 2
}

# calc EXPR / fmt2 EXPR / icalc EXPR: the value of an awk expression, as a
# float, with two decimals, as an integer
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
fmt2() { awk "BEGIN { printf \"%.2f\", $1 }"; }
icalc() { awk "BEGIN { printf \"%d\", $1 }"; }
# is EXPR: true when the awk expression holds
is() { awk "BEGIN { exit !($1) }"; }
# field NAME LINE: the value of NAME=value in a bench_parse output line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# ensure_corpus: $nfiles generated Dockerfiles in $corpus, made again only
# when the count or the generator changed.
ensure_corpus() {
	stamp_want="files=$nfiles generator=$(cksum <"$here/gen_corpus.sh" | awk '{ print $1 }')"
	if [ -f "$corpus/.stamp" ] && [ "$(cat "$corpus/.stamp")" = "$stamp_want" ]; then
		echo "corpus: reusing $corpus"
	else
		echo "corpus: generating $nfiles files in $corpus"
		rm -rf "$corpus"
		sh "$here/gen_corpus.sh" "$corpus" "$nfiles"
		printf '%s\n' "$stamp_want" >"$corpus/.stamp"
	fi
}

# median_file FILE...: the typical file, the median by size
median_file() {
	wc -c "$@" | sed '$d' | sort -n | awk '{ f[NR] = $2 } END { print f[int((NR + 1) / 2)] }'
}
