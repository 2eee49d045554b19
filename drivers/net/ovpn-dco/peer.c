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

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "io.h"
#include "netlink.h"
#include "ovpn.h"
#include "peer.h"
#include "socket.h"

static void ovpn_peer_free_work(struct work_struct *work)
{
	struct ovpn_peer *peer;

	peer = container_of(to_rcu_work(work), struct ovpn_peer, rwork);

	ovpn_crypto_state_release(&peer->crypto);
	dst_cache_destroy(&peer->dst_cache);
	/* past a grace period and unreachable: no reader is left */
	kfree(rcu_dereference_protected(peer->bind, true));
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
	int ret;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);

	bind = kzalloc(sizeof(*bind), GFP_KERNEL);
	if (!bind) {
		ret = -ENOMEM;
		goto err_peer;
	}
	bind->remote = cfg->remote;
	if (cfg->remote.in4.sin_family == AF_INET)
		bind->local.ipv4 = cfg->local.ipv4;
	else
		bind->local.ipv6 = cfg->local.ipv6;

	ret = dst_cache_init(&peer->dst_cache, GFP_KERNEL);
	if (ret)
		goto err_bind;

	peer->ovpn = ovpn;
	peer->id = cfg->id;
	peer->vpn_ipv4 = cfg->vpn_ipv4;
	peer->vpn_ipv6 = cfg->vpn_ipv6;
	RCU_INIT_POINTER(peer->bind, bind);
	ovpn_crypto_state_init(&peer->crypto);
	spin_lock_init(&peer->lock);
	peer->last_recv = jiffies;
	peer->last_sent = jiffies;
	INIT_DELAYED_WORK(&peer->keepalive_work, ovpn_peer_keepalive_work);
	kref_init(&peer->refcount);
	peer->sock = sock;
	netdev_hold(ovpn->dev, &peer->dev_tracker, GFP_KERNEL);
	return peer;

err_bind:
	kfree(bind);
err_peer:
	kfree(peer);
	return ERR_PTR(ret);
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
	peer->removed = true;
	spin_unlock_bh(&peer->lock);

	/* a running instance sees @removed and does not rearm */
	if (cancel_delayed_work(&peer->keepalive_work))
		ovpn_peer_put(peer);
}

/* after removal from the device: what happens to every removed peer */
static void ovpn_peer_removed(struct ovpn_peer *peer,
			      enum ovpn_del_peer_reason reason)
{
	ovpn_peer_keepalive_stop(peer);
	ovpn_nl_notify_del_peer(peer, reason);
	/* the device's reference */
	ovpn_peer_put(peer);
}

/**
 * ovpn_peer_add - link a new peer to its device
 * @ovpn: the device
 * @peer: the peer; its reference becomes the device's on success
 * @extack: for the reason of a refusal
 *
 * In P2P mode a peer already there is replaced (OpenVPN relies on it) and
 * userspace is told it was removed.
 *
 * Return: 0 or a negative errno.
 */
int ovpn_peer_add(struct ovpn_struct *ovpn, struct ovpn_peer *peer,
		  struct netlink_ext_ack *extack)
{
	struct ovpn_peer *old;

	spin_lock_bh(&ovpn->lock);
	if (ovpn->dead) {
		spin_unlock_bh(&ovpn->lock);
		NL_SET_ERR_MSG_MOD(extack, "the device is being deleted");
		return -ENODEV;
	}
	old = rcu_replace_pointer(ovpn->peer, peer,
				  lockdep_is_held(&ovpn->lock));
	spin_unlock_bh(&ovpn->lock);

	if (old)
		ovpn_peer_removed(old, OVPN_DEL_PEER_REASON_USERSPACE);
	return 0;
}

/**
 * ovpn_peer_del - remove a peer from its device
 * @peer: the peer; the caller holds a reference
 * @reason: told to userspace
 *
 * Return: 0, or -ENOENT if it was already removed.
 */
int ovpn_peer_del(struct ovpn_peer *peer, enum ovpn_del_peer_reason reason)
{
	struct ovpn_struct *ovpn = peer->ovpn;

	spin_lock_bh(&ovpn->lock);
	if (rcu_access_pointer(ovpn->peer) != peer) {
		spin_unlock_bh(&ovpn->lock);
		return -ENOENT;
	}
	RCU_INIT_POINTER(ovpn->peer, NULL);
	spin_unlock_bh(&ovpn->lock);

	ovpn_peer_removed(peer, reason);
	return 0;
}

/**
 * ovpn_peers_free - remove every peer and refuse new ones
 * @ovpn: the device, going away
 * @reason: told to userspace
 */
void ovpn_peers_free(struct ovpn_struct *ovpn,
		     enum ovpn_del_peer_reason reason)
{
	struct ovpn_peer *peer;

	spin_lock_bh(&ovpn->lock);
	ovpn->dead = true;
	peer = rcu_replace_pointer(ovpn->peer, NULL,
				   lockdep_is_held(&ovpn->lock));
	spin_unlock_bh(&ovpn->lock);

	if (peer)
		ovpn_peer_removed(peer, reason);
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
	struct ovpn_peer *peer;

	rcu_read_lock();
	peer = rcu_dereference(ovpn->peer);
	if (peer && (peer->id != id || !ovpn_peer_hold(peer)))
		peer = NULL;
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
 * ovpn_peer_get_for_xmit - the peer a packet leaving the device goes to
 * @ovpn: the device
 * @skb: the packet
 *
 * Return: the held peer, or NULL.
 */
struct ovpn_peer *ovpn_peer_get_for_xmit(struct ovpn_struct *ovpn,
					 struct sk_buff *skb)
{
	return ovpn_peer_get_first(ovpn);
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
			netdev_dbg(peer->ovpn->dev,
				   "peer %u expired after %u s without traffic\n",
				   peer->id, timeout);
			ovpn_peer_del(peer, OVPN_DEL_PEER_REASON_EXPIRED);
			goto out;
		}
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
