#!/bin/sh
# completion.sh - the bash and zsh completions in docs/completions: they load,
# complete commands, options, formats and rule codes (from the dfopt under
# test), and name every long option `dfopt lint --help` lists, so a new
# option cannot be forgotten there.
. "${DF_SRCDIR:-.}/tests/cli/lib.sh"

bash_file=$SRC/docs/completions/dfopt.bash
zsh_file=$SRC/docs/completions/_dfopt

# Every long option of lint's help is offered by both files.
"$DFOPT" lint --help >"$tmp/help" 2>&1
# The option column: lines that start with a dash, up to the description
# (two blanks), which may mention other programs' flags (COPY --from).
sed -n 's/^ *\(-.*\)/\1/p' "$tmp/help" | sed 's/   *.*//' | grep -o -- '--[a-z][a-z-]*' | sort -u >"$tmp/opts"
if [ "$(wc -l <"$tmp/opts")" -ge 20 ]; then ok; else bad "too few options found in 'dfopt lint --help'"; fi
while read -r opt; do
	contains "$bash_file" "$opt" "bash completion knows $opt"
	contains "$zsh_file" "$opt" "zsh completion knows $opt"
done <"$tmp/opts"

# complete WORDS...: what bash completes for the last word, one a line
mkdir -p "$tmp/bin"
ln -s "$DFOPT" "$tmp/bin/dfopt"
complete_words() {
	PATH=$tmp/bin:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_dfopt dfopt "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' "$bash_file" "$@" >"$tmp/out" 2>"$tmp/err"
}
complete_words dfopt ex
contains "$tmp/out" "explain" "bash: commands"
complete_words dfopt lint --no-c
contains "$tmp/out" "--no-context" "bash: lint options"
contains "$tmp/out" "--no-color" "bash: lint options"
complete_words dfopt lint -f sa
contains "$tmp/out" "sarif" "bash: formats"
complete_words dfopt graph --format d
contains "$tmp/out" "dot" "bash: graph formats"
complete_words dfopt build --progress j
contains "$tmp/out" "json" "bash: build progress modes"
complete_words dfopt measure --format m
contains "$tmp/out" "markdown" "bash: measure formats"
complete_words dfopt cache p
contains "$tmp/out" "prune" "bash: cache commands"
complete_words dfopt me
contains "$tmp/out" "measure" "bash: the builder's commands"
complete_words dfopt lint --ignore DL300
contains "$tmp/out" "DL3003" "bash: rule codes from dfopt rules"
complete_words dfopt explain Consistent
contains "$tmp/out" "ConsistentInstructionCasing" "bash: BuildKit check names"
if [ -s "$tmp/err" ]; then bad "bash completion wrote to stderr: $(cat "$tmp/err")"; else ok; fi

# zsh: the file parses and defines the completion function.
if zsh -n "$zsh_file" 2>"$tmp/err"; then ok; else bad "zsh: $(cat "$tmp/err")"; fi
contains "$zsh_file" "#compdef dfopt" "zsh: compdef line"

finish completion
