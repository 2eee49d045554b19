/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: OpenVPN data channel offload - the device
 */

#ifndef _OVPN_DCO_OVPN_H_
#define _OVPN_DCO_OVPN_H_

#include <linux/netdevice.h>
#include <linux/rhashtable.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/ovpn_dco.h>

struct ovpn_frontend;
struct ovpn_peer;

/**
 * struct ovpn_peer_collection - the peers of a multi-peer device
 * @by_id: by peer id, an XArray: it grows with the ids in use, lookups are
 *	lockless, and a dump resumes after the last id it listed
 * @by_vpn_addr4: by VPN IPv4 address (peers that have one)
 * @by_vpn_addr6: by VPN IPv6 address (peers that have one)
 * @by_transp_addr: by socket and remote transport address, the key read
 *	from the peer's binding (a float takes the peer out, changes the
 *	binding and puts it back)
 * @count: peers in the collection
 *
 * The three hash tables are rhashtables: they grow (and shrink) with the
 * number of peers in a worker of their own, lookups stay lockless while
 * they do. Every table is written under &struct ovpn_struct.lock, and read
 * under RCU; @by_id also takes its own lock (with BHs off) inside.
 */
struct ovpn_peer_collection {
	struct xarray by_id;
	struct rhashtable by_vpn_addr4;
	struct rhashtable by_vpn_addr6;
	struct rhashtable by_transp_addr;
	unsigned int count;
};

/**
 * struct ovpn_rx_queue - received data packets waiting for decryption
 * @napi: decrypts the queued packets in order and feeds them to GRO
 * @skbs: the packets, each holding one reference on its peer; the queue's
 *	lock also protects @dead
 * @dead: the device is being unregistered: nothing may be queued any more
 * @missed: packets dropped because the queue was full (the device's
 *	rx_missed_errors); written under the queue's lock, read locklessly
 */
struct ovpn_rx_queue {
	struct napi_struct napi;
	struct sk_buff_head skbs;
	bool dead;
	unsigned long missed;
};

/**
 * struct ovpn_struct - private data of an ovpn-dco device
 * @dev: the net device (constant)
 * @fe: the netlink family that drives it, by its link kind (constant)
 * @mode: P2P or MP (constant after creation)
 * @lock: serialises changes of @peer, @peers and @dead
 * @peer: the peer of a P2P device; written under @lock, read under RCU
 * @peers: the peers of a multi-peer device (NULL in P2P; the pointer is
 *	constant)
 * @dead: the device is being unregistered: no peer may be added (under
 *	@lock)
 * @rxq: the receive queues, @n_rxq of them (a peer uses rxq[id % n_rxq]);
 *	the array is set up in ndo_init, stopped in ndo_uninit, freed in the
 *	destructor
 * @n_rxq: number of receive queues (constant after ndo_init)
 * @expire_lock: protects @expire_tat
 * @expire_tat: paces the removals of peers whose keepalive timeout passed
 *	(peer.c, ovpn_peer_expire_wait()): ns of the monotonic clock, the
 *	time the next removal would be due if every removal took its turn
 */
struct ovpn_struct {
	struct net_device *dev;
	const struct ovpn_frontend *fe;
	enum ovpn_mode mode;
	spinlock_t lock; /* protects @peer updates */
	struct ovpn_peer __rcu *peer;
	struct ovpn_peer_collection *peers;
	bool dead;
	struct ovpn_rx_queue *rxq;
	unsigned int n_rxq;
	spinlock_t expire_lock; /* protects @expire_tat */
	u64 expire_tat;
};

/* the module's workqueue (unbound): peer keepalive, deferred releases,
 * TCP transmit, receive resume and give-back
 */
extern struct workqueue_struct *ovpn_wq;

bool ovpn_dev_is_valid(const struct net_device *dev);

#endif /* _OVPN_DCO_OVPN_H_ */
