// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: the data path
 *
 * TX: ndo_start_xmit segments GSO packets in software, then each segment is
 * encrypted in place (the tag goes in our header, in front of the
 * ciphertext, so no tailroom is needed) and handed to the transport. RX:
 * the transport hands over a data packet and its held peer; it is
 * authenticated and decrypted in place, checked against the replay window,
 * and delivered through GRO. Crypto may complete asynchronously: the state
 * of a packet lives in skb->cb and the completion continues where the
 * synchronous path would have.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <crypto/aead.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "compat.h"
#include "crypto.h"
#include "debug.h"
#include "epoch.h"
#include "frontend.h"
#include "io.h"
#include "ovpn.h"
#include "peer.h"
#include "skb.h"
#include "tcp.h"
#include "udp.h"

/* the protocol of an inner packet from its version nibble, or 0 */
static __be16 ovpn_ip_check_protocol(struct sk_buff *skb)
{
	if (unlikely(!pskb_may_pull(skb, 1)))
		return 0;

	switch (skb->data[0] >> 4) {
	case 4:
		if (pskb_may_pull(skb, sizeof(struct iphdr)))
			return htons(ETH_P_IP);
		break;
	case 6:
		if (pskb_may_pull(skb, sizeof(struct ipv6hdr)))
			return htons(ETH_P_IPV6);
		break;
	}
	return 0;
}

/**
 * ovpn_mss_clamp - lower the MSS option of a TCP SYN to @mss
 * @skb: an inner packet, network header set, checksum complete or
 *	verified (not CHECKSUM_PARTIAL)
 * @mss: the clamp
 *
 * Tunnels add overhead: without this, endpoints that trust their link MTU
 * send segments the tunnel must fragment, and throughput collapses.
 */
static void ovpn_mss_clamp(struct sk_buff *skb, u16 mss)
{
	unsigned int thoff, hdrlen, i, olen;
	struct tcphdr *th;
	u16 old;
	u8 *opt;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (ip_hdr(skb)->protocol != IPPROTO_TCP ||
		    ip_hdr(skb)->ihl < 5 || ip_is_fragment(ip_hdr(skb)))
			return;
		thoff = skb_network_offset(skb) + ip_hdr(skb)->ihl * 4;
		break;
	case htons(ETH_P_IPV6): {
		__be16 frag_off;
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		int off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
					    sizeof(struct ipv6hdr),
				       &nexthdr, &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return;
		thoff = off;
		break;
	}
	default:
		return;
	}

	if (!pskb_may_pull(skb, thoff + sizeof(struct tcphdr)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn)
		return;
	hdrlen = th->doff * 4;
	if (hdrlen <= sizeof(struct tcphdr) ||
	    skb_ensure_writable(skb, thoff + hdrlen))
		return;

	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)th;
	for (i = sizeof(struct tcphdr); i < hdrlen; i += olen) {
		if (opt[i] == TCPOPT_EOL)
			return;
		if (opt[i] == TCPOPT_NOP) {
			olen = 1;
			continue;
		}
		if (i + 1 >= hdrlen)
			return;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > hdrlen)
			return;
		if (opt[i] == TCPOPT_MSS && olen == TCPOLEN_MSS) {
			old = get_unaligned_be16(opt + i + 2);
			if (old <= mss)
				return;
			put_unaligned_be16(mss, opt + i + 2);
			inet_proto_csum_replace2(&th->check, skb, htons(old),
						 htons(mss), false);
			return;
		}
	}
}

static bool ovpn_auto_mss = true;
module_param_named(auto_mss, ovpn_auto_mss, bool, 0644);
MODULE_PARM_DESC(auto_mss,
		 "clamp the MSS of TCP SYNs through UDP peers to the path MTU when userspace set no MSS (default: on)");

/**
 * ovpn_peer_mss - the MSS clamp for TCP SYNs to and from a peer
 * @peer: the peer
 * @proto: the inner packet's protocol
 *
 * Userspace's MSS if it set one. Otherwise, as userspace OpenVPN's default
 * mssfix does, the MSS that keeps a full segment and its encapsulation
 * within the path MTU towards a UDP peer: a bigger one would fragment every
 * full-size packet on the underlay, doubling the packets to send and
 * reassemble, and losing the whole segment with either fragment. OpenVPN
 * 2.6 never passes an MSS to the offload, so this is what its users get.
 *
 * Return: the clamp, 0 for none.
 */
static u16 ovpn_peer_mss(struct ovpn_peer *peer, __be16 proto)
{
	unsigned int hdrs, mtu;
	u16 mss;

	mss = READ_ONCE(peer->mss);
	if (mss || !READ_ONCE(ovpn_auto_mss) || ovpn_peer_is_tcp(peer))
		return mss;

	mtu = READ_ONCE(peer->path_mtu);
	/* path_mtu allows for the header of the v2 format */
	if (ovpn_crypto_primary_is_epoch(&peer->crypto))
		mtu -= OVPN_EPOCH_OVERHEAD - OVPN_DATA_HDR_LEN;
	hdrs = sizeof(struct tcphdr) + (proto == htons(ETH_P_IP) ?
					sizeof(struct iphdr) :
					sizeof(struct ipv6hdr));
	/* no route seen yet, or a path too small to bother */
	if (mtu < hdrs + 536)
		return 0;
	return mtu - hdrs;
}

/* One allocation for the AEAD request, the scatterlist and the IV of a
 * packet: [request + tfm context][nfrags scatterlist entries][nonce].
 */
static void *ovpn_crypto_tmp_alloc(struct crypto_aead *tfm,
				   unsigned int nfrags,
				   struct aead_request **req,
				   struct scatterlist **sg, u8 **iv)
{
	unsigned int sg_off, iv_off, len;
	void *tmp;

	len = sizeof(struct aead_request) + crypto_aead_reqsize(tfm);
	sg_off = ALIGN(len, __alignof__(struct scatterlist));
	iv_off = sg_off + nfrags * sizeof(struct scatterlist);
	len = iv_off + OVPN_NONCE_LEN;

	tmp = kmalloc(len, GFP_ATOMIC);
	if (unlikely(!tmp))
		return NULL;

	*req = tmp;
	*sg = tmp + sg_off;
	*iv = tmp + iv_off;
	return tmp;
}

/* The AEAD sees [AAD: bytes 0..7][text][tag: bytes 8..23]: the tag lives in
 * our header, before the text, so the scatterlist puts it last.
 */
static int ovpn_crypto_sg_build(struct sk_buff *skb, struct scatterlist *sg,
				unsigned int nents, unsigned int text_len)
{
	int n;

	sg_init_table(sg, nents);
	sg_set_buf(sg, skb->data, OVPN_AAD_LEN);
	n = skb_to_sgvec_nomark(skb, sg + 1, OVPN_DATA_HDR_LEN, text_len);
	if (unlikely(n < 0))
		return n;
	sg_set_buf(sg + n + 1, skb->data + OVPN_TAG_OFFSET, OVPN_TAG_LEN);
	sg_mark_end(sg + n + 1);
	return 0;
}

/* ChaCha20-Poly1305 through the library (&struct ovpn_crypto_key_slot.lib):
 * synchronous and in place over the text after our header. Its own frame,
 * so the scatterlist on the stack is gone before the packet is sent on.
 */
#define OVPN_LIB_SG_STACK	(MAX_SKB_FRAGS + 2)

static noinline_for_stack int ovpn_lib_crypt(struct sk_buff *skb,
					     unsigned int nfrags,
					     unsigned int aad_len,
					     unsigned int text_off,
					     unsigned int text_len,
					     const u32 *key, const u8 *nonce,
					     u8 *tag, bool encrypt)
{
	struct scatterlist stack_sg[OVPN_LIB_SG_STACK], *sg = stack_sg;
	int n, ret;

	if (unlikely(nfrags > ARRAY_SIZE(stack_sg))) {
		sg = kmalloc_array(nfrags, sizeof(*sg), GFP_ATOMIC);
		if (unlikely(!sg))
			return -ENOMEM;
	}
	sg_init_table(sg, nfrags);
	n = skb_to_sgvec(skb, sg, text_off, text_len);
	if (unlikely(n < 0)) {
		ret = n;
		goto out;
	}
	ret = ovpn_chachapoly_crypt(key, nonce, skb->data, aad_len, sg,
				    text_len, tag, encrypt);
out:
	if (sg != stack_sg)
		kfree(sg);
	return ret;
}

static void ovpn_epoch_hdr_encode(u8 *buf, u8 key_id, u32 peer_id, u64 pktid)
{
	ovpn_data_hdr_encode(buf, key_id, peer_id, 0);
	put_unaligned_be64(pktid, buf + OVPN_OP_PEER_ID_LEN);
}

/* ---- TX ---- */

static void ovpn_encrypt_post(struct sk_buff *skb, int ret)
{
	struct ovpn_skb_cb *cb = ovpn_skb_cb(skb);
	struct ovpn_crypto_key_slot *ks = cb->ks;
	struct ovpn_peer *peer = cb->peer;
	bool epoch_fmt = cb->ek->epoch_fmt;

	kfree(cb->crypto_tmp);
	if (cb->ek != ks)
		ovpn_crypto_key_slot_put(cb->ek);

	if (unlikely(ret)) {
		net_dbg_ratelimited("%s: encryption failed: %d\n",
				    netdev_name(peer->ovpn->dev), ret);
		dev_core_stats_tx_dropped_inc(peer->ovpn->dev);
		/* the segment before may wait for this one on the stream */
		if (ovpn_peer_is_tcp(peer) && !cb->tcp_more)
			ovpn_tcp_push(peer);
		kfree_skb(skb);
		goto out;
	}

	ovpn_stats_add(&peer->stats.link_tx, skb->len);
	ovpn_peer_touch_sent(peer);
	if (ovpn_peer_is_tcp(peer)) {
		ovpn_tcp_send_skb(peer, skb);
	} else {
		/* the tunnel layer counts device TX bytes from the inner
		 * header on
		 */
		skb_set_inner_network_header(skb, epoch_fmt ?
					     OVPN_EPOCH_AAD_LEN :
					     OVPN_DATA_HDR_LEN);
		ovpn_udp_send_skb(peer, skb);
	}
out:
	ovpn_crypto_key_slot_put(ks);
	ovpn_peer_put(peer);
}

/* async completion: process context, from the crypto driver's worker */
static void ovpn_encrypt_async_post(void *data, int ret)
{
	ovpn_debug_count_async(true);
	local_bh_disable();
	ovpn_encrypt_post(data, ret);
	local_bh_enable();
}

OVPN_CRYPTO_DONE(ovpn_encrypt_done, ovpn_encrypt_async_post)

/**
 * ovpn_epoch_crypt - en- or decrypt a packet of the epoch format in place
 * @skb: the packet, at its header, writable (skb_cow_data())
 * @ek: the epoch key
 * @pktid: the packet's 64-bit packet id
 * @nfrags: what skb_cow_data() returned
 * @text_len: plaintext length
 * @tag: TX: where the tag goes (the packet's last bytes); RX: a copy of it
 *	(used by the library only)
 * @encrypt: which way
 * @done: the completion of an asynchronous transform (ovpn_encrypt_done(),
 *	ovpn_decrypt_done())
 *
 * Return: 0 or a negative errno when done, -EINPROGRESS when an asynchronous
 * transform completes later through @done.
 */
static int ovpn_epoch_crypt(struct sk_buff *skb,
			    struct ovpn_crypto_key_slot *ek, u64 pktid,
			    int nfrags, unsigned int text_len, u8 *tag,
			    bool encrypt, crypto_completion_t done)
{
	struct crypto_aead *tfm = encrypt ? ek->encrypt : ek->decrypt;
	struct ovpn_skb_cb *cb = ovpn_skb_cb(skb);
	struct aead_request *req;
	struct scatterlist *sg;
	int ret;
	u8 *iv;

	if (ek->lib) {
		u8 nonce[OVPN_NONCE_LEN];

		ovpn_epoch_nonce(nonce, pktid, ek->epoch_iv);
		return ovpn_lib_crypt(skb, nfrags, OVPN_EPOCH_AAD_LEN,
				      OVPN_EPOCH_AAD_LEN, text_len,
				      encrypt ? ek->lib_key_xmit :
				      ek->lib_key_recv, nonce, tag, encrypt);
	}

	cb->crypto_tmp = ovpn_crypto_tmp_alloc(tfm, nfrags + 2, &req, &sg, &iv);
	if (unlikely(!cb->crypto_tmp))
		return -ENOMEM;
	sg_init_table(sg, nfrags + 2);
	ret = skb_to_sgvec(skb, sg, 0, skb->len);
	if (unlikely(ret < 0))
		return ret;

	ovpn_epoch_nonce(iv, pktid, ek->epoch_iv);
	aead_request_set_tfm(req, tfm);
	aead_request_set_callback(req, 0, done, skb);
	/* the transforms see the format as it is: [AAD][text][tag] */
	aead_request_set_crypt(req, sg, sg, encrypt ? text_len :
			       text_len + OVPN_TAG_LEN, iv);
	aead_request_set_ad(req, OVPN_EPOCH_AAD_LEN);
	return ovpn_aead_submit(req, encrypt);
}

/* the epoch format: [header with the 64-bit packet id][text][tag] */
static int ovpn_aead_encrypt_epoch(struct ovpn_peer *peer,
				   struct ovpn_crypto_key_slot *ks,
				   struct ovpn_crypto_key_slot *ek,
				   struct sk_buff *skb)
{
	unsigned int payload_len = skb->len;
	struct sk_buff *trailer;
	int nfrags, ret;
	u64 pktid;
	u8 *tag;

	ret = ovpn_epoch_pktid_next(ks, ek, &pktid);
	if (unlikely(ret < 0)) {
		net_warn_ratelimited("%s: peer %u: epoch %u has no packet id left, waiting for the next epoch\n",
				     netdev_name(peer->ovpn->dev), peer->id,
				     ek->epoch);
		return ret;
	}

	if (unlikely(skb_has_shared_frag(skb)) && __skb_linearize(skb))
		return -ENOMEM;

	nfrags = skb_cow_data(skb, OVPN_TAG_LEN, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;
	if (unlikely(skb_cow_head(skb, OVPN_HEAD_ROOM)))
		return -ENOMEM;

	tag = pskb_put(skb, trailer, OVPN_TAG_LEN);
	__skb_push(skb, OVPN_EPOCH_AAD_LEN);
	ovpn_epoch_hdr_encode(skb->data, ek->key_id, peer->tx_id, pktid);

	return ovpn_epoch_crypt(skb, ek, pktid, nfrags, payload_len, tag,
				true, ovpn_encrypt_done);
}

static int ovpn_aead_encrypt(struct ovpn_peer *peer,
			     struct ovpn_crypto_key_slot *ks,
			     struct ovpn_crypto_key_slot *ek,
			     struct sk_buff *skb)
{
	struct ovpn_skb_cb *cb = ovpn_skb_cb(skb);
	unsigned int payload_len = skb->len;
	struct aead_request *req;
	struct sk_buff *trailer;
	struct scatterlist *sg;
	int nfrags, ret;
	u32 pktid;
	u8 *iv;

	cb->peer = peer;
	cb->ks = ks;
	cb->ek = ek;
	cb->crypto_tmp = NULL;
	cb->payload_len = payload_len;

	if (ek->epoch_fmt)
		return ovpn_aead_encrypt_epoch(peer, ks, ek, skb);

	ret = ovpn_pktid_xmit_next(ks, &pktid);
	if (unlikely(ret < 0)) {
		net_warn_ratelimited("%s: peer %u: packet id space exhausted, rekey needed\n",
				     netdev_name(peer->ovpn->dev), peer->id);
		return ret;
	}
	if (unlikely(ret > 0)) {
		/* logged once per key; the notification repeats */
		if (ret == 1)
			netdev_info(peer->ovpn->dev,
				    "peer %u: key %u is running out of packet ids, asking userspace to rekey\n",
				    peer->id, ks->key_id);
		peer->ovpn->fe->notify_swap_keys(peer, ks->key_id);
	}

	/* pages shared with others (e.g. the page cache) must not be
	 * encrypted in place
	 */
	if (unlikely(skb_has_shared_frag(skb)) && __skb_linearize(skb))
		return -ENOMEM;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;
	if (unlikely(skb_cow_head(skb, OVPN_HEAD_ROOM)))
		return -ENOMEM;

	if (ks->lib) {
		u8 nonce[OVPN_NONCE_LEN];

		__skb_push(skb, OVPN_DATA_HDR_LEN);
		ovpn_data_hdr_encode(skb->data, ks->key_id, peer->tx_id, pktid);
		ovpn_nonce_build(nonce, pktid, ks->nonce_tail_xmit);
		return ovpn_lib_crypt(skb, nfrags, OVPN_AAD_LEN,
				      OVPN_DATA_HDR_LEN, payload_len,
				      ks->lib_key_xmit, nonce,
				      skb->data + OVPN_TAG_OFFSET, true);
	}

	cb->crypto_tmp = ovpn_crypto_tmp_alloc(ks->encrypt, nfrags + 2, &req,
					       &sg, &iv);
	if (unlikely(!cb->crypto_tmp))
		return -ENOMEM;

	__skb_push(skb, OVPN_DATA_HDR_LEN);
	ovpn_data_hdr_encode(skb->data, ks->key_id, peer->tx_id, pktid);

	ret = ovpn_crypto_sg_build(skb, sg, nfrags + 2, payload_len);
	if (unlikely(ret))
		return ret;

	ovpn_nonce_build(iv, pktid, ks->nonce_tail_xmit);
	aead_request_set_tfm(req, ks->encrypt);
	aead_request_set_callback(req, 0, ovpn_encrypt_done, skb);
	aead_request_set_crypt(req, sg, sg, payload_len, iv);
	aead_request_set_ad(req, OVPN_AAD_LEN);

	return ovpn_aead_submit(req, true);
}

/* encrypt and send one packet; consumes @skb and one reference on @peer;
 * @more: another segment of the same packet follows at once
 */
static void ovpn_send_one(struct ovpn_peer *peer, struct sk_buff *skb,
			  bool more)
{
	struct ovpn_crypto_key_slot *ks, *ek;
	int ret;

	ovpn_skb_cb(skb)->tcp_more = more;
	ks = ovpn_crypto_key_slot_primary(&peer->crypto);
	if (unlikely(!ks)) {
		net_dbg_ratelimited("%s: peer %u has no primary key\n",
				    netdev_name(peer->ovpn->dev), peer->id);
		dev_core_stats_tx_dropped_inc(peer->ovpn->dev);
		if (ovpn_peer_is_tcp(peer) && !more)
			ovpn_tcp_push(peer);
		kfree_skb(skb);
		ovpn_peer_put(peer);
		return;
	}

	ek = ks->ep ? ovpn_epoch_tx_key(ks) : ks;
	ret = ovpn_aead_encrypt(peer, ks, ek, skb);
	if (likely(ret != -EINPROGRESS))
		ovpn_encrypt_post(skb, ret);
}

netdev_tx_t ovpn_net_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct ovpn_struct *ovpn = netdev_priv(dev);
	struct sk_buff *curr, *next;
	struct ovpn_peer *peer;
	__be16 proto;
	u16 mss;

	proto = ovpn_ip_check_protocol(skb);
	if (unlikely(!proto || proto != skb->protocol)) {
		net_dbg_ratelimited("%s: dropping a non-IP packet\n",
				    netdev_name(dev));
		goto drop;
	}
	skb_reset_network_header(skb);

	peer = ovpn_peer_get_for_xmit(ovpn, skb);
	if (unlikely(!peer)) {
		net_dbg_ratelimited("%s: no peer to send to\n",
				    netdev_name(dev));
		goto drop;
	}

	if (skb_is_gso(skb)) {
		struct sk_buff *segs = skb_gso_segment(skb, 0);

		if (IS_ERR_OR_NULL(segs)) {
			ovpn_peer_put(peer);
			goto drop;
		}
		consume_skb(skb);
		skb = segs;
	}

	skb_list_walk_safe(skb, curr, next) {
		skb_mark_not_on_list(curr);

		if (curr->ip_summed == CHECKSUM_PARTIAL &&
		    unlikely(skb_checksum_help(curr))) {
			dev_core_stats_tx_dropped_inc(dev);
			kfree_skb(curr);
			if (!next && ovpn_peer_is_tcp(peer))
				ovpn_tcp_push(peer);
			continue;
		}

		mss = ovpn_peer_mss(peer, proto);
		if (mss)
			ovpn_mss_clamp(curr, mss);

		ovpn_stats_add(&peer->stats.vpn_tx, curr->len);
		kref_get(&peer->refcount);
		ovpn_send_one(peer, curr, !!next);
	}

	ovpn_peer_put(peer);
	return NETDEV_TX_OK;

drop:
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/**
 * ovpn_xmit_keepalive - send the keepalive message to a peer
 * @peer: the peer; the caller holds a reference
 *
 * Process context.
 */
void ovpn_xmit_keepalive(struct ovpn_peer *peer)
{
	struct sk_buff *skb;

	skb = alloc_skb(OVPN_HEAD_ROOM + OVPN_KEEPALIVE_LEN, GFP_KERNEL);
	if (unlikely(!skb))
		return;

	skb_reserve(skb, OVPN_HEAD_ROOM);
	skb_put_data(skb, ovpn_keepalive_message, OVPN_KEEPALIVE_LEN);
	skb->dev = peer->ovpn->dev;
	skb->protocol = htons(ETH_P_IP);

	kref_get(&peer->refcount);
	local_bh_disable();
	ovpn_send_one(peer, skb, false);
	local_bh_enable();
}

/* ---- RX ---- */

static void ovpn_netdev_deliver(struct ovpn_peer *peer, struct sk_buff *skb,
				__be16 proto, struct napi_struct *napi)
{
	struct net_device *dev = peer->ovpn->dev;

	if (unlikely(!(dev->flags & IFF_UP))) {
		dev_core_stats_rx_dropped_inc(dev);
		kfree_skb(skb);
		return;
	}

	skb->dev = dev;
	skb->protocol = proto;
	/* the AEAD tag proved the packet is the one the peer sent */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	skb_clear_hash(skb);
	skb_scrub_packet(skb, true);
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	skb_probe_transport_header(skb);
	skb_reset_inner_headers(skb);
	skb->pkt_type = PACKET_HOST;

	dev_sw_netstats_rx_add(dev, skb->len);
	if (likely(napi)) {
		napi_gro_receive(napi, skb);
		return;
	}
	/* an asynchronous completion, outside our NAPI poll */
	if (unlikely(netif_rx(skb) != NET_RX_SUCCESS))
		dev_core_stats_rx_dropped_inc(dev);
}

static void ovpn_decrypt_post(struct sk_buff *skb, int ret)
{
	struct ovpn_skb_cb *cb = ovpn_skb_cb(skb);
	struct napi_struct *napi = cb->napi;
	struct ovpn_crypto_key_slot *ks = cb->ks, *ek = cb->ek;
	struct ovpn_peer *peer = cb->peer;
	enum ovpn_replay_verdict verdict;
	unsigned int link_len;
	__be16 proto;
	u64 pktid;
	u16 mss;

	kfree(cb->crypto_tmp);

	if (unlikely(ret)) {
		net_dbg_ratelimited("%s: peer %u: packet failed authentication: %d\n",
				    netdev_name(peer->ovpn->dev), peer->id,
				    ret);
		goto drop;
	}

	/* only an authentic packet id may move the window; an epoch's
	 * counter never goes past 32 bits here (epoch.h)
	 */
	if (ek->epoch_fmt) {
		pktid = get_unaligned_be64(skb->data + OVPN_OP_PEER_ID_LEN) &
			OVPN_EPOCH_COUNTER_MASK;
		if (unlikely(pktid > U32_MAX))
			goto drop;
	} else {
		pktid = ovpn_get_be32(skb->data + OVPN_OP_PEER_ID_LEN);
	}
	spin_lock_bh(&ek->replay_lock);
	verdict = ovpn_replay_check(&ek->replay, (u32)pktid, jiffies / HZ);
	spin_unlock_bh(&ek->replay_lock);
	if (unlikely(verdict != OVPN_REPLAY_OK)) {
		net_dbg_ratelimited("%s: peer %u: packet id %llu refused (%d)\n",
				    netdev_name(peer->ovpn->dev), peer->id,
				    pktid, verdict);
		goto drop;
	}
	if (ks->ep)
		ovpn_epoch_rx_authentic(ks, ek);

	link_len = skb->len;
	ovpn_stats_add(&peer->stats.link_rx, link_len);
	ovpn_peer_touch_recv(peer);
	/* authentic and new: if it came from elsewhere, the peer moved */
	if (!ovpn_peer_is_tcp(peer))
		ovpn_peer_float(peer, skb);

	if (ek->epoch_fmt) {
		__skb_pull(skb, OVPN_EPOCH_AAD_LEN);
		if (unlikely(pskb_trim(skb, skb->len - OVPN_TAG_LEN)))
			goto drop;
	} else {
		__skb_pull(skb, OVPN_DATA_HDR_LEN);
	}

	if (unlikely(skb->len == OVPN_KEEPALIVE_LEN)) {
		u8 msg[OVPN_KEEPALIVE_LEN];

		if (!skb_copy_bits(skb, 0, msg, sizeof(msg)) &&
		    ovpn_is_keepalive(msg, sizeof(msg))) {
			consume_skb(skb);
			goto out;
		}
	}

	proto = ovpn_ip_check_protocol(skb);
	if (unlikely(!proto)) {
		net_dbg_ratelimited("%s: peer %u sent a non-IP packet\n",
				    netdev_name(peer->ovpn->dev), peer->id);
		goto drop;
	}

	skb->protocol = proto;
	skb_reset_network_header(skb);
	if (unlikely(!ovpn_peer_check_by_src(peer->ovpn, skb, peer))) {
		net_dbg_ratelimited("%s: peer %u sent a packet from an address not its own\n",
				    netdev_name(peer->ovpn->dev), peer->id);
		goto drop;
	}

	mss = ovpn_peer_mss(peer, proto);
	if (mss)
		ovpn_mss_clamp(skb, mss);

	ovpn_stats_add(&peer->stats.vpn_rx, skb->len);
	ovpn_netdev_deliver(peer, skb, proto, napi);
	goto out;

drop:
	dev_core_stats_rx_dropped_inc(peer->ovpn->dev);
	kfree_skb(skb);
out:
	if (ek != ks)
		ovpn_crypto_key_slot_put(ek);
	ovpn_crypto_key_slot_put(ks);
	ovpn_peer_put(peer);
}

static void ovpn_decrypt_async_post(void *data, int ret)
{
	ovpn_debug_count_async(false);
	/* no longer inside the NAPI poll that started it */
	ovpn_skb_cb(data)->napi = NULL;
	local_bh_disable();
	ovpn_decrypt_post(data, ret);
	local_bh_enable();
}

OVPN_CRYPTO_DONE(ovpn_decrypt_done, ovpn_decrypt_async_post)

static int ovpn_aead_decrypt_epoch(struct ovpn_crypto_key_slot *ek,
				   struct sk_buff *skb)
{
	unsigned int text_len = skb->len - OVPN_EPOCH_OVERHEAD;
	u8 tag[OVPN_TAG_LEN];
	struct sk_buff *trailer;
	int nfrags;

	ovpn_skb_cb(skb)->payload_len = text_len;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;
	/* the library compares against a copy: the tag may span fragments */
	if (ek->lib && skb_copy_bits(skb, skb->len - OVPN_TAG_LEN, tag,
				     OVPN_TAG_LEN))
		return -EINVAL;
	return ovpn_epoch_crypt(skb, ek,
				get_unaligned_be64(skb->data +
						   OVPN_OP_PEER_ID_LEN),
				nfrags, text_len, tag, false, ovpn_decrypt_done);
}

static int ovpn_aead_decrypt(struct ovpn_peer *peer,
			     struct ovpn_crypto_key_slot *ks,
			     struct ovpn_crypto_key_slot *ek,
			     struct sk_buff *skb)
{
	struct ovpn_skb_cb *cb = ovpn_skb_cb(skb);
	unsigned int text_len = skb->len - OVPN_DATA_HDR_LEN;
	struct aead_request *req;
	struct sk_buff *trailer;
	struct scatterlist *sg;
	int nfrags, ret;
	u8 *iv;

	cb->peer = peer;
	cb->ks = ks;
	cb->ek = ek;
	cb->crypto_tmp = NULL;
	cb->payload_len = text_len;

	if (ek->epoch_fmt)
		return ovpn_aead_decrypt_epoch(ek, skb);

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0))
		return nfrags;

	if (ks->lib) {
		u8 nonce[OVPN_NONCE_LEN];

		ovpn_nonce_build(nonce,
				 ovpn_get_be32(skb->data + OVPN_OP_PEER_ID_LEN),
				 ks->nonce_tail_recv);
		return ovpn_lib_crypt(skb, nfrags, OVPN_AAD_LEN,
				      OVPN_DATA_HDR_LEN, text_len,
				      ks->lib_key_recv, nonce,
				      skb->data + OVPN_TAG_OFFSET, false);
	}

	cb->crypto_tmp = ovpn_crypto_tmp_alloc(ks->decrypt, nfrags + 2, &req,
					       &sg, &iv);
	if (unlikely(!cb->crypto_tmp))
		return -ENOMEM;

	ret = ovpn_crypto_sg_build(skb, sg, nfrags + 2, text_len);
	if (unlikely(ret))
		return ret;

	ovpn_nonce_build(iv, ovpn_get_be32(skb->data + OVPN_OP_PEER_ID_LEN),
			 ks->nonce_tail_recv);
	aead_request_set_tfm(req, ks->decrypt);
	aead_request_set_callback(req, 0, ovpn_decrypt_done, skb);
	aead_request_set_crypt(req, sg, sg, text_len + OVPN_TAG_LEN, iv);
	aead_request_set_ad(req, OVPN_AAD_LEN);

	return ovpn_aead_submit(req, false);
}

/* decrypt and deliver one queued packet; consumes @skb and its peer
 * reference
 */
static void ovpn_rx_one(struct sk_buff *skb, struct napi_struct *napi)
{
	struct ovpn_peer *peer = ovpn_skb_cb(skb)->peer;
	struct ovpn_crypto_key_slot *ks, *ek;
	int ret;

	ks = ovpn_crypto_key_id_to_slot(&peer->crypto,
					ovpn_key_id_from_byte(skb->data[0]));
	if (unlikely(!ks)) {
		net_dbg_ratelimited("%s: peer %u: no key with id %u\n",
				    netdev_name(peer->ovpn->dev), peer->id,
				    ovpn_key_id_from_byte(skb->data[0]));
		goto drop;
	}

	ek = ks;
	if (ks->ep) {
		/* the header is in the linear part (ovpn_udp_encap_recv(),
		 * ovpn_tcp_frame())
		 */
		ek = NULL;
		if (likely(skb->len >= OVPN_EPOCH_OVERHEAD))
			ek = ovpn_epoch_rx_key(ks, get_unaligned_be16(skb->data +
							 OVPN_OP_PEER_ID_LEN));
		if (unlikely(!ek)) {
			net_dbg_ratelimited("%s: peer %u: no key for this epoch\n",
					    netdev_name(peer->ovpn->dev),
					    peer->id);
			ovpn_crypto_key_slot_put(ks);
			goto drop;
		}
	}

	ovpn_skb_cb(skb)->napi = napi;
	ret = ovpn_aead_decrypt(peer, ks, ek, skb);
	if (likely(ret != -EINPROGRESS))
		ovpn_decrypt_post(skb, ret);
	return;

drop:
	dev_core_stats_rx_dropped_inc(peer->ovpn->dev);
	kfree_skb(skb);
	ovpn_peer_put(peer);
}

/* a packet leaves its receive queue: a TCP peer's parser may go on */
static void ovpn_rx_unpark(struct sk_buff *skb)
{
	struct ovpn_peer *peer = ovpn_skb_cb(skb)->peer;

	if (ovpn_peer_is_tcp(peer))
		ovpn_tcp_rx_unparked(peer);
}

/* drop a packet parked in a receive queue, with its peer reference */
static void ovpn_rx_drop(struct net_device *dev, struct sk_buff *skb)
{
	struct ovpn_peer *peer = ovpn_skb_cb(skb)->peer;

	ovpn_rx_unpark(skb);
	dev_core_stats_rx_dropped_inc(dev);
	kfree_skb(skb);
	ovpn_peer_put(peer);
}

static int ovpn_rx_poll(struct napi_struct *napi, int budget)
{
	struct ovpn_rx_queue *q = container_of(napi, struct ovpn_rx_queue,
					       napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget) {
		spin_lock(&q->skbs.lock);
		skb = __skb_dequeue(&q->skbs);
		spin_unlock(&q->skbs.lock);
		if (!skb)
			break;
		ovpn_rx_unpark(skb);
		ovpn_rx_one(skb, napi);
		done++;
	}

	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/* Threaded NAPI (the kernel's, /sys/class/net/<dev>/threaded): each receive
 * queue's poll runs in a kernel thread, which the scheduler wakes on an idle
 * CPU, so decryption, GRO and the inner stack need not wait behind the
 * softirq that parked the packets (on a host running both ends, the
 * sender's). performance.md section 8 measures it. Read when a device is
 * created; an administrator can still switch each device in sysfs.
 */
static bool ovpn_threaded_napi = true;
module_param_named(threaded_napi, ovpn_threaded_napi, bool, 0644);
MODULE_PARM_DESC(threaded_napi,
		 "poll new devices' receive queues in kernel threads (threaded NAPI; default 1)");

/**
 * ovpn_recv - take a data packet from the transport
 * @peer: the peer it came from; its reference is consumed
 * @skb: the packet, data at our header (at least OVPN_DATA_HDR_LEN bytes
 *	linear); consumed
 *
 * Called with BHs disabled. The packet is parked in its peer's receive
 * queue and decrypted by that queue's NAPI poll, which hands it to GRO:
 * packets arriving on several CPUs at once (as the backlogs of a veth
 * deliver them) then reach the stack in the order they arrived, instead of
 * interleaving out of order, which TCP would take for loss. A TCP peer's
 * stream parser goes on parsing meanwhile; a full queue pauses it rather
 * than drop its packets (ovpn_tcp_rx_unparked()).
 */
void ovpn_recv(struct ovpn_peer *peer, struct sk_buff *skb)
{
	struct ovpn_struct *ovpn = peer->ovpn;
	struct ovpn_rx_queue *q;
	bool queued = false;
	bool dead;

	ovpn_skb_cb(skb)->peer = peer;

	/* Parked, the packet outlives the softirq that received it. Its dst
	 * may be a noref one, valid only inside that softirq; skb->dev is the
	 * underlay device, of which we hold no reference; its conntrack entry
	 * is the underlay's. Nothing after this point needs them: let go of
	 * them now, and point skb->dev at our device, which the peer
	 * reference the packet holds keeps alive.
	 */
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb->dev = ovpn->dev;

	q = &ovpn->rxq[peer->id % ovpn->n_rxq];
	spin_lock(&q->skbs.lock);
	dead = q->dead;
	/* a TCP peer is bounded by its own mark, OVPN_TCP_RX_PARKED_HIGH:
	 * dropping here would lose what the stream could have held back
	 */
	if (likely(!dead && (skb_queue_len(&q->skbs) < OVPN_RXQ_LEN ||
			     ovpn_peer_is_tcp(peer)))) {
		__skb_queue_tail(&q->skbs, skb);
		queued = true;
	} else if (!dead) {
		/* decryption is not keeping up: a buffer overrun, which
		 * rx_missed_errors counts apart from the packets we refused
		 */
		WRITE_ONCE(q->missed, q->missed + 1);
	}
	spin_unlock(&q->skbs.lock);

	if (unlikely(!queued)) {
		if (dead) {
			ovpn_rx_drop(ovpn->dev, skb);
			return;
		}
		/* counted in @missed above */
		kfree_skb(skb);
		ovpn_peer_put(peer);
		return;
	}
	napi_schedule(&q->napi);
}

/**
 * ovpn_rx_missed - packets dropped because a receive queue was full
 * @ovpn: the device, its queues set up
 *
 * Return: the sum over the device's receive queues.
 */
unsigned long ovpn_rx_missed(const struct ovpn_struct *ovpn)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < ovpn->n_rxq; i++)
		sum += READ_ONCE(ovpn->rxq[i].missed);
	return sum;
}

/**
 * ovpn_rx_queues_init - set up the receive queues of a device (ndo_init)
 * @ovpn: the device
 *
 * Return: 0 or -ENOMEM.
 */
int ovpn_rx_queues_init(struct ovpn_struct *ovpn)
{
	unsigned int i, n;

	/* a peer always uses the same queue; several peers spread over up
	 * to one queue per CPU
	 */
	n = ovpn->mode == OVPN_MODE_MP ?
		min_t(unsigned int, num_possible_cpus(), OVPN_RXQ_MAX) : 1;
	ovpn->rxq = kcalloc(n, sizeof(*ovpn->rxq), GFP_KERNEL);
	if (!ovpn->rxq)
		return -ENOMEM;
	ovpn->n_rxq = n;

	for (i = 0; i < n; i++) {
		struct ovpn_rx_queue *q = &ovpn->rxq[i];

		skb_queue_head_init(&q->skbs);
		netif_napi_add(ovpn->dev, &q->napi, ovpn_rx_poll);
	}
	/* before any packet: the switch is then never made mid-poll */
	if (READ_ONCE(ovpn_threaded_napi) && dev_set_threaded(ovpn->dev, true))
		netdev_warn(ovpn->dev,
			    "no kernel thread for the receive queues: polled in softirq\n");
	for (i = 0; i < n; i++)
		napi_enable(&ovpn->rxq[i].napi);
	return 0;
}

/**
 * ovpn_rx_queues_stop - stop the receive queues of a device (ndo_uninit)
 * @ovpn: the device
 *
 * Parked packets are dropped with their peer references, and nothing can be
 * queued afterwards: the peers are then free to go, and with them their
 * device references.
 */
void ovpn_rx_queues_stop(struct ovpn_struct *ovpn)
{
	struct sk_buff_head purge;
	struct sk_buff *skb;
	unsigned int i;

	__skb_queue_head_init(&purge);
	for (i = 0; i < ovpn->n_rxq; i++) {
		struct ovpn_rx_queue *q = &ovpn->rxq[i];

		napi_disable(&q->napi);
		__netif_napi_del(&q->napi);

		spin_lock_bh(&q->skbs.lock);
		q->dead = true;
		skb_queue_splice_tail_init(&q->skbs, &purge);
		spin_unlock_bh(&q->skbs.lock);
	}
	/* netpoll may still walk the NAPI list under RCU */
	synchronize_net();

	while ((skb = __skb_dequeue(&purge)))
		ovpn_rx_drop(ovpn->dev, skb);
}

/**
 * ovpn_rx_queues_free - free what ovpn_rx_queues_init() allocated
 * @ovpn: the device, its queues stopped (or never started)
 */
void ovpn_rx_queues_free(struct ovpn_struct *ovpn)
{
	kfree(ovpn->rxq);
	ovpn->rxq = NULL;
	ovpn->n_rxq = 0;
}
