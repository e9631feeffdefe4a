/* tick.c - a fixed-rate clock for -c and -E: sleep until the next tick, a signal or
 * input. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "base/tick.h"

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGWINCH);
}

int tick_open(struct tick *t, double seconds)
{
	sigset_t set;

	memset(t, 0, sizeof(*t));
	stop_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, &t->saved) < 0)
		return -errno;
	t->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->sfd < 0) {
		int err = -errno;
		sigprocmask(SIG_SETMASK, &t->saved, NULL);
		return err;
	}
	t->interval_ns = (long long)(seconds * 1e9);
	if (t->interval_ns < 1000000)
		t->interval_ns = 1000000;
	clock_gettime(CLOCK_MONOTONIC, &t->next);
	return 0;
}

static long long ns_of(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static void set_ns(struct timespec *ts, long long ns)
{
	ts->tv_sec = (time_t)(ns / 1000000000LL);
	ts->tv_nsec = (long)(ns % 1000000000LL);
}

/* Read one signal; returns TICK_STOP/TICK_RESIZE, or -1 when none was pending. */
static int read_signal(int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return -1;
	return si.ssi_signo == SIGWINCH ? TICK_RESIZE : TICK_STOP;
}

int tick_wait(struct tick *t, int fd)
{
	struct pollfd pfd[2] = {{t->sfd, POLLIN, 0}, {fd, POLLIN, 0}};

	for (;;) {
		struct timespec now, left;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long due = ns_of(&t->next) - ns_of(&now);
		if (due <= 0) {
			/* Frames slower than the interval never reach ppoll: look for
			 * Ctrl-C and SIGTERM here too, or -c could not be stopped. */
			int ev = read_signal(t->sfd);
			if (ev >= 0)
				return ev;
			/* Fixed rate; but after an overrun (a slow dump) do not fire in a
			 * burst. */
			long long next = ns_of(&t->next) + t->interval_ns;
			if (next <= ns_of(&now))
				next = ns_of(&now) + t->interval_ns;
			set_ns(&t->next, next);
			return TICK_TIME;
		}
		set_ns(&left, due);
		int n = ppoll(pfd, fd >= 0 ? 2 : 1, &left, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			int ev = read_signal(t->sfd);
			if (ev >= 0)
				return ev;
		}
		/* a pipe whose writer went away is POLLHUP without POLLIN: report it, or
		 * ppoll would return at once for ever */
		if (n > 0 && fd >= 0 && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP)))
			return TICK_FD;
	}
}

void tick_close(struct tick *t)
{
	if (t->sfd < 0)
		return;
	while (read_signal(t->sfd) >= 0)
		;
	close(t->sfd);
	t->sfd = -1;
	sigprocmask(SIG_SETMASK, &t->saved, NULL);
}

double tick_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
