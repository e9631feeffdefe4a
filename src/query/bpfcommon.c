/* bpfcommon.c - a quiet libbpf and short reasons why an eBPF program cannot run. */
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "config.h"
#include "base/i18n.h"
#include "query/bpfcommon.h"

#if HAVE_BPF
#include <bpf/libbpf.h>

/* libbpf logs to stderr by default; the reasons come back through ret_why instead. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int bpfcommon_precheck(const char **ret_why)
{
	libbpf_set_print(quiet);
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
		return bpfcommon_why(-ENOENT, ret_why);
	return 0;
}
#else
int bpfcommon_precheck(const char **ret_why)
{
	return bpfcommon_why(-EOPNOTSUPP, ret_why);
}
#endif

/* Errors as libbpf returns them, most specific first. */
static const struct {
	int err;
	const char *why;
} reasons[] = {
    {-EOPNOTSUPP, N_("built without eBPF support")},
    {-EPERM, N_("loading eBPF programs needs CAP_BPF and CAP_PERFMON (or root)")},
    {-EACCES, N_("loading eBPF programs needs CAP_BPF and CAP_PERFMON (or root)")},
    {-ENOENT, N_("the kernel has no BTF (/sys/kernel/btf/vmlinux)")},
    {-ESRCH, N_("the kernel lacks the tracepoint sock:inet_sock_set_state")},
    {-ENOMEM, N_("out of memory (or RLIMIT_MEMLOCK too low)")},
};

int bpfcommon_why(int err, const char **ret_why)
{
	*ret_why = N_("the kernel refused the eBPF program (kernel older than 5.8?)");
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].err == err)
			*ret_why = reasons[i].why;
	return err;
}
