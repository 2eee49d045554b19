// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of cli/ovpnu.c, the CLI's side of the upstream "ovpn" family:
 * every request it builds, checked attribute by attribute against what
 * OpenVPN 2.7 sends (IFINDEX first, one nest with NLA_F_NESTED, network-order
 * addresses and ports, u32 keyconf numbers, key-direction nests), and the
 * parsing and printing of PEER_GET and KEY_GET replies (4- and 8-byte
 * counters) and of the three notifications. No kernel needed: messages are
 * built into nl_msg and read back.
 *
 * cc -Wall -Wextra -Werror -I../../cli -I../../uapi $(pkg-config --cflags
 *	libnl-genl-3.0) -o test_ovpnu test_ovpnu.c ../../cli/ovpnu.c
 *	../../cli/family.c ../../cli/nl.c ../../cli/util.c
 *	$(pkg-config --libs libnl-genl-3.0)
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/ovpn.h>

#include "ovpnu.h"

#define FAMILY_ID	0x1d
#define IFINDEX		7

static int passed, failed;

static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		passed++;
	else
		failed++;
}

/**
 * struct exp - one attribute expected, in message order (depth first)
 * @depth: 0 top level, 1 inside its nest, 2 inside a nest of that
 * @type: its type, NLA_F_NESTED included for nests
 * @len: payload length (nests: not checked, -1)
 * @data: payload (nests: NULL)
 */
struct exp {
	int depth;
	int type;
	int len;
	const void *data;
};

#define NEST(d, t)	{ (d), (t) | NLA_F_NESTED, -1, NULL }
/* IFINDEX, then the nest @t opened */
#define HEAD(t)		U32(0, OVPN_A_IFINDEX, IFINDEX), NEST(0, (t))
#define U32(d, t, v)	{ (d), (t), 4, &(const uint32_t){ (v) } }
#define PEER_NEW_HEAD(id, fd) \
	HEAD(OVPN_A_PEER), U32(1, OVPN_A_PEER_ID, (id)), \
	U32(1, OVPN_A_PEER_SOCKET, (fd))
#define BYTES(d, t, ...) \
	{ (d), (t), sizeof((const uint8_t[]){ __VA_ARGS__ }), \
	  (const uint8_t[]){ __VA_ARGS__ } }

struct walk {
	const struct exp *exp;
	size_t n;
	size_t i;
	char why[160];
};

static bool walk_attrs(struct walk *w, struct nlattr *head, int len, int depth)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		const struct exp *e = &w->exp[w->i];

		if (w->i == w->n) {
			snprintf(w->why, sizeof(w->why),
				 "unexpected attribute %#x at depth %d",
				 a->nla_type, depth);
			return false;
		}
		if (e->depth != depth || e->type != a->nla_type ||
		    (e->len >= 0 && (e->len != nla_len(a) ||
				     memcmp(e->data, nla_data(a), e->len)))) {
			snprintf(w->why, sizeof(w->why),
				 "attribute %zu: got type %#x len %d depth %d, want type %#x len %d depth %d%s",
				 w->i, a->nla_type, nla_len(a), depth, e->type,
				 e->len, e->depth,
				 e->len == nla_len(a) ? " (payload differs)" : "");
			return false;
		}
		w->i++;
		if ((a->nla_type & NLA_F_NESTED) &&
		    !walk_attrs(w, nla_data(a), nla_len(a), depth + 1))
			return false;
	}
	if (rem) {
		snprintf(w->why, sizeof(w->why), "%d bytes of trailing garbage",
			 rem);
		return false;
	}
	return true;
}

/* @msg (freed) is a request of @cmd with @flags made of exactly @exp */
static void check_msg(struct nl_msg *msg, uint8_t cmd, int flags,
		      const struct exp *exp, size_t n, const char *what)
{
	struct walk w = { .exp = exp, .n = n };
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;
	char buf[256];
	bool ok;

	if (!msg) {
		snprintf(buf, sizeof(buf), "%s: built (got NULL)", what);
		check(false, buf);
		return;
	}
	nlh = nlmsg_hdr(msg);
	gh = nlmsg_data(nlh);
	ok = nlh->nlmsg_type == FAMILY_ID && gh->cmd == cmd &&
	     gh->version == OVPN_FAMILY_VERSION &&
	     (nlh->nlmsg_flags & NLM_F_DUMP) == flags;
	if (!ok)
		snprintf(w.why, sizeof(w.why),
			 "header: type %#x cmd %u version %u flags %#x",
			 nlh->nlmsg_type, gh->cmd, gh->version,
			 nlh->nlmsg_flags);
	else
		ok = walk_attrs(&w, genlmsg_attrdata(gh, 0),
				genlmsg_attrlen(gh, 0), 0);
	if (ok && w.i != n) {
		snprintf(w.why, sizeof(w.why), "%zu attributes, want %zu", w.i,
			 n);
		ok = false;
	}
	snprintf(buf, sizeof(buf), "%s%s%s", what, ok ? "" : ": ",
		 ok ? "" : w.why);
	check(ok, buf);
	nlmsg_free(msg);
}

#define CHECK_MSG(msg, cmd, flags, exp, what) \
	check_msg((msg), (cmd), (flags), (exp), sizeof(exp) / sizeof((exp)[0]), \
		  (what))

static const struct ovpn_nl nl = { .family = FAMILY_ID };

static void udp_peer(struct ovpn_new_peer *req, const char *remote,
		     uint16_t port)
{
	struct ip_addr ip;

	memset(req, 0, sizeof(*req));
	req->peer_id = 5;
	req->fd = 9;
	parse_ip(remote, &ip);
	req->remote_len = make_sockaddr(&ip, port, &req->remote);
}

static void test_new_peer(void)
{
	struct ovpn_new_peer req;

	udp_peer(&req, "192.168.1.2", 1194);
	{
		const struct exp e[] = {
			PEER_NEW_HEAD(5, 9),
			BYTES(1, OVPN_A_PEER_REMOTE_IPV4, 192, 168, 1, 2),
			BYTES(1, OVPN_A_PEER_REMOTE_PORT, 0x04, 0xaa),
		};
		CHECK_MSG(ovpnu_msg_new_peer(&nl, IFINDEX, &req),
			  OVPN_CMD_PEER_NEW, 0, e, "PEER_NEW UDP IPv4 (P2P)");
	}

	parse_ip("10.8.0.2", &req.vpn_ipv4);
	parse_ip("fd00:8::2", &req.vpn_ipv6);
	parse_ip("192.168.1.1", &req.local_ip);
	{
		const struct exp e[] = {
			PEER_NEW_HEAD(5, 9),
			BYTES(1, OVPN_A_PEER_REMOTE_IPV4, 192, 168, 1, 2),
			BYTES(1, OVPN_A_PEER_REMOTE_PORT, 0x04, 0xaa),
			BYTES(1, OVPN_A_PEER_LOCAL_IPV4, 192, 168, 1, 1),
			BYTES(1, OVPN_A_PEER_VPN_IPV4, 10, 8, 0, 2),
			BYTES(1, OVPN_A_PEER_VPN_IPV6, 0xfd, 0, 0, 8, 0, 0, 0, 0,
			      0, 0, 0, 0, 0, 0, 0, 2),
		};
		CHECK_MSG(ovpnu_msg_new_peer(&nl, IFINDEX, &req),
			  OVPN_CMD_PEER_NEW, 0, e,
			  "PEER_NEW UDP IPv4 with local and VPN addresses (MP)");
	}

	udp_peer(&req, "fe80::2", 51820);
	((struct sockaddr_in6 *)&req.remote)->sin6_scope_id = 3;
	parse_ip("fe80::1", &req.local_ip);
	{
		const struct exp e[] = {
			PEER_NEW_HEAD(5, 9),
			BYTES(1, OVPN_A_PEER_REMOTE_IPV6, 0xfe, 0x80, 0, 0, 0, 0,
			      0, 0, 0, 0, 0, 0, 0, 0, 0, 2),
			U32(1, OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID, 3),
			BYTES(1, OVPN_A_PEER_REMOTE_PORT, 0xca, 0x6c),
			BYTES(1, OVPN_A_PEER_LOCAL_IPV6, 0xfe, 0x80, 0, 0, 0, 0,
			      0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
		};
		CHECK_MSG(ovpnu_msg_new_peer(&nl, IFINDEX, &req),
			  OVPN_CMD_PEER_NEW, 0, e,
			  "PEER_NEW UDP IPv6: scope id always, local IPv6");
	}

	udp_peer(&req, "::ffff:10.1.2.3", 1);
	parse_ip("::ffff:10.1.2.1", &req.local_ip);
	{
		const struct exp e[] = {
			PEER_NEW_HEAD(5, 9),
			BYTES(1, OVPN_A_PEER_REMOTE_IPV4, 10, 1, 2, 3),
			BYTES(1, OVPN_A_PEER_REMOTE_PORT, 0, 1),
			BYTES(1, OVPN_A_PEER_LOCAL_IPV4, 10, 1, 2, 1),
		};
		CHECK_MSG(ovpnu_msg_new_peer(&nl, IFINDEX, &req),
			  OVPN_CMD_PEER_NEW, 0, e,
			  "PEER_NEW: v4-mapped remote and local sent as IPv4");
	}

	memset(&req, 0, sizeof(req));
	req.peer_id = 0xfffffe;
	req.fd = 4;
	parse_ip("10.8.0.3", &req.vpn_ipv4);
	{
		const struct exp e[] = {
			PEER_NEW_HEAD(0xfffffe, 4),
			BYTES(1, OVPN_A_PEER_VPN_IPV4, 10, 8, 0, 3),
		};
		CHECK_MSG(ovpnu_msg_new_peer(&nl, IFINDEX, &req),
			  OVPN_CMD_PEER_NEW, 0, e,
			  "PEER_NEW TCP: socket only, no remote");
	}
}

static void test_peer_cmds(void)
{
	const uint32_t id = 12;
	const struct exp set[] = {
		HEAD(OVPN_A_PEER),
		U32(1, OVPN_A_PEER_ID, 12),
		U32(1, OVPN_A_PEER_KEEPALIVE_INTERVAL, 0),
		U32(1, OVPN_A_PEER_KEEPALIVE_TIMEOUT, 120),
	};
	const struct exp one[] = {
		HEAD(OVPN_A_PEER),
		U32(1, OVPN_A_PEER_ID, 12),
	};
	const struct exp dump[] = {
		U32(0, OVPN_A_IFINDEX, IFINDEX),
	};

	CHECK_MSG(ovpnu_msg_set_peer(&nl, IFINDEX, 12, 0, 120),
		  OVPN_CMD_PEER_SET, 0, set,
		  "PEER_SET: both keepalive values, even a 0");
	CHECK_MSG(ovpnu_msg_del_peer(&nl, IFINDEX, 12), OVPN_CMD_PEER_DEL, 0,
		  one, "PEER_DEL: ID only");
	CHECK_MSG(ovpnu_msg_get_peer(&nl, IFINDEX, &id), OVPN_CMD_PEER_GET, 0,
		  one, "PEER_GET do: ID only");
	CHECK_MSG(ovpnu_msg_get_peer(&nl, IFINDEX, NULL), OVPN_CMD_PEER_GET,
		  NLM_F_DUMP, dump, "PEER_GET dump: IFINDEX only");
}

static void test_key_cmds(void)
{
	struct key_material km;
	struct ovpn_new_key req = { 0 };
	uint8_t tail2[8] = { 0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7 };
	size_t i;

	for (i = 0; i < sizeof(km.encrypt_key); i++) {
		km.encrypt_key[i] = 0x10 + i;
		km.decrypt_key[i] = 0x80 + i;
	}
	for (i = 0; i < sizeof(km.nonce_tail); i++)
		km.nonce_tail[i] = 0xa0 + i;
	req.peer_id = 3;
	req.slot = 1;
	req.key_id = 7;
	req.cipher = parse_cipher("aes-128-gcm", false);
	req.km = &km;
	{
		const struct exp e[] = {
			HEAD(OVPN_A_KEYCONF),
			U32(1, OVPN_A_KEYCONF_PEER_ID, 3),
			U32(1, OVPN_A_KEYCONF_SLOT, OVPN_KEY_SLOT_SECONDARY),
			U32(1, OVPN_A_KEYCONF_KEY_ID, 7),
			U32(1, OVPN_A_KEYCONF_CIPHER_ALG, OVPN_CIPHER_ALG_AES_GCM),
			NEST(1, OVPN_A_KEYCONF_ENCRYPT_DIR),
			{ 2, OVPN_A_KEYDIR_CIPHER_KEY, 16, km.encrypt_key },
			{ 2, OVPN_A_KEYDIR_NONCE_TAIL, 8, km.nonce_tail },
			NEST(1, OVPN_A_KEYCONF_DECRYPT_DIR),
			{ 2, OVPN_A_KEYDIR_CIPHER_KEY, 16, km.decrypt_key },
			{ 2, OVPN_A_KEYDIR_NONCE_TAIL, 8, km.nonce_tail },
		};
		CHECK_MSG(ovpnu_msg_new_key(&nl, IFINDEX, &req), OVPN_CMD_KEY_NEW,
			  0, e, "KEY_NEW AES-128-GCM: u32 numbers, 16-byte keys");
	}

	req.slot = 0;
	req.key_id = 0;
	req.cipher = parse_cipher("chacha20-poly1305", false);
	req.decrypt_tail = tail2;
	{
		const struct exp e[] = {
			HEAD(OVPN_A_KEYCONF),
			U32(1, OVPN_A_KEYCONF_PEER_ID, 3),
			U32(1, OVPN_A_KEYCONF_SLOT, OVPN_KEY_SLOT_PRIMARY),
			U32(1, OVPN_A_KEYCONF_KEY_ID, 0),
			U32(1, OVPN_A_KEYCONF_CIPHER_ALG,
			    OVPN_CIPHER_ALG_CHACHA20_POLY1305),
			NEST(1, OVPN_A_KEYCONF_ENCRYPT_DIR),
			{ 2, OVPN_A_KEYDIR_CIPHER_KEY, 32, km.encrypt_key },
			{ 2, OVPN_A_KEYDIR_NONCE_TAIL, 8, km.nonce_tail },
			NEST(1, OVPN_A_KEYCONF_DECRYPT_DIR),
			{ 2, OVPN_A_KEYDIR_CIPHER_KEY, 32, km.decrypt_key },
			{ 2, OVPN_A_KEYDIR_NONCE_TAIL, 8, tail2 },
		};
		CHECK_MSG(ovpnu_msg_new_key(&nl, IFINDEX, &req), OVPN_CMD_KEY_NEW,
			  0, e,
			  "KEY_NEW ChaCha20-Poly1305: 32-byte keys, own decrypt tail");
	}

	{
		const struct exp swap[] = {
			HEAD(OVPN_A_KEYCONF),
			U32(1, OVPN_A_KEYCONF_PEER_ID, 3),
		};
		const struct exp slot[] = {
			HEAD(OVPN_A_KEYCONF),
			U32(1, OVPN_A_KEYCONF_PEER_ID, 3),
			U32(1, OVPN_A_KEYCONF_SLOT, OVPN_KEY_SLOT_SECONDARY),
		};

		CHECK_MSG(ovpnu_msg_swap_keys(&nl, IFINDEX, 3), OVPN_CMD_KEY_SWAP,
			  0, swap, "KEY_SWAP: PEER_ID only");
		CHECK_MSG(ovpnu_msg_del_key(&nl, IFINDEX, 3, 1), OVPN_CMD_KEY_DEL,
			  0, slot, "KEY_DEL: PEER_ID and SLOT (u32)");
		CHECK_MSG(ovpnu_msg_get_key(&nl, IFINDEX, 3, 1), OVPN_CMD_KEY_GET,
			  0, slot, "KEY_GET: PEER_ID and SLOT (u32)");
	}
}

/* a message of @cmd as the kernel sends it, with nest @nest_type opened */
static struct nl_msg *kernel_msg(uint8_t cmd, bool ifindex, int nest_type,
				 struct nlattr **nest)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 0, FAMILY_ID, 0, 0, cmd, OVPN_FAMILY_VERSION);
	if (ifindex)
		nla_put_u32(msg, OVPN_A_IFINDEX, IFINDEX);
	*nest = nla_nest_start(msg, nest_type);
	return msg;
}

/* what @print writes for @vals */
static char *printed(void (*print)(FILE *, const struct attr_vals *),
		     const struct attr_vals *vals)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	print(f, vals);
	fclose(f);
	return buf;
}

static void check_text(char *got, const char *want, const char *what)
{
	check(!strcmp(got, want), what);
	if (strcmp(got, want))
		printf("# got:\n%s# want:\n%s", got, want);
	free(got);
}

static void test_peer_reply(void)
{
	struct in_addr v4;
	struct nlattr *nest;
	struct attr_vals v;
	struct nl_msg *msg;

	msg = kernel_msg(OVPN_CMD_PEER_GET, false, OVPN_A_PEER, &nest);
	nla_put_u32(msg, OVPN_A_PEER_ID, 1);
	nla_put_u32(msg, OVPN_A_PEER_TX_ID, 10);
	inet_pton(AF_INET, "10.8.0.2", &v4);
	nla_put(msg, OVPN_A_PEER_VPN_IPV4, 4, &v4);
	nla_put_u32(msg, OVPN_A_PEER_KEEPALIVE_INTERVAL, 60);
	nla_put_u32(msg, OVPN_A_PEER_KEEPALIVE_TIMEOUT, 120);
	inet_pton(AF_INET, "10.10.1.2", &v4);
	nla_put(msg, OVPN_A_PEER_REMOTE_IPV4, 4, &v4);
	nla_put_u16(msg, OVPN_A_PEER_REMOTE_PORT, htons(1194));
	inet_pton(AF_INET, "10.10.1.1", &v4);
	nla_put(msg, OVPN_A_PEER_LOCAL_IPV4, 4, &v4);
	nla_put_u16(msg, OVPN_A_PEER_LOCAL_PORT, htons(1));
	nla_put_u32(msg, OVPN_A_PEER_VPN_RX_BYTES, 1234);
	nla_put_u64(msg, OVPN_A_PEER_VPN_TX_BYTES, 0x123456789ULL);
	nla_put_u32(msg, OVPN_A_PEER_VPN_RX_PACKETS, 12);
	nla_put_u32(msg, OVPN_A_PEER_VPN_TX_PACKETS, 13);
	nla_put_u64(msg, OVPN_A_PEER_LINK_RX_BYTES, 5000000000ULL);
	nla_put_u32(msg, OVPN_A_PEER_LINK_TX_BYTES, 2000);
	nla_put_u32(msg, OVPN_A_PEER_LINK_RX_PACKETS, 14);
	nla_put_u64(msg, OVPN_A_PEER_LINK_TX_PACKETS, 15);
	nla_put_u32(msg, OVPN_A_PEER_SOCKET_NETNSID, (uint32_t)-1);
	nla_nest_end(msg, nest);

	check(!fam_parse_reply(msg, &ovpnu_peer_reply, &v),
	      "PEER_GET reply parses");
	check(v.num[OVPN_A_PEER_VPN_RX_BYTES] == 1234 &&
	      v.num[OVPN_A_PEER_VPN_TX_BYTES] == 0x123456789ULL &&
	      v.num[OVPN_A_PEER_LINK_RX_BYTES] == 5000000000ULL &&
	      v.num[OVPN_A_PEER_LINK_TX_PACKETS] == 15,
	      "counters of 4 and 8 bytes both read");
	check_text(printed(ovpnu_print_peer, &v),
		   "peer_id 1\n"
		   "tx_id 10\n"
		   "remote 10.10.1.2:1194\n"
		   "local_ip 10.10.1.1\n"
		   "local_port 1\n"
		   "vpn_ipv4 10.8.0.2\n"
		   "keepalive_interval 60\n"
		   "keepalive_timeout 120\n"
		   "vpn_rx_bytes 1234\n"
		   "vpn_tx_bytes 4886718345\n"
		   "vpn_rx_packets 12\n"
		   "vpn_tx_packets 13\n"
		   "link_rx_bytes 5000000000\n"
		   "link_tx_bytes 2000\n"
		   "link_rx_packets 14\n"
		   "link_tx_packets 15\n"
		   "socket_netnsid -1\n"
		   "\n",
		   "PEER_GET reply printed with v2's keys, remote as ADDR:PORT");
	nlmsg_free(msg);

	msg = kernel_msg(OVPN_CMD_PEER_GET, false, OVPN_A_PEER, &nest);
	nla_put_u32(msg, OVPN_A_PEER_ID, 2);
	nla_put(msg, OVPN_A_PEER_REMOTE_IPV6, 16,
		"\xfd\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02");
	nla_put_u32(msg, OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID, 0);
	nla_put_u16(msg, OVPN_A_PEER_REMOTE_PORT, htons(1));
	nla_put_u16(msg, OVPN_A_PEER_VPN_RX_BYTES, 5);
	nla_nest_end(msg, nest);
	check(!fam_parse_reply(msg, &ovpnu_peer_reply, &v) &&
	      !ATTR_HAS(&v, OVPN_A_PEER_VPN_RX_BYTES),
	      "a 2-byte counter is refused (uint is 4 or 8 bytes)");
	check_text(printed(ovpnu_print_peer, &v),
		   "peer_id 2\n"
		   "remote [fd00:0:0:1::2]:1\n"
		   "remote_ipv6_scope_id 0\n"
		   "\n", "IPv6 remote printed with its scope id");
	nlmsg_free(msg);
}

static void test_key_reply(void)
{
	struct nlattr *nest;
	struct attr_vals v;
	struct nl_msg *msg;

	msg = kernel_msg(OVPN_CMD_KEY_GET, false, OVPN_A_KEYCONF, &nest);
	nla_put_u32(msg, OVPN_A_KEYCONF_PEER_ID, 3);
	nla_put_u32(msg, OVPN_A_KEYCONF_SLOT, OVPN_KEY_SLOT_SECONDARY);
	nla_put_u32(msg, OVPN_A_KEYCONF_KEY_ID, 6);
	nla_put_u32(msg, OVPN_A_KEYCONF_CIPHER_ALG,
		    OVPN_CIPHER_ALG_CHACHA20_POLY1305);
	nla_nest_end(msg, nest);
	check(!fam_parse_reply(msg, &ovpnu_key_reply, &v), "KEY_GET reply parses");
	check_text(printed(ovpnu_print_key, &v),
		   "peer_id 3\nslot secondary\nkey_id 6\ncipher chacha20-poly1305\n\n",
		   "KEY_GET reply printed: slot, key id, cipher");
	nlmsg_free(msg);
}

static void test_notifications(void)
{
	char addr[INET6_ADDRSTRLEN + 16];
	struct ovpn_notif n;
	struct nlattr *nest;
	struct nl_msg *msg;
	struct in_addr v4;

	msg = kernel_msg(OVPN_CMD_PEER_DEL_NTF, true, OVPN_A_PEER, &nest);
	nla_put_u32(msg, OVPN_A_PEER_DEL_REASON,
		    OVPN_DEL_PEER_REASON_EXPIRED);
	nla_put_u32(msg, OVPN_A_PEER_ID, 4);
	nla_nest_end(msg, nest);
	check(!ovpnu_parse_notification(msg, &n) &&
	      n.kind == NOTIF_DEL_PEER && n.ifindex == IFINDEX &&
	      n.has_peer_id && n.peer_id == 4 && n.has_reason &&
	      n.reason == OVPN_DEL_PEER_REASON_EXPIRED,
	      "PEER_DEL_NTF: ifindex, id, reason");
	nlmsg_free(msg);

	msg = kernel_msg(OVPN_CMD_KEY_SWAP_NTF, true, OVPN_A_KEYCONF, &nest);
	nla_put_u32(msg, OVPN_A_KEYCONF_PEER_ID, 4);
	nla_put_u16(msg, OVPN_A_KEYCONF_KEY_ID, 5);
	nla_nest_end(msg, nest);
	check(!ovpnu_parse_notification(msg, &n) &&
	      n.kind == NOTIF_SWAP_KEYS && n.ifindex == IFINDEX &&
	      n.has_peer_id && n.peer_id == 4 && n.has_key_id && n.key_id == 5,
	      "KEY_SWAP_NTF: KEY_ID read as u16");
	nlmsg_free(msg);

	msg = kernel_msg(OVPN_CMD_PEER_FLOAT_NTF, true, OVPN_A_PEER, &nest);
	nla_put_u32(msg, OVPN_A_PEER_ID, 1);
	inet_pton(AF_INET, "10.10.1.3", &v4);
	nla_put(msg, OVPN_A_PEER_REMOTE_IPV4, 4, &v4);
	nla_put_u16(msg, OVPN_A_PEER_REMOTE_PORT, htons(1));
	nla_nest_end(msg, nest);
	check(!ovpnu_parse_notification(msg, &n) &&
	      n.kind == NOTIF_FLOAT_PEER && n.peer_id == 1 && n.remote_len &&
	      !n.has_scope_id, "PEER_FLOAT_NTF IPv4 parses");
	sockaddr_str((struct sockaddr *)&n.remote, n.remote_len, addr,
		     sizeof(addr));
	check(!strcmp(addr, "10.10.1.3:1"), "PEER_FLOAT_NTF IPv4 address and port");
	nlmsg_free(msg);

	msg = kernel_msg(OVPN_CMD_PEER_FLOAT_NTF, true, OVPN_A_PEER, &nest);
	nla_put_u32(msg, OVPN_A_PEER_ID, 1);
	nla_put(msg, OVPN_A_PEER_REMOTE_IPV6, 16,
		"\xfe\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09");
	nla_put_u32(msg, OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID, 2);
	nla_put_u16(msg, OVPN_A_PEER_REMOTE_PORT, htons(1194));
	nla_nest_end(msg, nest);
	check(!ovpnu_parse_notification(msg, &n) && n.has_scope_id &&
	      ((struct sockaddr_in6 *)&n.remote)->sin6_scope_id == 2,
	      "PEER_FLOAT_NTF IPv6 with its scope id");
	sockaddr_str((struct sockaddr *)&n.remote, n.remote_len, addr,
		     sizeof(addr));
	check(!strcmp(addr, "[fe80::9]:1194"), "PEER_FLOAT_NTF IPv6 address and port");
	nlmsg_free(msg);
}

int main(void)
{
	test_new_peer();
	test_peer_cmds();
	test_key_cmds();
	test_peer_reply();
	test_key_reply();
	test_notifications();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
