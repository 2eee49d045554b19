// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcpstream: what userspace sees of a TCP stream handed to ovpn-dco. Every
 * connection is made over the loopback of the calling namespace; "local" is
 * the end given to NEW_PEER, "remote" the end playing the other host (it
 * writes raw frames, never a valid data packet: it is unauthenticated).
 *
 * Usage:
 *   tcpstream race <p2p-iface> <rounds>
 *	A working peer (id 1) on a live stream; then, each round, NEW_PEER
 *	(id 2) of a stream whose remote closes (FIN, or RST every other
 *	round) at a moment swept across the NEW_PEER call. Either NEW_PEER
 *	fails (ENOTCONN with an extack) and peer 1 is still there, or it
 *	succeeds and peer 2 is removed (DEL_PEER notification, then GET_PEER
 *	ENOENT). A peer 2 still there 3 s after the close is a failure.
 *   tcpstream giveback <mp-iface>
 *	1. A NEW_PEER that fails after the takeover (duplicate id) with two
 *	control frames, a data-like frame and half a frame queued by the
 *	remote; 2. DEL_PEER of a peer with two control frames and half a
 *	frame queued, the remote then sending the rest, a data-like frame and
 *	FIN. In both, userspace must read exactly the bytes the remote sent.
 *   tcpstream flood <p2p-iface> <frames>
 *	The remote writes <frames> control frames of 1000 bytes while
 *	userspace does not read: the remote must be pushed back (its writes
 *	stop being accepted) well before all are written; then userspace
 *	reads every frame, in order.
 *   tcpstream blockedread <iface> <go-file>
 *	A thread blocks in recv() on a peer's socket; DEL_PEER; the thread
 *	is then blocked as a plain TCP reader. Prints "blocked" and waits
 *	(60 s at most) until <go-file> exists (the scenario tries rmmod
 *	meanwhile), then the remote writes 5 bytes that the reader must get.
 *   tcpstream badsock <iface>
 *	NEW_PEER with sockets of protocol number 6 that are not TCP/IP
 *	sockets (AF_PACKET, NETLINK_XFRM, a raw IPPROTO_TCP socket):
 *	EOPNOTSUPP with an extack message.
 *
 * Output: "ok <step>" or "not ok <step>: ..." lines, then
 * "N passed, N failed"; exit status 1 on any failure, 2 on a usage error.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/ovpn_dco.h>

#include "nl.h"
#include "ovpn.h"

static int passed, failed;
static struct ovpn_nl nl, mc;
static uint32_t ifindex;

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void not_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void ok(const char *fmt, ...)
{
	va_list ap;

	passed++;
	printf("ok ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void not_ok(const char *fmt, ...)
{
	va_list ap;

	failed++;
	printf("not ok ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "tcpstream: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- netlink ---- */

static int new_peer(uint32_t id, int fd, struct nlx_err *err)
{
	struct nl_msg *msg = ovpn_nl_msg(&nl, OVPN_CMD_NEW_PEER, 0);
	struct nlattr *n;

	if (!msg)
		return nlx_err_local(err, ENOMEM, "out of memory");
	if (nla_put_u32(msg, OVPN_ATTR_IFINDEX, ifindex) < 0)
		goto full;
	n = nla_nest_start(msg, OVPN_ATTR_NEW_PEER | NLA_F_NESTED);
	if (!n || nla_put_u32(msg, OVPN_NEW_PEER_ATTR_PEER_ID, id) < 0 ||
	    nla_put_u32(msg, OVPN_NEW_PEER_ATTR_SOCKET, fd) < 0 ||
	    nla_put_u32(msg, OVPN_NEW_PEER_ATTR_IPV4,
			htonl(0x0a000000 + 2 + id)) < 0)
		goto full;
	nla_nest_end(msg, n);
	return nlx_transact(nl.sk, msg, NULL, NULL, err);
full:
	nlmsg_free(msg);
	return nlx_err_local(err, EMSGSIZE, "message too small");
}

static int peer_cmd(uint8_t cmd, int nest, int id_attr, uint32_t id,
		    struct nlx_err *err)
{
	struct nl_msg *msg = ovpn_nl_msg(&nl, cmd, 0);
	struct nlattr *n;

	if (!msg)
		return nlx_err_local(err, ENOMEM, "out of memory");
	if (nla_put_u32(msg, OVPN_ATTR_IFINDEX, ifindex) < 0)
		goto full;
	n = nla_nest_start(msg, nest | NLA_F_NESTED);
	if (!n || nla_put_u32(msg, id_attr, id) < 0)
		goto full;
	nla_nest_end(msg, n);
	return nlx_transact(nl.sk, msg, NULL, NULL, err);
full:
	nlmsg_free(msg);
	return nlx_err_local(err, EMSGSIZE, "message too small");
}

static int del_peer(uint32_t id, struct nlx_err *err)
{
	return peer_cmd(OVPN_CMD_DEL_PEER, OVPN_ATTR_DEL_PEER,
			OVPN_DEL_PEER_ATTR_PEER_ID, id, err);
}

/* 0 if the peer exists, -ENOENT if not */
static int get_peer(uint32_t id)
{
	struct nlx_err err;

	return peer_cmd(OVPN_CMD_GET_PEER, OVPN_ATTR_GET_PEER,
			OVPN_GET_PEER_ATTR_PEER_ID, id, &err);
}

struct del_seen {
	uint32_t id;
	int reason;	/* -1 until seen */
};

static int on_notif(struct nl_msg *msg, void *arg)
{
	struct del_seen *d = arg;
	struct ovpn_notif n;

	if (ovpn_parse_notification(msg, &n) || n.cmd != OVPN_CMD_DEL_PEER ||
	    n.ifindex != ifindex || !n.has_peer_id || !n.has_reason)
		return NL_SKIP;
	if (n.peer_id == d->id)
		d->reason = n.reason;
	return NL_OK;
}

/* wait up to @ms for the DEL_PEER notification of @id; its reason or -1 */
static int wait_del(uint32_t id, int ms)
{
	struct del_seen d = { .id = id, .reason = -1 };
	long long end = now_ns() + ms * 1000000LL;
	struct pollfd p = { .fd = nl_socket_get_fd(mc.sk), .events = POLLIN };
	struct nlx_err err;

	while (d.reason < 0 && now_ns() < end) {
		if (poll(&p, 1, 20) > 0 &&
		    ovpn_nl_recv_notifications(&mc, on_notif, &d, &err))
			fprintf(stderr, "tcpstream: notifications: %s\n",
				err.msg);
	}
	return d.reason;
}

/* drop notifications already queued */
static void drain_notifs(void)
{
	struct del_seen d = { .id = ~0u, .reason = -1 };
	struct nlx_err err;

	ovpn_nl_recv_notifications(&mc, on_notif, &d, &err);
}

/* ---- TCP over loopback ---- */

static int listener(int rcvbuf)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr = { htonl(INADDR_LOOPBACK) },
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (rcvbuf &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUF");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16))
		die("bind/listen");
	return fd;
}

/* a connected pair: *local (accepted) and *remote (connecting) */
static void tcp_pair(int lfd, int *local, int *remote, int sndbuf)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	if (getsockname(lfd, (struct sockaddr *)&a, &alen))
		die("getsockname");
	*remote = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*remote < 0)
		die("socket");
	if (sndbuf && setsockopt(*remote, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				 sizeof(sndbuf)))
		die("SO_SNDBUF");
	if (connect(*remote, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	*local = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (*local < 0)
		die("accept");
}

static void write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0)
			die("write");
		p += n;
		len -= n;
	}
}

static void set_rcvtimeo(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die("SO_RCVTIMEO");
}

/* read until EOF, an error or a timeout; returns the byte count, and the
 * error (0 at EOF) in *err
 */
static size_t read_all(int fd, uint8_t *buf, size_t max, int *err)
{
	size_t got = 0;
	ssize_t n;

	set_rcvtimeo(fd, 5);
	*err = 0;
	while (got < max) {
		n = recv(fd, buf + got, max - got, 0);
		if (n < 0) {
			*err = errno;
			break;
		}
		if (!n)
			break;
		got += n;
	}
	return got;
}

static void hex(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t i;

	out[0] = 0;
	for (i = 0; i < len && (i + 1) * 2 < outlen; i++)
		sprintf(out + i * 2, "%02x", p[i]);
}

/* compare what userspace read with what the remote sent */
static void check_stream(const char *step, const uint8_t *want, size_t wlen,
			 const uint8_t *got, size_t glen, int err)
{
	char a[512], b[512];

	if (!err && glen == wlen && !memcmp(want, got, wlen)) {
		ok("%s: read the %zu bytes the remote sent, then EOF", step,
		   wlen);
		return;
	}
	hex(want, wlen, a, sizeof(a));
	hex(got, glen, b, sizeof(b));
	not_ok("%s: read %zu bytes (%s) then %s, the remote sent %zu: %s",
	       step, glen, b, err ? strerror(err) : "EOF", wlen, a);
}

/* ---- race: the stream closes during NEW_PEER ---- */

struct closer {
	pthread_t th;
	atomic_int go;
	int fd;
	long long delay_ns;
	int rst;
};

static void *closer_main(void *arg)
{
	struct closer *c = arg;
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	long long t0;

	while (!atomic_load(&c->go))
		;
	t0 = now_ns();
	while (now_ns() - t0 < c->delay_ns)
		;
	if (c->rst)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(c->fd);
	return NULL;
}

static int race(int rounds)
{
	int lfd = listener(0), wl = -1, wr = -1, rl, rr, i, ret, reason;
	long long range = 400000, sum = 0, t0, dt;
	int refused = 0, window = 0, removed = 0, stuck = 0;
	struct nlx_err err;
	struct closer c;

	for (i = 0; i < rounds; i++) {
		if (wl < 0) {
			/* the working peer: (re)created after a replacement */
			tcp_pair(lfd, &wl, &wr, 0);
			ret = new_peer(1, wl, &err);
			if (ret) {
				not_ok("round %d: NEW_PEER of the working peer: %s: %s",
				       i, strerror(err.error), err.msg);
				return 1;
			}
			drain_notifs();
		}
		tcp_pair(lfd, &rl, &rr, 0);
		memset(&c, 0, sizeof(c));
		c.fd = rr;
		c.rst = i & 1;
		c.delay_ns = range * ((i / 2) % 16) / 16;
		if (pthread_create(&c.th, NULL, closer_main, &c))
			die("pthread_create");

		atomic_store(&c.go, 1);
		t0 = now_ns();
		ret = new_peer(2, rl, &err);
		dt = now_ns() - t0;
		pthread_join(c.th, NULL);
		sum += dt;
		range = 3 * sum / (2 * (i + 1));

		if (ret) {
			refused++;
			if (strstr(err.msg, "before the peer was added"))
				window++;
			if (ret != -ENOTCONN || !err.kernel || !err.msg[0])
				not_ok("round %d: NEW_PEER refused with errno %d extack \"%s\" (want ENOTCONN and a message)",
				       i, err.error, err.msg);
			if (get_peer(1))
				not_ok("round %d: the working peer 1 is gone after a refused NEW_PEER",
				       i);
		} else {
			/* peer 2 replaced peer 1; its stream is closed: it
			 * must be removed and userspace told
			 */
			close(wl);
			close(wr);
			wl = wr = -1;
			reason = wait_del(2, 3000);
			if (reason < 0 || !get_peer(2)) {
				stuck++;
				not_ok("round %d (%s after %lld us): peer 2 added on a closed stream is still there (DEL_PEER %s, GET_PEER %s)",
				       i, c.rst ? "RST" : "FIN",
				       c.delay_ns / 1000,
				       reason < 0 ? "never sent" : "sent",
				       get_peer(2) ? "ENOENT" : "finds it");
				del_peer(2, &err);
			} else if (reason != OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT) {
				not_ok("round %d: peer 2 removed with reason %d (want TRANSPORT_DISCONNECT)",
				       i, reason);
			} else {
				removed++;
			}
		}
		close(rl);
	}
	printf("rounds %d: NEW_PEER refused %d (%d in the takeover window), added then removed %d, left on a dead stream %d; NEW_PEER takes %lld us on average\n",
	       rounds, refused, window, removed, stuck,
	       sum / rounds / 1000);
	if (!stuck)
		ok("no peer left on a closed stream in %d rounds", rounds);
	if (wl >= 0) {
		close(wl);
		close(wr);
	}
	close(lfd);
	return 0;
}

/* ---- giveback: failed NEW_PEER and DEL_PEER keep the stream whole ---- */

static const uint8_t ctl1[] = { 0x00, 0x07, 0x38, 1, 2, 3, 4, 5, 6 };
static const uint8_t ctl2[] = { 0x00, 0x03, 0x28, 0xaa, 0xbb };
/* a data packet (P_DATA_V2, key 0, peer 7) with a 16-byte tag and body */
static const uint8_t data1[] = {
	0x00, 0x1c, 0x48, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3,
};
/* a control frame of 16 bytes, sent in two halves */
static const uint8_t ctl3[] = {
	0x00, 0x10, 0x38, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
#define CTL3_HALF 7

struct sent {
	uint8_t buf[256];
	size_t len;
};

static void send_rec(int fd, struct sent *s, const uint8_t *p, size_t len)
{
	write_all(fd, p, len);
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

static int giveback(void)
{
	int lfd = listener(0), xl, xr, yl, yr, rerr;
	struct sent s = { .len = 0 };
	uint8_t got[512];
	struct nlx_err err;
	size_t n;
	int ret;

	/* 1. NEW_PEER fails after the takeover: the id is taken */
	tcp_pair(lfd, &xl, &xr, 0);
	ret = new_peer(7, xl, &err);
	if (ret) {
		not_ok("NEW_PEER peer 7: %s: %s", strerror(err.error), err.msg);
		return 1;
	}
	tcp_pair(lfd, &yl, &yr, 0);
	send_rec(yr, &s, ctl1, sizeof(ctl1));
	send_rec(yr, &s, ctl2, sizeof(ctl2));
	send_rec(yr, &s, data1, sizeof(data1));
	send_rec(yr, &s, ctl3, CTL3_HALF);
	usleep(200000);
	ret = new_peer(7, yl, &err);
	if (ret == -EEXIST && err.msg[0])
		ok("NEW_PEER with a taken id fails after the takeover: errno %d extack \"%s\"",
		   err.error, err.msg);
	else
		not_ok("NEW_PEER with a taken id: errno %d extack \"%s\" (want EEXIST)",
		       ret ? err.error : 0, err.msg);
	/* give the kernel time to let the socket go, then the rest */
	usleep(200000);
	send_rec(yr, &s, ctl3 + CTL3_HALF, sizeof(ctl3) - CTL3_HALF);
	send_rec(yr, &s, ctl1, sizeof(ctl1));
	close(yr);
	n = read_all(yl, got, sizeof(got), &rerr);
	check_stream("failed NEW_PEER", s.buf, s.len, got, n, rerr);
	close(yl);

	/* 2. DEL_PEER with frames queued for userspace and half a frame in
	 * the parser
	 */
	s.len = 0;
	tcp_pair(lfd, &yl, &yr, 0);
	ret = new_peer(8, yl, &err);
	if (ret) {
		not_ok("NEW_PEER peer 8: %s: %s", strerror(err.error), err.msg);
		return 1;
	}
	send_rec(yr, &s, ctl1, sizeof(ctl1));
	send_rec(yr, &s, ctl2, sizeof(ctl2));
	send_rec(yr, &s, ctl3, CTL3_HALF);
	usleep(200000);
	ret = del_peer(8, &err);
	if (ret)
		not_ok("DEL_PEER peer 8: %s: %s", strerror(err.error), err.msg);
	send_rec(yr, &s, ctl3 + CTL3_HALF, sizeof(ctl3) - CTL3_HALF);
	/* after the removal a data frame is the stream's, not the kernel's */
	send_rec(yr, &s, data1, sizeof(data1));
	send_rec(yr, &s, ctl2, sizeof(ctl2));
	close(yr);
	n = read_all(yl, got, sizeof(got), &rerr);
	check_stream("DEL_PEER", s.buf, s.len, got, n, rerr);
	close(yl);

	/* 3. the same, read at once after DEL_PEER (before the release) */
	s.len = 0;
	tcp_pair(lfd, &yl, &yr, 0);
	ret = new_peer(9, yl, &err);
	if (ret) {
		not_ok("NEW_PEER peer 9: %s: %s", strerror(err.error), err.msg);
		return 1;
	}
	send_rec(yr, &s, ctl1, sizeof(ctl1));
	send_rec(yr, &s, ctl3, CTL3_HALF);
	usleep(200000);
	ret = del_peer(9, &err);
	if (ret)
		not_ok("DEL_PEER peer 9: %s: %s", strerror(err.error), err.msg);
	n = 0;
	set_rcvtimeo(yl, 5);
	while (n < sizeof(ctl1) + CTL3_HALF) {
		ssize_t r = recv(yl, got + n, sizeof(got) - n, 0);

		if (r <= 0)
			break;
		n += r;
	}
	send_rec(yr, &s, ctl3 + CTL3_HALF, sizeof(ctl3) - CTL3_HALF);
	close(yr);
	n += read_all(yl, got + n, sizeof(got) - n, &rerr);
	check_stream("DEL_PEER, read at once", s.buf, s.len, got, n, rerr);
	close(yl);

	close(xl);
	close(xr);
	close(lfd);
	return 0;
}

/* ---- flood: control frames while userspace does not read ---- */

#define FLOOD_LEN 1000

static void flood_frame(uint8_t *f, uint32_t i)
{
	int k;

	f[0] = (FLOOD_LEN - 2) >> 8;
	f[1] = (FLOOD_LEN - 2) & 0xff;
	f[2] = 0x38;	/* P_CONTROL_HARD_RESET_CLIENT_V2, key 0 */
	memcpy(f + 3, &i, 4);
	for (k = 7; k < FLOOD_LEN; k++)
		f[k] = i + k;
}

/* the remote's writer once the stream pushed back: from byte @off of
 * frame @from (the frame it was in the middle of) to frame @to
 */
struct writer {
	pthread_t th;
	int fd;
	uint32_t from, to;
	size_t off;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	uint8_t f[FLOOD_LEN];
	int fl = fcntl(w->fd, F_GETFL);

	fcntl(w->fd, F_SETFL, fl & ~O_NONBLOCK);
	for (; w->from < w->to; w->from++) {
		flood_frame(f, w->from);
		write_all(w->fd, f + w->off, sizeof(f) - w->off);
		w->off = 0;
	}
	return NULL;
}

static int flood(uint32_t frames)
{
	int lfd = listener(65536), l, r, rerr = 0;
	size_t accepted = 0, limit = 1536 * 1024;
	uint8_t f[FLOOD_LEN], g[FLOOD_LEN];
	struct pollfd p;
	struct nlx_err err;
	struct writer w;
	uint32_t i, bad = 0;
	size_t off;
	ssize_t n;

	tcp_pair(lfd, &l, &r, 65536);
	if (new_peer(1, l, &err)) {
		not_ok("NEW_PEER: %s: %s", strerror(err.error), err.msg);
		return 1;
	}
	if (fcntl(r, F_SETFL, O_NONBLOCK))
		die("O_NONBLOCK");
	/* write until the stream pushes back for half a second */
	off = 0;
	for (i = 0; i < frames;) {
		flood_frame(f, i);
		n = write(r, f + off, sizeof(f) - off);
		if (n > 0) {
			accepted += n;
			off += n;
			if (off == sizeof(f)) {
				off = 0;
				i++;
			}
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			die("write");
		p.fd = r;
		p.events = POLLOUT;
		if (poll(&p, 1, 500) == 0)
			break;
	}
	printf("the remote wrote %zu bytes (%u whole frames) before the stream pushed back\n",
	       accepted, i);
	if (i < frames && accepted <= limit)
		ok("an unread flood is held back: %zu bytes accepted of %zu",
		   accepted, (size_t)frames * FLOOD_LEN);
	else
		not_ok("an unread flood was taken in: %zu bytes accepted (bound %zu), %u of %u frames",
		       accepted, limit, i, frames);

	/* the rest of the frame in progress, then the others, while
	 * userspace reads: the remote's send buffer is full, so no write can
	 * be finished before the reader runs
	 */
	w.fd = r;
	w.from = i;
	w.to = frames;
	w.off = off;
	if (pthread_create(&w.th, NULL, writer_main, &w))
		die("pthread_create");

	set_rcvtimeo(l, 10);
	for (i = 0; i < frames; i++) {
		off = 0;
		while (off < sizeof(g)) {
			n = recv(l, g + off, sizeof(g) - off, 0);
			if (n <= 0) {
				rerr = n < 0 ? errno : 0;
				break;
			}
			off += n;
		}
		if (off < sizeof(g))
			break;
		flood_frame(f, i);
		if (memcmp(f, g, sizeof(f)) && !bad++)
			not_ok("frame %u read out of order or altered", i);
	}
	pthread_join(w.th, NULL);
	if (i == frames && !bad)
		ok("userspace read all %u frames in order", frames);
	else if (i < frames)
		not_ok("userspace read %u of %u frames (then %s)", i, frames,
		       rerr ? strerror(rerr) : "nothing");
	close(r);
	close(l);
	close(lfd);
	return 0;
}

/* ---- blockedread: a plain reader blocked through our operations ---- */

struct reader {
	pthread_t th;
	int fd;
	char buf[64];
	ssize_t n;
	int err;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;

	rd->n = recv(rd->fd, rd->buf, sizeof(rd->buf), 0);
	rd->err = rd->n < 0 ? errno : 0;
	return NULL;
}

static int blockedread(const char *go)
{
	int waited;
	int lfd = listener(0), l, r;
	struct nlx_err err;
	struct reader rd;

	tcp_pair(lfd, &l, &r, 0);
	if (new_peer(10, l, &err)) {
		not_ok("NEW_PEER peer 10: %s: %s", strerror(err.error), err.msg);
		return 1;
	}
	memset(&rd, 0, sizeof(rd));
	rd.fd = l;
	if (pthread_create(&rd.th, NULL, reader_main, &rd))
		die("pthread_create");
	usleep(200000);
	if (del_peer(10, &err))
		not_ok("DEL_PEER peer 10: %s: %s", strerror(err.error), err.msg);
	/* the peer's release gives the socket its own operations back */
	usleep(500000);
	printf("blocked\n");
	for (waited = 0; access(go, F_OK) && waited < 6000; waited++)
		usleep(10000);
	write_all(r, "hello", 5);
	pthread_join(rd.th, NULL);
	if (rd.n == 5 && !memcmp(rd.buf, "hello", 5))
		ok("the reader blocked across DEL_PEER got the 5 bytes written after it");
	else
		not_ok("the reader blocked across DEL_PEER got %zd bytes (%s)",
		       rd.n, rd.err ? strerror(rd.err) : "no error");
	close(l);
	close(r);
	close(lfd);
	return 0;
}

/* ---- badsock: protocol 6, not TCP/IP ---- */

static void bad_one(const char *what, int fd)
{
	struct nlx_err err;
	int ret;

	if (fd < 0) {
		not_ok("%s: socket: %s", what, strerror(errno));
		return;
	}
	ret = new_peer(3, fd, &err);
	if (ret == -EOPNOTSUPP && err.kernel && err.msg[0])
		ok("NEW_PEER with %s: errno %d extack \"%s\"", what, err.error,
		   err.msg);
	else
		not_ok("NEW_PEER with %s: errno %d extack \"%s\" (want EOPNOTSUPP and a message)",
		       what, ret ? err.error : 0, err.msg);
	close(fd);
}

static int badsock(void)
{
	int fd;

	bad_one("an AF_PACKET socket of protocol 6",
		socket(AF_PACKET, SOCK_DGRAM, htons(0x0600)));
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_XFRM);
	if (fd >= 0 || errno != EPROTONOSUPPORT)
		bad_one("a NETLINK_XFRM (6) socket", fd);
	else	/* no xfrm_user in this kernel: any netlink socket */
		bad_one("a NETLINK_GENERIC socket (no NETLINK_XFRM here)",
			socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC));
	bad_one("a raw IPPROTO_TCP socket",
		socket(AF_INET, SOCK_RAW, IPPROTO_TCP));
	return 0;
}

int main(int argc, char **argv)
{
	struct nlx_err err;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
usage:
		fprintf(stderr,
			"usage: tcpstream race <iface> <rounds> | giveback <iface> | flood <iface> <frames> | blockedread <iface> <go-file> | badsock <iface>\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex)
		die(argv[2]);
	if (ovpn_nl_open(&nl, &err) || ovpn_nl_open_mcast(&mc, &err)) {
		fprintf(stderr, "tcpstream: %s\n", err.msg);
		return 1;
	}

	if (!strcmp(argv[1], "race") && argc == 4)
		ret = race(atoi(argv[3]));
	else if (!strcmp(argv[1], "giveback") && argc == 3)
		ret = giveback();
	else if (!strcmp(argv[1], "flood") && argc == 4)
		ret = flood(atoi(argv[3]));
	else if (!strcmp(argv[1], "blockedread") && argc == 4)
		ret = blockedread(argv[3]);
	else if (!strcmp(argv[1], "badsock") && argc == 3)
		ret = badsock();
	else
		goto usage;

	ovpn_nl_close(&mc);
	ovpn_nl_close(&nl);
	printf("%d passed, %d failed\n", passed, failed);
	return ret || failed ? 1 : 0;
}
