/* complete.h - the hidden --complete WHAT: candidates for the bash and zsh completions. */
#ifndef TCPSTATE_COMPLETE_H
#define TCPSTATE_COMPLETE_H

struct run_ctx;

/*
 * Print the candidates for ctx->opts->complete, one per line: options, keywords, states,
 * ports, processes, users, formats, colors, columns, sort, hist, topics, netns, or whats
 * (this list). Live lists (ports, processes, users) come from a dump of this namespace.
 * Returns 0, -EINVAL for an unknown WHAT, or a negative errno from the dump; error text
 * is recorded with run_error().
 */
int view_complete(const struct run_ctx *ctx);

#endif
