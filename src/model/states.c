/* states.c - the table of the 11 TCP states, their spellings and groups. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "base/strutil.h"
#include "model/states.h"

const struct state_info state_table[TS_NSTATES] = {
    [TS_CLOSED] = {TS_CLOSED, "CLOSED", "UNCONN", KTCP_CLOSE,
		   "no connection: bound or created but neither listening nor connected"},
    [TS_LISTEN] = {TS_LISTEN, "LISTEN", "LISTEN", KTCP_LISTEN,
		   "waiting for connection requests (passive open)"},
    [TS_SYN_SENT] = {TS_SYN_SENT, "SYN_SENT", "SYN-SENT", KTCP_SYN_SENT,
		     "SYN sent, waiting for the peer's SYN,ACK (active open)"},
    [TS_SYN_RCVD] = {TS_SYN_RCVD, "SYN_RCVD", "SYN-RECV", KTCP_SYN_RECV,
		     "SYN received and SYN,ACK sent, waiting for the final ACK"},
    [TS_ESTABLISHED] = {TS_ESTABLISHED, "ESTABLISHED", "ESTAB", KTCP_ESTABLISHED,
			"open connection: data flows both ways"},
    [TS_FIN_WAIT_1] = {TS_FIN_WAIT_1, "FIN_WAIT_1", "FIN-WAIT-1", KTCP_FIN_WAIT1,
		       "we closed and sent FIN, waiting for its ACK (active close)"},
    [TS_FIN_WAIT_2] = {TS_FIN_WAIT_2, "FIN_WAIT_2", "FIN-WAIT-2", KTCP_FIN_WAIT2,
		       "our FIN was acknowledged, waiting for the peer's FIN"},
    [TS_CLOSE_WAIT] = {TS_CLOSE_WAIT, "CLOSE_WAIT", "CLOSE-WAIT", KTCP_CLOSE_WAIT,
		       "the peer closed; waiting for the local application to close"},
    [TS_CLOSING] = {TS_CLOSING, "CLOSING", "CLOSING", KTCP_CLOSING,
		    "both sides closed at once, waiting for the ACK of our FIN"},
    [TS_LAST_ACK] = {TS_LAST_ACK, "LAST_ACK", "LAST-ACK", KTCP_LAST_ACK,
		     "passive closer sent its FIN, waiting for the last ACK"},
    [TS_TIME_WAIT] = {TS_TIME_WAIT, "TIME_WAIT", "TIME-WAIT", KTCP_TIME_WAIT,
		      "active closer waits 2MSL so late segments die out"},
};

#define S(x) STATE_BIT(TS_##x)
#define TEARDOWN                                                                         \
	(S(FIN_WAIT_1) | S(FIN_WAIT_2) | S(CLOSE_WAIT) | S(CLOSING) | S(LAST_ACK) |      \
	 S(TIME_WAIT))
#define CONNECTED (STATE_SET_ALL & ~S(LISTEN) & ~S(CLOSED))

const struct state_group state_groups[] = {
    {"all", STATE_SET_ALL, "every state"},
    {"connected", CONNECTED, "every state but LISTEN and CLOSED"},
    {"synchronized", CONNECTED & ~S(SYN_SENT), "connected states past the first SYN"},
    {"handshake", S(SYN_SENT) | S(SYN_RCVD), "SYN_SENT and SYN_RCVD"},
    {"teardown", TEARDOWN, "the six closing states"},
    {"active-close", S(FIN_WAIT_1) | S(FIN_WAIT_2) | S(CLOSING) | S(TIME_WAIT),
     "states of the side that closed first"},
    {"passive-close", S(CLOSE_WAIT) | S(LAST_ACK),
     "states of the side that closed second"},
    {"bucket", S(SYN_RCVD) | S(TIME_WAIT), "minisockets (ss's name)"},
    {"big", STATE_SET_ALL & ~S(SYN_RCVD) & ~S(TIME_WAIT), "full sockets (ss's name)"},
    {NULL, 0, NULL},
};

/*
 * Every spelling we accept, after folding: lower case with '-' and '_' removed, so
 * "FIN-WAIT-1", "fin_wait1" and "FINWAIT1" all become "finwait1".
 */
static const struct {
	const char *folded;
	enum ts_state id;
} state_aliases[] = {
    {"closed", TS_CLOSED},	  {"close", TS_CLOSED},
    {"unconn", TS_CLOSED},	  {"unconnected", TS_CLOSED},
    {"boundinactive", TS_CLOSED}, {"listen", TS_LISTEN},
    {"listening", TS_LISTEN},	  {"synsent", TS_SYN_SENT},
    {"synrcvd", TS_SYN_RCVD},	  {"synrecv", TS_SYN_RCVD},
    {"synreceived", TS_SYN_RCVD}, {"established", TS_ESTABLISHED},
    {"estab", TS_ESTABLISHED},	  {"finwait1", TS_FIN_WAIT_1},
    {"finwait2", TS_FIN_WAIT_2},  {"closewait", TS_CLOSE_WAIT},
    {"closing", TS_CLOSING},	  {"lastack", TS_LAST_ACK},
    {"timewait", TS_TIME_WAIT},
};

const char *state_name(enum ts_state s)
{
	if ((unsigned)s >= TS_NSTATES)
		return "UNKNOWN";
	return state_table[s].name;
}

enum ts_state state_from_kernel(uint8_t kcode)
{
	switch (kcode) {
	case KTCP_NEW_SYN_RECV: /* request sockets; inet_diag reports them as SYN_RECV */
		return TS_SYN_RCVD;
	case KTCP_BOUND_INACTIVE: /* inet_diag reports them as CLOSE, but be lenient */
		return TS_CLOSED;
	default:
		break;
	}
	for (int i = 0; i < TS_NSTATES; i++)
		if (state_table[i].kernel_code == kcode)
			return (enum ts_state)i;
	return TS_UNKNOWN;
}

/* Fold a word for comparison; returns -EINVAL when it does not fit or is empty. */
static int fold(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	for (; *in; in++) {
		if (*in == '-' || *in == '_')
			continue;
		if (n + 1 >= outsz)
			return -EINVAL;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
	return n ? 0 : -EINVAL;
}

int state_parse(const char *word, state_set *ret_set)
{
	char w[32], g[32];

	if (fold(word, w, sizeof(w)) < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(state_aliases) / sizeof(state_aliases[0]); i++) {
		if (strcmp(w, state_aliases[i].folded) == 0) {
			*ret_set = STATE_BIT(state_aliases[i].id);
			return 0;
		}
	}
	for (int i = 0; state_groups[i].name; i++) {
		if (fold(state_groups[i].name, g, sizeof(g)) == 0 && strcmp(w, g) == 0) {
			*ret_set = state_groups[i].set;
			return 0;
		}
	}
	return -EINVAL;
}

const char *state_suggest(const char *word)
{
	char w[32], g[32];
	const char *best = NULL;
	size_t best_d = 3; /* suggest only within two edits */

	if (fold(word, w, sizeof(w)) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(state_aliases) / sizeof(state_aliases[0]); i++) {
		size_t d = strutil_distance(w, state_aliases[i].folded);
		if (d < best_d) {
			best_d = d;
			best = state_table[state_aliases[i].id].name;
		}
	}
	for (int i = 0; state_groups[i].name; i++) {
		if (fold(state_groups[i].name, g, sizeof(g)) < 0)
			continue;
		size_t d = strutil_distance(w, g);
		if (d < best_d) {
			best_d = d;
			best = state_groups[i].name;
		}
	}
	return best;
}

uint32_t state_set_to_kernel(state_set set, bool bound_inactive)
{
	uint32_t mask = 0;

	for (int i = 0; i < TS_NSTATES; i++)
		if (set & STATE_BIT(i))
			mask |= 1u << state_table[i].kernel_code;
	if (set & STATE_BIT(TS_SYN_RCVD))
		mask |= 1u << KTCP_NEW_SYN_RECV;
	if ((set & STATE_BIT(TS_CLOSED)) && bound_inactive)
		mask |= 1u << KTCP_BOUND_INACTIVE;
	return mask;
}

int state_set_count(state_set set)
{
	return __builtin_popcount(set);
}
