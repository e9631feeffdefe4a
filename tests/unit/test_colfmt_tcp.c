/* test_colfmt_tcp.c - the -e/-o/-i/-m cells: durations, timers, tcp_info by length,
 * skmem. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/sock_diag.h>

#include "check.h"
#include "model/columns.h"
#include "render/colfmt.h"
#include "render/colfmt_tcp.h"

#define expect(what, got, want) CHECK_STR(got, want, what)

static void test_duration(void)
{
	static const struct {
		unsigned ms;
		const char *want;
	} cases[] = {
	    {0, "0ms"},
	    {204, "204ms"},
	    {999, "999ms"},
	    {1000, "1.0s"},
	    {1299, "1.2s"},
	    {51234, "51.2s"},
	    {59999, "59.9s"},
	    {99999, "99.9s"},
	    {100000, "100s"},
	    {7199000, "7199s"},
	    {9999999, "9999s"},
	    {10000000, "2h46m"},
	    {4294967295u, "1193h02m"},
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		colfmt_duration(cases[i].ms, buf, sizeof(buf));
		expect("duration", buf, cases[i].want);
	}
	/* truncation keeps a NUL */
	size_t n = colfmt_duration(51234, buf, 3);
	CHECK(n == 2 && strcmp(buf, "51") == 0, "duration truncation: '%s' %zu", buf, n);
}

static void test_timer(void)
{
	static const struct {
		unsigned timer, ms, count;
		const char *want;
	} cases[] = {
	    {0, 500, 3, "off"},
	    {1, 204, 1, "retrans (204ms/1)"},
	    {2, 7199000, 0, "keepalive (7199s/0)"},
	    {3, 51234, 0, "timewait (51.2s)"},
	    {4, 1200, 3, "probe (1.2s/3)"},
	    {9, 10, 2, "timer9 (10ms/2)"},
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		colfmt_timer_text((uint8_t)cases[i].timer, cases[i].ms,
				  (uint8_t)cases[i].count, buf, sizeof(buf));
		expect("timer", buf, cases[i].want);
	}
}

static void test_usec(void)
{
	static const struct {
		unsigned long long us;
		const char *want;
	} cases[] = {
	    {0, "0"},	     {52, "0.052"},	    {50, "0.05"}, {500, "0.5"},
	    {204000, "204"}, {1234567, "1234.567"}, {10, "0.01"},
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		colfmt_usec_as_ms(cases[i].us, buf, sizeof(buf));
		expect("usec_as_ms", buf, cases[i].want);
	}
}

static void cell(const char *col, const struct sock_rec *s, const char *want)
{
	const struct column *c = column_find(col);
	struct col_ctx cc = {0};
	char buf[256];

	CHECK(c, "no column '%s'", col);
	if (!c)
		return;
	colfmt_cell(c, s, &cc, buf, sizeof(buf));
	char what[64];
	snprintf(what, sizeof(what), "column %s", col);
	expect(what, buf, want);
}

/* A tcp_info shorter than a field leaves that field absent, never zero or garbage. */
static void test_info_by_length(void)
{
	struct sock_ext ext;
	struct sock_rec s = {0};

	memset(&ext, 0, sizeof(ext));
	ext.info.tcpi_rtt = 52;
	ext.info.tcpi_rttvar = 26;
	ext.info.tcpi_rto = 204000;
	ext.info.tcpi_snd_cwnd = 10;
	ext.info.tcpi_snd_ssthresh = 0x7fffffff;
	ext.info.tcpi_total_retrans = 4;
	ext.info.tcpi_bytes_acked = 1001;
	ext.info.tcpi_bytes_received = 2002;
	ext.info.tcpi_delivery_rate = 1000;
	ext.info.tcpi_last_data_sent = 7;
	ext.info.tcpi_last_data_recv = 8;
	strcpy(ext.cong, "cubic");
	s.state = TS_ESTABLISHED;
	s.kstate = 1;
	s.ext = &ext;

	/* no tcp_info at all */
	ext.info_len = 0;
	cell("rtt", &s, "-");
	cell("cwnd", &s, "-");
	cell("bytes_acked", &s, "-");
	s.ext = NULL;
	cell("rtt", &s, "-");
	cell("cc", &s, "-");
	cell("rmem", &s, "-");
	s.ext = &ext;

	/* everything sent */
	ext.info_len = sizeof(ext.info);
	cell("rtt", &s, "0.052");
	cell("rttvar", &s, "0.026");
	cell("rto", &s, "204");
	cell("cwnd", &s, "10");
	cell("ssthresh", &s, "-"); /* infinite: not set yet */
	cell("retrans", &s, "4");
	cell("bytes_acked", &s, "1001");
	cell("bytes_received", &s, "2002");
	cell("delivery_rate", &s, "8000");
	cell("cc", &s, "cubic");
	cell("last_send", &s, "7");
	cell("last_recv", &s, "8");
	ext.info.tcpi_snd_ssthresh = 20;
	cell("ssthresh", &s, "20");

	/* a listener: the kernel fills little; its zeros mean nothing */
	s.kstate = 10; /* LISTEN */
	cell("rtt", &s, "-");
	cell("rto", &s, "-");
	cell("bytes_acked", &s, "-");
	cell("last_recv", &s, "-");
	cell("cwnd", &s, "10");
	cell("cc", &s, "cubic");
	s.kstate = 1;

	/* an old kernel's struct: ends right before tcpi_bytes_acked (Linux < 4.1) */
	ext.info_len = offsetof(struct tcp_info, tcpi_bytes_acked);
	cell("rtt", &s, "0.052");
	cell("retrans", &s, "4");
	cell("bytes_acked", &s, "-");
	cell("bytes_received", &s, "-");
	cell("delivery_rate", &s, "-");
	/* one byte short of a field is still absent */
	ext.info_len = offsetof(struct tcp_info, tcpi_bytes_acked) + 7;
	cell("bytes_acked", &s, "-");
	ext.info_len = offsetof(struct tcp_info, tcpi_bytes_acked) + 8;
	cell("bytes_acked", &s, "1001");
}

static void test_skmem_timer_user(void)
{
	struct sock_ext ext;
	struct sock_rec s = {0};

	memset(&ext, 0, sizeof(ext));
	s.ext = &ext;
	cell("rmem", &s, "-"); /* no SKMEMINFO */
	ext.have_skmem = 1;
	ext.skmem[SK_MEMINFO_RMEM_ALLOC] = 1832;
	ext.skmem[SK_MEMINFO_RCVBUF] = 131072;
	ext.skmem[SK_MEMINFO_WMEM_QUEUED] = 3;
	ext.skmem[SK_MEMINFO_SNDBUF] = 16384;
	ext.skmem[SK_MEMINFO_DROPS] = 9;
	cell("rmem", &s, "1832");
	cell("rcvbuf", &s, "131072");
	cell("wmem", &s, "3");
	cell("sndbuf", &s, "16384");
	cell("drops", &s, "9");

	s.ext = NULL;
	s.timer = 3;
	s.expires = 59900;
	cell("timer", &s, "timewait (59.9s)");
	cell("expires", &s, "59900");
	s.timer = 0;
	cell("timer", &s, "off");
	cell("expires", &s, "-");

	s.uid = 0;
	s.kstate = 1;
	cell("user", &s, "root");
	s.kstate = 6; /* TIME_WAIT: no owner, uid 0 means nothing */
	cell("user", &s, "-");
	s.kstate = 1;
	s.uid = 4000000000u; /* nobody has it: the number */
	cell("user", &s, "4000000000");
}

/* The column table (model) and the formatter table (render) cover the same columns. */
static void test_every_column_has_a_cell(void)
{
	int n = 0;

	for (int i = 0; column_table[i].name; i++, n++)
		CHECK(column_id(&column_table[i]) == (enum column_id)i && colfmt_cells[i],
		      "column '%s' has no formatter", column_table[i].name);
	CHECK(n == COLUMN_N, "%d named columns, COLUMN_N is %d", n, (int)COLUMN_N);
}

int main(void)
{
	test_every_column_has_a_cell();
	test_duration();
	test_timer();
	test_usec();
	test_info_by_length();
	test_skmem_timer_user();
	return check_finish("test_colfmt_tcp");
}
