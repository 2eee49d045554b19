/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: the data path
 */

#ifndef _OVPN_DCO_IO_H_
#define _OVPN_DCO_IO_H_

#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include <ovpn_dco/proto.h>

struct ovpn_peer;
struct ovpn_struct;

/* packets one receive queue may hold while its NAPI catches up */
#define OVPN_RXQ_LEN	256
/* receive queues of a multi-peer device, at most */
#define OVPN_RXQ_MAX	16

/* room in front of a packet for our header, UDP, IPv6 and the link layer */
#define OVPN_HEAD_ROOM	ALIGN(OVPN_DATA_HDR_LEN + sizeof(struct udphdr) + \
			      sizeof(struct ipv6hdr) + LL_MAX_HEADER, 16)
/* transport overhead on top of the inner packet (IPv6 underlay) */
#define OVPN_OVERHEAD_MAX	(OVPN_DATA_HDR_LEN + sizeof(struct udphdr) + \
				 sizeof(struct ipv6hdr))
/* 1500 minus our header, UDP and IPv4 plus 20 bytes of slack, as the
 * reference module: 1428
 */
#define OVPN_DEFAULT_MTU	1428

netdev_tx_t ovpn_net_xmit(struct sk_buff *skb, struct net_device *dev);
void ovpn_recv(struct ovpn_peer *peer, struct sk_buff *skb);
void ovpn_xmit_keepalive(struct ovpn_peer *peer);
int ovpn_rx_queues_init(struct ovpn_struct *ovpn);
unsigned long ovpn_rx_missed(const struct ovpn_struct *ovpn);
void ovpn_rx_queues_stop(struct ovpn_struct *ovpn);
void ovpn_rx_queues_free(struct ovpn_struct *ovpn);

#endif /* _OVPN_DCO_IO_H_ */
