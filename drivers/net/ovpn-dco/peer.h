/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: peers
 */

#ifndef _OVPN_DCO_PEER_H_
#define _OVPN_DCO_PEER_H_

#include <linux/atomic.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include "crypto.h"
#include "ovpn.h"
#include "socket.h"
#include "tcp.h"

/* Keepalive periods are seconds that become jiffies deadlines: on a 32-bit
 * kernel with HZ=1000, seconds * HZ must stay below 2^31 for time_after() to
 * order them. 24 days is far above any OpenVPN ping/ping-restart in use
 * (minutes; hours at the very most).
 */
#define OVPN_KEEPALIVE_MAX_SECS	(24 * 24 * 3600)

/**
 * union ovpn_sockaddr - a transport address; the family field is shared
 * @in4: IPv4 (v4-mapped IPv6 addresses are stored here)
 * @in6: IPv6
 */
union ovpn_sockaddr {
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

/**
 * struct ovpn_bind - where a peer is reached, and the route there
 * @remote: the peer's transport address (constant)
 * @local: our local transport address, of @remote's family; any-address
 *	lets routing choose (constant)
 * @dst_cache: cached route to @remote; per-CPU, used with BH off by
 *	whoever holds the binding under RCU
 * @rcu: frees a replaced binding, its route cache with it
 *
 * A binding is never changed once published: a float publishes a new one
 * (&struct ovpn_peer.bind), with an empty route cache. The cache belongs
 * to the addresses it was filled for, so a sender can never pair a new
 * remote address with a route looked up for the old one, however a TX
 * and a float interleave.
 */
struct ovpn_bind {
	union ovpn_sockaddr remote;
	union {
		struct in_addr ipv4;
		struct in6_addr ipv6;
	} local;
	struct dst_cache dst_cache;
	struct rcu_head rcu;
};

/**
 * struct ovpn_peer_stats_dir - counters of one direction, lockless
 * @bytes: bytes
 * @packets: packets
 */
struct ovpn_peer_stats_dir {
	atomic64_t bytes;
	atomic64_t packets;
};

/**
 * struct ovpn_peer_stats - a peer's counters
 * @vpn_rx: plaintext delivered to the device
 * @vpn_tx: plaintext sent by the device
 * @link_rx: authenticated transport packets received
 * @link_tx: transport packets sent
 */
struct ovpn_peer_stats {
	struct ovpn_peer_stats_dir vpn_rx;
	struct ovpn_peer_stats_dir vpn_tx;
	struct ovpn_peer_stats_dir link_rx;
	struct ovpn_peer_stats_dir link_tx;
};

static inline void ovpn_stats_add(struct ovpn_peer_stats_dir *d,
				  unsigned int len)
{
	atomic64_inc(&d->packets);
	atomic64_add(len, &d->bytes);
}

/**
 * struct ovpn_peer_config - what NEW_PEER asks for
 * @id: peer id: what the peer's packets carry
 * @tx_id: the id our packets to the peer carry (@id unless the family
 *	says otherwise)
 * @remote: transport address of the peer
 * @local: local transport address (any if unset), of @remote's family
 * @vpn_ipv4: the peer's VPN IPv4 address, or 0
 * @vpn_ipv6: the peer's VPN IPv6 address, or any
 */
struct ovpn_peer_config {
	u32 id;
	u32 tx_id;
	union ovpn_sockaddr remote;
	union {
		struct in_addr ipv4;
		struct in6_addr ipv6;
	} local;
	__be32 vpn_ipv4;
	struct in6_addr vpn_ipv6;
};

/**
 * struct ovpn_peer - a remote end of the tunnel
 * @ovpn: the device (constant; referenced through @dev_tracker)
 * @id: peer id, carried by the packets it sends (constant)
 * @tx_id: peer id carried by the packets sent to it (constant)
 * @vpn_ipv4: VPN IPv4 address (constant)
 * @vpn_ipv6: VPN IPv6 address (constant)
 * @sock: transport socket (constant; one reference held)
 * @bind: transport addresses and the route cache; replaced under @lock,
 *	read under RCU
 * @crypto: key slots (own locking)
 * @lock: protects @bind updates, the keepalive settings and @removed
 * @keepalive_interval: seconds without TX before a keepalive is sent (0: off)
 * @keepalive_timeout: seconds without authentic RX before expiry (0: off)
 * @mss: TCP MSS clamp of SYNs in both directions, 0 off (READ/WRITE_ONCE)
 * @path_mtu: the largest inner packet that reaches the peer over UDP
 *	without fragmentation, from the route of the last packet sent; 0
 *	until then (written on TX, read anywhere: READ/WRITE_ONCE)
 * @last_recv: jiffies of the last authentic RX (lockless, READ/WRITE_ONCE)
 * @last_sent: jiffies of the last TX (lockless, READ/WRITE_ONCE)
 * @expire_turn: the keepalive work found the peer expired and waits for
 *	the turn it was given to remove it (only that work reads or writes it)
 * @keepalive_work: keepalive and expiry; holds a peer reference while queued
 * @removed: unlinked from the device; keepalive is never rearmed after it
 * @doomed: its removal was asked before it was linked (a TCP stream that
 *	ended during NEW_PEER), so ovpn_peer_add() refuses it (ovpn->lock)
 * @doomed_reason: the reason of that removal (ovpn->lock)
 * @stats: counters (atomic)
 * @refcount: one for the device's link, one per user (packet in flight,
 *	netlink request, queued keepalive work)
 * @rwork: releases the peer after the last reference and a grace period
 * @dev_tracker: tracks the reference on @ovpn's net device
 * @node_addr4: in &struct ovpn_peer_collection.by_vpn_addr4 when
 *	@vpn_ipv4 is set (MP)
 * @node_addr6: in by_vpn_addr6 when @vpn_ipv6 is set (MP)
 * @node_transp: in by_transp_addr (MP)
 * @tcp: stream state of a peer over TCP
 *
 * The table entries are written under the device's lock; an MP peer is
 * linked while &struct ovpn_peer_collection.by_id maps its id to it.
 */
struct ovpn_peer {
	struct ovpn_struct *ovpn;
	u32 id;
	u32 tx_id;
	__be32 vpn_ipv4;
	struct in6_addr vpn_ipv6;
	struct ovpn_socket *sock;
	struct ovpn_bind __rcu *bind;
	struct ovpn_crypto_state crypto;
	spinlock_t lock; /* protects bind, keepalive settings, removed */
	u32 keepalive_interval;
	u32 keepalive_timeout;
	u16 mss;
	u16 path_mtu;
	unsigned long last_recv;
	unsigned long last_sent;
	struct delayed_work keepalive_work;
	bool expire_turn;
	bool removed;
	bool doomed;
	enum ovpn_del_peer_reason doomed_reason;
	struct ovpn_peer_stats stats;
	struct kref refcount;
	struct rcu_work rwork;
	netdevice_tracker dev_tracker;
	struct rhash_head node_addr4;
	struct rhash_head node_addr6;
	struct rhash_head node_transp;
	struct ovpn_peer_tcp tcp;
};

static inline bool ovpn_peer_is_tcp(const struct ovpn_peer *peer)
{
	return peer->sock->tcp;
}

static inline bool ovpn_peer_hold(struct ovpn_peer *peer)
{
	return kref_get_unless_zero(&peer->refcount);
}

void ovpn_peer_release_kref(struct kref *kref);

static inline void ovpn_peer_put(struct ovpn_peer *peer)
{
	kref_put(&peer->refcount, ovpn_peer_release_kref);
}

struct ovpn_peer *ovpn_peer_new(struct ovpn_struct *ovpn,
				const struct ovpn_peer_config *cfg,
				struct ovpn_socket *sock);
int ovpn_peer_add(struct ovpn_struct *ovpn, struct ovpn_peer *peer,
		  struct netlink_ext_ack *extack);
void ovpn_peer_config_tcp(struct sock *sk, struct ovpn_peer_config *cfg);
struct ovpn_peer *ovpn_peer_create(struct ovpn_struct *ovpn,
				   const struct ovpn_peer_config *cfg,
				   struct socket *sock, bool *sock_err,
				   struct netlink_ext_ack *extack);
int ovpn_peer_del(struct ovpn_peer *peer, enum ovpn_del_peer_reason reason);
void ovpn_peers_free(struct ovpn_struct *ovpn,
		     enum ovpn_del_peer_reason reason);

void ovpn_peers_del_sock(struct ovpn_struct *ovpn, struct ovpn_socket *sock,
			 enum ovpn_del_peer_reason reason);
int ovpn_peers_walk(struct ovpn_struct *ovpn, long *pos,
		    int (*fn)(struct ovpn_peer *peer, void *arg), void *arg);
struct ovpn_peer *ovpn_peer_get_by_id(struct ovpn_struct *ovpn, u32 id);
struct ovpn_peer *ovpn_peer_get_for_xmit(struct ovpn_struct *ovpn,
					 struct sk_buff *skb);
struct ovpn_peer *ovpn_peer_get_first(struct ovpn_struct *ovpn);
struct ovpn_peer *ovpn_peer_get_by_transp_addr(struct ovpn_struct *ovpn,
					       const struct ovpn_socket *sock,
					       struct sk_buff *skb);
bool ovpn_peer_check_by_src(struct ovpn_struct *ovpn, struct sk_buff *skb,
			    struct ovpn_peer *peer);
int ovpn_peer_rebind(struct ovpn_peer *peer, const union ovpn_sockaddr *sa,
		     const struct ovpn_bind *local, gfp_t gfp);
void ovpn_peer_float(struct ovpn_peer *peer, struct sk_buff *skb);
int ovpn_peers_alloc(struct ovpn_struct *ovpn);
void ovpn_peers_destroy(struct ovpn_struct *ovpn);

void ovpn_peer_keepalive_set(struct ovpn_peer *peer, u32 interval,
			     u32 timeout);

static inline void ovpn_peer_touch_recv(struct ovpn_peer *peer)
{
	unsigned long now = jiffies;

	/* one write per tick at most: the line stays shared between CPUs */
	if (READ_ONCE(peer->last_recv) != now)
		WRITE_ONCE(peer->last_recv, now);
}

static inline void ovpn_peer_touch_sent(struct ovpn_peer *peer)
{
	unsigned long now = jiffies;

	if (READ_ONCE(peer->last_sent) != now)
		WRITE_ONCE(peer->last_sent, now);
}

#endif /* _OVPN_DCO_PEER_H_ */
