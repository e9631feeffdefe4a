/* filter_int.h - the filter's parser and value helpers, shared by filter*.c only (not an
 * API). */
#ifndef TCPSTATE_FILTER_INT_H
#define TCPSTATE_FILTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter/filter_ast.h"
#include "model/sock.h"

struct cgmap;

struct filter {
	struct fnode *root;
	const struct cgmap
	    *cgroups; /* for cgroup, unit, container (filter_bind_cgroups) */
};

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

/*
 * Read a filter file into one malloc'd string, "#" comments (to the end of the line)
 * blanked out. At most 1 MiB. Returns 0, -EFBIG, -ENOMEM or the errno of open/read.
 */
int filter_read_file(const char *path, char **ret_text);

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

/* Parse a mark VALUE[/MASK] (decimal or 0x hex, mask 0xffffffff when absent). Returns 0
 * or -EINVAL with *ret_err set. */
int filter_parse_mark(const char *spec, uint32_t *ret_value, uint32_t *ret_mask,
		      char **ret_err);

/* Parse an interface name or index. Returns 0 or -EINVAL with *ret_err set. */
int filter_parse_dev(const char *spec, uint32_t *ret_ifindex, char **ret_err);

/* Normalise a cgroup PATH to "/a/b" (malloc'd into *ret_path; no ".." components).
 * Returns 0, -EINVAL with *ret_err set, or -ENOMEM. */
int filter_parse_cgroup(const char *spec, char **ret_path, char **ret_err);

/* Does the 16-byte mapped form of a socket address match the prefix? */
bool filter_addr_match(const struct addr_prefix *p, uint8_t family, const uint8_t *addr);

/* Is port inside the spec? */
bool filter_port_match(const struct port_spec *ps, uint16_t port);

#endif
