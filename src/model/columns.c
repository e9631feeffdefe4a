/* columns.c - the column table that drives the header, --columns, --list-columns and JSON
 * keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/columns.h"

const struct column column_table[COLUMN_N + 1] = {
    [COLUMN_PROTO] = {"proto", "Proto", false, COL_STRING, 0, "tcp or tcp6"},
    [COLUMN_RECVQ] =
	{"recvq", "Recv-Q", true, COL_NUMBER, 0,
	 "bytes not yet read by the application (LISTEN: connections waiting in accept)"},
    [COLUMN_SENDQ] = {"sendq", "Send-Q", true, COL_NUMBER, 0,
		      "bytes not yet acknowledged by the peer (LISTEN: the backlog)"},
    [COLUMN_LOCAL] = {"local", "Local Address", false, COL_STRING, 0,
		      "local address:port"},
    [COLUMN_FOREIGN] = {"foreign", "Foreign Address", false, COL_STRING, 0,
			"peer address:port"},
    [COLUMN_LADDR] = {"laddr", "Local IP", false, COL_STRING, 0,
		      "local address, numeric"},
    [COLUMN_LPORT] = {"lport", "Port", true, COL_NUMBER, 0, "local port"},
    [COLUMN_RADDR] = {"raddr", "Peer IP", false, COL_STRING, 0, "peer address, numeric"},
    [COLUMN_RPORT] = {"rport", "Port", true, COL_NUMBER, 0,
		      "peer port (0 when unconnected)"},
    [COLUMN_STATE] = {"state", "State", false, COL_STRING, 0, "TCP state"},
    [COLUMN_OWNERS] = {"owners", "PID/Program name", false, COL_OWNERS, COL_NEED_PROCS,
		       "every process holding the socket, pid/name"},
    [COLUMN_USER] = {"user", "User", false, COL_STRING, 0,
		     "owning user name (- for TIME_WAIT and requests)"},
    [COLUMN_UID] = {"uid", "UID", true, COL_NUMBER, 0, "owning user id"},
    [COLUMN_INODE] = {"inode", "Inode", true, COL_NUMBER, 0,
		      "socket inode (0: no file, e.g. TIME_WAIT)"},
    [COLUMN_COOKIE] = {"cookie", "Cookie", false, COL_STRING, 0,
		       "kernel socket cookie (hex)"},
    [COLUMN_NETNS] =
	{"netns", "Netns", false, COL_STRING, 0,
	 "network namespace: its name in /run/netns, else inode(container or PID/comm)"},
    /* -o: timers (inet_diag_msg) */
    [COLUMN_TIMER] = {"timer", "Timer", false, COL_STRING, 0,
		      "running timer, time left and retransmit or probe count"},
    [COLUMN_EXPIRES] = {"expires", "Expires", true, COL_NUMBER, 0,
			"ms until the running timer fires"},
    /* -i: tcp_info, parsed by length; - when the kernel sent none (TIME_WAIT, requests)
     */
    [COLUMN_RTT] = {"rtt", "RTT", true, COL_NUMBER, COL_NEED_INFO,
		    "smoothed round-trip time, ms"},
    [COLUMN_RTTVAR] = {"rttvar", "RTTvar", true, COL_NUMBER, COL_NEED_INFO,
		       "round-trip time variance, ms"},
    [COLUMN_RTO] = {"rto", "RTO", true, COL_NUMBER, COL_NEED_INFO,
		    "retransmission timeout, ms"},
    [COLUMN_CWND] = {"cwnd", "Cwnd", true, COL_NUMBER, COL_NEED_INFO,
		     "congestion window, segments"},
    [COLUMN_SSTHRESH] = {"ssthresh", "Ssthresh", true, COL_NUMBER, COL_NEED_INFO,
			 "slow start threshold, segments (- while unset)"},
    [COLUMN_RETRANS] = {"retrans", "Retrans", true, COL_NUMBER, COL_NEED_INFO,
			"segments retransmitted over the connection's life"},
    [COLUMN_BYTES_ACKED] = {"bytes_acked", "Acked", true, COL_NUMBER, COL_NEED_INFO,
			    "bytes sent and acknowledged by the peer"},
    [COLUMN_BYTES_RECEIVED] = {"bytes_received", "Received", true, COL_NUMBER,
			       COL_NEED_INFO, "bytes received"},
    [COLUMN_DELIVERY_RATE] = {"delivery_rate", "Rate", true, COL_NUMBER, COL_NEED_INFO,
			      "recent delivery rate, bit/s"},
    [COLUMN_CC] = {"cc", "CC", false, COL_STRING, COL_NEED_INFO,
		   "congestion control algorithm"},
    [COLUMN_LAST_SEND] = {"last_send", "LastSnd", true, COL_NUMBER, COL_NEED_INFO,
			  "ms since data was last sent"},
    [COLUMN_LAST_RECV] = {"last_recv", "LastRcv", true, COL_NUMBER, COL_NEED_INFO,
			  "ms since data was last received"},
    /* -m: INET_DIAG_SKMEMINFO */
    [COLUMN_RMEM] = {"rmem", "Rmem", true, COL_NUMBER, COL_NEED_MEM,
		     "receive buffer memory in use, bytes"},
    [COLUMN_RCVBUF] = {"rcvbuf", "Rcvbuf", true, COL_NUMBER, COL_NEED_MEM,
		       "receive buffer size, bytes"},
    [COLUMN_WMEM] = {"wmem", "Wmem", true, COL_NUMBER, COL_NEED_MEM,
		     "send buffer memory in use (queued), bytes"},
    [COLUMN_SNDBUF] = {"sndbuf", "Sndbuf", true, COL_NUMBER, COL_NEED_MEM,
		       "send buffer size, bytes"},
    [COLUMN_DROPS] = {"drops", "Drops", true, COL_NUMBER, COL_NEED_MEM,
		      "packets dropped before reaching the socket"},
    /* cgroup v2 (INET_DIAG_CGROUP_ID, which full sockets carry): - for TIME_WAIT and
     * requests */
    [COLUMN_CGROUP] = {"cgroup", "Cgroup", false, COL_STRING_OR_NULL, COL_NEED_CGROUP,
		       "cgroup v2 path below the cgroup2 mount"},
    [COLUMN_UNIT] = {"unit", "Unit", false, COL_STRING_OR_NULL, COL_NEED_CGROUP,
		     "systemd unit (innermost .service, .scope, .socket, else .slice)"},
    [COLUMN_CONTAINER] =
	{"container", "Container", false, COL_STRING_OR_NULL, COL_NEED_CGROUP,
	 "container runtime:ID (docker, containerd, crio, podman), pod UID"},
    [COLUMN_CMDLINE] = {"cmdline", "Command", false, COL_STRING_OR_NULL,
			COL_NEED_PROCS | COL_NEED_CMDLINE,
			"command line of the first owner (needs the owners' scan)"},
    [COLUMN_MARK] = {"mark", "Mark", false, COL_STRING_OR_NULL, COL_NEED_MARK,
		     "socket mark (hex; the kernel sends it only to CAP_NET_ADMIN)"},
    [COLUMN_TOS] = {"tos", "TOS", false, COL_STRING_OR_NULL, COL_NEED_TOS,
		    "IPv4 TOS or IPv6 traffic class (hex)"},
    [COLUMN_N] = {NULL, NULL, false, COL_STRING, 0, NULL},
};

const char *column_type_name(enum col_type t)
{
	static const char *const names[] = {[COL_STRING] = "string",
					    [COL_NUMBER] = "number",
					    [COL_OWNERS] = "owners",
					    [COL_STRING_OR_NULL] = "string"};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "string";
}

const struct column *column_find(const char *name)
{
	for (int i = 0; column_table[i].name; i++)
		if (strcasecmp(column_table[i].name, name) == 0)
			return &column_table[i];
	return NULL;
}

static int list_add(struct column_list *l, const char *name)
{
	const struct column *c = column_find(name);

	if (!c)
		return -EINVAL;
	for (int i = 0; i < l->n; i++)
		if (l->v[i] == c)
			return 0;
	if (l->n >= COLUMNS_MAX)
		return -E2BIG;
	l->v[l->n++] = c;
	return 0;
}

/* The columns each group adds to the defaults, in display order. */
static const struct {
	unsigned group; /* COL_GROUP_* */
	const char *cols[16];
} groups[] = {
    {COL_GROUP_OWNERS, {"owners", NULL}},
    {COL_GROUP_EXTENDED, {"user", "uid", "inode", "cookie", NULL}},
    {COL_GROUP_TIMERS, {"timer", NULL}},
    {COL_GROUP_INFO,
     {"rtt", "rttvar", "rto", "cwnd", "ssthresh", "retrans", "bytes_acked",
      "bytes_received", "delivery_rate", "cc", "last_send", "last_recv", NULL}},
    {COL_GROUP_MEMORY, {"rmem", "rcvbuf", "wmem", "sndbuf", "drops", NULL}},
    {COL_GROUP_NETNS, {"netns", NULL}},
};

int column_list_build(const char *spec, unsigned groups_on, struct column_list *ret,
		      const char **ret_bad)
{
	static char bad[64];
	static const char *const defaults[] = {"proto",	  "recvq", "sendq", "local",
					       "foreign", "state", NULL};
	bool replace = spec && spec[0] != '+';

	ret->n = 0;
	if (!replace) {
		for (int i = 0; defaults[i]; i++)
			list_add(ret, defaults[i]);
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			if (!(groups_on & groups[g].group))
				continue;
			for (int i = 0; groups[g].cols[i]; i++)
				list_add(ret, groups[g].cols[i]);
		}
	}
	if (spec) {
		char *copy = strdup(spec[0] == '+' ? spec + 1 : spec), *save = NULL;
		if (!copy)
			return -ENOMEM;
		int count = 0;
		for (char *t = strtok_r(copy, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			int err = list_add(ret, t);
			if (err < 0) {
				snprintf(bad, sizeof(bad), "%s", t);
				*ret_bad = bad;
				free(copy);
				return err;
			}
			count++;
		}
		free(copy);
		if (!count) {
			snprintf(bad, sizeof(bad), "%s", spec);
			*ret_bad = bad;
			return -EINVAL;
		}
	}
	return 0;
}

unsigned column_list_needs(const struct column_list *l)
{
	unsigned needs = 0;

	for (int i = 0; i < l->n; i++)
		needs |= l->v[i]->needs;
	return needs;
}
