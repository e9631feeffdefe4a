/* query.c - the query description: from the options, and the variants views ask for. */
#include <string.h>

#include "cli/cli.h"
#include "query/query.h"

/* A query without a filter: no state narrowing, nothing for the kernel to decide. */
static const struct query_filter no_filter = {.states = STATE_SET_ALL};

void query_from_opts(const struct opts *o, struct query *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (o->all)
		ret->states = STATE_SET_ALL;
	else if (o->listening)
		ret->states = STATE_BIT(TS_LISTEN);
	else
		ret->states = STATE_SET_DEFAULT;
	ret->family = o->family;
	ret->filter = no_filter;
	ret->netns = o->netns;
	ret->all_netns = o->all_netns;
	ret->replay = o->replay;
	ret->record = o->record;
	ret->owners_source = o->owners_source;
}

void query_select_all(struct query *q, bool keep_listen)
{
	/* cli_parse drops -l when -a is given: LISTEN alone means -l */
	if (keep_listen && q->states == STATE_BIT(TS_LISTEN))
		return;
	q->states = STATE_SET_ALL;
}

void query_drop_filter(struct query *q)
{
	q->filter = no_filter;
}

state_set query_states(const struct query *q)
{
	if (q->filter.names_states)
		return q->filter.states;
	/* An owner filter without a state term, -a or -l asks for the owner's sockets:
	 * its listeners and bound-only sockets are its sockets too (lsof shows them). */
	if (q->filter.names_owner && q->states == STATE_SET_DEFAULT)
		return q->filter.states;
	return q->states & q->filter.states;
}
