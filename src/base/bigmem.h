/* bigmem.h - advice for the few arrays that grow to megabytes (a socket per entry). */
#ifndef TCPSTATE_BIGMEM_H
#define TCPSTATE_BIGMEM_H

#include <stddef.h>

/* At 100k sockets the socket array and the owner table take thousands of 4 KiB page
 * faults as they are first written. Ask for transparent huge pages over [p, p + len)
 * when it is big enough to matter; the kernel may ignore it, and errors are ignored. */
void bigmem_advise(void *p, size_t len);

/* Once, before anything is allocated: blocks of a megabyte and more are mapped on their
 * own, so that growing one (realloc) moves its pages instead of copying them into new
 * ones. glibc would otherwise raise that threshold as such blocks are freed, and every
 * doubling of a 20 MiB array would copy it and fault in twice its pages. */
void bigmem_init(void);

#endif
