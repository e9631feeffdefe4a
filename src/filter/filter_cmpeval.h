/* filter_cmpeval.h - the comparison an FN_CMP node holds: matching and freeing it
 * (shared by filter*.c only, not an API). */
#ifndef TCPSTATE_FILTER_CMPEVAL_H
#define TCPSTATE_FILTER_CMPEVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/sock.h"

/* Comparison operators of COLUMN OP VALUE. */
enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_MATCH, CMP_NOMATCH };

struct col_value;

/* A comparison term; see filter_cmp.c. */
struct fcmp {
	const struct col_value *col;
	enum cmp_op op;
	bool null_test; /* "COLUMN == -" / "COLUMN != -": has the socket no value? */
	uint64_t num;	/* number columns: the value in the column's base unit */
	char *text;	/* text columns with == and !=: a word or an fnmatch(3) glob */
	bool glob;	/* text holds a wildcard */
	void *re;	/* ~ and !~: a compiled regex_t */
	unsigned needs; /* COL_NEED_* of the column */
};

/* Evaluate a comparison: 1 holds, 0 does not, -1 the socket has no value (SQL NULL). */
int filter_cmp_eval(const struct fcmp *c, const struct sock_rec *s);

/* Free a comparison. Accepts NULL. */
void filter_cmp_free(struct fcmp *c);

#endif
