/* lab_fmt.h - the --lab transcripts: a lesson's steps as text or JSON lines. */
#ifndef TCPSTATE_LAB_FMT_H
#define TCPSTATE_LAB_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "model/sock.h"
#include "query/lab.h"
#include "query/lab_capture.h"

/* What one step showed: the call's outcome, the segments seen, the kernel's sockets. */
struct lab_seen {
	const struct lab_lesson *lesson;
	size_t step;  /* index into lesson->steps */
	int result;   /* the errno the call returned (EADDRINUSE...), or 0 */
	bool settled; /* the kernel reached the states the step waits for */
	const struct lab_segment *segs;
	size_t n_segs;
	const struct sock_set *socks; /* every TCP socket in the lab's namespace */
};

/* Sequence numbers relative to each side's initial one, kept across steps. */
struct lab_seq {
	uint32_t isn[2]; /* [0] client -> server, [1] server -> client */
	bool known[2];
};

/*
 * The lesson's first lines: its name and title, the ports, the holder's pid and the
 * --explain topic; in JSONL one object with "lesson", "title", "steps", "pid", "client",
 * "server" and "explain". Returns 0 or -EIO.
 */
int lab_fmt_header(FILE *out, const struct lab_lesson *ls, pid_t pid, bool jsonl);

/*
 * One step: "Step N/M  actor: call", the segments (relative numbers; in a bulk step
 * the data segments counted per direction), the result when the call failed, each
 * socket's role, addresses and state, and the point of the step. In JSONL one object
 * per step. Returns 0 or -EIO.
 */
int lab_fmt_step(FILE *out, const struct lab_seen *s, struct lab_seq *seq, bool jsonl);

/*
 * The line before a pause on a terminal: before step next + 1, or at the end when next is
 * n_steps.
 * Returns 0 or -EIO.
 */
int lab_fmt_prompt(FILE *out, size_t next, size_t n_steps);

/* The name of an errno value ("EADDRINUSE"), "ok" for 0. Static storage. */
const char *lab_errno_name(int err);

#endif
