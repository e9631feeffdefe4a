/* filter_cmp.c - COLUMN OP VALUE terms: operators, values with units, the term's node. */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/i18n.h"
#include "filter/filter_cmp.h"
#include "filter/filter_int.h"
#include "model/columns.h"
#include "model/colvalue.h"

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

static const struct {
	const char *text;
	enum cmp_op op;
	bool word; /* ss's words need a token of their own */
} cmp_ops[] = {
    /* Longest symbols first: ">=" must win over ">", "!~" over "!=". */
    {"==", CMP_EQ, false},   {"!=", CMP_NE, false},	 {">=", CMP_GE, false},
    {"<=", CMP_LE, false},   {"!~", CMP_NOMATCH, false}, {"=~", CMP_MATCH, false},
    {"=", CMP_EQ, false},    {">", CMP_GT, false},	 {"<", CMP_LT, false},
    {"~", CMP_MATCH, false}, {"eq", CMP_EQ, true},	 {"ne", CMP_NE, true},
    {"neq", CMP_NE, true},   {"lt", CMP_LT, true},	 {"le", CMP_LE, true},
    {"gt", CMP_GT, true},    {"ge", CMP_GE, true},
};

#define N_CMP_OPS (sizeof(cmp_ops) / sizeof(cmp_ops[0]))

size_t filter_cmp_op(const char *text, bool whole_word, enum cmp_op *ret)
{
	for (size_t i = 0; i < N_CMP_OPS; i++) {
		size_t len = strlen(cmp_ops[i].text);
		if (cmp_ops[i].word) {
			if (whole_word && strcasecmp(text, cmp_ops[i].text) == 0) {
				*ret = cmp_ops[i].op;
				return len;
			}
		} else if (strncmp(text, cmp_ops[i].text, len) == 0) {
			*ret = cmp_ops[i].op;
			return len;
		}
	}
	return 0;
}

/* The multiplier of a suffix; 0 when the unit has no such suffix. */
static uint64_t suffix_mult(enum col_unit u, const char *suffix)
{
	for (const struct col_suffix *s = colvalue_suffixes(u); s->suffix; s++)
		if (strcmp(s->suffix, suffix) == 0)
			return s->mult;
	return 0;
}

/* The digits of a value: whole part and up to 9 decimals. Returns 0 or -EINVAL/-ERANGE;
 * *ret_end points past them. */
static int parse_digits(const char *p, uint64_t *ret_int, uint64_t *ret_frac,
			uint64_t *ret_scale, const char **ret_end)
{
	uint64_t v = 0, f = 0, scale = 1;

	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++)
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return -ERANGE;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (scale >= 1000000000ull)
				return -ERANGE;
			f = f * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	*ret_int = v;
	*ret_frac = f;
	*ret_scale = scale;
	*ret_end = p;
	return 0;
}

static int parse_number(const struct col_value *cv, const char *value, uint64_t *ret,
			char **ret_err)
{
	const char *uname = colvalue_unit_name(cv->unit), *suffix;
	const char *ex = colvalue_example(cv->unit);
	uint64_t ip, fp, scale, mult;
	int err;

	if (*value == '-' || *value == '+')
		return fail(
		    ret_err,
		    _("bad value '%s' for '%s' (a %s without a sign, e.g. %s; '-' alone "
		      "tests for no value)"),
		    value, cv->name, uname, ex);
	err = parse_digits(value, &ip, &fp, &scale, &suffix);
	if (err == -ERANGE)
		return fail(ret_err,
			    _("value '%s' for '%s' is out of range (too large or "
			      "more than 9 decimals)"),
			    value, cv->name);
	if (err)
		return fail(ret_err, _("'%s' is not a number for '%s' (a %s, e.g. %s)"),
			    value, cv->name, uname, ex);
	mult = suffix_mult(cv->unit, suffix);
	if (!mult && cv->unit == CU_COUNT)
		return fail(ret_err, _("unit '%s' does not fit '%s', a count (%s)"),
			    suffix, cv->name, _(colvalue_suffix_hint(cv->unit)));
	if (!mult)
		return fail(ret_err, _("unknown unit '%s' for a %s in '%s' (%s)"), suffix,
			    uname, value, _(colvalue_suffix_hint(cv->unit)));
	/* fp / scale of mult, as fp * (mult / scale) + fp * (mult % scale) / scale: fp <
	 * scale <= 10^9, so neither product overflows; only the whole part can. */
	uint64_t q = mult / scale, r = mult % scale, whole, part, rest;
	part = fp * q + fp * r / scale;
	rest = fp * r % scale;
	/* "1.3M" is rounded to whole bytes; "0.5" of a count has no meaning. */
	if (rest && mult == 1)
		return fail(ret_err, _("value '%s' for '%s' is not a whole number"),
			    value, cv->name);
	part += rest * 2 >= scale;
	if (__builtin_mul_overflow(ip, mult, &whole) ||
	    __builtin_add_overflow(whole, part, &whole))
		return fail(ret_err, _("value '%s' for '%s' is out of range (too large)"),
			    value, cv->name);
	*ret = whole;
	return 0;
}

static const char *op_text(enum cmp_op op)
{
	static const char *const t[] = {"==", "!=", "<", "<=", ">", ">=", "~", "!~"};

	return t[op];
}

/*
 * A repetition right after another ("a**", "a+*", "a{2}*"): ERE allows it and it means
 * no more than one, but glibc's matcher grows with each stacked operator until a few
 * dozen take seconds and gigabytes (fuzz_filter found "^m" and 120 stars). Escapes and
 * bracket expressions are skipped.
 */
static bool stacked_repetition(const char *s)
{
	bool after_rep = false;

	for (size_t i = 0; s[i]; i++) {
		char ch = s[i];
		if (ch == '\\' && s[i + 1]) {
			i++;
			after_rep = false;
		} else if (ch == '[') {
			size_t j = i + 1;
			if (s[j] == '^')
				j++;
			if (s[j] == ']')
				j++;
			while (s[j] && s[j] != ']')
				j++;
			if (!s[j])
				return false; /* unbalanced: regcomp says so */
			i = j;
			after_rep = false;
		} else if (ch == '*' || ch == '+' || ch == '?' || ch == '{') {
			if (after_rep)
				return true;
			if (ch == '{') {
				const char *close = strchr(s + i, '}');
				if (!close)
					return false;
				i = (size_t)(close - s);
			}
			after_rep = true;
		} else {
			after_rep = false;
		}
	}
	return false;
}

static int text_value(struct fcmp *c, const char *value, char **ret_err)
{
	if (c->op == CMP_MATCH || c->op == CMP_NOMATCH) {
		int flags = REG_EXTENDED | REG_NOSUB | (c->col->fold ? REG_ICASE : 0);
		regex_t *re;
		char why[128];
		if (stacked_repetition(value))
			return fail(
			    ret_err, _("bad regular expression '%s' for '%s': %s"), value,
			    c->col->name,
			    _("a repetition right after another ('**', '+*'): one "
			      "is enough"));
		re = calloc(1, sizeof(*re));
		if (!re)
			return -ENOMEM;
		int rc = regcomp(re, value, flags);
		if (rc) {
			regerror(rc, re, why, sizeof(why));
			free(re);
			return fail(ret_err,
				    _("bad regular expression '%s' for '%s': %s"), value,
				    c->col->name, why);
		}
		c->re = re;
		return 0;
	}
	c->text = strdup(value);
	if (!c->text)
		return -ENOMEM;
	c->glob = strpbrk(value, "*?[") != NULL;
	return 0;
}

static int check_op(const struct col_value *cv, enum cmp_op op, const char *optext,
		    char **ret_err)
{
	bool regex = op == CMP_MATCH || op == CMP_NOMATCH;

	if (cv->unit == CU_TEXT && op != CMP_EQ && op != CMP_NE && !regex)
		return fail(
		    ret_err,
		    _("operator '%s' does not apply to '%s', a text column (use ==, "
		      "!=, ~ or !~)"),
		    optext, cv->name);
	if (cv->unit != CU_TEXT && regex)
		return fail(
		    ret_err,
		    _("operator '%s' does not apply to '%s', a %s (use ==, !=, <, <=, "
		      ">, >=)"),
		    optext, cv->name, colvalue_unit_name(cv->unit));
	return 0;
}

static int make_fcmp(const struct col_value *cv, enum cmp_op op, const char *value,
		     struct fnode **ret, char **ret_err)
{
	const struct column *col = column_find(cv->name);
	struct fnode *n = fnode_new(FN_CMP);
	struct fcmp *c = calloc(1, sizeof(*c));
	int err = 0;

	if (!n || !c) {
		free(n);
		free(c);
		return -ENOMEM;
	}
	n->u.cmp = c;
	c->col = cv;
	c->op = op;
	c->needs = col ? col->needs : 0;
	if (strcmp(value, "-") == 0 && (op == CMP_EQ || op == CMP_NE))
		c->null_test = true;
	else if (cv->unit == CU_TEXT)
		err = text_value(c, value, ret_err);
	else
		err = parse_number(cv, value, &c->num, ret_err);
	if (err) {
		fnode_free(n);
		return err;
	}
	*ret = n;
	return 0;
}

static struct fnode *negate(struct fnode *n)
{
	return fnode_join(FN_NOT, n, NULL);
}

/* lport and rport: port terms, so the kernel filters them. */
static int make_port_cmp(const struct col_value *cv, enum cmp_op op, const char *value,
			 struct fnode **ret, char **ret_err)
{
	struct fnode *n = fnode_new(FN_PORT);
	int err;

	if (!n || !(n->u.ports = calloc(1, sizeof(*n->u.ports)))) {
		fnode_free(n);
		return -ENOMEM;
	}
	n->side = strcmp(cv->name, "lport") == 0 ? FSIDE_LOCAL : FSIDE_REMOTE;
	err = filter_parse_ports(op == CMP_EQ || op == CMP_NE ? NULL : op_text(op), value,
				 n->u.ports, ret_err);
	if (err) {
		fnode_free(n);
		return err;
	}
	*ret = op == CMP_NE ? negate(n) : n;
	return *ret ? 0 : -ENOMEM;
}

/* laddr and raddr with == or != and no wildcard: address prefixes, for the kernel. */
static int make_addr_cmp(const struct col_value *cv, enum cmp_op op, const char *value,
			 struct fnode **ret, char **ret_err)
{
	struct addr_prefix a;
	const char *port;
	bool has_addr;
	struct fnode *n;
	int err;

	err = filter_parse_addr(value, &a, &has_addr, &port, ret_err);
	if (err)
		return err;
	if (port || !has_addr)
		return fail(ret_err,
			    _("'%s' takes an address or ADDR/PREFIX, not '%s' (use "
			      "lport or rport for ports)"),
			    cv->name, value);
	n = fnode_new(FN_ADDR);
	if (!n)
		return -ENOMEM;
	n->side = strcmp(cv->name, "laddr") == 0 ? FSIDE_LOCAL : FSIDE_REMOTE;
	n->u.addr = a;
	*ret = op == CMP_NE ? negate(n) : n;
	return *ret ? 0 : -ENOMEM;
}

/* state == NAME: a state term, which also narrows what the kernel is asked for. */
static int make_state_cmp(enum cmp_op op, const char *value, struct fnode **ret,
			  char **ret_err)
{
	struct fnode *n;
	state_set set;

	if (state_parse(value, &set) < 0)
		return 1; /* a glob or an unknown name: compared as text */
	n = fnode_new(FN_STATE);
	if (!n)
		return -ENOMEM;
	n->u.states = set;
	*ret = op == CMP_NE ? negate(n) : n;
	return *ret ? 0 : -ENOMEM;
}

/*
 * A glob or a regex on the state column is a state term too: the states whose names it
 * matches. So it narrows the kernel's state mask and replaces the default selection
 * like "state LIST" ("tcpstate 'state ~ ^LIST'" shows listeners without -a).
 */
static int state_set_of(struct fnode **n)
{
	struct fnode *st = fnode_new(FN_STATE);
	struct sock_rec s;

	if (!st)
		return -ENOMEM;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < TS_NSTATES; i++) {
		s.state = (uint8_t)i;
		if (filter_cmp_eval((*n)->u.cmp, &s) == 1)
			st->u.states |= STATE_BIT(i);
	}
	fnode_free(*n);
	*n = st;
	return 0;
}

/* What to use instead for the columns a comparison cannot take. */
static const char *no_compare_hint(const char *column)
{
	static const struct {
		const char *column, *hint;
	} hints[] = {
	    {"owners", N_("use 'process NAME' or 'pid N'")},
	    {"cmdline", N_("use 'process NAME' or 'pid N'")},
	    {"cgroup", N_("use 'cgroup PATH'")},
	    {"unit", N_("use 'unit GLOB'")},
	    {"container", N_("use 'container PREFIX'")},
	};

	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(hints[i].column, column) == 0)
			return _(hints[i].hint);
	return _("see FILTERS in tcpstate(8)");
}

int filter_make_cmp(const char *colname, enum cmp_op op, const char *optext,
		    const char *value, struct fnode **ret, char **ret_err)
{
	const struct col_value *cv = colvalue_find(colname);
	bool eq = op == CMP_EQ || op == CMP_NE;
	bool null = strcmp(value, "-") == 0;
	int err;

	*ret = NULL;
	if (!cv)
		return fail(ret_err, _("column '%s' cannot be compared (%s)"), colname,
			    no_compare_hint(colname));
	err = check_op(cv, op, optext, ret_err);
	if (err)
		return err;
	if (*value == '\0')
		return fail(ret_err, _("empty value after '%s %s' (e.g. '%s %s %s')"),
			    colname, optext, colname, optext, colvalue_example(cv->unit));
	if (null && !eq)
		return fail(
		    ret_err,
		    _("'-' (no value) goes only with == or != ('%s == -'), not '%s'"),
		    colname, optext);
	if (!null && (!strcmp(colname, "lport") || !strcmp(colname, "rport")))
		return make_port_cmp(cv, op, value, ret, ret_err);
	if (!null && eq && !strpbrk(value, "*?[") &&
	    (!strcmp(colname, "laddr") || !strcmp(colname, "raddr")))
		return make_addr_cmp(cv, op, value, ret, ret_err);
	if (!null && eq && !strcmp(colname, "state")) {
		err = make_state_cmp(op, value, ret, ret_err);
		if (err <= 0)
			return err;
	}
	err = make_fcmp(cv, op, value, ret, ret_err);
	if (!err && !null && !strcmp(colname, "state"))
		err = state_set_of(ret);
	return err;
}
