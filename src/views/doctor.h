/* doctor.h - --doctor: its thresholds, as one table for the view, --help and completion.
 */
#ifndef TCPSTATE_DOCTOR_H
#define TCPSTATE_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

struct doctor_threshold {
	const char *key;  /* for --threshold KEY=VALUE */
	double dflt;	  /* the default */
	double min, max;  /* accepted values */
	bool integer;	  /* a whole number (a count or seconds) */
	const char *help; /* one line, with the unit */
};

/* The thresholds, terminated by an entry with a NULL key. */
extern const struct doctor_threshold doctor_thresholds[];

/*
 * Parse --threshold KEY=VALUE words into vals (indexed like doctor_thresholds, filled
 * with the defaults first). Returns 0, or -EINVAL with *ret_err a malloc'd one-line
 * message naming the bad key or value in single quotes.
 */
int doctor_parse_thresholds(const char *const *words, int n, double *vals,
			    char **ret_err);

#endif
