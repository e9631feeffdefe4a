/* test_width.c - display width from the locale: CJK and combining characters align in the
 * listing and the histogram, and a line cut at the terminal's width keeps every number
 * whole and ends with the marker. */
#include <locale.h>

/* render_fixture.h's helpers this test does not use */
#pragma GCC diagnostic ignored "-Wunused-function"

#include "base/dwidth.h"
#include "model/columns.h"
#include "render/table.h"
#include "render_fixture.h"

#define CJK "\xe7\xbd\x91\xe5\x85\xb3\xe6\x9c\x8d\xe5\x8a\xa1" /* 网关服务: 8 columns */
#define COMBINING "cafe\xcc\x81"			       /* café, e + U+0301: 4 */

static void test_dwidth(void)
{
	size_t used;

	CHECK(dwidth(CJK, strlen(CJK)) == 8, "CJK is two columns a character");
	CHECK(dwidth(COMBINING, strlen(COMBINING)) == 4, "a combining mark takes none");
	CHECK(dwidth("abc", 3) == 3, "ASCII");
	/* never split a character: 3 columns of CJK is one character (3 bytes) */
	CHECK(dwidth_fit(CJK, strlen(CJK), 3, &used) == 3 && used == 2, "fit CJK");
	/* the combining mark stays with its letter */
	CHECK(dwidth_fit(COMBINING, strlen(COMBINING), 4, &used) == strlen(COMBINING),
	      "fit keeps the mark");
}

/* A fake /proc: 网关服务 (100), café with a combining accent (200), nginx (21959). */
static struct procs *procs_of(const struct sock_set *set)
{
	static const unsigned a[] = {1001, 1004, 0}, b[] = {1002, 0}, c[] = {1003, 0};
	char root[] = "/tmp/tcpstate-width-XXXXXX", cmd[128];
	uint32_t inodes[16];
	struct procs *p = NULL;

	if (!mkdtemp(root))
		abort();
	fx_proc(root, 100, CJK "\n", a);
	fx_proc(root, 200, COMBINING "\n", b);
	fx_proc(root, 21959, "nginx\n", c);
	for (size_t i = 0; i < set->n; i++)
		inodes[i] = set->v[i].inode;
	if (procs_scan(root, inodes, set->n, &p, NULL) < 0)
		abort();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", root);
	return p;
}

/* The state cell (or its header) starts at the same display column on every line that
 * has one. */
static void check_aligned(const char *text, const char *what)
{
	static const char *const words[] = {"State",	  "LISTEN",    "ESTABLISHED",
					    "CLOSE_WAIT", "TIME_WAIT", NULL};
	long col = -1;
	int lines = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *at = NULL;
		for (int i = 0; words[i]; i++) {
			const char *m = memmem(p, len, words[i], strlen(words[i]));
			if (m && (!at || m < at))
				at = m;
		}
		if (at) {
			long c = (long)dwidth(p, (size_t)(at - p));
			if (col < 0)
				col = c;
			CHECK(c == col,
			      "%s: line %d has its state at column %ld, not %ld:\n%.*s",
			      what, lines + 1, c, col, (int)len, p);
			lines++;
		}
		p += len + (nl ? 1 : 0);
	}
	CHECK(lines >= 6, "%s: %d lines with a state", what, lines);
}

static void test_listing(const struct sock_set *set, struct procs *p)
{
	struct column_list cols;
	const char *bad = NULL;
	struct col_ctx cc = {.procs = p};
	char *s = NULL;

	CHECK(column_list_build("owners,state,local", 0, &cols, &bad) == 0, "columns");
	struct table_opts t = {.header = true};
	CAPTURE(s, table_render(out, set, &cols, &cc, &t));
	check_aligned(s, "--columns owners,state,local");
	CHECK(strstr(s, CJK) && strstr(s, COMBINING), "names shown:\n%s", s);
	free(s);

	/* cut at 40 columns: every line fits, cut lines end with the marker, the PID is
	 * whole */
	CHECK(column_list_build(NULL, COL_GROUP_OWNERS, &cols, &bad) == 0, "columns");
	for (int width = 30; width <= 80; width += 10) {
		struct table_opts tw = {
		    .header = true, .width = width, .marker = "\xe2\x80\xa6"};
		CAPTURE(s, table_render(out, set, &cols, &cc, &tw));
		for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
			size_t w = dwidth(line, strlen(line));
			CHECK(w <= (size_t)width, "%d columns: '%s' is %zu wide", width,
			      line, w);
			if (strstr(line, "2195") && !strstr(line, "21959"))
				CHECK(0, "%d columns: PID cut: '%s'", width, line);
		}
		free(s);
	}
	struct table_opts tw = {.header = true, .width = 60, .marker = "\xe2\x80\xa6"};
	CAPTURE(s, table_render(out, set, &cols, &cc, &tw));
	CHECK(strstr(s, "\xe2\x80\xa6") != NULL, "60 columns: a marker\n%s", s);
	free(s);
}

static void test_hist(const struct sock_set *set, struct procs *p)
{
	struct hist h;
	const char *bad = NULL;
	char *s = NULL;

	CHECK(hist_init(&h, "process,state", &bad) == 0, "hist_init");
	h.procs = p;
	for (size_t i = 0; i < set->n; i++)
		CHECK(hist_add(&h, &set->v[i]) == 0, "hist_add");
	CHECK(hist_finish(&h) == 0, "hist_finish");
	struct hist_render r = {.header = true};
	CAPTURE(s, hist_render_table(out, &h, &r));
	check_aligned(s, "--hist process,state");
	CHECK(strstr(s, CJK) && strstr(s, COMBINING), "names shown:\n%s", s);
	free(s);
	hist_done(&h);
}

int main(void)
{
	struct sock_set set;

	if (!setlocale(LC_ALL, "C.UTF-8")) {
		printf("SKIP: no C.UTF-8 locale\n");
		return 77;
	}
	test_dwidth();
	fx_set(&set);
	struct procs *p = procs_of(&set);
	test_listing(&set, p);
	test_hist(&set, p);
	procs_free(p);
	sock_set_done(&set);
	return check_finish("test_width");
}
