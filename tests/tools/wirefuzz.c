// SPDX-License-Identifier: GPL-2.0-only
/*
 * wirefuzz: random and mutated packets at an ovpn-dco device's transport.
 *
 * usage:
 *   wirefuzz udp --to IP:PORT --from IP:PORT --peer-id N [--key-id K]
 *                [--capture IFNAME] [--class NAME] [--seed N] [--count N]
 *   wirefuzz tcp --to IP:PORT --key FILE --dir D --inner SRC:DST
 *                [--go FILE] [--done FILE] [--class NAME] [--seed N]
 *                [--count N] [--garbage BYTES]
 *
 * Classes of packets (--class picks one, default: a random class for each):
 *   random     random bytes, 0 to 1500 of them
 *   truncated  a data header (opcode P_DATA_V2) cut to 1..23 bytes
 *   oversized  a data header and 1500..9000 bytes (UDP: IP fragments;
 *              TCP: frames up to 65535 bytes)
 *   opcode     a data-sized packet with another opcode (the control channel
 *              gets these: the kernel hands them to userspace)
 *   peer       a data packet for an unknown peer id
 *   keyid      the live peer id with a key id it has no key for
 *   badtag     the live peer and key id, a random packet id and tag
 *   replay     UDP: genuine packets captured on --capture (a packet socket)
 *              sent again, as they were or with one bit flipped; TCP: a
 *              genuine packet made with the key, sent twice
 * Every packet is sent from one socket (UDP: bound to --from). Each class
 * is counted: "class NAME sent N data N" where "data" is how many were
 * data packets the kernel must drop and count (opcode P_DATA_V2, not the
 * first copy of a genuine TCP packet). UDP sending is paced so that the
 * receiver's backlog does not overflow: every data packet must reach it.
 *
 * udp: --capture IFNAME captures for one second before sending (the tunnel
 * must carry traffic towards --to then), keeping up to 256 data packets.
 *
 * tcp: connects to --to (the listening side of a one-shot TCP tunnel, which
 * takes the connection as its peer's), waits for --go FILE to exist (the
 * device owns the socket then), sends --count frames, then checks the
 * tunnel still works through the fuzzed stream: a genuine ICMP echo request
 * (key FILE, direction D, inner SRC -> DST) must be answered ("tunnel ok
 * replies N", exit 1 if none within 5 s). Genuine packets sent during the
 * run are answered too ("echo-replies N"). --garbage BYTES then writes that
 * many random bytes into the stream (garbage length prefixes). With --done,
 * the connection stays open after the last line until FILE exists (at most
 * 60 s): the device's counters can be read before its peer goes away.
 *
 * Last line: "total sent N data N control N" (+ " replies N" for tcp).
 * Exit status 0 on success, 1 on a failure, 2 on a usage error.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/gcm.h>

#include "keyfile.h"
#include "toolutil.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define OP_DATA_V2	9
#define HDR_LEN		8
#define TAG_LEN		16
#define DATA_HDR_LEN	(HDR_LEN + TAG_LEN)
#define NONCE_LEN	12
#define MAX_CAPS	256
#define PKT_MAX		65535
#define ICMP_ID		0x6657
#define INNER_LEN	(20 + 8 + 32)

enum cls { C_RANDOM, C_TRUNCATED, C_OVERSIZED, C_OPCODE, C_PEER, C_KEYID,
	   C_BADTAG, C_REPLAY, C_NUM };

static const char *const cls_names[C_NUM] = {
	"random", "truncated", "oversized", "opcode", "peer", "keyid",
	"badtag", "replay",
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct cap {
	uint16_t len;
	uint8_t data[2048];
};

struct ctx {
	bool tcp;
	int fd;
	uint32_t peer_id;
	uint8_t key_id;
	int only;		/* -1: every class */
	/* udp */
	struct cap *caps;
	int ncaps;
	/* tcp */
	struct key_material km;
	bool have_key;
	struct in_addr isrc, idst;
	uint32_t pktid;
	uint8_t rbuf[1 << 17];
	size_t rlen;
	unsigned long replies;
	uint16_t want_seq;	/* the echo reply the final check waits for */
	bool want_seen;
	/* counters */
	unsigned long sent[C_NUM], data[C_NUM], control;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void usage(const char *msg)
{
	fprintf(stderr, "wirefuzz: %s\n"
		"usage: wirefuzz udp --to IP:PORT --from IP:PORT --peer-id N [--key-id K]\n"
		"                    [--capture IFNAME] [--class NAME] [--seed N] [--count N]\n"
		"       wirefuzz tcp --to IP:PORT --key FILE --dir D --inner SRC:DST\n"
		"                    [--go FILE] [--done FILE] [--class NAME] [--seed N] [--count N]\n"
		"                    [--garbage BYTES]\n",
		msg);
	exit(2);
}

static void parse_addr(const char *s, struct sockaddr_in *sin)
{
	char buf[64], *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strrchr(buf, ':');
	if (!colon)
		usage("an address is IPv4:PORT");
	*colon = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
		usage("an address is IPv4:PORT");
}

/* ------------------------------------------------------------ genuine data */

/* a genuine P_DATA_V2 packet carrying an ICMP echo request; returns its length */
static size_t genuine(struct ctx *c, uint8_t *pkt)
{
	uint8_t inner[INNER_LEN], iv[NONCE_LEN], *icmp = inner + 20;
	uint32_t id = ++c->pktid;
	mbedtls_gcm_context gcm;
	size_t i;
	int ret;

	memset(inner, 0, sizeof(inner));
	inner[0] = 0x45;
	put16(inner + 2, INNER_LEN);
	put16(inner + 4, id);
	inner[8] = 64;
	inner[9] = IPPROTO_ICMP;
	memcpy(inner + 12, &c->isrc, 4);
	memcpy(inner + 16, &c->idst, 4);
	put16(inner + 10, csum(inner, 20));
	icmp[0] = 8;
	put16(icmp + 4, ICMP_ID);
	put16(icmp + 6, id);
	for (i = 8; i < INNER_LEN - 20; i++)
		icmp[i] = 'f' + i % 20;
	put16(icmp + 2, csum(icmp, INNER_LEN - 20));

	pkt[0] = (OP_DATA_V2 << 3) | c->key_id;
	pkt[1] = c->peer_id >> 16;
	pkt[2] = c->peer_id >> 8;
	pkt[3] = c->peer_id;
	pkt[4] = id >> 24;
	pkt[5] = id >> 16;
	pkt[6] = id >> 8;
	pkt[7] = id;
	memcpy(iv, pkt + 4, 4);
	memcpy(iv + 4, c->km.nonce_tail, KEYFILE_NONCE_TAIL_LEN);
	mbedtls_gcm_init(&gcm);
	ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, c->km.encrypt_key,
				 256) ?:
	      mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, INNER_LEN, iv,
					NONCE_LEN, pkt, HDR_LEN, inner,
					pkt + DATA_HDR_LEN, TAG_LEN,
					pkt + HDR_LEN);
	mbedtls_gcm_free(&gcm);
	if (ret) {
		fprintf(stderr, "wirefuzz: AES-GCM failed (%d)\n", ret);
		exit(1);
	}
	return DATA_HDR_LEN + INNER_LEN;
}

/* is this frame payload from the device an echo reply to us? */
static bool is_echo_reply(struct ctx *c, const uint8_t *p, size_t len)
{
	uint8_t plain[2048], iv[NONCE_LEN];
	mbedtls_gcm_context gcm;
	size_t tlen;
	int ret;

	if (len < DATA_HDR_LEN + 28 || (p[0] >> 3) != OP_DATA_V2 ||
	    len - DATA_HDR_LEN > sizeof(plain))
		return false;
	tlen = len - DATA_HDR_LEN;
	memcpy(iv, p + 4, 4);
	memcpy(iv + 4, c->km.nonce_tail, KEYFILE_NONCE_TAIL_LEN);
	mbedtls_gcm_init(&gcm);
	ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, c->km.decrypt_key,
				 256) ?:
	      mbedtls_gcm_auth_decrypt(&gcm, tlen, iv, NONCE_LEN, p, HDR_LEN,
				       p + HDR_LEN, TAG_LEN, p + DATA_HDR_LEN,
				       plain);
	mbedtls_gcm_free(&gcm);
	if (ret || plain[9] != IPPROTO_ICMP || plain[20] != 0 ||
	    ((plain[24] << 8) | plain[25]) != ICMP_ID)
		return false;
	if (((plain[26] << 8) | plain[27]) == c->want_seq)
		c->want_seen = true;
	return true;
}

/* TCP: read what the device sent, count echo replies among its frames */
static void drain(struct ctx *c)
{
	size_t off = 0, flen;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen,
			 MSG_DONTWAIT);
		if (n <= 0)
			break;
		c->rlen += n;
		off = 0;
		while (c->rlen - off >= 2) {
			flen = (c->rbuf[off] << 8) | c->rbuf[off + 1];
			if (c->rlen - off < 2 + flen)
				break;
			if (is_echo_reply(c, c->rbuf + off + 2, flen))
				c->replies++;
			off += 2 + flen;
		}
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

/* --------------------------------------------------------------- packets */

static void data_hdr(struct ctx *c, uint8_t *p, uint32_t peer_id, uint8_t key_id)
{
	p[0] = (OP_DATA_V2 << 3) | (key_id & 7);
	p[1] = peer_id >> 16;
	p[2] = peer_id >> 8;
	p[3] = peer_id;
	(void)c;
}

/* build one packet of class @k in @p; returns its length */
static size_t build(struct ctx *c, int k, uint8_t *p, bool *twice)
{
	size_t len;
	uint32_t id;
	struct cap *cp;

	*twice = false;
	switch (k) {
	case C_RANDOM:
		len = below(4) ? below(1501) : below(64);
		rnd_fill(p, len);
		return len;
	case C_TRUNCATED:
		len = 1 + below(DATA_HDR_LEN - 1);
		rnd_fill(p, len);
		data_hdr(c, p, below(2) ? c->peer_id : rnd(), c->key_id);
		return len;
	case C_OVERSIZED:
		len = c->tcp ? 1500 + below(PKT_MAX - 1500 - 2) :
		      1500 + below(7501);
		rnd_fill(p, len);
		data_hdr(c, p, c->peer_id, c->key_id);
		return len;
	case C_OPCODE:
		len = 1 + below(200);
		rnd_fill(p, len);
		do
			p[0] = rnd();
		while ((p[0] >> 3) == OP_DATA_V2);
		return len;
	case C_PEER:
		len = DATA_HDR_LEN + below(1400);
		rnd_fill(p, len);
		do
			id = below(2) ? below(64) : rnd() & 0xffffff;
		while (id == c->peer_id);
		/* TCP ignores the id: the peer is the connection's */
		data_hdr(c, p, id, c->key_id);
		return len;
	case C_KEYID:
		len = DATA_HDR_LEN + below(1400);
		rnd_fill(p, len);
		data_hdr(c, p, c->peer_id, (c->key_id + 1 + below(7)) & 7);
		return len;
	case C_BADTAG:
		len = DATA_HDR_LEN + below(1400);
		rnd_fill(p, len);
		data_hdr(c, p, c->peer_id, c->key_id);
		return len;
	default:	/* C_REPLAY */
		if (c->tcp) {
			*twice = true;
			return genuine(c, p);
		}
		if (!c->ncaps)
			return build(c, C_BADTAG, p, twice);
		cp = &c->caps[below(c->ncaps)];
		memcpy(p, cp->data, cp->len);
		len = cp->len;
		if (below(3) == 0)	/* one bit flipped past the opcode byte */
			p[1 + below(len - 1)] ^= 1 << below(8);
		return len;
	}
}

static bool is_data(const uint8_t *p, size_t len)
{
	return len >= 1 && (p[0] >> 3) == OP_DATA_V2;
}

static void send_udp(struct ctx *c, const uint8_t *p, size_t len)
{
	while (send(c->fd, p, len, 0) < 0) {
		if (errno == ECONNREFUSED || errno == EINTR)
			continue;	/* an ICMP error from an earlier one */
		if (errno == ENOBUFS || errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		die("wirefuzz: send");
	}
}

/* returns -1 when the device closed or reset the stream */
static int write_all(struct ctx *c, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT | POLLIN };

		n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		/* the device may be writing to us: read while we wait */
		drain(c);
		poll(&pfd, 1, 100);
	}
	return 0;
}

static void send_frame(struct ctx *c, const uint8_t *p, size_t len)
{
	uint8_t pfx[2] = { len >> 8, len };

	if (write_all(c, pfx, 2) || write_all(c, p, len))
		die("wirefuzz: tcp send");
}

/* ----------------------------------------------------------------- capture */

static void capture(struct ctx *c, const char *ifname,
		    const struct sockaddr_in *to)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	static uint8_t buf[65536];
	long long end = mono_ms() + 1000;
	int fd;

	c->caps = calloc(MAX_CAPS, sizeof(*c->caps));
	if (!c->caps)
		die("wirefuzz: calloc");
	/* ETH_P_ALL: protocol-specific packet sockets see no outgoing packets */
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd < 0)
		die("wirefuzz: packet socket");
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("wirefuzz: capture interface");
	while (mono_ms() < end && c->ncaps < MAX_CAPS) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n;
		size_t ihl;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 28 || from.sll_protocol != htons(ETH_P_IP) ||
		    (buf[0] >> 4) != 4 || buf[9] != IPPROTO_UDP)
			continue;
		ihl = (buf[0] & 15) * 4;
		if ((size_t)n < ihl + 8 + DATA_HDR_LEN ||
		    memcmp(buf + 16, &to->sin_addr, 4) ||
		    memcmp(buf + ihl + 2, &to->sin_port, 2) ||
		    (buf[ihl + 8] >> 3) != OP_DATA_V2 ||
		    n - ihl - 8 > sizeof(c->caps[0].data))
			continue;
		c->caps[c->ncaps].len = n - ihl - 8;
		memcpy(c->caps[c->ncaps].data, buf + ihl + 8, n - ihl - 8);
		c->ncaps++;
	}
	close(fd);
	printf("captured genuine %d packets on %s\n", c->ncaps, ifname);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	const char *to_s = NULL, *from_s = NULL, *cap_if = NULL, *key = NULL,
		   *go = NULL, *inner = NULL, *done = NULL;
	static uint8_t pkt[PKT_MAX];
	static struct ctx c;
	unsigned long count = 20000, garbage = 0, i, sent = 0, data = 0;
	struct sockaddr_in to, from;
	uint64_t seed = 1;
	int a, dir = -1, k;
	bool twice;
	size_t len;

	if (argc < 2)
		usage("udp or tcp?");
	if (!strcmp(argv[1], "tcp"))
		c.tcp = true;
	else if (strcmp(argv[1], "udp"))
		usage("udp or tcp?");
	c.only = -1;
	for (a = 2; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!v)
			usage("option without a value");
		a++;
		if (!strcmp(o, "--to"))
			to_s = v;
		else if (!strcmp(o, "--from"))
			from_s = v;
		else if (!strcmp(o, "--peer-id"))
			c.peer_id = strtoul(v, NULL, 0) & 0xffffff;
		else if (!strcmp(o, "--key-id"))
			c.key_id = strtoul(v, NULL, 0) & 7;
		else if (!strcmp(o, "--capture"))
			cap_if = v;
		else if (!strcmp(o, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(o, "--count"))
			count = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--garbage"))
			garbage = strtoul(v, NULL, 0);
		else if (!strcmp(o, "--key"))
			key = v;
		else if (!strcmp(o, "--dir"))
			dir = atoi(v);
		else if (!strcmp(o, "--go"))
			go = v;
		else if (!strcmp(o, "--done"))
			done = v;
		else if (!strcmp(o, "--inner"))
			inner = v;
		else if (!strcmp(o, "--class")) {
			for (k = 0; k < C_NUM; k++)
				if (!strcmp(v, cls_names[k]))
					c.only = k;
			if (c.only < 0)
				usage("unknown class");
		} else {
			usage("unknown option");
		}
	}
	if (!to_s)
		usage("--to is required");
	parse_addr(to_s, &to);
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 7;

	if (c.tcp) {
		char err[256], buf[64], *colon;

		if (!key || (dir != 0 && dir != 1) || !inner)
			usage("tcp needs --key, --dir and --inner");
		if (keyfile_load(key, dir, &c.km, err, sizeof(err))) {
			fprintf(stderr, "wirefuzz: %s\n", err);
			return 1;
		}
		snprintf(buf, sizeof(buf), "%s", inner);
		colon = strchr(buf, ':');
		if (!colon)
			usage("--inner SRC:DST");
		*colon = '\0';
		if (inet_pton(AF_INET, buf, &c.isrc) != 1 ||
		    inet_pton(AF_INET, colon + 1, &c.idst) != 1)
			usage("--inner SRC:DST (IPv4)");
		c.pktid = 1000;
		c.fd = socket(AF_INET, SOCK_STREAM, 0);
		if (c.fd < 0)
			die("wirefuzz: socket");
		for (i = 0; connect(c.fd, (struct sockaddr *)&to, sizeof(to)); i++) {
			if (i > 100)
				die("wirefuzz: connect");
			usleep(100000);
		}
		printf("connected\n");
		fflush(stdout);
		for (i = 0; go; i++) {
			struct stat st;

			if (!stat(go, &st))
				break;
			if (i > 300) {
				fprintf(stderr, "wirefuzz: %s never appeared\n", go);
				return 1;
			}
			usleep(100000);
		}
	} else {
		if (!from_s)
			usage("udp needs --from");
		parse_addr(from_s, &from);
		if (cap_if)
			capture(&c, cap_if, &to);
		c.fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (c.fd < 0 ||
		    bind(c.fd, (struct sockaddr *)&from, sizeof(from)) ||
		    connect(c.fd, (struct sockaddr *)&to, sizeof(to)))
			die("wirefuzz: udp socket");
	}

	for (i = 0; i < count; i++) {
		k = c.only >= 0 ? c.only : (int)below(C_NUM);
		/* the control channel gets few: userspace reads them one by one */
		if (k == C_OPCODE && c.only < 0 && below(4))
			k = C_BADTAG;
		if (k == C_RANDOM && c.tcp && c.only < 0 && below(2))
			k = C_BADTAG;
		len = build(&c, k, pkt, &twice);
		if (c.tcp) {
			if (!len)
				pkt[len++] = rnd() | 1; /* a zero length breaks the stream */
			send_frame(&c, pkt, len);
			if (twice)
				send_frame(&c, pkt, len);
			if (!(i & 7))
				drain(&c);
		} else {
			send_udp(&c, pkt, len);
			/* pace: the receiver decrypts in softirq on 2 slow CPUs */
			if (!(i & 31))
				usleep(len > 1500 || k == C_OVERSIZED ? 4000 : 1500);
		}
		c.sent[k] += 1 + twice;
		/* of a genuine packet sent twice, the copy is the drop */
		if (is_data(pkt, len))
			c.data[k]++;
		else
			c.control++;
	}

	for (k = 0; k < C_NUM; k++) {
		if (!c.sent[k])
			continue;
		printf("class %s sent %lu data %lu\n", cls_names[k], c.sent[k],
		       c.data[k]);
		sent += c.sent[k];
		data += c.data[k];
	}

	if (c.tcp) {
		long long end, quiet = mono_ms() + 1000;
		unsigned long before;

		/* the genuine packets sent during the run: answered? The device
		 * may still be working through what we sent: wait until it has
		 * been quiet for a second (at most 30 s).
		 */
		end = mono_ms() + 30000;
		while (mono_ms() < quiet && mono_ms() < end) {
			struct pollfd pfd = { .fd = c.fd, .events = POLLIN };

			before = c.replies;
			poll(&pfd, 1, 100);
			drain(&c);
			if (c.replies != before)
				quiet = mono_ms() + 1000;
		}
		printf("echo-replies %lu\n", c.replies);
		before = c.replies;
		len = genuine(&c, pkt);
		c.want_seq = c.pktid & 0xffff;
		c.want_seen = false;
		send_frame(&c, pkt, len);
		end = mono_ms() + 5000;
		while (!c.want_seen && mono_ms() < end) {
			struct pollfd pfd = { .fd = c.fd, .events = POLLIN };

			poll(&pfd, 1, 100);
			drain(&c);
		}
		printf("tunnel %s replies %lu\n", c.want_seen ? "ok" : "BROKEN",
		       c.replies - before);
		if (garbage) {
			unsigned long g = garbage;

			while (g) {
				size_t n = g < sizeof(pkt) ? g : sizeof(pkt);

				rnd_fill(pkt, n);
				if (write_all(&c, pkt, n)) {
					printf("garbage: the device closed the stream (%s)\n",
					       strerror(errno));
					break;
				}
				g -= n;
			}
			printf("garbage %lu bytes\n", garbage - g);
		}
		printf("total sent %lu data %lu control %lu replies %lu\n", sent,
		       data, c.control, c.replies);
		fflush(stdout);
		for (i = 0; done && i < 600; i++) {
			struct stat st;

			if (!stat(done, &st))
				break;
			drain(&c);
			usleep(100000);
		}
		return c.want_seen ? 0 : 1;
	}
	printf("total sent %lu data %lu control %lu\n", sent, data, c.control);
	return 0;
}
