// SPDX-License-Identifier: GPL-2.0-only
/*
 * The replay window of include/ovpn_dco/replay.h, walked through its edge
 * cases one verdict at a time (in the manner of WireGuard's counter
 * selftest), then compared against a naive model that remembers every id it
 * accepted, over a million seeded random operations.
 *
 * Rules under test: id 0 is never valid; an id above the highest is always
 * accepted; an id 2048 or more below the highest is too old; an id already
 * accepted is a duplicate; any other id below the highest is accepted unless
 * more than 30 s passed since the last accepted id (then it is stale).
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ovpn_dco/replay.h"

#define W OVPN_REPLAY_WINDOW
#define MAXID 0xFFFFFFFFU

static unsigned int passed, failed;

static const char *verdict_name(enum ovpn_replay_verdict v)
{
	switch (v) {
	case OVPN_REPLAY_OK:		return "OK";
	case OVPN_REPLAY_ZERO:		return "ZERO";
	case OVPN_REPLAY_TOO_OLD:	return "TOO_OLD";
	case OVPN_REPLAY_DUPLICATE:	return "DUPLICATE";
	case OVPN_REPLAY_STALE:		return "STALE";
	}
	return "?";
}

static void check(bool ok, int line, const char *what)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL test_replay.c:%d: %s\n", line, what);
}

static struct ovpn_replay win;
static u64 now;

static void expect(u32 id, enum ovpn_replay_verdict want, int line)
{
	enum ovpn_replay_verdict got = ovpn_replay_check(&win, id, now);
	char msg[160];

	snprintf(msg, sizeof(msg), "id %" PRIu32 " at %" PRIu64 " s: got %s, want %s",
		 id, now, verdict_name(got), verdict_name(want));
	check(got == want, line, msg);
}

#define T(id, want)	expect((id), OVPN_REPLAY_##want, __LINE__)

static void reset(u64 t)
{
	ovpn_replay_init(&win);
	now = t;
}

static void test_basics(void)
{
	reset(0);
	T(0, ZERO);		/* before anything */
	T(1, OK);		/* first packet */
	T(1, DUPLICATE);
	T(0, ZERO);		/* still never valid */
	T(2, OK);		/* in order */
	T(3, OK);
	T(2, DUPLICATE);
	T(3, DUPLICATE);
	T(10, OK);		/* gap */
	T(5, OK);		/* late, inside the window */
	T(5, DUPLICATE);
	T(9, OK);
	T(4, OK);
	T(10, DUPLICATE);	/* the highest itself */
	T(1, DUPLICATE);
	T(11, OK);
	T(6, OK);
	T(7, OK);
	T(8, OK);		/* gap now filled */
	T(8, DUPLICATE);

	/* a first packet that is not 1 opens the window below it */
	reset(0);
	T(5000, OK);
	T(4999, OK);
	T(5000 - (W - 1), OK);	/* lowest id still in the window */
	T(5000 - W, TOO_OLD);	/* first id out of it */
	T(1, TOO_OLD);
	T(0, ZERO);
}

static void test_window_edge(void)
{
	reset(0);
	T(W + 1, OK);		/* highest 2049 */
	T(2, OK);		/* 2047 below: accepted */
	T(1, TOO_OLD);		/* 2048 below */
	T(2, DUPLICATE);
	T(W + 2, OK);		/* slides by one */
	T(2, TOO_OLD);		/* seen, but now 2048 below: not a duplicate */
	T(3, OK);		/* 2047 below */
	T(3, DUPLICATE);
	T(W + 2, DUPLICATE);
	T(W + 1, DUPLICATE);
}

static void expect_at(u32 id, bool fresh_if_in_window, u32 hi, int line)
{
	/* an id below @hi: in the window it is OK or a duplicate, else too old */
	enum ovpn_replay_verdict want;

	if (hi - id > W - 1)
		want = OVPN_REPLAY_TOO_OLD;
	else if (fresh_if_in_window)
		want = OVPN_REPLAY_OK;
	else
		want = OVPN_REPLAY_DUPLICATE;
	expect(id, want, line);
}

/*
 * Accept base - 1 and base, jump forward by @jump, then check what is left of
 * the old ids and what is open below the new highest.
 */
static void jump_case(u32 jump)
{
	const u32 base = 3000;
	u32 hi = jump > MAXID - base ? MAXID : base + jump;

	reset(0);
	T(base - 1, OK);
	T(base, OK);
	T(hi, OK);
	T(hi, DUPLICATE);
	expect_at(base, false, hi, __LINE__);
	expect_at(base - 1, false, hi, __LINE__);
	if (hi - 1 > base)
		expect_at(hi - 1, true, hi, __LINE__);
	if (base + 1 < hi - 1)
		expect_at(base + 1, true, hi, __LINE__);
	/* the lowest id of the window, when it was never seen */
	if (hi - (W - 1) > base + 1)
		T(hi - (W - 1), OK);
	T(hi - W, TOO_OLD);
}

static void test_jumps(void)
{
	static const u32 jumps[] = { 1, 2, 63, 64, 65, W - 1, W, W + 1,
				     W + 64, 4096, 100000, 0x7FFFFFFF, MAXID };
	size_t i;

	for (i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++)
		jump_case(jumps[i]);
}

/*
 * The bitmap is circular: an old id's bit is reused by a newer id. Reuse must
 * neither report a new id as a duplicate nor let the old id back in.
 */
static void test_bit_reuse(void)
{
	const u32 period = OVPN_REPLAY_WORDS * OVPN_REPLAY_WORD_BITS;

	reset(0);
	T(5, OK);
	T(10, OK);
	T(68, OK);		/* word 1, bit 4 */
	T(10 + period, OK);	/* same bit as 10: 33 words on, all cleared */
	T(10, TOO_OLD);
	T(10 + period, DUPLICATE);
	T(5 + period, OK);	/* same bit as 5, in the new highest's word */
	T(5 + period, DUPLICATE);
	T(68, TOO_OLD);
	T(10 + period - (W - 1), OK);
	T(68 + period, OK);	/* same bit as 68: a new id, not a duplicate */
	T(68 + period, DUPLICATE);
	T(68, TOO_OLD);
	T(68 + period - (W - 1), OK);
	T(68 + period - 1, OK);

	/* a retained word still answers DUPLICATE for what it holds */
	reset(0);
	T(100, OK);
	T(120, OK);
	T(100 + (W - 1), OK);	/* advance: word 1 (64..127) stays */
	T(100, DUPLICATE);
	T(120, DUPLICATE);
	T(99, TOO_OLD);
	T(101, OK);
	T(100 + W, OK);
	T(100, TOO_OLD);
	T(101, DUPLICATE);

	/* every bit set, then one full period later every id is new */
	reset(0);
	{
		u32 id;
		int line = __LINE__;
		bool all_ok = true, all_new = true;

		for (id = 1; id <= period; id++)
			all_ok &= ovpn_replay_check(&win, id, now) == OVPN_REPLAY_OK;
		check(all_ok, line, "ids 1..period in order");
		for (id = period + 1; id <= 2 * period; id++)
			all_new &= ovpn_replay_check(&win, id, now) == OVPN_REPLAY_OK;
		check(all_new, line, "ids period+1..2*period after reuse");
	}
	T(period + 1, TOO_OLD);
	T(2 * period - (W - 1), DUPLICATE);
}

static void test_word_boundaries(void)
{
	reset(0);
	T(63, OK);
	T(64, OK);
	T(127, OK);
	T(128, OK);
	T(63, DUPLICATE);
	T(64, DUPLICATE);
	T(65, OK);
	T(62, OK);
	T(127, DUPLICATE);
	T(126, OK);
	T(63 + (W - 1), OK);	/* 2110: word 32, words 0..2 kept */
	T(63, DUPLICATE);	/* exactly 2047 below, in word 0 */
	T(62, TOO_OLD);
	T(63 + W, OK);		/* 2111, still word 32 */
	T(63, TOO_OLD);
	T(64, DUPLICATE);
	T(2112, OK);		/* word 33 reuses word 0's slot */
	T(64, TOO_OLD);
	T(65, DUPLICATE);
	T(2176, OK);		/* word 34 reuses word 1's slot */
	T(127, TOO_OLD);
	T(128, TOO_OLD);
	T(129, OK);		/* 2047 below, word 2 */
	T(2175, OK);
	T(2113, OK);
}

static void test_top_of_range(void)
{
	reset(0);
	T(MAXID - 1, OK);
	T(MAXID, OK);
	T(MAXID, DUPLICATE);
	T(MAXID - 1, DUPLICATE);
	T(MAXID - (W - 1), OK);
	T(MAXID - W, TOO_OLD);
	T(0, ZERO);
	T(1, TOO_OLD);
	T(MAXID - 64, OK);

	/* from the bottom straight to the top */
	reset(0);
	T(1, OK);
	T(MAXID, OK);
	T(1, TOO_OLD);
	T(MAXID - 63, OK);	/* first id of the last word */
	T(MAXID - 64, OK);
	T(MAXID - 64, DUPLICATE);
	T(MAXID - 63, DUPLICATE);
}

static void test_backtrack_time(void)
{
	const u32 b = 5000;

	reset(1000);
	T(b, OK);
	now = 1030;		/* exactly 30 s later: still fine */
	T(b - 10, OK);
	now = 1061;		/* 31 s after the last accepted id */
	T(b - 9, STALE);
	T(b - 1, STALE);
	T(b, DUPLICATE);	/* the highest, seen: a duplicate */
	T(b - 10, DUPLICATE);
	T(0, ZERO);
	T(b - W, TOO_OLD);	/* too old wins over stale */
	T(b + 1, OK);		/* higher is always fine, and is traffic again */
	T(b - 9, OK);
	now = 1091;
	T(b - 8, OK);		/* 30 s after the last accepted id */
	now = 1000000;
	T(b - 7, STALE);
	T(b + 2, OK);
	now = 3000000;
	T(b + 100000, OK);	/* a jump after a long silence */
	T(b + 99999, OK);
	now = 3000031;
	T(b + 99998, STALE);
	T(b + 99999, DUPLICATE);
	T(b + 100001, OK);
	T(b + 99998, OK);

	/* a refused id does not count as traffic */
	reset(0);
	T(50, OK);
	now = 40;
	T(49, STALE);
	now = 41;
	T(48, STALE);
	T(0, ZERO);
	T(50, DUPLICATE);
	T(47, STALE);
	T(51, OK);
	T(47, OK);
}

/* A seen-set with the same rules, no bitmap arithmetic. */
#define SET_BITS	21
#define SET_SIZE	(1U << SET_BITS)

struct naive {
	u32 highest;
	u64 last_secs;
	u32 *slots;		/* open addressing, 0 = empty (0 is never stored) */
};

static bool naive_seen(const struct naive *n, u32 id, bool insert)
{
	u32 h = (u32)((id * 0x9E3779B97F4A7C15ULL) >> (64 - SET_BITS));

	while (n->slots[h]) {
		if (n->slots[h] == id)
			return true;
		h = (h + 1) & (SET_SIZE - 1);
	}
	if (insert)
		n->slots[h] = id;
	return false;
}

static enum ovpn_replay_verdict naive_check(struct naive *n, u32 id, u64 t)
{
	if (id == 0)
		return OVPN_REPLAY_ZERO;
	if (id > n->highest) {
		n->highest = id;
	} else {
		if (n->highest - id >= W)
			return OVPN_REPLAY_TOO_OLD;
		if (naive_seen(n, id, false))
			return OVPN_REPLAY_DUPLICATE;
		if (t - n->last_secs > OVPN_REPLAY_BACKTRACK_SECS)
			return OVPN_REPLAY_STALE;
	}
	naive_seen(n, id, true);
	n->last_secs = t;
	return OVPN_REPLAY_OK;
}

static u64 rng_state = 0x0DC0FFEE12345678ULL;

static u64 rnd(void)
{
	/* splitmix64 */
	u64 z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static u32 clamp_id(int64_t v)
{
	if (v < 0)
		return 0;
	if (v > (int64_t)MAXID)
		return MAXID;
	return (u32)v;
}

static u32 random_id(u32 hi)
{
	u64 r = rnd() % 1000;
	int64_t h = hi;

	if (r < 450)
		return clamp_id(h + 1 + (int64_t)(rnd() % 4));
	if (r < 700)
		return clamp_id(h - (int64_t)(rnd() % 2200));
	if (r < 800)
		return clamp_id(h + (int64_t)(rnd() % 4300));
	if (r < 900)
		return clamp_id(h - (int64_t)(rnd() % 8));
	if (r < 980) {
		static const int64_t edges[] = {
			-(int64_t)W, -(int64_t)W + 1, -(int64_t)W - 1,
			63, 64, 65, 2047, 2048, 2049, 2112, 2113, 4096, -64, -63,
		};
		return clamp_id(h + edges[rnd() % (sizeof(edges) / sizeof(edges[0]))]);
	}
	if (r < 995)
		return clamp_id(h + (int64_t)(rnd() & 0xFFFFFFFF));
	return 0;
}

static u64 random_step(void)
{
	u64 r = rnd() % 1000;

	if (r < 970)
		return 0;
	if (r < 980)
		return 30;
	if (r < 990)
		return 31;
	return rnd() % 45;
}

enum { SESSIONS = 16, OPS = 62500 };

static void test_differential(void)
{
	struct naive n;
	unsigned int seen[OVPN_REPLAY_STALE + 1] = { 0 };
	int s, i, v;

	n.slots = malloc(SET_SIZE * sizeof(*n.slots));
	if (!n.slots) {
		check(false, __LINE__, "out of memory");
		return;
	}

	for (s = 0; s < SESSIONS; s++) {
		u32 start = (s % 2) ? 0 : MAXID - 200000;
		bool same = true, same_highest = true;
		char msg[200] = "";

		memset(n.slots, 0, SET_SIZE * sizeof(*n.slots));
		n.highest = 0;
		n.last_secs = 0;
		ovpn_replay_init(&win);
		now = 0;
		/* half the sessions run into the top of the id space */
		if (start) {
			naive_check(&n, start, now);
			ovpn_replay_check(&win, start, now);
		}

		for (i = 0; i < OPS; i++) {
			u32 id = random_id(n.highest);
			enum ovpn_replay_verdict want, got;

			now += random_step();
			want = naive_check(&n, id, now);
			got = ovpn_replay_check(&win, id, now);
			seen[got]++;
			if (got != want && same) {
				same = false;
				snprintf(msg, sizeof(msg),
					 "session %d op %d: id %" PRIu32 " highest %" PRIu32
					 " at %" PRIu64 " s: got %s, model says %s",
					 s, i, id, n.highest, now, verdict_name(got),
					 verdict_name(want));
			}
			if (win.highest != n.highest)
				same_highest = false;
		}
		check(same, __LINE__, msg);
		check(same_highest, __LINE__, "highest id differs from the model");
	}
	free(n.slots);

	/* the random walk must have reached every verdict often */
	for (v = OVPN_REPLAY_OK; v <= OVPN_REPLAY_STALE; v++) {
		char msg[80];

		snprintf(msg, sizeof(msg), "random walk produced %s only %u times",
			 verdict_name(v), seen[v]);
		check(seen[v] >= 1000, __LINE__, msg);
	}
}

int main(void)
{
	test_basics();
	test_window_edge();
	test_jumps();
	test_bit_reuse();
	test_word_boundaries();
	test_top_of_range();
	test_backtrack_time();
	test_differential();

	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
