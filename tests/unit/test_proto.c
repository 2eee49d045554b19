// SPDX-License-Identifier: GPL-2.0-only
/*
 * The P_DATA_V2 codec of include/ovpn_dco/proto.h against known-answer byte
 * vectors: header encode/decode, what decode refuses, the AEAD nonce, the
 * keepalive message and the layout constants.
 *
 * Buffers handed to the decoder are heap copies of exactly the stated
 * length, so AddressSanitizer reports any read past the end.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ovpn_dco/proto.h"

static unsigned int passed, failed;

static void check(bool ok, int line, const char *what)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL test_proto.c:%d: %s\n", line, what);
}

#define CHECK(cond)	check((cond), __LINE__, #cond)

static void check_bytes(const u8 *got, const u8 *want, size_t len,
			const char *what, int line)
{
	char msg[256];
	size_t i, n;

	if (!memcmp(got, want, len)) {
		check(true, line, what);
		return;
	}
	n = (size_t)snprintf(msg, sizeof(msg), "%s: got", what);
	for (i = 0; i < len && n < sizeof(msg) - 4; i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, " %02x", got[i]);
	check(false, line, msg);
}

/* Decode from a heap buffer of exactly @len bytes. */
static int decode_exact(const u8 *bytes, size_t len, struct ovpn_data_hdr *hdr)
{
	u8 *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, bytes, len);
	ret = ovpn_data_hdr_decode(copy, len, hdr);
	free(copy);
	return ret;
}

static void test_constants(void)
{
	CHECK(OVPN_OP_DATA_V2 == 9);
	CHECK(OVPN_OP_DATA_V1 == 6);
	CHECK(OVPN_OPCODE_SHIFT == 3);
	CHECK(OVPN_KEY_ID_MASK == 0x07);
	CHECK(OVPN_KEY_ID_MAX == 7);
	CHECK(OVPN_PEER_ID_UNDEF == 0xFFFFFF);
	CHECK(OVPN_PEER_ID_MAX == 0xFFFFFE);
	CHECK(OVPN_OP_PEER_ID_LEN == 4);
	CHECK(OVPN_AAD_LEN == 8);
	CHECK(OVPN_TAG_LEN == 16);
	CHECK(OVPN_TAG_OFFSET == 8);
	CHECK(OVPN_DATA_HDR_LEN == 24);
	CHECK(OVPN_NONCE_TAIL_LEN == 8);
	CHECK(OVPN_NONCE_LEN == 12);
	CHECK(OVPN_NONCE_LEN == 4 + OVPN_NONCE_TAIL_LEN);
	CHECK(OVPN_TCP_LEN_PREFIX == 2);
	CHECK(OVPN_KEEPALIVE_LEN == 16);
	CHECK(sizeof(ovpn_keepalive_message) == OVPN_KEEPALIVE_LEN);
}

struct hdr_vector {
	u8 key_id;
	u32 peer_id;
	u32 pkt_id;
	u8 wire[OVPN_AAD_LEN];
};

static const struct hdr_vector vectors[] = {
	{ 0, 0x000000, 0x00000001, { 0x48, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 } },
	{ 1, 0x000001, 0x00000100, { 0x49, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00 } },
	{ 2, 0x123456, 0xDEADBEEF, { 0x4a, 0x12, 0x34, 0x56, 0xde, 0xad, 0xbe, 0xef } },
	{ 3, 0x00FF00, 0x01020304, { 0x4b, 0x00, 0xff, 0x00, 0x01, 0x02, 0x03, 0x04 } },
	{ 4, 0xABCDEF, 0x80000000, { 0x4c, 0xab, 0xcd, 0xef, 0x80, 0x00, 0x00, 0x00 } },
	{ 5, 0x800000, 0x7FFFFFFF, { 0x4d, 0x80, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff } },
	{ 6, 0xFFFFFE, 0x00010000, { 0x4e, 0xff, 0xff, 0xfe, 0x00, 0x01, 0x00, 0x00 } },
	{ 7, 0xFFFFFF, 0xFFFFFFFF, { 0x4f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
};

static void test_encode_decode(void)
{
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct hdr_vector *v = &vectors[i];
		u8 pkt[OVPN_DATA_HDR_LEN + 4];
		struct ovpn_data_hdr hdr;
		char what[64];

		/* encode writes the 8 AAD bytes and nothing after them */
		memset(pkt, 0xA5, sizeof(pkt));
		ovpn_data_hdr_encode(pkt, v->key_id, v->peer_id, v->pkt_id);
		snprintf(what, sizeof(what), "encode key %u peer 0x%06" PRIx32,
			 v->key_id, v->peer_id);
		check_bytes(pkt, v->wire, OVPN_AAD_LEN, what, __LINE__);
		CHECK(pkt[OVPN_AAD_LEN] == 0xA5 && pkt[sizeof(pkt) - 1] == 0xA5);

		memset(&hdr, 0, sizeof(hdr));
		CHECK(decode_exact(pkt, OVPN_DATA_HDR_LEN, &hdr) == 0);
		CHECK(hdr.opcode == OVPN_OP_DATA_V2);
		CHECK(hdr.key_id == v->key_id);
		CHECK(hdr.peer_id == v->peer_id);
		CHECK(hdr.pkt_id == v->pkt_id);
	}
}

static void test_masking(void)
{
	u8 buf[OVPN_AAD_LEN];
	static const u8 want_key[OVPN_AAD_LEN] = { 0x49, 0, 0, 0, 0, 0, 0, 0x2a };
	static const u8 want_peer[OVPN_AAD_LEN] = { 0x4a, 0xab, 0xcd, 0xef, 0, 0, 0, 1 };
	static const u8 want_both[OVPN_AAD_LEN] = { 0x4f, 0x00, 0x00, 0x00, 0, 0, 0, 1 };

	/* key id 9 keeps its low three bits and cannot change the opcode */
	ovpn_data_hdr_encode(buf, 9, 0, 42);
	check_bytes(buf, want_key, sizeof(buf), "key id 9 masked to 1", __LINE__);
	/* a peer id wider than 24 bits cannot reach byte 0 */
	ovpn_data_hdr_encode(buf, 2, 0xFFABCDEF, 1);
	check_bytes(buf, want_peer, sizeof(buf), "peer id masked to 24 bits", __LINE__);
	ovpn_data_hdr_encode(buf, 0xFF, 0x01000000, 1);
	check_bytes(buf, want_both, sizeof(buf), "key id 0xff, peer id 1<<24", __LINE__);

	/* byte 0 accessors */
	CHECK(ovpn_opcode_from_byte(0x48) == 9);
	CHECK(ovpn_opcode_from_byte(0x4f) == 9);
	CHECK(ovpn_opcode_from_byte(0x50) == 10);
	CHECK(ovpn_key_id_from_byte(0x4f) == 7);
	CHECK(ovpn_key_id_from_byte(0x48) == 0);
	CHECK(ovpn_key_id_from_byte(0x3d) == 5);
}

static void test_decode_refusals(void)
{
	u8 pkt[64];
	struct ovpn_data_hdr hdr;
	unsigned int b, accepted = 0, wrong = 0;
	size_t len;
	char msg[96];

	memset(pkt, 0, sizeof(pkt));
	ovpn_data_hdr_encode(pkt, 3, 0x010203, 7);

	/* too short for header + tag, at every length below 24 */
	for (len = 0; len < OVPN_DATA_HDR_LEN; len++) {
		snprintf(msg, sizeof(msg), "decode of %zu bytes refused", len);
		check(decode_exact(pkt, len, &hdr) == -1, __LINE__, msg);
	}
	CHECK(decode_exact(pkt, OVPN_DATA_HDR_LEN, &hdr) == 0);
	CHECK(decode_exact(pkt, sizeof(pkt), &hdr) == 0);
	CHECK(hdr.key_id == 3 && hdr.peer_id == 0x010203 && hdr.pkt_id == 7);

	/* of all 256 first bytes, exactly 0x48..0x4f are data */
	for (b = 0; b < 256; b++) {
		bool is_data = b >= 0x48 && b <= 0x4f;

		pkt[0] = (u8)b;
		if (decode_exact(pkt, sizeof(pkt), &hdr) == 0) {
			accepted++;
			if (!is_data)
				wrong++;
		} else if (is_data) {
			wrong++;
		}
	}
	CHECK(accepted == 8);
	CHECK(wrong == 0);

	/* the control opcodes OpenVPN uses, and DATA_V1 */
	{
		static const u8 opcodes[] = { 3, 4, 5, 6, 7, 8, 10, 11 };
		size_t i;

		for (i = 0; i < sizeof(opcodes); i++) {
			pkt[0] = (u8)(opcodes[i] << 3 | 2);
			snprintf(msg, sizeof(msg), "opcode %u refused", opcodes[i]);
			check(decode_exact(pkt, sizeof(pkt), &hdr) == -1, __LINE__, msg);
		}
	}
}

static void test_nonce(void)
{
	static const u8 tail[OVPN_NONCE_TAIL_LEN] = {
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
	};
	static const u8 want1[OVPN_NONCE_LEN] = {
		0x00, 0x00, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
	};
	static const u8 want2[OVPN_NONCE_LEN] = {
		0xde, 0xad, 0xbe, 0xef, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
	};
	static const u8 want3[OVPN_NONCE_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
	};
	u8 nonce[OVPN_NONCE_LEN + 2];
	u8 pkt[OVPN_DATA_HDR_LEN];

	memset(nonce, 0xA5, sizeof(nonce));
	ovpn_nonce_build(nonce, 1, tail);
	check_bytes(nonce, want1, OVPN_NONCE_LEN, "nonce for packet id 1", __LINE__);
	CHECK(nonce[OVPN_NONCE_LEN] == 0xA5 && nonce[OVPN_NONCE_LEN + 1] == 0xA5);
	ovpn_nonce_build(nonce, 0xDEADBEEF, tail);
	check_bytes(nonce, want2, OVPN_NONCE_LEN, "nonce for 0xdeadbeef", __LINE__);
	ovpn_nonce_build(nonce, 0xFFFFFFFF, tail);
	check_bytes(nonce, want3, OVPN_NONCE_LEN, "nonce for 0xffffffff", __LINE__);

	/* the nonce's first 4 bytes are the packet id exactly as on the wire */
	ovpn_data_hdr_encode(pkt, 0, 5, 0x0A0B0C0D);
	ovpn_nonce_build(nonce, 0x0A0B0C0D, tail);
	CHECK(!memcmp(nonce, pkt + OVPN_OP_PEER_ID_LEN, 4));
}

static void test_keepalive(void)
{
	static const u8 ping[OVPN_KEEPALIVE_LEN] = {
		0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
		0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48
	};
	u8 buf[OVPN_KEEPALIVE_LEN + 1];
	unsigned int i, missed = 0;

	check_bytes(ovpn_keepalive_message, ping, sizeof(ping),
		    "keepalive message bytes", __LINE__);
	memcpy(buf, ping, sizeof(ping));
	buf[OVPN_KEEPALIVE_LEN] = 0;
	CHECK(ovpn_is_keepalive(buf, OVPN_KEEPALIVE_LEN));
	CHECK(!ovpn_is_keepalive(buf, OVPN_KEEPALIVE_LEN - 1));
	CHECK(!ovpn_is_keepalive(buf, OVPN_KEEPALIVE_LEN + 1));
	CHECK(!ovpn_is_keepalive(buf, 0));

	/* any single byte off, in any position, is ordinary data */
	for (i = 0; i < OVPN_KEEPALIVE_LEN; i++) {
		memcpy(buf, ping, sizeof(ping));
		buf[i] ^= 0x01;
		if (ovpn_is_keepalive(buf, OVPN_KEEPALIVE_LEN))
			missed++;
		buf[i] ^= 0x81;
		if (ovpn_is_keepalive(buf, OVPN_KEEPALIVE_LEN))
			missed++;
	}
	CHECK(missed == 0);

	/* an IPv4 header is never a keepalive */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x45;
	CHECK(!ovpn_is_keepalive(buf, OVPN_KEEPALIVE_LEN));
}

static void test_be_helpers(void)
{
	static const u8 b[4] = { 0x81, 0x02, 0xC3, 0x04 };
	u8 out[4];

	CHECK(ovpn_get_be24(b) == 0x8102C3);
	CHECK(ovpn_get_be32(b) == 0x8102C304);
	ovpn_put_be32(out, 0x8102C304);
	CHECK(!memcmp(out, b, 4));
}

int main(void)
{
	test_constants();
	test_encode_decode();
	test_masking();
	test_decode_refusals();
	test_nonce();
	test_keepalive();
	test_be_helpers();

	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
