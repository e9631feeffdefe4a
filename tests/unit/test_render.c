/* test_render.c - golden strings for the text renderers: table, bars, summary,
 * histograms. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/hist.h"
#include "aggregate/summary.h"
#include "cli/cli.h"
#include "model/columns.h"
#include "render/bars.h"
#include "render/table.h"

#include "render_fixture.h"

/* Regenerate with GOLDEN_DUMP=1 and check every change by eye. */
#define TABLE_GOLDEN                                                                                                                  \
	"Proto Recv-Q Send-Q Local Address   Foreign Address State       PID/Program name\n"                                          \
	"tcp        0    128 127.0.0.1:22    0.0.0.0:*       LISTEN      100/sshd\n"                                                  \
	"tcp        0      0 127.0.0.1:40000 127.0.0.1:22    ESTABLISHED 200/ev\"il\\\\,\\n\\x1b\\xff\n"                              \
	"tcp6       5      0 [::1]:8080      [::1]:50000     CLOSE_WAIT  200/ev\"il\\\\,\\n\\x1b\\xff,201/ev\"il\\\\,\\n\\x1b\\xff\n" \
	"tcp        0      0 10.0.0.1:443    192.0.2.7:51000 TIME_WAIT   -\n"                                                         \
	"tcp        0      0 10.0.0.1:443    192.0.2.9:51001 TIME_WAIT   -\n"                                                         \
	"tcp        0   1448 10.0.0.1:443    192.0.2.7:51002 ESTABLISHED 100/sshd\n"

/* the address is cut (marked), never the number after it; a cut address never shows
 * part of its port */
#define TABLE_CUT_GOLDEN                                                                 \
	"\033[36mLISTEN\033[0m      127.0.0.1> 0\n"                                      \
	"\033[32mESTABLISHED\033[0m 127.0.0.1> 0\n"                                      \
	"\033[31mCLOSE_WAIT\033[0m  [::1]:8080 5\n"                                      \
	"\033[34mTIME_WAIT\033[0m   10.0.0.1:> 0\n"                                      \
	"\033[34mTIME_WAIT\033[0m   10.0.0.1:> 0\n"                                      \
	"\033[32mESTABLISHED\033[0m 10.0.0.1:> 0\n"

#define SUMMARY_GOLDEN                                                                       \
	"State         IPv4   IPv6  Total\n"                                                 \
	"CLOSED           0      0      0\n"                                                 \
	"LISTEN           1      0      1  #######################\n"                        \
	"SYN_SENT         0      0      0\n"                                                 \
	"SYN_RCVD         0      0      0\n"                                                 \
	"ESTABLISHED      2      0      2  ##############################################\n" \
	"FIN_WAIT_1       0      0      0\n"                                                 \
	"FIN_WAIT_2       0      0      0\n"                                                 \
	"CLOSE_WAIT       0      1      1  #######################\n"                        \
	"CLOSING          0      0      0\n"                                                 \
	"LAST_ACK         0      0      0\n"                                                 \
	"TIME_WAIT        2      0      2  ##############################################\n" \
	"Total            5      1      6\n"

#define SUMMARY_UTF8_GOLDEN                                                                                                                                                                                                                    \
	"CLOSED           0      0      0\n"                                                                                                                                                                                                   \
	"LISTEN           1      0      1  \342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\n"                                                                                                 \
	"SYN_SENT         0      0      0\n"                                                                                                                                                                                                   \
	"SYN_RCVD         0      0      0\n"                                                                                                                                                                                                   \
	"ESTABLISHED      2      0      2  \342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\n" \
	"FIN_WAIT_1       0      0      0\n"                                                                                                                                                                                                   \
	"FIN_WAIT_2       0      0      0\n"                                                                                                                                                                                                   \
	"CLOSE_WAIT       0      1      1  \342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\n"                                                                                                 \
	"CLOSING          0      0      0\n"                                                                                                                                                                                                   \
	"LAST_ACK         0      0      0\n"                                                                                                                                                                                                   \
	"TIME_WAIT        2      0      2  \342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\n"

#define HIST_STATE_GOLDEN                                                                    \
	"State        Count\n"                                                               \
	"ESTABLISHED      2  ############################################################\n" \
	"TIME_WAIT        2  ############################################################\n" \
	"CLOSE_WAIT       1  ##############################\n"                               \
	"LISTEN           1  ##############################\n"                               \
	"Total            6\n"

#define HIST_RADDR_STATE_GOLDEN                                                              \
	"Peer Address  State        Count\n"                                                 \
	"192.0.2.7     ESTABLISHED      1  ##############################################\n" \
	"192.0.2.7     TIME_WAIT        1  ##############################################\n" \
	"(none)        LISTEN           1  ##############################################\n" \
	"127.0.0.1     ESTABLISHED      1  ##############################################\n" \
	"192.0.2.9     TIME_WAIT        1  ##############################################\n" \
	"::1           CLOSE_WAIT       1  ##############################################\n" \
	"Total                          6\n"

#define HIST_PROCESS_STATE_GOLDEN                                                            \
	"Process             State        Count\n"                                           \
	"-                   TIME_WAIT        2  ########################################\n" \
	"ev\"il\\\\,\\n\\x1b\\xff  CLOSE_WAIT       1  ####################\n"               \
	"ev\"il\\\\,\\n\\x1b\\xff  ESTABLISHED      1  ####################\n"               \
	"sshd                ESTABLISHED      1  ####################\n"                     \
	"sshd                LISTEN           1  ####################\n"                     \
	"Total                                6\n"

#define HIST_TOP_GOLDEN                                                                                                                                                                                        \
	"192.0.2.0/24  443      3  \342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\342\226\210\n" \
	"(3 more groups)        3 sockets\n"

static void test_bars(void)
{
	char buf[BARS_BYTES(64)];

	bars_draw(3, 8, 8, true, buf, sizeof(buf));
	CHECK_GOLDEN(buf, "\u2588\u2588\u2588", "bar 3/8 of 8 columns");
	bars_draw(1, 3, 10, true, buf, sizeof(buf));
	CHECK_GOLDEN(buf, "\u2588\u2588\u2588\u258d",
		     "bar 1/3 of 10 columns (27 eighths)");
	bars_draw(1, 3, 10, false, buf, sizeof(buf));
	CHECK_GOLDEN(buf, "###", "ASCII bar 1/3 of 10 columns");
	bars_draw(1, 1000, 10, false, buf, sizeof(buf));
	CHECK_GOLDEN(buf, "#", "a tiny non-zero value still shows");
	bars_draw(1, 1000, 10, true, buf, sizeof(buf));
	CHECK_GOLDEN(buf, "\u258f", "a tiny non-zero value still shows (UTF-8)");
	bars_draw(0, 1000, 10, true, buf, sizeof(buf));
	CHECK_GOLDEN(buf, "", "zero is no bar");
	bars_draw(7, 7, 12, true, buf, sizeof(buf));
	CHECK(strlen(buf) == 36, "full bar is 12 blocks, got %zu bytes", strlen(buf));
	bars_draw(7, 7, 12, false, buf, 5);
	CHECK_GOLDEN(buf, "####", "bar truncated to the buffer");
	CHECK(bars_width(0, 30) == 49, "80-column default: %d", bars_width(0, 30));
	CHECK(bars_width(300, 30) == 60, "capped at 60: %d", bars_width(300, 30));
	CHECK(bars_width(40, 35) == 10, "at least 10: %d", bars_width(40, 35));
}

static void test_table(const struct sock_set *set, const struct procs *p)
{
	struct column_list cols;
	const char *bad = NULL;
	char *s = NULL;

	CHECK(column_list_build(NULL, COL_GROUP_OWNERS, &cols, &bad) == 0,
	      "default columns");
	struct col_ctx cc = {.procs = p};
	struct table_opts t = {.header = true};
	CAPTURE(s, table_render(out, set, &cols, &cc, &t));
	CHECK_GOLDEN(s, TABLE_GOLDEN, "table with -p");
	free(s);

	struct table_opts cut = {.width = 24, .color = true};
	CHECK(column_list_build("state,local,recvq", 0, &cols, &bad) == 0, "--columns");
	CAPTURE(s, table_render(out, set, &cols, &cc, &cut));
	CHECK_GOLDEN(s, TABLE_CUT_GOLDEN,
		     "table with --columns, colour, no header, cut at 24");
	free(s);
}

static void test_summary(const struct sock_set *set)
{
	struct summary sum;
	char *s = NULL;

	summary_init(&sum, true);
	summary_add(&sum, &set->v[0]); /* counted, then forgotten by the restart */
	summary_add(&sum, NULL);
	for (size_t i = 0; i < set->n; i++)
		CHECK(summary_add(&sum, &set->v[i]) == 0, "summary_add");
	summary_finish(&sum);
	CHECK(sum.n_lst == 1, "one listener, got %zu", sum.n_lst);
	CHECK(summary_family_total(&sum, -1) == set->n, "total");

	struct summary_render r = {.header = true};
	CAPTURE(s, summary_render_table(out, &sum, &r));
	CHECK_GOLDEN(s, SUMMARY_GOLDEN, "summary, ASCII, 80 columns");
	free(s);
	struct summary_render u = {.utf8 = true, .width = 50};
	CAPTURE(s, summary_render_table(out, &sum, &u));
	CHECK_GOLDEN(s, SUMMARY_UTF8_GOLDEN, "summary, UTF-8, 50 columns, no header");
	free(s);
	summary_done(&sum);
}

static void hist_of(struct hist *h, const char *spec, const struct sock_set *set,
		    const struct procs *p)
{
	const char *bad = NULL;

	CHECK(hist_init(h, spec, &bad) == 0, "hist_init('%s')", spec);
	h->procs = p;
	for (size_t i = 0; i < set->n; i++)
		CHECK(hist_add(h, &set->v[i]) == 0, "hist_add");
	CHECK(hist_finish(h) == 0, "hist_finish");
}

static void test_hist(const struct sock_set *set, const struct procs *p)
{
	struct hist h;
	char *s = NULL;
	const char *bad = NULL;

	struct hist_render r = {.header = true};
	hist_of(&h, "state", set, p);
	CAPTURE(s, hist_render_table(out, &h, &r));
	CHECK_GOLDEN(s, HIST_STATE_GOLDEN, "--hist state");
	free(s);
	hist_done(&h);

	hist_of(&h, "raddr,state", set, p);
	CAPTURE(s, hist_render_table(out, &h, &r));
	CHECK_GOLDEN(s, HIST_RADDR_STATE_GOLDEN, "--hist raddr,state");
	free(s);
	hist_done(&h);

	hist_of(&h, "process,state", set, p);
	CAPTURE(s, hist_render_table(out, &h, &r));
	CHECK_GOLDEN(s, HIST_PROCESS_STATE_GOLDEN, "--hist process,state");
	free(s);
	hist_done(&h);

	struct hist_render top = {
	    .utf8 = true, .width = 40, .limit = {.groups = 1, .subs = 1}};
	hist_of(&h, "rnet,lport", set, p);
	CAPTURE(s, hist_render_table(out, &h, &top));
	CHECK_GOLDEN(s, HIST_TOP_GOLDEN, "--hist rnet,lport --top 1 -H");
	free(s);
	hist_done(&h);

	CHECK(hist_init(&h, "state,nope", &bad) == -EINVAL && strcmp(bad, "nope") == 0,
	      "unknown key named");
	hist_done(&h);
	CHECK(hist_init(&h, "state,lport,rport", &bad) == -EINVAL, "three keys refused");
	hist_done(&h);
	CHECK(hist_init(&h, "state,", &bad) == -EINVAL, "trailing comma refused");
	hist_done(&h);
	CHECK(hist_init(&h, "state,,lport", &bad) == -EINVAL &&
		  strcmp(bad, "state,,lport") == 0,
	      "an empty key names the whole list: '%s'", bad);
	hist_done(&h);
	CHECK(hist_init(&h, "", &bad) == -EINVAL, "empty spec refused");
	hist_done(&h);
}

int main(void)
{
	struct sock_set set;

	fx_set(&set);
	struct procs *p = fx_procs(&set);
	test_bars();
	test_table(&set, p);
	test_summary(&set);
	test_hist(&set, p);
	procs_free(p);
	sock_set_done(&set);
	return check_finish("test_render");
}
