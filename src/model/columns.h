/* columns.h - the one table of listing columns: name, header, JSON type, help and what
 * each needs from the query stage. Their cells are formatted in render/colfmt.c. */
#ifndef TCPSTATE_COLUMNS_H
#define TCPSTATE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/sock.h"

struct procs;
struct netns_list;
struct cgmap;

/* What a column needs from the query stage. */
enum {
	COL_NEED_PROCS = 1 << 0,   /* /proc scan for owners */
	COL_NEED_INFO = 1 << 1,	   /* INET_DIAG_INFO (tcp_info), INET_DIAG_CONG */
	COL_NEED_MEM = 1 << 2,	   /* INET_DIAG_SKMEMINFO */
	COL_NEED_CGROUP = 1 << 3,  /* the cgroup ID map (query/cgroups.h) */
	COL_NEED_TOS = 1 << 4,	   /* INET_DIAG_TOS, INET_DIAG_TCLASS */
	COL_NEED_CMDLINE = 1 << 5, /* /proc/PID/cmdline of the first owner */
	COL_NEED_MARK = 1 << 6,	   /* INET_DIAG_MARK (sent with every dump to
				      CAP_NET_ADMIN) */
};

enum col_type {
	COL_STRING = 0,
	COL_NUMBER,
	COL_OWNERS,	    /* a list of {pid, comm} */
	COL_STRING_OR_NULL, /* a string; "-" (none) is null in JSON */
};

/* Every column, in the order of column_table. */
enum column_id {
	COLUMN_PROTO,
	COLUMN_RECVQ,
	COLUMN_SENDQ,
	COLUMN_LOCAL,
	COLUMN_FOREIGN,
	COLUMN_LADDR,
	COLUMN_LPORT,
	COLUMN_RADDR,
	COLUMN_RPORT,
	COLUMN_STATE,
	COLUMN_OWNERS,
	COLUMN_USER,
	COLUMN_UID,
	COLUMN_INODE,
	COLUMN_COOKIE,
	COLUMN_NETNS,
	COLUMN_TIMER,
	COLUMN_EXPIRES,
	COLUMN_RTT,
	COLUMN_RTTVAR,
	COLUMN_RTO,
	COLUMN_CWND,
	COLUMN_SSTHRESH,
	COLUMN_RETRANS,
	COLUMN_BYTES_ACKED,
	COLUMN_BYTES_RECEIVED,
	COLUMN_DELIVERY_RATE,
	COLUMN_CC,
	COLUMN_LAST_SEND,
	COLUMN_LAST_RECV,
	COLUMN_RMEM,
	COLUMN_RCVBUF,
	COLUMN_WMEM,
	COLUMN_SNDBUF,
	COLUMN_DROPS,
	COLUMN_CGROUP,
	COLUMN_UNIT,
	COLUMN_CONTAINER,
	COLUMN_CMDLINE,
	COLUMN_MARK,
	COLUMN_TOS,
	COLUMN_N,
};

/* Everything a cell may look at besides the socket. */
struct col_ctx {
	const struct procs *procs;
	bool resolve;	  /* -r: names instead of numbers */
	bool multi_netns; /* several namespaces: the netns column means something */
	const struct netns_list *netns; /* labels for the netns column (NULL: inodes) */
	const struct cgmap *cgroups;	/* cgroup paths, units, containers (NULL: none) */
};

struct column {
	const char *name;   /* key for --columns, --sort and JSON */
	const char *header; /* table header */
	bool right;	    /* right-aligned (numbers) */
	enum col_type type;
	unsigned needs;	  /* COL_NEED_* */
	const char *help; /* one line for --list-columns */
};

/* The column table, indexed by enum column_id and terminated by an entry with a NULL
 * name. */
extern const struct column column_table[COLUMN_N + 1];

/* The column's place in the table. */
static inline enum column_id column_id(const struct column *col)
{
	return (enum column_id)(col - column_table);
}

/* "string", "number" or "owners": the type as --list-columns and the JSON schema name it.
 */
const char *column_type_name(enum col_type t);

/* Look a column up by name; NULL when unknown. */
const struct column *column_find(const char *name);

#define COLUMNS_MAX 48

/* A chosen list of columns, in display order. */
struct column_list {
	const struct column *v[COLUMNS_MAX];
	int n;
};

/* Groups of columns the options add to the defaults, in this order. */
enum col_group {
	COL_GROUP_OWNERS = 1 << 0,   /* -p: owners */
	COL_GROUP_EXTENDED = 1 << 1, /* -e: user, uid, inode, cookie */
	COL_GROUP_TIMERS = 1 << 2,   /* -o: timer */
	COL_GROUP_INFO = 1 << 3,     /* -i: the tcp_info columns */
	COL_GROUP_MEMORY = 1 << 4,   /* -m: the skmem columns */
	COL_GROUP_NETNS = 1 << 5,    /* several namespaces: netns */
};

/*
 * Build the list: the defaults plus the groups (COL_GROUP_*), or spec (--columns:
 * "a,b,c" replaces, "+a,b" adds; NULL: none). Returns 0, or -EINVAL with *ret_bad
 * pointing at the unknown name inside a static buffer.
 */
int column_list_build(const char *spec, unsigned groups, struct column_list *ret,
		      const char **ret_bad);

/* The union of needs of a list. */
unsigned column_list_needs(const struct column_list *l);

#endif
