/* test_diag_destroy.c - the SOCK_DESTROY request bytes, the error words, doctor
 * thresholds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "check.h"
#include "query/diag_destroy.h"
#include "query/netns.h"
#include "views/doctor.h"

static void test_request_v4(void)
{
	struct sock_rec s = {0};
	char buf[256];
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct inet_diag_req_v2 *req = (const void *)(buf + NLMSG_HDRLEN);
	int len;

	s.family = AF_INET;
	s.lport = 40312;
	s.rport = 5555;
	memcpy(s.laddr, "\x7f\x00\x00\x01", 4);
	memcpy(s.raddr, "\x7f\x00\x00\x02", 4);
	s.ifindex = 3;
	s.cookie = 0x1122334455667788ull;
	len = diag_build_destroy(&s, 77, buf, sizeof(buf));
	CHECK(len == (int)(NLMSG_HDRLEN + sizeof(*req)), "length %d", len);
	CHECK(nlh->nlmsg_len == (unsigned)len, "nlmsg_len %u", nlh->nlmsg_len);
	CHECK(nlh->nlmsg_type == SOCK_DESTROY, "type %u, want SOCK_DESTROY (21)",
	      nlh->nlmsg_type);
	CHECK(nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK), "flags 0x%x",
	      nlh->nlmsg_flags);
	CHECK(nlh->nlmsg_seq == 77, "seq %u", nlh->nlmsg_seq);
	CHECK(req->sdiag_family == AF_INET && req->sdiag_protocol == IPPROTO_TCP,
	      "family %u protocol %u", req->sdiag_family, req->sdiag_protocol);
	CHECK(ntohs(req->id.idiag_sport) == 40312 && ntohs(req->id.idiag_dport) == 5555,
	      "ports %u %u", ntohs(req->id.idiag_sport), ntohs(req->id.idiag_dport));
	CHECK(!memcmp(req->id.idiag_src, "\x7f\x00\x00\x01", 4) &&
		  !memcmp(req->id.idiag_dst, "\x7f\x00\x00\x02", 4),
	      "addresses");
	CHECK(req->id.idiag_if == 3, "ifindex %u", req->id.idiag_if);
	CHECK(req->id.idiag_cookie[0] == 0x55667788u &&
		  req->id.idiag_cookie[1] == 0x11223344u,
	      "cookie %x %x: the exact cookie, low word first", req->id.idiag_cookie[0],
	      req->id.idiag_cookie[1]);
	CHECK(diag_build_destroy(&s, 1, buf, 10) == -ENOSPC, "a small buffer is -ENOSPC");
}

static void test_request_v6(void)
{
	struct sock_rec s = {0};
	char buf[256];
	const struct inet_diag_req_v2 *req = (const void *)(buf + NLMSG_HDRLEN);

	s.family = AF_INET6;
	for (int i = 0; i < 16; i++) {
		s.laddr[i] = (uint8_t)i;
		s.raddr[i] = (uint8_t)(0xf0 + i);
	}
	CHECK(diag_build_destroy(&s, 1, buf, sizeof(buf)) > 0, "v6 request");
	CHECK(req->sdiag_family == AF_INET6, "v6 family");
	CHECK(!memcmp(req->id.idiag_src, s.laddr, 16) &&
		  !memcmp(req->id.idiag_dst, s.raddr, 16),
	      "all 16 bytes of each v6 address");
}

static void test_words(void)
{
	CHECK(strstr(diag_destroy_strerror(-EOPNOTSUPP), "CONFIG_INET_DIAG_DESTROY") !=
		  NULL,
	      "EOPNOTSUPP: %s", diag_destroy_strerror(-EOPNOTSUPP));
	CHECK(strstr(diag_destroy_strerror(-EPERM), "CAP_NET_ADMIN") != NULL, "EPERM: %s",
	      diag_destroy_strerror(-EPERM));
	CHECK(strstr(diag_destroy_strerror(-ENOENT), "already gone") != NULL,
	      "ENOENT: %s", diag_destroy_strerror(-ENOENT));
	CHECK(strcmp(diag_destroy_strerror(-EBUSY), strerror(EBUSY)) == 0,
	      "others: strerror");
	CHECK(strstr(netns_strerror(-EPERM), "CAP_SYS_ADMIN") != NULL, "netns EPERM: %s",
	      netns_strerror(-EPERM));
}

static void test_thresholds(void)
{
	double v[32];
	char *err = NULL;
	const char *good[] = {"close_wait_age=5", "syn_rcvd_ratio=0.25"};
	const char *unknown[] = {"bogus=1"};
	const char *bad[] = {"close_wait_age=abc"};
	const char *neg[] = {"syn_rcvd_min=0"};
	int n = 0, age = -1, ratio = -1;

	for (n = 0; doctor_thresholds[n].key; n++) {
		if (!strcmp(doctor_thresholds[n].key, "close_wait_age"))
			age = n;
		if (!strcmp(doctor_thresholds[n].key, "syn_rcvd_ratio"))
			ratio = n;
	}
	CHECK(n >= 8 && age >= 0 && ratio >= 0, "threshold table (%d keys)", n);
	if (age < 0 || ratio < 0 || n > 32)
		return;
	CHECK(doctor_parse_thresholds(NULL, 0, v, &err) == 0 && v[age] == 60,
	      "defaults: close_wait_age %g", v[age]);
	CHECK(doctor_parse_thresholds(good, 2, v, &err) == 0 && v[age] == 5 &&
		  v[ratio] == 0.25,
	      "KEY=VALUE sets it");
	CHECK(doctor_parse_thresholds(unknown, 1, v, &err) == -EINVAL && err &&
		  strstr(err, "'bogus'") && strstr(err, "close_wait_age"),
	      "unknown key: %s", err ? err : "(null)");
	free(err);
	err = NULL;
	CHECK(doctor_parse_thresholds(bad, 1, v, &err) == -EINVAL && err &&
		  strstr(err, "'abc'"),
	      "bad value: %s", err ? err : "(null)");
	free(err);
	err = NULL;
	CHECK(doctor_parse_thresholds(neg, 1, v, &err) == -EINVAL, "out of range");
	free(err);
}

int main(void)
{
	test_request_v4();
	test_request_v6();
	test_words();
	test_thresholds();
	return check_finish("test_diag_destroy");
}
