/* filter.c - placeholder until the expression parser lands: only "no filter" works. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "filter.h"

int filter_build(const struct opts *o, struct filter **ret, char **ret_err)
{
	*ret = NULL;
	if (o->n_expr || o->f_state || o->f_exclude || o->f_port || o->f_sport || o->f_dport ||
	    o->f_src || o->f_dst || o->f_pid || o->f_process || o->f_user) {
		if (asprintf(ret_err, "filters are not implemented yet") < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	return 0;
}

state_set filter_state_set(const struct filter *f, state_set dflt)
{
	return dflt;
}

int filter_bytecode(const struct filter *f, void **ret_bc, size_t *ret_len,
		    uint16_t *ret_sport, uint16_t *ret_dport)
{
	*ret_bc = NULL;
	*ret_len = 0;
	*ret_sport = *ret_dport = 0;
	return 0;
}

bool filter_needs_procs(const struct filter *f)
{
	return false;
}

bool filter_match(const struct filter *f, const struct sock_rec *s, const struct procs *p)
{
	return true;
}

void filter_free(struct filter *f)
{
}
