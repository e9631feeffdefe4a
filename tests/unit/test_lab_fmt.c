/* test_lab_fmt.c - --lab without a namespace: the lesson table, roles, and the
 * transcripts (text and JSON lines) of made-up steps as golden strings. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "check.h"
#include "query/lab.h"
#include "render/lab_fmt.h"

static void check_table(void)
{
	static const char *const names[] = {
	    "handshake", "close", "simultaneous-close", "rst", "half-close", "reuseaddr"};
	size_t n = 0;

	for (const struct lab_lesson *l = lab_lessons; l->name; l++, n++) {
		CHECK(n < 6 && !strcmp(l->name, names[n]), "lesson %zu is %s", n,
		      l->name);
		CHECK(l->n_steps >= 3, "%s has %zu steps", l->name, l->n_steps);
		for (size_t i = 0; i < l->n_steps; i++) {
			const struct lab_step *s = &l->steps[i];
			CHECK(s->run && s->call && s->point, "%s step %zu incomplete",
			      l->name, i + 1);
			CHECK(!strcmp(s->actor, "client") ||
				  !strcmp(s->actor, "server") ||
				  !strcmp(s->actor, "both"),
			      "%s step %zu: actor %s", l->name, i + 1, s->actor);
		}
	}
	CHECK(n == 6, "%zu lessons", n);
	CHECK(lab_lesson_find("RST") == &lab_lessons[3],
	      "lookup is not case-insensitive");
	CHECK(lab_lesson_find("three-way") == NULL, "an explain topic is not a lesson");
	CHECK(lab_role_of(LAB_CLIENT_PORT, LAB_SERVER_PORT) == LAB_ROLE_CLIENT, "client");
	CHECK(lab_role_of(LAB_SERVER_PORT, LAB_CLIENT_PORT) == LAB_ROLE_SERVER, "server");
	CHECK(lab_role_of(LAB_SERVER_PORT, 0) == LAB_ROLE_LISTENER, "listener");
	CHECK(lab_role_of(7000, 0) == LAB_ROLE_OTHER, "other");
	CHECK(!strcmp(lab_role_name(LAB_ROLE_LISTENER), "listener"), "role name");
	CHECK(!strcmp(lab_errno_name(EADDRINUSE), "EADDRINUSE"), "errno name");
	CHECK(!strcmp(lab_errno_name(0), "ok"), "errno 0");
}

static void add(struct sock_set *set, uint16_t lport, uint16_t rport, enum ts_state st)
{
	struct sock_rec r = {.family = AF_INET, .state = (uint8_t)st};

	r.lport = lport;
	r.rport = rport;
	inet_pton(AF_INET, "127.0.0.1", r.laddr);
	if (rport)
		inet_pton(AF_INET, "127.0.0.1", r.raddr);
	ASSERT(sock_set_add(set, &r) == 0, "sock_set_add");
}

/* Render one step into a string. */
static char *render(const struct lab_seen *s, struct lab_seq *q, bool jsonl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT(f, "open_memstream");
	CHECK(lab_fmt_step(f, s, q, jsonl) == 0, "lab_fmt_step failed");
	fclose(f);
	return buf;
}

static void check_close_step(void)
{
	const uint32_t c = 1000, s = 5000; /* the initial sequence numbers */
	const struct lab_segment segs[] = {
	    {LAB_CLIENT_PORT, LAB_SERVER_PORT, c + 1, s + 1, LAB_FIN | LAB_ACK, 0, 64},
	    {LAB_SERVER_PORT, LAB_CLIENT_PORT, s + 1, c + 2, LAB_ACK, 0, 64},
	};
	struct lab_seq q = {{c, s}, {true, true}};
	struct sock_set set = {0};
	struct lab_seen seen = {.lesson = lab_lesson_find("close"),
				.step = 1,
				.settled = true,
				.segs = segs,
				.n_segs = 2,
				.socks = &set};
	char *text, *json;

	add(&set, LAB_SERVER_PORT, LAB_CLIENT_PORT, TS_CLOSE_WAIT);
	add(&set, LAB_CLIENT_PORT, LAB_SERVER_PORT, TS_FIN_WAIT_2);
	add(&set, 7000, 0, TS_LISTEN); /* not the lesson's: left out */
	text = render(&seen, &q, false);
	CHECK(
	    !strcmp(text,
		    "\nStep 2/4  client: close()\n"
		    "  client -> server  FIN,ACK     seq 1 ack 1\n"
		    "  server -> client  ACK         seq 1 ack 2\n"
		    "  client    127.0.0.1:40000  127.0.0.1:8080   FIN_WAIT_2\n"
		    "  server    127.0.0.1:8080   127.0.0.1:40000  CLOSE_WAIT\n"
		    "  The active closer sends FIN and goes through FIN_WAIT_1; the "
		    "server's kernel\n"
		    "  ACKs at once, so the client waits in FIN_WAIT_2 and the server in "
		    "CLOSE_WAIT.\n"),
	    "close step 2 as text:\n%s", text);
	json = render(&seen, &q, true);
	CHECK(
	    !strcmp(
		json,
		"{\"lesson\":\"close\",\"step\":2,\"actor\":\"client\",\"call\":\"close()"
		"\",\"result\":\"ok\",\"segments\":[{\"from\":\"client\",\"to\":"
		"\"server\",\"flags\":\"FIN,ACK\",\"seq\":1,\"ack\":1,\"len\":0,\"win\":"
		"64},{\"from\":\"server\",\"to\":\"client\",\"flags\":\"ACK\",\"seq\":1,"
		"\"ack\":2,\"len\":0,\"win\":64}],\"sockets\":[{\"role\":\"client\","
		"\"local\":\"127.0.0.1:40000\",\"remote\":\"127.0.0.1:8080\",\"state\":"
		"\"FIN_WAIT_2\"},{\"role\":\"server\",\"local\":\"127.0.0.1:8080\","
		"\"remote\":\"127.0.0.1:40000\",\"state\":\"CLOSE_WAIT\"}],\"settled\":"
		"true,\"point\":\"The active closer sends FIN and goes through "
		"FIN_WAIT_1; the server's kernel ACKs at once, so the client waits in "
		"FIN_WAIT_2 and the server in CLOSE_WAIT.\"}\n"),
	    "close step 2 as JSON:\n%s", json);
	free(text);
	free(json);
	sock_set_done(&set);
}

/* A SYN sets the numbering; a refused connect shows the result and a raw RST seq. */
static void check_refused_step(void)
{
	const struct lab_segment segs[] = {
	    {LAB_CLIENT_PORT, LAB_SERVER_PORT, 777, 0, LAB_SYN, 0, 65495},
	    {LAB_SERVER_PORT, LAB_CLIENT_PORT, 0, 778, LAB_RST | LAB_ACK, 0, 0},
	};
	struct lab_seq q = {{0, 0}, {false, false}};
	struct sock_set set = {0};
	struct lab_seen seen = {.lesson = lab_lesson_find("rst"),
				.step = 0,
				.result = ECONNREFUSED,
				.settled = false,
				.segs = segs,
				.n_segs = 2,
				.socks = &set};
	char *text = render(&seen, &q, false);

	CHECK(strstr(text, "  -> ECONNREFUSED (Connection refused)\n"
			   "  client -> server  SYN         seq 0\n"
			   "  server -> client  RST,ACK     seq 0 ack 1\n") != NULL,
	      "rst step 1:\n%s", text);
	CHECK(strstr(text, "had not reached") != NULL, "unsettled step not said:\n%s",
	      text);
	free(text);
}

/* A bulk step lists SYN/FIN/RST and counts the rest per direction. */
static void check_bulk_step(void)
{
	struct lab_segment segs[12];
	struct lab_seq q = {{0, 0}, {true, true}};
	struct sock_set set = {0};
	struct lab_seen seen = {.lesson = lab_lesson_find("simultaneous-close"),
				.step = 4,
				.settled = true,
				.segs = segs,
				.n_segs = 12,
				.socks = &set};
	char *text, *json;

	for (int i = 0; i < 10; i++)
		segs[i] = (struct lab_segment){LAB_CLIENT_PORT,
					       LAB_SERVER_PORT,
					       (uint32_t)(1 + 100 * i),
					       2,
					       LAB_ACK,
					       100,
					       64};
	segs[10] = (struct lab_segment){
	    LAB_SERVER_PORT, LAB_CLIENT_PORT, 2, 1001, LAB_ACK, 0, 64};
	segs[11] = (struct lab_segment){
	    LAB_CLIENT_PORT, LAB_SERVER_PORT, 1001, 2, LAB_FIN | LAB_ACK, 0, 64};
	text = render(&seen, &q, false);
	CHECK(strstr(text, "  client -> server  FIN,ACK     seq 1001 ack 2\n"
			   "  client -> server  10 segments with 1000 bytes of data\n"
			   "  server -> client  1 ACKs and window probes\n") != NULL,
	      "bulk step:\n%s", text);
	json = render(&seen, &q, true);
	CHECK(strstr(json,
		     "\"more\":[{\"from\":\"client\",\"segments\":10,\"bytes\":1000},"
		     "{\"from\":\"server\",\"segments\":1,\"bytes\":0}]") != NULL,
	      "bulk step JSON:\n%s", json);
	free(text);
	free(json);
}

static void check_header(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(lab_fmt_header(f, lab_lesson_find("reuseaddr"), 42, true) == 0, "header");
	fclose(f);
	CHECK(!strcmp(buf,
		      "{\"lesson\":\"reuseaddr\",\"title\":\"Restarting a server: "
		      "TIME_WAIT and SO_REUSEADDR\",\"steps\":5,\"pid\":42,\"client\":"
		      "\"127.0.0.1:40000\",\"server\":\"127.0.0.1:8080\",\"explain\":"
		      "\"reuseaddr\"}\n"),
	      "JSON header:\n%s", buf);
	free(buf);
}

/* Every step of every lesson, as text, fits 80 columns (a terminal cuts longer lines). */
static void check_width(void)
{
	struct sock_set set = {0};

	add(&set, LAB_CLIENT_PORT, LAB_SERVER_PORT, TS_ESTABLISHED);
	for (const struct lab_lesson *l = lab_lessons; l->name; l++) {
		for (size_t i = 0; i < l->n_steps; i++) {
			struct lab_seq q = {{0, 0}, {false, false}};
			struct lab_seen seen = {
			    .lesson = l, .step = i, .settled = true, .socks = &set};
			char *text = render(&seen, &q, false);

			for (char *line = strtok(text, "\n"); line;
			     line = strtok(NULL, "\n"))
				CHECK(strlen(line) <= 80, "%s step %zu: %zu columns: %s",
				      l->name, i + 1, strlen(line), line);
			free(text);
		}
	}
	sock_set_done(&set);
}

int main(void)
{
	check_table();
	check_close_step();
	check_refused_step();
	check_bulk_step();
	check_header();
	check_width();
	return check_finish("test_lab_fmt");
}
