// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: include/ovpn_dco/replay.h against a naive model that
 * remembers every id it accepted (the rules of tests/unit/test_replay.c).
 *
 * Input: a sequence of 6-byte operations: a kind byte, a 4-byte value and a
 * time byte. The kind picks how the id is made from the value (above the
 * highest, below it within or beyond the window, equal to the last one, raw,
 * zero, near 2^32); the time byte advances the clock (0..3 s, or past the
 * 30 s backtrack limit). Every verdict must equal the model's.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ovpn_dco/replay.h"

#define MAX_OPS	4096

struct model {
	u32 highest;
	u64 last;
	u32 seen[MAX_OPS];
	size_t nseen;
};

static enum ovpn_replay_verdict model_check(struct model *m, u32 id, u64 now)
{
	size_t i;

	if (!id)
		return OVPN_REPLAY_ZERO;
	if (id > m->highest) {
		m->highest = id;
	} else {
		if (m->highest - id >= OVPN_REPLAY_WINDOW)
			return OVPN_REPLAY_TOO_OLD;
		for (i = 0; i < m->nseen; i++)
			if (m->seen[i] == id)
				return OVPN_REPLAY_DUPLICATE;
		if (now - m->last > OVPN_REPLAY_BACKTRACK_SECS)
			return OVPN_REPLAY_STALE;
	}
	m->seen[m->nseen++] = id;
	m->last = now;
	return OVPN_REPLAY_OK;
}

static u32 get32(const uint8_t *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct ovpn_replay r;
	u32 id, v, last = 0;
	u64 now = 1000;
	size_t off;

	memset(&m, 0, sizeof(m));
	ovpn_replay_init(&r);
	for (off = 0; off + 6 <= size && m.nseen < MAX_OPS; off += 6) {
		v = get32(data + off + 1);
		switch (data[off] % 8) {
		case 0:
			id = m.highest + 1 + v % 4096;
			break;
		case 1:
			id = m.highest - v % (2 * OVPN_REPLAY_WINDOW + 64);
			break;
		case 2:
			id = m.highest - v % (OVPN_REPLAY_WINDOW + 2);
			break;
		case 3:
			id = last;
			break;
		case 4:
			id = v;
			break;
		case 5:
			id = 0;
			break;
		case 6:
			id = 0xFFFFFFFFU - v % 8192;
			break;
		default:
			id = m.highest + v % (8 * OVPN_REPLAY_WINDOW);
			break;
		}
		now += data[off + 5] & 0x80 ? OVPN_REPLAY_BACKTRACK_SECS +
					      (data[off + 5] & 3) :
					      data[off + 5] & 3;
		if (ovpn_replay_check(&r, id, now) != model_check(&m, id, now))
			abort();
		if (r.highest != m.highest)
			abort();
		last = id;
	}
	return 0;
}
