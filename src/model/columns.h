/* columns.h - the one table of listing columns: header, JSON key, type, help, formatter.
 */
#ifndef TCPSTATE_COLUMNS_H
#define TCPSTATE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/sock.h"

struct procs;
struct netns_list;

/* What a column needs from the query stage. */
enum {
	COL_NEED_PROCS = 1 << 0, /* /proc scan for owners */
	COL_NEED_INFO = 1 << 1,	 /* INET_DIAG_INFO (tcp_info), INET_DIAG_CONG */
	COL_NEED_MEM = 1 << 2,	 /* INET_DIAG_SKMEMINFO */
};

enum col_type {
	COL_STRING = 0,
	COL_NUMBER,
	COL_OWNERS, /* a list of {pid, comm} */
	COL_BOOL,   /* true, false or null in JSON (through col->json) */
};

/* Everything a formatter may look at besides the socket. */
struct col_ctx {
	const struct procs *procs;
	bool resolve;	  /* -r: names instead of numbers */
	bool multi_netns; /* several namespaces: the netns column means something */
	const struct netns_list *netns; /* labels for the netns column (NULL: inodes) */
};

struct column {
	const char *name;   /* key for --columns, --sort and JSON */
	const char *header; /* table header */
	bool right;	    /* right-aligned (numbers) */
	enum col_type type;
	unsigned needs;	  /* COL_NEED_* */
	const char *help; /* one line for --list-columns */
	/* Write the cell as text (escaped, terminal-safe). Returns its length. */
	size_t (*fmt)(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		      size_t sz);
	/*
	 * Optional, for COL_NUMBER cells whose text is not a plain number ("12ms", "-"):
	 * write the value as a JSON number, or "null" when the socket has none. Returns
	 * the length. When NULL, JSON uses the fmt text if it is a valid JSON number and
	 * null otherwise.
	 * --sort on a number column orders by this value.
	 */
	size_t (*json)(const struct sock_rec *s, const struct col_ctx *c, char *buf,
		       size_t sz);
};

/*
 * The cell of a COL_NUMBER column as JSON number text ("null" when absent), through
 * col->json or the checked fmt text. Returns the length.
 */
size_t column_json_number(const struct column *col, const struct sock_rec *s,
			  const struct col_ctx *c, char *buf, size_t sz);

/* The column table, terminated by an entry with a NULL name. */
extern const struct column column_table[];

/* "string", "number", "owners" or "boolean": the type as --list-columns and the JSON
 * schema name it.
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

/*
 * Build the list: the defaults (plus owners with processes, and the -e/-o/-i/-m groups
 * when set), or spec (--columns: "a,b,c" replaces, "+a,b" adds). Returns 0, -EINVAL
 * with *ret_bad pointing at the unknown name inside a static buffer, or -EEXIST with
 * *ret_bad the name spec gives twice.
 */
struct opts;
int column_list_build(const struct opts *o, bool multi_netns, struct column_list *ret,
		      const char **ret_bad);

/* The union of needs of a list. */
unsigned column_list_needs(const struct column_list *l);

/* Format an address and port the way the listing shows it: "1.2.3.4:80", "[::1]:631",
 * "0.0.0.0:*". Returns the length. */
size_t sock_fmt_endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool peer,
			 bool resolve, char *buf, size_t sz);

/*
 * Format one of a socket's endpoints (the peer's when peer): as sock_fmt_endpoint, plus
 * the interface of a link-local IPv6 address inside the brackets ("[fe80::1%lo]:22",
 * the index when numeric_scope) and "*:PORT" for a dual-stack socket on [::]. Returns
 * the length.
 */
size_t sock_fmt_sock_endpoint(const struct sock_rec *s, bool peer, bool resolve,
			      bool numeric_scope, char *buf, size_t sz);

/* An interface's name (escaped), or its index when numeric or unknown. Returns the
 * length. */
size_t sock_fmt_ifname(uint32_t ifindex, bool numeric, char *buf, size_t sz);

/* Format just an address ("1.2.3.4" or "::1", no brackets). Returns the length. */
size_t sock_fmt_addr(uint8_t family, const uint8_t *addr, char *buf, size_t sz);

#endif
