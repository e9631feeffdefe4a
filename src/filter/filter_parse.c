/* filter_parse.c - the filter expression: words -> tokens -> tree, with one-line errors.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "base/strutil.h"
#include "filter/filter.h"
#include "filter/filter_cmp.h"
#include "filter/filter_int.h"
#include "model/columns.h"
#include "model/colvalue.h"

enum kw {
	KW_STATE,
	KW_EXCLUDE,
	KW_SPORT,
	KW_DPORT,
	KW_PORT,
	KW_SRC,
	KW_DST,
	KW_PID,
	KW_PROCESS,
	KW_USER,
	KW_CGROUP,
	KW_UNIT,
	KW_CONTAINER,
	KW_DEV,
	KW_MARK,
};

/* The term keywords; the first spelling of each is the one we offer and suggest. */
static const struct {
	const char *name;
	enum kw kw;
	bool canonical;
	const char *hint; /* what the value looks like */
} keywords[] = {
    {"state", KW_STATE, true, N_("a state or group, or a comma-separated list of them")},
    {"states", KW_STATE, false, NULL},
    {"exclude", KW_EXCLUDE, true,
     N_("a state or group, or a comma-separated list of them")},
    {"excl", KW_EXCLUDE, false, NULL},
    {"sport", KW_SPORT, true,
     N_("a port SPEC: 80, 80,443, 8000-8100, >1024 or a service")},
    {"dport", KW_DPORT, true,
     N_("a port SPEC: 80, 80,443, 8000-8100, >1024 or a service")},
    {"port", KW_PORT, true, N_("a port SPEC: 80, 80,443, 8000-8100, >1024 or a service")},
    {"src", KW_SRC, true, N_("ADDR[/PREFIX][:PORT]")},
    {"dst", KW_DST, true, N_("ADDR[/PREFIX][:PORT]")},
    {"dest", KW_DST, false, NULL},
    {"pid", KW_PID, true, N_("a process id")},
    {"process", KW_PROCESS, true, N_("a program name or glob, as in /proc/PID/comm")},
    {"proc", KW_PROCESS, false, NULL},
    {"comm", KW_PROCESS, false, NULL},
    {"user", KW_USER, true, N_("a user name or uid")},
    {"uid", KW_USER, false, NULL},
    {"cgroup", KW_CGROUP, true, N_("a cgroup v2 path: /system.slice/nginx.service")},
    {"unit", KW_UNIT, true, N_("a systemd unit name or glob: nginx.service, 'user@*'")},
    {"container", KW_CONTAINER, true, N_("a container ID prefix, runtime:ID or pod UID")},
    {"dev", KW_DEV, true, N_("an interface name or index the socket is bound to")},
    {"mark", KW_MARK, true, N_("VALUE[/MASK], numbers like 0x1/0xff")},
    {"fwmark", KW_MARK, false, NULL},
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

enum tok_kind { T_WORD, T_AND, T_OR, T_NOT, T_LPAREN, T_RPAREN, T_END };

static const struct {
	const char *text;
	enum tok_kind kind;
} operators[] = {
    {"and", T_AND}, {"&&", T_AND},  {"&", T_AND}, {"or", T_OR},	   {"||", T_OR},
    {"|", T_OR},    {"not", T_NOT}, {"!", T_NOT}, {"(", T_LPAREN}, {")", T_RPAREN},
};

#define KEYWORD_LIST                                                                         \
	"state, exclude, sport, dport, port, src, dst, pid, process, user, cgroup, unit, "   \
	"container, dev, mark, and, or, not, '(' and ')', or COLUMN OP VALUE with a column " \
	"of --list-columns"
#define MAX_DEPTH 100
#define PID_MAX 4194304 /* PID_MAX_LIMIT on 64-bit kernels */

struct parser {
	const char *const *tok;
	int n, i;
	int depth;
	bool option; /* a long option's value: taken as is, no operators */
	char **err;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(p->err, fmt, ap) < 0) {
		*p->err = NULL;
		va_end(ap);
		return -ENOMEM;
	}
	va_end(ap);
	return -EINVAL;
}

static enum tok_kind kind_of(const char *t)
{
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (strcasecmp(t, operators[i].text) == 0)
			return operators[i].kind;
	return T_WORD;
}

static enum tok_kind peek(const struct parser *p)
{
	return p->i < p->n ? kind_of(p->tok[p->i]) : T_END;
}

static int unknown_keyword(struct parser *p, const char *word)
{
	const char *best = NULL, *st;
	size_t best_d = 3;

	for (size_t i = 0; i < N_KEYWORDS; i++) {
		if (!keywords[i].canonical)
			continue;
		size_t d = strutil_distance(word, keywords[i].name);
		if (d < best_d && d < strlen(word)) {
			best_d = d;
			best = keywords[i].name;
		}
	}
	if (word[0] && strspn(word, "0123456789") == strlen(word))
		return fail(p, _("unknown filter keyword '%s' (did you mean 'port %s'?)"),
			    word, word);
	if (best)
		return fail(p, _("unknown filter keyword '%s' (did you mean '%s'?)"),
			    word, best);
	st = state_suggest(word);
	if (st)
		return fail(p,
			    _("unknown filter keyword '%s' (did you mean 'state %s'?)"),
			    word, st);
	return fail(p, _("unknown filter keyword '%s' (expected %s)"), word,
		    KEYWORD_LIST);
}

/* "CLOSED, LISTEN, ...; groups: all, ..." for the unknown-state hint. */
static void state_names_hint(char *buf, size_t sz)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < TS_NSTATES && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%s", i ? ", " : "",
				      state_table[i].name);
	for (int i = 0; state_groups[i].name && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%s",
				      i ? ", " : "; groups: ", state_groups[i].name);
}

static int parse_states(struct parser *p, const char *value, state_set *ret)
{
	char item[64], hint[512];
	const char *s = value, *comma;
	state_set set = 0, one;

	if (*value == '\0')
		return fail(p,
			    _("empty state list '' (name at least one state or group)"));
	for (;;) {
		comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len == 0)
			return fail(p, _("empty item in the state list '%s'"), value);
		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, s, len);
		item[len] = '\0';
		if (state_parse(item, &one) < 0) {
			const char *sug = state_suggest(item);
			if (sug)
				return fail(p,
					    _("unknown state '%s' (did you mean '%s'?)"),
					    item, sug);
			state_names_hint(hint, sizeof(hint));
			return fail(p, _("unknown state '%s' (valid: %s)"), item, hint);
		}
		set |= one;
		if (!comma)
			break;
		s = comma + 1;
	}
	*ret = set;
	return 0;
}

static int make_ports(struct parser *p, enum fside side, const char *op,
		      const char *value, struct fnode **ret)
{
	struct fnode *n = fnode_new(FN_PORT);
	int err;

	if (!n)
		return -ENOMEM;
	n->side = side;
	n->u.ports = calloc(1, sizeof(*n->u.ports));
	if (!n->u.ports) {
		fnode_free(n);
		return -ENOMEM;
	}
	err = filter_parse_ports(op, value, n->u.ports, p->err);
	if (err) {
		fnode_free(n);
		return err;
	}
	*ret = n;
	return 0;
}

static int make_addr(struct parser *p, enum fside side, const char *value,
		     struct fnode **ret)
{
	struct addr_prefix a;
	const char *port;
	struct fnode *n = NULL, *pn = NULL;
	bool has_addr;
	int err;

	err = filter_parse_addr(value, &a, &has_addr, &port, p->err);
	if (err)
		return err;
	if (port) {
		err = make_ports(p, side, NULL, port, &pn);
		if (err)
			return err;
	}
	if (has_addr) {
		n = fnode_new(FN_ADDR);
		if (!n) {
			fnode_free(pn);
			return -ENOMEM;
		}
		n->side = side;
		n->u.addr = a;
	}
	*ret = fnode_join(FN_AND, n, pn);
	return *ret ? 0 : -ENOMEM;
}

static int make_user(struct parser *p, const char *value, struct fnode **ret)
{
	unsigned long uid;
	struct passwd *pw;
	struct fnode *n;

	if (*value == '\0')
		return fail(p, _("empty user name '' (a user name or uid)"));
	if (strutil_parse_decimal(value, 4294967294UL, &uid) == 0) {
		/* a number is a uid */
	} else if ((pw = getpwnam(value))) {
		uid = pw->pw_uid;
	} else {
		return fail(
		    p,
		    _("unknown user '%s' (a user name from the password database or a "
		      "numeric uid)"),
		    value);
	}
	n = fnode_new(FN_USER);
	if (!n)
		return -ENOMEM;
	n->u.uid = (uint32_t)uid;
	*ret = n;
	return 0;
}

/* A node holding a copy of value in u.text (unit, container). */
static int make_text(struct parser *p, enum fnode_kind kind, const char *value,
		     struct fnode **ret)
{
	struct fnode *n;

	if (*value == '\0')
		return fail(p, _("empty %s '' (%s)"),
			    kind == FN_UNIT ? "unit" : "container",
			    kind == FN_UNIT ? _("a unit name or glob")
					    : _("a container ID prefix"));
	n = fnode_new(kind);
	if (!n || !(n->u.text = strdup(value))) {
		fnode_free(n);
		return -ENOMEM;
	}
	*ret = n;
	return 0;
}

static int make_cgroup(struct parser *p, const char *value, struct fnode **ret)
{
	struct fnode *n = fnode_new(FN_CGROUP);
	int err;

	if (!n || !(n->u.cg = calloc(1, sizeof(*n->u.cg)))) {
		fnode_free(n);
		return -ENOMEM;
	}
	err = filter_parse_cgroup(value, &n->u.cg->path, p->err);
	if (err) {
		fnode_free(n);
		return err;
	}
	*ret = n;
	return 0;
}

static int make_dev(struct parser *p, const char *value, struct fnode **ret)
{
	uint32_t idx;
	int err = filter_parse_dev(value, &idx, p->err);

	if (err)
		return err;
	*ret = fnode_new(FN_DEV);
	if (!*ret)
		return -ENOMEM;
	(*ret)->u.ifindex = idx;
	return 0;
}

static int make_mark(struct parser *p, const char *value, struct fnode **ret)
{
	uint32_t v, m;
	int err = filter_parse_mark(value, &v, &m, p->err);

	if (err)
		return err;
	*ret = fnode_new(FN_MARK);
	if (!*ret)
		return -ENOMEM;
	(*ret)->u.mark.value = v;
	(*ret)->u.mark.mask = m;
	return 0;
}

/* Build the node for one keyword and its value. */
static int make_term(struct parser *p, enum kw kw, const char *op, const char *value,
		     struct fnode **ret)
{
	struct fnode *n;
	unsigned long v;
	int err;

	switch (kw) {
	case KW_STATE:
	case KW_EXCLUDE:
		n = fnode_new(FN_STATE);
		if (!n)
			return -ENOMEM;
		err = parse_states(p, value, &n->u.states);
		if (err) {
			fnode_free(n);
			return err;
		}
		*ret = kw == KW_EXCLUDE ? fnode_join(FN_NOT, n, NULL) : n;
		return *ret ? 0 : -ENOMEM;
	case KW_SPORT:
		return make_ports(p, FSIDE_LOCAL, op, value, ret);
	case KW_DPORT:
		return make_ports(p, FSIDE_REMOTE, op, value, ret);
	case KW_PORT:
		return make_ports(p, FSIDE_EITHER, op, value, ret);
	case KW_SRC:
		return make_addr(p, FSIDE_LOCAL, value, ret);
	case KW_DST:
		return make_addr(p, FSIDE_REMOTE, value, ret);
	case KW_PID:
		err = strutil_parse_decimal(value, PID_MAX, &v);
		if (err || v == 0)
			return fail(
			    p,
			    _("bad pid '%s' (a process id: a whole number from 1 to %d)"),
			    value, PID_MAX);
		n = fnode_new(FN_PID);
		if (!n)
			return -ENOMEM;
		n->u.pid = (pid_t)v;
		*ret = n;
		return 0;
	case KW_PROCESS:
		if (*value == '\0')
			return fail(p,
				    _("empty process name '' (a program name or glob)"));
		n = fnode_new(FN_PROCESS);
		if (!n || !(n->u.name = strdup(value))) {
			fnode_free(n);
			return -ENOMEM;
		}
		*ret = n;
		return 0;
	case KW_USER:
		return make_user(p, value, ret);
	case KW_CGROUP:
		return make_cgroup(p, value, ret);
	case KW_UNIT:
		return make_text(p, FN_UNIT, value, ret);
	case KW_CONTAINER:
		return make_text(p, FN_CONTAINER, value, ret);
	case KW_DEV:
		return make_dev(p, value, ret);
	case KW_MARK:
		return make_mark(p, value, ret);
	}
	return -EINVAL;
}

static bool is_eq_word(const char *t)
{
	return !strcmp(t, "=") || !strcmp(t, "==") || !strcasecmp(t, "eq");
}

static bool is_ne_word(const char *t)
{
	return !strcmp(t, "!=") || !strcasecmp(t, "ne") || !strcasecmp(t, "neq");
}

static bool is_cmp_word(const char *t)
{
	static const char *const cmp[] = {">", "<", ">=", "<=", "gt", "lt", "ge", "le"};

	for (size_t i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++)
		if (strcasecmp(t, cmp[i]) == 0)
			return true;
	return false;
}

/*
 * The value of a term: the next token, joined with the following ones while it ends in a
 * comma ("state listen, established"). Returns a malloc'd string or NULL with an error.
 */
static int take_value(struct parser *p, const char *kwtext, const char *hint, char **ret)
{
	size_t len = 0;
	char *v = NULL;

	if (p->option) {
		*ret = strdup(p->tok[p->i++]);
		return *ret ? 0 : -ENOMEM;
	}
	do {
		enum tok_kind k = peek(p);
		if (k == T_END || k == T_LPAREN || k == T_RPAREN) {
			free(v);
			if (v)
				return fail(
				    p, _("empty item at the end of the list after '%s'"),
				    kwtext);
			return fail(p, _("'%s' needs a value (%s)"), kwtext, _(hint));
		}
		const char *t = p->tok[p->i++];
		size_t tl = strlen(t);
		char *nv = realloc(v, len + tl + 1);
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		memcpy(v + len, t, tl + 1);
		len += tl;
	} while (len > 0 && v[len - 1] == ',' && p->i < p->n && peek(p) == T_WORD);
	*ret = v;
	return 0;
}

/* ss's "sport = :80", "dport != :443", "sport > :1024": an operator word of its own. */
static void take_operator(struct parser *p, enum kw kw, const char **op, bool *negate)
{
	const char *t;

	if (p->option || p->i >= p->n || peek(p) != T_WORD)
		return;
	t = p->tok[p->i];
	if (is_eq_word(t)) {
		p->i++;
	} else if (is_ne_word(t)) {
		*negate = true;
		p->i++;
	} else if ((kw == KW_SPORT || kw == KW_DPORT || kw == KW_PORT) &&
		   is_cmp_word(t)) {
		*op = t;
		p->i++;
	}
}

static int unknown_column(struct parser *p, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (int i = 0; column_table[i].name; i++) {
		size_t d = strutil_distance(name, column_table[i].name);
		if (d < best_d && d < strlen(name)) {
			best_d = d;
			best = column_table[i].name;
		}
	}
	if (best)
		return fail(p, _("unknown column '%s' (did you mean '%s'?)"), name, best);
	return fail(p, _("unknown column '%s' (see --list-columns)"), name);
}

/* An operator as a word of its own ("rtt > 100ms", "rtt gt 100ms", "rtt >100ms")? */
static size_t op_at(const struct parser *p, int i, enum cmp_op *op)
{
	if (i >= p->n || kind_of(p->tok[i]) != T_WORD)
		return 0;
	return filter_cmp_op(p->tok[i], true, op);
}

/* After "user ==" or "state !=": is the value one only a column comparison takes ("-"
 * for no value, or a glob)? Otherwise the keyword's own meaning stays. */
static bool column_value_word(const struct parser *p, int i, size_t ol)
{
	const char *v = p->tok[i] + ol;

	if (!*v)
		v = i + 1 < p->n ? p->tok[i + 1] : "";
	return strcmp(v, "-") == 0 || strpbrk(v, "*?[");
}

/*
 * "COLUMN OP VALUE", as three words or glued ("recvq>0", "rtt >100ms"). A keyword that
 * is also a column (state, user, uid) keeps its keyword meaning with == and != and is
 * compared as a column with the other operators. Returns 1 when the words are no
 * comparison (the keyword path goes on), else as parse_term.
 */
static int parse_cmp(struct parser *p, bool is_keyword, struct fnode **ret)
{
	const char *word = p->tok[p->i], *rest;
	size_t nl = strcspn(word, "<>=!~"), ol;
	const struct col_value *cv;
	char name[64], optext[8];
	enum cmp_op op;

	if (nl == 0 || nl >= sizeof(name))
		return 1;
	memcpy(name, word, nl);
	name[nl] = '\0';
	if (word[nl]) {
		ol = filter_cmp_op(word + nl, false, &op);
		if (!ol)
			return 1;
		if (!column_find(name))
			return is_keyword ? 1 : unknown_column(p, name);
		rest = word + nl;
		p->i++;
	} else {
		ol = op_at(p, p->i + 1, &op);
		if (!column_find(name)) {
			if (!is_keyword && ol)
				return unknown_column(p, name);
			return 1;
		}
		if (is_keyword && (!ol || ((op == CMP_EQ || op == CMP_NE) &&
					   !column_value_word(p, p->i + 1, ol))))
			return 1;
		if (!ol)
			return fail(
			    p,
			    _("'%s' needs an operator and a value (e.g. '%s > 0'; "
			      "operators ==, !=, <, <=, >, >=, ~)"),
			    name, name);
		rest = p->tok[p->i + 1];
		p->i += 2;
	}
	snprintf(optext, sizeof(optext), "%.*s", (int)ol, rest);
	rest += ol;
	cv = colvalue_find(name);
	if (!cv) /* the builder says which term to use instead */
		return filter_make_cmp(name, op, optext, "-", ret, p->err);
	if (*rest == '\0') {
		if (p->i >= p->n || peek(p) != T_WORD)
			return fail(p, _("'%s %s' needs a value (a %s, e.g. '%s %s %s')"),
				    name, optext, colvalue_unit_name(cv->unit), name,
				    optext, colvalue_example(cv->unit));
		rest = p->tok[p->i++];
	}
	return filter_make_cmp(name, op, optext, rest, ret, p->err);
}

static int parse_term(struct parser *p, struct fnode **ret)
{
	const char *word = p->tok[p->i];
	const char *op = NULL;
	bool negate = false;
	char *value = NULL;
	size_t k;
	int err;

	for (k = 0; k < N_KEYWORDS; k++)
		if (strcasecmp(word, keywords[k].name) == 0)
			break;
	if (!p->option) {
		err = parse_cmp(p, k < N_KEYWORDS, ret);
		if (err != 1)
			return err;
	}
	if (k == N_KEYWORDS) {
		state_set set;
		struct fnode *n;
		/* A bare state or group name ("tcpstate listen") means "state NAME". */
		if (state_parse(word, &set) < 0)
			return unknown_keyword(p, word);
		n = fnode_new(FN_STATE);
		if (!n)
			return -ENOMEM;
		n->u.states = set;
		p->i++;
		*ret = n;
		return 0;
	}
	p->i++;
	enum kw kw = keywords[k].kw;
	const char *hint = keywords[k].hint;
	for (size_t j = 0; !hint;
	     j++) /* aliases share the hint of their canonical entry */
		if (keywords[j].kw == kw && keywords[j].hint)
			hint = keywords[j].hint;
	take_operator(p, kw, &op, &negate);
	err = take_value(p, word, hint, &value);
	if (err)
		return err;
	const char *v = value;
	bool port_kw = kw == KW_SPORT || kw == KW_DPORT || kw == KW_PORT;
	/* "port !=80" means "not port 80": neither end, which is what people want. */
	if (port_kw && !op && strncmp(v, "!=", 2) == 0 && !strchr(v, ',')) {
		negate = !negate;
		v += 2;
	}
	err = make_term(p, kw, op, v, ret);
	free(value);
	if (err)
		return err;
	if (negate) {
		*ret = fnode_join(FN_NOT, *ret, NULL);
		if (!*ret)
			return -ENOMEM;
	}
	return 0;
}

static int parse_or(struct parser *p, struct fnode **ret);

/* An operator needs a term after it; say which one is dangling. */
static int missing_after(struct parser *p, const char *what)
{
	enum tok_kind k = peek(p);

	if (k == T_END)
		return fail(
		    p,
		    _("dangling '%s' at the end of the filter (it needs a term after it)"),
		    what);
	return fail(p, _("'%s' needs a term after it, not '%s'"), what, p->tok[p->i]);
}

static int parse_unary(struct parser *p, struct fnode **ret)
{
	const char *t;
	int err;

	switch (peek(p)) {
	case T_NOT:
		t = p->tok[p->i++];
		if (peek(p) != T_WORD && peek(p) != T_LPAREN && peek(p) != T_NOT)
			return missing_after(p, t);
		if (++p->depth > MAX_DEPTH)
			return fail(p, _("the filter is nested too deeply at '%s'"), t);
		err = parse_unary(p, ret);
		p->depth--;
		if (err)
			return err;
		*ret = fnode_join(FN_NOT, *ret, NULL);
		return *ret ? 0 : -ENOMEM;
	case T_LPAREN:
		p->i++;
		if (peek(p) == T_RPAREN)
			return fail(p, _("empty parentheses '()' (put a term inside)"));
		if (peek(p) == T_END)
			return fail(p, _("unbalanced parenthesis: '(' is never closed"));
		if (++p->depth > MAX_DEPTH)
			return fail(p, _("the filter is nested too deeply at '('"));
		err = parse_or(p, ret);
		p->depth--;
		if (err)
			return err;
		if (peek(p) != T_RPAREN) {
			fnode_free(*ret);
			*ret = NULL;
			return fail(p, _("unbalanced parenthesis: '(' is never closed"));
		}
		p->i++;
		return 0;
	case T_RPAREN:
		return fail(p, _("unbalanced parenthesis: ')' has no matching '('"));
	case T_AND:
	case T_OR:
		return fail(p, _("'%s' needs a term before it"), p->tok[p->i]);
	case T_END:
		return fail(p, _("the filter is incomplete"));
	case T_WORD:
		break;
	}
	return parse_term(p, ret);
}

static int parse_and(struct parser *p, struct fnode **ret)
{
	struct fnode *left = NULL, *right;
	int err;

	err = parse_unary(p, &left);
	if (err)
		return err;
	for (;;) {
		enum tok_kind k = peek(p);
		if (k == T_AND) {
			const char *t = p->tok[p->i++];
			k = peek(p);
			if (k != T_WORD && k != T_LPAREN && k != T_NOT) {
				fnode_free(left);
				return missing_after(p, t);
			}
		} else if (k != T_WORD && k != T_LPAREN && k != T_NOT) {
			break; /* end, ')' or 'or' */
		}
		err = parse_unary(p, &right);
		if (err) {
			fnode_free(left);
			return err;
		}
		left = fnode_join(FN_AND, left, right);
		if (!left)
			return -ENOMEM;
	}
	*ret = left;
	return 0;
}

static int parse_or(struct parser *p, struct fnode **ret)
{
	struct fnode *left = NULL, *right;
	int err;

	err = parse_and(p, &left);
	if (err)
		return err;
	while (peek(p) == T_OR) {
		const char *t = p->tok[p->i++];
		enum tok_kind k = peek(p);
		if (k != T_WORD && k != T_LPAREN && k != T_NOT) {
			fnode_free(left);
			return missing_after(p, t);
		}
		err = parse_and(p, &right);
		if (err) {
			fnode_free(left);
			return err;
		}
		left = fnode_join(FN_OR, left, right);
		if (!left)
			return -ENOMEM;
	}
	*ret = left;
	return 0;
}

int filter_parse_tokens(const char *const *tok, int n, struct fnode **ret, char **ret_err)
{
	struct parser p = {.tok = tok, .n = n, .err = ret_err};
	int err;

	*ret = NULL;
	*ret_err = NULL;
	if (n == 0)
		return 0;
	err = parse_or(&p, ret);
	if (err)
		return err;
	if (p.i < p.n) {
		/* parse_or stops only at ')' */
		fnode_free(*ret);
		*ret = NULL;
		return fail(&p, _("unbalanced parenthesis: ')' has no matching '('"));
	}
	return 0;
}

static int push(char ***v, int *n, int *cap, const char *s, size_t len)
{
	if (*n + 2 > *cap) {
		int nc = *cap ? *cap * 2 : 16;
		char **nv = realloc(*v, (size_t)nc * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[*n] = strndup(s, len);
	if (!(*v)[*n])
		return -ENOMEM;
	(*n)++;
	(*v)[*n] = NULL;
	return 0;
}

int filter_tokenize(const char *const *words, int n, char ***ret_tok)
{
	char **v = NULL;
	int nt = 0, cap = 0;

	for (int w = 0; w < n; w++) {
		const char *s = words[w];
		/* An empty word is a value the user typed on purpose ("--state ''"). */
		if (*s == '\0' && push(&v, &nt, &cap, s, 0) < 0)
			goto oom;
		while (*s) {
			if (isspace((unsigned char)*s)) {
				s++;
				continue;
			}
			size_t len = 1;
			/* A regex (after "~") keeps its parentheses: "cc ~
			 * ^(bbr|cubic)$". */
			bool regex = nt > 0 && v[nt - 1][0] &&
				     v[nt - 1][strlen(v[nt - 1]) - 1] == '~';
			if (regex || (*s != '(' && *s != ')')) {
				len = 0;
				while (s[len] && !isspace((unsigned char)s[len]) &&
				       (regex || (s[len] != '(' && s[len] != ')'))) {
					if (s[len] == '~')
						regex = true;
					len++;
				}
			}
			if (push(&v, &nt, &cap, s, len) < 0)
				goto oom;
			s += len;
		}
	}
	if (!v && !(v = calloc(1, sizeof(*v)))) /* always return an array */
		return -ENOMEM;
	*ret_tok = v;
	return nt;
oom:
	filter_tokens_free(v);
	return -ENOMEM;
}

#define FILTER_FILE_MAX (1 << 20)

int filter_read_file(const char *path, char **ret_text)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;
	bool comment = false;

	*ret_text = NULL;
	if (!f)
		return -errno;
	text = malloc(FILTER_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, FILTER_FILE_MAX + 1, f);
	int err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!err && n > FILTER_FILE_MAX)
		err = -EFBIG;
	if (err) {
		free(text);
		return err;
	}
	text[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '#')
			comment = true;
		else if (text[i] == '\n')
			comment = false;
		if (comment || text[i] == '\0')
			text[i] = ' ';
	}
	*ret_text = text;
	return 0;
}

void filter_tokens_free(char **tok)
{
	if (!tok)
		return;
	for (char **t = tok; *t; t++)
		free(*t);
	free(tok);
}

const char *const *filter_keywords(void)
{
	static const char *list[N_KEYWORDS + 4];

	if (!list[0]) {
		size_t n = 0;
		for (size_t i = 0; i < N_KEYWORDS; i++)
			if (keywords[i].canonical)
				list[n++] = keywords[i].name;
		list[n++] = "and";
		list[n++] = "or";
		list[n++] = "not";
		list[n] = NULL;
	}
	return list;
}

/* One option (--state LIST, --port SPEC...) as a term; name is its keyword. */
int filter_parse_option(const char *name, const char *value, struct fnode **ret,
			char **ret_err)
{
	const char *tok[2] = {name, value};
	struct parser p = {.tok = tok, .n = 2, .option = true, .err = ret_err};

	*ret_err = NULL;
	return parse_term(&p, ret);
}
