// SPDX-License-Identifier: GPL-2.0-only
/*
 * udpsend - send one UDP datagram with exactly the given bytes
 *
 *   udpsend [-s SRC_IP] [-p SRC_PORT] [-n COUNT] DST_IP DST_PORT HEX
 *
 * HEX is the datagram's payload as hex digits (whitespace and ':' ignored,
 * "-" or "" for an empty datagram). The datagram is sent COUNT times
 * (default 1), each as one sendto(). IPv4 or IPv6 by the form of DST_IP.
 * The guest scenarios use it to replay or forge data-channel packets (a bash
 * redirect to /dev/udp could split one payload into several datagrams).
 *
 * Exit status: 0 sent, 1 failure, 2 usage error.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LEN 65507

static int usage(void)
{
	fprintf(stderr,
		"usage: udpsend [-s SRC_IP] [-p SRC_PORT] [-n COUNT] DST_IP DST_PORT HEX\n");
	return 2;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* parse HEX into buf; returns the length or -1 */
static long parse_hex(const char *s, unsigned char *buf, size_t size)
{
	size_t n = 0;
	int hi = -1, v;

	if (!strcmp(s, "-"))
		return 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == ':')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= size)
			return -1;
		buf[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

/* fill ss from IP and PORT; returns its length or 0 */
static socklen_t make_addr(const char *ip, const char *port,
			   struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char *end;
	long p;

	p = strtol(port, &end, 10);
	if (!*port || *end || p < 0 || p > 65535)
		return 0;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)p);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)p);
		return sizeof(*s6);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char buf[MAX_LEN];
	const char *src_ip = NULL, *src_port = "0";
	struct sockaddr_storage dst, src;
	socklen_t dlen, slen;
	long len, count = 1, i;
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:p:n:h")) != -1) {
		switch (opt) {
		case 's':
			src_ip = optarg;
			break;
		case 'p':
			src_port = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			if (count < 1)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 3)
		return usage();

	dlen = make_addr(argv[optind], argv[optind + 1], &dst);
	if (!dlen) {
		fprintf(stderr, "udpsend: bad destination %s port %s\n",
			argv[optind], argv[optind + 1]);
		return 2;
	}
	len = parse_hex(argv[optind + 2], buf, sizeof(buf));
	if (len < 0) {
		fprintf(stderr, "udpsend: bad hex payload\n");
		return 2;
	}

	fd = socket(dst.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		fprintf(stderr, "udpsend: socket: %s\n", strerror(errno));
		return 1;
	}
	if (src_ip || strcmp(src_port, "0")) {
		const char *any = dst.ss_family == AF_INET ? "0.0.0.0" : "::";

		slen = make_addr(src_ip ? src_ip : any, src_port, &src);
		if (!slen || src.ss_family != dst.ss_family) {
			fprintf(stderr, "udpsend: bad source %s port %s\n",
				src_ip ? src_ip : any, src_port);
			return 2;
		}
		if (bind(fd, (struct sockaddr *)&src, slen)) {
			fprintf(stderr, "udpsend: bind: %s\n", strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&dst,
			   dlen) != len) {
			fprintf(stderr, "udpsend: sendto: %s\n",
				strerror(errno));
			return 1;
		}
	}
	close(fd);
	return 0;
}
