/* table.h - the listing renderer: aligned columns, one socket per line. */
#ifndef TCPSTATE_TABLE_H
#define TCPSTATE_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "columns.h"
#include "sock.h"

struct table_opts {
	bool header;   /* print the header line */
	int width;     /* cut lines at this many columns (a terminal); 0 = never cut */
	bool color;    /* colour the state column */
};

/*
 * Print the sockets in set order with the chosen columns. Column widths fit the widest
 * cell so that nothing is truncated; the last column is not padded. Returns 0, or -EIO
 * when writing failed (errno is left as the write set it).
 */
int table_render(FILE *out, const struct sock_set *set, const struct column_list *cols,
		 const struct col_ctx *ctx, const struct table_opts *t);

/* Display width of escaped, valid UTF-8 text: every character counts as one column. */
size_t table_display_width(const char *s, size_t len);

/* ANSI colour sequence for a state on a terminal ("" for none). */
const char *table_state_color(enum ts_state s);

#endif
