/* filter_value.c - the values of filter terms: port SPECs, ADDR[/PREFIX][:PORT], marks,
 * interfaces and cgroup paths. */
#include <arpa/inet.h>
#include <net/if.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/strutil.h"
#include "base/i18n.h"
#include "filter/filter_int.h"

#define PORT_HINT _("a port is a number 0-65535 or a service name from /etc/services")

__attribute__((format(printf, 2, 3))) static int fail(char **ret_err, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_err, fmt, ap) < 0) {
		*ret_err = NULL;
		va_end(ap);
		return -ENOMEM;
	}
	va_end(ap);
	return -EINVAL;
}

/* Comparison operators, spelled as symbols or as ss's words. */
enum port_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

static const struct {
	const char *text;
	enum port_op op;
} port_ops[] = {
    /* Longest symbols first: ">=" must win over ">". */
    {"==", OP_EQ}, {"!=", OP_NE}, {">=", OP_GE}, {"<=", OP_LE}, {"=", OP_EQ},
    {">", OP_GT},  {"<", OP_LT},  {"eq", OP_EQ}, {"ne", OP_NE}, {"neq", OP_NE},
    {"gt", OP_GT}, {"lt", OP_LT}, {"ge", OP_GE}, {"le", OP_LE},
};

#define N_PORT_OPS (sizeof(port_ops) / sizeof(port_ops[0]))
#define N_SYMBOL_OPS 7 /* the first entries; words need a separate token */

static int op_lookup(const char *word, enum port_op *ret)
{
	for (size_t i = 0; i < N_PORT_OPS; i++) {
		if (strcasecmp(word, port_ops[i].text) == 0) {
			*ret = port_ops[i].op;
			return 0;
		}
	}
	return -EINVAL;
}

/* One port: digits (0-65535) or a service name. "" is an error. */
static int parse_one_port(const char *s, const char *item, uint16_t *ret, char **ret_err)
{
	const char *p = s;

	if (*p == '\0')
		return fail(ret_err, _("missing port in '%s' (%s)"), item, PORT_HINT);
	if (*p == '-' && isdigit((unsigned char)p[1]))
		return fail(ret_err, _("port '%s' is out of range (0-65535)"), s);
	if (isdigit((unsigned char)*p)) {
		unsigned long v = 0;
		for (; isdigit((unsigned char)*p); p++) {
			v = v * 10 + (unsigned long)(*p - '0');
			if (v > 65535) {
				while (isdigit((unsigned char)*p))
					p++;
				if (*p)
					break;
				return fail(ret_err,
					    _("port '%s' is out of range (0-65535)"), s);
			}
		}
		if (*p == '\0') {
			*ret = (uint16_t)v;
			return 0;
		}
		return fail(ret_err, _("bad port '%s' (%s)"), s, PORT_HINT);
	}
	for (p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.' &&
		    *p != '+' && *p != '/')
			return fail(ret_err, _("bad port '%s' (%s)"), s, PORT_HINT);
	}
	struct servent *se = getservbyname(s, "tcp");
	if (!se)
		return fail(ret_err, _("unknown port or service '%s' (%s)"), s,
			    PORT_HINT);
	*ret = ntohs((uint16_t)se->s_port);
	return 0;
}

static int add_range(struct port_spec *ps, unsigned lo, unsigned hi, const char *item,
		     char **ret_err)
{
	if (lo > hi)
		return fail(ret_err, _("'%s' matches no port (ports are 0-65535)"), item);
	if (ps->n >= FILTER_MAX_RANGES)
		return fail(ret_err, _("too many port ranges at '%s' (at most %d)"), item,
			    FILTER_MAX_RANGES);
	ps->r[ps->n].lo = (uint16_t)lo;
	ps->r[ps->n].hi = (uint16_t)hi;
	ps->n++;
	return 0;
}

/* A range "LO-HI" whose ends are numbers; service names keep their dashes ("http-alt").
 */
static bool split_range(const char *s, char *lo, char *hi, size_t sz)
{
	const char *dash = strchr(s, '-');

	if (!dash || dash == s || !isdigit((unsigned char)s[0]))
		return false;
	if ((size_t)(dash - s) >= sz || strlen(dash + 1) >= sz)
		return false;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	strcpy(hi, dash + 1);
	return true;
}

/* One comma-separated item, with the operator that applies to it. */
static int parse_item(struct port_spec *ps, enum port_op op, bool have_op,
		      const char *item, char **ret_err)
{
	const char *s = item;
	char lo_s[64], hi_s[64];
	uint16_t lo, hi, v;
	int err;

	if (!have_op) {
		for (size_t i = 0; i < N_SYMBOL_OPS; i++) {
			size_t l = strlen(port_ops[i].text);
			if (strncmp(s, port_ops[i].text, l) == 0) {
				op = port_ops[i].op;
				have_op = true;
				s += l;
				break;
			}
		}
	}
	if (*s == ':') /* ss writes ports as ":80" */
		s++;
	if (*s == '\0')
		return fail(ret_err, _("missing port in '%s' (%s)"), item, PORT_HINT);
	if (!have_op && split_range(s, lo_s, hi_s, sizeof(lo_s))) {
		err = parse_one_port(lo_s, item, &lo, ret_err);
		if (!err)
			err = parse_one_port(*hi_s == ':' ? hi_s + 1 : hi_s, item, &hi,
					     ret_err);
		if (err)
			return err;
		if (lo > hi)
			return fail(ret_err,
				    _("empty port range '%s' (the first port is larger)"),
				    item);
		return add_range(ps, lo, hi, item, ret_err);
	}
	err = parse_one_port(s, item, &v, ret_err);
	if (err)
		return err;
	switch (have_op ? op : OP_EQ) {
	case OP_EQ:
		return add_range(ps, v, v, item, ret_err);
	case OP_NE:
		if (v > 0 && (err = add_range(ps, 0, v - 1u, item, ret_err)))
			return err;
		if (v < 65535)
			return add_range(ps, v + 1u, 65535, item, ret_err);
		return 0;
	case OP_LT:
		if (v == 0)
			return fail(ret_err,
				    _("'%s' matches no port (ports are 0-65535)"), item);
		return add_range(ps, 0, v - 1u, item, ret_err);
	case OP_LE:
		return add_range(ps, 0, v, item, ret_err);
	case OP_GT:
		if (v == 65535)
			return fail(ret_err,
				    _("'%s' matches no port (ports are 0-65535)"), item);
		return add_range(ps, v + 1u, 65535, item, ret_err);
	case OP_GE:
		return add_range(ps, v, 65535, item, ret_err);
	}
	return -EINVAL;
}

static int cmp_range(const void *a, const void *b)
{
	const struct port_range *x = a, *y = b;

	return x->lo != y->lo ? (x->lo < y->lo ? -1 : 1)
			      : (x->hi < y->hi ? -1 : x->hi > y->hi);
}

/* Sort and merge overlapping or touching ranges. */
static void normalize(struct port_spec *ps)
{
	int n = 0;

	if (ps->n > 1) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(ps->r, (size_t)ps->n, sizeof(ps->r[0]), cmp_range);
	for (int i = 0; i < ps->n; i++) {
		if (n > 0 && (unsigned)ps->r[i].lo <= (unsigned)ps->r[n - 1].hi + 1u) {
			if (ps->r[i].hi > ps->r[n - 1].hi)
				ps->r[n - 1].hi = ps->r[i].hi;
			continue;
		}
		ps->r[n++] = ps->r[i];
	}
	ps->n = n;
}

int filter_parse_ports(const char *op_word, const char *spec, struct port_spec *ret,
		       char **ret_err)
{
	enum port_op op = OP_EQ;
	bool have_op = false;
	char *copy, *item;
	int err = 0;

	memset(ret, 0, sizeof(*ret));
	if (op_word) {
		if (op_lookup(op_word, &op) < 0)
			return fail(
			    ret_err,
			    _("unknown port comparison '%s' (try =, !=, <, <=, >, >=)"),
			    op_word);
		have_op = true;
	}
	if (*spec == '\0')
		return fail(ret_err, _("empty port list '' (%s)"), PORT_HINT);
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	/* strtok_r would skip empty items; "80,,443" is a typo worth reporting. */
	item = copy;
	for (;;) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (*item == '\0') {
			err = fail(ret_err, _("empty item in the port list '%s'"), spec);
			break;
		}
		if (have_op && comma) {
			err = fail(ret_err,
				   _("a comparison takes one port, not the list '%s'"),
				   spec);
			break;
		}
		err = parse_item(ret, op, have_op, item, ret_err);
		if (err || !comma)
			break;
		item = comma + 1;
	}
	free(copy);
	if (err)
		return err;
	normalize(ret);
	return 0;
}

bool filter_port_match(const struct port_spec *ps, uint16_t port)
{
	for (int i = 0; i < ps->n; i++)
		if (port >= ps->r[i].lo && port <= ps->r[i].hi)
			return true;
	return false;
}

#define ADDR_HINT _("expected an IPv4 or IPv6 address, optionally with /PREFIX and :PORT")

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Parse a decimal prefix length no larger than max. */
static int parse_prefix(const char *s, int max, int *ret)
{
	int v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > 999)
			return -ERANGE;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* host is "a.b.c.d" or an IPv6 address, prefix may be NULL. */
static int parse_host(const char *spec, const char *host, const char *prefix,
		      struct addr_prefix *ret, char **ret_err)
{
	uint8_t buf[16];
	int bits, err;

	if (inet_pton(AF_INET, host, buf) == 1) {
		memcpy(ret->addr, v4mapped_prefix, 12);
		memcpy(ret->addr + 12, buf, 4);
		bits = 32;
		if (prefix && (err = parse_prefix(prefix, 32, &bits)) < 0)
			return err == -ERANGE
				   ? fail(
					 ret_err,
					 _("prefix '/%s' in '%s' is out of range (IPv4: 0-32)"),
					 prefix, spec)
				   : fail(ret_err, _("bad prefix '/%s' in '%s' (%s)"),
					  prefix, spec, ADDR_HINT);
		ret->bits = (uint8_t)(96 + bits);
		return 0;
	}
	if (inet_pton(AF_INET6, host, buf) == 1) {
		memcpy(ret->addr, buf, 16);
		bits = 128;
		if (prefix && (err = parse_prefix(prefix, 128, &bits)) < 0)
			return err == -ERANGE
				   ? fail(
					 ret_err,
					 _("prefix '/%s' in '%s' is out of range (IPv6: 0-128)"),
					 prefix, spec)
				   : fail(ret_err, _("bad prefix '/%s' in '%s' (%s)"),
					  prefix, spec, ADDR_HINT);
		ret->bits = (uint8_t)bits;
		return 0;
	}
	return fail(ret_err, _("bad address '%s' (%s)"), spec, ADDR_HINT);
}

/* Clear the bits past the prefix so matching can compare whole bytes. */
static void mask_prefix(struct addr_prefix *p)
{
	for (int i = 0; i < 16; i++) {
		int keep = p->bits - i * 8;
		if (keep >= 8)
			continue;
		p->addr[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

/* Words of ADDR[/PREFIX][:PORT] after splitting; host and prefix are copies. */
struct addr_parts {
	char host[128];
	char prefix[16];
	bool has_prefix;
	const char *port; /* into the spec, or NULL */
};

/* The host part: "[v6]", a bare IPv6 address (no port then), or "v4" before a colon.
 * Returns a pointer past it (and past ']'), or NULL when it does not fit. */
static const char *split_host(const char *spec, struct addr_parts *a, char **ret_err,
			      int *ret)
{
	const char *end;
	size_t len;

	*ret = 0;
	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (!end) {
			*ret = fail(ret_err, _("bad address '%s': '[' without ']' (%s)"),
				    spec, ADDR_HINT);
			return NULL;
		}
		len = (size_t)(end - spec - 1);
		spec++;
		end++;
	} else if (strchr(spec, ':') != strrchr(spec, ':')) {
		/* Two colons or more: a bare IPv6 address, which cannot carry a port. */
		len = strlen(spec);
		end = spec + len;
	} else {
		const char *colon = strchr(spec, ':');
		len = colon ? (size_t)(colon - spec) : strlen(spec);
		end = spec + len;
	}
	if (len >= sizeof(a->host))
		return NULL;
	memcpy(a->host, spec, len);
	a->host[len] = '\0';
	return end;
}

static int split_addr(const char *spec, struct addr_parts *a, char **ret_err)
{
	const char *end;
	char *slash;
	int err;

	memset(a, 0, sizeof(*a));
	end = split_host(spec, a, ret_err, &err);
	if (!end)
		return err ? err
			   : fail(ret_err, _("bad address '%s' (%s)"), spec, ADDR_HINT);
	slash = strchr(a->host, '/');
	if (slash) { /* "10.0.0.0/8", "[fe80::/10]", "fe80::/10" */
		*slash = '\0';
		if (strlen(slash + 1) >= sizeof(a->prefix))
			return fail(ret_err, _("bad address '%s' (%s)"), spec, ADDR_HINT);
		strcpy(a->prefix, slash + 1);
		a->has_prefix = true;
	}
	if (*end == '/') { /* "[::1]/128:80" */
		const char *c = strchr(end, ':');
		size_t pl = c ? (size_t)(c - end - 1) : strlen(end + 1);
		if (a->has_prefix || pl >= sizeof(a->prefix))
			return fail(ret_err, _("bad address '%s' (%s)"), spec, ADDR_HINT);
		memcpy(a->prefix, end + 1, pl);
		a->prefix[pl] = '\0';
		a->has_prefix = true;
		end += 1 + pl;
	}
	if (*end == ':')
		a->port = end + 1;
	else if (*end != '\0')
		return fail(ret_err, _("bad address '%s' (%s)"), spec, ADDR_HINT);
	return 0;
}

/*
 * "fe80::1%lo", "[fe80::1%2]:22": cut the zone off host and look the interface up (a name
 * in this namespace, or an index). Returns 0 or -EINVAL with *ret_err set.
 */
static int split_scope(const char *spec, char *host, struct addr_prefix *ret,
		       char **ret_err)
{
	char *pct = strchr(host, '%'), *end;
	unsigned long idx;

	if (!pct)
		return 0;
	*pct++ = '\0';
	if (!strchr(host, ':'))
		return fail(ret_err,
			    _("bad address '%s': only an IPv6 address has a scope"),
			    spec);
	errno = 0;
	idx = isdigit((unsigned char)*pct) ? strtoul(pct, &end, 10) : 0;
	if (idx && !errno && !*end && idx <= UINT32_MAX)
		ret->ifindex = (uint32_t)idx;
	else
		ret->ifindex = if_nametoindex(pct);
	if (!ret->ifindex)
		return fail(ret_err, _("unknown interface '%s' in '%s'"), pct, spec);
	return 0;
}

int filter_parse_addr(const char *spec, struct addr_prefix *ret, bool *ret_has_addr,
		      const char **ret_port_spec, char **ret_err)
{
	struct addr_parts a;
	uint8_t probe[16];
	int err;

	memset(ret, 0, sizeof(*ret));
	*ret_has_addr = false;
	*ret_port_spec = NULL;
	if (*spec == '\0')
		return fail(ret_err, _("empty address '' (%s)"), ADDR_HINT);
	err = split_addr(spec, &a, ret_err);
	if (err)
		return err;
	*ret_port_spec = a.port;
	if (a.host[0] == '\0' || strcmp(a.host, "*") == 0) {
		if (a.has_prefix)
			return fail(ret_err,
				    _("bad address '%s': a prefix needs an address (%s)"),
				    spec, ADDR_HINT);
		if (!a.port)
			return fail(ret_err, _("bad address '%s' (%s)"), spec, ADDR_HINT);
		return 0; /* any address: only the port counts */
	}
	err = split_scope(spec, a.host, ret, ret_err);
	if (err < 0)
		return err;
	if (spec[0] != '[' && strchr(a.host, ':') &&
	    inet_pton(AF_INET6, a.host, probe) != 1)
		return fail(ret_err,
			    _("bad address '%s' (an IPv6 address with a port goes in "
			      "brackets: [::1]:80)"),
			    spec);
	err = parse_host(spec, a.host, a.has_prefix ? a.prefix : NULL, ret, ret_err);
	if (err < 0)
		return err;
	mask_prefix(ret);
	*ret_has_addr = true;
	return 0;
}

bool filter_addr_match(const struct addr_prefix *p, uint8_t family, const uint8_t *addr)
{
	uint8_t a[16];
	int full = p->bits / 8, rest = p->bits % 8;

	if (family == AF_INET) {
		memcpy(a, v4mapped_prefix, 12);
		memcpy(a + 12, addr, 4);
	} else {
		memcpy(a, addr, 16);
	}
	if (memcmp(a, p->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (a[full] & m) == (p->addr[full] & m);
}

/* A 32-bit number, decimal or 0x hex. */
static int parse_num(const char *s, unsigned long *ret)
{
	unsigned long v = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return strutil_parse_decimal(s, 0xffffffffUL, ret);
	s += 2;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 16 + (unsigned long)(isdigit((unsigned char)*s)
						 ? *s - '0'
						 : tolower((unsigned char)*s) - 'a' + 10);
		if (v > 0xffffffffUL)
			return -ERANGE;
	}
	*ret = v;
	return 0;
}

int filter_parse_mark(const char *spec, uint32_t *ret_value, uint32_t *ret_mask,
		      char **ret_err)
{
	unsigned long v, m = 0xffffffffUL;
	const char *slash = strchr(spec, '/');
	char num[32];

	if (snprintf(num, sizeof(num), "%.*s", slash ? (int)(slash - spec) : 31, spec) >=
		(int)sizeof(num) ||
	    parse_num(num, &v) || (slash && parse_num(slash + 1, &m)))
		return fail(ret_err,
			    _("bad mark '%s' (VALUE[/MASK]: numbers up to 0xffffffff)"),
			    spec);
	/* the kernel compares (mark & mask) == value: a value outside the mask never
	 * holds, as in ss */
	*ret_value = (uint32_t)v;
	*ret_mask = (uint32_t)m;
	return 0;
}

int filter_parse_dev(const char *spec, uint32_t *ret_ifindex, char **ret_err)
{
	unsigned long idx;

	if (strutil_parse_decimal(spec, 0xffffffffUL, &idx) != 0) {
		idx = if_nametoindex(spec);
		if (!idx)
			return fail(
			    ret_err,
			    _("unknown interface '%s' (a name from 'ip link' or an index)"),
			    spec);
	}
	*ret_ifindex = (uint32_t)idx;
	return 0;
}

int filter_parse_cgroup(const char *spec, char **ret_path, char **ret_err)
{
	size_t len;

	*ret_path = NULL;
	if (*spec == '\0')
		return fail(ret_err,
			    _("empty cgroup path '' (a path below the cgroup2 mount, "
			      "like /system.slice)"));
	if (strstr(spec, "/../") || strncmp(spec, "../", 3) == 0 ||
	    strcmp(spec, "..") == 0)
		return fail(ret_err, _("bad cgroup path '%s' (no '..' components)"),
			    spec);
	while (*spec == '/')
		spec++;
	/* "/" + the rest, without trailing slashes: "/a/b/" and "a/b" are "/a/b" */
	if (asprintf(ret_path, "/%s", spec) < 0) {
		*ret_path = NULL;
		return -ENOMEM;
	}
	len = strlen(*ret_path);
	while (len > 1 && (*ret_path)[len - 1] == '/')
		(*ret_path)[--len] = '\0';
	return 0;
}
