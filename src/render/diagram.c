/* diagram.c - --diagram: the TCP state machine drawn in the terminal, with live counts */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/states.h"
#include "base/i18n.h"
#include "render/diagram.h"
#include "render/explain.h"
#include "render/textwrap.h"

#define DIAGRAM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* clang-format off */
/*
 * The machine, drawn by hand in ASCII: '-', '|' and '+' are lines, '>', '<' and 'V' are
 * arrowheads ('V' so that a lowercase v in a label stays a letter). Labels must use none
 * of those characters. The box interiors are filled in from diagram_boxes[], so the
 * names written here are only for the reader of this file. The active side keeps the
 * left column and the passive side the right: the close half is laid out as in RFC 793
 * and Stevens, the open half mirrored so that each side stays in its column.
 */
static const char *const diagram_art[] = {
"                                +-------------+",
"                                |   CLOSED    |",
"                                |             |",
"                                +--+-------+--+",
"          connect() / snd SYN      |       | listen()",
"        +--------------------------+       +-------------------------+",
"        |                                                            V",
"        |                                                     +-------------+",
"        |                                                     |   LISTEN    |",
"        |                                                     |             |",
"        |                                                     +------+------+",
"        |                                                  rcv SYN / |",
"        V                   rcv SYN / snd SYN,ACK        snd SYN,ACK V",
" +-------------+             (simultaneous open)              +-------------+",
" |  SYN_SENT   |--------------------------------------------->|  SYN_RCVD   |",
" |             |                                              |             |",
" +------+------+                                              +------+------+",
"        | rcv SYN,ACK /                                              | rcv ACK",
"        | snd ACK               +-------------+                      |",
"        +---------------------->| ESTABLISHED |<---------------------+",
"                                |             |",
"                                +--+-------+--+",
"           close() / snd FIN       |       | rcv FIN / snd ACK",
"        +--------------------------+       +-------------------------+",
"        V                                                            V",
" +-------------+                                              +-------------+",
" | FIN_WAIT_1  |  rcv FIN / snd ACK                           | CLOSE_WAIT  |",
" |             |-----------------------+                      |             |",
" +------+------+                       |                      +------+------+",
"        | rcv ACK                      |                             | close() /",
"        V                              V                             V snd FIN",
" +-------------+                +-------------+               +-------------+",
" | FIN_WAIT_2  |                |   CLOSING   |               |  LAST_ACK   |",
" |             |                |             |               |             |",
" +------+------+                +------+------+               +------+------+",
"        | rcv FIN / snd ACK            | rcv ACK                     | rcv ACK",
"        V                              |                             V",
" +-------------+                       |                           CLOSED",
" |  TIME_WAIT  |                       |",
" |             |<----------------------+",
" +------+------+",
"        | 2MSL timeout (60 s on Linux)",
"        V",
"      CLOSED",
};

enum {
	DIAGRAM_ART_LINES = DIAGRAM_ARRAY_SIZE(diagram_art),
	BOX_INNER = 13, /* a box is "|" + 13 columns + "|" */
};

/* Where each state's box is: the row of its top border, the column of its left side. */
static const struct diagram_box {
	enum ts_state state;
	int row, col;
} diagram_boxes[] = {
	{ TS_CLOSED, 0, 32 },
	{ TS_LISTEN, 7, 62 },
	{ TS_SYN_SENT, 13, 1 },
	{ TS_SYN_RCVD, 13, 62 },
	{ TS_ESTABLISHED, 18, 32 },
	{ TS_FIN_WAIT_1, 25, 1 },
	{ TS_CLOSE_WAIT, 25, 62 },
	{ TS_FIN_WAIT_2, 31, 1 },
	{ TS_CLOSING, 31, 32 },
	{ TS_LAST_ACK, 31, 62 },
	{ TS_TIME_WAIT, 37, 1 },
};

/* Above and below the machine, translated when printed (the legend; the art and the state
 * names stay as they are); "->" becomes an arrow character in unicode mode. */
static const char *const diagram_header[] = {
	N_(" ACTIVE SIDE: connect(), closes first   PASSIVE SIDE: listen(), closes second"),
	"",
};

static const char *const diagram_footer[] = {
	"",
	N_(" Also: rcv RST in any state -> CLOSED, without TIME_WAIT;"),
	N_("       close() in LISTEN or SYN_SENT -> CLOSED;"),
	N_("       FIN_WAIT_1 with FIN and ACK in one segment / snd ACK -> TIME_WAIT."),
	N_(" Numbers: sockets in each state now, after filters."),
};

/* clang-format on */

enum { LINK_UP = 1, LINK_DOWN = 2, LINK_LEFT = 4, LINK_RIGHT = 8 };

/* clang-format off */
/* Box-drawing character for a line cell, indexed by the LINK_* directions it joins. */
static const char *const diagram_lines[16] = {
	[0] = "\u253c",
	[LINK_UP] = "\u2502",
	[LINK_DOWN] = "\u2502",
	[LINK_UP | LINK_DOWN] = "\u2502",
	[LINK_LEFT] = "\u2500",
	[LINK_RIGHT] = "\u2500",
	[LINK_LEFT | LINK_RIGHT] = "\u2500",
	[LINK_DOWN | LINK_RIGHT] = "\u250c",
	[LINK_DOWN | LINK_LEFT] = "\u2510",
	[LINK_UP | LINK_RIGHT] = "\u2514",
	[LINK_UP | LINK_LEFT] = "\u2518",
	[LINK_UP | LINK_DOWN | LINK_RIGHT] = "\u251c",
	[LINK_UP | LINK_DOWN | LINK_LEFT] = "\u2524",
	[LINK_DOWN | LINK_LEFT | LINK_RIGHT] = "\u252c",
	[LINK_UP | LINK_LEFT | LINK_RIGHT] = "\u2534",
	[LINK_UP | LINK_DOWN | LINK_LEFT | LINK_RIGHT] = "\u253c",
};
/* clang-format on */

/* clang-format off */
/* Arrowheads: the ASCII template character and what each mode prints for it. */
static const struct diagram_head {
	char art;
	const char *ascii, *unicode;
} diagram_heads[] = {
	{ '>', ">", "\u25b6" },
	{ '<', "<", "\u25c0" },
	{ 'V', "v", "\u25bc" },
	{ '^', "^", "\u25b2" },
};

/* clang-format on */

/* The art with box interiors filled in; text[][] marks cells that are not line art. */
struct diagram_canvas {
	char cell[DIAGRAM_ART_LINES][DIAGRAM_COLS + 1];
	bool text[DIAGRAM_ART_LINES][DIAGRAM_COLS];
};

/* Count as digits, or scaled with a k/M/G/T/P/E suffix when it would not fit a box. */
static void diagram_fmt_count(uint64_t n, char *buf, size_t size)
{
	static const char suffix[] = "kMGTPE";
	int i = -1;

	snprintf(buf, size, "%" PRIu64, n);
	while (strlen(buf) > BOX_INNER && suffix[i + 1]) {
		n /= 1000;
		i++;
		snprintf(buf, size, "%" PRIu64 "%c", n, suffix[i]);
	}
}

/* Write s centred into the interior of the box at row, marking the cells as text. */
static void diagram_center(struct diagram_canvas *cv, int row, int col, const char *s)
{
	size_t len = strlen(s);
	int c;

	if (len > BOX_INNER)
		len = BOX_INNER;
	for (c = col + 1; c <= col + BOX_INNER; c++) {
		cv->cell[row][c] = ' ';
		cv->text[row][c] = true;
	}
	memcpy(&cv->cell[row][col + 1 + (BOX_INNER - (int)len) / 2], s, len);
}

static void diagram_fill(struct diagram_canvas *cv, const uint64_t counts[TS_NSTATES])
{
	char num[32];
	size_t i;
	int r;

	memset(cv, 0, sizeof(*cv));
	for (r = 0; r < DIAGRAM_ART_LINES; r++) {
		size_t len = strlen(diagram_art[r]);

		memset(cv->cell[r], ' ', DIAGRAM_COLS);
		memcpy(cv->cell[r], diagram_art[r],
		       len < DIAGRAM_COLS ? len : DIAGRAM_COLS);
	}
	for (i = 0; i < DIAGRAM_ARRAY_SIZE(diagram_boxes); i++) {
		const struct diagram_box *b = &diagram_boxes[i];

		diagram_fmt_count(counts[b->state], num, sizeof(num));
		diagram_center(cv, b->row + 1, b->col, state_name(b->state));
		diagram_center(cv, b->row + 2, b->col, num);
	}
}

/* The art character at (r, c), or ' ' outside the canvas and in text. */
static char diagram_at(const struct diagram_canvas *cv, int r, int c)
{
	if (r < 0 || r >= DIAGRAM_ART_LINES || c < 0 || c >= DIAGRAM_COLS ||
	    cv->text[r][c])
		return ' ';
	return cv->cell[r][c];
}

/*
 * Which neighbours a line cell joins: '-' and '|' always run straight and also join a
 * line that starts beside a '|' (an arrow leaving a box side); '+' joins every line
 * or arrowhead next to it that points its way.
 */
static unsigned diagram_links(const struct diagram_canvas *cv, int r, int c)
{
	char ch = cv->cell[r][c];
	char up = diagram_at(cv, r - 1, c), down = diagram_at(cv, r + 1, c);
	char left = diagram_at(cv, r, c - 1), right = diagram_at(cv, r, c + 1);
	unsigned links = 0;

	if (ch == '-')
		return LINK_LEFT | LINK_RIGHT;
	if (ch == '|')
		links = LINK_UP | LINK_DOWN;
	if (ch == '+') {
		if (strchr("|+^", up))
			links |= LINK_UP;
		if (strchr("|+V", down))
			links |= LINK_DOWN;
	}
	if (strchr("-+<", left))
		links |= LINK_LEFT;
	if (strchr("-+>", right))
		links |= LINK_RIGHT;
	return links;
}

/* What to print for canvas cell (r, c). */
static const char *diagram_glyph(const struct diagram_canvas *cv, int r, int c,
				 bool unicode, char buf[2])
{
	char ch = cv->cell[r][c];
	size_t i;

	buf[0] = ch;
	buf[1] = '\0';
	if (cv->text[r][c])
		return buf;
	for (i = 0; i < DIAGRAM_ARRAY_SIZE(diagram_heads); i++)
		if (ch == diagram_heads[i].art)
			return unicode ? diagram_heads[i].unicode
				       : diagram_heads[i].ascii;
	if (unicode && (ch == '-' || ch == '|' || ch == '+'))
		return diagram_lines[diagram_links(cv, r, c)];
	return buf;
}

static void diagram_put_row(FILE *out, const struct diagram_canvas *cv, int r,
			    bool unicode)
{
	char one[2];
	int c, end = DIAGRAM_COLS;

	while (end > 0 && cv->cell[r][end - 1] == ' ')
		end--;
	for (c = 0; c < end; c++)
		fputs(diagram_glyph(cv, r, c, unicode, one), out);
	fputc('\n', out);
}

/* A header or footer line: verbatim, but with "->" drawn as an arrow in unicode mode. */
static void diagram_put_text(FILE *out, const char *s, bool unicode)
{
	const char *arrow;

	if (*s)
		s = _(s);
	while (unicode && (arrow = strstr(s, "->"))) {
		fwrite(s, 1, (size_t)(arrow - s), out);
		fputs("\u2192", out);
		s = arrow + 2;
	}
	fputs(s, out);
	fputc('\n', out);
}

/*
 * In a language with state glosses, one more legend paragraph: " 状态：CLOSED 关闭，..."
 * wrapped at DIAGRAM_COLS between pairs, never between a name and its gloss.
 */
static void diagram_glosses(FILE *out)
{
	const char *lead = _(" States: ");
	int indent = textwrap_width(lead), col = indent;
	char pair[128];

	for (int s = 0; s < TS_NSTATES; s++)
		if (!explain_state_gloss((enum ts_state)s))
			return;
	fputs(lead, out);
	for (int s = 0; s < TS_NSTATES; s++) {
		snprintf(pair, sizeof(pair), s + 1 < TS_NSTATES ? _("%s %s, ") : "%s %s",
			 state_name((enum ts_state)s),
			 explain_state_gloss((enum ts_state)s));
		int w = textwrap_width(pair);
		if (col > indent && col + w > DIAGRAM_COLS) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		}
		fputs(pair, out);
		col += w;
	}
	fputc('\n', out);
}

int diagram_write(FILE *out, const uint64_t counts[TS_NSTATES], bool unicode)
{
	struct diagram_canvas cv;
	size_t i;
	int r;

	diagram_fill(&cv, counts);
	for (i = 0; i < DIAGRAM_ARRAY_SIZE(diagram_header); i++)
		diagram_put_text(out, diagram_header[i], unicode);
	for (r = 0; r < DIAGRAM_ART_LINES; r++)
		diagram_put_row(out, &cv, r, unicode);
	for (i = 0; i < DIAGRAM_ARRAY_SIZE(diagram_footer); i++)
		diagram_put_text(out, diagram_footer[i], unicode);
	diagram_glosses(out);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}
