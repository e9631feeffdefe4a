/* diagram.h - --diagram: the TCP state machine drawn in the terminal, with live counts */
#ifndef TCPSTATE_DIAGRAM_H
#define TCPSTATE_DIAGRAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/states.h"

/* The drawing never needs more than this many display columns... */
#define DIAGRAM_COLS 80
/* ...and is exactly this many lines tall (header, machine, footer). */
#define DIAGRAM_LINES 51

/*
 * Draw the state machine into out: the 11 states as boxes, each holding counts[state]
 * (the sockets in that state, as the caller counted them after filtering), and the
 * transitions as arrows labelled with the segment, call or timer that takes them. The
 * active opener/closer is on the left, the passive side on the right (the close half as
 * in the classic RFC 793 / Stevens drawing, the open half mirrored to match). Counts up
 * to 13 digits are shown in full, larger ones with a k/M/G/T/P/E suffix. unicode selects
 * box-drawing characters and arrowheads (UTF-8, each one display column wide);
 * otherwise plain ASCII, which is what a pipe should get.
 * No line is wider than DIAGRAM_COLS columns and none ends in a blank.
 * Returns 0 or -EIO on a write error.
 */
int diagram_write(FILE *out, const uint64_t counts[TS_NSTATES], bool unicode);

/*
 * The compact form for a terminal narrower than DIAGRAM_COLS: one column of the 11 states
 * in lifecycle order, each with its count and, under it, the transitions out of it
 * ("-> ESTABLISHED  rcv ACK"). No line is wider than 40 columns. Returns 0 or -EIO.
 */
int diagram_write_compact(FILE *out, const uint64_t counts[TS_NSTATES], bool unicode);

#endif
