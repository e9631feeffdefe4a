/* bars.c - proportional bars for the summary and the histograms. */
#include <string.h>

#include "render/bars.h"

#define BARS_MAX 60
#define BARS_MIN 10
#define BARS_DEFAULT_TERM 80

/* U+2588 (8/8) down to U+258F (1/8), indexed by eighths. */
static const char *const blocks[9] = {
    "", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589", "\u2588",
};

size_t bars_draw(uint64_t value, uint64_t max, int width, bool utf8, char *buf, size_t sz)
{
	size_t o = 0;
	uint64_t units, per = utf8 ? 8 : 1;

	if (!sz)
		return 0;
	buf[0] = '\0';
	if (!value || !max || width <= 0)
		return 0;
	if (value > max)
		value = max;
	/* rounded to the nearest unit; double because value * width * 8 may overflow */
	units =
	    (uint64_t)((double)value * (double)width * (double)per / (double)max + 0.5);
	if (!units)
		units = 1;
	size_t n = utf8 ? 3 : 1;
	for (uint64_t full = units / per; full && o + n < sz; full--) {
		memcpy(buf + o, utf8 ? blocks[8] : "#", n);
		o += n;
	}
	if (utf8 && units % 8 && o + 3 < sz) {
		memcpy(buf + o, blocks[units % 8], 3);
		o += 3;
	}
	buf[o] = '\0';
	return o;
}

int bars_width(int term_width, int used)
{
	int w = (term_width > 0 ? term_width : BARS_DEFAULT_TERM) - used - 1;

	if (w > BARS_MAX)
		w = BARS_MAX;
	return w < BARS_MIN ? BARS_MIN : w;
}
