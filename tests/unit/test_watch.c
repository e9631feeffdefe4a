/* test_watch.c - the -c header line and the terminal line cutter. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "views/watch.h"

#define expect(what, got, want) CHECK_STR(got, want, what)

static void test_header(void)
{
	struct watch_counts a = {{0}, 0}, b = {{0}, 0};
	char buf[512];

	a.n[TS_ESTABLISHED] = 10;
	a.n[TS_TIME_WAIT] = 2;
	a.total = 12;
	watch_header(buf, sizeof(buf), "12:00:00", 1, &a, NULL);
	expect("first frame", buf,
	       "12:00:00  every 1s  total 12  ESTABLISHED 10  TIME_WAIT 2");

	b = a;
	b.n[TS_ESTABLISHED] = 8;
	b.n[TS_TIME_WAIT] = 0;
	b.n[TS_FIN_WAIT_2] = 1;
	b.total = 9;
	watch_header(buf, sizeof(buf), "12:00:01", 0.2, &b, &a);
	expect(
	    "changes", buf,
	    "12:00:01  every 0.2s  total 9 (-3)  ESTABLISHED 8 (-2)  FIN_WAIT_2 1 (+1)  "
	    "TIME_WAIT 0 (-2)");

	watch_header(buf, sizeof(buf), "t", 0.5, &b, &b);
	expect("no change", buf, "t  every 0.5s  total 9  ESTABLISHED 8  FIN_WAIT_2 1");

	/* truncation stays NUL-terminated */
	size_t n = watch_header(buf, 10, "12:00:01", 0.2, &b, &a);
	CHECK(n == 9 && strlen(buf) == 9, "truncated header: %zu '%s'", n, buf);
}

static void fit(const char *line, int width, size_t want, int want_cut)
{
	bool cut;
	size_t n = watch_fit(line, strlen(line), width, &cut);

	CHECK(n == want && cut == (want_cut != 0),
	      "fit('%s', %d) = %zu cut %d, want %zu cut %d", line, width, n, cut, want,
	      want_cut);
}

static void test_fit(void)
{
	fit("abcdef", 0, 6, 0);
	fit("abcdef", 10, 6, 0);
	fit("abcdef", 6, 6, 0);
	/* a cut leaves the last column for the marker */
	fit("abcdef", 4, 3, 1);
	/* colour sequences take no columns */
	fit("\033[32mESTABLISHED\033[0m", 11, strlen("\033[32mESTABLISHED\033[0m"), 0);
	fit("ab\033[32mcdef", 3, 7, 1);
	/* a UTF-8 character is never split */
	fit("\xc3\xa9t\xc3\xa9", 2, 2, 1);
	fit("\xe2\x94\x80\xe2\x94\x80", 1, 0, 1);
}

int main(void)
{
	test_header();
	test_fit();
	return check_finish("test_watch");
}
