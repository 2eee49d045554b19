// SPDX-License-Identifier: GPL-2.0-only
/*
 * dataforge: send one hand-made ovpn data packet (P_DATA_V2, AES-256-GCM)
 * carrying an ICMP echo request, with any peer id (0xFFFFFF included),
 * packet id and source, and optionally wait for the encrypted echo reply.
 * It plays a client whose packets the one-shot CLI cannot make, e.g. with
 * the undefined peer id that makes the kernel look the peer up by its
 * transport address.
 *
 * usage: dataforge <key-file> <direction> <local-ip> <local-port>
 *                  <remote-ip> <remote-port> <peer-id|undef> <packet-id>
 *                  <inner-src> <inner-dst> [--key-id K] [--wait SECS]
 *
 * Prints "sent <len> bytes peer-id <id> key-id <k> packet-id <n> from
 * <addr:port> to <addr:port>". With --wait, every datagram received on the
 * socket is reported as "reply from <addr:port> peer-id <id> key-id <k>
 * packet-id <n> inner <src> -> <dst> proto <p> icmp-type <t>" (or
 * "undecryptable from <addr:port> <len> bytes", "keepalive from ..."), until
 * an ICMP echo reply to the request arrives (exit 0) or SECS pass ("no reply",
 * exit 1). Exit status 2: usage error; 1: any other failure.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/gcm.h>

#include "keyfile.h"
#include "util.h"
#include "toolutil.h"

#define HDR_LEN		8	/* opcode/key id, peer id, packet id */
#define TAG_LEN		16
#define NONCE_LEN	12
#define OP_DATA_V2	9
#define PEER_ID_UNDEF	0xFFFFFFU
#define ICMP_ID		0x4f56
#define INNER_LEN	(20 + 8 + 32)	/* IPv4 + ICMP header + payload */

static const uint8_t keepalive_magic[16] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
};

/* an IPv4 ICMP echo request from @src to @dst */
static void build_inner(uint8_t *p, struct in_addr src, struct in_addr dst,
			uint16_t seq)
{
	uint8_t *icmp = p + 20;
	size_t i;

	memset(p, 0, INNER_LEN);
	p[0] = 0x45;
	put16(p + 2, INNER_LEN);
	put16(p + 4, seq);		/* IP id */
	p[8] = 64;			/* TTL */
	p[9] = IPPROTO_ICMP;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	put16(p + 10, csum(p, 20));

	icmp[0] = 8;			/* echo request */
	put16(icmp + 4, ICMP_ID);
	put16(icmp + 6, seq);
	for (i = 8; i < INNER_LEN - 20; i++)
		icmp[i] = 'a' + i % 26;
	put16(icmp + 2, csum(icmp, INNER_LEN - 20));
}

static void nonce(uint8_t *n, const uint8_t *pktid, const uint8_t *tail)
{
	memcpy(n, pktid, 4);
	memcpy(n + 4, tail, KEYFILE_NONCE_TAIL_LEN);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn)) usage(const char *msg)
{
	fprintf(stderr,
		"dataforge: %s\n"
		"usage: dataforge <key-file> <direction> <local-ip> <local-port> <remote-ip> <remote-port>\n"
		"                 <peer-id|undef> <packet-id> <inner-src> <inner-dst> [--key-id K] [--wait SECS]\n",
		msg);
	exit(2);
}

/* report one received datagram; returns 1 if it is the echo reply */
static int on_reply(const uint8_t *buf, ssize_t n, const char *from,
		    const struct key_material *km, uint16_t seq)
{
	uint8_t plain[2048], iv[NONCE_LEN];
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	mbedtls_gcm_context gcm;
	size_t len;
	int ret;

	if (n < HDR_LEN + TAG_LEN || (buf[0] >> 3) != OP_DATA_V2 ||
	    (size_t)n - HDR_LEN - TAG_LEN > sizeof(plain)) {
		printf("undecryptable from %s %zd bytes\n", from, n);
		return 0;
	}
	len = n - HDR_LEN - TAG_LEN;
	nonce(iv, buf + 4, km->nonce_tail);
	mbedtls_gcm_init(&gcm);
	ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, km->decrypt_key,
				 256) ?:
	      mbedtls_gcm_auth_decrypt(&gcm, len, iv, NONCE_LEN, buf, HDR_LEN,
				       buf + HDR_LEN, TAG_LEN,
				       buf + HDR_LEN + TAG_LEN, plain);
	mbedtls_gcm_free(&gcm);
	if (ret) {
		printf("undecryptable from %s %zd bytes\n", from, n);
		return 0;
	}
	if (len == sizeof(keepalive_magic) &&
	    !memcmp(plain, keepalive_magic, len)) {
		printf("keepalive from %s\n", from);
		return 0;
	}
	if (len < 28 || (plain[0] >> 4) != 4) {
		printf("reply from %s %zu bytes, not IPv4\n", from, len);
		return 0;
	}
	inet_ntop(AF_INET, plain + 12, s, sizeof(s));
	inet_ntop(AF_INET, plain + 16, d, sizeof(d));
	printf("reply from %s peer-id %u key-id %u packet-id %u inner %s -> %s proto %u icmp-type %u\n",
	       from, (buf[1] << 16) | (buf[2] << 8) | buf[3], buf[0] & 7,
	       (unsigned int)((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]),
	       s, d, plain[9], plain[9] == IPPROTO_ICMP ? plain[20] : 0);
	return plain[9] == IPPROTO_ICMP && plain[20] == 0 &&
	       ((plain[24] << 8) | plain[25]) == ICMP_ID &&
	       ((plain[26] << 8) | plain[27]) == seq;
}

int main(int argc, char **argv)
{
	uint8_t pkt[HDR_LEN + TAG_LEN + INNER_LEN], inner[INNER_LEN];
	uint8_t iv[NONCE_LEN];
	char err[512], a1[INET6_ADDRSTRLEN + 16], a2[INET6_ADDRSTRLEN + 16];
	struct ip_addr local, remote, isrc, idst;
	struct sockaddr_storage rss;
	struct key_material km;
	mbedtls_gcm_context gcm;
	uint32_t peer_id, pktid, wait = 0, key_id = 0;
	uint16_t lport, rport;
	char *pos[10];
	int npos = 0, dir, fd, i, ret;
	socklen_t rlen;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--key-id") && i + 1 < argc) {
			if (!parse_u32(argv[++i], &key_id) || key_id > 7)
				usage("invalid --key-id");
		} else if (!strcmp(argv[i], "--wait") && i + 1 < argc) {
			if (!parse_u32(argv[++i], &wait))
				usage("invalid --wait");
		} else if (!strncmp(argv[i], "--", 2)) {
			usage("unknown option");
		} else if (npos < 10) {
			pos[npos++] = argv[i];
		} else {
			usage("too many arguments");
		}
	}
	if (npos != 10)
		usage("10 arguments needed");
	if (!parse_direction(pos[1], &dir))
		usage("invalid direction");
	if (!parse_ip(pos[2], &local) || !parse_port(pos[3], &lport))
		usage("invalid local address or port");
	if (!parse_ip(pos[4], &remote) || remote.family != local.family ||
	    !parse_port(pos[5], &rport))
		usage("invalid remote address or port");
	if (!strcmp(pos[6], "undef"))
		peer_id = PEER_ID_UNDEF;
	else if (!parse_u32(pos[6], &peer_id) || peer_id > PEER_ID_UNDEF)
		usage("invalid peer id");
	if (!parse_u32(pos[7], &pktid))
		usage("invalid packet id");
	if (!parse_ip(pos[8], &isrc) || isrc.family != AF_INET ||
	    !parse_ip(pos[9], &idst) || idst.family != AF_INET)
		usage("inner addresses must be IPv4");

	if (keyfile_load(pos[0], dir, &km, err, sizeof(err))) {
		fprintf(stderr, "dataforge: %s\n", err);
		return 1;
	}

	pkt[0] = (OP_DATA_V2 << 3) | key_id;
	pkt[1] = peer_id >> 16;
	pkt[2] = peer_id >> 8;
	pkt[3] = peer_id;
	pkt[4] = pktid >> 24;
	pkt[5] = pktid >> 16;
	pkt[6] = pktid >> 8;
	pkt[7] = pktid;
	build_inner(inner, isrc.v4, idst.v4, pktid & 0xffff);
	nonce(iv, pkt + 4, km.nonce_tail);
	mbedtls_gcm_init(&gcm);
	ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, km.encrypt_key,
				 256) ?:
	      mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, INNER_LEN, iv,
					NONCE_LEN, pkt, HDR_LEN, inner,
					pkt + HDR_LEN + TAG_LEN, TAG_LEN,
					pkt + HDR_LEN);
	mbedtls_gcm_free(&gcm);
	if (ret) {
		fprintf(stderr, "dataforge: AES-GCM failed (%d)\n", ret);
		return 1;
	}

	fd = udp_socket_open(&local, lport, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "dataforge: %s\n", err);
		return 1;
	}
	rlen = make_sockaddr(&remote, rport, &rss);
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&rss, rlen) !=
	    (ssize_t)sizeof(pkt)) {
		fprintf(stderr, "dataforge: sendto: %s\n", strerror(errno));
		return 1;
	}
	snprintf(a1, sizeof(a1), "%s", pos[2]);
	sockaddr_str((struct sockaddr *)&rss, rlen, a2, sizeof(a2));
	printf("sent %zu bytes peer-id %u key-id %u packet-id %u from %s:%u to %s\n",
	       sizeof(pkt), peer_id, key_id, pktid, a1, lport, a2);
	fflush(stdout);
	if (!wait)
		return 0;

	for (long long end = mono_ms() + wait * 1000LL;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = end - mono_ms();
		uint8_t buf[2048];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			continue;
		sockaddr_str((struct sockaddr *)&from, flen, a1, sizeof(a1));
		ret = on_reply(buf, n, a1, &km, pktid & 0xffff);
		fflush(stdout);
		if (ret)
			return 0;
	}
	printf("no reply\n");
	return 1;
}
