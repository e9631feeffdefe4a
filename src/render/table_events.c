/* table_events.c - the table form of -E: one fixed-width line per event, and its header.
 */
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "query/procs.h"
#include "render/colfmt.h"
#include "render/colfmt_tcp.h"
#include "render/evline.h"
#include "render/table.h"

/* Fixed widths, because a stream cannot measure lines it has not seen. */
#define W_TIME 12
#define W_EVENT 25
#define W_ADDR 21
#define W_IN_STATE 8
#define W_OWNERS 20

static void event_text(const struct ev_event *e, char *buf, size_t sz)
{
	switch (e->kind) {
	case EV_NEW:
		snprintf(buf, sz, "NEW %s", state_name((enum ts_state)e->new_state));
		break;
	case EV_CHANGE:
		snprintf(buf, sz, "%s -> %s", state_name((enum ts_state)e->old_state),
			 state_name((enum ts_state)e->new_state));
		break;
	case EV_GONE:
		snprintf(buf, sz, "%s -> GONE", state_name((enum ts_state)e->old_state));
		break;
	case EV_BRIEF:
		snprintf(buf, sz, "NEW -> GONE");
		break;
	}
}

static void in_state_text(double s, char *buf, size_t sz)
{
	if (s < 0)
		snprintf(buf, sz, "-");
	else if (s < 10)
		snprintf(buf, sz, "%.3fs", s);
	else if (s < 1000)
		snprintf(buf, sz, "%.1fs", s);
	else
		snprintf(buf, sz, "%.0fs", s);
}

/* Owners as the listing shows them: "pid/comm,pid/comm", names escaped. */
static void owners_text(const char *packed, char *buf, size_t sz)
{
	char esc[PROCS_COMM_MAX * 4];
	size_t at = 0;

	snprintf(buf, sz, "-");
	for (const char *p = packed; p && *p && at + 1 < sz;) {
		const char *pid = p, *comm = p + strlen(p) + 1;
		p = comm + strlen(comm) + 1;
		escape_name(comm, esc, sizeof(esc));
		int n = snprintf(buf + at, sz - at, "%s%s/%s", at ? "," : "", pid, esc);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

size_t table_event_line(const struct ev_event *e, bool with_owners, char *buf, size_t sz)
{
	const struct ev_sock *s = e->sock;
	char t[64], ev[64], local[128], peer[128], in[32], own[512], rtt[32];
	struct evline o;

	evline_init(&o, buf, sz);
	evline_time(e->wall, false, t, sizeof(t));
	event_text(e, ev, sizeof(ev));
	sock_fmt_endpoint(s->family, s->laddr, s->lport, false, false, local,
			  sizeof(local));
	sock_fmt_endpoint(s->family, s->raddr, s->rport, true, false, peer, sizeof(peer));
	in_state_text(e->in_state, in, sizeof(in));
	evline_put(&o, "%-*s  %-*s  %-*s  %-*s  %*s", W_TIME, t, W_EVENT, ev, W_ADDR,
		   local, W_ADDR, peer, W_IN_STATE, in);
	if (with_owners) {
		owners_text(s->owners, own, sizeof(own));
		evline_put(&o, "  %-*s", W_OWNERS, own);
	}
	if (s->info.have) {
		colfmt_usec_as_ms(s->info.rtt_us, rtt, sizeof(rtt));
		evline_put(&o,
			   "  bytes_acked=%llu bytes_received=%llu rtt=%sms retrans=%u",
			   (unsigned long long)s->info.bytes_acked,
			   (unsigned long long)s->info.bytes_received, rtt,
			   s->info.total_retrans);
	}
	/* trailing blanks of an empty last column are noise */
	while (o.at && o.buf[o.at - 1] == ' ')
		o.buf[--o.at] = '\0';
	evline_put(&o, "\n");
	return o.at;
}

size_t table_event_header(bool with_owners, char *buf, size_t sz)
{
	struct evline o;

	evline_init(&o, buf, sz);
	evline_put(&o, "%-*s  %-*s  %-*s  %-*s  %*s", W_TIME, "Time", W_EVENT, "Event",
		   W_ADDR, "Local Address", W_ADDR, "Foreign Address", W_IN_STATE,
		   "In state");
	if (with_owners)
		evline_put(&o, "  %-*s", W_OWNERS, "PID/Program name");
	evline_put(&o, "  Details\n");
	return o.at;
}
