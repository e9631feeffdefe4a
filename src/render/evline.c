/* evline.c - the pieces every -E event line is made of: a bounded buffer, time stamps. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "render/evline.h"

void evline_init(struct evline *l, char *buf, size_t sz)
{
	l->buf = buf;
	l->sz = sz;
	l->at = 0;
	if (sz)
		buf[0] = '\0';
}

void evline_put(struct evline *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->at + 1 >= l->sz)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->at, l->sz - l->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->at = l->at + (size_t)n < l->sz ? l->at + (size_t)n : l->sz - 1;
}

void evline_time(double wall, bool iso, char *buf, size_t sz)
{
	time_t sec = (time_t)wall;
	int ms = (int)((wall - (double)sec) * 1000) % 1000;
	struct tm tm;
	char t[32];

	if (iso) {
		gmtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, sz, "%s.%03dZ", t, ms);
	} else {
		localtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		snprintf(buf, sz, "%s.%03d", t, ms);
	}
}
