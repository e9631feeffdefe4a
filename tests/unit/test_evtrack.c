/* test_evtrack.c - the -E engine over synthetic polls, and the event lines it prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "aggregate/evtrack.h"
#include "check.h"
#include "render/fmt_json.h"
#include "render/table.h"

static struct sock_rec rec(uint64_t cookie, enum ts_state st, uint16_t lport,
			   uint16_t rport)
{
	struct sock_rec s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.state = (uint8_t)st;
	s.cookie = cookie;
	s.lport = lport;
	s.rport = rport;
	s.laddr[0] = s.raddr[0] = 127;
	s.laddr[3] = s.raddr[3] = 1;
	return s;
}

static void add(struct ev_tracker *t, struct sock_rec s)
{
	CHECK(evtrack_add(&s, t) == 0, "evtrack_add");
}

static bool connected_only(const struct sock_rec *s, void *data)
{
	(*(int *)data)++;
	return s->rport != 0;
}

static const struct ev_event *events(struct ev_tracker *t, size_t want)
{
	size_t n;
	const struct ev_event *e = evtrack_events(t, &n);

	CHECK(n == want, "%zu events, want %zu", n, want);
	return n == want ? e : NULL;
}

static void test_lifecycle(void)
{
	struct ev_tracker *t;
	const struct ev_event *e;
	int asked = 0;

	CHECK(evtrack_new(&t) == 0, "new");

	/* poll 1: the baseline makes no events, and its states have no known start */
	evtrack_begin(t);
	add(t, rec(1, TS_ESTABLISHED, 40000, 7000));
	add(t, rec(5, TS_LISTEN, 7000, 0));
	CHECK(evtrack_finish(t, 1.0, 1001.0, true, connected_only, &asked) == 0,
	      "baseline");

	/* poll 2: A moves, B is new; a restart in the middle of the dump is forgotten */
	evtrack_begin(t);
	add(t, rec(99, TS_ESTABLISHED, 1, 2));
	CHECK(evtrack_add(NULL, t) == 0, "restart");
	add(t, rec(2, TS_SYN_SENT, 40001, 7000));
	add(t, rec(1, TS_FIN_WAIT_1, 40000, 7000));
	add(t, rec(5, TS_LISTEN, 7000, 0));
	evtrack_finish(t, 2.0, 1002.0, false, connected_only, &asked);
	if ((e = events(t, 2))) {
		CHECK(e[0].kind == EV_CHANGE && e[0].sock->cookie == 1, "A changes");
		CHECK(e[0].old_state == TS_ESTABLISHED && e[0].new_state == TS_FIN_WAIT_1,
		      "A's states");
		CHECK(e[0].in_state < 0, "A's time in ESTABLISHED is unknown (baseline)");
		CHECK(e[1].kind == EV_NEW && e[1].sock->cookie == 2 &&
			  e[1].new_state == TS_SYN_SENT,
		      "B is new");
	}

	/* poll 3: B established after 1 s; a destroy message of an unknown connected
	 * socket is a brief one; an unconnected one is not */
	evtrack_begin(t);
	struct sock_rec c = rec(3, TS_CLOSED, 40002, 7000);
	struct sock_ext ext;
	memset(&ext, 0, sizeof(ext));
	ext.info_len = sizeof(ext.info);
	ext.info.tcpi_bytes_acked = 5;
	ext.info.tcpi_bytes_received = 7;
	ext.info.tcpi_rtt = 52;
	c.ext = &ext;
	CHECK(evtrack_destroyed(t, &c, 2.5, 1002.5) == 0, "destroyed");
	struct sock_rec unconnected = rec(4, TS_CLOSED, 40003, 0);
	evtrack_destroyed(t, &unconnected, 2.6, 1002.6);
	add(t, rec(1, TS_FIN_WAIT_1, 40000, 7000));
	add(t, rec(2, TS_ESTABLISHED, 40001, 7000));
	add(t, rec(5, TS_LISTEN, 7000, 0));
	asked = 0;
	evtrack_finish(t, 3.0, 1003.0, false, connected_only, &asked);
	CHECK(asked == 2, "brief_ok asked %d times, want 2", asked);
	if ((e = events(t, 2))) {
		/* ordered by time: the brief one happened at 1002.5 */
		CHECK(e[0].kind == EV_BRIEF && e[0].sock->cookie == 3 &&
			  e[0].wall == 1002.5,
		      "brief");
		CHECK(e[0].sock->info.have && e[0].sock->info.bytes_acked == 5 &&
			  e[0].sock->info.rtt_us == 52,
		      "brief carries tcp_info");
		CHECK(e[1].kind == EV_CHANGE && e[1].sock->cookie == 2 &&
			  e[1].in_state == 1.0,
		      "B: SYN_SENT for 1 s, got %f", e[1].in_state);
	}

	/* poll 4: A is gone; its destroy message says when and with what numbers */
	evtrack_begin(t);
	struct sock_rec a = rec(1, TS_CLOSED, 40000, 7000);
	ext.info.tcpi_bytes_acked = 1000;
	a.ext = &ext;
	evtrack_destroyed(t, &a, 3.25, 1003.25);
	add(t, rec(2, TS_ESTABLISHED, 40001, 7000));
	add(t, rec(5, TS_LISTEN, 7000, 0));
	evtrack_finish(t, 4.0, 1004.0, false, connected_only, &asked);
	if ((e = events(t, 1))) {
		CHECK(e[0].kind == EV_GONE && e[0].sock->cookie == 1 &&
			  e[0].old_state == TS_FIN_WAIT_1,
		      "A gone");
		CHECK(e[0].wall == 1003.25 && e[0].in_state == 1.25,
		      "A gone at %f after %f", e[0].wall, e[0].in_state);
		CHECK(e[0].sock->info.have && e[0].sock->info.bytes_acked == 1000,
		      "A's bytes");
	}

	/* poll 5: B's file is closed late: its destroy message comes after the poll saw
	 * it go */
	evtrack_begin(t);
	add(t, rec(5, TS_LISTEN, 7000, 0));
	evtrack_finish(t, 5.0, 1005.0, false, connected_only, &asked);
	events(t, 1); /* B gone */
	evtrack_begin(t);
	struct sock_rec b = rec(2, TS_CLOSED, 40001, 7000);
	evtrack_destroyed(t, &b, 5.5, 1005.5);
	add(t, rec(5, TS_LISTEN, 7000, 0));
	evtrack_finish(t, 6.0, 1006.0, false, connected_only, &asked);
	events(t, 0);

	/* poll 6: a TIME_WAIT socket whose full socket never had a cookie: paired by
	 * tuple */
	evtrack_begin(t);
	struct sock_rec full = rec(30, TS_CLOSED, 7000, 40009);
	ext.info.tcpi_bytes_acked = 3;
	full.ext = &ext;
	evtrack_destroyed(t, &full, 6.5, 1006.5);
	add(t, rec(5, TS_LISTEN, 7000, 0));
	add(t, rec(31, TS_TIME_WAIT, 7000, 40009));
	add(t, rec(32, TS_TIME_WAIT, 7000, 40010));
	evtrack_finish(t, 7.0, 1007.0, false, connected_only, &asked);
	if ((e = events(t, 2))) {
		CHECK(e[0].kind == EV_NEW && e[0].sock->cookie == 31 &&
			  e[0].sock->info.have && e[0].sock->info.bytes_acked == 3,
		      "TIME_WAIT got the destroyed full socket's numbers");
		CHECK(e[1].kind == EV_NEW && e[1].sock->cookie == 32 &&
			  !e[1].sock->info.have,
		      "the other TIME_WAIT did not");
	}
	evtrack_free(t);
}

static size_t fake_owner(uint32_t inode, char *buf, size_t sz, void *data)
{
	(*(int *)data)++;
	if (inode != 77)
		return 0;
	memcpy(buf, "42\0evil\"\n\0\0", 11);
	return 11;
}

static void test_owners_and_format(void)
{
	struct ev_tracker *t;
	const struct ev_event *e;
	uint32_t inodes[4];
	int calls = 0;
	char line[1024];

	evtrack_new(&t);
	evtrack_begin(t);
	struct sock_rec s = rec(0x85e9c, TS_ESTABLISHED, 7000, 41234);
	s.inode = 77;
	add(t, s);
	struct sock_rec s2 = rec(0x85e9d, TS_TIME_WAIT, 7000, 41235); /* no inode */
	add(t, s2);
	evtrack_finish(t, 1.0, 1000.0, true, NULL, NULL);
	CHECK(evtrack_owner_inodes(t, inodes, 4) == 1 && inodes[0] == 77,
	      "one inode wanted");
	CHECK(evtrack_fill_owners(t, fake_owner, &calls) == 0 && calls == 1, "fill");
	CHECK(evtrack_owner_inodes(t, inodes, 4) == 0, "asked once only");

	evtrack_begin(t);
	s.state = TS_CLOSE_WAIT;
	add(t, s);
	evtrack_finish(t, 2.5, 1763812800.125, false, NULL, NULL);
	CHECK(evtrack_owner_inodes(t, inodes, 4) == 0, "owners carried, not asked again");
	if (!(e = events(t, 2)))
		goto out;
	/* e[0]: ESTABLISHED -> CLOSE_WAIT, e[1]: TIME_WAIT -> GONE */
	fmt_json_event(&e[0], true, line, sizeof(line));
	const char *want_json =
	    "{\"time\":\"2025-11-22T12:00:00.125Z\",\"event\":\"change\",\"old\":\"ESTABLISHED\","
	    "\"new\":\"CLOSE_WAIT\",\"brief\":false,\"proto\":\"tcp\",\"local\":\"127.0.0.1:7000\","
	    "\"peer\":\"127.0.0.1:41234\",\"cookie\":\"85e9c\",\"in_state_ms\":null,"
	    "\"owners\":[{\"pid\":42,\"comm\":\"evil\\\"\\n\"}]}\n";
	CHECK(strcmp(line, want_json) == 0, "json:\n  got  %s  want %s", line, want_json);

	table_event_line(&e[0], true, line, sizeof(line));
	const char *want_table =
	    "12:00:00.125  ESTABLISHED -> CLOSE_WAIT  127.0.0.1:7000         "
	    "127.0.0.1:41234               -  42/evil\"\\n\n";
	CHECK(strcmp(line, want_table) == 0, "table:\n  got  '%s'\n  want '%s'", line,
	      want_table);

	table_event_line(&e[1], false, line, sizeof(line));
	const char *want_gone =
	    "12:00:00.125  TIME_WAIT -> GONE          127.0.0.1:7000         "
	    "127.0.0.1:41235               -\n";
	CHECK(strcmp(line, want_gone) == 0, "gone:\n  got  '%s'\n  want '%s'", line,
	      want_gone);

	table_event_header(false, line, sizeof(line));
	CHECK(strncmp(line, "Time          Event                      Local Address",
		      53) == 0,
	      "header '%s'", line);
out:
	evtrack_free(t);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_lifecycle();
	test_owners_and_format();
	return check_finish("test_evtrack");
}
