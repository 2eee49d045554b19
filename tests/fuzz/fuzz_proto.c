// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness: the packet header codec of include/ovpn_dco/proto.h.
 *
 * Any input: ovpn_data_hdr_decode() must read no byte beyond the length
 * it is given (ASan sees the input as an exact-size buffer), accept exactly
 * P_DATA_V2 packets of at least OVPN_DATA_HDR_LEN bytes, and decode the
 * fields as the wire format lays them out. The first 9 bytes also give a
 * key id, peer id and packet id: encode then decode must round trip, and a
 * nonce must be the packet id followed by the tail. Keepalive detection is
 * true for exactly the 16-byte magic message.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ovpn_dco/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovpn_data_hdr h, h2;
	u8 buf[OVPN_DATA_HDR_LEN], nonce[OVPN_NONCE_LEN];
	u8 *copy;
	int ret;

	/* decode from an exact-size heap copy: ASan catches any over-read */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(&h, 0, sizeof(h));
	ret = ovpn_data_hdr_decode(copy, size, &h);
	if (size >= OVPN_DATA_HDR_LEN && (data[0] >> 3) == OVPN_OP_DATA_V2) {
		if (ret)
			abort();
		if (h.opcode != OVPN_OP_DATA_V2 || h.key_id != (data[0] & 7) ||
		    h.peer_id != ((u32)data[1] << 16 | (u32)data[2] << 8 | data[3]) ||
		    h.pkt_id != ((u32)data[4] << 24 | (u32)data[5] << 16 |
				 (u32)data[6] << 8 | data[7]))
			abort();
	} else if (!ret) {
		abort();
	}
	if (ovpn_is_keepalive(copy, size) !=
	    (size == OVPN_KEEPALIVE_LEN &&
	     !memcmp(data, ovpn_keepalive_message, OVPN_KEEPALIVE_LEN)))
		abort();
	free(copy);

	if (size >= 9) {
		u8 key_id = data[0];
		u32 peer_id = (u32)data[1] << 24 | (u32)data[2] << 16 |
			      (u32)data[3] << 8 | data[4];
		u32 pkt_id = (u32)data[5] << 24 | (u32)data[6] << 16 |
			     (u32)data[7] << 8 | data[8];

		memset(buf, 0xa5, sizeof(buf));
		ovpn_data_hdr_encode(buf, key_id, peer_id, pkt_id);
		if (ovpn_data_hdr_decode(buf, sizeof(buf), &h2) ||
		    h2.opcode != OVPN_OP_DATA_V2 ||
		    h2.key_id != (key_id & OVPN_KEY_ID_MASK) ||
		    h2.peer_id != (peer_id & OVPN_PEER_ID_UNDEF) ||
		    h2.pkt_id != pkt_id)
			abort();
		/* the encoder writes the 8 header bytes and nothing else */
		for (size_t i = OVPN_AAD_LEN; i < sizeof(buf); i++)
			if (buf[i] != 0xa5)
				abort();
		if (size >= 9 + OVPN_NONCE_TAIL_LEN) {
			ovpn_nonce_build(nonce, pkt_id, data + 9);
			if (ovpn_get_be32(nonce) != pkt_id ||
			    memcmp(nonce + 4, data + 9, OVPN_NONCE_TAIL_LEN))
				abort();
		}
	}
	return 0;
}
