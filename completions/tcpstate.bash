# tcpstate(8) completion for bash, with or without the bash-completion package.
# shellcheck shell=bash
#
# Every list comes from the binary being completed ("tcpstate --complete WHAT"), so the
# options, states and columns follow the installed version, and the ports, processes and
# users are the ones on this machine right now. Nothing the binary prints is expanded
# (no compgen -W): process names belong to whoever started the process.

# The options, for a binary too old or too broken to list its own (the tests keep this
# equal to "tcpstate --complete options").
_tcpstate_fallback_options='--all --listening --ipv4 --ipv6 --numeric --tcp --resolve
--netns --all-netns --state --exclude --port --sport --dport --src --dst --pid --process
--user --cgroup --unit --container --filter-file --processes --owners-source --extended
--timers --info --memory --no-header --wide --format --json --unit-metrics --sort --columns
--list-columns --color --output --summary --hist --top --continuous --events --interval
--events-source --count --diagram --doctor --threshold --kill --dry-run --explain --lab
--record --replay --stats --help --usage --version'

# _tcpstate_add CUR WORD...: add the words that start with CUR to COMPREPLY.
_tcpstate_add()
{
	local cur=$1 w
	shift
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

# _tcpstate_ask CMD WHAT CUR [LIST]: complete CUR from "CMD --complete WHAT". With LIST
# set, CUR is a comma-separated list and only its last item is completed; a leading + or
# - on that item (--columns +rtt, --sort -rtt) is kept.
_tcpstate_ask()
{
	local cmd=$1 what=$2 cur=$3 list=${4-} prefix='' w q
	if [[ -n $list && $cur == *,* ]]; then
		prefix=${cur%,*},
		cur=${cur##*,}
	fi
	if [[ -n $list && ( $cur == +* || $cur == -* ) ]]; then
		prefix+=${cur:0:1}
		cur=${cur:1}
	fi
	while IFS= read -r w; do
		[[ -n $w && $w == "$cur"* ]] || continue
		printf -v q '%q' "$w"
		COMPREPLY+=("$prefix$q")
	done < <("$cmd" --complete "$what" 2>/dev/null)
}

_tcpstate()
{
	local cur prev words cword split=false
	COMPREPLY=()
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -s || return
	else
		# Plain bash: the line is split at COMP_WORDBREAKS, so "--state=li" arrives as
		# "--state" "=" "li".
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]-}
		if [[ $cur == = && $prev == --* ]]; then
			cur=''
		fi
	fi
	local cmd=${words[0]}
	[[ $cmd == */* || -n $(type -P "$cmd") ]] || cmd=tcpstate

	# The word this value belongs to: skip "=", ":" and comparison words, as in
	# "sport = :80", "dport > 1024" or "--state=LIST" split by bash.
	local i=$((cword - 1)) key
	while ((i > 0)); do
		case ${words[i]} in
		= | == | : | '!=' | eq | ne | neq | gt | lt | ge | le | '>' | '<' | '>=' | '<=' | '~' | '!~')
			((i--)) ;;
		*) break ;;
		esac
	done
	key=${words[i]-}
	[[ $split == true ]] && key=$prev

	# COLUMN OP VALUE: operators after a column, the column's units after a number.
	local prevw=${words[cword - 1]-}
	case $key in
	state | states | exclude | excl | user | uid | --*) ;;
	*)
		if [[ $key == "$prevw" ]]; then
			_tcpstate_ask "$cmd" "operators:$key" "$cur"
			((${#COMPREPLY[@]})) && return
		elif "$cmd" --complete "operators:$key" >/dev/null 2>&1; then
			if [[ $cur =~ ^[0-9.]+ ]]; then
				local num=${BASH_REMATCH[0]} u
				while IFS= read -r u; do
					[[ $num$u == "$cur"* ]] && COMPREPLY+=("$num$u")
				done < <("$cmd" --complete "units:$key" 2>/dev/null)
			fi
			return
		fi
		;;
	esac

	case $key in
	--state | --exclude | state | states | exclude | excl)
		_tcpstate_ask "$cmd" states "$cur" list
		return ;;
	--port | --sport | --dport | port | sport | dport)
		_tcpstate_ask "$cmd" ports "${cur#:}" list
		return ;;
	--process | process | proc | comm)
		_tcpstate_ask "$cmd" processes "$cur"
		return ;;
	--user | user | uid)
		_tcpstate_ask "$cmd" users "$cur"
		return ;;
	--unit | unit)
		_tcpstate_ask "$cmd" units "$cur"
		return ;;
	--container | container)
		_tcpstate_ask "$cmd" containers "$cur"
		return ;;
	--format)
		# --doctor and --kill print table, json or jsonl; --diagram and --explain
		# only text (they refuse --format)
		case " ${words[*]} " in
		*" --diagram "* | *" --explain"*) return ;;
		*" --doctor "* | *" -K "* | *" --kill "*)
			_tcpstate_add "$cur" table json jsonl
			return ;;
		esac
		_tcpstate_ask "$cmd" formats "$cur"
		return ;;
	--color | --colour)
		_tcpstate_ask "$cmd" colors "$cur"
		return ;;
	--events-source)
		_tcpstate_ask "$cmd" events-sources "$cur"
		return ;;
	--owners-source)
		_tcpstate_ask "$cmd" owners-sources "$cur"
		return ;;
	--columns)
		_tcpstate_ask "$cmd" columns "$cur" list
		return ;;
	--sort)
		_tcpstate_ask "$cmd" sort "$cur" list
		return ;;
	--hist)
		_tcpstate_ask "$cmd" hist "$cur" list
		return ;;
	--explain)
		_tcpstate_ask "$cmd" topics "$cur"
		return ;;
	--lab)
		_tcpstate_ask "$cmd" lessons "$cur"
		return ;;
	--netns | -N)
		_tcpstate_ask "$cmd" netns "$cur"
		return ;;
	--record | --replay | --output | --filter-file)
		local f
		while IFS= read -r f; do
			COMPREPLY+=("$f")
		done < <(compgen -f -- "$cur")
		return ;;
	--threshold)
		_tcpstate_ask "$cmd" thresholds "$cur"
		compopt -o nospace 2>/dev/null # the value follows KEY=
		return ;;
	--pid | pid | --src | --dst | src | dst | dest | --top | --count | --interval | \
		--cgroup | cgroup | dev | mark | fwmark)
		return ;; # a number or an address: nothing sensible to offer
	esac

	if [[ $cur == -* ]]; then
		_tcpstate_ask "$cmd" options "$cur"
		if ((${#COMPREPLY[@]} == 0)); then
			# shellcheck disable=SC2086 # the fallback list is split on purpose
			_tcpstate_add "$cur" $_tcpstate_fallback_options
		fi
		return
	fi
	_tcpstate_ask "$cmd" keywords "$cur"
}

complete -F _tcpstate tcpstate
