/* filter_cmpeval.c - a comparison term against one socket (SQL NULL when it has no
 * value), and freeing one; no tree code, so the tree may free comparisons. */
#include <fnmatch.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter/filter_cmpeval.h"
#include "model/colvalue.h"

void filter_cmp_free(struct fcmp *c)
{
	if (!c)
		return;
	if (c->re) {
		regfree(c->re);
		free(c->re);
	}
	free(c->text);
	free(c);
}

static int num_eval(const struct fcmp *c, uint64_t v)
{
	switch (c->op) {
	case CMP_EQ:
		return v == c->num;
	case CMP_NE:
		return v != c->num;
	case CMP_LT:
		return v < c->num;
	case CMP_LE:
		return v <= c->num;
	case CMP_GT:
		return v > c->num;
	case CMP_GE:
		return v >= c->num;
	default:
		return 0;
	}
}

static int text_eval(const struct fcmp *c, const char *v)
{
	bool hit;

	if (c->re)
		return (regexec(c->re, v, 0, NULL, 0) == 0) == (c->op == CMP_MATCH);
	if (c->glob)
		hit = fnmatch(c->text, v, c->col->fold ? FNM_CASEFOLD : 0) == 0;
	else
		hit = (c->col->fold ? strcasecmp(c->text, v) : strcmp(c->text, v)) == 0;
	return hit == (c->op == CMP_EQ);
}

int filter_cmp_eval(const struct fcmp *c, const struct sock_rec *s)
{
	char buf[160];
	uint64_t v = 0;
	bool has;

	if (c->col->num)
		has = c->col->num(s, &v);
	else
		has = c->col->text(s, buf, sizeof(buf));
	if (c->null_test)
		return has == (c->op == CMP_NE);
	if (!has)
		return -1;
	return c->col->num ? num_eval(c, v) : text_eval(c, buf);
}
