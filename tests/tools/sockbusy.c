// SPDX-License-Identifier: GPL-2.0-only
/*
 * sockbusy: one UDP socket handed to two ovpn-dco devices. A socket serving
 * one device is refused to another with -EBUSY and an extack message; it is
 * shared by the peers of its own device (a P2P NEW_PEER that replaces the
 * peer with the same socket); once its last peer is gone it is free for the
 * other device.
 *
 * Usage: sockbusy <iface1> <iface2>
 *   two P2P ovpn-dco devices without peers (ovpn-cli new_iface).
 *
 * Output: "ok <step>" or "not ok <step>: got errno N extack "..." (want ...)"
 * per step, then "N passed, N failed"; exit status 1 on any failure, 2 on a
 * usage error. The devices are left with peers on the socket (the kernel
 * keeps it): delete them afterwards.
 */

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/ovpn_dco.h>

#include "nl.h"

static int passed, failed;

static int new_peer(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		    int fd, struct nlx_err *err)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(1194),
		.sin_addr = { htonl(INADDR_LOOPBACK) },
	};
	struct nl_msg *msg = ovpn_nl_msg(nl, OVPN_CMD_NEW_PEER, 0);
	struct nlattr *n;

	if (!msg)
		return nlx_err_local(err, ENOMEM, "out of memory");
	if (nla_put_u32(msg, OVPN_ATTR_IFINDEX, ifindex) < 0)
		goto full;
	n = nla_nest_start(msg, OVPN_ATTR_NEW_PEER | NLA_F_NESTED);
	if (!n || nla_put_u32(msg, OVPN_NEW_PEER_ATTR_PEER_ID, peer_id) < 0 ||
	    nla_put_u32(msg, OVPN_NEW_PEER_ATTR_SOCKET, fd) < 0 ||
	    nla_put(msg, OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE, sizeof(sin),
		    &sin) < 0)
		goto full;
	nla_nest_end(msg, n);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
full:
	nlmsg_free(msg);
	return nlx_err_local(err, EMSGSIZE, "message too small");
}

static int del_peer(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		    struct nlx_err *err)
{
	struct nl_msg *msg = ovpn_nl_msg(nl, OVPN_CMD_DEL_PEER, 0);
	struct nlattr *n;

	if (!msg)
		return nlx_err_local(err, ENOMEM, "out of memory");
	if (nla_put_u32(msg, OVPN_ATTR_IFINDEX, ifindex) < 0)
		goto full;
	n = nla_nest_start(msg, OVPN_ATTR_DEL_PEER | NLA_F_NESTED);
	if (!n || nla_put_u32(msg, OVPN_DEL_PEER_ATTR_PEER_ID, peer_id) < 0)
		goto full;
	nla_nest_end(msg, n);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
full:
	nlmsg_free(msg);
	return nlx_err_local(err, EMSGSIZE, "message too small");
}

/* @want 0: success expected; else that errno and a non-empty extack */
static void check(const char *step, int ret, const struct nlx_err *err,
		  int want)
{
	bool ok;

	if (!want)
		ok = ret == 0;
	else
		ok = ret == -want && err->kernel && err->msg[0];
	if (ok) {
		passed++;
		if (want)
			printf("ok %s: errno %d extack \"%s\"\n", step,
			       err->error, err->msg);
		else
			printf("ok %s\n", step);
		return;
	}
	failed++;
	printf("not ok %s: got errno %d%s extack \"%s\" (want %s%s)\n", step,
	       ret ? err->error : 0, ret && !err->kernel ? " (local)" : "",
	       ret ? err->msg : "", want ? strerror(want) : "success",
	       want ? ", non-empty extack" : "");
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_in any = { .sin_family = AF_INET };
	uint32_t if1, if2;
	struct nlx_err err;
	struct ovpn_nl nl;
	long long t0;
	int fd, ret, tries;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		fprintf(stderr, "usage: sockbusy <iface1> <iface2>\n");
		return 2;
	}
	if1 = if_nametoindex(argv[1]);
	if2 = if_nametoindex(argv[2]);
	if (!if1 || !if2) {
		fprintf(stderr, "sockbusy: %s: %s\n", !if1 ? argv[1] : argv[2],
			strerror(errno));
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
		fprintf(stderr, "sockbusy: UDP socket: %s\n", strerror(errno));
		return 1;
	}
	if (ovpn_nl_open(&nl, &err)) {
		fprintf(stderr, "sockbusy: %s\n", err.msg);
		return 1;
	}

	ret = new_peer(&nl, if1, 0, fd, &err);
	check("NEW_PEER iface1 peer 0 with the socket", ret, &err, 0);
	ret = new_peer(&nl, if2, 0, fd, &err);
	check("NEW_PEER iface2 with iface1's socket is EBUSY", ret, &err,
	      EBUSY);
	ret = new_peer(&nl, if1, 1, fd, &err);
	check("NEW_PEER iface1 peer 1 (P2P replace) sharing the socket", ret,
	      &err, 0);
	ret = new_peer(&nl, if2, 0, fd, &err);
	check("NEW_PEER iface2 still EBUSY after the replacement", ret, &err,
	      EBUSY);
	ret = del_peer(&nl, if1, 1, &err);
	check("DEL_PEER iface1 peer 1 (the socket's last user)", ret, &err, 0);

	/* the last peer's release may complete asynchronously: allow 2 s */
	t0 = mono_ms();
	tries = 0;
	do {
		if (tries++)
			usleep(20000);
		ret = new_peer(&nl, if2, 0, fd, &err);
	} while (ret == -EBUSY && mono_ms() - t0 < 2000);
	check("NEW_PEER iface2 once iface1 let the socket go", ret, &err, 0);
	if (!ret)
		printf("  (free after %lld ms, %d attempt(s))\n",
		       mono_ms() - t0, tries);
	ret = new_peer(&nl, if1, 0, fd, &err);
	check("NEW_PEER iface1 with iface2's socket is EBUSY", ret, &err,
	      EBUSY);

	ovpn_nl_close(&nl);
	close(fd);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
