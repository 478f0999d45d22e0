# bash completion for dfopt                                   -*- shell-script -*-
# Installed into $(datadir)/bash-completion/completions/dfopt by `make install`.
# Rule codes come from the installed binary (`dfopt rules`), so they are
# always the ones it knows.

_dfopt_codes()
{
	dfopt rules 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_dfopt()
{
	local cur prev words cword
	_init_completion || return

	local commands="lint rules explain parse graph"
	local cmd=lint i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		lint | rules | explain | parse | graph)
			cmd=${words[i]}
			break
			;;
		esac
	done

	case $prev in
	-f | --format)
		case $cmd in
		lint) COMPREPLY=($(compgen -W "tty json sarif checkstyle gnu codeclimate gitlab_codeclimate github junit sonarqube codacy" -- "$cur")) ;;
		parse) COMPREPLY=($(compgen -W "json text" -- "$cur")) ;;
		graph) COMPREPLY=($(compgen -W "dot json" -- "$cur")) ;;
		rules) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return
		;;
	-t | --failure-threshold)
		if [[ $cmd == lint ]]; then
			COMPREPLY=($(compgen -W "error warning info style ignore none" -- "$cur"))
			return
		fi
		;;
	--ignore | --error | --warning | --info | --style)
		COMPREPLY=($(compgen -W "$(_dfopt_codes)" -- "$cur"))
		return
		;;
	-o | --output | -c | --config | --file-path-in-report)
		_filedir
		return
		;;
	--context | --docs)
		_filedir -d
		return
		;;
	-j | --jobs | --trusted-registry | --require-label | --build-arg)
		return
		;;
	esac

	if [[ $cmd == explain ]]; then
		COMPREPLY=($(compgen -W "$(_dfopt_codes)" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		local opts
		case $cmd in
		lint) opts="--format --output --config --failure-threshold --no-fail --ignore --error --warning
			--info --style --trusted-registry --require-label --strict-labels --disable-ignore-pragma
			--no-color --no-shellcheck --context --no-context --fix --unsafe-fixes --diff --show-fixes
			--file-path-in-report --jobs --verbose --help" ;;
		parse | graph) opts="--format --target --build-arg --help" ;;
		rules) opts="--format --docs --help" ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if ((cword == 1)); then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	fi
	_filedir
} &&
	complete -F _dfopt dfopt
