/* test_faults_termcut.c - lines cut at the terminal width: columns, colours, UTF-8,
 * errors. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render/term_cut.h"

/* What comes out of a cutter of this width for these writes (fd -1: no terminal to ask).
 */
static void expect(int width, const char *const *writes, const char *want)
{
	char *got = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&got, &len);
	FILE *cut = term_cut_open(mem, -1, width, ">");

	CHECK(cut != NULL, "term_cut_open: %s", strerror(errno));
	if (!cut)
		return;
	for (int i = 0; writes[i]; i++)
		fputs(writes[i], cut);
	CHECK(!ferror(cut), "no error");
	fclose(cut);
	fclose(mem);
	CHECK(strcmp(got, want) == 0, "width %d:\n  got  '%s'\n  want '%s'", width, got,
	      want);
	free(got);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	/* a cut line ends with the marker, in the last column */
	expect(5, (const char *const[]){"abcdefgh\n12\n", "123456789\n", NULL},
	       "abcd>\n12\n>\n");
	expect(5, (const char *const[]){"abcde\n", NULL}, "abcde\n");
	/* a number is never cut to a prefix of itself */
	expect(8, (const char *const[]){"pid 21959/nginx\n", NULL}, "pid >\n");
	/* a line written in pieces */
	expect(4, (const char *const[]){"ab", "cd", "ef\n", "x", NULL}, "abc>\nx");
	/* colours take no columns and are never dropped, even past the width */
	expect(3, (const char *const[]){"\033[32mESTABLISHED\033[0m\n", NULL},
	       "\033[32mES\033[0m>\n");
	expect(2, (const char *const[]){"abc\033[2J\033[?1049hd\n", NULL}, "a\033[0m>\n");
	/* a UTF-8 character is kept or dropped whole */
	expect(3,
	       (const char *const[]){"\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\n",
				     NULL},
	       "\xe2\x94\x8c\xe2\x94\x80>\n");
	expect(2, (const char *const[]){"\xc3\xa9\xc3\xa9\n", NULL},
	       "\xc3\xa9\xc3\xa9\n");
	expect(1, (const char *const[]){"\xc3\xa9\xc3\xa9\n", NULL}, ">\n");
	/* \r starts the line again */
	expect(3, (const char *const[]){"abcdef\rxyzw\n", NULL}, "ab>\rxy>\n");

	/* a failed write underneath reaches the caller as a stream error */
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		FILE *cut = term_cut_open(full, -1, 10, ">");
		fputs("abc\n", cut);
		CHECK(ferror(cut), "a write to /dev/full is an error on the cutter");
		fclose(cut);
		fclose(full);
	}
	return check_finish("test_faults_termcut");
}
