/* view_diagram.c - --diagram: count the matching sockets per state and draw the machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/wrap.h"
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
	 * ASCII. A terminal too narrow for the drawing gets the compact form (cutting the
	 * drawing dropped half the states), and a line that says so; -W draws it anyway.
	 */
	const struct term *t = ctx->term;
	bool unicode = t->tty && t->utf8;
	if (t->tty && t->width > 0 && t->width < DIAGRAM_COLS && !ctx->opts->wide) {
		char note[160];
		snprintf(note, sizeof(note), "(compact: the drawing needs %d columns)",
			 DIAGRAM_COLS);
		err = wrap_write(ctx->out, note, t->width, 1);
		if (err == 0)
			err = diagram_write_compact(ctx->out, counts, unicode);
	} else {
		err = diagram_write(ctx->out, counts, unicode);
	}
	if (err < 0)
		return run_error(ctx, err, "cannot write the output");
	return 0;
}
