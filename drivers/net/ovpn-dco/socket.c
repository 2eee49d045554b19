// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: transport sockets handed in by userspace
 *
 * Userspace passes a file descriptor; we take our own reference to its file
 * (userspace may close it or exit) and hook the socket's receive path. A
 * family whose peers follow their socket (upstream ovpn) lets the file go
 * once the peer is set up and keeps only the sock: closing the descriptor
 * then closes the socket, and the transport's close hook removes the peers
 * (udp.c, tcp.c). Every
 * peer using the socket holds one reference on our wrapper; the last one
 * unhooks the socket at once, and the file and the device are let go by an
 * RCU callback, when no receive path can still be using the wrapper.
 */

#include <linux/file.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/udp.h>

#include "ovpn.h"
#include "socket.h"
#include "tcp.h"
#include "udp.h"

/* serialises attach against the last put of the same socket */
static DEFINE_MUTEX(ovpn_socket_mutex);

/* an RCU callback (softirq): fput() defers the file's release itself */
static void ovpn_socket_free_rcu(struct rcu_head *head)
{
	struct ovpn_socket *ovpn_sock;

	ovpn_sock = container_of(head, struct ovpn_socket, rcu);
	/* NULL if ovpn_socket_drop_file() let the file go */
	if (ovpn_sock->sock)
		sockfd_put(ovpn_sock->sock);
	sock_put(ovpn_sock->sk);
	netdev_put(ovpn_sock->ovpn->dev, &ovpn_sock->dev_tracker);
	kfree(ovpn_sock);
}

/* called with ovpn_socket_mutex held by kref_put_mutex() */
static void ovpn_socket_release(struct kref *kref)
{
	struct ovpn_socket *ovpn_sock;

	ovpn_sock = container_of(kref, struct ovpn_socket, refcount);
	if (ovpn_sock->tcp)
		ovpn_tcp_socket_detach(ovpn_sock);
	else
		ovpn_udp_socket_detach(ovpn_sock->sk);
	mutex_unlock(&ovpn_socket_mutex);

	/* nothing left needs process context: no workqueue hop between the
	 * grace period and the device's last reference from us
	 */
	call_rcu(&ovpn_sock->rcu, ovpn_socket_free_rcu);
}

/**
 * ovpn_socket_put - drop a peer's reference; may sleep
 * @ovpn_sock: the socket
 */
void ovpn_socket_put(struct ovpn_socket *ovpn_sock)
{
	kref_put_mutex(&ovpn_sock->refcount, ovpn_socket_release,
		       &ovpn_socket_mutex);
}

/**
 * ovpn_socket_drop_file - keep the sock only, not userspace's file
 * @ovpn_sock: the socket, with a peer set up on it; process context
 *
 * From now on the socket lives as long as userspace keeps a descriptor of
 * it; when it closes, the transport's close hook removes the peers on it.
 */
void ovpn_socket_drop_file(struct ovpn_socket *ovpn_sock)
{
	struct socket *sock = NULL;

	mutex_lock(&ovpn_socket_mutex);
	if (ovpn_sock->file_held) {
		ovpn_sock->file_held = false;
		sock = ovpn_sock->sock;
		ovpn_sock->sock = NULL;
	}
	mutex_unlock(&ovpn_socket_mutex);
	if (sock)
		sockfd_put(sock);
}

bool ovpn_sk_has_user_data(struct sock *sk)
{
	bool ret;

	rcu_read_lock();
	ret = rcu_dereference_sk_user_data(sk);
	rcu_read_unlock();
	return ret;
}

/**
 * ovpn_socket_supported - whether a socket can carry peers
 * @sk: the socket
 *
 * Check this before reading anything of @sk as an inet socket.
 *
 * Return: true for a UDP or TCP socket over IPv4 or IPv6.
 */
bool ovpn_socket_supported(const struct sock *sk)
{
	return sk && (sk->sk_family == AF_INET || sk->sk_family == AF_INET6) &&
	       ((sk->sk_protocol == IPPROTO_UDP && sk->sk_type == SOCK_DGRAM) ||
		(sk->sk_protocol == IPPROTO_TCP && sk->sk_type == SOCK_STREAM));
}

/**
 * ovpn_socket_attach - take a userspace socket for a device
 * @sock: from sockfd_lookup(); the file reference moves to the result on
 *	success and is dropped on failure
 * @ovpn: the device
 * @extack: for the reason of a refusal
 *
 * A UDP socket already serving this device is shared; one serving another
 * device or another kernel user is refused with -EBUSY. A TCP socket carries
 * one peer: ovpn_tcp_socket_attach() takes it over once the peer exists.
 *
 * Return: the socket with a reference for the caller, or an ERR_PTR.
 */
struct ovpn_socket *ovpn_socket_attach(struct socket *sock,
				       struct ovpn_struct *ovpn,
				       struct netlink_ext_ack *extack)
{
	struct ovpn_socket *ovpn_sock;
	struct sock *sk = sock->sk;
	int ret;

	if (!ovpn_socket_supported(sk)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "only UDP or TCP sockets over IPv4/IPv6 are supported");
		ret = -EOPNOTSUPP;
		goto err_put;
	}

	if (sk->sk_protocol == IPPROTO_TCP) {
		if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED) {
			NL_SET_ERR_MSG_MOD(extack,
					   "the TCP socket is not connected");
			ret = -ENOTCONN;
			goto err_put;
		}
		if (ovpn_sk_has_user_data(sk)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "the TCP socket is already used by a peer or another kernel user");
			ret = -EBUSY;
			goto err_put;
		}
		ovpn_sock = kzalloc(sizeof(*ovpn_sock), GFP_KERNEL);
		if (!ovpn_sock) {
			ret = -ENOMEM;
			goto err_put;
		}
		ovpn_sock->ovpn = ovpn;
		ovpn_sock->sock = sock;
		ovpn_sock->sk = sk;
		sock_hold(sk);
		ovpn_sock->file_held = true;
		ovpn_sock->tcp = true;
		kref_init(&ovpn_sock->refcount);
		netdev_hold(ovpn->dev, &ovpn_sock->dev_tracker, GFP_KERNEL);
		return ovpn_sock;
	}

	mutex_lock(&ovpn_socket_mutex);
	if (ovpn_udp_socket_is_ours(sk)) {
		rcu_read_lock();
		ovpn_sock = rcu_dereference_sk_user_data(sk);
		rcu_read_unlock();
		if (ovpn_sock->ovpn != ovpn) {
			mutex_unlock(&ovpn_socket_mutex);
			NL_SET_ERR_MSG_MOD(extack,
					   "the socket is used by another device of this module");
			ret = -EBUSY;
			goto err_put;
		}
		/* the count only reaches zero under the mutex */
		kref_get(&ovpn_sock->refcount);
		mutex_unlock(&ovpn_socket_mutex);
		/* our wrapper holds the socket already (and its file, unless
		 * its peers follow their socket)
		 */
		sockfd_put(sock);
		return ovpn_sock;
	}

	if (ovpn_sk_has_user_data(sk) || udp_sk(sk)->encap_type) {
		mutex_unlock(&ovpn_socket_mutex);
		NL_SET_ERR_MSG_MOD(extack,
				   "the socket is already used by another kernel user");
		ret = -EBUSY;
		goto err_put;
	}

	ovpn_sock = kzalloc(sizeof(*ovpn_sock), GFP_KERNEL);
	if (!ovpn_sock) {
		mutex_unlock(&ovpn_socket_mutex);
		ret = -ENOMEM;
		goto err_put;
	}
	ovpn_sock->ovpn = ovpn;
	ovpn_sock->sock = sock;
	ovpn_sock->sk = sk;
	sock_hold(sk);
	ovpn_sock->file_held = true;
	kref_init(&ovpn_sock->refcount);
	netdev_hold(ovpn->dev, &ovpn_sock->dev_tracker, GFP_KERNEL);
	ovpn_udp_socket_attach(sock, ovpn_sock);
	mutex_unlock(&ovpn_socket_mutex);
	return ovpn_sock;

err_put:
	sockfd_put(sock);
	return ERR_PTR(ret);
}
