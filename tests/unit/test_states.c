/* test_states.c - the state table, spellings, groups and kernel masks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "model/states.h"

static void expect_state(const char *word, enum ts_state want)
{
	state_set set = 0;
	int err = state_parse(word, &set);

	CHECK(err == 0, "'%s' did not parse", word);
	CHECK(set == STATE_BIT(want), "'%s' parsed to 0x%x, want %s", word, set,
	      state_name(want));
}

int main(void)
{
	static const char *const names[TS_NSTATES] = {
	    "CLOSED",	   "LISTEN",	 "SYN_SENT",   "SYN_RCVD",
	    "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
	    "CLOSING",	   "LAST_ACK",	 "TIME_WAIT",
	};
	/* kernel code -> expected state (include/net/tcp_states.h) */
	static const struct {
		int code;
		enum ts_state st;
	} kmap[] = {
	    {1, TS_ESTABLISHED}, {2, TS_SYN_SENT},  {3, TS_SYN_RCVD}, {4, TS_FIN_WAIT_1},
	    {5, TS_FIN_WAIT_2},	 {6, TS_TIME_WAIT}, {7, TS_CLOSED},   {8, TS_CLOSE_WAIT},
	    {9, TS_LAST_ACK},	 {10, TS_LISTEN},   {11, TS_CLOSING}, {12, TS_SYN_RCVD},
	    {13, TS_CLOSED},
	};

	for (int i = 0; i < TS_NSTATES; i++) {
		CHECK(strcmp(state_name((enum ts_state)i), names[i]) == 0, "name %d", i);
		CHECK(state_table[i].id == (enum ts_state)i, "table order %d", i);
		expect_state(names[i], (enum ts_state)i);
		expect_state(state_table[i].ss_name, (enum ts_state)i);
	}
	for (size_t i = 0; i < ARRAY_SIZE(kmap); i++)
		CHECK(state_from_kernel((uint8_t)kmap[i].code) == kmap[i].st,
		      "kernel code %d", kmap[i].code);
	CHECK(state_from_kernel(0) == TS_UNKNOWN, "code 0");
	CHECK(state_from_kernel(14) == TS_UNKNOWN, "code 14");
	CHECK(state_from_kernel(255) == TS_UNKNOWN, "code 255");
	CHECK(strcmp(state_name(TS_UNKNOWN), "UNKNOWN") == 0, "unknown name");

	expect_state("established", TS_ESTABLISHED);
	expect_state("ESTAB", TS_ESTABLISHED);
	expect_state("syn-recv", TS_SYN_RCVD);
	expect_state("SYN_RECV", TS_SYN_RCVD);
	expect_state("syn-received", TS_SYN_RCVD);
	expect_state("FIN_WAIT1", TS_FIN_WAIT_1);
	expect_state("fin-wait-1", TS_FIN_WAIT_1);
	expect_state("fin-wait-2", TS_FIN_WAIT_2);
	expect_state("UNCONN", TS_CLOSED);
	expect_state("close", TS_CLOSED);
	expect_state("LISTENING", TS_LISTEN);
	expect_state("time-wait", TS_TIME_WAIT);
	expect_state("Close-Wait", TS_CLOSE_WAIT);
	expect_state("last-ack", TS_LAST_ACK);

	state_set set;
	CHECK(state_parse("handshake", &set) == 0 &&
		  set == (STATE_BIT(TS_SYN_SENT) | STATE_BIT(TS_SYN_RCVD)),
	      "handshake group");
	CHECK(state_parse("teardown", &set) == 0 && state_set_count(set) == 6,
	      "teardown");
	CHECK(state_parse("active-close", &set) == 0 && state_set_count(set) == 4 &&
		  (set & STATE_BIT(TS_TIME_WAIT)),
	      "active-close");
	CHECK(state_parse("passive_close", &set) == 0 &&
		  set == (STATE_BIT(TS_CLOSE_WAIT) | STATE_BIT(TS_LAST_ACK)),
	      "passive-close");
	CHECK(state_parse("all", &set) == 0 && set == STATE_SET_ALL, "all");
	CHECK(state_parse("connected", &set) == 0 && !(set & STATE_BIT(TS_LISTEN)) &&
		  !(set & STATE_BIT(TS_CLOSED)) && state_set_count(set) == 9,
	      "connected");
	CHECK(state_parse("synchronized", &set) == 0 && state_set_count(set) == 8,
	      "synchronized");
	CHECK(state_parse("bogus", &set) == -EINVAL, "bogus accepted");
	CHECK(state_parse("", &set) == -EINVAL, "empty accepted");
	CHECK(state_parse("-", &set) == -EINVAL, "dash accepted");

	const char *s = state_suggest("establised");
	CHECK(s && strcmp(s, "ESTABLISHED") == 0, "suggest establised -> %s",
	      s ? s : "NULL");
	s = state_suggest("tme_wait");
	CHECK(s && strcmp(s, "TIME_WAIT") == 0, "suggest tme_wait");
	CHECK(state_suggest("xyzzyplugh") == NULL, "suggest nonsense");

	uint32_t m = state_set_to_kernel(STATE_BIT(TS_SYN_RCVD), false);
	CHECK(m == ((1u << 3) | (1u << 12)), "SYN_RCVD mask 0x%x", m);
	m = state_set_to_kernel(STATE_BIT(TS_CLOSED), true);
	CHECK(m == ((1u << 7) | (1u << 13)), "CLOSED mask 0x%x", m);
	m = state_set_to_kernel(STATE_BIT(TS_CLOSED), false);
	CHECK(m == (1u << 7), "CLOSED mask without bound-inactive 0x%x", m);
	m = state_set_to_kernel(STATE_BIT(TS_LISTEN), true);
	CHECK(m == (1u << 10), "LISTEN mask 0x%x", m);
	CHECK(!(state_set_to_kernel(STATE_SET_DEFAULT, true) & ((1u << 10) | (1u << 13))),
	      "default mask has LISTEN or bound-inactive");

	return check_finish("test_states");
}
