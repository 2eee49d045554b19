// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcppeer: accept one TCP connection and hand it to a device as a peer, so
 * that a multi-peer device can carry a TCP peer beside its UDP ones (the
 * CLI's new_peer and new_multi_peer only make UDP sockets).
 *
 * usage: tcppeer <iface> <peer-id> <vpn-ipv4> <local-ip> <local-port>
 *                [--wait SECS]
 *
 * Listens on <local-ip>:<local-port> (IPv4), accepts one connection (at most
 * SECS seconds, default 20), sends NEW_PEER with PEER_ID, SOCKET,
 * SOCKADDR_REMOTE (the connection's remote end) and IPV4, then exits: the
 * kernel keeps its own reference to the socket. Prints "peer <id> added,
 * remote <addr>:<port>" or the kernel's error and extack message.
 *
 * Exit status: 0 added, 1 failure, 2 usage error.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/ovpn_dco.h>

#include "nl.h"
#include "ovpn.h"

static int usage(const char *msg)
{
	fprintf(stderr,
		"tcppeer: %s\n"
		"usage: tcppeer <iface> <peer-id> <vpn-ipv4> <local-ip> <local-port> [--wait SECS]\n",
		msg);
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in local = { .sin_family = AF_INET }, remote;
	socklen_t rlen = sizeof(remote);
	struct ovpn_new_peer req = { 0 };
	unsigned long peer_id, port, wait = 20;
	unsigned int ifindex;
	struct pollfd pfd;
	struct in_addr vpn;
	struct nlx_err err;
	struct ovpn_nl nl;
	int lfd, fd, one = 1;
	char *end;

	if (argc == 8 && !strcmp(argv[6], "--wait")) {
		wait = strtoul(argv[7], &end, 10);
		if (!*argv[7] || *end || !wait)
			return usage("invalid --wait");
	} else if (argc != 6) {
		return usage("5 arguments needed");
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex)
		return usage("no such device");
	peer_id = strtoul(argv[2], &end, 10);
	if (!*argv[2] || *end || peer_id > 0xFFFFFE)
		return usage("invalid peer id");
	if (inet_pton(AF_INET, argv[3], &vpn) != 1)
		return usage("invalid VPN IPv4 address");
	if (inet_pton(AF_INET, argv[4], &local.sin_addr) != 1)
		return usage("invalid local IPv4 address");
	port = strtoul(argv[5], &end, 10);
	if (!*argv[5] || *end || !port || port > 65535)
		return usage("invalid local port");
	local.sin_port = htons(port);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&local, sizeof(local)) ||
	    listen(lfd, 1)) {
		fprintf(stderr, "tcppeer: listen on %s:%lu: %s\n", argv[4],
			port, strerror(errno));
		return 1;
	}
	printf("tcppeer listening on %s:%lu\n", argv[4], port);
	fflush(stdout);

	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&pfd, 1, wait * 1000) != 1) {
		fprintf(stderr, "tcppeer: no connection within %lu s\n", wait);
		return 1;
	}
	fd = accept(lfd, (struct sockaddr *)&remote, &rlen);
	if (fd < 0) {
		fprintf(stderr, "tcppeer: accept: %s\n", strerror(errno));
		return 1;
	}
	close(lfd);

	if (ovpn_nl_open(&nl, &err)) {
		nlx_report("tcppeer", &err);
		return 1;
	}
	req.peer_id = peer_id;
	req.fd = fd;
	memcpy(&req.remote, &remote, sizeof(remote));
	req.remote_len = sizeof(remote);
	req.vpn_ipv4.family = AF_INET;
	req.vpn_ipv4.v4 = vpn;
	if (ovpn_new_peer(&nl, ifindex, &req, &err)) {
		nlx_report("tcppeer: new_peer", &err);
		ovpn_nl_close(&nl);
		return 1;
	}
	ovpn_nl_close(&nl);
	printf("peer %lu added, remote %s:%u\n", peer_id,
	       inet_ntoa(remote.sin_addr), ntohs(remote.sin_port));
	close(fd);
	return 0;
}
