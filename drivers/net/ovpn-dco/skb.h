/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: per-packet state parked in skb->cb while crypto runs
 */

#ifndef _OVPN_DCO_SKB_H_
#define _OVPN_DCO_SKB_H_

#include <linux/skbuff.h>

struct ovpn_peer;
struct ovpn_crypto_key_slot;

/**
 * struct ovpn_skb_cb - what an in-flight packet carries
 * @peer: the peer, one reference held
 * @ks: the key slot, one reference held
 * @ek: the key slot the crypto uses: @ks, or one of @ks's epoch keys with a
 *	reference of its own
 * @crypto_tmp: AEAD request, IV and scatterlist of the packet
 * @payload_len: plaintext length (TX: before encryption)
 * @napi: RX: the NAPI poll decrypting the packet, NULL once the crypto
 *	completed asynchronously (then delivery goes through netif_rx)
 * @tcp_more: TX: another segment of the same packet follows at once, so a
 *	TCP stream may hold this one's tail back for it
 */
struct ovpn_skb_cb {
	struct ovpn_peer *peer;
	struct ovpn_crypto_key_slot *ks;
	struct ovpn_crypto_key_slot *ek;
	void *crypto_tmp;
	struct napi_struct *napi;
	unsigned int payload_len;
	bool tcp_more;
};

static inline struct ovpn_skb_cb *ovpn_skb_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct ovpn_skb_cb) > sizeof(skb->cb));
	return (struct ovpn_skb_cb *)skb->cb;
}

#endif /* _OVPN_DCO_SKB_H_ */
