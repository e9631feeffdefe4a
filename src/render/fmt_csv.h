/* fmt_csv.h - CSV (RFC 4180) output for the listing, the summary and histograms. */
#ifndef TCPSTATE_FMT_CSV_H
#define TCPSTATE_FMT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aggregate/hist.h"
#include "aggregate/summary.h"
#include "model/columns.h"
#include "model/sock.h"

/*
 * One CSV field: copied as is, or enclosed in double quotes (with inner quotes doubled)
 * when it holds a comma, a double quote, CR or LF. Always NUL-terminates (sz > 0); an
 * output buffer of 2 * len + 3 bytes always suffices. Returns the length written.
 */
size_t fmt_csv_field(const char *in, size_t len, char *out, size_t sz);

/*
 * The listing: a header line of column names (unless !header), then one record per
 * socket with the cells as the table shows them (names already escaped). Records end in
 * CR LF. Returns 0 or -EIO.
 */
int fmt_csv_sockets(FILE *out, const struct sock_set *set, const struct column_list *cols,
		    const struct col_ctx *ctx, bool header);

/* The listing in pieces, for a stream: the header line... */
void fmt_csv_list_header(FILE *out, const struct column_list *cols);

/* ...and one record. */
void fmt_csv_list_row(FILE *out, const struct sock_rec *s, const struct column_list *cols,
		      const struct col_ctx *ctx);

/* The summary: state,ipv4,ipv6,total. Returns 0 or -EIO. */
int fmt_csv_summary(FILE *out, const struct summary *sum, bool header);

/* A histogram: KEY[,KEY2],count, one record per shown row. Returns 0 or -EIO. */
int fmt_csv_hist(FILE *out, const struct hist *h, const struct hist_limit *lim,
		 bool header);

/* The column table for --list-columns: name,header,type,help. Returns 0 or -EIO. */
int fmt_csv_columns(FILE *out, bool header);

#endif
