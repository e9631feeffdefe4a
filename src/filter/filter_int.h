/* filter_int.h - the filter's expression tree, shared by filter*.c only (not an API). */
#ifndef TCPSTATE_FILTER_INT_H
#define TCPSTATE_FILTER_INT_H

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
	uint8_t bits; /* 0..128 */
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
	} u;
};

struct filter {
	struct fnode *root;
};

/* Allocate a node of this kind (zeroed). NULL when out of memory. */
struct fnode *fnode_new(enum fnode_kind kind);

/* Join two trees with AND or OR; either may be NULL (the other is returned). NULL with
 * both freed when out of memory. */
struct fnode *fnode_join(enum fnode_kind kind, struct fnode *a, struct fnode *b);

/* Free a tree. Accepts NULL. */
void fnode_free(struct fnode *n);

/*
 * Parse tokens (already split into words) as an expression. Returns 0 with *ret the tree
 * (NULL when there are no tokens), -EINVAL with *ret_err a malloc'd message, or -ENOMEM.
 */
int filter_parse_tokens(const char *const *tok, int n, struct fnode **ret,
			char **ret_err);

/* One long option (--state LIST, --port SPEC, ...) as a term: name is its keyword, value
 * is taken as is. Returns as filter_parse_tokens. */
int filter_parse_option(const char *name, const char *value, struct fnode **ret,
			char **ret_err);

/*
 * Split expression words into tokens: whitespace separates, and '(' / ')' are tokens of
 * their own even when glued to a word. Returns the number of tokens or -ENOMEM; *ret_tok
 * is a NULL-terminated array that filter_tokens_free releases.
 */
int filter_tokenize(const char *const *words, int n, char ***ret_tok);

/* Free what filter_tokenize returned. Accepts NULL. */
void filter_tokens_free(char **tok);

/*
 * Parse a port SPEC: "80", ":80", "80,443", "8000-8100", ">1024" (also <, >=, <=, !=, =),
 * service names from /etc/services. op, when not NULL, is an operator given as a word of
 * its own ("sport > 1024"). Returns 0, -EINVAL with *ret_err set, or -ENOMEM.
 */
int filter_parse_ports(const char *op, const char *spec, struct port_spec *ret,
		       char **ret_err);

/*
 * Parse ADDR[/PREFIX][:PORT] (IPv4, IPv6, [IPv6]:PORT, "*" or "" for any address).
 * *ret_has_addr is false when only a port was given; *ret_port_spec points into spec at
 * the port part or is NULL. Returns 0 or -EINVAL with *ret_err set.
 */
int filter_parse_addr(const char *spec, struct addr_prefix *ret, bool *ret_has_addr,
		      const char **ret_port_spec, char **ret_err);

/* Does the 16-byte mapped form of a socket address match the prefix? */
bool filter_addr_match(const struct addr_prefix *p, uint8_t family, const uint8_t *addr);

/* Is port inside the spec? */
bool filter_port_match(const struct port_spec *ps, uint16_t port);

#endif
