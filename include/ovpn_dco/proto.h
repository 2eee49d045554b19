/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The OpenVPN P_DATA_V2 wire format with an AEAD cipher:
 *
 *   byte 0       opcode << 3 | key id      (opcode 9, key id 0..7)
 *   bytes 1..3   peer id, 24-bit big-endian (0xFFFFFF: undefined)
 *   bytes 4..7   packet id, 32-bit big-endian
 *   bytes 8..23  AEAD tag
 *   bytes 24..   ciphertext
 *
 * The AAD is bytes 0..7; the 12-byte nonce is the packet id as on the wire
 * followed by the 8-byte nonce tail of the key direction.
 *
 * No kernel-only dependencies: the module and the unit tests share it.
 */

#ifndef _OVPN_DCO_PROTO_H_
#define _OVPN_DCO_PROTO_H_

#include "types.h"

#define OVPN_OP_DATA_V1			6
#define OVPN_OP_DATA_V2			9
#define OVPN_OPCODE_SHIFT		3
#define OVPN_KEY_ID_MASK		0x07
#define OVPN_KEY_ID_MAX			7

#define OVPN_PEER_ID_UNDEF		0x00FFFFFFU
#define OVPN_PEER_ID_MAX		0x00FFFFFEU

/* opcode/key id + peer id */
#define OVPN_OP_PEER_ID_LEN		4
/* what the AEAD authenticates without encrypting: opcode..packet id */
#define OVPN_AAD_LEN			8
#define OVPN_TAG_LEN			16
#define OVPN_TAG_OFFSET			OVPN_AAD_LEN
/* full header in front of the ciphertext */
#define OVPN_DATA_HDR_LEN		(OVPN_AAD_LEN + OVPN_TAG_LEN)

#define OVPN_NONCE_TAIL_LEN		8
#define OVPN_NONCE_LEN			12

/* TCP framing: 16-bit big-endian length before every packet */
#define OVPN_TCP_LEN_PREFIX		2

#define OVPN_KEEPALIVE_LEN		16

static const u8 ovpn_keepalive_message[OVPN_KEEPALIVE_LEN] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48
};

/**
 * struct ovpn_data_hdr - decoded fields of a P_DATA_V2 header
 * @opcode: packet opcode (OVPN_OP_DATA_V2 for data)
 * @key_id: key id, 0..7
 * @peer_id: 24-bit peer id
 * @pkt_id: 32-bit packet id
 */
struct ovpn_data_hdr {
	u8 opcode;
	u8 key_id;
	u32 peer_id;
	u32 pkt_id;
};

static inline u8 ovpn_opcode_from_byte(u8 b)
{
	return b >> OVPN_OPCODE_SHIFT;
}

static inline u8 ovpn_key_id_from_byte(u8 b)
{
	return b & OVPN_KEY_ID_MASK;
}

static inline u32 ovpn_get_be24(const u8 *p)
{
	return ((u32)p[0] << 16) | ((u32)p[1] << 8) | (u32)p[2];
}

static inline u32 ovpn_get_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) |
	       (u32)p[3];
}

static inline void ovpn_put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/**
 * ovpn_data_hdr_encode - write the 8 authenticated header bytes
 * @buf: at least OVPN_AAD_LEN bytes
 * @key_id: key id, 0..7
 * @peer_id: 24-bit peer id
 * @pkt_id: packet id
 */
static inline void ovpn_data_hdr_encode(u8 *buf, u8 key_id, u32 peer_id,
					u32 pkt_id)
{
	ovpn_put_be32(buf, ((u32)OVPN_OP_DATA_V2 << 27) |
			   ((u32)(key_id & OVPN_KEY_ID_MASK) << 24) |
			   (peer_id & OVPN_PEER_ID_UNDEF));
	ovpn_put_be32(buf + OVPN_OP_PEER_ID_LEN, pkt_id);
}

/**
 * ovpn_data_hdr_decode - parse the header of a data packet
 * @buf: the packet
 * @len: bytes available at @buf
 * @hdr: filled on success
 *
 * Return: 0 on success; -1 if @buf is not a P_DATA_V2 packet long enough to
 * carry a header and a tag (the caller decides what a non-data packet means).
 */
static inline int ovpn_data_hdr_decode(const u8 *buf, size_t len,
				       struct ovpn_data_hdr *hdr)
{
	if (len < 1)
		return -1;
	hdr->opcode = ovpn_opcode_from_byte(buf[0]);
	hdr->key_id = ovpn_key_id_from_byte(buf[0]);
	if (hdr->opcode != OVPN_OP_DATA_V2 || len < OVPN_DATA_HDR_LEN)
		return -1;
	hdr->peer_id = ovpn_get_be24(buf + 1);
	hdr->pkt_id = ovpn_get_be32(buf + OVPN_OP_PEER_ID_LEN);
	return 0;
}

/**
 * ovpn_nonce_build - the AEAD nonce of one packet
 * @nonce: OVPN_NONCE_LEN bytes out
 * @pkt_id: the packet id
 * @tail: the key direction's OVPN_NONCE_TAIL_LEN-byte nonce tail
 */
static inline void ovpn_nonce_build(u8 *nonce, u32 pkt_id, const u8 *tail)
{
	ovpn_put_be32(nonce, pkt_id);
	memcpy(nonce + 4, tail, OVPN_NONCE_TAIL_LEN);
}

static inline bool ovpn_is_keepalive(const u8 *buf, size_t len)
{
	return len == OVPN_KEEPALIVE_LEN &&
	       !memcmp(buf, ovpn_keepalive_message, OVPN_KEEPALIVE_LEN);
}

#endif /* _OVPN_DCO_PROTO_H_ */
