/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: generic netlink interface
 */

#ifndef _OVPN_DCO_NETLINK_H_
#define _OVPN_DCO_NETLINK_H_

#include <linux/ovpn_dco.h>

struct ovpn_peer;

int ovpn_nl_register(void);
void ovpn_nl_unregister(void);
void ovpn_nl_notify_del_peer(struct ovpn_peer *peer,
			     enum ovpn_del_peer_reason reason);

#endif /* _OVPN_DCO_NETLINK_H_ */
