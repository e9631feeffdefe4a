/* wrap.c - word wrapping with a hanging indent, measured in display columns. */
#include <errno.h>
#include <string.h>

#include "base/dwidth.h"
#include "base/wrap.h"

/* Start a continuation line. */
static size_t new_line(FILE *out, int indent)
{
	fprintf(out, "\n%*s", indent, "");
	return (size_t)indent;
}

int wrap_write(FILE *out, const char *text, int width, int indent)
{
	size_t col = 0, lim = width > 0 ? (size_t)width : 0;
	const char *p = text;

	if (lim && (size_t)indent + 16 > lim)
		indent = 0; /* too narrow for an indent */
	if (!lim) {
		fprintf(out, "%s\n", text);
		return ferror(out) ? -EIO : 0;
	}
	while (*p) {
		size_t spaces = strspn(p, " ");
		const char *word = p + spaces;
		size_t len = strcspn(word, " ");
		size_t w = dwidth(word, len);

		if (!len)
			break;
		if (col > (size_t)indent && col + spaces + w > lim)
			col = new_line(out, indent); /* the spaces go with the break */
		else if (col || p == text) { /* leading spaces are an indent: kept */
			fprintf(out, "%.*s", (int)spaces, p);
			col += spaces;
		}
		while (len) {
			size_t used, n;
			if (col >= lim)
				col = new_line(out, indent);
			n = dwidth_fit(word, len, lim - col, &used);
			if (!n) { /* a character wider than what is left of the line */
				col = new_line(out, indent);
				n = dwidth_fit(word, len, lim - col, &used);
				if (!n)
					break;
			}
			fwrite(word, 1, n, out);
			col += used;
			word += n;
			len -= n;
		}
		p = word + len;
		p += strcspn(p, " "); /* past a word left unwritten (nothing fits) */
	}
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
