/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: TCP transport
 */

#ifndef _OVPN_DCO_TCP_H_
#define _OVPN_DCO_TCP_H_

#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/strparser.h>

struct ovpn_peer;
struct ovpn_socket;

/* frames queued for the stream, kernel and userspace together */
#define OVPN_TCP_OUT_QUEUE_MAX	1024
/* frames one run of the TX work sends before it requeues itself */
#define OVPN_TCP_TX_BUDGET	64
/* data frames of one peer parked in its receive queue, not decrypted yet:
 * at the high mark the parser pauses (TCP's window then closes on the
 * remote), at the low mark it resumes
 */
#define OVPN_TCP_RX_PARKED_HIGH	128
#define OVPN_TCP_RX_PARKED_LOW	32

/**
 * struct ovpn_peer_tcp - a TCP peer's stream state
 * @strp: parses the incoming stream into packets (socket lock)
 * @user_queue: non-data packets, with their length prefix, for userspace
 *	recv() (queue lock); after the peer's removal, every frame parsed
 * @user_bytes: memory held by @user_queue, the sum of what each of its
 *	packets was charged when queued (atomic); past the socket's receive
 *	buffer the parser pauses, so the stream pushes back on the remote
 * @user_paused: the parser is paused because of @user_bytes (socket lock)
 * @rx_parked: data frames parsed and parked in the peer's receive queue,
 *	not yet taken by its NAPI poll (atomic)
 * @rx_paused: the parser is paused because of @rx_parked (socket lock;
 *	read locklessly by the NAPI poll, which only schedules @rx_work)
 * @given_back: what the parser took from the stream and userspace has not
 *	read was put back in front of the socket's receive queue; from here
 *	on the socket reads as plain TCP (socket lock; read locklessly as a
 *	hint)
 * @out_queue: whole frames to write, kernel and userspace ones in order, so
 *	no frame is ever split by another (queue lock)
 * @out_offset: bytes of the head of @out_queue already written (socket
 *	lock)
 * @user_frame: a userspace frame still being written by sendmsg() calls
 *	(socket lock)
 * @user_hdr: its length prefix while incomplete (socket lock)
 * @user_hdr_len: bytes of @user_hdr received (socket lock)
 * @user_need: bytes of @user_frame still expected (socket lock)
 * @tx_work: writes @out_queue in process context; holds a peer reference
 *	while queued
 * @rx_work: resumes a parser paused for @rx_parked once the NAPI poll has
 *	taken the parked frames down to the low mark; holds a peer
 *	reference while queued
 * @giveback_work: gives the stream back after the peer's removal; holds a
 *	peer reference while queued, so a recv() never finds the socket
 *	without its peer before that is done
 * @saved: the socket's callbacks and operations before we took it over
 * @saved.data_ready: the socket's own data_ready, woken for @user_queue
 * @saved.write_space: the socket's own write_space
 * @saved.state_change: the socket's own state_change
 * @saved.prot: the socket's protocol operations
 * @saved.ops: the socket's file operations
 * @saved.use_task_frag: the socket's sk_use_task_frag, which we clear
 *	(ovpn_tcp_socket_attach())
 */
struct ovpn_peer_tcp {
	struct strparser strp;
	struct sk_buff_head user_queue;
	atomic_t user_bytes;
	bool user_paused;
	atomic_t rx_parked;
	bool rx_paused;
	bool given_back;
	struct sk_buff_head out_queue;
	unsigned int out_offset;
	struct sk_buff *user_frame;
	u8 user_hdr[2];
	u8 user_hdr_len;
	unsigned int user_need;
	struct work_struct tx_work;
	struct work_struct rx_work;
	struct work_struct giveback_work;
	struct {
		void (*data_ready)(struct sock *sk);
		void (*write_space)(struct sock *sk);
		void (*state_change)(struct sock *sk);
		struct proto *prot;
		const struct proto_ops *ops;
		bool use_task_frag;
	} saved;
};

int ovpn_tcp_socket_attach(struct ovpn_socket *ovpn_sock,
			   struct ovpn_peer *peer);
void ovpn_tcp_socket_detach(struct ovpn_socket *ovpn_sock);
void ovpn_tcp_send_skb(struct ovpn_peer *peer, struct sk_buff *skb);
void ovpn_tcp_push(struct ovpn_peer *peer);
void ovpn_tcp_peer_init(struct ovpn_peer *peer);
void ovpn_tcp_peer_removed(struct ovpn_peer *peer);
void ovpn_tcp_peer_start(struct ovpn_peer *peer);
void ovpn_tcp_rx_unparked(struct ovpn_peer *peer);

#endif /* _OVPN_DCO_TCP_H_ */
