/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: transport sockets handed in by userspace
 */

#ifndef _OVPN_DCO_SOCKET_H_
#define _OVPN_DCO_SOCKET_H_

#include <linux/kref.h>
#include <linux/netdevice.h>
#include <linux/net.h>
#include <linux/rcupdate.h>

struct ovpn_peer;
struct sock;
struct ovpn_struct;

/**
 * struct ovpn_socket - our hold on a userspace socket
 * @ovpn: the device whose peers use the socket (constant; a device
 *	reference is held through @dev_tracker)
 * @sock: the socket while we hold its file; NULL once ovpn_socket_drop_file()
 *	let it go (ovpn_socket_mutex)
 * @sk: the socket's sock, held from attach to the RCU callback after
 *	release (constant)
 * @file_held: we hold @sock's file (ovpn_socket_mutex); without it, closing
 *	the last descriptor closes the socket, and its peers go with it
 * @tcp: a TCP socket, carrying exactly one peer (constant)
 * @peer: TCP: the peer the stream carries, set while taken over (socket
 *	lock)
 * @refcount: one per peer using the socket; the transition to zero happens
 *	under ovpn_socket_mutex, so attach never sees a dying socket
 * @rcu: drops the file and the device after an RCU grace period
 * @dev_tracker: tracks our reference on @ovpn's net device
 *
 * While attached, the socket's sk_user_data points here (RCU): the receive
 * path finds the device through it.
 */
struct ovpn_socket {
	struct ovpn_struct *ovpn;
	struct socket *sock;
	struct sock *sk;
	bool file_held;
	bool tcp;
	struct ovpn_peer *peer;
	struct kref refcount;
	struct rcu_head rcu;
	netdevice_tracker dev_tracker;
};

struct ovpn_socket *ovpn_socket_attach(struct socket *sock,
				       struct ovpn_struct *ovpn,
				       struct netlink_ext_ack *extack);
void ovpn_socket_put(struct ovpn_socket *ovpn_sock);
void ovpn_socket_drop_file(struct ovpn_socket *ovpn_sock);
bool ovpn_sk_has_user_data(struct sock *sk);
bool ovpn_socket_supported(const struct sock *sk);

#endif /* _OVPN_DCO_SOCKET_H_ */
