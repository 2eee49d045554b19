/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Replay window of received packet ids, as OpenVPN defines it: id 0 is never
 * valid, the window holds the OVPN_REPLAY_WINDOW ids ending at the highest id
 * seen, and once OVPN_REPLAY_BACKTRACK_SECS have passed without an accepted
 * packet, ids below the highest are refused. The caller checks a packet only
 * after it authenticated, and serialises calls on one window.
 *
 * The bitmap has one word more than the window needs so that advancing the
 * window clears whole words and never a bit still inside the window.
 *
 * No kernel-only dependencies: the module and the unit tests share it.
 */

#ifndef _OVPN_DCO_REPLAY_H_
#define _OVPN_DCO_REPLAY_H_

#include "types.h"

#define OVPN_REPLAY_WINDOW		2048U
#define OVPN_REPLAY_WORD_BITS		64U
#define OVPN_REPLAY_WORDS		(OVPN_REPLAY_WINDOW / OVPN_REPLAY_WORD_BITS + 1)
#define OVPN_REPLAY_BACKTRACK_SECS	30U

/**
 * enum ovpn_replay_verdict - result of a replay check
 * @OVPN_REPLAY_OK: new id, now recorded
 * @OVPN_REPLAY_ZERO: id 0, never valid
 * @OVPN_REPLAY_TOO_OLD: below the window
 * @OVPN_REPLAY_DUPLICATE: already seen
 * @OVPN_REPLAY_STALE: below the highest id after a long silence
 */
enum ovpn_replay_verdict {
	OVPN_REPLAY_OK = 0,
	OVPN_REPLAY_ZERO,
	OVPN_REPLAY_TOO_OLD,
	OVPN_REPLAY_DUPLICATE,
	OVPN_REPLAY_STALE,
};

/**
 * struct ovpn_replay - replay window state; serialised by the caller
 * @highest: highest id accepted so far (0: none yet)
 * @last_secs: time of the last accepted id, in caller seconds
 * @bitmap: seen ids, circular, indexed by id modulo the bitmap size
 */
struct ovpn_replay {
	u32 highest;
	u64 last_secs;
	u64 bitmap[OVPN_REPLAY_WORDS];
};

static inline void ovpn_replay_init(struct ovpn_replay *r)
{
	memset(r, 0, sizeof(*r));
}

/**
 * ovpn_replay_check - accept or refuse a packet id, and record it if accepted
 * @r: the window
 * @id: packet id of an authenticated packet
 * @now_secs: a monotonic clock in seconds
 *
 * Return: OVPN_REPLAY_OK if @id is new, else why it is refused.
 */
static inline enum ovpn_replay_verdict
ovpn_replay_check(struct ovpn_replay *r, u32 id, u64 now_secs)
{
	u64 word, cur_word, i, steps, bit;

	if (id == 0)
		return OVPN_REPLAY_ZERO;

	word = id / OVPN_REPLAY_WORD_BITS;
	bit = (u64)1 << (id % OVPN_REPLAY_WORD_BITS);

	if (id > r->highest) {
		cur_word = r->highest / OVPN_REPLAY_WORD_BITS;
		steps = word - cur_word;
		if (steps > OVPN_REPLAY_WORDS)
			steps = OVPN_REPLAY_WORDS;
		for (i = 1; i <= steps; i++)
			r->bitmap[(cur_word + i) % OVPN_REPLAY_WORDS] = 0;
		r->highest = id;
	} else {
		if (r->highest - id >= OVPN_REPLAY_WINDOW)
			return OVPN_REPLAY_TOO_OLD;
		/* seen first: the highest id is never "below the highest" */
		if (r->bitmap[word % OVPN_REPLAY_WORDS] & bit)
			return OVPN_REPLAY_DUPLICATE;
		if (now_secs - r->last_secs > OVPN_REPLAY_BACKTRACK_SECS)
			return OVPN_REPLAY_STALE;
	}

	r->bitmap[word % OVPN_REPLAY_WORDS] |= bit;
	r->last_secs = now_secs;
	return OVPN_REPLAY_OK;
}

#endif /* _OVPN_DCO_REPLAY_H_ */
