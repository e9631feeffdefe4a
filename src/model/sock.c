/* sock.c - the growable socket array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "model/sock.h"

int sock_set_add(struct sock_set *set, const struct sock_rec *s)
{
	struct sock_rec *d;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 1024;
		struct sock_rec *v = realloc(set->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	d = &set->v[set->n];
	*d = *s;
	if (s->ext) {
		d->ext = malloc(sizeof(*d->ext));
		if (!d->ext)
			return -ENOMEM;
		memcpy(d->ext, s->ext, sizeof(*d->ext));
	}
	set->n++;
	return 0;
}

void sock_set_clear(struct sock_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].ext);
	set->n = 0;
}

void sock_set_done(struct sock_set *set)
{
	if (!set)
		return;
	sock_set_clear(set);
	free(set->v);
	set->v = NULL;
	set->cap = 0;
}

size_t sock_addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

int sock_addr_is_v4mapped(const uint8_t addr[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(addr, prefix, sizeof(prefix)) == 0;
}

/* inet_ntop is measurably slow on 100k rows; IPv4 is the common case. */
static size_t fmt_ipv4(const uint8_t *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + (v / 10) % 10);
		*p++ = (char)('0' + v % 10);
		if (i < 3)
			*p++ = '.';
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t sock_fmt_addr(uint8_t family, const uint8_t *addr, char *buf, size_t sz)
{
	if (sz < INET6_ADDRSTRLEN)
		return 0;
	if (family == AF_INET)
		return fmt_ipv4(addr, buf);
	if (!inet_ntop(AF_INET6, addr, buf, (socklen_t)sz))
		buf[0] = '\0';
	return strlen(buf);
}
