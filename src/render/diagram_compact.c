/* diagram_compact.c - --diagram in one column, for a terminal narrower than the drawing:
 * every state in lifecycle order with its count and the transitions out of it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "model/states.h"
#include "render/diagram.h"

/* The transitions of RFC 793 (figure 6) and RFC 9293, as the full drawing labels them. */
static const struct {
	enum ts_state from, to;
	const char *how;
} transitions[] = {
    {TS_CLOSED, TS_LISTEN, "listen()"},
    {TS_CLOSED, TS_SYN_SENT, "connect() / snd SYN"},
    {TS_LISTEN, TS_SYN_RCVD, "rcv SYN / snd SYN,ACK"},
    {TS_SYN_SENT, TS_ESTABLISHED, "rcv SYN,ACK / snd ACK"},
    {TS_SYN_SENT, TS_SYN_RCVD, "rcv SYN / snd ACK"},
    {TS_SYN_RCVD, TS_ESTABLISHED, "rcv ACK"},
    {TS_ESTABLISHED, TS_FIN_WAIT_1, "close() / snd FIN"},
    {TS_ESTABLISHED, TS_CLOSE_WAIT, "rcv FIN / snd ACK"},
    {TS_FIN_WAIT_1, TS_FIN_WAIT_2, "rcv ACK"},
    {TS_FIN_WAIT_1, TS_CLOSING, "rcv FIN / snd ACK"},
    {TS_FIN_WAIT_2, TS_TIME_WAIT, "rcv FIN / snd ACK"},
    {TS_CLOSE_WAIT, TS_LAST_ACK, "close() / snd FIN"},
    {TS_CLOSING, TS_TIME_WAIT, "rcv ACK"},
    {TS_LAST_ACK, TS_CLOSED, "rcv ACK"},
    {TS_TIME_WAIT, TS_CLOSED, "2MSL timeout"},
};

int diagram_write_compact(FILE *out, const uint64_t counts[TS_NSTATES], bool unicode)
{
	const char *arrow = unicode ? "\u2192" : "->";

	for (int s = 0; s < TS_NSTATES; s++) {
		fprintf(out, "%-11s %8" PRIu64 "\n", state_name((enum ts_state)s),
			counts[s]);
		for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
			if (transitions[i].from == (enum ts_state)s)
				fprintf(out, "  %s %-11s %s\n", arrow,
					state_name(transitions[i].to),
					transitions[i].how);
	}
	return ferror(out) ? -EIO : 0;
}
