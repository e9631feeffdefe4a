/* bpfown.h - socket owners in one kernel pass: the task_file BPF iterator. */
#ifndef TCPSTATE_BPFOWN_H
#define TCPSTATE_BPFOWN_H

#include <stddef.h>

#include "query/procs.h"

/*
 * Run the iterator once: one procs_pair per socket file descriptor of every process
 * (pids as this process's pid namespace numbers them), in an array of *ret_n entries to
 * free(). Returns 0, or a negative errno with *ret_why a static phrase (see bpfev_open).
 */
int bpfown_collect(struct procs_pair **ret, size_t *ret_n, const char **ret_why);

#endif
