/* numfmt.c - decimal integers and fixed-point numbers without snprintf. */
#include <string.h>

#include "base/strutil.h"
#include "base/numfmt.h"

/*
 * snprintf("%llu") parses its format and goes through the locale machinery on every
 * call: over half of -ani's instructions at 100k sockets. Two digits per division here.
 */
static const char digit_pairs[] = "00010203040506070809"
				  "10111213141516171819"
				  "20212223242526272829"
				  "30313233343536373839"
				  "40414243444546474849"
				  "50515253545556575859"
				  "60616263646566676869"
				  "70717273747576777879"
				  "80818283848586878889"
				  "90919293949596979899";

/* Digits of v, right-aligned so they end at end; returns where they start. */
static char *digits_back(uint64_t v, char *end)
{
	char *p = end;

	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;
		v /= 100;
		p -= 2;
		p[0] = digit_pairs[i];
		p[1] = digit_pairs[i + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = digit_pairs[v * 2];
		p[1] = digit_pairs[v * 2 + 1];
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

static size_t n_digits(uint64_t v)
{
	size_t n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* numfmt_u64 into a buffer that may be too small. Not inlined: its tmp[] would give the
 * common path a stack-protector canary (-fstack-protector-strong). */
static __attribute__((noinline)) size_t u64_small_buf(uint64_t v, char *buf, size_t sz)
{
	char tmp[NUMFMT_MAX], *end = tmp + sizeof(tmp);
	char *p = digits_back(v, end);

	return strutil_copy(buf, sz, p, (size_t)(end - p));
}

size_t numfmt_u64(uint64_t v, char *buf, size_t sz)
{
	if (v < 10 && sz >= 2) { /* queues are nearly always 0 */
		buf[0] = (char)('0' + v);
		buf[1] = '\0';
		return 1;
	}
	if (sz > NUMFMT_MAX) { /* the common case: straight into buf */
		size_t n = n_digits(v);
		digits_back(v, buf + n);
		buf[n] = '\0';
		return n;
	}
	return u64_small_buf(v, buf, sz);
}

static const uint64_t pow10_tab[] = {1,	     10,      100,	1000,	   10000,
				     100000, 1000000, 10000000, 100000000, 1000000000};

size_t numfmt_fixed(uint64_t v, unsigned decimals, bool trim, char *buf, size_t sz)
{
	char tmp[NUMFMT_MAX + 2], *end = tmp + sizeof(tmp);

	if (decimals > 9)
		decimals = 9;
	uint64_t scale = pow10_tab[decimals];
	uint64_t frac = v % scale;
	char *p = end;

	if (decimals && !(trim && frac == 0)) {
		unsigned keep = decimals;
		if (trim)
			while (frac % 10 == 0) {
				frac /= 10;
				keep--;
			}
		for (unsigned i = 0; i < keep; i++) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
		*--p = '.';
	}
	p = digits_back(v / scale, p);
	return strutil_copy(buf, sz, p, (size_t)(end - p));
}

size_t numfmt_str(const char *s, char *buf, size_t sz)
{
	return strutil_copy(buf, sz, s, strlen(s));
}
