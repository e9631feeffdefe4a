/* test_filter.c - filter parsing, user-space matching, state sets, and the kernel
 * bytecode (checked by an emulation of the kernel's audit and interpreter on random
 * expressions). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>

#include "check.h"
#include "bcmodel.h"
#include "filter/filter_int.h"
#include "cli/cli.h"
#include "filter/filter.h"

/* Build a filter from one expression string (the tokenizer splits it). */
static int build(const char *expr, struct filter **ret, char **ret_err)
{
	struct opts o;
	const char *words[2] = {expr, NULL};

	memset(&o, 0, sizeof(o));
	o.expr = words;
	o.n_expr = 1;
	return filter_build(&o, ret, ret_err);
}

static struct sock_rec sock(const char *laddr, uint16_t lport, const char *raddr,
			    uint16_t rport, enum ts_state st)
{
	struct sock_rec s;

	memset(&s, 0, sizeof(s));
	s.family = strchr(laddr, ':') ? AF_INET6 : AF_INET;
	inet_pton(s.family, laddr, s.laddr);
	inet_pton(s.family, raddr, s.raddr);
	s.lport = lport;
	s.rport = rport;
	s.state = (uint8_t)st;
	return s;
}

/* ---- user-space semantics on hand-picked sockets ---- */

static void test_match(void)
{
	static const struct {
		const char *expr;
		const char *laddr;
		uint16_t lport;
		const char *raddr;
		uint16_t rport;
		enum ts_state st;
		uint32_t uid;
		bool want;
	} cases[] = {
	    {"sport 80", "10.0.0.1", 80, "10.0.0.2", 5000, TS_ESTABLISHED, 0, true},
	    {"sport 80", "10.0.0.1", 81, "10.0.0.2", 80, TS_ESTABLISHED, 0, false},
	    {"dport 80", "10.0.0.1", 81, "10.0.0.2", 80, TS_ESTABLISHED, 0, true},
	    {"port 80", "10.0.0.1", 81, "10.0.0.2", 80, TS_ESTABLISHED, 0, true},
	    {"port :80", "10.0.0.1", 80, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"port 80,443", "10.0.0.1", 443, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"port 8000-8100", "10.0.0.1", 8100, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"port 8000-8100", "10.0.0.1", 8101, "10.0.0.2", 1, TS_ESTABLISHED, 0, false},
	    {"sport >1024", "10.0.0.1", 1025, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"sport >1024", "10.0.0.1", 1024, "10.0.0.2", 1, TS_ESTABLISHED, 0, false},
	    {"sport >=1024", "10.0.0.1", 1024, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"sport <1024", "10.0.0.1", 1024, "10.0.0.2", 1, TS_ESTABLISHED, 0, false},
	    {"sport <=1024", "10.0.0.1", 1024, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"sport !=22", "10.0.0.1", 22, "10.0.0.2", 1, TS_ESTABLISHED, 0, false},
	    {"sport != 22", "10.0.0.1", 23, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"port != 22", "10.0.0.1", 23, "10.0.0.2", 22, TS_ESTABLISHED, 0, false},
	    {"sport = :22", "10.0.0.1", 22, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"sport eq 22", "10.0.0.1", 22, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"sport gt 1024", "10.0.0.1", 22, "10.0.0.2", 1, TS_ESTABLISHED, 0, false},
	    {"sport ssh", "10.0.0.1", 22, "10.0.0.2", 1, TS_ESTABLISHED, 0, true},
	    {"src 10.0.0.0/8", "10.9.9.9", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"src 10.0.0.0/8", "11.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, false},
	    {"src 10.0.0.0/8", "::ffff:10.1.1.1", 1, "::ffff:1.1.1.1", 1, TS_ESTABLISHED,
	     0, true},
	    {"src ::ffff:10.1.1.1", "10.1.1.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"src 10.1.1.1:80", "10.1.1.1", 80, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"src 10.1.1.1:80", "10.1.1.1", 81, "1.1.1.1", 1, TS_ESTABLISHED, 0, false},
	    {"src [::1]:80", "::1", 80, "::1", 1, TS_ESTABLISHED, 0, true},
	    {"src [::1]", "::1", 80, "::1", 1, TS_ESTABLISHED, 0, true},
	    {"src ::1", "10.0.0.1", 80, "::1", 1, TS_ESTABLISHED, 0, false},
	    {"dst fe80::/10", "::1", 1, "fe80::5", 1, TS_ESTABLISHED, 0, true},
	    {"dst fe80::/10", "::1", 1, "fec0::5", 1, TS_ESTABLISHED, 0, false},
	    {"dst [2001:db8::]/32:443", "::1", 1, "2001:db8:1::1", 443, TS_ESTABLISHED, 0,
	     true},
	    {"src :22", "10.0.0.1", 22, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"src *:22", "::1", 22, "::1", 1, TS_ESTABLISHED, 0, true},
	    {"src 10.1.2.3/24", "10.1.2.200", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"state established", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"state listen", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, false},
	    {"exclude listen", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"state teardown", "10.0.0.1", 1, "1.1.1.1", 1, TS_LAST_ACK, 0, true},
	    {"listen", "10.0.0.1", 1, "0.0.0.0", 0, TS_LISTEN, 0, true},
	    {"user 1000", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 1000, true},
	    {"user root", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 1000, false},
	    {"not sport 80", "10.0.0.1", 80, "1.1.1.1", 1, TS_ESTABLISHED, 0, false},
	    {"! sport 80", "10.0.0.1", 81, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"sport 80 or sport 81", "10.0.0.1", 81, "1.1.1.1", 1, TS_ESTABLISHED, 0,
	     true},
	    {"sport 80 || dport 1", "10.0.0.1", 81, "1.1.1.1", 1, TS_ESTABLISHED, 0,
	     true},
	    {"sport 80 and dport 1", "10.0.0.1", 81, "1.1.1.1", 1, TS_ESTABLISHED, 0,
	     false},
	    {"sport 81 dport 1", "10.0.0.1", 81, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"sport 81 && dport 2", "10.0.0.1", 81, "1.1.1.1", 1, TS_ESTABLISHED, 0,
	     false},
	    {"(sport 1 or sport 81) and not (dport 2)", "10.0.0.1", 81, "1.1.1.1", 1,
	     TS_ESTABLISHED, 0, true},
	    {"sport 1 or sport 81 and dport 2", "10.0.0.1", 81, "1.1.1.1", 1,
	     TS_ESTABLISHED, 0, false},
	    {"STATE Established", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0, true},
	    {"state listen, established", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0,
	     true},
	    {"process foo", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED, 0,
	     true /* maybe */},
	    {"not process foo and sport 2", "10.0.0.1", 1, "1.1.1.1", 1, TS_ESTABLISHED,
	     0, false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		int r = build(cases[i].expr, &f, &err);
		CHECK(r == 0 && f, "'%s' does not parse: %s", cases[i].expr,
		      err ? err : "?");
		if (r == 0 && f) {
			struct sock_rec s =
			    sock(cases[i].laddr, cases[i].lport, cases[i].raddr,
				 cases[i].rport, cases[i].st);
			s.uid = cases[i].uid;
			CHECK(filter_match(f, &s, NULL) == cases[i].want,
			      "'%s' on %s:%u -> %s:%u: want %d", cases[i].expr,
			      cases[i].laddr, cases[i].lport, cases[i].raddr,
			      cases[i].rport, cases[i].want);
		}
		filter_free(f);
		free(err);
	}
}

/* ---- errors ---- */

static void test_errors(void)
{
	static const struct {
		const char *expr;
		const char *msg;
	} cases[] = {
	    {"state foo", "unknown state 'foo'"},
	    {"state establised", "did you mean 'ESTABLISHED'"},
	    {"stat listen", "did you mean 'state'"},
	    {"port 70000", "port '70000' is out of range (0-65535)"},
	    {"port abc", "'abc'"},
	    {"src 10.0.0/8", "bad address '10.0.0/8'"},
	    {"src 10.0.0.0/33", "'/33'"},
	    {"state listen and", "dangling 'and'"},
	    {"( state listen", "unbalanced parenthesis"},
	    {"state listen )", "unbalanced parenthesis"},
	    {"state listen,", "empty item"},
	    {"sport", "'sport' needs a value"},
	    {"", "unknown filter keyword ''"},
	    {"   ", NULL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		int r = build(cases[i].expr, &f, &err);
		if (!cases[i].msg) {
			CHECK(r == 0 && !f, "'%s' should be an empty filter",
			      cases[i].expr);
		} else {
			CHECK(r == -EINVAL && err && strstr(err, cases[i].msg),
			      "'%s': want -EINVAL and '%s', got %d '%s'", cases[i].expr,
			      cases[i].msg, r, err ? err : "");
			CHECK(!f, "'%s': no filter on error", cases[i].expr);
		}
		filter_free(f);
		free(err);
	}
}

/* ---- state sets and options ---- */

static void test_states(void)
{
	static const struct {
		const char *expr;
		state_set dflt;
		state_set want;
	} cases[] = {
	    {"state listen", STATE_SET_DEFAULT, STATE_BIT(TS_LISTEN)},
	    {"exclude time-wait", STATE_SET_DEFAULT,
	     STATE_SET_DEFAULT & ~STATE_BIT(TS_TIME_WAIT)},
	    {"exclude listen", STATE_SET_ALL, STATE_SET_ALL & ~STATE_BIT(TS_LISTEN)},
	    {"sport 80", STATE_BIT(TS_LISTEN), STATE_BIT(TS_LISTEN)},
	    {"state handshake", STATE_SET_DEFAULT,
	     STATE_BIT(TS_SYN_SENT) | STATE_BIT(TS_SYN_RCVD)},
	    {"state all exclude listen", 0, STATE_SET_ALL & ~STATE_BIT(TS_LISTEN)},
	    {"state listen or state closed", 0,
	     STATE_BIT(TS_LISTEN) | STATE_BIT(TS_CLOSED)},
	    {"state listen or sport 22", 0, STATE_SET_ALL},
	    {"not not state listen", 0, STATE_BIT(TS_LISTEN)},
	    {"not (state listen or state established)", STATE_SET_ALL,
	     STATE_SET_ALL & ~STATE_BIT(TS_LISTEN) & ~STATE_BIT(TS_ESTABLISHED)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		int r = build(cases[i].expr, &f, &err);
		CHECK(r == 0, "'%s': %s", cases[i].expr, err ? err : "?");
		state_set got = filter_state_set(f, cases[i].dflt);
		CHECK(got == cases[i].want, "'%s': state set 0x%x, want 0x%x",
		      cases[i].expr, got, cases[i].want);
		filter_free(f);
		free(err);
	}
	CHECK(filter_state_set(NULL, STATE_SET_DEFAULT) == STATE_SET_DEFAULT,
	      "NULL filter");

	/* Long options are ANDed with the expression. */
	struct opts o;
	const char *words[] = {"dport", "443", NULL};
	struct filter *f = NULL;
	char *err = NULL;
	struct opt_term terms[] = {
	    {.key = "state", .value = "established"},
	    {.key = "sport", .value = "80"},
	    {.key = "process", .value = "nginx"},
	};
	memset(&o, 0, sizeof(o));
	o.terms = terms;
	o.n_terms = 2;
	o.expr = words;
	o.n_expr = 2;
	CHECK(filter_build(&o, &f, &err) == 0 && f, "options: %s", err ? err : "?");
	struct sock_rec s = sock("10.0.0.1", 80, "10.0.0.2", 443, TS_ESTABLISHED);
	CHECK(filter_match(f, &s, NULL), "--state --sport and dport all hold");
	s.rport = 444;
	CHECK(!filter_match(f, &s, NULL), "dport from the expression is ANDed");
	CHECK(filter_state_set(f, STATE_SET_ALL) == STATE_BIT(TS_ESTABLISHED),
	      "--state set");
	uint16_t sp, dp;
	void *bc;
	size_t len;
	CHECK(filter_bytecode(f, &bc, &len, &sp, &dp) == 0 && sp == 80 && dp == 443,
	      "exact ports go to the request id: %u %u", sp, dp);
	free(bc);
	filter_free(f);
	o.n_terms = 3;
	CHECK(filter_build(&o, &f, &err) == 0 && filter_needs_procs(f),
	      "--process needs /proc");
	filter_free(f);
	terms[2].value = "";
	CHECK(filter_build(&o, &f, &err) == -EINVAL && err &&
		  strstr(err, "empty process name"),
	      "--process '' is an error");
	free(err);
}

/* The kernel's audit and interpreter: tests/lib/bcmodel.c, shared with fuzz_filter. */

static const char *const terms[] = {
    "sport 80",
    "dport 8000-8100",
    "port 22,443",
    "port >1024",
    "sport <=1024",
    "port != 80",
    "src 10.1.0.0/16",
    "dst 127.0.0.1",
    "src ::1",
    "dst fe80::/10",
    "src ::/0",
    "src ::ffff:0:0/80",
    "state established",
    "exclude listen",
    "user 0",
    "process foo",
    "pid 1",
    "src 0.0.0.0/0",
    "dst [2001:db8::]/32:443",
    "sport 0",
    "dport 65535",
    "src 10.1.2.3:22",
    "dst ::ffff:127.0.0.0/104",
    "port 1-65535",
    "rtt > 100ms",
    "recvq > 0",
    "lport > 1024",
    "rport == 443",
    "laddr == 10.1.0.0/16",
    "not rtt == -",
    "cc ~ ^cu",
    "expires < 61s",
    "sport 0-65535",
    "src 0::/1",
    "dst 2001:db8::/127",
    "dev 1",
    "dev 2",
    "mark 0x1/0x1",
    "mark 2",
    "fwmark 0x0/0x3",
    "unit foo.service",
    "container abc",
};

static const char *const addrs4[] = {"127.0.0.1", "10.1.2.3", "10.1.3.4", "0.0.0.0",
				     "192.168.1.1"};
static const char *const addrs6[] = {"::1",	    "fe80::1", "::ffff:10.1.2.3",
				     "2001:db8::5", "::",      "::ffff:127.0.0.1",
				     "2001:db8::1"};
static const uint16_t ports[] = {0,    22,   80,   443,	 1024,	1025,
				 8000, 8080, 8100, 8101, 65535, 33000};

static unsigned rnd(unsigned n)
{
	return (unsigned)(random() % n);
}

static void random_expr(char *buf, size_t sz, int depth)
{
	size_t n = strlen(buf);
	unsigned k = depth > 3 ? 0 : rnd(6);

	switch (k) {
	case 0:
	case 1:
		snprintf(buf + n, sz - n, "%s", terms[rnd(ARRAY_SIZE(terms))]);
		return;
	case 2:
		snprintf(buf + n, sz - n, "not ( ");
		random_expr(buf, sz, depth + 1);
		n = strlen(buf);
		snprintf(buf + n, sz - n, " )");
		return;
	default:
		snprintf(buf + n, sz - n, "( ");
		random_expr(buf, sz, depth + 1);
		n = strlen(buf);
		snprintf(buf + n, sz - n, k == 3 ? " or " : k == 4 ? " and " : " ");
		random_expr(buf, sz, depth + 1);
		n = strlen(buf);
		snprintf(buf + n, sz - n, " )");
		return;
	}
}

static struct sock_rec random_sock(void)
{
	struct sock_rec s;
	bool v6 = rnd(2);
	const char *l = v6 ? addrs6[rnd(7)] : addrs4[rnd(5)];
	const char *r = v6 ? addrs6[rnd(7)] : addrs4[rnd(5)];

	static struct sock_ext ext; /* each socket is checked before the next is made */

	s = sock(l, ports[rnd(12)], r, ports[rnd(12)], (enum ts_state)rnd(TS_NSTATES));
	s.uid = rnd(2) ? 0 : 1000;
	s.ifindex = rnd(3);
	s.mark = rnd(4);
	s.have |= SOCK_HAVE_MARK; /* the kernel always knows a socket's mark */
	s.cgroup_id = rnd(4) * 7;
	s.rqueue = rnd(2) ? 0 : 100;
	s.timer = (uint8_t)rnd(4);
	s.expires = rnd(120000);
	if (rnd(2)) {
		memset(&ext, 0, sizeof(ext));
		ext.info_len = sizeof(ext.info);
		ext.info.tcpi_rtt = rnd(300000);
		snprintf(ext.cong, sizeof(ext.cong), "%s", rnd(2) ? "cubic" : "bbr");
		s.ext = &ext;
	}
	return s;
}

static void test_bytecode(void)
{
	int compiled = 0, checked = 0;

	srandom(4242);
	for (int i = 0; i < 3000; i++) {
		char expr[2048] = "";
		struct filter *f = NULL;
		char *err = NULL;
		void *bc;
		size_t len;
		uint16_t sp, dp;

		random_expr(expr, sizeof(expr), 0);
		if (build(expr, &f, &err) != 0) {
			CHECK(0, "random '%s' does not parse: %s", expr, err ? err : "?");
			free(err);
			continue;
		}
		int r = filter_bytecode(f, &bc, &len, &sp, &dp);
		CHECK(r == 0, "'%s': filter_bytecode %d", expr, r);
		if (r == 0 && bc) {
			compiled++;
			CHECK(bcmodel_audit(bc, len) == 0,
			      "'%s': the kernel would reject the program", expr);
		}
		for (int j = 0; j < 200 && r == 0; j++) {
			struct sock_rec s = random_sock();
			if (!filter_match(f, &s, NULL))
				continue;
			checked++;
			CHECK(
			    !bc || bcmodel_run(bc, len, &s),
			    "'%s': the kernel would drop a matching socket (lport %u rport %u)",
			    expr, s.lport, s.rport);
			CHECK(!sp || sp == s.lport,
			      "'%s': request sport %u drops lport %u", expr, sp, s.lport);
			CHECK(!dp || dp == s.rport,
			      "'%s': request dport %u drops rport %u", expr, dp, s.rport);
			if (check_failures > 20)
				return;
		}
		free(bc);
		filter_free(f);
	}
	CHECK(compiled > 1000, "only %d of 3000 random filters compiled to bytecode",
	      compiled);
	CHECK(checked > 10000, "only %d matching sockets checked", checked);
	printf("bytecode: %d programs, %d matching sockets checked\n", compiled, checked);
}

/* Exact programs: the kernel keeps exactly what user space keeps when every term is one
 * the kernel can decide. */
static void test_bytecode_exact(void)
{
	static const char *const exprs[] = {
	    "sport 80",
	    "port 22,443",
	    "not port 8000-8100",
	    "src 10.1.0.0/16",
	    "dst fe80::/10 or sport 0",
	    "not ( src ::1 and dport 443 )",
	    "port !=80",
	    "src ::ffff:10.1.2.3",
	    "dst 2001:db8::/127",
	    "sport 0-65535 and not dport 22",
	    "dev 1",
	    "not dev 2 and sport 80",
	    "mark 0x1/0x1",
	    "mark 0x2/0x3 or dev 0",
	    "not mark 0",
	};

	for (size_t i = 0; i < ARRAY_SIZE(exprs); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		void *bc;
		size_t len;
		uint16_t sp, dp;
		int kept = 0;

		CHECK(build(exprs[i], &f, &err) == 0, "'%s': %s", exprs[i],
		      err ? err : "?");
		CHECK(filter_bytecode(f, &bc, &len, &sp, &dp) == 0 && bc, "'%s' compiles",
		      exprs[i]);
		for (int j = 0; bc && j < 5000; j++) {
			struct sock_rec s = random_sock();
			bool k = bcmodel_run(bc, len, &s);
			kept += k;
			CHECK(k == filter_match(f, &s, NULL),
			      "'%s': kernel %d, user space %d", exprs[i], k, !k);
			if (check_failures > 20)
				return;
		}
		CHECK(kept > 0, "'%s' kept nothing", exprs[i]);
		free(bc);
		filter_free(f);
		free(err);
	}
}

/* cgroup PATH expanded to IDs (filter_bind_cgroups' work, done by hand here): the kernel
 * decides exactly what user space does, TIME_WAIT (ID 0) never matches, and a program
 * with a MARK_COND is refused without CAP_NET_ADMIN. */
static void test_bytecode_cgroup(void)
{
	static const char *const exprs[] = {"cgroup /a", "not cgroup /a/b",
					    "cgroup /a or sport 80",
					    "cgroup /a and dev 1"};
	static const uint64_t ids[] = {7, 14};

	for (size_t i = 0; i < ARRAY_SIZE(exprs); i++) {
		struct filter *f = NULL;
		char *err = NULL;
		void *bc;
		size_t len;
		uint16_t sp, dp;

		ASSERT(build(exprs[i], &f, &err) == 0, "'%s': %s", exprs[i],
		       err ? err : "?");
		for (struct fnode *n = f->root; n; n = n->kind == FN_CGROUP ? NULL : n->a)
			if (n->kind == FN_CGROUP) {
				n->u.cg->ids = malloc(sizeof(ids));
				memcpy(n->u.cg->ids, ids, sizeof(ids));
				n->u.cg->n_ids = ARRAY_SIZE(ids);
			}
		CHECK(filter_bytecode(f, &bc, &len, &sp, &dp) == 0 && bc, "'%s' compiles",
		      exprs[i]);
		CHECK(bc && bcmodel_audit(bc, len) == 0, "'%s': the kernel accepts it",
		      exprs[i]);
		for (int j = 0; bc && j < 3000; j++) {
			struct sock_rec s = random_sock();
			bool k = bcmodel_run(bc, len, &s);
			CHECK(k == filter_match(f, &s, NULL),
			      "'%s' cgroup %llu: kernel %d, user space %d", exprs[i],
			      (unsigned long long)s.cgroup_id, k, !k);
			if (check_failures > 20)
				return;
		}
		free(bc);
		filter_free(f);
	}
	struct filter *f = NULL;
	char *err = NULL;
	void *bc;
	size_t len;
	uint16_t sp, dp;
	ASSERT(build("mark 0x1/0x1", &f, &err) == 0, "mark parses");
	ASSERT(filter_bytecode(f, &bc, &len, &sp, &dp) == 0 && bc, "mark compiles");
	CHECK(bcmodel_audit_as(bc, len, false) == -EPERM,
	      "MARK_COND needs CAP_NET_ADMIN (the kernel says EPERM)");
	CHECK(len == 12, "MARK_COND is the op and struct inet_diag_markcond: %zu", len);
	free(bc);
	filter_free(f);
}

/* A repeated option adds to its list; different options are still ANDed. */
static void test_repeated(void)
{
	struct opt_term rep[] = {
	    {.key = "state", .value = "established"},
	    {.key = "port", .value = "1001"},
	    {.key = "state", .value = "listen"},
	    {.key = "port", .value = "1004"},
	    {.key = "exclude", .value = "listen"},
	    {.key = "exclude", .value = "time-wait"},
	};
	struct opts o = {.terms = rep, .n_terms = 4};
	struct filter *f = NULL;
	char *err = NULL;

	CHECK(filter_build(&o, &f, &err) == 0 && f, "repeated: %s", err ? err : "?");
	CHECK(filter_state_set(f, STATE_SET_DEFAULT) ==
		  (STATE_BIT(TS_ESTABLISHED) | STATE_BIT(TS_LISTEN)),
	      "--state established --state listen: 0x%x",
	      filter_state_set(f, STATE_SET_DEFAULT));
	struct sock_rec s = sock("127.0.0.1", 1001, "127.0.0.1", 40000, TS_ESTABLISHED);
	CHECK(filter_match(f, &s, NULL), "port 1001 established");
	s = sock("127.0.0.1", 1004, "0.0.0.0", 0, TS_LISTEN);
	CHECK(filter_match(f, &s, NULL), "port 1004 listening");
	s = sock("127.0.0.1", 1002, "0.0.0.0", 0, TS_LISTEN);
	CHECK(!filter_match(f, &s, NULL), "port 1002 is in neither --port");
	s = sock("127.0.0.1", 1001, "127.0.0.1", 40000, TS_CLOSE_WAIT);
	CHECK(!filter_match(f, &s, NULL), "CLOSE_WAIT is in neither --state");
	filter_free(f);

	o.terms = rep + 4;
	o.n_terms = 2;
	CHECK(filter_build(&o, &f, &err) == 0 && f, "repeated exclude: %s",
	      err ? err : "?");
	CHECK(filter_state_set(f, STATE_SET_ALL) ==
		  (STATE_SET_ALL & ~(STATE_BIT(TS_LISTEN) | STATE_BIT(TS_TIME_WAIT))),
	      "--exclude listen --exclude time-wait leaves out both: 0x%x",
	      filter_state_set(f, STATE_SET_ALL));
	filter_free(f);

	struct opt_term ne[] = {{.key = "port", .value = "!=22"},
				{.key = "port", .value = "!=80"}};
	o.terms = ne;
	CHECK(filter_build(&o, &f, &err) == 0 && f, "repeated !=: %s", err ? err : "?");
	s = sock("127.0.0.1", 22, "127.0.0.1", 40000, TS_ESTABLISHED);
	CHECK(!filter_match(f, &s, NULL), "--port '!=22' --port '!=80' leaves out 22");
	s.lport = 80;
	CHECK(!filter_match(f, &s, NULL), "--port '!=22' --port '!=80' leaves out 80");
	s.lport = 81;
	CHECK(filter_match(f, &s, NULL), "--port '!=22' --port '!=80' keeps 81");
	filter_free(f);
}

int main(void)
{
	test_match();
	test_errors();
	test_states();
	test_repeated();
	test_bytecode();
	test_bytecode_exact();
	test_bytecode_cgroup();
	return check_finish("test_filter");
}
