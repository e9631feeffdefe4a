/* strutil.h - small string helpers shared by the parsers. */
#ifndef TCPSTATE_STRUTIL_H
#define TCPSTATE_STRUTIL_H

#include <stddef.h>

/*
 * Case-insensitive edit distance (insertions, deletions, substitutions) between two
 * words, for "did you mean" hints. Words longer than 32 bytes are 99 apart.
 */
size_t strutil_distance(const char *a, const char *b);

#endif
