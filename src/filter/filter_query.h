/* filter_query.h - hand the filter down to the query stage (query/query.h). */
#ifndef TCPSTATE_FILTER_QUERY_H
#define TCPSTATE_FILTER_QUERY_H

#include "filter/filter.h"
#include "query/query.h"

/*
 * Describe f for the query stage: the states it allows, its kernel bytecode and ports,
 * and filter_match as the user-space check; f NULL: no filter. *ret_bc is the bytecode,
 * malloc'd (or NULL), for the caller to free() after the last query that uses it. Returns
 * 0 or a negative errno from filter_bytecode.
 */
int filter_query(const struct filter *f, struct query_filter *ret, void **ret_bc);

#endif
