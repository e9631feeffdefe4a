/* bpfown.h - socket owners in one kernel pass: the task_file BPF iterator. */
#ifndef TCPSTATE_BPFOWN_H
#define TCPSTATE_BPFOWN_H

#include <stddef.h>
#include <stdint.h>

#define BPFOWN_COMM 16

/* One socket file descriptor of one process, as the iterator reports it. */
struct bpfown_pair {
	uint32_t pid;
	uint32_t uid; /* the process's effective uid, as /proc/PID's owner */
	uint64_t inode;
	char comm[BPFOWN_COMM]; /* NUL-terminated */
};

/*
 * Run the iterator once: one bpfown_pair per socket file descriptor of every process
 * (pids as this process's pid namespace numbers them), in an array of *ret_n entries to
 * free(). Returns 0, or a negative errno with *ret_why a static phrase (see bpfev_open).
 */
int bpfown_collect(struct bpfown_pair **ret, size_t *ret_n, const char **ret_why);

#endif
