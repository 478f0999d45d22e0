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

	local commands="lint rules explain parse graph build measure image images cache lsp"
	local cmd=lint i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		lint | rules | explain | parse | graph | build | measure | image | images | cache | lsp)
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
		measure) COMPREPLY=($(compgen -W "table json markdown" -- "$cur")) ;;
		build | image) _filedir ;;
		esac
		return
		;;
	--progress)
		COMPREPLY=($(compgen -W "plain json quiet" -- "$cur"))
		return
		;;
	--engine)
		COMPREPLY=($(compgen -W "dfopt buildah docker" -- "$cur"))
		return
		;;
	--store | --against | --edit | --svg | --secret)
		_filedir
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
	-j | --jobs | --trusted-registry | --require-label | --build-arg | --target | --tag | --history | \
		--keep-hours | --keep-bytes)
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
		build) opts="--file --target --build-arg --tag --output --secret --no-cache --explain --progress
			--dry-run --store --help" ;;
		measure) opts="--file --against --unsafe-fixes --edit --history --verify --dry-run --format --svg
			--target --build-arg --engine --store --verbose --help" ;;
		image | images) opts="--store --help" ;;
		cache) opts="--store --all --keep-hours --keep-bytes --help" ;;
		lsp) opts="--stdio --help" ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if ((cword == 1)); then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	fi
	case $cmd in
	image) if ((cword == 2)); then COMPREPLY=($(compgen -W "import export" -- "$cur")); return; fi ;;
	cache) if ((cword == 2)); then COMPREPLY=($(compgen -W "ls prune" -- "$cur")); return; fi ;;
	build | measure) _filedir -d; return ;;
	esac
	_filedir
} &&
	complete -F _dfopt dfopt
