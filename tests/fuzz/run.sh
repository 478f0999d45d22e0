#!/bin/sh
# run.sh [SECONDS] - build the fuzz targets and run them: the parser (with the
# linter) for SECONDS (default 60), the config loader, the .dockerignore matcher
# and the fixer a quarter of that each.
#
# Builds in a separate directory (FUZZ_BUILDDIR, default build-fuzz/ at the
# top of the source tree) configured with --enable-fuzz CC=clang; the library
# is compiled with coverage instrumentation and ASan/UBSan too, so libFuzzer
# sees inside the parser. Seeds: every fixtures/**/*Dockerfile*, a slice of
# the benchmark corpus, and hand-written tricky inputs. The corpus libFuzzer
# grows is kept in BUILD/tests/fuzz/corpus across runs.
#
# Exits 0 when the run ends cleanly; otherwise non-zero, after printing the
# path of each crashing input (crash-*, leak-*, timeout-*, oom-*) and how to
# replay it.

# The hand-written seeds below are Dockerfile text in single quotes: their
# $ and ` are meant literally.
# shellcheck disable=SC2016,SC1003
set -eu

die() {
	echo "fuzz/run.sh: $*" >&2
	exit 2
}

secs=${1:-60}
case $secs in '' | *[!0-9]*) die "usage: run.sh [SECONDS]" ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILDDIR:-$top/build-fuzz}
jobs=${FUZZ_MAKE_JOBS:-2}

command -v clang >/dev/null 2>&1 || die "clang is needed (Debian: apt-get install clang libclang-rt-14-dev)"

echo "== fuzz: configure and build in $build"
if [ ! -x "$top/configure" ]; then
	(cd "$top" && autoreconf -fi)
fi
mkdir -p "$build"
build=$(cd "$build" && pwd)
srcdir=$top
if [ -f "$top/config.status" ] && [ "$build" != "$top" ]; then
	# Automake refuses a VPATH build from a tree configured in place; build
	# from a copy of the distributed sources instead.
	echo "source tree is configured in place; building from a copy of its distribution files"
	rm -rf "$build/src-copy"
	make -C "$top" distdir distdir="$build/src-copy" >/dev/null
	srcdir=$build/src-copy
fi
fuzz_cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
fuzz_ldflags="-fsanitize=address,undefined"
stamp="srcdir=$srcdir cflags=$fuzz_cflags"
if [ ! -f "$build/Makefile" ] || [ "$(cat "$build/.fuzz-config" 2>/dev/null)" != "$stamp" ]; then
	(cd "$build" && "$srcdir/configure" --enable-fuzz CC=clang \
		CFLAGS="$fuzz_cflags" LDFLAGS="$fuzz_ldflags" >configure.out 2>&1) || {
		tail -n 30 "$build/configure.out" >&2
		die "configure failed (full output: $build/configure.out)"
	}
	printf '%s\n' "$stamp" >"$build/.fuzz-config"
fi
make -C "$build" -j"$jobs" tests/fuzz/fuzz_parse tests/fuzz/fuzz_config tests/fuzz/fuzz_ignore tests/fuzz/fuzz_fix

# ---- seeds -----------------------------------------------------------------------------
work=$build/tests/fuzz
seeds=$work/seeds
corpus=$work/corpus
artifacts=$work/artifacts
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$artifacts"

if [ -d "$top/fixtures" ]; then
	find "$top/fixtures" -type f -name '*Dockerfile*' | sort | {
		i=0
		while IFS= read -r f; do
			i=$((i + 1))
			cp "$f" "$seeds/fixture-$i"
		done
	}
fi
echo "seeds: $(find "$seeds" -name 'fixture-*' | wc -l | tr -d ' ') fixture files"
sh "$top/tests/bench/gen_corpus.sh" "$seeds/generated" 60
# libFuzzer reads seed directories without descending into them.
for f in "$seeds"/generated/*; do mv "$f" "$seeds/gen-${f##*/}"; done
rmdir "$seeds/generated"

# seed NAME TEXT: a hand-written input; TEXT goes through printf %b.
seed() { printf '%b' "$2" >"$seeds/hand-$1"; }
seed bom-crlf '\0357\0273\0277FROM alpine:3.19 AS base\r\nRUN echo hi \\\r\n  && echo there\r\n'
seed bom-directive '\0357\0273\0277# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN a `\n  b\n'
seed escape-backtick '# escape=`\n\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\app\nRUN dir `\n    /s `\n# comment inside\n    /b\nCOPY ["C:\\\\src", "C:\\\\dst"]\n'
seed directives '# syntax=docker/dockerfile:1.7\n# check=skip=JSONArgsRecommended;error=true\n# escape=\\\n# escape=`\n\nFROM x\n# syntax=late\n'
seed heredocs 'FROM debian\nRUN <<EOF cat <<-"END" > /x\nset -e\necho "$HOME"\nEOF\n\tbody line\n\tEND\nCOPY <<a.txt <<b.txt /dst/\nA\na.txt\nB\nb.txt\nRUN 3<<EOF cat /dev/fd/3\nfd three\nEOF\nRUN python3 <<'"'"'PY'"'"'\nprint("x")\nPY\n'
seed heredoc-unterminated 'FROM x\nRUN <<EOF\nno terminator here\nEOF2\n'
seed heredoc-many 'RUN <<A <<B <<C <<D\na\nA\nb\nB\nc\nC\nd\nD\n'
seed exec-json 'CMD ["a\\u0000b", "\\ud83d\\ude00", "\\"q\\"", "tab\\tx"]\nENTRYPOINT ["a", \nSHELL ["/bin/sh","-c"]\nCMD [ ]\nCMD ["x" "y"]\nRUN ["unterminated\n'
seed onbuild 'FROM x\nONBUILD ONBUILD RUN x\nONBUILD FROM y\nONBUILD\nONBUILD COPY --from=z . /\n'
seed continuation-eof 'FROM x\nRUN a \\\n# a comment inside\n\n   b \\\n\n\n'
seed continuation-end 'RUN a \\'
seed expansions 'ARG A=1\nARG B\nFROM img:${A:-x}${B:+y}${C//a/b}${D#*}${E%%.*}${F:?missing}\nARG A\nENV X=$A Y="${X} z" \\\n  W=\\$lit V=${A}${\nWORKDIR /w/$X/${Y:-d}\nUSER ${U:-1000}:$G\nEXPOSE ${PORT:-80}/tcp\nLABEL "k"="v" k2=v2 "sp ace"=x\n'
seed flags 'FROM --platform=$BUILDPLATFORM golang AS b\nRUN --mount=type=cache,target=/c,sharing=locked,id=x,uid=1,gid=2,mode=0755 --mount=type=secret,id=s,required,env=TOKEN --mount=type=bind,from=b,source=/,target=/src,rw --mount=type=tmpfs,target=/t,size=64m --mount=type=ssh --network=none --security=insecure echo\nCOPY --from=b --chown=1:1 --chmod=755 --link --parents --exclude=*.md a b /c/\nADD --checksum=sha256:00 --keep-git-dir=true https://x/y.git /y\nRUN --mount=type=bogus,,= --unknown=1 x\n'
seed healthcheck 'HEALTHCHECK --interval=1h2m3.5s --timeout=0s --start-period=-1s --start-interval=1us --retries=x CMD true\nHEALTHCHECK NONE\nHEALTHCHECK CMD ["curl", "-f", "http://localhost/"]\nHEALTHCHECK --interval=99999999999h CMD x\nHEALTHCHECK\n'
seed legacy 'env a b c\nENV a\nLABEL\nARG\nARG a=b c=d\nMAINTAINER me <me@x>\nSTOPSIGNAL\nUNKNOWN thing\nfrom x as Y\nCOPY\nCOPY onlyone\nVOLUME ["/a", "/b"]\nVOLUME /c /d\n'
seed nul-bytes 'FROM a\0b\nRUN \0\nENV \0=\0\n'
seed cr-only 'FROM a\rRUN b\rCMD c'
# An rm option word holding NUL bytes, after the RUN's own apt-get update (a
# pointer offset on an empty path, found by fuzz_parse).
seed rm-nul-option 'FROM d\nRUN apt-get update && apt-get install -y a=1\nRUN rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y b=1 && rm -r\0\0f /var/lib/apt/lists/*\n'
# A CRLF heredoc whose shebang is an option word then a '\r' (a parse that
# never ended, found by fuzz_fix).
seed shebang-crlf 'FROM deb#ian:12\r\nRUN <<EOF\r\n#!--chmod=eb#ian:us\r\nprint("hi")\r\nE//\r\n'
# An ARG holding NUL bytes moved by its fix (the moved text was cut at the
# first NUL, found by fuzz_fix).
seed move-nul 'FROM a:1\n# why B\nARG B\0X\nRUN one\nRUN two\nARG B\0X\n'
# A MAINTAINER continued over a comment line (its one-line label fix lost
# the comment, found by fuzz_fix).
seed maintainer-comment 'FROM a:1\nMAINTAINER Jane \\\n#Doe <j@e.x>\nent\n'
seed shell 'RUN (a && b) || c; d | e & f > /x 2>&1 <<<w; if true; then x; fi; $(sub `bt`) "q$v" '"'"'s'"'"' \\\n  && for i in 1 2; do echo $i; done && case $x in a) y;; esac && { z; } && !neg && a=b c=d cmd\nRUN echo "unterminated\nRUN echo $((1 + 2)) ${#v} ${v:0:2}\n'
seed empty ''
seed blank-lines '\n\n   \n\t\n'
seed long-line "RUN $(awk 'BEGIN { while (n++ < 66000) printf "a" }')\n"

# ---- dictionary ---------------------------------------------------------------------------
dict=$work/dockerfile.dict
{
	for w in FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER \
		WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL " AS " NONE \
		"--mount=" "type=cache" "type=secret" "type=bind" "type=tmpfs" "type=ssh" "target=" \
		"sharing=locked" "--from=" "--chown=" "--chmod=" "--link" "--parents" "--exclude=" \
		"--checksum=" "--keep-git-dir" "--network=" "--security=" "--platform=" "--interval=" \
		"--timeout=" "--start-period=" "--retries=" "<<EOF" "<<-EOF" "EOF" "<<'EOF'" \
		"# escape=" "# syntax=" "# check=" "\${" ":-" ":+" "//" "&&" "||"; do
		# libFuzzer dictionary entries are quoted strings
		printf '"%s"\n' "$(printf '%s' "$w" | sed 's/"/\\"/g')"
	done
	# (only \\, \" and \xNN escapes are understood there)
	printf '%s\n' '"\\\x0a"' '"\x0d\x0a"' '"`\x0a"' '"\xef\xbb\xbf"' '"[\"a\", \"b\"]"'
} >"$dict"

# Seeds of the small targets: config files and .dockerignore files.
cfg_seeds=$work/seeds-config
ign_seeds=$work/seeds-ignore
rm -rf "$cfg_seeds" "$ign_seeds"
mkdir -p "$cfg_seeds" "$ign_seeds"
printf '%s\n' 'ignored: [DL3003, DL3008]' 'override:' '  error: [DL3001]' '  style: [DL3059]' \
	'failure-threshold: warning' 'trustedRegistries: [docker.io, "*.corp"]' \
	'label-schema: {author: text, url: url}' 'strict-labels: true' 'no-fail: false' 'format: json' \
	>"$cfg_seeds/full"
printf 'ignored:\n  - DL3003\nno-color: true\nshellcheck: false\n' >"$cfg_seeds/list"
printf 'override: {warning: DL3001}\n' >"$cfg_seeds/bad-type"
printf '&a x: *a\n' >"$cfg_seeds/alias"
find "$top/fixtures/context" -type f -name '*dockerignore' 2>/dev/null | sort | {
	i=0
	while IFS= read -r f; do
		i=$((i + 1))
		cp "$f" "$ign_seeds/fixture-$i"
	done
}
printf '**/node_modules\n!keep/**\n/.git\n*.md\n[a-c]?/x\n\0node_modules/a\nkeep/x\nb1/x\n' >"$ign_seeds/mixed"
printf 'a[\n' >"$ign_seeds/bad-class"

# ---- run ---------------------------------------------------------------------------------------
# run_target NAME SECONDS SEEDS [libFuzzer options...]: run one target; on a
# crash print the inputs and how to replay them, and exit non-zero.
run_target() {
	name=$1 t=$2 tseeds=$3
	shift 3
	fuzzer=$build/tests/fuzz/$name
	tcorpus=$work/corpus-$name
	[ "$name" = fuzz_parse ] && tcorpus=$corpus
	mkdir -p "$tcorpus"
	echo "== fuzz: running $name for $t s"
	marker=$work/.run-start
	: >"$marker"
	status=0
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$fuzzer" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts/" -print_final_stats=1 "$@" \
		"$tcorpus" "$tseeds" || status=$?
	found=$(find "$artifacts" -type f -newer "$marker" \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | sort)
	if [ "$status" -ne 0 ] || [ -n "$found" ]; then
		echo "== fuzz: FAILED ($name exit status $status)"
		for f in $found; do
			echo "crashing input: $f"
			echo "  replay: $fuzzer $f"
		done
		[ "$status" -ne 0 ] || status=1
		exit "$status"
	fi
	echo "== fuzz: $name OK, no crash in $t s ($(find "$tcorpus" -type f | wc -l | tr -d ' ') inputs in $tcorpus)"
}

# The parser (and everything after it, every rule included) gets the time
# asked for; the config loader, the .dockerignore matcher and the fixer a
# quarter of it each.
small=$((secs / 4))
[ "$small" -ge 5 ] || small=5
run_target fuzz_parse "$secs" "$seeds" -max_len=65536 -dict="$dict"
run_target fuzz_config "$small" "$cfg_seeds" -max_len=8192
run_target fuzz_ignore "$small" "$ign_seeds" -max_len=8192
# The fixer: fixed text parses, fixing again changes nothing, comments stay.
run_target fuzz_fix "$small" "$seeds" -max_len=16384 -dict="$dict"
