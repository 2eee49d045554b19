/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: what each netlink family decides over the one core
 *
 * A device belongs to the family of the rtnetlink kind it was created with:
 * "ovpn-dco" to ovpn-dco-v2 (OpenVPN 2.6, netlink.c), "ovpn" to the upstream
 * family (OpenVPN 2.7, netlink-ovpn.c). Peers, keys, sockets and the packet
 * path are the core's; where the families' semantics differ, the core asks
 * the device's front-end through this table.
 */

#ifndef _OVPN_DCO_FRONTEND_H_
#define _OVPN_DCO_FRONTEND_H_

#include <linux/gfp.h>
#include <linux/types.h>
#include <linux/ovpn_dco.h>

struct ovpn_peer;
union ovpn_sockaddr;

/**
 * struct ovpn_frontend - a netlink family's choices (constant)
 * @family: the generic netlink family's name, for messages
 * @other_family_msg: why a request of the other family is refused for a
 *	device of this one (an extack message: a string literal)
 * @default_mtu: MTU of a new device
 * @p2p_replace_reason: what userspace is told of the peer a new one
 *	replaces on a P2P device
 * @p2p_carrier: a P2P device's carrier is off while it has no peer
 * @learn_local: a UDP peer's local address follows the destination of
 *	its authentic packets (else it stays what PEER_NEW gave)
 * @sock_follows_fd: a peer's socket lives as long as userspace keeps a
 *	descriptor of it, and closing it removes the peer
 *	(TRANSPORT_DISCONNECT); else the module holds the socket's file until
 *	the peer goes
 * @notify_del_peer: a peer was removed; returns 0, -ENOMEM (not sent) or
 *	-ENOBUFS (a listener overran)
 * @notify_swap_keys: a key is running out of packet ids (any context)
 * @notify_float: a UDP peer authenticated from a new address (any context)
 */
struct ovpn_frontend {
	const char *family;
	const char *other_family_msg;
	unsigned int default_mtu;
	enum ovpn_del_peer_reason p2p_replace_reason;
	bool p2p_carrier;
	bool learn_local;
	bool sock_follows_fd;
	int (*notify_del_peer)(struct ovpn_peer *peer,
			       enum ovpn_del_peer_reason reason, gfp_t gfp);
	void (*notify_swap_keys)(struct ovpn_peer *peer, u8 key_id);
	void (*notify_float)(struct ovpn_peer *peer,
			     const union ovpn_sockaddr *sa);
};

extern const struct ovpn_frontend ovpn_frontend_dco;
extern const struct ovpn_frontend ovpn_frontend_ovpn;

#endif /* _OVPN_DCO_FRONTEND_H_ */
