/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the test tools: a seeded random generator (the fuzzers
 * must replay a run from its --seed on every libc) and the Internet checksum
 * of hand-made packets.
 */
#ifndef _OVPN_TOOLUTIL_H_
#define _OVPN_TOOLUTIL_H_

#include <stddef.h>
#include <stdint.h>

static uint64_t rng_state;

/* xorshift64* */
static inline uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static inline uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static inline void rnd_fill(uint8_t *p, size_t len)
{
	while (len--)
		*p++ = rnd();
}

static inline uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

#endif
