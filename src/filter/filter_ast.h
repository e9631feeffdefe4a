/* filter_ast.h - the filter's expression tree: node kinds, values, constructors. */
#ifndef TCPSTATE_FILTER_AST_H
#define TCPSTATE_FILTER_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/states.h"

enum fnode_kind {
	FN_AND = 0,
	FN_OR,
	FN_NOT,
	FN_STATE, /* state LIST; exclude LIST is NOT(state LIST) */
	FN_PORT,  /* sport, dport, port */
	FN_ADDR,  /* src, dst (a :PORT part becomes an FN_PORT beside it) */
	FN_PID,
	FN_PROCESS,
	FN_USER,
	FN_CMP,	      /* COLUMN OP VALUE on a column only user space can test */
	FN_CGROUP,    /* cgroup PATH: the cgroup or below it */
	FN_UNIT,      /* unit GLOB */
	FN_CONTAINER, /* container ID-PREFIX */
	FN_DEV,	      /* dev NAME: the bound interface */
	FN_MARK,      /* mark VALUE[/MASK] */
};

/* Which end of the connection a port or address term looks at. */
enum fside {
	FSIDE_LOCAL = 0,
	FSIDE_REMOTE,
	FSIDE_EITHER,
};

/* An inclusive range of ports; a port SPEC is a sorted, merged list of them. */
struct port_range {
	uint16_t lo, hi;
};

#define FILTER_MAX_RANGES 64

struct port_spec {
	struct port_range r[FILTER_MAX_RANGES];
	int n;
};

/*
 * An address prefix over the 16-byte "mapped" form: IPv4 a.b.c.d/n is kept as
 * ::ffff:a.b.c.d/(96+n), so one comparison serves IPv4 sockets, v4-mapped IPv6 sockets
 * and filters written either way.
 */
struct addr_prefix {
	uint8_t addr[16];
	uint8_t bits;	  /* 0..128 */
	uint32_t ifindex; /* "fe80::1%lo": the socket's interface must match; 0 = any */
};

struct fcmp;
/* cgroup PATH: the path, and the IDs of its subtree when filter_bind_cgroups found few.
 */
struct cg_term {
	char *path;    /* normalised: "/a/b", "/" for the root */
	uint64_t *ids; /* the subtree's IDs (kernel-decided), NULL: user space decides */
	size_t n_ids;
};

struct fnode {
	enum fnode_kind kind;
	struct fnode *a, *b; /* AND, OR: both; NOT: a */
	enum fside side;     /* FN_PORT, FN_ADDR */
	union {
		state_set states;	 /* FN_STATE */
		struct port_spec *ports; /* FN_PORT */
		struct addr_prefix addr; /* FN_ADDR */
		pid_t pid;		 /* FN_PID */
		char *name;		 /* FN_PROCESS: exact name or fnmatch(3) glob */
		uint32_t uid;		 /* FN_USER */
		struct fcmp *cmp;	 /* FN_CMP (filter_int.h) */
		struct cg_term *cg;	 /* FN_CGROUP */
		char *text;		 /* FN_UNIT glob, FN_CONTAINER prefix */
		uint32_t ifindex;	 /* FN_DEV */
		struct {
			uint32_t value, mask;
		} mark; /* FN_MARK */
	} u;
};

/* Allocate a node of this kind (zeroed). NULL when out of memory. */
struct fnode *fnode_new(enum fnode_kind kind);

/* Join two trees with AND or OR; either may be NULL (the other is returned). NULL with
 * both freed when out of memory. */
struct fnode *fnode_join(enum fnode_kind kind, struct fnode *a, struct fnode *b);

/* Free a tree. Accepts NULL. */
void fnode_free(struct fnode *n);

#endif
