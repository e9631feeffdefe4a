/* bpfcommon.h - what both eBPF loaders share: a quiet libbpf and reasons for failure. */
#ifndef TCPSTATE_BPFCOMMON_H
#define TCPSTATE_BPFCOMMON_H

/*
 * Silence libbpf (library code never prints) and check what loading needs before
 * trying: kernel BTF. Returns 0, or a negative errno with *ret_why set.
 */
int bpfcommon_precheck(const char **ret_why);

/* Set *ret_why to a static phrase for a libbpf error and return err. */
int bpfcommon_why(int err, const char **ret_why);

#endif
