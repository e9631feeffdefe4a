/* test_filter_cmp.c - COLUMN OP VALUE terms: units, NULL semantics, errors, the columns'
 * needs, and that the kernel program stays a superset (or exact for ports/addresses). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>

#include "bcmodel.h"
#include "check.h"
#include "cli/cli.h"
#include "filter/filter.h"
#include "model/columns.h"
#include "model/colvalue.h"

static int build(const char *expr, struct filter **ret, char **ret_err)
{
	struct opts o;
	const char *words[2] = {expr, NULL};

	memset(&o, 0, sizeof(o));
	o.expr = words;
	o.n_expr = 1;
	return filter_build(&o, ret, ret_err);
}

/* The fixture's kinds of socket: what each has and lacks. */
enum kind { K_BUSY, K_STUCK, K_IDLE, K_TW, K_LISTEN, K_NKINDS };

static struct sock_ext exts[K_NKINDS];

static struct sock_rec make(enum kind k)
{
	struct sock_rec s;
	struct sock_ext *e = &exts[k];

	memset(&s, 0, sizeof(s));
	memset(e, 0, sizeof(*e));
	s.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", s.laddr);
	inet_pton(AF_INET, "10.1.2.3", s.raddr);
	s.lport = 40000;
	s.rport = 443;
	s.uid = 1000;
	s.state = TS_ESTABLISHED;
	s.kstate = KTCP_ESTABLISHED;
	e->info_len = sizeof(e->info);
	e->have_skmem = 1;
	snprintf(e->cong, sizeof(e->cong), "cubic");
	e->info.tcpi_rtt = 150000; /* 150 ms */
	e->info.tcpi_last_data_recv = 100;
	e->info.tcpi_last_data_sent = 100;
	e->info.tcpi_delivery_rate = 200000; /* bytes/s: 1.6 Mbit/s */
	e->info.tcpi_snd_ssthresh = 0x7fffffff;
	e->info.tcpi_bytes_received = 1536;
	e->skmem[SK_MEMINFO_RMEM_ALLOC] = 4096;
	s.ext = e;
	switch (k) {
	case K_BUSY:
		s.rqueue = 5000;
		break;
	case K_STUCK:
		s.wqueue = 65536;
		s.timer = 1;
		s.expires = 200;
		e->info.tcpi_rtt = 52; /* 0.052 ms */
		e->info.tcpi_total_retrans = 3;
		break;
	case K_IDLE:
		e->info.tcpi_last_data_recv = 3000;
		e->info.tcpi_last_data_sent = 3000;
		s.timer = 2;
		s.expires = 7200000;
		break;
	case K_TW:
		s.state = TS_TIME_WAIT;
		s.kstate = KTCP_TIME_WAIT;
		s.timer = 3;
		s.expires = 59000;
		s.uid = 0;
		s.ext = NULL;
		break;
	case K_LISTEN:
		s.state = TS_LISTEN;
		s.kstate = KTCP_LISTEN;
		s.rport = 0;
		memset(s.raddr, 0, sizeof(s.raddr));
		s.lport = 8080;
		s.rqueue = 2;
		s.wqueue = 128;
		break;
	default:
		break;
	}
	return s;
}

/* Each expression and the kinds it selects (bits of enum kind). */
#define B(k) (1u << (k))
#define ALL (B(K_NKINDS) - 1)

static void test_match(void)
{
	static const struct {
		const char *expr;
		unsigned want;
	} cases[] = {
	    {"recvq > 0", B(K_BUSY) | B(K_LISTEN)},
	    {"recvq>0", B(K_BUSY) | B(K_LISTEN)},
	    {"recvq >0", B(K_BUSY) | B(K_LISTEN)},
	    {"recvq gt 0", B(K_BUSY) | B(K_LISTEN)},
	    {"recvq >= 4.8k", B(K_BUSY)},
	    {"recvq == 5000", B(K_BUSY)},
	    {"recvq eq 5000B", B(K_BUSY)},
	    {"sendq >= 64k", B(K_STUCK)},
	    {"sendq >= 64KiB", B(K_STUCK)},
	    {"sendq > 64k", 0},
	    {"sendq >= 0.0625M", B(K_STUCK)},
	    {"last_recv > 2s", B(K_IDLE)},
	    {"last_recv > 2000", B(K_IDLE)},
	    {"last_recv > 2000ms and last_send > 0.03m", B(K_IDLE)},
	    {"expires < 61s", B(K_STUCK) | B(K_TW)},
	    {"expires < 61s state time-wait", B(K_TW)},
	    {"expires > 1h", B(K_IDLE)},
	    {"expires == -", B(K_BUSY) | B(K_LISTEN)},
	    {"rtt >= 0", B(K_BUSY) | B(K_STUCK) | B(K_IDLE)},
	    {"rtt > 100ms", B(K_BUSY) | B(K_IDLE)},
	    {"not rtt > 1000ms", B(K_BUSY) | B(K_STUCK) | B(K_IDLE)},
	    {"not rtt > 100ms", B(K_STUCK)},
	    {"! ( rtt > 100ms )", B(K_STUCK)},
	    {"not not rtt > 100ms", B(K_BUSY) | B(K_IDLE)},
	    {"rtt == -", B(K_TW) | B(K_LISTEN)},
	    {"rtt != -", B(K_BUSY) | B(K_STUCK) | B(K_IDLE)},
	    {"not rtt > 100ms or rtt == -", B(K_STUCK) | B(K_TW) | B(K_LISTEN)},
	    {"rtt > 100ms or state time-wait", B(K_BUSY) | B(K_IDLE) | B(K_TW)},
	    {"rtt < 52us", 0},
	    {"rtt <= 52us", B(K_STUCK)},
	    {"rtt < 0.0526ms", B(K_STUCK)},
	    {"rtt < 0.0515ms", 0},
	    {"rtt == 0.052", B(K_STUCK)},
	    {"rtt < 1", B(K_STUCK)},
	    {"retrans > 0", B(K_STUCK)},
	    {"retrans ge 3", B(K_STUCK)},
	    {"ssthresh >= 0", 0},
	    {"ssthresh == -", ALL},
	    {"delivery_rate > 1M", B(K_BUSY) | B(K_STUCK) | B(K_IDLE)},
	    {"delivery_rate > 1.6Mbit", 0},
	    {"bytes_received == 1.5k", B(K_BUSY) | B(K_STUCK) | B(K_IDLE)},
	    {"rmem >= 4k", B(K_BUSY) | B(K_STUCK) | B(K_IDLE) | B(K_LISTEN)},
	    {"uid > 999", B(K_BUSY) | B(K_STUCK) | B(K_IDLE) | B(K_LISTEN)},
	    {"uid < 1", 0},
	    {"uid == -", B(K_TW)},
	    {"cc == cubic", B(K_BUSY) | B(K_STUCK) | B(K_IDLE) | B(K_LISTEN)},
	    {"cc != cubic", 0},
	    {"cc == cub*", B(K_BUSY) | B(K_STUCK) | B(K_IDLE) | B(K_LISTEN)},
	    {"cc ~ ^(bbr|cub)", B(K_BUSY) | B(K_STUCK) | B(K_IDLE) | B(K_LISTEN)},
	    {"cc !~ bbr", B(K_BUSY) | B(K_STUCK) | B(K_IDLE) | B(K_LISTEN)},
	    {"cc == -", B(K_TW)},
	    {"timer == keepalive", B(K_IDLE)},
	    {"timer ~ ^(retrans|timewait)$", B(K_STUCK) | B(K_TW)},
	    {"timer != off", B(K_STUCK) | B(K_IDLE) | B(K_TW)},
	    {"state ~ wait", B(K_TW)},
	    {"state == time-wait", B(K_TW)},
	    {"state==TIME_WAIT", B(K_TW)},
	    {"state != listen", ALL & ~B(K_LISTEN)},
	    {"state == t*", B(K_TW)},
	    {"state !~ ^(LISTEN|TIME)", B(K_BUSY) | B(K_STUCK) | B(K_IDLE)},
	    {"user == -", B(K_TW)},
	    {"proto == tcp", ALL},
	    {"foreign == 10.1.2.3:443", B(K_BUSY) | B(K_STUCK) | B(K_IDLE) | B(K_TW)},
	    {"local ~ :8080$", B(K_LISTEN)},
	    {"laddr == 127.0.0.1", ALL},
	    {"raddr == 10.0.0.0/8", ALL & ~B(K_LISTEN)},
	    {"raddr != 10.0.0.0/8", B(K_LISTEN)},
	    {"raddr == 10.1.*", ALL & ~B(K_LISTEN)},
	    {"lport > 1024", ALL},
	    {"lport == 8080", B(K_LISTEN)},
	    {"lport != 8080", ALL & ~B(K_LISTEN)},
	    {"rport == https", ALL & ~B(K_LISTEN)},
	    {"rport lt 1", B(K_LISTEN)},
	    {"(recvq > 0 or sendq > 0) and not state listen", B(K_BUSY) | B(K_STUCK)},
	    {"state established and last_recv > 2s and last_send > 2s", B(K_IDLE)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		unsigned got = 0;

		if (build(cases[i].expr, &f, &err) != 0 || !f) {
			CHECK(0, "'%s' does not parse: %s", cases[i].expr,
			      err ? err : "?");
			free(err);
			continue;
		}
		for (int k = 0; k < K_NKINDS; k++) {
			struct sock_rec s = make((enum kind)k);
			if (filter_match(f, &s, NULL))
				got |= B(k);
		}
		CHECK(got == cases[i].want, "'%s' selects 0x%x, want 0x%x", cases[i].expr,
		      got, cases[i].want);
		filter_free(f);
	}
}

static void test_errors(void)
{
	static const struct {
		const char *expr;
		const char *msg;
	} cases[] = {
	    {"rtx > 3", "unknown column 'rtx' (did you mean 'rtt'?)"},
	    {"rtt > 1mb", "unknown unit 'mb' for a duration in '1mb' (try ms, s, m, h)"},
	    {"sendq > 1mb", "unknown unit 'mb' for a size in '1mb' (try k, M, G)"},
	    {"sendq > 1ms", "unknown unit 'ms' for a size"},
	    {"retrans > 1k", "unit 'k' does not fit 'retrans', a count"},
	    {"rtt >", "'rtt >' needs a value (a duration, e.g. 'rtt > 100ms')"},
	    {"rtt", "'rtt' needs an operator and a value"},
	    {"rtt 5", "'rtt' needs an operator and a value"},
	    {"rtt > ms", "'ms' is not a number for 'rtt'"},
	    {"rtt > -5", "bad value '-5' for 'rtt'"},
	    {"rtt < -", "'-' (no value) goes only with == or !="},
	    {"rtt ~ 5", "operator '~' does not apply to 'rtt', a duration"},
	    {"cc > bbr", "operator '>' does not apply to 'cc', a text column"},
	    {"cc ~ (", "'cc ~' needs a value"},
	    {"cc ~ a[", "bad regular expression 'a[' for 'cc'"},
	    {"recvq > 99999999999999999999", "out of range"},
	    {"recvq > 16777216T", "out of range (too large)"},
	    {"recvq > 1.5", "value '1.5' for 'recvq' is not a whole number"},
	    {"retrans > 0.5", "value '0.5' for 'retrans' is not a whole number"},
	    {"rtt > 1.0000000001s", "more than 9 decimals"},
	    {"owners == x", "column 'owners' cannot be compared"},
	    {"lport > 70000", "port '70000' is out of range"},
	    {"laddr == 1.2.3.4:80", "'laddr' takes an address or ADDR/PREFIX"},
	    {"raddr == nope", "bad address 'nope'"},
	    {"rtt > 100ms and", "dangling 'and'"},
	    {"( rtt > 100ms", "unbalanced parenthesis"},
	    {"uid > abc", "'abc' is not a number for 'uid'"},
	    {"user > 5", "operator '>' does not apply to 'user', a text column"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		int r = build(cases[i].expr, &f, &err);
		CHECK(r == -EINVAL && err && strstr(err, cases[i].msg),
		      "'%s': want -EINVAL and '%s', got %d '%s'", cases[i].expr,
		      cases[i].msg, r, err ? err : "");
		CHECK(!f, "'%s': no filter on error", cases[i].expr);
		filter_free(f);
		free(err);
	}
}

/* Every column of the table can be compared (owners aside), with the right kind. */
static void test_table(void)
{
	for (int i = 0; column_table[i].name; i++) {
		const struct column *c = &column_table[i];
		const struct col_value *v = colvalue_find(c->name);
		/* compared through their own terms (process, cgroup, unit, container) */
		if (c->type == COL_OWNERS || !strcmp(c->name, "cmdline") ||
		    !strcmp(c->name, "cgroup") || !strcmp(c->name, "unit") ||
		    !strcmp(c->name, "container")) {
			CHECK(!v, "'%s' has a value", c->name);
			continue;
		}
		CHECK(v, "column '%s' has no filter value", c->name);
		if (!v)
			continue;
		CHECK(c->type != COL_NUMBER || v->num, "'%s': a number column", c->name);
		CHECK((v->unit == CU_TEXT) == (v->text != NULL), "'%s': unit", c->name);
	}
	for (int i = 0; colvalue_table[i].name; i++)
		CHECK(column_find(colvalue_table[i].name), "'%s' is no column",
		      colvalue_table[i].name);
}

static void test_needs(void)
{
	static const struct {
		const char *expr;
		unsigned needs;
	} cases[] = {
	    {"recvq > 0", 0},
	    {"lport > 1024", 0},
	    {"rtt > 100ms", COL_NEED_INFO},
	    {"not cc == bbr", COL_NEED_INFO},
	    {"rmem > 0 or sport 22", COL_NEED_MEM},
	    {"drops > 0 and last_recv > 1s", COL_NEED_MEM | COL_NEED_INFO},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		CHECK(build(cases[i].expr, &f, &err) == 0, "'%s': %s", cases[i].expr,
		      err ? err : "");
		CHECK(filter_needs(f) == cases[i].needs, "'%s' needs 0x%x, want 0x%x",
		      cases[i].expr, filter_needs(f), cases[i].needs);
		CHECK(!filter_needs_procs(f), "'%s' needs no /proc", cases[i].expr);
		filter_free(f);
		free(err);
	}
	CHECK(filter_needs(NULL) == 0, "NULL filter needs nothing");
}

/* The kernel program: exact when only pushed-down comparisons remain, a superset
 * otherwise; the port comparisons reach the request's exact port fields. */
static void test_bytecode(void)
{
	static const struct {
		const char *expr;
		bool exact;
		bool has_bc;
	} cases[] = {
	    {"lport > 1024", true, true},
	    {"rport == 443 or laddr == 10.0.0.0/8", true, true},
	    {"lport != 8080", true, true},
	    {"lport == 8080 and rtt > 100ms", false, true},
	    {"rport == 443 and not rtt > 100ms", false, true},
	    {"not ( rport == 443 and rtt > 100ms )", false, false},
	    {"rtt > 100ms or lport == 8080", false, false},
	    {"recvq > 0", false, false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		void *bc = NULL;
		size_t len = 0;
		uint16_t sp, dp;

		CHECK(build(cases[i].expr, &f, &err) == 0, "'%s': %s", cases[i].expr,
		      err ? err : "");
		CHECK(filter_bytecode(f, &bc, &len, &sp, &dp) == 0, "'%s' compiles",
		      cases[i].expr);
		CHECK(!bc == !cases[i].has_bc, "'%s': bytecode %s", cases[i].expr,
		      bc ? "made" : "missing");
		CHECK(!bc || bcmodel_audit(bc, len) == 0, "'%s': audit", cases[i].expr);
		for (int k = 0; k < K_NKINDS; k++) {
			struct sock_rec s = make((enum kind)k);
			bool user = filter_match(f, &s, NULL);
			bool kern = !bc || bcmodel_run(bc, len, &s);
			CHECK(!user || kern, "'%s': the kernel drops kind %d",
			      cases[i].expr, k);
			CHECK(!cases[i].exact || user == kern, "'%s': kernel %d user %d",
			      cases[i].expr, kern, user);
			CHECK(!sp || !user || s.lport == sp, "'%s': sport %u",
			      cases[i].expr, sp);
			CHECK(!dp || !user || s.rport == dp, "'%s': dport %u",
			      cases[i].expr, dp);
		}
		free(bc);
		filter_free(f);
		free(err);
	}
}

/* Globs and regexes on the state column are state terms: they set the kernel's mask. */
static void test_state_set(void)
{
	static const struct {
		const char *expr;
		state_set want;
	} cases[] = {
	    {"state ~ ^LIST", STATE_BIT(TS_LISTEN)},
	    {"state == fin*", STATE_BIT(TS_FIN_WAIT_1) | STATE_BIT(TS_FIN_WAIT_2)},
	    {"state !~ WAIT", STATE_SET_ALL & ~STATE_BIT(TS_FIN_WAIT_1) &
				  ~STATE_BIT(TS_FIN_WAIT_2) & ~STATE_BIT(TS_CLOSE_WAIT) &
				  ~STATE_BIT(TS_TIME_WAIT)},
	    {"rtt > 1ms", STATE_SET_DEFAULT},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		CHECK(build(cases[i].expr, &f, &err) == 0, "'%s': %s", cases[i].expr,
		      err ? err : "");
		state_set got = filter_state_set(f, STATE_SET_DEFAULT);
		CHECK(got == cases[i].want, "'%s': states 0x%x, want 0x%x", cases[i].expr,
		      got, cases[i].want);
		filter_free(f);
		free(err);
	}
}

int main(void)
{
	test_state_set();
	test_match();
	test_errors();
	test_table();
	test_needs();
	test_bytecode();
	return check_finish("test_filter_cmp");
}
