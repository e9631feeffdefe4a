/* filter_query.c - hand the filter down to the query stage: the states it allows, what
 * the kernel can decide, and the matcher for the rest. */
#include <stdlib.h>

#include "filter/filter_query.h"

int filter_query(const struct filter *f, struct query_filter *ret, void **ret_bc)
{
	size_t len = 0;
	int err;

	*ret = (struct query_filter){.states = STATE_SET_ALL};
	*ret_bc = NULL;
	if (!f)
		return 0;
	ret->f = f;
	ret->states = filter_state_set(f, STATE_SET_ALL);
	/* Named states replace the -a/-l selection; with none, 0 stays 0. (When the named
	 * states cancel out, both readings select nothing.) */
	ret->names_states = filter_state_set(f, 0) != 0;
	ret->needs_procs = filter_needs_procs(f);
	ret->names_owner = filter_names_owner(f);
	ret->needs = filter_needs(f);
	ret->needs_cgroups = filter_needs_cgroups(f);
	ret->match = filter_match;
	ret->owner_select = filter_owner_select;
	err = filter_bytecode(f, ret_bc, &len, &ret->sport, &ret->dport);
	if (err < 0)
		return err;
	ret->bytecode = *ret_bc;
	ret->bytecode_len = len;
	return 0;
}
