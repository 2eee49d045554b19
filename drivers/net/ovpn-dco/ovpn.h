/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: OpenVPN data channel offload - the device
 */

#ifndef _OVPN_DCO_OVPN_H_
#define _OVPN_DCO_OVPN_H_

#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/gro_cells.h>
#include <linux/ovpn_dco.h>

struct ovpn_peer;

/**
 * struct ovpn_struct - private data of an ovpn-dco device
 * @dev: the net device (constant)
 * @mode: P2P or MP (constant after creation)
 * @lock: serialises changes of @peer and @dead
 * @peer: the peer of a P2P device; written under @lock, read under RCU
 * @dead: the device is being unregistered: no peer may be added (under
 *	@lock)
 * @gro_cells: receive path into GRO; set up in ndo_init, torn down in
 *	ndo_uninit
 */
struct ovpn_struct {
	struct net_device *dev;
	enum ovpn_mode mode;
	spinlock_t lock; /* protects @peer updates */
	struct ovpn_peer __rcu *peer;
	bool dead;
	struct gro_cells gro_cells;
};

/* the module's workqueue: peer keepalive and deferred releases */
extern struct workqueue_struct *ovpn_wq;

bool ovpn_dev_is_valid(const struct net_device *dev);

#endif /* _OVPN_DCO_OVPN_H_ */
