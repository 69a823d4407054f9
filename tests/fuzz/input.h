/* SPDX-License-Identifier: MIT */
/* The fuzzers' input, consumed a byte at a time (0 once it is used up). */
#ifndef PS_FUZZ_INPUT_H
#define PS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct in {
	const uint8_t *p;
	size_t n;
};

static inline unsigned take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

#endif
