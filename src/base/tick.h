/* tick.h - a fixed-rate clock for -c and -E: sleep until the next tick, a signal or
 * input. */
#ifndef TCPSTATE_TICK_H
#define TCPSTATE_TICK_H

#include <signal.h>
#include <time.h>

/* What ended a tick_wait. */
enum tick_event {
	TICK_TIME = 0, /* the next tick is due */
	TICK_STOP,     /* SIGINT, SIGTERM or SIGHUP: finish cleanly */
	TICK_RESIZE,   /* SIGWINCH: the terminal changed size */
	TICK_FD,       /* the extra descriptor is readable (or hung up) */
};

struct tick {
	int sfd;	      /* signalfd for the signals above */
	sigset_t saved;	      /* the signal mask before tick_open */
	struct timespec next; /* CLOCK_MONOTONIC deadline of the next tick */
	long long interval_ns;
};

/*
 * Block SIGINT, SIGTERM, SIGHUP and SIGWINCH and receive them through a signalfd instead,
 * so a stop request is never lost between a check and a sleep and needs no handler or
 * global flag. The first tick is due at once. Returns 0 or a negative errno.
 */
int tick_open(struct tick *t, double seconds);

/*
 * Sleep until the next tick is due, a signal arrives, or fd (when >= 0) is readable.
 * Ticks keep a fixed rate; after an overrun the next one is an interval from now.
 * Returns an enum tick_event or a negative errno.
 */
int tick_wait(struct tick *t, int fd);

/* Close the signalfd, swallow the signals it still holds (a second Ctrl-C must not kill
 * us with status 130 while we restore the terminal), and restore the mask. */
void tick_close(struct tick *t);

/* Seconds as a double from the CLOCK_MONOTONIC clock. */
double tick_now(void);

#endif
