/* test_fmt.c - golden strings for the machine formats: JSON, JSON lines, CSV,
 * OpenMetrics. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/hist.h"
#include "aggregate/sortkeys.h"
#include "aggregate/summary.h"
#include "cli/cli.h"
#include "model/columns.h"
#include "render/colfmt.h"
#include "render/fmt_csv.h"
#include "render/fmt_json.h"
#include "render/fmt_om.h"
#include "render_fixture.h"

/* Regenerate with GOLDEN_DUMP=1 and check every change by eye. */
#define JSON_SOCKETS_GOLDEN                                                                                                                                                                                                                                                                                       \
	"{\"version\":1,\"sockets\":[\n"                                                                                                                                                                                                                                                                          \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":128,\"local\":\"127.0.0.1:22\",\"foreign\":\"0.0.0.0:*\",\"state\":\"LISTEN\",\"owners\":[{\"pid\":100,\"comm\":\"sshd\"}],\"lport\":22,\"rport\":0},\n"                                                                                                        \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":0,\"local\":\"127.0.0.1:40000\",\"foreign\":\"127.0.0.1:22\",\"state\":\"ESTABLISHED\",\"owners\":[{\"pid\":200,\"comm\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\"}],\"lport\":40000,\"rport\":22},\n"                                                            \
	"{\"proto\":\"tcp6\",\"recvq\":5,\"sendq\":0,\"local\":\"[::1]:8080\",\"foreign\":\"[::1]:50000\",\"state\":\"CLOSE_WAIT\",\"owners\":[{\"pid\":200,\"comm\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\"},{\"pid\":201,\"comm\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\"}],\"lport\":8080,\"rport\":50000},\n" \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":0,\"local\":\"10.0.0.1:443\",\"foreign\":\"192.0.2.7:51000\",\"state\":\"TIME_WAIT\",\"owners\":[],\"lport\":443,\"rport\":51000},\n"                                                                                                                           \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":0,\"local\":\"10.0.0.1:443\",\"foreign\":\"192.0.2.9:51001\",\"state\":\"TIME_WAIT\",\"owners\":[],\"lport\":443,\"rport\":51001},\n"                                                                                                                           \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":1448,\"local\":\"10.0.0.1:443\",\"foreign\":\"192.0.2.7:51002\",\"state\":\"ESTABLISHED\",\"owners\":[{\"pid\":100,\"comm\":\"sshd\"}],\"lport\":443,\"rport\":51002}\n"                                                                                        \
	"]}\n"

#define JSONL_SOCKETS_GOLDEN                                                                                                                                                                                                                                                                                     \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":128,\"local\":\"127.0.0.1:22\",\"foreign\":\"0.0.0.0:*\",\"state\":\"LISTEN\",\"owners\":[{\"pid\":100,\"comm\":\"sshd\"}],\"lport\":22,\"rport\":0}\n"                                                                                                        \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":0,\"local\":\"127.0.0.1:40000\",\"foreign\":\"127.0.0.1:22\",\"state\":\"ESTABLISHED\",\"owners\":[{\"pid\":200,\"comm\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\"}],\"lport\":40000,\"rport\":22}\n"                                                            \
	"{\"proto\":\"tcp6\",\"recvq\":5,\"sendq\":0,\"local\":\"[::1]:8080\",\"foreign\":\"[::1]:50000\",\"state\":\"CLOSE_WAIT\",\"owners\":[{\"pid\":200,\"comm\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\"},{\"pid\":201,\"comm\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\"}],\"lport\":8080,\"rport\":50000}\n" \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":0,\"local\":\"10.0.0.1:443\",\"foreign\":\"192.0.2.7:51000\",\"state\":\"TIME_WAIT\",\"owners\":[],\"lport\":443,\"rport\":51000}\n"                                                                                                                           \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":0,\"local\":\"10.0.0.1:443\",\"foreign\":\"192.0.2.9:51001\",\"state\":\"TIME_WAIT\",\"owners\":[],\"lport\":443,\"rport\":51001}\n"                                                                                                                           \
	"{\"proto\":\"tcp\",\"recvq\":0,\"sendq\":1448,\"local\":\"10.0.0.1:443\",\"foreign\":\"192.0.2.7:51002\",\"state\":\"ESTABLISHED\",\"owners\":[{\"pid\":100,\"comm\":\"sshd\"}],\"lport\":443,\"rport\":51002}\n"

#define CSV_SOCKETS_GOLDEN                                                                                                              \
	"proto,recvq,sendq,local,foreign,state,owners,lport,rport\015\n"                                                                \
	"tcp,0,128,127.0.0.1:22,0.0.0.0:*,LISTEN,100/sshd,22,0\015\n"                                                                   \
	"tcp,0,0,127.0.0.1:40000,127.0.0.1:22,ESTABLISHED,\"200/ev\"\"il\\\\,\\n\\x1b\\xff\",40000,22\015\n"                            \
	"tcp6,5,0,[::1]:8080,[::1]:50000,CLOSE_WAIT,\"200/ev\"\"il\\\\,\\n\\x1b\\xff,201/ev\"\"il\\\\,\\n\\x1b\\xff\",8080,50000\015\n" \
	"tcp,0,0,10.0.0.1:443,192.0.2.7:51000,TIME_WAIT,-,443,51000\015\n"                                                              \
	"tcp,0,0,10.0.0.1:443,192.0.2.9:51001,TIME_WAIT,-,443,51001\015\n"                                                              \
	"tcp,0,1448,10.0.0.1:443,192.0.2.7:51002,ESTABLISHED,100/sshd,443,51002\015\n"

#define JSON_SUMMARY_GOLDEN                                                              \
	"{\"version\":1,\"summary\":{\"states\":{\n"                                     \
	"\"CLOSED\":{\"ipv4\":0,\"ipv6\":0,\"total\":0},\n"                              \
	"\"LISTEN\":{\"ipv4\":3,\"ipv6\":1,\"total\":4},\n"                              \
	"\"SYN_SENT\":{\"ipv4\":0,\"ipv6\":0,\"total\":0},\n"                            \
	"\"SYN_RCVD\":{\"ipv4\":0,\"ipv6\":0,\"total\":0},\n"                            \
	"\"ESTABLISHED\":{\"ipv4\":2,\"ipv6\":0,\"total\":2},\n"                         \
	"\"FIN_WAIT_1\":{\"ipv4\":0,\"ipv6\":0,\"total\":0},\n"                          \
	"\"FIN_WAIT_2\":{\"ipv4\":0,\"ipv6\":0,\"total\":0},\n"                          \
	"\"CLOSE_WAIT\":{\"ipv4\":0,\"ipv6\":1,\"total\":1},\n"                          \
	"\"CLOSING\":{\"ipv4\":0,\"ipv6\":0,\"total\":0},\n"                             \
	"\"LAST_ACK\":{\"ipv4\":0,\"ipv6\":0,\"total\":0},\n"                            \
	"\"TIME_WAIT\":{\"ipv4\":2,\"ipv6\":0,\"total\":2}\n"                            \
	"},\"total\":{\"ipv4\":7,\"ipv6\":2,\"total\":9}}}\n"

#define JSONL_SUMMARY_GOLDEN                                                             \
	"{\"state\":\"CLOSED\",\"ipv4\":0,\"ipv6\":0,\"total\":0}\n"                     \
	"{\"state\":\"LISTEN\",\"ipv4\":3,\"ipv6\":1,\"total\":4}\n"                     \
	"{\"state\":\"SYN_SENT\",\"ipv4\":0,\"ipv6\":0,\"total\":0}\n"                   \
	"{\"state\":\"SYN_RCVD\",\"ipv4\":0,\"ipv6\":0,\"total\":0}\n"                   \
	"{\"state\":\"ESTABLISHED\",\"ipv4\":2,\"ipv6\":0,\"total\":2}\n"                \
	"{\"state\":\"FIN_WAIT_1\",\"ipv4\":0,\"ipv6\":0,\"total\":0}\n"                 \
	"{\"state\":\"FIN_WAIT_2\",\"ipv4\":0,\"ipv6\":0,\"total\":0}\n"                 \
	"{\"state\":\"CLOSE_WAIT\",\"ipv4\":0,\"ipv6\":1,\"total\":1}\n"                 \
	"{\"state\":\"CLOSING\",\"ipv4\":0,\"ipv6\":0,\"total\":0}\n"                    \
	"{\"state\":\"LAST_ACK\",\"ipv4\":0,\"ipv6\":0,\"total\":0}\n"                   \
	"{\"state\":\"TIME_WAIT\",\"ipv4\":2,\"ipv6\":0,\"total\":2}\n"

#define CSV_SUMMARY_GOLDEN                                                               \
	"state,ipv4,ipv6,total\015\n"                                                    \
	"CLOSED,0,0,0\015\n"                                                             \
	"LISTEN,3,1,4\015\n"                                                             \
	"SYN_SENT,0,0,0\015\n"                                                           \
	"SYN_RCVD,0,0,0\015\n"                                                           \
	"ESTABLISHED,2,0,2\015\n"                                                        \
	"FIN_WAIT_1,0,0,0\015\n"                                                         \
	"FIN_WAIT_2,0,0,0\015\n"                                                         \
	"CLOSE_WAIT,0,1,1\015\n"                                                         \
	"CLOSING,0,0,0\015\n"                                                            \
	"LAST_ACK,0,0,0\015\n"                                                           \
	"TIME_WAIT,2,0,2\015\n"

#define OM_SUMMARY_GOLDEN                                                                                 \
	"# HELP tcpstate_sockets TCP sockets in each state, by address family.\n"                         \
	"# TYPE tcpstate_sockets gauge\n"                                                                 \
	"tcpstate_sockets{state=\"CLOSED\",family=\"ipv4\"} 0\n"                                          \
	"tcpstate_sockets{state=\"CLOSED\",family=\"ipv6\"} 0\n"                                          \
	"tcpstate_sockets{state=\"LISTEN\",family=\"ipv4\"} 3\n"                                          \
	"tcpstate_sockets{state=\"LISTEN\",family=\"ipv6\"} 1\n"                                          \
	"tcpstate_sockets{state=\"SYN_SENT\",family=\"ipv4\"} 0\n"                                        \
	"tcpstate_sockets{state=\"SYN_SENT\",family=\"ipv6\"} 0\n"                                        \
	"tcpstate_sockets{state=\"SYN_RCVD\",family=\"ipv4\"} 0\n"                                        \
	"tcpstate_sockets{state=\"SYN_RCVD\",family=\"ipv6\"} 0\n"                                        \
	"tcpstate_sockets{state=\"ESTABLISHED\",family=\"ipv4\"} 2\n"                                     \
	"tcpstate_sockets{state=\"ESTABLISHED\",family=\"ipv6\"} 0\n"                                     \
	"tcpstate_sockets{state=\"FIN_WAIT_1\",family=\"ipv4\"} 0\n"                                      \
	"tcpstate_sockets{state=\"FIN_WAIT_1\",family=\"ipv6\"} 0\n"                                      \
	"tcpstate_sockets{state=\"FIN_WAIT_2\",family=\"ipv4\"} 0\n"                                      \
	"tcpstate_sockets{state=\"FIN_WAIT_2\",family=\"ipv6\"} 0\n"                                      \
	"tcpstate_sockets{state=\"CLOSE_WAIT\",family=\"ipv4\"} 0\n"                                      \
	"tcpstate_sockets{state=\"CLOSE_WAIT\",family=\"ipv6\"} 1\n"                                      \
	"tcpstate_sockets{state=\"CLOSING\",family=\"ipv4\"} 0\n"                                         \
	"tcpstate_sockets{state=\"CLOSING\",family=\"ipv6\"} 0\n"                                         \
	"tcpstate_sockets{state=\"LAST_ACK\",family=\"ipv4\"} 0\n"                                        \
	"tcpstate_sockets{state=\"LAST_ACK\",family=\"ipv6\"} 0\n"                                        \
	"tcpstate_sockets{state=\"TIME_WAIT\",family=\"ipv4\"} 2\n"                                       \
	"tcpstate_sockets{state=\"TIME_WAIT\",family=\"ipv6\"} 0\n"                                       \
	"# HELP tcpstate_listen_queue Connections waiting in the accept queue of a listening endpoint.\n" \
	"# TYPE tcpstate_listen_queue gauge\n"                                                            \
	"tcpstate_listen_queue{local=\"127.0.0.1:22\"} 3\n"                                               \
	"tcpstate_listen_queue{local=\"[::1]:631\"} 0\n"                                                  \
	"tcpstate_listen_queue{local=\"127.0.0.1:22\",netns=\"4026532000\"} 0\n"                          \
	"# HELP tcpstate_listen_backlog Accept queue limit (listen backlog) of a listening endpoint.\n"   \
	"# TYPE tcpstate_listen_backlog gauge\n"                                                          \
	"tcpstate_listen_backlog{local=\"127.0.0.1:22\"} 256\n"                                           \
	"tcpstate_listen_backlog{local=\"[::1]:631\"} 4096\n"                                             \
	"tcpstate_listen_backlog{local=\"127.0.0.1:22\",netns=\"4026532000\"} 128\n"                      \
	"# EOF\n"

#define JSON_HIST_GOLDEN                                                                                                                                                      \
	"{\"version\":1,\"hist\":{\"keys\":[\"process\",\"state\"],\"total\":6,\"groups\":[\n"                                                                                \
	"{\"process\":\"-\",\"count\":2,\"breakdown\":[{\"state\":\"TIME_WAIT\",\"count\":2}]},\n"                                                                            \
	"{\"process\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\",\"count\":2,\"breakdown\":[{\"state\":\"CLOSE_WAIT\",\"count\":1},{\"state\":\"ESTABLISHED\",\"count\":1}]},\n" \
	"{\"process\":\"sshd\",\"count\":2,\"breakdown\":[{\"state\":\"ESTABLISHED\",\"count\":1},{\"state\":\"LISTEN\",\"count\":1}]}\n"                                     \
	"]}}\n"

#define JSON_HIST_TOP_GOLDEN                                                                                                                                            \
	"{\"version\":1,\"hist\":{\"keys\":[\"process\",\"state\"],\"total\":6,\"groups\":[\n"                                                                          \
	"{\"process\":\"-\",\"count\":2,\"breakdown\":[{\"state\":\"TIME_WAIT\",\"count\":2}]},\n"                                                                      \
	"{\"process\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\",\"count\":2,\"breakdown\":[{\"state\":\"CLOSE_WAIT\",\"count\":1}],\"other\":{\"rows\":1,\"count\":1}}\n" \
	"],\"other\":{\"groups\":1,\"count\":2}}}\n"

#define JSONL_HIST_GOLDEN                                                                               \
	"{\"process\":\"-\",\"state\":\"TIME_WAIT\",\"count\":2}\n"                                     \
	"{\"process\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\",\"state\":\"CLOSE_WAIT\",\"count\":1}\n"  \
	"{\"process\":\"ev\\\"il\\\\,\\n\\u001b\357\277\275\",\"state\":\"ESTABLISHED\",\"count\":1}\n" \
	"{\"process\":\"sshd\",\"state\":\"ESTABLISHED\",\"count\":1}\n"                                \
	"{\"process\":\"sshd\",\"state\":\"LISTEN\",\"count\":1}\n"

#define CSV_HIST_GOLDEN                                                                  \
	"process,state,count\015\n"                                                      \
	"-,TIME_WAIT,2\015\n"                                                            \
	"\"ev\"\"il\\\\,\\n\\x1b\\xff\",CLOSE_WAIT,1\015\n"                              \
	"\"ev\"\"il\\\\,\\n\\x1b\\xff\",ESTABLISHED,1\015\n"                             \
	"sshd,ESTABLISHED,1\015\n"                                                       \
	"sshd,LISTEN,1\015\n"

#define OM_HIST_GOLDEN                                                                                      \
	"# HELP tcpstate_hist_sockets TCP sockets grouped by process and state.\n"                          \
	"# TYPE tcpstate_hist_sockets gauge\n"                                                              \
	"tcpstate_hist_sockets{process=\"-\",state=\"TIME_WAIT\"} 2\n"                                      \
	"tcpstate_hist_sockets{process=\"ev\\\"il\\\\\\\\,\\\\n\\\\x1b\\\\xff\",state=\"CLOSE_WAIT\"} 1\n"  \
	"tcpstate_hist_sockets{process=\"ev\\\"il\\\\\\\\,\\\\n\\\\x1b\\\\xff\",state=\"ESTABLISHED\"} 1\n" \
	"tcpstate_hist_sockets{process=\"sshd\",state=\"ESTABLISHED\"} 1\n"                                 \
	"tcpstate_hist_sockets{process=\"sshd\",state=\"LISTEN\"} 1\n"                                      \
	"# EOF\n"

#define JSON_HIST_PORT_GOLDEN                                                            \
	"{\"version\":1,\"hist\":{\"keys\":[\"lport\"],\"total\":6,\"groups\":[\n"       \
	"{\"lport\":443,\"count\":3},\n"                                                 \
	"{\"lport\":22,\"count\":1},\n"                                                  \
	"{\"lport\":8080,\"count\":1},\n"                                                \
	"{\"lport\":40000,\"count\":1}\n"                                                \
	"]}}\n"

static void test_escapes(void)
{
	char buf[256];
	static const struct {
		const char *in;
		size_t len;
		const char *json, *csv, *om;
	} cases[] = {
	    {"plain", 5, "plain", "plain", "plain"},
	    {"a\"b\\c", 5, "a\\\"b\\\\c", "\"a\"\"b\\c\"", "a\\\"b\\\\\\\\c"},
	    {"x,y", 3, "x,y", "\"x,y\"", "x,y"},
	    {"l1\nl2\r", 6, "l1\\nl2\\r", "\"l1\nl2\r\"", "l1\\\\nl2\\\\r"},
	    {"\x01\x1b\x7f\t\b\f", 6, "\\u0001\\u001b\\u007f\\t\\b\\f",
	     "\x01\x1b\x7f\t\b\f", "\\\\x01\\\\x1b\\\\x7f\\\\t\\\\x08\\\\x0c"},
	    {"\xff", 1, "\xef\xbf\xbd", "\xff", "\\\\xff"},
	    {"\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd", "\xe2\x82", "\\\\xe2\\\\x82"},
	    {"caf\xc3\xa9 \xe2\x82\xac", 9, "caf\xc3\xa9 \xe2\x82\xac",
	     "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
	    {"\xc2\x85", 2, "\\u0085", "\xc2\x85",
	     "\\\\xc2"
	     "\\\\x85"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fmt_json_escape(cases[i].in, cases[i].len, buf, sizeof(buf));
		CHECK(strcmp(buf, cases[i].json) == 0, "json case %zu: got '%s'", i, buf);
		fmt_csv_field(cases[i].in, cases[i].len, buf, sizeof(buf));
		CHECK(strcmp(buf, cases[i].csv) == 0, "csv case %zu: got '%s'", i, buf);
		fmt_om_label(cases[i].in, cases[i].len, buf, sizeof(buf));
		CHECK(strcmp(buf, cases[i].om) == 0, "om case %zu: got '%s'", i, buf);
	}
	/* truncation keeps whole escapes and always terminates */
	CHECK(fmt_json_escape("ab\n", 3, buf, 4) == 2 && strcmp(buf, "ab") == 0,
	      "json escape truncated on an escape boundary: '%s'", buf);
	CHECK(fmt_csv_field("a,b", 3, buf, 5) == 4 && strcmp(buf, "\"a,\"") == 0,
	      "csv field truncated inside the quotes: '%s'", buf);
}

static void test_sockets(const struct sock_set *set, const struct procs *p)
{
	struct column_list cols;
	const char *bad = NULL;
	char *s = NULL;

	CHECK(column_list_build("+lport,rport", COL_GROUP_OWNERS, &cols, &bad) == 0,
	      "columns");
	struct col_ctx cc = {.procs = p};
	CAPTURE(s, fmt_json_sockets(out, set, &cols, &cc, false));
	CHECK_GOLDEN(s, JSON_SOCKETS_GOLDEN, "json sockets");
	free(s);
	CAPTURE(s, fmt_json_sockets(out, set, &cols, &cc, true));
	CHECK_GOLDEN(s, JSONL_SOCKETS_GOLDEN, "jsonl sockets");
	free(s);
	CAPTURE(s, fmt_csv_sockets(out, set, &cols, &cc, true));
	CHECK_GOLDEN(s, CSV_SOCKETS_GOLDEN, "csv sockets");
	free(s);
	struct sock_set empty = {NULL, 0, 0};
	CAPTURE(s, fmt_json_sockets(out, &empty, &cols, &cc, false));
	CHECK_GOLDEN(s, "{\"version\":1,\"sockets\":[\n]}\n", "json with no sockets");
	free(s);
}

static void test_sort(const struct sock_set *orig, const struct procs *p)
{
	struct sock_set set = {NULL, 0, 0};
	struct sort_spec spec;
	const char *bad = NULL;
	struct col_ctx cc = {.procs = p};
	char got[64];

	for (size_t i = 0; i < orig->n; i++)
		sock_set_add(&set, &orig->v[i]);
	CHECK(sort_parse("-state,rport", &spec, &bad) == 0, "sort spec");
	CHECK(sort_socks(&set, &spec, &cc, colfmt_number) == 0, "sort");
	got[0] = '\0';
	for (size_t i = 0; i < set.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%u ",
			 set.v[i].rport);
	CHECK(strcmp(got, "51000 51001 50000 22 51002 0 ") == 0, "-state,rport: %s", got);

	CHECK(sort_parse("process,-lport", &spec, &bad) == 0, "sort spec");
	CHECK(sort_socks(&set, &spec, &cc, colfmt_number) == 0, "sort");
	got[0] = '\0';
	for (size_t i = 0; i < set.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%u ",
			 set.v[i].lport);
	/* evil (200) sorts before sshd; sockets without owner last, in their earlier
	 * order */
	CHECK(strcmp(got, "40000 8080 443 22 443 443 ") == 0, "process,-lport: %s", got);

	CHECK(sort_parse("-pid", &spec, &bad) == 0, "sort spec");
	CHECK(sort_socks(&set, &spec, &cc, colfmt_number) == 0, "sort");
	CHECK(set.v[set.n - 1].inode == 0 && set.v[set.n - 2].inode == 0,
	      "no owner sorts last even descending");
	CHECK(set.v[0].inode == 1002 || set.v[0].inode == 1003, "highest pid first");

	CHECK(sort_parse("recvq,-sendq", &spec, &bad) == 0 && spec.n == 2, "two keys");
	CHECK(sort_parse("lport", &spec, &bad) == 0 && spec.k[0].key, "table key");
	CHECK(sort_parse("nope", &spec, &bad) == -EINVAL && strcmp(bad, "nope") == 0,
	      "unknown key named: '%s'", bad);
	CHECK(sort_parse("state,", &spec, &bad) == -EINVAL, "trailing comma");
	CHECK(sort_parse("lport,,state", &spec, &bad) == -EINVAL &&
		  strcmp(bad, "lport,,state") == 0,
	      "an empty key names the whole list: '%s'", bad);
	CHECK(sort_parse("local", &spec, &bad) == -EINVAL,
	      "a string column is no sort key");
	sock_set_done(&set);
}

static void test_summary(const struct sock_set *set)
{
	struct summary sum;
	struct sock_rec extra = set->v[0];
	char *s = NULL;

	summary_init(&sum, true);
	for (size_t i = 0; i < set->n; i++)
		summary_add(&sum, &set->v[i]);
	/* an SO_REUSEPORT twin of the listener: one series, queues summed */
	extra.rqueue = 3;
	summary_add(&sum, &extra);
	/* and an IPv6 listener */
	extra.family = AF_INET6;
	memset(extra.laddr, 0, 16);
	extra.laddr[15] = 1;
	extra.lport = 631;
	extra.rqueue = 0;
	extra.wqueue = 4096;
	summary_add(&sum, &extra);
	/* the first listener's twin in another namespace (--all-netns): its own series */
	extra = set->v[0];
	extra.netns = 4026532000u;
	summary_add(&sum, &extra);
	summary_finish(&sum);
	CAPTURE(s, fmt_json_summary(out, &sum, false));
	CHECK_GOLDEN(s, JSON_SUMMARY_GOLDEN, "json summary");
	free(s);
	CAPTURE(s, fmt_json_summary(out, &sum, true));
	CHECK_GOLDEN(s, JSONL_SUMMARY_GOLDEN, "jsonl summary");
	free(s);
	CAPTURE(s, fmt_csv_summary(out, &sum, true));
	CHECK_GOLDEN(s, CSV_SUMMARY_GOLDEN, "csv summary");
	free(s);
	CAPTURE(s, fmt_om_summary(out, &sum));
	CHECK_GOLDEN(s, OM_SUMMARY_GOLDEN, "openmetrics summary");
	free(s);
	summary_done(&sum);
}

static void test_hist(const struct sock_set *set, const struct procs *p)
{
	struct hist h;
	const char *bad = NULL;
	char *s = NULL;
	struct hist_limit all = {0, 0}, top = {2, 1};

	CHECK(hist_init(&h, "process,state", &bad) == 0, "hist_init");
	h.procs = p;
	for (size_t i = 0; i < set->n; i++)
		hist_add(&h, &set->v[i]);
	hist_finish(&h);
	CAPTURE(s, fmt_json_hist(out, &h, &all, false));
	CHECK_GOLDEN(s, JSON_HIST_GOLDEN, "json hist");
	free(s);
	CAPTURE(s, fmt_json_hist(out, &h, &top, false));
	CHECK_GOLDEN(s, JSON_HIST_TOP_GOLDEN, "json hist --top 2");
	free(s);
	CAPTURE(s, fmt_json_hist(out, &h, &all, true));
	CHECK_GOLDEN(s, JSONL_HIST_GOLDEN, "jsonl hist");
	free(s);
	CAPTURE(s, fmt_csv_hist(out, &h, &all, true));
	CHECK_GOLDEN(s, CSV_HIST_GOLDEN, "csv hist");
	free(s);
	CAPTURE(s, fmt_om_hist(out, &h, &all));
	CHECK_GOLDEN(s, OM_HIST_GOLDEN, "openmetrics hist");
	free(s);
	hist_done(&h);

	CHECK(hist_init(&h, "lport", &bad) == 0, "hist_init");
	for (size_t i = 0; i < set->n; i++)
		hist_add(&h, &set->v[i]);
	hist_finish(&h);
	CAPTURE(s, fmt_json_hist(out, &h, &all, false));
	CHECK_GOLDEN(s, JSON_HIST_PORT_GOLDEN, "json hist of a numeric key");
	free(s);
	hist_done(&h);
}

int main(void)
{
	struct sock_set set;

	fx_set(&set);
	struct procs *p = fx_procs(&set);
	test_escapes();
	test_sockets(&set, p);
	test_sort(&set, p);
	test_summary(&set);
	test_hist(&set, p);
	procs_free(p);
	sock_set_done(&set);
	return check_finish("test_fmt");
}
