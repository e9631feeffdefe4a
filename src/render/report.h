/* report.h - what --doctor found and what -K did, as text, JSON and JSON lines. */
#ifndef TCPSTATE_REPORT_H
#define TCPSTATE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/columns.h"
#include "model/sock.h"

/* One --doctor finding. */
struct report_finding {
	const char *kind;  /* "close-wait-leak", "syn-flood", ... */
	const char *netns; /* the namespace's label with --all-netns, else NULL */
	char *message;	   /* evidence and next step, one line */
};

/* What --doctor examined and found. */
struct report_doctor {
	const struct report_finding *v;
	size_t n;
	size_t sockets; /* sockets examined */
	bool quiet_ok;	/* print nothing (text) when nothing was found: not a terminal */
	int width;	/* text: wrap each finding at this width (0: one line each) */
};

/*
 * The findings as text: "KIND: [in network namespace NS: ]MESSAGE", one line each or
 * wrapped at width under a hanging indent, or "no problems found in N sockets" on a
 * terminal. Returns 0, -ENOMEM or -EIO.
 */
int report_doctor_text(FILE *out, const struct report_doctor *d);

/*
 * As JSON: {"version":1,"doctor":{"sockets":N,"findings":[{"kind":...,"netns":...|null,
 * "message":...},...]}}; with lines, one finding object per line (nothing when none).
 * Returns 0 or -EIO.
 */
int report_doctor_json(FILE *out, const struct report_doctor *d, bool lines);

/* What -K did to each selected socket. */
struct report_kill {
	const struct sock_set *set;
	const int *errs; /* per socket: 0 or the destroy's negative errno */
	const char *const
	    *why; /* per socket: the reason it failed, NULL when it did not */
	bool dry_run;
	bool header;
	const struct column_list *cols;
	const struct col_ctx *cc;
};

/* The result word of one socket: "destroyed", "not destroyed" or "would destroy". */
const char *report_kill_result(const struct report_kill *k, size_t i);

/* As text: a Result column, the chosen columns, then the reason. Returns 0, -ENOMEM or
 * -EIO. */
int report_kill_text(FILE *out, const struct report_kill *k);

/*
 * As JSON: {"version":1,"kill":{"dry_run":B,"sockets":[{COLUMNS...,"result":...,
 * "error":...|null},...]}}; with lines, one socket object per line. Returns 0 or -EIO.
 */
int report_kill_json(FILE *out, const struct report_kill *k, bool lines);

#endif
