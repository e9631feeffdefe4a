/* test_explain.c - --explain: complete texts, spellings, walkthroughs, wrapping. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/states.h"
#include "render/explain.h"

/* Run explain_write into a malloc'd string; *ret gets its return value. */
static char *explain(const char *topic, int width, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	*ret = explain_write(f, topic, width);
	fclose(f);
	return buf;
}

/* Every line is at most width columns (the text is ASCII) and none ends in a blank. */
static void check_width(const char *out, int width, const char *what)
{
	int lineno = 0;
	const char *p = out;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		CHECK((int)n <= width, "%s at width %d: line %d is %zu wide: %.*s", what,
		      width, lineno, n, (int)n, p);
		CHECK(n == 0 || p[n - 1] != ' ', "%s: line %d ends in a blank", what,
		      lineno);
		if (!nl)
			break;
		p = nl + 1;
	}
	CHECK(lineno > 0, "%s: empty output", what);
}

/* A word from the text, as printed; words never break across lines at this width. */
static bool mentions(const char *out, const char *word)
{
	return strstr(out, word) != NULL;
}

static void check_fields(void)
{
	int s;

	for (s = 0; s < TS_NSTATES; s++) {
		const struct explain_state_text *t = explain_state((enum ts_state)s);
		const char *fields[] = {t ? t->netstat : NULL,	   t ? t->kernel : NULL,
					t ? t->meaning : NULL,	   t ? t->side : NULL,
					t ? t->moved_on_by : NULL, t ? t->duration : NULL,
					t ? t->many_means : NULL};

		CHECK(t, "no text for state %d", s);
		for (size_t i = 0; t && i < ARRAY_SIZE(fields); i++)
			CHECK(fields[i] && fields[i][0], "state %s: field %zu empty",
			      state_name((enum ts_state)s), i);
		/* prose is plain ASCII and one paragraph, so wrapping can count bytes */
		for (size_t i = 0; t && i < ARRAY_SIZE(fields); i++)
			for (const char *p = fields[i]; p && *p; p++)
				CHECK((unsigned char)*p >= 0x20 &&
					  (unsigned char)*p < 0x7f,
				      "state %s: field %zu has byte 0x%02x",
				      state_name((enum ts_state)s), i, (unsigned char)*p);
	}
	CHECK(explain_state(TS_UNKNOWN) == NULL, "text for TS_UNKNOWN");
	CHECK(explain_state((enum ts_state) - 1) == NULL, "text for -1");
}

static void check_states(void)
{
	int ret, s;
	char *all = explain(NULL, 80, &ret);
	char *empty;

	CHECK(ret == 0, "explain(NULL) = %d", ret);
	for (s = 0; s < TS_NSTATES; s++) {
		const char *name = state_name((enum ts_state)s);
		char *one = explain(name, 80, &ret);
		char head[32];

		CHECK(ret == 0, "explain(%s) = %d", name, ret);
		/* the explanation starts with the canonical name on its own line */
		snprintf(head, sizeof(head), "%s\n", name);
		CHECK(one && !strncmp(one, head, strlen(head)),
		      "explain(%s) does not start "
		      "with its name",
		      name);
		CHECK(one && strstr(all, one), "explain(%s) is not part of the full text",
		      name);
		/* only that state: no other state's heading */
		for (int o = 0; one && o < TS_NSTATES; o++) {
			char other[32];

			if (o == s)
				continue;
			snprintf(other, sizeof(other), "\n%s\n",
				 state_name((enum ts_state)o));
			CHECK(!strstr(one, other), "explain(%s) also explains %s", name,
			      state_name((enum ts_state)o));
		}
		/* the headings appear in lifecycle order */
		if (s > 0) {
			char prev[32], cur[32];

			snprintf(prev, sizeof(prev),
				 "%s\n  Spelled:", state_name((enum ts_state)(s - 1)));
			snprintf(cur, sizeof(cur), "%s\n  Spelled:", name);
			CHECK(strstr(all, prev) && strstr(all, cur) &&
				  strstr(all, prev) < strstr(all, cur),
			      "%s not after %s", name,
			      state_name((enum ts_state)(s - 1)));
		}
		free(one);
	}
	empty = explain("", 80, &ret);
	CHECK(ret == 0 && !strcmp(all, empty),
	      "explain(\"\") differs from explain(NULL)");
	free(empty);

	/* facts the issue asks for */
	CHECK(mentions(all, "60 s"), "no TIME_WAIT duration");
	CHECK(mentions(all, "130 s"), "no SYN_SENT give-up time");
	CHECK(mentions(all, "not calling close()"), "no CLOSE_WAIT diagnosis");
	CHECK(mentions(all, "SYN flood"), "no SYN_RCVD diagnosis");
	CHECK(mentions(all, "ephemeral ports"), "no TIME_WAIT port exhaustion");
	CHECK(mentions(all, "does not close"), "no FIN_WAIT_2 diagnosis");
	CHECK(mentions(all, "SO_REUSEADDR"), "no SO_REUSEADDR");
	CHECK(mentions(all, "Address already in use"), "no EADDRINUSE message");
	CHECK(mentions(all, "RST"), "no RST");
	CHECK(mentions(all, "shutdown(SHUT_WR)"), "no half-close");
	free(all);
}

static void check_spellings(void)
{
	static const struct {
		const char *word;
		enum ts_state state;
	} cases[] = {
	    {"time-wait", TS_TIME_WAIT}, {"ESTAB", TS_ESTABLISHED},
	    {"syn_recv", TS_SYN_RCVD},	 {"FIN-WAIT-1", TS_FIN_WAIT_1},
	    {"closed", TS_CLOSED},	 {"Close_Wait", TS_CLOSE_WAIT},
	};
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = explain(cases[i].word, 80, &ret);
		char head[32];

		snprintf(head, sizeof(head), "%s\n", state_name(cases[i].state));
		CHECK(ret == 0, "explain(%s) = %d", cases[i].word, ret);
		CHECK(out && !strncmp(out, head, strlen(head)), "explain(%s) is not %s",
		      cases[i].word, state_name(cases[i].state));
		free(out);
	}

	/* a group explains each of its states */
	{
		char *out = explain("passive-close", 80, &ret);

		CHECK(ret == 0, "explain(passive-close) = %d", ret);
		CHECK(out && strstr(out, "CLOSE_WAIT\n") && strstr(out, "\nLAST_ACK\n") &&
			  !strstr(out, "TIME_WAIT\n"),
		      "group passive-close not explained state by state");
		free(out);
	}
}

static void check_walkthroughs(void)
{
	static const char *const handshake[] = {"SYN_SENT", "SYN_RCVD",	 "ESTABLISHED",
						"LISTEN",   "connect()", "listen()",
						NULL};
	static const char *const close_[] = {
	    "FIN_WAIT_1", "FIN_WAIT_2",	  "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK",
	    "CLOSING",	  "SO_REUSEADDR", "RST",       "SHUT_WR",    NULL};
	int ret;
	char *h = explain("handshake", 80, &ret), *c;

	CHECK(ret == 0, "explain(handshake) = %d", ret);
	for (int i = 0; handshake[i]; i++)
		CHECK(mentions(h, handshake[i]), "handshake does not mention %s",
		      handshake[i]);
	/* "handshake" is also a state group: the walkthrough wins */
	CHECK(strncmp(h, "SYN_SENT\n", 9) != 0 && !strstr(h, "  Meaning:"),
	      "handshake printed the group instead of the walkthrough");
	free(h);

	c = explain("close", 80, &ret);
	CHECK(ret == 0, "explain(close) = %d", ret);
	for (int i = 0; close_[i]; i++)
		CHECK(mentions(c, close_[i]), "close does not mention %s", close_[i]);
	CHECK(!strstr(c, "  Meaning:"),
	      "close printed the CLOSED state, not the walkthrough");
	free(c);

	c = explain("CLOSE", 80, &ret);
	CHECK(ret == 0 && c && strstr(c, "FIN_WAIT_2"),
	      "topic names are case-insensitive");
	free(c);

	c = explain("sysctl", 80, &ret);
	CHECK(ret == 0, "explain(sysctl) = %d", ret);
	static const char *const knobs[] = {
	    "tcp_syn_retries, default 6",
	    "tcp_synack_retries, default 5",
	    "tcp_fin_timeout, default 60",
	    "tcp_tw_reuse, default 2",
	    "tcp_orphan_retries, default 0",
	    "tcp_max_orphans",
	    NULL,
	};
	for (int i = 0; knobs[i]; i++)
		CHECK(mentions(c, knobs[i]), "sysctl does not mention %s", knobs[i]);
	free(c);
}

static void check_unknown(void)
{
	static const char *const bad[] = {"nosuchstate", "TIME_WAITX", "fin", "handshak",
					  NULL};
	int ret;

	for (int i = 0; bad[i]; i++) {
		char *out = explain(bad[i], 80, &ret);

		CHECK(ret == -ENOENT, "explain(%s) = %d, expected -ENOENT", bad[i], ret);
		CHECK(!out || !*out, "explain(%s) wrote output", bad[i]);
		free(out);
	}
}

static void check_wrapping(void)
{
	static const char *const topics[] = {"",	  "handshake", "close", "sysctl",
					     "TIME_WAIT", "SYN_RCVD",  NULL};
	static const int widths[] = {40, 41, 52, 60, 66, 72, 80, 99, 100};
	int ret;

	for (int t = 0; topics[t]; t++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			char *out = explain(topics[t], widths[w], &ret);
			char what[64];

			snprintf(what, sizeof(what), "topic '%s'", topics[t]);
			CHECK(ret == 0, "%s at %d = %d", what, widths[w], ret);
			check_width(out, widths[w], what);
			free(out);
		}

	/* defaults and limits: <= 0 is 80, narrow is raised to 40, wide lowered to 100 */
	{
		char *d = explain("", 0, &ret), *e = explain("", 80, &ret);
		char *n = explain("", 10, &ret), *f = explain("", 40, &ret);
		char *x = explain("", 500, &ret);

		CHECK(!strcmp(d, e), "width 0 is not 80");
		CHECK(!strcmp(n, f), "width 10 is not raised to 40");
		check_width(x, 100, "width 500");
		free(d);
		free(e);
		free(n);
		free(f);
		free(x);
	}

	/* the ladder picture shows at 80 columns and is left out when it does not fit */
	{
		char *wide = explain("handshake", 80, &ret),
		     *narrow = explain("handshake", 50, &ret);

		CHECK(strstr(wide, "--->"), "no ladder at 80 columns");
		CHECK(!strstr(narrow, "--->"), "ladder at 50 columns");
		free(wide);
		free(narrow);
	}
}

static void check_topics(void)
{
	const char *const *t = explain_topics();
	int n = 0, ret;
	bool handshake = false, close_ = false;

	for (; t[n]; n++) {
		char *out = explain(t[n], 80, &ret);

		CHECK(ret == 0, "topic %s from explain_topics() gives %d", t[n], ret);
		free(out);
		if (n < TS_NSTATES)
			CHECK(!strcmp(t[n], state_name((enum ts_state)n)),
			      "topic %d is %s", n, t[n]);
		handshake |= !strcmp(t[n], "handshake");
		close_ |= !strcmp(t[n], "close");
	}
	CHECK(n >= TS_NSTATES + 2, "only %d topics", n);
	CHECK(handshake && close_, "walkthroughs missing from explain_topics()");
	CHECK(explain_topics() == t, "explain_topics() not stable");
}

/* The lessons: listed, rendered within every width, saying what they are about. */
static void check_lessons(void)
{
	static const struct {
		const char *topic, *title, *must;
	} lessons[] = {
	    {"three-way", "three segments", "SYN+ACK"},
	    {"four-way", "four segments", "CLOSE_WAIT"},
	    {"half-close", "SHUT_WR", "end of file"},
	    {"2msl", "2MSL", "60 seconds"},
	    {"rst", "RST", "SO_LINGER"},
	    {"half-open", "Half-open", "keepalive"},
	    {"reuseaddr", "SO_REUSEADDR", "EADDRINUSE"},
	    {"simultaneous", "Simultaneous", "CLOSING"},
	};
	static const int widths[] = {40, 57, 80, 100};
	const char *const *t = explain_topics();
	char *all;
	int ret;

	all = explain("", 100, &ret);
	for (size_t i = 0; i < sizeof(lessons) / sizeof(lessons[0]); i++) {
		bool listed = false;

		for (int n = 0; t[n]; n++)
			listed |= !strcmp(t[n], lessons[i].topic);
		CHECK(listed, "%s missing from explain_topics()", lessons[i].topic);
		CHECK(strstr(all, lessons[i].topic), "--explain does not name %s",
		      lessons[i].topic);
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			char *out = explain(lessons[i].topic, widths[w], &ret);

			CHECK(ret == 0, "%s at %d = %d", lessons[i].topic, widths[w],
			      ret);
			check_width(out, widths[w], lessons[i].topic);
			if (widths[w] == 100) {
				char *nl = strchr(out, '\n');
				CHECK(nl && memmem(out, (size_t)(nl - out),
						   lessons[i].title,
						   strlen(lessons[i].title)),
				      "%s: title lacks '%s'", lessons[i].topic,
				      lessons[i].title);
				CHECK(strstr(out, lessons[i].must),
				      "%s does not mention %s", lessons[i].topic,
				      lessons[i].must);
			}
			free(out);
		}
	}
	free(all);
	/* case-insensitive, like the states */
	{
		char *a = explain("2MSL", 80, &ret), *b = explain("2msl", 80, &ret);
		CHECK(ret == 0 && !strcmp(a, b), "2MSL differs from 2msl");
		free(a);
		free(b);
	}
}

int main(void)
{
	int ret;

	check_fields();
	check_states();
	check_spellings();
	check_walkthroughs();
	check_unknown();
	check_wrapping();
	check_topics();
	check_lessons();

	/* a write error is reported */
	{
		FILE *full = fopen("/dev/full", "w");

		if (full) {
			ret = explain_write(full, NULL, 80);
			CHECK(ret == -EIO, "explain_write to /dev/full = %d", ret);
			fclose(full);
		}
	}

	return check_finish("test_explain");
}
