/* view_explain.c - --explain [TOPIC]: the states, the handshake and the close, in words.
 */
#include <errno.h>

#include "render/explain.h"
#include "views/run.h"
#include "views/views.h"

int view_explain(const struct run_ctx *ctx)
{
	const char *topic = ctx->opts->explain;
	int width = ctx->term->tty ? ctx->term->width : 80;
	int err = explain_write(ctx->out, topic, width);

	if (err == -ENOENT)
		return run_error(
		    ctx, -EINVAL,
		    "unknown topic '%s' for --explain (try a state such as "
		    "close-wait, a group, 'handshake', 'close', 'three-way', "
		    "'four-way', 'half-close', '2msl', 'rst', 'half-open', "
		    "'reuseaddr', 'simultaneous' or 'sysctl')",
		    topic ? topic : "");
	if (err < 0)
		return run_error(ctx, err, "cannot write the output");
	return 0;
}
