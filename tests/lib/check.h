/* check.h - the unit tests' one assertion header: CHECK, ASSERT, CHECK_STR, ARRAY_SIZE
 * and the exit code. Every test program is one executable and includes it once. */
#ifndef TCPSTATE_TEST_CHECK_H
#define TCPSTATE_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number of elements of an array (not of a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Failed checks so far in this program. */
static int check_failures;

/* Report one failed check as "FAIL file:line: message" on stderr and count it. */
__attribute__((format(printf, 3, 4))) static inline void
check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_failures++;
}

/* When cond is false: report the printf-style message and go on. */
#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		if (!(cond))                                                             \
			check_fail(__FILE__, __LINE__, __VA_ARGS__);                     \
	} while (0)

/* When cond is false: report and end the program with status 1, for a condition that
 * the rest of the test depends on. */
#define ASSERT(cond, ...)                                                                \
	do {                                                                             \
		if (!(cond)) {                                                           \
			check_fail(__FILE__, __LINE__, __VA_ARGS__);                     \
			exit(1);                                                         \
		}                                                                        \
	} while (0)

/* Two strings are equal (a NULL got never is); what names the check. */
#define CHECK_STR(got, want, what)                                                       \
	do {                                                                             \
		const char *got_ = (got), *want_ = (want);                               \
		CHECK(got_ &&strcmp(got_, want_) == 0, "%s: got '%s', want '%s'",        \
		      (what), got_ ? got_ : "(null)", want_);                            \
	} while (0)

/* The end of main: print how it went and return the exit status (0 or 1). */
static inline int check_finish(const char *name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %d failure(s)\n", name, check_failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

#endif
