/* filter_cmp.h - COLUMN OP VALUE terms: operators and building the node (shared by
 * filter*.c only, not an API). */
#ifndef TCPSTATE_FILTER_CMP_H
#define TCPSTATE_FILTER_CMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter/filter_cmpeval.h"

struct fnode;

/*
 * Read an operator at the start of text: a symbol (==, =, !=, <, <=, >, >=, ~, !~) that
 * may have the value glued after it, or, when whole_word, one of ss's words (eq, ne, lt,
 * le, gt, ge). Returns its length in text, or 0 when text does not start with one.
 */
size_t filter_cmp_op(const char *text, bool whole_word, enum cmp_op *ret);

/*
 * Build the node for "COLUMN OP VALUE" (col names a column of colvalue_table; optext is
 * the operator as typed, for messages). Ports, addresses and states become the terms the
 * kernel can filter on; the rest FN_CMP. Returns 0, -EINVAL with *ret_err a malloc'd
 * one-line message naming the bad word with a hint, or -ENOMEM.
 */
int filter_make_cmp(const char *col, enum cmp_op op, const char *optext,
		    const char *value, struct fnode **ret, char **ret_err);

#endif
