/* test_numfmt.c - the snprintf-free number formatter against snprintf itself. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/numfmt.h"
#include "check.h"

static void test_u64(void)
{
	static const uint64_t vals[] = {0,
					1,
					9,
					10,
					99,
					100,
					101,
					12345,
					4294967295u,
					4294967296u,
					UINT64_MAX - 1,
					UINT64_MAX};
	char got[32], want[32];

	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		size_t n = numfmt_u64(vals[i], got, sizeof(got));
		snprintf(want, sizeof(want), "%" PRIu64, vals[i]);
		CHECK_STR(got, want, "u64");
		CHECK(n == strlen(want), "u64 length %zu", n);
	}
	/* every small value, both through the direct path and the cut one */
	for (uint64_t v = 0; v < 100000; v += 7) {
		char small[8];
		numfmt_u64(v, got, sizeof(got));
		snprintf(want, sizeof(want), "%" PRIu64, v);
		CHECK(strcmp(got, want) == 0, "u64 %s", want);
		size_t n = numfmt_u64(v, small, sizeof(small));
		CHECK(n == strlen(want) && strcmp(small, want) == 0, "u64 small %s",
		      want);
	}
	/* cut like snprintf, always NUL-terminated */
	CHECK(numfmt_u64(123456, got, 4) == 3 && strcmp(got, "123") == 0, "cut");
	CHECK(numfmt_u64(5, got, 1) == 0 && got[0] == '\0', "cut to nothing");
	CHECK(numfmt_u64(5, NULL, 0) == 0, "size 0");
}

static void test_fixed(void)
{
	static const struct {
		uint64_t v;
		unsigned dec;
		bool trim;
		const char *want;
	} cases[] = {
	    {0, 3, true, "0"},
	    {1000, 3, true, "1"},
	    {1200, 3, true, "1.2"},
	    {1230, 3, true, "1.23"},
	    {1234, 3, true, "1.234"},
	    {5, 3, true, "0.005"},
	    {50, 3, true, "0.05"},
	    {0, 1, false, "0.0"},
	    {12, 1, false, "1.2"},
	    {120, 1, false, "12.0"},
	    {7, 0, false, "7"},
	    {1000, 3, false, "1.000"},
	    {UINT64_MAX, 3, true, "18446744073709551.615"},
	};
	char got[40];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = numfmt_fixed(cases[i].v, cases[i].dec, cases[i].trim, got,
					sizeof(got));
		CHECK_STR(got, cases[i].want, "fixed");
		CHECK(n == strlen(cases[i].want), "fixed length");
	}
	CHECK(numfmt_fixed(1234, 3, true, got, 3) == 2 && strcmp(got, "1.") == 0,
	      "fixed cut");
}

int main(void)
{
	test_u64();
	test_fixed();
	return check_finish("test_numfmt");
}
