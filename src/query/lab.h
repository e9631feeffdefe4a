/* lab.h - --lab: real sockets in every TCP state, held by a child process in a private
 * network namespace, and the lessons that step through the state machine. */
#ifndef TCPSTATE_LAB_H
#define TCPSTATE_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/states.h"

/* How the lab got its network namespace. */
enum lab_ns_kind {
	LAB_NS_NET = 0, /* unshare(CLONE_NEWNET): we had CAP_SYS_ADMIN */
	LAB_NS_USER,	/* unshare(CLONE_NEWUSER | CLONE_NEWNET): unprivileged */
};

/*
 * Move this process into a new, empty network namespace and bring its loopback up:
 * CLONE_NEWNET when we may, else a new user namespace too (our uid and gid mapped to
 * themselves). Call it before any thread or socket exists. Nothing of the host's network
 * is visible afterwards. Returns 0 or a negative errno: -EPERM when neither works.
 */
int lab_netns_new(enum lab_ns_kind *ret_kind);

/* A socket's role in a lesson, from its ports. */
enum lab_role {
	LAB_ROLE_CLIENT = 0,
	LAB_ROLE_SERVER,   /* the server's end of the connection */
	LAB_ROLE_LISTENER, /* the server's listening (or only bound) socket */
	LAB_NROLES,
	LAB_ROLE_OTHER = LAB_NROLES,
};

/* What a step waits for on one role: a state, "no socket", or anything. */
enum { LAB_ANY = -1, LAB_GONE = -2 };

/* The descriptors a lesson's holder keeps between steps. */
struct lab_fds {
	int lst, cli, srv, tmp;
	int result; /* the errno a call was meant to show (ECONNREFUSED...), or 0 */
};

/* One step of a lesson: the call one side makes, and what it is there to show. */
struct lab_step {
	const char *actor;	/* "client", "server" or "both" */
	const char *call;	/* the system calls, as a reader would write them */
	const char *point;	/* one sentence: what to look at */
	bool bulk;		/* many data segments: summarise them */
	int expect[LAB_NROLES]; /* per role: a state, LAB_GONE or LAB_ANY (waited for,
				   never printed: what is printed comes from the kernel)
				 */
	int (*run)(struct lab_fds *f); /* in the holder: 0, or a negative errno */
};

/* A lesson: named steps over one client and one server port. */
struct lab_lesson {
	const char *name;
	const char *title;
	const char *topic; /* the --explain topic that tells the story */
	const struct lab_step *steps;
	size_t n_steps;
};

/* The loopback ports every lesson uses. */
enum { LAB_SERVER_PORT = 8080, LAB_CLIENT_PORT = 40000 };

/* The lessons, NULL-name terminated. */
extern const struct lab_lesson lab_lessons[];

/* The lesson of that name, or NULL. */
const struct lab_lesson *lab_lesson_find(const char *name);

/* A socket's role from its local and remote ports (host order). */
enum lab_role lab_role_of(uint16_t lport, uint16_t rport);

/* The name of a role ("client", "server", "listener", "other"). */
const char *lab_role_name(enum lab_role r);

/* The holder: a child process in the lab's namespace that owns every lab socket. */
struct lab;

/*
 * Fork the holder (call after lab_netns_new). It dies with us (PR_SET_PDEATHSIG) and
 * ignores SIGINT so that we tear it down in order. Returns 0 or a negative errno.
 */
int lab_start(struct lab **ret);

/* The holder's PID (tcpstate -N PID and nsenter -t PID -n see the lab from outside). */
pid_t lab_pid(const struct lab *l);

/*
 * Have the holder build a socket in each of the 11 states on 127.0.0.1 (ports 7000 to
 * 7901, one block of 100 per state). Returns 0 once every socket it holds reached its
 * state, or a negative errno (-ETIMEDOUT when one never did); *ret_what names the recipe
 * that failed (static storage).
 */
int lab_build_all(struct lab *l, const char **ret_what);

/*
 * Have the holder make step i of lesson ls. *ret_result is the errno the step's call was
 * meant to show (EADDRINUSE, ECONNREFUSED...) or 0. Returns 0 or a negative errno when
 * the step itself failed.
 */
int lab_step(struct lab *l, const struct lab_lesson *ls, size_t i, int *ret_result);

/* End the holder by its PID and reap it; its sockets, and with the last process the
 * namespace, go with it. Accepts NULL. */
void lab_stop(struct lab *l);

#endif
