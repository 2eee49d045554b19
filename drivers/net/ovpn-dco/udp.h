/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: UDP transport
 */

#ifndef _OVPN_DCO_UDP_H_
#define _OVPN_DCO_UDP_H_

#include <linux/skbuff.h>
#include <net/sock.h>

struct ovpn_peer;
struct ovpn_socket;

void ovpn_udp_socket_attach(struct socket *sock, struct ovpn_socket *ovpn_sock);
void ovpn_udp_socket_detach(struct sock *sk);
bool ovpn_udp_socket_is_ours(struct sock *sk);
bool ovpn_udp_sock_reaches(const struct sock *sk, sa_family_t family);
void ovpn_udp_send_skb(struct ovpn_peer *peer, struct sk_buff *skb);
void ovpn_udp_peer_route(struct ovpn_peer *peer);

#endif /* _OVPN_DCO_UDP_H_ */
