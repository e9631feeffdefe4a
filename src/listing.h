/* listing.h - the listing's views: the socket table (view_list in run.h) and its columns.
 */
#ifndef TCPSTATE_LISTING_H
#define TCPSTATE_LISTING_H

struct run_ctx;

/* --list-columns: name, type and description of every column, in any --format but
 * openmetrics. Returns 0, -EINVAL (openmetrics) or -EIO. */
int view_list_columns(const struct run_ctx *ctx);

#endif
