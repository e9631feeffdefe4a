/* procfs_fallback.c - parse /proc/net/tcp{,6} into socket records when sock_diag is
 * missing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "query/procfs_fallback.h"

/* seq_file hands out whole lines, up to a page per read(); keep a few pages. */
#define PROCFS_BUF 65536

bool procfs_can_answer(const struct diag_query *q)
{
	return q->ext == 0;
}

/* Parse a hex number of at most maxdigits digits ending at stop; advances *p past it. */
static bool hex_field(const char **p, int maxdigits, char stop, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0;

	for (; n < maxdigits; n++, s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		v = v << 4 | (uint64_t)d;
	}
	if (n == 0 || *s != stop)
		return false;
	*p = s + (stop ? 1 : 0);
	*ret = v;
	return true;
}

static bool dec_field(const char **p, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0;

	while (*s == ' ')
		s++;
	if (*s == '-') /* "timeout" is %d: a negative count reads as 0 */
		s++;
	for (; *s >= '0' && *s <= '9' && n < 20; s++, n++)
		v = v * 10 + (uint64_t)(*s - '0');
	if (n == 0 || (*s != ' ' && *s != '\0'))
		return false;
	*p = s;
	*ret = v;
	return true;
}

static void skip_spaces(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* Exactly n hex digits at s. */
static bool hex_exact(const char *s, int n, uint32_t *ret)
{
	const char *p = s;
	uint64_t v;

	for (int i = 0; i < n; i++)
		if (!s[i])
			return false;
	if (!hex_field(&p, n, s[n], &v) || p - s < n)
		return false;
	*ret = (uint32_t)v;
	return true;
}

/*
 * "ADDR:PORT": the kernel prints each 32-bit word of the address with %08X of its value
 * in host order, so storing the parsed words back in host order gives the network bytes.
 */
static bool addr_field(const char **p, int words, uint8_t *addr, uint16_t *port)
{
	uint64_t v;

	skip_spaces(p);
	for (int i = 0; i < words; i++) {
		uint32_t word;
		if (!hex_exact(*p, 8, &word))
			return false;
		memcpy(addr + 4 * i, &word, 4);
		*p += 8;
	}
	if (**p != ':')
		return false;
	(*p)++;
	if (!hex_field(p, 4, ' ', &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

/* One line of /proc/net/tcp{,6} (without its newline) -> *s. */
static int parse_line(const char *line, uint8_t family, long ticks, struct sock_rec *s)
{
	const char *p = line;
	int words = family == AF_INET6 ? 4 : 1;
	uint64_t st, tx, rx, tr, when, retr, uid, timeout, inode;

	memset(s, 0, sizeof(*s));
	s->family = family;
	skip_spaces(&p);
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != ':')
		return -EBADMSG;
	if (!addr_field(&p, words, s->laddr, &s->lport) ||
	    !addr_field(&p, words, s->raddr, &s->rport))
		return -EBADMSG;
	skip_spaces(&p);
	if (!hex_field(&p, 2, ' ', &st))
		return -EBADMSG;
	skip_spaces(&p);
	if (!hex_field(&p, 8, ':', &tx) || !hex_field(&p, 8, ' ', &rx))
		return -EBADMSG;
	skip_spaces(&p);
	if (!hex_field(&p, 2, ':', &tr) || !hex_field(&p, 16, ' ', &when))
		return -EBADMSG;
	skip_spaces(&p);
	if (!hex_field(&p, 8, ' ', &retr))
		return -EBADMSG;
	if (!dec_field(&p, &uid) || !dec_field(&p, &timeout) || !dec_field(&p, &inode))
		return -EBADMSG;
	s->kstate = (uint8_t)st;
	s->state = (uint8_t)state_from_kernel(s->kstate);
	s->wqueue = (uint32_t)tx;
	s->rqueue = (uint32_t)rx;
	s->timer = (uint8_t)tr;
	/* clock_t (USER_HZ) ticks to milliseconds, as inet_diag gives them */
	s->expires =
	    tr ? (uint32_t)(when > UINT32_MAX / 1000 ? UINT32_MAX
						     : when * 1000 / (uint64_t)ticks)
	       : 0;
	s->retrans = retr > 255 ? 255 : (uint8_t)retr;
	s->uid = (uint32_t)uid;
	s->inode = inode > UINT32_MAX ? 0 : (uint32_t)inode;
	return 0;
}

static bool wanted(const struct diag_query *q, const struct sock_rec *s)
{
	if (s->kstate >= 32 || !(q->kstates & (1u << s->kstate)))
		return false;
	if (q->sport && s->lport != q->sport)
		return false;
	return !q->dport || s->rport == q->dport;
}

/* Read one file line by line; the first line is the header. */
static int read_file(int fd, uint8_t family, const struct diag_query *q, diag_sock_fn fn,
		     void *data, struct diag_stats *st)
{
	char *buf = malloc(PROCFS_BUF + 1);
	long ticks = sysconf(_SC_CLK_TCK);
	size_t have = 0;
	bool header = true;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (ticks <= 0)
		ticks = 100;
	for (;;) {
		ssize_t n = read(fd, buf + have, PROCFS_BUF - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		st->recvs++;
		st->bytes += (uint64_t)n;
		have += (size_t)n;
		buf[have] = '\0';
		char *line = buf, *nl;
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
			*nl = '\0';
			if (header) {
				header = false;
			} else if (*line) {
				struct sock_rec s;
				st->msgs++;
				err = parse_line(line, family, ticks, &s);
				if (err == 0 && wanted(q, &s)) {
					st->socks++;
					err = fn(&s, data);
				}
				if (err < 0)
					goto out;
			}
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (n == 0) {
			if (have) /* a last line without its newline */
				err = -EBADMSG;
			break;
		}
		if (have == PROCFS_BUF) { /* one line longer than the buffer */
			err = -EBADMSG;
			break;
		}
	}
out:
	free(buf);
	return err;
}

int procfs_dump(const char *proc_root, const struct diag_query *q, diag_sock_fn fn,
		void *data, struct diag_stats *stats)
{
	static const struct {
		const char *name;
		uint8_t family;
	} files[] = {{"net/tcp", AF_INET}, {"net/tcp6", AF_INET6}};
	struct diag_stats dummy = {0};
	int opened = 0, first_err = -ENOENT;

	if (!stats)
		stats = &dummy;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[PATH_MAX];
		int fd, err;

		if (q->family != AF_UNSPEC && q->family != files[i].family)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", proc_root, files[i].name) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (files[i].family == AF_INET || first_err == -ENOENT)
				first_err = -errno;
			continue;
		}
		opened++;
		err = read_file(fd, files[i].family, q, fn, data, stats);
		close(fd);
		if (err < 0)
			return err;
	}
	return opened ? 0 : first_err;
}
