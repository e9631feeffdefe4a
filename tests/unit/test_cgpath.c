/* test_cgpath.c - units and containers read from cgroup v2 paths, and the cells of the
 * cgroup-derived columns, cmdline, mark and tos. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/cgpath.h"
#include "render/colfmt_cg.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_units(void)
{
	static const struct {
		const char *path, *unit;
	} cases[] = {
	    {"/system.slice/nginx.service", "nginx.service"},
	    {"/system.slice/docker-" HEX64 ".scope", "docker-" HEX64 ".scope"},
	    {"/system.slice", "system.slice"},
	    {"/", ""},
	    {"/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
	     "user@1000.service/foo.service"},
	    {"/user.slice/user-1000.slice/user@1000.service", "user@1000.service"},
	    {"/user.slice/user-1000.slice/session-3.scope", "session-3.scope"},
	    {"/system.slice/sshd.socket", "sshd.socket"},
	    {"/system.slice/nginx.service/worker", "nginx.service"},
	    {"/custom/group", ""},
	};
	char buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cgpath_unit(cases[i].path, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].unit, cases[i].path);
	}
	CHECK(cgpath_unit("/system.slice/nginx.service", buf, 4) == 3 &&
		  strcmp(buf, "ngi") == 0,
	      "a short buffer truncates: '%s'", buf);
}

static void test_containers(void)
{
	static const struct {
		const char *path, *label, *id;
	} cases[] = {
	    {"/system.slice/docker-" HEX64 ".scope", "docker:0123456789ab", HEX64},
	    {"/machine.slice/libpod-" HEX64 ".scope", "podman:0123456789ab", HEX64},
	    {"/kubepods.slice/kubepods-besteffort.slice/"
	     "kubepods-besteffort-pod1a2b3c4d_0000_4000_8000_00000000abcd.slice/"
	     "cri-containerd-" HEX64 ".scope",
	     "containerd:0123456789ab/pod:1a2b3c4d-0000-4000-8000-00000000abcd", HEX64},
	    {"/kubepods.slice/kubepods-pod1a2b.slice/crio-" HEX64 ".scope",
	     "crio:0123456789ab/pod:1a2b", HEX64},
	    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc.slice",
	     "pod:abc", ""},
	    {"/docker/" HEX64, "docker:0123456789ab", HEX64},
	    {"/kubepods/besteffort/pod1a2b/" HEX64, "container:0123456789ab/pod:1a2b",
	     HEX64},
	    {"/system.slice/docker-123.scope", "", ""},
	    {"/system.slice/nginx.service", "", ""},
	};
	char buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cgpath_container c;
		int r = cgpath_container(cases[i].path, &c);
		cgpath_container_label(&c, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].label, cases[i].path);
		CHECK_STR(c.id, cases[i].id, cases[i].path);
		CHECK(r == (cases[i].label[0] != '\0'), "'%s': returns %d", cases[i].path,
		      r);
	}
}

static void test_cells(void)
{
	struct sock_rec s;
	struct col_ctx c = {0};
	char buf[64];

	memset(&s, 0, sizeof(s));
	colfmt_cgroup(&s, &c, buf, sizeof(buf));
	CHECK_STR(buf, "-", "cell");
	colfmt_unit(&s, &c, buf, sizeof(buf));
	CHECK_STR(buf, "-", "cell");
	s.cgroup_id = 42; /* no map: unknown */
	colfmt_container(&s, &c, buf, sizeof(buf));
	CHECK_STR(buf, "-", "cell");
	colfmt_mark(&s, &c, buf, sizeof(buf));
	CHECK_STR(buf, "-", "cell");
	s.mark = 0x1f;
	s.have = SOCK_HAVE_MARK | SOCK_HAVE_TOS;
	s.tos = 0x10;
	colfmt_mark(&s, &c, buf, sizeof(buf));
	CHECK_STR(buf, "0x1f", "cell");
	colfmt_tos(&s, &c, buf, sizeof(buf));
	CHECK_STR(buf, "0x10", "cell");
	colfmt_cmdline(&s, &c, buf, sizeof(buf));
	CHECK_STR(buf, "-", "cell");
}

int main(void)
{
	test_units();
	test_containers();
	test_cells();
	return check_finish("test_cgpath");
}
