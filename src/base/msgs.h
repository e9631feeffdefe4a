/* msgs.h - the message sink: error text and notes that library code leaves for main.c. */
#ifndef TCPSTATE_MSGS_H
#define TCPSTATE_MSGS_H

#define MSGS_MAX_NOTES 16

/* Library code never prints: it records what failed here, and main.c prints it. */
struct msgs {
	char *error; /* what failed, when a stage returns < 0 (malloc'd) */
	char *notes[MSGS_MAX_NOTES]; /* partial-result notes (malloc'd) */
	int n_notes;
};

/* Record the error text (printf-style), replacing an earlier one. Returns err, so callers
 * can `return msgs_error(m, -EPERM, "...")`. */
int msgs_error(struct msgs *m, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add a note for stderr (printf-style). Duplicates and notes past MSGS_MAX_NOTES are
 * dropped. */
void msgs_note(struct msgs *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free the texts and empty m. */
void msgs_done(struct msgs *m);

#endif
