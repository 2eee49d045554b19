// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlfuzz: send many random and mutated ovpn-dco-v2 generic netlink requests
 * at live devices, count the answers, and check the kernel answered every
 * one of them.
 *
 * usage: nlfuzz [--seed N] [--count N] [--protect IFNAME:PEER_ID[:VPN_IPV4]]
 *               [--protect-p2p IFNAME:PEER_ID] IFNAME...
 *
 * Every IFNAME is a target (an ovpn-dco device in this namespace; others,
 * the loopback, unknown and stale ifindexes are mixed in). Each message is
 * built for one command (every request command of the family, the
 * notification-only ones and unknown command numbers too) from a tree of
 * attributes with valid-looking or random values: peer ids the tool added
 * (live and deleted), small, reserved and random ones; key ids, slots and
 * ciphers in and out of range; key and nonce lengths of every size; socket
 * attributes naming fds of every kind (closed, out of range, UDP v4/v6
 * bound and unbound, TCP listening, connected and unconnected, unix,
 * pipe, a file, the netlink socket itself, a socket already attached to a
 * device). About a third are sent as built, so deep paths (new peers, keys,
 * swaps, deletions) run; the rest are mutated: attributes dropped,
 * duplicated, resized, retyped, reordered, their NESTED flag flipped,
 * wrapped in deep nests, unknown ones added, then random bytes of the
 * attribute area flipped and attribute lengths corrupted. The netlink
 * header's length and type are never mutated (the message would reach
 * another family).
 *
 * --protect names a live peer that must survive: a message the kernel
 * would apply to that peer (its device and id, or for NEW_PEER its VPN
 * address) is not sent and counted as "filtered". --protect-p2p also
 * keeps NEW_PEER away from a P2P device (a new peer there replaces its
 * peer). The filter reads the final bytes as the kernel does.
 *
 * Output: one line per command "cmd NAME sent N ok N", one per errno
 * "errno NAME N", then "total sent N ok N failed N errnos N filtered N
 * timeouts N". Exit status 0 when every message got an answer; 1 on a
 * missing answer or a socket failure; 2 on a usage error.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include <linux/ovpn_dco.h>

#include "nl.h"
#include "toolutil.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_NODES	128
#define MAX_KIDS	24
#define MAX_DATA	72
#define MSG_MAX		8192
#define MAX_TARGETS	8
#define MAX_PROTECT	8
#define MAX_IDS		256
#define MAX_FDS		32
#define NCMD		256
#define MAX_ERRNO	256
#define POOL_LIFE	300	/* messages between fd pool renewals */

/* ------------------------------------------------------------------ random */

static bool chance(uint32_t percent)
{
	return below(100) < percent;
}

/* ---------------------------------------------------------- attribute tree */

struct node {
	uint16_t type;
	bool nest;
	bool flip_nested;	/* emit with NLA_F_NESTED toggled */
	uint8_t nkids;
	struct node *kids[MAX_KIDS];
	uint16_t len;
	uint8_t data[MAX_DATA];
};

static struct node nodes[MAX_NODES];
static int nnodes;
static struct node root;

static struct node *node_new(void)
{
	struct node *n;

	if (nnodes >= MAX_NODES)
		return NULL;
	n = &nodes[nnodes++];
	memset(n, 0, sizeof(*n));
	return n;
}

static void add_kid(struct node *parent, struct node *kid)
{
	if (parent && kid && parent->nkids < MAX_KIDS)
		parent->kids[parent->nkids++] = kid;
}

static struct node *leaf(struct node *parent, uint16_t type, const void *data,
			 size_t len)
{
	struct node *n = node_new();

	if (!n)
		return NULL;
	n->type = type;
	if (len > MAX_DATA)
		len = MAX_DATA;
	n->len = len;
	memcpy(n->data, data, len);
	add_kid(parent, n);
	return n;
}

static void leaf_u32(struct node *p, uint16_t type, uint32_t v)
{
	leaf(p, type, &v, sizeof(v));
}

static void leaf_u16(struct node *p, uint16_t type, uint16_t v)
{
	leaf(p, type, &v, sizeof(v));
}

static void leaf_u8(struct node *p, uint16_t type, uint8_t v)
{
	leaf(p, type, &v, sizeof(v));
}

static struct node *nest(struct node *parent, uint16_t type)
{
	struct node *n = node_new();

	if (!n)
		return NULL;
	n->type = type;
	n->nest = true;
	add_kid(parent, n);
	return n;
}

/* every node below @n (not @n), into @out */
static int collect(struct node *n, struct node **out, struct node **parents,
		   int count, int max)
{
	int i;

	for (i = 0; i < n->nkids && count < max; i++) {
		out[count] = n->kids[i];
		parents[count] = n;
		count++;
		if (n->kids[i]->nest)
			count = collect(n->kids[i], out, parents, count, max);
	}
	return count;
}

static size_t emit(const struct node *n, uint8_t *buf, size_t room);

static size_t emit_kids(const struct node *n, uint8_t *buf, size_t room)
{
	size_t off = 0;
	int i;

	for (i = 0; i < n->nkids; i++)
		off += emit(n->kids[i], buf + off, room - off);
	return off;
}

/* serialize @n at @buf; returns the aligned size used (0 if no room) */
static size_t emit(const struct node *n, uint8_t *buf, size_t room)
{
	struct nlattr *a = (struct nlattr *)buf;
	size_t len;

	if (room < NLA_HDRLEN)
		return 0;
	if (n->nest)
		len = NLA_HDRLEN + emit_kids(n, buf + NLA_HDRLEN,
					     room - NLA_HDRLEN);
	else if ((size_t)NLA_ALIGN(NLA_HDRLEN + n->len) <= room)
		len = NLA_HDRLEN + n->len;
	else
		return 0;
	if (!n->nest)
		memcpy(buf + NLA_HDRLEN, n->data, n->len);
	a->nla_len = len;
	a->nla_type = n->type | (n->nest ? NLA_F_NESTED : 0);
	if (n->flip_nested)
		a->nla_type ^= NLA_F_NESTED;
	len = NLA_ALIGN(len);
	if (len > room)
		len = room;
	memset(buf + a->nla_len, 0, len - a->nla_len);
	return len;
}

/* ------------------------------------------------------------------ context */

struct protect {
	uint32_t ifindex;
	uint32_t peer_id;
	uint32_t vpn_ipv4;	/* network order, 0: none */
	bool p2p;
};

enum fd_kind {
	FD_CLOSED, FD_HUGE, FD_UDP4, FD_UDP4_UNBOUND, FD_UDP6, FD_UDP6_ONLY,
	FD_TCP_LISTEN, FD_TCP_CONN, FD_TCP_ACCEPTED, FD_TCP_UNCONN, FD_UNIX,
	FD_PIPE, FD_FILE, FD_NETLINK, FD_RAW,
};

static const char *const fd_kind_names[] = {
	"closed", "huge", "udp4", "udp4-unbound", "udp6", "udp6-only",
	"tcp-listen", "tcp-connected", "tcp-accepted", "tcp-unconnected",
	"unix", "pipe", "file", "netlink", "raw",
};

struct fdent {
	int fd;
	enum fd_kind kind;
	bool owned;	/* close it when the pool is renewed */
};

struct ctx {
	struct ovpn_nl nl;
	int nlfd;
	uint32_t seq;
	uint32_t targets[MAX_TARGETS];
	int ntargets;
	struct protect prot[MAX_PROTECT];
	int nprot;
	uint32_t lo_ifindex;
	uint32_t ids[MAX_IDS];	/* ids NEW_PEER accepted, live or deleted */
	uint32_t id_dev[MAX_IDS];	/* ... and the ifindex they were added to */
	int nids;
	uint32_t cur_ifindex;	/* the message being built targets it */
	struct fdent fds[MAX_FDS];
	int nfds;
	int pool_age;
	/* counters */
	unsigned long sent[NCMD], ok[NCMD];
	unsigned long by_errno[MAX_ERRNO];
	unsigned long filtered, timeouts, replies, fd_uses[ARRAY_SIZE(fd_kind_names)];
};

static const char *const cmd_names[] = {
	[OVPN_CMD_UNSPEC] = "UNSPEC",
	[OVPN_CMD_NEW_PEER] = "NEW_PEER",
	[OVPN_CMD_SET_PEER] = "SET_PEER",
	[OVPN_CMD_DEL_PEER] = "DEL_PEER",
	[OVPN_CMD_NEW_KEY] = "NEW_KEY",
	[OVPN_CMD_SWAP_KEYS] = "SWAP_KEYS",
	[OVPN_CMD_DEL_KEY] = "DEL_KEY",
	[OVPN_CMD_GET_PEER] = "GET_PEER",
	[OVPN_CMD_START_VPN] = "START_VPN",
	[OVPN_CMD_FLOAT_PEER] = "FLOAT_PEER",
	[OVPN_CMD_SWAP_KEYS_NEEDED] = "SWAP_KEYS_NEEDED",
};

/* ------------------------------------------------------------------ fd pool */

static void pool_add(struct ctx *c, int fd, enum fd_kind kind, bool owned)
{
	if (fd < 0 && kind != FD_CLOSED && kind != FD_HUGE)
		return;
	if (c->nfds >= MAX_FDS) {
		if (owned && fd >= 0)
			close(fd);
		return;
	}
	c->fds[c->nfds].fd = fd;
	c->fds[c->nfds].kind = kind;
	c->fds[c->nfds].owned = owned;
	c->nfds++;
}

static int udp_socket(int family, bool bind_it, bool v6only)
{
	int fd = socket(family, SOCK_DGRAM, 0), one = 1;

	if (fd < 0 || !bind_it)
		return fd;
	if (family == AF_INET6) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

		if (v6only)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				   sizeof(one));
		s6.sin6_addr = in6addr_any;
		if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) < 0)
			goto err;
	} else {
		struct sockaddr_in s4 = { .sin_family = AF_INET };

		s4.sin_addr.s_addr = htonl(INADDR_ANY);
		if (bind(fd, (struct sockaddr *)&s4, sizeof(s4)) < 0)
			goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

/* a listener on 127.0.0.1 and one connection to it (both ends) */
static void tcp_sockets(struct ctx *c)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	socklen_t sl = sizeof(s4);
	int l, cl, acc;

	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0)
		return;
	if (bind(l, (struct sockaddr *)&s4, sizeof(s4)) < 0 ||
	    listen(l, 4) < 0 ||
	    getsockname(l, (struct sockaddr *)&s4, &sl) < 0) {
		close(l);
		return;
	}
	pool_add(c, l, FD_TCP_LISTEN, true);
	cl = socket(AF_INET, SOCK_STREAM, 0);
	if (cl < 0)
		return;
	if (connect(cl, (struct sockaddr *)&s4, sizeof(s4)) < 0) {
		close(cl);
		return;
	}
	pool_add(c, cl, FD_TCP_CONN, true);
	acc = accept(l, NULL, NULL);
	pool_add(c, acc, FD_TCP_ACCEPTED, true);
}

static void pool_renew(struct ctx *c)
{
	int i, fd, p[2], sp[2];

	/* sockets a device took keep living there: the kernel holds them */
	for (i = 0; i < c->nfds; i++)
		if (c->fds[i].owned && c->fds[i].fd >= 0)
			close(c->fds[i].fd);
	c->nfds = 0;
	c->pool_age = 0;

	pool_add(c, 1000000 + below(1000), FD_HUGE, false);
	pool_add(c, (int)0xffffffff, FD_HUGE, false);
	pool_add(c, udp_socket(AF_INET, true, false), FD_UDP4, true);
	pool_add(c, udp_socket(AF_INET, true, false), FD_UDP4, true);
	pool_add(c, udp_socket(AF_INET, false, false), FD_UDP4_UNBOUND, true);
	pool_add(c, udp_socket(AF_INET6, true, false), FD_UDP6, true);
	pool_add(c, udp_socket(AF_INET6, true, true), FD_UDP6_ONLY, true);
	tcp_sockets(c);
	pool_add(c, socket(AF_INET, SOCK_STREAM, 0), FD_TCP_UNCONN, true);
	pool_add(c, socket(AF_INET6, SOCK_STREAM, 0), FD_TCP_UNCONN, true);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) == 0) {
		pool_add(c, sp[0], FD_UNIX, true);
		pool_add(c, sp[1], FD_UNIX, true);
	}
	if (pipe(p) == 0) {
		pool_add(c, p[0], FD_PIPE, true);
		pool_add(c, p[1], FD_PIPE, true);
	}
	pool_add(c, open("/dev/null", O_RDWR), FD_FILE, true);
	pool_add(c, c->nlfd, FD_NETLINK, false);
	pool_add(c, socket(AF_INET, SOCK_RAW, IPPROTO_UDP), FD_RAW, true);
	/* last: no socket opened before the next renewal takes the number */
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		close(fd);
		pool_add(c, fd, FD_CLOSED, false);
	}
}

/* ------------------------------------------------------------ value choices */

static uint32_t pick_ifindex(struct ctx *c)
{
	switch (below(20)) {
	case 0:
		return c->lo_ifindex;
	case 1:
		return 0;
	case 2:
		return 100000 + below(100);	/* unknown */
	case 3:
		return rnd();
	case 4:
		return c->targets[0] + c->ntargets + below(4); /* maybe stale */
	default:
		return c->targets[below(c->ntargets)];
	}
}

static uint32_t pick_peer_id(struct ctx *c)
{
	static const uint32_t special[] = {
		0, 1, 2, 3, 0xFFFFFE, 0xFFFFFF, 0x1000000, 0xFFFFFFFF,
	};

	switch (below(10)) {
	case 0:
		return special[below(ARRAY_SIZE(special))];
	case 1:
		return rnd();
	case 2:
	case 3:
	case 4:
		return below(16);
	default:
		if (!c->nids)
			return below(16);
		/* mostly an id added to the device this message names */
		for (int tries = 0; tries < 8; tries++) {
			int k = below(c->nids);

			if (c->id_dev[k] == c->cur_ifindex)
				return c->ids[k];
		}
		return c->ids[below(c->nids)];
	}
}

static void remember_id(struct ctx *c, uint32_t ifindex, uint32_t id)
{
	int i;

	for (i = 0; i < c->nids; i++)
		if (c->ids[i] == id && c->id_dev[i] == ifindex)
			return;
	i = c->nids < MAX_IDS ? c->nids++ : (int)below(MAX_IDS);
	c->ids[i] = id;
	c->id_dev[i] = ifindex;
}

static void put_sockaddr(struct node *p, uint16_t type)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	uint8_t junk[MAX_DATA];

	s4.sin_port = htons(1024 + below(60000));
	s6.sin6_port = s4.sin_port;
	switch (below(8)) {
	case 0:
		s6.sin6_addr.s6_addr[15] = 1;	/* ::1 */
		leaf(p, type, &s6, sizeof(s6));
		break;
	case 1:	/* v4-mapped */
		s6.sin6_addr.s6_addr[10] = 0xff;
		s6.sin6_addr.s6_addr[11] = 0xff;
		s6.sin6_addr.s6_addr[12] = 127;
		s6.sin6_addr.s6_addr[15] = 1;
		leaf(p, type, &s6, sizeof(s6));
		break;
	case 2:	/* wrong family */
		s4.sin_family = below(2) ? AF_UNIX : rnd();
		leaf(p, type, &s4, sizeof(s4));
		break;
	case 3:
		rnd_fill(junk, sizeof(junk));
		leaf(p, type, junk, below(sizeof(junk)));
		break;
	default:
		s4.sin_addr.s_addr = below(2) ? htonl(INADDR_LOOPBACK) :
				     htonl(0xC0A86400 | below(256));
		leaf(p, type, &s4, sizeof(s4));
		break;
	}
}

static void build_new_peer(struct ctx *c, struct node *r)
{
	struct node *n = nest(r, OVPN_ATTR_NEW_PEER);
	struct fdent *f = &c->fds[below(c->nfds)];
	uint8_t a6[16];

	leaf_u32(n, OVPN_NEW_PEER_ATTR_PEER_ID, pick_peer_id(c));
	leaf_u32(n, OVPN_NEW_PEER_ATTR_SOCKET, f->fd);
	c->fd_uses[f->kind]++;
	put_sockaddr(n, OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE);
	if (chance(50))
		leaf_u32(n, OVPN_NEW_PEER_ATTR_IPV4,
			 htonl(0x0A630000 | below(0x10000)));	/* 10.99/16 */
	if (chance(30)) {
		memset(a6, 0, sizeof(a6));
		a6[0] = 0xfd;
		a6[1] = 0x99;
		a6[15] = rnd();
		leaf(n, OVPN_NEW_PEER_ATTR_IPV6, a6, sizeof(a6));
	}
	if (chance(20)) {
		memset(a6, 0, sizeof(a6));
		a6[0] = 127;
		a6[3] = 1;
		leaf(n, OVPN_NEW_PEER_ATTR_LOCAL_IP, a6,
		     below(2) ? 4 : (below(2) ? 16 : below(20)));
	}
}

static void build_key_dir(struct node *p, uint16_t type, uint16_t alg)
{
	static const uint8_t key_lens[] = { 0, 1, 15, 16, 17, 24, 31, 32, 33, 64 };
	static const uint8_t nonce_lens[] = { 0, 4, 7, 8, 9, 12 };
	struct node *n = nest(p, type);
	uint8_t buf[64];
	size_t klen;

	rnd_fill(buf, sizeof(buf));
	if (chance(70))
		klen = alg == OVPN_CIPHER_ALG_AES_GCM ? 16 + 8 * below(3) : 32;
	else
		klen = key_lens[below(ARRAY_SIZE(key_lens))];
	leaf(n, OVPN_KEY_DIR_ATTR_CIPHER_KEY, buf, klen);
	leaf(n, OVPN_KEY_DIR_ATTR_NONCE_TAIL, buf + 32,
	     chance(75) ? 8 : nonce_lens[below(ARRAY_SIZE(nonce_lens))]);
}

static void build_new_key(struct ctx *c, struct node *r)
{
	struct node *n = nest(r, OVPN_ATTR_NEW_KEY);
	uint16_t alg = chance(85) ? 1 + below(2) : (below(2) ? 0 : rnd());

	leaf_u32(n, OVPN_NEW_KEY_ATTR_PEER_ID, pick_peer_id(c));
	leaf_u8(n, OVPN_NEW_KEY_ATTR_KEY_SLOT, chance(85) ? below(2) : rnd());
	leaf_u8(n, OVPN_NEW_KEY_ATTR_KEY_ID, chance(85) ? below(8) : rnd());
	leaf_u16(n, OVPN_NEW_KEY_ATTR_CIPHER_ALG, alg);
	build_key_dir(n, OVPN_NEW_KEY_ATTR_ENCRYPT_KEY, alg);
	build_key_dir(n, OVPN_NEW_KEY_ATTR_DECRYPT_KEY, alg);
}

static void build_set_peer(struct ctx *c, struct node *r)
{
	static const uint32_t secs[] = { 0, 1, 2, 5, 10, 60, 3600, 0x7fffffff,
					 0xffffffff };
	struct node *n = nest(r, OVPN_ATTR_SET_PEER);

	leaf_u32(n, OVPN_SET_PEER_ATTR_PEER_ID, pick_peer_id(c));
	if (chance(70))
		leaf_u32(n, OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL,
			 secs[below(ARRAY_SIZE(secs))]);
	if (chance(70))
		leaf_u32(n, OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT,
			 secs[below(ARRAY_SIZE(secs))]);
	if (chance(40))
		leaf_u16(n, OVPN_SET_PEER_ATTR_MSS,
			 below(2) ? below(100) : rnd());
}

/* a command whose nest holds a peer id (and maybe more) */
static void build_simple(struct ctx *c, struct node *r, uint8_t cmd)
{
	struct node *n;

	switch (cmd) {
	case OVPN_CMD_DEL_PEER:
		n = nest(r, OVPN_ATTR_DEL_PEER);
		leaf_u32(n, OVPN_DEL_PEER_ATTR_PEER_ID, pick_peer_id(c));
		if (chance(20))
			leaf_u8(n, OVPN_DEL_PEER_ATTR_REASON, rnd());
		break;
	case OVPN_CMD_SWAP_KEYS:
		n = nest(r, OVPN_ATTR_SWAP_KEYS);
		leaf_u32(n, OVPN_SWAP_KEYS_ATTR_PEER_ID, pick_peer_id(c));
		break;
	case OVPN_CMD_DEL_KEY:
		n = nest(r, OVPN_ATTR_DEL_KEY);
		leaf_u32(n, OVPN_DEL_KEY_ATTR_PEER_ID, pick_peer_id(c));
		leaf_u8(n, OVPN_DEL_KEY_ATTR_KEY_SLOT,
			chance(85) ? below(2) : rnd());
		break;
	case OVPN_CMD_GET_PEER:
		n = nest(r, OVPN_ATTR_GET_PEER);
		leaf_u32(n, OVPN_GET_PEER_ATTR_PEER_ID, pick_peer_id(c));
		break;
	case OVPN_CMD_FLOAT_PEER:
		n = nest(r, OVPN_ATTR_FLOAT_PEER);
		leaf_u32(n, OVPN_FLOAT_PEER_ATTR_PEER_ID, pick_peer_id(c));
		put_sockaddr(n, OVPN_FLOAT_PEER_ATTR_SOCKADDR_REMOTE);
		break;
	case OVPN_CMD_SWAP_KEYS_NEEDED:
		n = nest(r, OVPN_ATTR_SWAP_KEYS_NEEDED);
		leaf_u32(n, OVPN_SWAP_KEYS_NEEDED_ATTR_PEER_ID,
			 pick_peer_id(c));
		leaf_u8(n, OVPN_SWAP_KEYS_NEEDED_ATTR_KEY_ID, below(8));
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- mutations */

static void mutate_tree(struct node *r)
{
	struct node *all[MAX_NODES], *par[MAX_NODES], *n, *p, *w, *tmp;
	int count = collect(r, all, par, 0, MAX_NODES), i, k, depth;

	if (!count)
		return;
	k = below(count);
	n = all[k];
	p = par[k];
	switch (below(10)) {
	case 0:	/* drop */
		for (i = 0; i < p->nkids; i++)
			if (p->kids[i] == n) {
				memmove(&p->kids[i], &p->kids[i + 1],
					(p->nkids - i - 1) * sizeof(n));
				p->nkids--;
				break;
			}
		break;
	case 1:	/* duplicate, maybe with another value */
		w = node_new();
		if (!w)
			break;
		*w = *n;
		if (!w->nest && chance(50))
			rnd_fill(w->data, w->len);
		add_kid(p, w);
		break;
	case 2:	/* resize: a leaf gets random bytes, a nest becomes one */
		n->nest = false;
		n->nkids = 0;
		n->len = below(2) ? below(9) : below(MAX_DATA + 1);
		rnd_fill(n->data, n->len);
		break;
	case 3:	/* retype */
		n->type = below(4) ? below(20) : (rnd() & NLA_TYPE_MASK);
		break;
	case 4:
		n->flip_nested = !n->flip_nested;
		break;
	case 5:	/* shuffle the siblings */
		for (i = p->nkids - 1; i > 0; i--) {
			k = below(i + 1);
			tmp = p->kids[i];
			p->kids[i] = p->kids[k];
			p->kids[k] = tmp;
		}
		break;
	case 6:	/* wrap in deep nests of the same type */
		depth = 1 + below(below(2) ? 4 : 40);
		for (i = 0; i < p->nkids; i++)
			if (p->kids[i] == n)
				break;
		if (i == p->nkids)
			break;
		w = n;
		while (depth--) {
			tmp = node_new();
			if (!tmp)
				break;
			tmp->type = n->type;
			tmp->nest = true;
			tmp->kids[0] = w;
			tmp->nkids = 1;
			w = tmp;
		}
		p->kids[i] = w;
		break;
	case 7:	/* unknown attribute */
		w = node_new();
		if (!w)
			break;
		w->type = 7 + below(30);
		w->len = below(16);
		rnd_fill(w->data, w->len);
		add_kid(below(2) ? p : r, w);
		break;
	case 8:	/* one value replaced, same size */
		if (!n->nest)
			rnd_fill(n->data, n->len);
		break;
	default:	/* an empty nest in place of a value */
		n->nest = true;
		n->nkids = 0;
		break;
	}
}

/* corrupt the attribute area (after the genetlink header) */
static void mutate_bytes(uint8_t *attrs, size_t len)
{
	size_t pos;
	int i, n = 1 + below(4);

	if (!len)
		return;
	for (i = 0; i < n; i++) {
		pos = below(len);
		switch (below(3)) {
		case 0:
			attrs[pos] ^= 1 << below(8);
			break;
		case 1:
			attrs[pos] = rnd();
			break;
		default:	/* an attribute length, if one is there */
			pos &= ~3UL;
			if (pos + 2 <= len) {
				uint16_t v = below(2) ? below(len + 8) : rnd();

				memcpy(attrs + pos, &v, sizeof(v));
			}
			break;
		}
	}
}

/* ------------------------------------------------------------------- filter */

static bool attr_ok(const struct nlattr *a, size_t rem)
{
	return rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem;
}

/* does some attribute @type (any occurrence) of the area hold u32 @v? */
static bool has_u32(const uint8_t *p, size_t rem, int type, uint32_t v)
{
	const struct nlattr *a = (const struct nlattr *)p;
	uint32_t x;

	while (attr_ok(a, rem)) {
		if ((a->nla_type & NLA_TYPE_MASK) == type &&
		    a->nla_len >= NLA_HDRLEN + 4) {
			memcpy(&x, (const uint8_t *)a + NLA_HDRLEN, 4);
			if (x == v)
				return true;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= rem)
			break;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a +
					    NLA_ALIGN(a->nla_len));
	}
	return false;
}

/* in any top-level attribute of @nest_type, an attribute @type == @v? */
static bool nest_has_u32(const uint8_t *p, size_t rem, int nest_type, int type,
			 uint32_t v)
{
	const struct nlattr *a = (const struct nlattr *)p;

	while (attr_ok(a, rem)) {
		if ((a->nla_type & NLA_TYPE_MASK) == nest_type &&
		    has_u32((const uint8_t *)a + NLA_HDRLEN,
			    a->nla_len - NLA_HDRLEN, type, v))
			return true;
		if ((size_t)NLA_ALIGN(a->nla_len) >= rem)
			break;
		rem -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a +
					    NLA_ALIGN(a->nla_len));
	}
	return false;
}

/*
 * Would the kernel apply this message to a protected peer? Conservative:
 * any IFINDEX occurrence naming the device and any peer id occurrence
 * naming the peer count, whichever the kernel would take.
 */
static bool hits_protected(const struct ctx *c, uint8_t cmd,
			   const uint8_t *attrs, size_t len)
{
	static const struct { uint8_t cmd; int nest, id; } ids[] = {
		{ OVPN_CMD_NEW_PEER, OVPN_ATTR_NEW_PEER, OVPN_NEW_PEER_ATTR_PEER_ID },
		{ OVPN_CMD_SET_PEER, OVPN_ATTR_SET_PEER, OVPN_SET_PEER_ATTR_PEER_ID },
		{ OVPN_CMD_DEL_PEER, OVPN_ATTR_DEL_PEER, OVPN_DEL_PEER_ATTR_PEER_ID },
		{ OVPN_CMD_NEW_KEY, OVPN_ATTR_NEW_KEY, OVPN_NEW_KEY_ATTR_PEER_ID },
		{ OVPN_CMD_SWAP_KEYS, OVPN_ATTR_SWAP_KEYS, OVPN_SWAP_KEYS_ATTR_PEER_ID },
		{ OVPN_CMD_DEL_KEY, OVPN_ATTR_DEL_KEY, OVPN_DEL_KEY_ATTR_PEER_ID },
	};
	size_t i;
	int k;

	for (k = 0; k < c->nprot; k++) {
		const struct protect *pr = &c->prot[k];

		if (!has_u32(attrs, len, OVPN_ATTR_IFINDEX, pr->ifindex))
			continue;
		if (cmd == OVPN_CMD_NEW_PEER &&
		    (pr->p2p || (pr->vpn_ipv4 &&
				 nest_has_u32(attrs, len, OVPN_ATTR_NEW_PEER,
					      OVPN_NEW_PEER_ATTR_IPV4,
					      pr->vpn_ipv4))))
			return true;
		for (i = 0; i < ARRAY_SIZE(ids); i++)
			if (ids[i].cmd == cmd &&
			    nest_has_u32(attrs, len, ids[i].nest, ids[i].id,
					 pr->peer_id))
				return true;
	}
	return false;
}

/* ------------------------------------------------------------- send/receive */

/*
 * Wait for the answer to @seq: returns the errno (0 for success), -1 on a
 * timeout. *@replies counts the data messages (GET_PEER answers).
 */
static int await(struct ctx *c, uint32_t seq, unsigned long *replies)
{
	static uint8_t buf[65536];
	struct nlmsghdr *h;
	ssize_t n;

	for (;;) {
		n = recv(c->nlfd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -1;
			return -2;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return -e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&err, NLMSG_DATA(h), sizeof(err));
				return -err;
			}
			(*replies)++;
		}
	}
}

static int one_message(struct ctx *c)
{
	static uint8_t buf[MSG_MAX];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)NLMSG_DATA(h);
	uint8_t *attrs = (uint8_t *)g + GENL_HDRLEN;
	size_t room = sizeof(buf) - NLMSG_HDRLEN - GENL_HDRLEN, len;
	bool valid = chance(33);
	uint8_t cmd;
	uint32_t ifindex = 0;
	int err, i;

	if (++c->pool_age >= POOL_LIFE || !c->nfds)
		pool_renew(c);

	/* the commands userspace sends, mostly; the rest now and then */
	if (chance(94))
		cmd = OVPN_CMD_NEW_PEER + below(OVPN_CMD_START_VPN);
	else if (chance(60))
		cmd = below(2) ? OVPN_CMD_UNSPEC :
		      OVPN_CMD_FLOAT_PEER + below(2);
	else
		cmd = rnd();

	nnodes = 0;
	memset(&root, 0, sizeof(root));
	root.nest = true;
	if (chance(97)) {
		ifindex = pick_ifindex(c);
		leaf_u32(&root, OVPN_ATTR_IFINDEX, ifindex);
	}
	c->cur_ifindex = ifindex;
	switch (cmd) {
	case OVPN_CMD_NEW_PEER:
		build_new_peer(c, &root);
		break;
	case OVPN_CMD_NEW_KEY:
		build_new_key(c, &root);
		break;
	case OVPN_CMD_SET_PEER:
		build_set_peer(c, &root);
		break;
	case OVPN_CMD_GET_PEER:
		if (chance(50))
			build_simple(c, &root, cmd);
		break;
	case OVPN_CMD_START_VPN:
		break;
	default:
		build_simple(c, &root, cmd);
		break;
	}
	if (!valid) {
		int n = 1 + below(4);

		for (i = 0; i < n; i++)
			mutate_tree(&root);
	}
	len = emit_kids(&root, attrs, room);
	if (!valid && chance(40))
		mutate_bytes(attrs, len);

	if (hits_protected(c, cmd, attrs, len)) {
		c->filtered++;
		return 0;
	}

	memset(h, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + len;
	h->nlmsg_type = c->nl.family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (cmd == OVPN_CMD_GET_PEER ? chance(50) : chance(3))
		h->nlmsg_flags |= NLM_F_DUMP;
	h->nlmsg_seq = ++c->seq;
	g->cmd = cmd;
	g->version = chance(95) ? OVPN_NL_VERSION : rnd();

	if (send(c->nlfd, buf, h->nlmsg_len, 0) < 0) {
		perror("nlfuzz: send");
		return -1;
	}
	c->sent[cmd]++;
	err = await(c, h->nlmsg_seq, &c->replies);
	if (err == -1) {
		c->timeouts++;
		fprintf(stderr, "nlfuzz: no answer to message %u (cmd %u)\n",
			h->nlmsg_seq, cmd);
		return 0;
	}
	if (err < -1) {
		perror("nlfuzz: recv");
		return -1;
	}
	c->by_errno[err < MAX_ERRNO ? err : MAX_ERRNO - 1]++;
	if (err)
		return 0;
	c->ok[cmd]++;
	if (cmd == OVPN_CMD_NEW_PEER || cmd == OVPN_CMD_DEL_PEER) {
		/* the id the kernel took: the last occurrence, as nla_parse */
		struct node *all[MAX_NODES], *par[MAX_NODES];
		int count = collect(&root, all, par, 0, MAX_NODES);
		uint32_t id;

		for (i = count - 1; i >= 0; i--)
			if (!all[i]->nest && all[i]->len >= 4 &&
			    all[i]->type == 1 + (cmd == OVPN_CMD_DEL_PEER)) {
				memcpy(&id, all[i]->data, sizeof(id));
				remember_id(c, ifindex, id);
				break;
			}
	}
	return 0;
}

/* ------------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: nlfuzz [--seed N] [--count N] [--protect IFNAME:PEER_ID[:VPN_IPV4]]\n"
		"              [--protect-p2p IFNAME:PEER_ID] IFNAME...\n");
	exit(2);
}

static void parse_protect(struct ctx *c, char *spec, bool p2p)
{
	char *name = strtok(spec, ":"), *id = strtok(NULL, ":"),
	     *ip = strtok(NULL, ":");
	struct protect *pr;
	struct in_addr a;

	if (!name || !id || c->nprot >= MAX_PROTECT)
		usage();
	pr = &c->prot[c->nprot++];
	pr->ifindex = if_nametoindex(name);
	if (!pr->ifindex) {
		fprintf(stderr, "nlfuzz: no device %s\n", name);
		exit(2);
	}
	pr->peer_id = strtoul(id, NULL, 0);
	pr->p2p = p2p;
	if (ip) {
		if (inet_pton(AF_INET, ip, &a) != 1)
			usage();
		pr->vpn_ipv4 = a.s_addr;
	}
}

static const char *errno_name(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ERANGE: return "ERANGE";
	case ENOTSOCK: return "ENOTSOCK";
	case EBADF: return "EBADF";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ENOTCONN: return "ENOTCONN";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOMEM: return "ENOMEM";
	case ENOSPC: return "ENOSPC";
	case EPERM: return "EPERM";
	case EALREADY: return "EALREADY";
	case ENOKEY: return "ENOKEY";
	case 524: return "ENOTSUPP";
	default:
		snprintf(buf, sizeof(buf), "E%d", e);
		return buf;
	}
}

int main(int argc, char **argv)
{
	static struct ctx c;
	struct timeval tv = { .tv_sec = 5 };
	unsigned long count = 20000, i, total = 0, ok = 0;
	uint64_t seed = 1;
	struct nlx_err err;
	int a, nerr = 0, e;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seed") && a + 1 < argc)
			seed = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--count") && a + 1 < argc)
			count = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--protect") && a + 1 < argc)
			parse_protect(&c, argv[++a], false);
		else if (!strcmp(argv[a], "--protect-p2p") && a + 1 < argc)
			parse_protect(&c, argv[++a], true);
		else if (argv[a][0] == '-')
			usage();
		else if (c.ntargets < MAX_TARGETS) {
			c.targets[c.ntargets] = if_nametoindex(argv[a]);
			if (!c.targets[c.ntargets]) {
				fprintf(stderr, "nlfuzz: no device %s\n", argv[a]);
				return 2;
			}
			c.ntargets++;
		}
	}
	if (!c.ntargets)
		usage();
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	c.lo_ifindex = if_nametoindex("lo");

	if (ovpn_nl_open(&c.nl, &err)) {
		nlx_report("nlfuzz", &err);
		return 1;
	}
	c.nlfd = nl_socket_get_fd(c.nl.sk);
	setsockopt(c.nlfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	for (i = 0; i < count; i++)
		if (one_message(&c) < 0)
			return 1;

	printf("nlfuzz: seed %llu count %lu\n", (unsigned long long)seed, count);
	for (i = 0; i < NCMD; i++) {
		if (!c.sent[i])
			continue;
		if (i < ARRAY_SIZE(cmd_names) && cmd_names[i])
			printf("cmd %s sent %lu ok %lu\n", cmd_names[i],
			       c.sent[i], c.ok[i]);
		total += c.sent[i];
		ok += c.ok[i];
	}
	{
		unsigned long other = 0, other_ok = 0;

		for (i = ARRAY_SIZE(cmd_names); i < NCMD; i++) {
			other += c.sent[i];
			other_ok += c.ok[i];
		}
		printf("cmd OTHER sent %lu ok %lu\n", other, other_ok);
	}
	for (e = 0; e < MAX_ERRNO; e++) {
		if (!c.by_errno[e])
			continue;
		printf("errno %s %lu\n", errno_name(e), c.by_errno[e]);
		if (e)
			nerr++;
	}
	for (i = 0; i < ARRAY_SIZE(fd_kind_names); i++)
		printf("fd %s %lu\n", fd_kind_names[i], c.fd_uses[i]);
	printf("total sent %lu ok %lu failed %lu errnos %d filtered %lu timeouts %lu replies %lu\n",
	       total, ok, total - ok - c.timeouts, nerr, c.filtered,
	       c.timeouts, c.replies);
	ovpn_nl_close(&c.nl);
	return c.timeouts ? 1 : 0;
}
