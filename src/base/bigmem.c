/* bigmem.c - transparent huge pages for arrays of megabytes. */
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/bigmem.h"

#define HUGE_PAGE (2u << 20)

void bigmem_advise(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	/* The whole of the pages [p, p + len) touches, not only its aligned 2 MiB: advice
	 * on part of a mapping splits it, and mremap (realloc) then fails on it. Blocks
	 * this big are mappings of their own (bigmem_init). */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + len + page - 1) & ~(page - 1);

	if (len >= 2 * HUGE_PAGE)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

void bigmem_init(void)
{
#ifdef M_MMAP_THRESHOLD
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}
