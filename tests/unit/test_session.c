// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of cli/session.c: the HKDF-SHA256 derivations against fixed
 * vectors (computed independently from RFC 5869 with Python's hmac), the
 * direction split, the message MAC and its checks, the endpoint order and
 * the key-id choice.
 */

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "session.h"

static int passed, failed;

static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		passed++;
	else
		failed++;
}

static void unhex(const char *h, uint8_t *out)
{
	unsigned int b;

	while (*h && sscanf(h, "%2x", &b) == 1) {
		*out++ = b;
		h += 2;
	}
}

static bool eq_hex(const uint8_t *p, const char *h)
{
	uint8_t want[128];
	size_t n = strlen(h) / 2;

	unhex(h, want);
	return !memcmp(p, want, n);
}

static uint8_t master[SESS_MASTER_LEN], ni[SESS_NONCE_LEN], nr[SESS_NONCE_LEN];

static void test_vectors(void)
{
	struct sess_keys a, b;
	uint8_t auth[SESS_MAC_LEN];

	check(!sess_auth_key(master, auth), "auth key derived");
	check(eq_hex(auth, "c93a4a7c426d84aa1363940e8cac2f365e7a3513b2456bc5761e5e8f7362f176"),
	      "auth key vector");
	check(!sess_derive(master, ni, nr, 3, SESS_ROLE_A, &a), "role A keys derived");
	check(!sess_derive(master, ni, nr, 3, SESS_ROLE_B, &b), "role B keys derived");
	check(eq_hex(a.km.encrypt_key, "b8e05e61963379696722f481f82bac09ff66e67065a03ffba0891ab6b85eeff3"),
	      "A encrypts with key A");
	check(eq_hex(a.km.nonce_tail, "9d97f0124fcba86c"), "A's encrypt tail");
	check(eq_hex(a.km.decrypt_key, "556cc2b31d4a06aa6e37944f6c1dc650ac51c850bb1dff918ff2eaff3f3e4e3b"),
	      "A decrypts with key B");
	check(eq_hex(a.decrypt_tail, "14abacd7a4fef449"), "A's decrypt tail");
	check(!memcmp(a.km.encrypt_key, b.km.decrypt_key, KEYFILE_KEY_LEN) &&
	      !memcmp(a.km.decrypt_key, b.km.encrypt_key, KEYFILE_KEY_LEN) &&
	      !memcmp(a.km.nonce_tail, b.decrypt_tail, KEYFILE_NONCE_TAIL_LEN) &&
	      !memcmp(a.decrypt_tail, b.km.nonce_tail, KEYFILE_NONCE_TAIL_LEN),
	      "B is A mirrored");
	check(memcmp(a.km.encrypt_key, a.km.decrypt_key, KEYFILE_KEY_LEN) &&
	      memcmp(a.km.nonce_tail, a.decrypt_tail, KEYFILE_NONCE_TAIL_LEN),
	      "the two directions differ in key and tail");
	check(eq_hex(a.id, "f32b02eb9d9bf3c9") && !memcmp(a.id, b.id, SESS_ID_LEN),
	      "session id vector, the same on both ends");
}

static void test_inputs_matter(void)
{
	struct sess_keys k0, k;
	uint8_t m2[SESS_MASTER_LEN], n2[SESS_NONCE_LEN];

	sess_derive(master, ni, nr, 3, SESS_ROLE_A, &k0);
	memcpy(n2, ni, sizeof(n2));
	n2[31] ^= 1;
	sess_derive(master, n2, nr, 3, SESS_ROLE_A, &k);
	check(memcmp(k.km.encrypt_key, k0.km.encrypt_key, KEYFILE_KEY_LEN),
	      "another initiator nonce: another key");
	memcpy(n2, nr, sizeof(n2));
	n2[0] ^= 0x80;
	sess_derive(master, ni, n2, 3, SESS_ROLE_A, &k);
	check(memcmp(k.km.encrypt_key, k0.km.encrypt_key, KEYFILE_KEY_LEN),
	      "another responder nonce: another key");
	sess_derive(master, nr, ni, 3, SESS_ROLE_A, &k);
	check(memcmp(k.km.encrypt_key, k0.km.encrypt_key, KEYFILE_KEY_LEN),
	      "nonces swapped: another key");
	sess_derive(master, ni, nr, 4, SESS_ROLE_A, &k);
	check(memcmp(k.km.encrypt_key, k0.km.encrypt_key, KEYFILE_KEY_LEN),
	      "another key id: another key");
	memcpy(m2, master, sizeof(m2));
	m2[71] ^= 1;
	sess_derive(m2, ni, nr, 3, SESS_ROLE_A, &k);
	check(memcmp(k.km.encrypt_key, k0.km.encrypt_key, KEYFILE_KEY_LEN),
	      "the nonce-tail bytes of the file count too");
	check(memcmp(k0.km.encrypt_key, master, KEYFILE_KEY_LEN) &&
	      memcmp(k0.km.encrypt_key, master + KEYFILE_KEY_LEN, KEYFILE_KEY_LEN),
	      "session keys are not the file's keys");
}

static void test_messages(void)
{
	uint8_t auth[SESS_MAC_LEN], auth2[SESS_MAC_LEN], buf[SESS_MSG_LEN];
	uint8_t m2[SESS_MASTER_LEN];
	struct sess_msg m = { .type = SESS_REPLY, .role = SESS_ROLE_B,
			      .key_id = 3 }, d;

	sess_auth_key(master, auth);
	memcpy(m.n_init, ni, SESS_NONCE_LEN);
	memcpy(m.n_resp, nr, SESS_NONCE_LEN);
	check(!sess_encode(auth, &m, buf), "encode");
	check(SESS_MSG_LEN == 101 && buf[0] == 0xf8 && buf[1] == 1 &&
	      buf[2] == 2 && buf[3] == 1 && buf[4] == 3 &&
	      !memcmp(buf + 5, ni, 32) && !memcmp(buf + 37, nr, 32),
	      "message layout");
	check(eq_hex(buf + 69, "4ba25b554e243e57fef11284dcd2242d7366132477d4fc89f9fcb000efa1462b"),
	      "MAC vector");
	check(sess_is_handshake(buf, sizeof(buf)), "recognised as a handshake");
	check(!sess_decode(auth, buf, sizeof(buf), &d) && d.type == m.type &&
	      d.role == m.role && d.key_id == 3 &&
	      !memcmp(d.n_init, ni, 32) && !memcmp(d.n_resp, nr, 32),
	      "decode round trip");
	buf[40] ^= 1;
	check(sess_decode(auth, buf, sizeof(buf), &d) == -2, "a changed nonce fails the MAC");
	buf[40] ^= 1;
	buf[4] = 4;
	check(sess_decode(auth, buf, sizeof(buf), &d) == -2, "a changed key id fails the MAC");
	buf[4] = 3;
	memcpy(m2, master, sizeof(m2));
	m2[0] ^= 1;
	sess_auth_key(m2, auth2);
	check(sess_decode(auth2, buf, sizeof(buf), &d) == -2, "another key file fails the MAC");
	check(sess_decode(auth, buf, sizeof(buf) - 1, &d) == -1, "short message refused");
	buf[1] = 2;
	check(sess_decode(auth, buf, sizeof(buf), &d) == -1, "unknown version refused");
	buf[1] = 1;
	buf[2] = 5;
	check(sess_decode(auth, buf, sizeof(buf), &d) == -1, "unknown type refused");
	buf[2] = 2;
	buf[3] = 2;
	check(sess_decode(auth, buf, sizeof(buf), &d) == -1, "unknown role refused");
	buf[0] = 0x48;
	check(!sess_is_handshake(buf, sizeof(buf)), "a data packet is not a handshake");
}

static void test_roles_and_ids(void)
{
	const uint8_t a[6] = { 192, 168, 100, 1, 0x04, 0xaa };
	const uint8_t b[6] = { 192, 168, 100, 2, 0x04, 0xaa };
	const uint8_t a2[6] = { 192, 168, 100, 1, 0x04, 0xab };

	check(sess_role_of(a, b, 6) == SESS_ROLE_A && sess_role_of(b, a, 6) == SESS_ROLE_B,
	      "the lower address is A, the two ends agree");
	check(sess_role_of(a, a2, 6) == SESS_ROLE_A && sess_role_of(a2, a, 6) == SESS_ROLE_B,
	      "same address: the lower port is A");
	check(sess_role_of(a, a, 6) == -1, "the same endpoint has no role");
	check(sess_next_key_id(SESS_NO_KEY, SESS_NO_KEY) == 0, "first session: key id 0");
	check(sess_next_key_id(0, SESS_NO_KEY) == 1, "restarted initiator: next after ours");
	check(sess_next_key_id(7, SESS_NO_KEY) == 0, "key ids wrap at 8");
	check(sess_next_key_id(SESS_NO_KEY, 5) == 6, "restarted responder: next after theirs");
	check(sess_next_key_id(2, 3) == 4, "never a key id either end holds");
	check(sess_next_key_id(7, 0) == 1, "never a key id either end holds (wrap)");
}

int main(void)
{
	int i;

	for (i = 0; i < SESS_MASTER_LEN; i++)
		master[i] = i;
	for (i = 0; i < SESS_NONCE_LEN; i++) {
		ni[i] = 0xa0 + i;
		nr[i] = 0x10 + i;
	}
	test_vectors();
	test_inputs_matter();
	test_messages();
	test_roles_and_ids();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
