/* colfmt.h - the cells of the listing's columns (model/columns.h describes them): one
 * formatter per column, as text and as a JSON number. */
#ifndef TCPSTATE_COLFMT_H
#define TCPSTATE_COLFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/columns.h"
#include "model/sock.h"

/* Write the cell as text (escaped, terminal-safe). Returns its length. */
typedef size_t (*colfmt_fn)(const struct sock_rec *s, const struct col_ctx *c, char *buf,
			    size_t sz);

/* The formatter of every column, indexed by enum column_id. */
extern const colfmt_fn colfmt_cells[COLUMN_N];

/* The formatter of col, for loops that format many cells of the same columns. */
static inline colfmt_fn colfmt_cell_fn(const struct column *col)
{
	return colfmt_cells[column_id(col)];
}

/* Write the cell of col for s (escaped, terminal-safe). Returns its length. Inline: the
 * listing calls it for every cell. */
static inline size_t colfmt_cell(const struct column *col, const struct sock_rec *s,
				 const struct col_ctx *c, char *buf, size_t sz)
{
	return colfmt_cells[column_id(col)](s, c, buf, sz);
}

/*
 * The cell of a COL_NUMBER column as JSON number text: the cell's text when it is a valid
 * JSON number, else "null" ("12ms", "-"). Returns the length.
 */
size_t colfmt_json_number(const struct column *col, const struct sock_rec *s,
			  const struct col_ctx *c, char *buf, size_t sz);

/* The value of a COL_NUMBER cell, as --sort orders it: the JSON number, NAN for null. */
double colfmt_number(const struct column *col, const struct sock_rec *s,
		     const struct col_ctx *c);

/* Format an address and port the way the listing shows it: "1.2.3.4:80", "[::1]:631",
 * "0.0.0.0:*"; with resolve, host and service names. Returns the length. */
size_t sock_fmt_endpoint(uint8_t family, const uint8_t *addr, uint16_t port, bool peer,
			 bool resolve, char *buf, size_t sz);

#endif
