/* fmt_json.h - JSON and JSON lines output for the listing, the summary, histograms, event
 * lines and the column list. */
#ifndef TCPSTATE_FMT_JSON_H
#define TCPSTATE_FMT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aggregate/evtrack.h"
#include "aggregate/hist.h"
#include "aggregate/summary.h"
#include "model/columns.h"
#include "model/sock.h"

/* The schema version in every JSON document ("version"); bumped when a key changes
 * meaning or goes away (adding keys does not bump it). */
#define FMT_JSON_VERSION 1

/*
 * Escape len bytes as the inside of a JSON string: '"' and '\' backslashed, control
 * characters (C0, DEL, C1) as \b \f \n \r \t or \u00XX, valid UTF-8 copied, and every
 * byte that is not part of valid UTF-8 replaced by U+FFFD. Always NUL-terminates (sz >
 * 0); stops before a character that does not fit. Returns the length written. An output
 * buffer of 6 * len + 1 bytes always suffices.
 */
size_t fmt_json_escape(const char *in, size_t len, char *out, size_t sz);

/*
 * The listing: lines = false gives {"version":1,"sockets":[{...},...]}, lines = true one
 * socket object per line. Keys are the column names; number columns are JSON numbers
 * (null when absent), owners a list of {"pid":N,"comm":"..."}. Returns 0 or -EIO.
 */
int fmt_json_sockets(FILE *out, const struct sock_set *set,
		     const struct column_list *cols, const struct col_ctx *ctx,
		     bool lines);

/* The summary: {"version":1,"summary":{"states":{"CLOSED":{"ipv4":N,"ipv6":N,"total":N},
 * ...},"total":{...}}}, or one {"state":...,"ipv4":...} object per line. Returns 0 or
 * -EIO. */
int fmt_json_summary(FILE *out, const struct summary *sum, bool lines);

/* A histogram (see OUTPUT FORMATS in tcpstate(8)), or one object per row with lines.
 * Returns 0 or -EIO. */
int fmt_json_hist(FILE *out, const struct hist *h, const struct hist_limit *lim,
		  bool lines);

/* The column table for --list-columns. Returns 0 or -EIO. */
int fmt_json_columns(FILE *out, bool lines);

/*
 * One -E event as a JSON object on one line (with '\n'): time, event, old, new, brief,
 * proto, local, peer, cookie, in_state_ms, owners (only with with_owners) and the
 * tcp_info numbers when known. Returns the length (truncated to sz, always
 * NUL-terminated when sz > 0).
 */
size_t fmt_json_event(const struct ev_event *e, bool with_owners, char *buf, size_t sz);

#endif
