// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: TCP transport
 *
 * Every packet on the stream, data or control, is preceded by its 16-bit
 * big-endian length. We take over the userspace socket: a stream parser
 * splits what arrives, data packets stay in the kernel, and every other
 * packet is queued, with its length prefix, for userspace's recv(). On the
 * way out, a data frame is written to the stream at once, from the sender's
 * context, when nothing is queued ahead of it and no process owns the
 * socket; otherwise frames from the kernel and from userspace's send() go
 * through one queue, so a frame is never cut by another, and a worker writes
 * the queue to the socket in process context.
 *
 * The socket lock orders everything against attach and detach: the socket's
 * callbacks only run with it held (by a softirq or an owner), and detach
 * restores them under it before the peer can be freed. The RCU read lock
 * taken around the peer lookups is not what makes that safe.
 *
 * No byte of the incoming stream is lost to userspace. The parser is paused
 * from attach until the peer is linked, so a NEW_PEER that fails consumed
 * nothing. Control packets are bounded by the socket's receive buffer: past
 * it the parser pauses and TCP's window closes, nothing is dropped. Once the
 * peer is removed, the parser stops, and what it took from the stream but
 * userspace did not read yet (control packets, then a partial packet) goes
 * back in front of the socket's receive queue, so userspace then reads the
 * rest of the stream exactly as the remote sent it.
 */

#include <linux/module.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/strparser.h>
#include <net/tcp.h>

#include "compat.h"
#include "io.h"
#include "ovpn.h"
#include "peer.h"
#include "skb.h"
#include "socket.h"
#include "tcp.h"

/* copies of the kernel's TCP tables with our hooks, filled at first use,
 * and the tables they copy
 */
static struct proto ovpn_tcp4_prot, ovpn_tcp6_prot;
static struct proto *ovpn_tcp4_orig, *ovpn_tcp6_orig;
static struct proto_ops ovpn_tcp4_ops, ovpn_tcp6_ops;
static bool ovpn_tcp4_built, ovpn_tcp6_built;
/* builds the operation tables once per family */
static DEFINE_MUTEX(ovpn_tcp_build_lock);

/* lockdep subclass of a peer's socket spinlock taken on transmit, below the
 * one tcp_v4_rcv() and tcp_v6_rcv() take (SINGLE_DEPTH_NESTING)
 */
#define OVPN_TCP_LOCK_NESTING	(SINGLE_DEPTH_NESTING + 1)

/* tcp_recvmsg() is only exported up to 6.1 (6.12 has no export), but every
 * plain TCP proto (tcp_prot, tcpv6_prot) points at it: take it from there.
 */
#define ovpn_tcp_plain_recvmsg (tcp_prot.recvmsg)

/* Plain TCP calls made from our own operations can block for long and
 * return into this module: they hold a module reference, so that the
 * module cannot be unloaded under a reader or writer of a socket whose
 * peer is gone but whose operations are not restored yet.
 */
static int ovpn_tcp_plain_recv(struct sock *sk, struct msghdr *msg,
			       size_t len, int flags, int *addr_len)
{
	int ret;

	__module_get(THIS_MODULE);
	ret = ovpn_tcp_plain_recvmsg(sk, msg, len, flags, addr_len);
	module_put(THIS_MODULE);
	return ret;
}

static int ovpn_tcp_plain_send(struct sock *sk, struct msghdr *msg,
			       size_t size)
{
	int ret;

	__module_get(THIS_MODULE);
	ret = tcp_sendmsg(sk, msg, size);
	module_put(THIS_MODULE);
	return ret;
}

/* the peer behind a socket we took over; NULL once detached */
static struct ovpn_peer *ovpn_tcp_peer(struct sock *sk)
{
	struct ovpn_socket *ovpn_sock;

	ovpn_sock = rcu_dereference_sk_user_data(sk);
	return ovpn_sock ? ovpn_sock->peer : NULL;
}

/* the peer behind a socket, held, from any context */
static struct ovpn_peer *ovpn_tcp_peer_get(struct sock *sk)
{
	struct ovpn_peer *peer;

	rcu_read_lock();
	peer = ovpn_tcp_peer(sk);
	if (peer && !ovpn_peer_hold(peer))
		peer = NULL;
	rcu_read_unlock();
	return peer;
}

/* what a packet queued for userspace is charged against user_bytes */
struct ovpn_tcp_user_cb {
	unsigned int charge;
};

#define OVPN_TCP_USER_CB(skb) ((struct ovpn_tcp_user_cb *)(skb)->cb)

static void ovpn_tcp_schedule_tx(struct ovpn_peer *peer)
{
	if (!ovpn_peer_hold(peer))
		return;
	/* a queued work owns one reference */
	if (!queue_work(ovpn_wq, &peer->tcp.tx_work))
		ovpn_peer_put(peer);
}

/* ---- RX ---- */

static int ovpn_tcp_parse(struct strparser *strp, struct sk_buff *skb)
{
	struct strp_msg *rxm = strp_msg(skb);
	__be16 blen;
	u16 len;

	if (skb->len < rxm->offset + OVPN_TCP_LEN_PREFIX)
		return 0;
	if (skb_copy_bits(skb, rxm->offset, &blen, sizeof(blen)))
		return -EINVAL;

	len = be16_to_cpu(blen);
	/* a zero length cannot be framed: the stream is broken */
	if (!len)
		return -EINVAL;
	return len + OVPN_TCP_LEN_PREFIX;
}

/* The @len bytes at @off of a parsed message, in a buffer of their own;
 * NULL without memory. A data frame gets NET_SKB_PAD of headroom from the
 * page fragment cache, which the decrypted packet's trip up the stack then
 * recycles: a kmalloc()ed head would be zeroed on every allocation on
 * kernels with init_on_alloc (Debian's default), a memset of the whole
 * frame for nothing. A control frame for userspace gets no headroom.
 *
 * The parser's message is a clone of TCP's receive buffers, which after GRO
 * can hold 64 KiB and more ahead of the frame. Pulling the message up to
 * the frame would copy all of that into its head on every frame of the
 * buffer, and put the frame further from the head than the 16-bit header
 * offsets of an skb reach: the IP layer would then read the decrypted
 * packet's header from the wrong place and drop it. One copy of the frame
 * alone is cheaper, pins only its own size, and is writable in place for
 * the decryption.
 */
static struct sk_buff *ovpn_tcp_frame(struct sk_buff *msg, unsigned int off,
				      unsigned int len, bool data)
{
	struct sk_buff *skb;

	skb = data ? dev_alloc_skb(len) : alloc_skb(len, GFP_ATOMIC);
	if (!skb)
		return NULL;
	if (skb_copy_bits(msg, off, skb_put(skb, len), len)) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

/* May the parser go on? Only when neither userspace nor the receive queue
 * holds it back, and the stream is still ours. Socket lock.
 */
static void ovpn_tcp_resume(struct ovpn_peer *peer)
{
	struct ovpn_peer_tcp *t = &peer->tcp;

	if (t->user_paused || t->rx_paused || t->given_back ||
	    READ_ONCE(peer->removed))
		return;
	strp_unpause(&t->strp);
	/* unpausing parses nothing by itself: what waited in the socket
	 * meanwhile would wait for the next segment, which a remote held back
	 * by a closed window may never send
	 */
	strp_check_rcv(&t->strp);
}

static void ovpn_tcp_schedule_rx(struct ovpn_peer *peer)
{
	if (!ovpn_peer_hold(peer))
		return;
	/* a queued work owns one reference */
	if (!queue_work(ovpn_wq, &peer->tcp.rx_work))
		ovpn_peer_put(peer);
}

/* A data frame is about to be parked in the receive queue, where the NAPI
 * poll decrypts it and hands it to GRO: the parser runs on, one CPU, while
 * the poll decrypts on another. Past the high mark the parser pauses, and
 * TCP's window closes on the remote, as it would if we decrypted here:
 * nothing is dropped for the queue. Called by the parser, socket lock.
 */
static void ovpn_tcp_rx_park(struct ovpn_peer *peer)
{
	struct ovpn_peer_tcp *t = &peer->tcp;

	if (atomic_inc_return(&t->rx_parked) < OVPN_TCP_RX_PARKED_HIGH)
		return;
	WRITE_ONCE(t->rx_paused, true);
	strp_pause(&t->strp);
	/* pairs with the barrier of atomic_dec_return() in
	 * ovpn_tcp_rx_unparked(): either the poll sees the pause when it
	 * crosses the low mark, or we see the crossing here
	 */
	smp_mb();
	if (atomic_read(&t->rx_parked) <= OVPN_TCP_RX_PARKED_LOW)
		ovpn_tcp_schedule_rx(peer);
}

/**
 * ovpn_tcp_rx_unparked - a data frame left the receive queue
 * @peer: its peer, still held by the frame
 *
 * Any context (the NAPI poll, or a queue's purge). Crossing the low mark
 * with the parser paused for the queue, a work resumes it: restarting the
 * parser needs the socket lock.
 */
void ovpn_tcp_rx_unparked(struct ovpn_peer *peer)
{
	struct ovpn_peer_tcp *t = &peer->tcp;

	if (atomic_dec_return(&t->rx_parked) == OVPN_TCP_RX_PARKED_LOW &&
	    READ_ONCE(t->rx_paused))
		ovpn_tcp_schedule_rx(peer);
}

static void ovpn_tcp_rx_work(struct work_struct *work)
{
	struct ovpn_peer *peer = container_of(work, struct ovpn_peer,
					      tcp.rx_work);
	struct ovpn_peer_tcp *t = &peer->tcp;
	struct sock *sk = peer->sock->sk;

	lock_sock(sk);
	if (t->rx_paused &&
	    atomic_read(&t->rx_parked) <= OVPN_TCP_RX_PARKED_LOW) {
		WRITE_ONCE(t->rx_paused, false);
		ovpn_tcp_resume(peer);
	}
	release_sock(sk);
	ovpn_peer_put(peer);
}

static void ovpn_tcp_rcv(struct strparser *strp, struct sk_buff *skb)
{
	struct ovpn_peer *peer = container_of(strp, struct ovpn_peer,
					      tcp.strp);
	struct strp_msg *rxm = strp_msg(skb);
	unsigned int off = rxm->offset, len = rxm->full_len;
	struct ovpn_peer_tcp *t = &peer->tcp;
	struct sk_buff *user;
	bool removed;
	u8 first;

	if (skb_copy_bits(skb, off + OVPN_TCP_LEN_PREFIX, &first, 1))
		goto drop;

	/* a removed peer consumes nothing more: userspace gets the stream */
	removed = READ_ONCE(peer->removed);
	if (!removed && ovpn_opcode_from_byte(first) == OVPN_OP_DATA_V2) {
		struct sk_buff *pkt = NULL;

		if (len - OVPN_TCP_LEN_PREFIX >= OVPN_DATA_HDR_LEN)
			pkt = ovpn_tcp_frame(skb, off + OVPN_TCP_LEN_PREFIX,
					     len - OVPN_TCP_LEN_PREFIX, true);
		if (!pkt)
			goto drop;
		consume_skb(skb);
		skb = pkt;
		if (!ovpn_peer_hold(peer))
			goto drop_silently;
		ovpn_tcp_rx_park(peer);
		local_bh_disable();
		ovpn_recv(peer, skb);
		local_bh_enable();
		return;
	}

	/* the control channel's: userspace reads it with its prefix. Never
	 * dropped: without memory for a copy, the message itself is cut down
	 * to the frame.
	 */
	user = ovpn_tcp_frame(skb, off, len, false);
	if (user) {
		consume_skb(skb);
		skb = user;
	} else if (!pskb_pull(skb, off) || pskb_trim(skb, len)) {
		goto drop;
	}
	OVPN_TCP_USER_CB(skb)->charge = skb->truesize;
	/* never drop a control packet: stop reading the stream instead, and
	 * let TCP's window close until userspace catches up. Paused before
	 * the packet is queued: a reader that takes it sees the pause.
	 */
	if (atomic_add_return(skb->truesize, &t->user_bytes) >=
	    READ_ONCE(strp->sk->sk_rcvbuf) || removed) {
		strp_pause(strp);
		WRITE_ONCE(t->user_paused, true);
	}
	skb_queue_tail(&t->user_queue, skb);
	t->saved.data_ready(strp->sk);
	return;

drop:
	dev_core_stats_rx_dropped_inc(peer->ovpn->dev);
drop_silently:
	kfree_skb(skb);
}

static void ovpn_tcp_abort(struct strparser *strp, int err)
{
	struct ovpn_peer *peer = container_of(strp, struct ovpn_peer,
					      tcp.strp);
	struct sock *sk = strp->sk;

	/* as the parser's default: stop and report on the socket */
	cancel_delayed_work(&strp->msg_timer_work);
	if (strp->stopped)
		return;
	strp->stopped = 1;
	sk->sk_err = -err;
	sk_error_report(sk);

	if (ovpn_peer_hold(peer)) {
		netdev_dbg(peer->ovpn->dev, "peer %u: TCP stream error %d\n",
			   peer->id, err);
		ovpn_peer_del(peer, OVPN_DEL_PEER_REASON_TRANSPORT_ERROR);
		ovpn_peer_put(peer);
	}
}

/* the parser reads the stream: not before the peer is linked, not while
 * userspace lags behind, not after the peer's removal
 */
static bool ovpn_tcp_parsing(struct ovpn_peer *peer)
{
	return !READ_ONCE(peer->tcp.strp.paused) &&
	       !READ_ONCE(peer->tcp.given_back) && !READ_ONCE(peer->removed);
}

static void ovpn_tcp_data_ready(struct sock *sk)
{
	struct ovpn_peer *peer;

	rcu_read_lock();
	peer = ovpn_tcp_peer(sk);
	if (peer) {
		/* whoever reads instead of the parser must be woken; a
		 * parser paused for its receive queue resumes by itself, and
		 * userspace has nothing new to read then
		 */
		if (ovpn_tcp_parsing(peer))
			strp_data_ready(&peer->tcp.strp);
		else if (!READ_ONCE(peer->tcp.rx_paused) ||
			 READ_ONCE(peer->removed) ||
			 READ_ONCE(peer->tcp.given_back))
			peer->tcp.saved.data_ready(sk);
	}
	rcu_read_unlock();
}

static void ovpn_tcp_write_space(struct sock *sk)
{
	struct ovpn_peer *peer;

	rcu_read_lock();
	peer = ovpn_tcp_peer(sk);
	if (peer) {
		peer->tcp.saved.write_space(sk);
		if (!skb_queue_empty_lockless(&peer->tcp.out_queue))
			ovpn_tcp_schedule_tx(peer);
	}
	rcu_read_unlock();
}

static void ovpn_tcp_state_change(struct sock *sk)
{
	struct ovpn_peer *peer;
	int state;

	rcu_read_lock();
	peer = ovpn_tcp_peer(sk);
	if (!peer) {
		rcu_read_unlock();
		return;
	}
	peer->tcp.saved.state_change(sk);
	state = READ_ONCE(sk->sk_state);
	if ((state == TCP_CLOSE_WAIT || state == TCP_CLOSE) &&
	    ovpn_peer_hold(peer)) {
		netdev_dbg(peer->ovpn->dev, "peer %u: TCP connection closed\n",
			   peer->id);
		ovpn_peer_del(peer, OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT);
		ovpn_peer_put(peer);
	}
	rcu_read_unlock();
}

/* ---- TX ---- */

static void ovpn_tcp_tx_work(struct work_struct *work)
{
	struct ovpn_peer *peer = container_of(work, struct ovpn_peer,
					      tcp.tx_work);
	struct sock *sk = peer->sock->sk;
	unsigned int budget = OVPN_TCP_TX_BUDGET;
	bool more = false, corked;
	struct sk_buff *skb;
	int ret;

	lock_sock(sk);
	/* Cork the stream for the batch. Sent one by one, each frame is
	 * pushed on its own: a full segment and a short one per frame, each
	 * through the whole stack on both ends, as nothing else holds the
	 * stream back on a path that frees sent buffers at once (veth). Corked,
	 * the frames fill whole GSO packets; the uncork below pushes the rest.
	 * A cork of userspace's own is left alone.
	 */
	corked = !(tcp_sk(sk)->nonagle & TCP_NAGLE_CORK);
	if (corked)
		tcp_sk(sk)->nonagle |= TCP_NAGLE_CORK;
	while ((skb = skb_peek(&peer->tcp.out_queue))) {
		/* a sender that keeps the queue full must not keep this
		 * CPU's workers from every other work item: come back later
		 */
		if (!budget--) {
			more = true;
			break;
		}
		ret = skb_send_sock_locked(sk, skb, peer->tcp.out_offset,
					   skb->len - peer->tcp.out_offset);
		if (ret <= 0) {
			/* -EAGAIN: write_space brings us back */
			if (ret != -EAGAIN)
				net_dbg_ratelimited("%s: peer %u: TCP send error %d\n",
						    netdev_name(peer->ovpn->dev),
						    peer->id, ret);
			break;
		}
		peer->tcp.out_offset += ret;
		if (peer->tcp.out_offset < skb->len)
			continue;
		skb_unlink(skb, &peer->tcp.out_queue);
		consume_skb(skb);
		peer->tcp.out_offset = 0;
	}
	release_sock(sk);
	if (corked)
		tcp_sock_set_cork(sk, false);

	/* room again for userspace's send() */
	peer->tcp.saved.write_space(sk);
	if (more)
		ovpn_tcp_schedule_tx(peer);
	ovpn_peer_put(peer);
}

/**
 * ovpn_tcp_push - push what the stream holds back for a segment that never
 *	comes
 * @peer: the peer
 *
 * BH disabled. A frame sent with MSG_MORE leaves its tail on the stream for
 * the next segment of its packet; when that segment is dropped instead, the
 * TX work's uncork sends the tail.
 */
void ovpn_tcp_push(struct ovpn_peer *peer)
{
	ovpn_tcp_schedule_tx(peer);
}

/* Write @skb to the stream at once, from the sender's context: no work to
 * wake, and a packet's segments leave as whole TCP segments (MSG_MORE on all
 * but the last). Only when nothing is queued ahead of it and no process owns
 * the socket; the caller holds the socket's spinlock. What the stream does
 * not take now (a full send buffer) is queued at the head with its offset,
 * for the TX work.
 */
static void ovpn_tcp_send_now(struct ovpn_peer *peer, struct sock *sk,
			      struct sk_buff *skb, bool more)
{
	struct kvec kv = { .iov_base = skb->data, .iov_len = skb->len };
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0),
	};
	gfp_t gfp = sk->sk_allocation;
	int ret;

	/* TCP allocates with the socket's flags: sleeping ones do not fit a
	 * softirq. (Its page fragment is the socket's own, not the current
	 * task's: ovpn_tcp_socket_attach().)
	 */
	sk->sk_allocation = GFP_ATOMIC;
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &kv, 1, skb->len);
	ret = tcp_sendmsg_locked(sk, &msg, skb->len);
	sk->sk_allocation = gfp;
	if (likely(ret == skb->len)) {
		consume_skb(skb);
		return;
	}

	if (ret > 0)
		peer->tcp.out_offset = ret;
	else if (ret != -EAGAIN)
		net_dbg_ratelimited("%s: peer %u: TCP send error %d\n",
				    netdev_name(peer->ovpn->dev), peer->id, ret);
	/* -EAGAIN: the work finds the buffer full too and waits for
	 * write_space
	 */
	skb_queue_tail(&peer->tcp.out_queue, skb);
	ovpn_tcp_schedule_tx(peer);
}

/**
 * ovpn_tcp_send_skb - send an encrypted packet on a peer's stream
 * @peer: the peer
 * @skb: the packet, data at our header; consumed
 *
 * BH disabled. Written at once when the stream is free, else queued for the
 * TX work; either way in the order the packets come.
 */
void ovpn_tcp_send_skb(struct ovpn_peer *peer, struct sk_buff *skb)
{
	bool more = ovpn_skb_cb(skb)->tcp_more;
	struct net_device *dev = peer->ovpn->dev;
	struct sock *sk = peer->sock->sk;
	unsigned int len = skb->len;

	if (unlikely(skb_queue_len(&peer->tcp.out_queue) >=
		     OVPN_TCP_OUT_QUEUE_MAX) ||
	    unlikely(len > U16_MAX) ||
	    unlikely(skb_cow_head(skb, OVPN_TCP_LEN_PREFIX))) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		if (!more)
			ovpn_tcp_push(peer);
		return;
	}

	__skb_push(skb, OVPN_TCP_LEN_PREFIX);
	put_unaligned_be16(len, skb->data);
	dev_sw_netstats_tx_add(dev, 1, len);

	/* The inner stack may get here holding a TCP socket's spinlock of
	 * its own (an ACK sent from tcp_v4_rcv(), which takes it nested):
	 * ours is another lock of that class, one level deeper.
	 */
	spin_lock_nested(&sk->sk_lock.slock, OVPN_TCP_LOCK_NESTING);
	if (!sock_owned_by_user(sk) && !skb_is_nonlinear(skb) &&
	    skb_queue_empty(&peer->tcp.out_queue) &&
	    !READ_ONCE(peer->removed)) {
		ovpn_tcp_send_now(peer, sk, skb, more);
	} else {
		/* queued under the spinlock too, so no frame passes one
		 * queued before it
		 */
		skb_queue_tail(&peer->tcp.out_queue, skb);
		ovpn_tcp_schedule_tx(peer);
	}
	bh_unlock_sock(sk);
}

/* ---- userspace's side of the socket ---- */

static int ovpn_tcp_wait(struct sock *sk, struct ovpn_peer *peer, long *timeo,
			 bool (*ready)(struct ovpn_peer *peer))
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while (!ready(peer)) {
		if (READ_ONCE(peer->removed) || READ_ONCE(sk->sk_err) ||
		    (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN))
			break;
		if (!*timeo) {
			remove_wait_queue(sk_sleep(sk), &wait);
			return -EAGAIN;
		}
		if (signal_pending(current)) {
			remove_wait_queue(sk_sleep(sk), &wait);
			return sock_intr_errno(*timeo);
		}
		*timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, *timeo);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return 0;
}

static bool ovpn_tcp_user_ready(struct ovpn_peer *peer)
{
	return !skb_queue_empty_lockless(&peer->tcp.user_queue);
}

/* the end of what the parser took from the stream: where the bytes handed
 * back must end. A FIN read by the parser counts in copied_seq but is not a
 * byte.
 */
static u32 ovpn_tcp_taken_end(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 end = tp->copied_seq;

	if (sock_flag(sk, SOCK_DONE) &&
	    skb_queue_empty(&sk->sk_receive_queue) &&
	    end == READ_ONCE(tp->rcv_nxt))
		end--;
	return end;
}

/* copy @len bytes at @off of @from into the chunks of @back, from @seq */
static int ovpn_tcp_back_copy(struct sk_buff_head *back,
			      struct sk_buff *from, unsigned int off,
			      unsigned int len, unsigned int left, u32 *seq)
{
	const unsigned int chunk = SKB_MAX_ORDER(0, 2);
	struct sk_buff *skb;
	unsigned int n;

	while (len) {
		skb = skb_peek_tail(back);
		if (!skb || !skb_tailroom(skb) ||
		    skb->len >= chunk) {
			skb = alloc_skb(min(left, chunk), GFP_KERNEL);
			if (!skb)
				return -ENOMEM;
			memset(skb->cb, 0, sizeof(skb->cb));
			TCP_SKB_CB(skb)->seq = *seq;
			TCP_SKB_CB(skb)->end_seq = *seq;
			__skb_queue_tail(back, skb);
		}
		n = min3(len, (unsigned int)skb_tailroom(skb), chunk - skb->len);
		if (skb_copy_bits(from, off, skb_put(skb, n), n))
			return -EFAULT;
		TCP_SKB_CB(skb)->end_seq += n;
		*seq += n;
		off += n;
		len -= n;
		left -= n;
	}
	return 0;
}

/**
 * ovpn_tcp_give_back - hand userspace what the parser took and it did not
 *	read
 * @peer: a removed peer, or one being released
 *
 * Under the socket lock (owner). Stops the parser and puts the packets of
 * @user_queue, then the packet the parser was assembling, back in front of
 * the socket's receive queue, as the bytes the remote sent: a plain read
 * then returns them before the rest of the stream. If that cannot be done
 * (no memory), the socket gets an error (ENOBUFS) rather than a silently
 * shortened stream.
 */
static void ovpn_tcp_give_back(struct ovpn_peer *peer)
{
	struct sock *sk = peer->sock->sk;
	struct ovpn_peer_tcp *t = &peer->tcp;
	struct strparser *strp = &t->strp;
	struct sk_buff *skb, *partial;
	unsigned int total = 0, poff = 0;
	struct sk_buff_head back;
	u32 start, seq;
	int ret = 0;

	if (t->given_back)
		return;
	WRITE_ONCE(t->given_back, true);
	strp_stop(strp);

	/* the parser's message in progress: taken from the stream already */
	partial = strp->skb_head;
	strp->skb_head = NULL;
	strp->need_bytes = 0;
	if (partial) {
		poff = strp_msg(partial)->offset;
		total += partial->len - poff;
	}
	skb_queue_walk(&t->user_queue, skb)
		total += skb->len;
	if (!total)
		goto out;

	__skb_queue_head_init(&back);
	start = ovpn_tcp_taken_end(sk) - total;
	seq = start;
	skb_queue_walk(&t->user_queue, skb) {
		ret = ovpn_tcp_back_copy(&back, skb, 0, skb->len,
					 start + total - seq, &seq);
		if (ret)
			break;
	}
	if (!ret && partial)
		ret = ovpn_tcp_back_copy(&back, partial, poff,
					 partial->len - poff,
					 start + total - seq, &seq);
	skb_queue_walk(&back, skb) {
		if (ret)
			break;
		if (!sk_rmem_schedule(sk, skb, skb->truesize))
			ret = -ENOBUFS;
		else
			skb_set_owner_r(skb, sk);
	}
	if (ret) {
		__skb_queue_purge(&back);
		netdev_warn(peer->ovpn->dev,
			    "peer %u: cannot give %u stream bytes back to userspace (%d)\n",
			    peer->id, total, ret);
		sk->sk_err = ENOBUFS;
		sk_error_report(sk);
		goto out;
	}
	skb_queue_splice(&back, &sk->sk_receive_queue);
	WRITE_ONCE(tcp_sk(sk)->copied_seq, start);

out:
	kfree_skb(partial);
	skb_queue_purge(&t->user_queue);
	atomic_set(&t->user_bytes, 0);
	t->saved.data_ready(sk);
}

/* a removed peer's socket reads as plain TCP, once the parser's share of
 * the stream is back on it
 */
static void ovpn_tcp_give_back_locked(struct ovpn_peer *peer)
{
	struct sock *sk = peer->sock->sk;

	lock_sock(sk);
	ovpn_tcp_give_back(peer);
	release_sock(sk);
}

/* userspace read some: let the parser go on if it waited for that. Under
 * the socket lock, so the parser is not running: it cannot pause again
 * between the test and the restart.
 */
static void ovpn_tcp_user_read(struct ovpn_peer *peer, struct sock *sk)
{
	struct ovpn_peer_tcp *t = &peer->tcp;

	if (t->user_paused &&
	    atomic_read(&t->user_bytes) <= READ_ONCE(sk->sk_rcvbuf) / 2) {
		t->user_paused = false;
		ovpn_tcp_resume(peer);
	}
}

static int ovpn_tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			    int flags, int *addr_len)
{
	struct ovpn_peer *peer;
	struct sk_buff *skb;
	long timeo;
	int ret, copied;

	peer = ovpn_tcp_peer_get(sk);
	if (!peer)
		return ovpn_tcp_plain_recv(sk, msg, len, flags, addr_len);

	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CMSG_COMPAT)) {
		ret = -EOPNOTSUPP;
		goto out;
	}

	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	ret = ovpn_tcp_wait(sk, peer, &timeo, ovpn_tcp_user_ready);
	if (ret)
		goto out;

	/* the socket lock keeps the give-back out while a packet is off the
	 * queue, or a partly read one would miss it
	 */
	lock_sock(sk);
	if (READ_ONCE(peer->removed) || peer->tcp.given_back) {
		/* the rest of the stream, as the remote sent it */
		ovpn_tcp_give_back(peer);
		release_sock(sk);
		ovpn_peer_put(peer);
		return ovpn_tcp_plain_recv(sk, msg, len, flags, addr_len);
	}

	skb = skb_dequeue(&peer->tcp.user_queue);
	if (!skb) {
		/* woken for an error or a shutdown */
		ret = sock_error(sk);
		goto unlock;
	}

	copied = min_t(size_t, len, skb->len);
	ret = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (ret) {
		skb_queue_head(&peer->tcp.user_queue, skb);
		goto unlock;
	}
	/* a stream: what did not fit is read next time */
	if (copied < skb->len && pskb_pull(skb, copied)) {
		skb_queue_head(&peer->tcp.user_queue, skb);
	} else {
		if (copied < skb->len)
			ret = -ENOMEM;
		atomic_sub(OVPN_TCP_USER_CB(skb)->charge,
			   &peer->tcp.user_bytes);
		consume_skb(skb);
		ovpn_tcp_user_read(peer, sk);
	}
	ret = ret ?: copied;
unlock:
	release_sock(sk);
out:
	ovpn_peer_put(peer);
	return ret;
}

static bool ovpn_tcp_out_ready(struct ovpn_peer *peer)
{
	return skb_queue_len(&peer->tcp.out_queue) < OVPN_TCP_OUT_QUEUE_MAX;
}

/* feed userspace's bytes into whole frames; under the socket lock */
static int ovpn_tcp_user_frames(struct ovpn_peer *peer, struct msghdr *msg,
				bool *queued)
{
	struct ovpn_peer_tcp *t = &peer->tcp;
	size_t n, copied = 0;
	u16 flen;

	while (msg_data_left(msg)) {
		if (!t->user_frame) {
			n = copy_from_iter(t->user_hdr + t->user_hdr_len,
					   sizeof(t->user_hdr) - t->user_hdr_len,
					   &msg->msg_iter);
			if (!n)
				return copied ?: -EFAULT;
			t->user_hdr_len += n;
			copied += n;
			if (t->user_hdr_len < sizeof(t->user_hdr))
				continue;

			flen = get_unaligned_be16(t->user_hdr);
			t->user_hdr_len = 0;
			if (!flen) {
				/* no frame has length 0: refuse it rather than
				 * report it sent and drop it
				 */
				copied -= n;
				return copied ?: -EINVAL;
			}
			t->user_frame = alloc_skb(flen + OVPN_TCP_LEN_PREFIX,
						  GFP_KERNEL);
			if (!t->user_frame)
				return copied ?: -ENOMEM;
			skb_put_data(t->user_frame, t->user_hdr,
				     sizeof(t->user_hdr));
			t->user_need = flen;
		}

		n = min_t(size_t, t->user_need, msg_data_left(msg));
		if (copy_from_iter(skb_put(t->user_frame, n), n,
				   &msg->msg_iter) != n)
			return copied ?: -EFAULT;
		t->user_need -= n;
		copied += n;
		if (!t->user_need) {
			skb_queue_tail(&t->out_queue, t->user_frame);
			t->user_frame = NULL;
			*queued = true;
		}
	}
	return copied;
}

static int ovpn_tcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	bool queued = false;
	struct ovpn_peer *peer;
	long timeo;
	int ret;

	peer = ovpn_tcp_peer_get(sk);
	if (!peer)
		return ovpn_tcp_plain_send(sk, msg, size);

	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR)) {
		ret = -EOPNOTSUPP;
		goto out;
	}

	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	ret = ovpn_tcp_wait(sk, peer, &timeo, ovpn_tcp_out_ready);
	if (ret)
		goto out;
	if (READ_ONCE(peer->removed)) {
		ret = -EPIPE;
		goto out;
	}

	lock_sock(sk);
	ret = ovpn_tcp_user_frames(peer, msg, &queued);
	release_sock(sk);
	if (queued)
		ovpn_tcp_schedule_tx(peer);
out:
	ovpn_peer_put(peer);
	return ret;
}

static __poll_t ovpn_tcp_poll(struct file *file, struct socket *sock,
			      poll_table *wait)
{
	__poll_t mask = tcp_poll(file, sock, wait);
	struct sock *sk = sock->sk;
	struct ovpn_peer *peer;

	peer = ovpn_tcp_peer_get(sk);
	if (!peer)
		return mask;

	if (READ_ONCE(peer->tcp.given_back)) {
		/* a plain stream again */
	} else if (READ_ONCE(peer->removed)) {
		/* recv() gives the parser's share of the stream back */
		mask |= EPOLLIN | EPOLLRDNORM;
	} else if (!(READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) &&
		   !READ_ONCE(sk->sk_err)) {
		/* readable means: a packet for userspace, or the end of the
		 * stream
		 */
		mask &= ~(EPOLLIN | EPOLLRDNORM);
		if (ovpn_tcp_user_ready(peer))
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	if (!ovpn_tcp_out_ready(peer))
		mask &= ~(EPOLLOUT | EPOLLWRNORM);
	ovpn_peer_put(peer);
	return mask;
}

/* ---- attach and detach ---- */

/* Userspace closed a taken-over socket: only one whose peer follows it (the
 * module does not hold its file) can close while taken over. The peer goes
 * first, then TCP closes the socket as it would have.
 */
static void ovpn_tcp_close(struct sock *sk, long timeout)
{
	struct proto *orig = sk->sk_family == AF_INET6 ? ovpn_tcp6_orig :
							  ovpn_tcp4_orig;
	struct ovpn_peer *peer = ovpn_tcp_peer_get(sk);

	if (peer) {
		ovpn_peer_del(peer, OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT);
		ovpn_peer_put(peer);
	}
	__module_get(THIS_MODULE);
	orig->close(sk, timeout);
	module_put(THIS_MODULE);
}

static int ovpn_tcp_build_ops(struct sock *sk, struct socket *sock,
			      struct proto **prot,
			      const struct proto_ops **ops)
{
	bool v6 = sk->sk_family == AF_INET6;
	struct proto_ops *o = v6 ? &ovpn_tcp6_ops : &ovpn_tcp4_ops;
	struct proto *p = v6 ? &ovpn_tcp6_prot : &ovpn_tcp4_prot;
	bool *built = v6 ? &ovpn_tcp6_built : &ovpn_tcp4_built;

	/* only plain TCP: no ULP (kTLS, MPTCP) and no BPF socket map */
	if (sk->sk_prot->recvmsg != ovpn_tcp_plain_recvmsg ||
	    sk->sk_prot->sendmsg != tcp_sendmsg ||
	    sock->ops->poll != tcp_poll || inet_csk(sk)->icsk_ulp_ops)
		return -EOPNOTSUPP;

	mutex_lock(&ovpn_tcp_build_lock);
	if (!*built) {
		if (v6)
			ovpn_tcp6_orig = sk->sk_prot;
		else
			ovpn_tcp4_orig = sk->sk_prot;
		*p = *sk->sk_prot;
		p->recvmsg = ovpn_tcp_recvmsg;
		p->sendmsg = ovpn_tcp_sendmsg;
		p->close = ovpn_tcp_close;
		*o = *sock->ops;
		o->poll = ovpn_tcp_poll;
		*built = true;
	}
	mutex_unlock(&ovpn_tcp_build_lock);

	*prot = p;
	*ops = o;
	return 0;
}

static void ovpn_tcp_giveback_work(struct work_struct *work)
{
	struct ovpn_peer *peer = container_of(work, struct ovpn_peer,
					      tcp.giveback_work);

	ovpn_tcp_give_back_locked(peer);
	ovpn_peer_put(peer);
}

void ovpn_tcp_peer_init(struct ovpn_peer *peer)
{
	skb_queue_head_init(&peer->tcp.user_queue);
	atomic_set(&peer->tcp.user_bytes, 0);
	skb_queue_head_init(&peer->tcp.out_queue);
	atomic_set(&peer->tcp.rx_parked, 0);
	INIT_WORK(&peer->tcp.tx_work, ovpn_tcp_tx_work);
	INIT_WORK(&peer->tcp.rx_work, ovpn_tcp_rx_work);
	INIT_WORK(&peer->tcp.giveback_work, ovpn_tcp_giveback_work);
}

/**
 * ovpn_tcp_peer_removed - give a removed peer's stream back to userspace
 * @peer: the peer, unlinked from its device; the caller holds a reference
 *
 * Any context. Blocked readers and writers return; a work hands back what
 * the parser took and userspace did not read, unless a recv() does it
 * first. The socket's own operations come back when the peer is released.
 */
void ovpn_tcp_peer_removed(struct ovpn_peer *peer)
{
	struct sock *sk = peer->sock->sk;

	rcu_read_lock();
	if (ovpn_tcp_peer(sk) == peer)
		peer->tcp.saved.data_ready(sk);
	rcu_read_unlock();

	/* the work's reference keeps recv() from reading past what the
	 * parser holds until it is given back
	 */
	if (ovpn_peer_hold(peer) &&
	    !queue_work(ovpn_wq, &peer->tcp.giveback_work))
		ovpn_peer_put(peer);
}

/**
 * ovpn_tcp_socket_attach - take a connected TCP socket over for a peer
 * @ovpn_sock: our hold on the socket
 * @peer: the peer it carries
 *
 * Process context. On failure the socket is left as it was.
 *
 * Return: 0 or a negative errno.
 */
int ovpn_tcp_socket_attach(struct ovpn_socket *ovpn_sock,
			   struct ovpn_peer *peer)
{
	static const struct strp_callbacks cb = {
		.parse_msg = ovpn_tcp_parse,
		.rcv_msg = ovpn_tcp_rcv,
		.abort_parser = ovpn_tcp_abort,
	};
	struct socket *sock = ovpn_sock->sock;
	const struct proto_ops *ops;
	struct sock *sk = sock->sk;
	struct proto *prot;
	int ret;

	ret = ovpn_tcp_build_ops(sk, sock, &prot, &ops);
	if (ret)
		return ret;

	ret = strp_init(&peer->tcp.strp, sk, &cb);
	if (ret)
		return ret;
	/* nothing is taken from the stream before the peer is linked: if
	 * linking fails, userspace gets its socket back untouched
	 */
	strp_pause(&peer->tcp.strp);

	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED) {
		ret = -ENOTCONN;
		goto err_unlock;
	}
	if (ovpn_sk_has_user_data(sk)) {
		ret = -EBUSY;
		goto err_unlock;
	}

	ovpn_sock->peer = peer;
	peer->tcp.saved.prot = sk->sk_prot;
	peer->tcp.saved.ops = sock->ops;
	/* We write to the stream from softirqs (ovpn_tcp_send_now()), where
	 * "current" is whichever task was interrupted. With this set, TCP
	 * copies what is sent into that task's page fragment, which the task
	 * may be filling at that moment (a sendmsg() of its own, on a socket
	 * whose packets this very softirq is sending): the bytes of one then
	 * land in the other, past every checksum and tag. Linux 6.1 also
	 * declined the task's fragment for atomic allocations; from 6.2 only
	 * this flag decides. The socket's own fragment is serialised by the
	 * socket lock, which every sender here holds.
	 */
	peer->tcp.saved.use_task_frag = sk->sk_use_task_frag;
	sk->sk_use_task_frag = false;

	write_lock_bh(&sk->sk_callback_lock);
	peer->tcp.saved.data_ready = sk->sk_data_ready;
	peer->tcp.saved.write_space = sk->sk_write_space;
	peer->tcp.saved.state_change = sk->sk_state_change;
	rcu_assign_sk_user_data(sk, ovpn_sock);
	sk->sk_data_ready = ovpn_tcp_data_ready;
	sk->sk_write_space = ovpn_tcp_write_space;
	sk->sk_state_change = ovpn_tcp_state_change;
	write_unlock_bh(&sk->sk_callback_lock);

	WRITE_ONCE(sk->sk_prot, prot);
	WRITE_ONCE(sock->ops, ops);
	release_sock(sk);
	return 0;

err_unlock:
	release_sock(sk);
	/* strp_done() wants a stopped parser */
	strp_stop(&peer->tcp.strp);
	strp_done(&peer->tcp.strp);
	return ret;
}

/**
 * ovpn_tcp_peer_start - start parsing a taken-over stream
 * @peer: the peer, linked to its device; the caller holds a reference
 *
 * Process context. A FIN, an RST or a parser error from here on removes
 * the linked peer; one before was recorded by ovpn_peer_del() and refused
 * the link. Parses what arrived before.
 */
void ovpn_tcp_peer_start(struct ovpn_peer *peer)
{
	struct sock *sk = peer->sock->sk;

	lock_sock(sk);
	if (!peer->tcp.given_back) {
		strp_unpause(&peer->tcp.strp);
		/* parse what arrived while the peer was being linked */
		strp_check_rcv(&peer->tcp.strp);
	}
	release_sock(sk);
}

/**
 * ovpn_tcp_socket_detach - give the socket back to userspace
 * @ovpn_sock: our hold on the socket
 *
 * Process context, after the last reference to the peer is gone.
 */
void ovpn_tcp_socket_detach(struct ovpn_socket *ovpn_sock)
{
	struct ovpn_peer *peer = ovpn_sock->peer;
	struct sock *sk = ovpn_sock->sk;

	if (!peer)
		return;

	lock_sock(sk);
	ovpn_tcp_give_back(peer);
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = peer->tcp.saved.data_ready;
	sk->sk_write_space = peer->tcp.saved.write_space;
	sk->sk_state_change = peer->tcp.saved.state_change;
	rcu_assign_sk_user_data(sk, NULL);
	write_unlock_bh(&sk->sk_callback_lock);
	WRITE_ONCE(sk->sk_prot, peer->tcp.saved.prot);
	sk->sk_use_task_frag = peer->tcp.saved.use_task_frag;
	/* Userspace's socket, unless it was closed (a peer following its
	 * socket): the close orphans the sock under its lock, and the socket
	 * is freed only after that, so it cannot go while we hold the lock.
	 */
	if (sk->sk_socket)
		WRITE_ONCE(sk->sk_socket->ops, peer->tcp.saved.ops);
	release_sock(sk);

	strp_done(&peer->tcp.strp);
	skb_queue_purge(&peer->tcp.out_queue);
	kfree_skb(peer->tcp.user_frame);
	peer->tcp.user_frame = NULL;
	ovpn_sock->peer = NULL;
}
