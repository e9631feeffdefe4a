/* view_diagram.c - --diagram: count the matching sockets per state and draw the machine.
 */
#include <errno.h>
#include <string.h>

#include "render/diagram.h"
#include "views/run.h"
#include "views/views.h"

static int count_one(const struct sock_rec *s, void *data)
{
	uint64_t *counts = data;

	if (!s) {
		memset(counts, 0, TS_NSTATES * sizeof(*counts));
		return 0;
	}
	if (s->state < TS_NSTATES)
		counts[s->state]++;
	return 0;
}

int view_diagram(const struct run_ctx *ctx)
{
	uint64_t counts[TS_NSTATES] = {0};
	int err;

	/* Every box gets its number: all states unless -l or the filter narrows them. */
	struct query q = *ctx->query;
	query_select_all(&q, true);
	err = collect_stream(&q, ctx->cstate, count_one, counts, NULL);
	if (err < 0)
		return err;
	/* Box drawing only where it will show as such: a UTF-8 terminal; a pipe gets
	 * ASCII. */
	err = diagram_write(ctx->out, counts, ctx->term->tty && ctx->term->utf8);
	if (err < 0)
		return run_error(ctx, err, "cannot write the output");
	return 0;
}
