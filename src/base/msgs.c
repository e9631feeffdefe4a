/* msgs.c - the message sink: error text and notes, printed by main.c only. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/msgs.h"

int msgs_error(struct msgs *m, int err, const char *fmt, ...)
{
	va_list ap;

	free(m->error);
	va_start(ap, fmt);
	if (vasprintf(&m->error, fmt, ap) < 0)
		m->error = NULL;
	va_end(ap);
	return err;
}

void msgs_note(struct msgs *m, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	for (int i = 0; i < m->n_notes; i++) {
		if (strcmp(m->notes[i], s) == 0) {
			free(s);
			return;
		}
	}
	if (m->n_notes >= MSGS_MAX_NOTES) {
		free(s);
		return;
	}
	m->notes[m->n_notes++] = s;
}

void msgs_done(struct msgs *m)
{
	free(m->error);
	m->error = NULL;
	for (int i = 0; i < m->n_notes; i++)
		free(m->notes[i]);
	m->n_notes = 0;
}
