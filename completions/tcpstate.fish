# tcpstate(8) completion for fish. Options are listed here; every value list comes from
# the binary being completed ("tcpstate --complete WHAT"): the states and columns of the
# installed version, the ports, processes and users of this machine now.

# __tcpstate_ask WHAT: the candidates, one per line, from the binary on the command line.
function __tcpstate_ask --argument-names what
    set -l cmd (commandline -opc)[1]
    command $cmd --complete $what 2>/dev/null
end

# __tcpstate_list WHAT [signs]: complete the last item of a comma-separated list; the
# items before it (and a leading + or - with signs: --columns +rtt, --sort -rtt) are kept.
function __tcpstate_list --argument-names what signs
    set -l tok (string replace -r -- '^--?[a-z-]+=' '' (commandline -ct))
    set -l prefix (string match -r -- '^.*,' $tok)
    set -l item (string replace -r -- '^.*,' '' $tok)
    if test -n "$signs"; and string match -qr -- '^[+-]' $item
        set prefix "$prefix"(string sub -l 1 -- $item)
    else if string match -q -- ':*' $item # "sport = :80"
        set prefix "$prefix:"
    end
    for w in (__tcpstate_ask $what)
        printf '%s%s\n' $prefix $w
    end
end

# __tcpstate_filter: the filter expression after the options (keywords, and the value
# after a keyword; "sport = :80", "dport > 1024": the keyword is before the operator).
function __tcpstate_filter
    set -l words (commandline -opc)
    set -l i (count $words)
    while test $i -gt 1; and contains -- $words[$i] = == : != eq ne neq gt lt ge le '>' '<' '>=' '<=' '~' '!~'
        set i (math $i - 1)
    end
    # COLUMN OP VALUE: operators after a column, the column's units after a number
    if not contains -- $words[$i] state states exclude excl user uid
        if test $i -eq (count $words)
            set -l ops (__tcpstate_ask operators:$words[$i])
            if test (count $ops) -gt 0
                printf '%s\n' $ops
                return
            end
        else if test (count (__tcpstate_ask operators:$words[$i])) -gt 0
            set -l num (string match -r -- '^[0-9.]+' (commandline -ct))
            if test -n "$num"
                for u in (__tcpstate_ask units:$words[$i])
                    printf '%s%s\n' $num $u
                end
            end
            return
        end
    end
    switch $words[$i]
        case state states exclude excl
            __tcpstate_list states
        case port sport dport
            __tcpstate_list ports
        case process proc comm
            __tcpstate_ask processes
        case user uid
            __tcpstate_ask users
        case unit
            __tcpstate_ask units
        case container
            __tcpstate_ask containers
        case pid src dst dest cgroup dev mark fwmark
            return
        case '*'
            __tcpstate_ask keywords
    end
end

complete -c tcpstate -f
complete -c tcpstate -n 'not string match -q -- "-*" (commandline -ct)' -a '(__tcpstate_filter)'

# Selection
complete -c tcpstate -s a -l all -d 'every state, LISTEN and bound-only sockets too'
complete -c tcpstate -s l -l listening -d 'only LISTEN sockets'
complete -c tcpstate -s 4 -l ipv4 -d 'only IPv4 sockets'
complete -c tcpstate -s 6 -l ipv6 -d 'only IPv6 sockets'
complete -c tcpstate -s n -l numeric -d 'numeric addresses and ports (the default)'
complete -c tcpstate -s t -l tcp -d 'TCP sockets (the default)'
complete -c tcpstate -s r -l resolve -d 'resolve host and service names'
complete -c tcpstate -s N -l netns -x -a '(__tcpstate_ask netns)' -d 'the network namespace of TARGET'
complete -c tcpstate -l all-netns -d 'every network namespace on the host'
# Filters
complete -c tcpstate -l state -x -a '(__tcpstate_list states)' -d 'only these states or groups'
complete -c tcpstate -l exclude -x -a '(__tcpstate_list states)' -d 'leave out these states or groups'
complete -c tcpstate -l port -x -a '(__tcpstate_list ports)' -d 'local or remote port matches SPEC'
complete -c tcpstate -l sport -x -a '(__tcpstate_list ports)' -d 'local port matches SPEC'
complete -c tcpstate -l dport -x -a '(__tcpstate_list ports)' -d 'remote port matches SPEC'
complete -c tcpstate -l filter-file -r -F -d 'read a filter expression from FILE'
complete -c tcpstate -l src -x -d 'local address in ADDR[%IFACE][/PREFIX][:PORT]'
complete -c tcpstate -l dst -x -d 'remote address in ADDR[%IFACE][/PREFIX][:PORT]'
complete -c tcpstate -l pid -x -a '(__fish_complete_pids)' -d 'sockets held by process PID (every state unless a state is given)'
complete -c tcpstate -l process -x -a '(__tcpstate_ask processes)' -d 'sockets held by processes named NAME (every state unless a state is given)'
complete -c tcpstate -l user -x -a '(__tcpstate_ask users)' -d 'sockets owned by user NAME or UID (every state unless a state is given)'
complete -c tcpstate -l cgroup -x -d 'sockets of cgroup v2 PATH or below it'
complete -c tcpstate -l unit -x -a '(__tcpstate_ask units)' -d 'sockets of the systemd unit GLOB'
complete -c tcpstate -l container -x -a '(__tcpstate_ask containers)' -d 'sockets of the container whose ID starts with PREFIX'
# Output
complete -c tcpstate -s p -l processes -d 'show the PID/Program name of every owner'
complete -c tcpstate -l owners-source -x -a '(__tcpstate_ask owners-sources)' -d 'where -p finds owners'
complete -c tcpstate -s e -l extended -d 'show user, uid, inode and socket cookie'
complete -c tcpstate -s o -l timers -d 'show the running timer and its time left'
complete -c tcpstate -s i -l info -d 'show TCP internals'
complete -c tcpstate -s m -l memory -d 'show socket memory use'
complete -c tcpstate -s H -l no-header -d 'do not print the header line'
complete -c tcpstate -s W -l wide -d 'never cut lines at the terminal width'
complete -c tcpstate -l format -x -a '(__tcpstate_ask formats)' -d 'output format'
complete -c tcpstate -s j -l json -d 'the same as --format json'
complete -c tcpstate -l unit-metrics -d 'openmetrics: add tcpstate_unit_sockets per unit and state'
complete -c tcpstate -l sort -x -a '(__tcpstate_list sort signs)' -d 'sort the listing by keys (-KEY descending)'
complete -c tcpstate -l columns -x -a '(__tcpstate_list columns signs)' -d 'columns to show (a leading + adds to the defaults)'
complete -c tcpstate -l list-columns -d 'list the available columns and exit'
complete -c tcpstate -l color -l colour -x -a '(__tcpstate_ask colors)' -d 'colour states'
complete -c tcpstate -l output -r -F -d 'write to FILE atomically instead of stdout'
# Views
complete -c tcpstate -s s -l summary -d 'count sockets in each of the 11 states'
complete -c tcpstate -l hist -x -a '(__tcpstate_list hist)' -d 'count sockets grouped by one or two keys'
complete -c tcpstate -l top -x -d 'show at most N histogram rows'
complete -c tcpstate -s c -l continuous -d 'repeat the view every SECONDS'
complete -c tcpstate -s E -l events -d 'stream state transitions as they happen'
complete -c tcpstate -l interval -x -d 'polling interval for --events'
complete -c tcpstate -l events-source -x -a '(__tcpstate_ask events-sources)' -d 'where --events come from'
complete -c tcpstate -l count -x -d 'stop after N frames or events'
complete -c tcpstate -l diagram -d 'draw the TCP state machine with live counts (text only)'
complete -c tcpstate -l doctor -d 'look for trouble (table, json or jsonl); exit 3 when found'
complete -c tcpstate -l threshold -x -a '(__tcpstate_ask thresholds)' -d 'set a --doctor threshold (only with --doctor)'
complete -c tcpstate -s K -l kill -d 'destroy the sockets that match the filter (table, json or jsonl)'
complete -c tcpstate -l dry-run -d 'with --kill: only show what would go'
complete -c tcpstate -l explain -x -a '(__tcpstate_ask topics)' -d 'explain the states, one state, or a topic such as 2msl'
complete -c tcpstate -l lab -x -a '(__tcpstate_ask lessons)' -d 'every state in a private namespace, or a lesson'
# Debugging
complete -c tcpstate -l record -r -F -d 'also save the raw netlink dump to FILE (a new 0600 file)'
complete -c tcpstate -l replay -r -F -d 'read a dump saved with --record'
complete -c tcpstate -l stats -d 'print netlink counters on stderr'
# Help
complete -c tcpstate -s h -l help -d 'show the help and exit'
complete -c tcpstate -l usage -d 'show a short usage message and exit'
complete -c tcpstate -s V -l version -d 'print the version and exit'
