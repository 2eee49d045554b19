// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: peers
 *
 * Lifetime: a peer starts with one reference, owned by the device's link
 * to it (ovpn->peer). Removal unlinks it under ovpn->lock exactly once, stops
 * its keepalive, notifies userspace and drops that reference. Packets in
 * flight, netlink requests and the queued keepalive work hold their own
 * references; the last one queues the release, which runs in process
 * context after an RCU grace period, so lockless readers never see freed
 * memory and the socket and the device are let go where sleeping is allowed.
 */

#include <linux/hash.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>

#include "debug.h"
#include "frontend.h"
#include "io.h"
#include "ovpn.h"
#include "peer.h"
#include "socket.h"
#include "tcp.h"
#include "udp.h"

/* a binding and its route cache; @gfp: GFP_ATOMIC from a float */
static struct ovpn_bind *ovpn_bind_alloc(gfp_t gfp)
{
	struct ovpn_bind *bind;

	bind = kzalloc(sizeof(*bind), gfp);
	if (!bind)
		return NULL;
	if (dst_cache_init(&bind->dst_cache, gfp)) {
		kfree(bind);
		return NULL;
	}
	return bind;
}

static void ovpn_bind_free(struct ovpn_bind *bind)
{
	dst_cache_destroy(&bind->dst_cache);
	kfree(bind);
}

/* a replaced binding, after the grace period of its last reader */
static void ovpn_bind_free_rcu(struct rcu_head *head)
{
	ovpn_bind_free(container_of(head, struct ovpn_bind, rcu));
}

static void ovpn_peer_free_work(struct work_struct *work)
{
	struct ovpn_peer *peer;

	peer = container_of(to_rcu_work(work), struct ovpn_peer, rwork);

	ovpn_crypto_state_release(&peer->crypto);
	/* past a grace period and unreachable: no reader is left */
	ovpn_bind_free(rcu_dereference_protected(peer->bind, true));
	ovpn_socket_put(peer->sock);
	netdev_put(peer->ovpn->dev, &peer->dev_tracker);
	kfree(peer);
}

void ovpn_peer_release_kref(struct kref *kref)
{
	struct ovpn_peer *peer = container_of(kref, struct ovpn_peer, refcount);

	INIT_RCU_WORK(&peer->rwork, ovpn_peer_free_work);
	queue_rcu_work(ovpn_wq, &peer->rwork);
}

static void ovpn_peer_keepalive_work(struct work_struct *work);

/**
 * ovpn_peer_new - allocate a peer
 * @ovpn: its device
 * @cfg: its settings
 * @sock: its transport socket; the caller's reference moves to the peer
 *	on success
 *
 * Return: the peer with one reference, or an ERR_PTR.
 */
struct ovpn_peer *ovpn_peer_new(struct ovpn_struct *ovpn,
				const struct ovpn_peer_config *cfg,
				struct ovpn_socket *sock)
{
	struct ovpn_bind *bind;
	struct ovpn_peer *peer;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);

	bind = ovpn_bind_alloc(GFP_KERNEL);
	if (!bind) {
		kfree(peer);
		return ERR_PTR(-ENOMEM);
	}
	bind->remote = cfg->remote;
	if (cfg->remote.in4.sin_family == AF_INET)
		bind->local.ipv4 = cfg->local.ipv4;
	else
		bind->local.ipv6 = cfg->local.ipv6;

	peer->ovpn = ovpn;
	peer->id = cfg->id;
	peer->tx_id = cfg->tx_id;
	peer->vpn_ipv4 = cfg->vpn_ipv4;
	peer->vpn_ipv6 = cfg->vpn_ipv6;
	RCU_INIT_POINTER(peer->bind, bind);
	ovpn_crypto_state_init(&peer->crypto);
	spin_lock_init(&peer->lock);
	peer->last_recv = jiffies;
	peer->last_sent = jiffies;
	INIT_DELAYED_WORK(&peer->keepalive_work, ovpn_peer_keepalive_work);
	ovpn_tcp_peer_init(peer);
	kref_init(&peer->refcount);
	peer->sock = sock;
	netdev_hold(ovpn->dev, &peer->dev_tracker, GFP_KERNEL);
	return peer;
}

static void ovpn_peer_keepalive_schedule(struct ovpn_peer *peer,
					 unsigned long delay)
{
	spin_lock_bh(&peer->lock);
	if (!peer->removed) {
		/* a queued work owns one reference */
		kref_get(&peer->refcount);
		if (mod_delayed_work(ovpn_wq, &peer->keepalive_work, delay))
			kref_put(&peer->refcount, ovpn_peer_release_kref);
	}
	spin_unlock_bh(&peer->lock);
}

static void ovpn_peer_keepalive_stop(struct ovpn_peer *peer)
{
	spin_lock_bh(&peer->lock);
	WRITE_ONCE(peer->removed, true);
	spin_unlock_bh(&peer->lock);

	/* a running instance sees @removed and does not rearm */
	if (cancel_delayed_work(&peer->keepalive_work))
		ovpn_peer_put(peer);
}

/* after removal from the device: what happens to every removed peer.
 * Return: 0, or why the DEL_PEER notification did not reach every listener
 * (&struct ovpn_frontend, notify_del_peer)
 */
static int ovpn_peer_removed(struct ovpn_peer *peer,
			     enum ovpn_del_peer_reason reason, gfp_t gfp)
{
	int ret;

	ovpn_peer_keepalive_stop(peer);
	if (ovpn_peer_is_tcp(peer))
		ovpn_tcp_peer_removed(peer);
	ret = peer->ovpn->fe->notify_del_peer(peer, reason, gfp);
	/* the device's reference */
	ovpn_peer_put(peer);
	return ret;
}

/* one removal: a lost notification is worth a line, but not a flood */
static void ovpn_peer_removed_one(struct ovpn_peer *peer,
				  enum ovpn_del_peer_reason reason)
{
	struct net_device *dev = peer->ovpn->dev;
	u32 id = peer->id;
	int ret;

	ret = ovpn_peer_removed(peer, reason, GFP_ATOMIC);
	if (ret)
		net_warn_ratelimited("%s: the removal of peer %u did not reach every listener (%d)\n",
				     netdev_name(dev), id, ret);
}

/* ---- multi-peer collection ---- */

static bool ovpn_sockaddr_eq(const union ovpn_sockaddr *a,
			     const union ovpn_sockaddr *b)
{
	if (a->in4.sin_family != b->in4.sin_family)
		return false;
	if (a->in4.sin_family == AF_INET)
		return a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr &&
		       a->in4.sin_port == b->in4.sin_port;
	return ipv6_addr_equal(&a->in6.sin6_addr, &b->in6.sin6_addr) &&
	       a->in6.sin6_port == b->in6.sin6_port;
}

/**
 * struct ovpn_transp_key - what by_transp_addr is searched for
 * @sock: the socket a packet came in on
 * @sa: its source address
 */
struct ovpn_transp_key {
	const struct ovpn_socket *sock;
	const union ovpn_sockaddr *sa;
};

static u32 ovpn_transp_hash(const struct ovpn_socket *sock,
			    const union ovpn_sockaddr *sa, u32 seed)
{
	seed ^= hash_ptr(sock, 32);
	if (sa->in4.sin_family == AF_INET)
		return jhash_2words((__force u32)sa->in4.sin_addr.s_addr,
				    (__force u32)sa->in4.sin_port, seed);
	return jhash(&sa->in6.sin6_addr, sizeof(sa->in6.sin6_addr),
		     seed ^ (__force u32)sa->in6.sin6_port);
}

static u32 ovpn_transp_key_hash(const void *data, u32 len, u32 seed)
{
	const struct ovpn_transp_key *key = data;

	return ovpn_transp_hash(key->sock, key->sa, seed);
}

/* A peer's binding only changes while the peer is out of the table (a
 * float), under the device's lock; the table's own rehash holds a bucket
 * lock, which is a read-side critical section of RCU.
 */
static const union ovpn_sockaddr *ovpn_peer_remote(const struct ovpn_peer *peer)
{
	return &rcu_dereference_check(peer->bind, 1)->remote;
}

static u32 ovpn_transp_obj_hash(const void *obj, u32 len, u32 seed)
{
	const struct ovpn_peer *peer = obj;

	return ovpn_transp_hash(peer->sock, ovpn_peer_remote(peer), seed);
}

static int ovpn_transp_obj_cmp(struct rhashtable_compare_arg *arg,
			       const void *obj)
{
	const struct ovpn_transp_key *key = arg->key;
	const struct ovpn_peer *peer = obj;

	return peer->sock != key->sock ||
	       !ovpn_sockaddr_eq(ovpn_peer_remote(peer), key->sa);
}

/* Peers may share a VPN address (a client reconnecting before userspace
 * removed its old peer): an insertion does not look for the key, and puts
 * the newest first in its chain, where lookups find it.
 */
static const struct rhashtable_params ovpn_addr4_params = {
	.head_offset = offsetof(struct ovpn_peer, node_addr4),
	.key_offset = offsetof(struct ovpn_peer, vpn_ipv4),
	.key_len = sizeof(__be32),
	.automatic_shrinking = true,
};

static const struct rhashtable_params ovpn_addr6_params = {
	.head_offset = offsetof(struct ovpn_peer, node_addr6),
	.key_offset = offsetof(struct ovpn_peer, vpn_ipv6),
	.key_len = sizeof(struct in6_addr),
	.automatic_shrinking = true,
};

static const struct rhashtable_params ovpn_transp_params = {
	.head_offset = offsetof(struct ovpn_peer, node_transp),
	.key_len = sizeof(struct ovpn_transp_key),
	.hashfn = ovpn_transp_key_hash,
	.obj_hashfn = ovpn_transp_obj_hash,
	.obj_cmpfn = ovpn_transp_obj_cmp,
	.automatic_shrinking = true,
};

int ovpn_peers_alloc(struct ovpn_struct *ovpn)
{
	struct ovpn_peer_collection *pc;
	int ret;

	pc = kzalloc(sizeof(*pc), GFP_KERNEL);
	if (!pc)
		return -ENOMEM;

	xa_init_flags(&pc->by_id, XA_FLAGS_LOCK_BH);
	ret = rhashtable_init(&pc->by_vpn_addr4, &ovpn_addr4_params);
	if (ret)
		goto err_free;
	ret = rhashtable_init(&pc->by_vpn_addr6, &ovpn_addr6_params);
	if (ret)
		goto err_addr4;
	ret = rhashtable_init(&pc->by_transp_addr, &ovpn_transp_params);
	if (ret)
		goto err_addr6;
	ovpn->peers = pc;
	return 0;

err_addr6:
	rhashtable_destroy(&pc->by_vpn_addr6);
err_addr4:
	rhashtable_destroy(&pc->by_vpn_addr4);
err_free:
	kfree(pc);
	return ret;
}

/* after the last peer is gone: the device's destructor (process context) */
void ovpn_peers_destroy(struct ovpn_struct *ovpn)
{
	struct ovpn_peer_collection *pc = ovpn->peers;

	if (!pc)
		return;
	WARN_ON_ONCE(!xa_empty(&pc->by_id));
	xa_destroy(&pc->by_id);
	rhashtable_destroy(&pc->by_transp_addr);
	rhashtable_destroy(&pc->by_vpn_addr6);
	rhashtable_destroy(&pc->by_vpn_addr4);
	kfree(pc);
	ovpn->peers = NULL;
}

/* the transport source of a received packet: outer IP and UDP headers */
static bool ovpn_sockaddr_from_skb(struct sk_buff *skb,
				   union ovpn_sockaddr *sa)
{
	memset(sa, 0, sizeof(*sa));
	switch (ip_hdr(skb)->version) {
	case 4:
		sa->in4.sin_family = AF_INET;
		sa->in4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		sa->in4.sin_port = udp_hdr(skb)->source;
		return true;
	case 6:
		sa->in6.sin6_family = AF_INET6;
		sa->in6.sin6_addr = ipv6_hdr(skb)->saddr;
		sa->in6.sin6_port = udp_hdr(skb)->source;
		return true;
	}
	return false;
}

/* the unicast address a packet was sent to, as a binding's local address;
 * false for anything else (multicast, broadcast)
 */
static bool ovpn_local_from_skb(struct sk_buff *skb, struct ovpn_bind *local)
{
	memset(&local->local, 0, sizeof(local->local));
	switch (ip_hdr(skb)->version) {
	case 4:
		local->local.ipv4.s_addr = ip_hdr(skb)->daddr;
		return !ipv4_is_multicast(ip_hdr(skb)->daddr) &&
		       !ipv4_is_lbcast(ip_hdr(skb)->daddr) &&
		       skb->pkt_type == PACKET_HOST;
	case 6:
		local->local.ipv6 = ipv6_hdr(skb)->daddr;
		return !ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr);
	}
	return false;
}

/* under ovpn->lock: take a linked peer out of every table */
static void ovpn_peer_unhash(struct ovpn_struct *ovpn, struct ovpn_peer *peer)
{
	struct ovpn_peer_collection *pc = ovpn->peers;

	xa_erase(&pc->by_id, peer->id);
	if (peer->vpn_ipv4)
		rhashtable_remove_fast(&pc->by_vpn_addr4, &peer->node_addr4,
				       ovpn_addr4_params);
	if (!ipv6_addr_any(&peer->vpn_ipv6))
		rhashtable_remove_fast(&pc->by_vpn_addr6, &peer->node_addr6,
				       ovpn_addr6_params);
	rhashtable_remove_fast(&pc->by_transp_addr, &peer->node_transp,
			       ovpn_transp_params);
	pc->count--;
}

/* under ovpn->lock: whether @peer may be linked to a live device */
static int ovpn_peer_add_check(struct ovpn_struct *ovpn,
			       struct ovpn_peer *peer,
			       struct netlink_ext_ack *extack)
{
	if (ovpn->dead) {
		NL_SET_ERR_MSG_MOD(extack, "the device is being deleted");
		return -ENODEV;
	}
	if (!peer->doomed)
		return 0;
	/* its stream ended while NEW_PEER took it over: adding it would
	 * leave a peer nothing can reach, and in P2P mode push out the one
	 * that works
	 */
	if (peer->doomed_reason == OVPN_DEL_PEER_REASON_TRANSPORT_ERROR) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the TCP stream failed before the peer was added");
		return -EPROTO;
	}
	NL_SET_ERR_MSG_MOD(extack,
			   "the TCP connection was closed before the peer was added");
	return -ENOTCONN;
}

static int ovpn_peer_add_mp(struct ovpn_struct *ovpn, struct ovpn_peer *peer,
			    struct netlink_ext_ack *extack)
{
	struct ovpn_peer_collection *pc = ovpn->peers;
	bool addr4 = peer->vpn_ipv4, addr6 = !ipv6_addr_any(&peer->vpn_ipv6);
	int ret;

	/* the id's slot, allocated while we may sleep: storing into it under
	 * the lock below then needs no memory
	 */
	ret = xa_reserve_bh(&pc->by_id, peer->id, GFP_KERNEL);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the peer's id");
		return ret;
	}

	spin_lock_bh(&ovpn->lock);
	ret = ovpn_peer_add_check(ovpn, peer, extack);
	if (ret)
		goto out_unlock;
	if (xa_load(&pc->by_id, peer->id)) {
		NL_SET_ERR_MSG_MOD(extack, "a peer with this id already exists");
		ret = -EEXIST;
		goto out_unlock;
	}

	/* the tables may have to grow first, or an atomic allocation fail */
	ret = rhashtable_insert_fast(&pc->by_transp_addr, &peer->node_transp,
				     ovpn_transp_params);
	if (ret)
		goto err_table;
	if (addr4) {
		ret = rhashtable_insert_fast(&pc->by_vpn_addr4,
					     &peer->node_addr4,
					     ovpn_addr4_params);
		if (ret)
			goto err_transp;
	}
	if (addr6) {
		ret = rhashtable_insert_fast(&pc->by_vpn_addr6,
					     &peer->node_addr6,
					     ovpn_addr6_params);
		if (ret)
			goto err_addr4;
	}
	/* last: found by id (the receive path), it is in every table; the
	 * slot may have been released by a concurrent NEW_PEER of the same
	 * id that failed, then this allocates
	 */
	ret = xa_err(xa_store(&pc->by_id, peer->id, peer, GFP_ATOMIC));
	if (ret)
		goto err_addr6;
	pc->count++;
	spin_unlock_bh(&ovpn->lock);
	return 0;

err_addr6:
	if (addr6)
		rhashtable_remove_fast(&pc->by_vpn_addr6, &peer->node_addr6,
				       ovpn_addr6_params);
err_addr4:
	if (addr4)
		rhashtable_remove_fast(&pc->by_vpn_addr4, &peer->node_addr4,
				       ovpn_addr4_params);
err_transp:
	rhashtable_remove_fast(&pc->by_transp_addr, &peer->node_transp,
			       ovpn_transp_params);
err_table:
	NL_SET_ERR_MSG_MOD(extack, "the peer tables could not take the peer");
out_unlock:
	spin_unlock_bh(&ovpn->lock);
	/* xa_release() with BHs off: frees the slot only if it is still the
	 * reservation (XA_ZERO_ENTRY), never another peer's
	 */
	xa_cmpxchg_bh(&pc->by_id, peer->id, XA_ZERO_ENTRY, NULL, 0);
	return ret;
}

/**
 * ovpn_peer_add - link a new peer to its device
 * @ovpn: the device
 * @peer: the peer; its reference becomes the device's on success
 * @extack: for the reason of a refusal
 *
 * In P2P mode a peer already there is replaced (OpenVPN relies on it) and
 * userspace is told it was removed, with the reason the device's family
 * gives; that family may also have the carrier follow the peer. In MP mode
 * a duplicate id is refused. A peer whose removal was asked before (its TCP
 * stream ended) is refused in both modes.
 *
 * Return: 0 or a negative errno.
 */
int ovpn_peer_add(struct ovpn_struct *ovpn, struct ovpn_peer *peer,
		  struct netlink_ext_ack *extack)
{
	struct ovpn_peer *old;
	int ret;

	if (ovpn->mode == OVPN_MODE_MP)
		return ovpn_peer_add_mp(ovpn, peer, extack);

	spin_lock_bh(&ovpn->lock);
	ret = ovpn_peer_add_check(ovpn, peer, extack);
	if (ret) {
		spin_unlock_bh(&ovpn->lock);
		return ret;
	}
	old = rcu_replace_pointer(ovpn->peer, peer,
				  lockdep_is_held(&ovpn->lock));
	if (ovpn->fe->p2p_carrier)
		netif_carrier_on(ovpn->dev);
	spin_unlock_bh(&ovpn->lock);

	if (old)
		ovpn_peer_removed_one(old, ovpn->fe->p2p_replace_reason);
	return 0;
}

/**
 * ovpn_peer_config_tcp - a TCP peer's addresses, from its connected socket
 * @sk: the socket
 * @cfg: its remote and local addresses are set
 */
void ovpn_peer_config_tcp(struct sock *sk, struct ovpn_peer_config *cfg)
{
	struct inet_sock *inet = inet_sk(sk);

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		cfg->remote.in6.sin6_family = AF_INET6;
		cfg->remote.in6.sin6_addr = sk->sk_v6_daddr;
		cfg->remote.in6.sin6_port = inet->inet_dport;
		cfg->local.ipv6 = sk->sk_v6_rcv_saddr;
		return;
	}
#endif
	cfg->remote.in4.sin_family = AF_INET;
	cfg->remote.in4.sin_addr.s_addr = inet->inet_daddr;
	cfg->remote.in4.sin_port = inet->inet_dport;
	cfg->local.ipv4.s_addr = inet->inet_saddr;
}

/**
 * ovpn_peer_create - a peer on a transport socket, linked to its device
 * @ovpn: the device
 * @cfg: the peer (for TCP, ovpn_peer_config_tcp() fills its addresses)
 * @sock: the socket; its reference (sockfd_lookup()) is consumed
 * @sock_err: if not NULL, set to true when the socket is what failed (it
 *	cannot carry this device's peers), false otherwise
 * @extack: for the reason of a refusal
 *
 * Return: the linked peer, held (ovpn_peer_put() it; it may already be
 * removed again, by its transport), or an ERR_PTR.
 */
struct ovpn_peer *ovpn_peer_create(struct ovpn_struct *ovpn,
				   const struct ovpn_peer_config *cfg,
				   struct socket *sock, bool *sock_err,
				   struct netlink_ext_ack *extack)
{
	struct ovpn_socket *ovpn_sock;
	struct ovpn_peer *peer;
	int ret;

	if (sock_err)
		*sock_err = false;

	if (sock->sk->sk_protocol == IPPROTO_UDP &&
	    sock->sk->sk_family == AF_INET &&
	    cfg->remote.in4.sin_family != AF_INET) {
		NL_SET_ERR_MSG_MOD(extack,
				   "an IPv4 socket cannot reach an IPv6 remote");
		sockfd_put(sock);
		return ERR_PTR(-EAFNOSUPPORT);
	}

	ovpn_sock = ovpn_socket_attach(sock, ovpn, extack);
	if (IS_ERR(ovpn_sock)) {
		if (sock_err)
			*sock_err = true;
		return ERR_CAST(ovpn_sock);
	}

	peer = ovpn_peer_new(ovpn, cfg, ovpn_sock);
	if (IS_ERR(peer)) {
		ovpn_socket_put(ovpn_sock);
		return peer;
	}

	if (ovpn_sock->tcp) {
		ret = ovpn_tcp_socket_attach(ovpn_sock, peer);
		if (ret) {
			NL_SET_ERR_MSG_MOD(extack,
					   "cannot take the TCP socket over (not connected, or in use by a ULP or BPF)");
			if (sock_err)
				*sock_err = true;
			ovpn_peer_put(peer);
			return ERR_PTR(ret);
		}
		ovpn_debug_takeover_delay();
	} else {
		ovpn_udp_peer_route(peer);
	}

	/* linked, the peer may be removed at once: keep it for the start
	 * and for the caller
	 */
	ovpn_peer_hold(peer);
	ret = ovpn_peer_add(ovpn, peer, extack);
	if (ret) {
		ovpn_peer_put(peer);
		ovpn_peer_put(peer);
		return ERR_PTR(ret);
	}
	if (ovpn_sock->tcp)
		ovpn_tcp_peer_start(peer);
	if (ovpn->fe->sock_follows_fd)
		ovpn_socket_drop_file(ovpn_sock);
	return peer;
}

/**
 * ovpn_peer_del - remove a peer from its device
 * @peer: the peer; the caller holds a reference
 * @reason: told to userspace
 *
 * A peer not linked yet is marked instead, and ovpn_peer_add() then refuses
 * it: its transport may fail while NEW_PEER is still setting it up.
 *
 * Return: 0, or -ENOENT if it was not linked (already removed, or not yet).
 */
int ovpn_peer_del(struct ovpn_peer *peer, enum ovpn_del_peer_reason reason)
{
	struct ovpn_struct *ovpn = peer->ovpn;
	bool linked;

	spin_lock_bh(&ovpn->lock);
	if (ovpn->mode == OVPN_MODE_MP)
		linked = xa_load(&ovpn->peers->by_id, peer->id) == peer;
	else
		linked = rcu_access_pointer(ovpn->peer) == peer;
	if (!linked) {
		/* an unlinked peer that was never removed is not linked yet */
		if (!READ_ONCE(peer->removed) && !peer->doomed) {
			peer->doomed = true;
			peer->doomed_reason = reason;
		}
		spin_unlock_bh(&ovpn->lock);
		return -ENOENT;
	}
	if (ovpn->mode == OVPN_MODE_MP) {
		ovpn_peer_unhash(ovpn, peer);
	} else {
		RCU_INIT_POINTER(ovpn->peer, NULL);
		if (ovpn->fe->p2p_carrier)
			netif_carrier_off(ovpn->dev);
	}
	spin_unlock_bh(&ovpn->lock);

	ovpn_peer_removed_one(peer, reason);
	return 0;
}

/* unlink any one peer of an MP device, under ovpn->lock */
static struct ovpn_peer *ovpn_peer_unhash_any(struct ovpn_struct *ovpn)
{
	unsigned long id = 0;
	struct ovpn_peer *peer;

	/* skips the slots reserved by a NEW_PEER in progress */
	peer = xa_find(&ovpn->peers->by_id, &id, ULONG_MAX, XA_PRESENT);
	if (peer)
		ovpn_peer_unhash(ovpn, peer);
	return peer;
}

/**
 * ovpn_peers_free - remove every peer and refuse new ones
 * @ovpn: the device, going away
 * @reason: told to userspace
 *
 * Process context (ndo_uninit, under RTNL): the notifications are allocated
 * with GFP_KERNEL, and the ones that did not reach every listener are
 * summed up in one line.
 */
void ovpn_peers_free(struct ovpn_struct *ovpn,
		     enum ovpn_del_peer_reason reason)
{
	unsigned int removed = 0, nomem = 0, overrun = 0;
	struct ovpn_peer *peer;
	int ret;

	might_sleep();
	spin_lock_bh(&ovpn->lock);
	ovpn->dead = true;
	peer = rcu_replace_pointer(ovpn->peer, NULL,
				   lockdep_is_held(&ovpn->lock));
	spin_unlock_bh(&ovpn->lock);

	for (;;) {
		if (!peer && ovpn->peers) {
			spin_lock_bh(&ovpn->lock);
			peer = ovpn_peer_unhash_any(ovpn);
			spin_unlock_bh(&ovpn->lock);
		}
		if (!peer)
			break;
		ret = ovpn_peer_removed(peer, reason, GFP_KERNEL);
		removed++;
		if (ret == -ENOMEM)
			nomem++;
		else if (ret)
			overrun++;
		peer = NULL;
		cond_resched();
	}

	/* listeners that missed one were told (ENOBUFS) and must dump */
	if (nomem || overrun)
		netdev_warn(ovpn->dev,
			    "%u peers removed: %u DEL_PEER notifications not sent (no memory), %u overran a listener\n",
			    removed, nomem, overrun);
}

/**
 * ovpn_peers_del_sock - remove every peer of a device on a socket
 * @ovpn: the device
 * @sock: the socket, which is closing
 * @reason: told to userspace
 *
 * Any context.
 */
void ovpn_peers_del_sock(struct ovpn_struct *ovpn, struct ovpn_socket *sock,
			 enum ovpn_del_peer_reason reason)
{
	struct ovpn_peer *peer;

	rcu_read_lock();
	if (!ovpn->peers) {
		peer = rcu_dereference(ovpn->peer);
		if (peer && peer->sock == sock && ovpn_peer_hold(peer)) {
			ovpn_peer_del(peer, reason);
			ovpn_peer_put(peer);
		}
	} else {
		unsigned long id;

		/* each step finds the lowest id from there on: removals
		 * behind or ahead of it do not disturb the walk
		 */
		xa_for_each(&ovpn->peers->by_id, id, peer) {
			if (peer->sock == sock && ovpn_peer_hold(peer)) {
				ovpn_peer_del(peer, reason);
				ovpn_peer_put(peer);
			}
		}
	}
	rcu_read_unlock();
}

/**
 * ovpn_peers_walk - visit every peer of a device, resumably (dumps)
 * @ovpn: the device
 * @pos: where to resume, two longs (a netlink_callback's args), zero at
 *	the start: the lowest peer id not visited yet (MP), and whether the
 *	peer was visited (P2P)
 * @fn: called for each peer (held in P2P, under RCU in MP); non-zero stops the
 *	walk before that peer, which the next call visits again
 * @arg: for @fn
 *
 * Peers may come and go between two calls. They are visited in the order
 * of their ids, and a call resumes after the last id visited: every peer
 * that stays in the device from the first call to the last is visited
 * exactly once, and no peer twice.
 *
 * Return: 0 when every peer was visited, else what @fn returned.
 */
int ovpn_peers_walk(struct ovpn_struct *ovpn, long *pos,
		    int (*fn)(struct ovpn_peer *peer, void *arg), void *arg)
{
	struct ovpn_peer *peer;
	unsigned long id;
	int ret = 0;

	if (ovpn->mode == OVPN_MODE_P2P) {
		if (pos[1])
			return 0;
		peer = ovpn_peer_get_first(ovpn);
		if (peer) {
			ret = fn(peer, arg);
			ovpn_peer_put(peer);
		}
		if (!ret)
			pos[1] = 1;
		return ret;
	}

	rcu_read_lock();
	xa_for_each_start(&ovpn->peers->by_id, id, peer, pos[0]) {
		ret = fn(peer, arg);
		if (ret)
			break;
		pos[0] = id + 1;
	}
	rcu_read_unlock();
	return ret;
}

/**
 * ovpn_peer_get_by_id - look a peer up by id, held
 * @ovpn: the device
 * @id: peer id
 *
 * Return: the peer with a reference the caller must put, or NULL.
 */
struct ovpn_peer *ovpn_peer_get_by_id(struct ovpn_struct *ovpn, u32 id)
{
	struct ovpn_peer *peer = NULL, *tmp;

	rcu_read_lock();
	if (ovpn->mode == OVPN_MODE_MP) {
		tmp = xa_load(&ovpn->peers->by_id, id);
		if (tmp && ovpn_peer_hold(tmp))
			peer = tmp;
	} else {
		tmp = rcu_dereference(ovpn->peer);
		if (tmp && tmp->id == id && ovpn_peer_hold(tmp))
			peer = tmp;
	}
	rcu_read_unlock();
	return peer;
}

/* the P2P peer, whoever it is; held */
struct ovpn_peer *ovpn_peer_get_first(struct ovpn_struct *ovpn)
{
	struct ovpn_peer *peer;

	rcu_read_lock();
	peer = rcu_dereference(ovpn->peer);
	if (peer && !ovpn_peer_hold(peer))
		peer = NULL;
	rcu_read_unlock();
	return peer;
}

/**
 * ovpn_peer_get_by_transp_addr - the peer a packet with no peer id comes from
 * @ovpn: the device
 * @sock: the socket the packet came in on
 * @skb: the packet, outer headers set
 *
 * Only the peers of @sock are candidates: the same remote address may be
 * a peer of each of the device's sockets.
 *
 * Return: the held peer on @sock whose remote address is the packet's
 * source, or NULL.
 */
struct ovpn_peer *ovpn_peer_get_by_transp_addr(struct ovpn_struct *ovpn,
					       const struct ovpn_socket *sock,
					       struct sk_buff *skb)
{
	struct ovpn_peer *peer = NULL, *tmp;
	struct ovpn_transp_key key;
	union ovpn_sockaddr sa;
	struct ovpn_bind *bind;

	if (!ovpn_sockaddr_from_skb(skb, &sa))
		return NULL;

	rcu_read_lock();
	if (ovpn->mode == OVPN_MODE_P2P) {
		tmp = rcu_dereference(ovpn->peer);
		if (tmp && tmp->sock == sock) {
			bind = rcu_dereference(tmp->bind);
			if (ovpn_sockaddr_eq(&bind->remote, &sa) &&
			    ovpn_peer_hold(tmp))
				peer = tmp;
		}
		goto out;
	}

	/* a lookup that a float's move races with walks again by itself */
	key.sock = sock;
	key.sa = &sa;
	tmp = rhashtable_lookup(&ovpn->peers->by_transp_addr, &key,
				ovpn_transp_params);
	if (tmp && ovpn_peer_hold(tmp))
		peer = tmp;
out:
	rcu_read_unlock();
	return peer;
}

static struct ovpn_peer *ovpn_peer_get_by_vpn_addr4(struct ovpn_struct *ovpn,
						    __be32 addr)
{
	struct ovpn_peer *peer = NULL, *tmp;

	rcu_read_lock();
	tmp = rhashtable_lookup(&ovpn->peers->by_vpn_addr4, &addr,
				ovpn_addr4_params);
	if (tmp && ovpn_peer_hold(tmp))
		peer = tmp;
	rcu_read_unlock();
	return peer;
}

/* unlike the out-of-tree reference, compare the addresses */
static struct ovpn_peer *
ovpn_peer_get_by_vpn_addr6(struct ovpn_struct *ovpn,
			   const struct in6_addr *addr)
{
	struct ovpn_peer *peer = NULL, *tmp;

	rcu_read_lock();
	tmp = rhashtable_lookup(&ovpn->peers->by_vpn_addr6, addr,
				ovpn_addr6_params);
	if (tmp && ovpn_peer_hold(tmp))
		peer = tmp;
	rcu_read_unlock();
	return peer;
}

/**
 * ovpn_peer_get_for_xmit - the peer a packet leaving the device goes to
 * @ovpn: the device
 * @skb: the packet, network header set
 *
 * In MP mode the route's nexthop selects the peer, so a route via a
 * client's VPN address reaches a network behind that client.
 *
 * Return: the held peer, or NULL.
 */
struct ovpn_peer *ovpn_peer_get_for_xmit(struct ovpn_struct *ovpn,
					 struct sk_buff *skb)
{
	if (ovpn->mode == OVPN_MODE_P2P)
		return ovpn_peer_get_first(ovpn);

	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		struct rtable *rt = skb_rtable(skb);
		__be32 nh = ip_hdr(skb)->daddr;

		if (rt)
			nh = rt_nexthop(rt, nh);
		return ovpn_peer_get_by_vpn_addr4(ovpn, nh);
	}
#if IS_ENABLED(CONFIG_IPV6)
	case htons(ETH_P_IPV6): {
		const struct in6_addr *nh = &ipv6_hdr(skb)->daddr;
		struct dst_entry *dst = skb_dst(skb);

		if (dst)
			nh = rt6_nexthop(container_of(dst, struct rt6_info, dst),
					 nh);
		return ovpn_peer_get_by_vpn_addr6(ovpn, nh);
	}
#endif
	}
	return NULL;
}

/* the VPN nexthop the device's routes give for @addr, or 0 */
static __be32 ovpn_nexthop4(struct ovpn_struct *ovpn, __be32 addr)
{
	struct flowi4 fl = { .daddr = addr };
	struct rtable *rt;
	__be32 nh = 0;

	rt = ip_route_output_flow(dev_net(ovpn->dev), &fl, NULL);
	if (IS_ERR(rt))
		return 0;
	if (rt->dst.dev == ovpn->dev)
		nh = rt_nexthop(rt, addr);
	ip_rt_put(rt);
	return nh;
}

#if IS_ENABLED(CONFIG_IPV6)
static bool ovpn_nexthop6_is(struct ovpn_struct *ovpn,
			     const struct in6_addr *addr,
			     const struct in6_addr *want)
{
	struct flowi6 fl = { .daddr = *addr };
	struct dst_entry *dst;
	bool ret = false;

	dst = ipv6_stub->ipv6_dst_lookup_flow(dev_net(ovpn->dev), NULL, &fl,
					      NULL);
	if (IS_ERR(dst))
		return false;
	if (dst->dev == ovpn->dev)
		ret = ipv6_addr_equal(rt6_nexthop(container_of(dst,
							       struct rt6_info,
							       dst),
						  addr), want);
	dst_release(dst);
	return ret;
}
#endif

/**
 * ovpn_peer_check_by_src - does an inner packet's source belong to its peer
 * @ovpn: the device
 * @skb: the decrypted packet, network header set
 * @peer: the peer it came from
 *
 * A peer may send from its own VPN address or from a network routed via it
 * (OpenVPN's iroute); anything else is spoofed. P2P has nothing to check.
 *
 * Return: true if the source is the peer's.
 */
bool ovpn_peer_check_by_src(struct ovpn_struct *ovpn, struct sk_buff *skb,
			    struct ovpn_peer *peer)
{
	if (ovpn->mode == OVPN_MODE_P2P)
		return true;

	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		__be32 src = ip_hdr(skb)->saddr;

		if (!peer->vpn_ipv4)
			return false;
		return src == peer->vpn_ipv4 ||
		       ovpn_nexthop4(ovpn, src) == peer->vpn_ipv4;
	}
#if IS_ENABLED(CONFIG_IPV6)
	case htons(ETH_P_IPV6): {
		const struct in6_addr *src = &ipv6_hdr(skb)->saddr;

		if (ipv6_addr_any(&peer->vpn_ipv6))
			return false;
		return ipv6_addr_equal(src, &peer->vpn_ipv6) ||
		       ovpn_nexthop6_is(ovpn, src, &peer->vpn_ipv6);
	}
#endif
	}
	return false;
}

/**
 * ovpn_peer_rebind - move a UDP peer to a new transport address
 * @peer: the peer
 * @sa: its new remote address
 * @local: a binding whose local address to send from (of @sa's family;
 *	any: routing chooses), or NULL to keep the current one if of the same
 *	family
 * @gfp: allocation flags of the caller's context
 *
 * The new addresses are used for TX at once. They get a binding of their
 * own, with an empty route cache (see &struct ovpn_bind): the old binding
 * and the routes cached for it go together, after the grace period of
 * their last reader. The caller checks that the socket reaches @sa.
 *
 * Return: 1 if the peer moved, 0 if it was there already, -ENOMEM.
 */
int ovpn_peer_rebind(struct ovpn_peer *peer, const union ovpn_sockaddr *sa,
		     const struct ovpn_bind *local, gfp_t gfp)
{
	struct ovpn_struct *ovpn = peer->ovpn;
	struct ovpn_bind *bind, *new;
	bool linked;
	int err = 0;

	new = ovpn_bind_alloc(gfp);
	if (unlikely(!new))
		return -ENOMEM;
	new->remote = *sa;

	/* lock order: device, then peer */
	spin_lock_bh(&ovpn->lock);
	spin_lock(&peer->lock);
	bind = rcu_dereference_protected(peer->bind,
					 lockdep_is_held(&peer->lock));
	if (ovpn_sockaddr_eq(&bind->remote, sa) &&
	    (!local || !memcmp(&bind->local, &local->local,
			       sizeof(bind->local)))) {
		/* nothing to change (or another CPU got here first) */
		spin_unlock(&peer->lock);
		spin_unlock_bh(&ovpn->lock);
		ovpn_bind_free(new);
		return 0;
	}
	if (local)
		new->local = local->local;
	else if (bind->remote.in4.sin_family == sa->in4.sin_family)
		new->local = bind->local;
	/* by_transp_addr hashes the binding's address: out of the table
	 * while it changes
	 */
	linked = ovpn->peers && xa_load(&ovpn->peers->by_id, peer->id) == peer;
	if (linked)
		rhashtable_remove_fast(&ovpn->peers->by_transp_addr,
				       &peer->node_transp, ovpn_transp_params);
	rcu_assign_pointer(peer->bind, new);
	if (linked)
		err = rhashtable_insert_fast(&ovpn->peers->by_transp_addr,
					     &peer->node_transp,
					     ovpn_transp_params);
	spin_unlock(&peer->lock);
	spin_unlock_bh(&ovpn->lock);
	/* the peer is still found by id, only a packet without one (rare)
	 * will not find it
	 */
	if (unlikely(err))
		net_warn_ratelimited("%s: peer %u: not found by its new address (%d)\n",
				     netdev_name(ovpn->dev), peer->id, err);

	call_rcu(&bind->rcu, ovpn_bind_free_rcu);
	return 1;
}

/**
 * ovpn_peer_float - follow a peer that authenticated from a new address
 * @peer: a UDP peer
 * @skb: its authentic packet, received on the peer's socket, outer headers
 *	still set
 *
 * Softirq. The new address is used for TX at once and userspace is told.
 * A family that learns the local address (upstream) also takes the one the
 * packet was sent to, silently: replies then leave from the address the
 * peer talks to.
 */
void ovpn_peer_float(struct ovpn_peer *peer, struct sk_buff *skb)
{
	struct ovpn_struct *ovpn = peer->ovpn;
	struct ovpn_bind *bind, local;
	bool same, same_local = true;
	union ovpn_sockaddr sa;
	int ret;

	if (unlikely(!ovpn_sockaddr_from_skb(skb, &sa)))
		return;
	if (!ovpn->fe->learn_local || !ovpn_local_from_skb(skb, &local))
		local.local.ipv6 = in6addr_any;

	rcu_read_lock();
	bind = rcu_dereference(peer->bind);
	same = ovpn_sockaddr_eq(&bind->remote, &sa);
	if (ovpn->fe->learn_local && !ipv6_addr_any(&local.local.ipv6))
		same_local = !memcmp(&bind->local, &local.local,
				     sizeof(bind->local));
	rcu_read_unlock();
	if (likely(same && same_local))
		return;

	/* The receive hook only passes packets that came in on the peer's
	 * socket, so this holds; but TX must never be handed an address its
	 * socket cannot send to (an IPv6 route lookup on an IPv4 socket
	 * dereferences IPv6 state that socket does not have).
	 */
	if (unlikely(!ovpn_udp_sock_reaches(peer->sock->sk,
					    sa.in4.sin_family))) {
		net_dbg_ratelimited("%s: peer %u: not floating to %pISpc, out of its socket's reach\n",
				    netdev_name(ovpn->dev), peer->id, &sa);
		return;
	}

	ret = ovpn_peer_rebind(peer, &sa, same_local ? NULL : &local,
			       GFP_ATOMIC);
	/* a new local address alone is not a float */
	if (ret <= 0 || same)
		return;
	net_info_ratelimited("%s: peer %u floated to %pISpc\n",
			     netdev_name(ovpn->dev), peer->id, &sa);
	ovpn->fe->notify_float(peer, &sa);
}

/**
 * ovpn_peer_keepalive_set - configure keepalive and expiry
 * @peer: the peer
 * @interval: seconds without TX before a keepalive is sent; 0 disables
 * @timeout: seconds without authentic RX before the peer expires; 0
 *	disables
 *
 * Both periods start now.
 */
void ovpn_peer_keepalive_set(struct ovpn_peer *peer, u32 interval,
			     u32 timeout)
{
	spin_lock_bh(&peer->lock);
	WRITE_ONCE(peer->keepalive_interval, interval);
	WRITE_ONCE(peer->keepalive_timeout, timeout);
	WRITE_ONCE(peer->last_recv, jiffies);
	WRITE_ONCE(peer->last_sent, jiffies);
	spin_unlock_bh(&peer->lock);

	ovpn_peer_keepalive_schedule(peer, 0);
}

/* Peers that expire together are removed at a bounded pace: each removal
 * is a DEL_PEER notification, and a daemon's socket holds only so many.
 * OpenVPN asks for 1 MiB (416 KiB granted under the default rmem_max,
 * about 550 notifications) and exits when its socket overruns (libnl
 * reports ENOBUFS as out of memory, which OpenVPN treats as fatal): a
 * server whose clients all fell silent at once must not lose itself too.
 * A burst is notified at once, then expire_rate a second per device: a
 * reader that falls behind that rate loses its socket's headroom in about
 * half a second (2,000 a second overran one such reader on 6.12 in the
 * test guest, 1,000 did not; Documentation/scale.md).
 */
#define OVPN_EXPIRE_BURST	256

static unsigned int ovpn_expire_rate = 1000;
module_param_named(expire_rate, ovpn_expire_rate, uint, 0644);
MODULE_PARM_DESC(expire_rate,
		 "removals of expired peers a device notifies per second after a burst of 256 (default 1000; 0: no limit)");

/* Return: 0 if an expired peer may be removed now, else the jiffies until
 * its turn, which it then keeps
 */
static unsigned long ovpn_peer_expire_wait(struct ovpn_struct *ovpn)
{
	u32 rate = READ_ONCE(ovpn_expire_rate);
	u64 now, gap, tau, due;

	if (!rate)
		return 0;
	gap = div_u64(NSEC_PER_SEC, rate);
	tau = gap * OVPN_EXPIRE_BURST;
	now = ktime_get_ns();

	spin_lock_bh(&ovpn->expire_lock);
	if (ovpn->expire_tat < now)
		ovpn->expire_tat = now;
	due = ovpn->expire_tat > now + tau ? ovpn->expire_tat - tau : now;
	ovpn->expire_tat += gap;
	spin_unlock_bh(&ovpn->expire_lock);

	return due > now ? nsecs_to_jiffies(due - now) + 1 : 0;
}

static void ovpn_peer_keepalive_work(struct work_struct *work)
{
	struct ovpn_peer *peer = container_of(to_delayed_work(work),
					      struct ovpn_peer,
					      keepalive_work);
	unsigned long now = jiffies, deadline, delay = MAX_JIFFY_OFFSET;
	u32 interval = READ_ONCE(peer->keepalive_interval);
	u32 timeout = READ_ONCE(peer->keepalive_timeout);

	if (READ_ONCE(peer->removed) || (!interval && !timeout))
		goto out;

	if (timeout) {
		deadline = READ_ONCE(peer->last_recv) +
			   (unsigned long)timeout * HZ;
		if (time_after_eq(now, deadline)) {
			if (!peer->expire_turn) {
				delay = ovpn_peer_expire_wait(peer->ovpn);
				if (delay) {
					peer->expire_turn = true;
					ovpn_peer_keepalive_schedule(peer,
								     delay);
					goto out;
				}
			}
			netdev_dbg(peer->ovpn->dev,
				   "peer %u expired after %u s without traffic\n",
				   peer->id, timeout);
			ovpn_peer_del(peer, OVPN_DEL_PEER_REASON_EXPIRED);
			goto out;
		}
		/* traffic came back while it waited for its turn */
		peer->expire_turn = false;
		delay = deadline - now;
	}

	if (interval) {
		deadline = READ_ONCE(peer->last_sent) +
			   (unsigned long)interval * HZ;
		if (time_after_eq(now, deadline)) {
			ovpn_xmit_keepalive(peer);
			deadline = now + (unsigned long)interval * HZ;
		}
		delay = min(delay, deadline - now);
	}

	ovpn_peer_keepalive_schedule(peer, delay);
out:
	ovpn_peer_put(peer);
}
