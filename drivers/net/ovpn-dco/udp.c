// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: UDP transport
 *
 * The userspace socket's encapsulation hook sees every datagram first: data
 * packets (P_DATA_V2) are taken into the kernel, anything else is left on the
 * socket for userspace (the control channel).
 */

#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/dst_cache.h>
#include <net/ip6_route.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "frontend.h"
#include "io.h"
#include "ovpn.h"
#include "peer.h"
#include "socket.h"
#include "udp.h"

/* private encapsulation type: any non-zero value enables the hook */
#define OVPN_UDP_ENCAP_TYPE	100

/**
 * ovpn_udp_encap_recv - the socket's receive hook (softirq, RCU held)
 * @sk: the socket
 * @skb: the datagram, data at the UDP header, checksum verified
 *
 * Return: 0 if the datagram was consumed, > 0 to leave it to the socket.
 */
static int ovpn_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct ovpn_socket *ovpn_sock;
	struct ovpn_peer *peer;
	struct ovpn_struct *ovpn;
	u8 first, *hdr;
	u32 peer_id;

	ovpn_sock = rcu_dereference_sk_user_data(sk);
	if (unlikely(!ovpn_sock))
		return 1;
	ovpn = ovpn_sock->ovpn;

	/* anything but a data packet is the control channel's */
	if (skb_copy_bits(skb, sizeof(struct udphdr), &first, 1) ||
	    ovpn_opcode_from_byte(first) != OVPN_OP_DATA_V2)
		return 1;

	if (unlikely(!pskb_may_pull(skb, sizeof(struct udphdr) +
					 OVPN_DATA_HDR_LEN))) {
		net_dbg_ratelimited("%s: truncated data packet\n",
				    netdev_name(ovpn->dev));
		goto drop;
	}

	hdr = skb->data + sizeof(struct udphdr);
	peer_id = ovpn_get_be24(hdr + 1);
	if (peer_id == OVPN_PEER_ID_UNDEF)
		peer = ovpn_peer_get_by_transp_addr(ovpn, ovpn_sock, skb);
	else
		peer = ovpn_peer_get_by_id(ovpn, peer_id);
	if (unlikely(!peer)) {
		net_dbg_ratelimited("%s: data packet for unknown peer %u\n",
				    netdev_name(ovpn->dev), peer_id);
		goto drop;
	}

	/* Peer ids are per device, sockets are not: a packet is taken only
	 * on its peer's own socket. Elsewhere it would float the peer to an
	 * address only another socket can reach (of another family even),
	 * while the peer's packets keep leaving through its own socket; and
	 * a TCP peer's packets come only through its stream.
	 */
	if (unlikely(ovpn_peer_is_tcp(peer))) {
		net_dbg_ratelimited("%s: UDP data packet for TCP peer %u\n",
				    netdev_name(ovpn->dev), peer->id);
		goto drop_peer;
	}
	if (unlikely(peer->sock != ovpn_sock)) {
		net_dbg_ratelimited("%s: data packet for peer %u on a socket not its own\n",
				    netdev_name(ovpn->dev), peer->id);
		goto drop_peer;
	}

	__skb_pull(skb, sizeof(struct udphdr));
	ovpn_recv(peer, skb);
	return 0;

drop_peer:
	ovpn_peer_put(peer);
drop:
	dev_core_stats_rx_dropped_inc(ovpn->dev);
	kfree_skb(skb);
	return 0;
}

/**
 * ovpn_udp_sock_reaches - can a UDP socket send to an address family
 * @sk: the socket
 * @family: AF_INET or AF_INET6, as a binding stores it
 *
 * An IPv4 socket reaches IPv4 only. An IPv6 socket reaches IPv6, and IPv4
 * if it is dual-stack: not IPV6_V6ONLY, bound to the any-address or to a
 * v4-mapped one. Bindings store an IPv4 address as AF_INET even on an IPv6
 * socket: that is how such a socket's IPv4 packets arrive (an IPv4 header)
 * and how TX sends to them (the IPv4 route lookup).
 *
 * Return: true if TX may send to an address of @family through @sk.
 */
bool ovpn_udp_sock_reaches(const struct sock *sk, sa_family_t family)
{
	switch (family) {
	case AF_INET:
		if (sk->sk_family == AF_INET)
			return true;
#if IS_ENABLED(CONFIG_IPV6)
		return sk->sk_family == AF_INET6 && !ipv6_only_sock(sk) &&
		       (ipv6_addr_any(&sk->sk_v6_rcv_saddr) ||
			ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr));
#else
		return false;
#endif
	case AF_INET6:
		return IS_ENABLED(CONFIG_IPV6) && sk->sk_family == AF_INET6;
	}
	return false;
}

bool ovpn_udp_socket_is_ours(struct sock *sk)
{
	return READ_ONCE(udp_sk(sk)->encap_rcv) == ovpn_udp_encap_recv;
}

/* The socket is closing, with its peers: only a socket whose peers follow
 * it (the module does not hold its file) can close while attached.
 * Process context, in the socket's destructor.
 */
static void ovpn_udp_encap_destroy(struct sock *sk)
{
	struct ovpn_socket *ovpn_sock;

	rcu_read_lock();
	ovpn_sock = rcu_dereference_sk_user_data(sk);
	if (ovpn_sock)
		ovpn_peers_del_sock(ovpn_sock->ovpn, ovpn_sock,
				    OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT);
	rcu_read_unlock();
}

/* process context, under ovpn_socket_mutex */
void ovpn_udp_socket_attach(struct socket *sock, struct ovpn_socket *ovpn_sock)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = ovpn_sock,
		.encap_type = OVPN_UDP_ENCAP_TYPE,
		.encap_rcv = ovpn_udp_encap_recv,
		.encap_destroy = ovpn_udp_encap_destroy,
	};

	setup_udp_tunnel_sock(sock_net(sock->sk), sock, &cfg);
}

/* Process context, under ovpn_socket_mutex. The socket goes back to plain
 * userspace use; the hook's users still running hold RCU, and our wrapper is
 * freed only after a grace period.
 */
void ovpn_udp_socket_detach(struct sock *sk)
{
	lock_sock(sk);
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	rcu_assign_sk_user_data(sk, NULL);
	inet_dec_convert_csum(sk);
	release_sock(sk);
}

/* what is left for an inner packet under a path MTU of @mtu */
static void ovpn_udp_path_mtu(struct ovpn_peer *peer, unsigned int mtu,
			      unsigned int iphdr_len)
{
	unsigned int overhead = iphdr_len + sizeof(struct udphdr) +
				OVPN_DATA_HDR_LEN;
	u16 inner = mtu > overhead ? min(mtu - overhead, 0xffffU) : 0;

	if (unlikely(READ_ONCE(peer->path_mtu) != inner))
		WRITE_ONCE(peer->path_mtu, inner);
}

/* the route to the peer, from the binding's cache or looked up (BH
 * disabled, @bind held under RCU)
 */
static struct rtable *ovpn_udp4_route(struct ovpn_peer *peer,
				      struct ovpn_bind *bind, struct sock *sk,
				      struct flowi4 *fl)
{
	struct rtable *rt;

	*fl = (struct flowi4) {
		.saddr = bind->local.ipv4.s_addr,
		.daddr = bind->remote.in4.sin_addr.s_addr,
		.fl4_sport = inet_sk(sk)->inet_sport,
		.fl4_dport = bind->remote.in4.sin_port,
		.flowi4_proto = IPPROTO_UDP,
		.flowi4_mark = sk->sk_mark,
		.flowi4_oif = sk->sk_bound_dev_if,
	};

	rt = dst_cache_get_ip4(&bind->dst_cache, &fl->saddr);
	if (rt)
		goto out;

	rt = ip_route_output_flow(sock_net(sk), fl, sk);
	if (IS_ERR(rt) && fl->saddr && peer->ovpn->fe->learn_local) {
		/* a learnt local address that is gone (ENETUNREACH on 6.1):
		 * routing chooses, and the next packet from the peer teaches
		 * the new one
		 */
		fl->saddr = 0;
		rt = ip_route_output_flow(sock_net(sk), fl, sk);
	}
	if (IS_ERR(rt)) {
		net_dbg_ratelimited("%s: no route to %pI4\n",
				    netdev_name(peer->ovpn->dev), &fl->daddr);
		return rt;
	}
	if (unlikely(rt->dst.dev == peer->ovpn->dev)) {
		/* the peer is routed through the tunnel itself */
		ip_rt_put(rt);
		net_dbg_ratelimited("%s: routing loop to %pI4\n",
				    netdev_name(peer->ovpn->dev), &fl->daddr);
		return ERR_PTR(-ELOOP);
	}
	dst_cache_set_ip4(&bind->dst_cache, &rt->dst, fl->saddr);
out:
	ovpn_udp_path_mtu(peer, dst_mtu(&rt->dst), sizeof(struct iphdr));
	return rt;
}

static int ovpn_udp4_output(struct ovpn_peer *peer, struct ovpn_bind *bind,
			    struct sock *sk, struct sk_buff *skb)
{
	struct rtable *rt;
	struct flowi4 fl;

	rt = ovpn_udp4_route(peer, bind, sk, &fl);
	if (IS_ERR(rt))
		return PTR_ERR(rt);

	udp_tunnel_xmit_skb(rt, sk, skb, fl.saddr, fl.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, fl.fl4_sport,
			    fl.fl4_dport, false, sk->sk_no_check_tx);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
static struct dst_entry *ovpn_udp6_route(struct ovpn_peer *peer,
					 struct ovpn_bind *bind,
					 struct sock *sk, struct flowi6 *fl)
{
	struct dst_entry *dst;

	/* The IPv6 route lookup reads the socket's IPv6 state, which an IPv4
	 * socket does not have. Neither NEW_PEER nor a float makes such a
	 * binding; should one slip through, drop rather than crash.
	 */
	if (unlikely(sk->sk_family != AF_INET6)) {
		net_dbg_ratelimited("%s: peer %u: IPv6 remote %pI6c on an IPv4 socket\n",
				    netdev_name(peer->ovpn->dev), peer->id,
				    &bind->remote.in6.sin6_addr);
		return ERR_PTR(-EAFNOSUPPORT);
	}

	*fl = (struct flowi6) {
		.saddr = bind->local.ipv6,
		.daddr = bind->remote.in6.sin6_addr,
		.fl6_sport = inet_sk(sk)->inet_sport,
		.fl6_dport = bind->remote.in6.sin6_port,
		.flowi6_proto = IPPROTO_UDP,
		.flowi6_mark = sk->sk_mark,
		.flowi6_oif = bind->remote.in6.sin6_scope_id ?:
			      sk->sk_bound_dev_if,
	};

	dst = dst_cache_get_ip6(&bind->dst_cache, &fl->saddr);
	if (dst)
		goto out;

	/* a learnt local address that is gone: routing chooses */
	if (peer->ovpn->fe->learn_local && !ipv6_addr_any(&fl->saddr) &&
	    !ipv6_chk_addr(sock_net(sk), &fl->saddr, NULL, 0))
		fl->saddr = in6addr_any;

	dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk, fl, NULL);
	if (IS_ERR(dst)) {
		net_dbg_ratelimited("%s: no route to %pI6c\n",
				    netdev_name(peer->ovpn->dev), &fl->daddr);
		return dst;
	}
	if (unlikely(dst->dev == peer->ovpn->dev)) {
		dst_release(dst);
		net_dbg_ratelimited("%s: routing loop to %pI6c\n",
				    netdev_name(peer->ovpn->dev), &fl->daddr);
		return ERR_PTR(-ELOOP);
	}
	dst_cache_set_ip6(&bind->dst_cache, dst, &fl->saddr);
out:
	ovpn_udp_path_mtu(peer, dst_mtu(dst), sizeof(struct ipv6hdr));
	return dst;
}

static int ovpn_udp6_output(struct ovpn_peer *peer, struct ovpn_bind *bind,
			    struct sock *sk, struct sk_buff *skb)
{
	struct dst_entry *dst;
	struct flowi6 fl;

	dst = ovpn_udp6_route(peer, bind, sk, &fl);
	if (IS_ERR(dst))
		return PTR_ERR(dst);

	/* a full-size packet may exceed the path MTU: fragment locally */
	skb->ignore_df = 1;
	udp_tunnel6_xmit_skb(dst, sk, skb, skb->dev, &fl.saddr, &fl.daddr, 0,
			     ip6_dst_hoplimit(dst), 0, fl.fl6_sport,
			     fl.fl6_dport, udp_get_no_check6_tx(sk));
	return 0;
}
#endif

/**
 * ovpn_udp_peer_route - look up (and cache) the route to a new UDP peer
 * @peer: the peer, its bind set
 *
 * Process context. Learns the path MTU before the first data packet, so
 * that the first TCP connection through the tunnel gets its MSS clamped.
 */
void ovpn_udp_peer_route(struct ovpn_peer *peer)
{
	struct sock *sk = peer->sock->sk;
	struct ovpn_bind *bind;

	local_bh_disable();
	rcu_read_lock();
	bind = rcu_dereference(peer->bind);
	if (!bind)
		goto out;

	switch (bind->remote.in4.sin_family) {
	case AF_INET: {
		struct rtable *rt;
		struct flowi4 fl;

		rt = ovpn_udp4_route(peer, bind, sk, &fl);
		if (!IS_ERR(rt))
			ip_rt_put(rt);
		break;
	}
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6: {
		struct dst_entry *dst;
		struct flowi6 fl;

		dst = ovpn_udp6_route(peer, bind, sk, &fl);
		if (!IS_ERR(dst))
			dst_release(dst);
		break;
	}
#endif
	}
out:
	rcu_read_unlock();
	local_bh_enable();
}

/**
 * ovpn_udp_send_skb - send an encrypted packet to a peer (BH disabled)
 * @peer: the peer
 * @skb: the packet, data at our header; consumed
 */
void ovpn_udp_send_skb(struct ovpn_peer *peer, struct sk_buff *skb)
{
	struct sock *sk = peer->sock->sk;
	struct ovpn_bind *bind;
	int ret = -EAFNOSUPPORT;

	skb->ip_summed = CHECKSUM_NONE;
	skb->dev = peer->ovpn->dev;

	rcu_read_lock();
	bind = rcu_dereference(peer->bind);
	if (unlikely(!bind)) {
		ret = -ENOTCONN;
		goto out;
	}

	switch (bind->remote.in4.sin_family) {
	case AF_INET:
		ret = ovpn_udp4_output(peer, bind, sk, skb);
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		ret = ovpn_udp6_output(peer, bind, sk, skb);
		break;
#endif
	}
out:
	rcu_read_unlock();
	if (unlikely(ret)) {
		dev_core_stats_tx_dropped_inc(peer->ovpn->dev);
		kfree_skb(skb);
	}
}
