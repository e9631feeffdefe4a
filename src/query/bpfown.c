/* bpfown.c - load owners.bpf.c, run its task_file iterator, read the pairs it writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "base/i18n.h"
#include "query/bpfown.h"

#if HAVE_BPF
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* bpftool embeds the BPF object as one long string literal (-Woverlength-strings). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "query/bpf/owners.skel.h"
#pragma GCC diagnostic pop
#include "query/bpf/tcpstate_bpf.h"
#include "query/bpfcommon.h"

_Static_assert(sizeof(struct tsb_owner) == sizeof(struct bpfown_pair) &&
		   sizeof(((struct tsb_owner *)0)->comm) == BPFOWN_COMM,
	       "tsb_owner and bpfown_pair must match");

/* Our pid namespace's level: the number of NSpid entries in /proc/self/status less one.
 */
static unsigned pidns_level(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned level = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		for (char *p = line + 6; *p; p++)
			if (*p == '\t' && p[1] >= '0' && p[1] <= '9')
				level++;
		break;
	}
	fclose(f);
	return level ? level - 1 : 0;
}

/* Read the iterator's output: whole records, growing the array as needed. */
static int read_pairs(int fd, struct bpfown_pair **ret, size_t *ret_n)
{
	struct bpfown_pair *v = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		if (cap - n < 1024) {
			size_t c = cap ? cap * 2 : 4096;
			struct bpfown_pair *nv = realloc(v, c * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = c;
		}
		ssize_t r = read(fd, v + n, (cap - n) * sizeof(*v));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(v);
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r / sizeof(*v); /* bpf_seq_write never splits a record */
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int run(struct tsb_owners *skel, struct bpfown_pair **ret, size_t *ret_n)
{
	struct bpf_link *link;
	int fd, err;

	link = bpf_program__attach_iter(skel->progs.socket_files, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		bpf_link__destroy(link);
		return err;
	}
	err = read_pairs(fd, ret, ret_n);
	close(fd);
	bpf_link__destroy(link);
	return err;
}

int bpfown_collect(struct bpfown_pair **ret, size_t *ret_n, const char **ret_why)
{
	struct tsb_owners *skel;
	int err;

	*ret = NULL;
	*ret_n = 0;
	err = bpfcommon_precheck(ret_why);
	if (err < 0)
		return err;
	skel = tsb_owners__open();
	if (!skel)
		return bpfcommon_why(-errno, ret_why);
	skel->rodata->pidns_level = pidns_level();
	err = tsb_owners__load(skel);
	if (err == 0)
		err = run(skel, ret, ret_n);
	tsb_owners__destroy(skel);
	return err < 0 ? bpfcommon_why(err, ret_why) : 0;
}

#else

int bpfown_collect(struct bpfown_pair **ret, size_t *ret_n, const char **ret_why)
{
	*ret = NULL;
	*ret_n = 0;
	*ret_why = N_("built without eBPF support");
	return -EOPNOTSUPP;
}

#endif
