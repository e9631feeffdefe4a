/* test_diagram.c - --diagram: golden ASCII drawing, width, every count shown. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/states.h"
#include "render/diagram.h"

#define GOLDEN "diagram-golden.txt" /* tests run in tests/data */

/* Distinct counts, each easy to find: one per state, up to the 7 digits that must fit. */
static const uint64_t fixture[TS_NSTATES] = {
    [TS_CLOSED] = 3,	   [TS_LISTEN] = 12,	       [TS_SYN_SENT] = 4567,
    [TS_SYN_RCVD] = 89,	   [TS_ESTABLISHED] = 9999999, [TS_FIN_WAIT_1] = 0,
    [TS_FIN_WAIT_2] = 271, [TS_CLOSE_WAIT] = 1234567,  [TS_CLOSING] = 5,
    [TS_LAST_ACK] = 60,	   [TS_TIME_WAIT] = 28232,
};

/* Render into a malloc'd string (caller frees); NULL on failure. */
static char *render(const uint64_t counts[TS_NSTATES], bool unicode)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return NULL;
	ret = diagram_write(f, counts, unicode);
	fclose(f);
	CHECK(ret == 0, "diagram_write(unicode=%d) returned %d", unicode, ret);
	return buf;
}

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *f = fopen(path, "r"), *m;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while (m && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	if (m)
		fclose(m);
	return buf;
}

/* Display columns of a UTF-8 line: every character the diagram uses is one column. */
static int columns(const char *s, size_t n)
{
	int cols = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}

/* Every line fits DIAGRAM_COLS, none ends in a blank, and there are DIAGRAM_LINES. */
static void check_shape(const char *out, const char *what)
{
	int lines = 0;
	const char *p = out;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n;

		CHECK(nl, "%s: last line has no newline", what);
		if (!nl)
			break;
		n = (size_t)(nl - p);
		lines++;
		CHECK(columns(p, n) <= DIAGRAM_COLS, "%s: line %d is %d columns wide",
		      what, lines, columns(p, n));
		CHECK(n == 0 || p[n - 1] != ' ', "%s: line %d ends in a blank", what,
		      lines);
		p = nl + 1;
	}
	CHECK(lines == DIAGRAM_LINES, "%s: %d lines, expected %d", what, lines,
	      DIAGRAM_LINES);
}

/* Each state's name and count appear, and the count sits right under the name. */
static void check_counts(const char *out, const uint64_t counts[TS_NSTATES],
			 const char *what)
{
	int s;

	for (s = 0; s < TS_NSTATES; s++) {
		char num[32];

		snprintf(num, sizeof(num), "%" PRIu64, counts[s]);
		CHECK(strstr(out, state_name((enum ts_state)s)), "%s: no %s", what,
		      state_name((enum ts_state)s));
		CHECK(strstr(out, num), "%s: count %s of %s missing", what, num,
		      state_name((enum ts_state)s));
	}
}

/* The count row of a box is the line right after the name, at an overlapping column. */
static void check_count_under_name(const char *out, enum ts_state s, const char *num)
{
	const char *name = strstr(out, state_name(s));
	const char *line, *next, *end;
	size_t col;

	/* names also appear in labels and the footer: the box holds the first whole one
	 */
	while (name &&
	       ((name > out && name[-1] != ' ') || (name[strlen(state_name(s))] != ' ')))
		name = strstr(name + 1, state_name(s));
	CHECK(name, "no box for %s", state_name(s));
	if (!name)
		return;
	for (line = name; line > out && line[-1] != '\n'; line--)
		;
	col = (size_t)(name - line);
	next = strchr(name, '\n');
	if (!next)
		return;
	next++;
	end = strchr(next, '\n');
	CHECK(end && (size_t)(end - next) > col, "%s: no count row", state_name(s));
	if (!end || (size_t)(end - next) <= col)
		return;
	{
		char row[128];
		size_t n = (size_t)(end - next) < sizeof(row) - 1 ? (size_t)(end - next)
								  : sizeof(row) - 1;

		memcpy(row, next, n);
		row[n] = '\0';
		/* the count is centred in the same 13-column box as the name */
		CHECK(strstr(row + (col > 6 ? col - 6 : 0), num),
		      "%s: count %s not under name", state_name(s), num);
	}
}

/* The compact form for narrow terminals: every state in lifecycle order with its count,
 * the transitions out of it, nothing wider than 40 columns. */
static void test_compact(const uint64_t counts[TS_NSTATES])
{
	char *out = NULL;
	size_t len = 0, at = 0;
	FILE *f = open_memstream(&out, &len);

	ASSERT(f, "open_memstream");
	CHECK(diagram_write_compact(f, counts, false) == 0, "compact form");
	fclose(f);
	for (int s = 0; s < TS_NSTATES; s++) {
		char want[64];
		snprintf(want, sizeof(want), "%-11s %8llu\n",
			 state_name((enum ts_state)s), (unsigned long long)counts[s]);
		const char *p = strstr(out + at, want);
		CHECK(p, "compact: %s with its count, in lifecycle order", want);
		if (p)
			at = (size_t)(p - out) + strlen(want);
	}
	CHECK(strstr(out, "  -> TIME_WAIT   2MSL timeout") == NULL &&
		  strstr(out, "  -> CLOSED      2MSL timeout"),
	      "TIME_WAIT leads to CLOSED on its timer:\n%s", out);
	for (char *l = out, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		CHECK(n <= 40, "compact line wider than 40: %.*s", (int)n, l);
	}
	free(out);
}

int main(void)
{
	static const uint64_t zero[TS_NSTATES];
	uint64_t big[TS_NSTATES];
	char *ascii, *uni, *golden, *z, *b;
	int s;

	ascii = render(fixture, false);
	uni = render(fixture, true);
	if (!ascii || !uni) {
		fprintf(stderr, "render failed\n");
		return 1;
	}

	golden = read_file(GOLDEN);
	CHECK(golden, "cannot read %s (run from tests/data)", GOLDEN);
	if (golden && strcmp(ascii, golden)) {
		/* leave the actual drawing next to the build for a diff */
		const char *dir = getenv("TCPSTATE_BUILDDIR");
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/diagram-actual.txt", dir ? dir : ".");
		f = fopen(path, "w");
		if (f) {
			fputs(ascii, f);
			fclose(f);
		}
		CHECK(0, "ASCII diagram differs from %s; actual output in %s", GOLDEN,
		      path);
	}

	check_shape(ascii, "ascii");
	check_shape(uni, "unicode");
	check_counts(ascii, fixture, "ascii");
	check_counts(uni, fixture, "unicode");
	for (s = 0; s < TS_NSTATES; s++) {
		char num[32];

		snprintf(num, sizeof(num), "%" PRIu64, fixture[s]);
		check_count_under_name(ascii, (enum ts_state)s, num);
	}

	/* ASCII mode is pure ASCII; unicode mode draws lines with box characters */
	for (const char *p = ascii; *p; p++)
		CHECK((unsigned char)*p < 0x80, "non-ASCII byte in ASCII mode");
	CHECK(strstr(uni, "\u250c"), "unicode mode has no box corner");
	CHECK(strstr(uni, "\u25bc"), "unicode mode has no down arrowhead");
	CHECK(!strchr(uni, '+'), "unicode mode still has a '+'");
	CHECK(strstr(uni, "SYN_RCVD"), "unicode mode mangled SYN_RCVD's V");

	/* the drawing must not move when counts change width */
	z = render(zero, false);
	for (s = 0; s < TS_NSTATES; s++)
		big[s] = UINT64_MAX - (uint64_t)s;
	b = render(big, false);
	if (z && b) {
		check_shape(z, "zero");
		check_shape(b, "huge");
		CHECK(strstr(b, "18446744073G"), "UINT64_MAX not shown scaled");
		/* same layout: only digits differ between the two */
		CHECK(strlen(z) <= strlen(b), "zero drawing longer than huge drawing");
	}

	/* a write error is reported */
	{
		FILE *full = fopen("/dev/full", "w");

		if (full) {
			CHECK(diagram_write(full, fixture, false) == -EIO,
			      "no -EIO on /dev/full");
			fclose(full);
		}
	}

	free(ascii);
	free(uni);
	free(golden);
	free(z);
	free(b);
	test_compact(fixture);
	return check_finish("test_diagram");
}
