/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: generic netlink interface
 */

#ifndef _OVPN_DCO_NETLINK_H_
#define _OVPN_DCO_NETLINK_H_

#include <linux/gfp.h>
#include <linux/ovpn_dco.h>

struct ovpn_peer;
union ovpn_sockaddr;

int ovpn_nl_register(void);
void ovpn_nl_unregister(void);
int ovpn_nl_notify_del_peer(struct ovpn_peer *peer,
			    enum ovpn_del_peer_reason reason, gfp_t gfp);
void ovpn_nl_notify_swap_keys_needed(struct ovpn_peer *peer, u8 key_id);
void ovpn_nl_notify_float_peer(struct ovpn_peer *peer,
			       const union ovpn_sockaddr *sa);

#endif /* _OVPN_DCO_NETLINK_H_ */
