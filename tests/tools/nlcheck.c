// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlcheck: send malformed and invalid ovpn-dco-v2 requests to a live device
 * and check that each is refused with the right errno and an extack
 * message, then that the device still answers for its peer.
 *
 * Usage: nlcheck <iface> <peer-id>
 *   <iface> is an ovpn-dco device with the peer <peer-id>, which has a
 *   primary key. NEW_KEY cases aimed at that peer use the secondary slot and
 *   NEW_PEER cases another peer id, so that a request wrongly accepted does
 *   not silently pass the final check.
 *
 * Output: "ok <case>" or "not ok <case>: got errno N extack "..." (want ...)"
 * per case, then "N passed, N failed"; exit status 1 on any failure, 2 on a
 * usage error.
 *
 * Usage: nlcheck --start-vpn-loop <iface> <secs>
 *   For <secs> seconds (or until SIGTERM), look <iface> up by name and
 *   send START_VPN to it, as fast as possible, while a scenario deletes and
 *   re-creates the device: START_VPN then races the deletion. Prints
 *   "start_vpn: N sent, N ok, N enodev (N being deleted), N other" (being
 *   deleted: refused after the lookup, under RTNL); exit status 1 if any
 *   answer was neither success nor ENODEV with an extack message.
 */

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/ovpn_dco.h>

#include "nl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define KEY_LEN		32
#define NONCE_TAIL_LEN	8

struct ctx {
	struct ovpn_nl nl;
	uint32_t ifindex;
	uint32_t peer_id;
	uint32_t unknown_id;
	uint32_t unknown_ifindex;
	uint32_t lo_ifindex;
	int udp_fd;
	int file_fd;
};

/* set when any attribute did not fit: the case is then reported broken */
static bool build_failed;

static void put(struct nl_msg *msg, int type, int len, const void *data)
{
	if (nla_put(msg, type, len, data) < 0)
		build_failed = true;
}

static void put_u32(struct nl_msg *msg, int type, uint32_t v)
{
	put(msg, type, sizeof(v), &v);
}

static void put_u16(struct nl_msg *msg, int type, uint16_t v)
{
	put(msg, type, sizeof(v), &v);
}

static void put_u8(struct nl_msg *msg, int type, uint8_t v)
{
	put(msg, type, sizeof(v), &v);
}

static struct nlattr *nest(struct nl_msg *msg, int type)
{
	struct nlattr *n = nla_nest_start(msg, type | NLA_F_NESTED);

	if (!n)
		build_failed = true;
	return n;
}

static void nest_end(struct nl_msg *msg, struct nlattr *n)
{
	if (n)
		nla_nest_end(msg, n);
}

/* a request of @cmd, with IFINDEX @ifindex unless @no_ifindex */
static struct nl_msg *start(struct ctx *c, uint8_t cmd, uint32_t ifindex,
			    bool no_ifindex)
{
	struct nl_msg *msg = ovpn_nl_msg(&c->nl, cmd, 0);

	if (!msg) {
		build_failed = true;
		return NULL;
	}
	if (!no_ifindex)
		put_u32(msg, OVPN_ATTR_IFINDEX, ifindex);
	return msg;
}

/* NEW_PEER: a valid body unless told otherwise */
struct peer_spec {
	bool no_peer_id;
	int fd;
	int sockaddr_len;
	bool port_0;
};

static struct nl_msg *new_peer(struct ctx *c, const struct peer_spec *s)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(1194),
		.sin_addr = { htonl(INADDR_LOOPBACK) },
	};
	struct nl_msg *msg = start(c, OVPN_CMD_NEW_PEER, c->ifindex, false);
	struct nlattr *n;

	if (!msg)
		return NULL;
	if (s->port_0)
		sin.sin_port = 0;
	n = nest(msg, OVPN_ATTR_NEW_PEER);
	if (!s->no_peer_id)
		put_u32(msg, OVPN_NEW_PEER_ATTR_PEER_ID, c->unknown_id);
	put_u32(msg, OVPN_NEW_PEER_ATTR_SOCKET, s->fd);
	put(msg, OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE,
	    s->sockaddr_len ? s->sockaddr_len : (int)sizeof(sin), &sin);
	nest_end(msg, n);
	return msg;
}

/* NEW_KEY: a valid AES-256-GCM body unless told otherwise */
struct key_spec {
	uint32_t ifindex;
	bool no_ifindex;
	bool no_nest;
	uint32_t peer_id;
	uint8_t slot;
	uint8_t key_id;
	uint16_t alg;
	int key_len;
	int nonce_len;
	bool no_encrypt_key;
};

static void put_key_dir(struct nl_msg *msg, int type, const struct key_spec *s,
			uint8_t fill)
{
	uint8_t key[KEY_LEN], nonce[NONCE_TAIL_LEN];
	struct nlattr *n;

	memset(key, fill, sizeof(key));
	memset(nonce, fill ^ 0xff, sizeof(nonce));
	n = nest(msg, type);
	put(msg, OVPN_KEY_DIR_ATTR_CIPHER_KEY, s->key_len, key);
	put(msg, OVPN_KEY_DIR_ATTR_NONCE_TAIL, s->nonce_len, nonce);
	nest_end(msg, n);
}

static struct nl_msg *new_key(struct ctx *c, struct key_spec s)
{
	struct nl_msg *msg;
	struct nlattr *n;

	if (!s.ifindex)
		s.ifindex = c->ifindex;
	msg = start(c, OVPN_CMD_NEW_KEY, s.ifindex, s.no_ifindex);
	if (!msg || s.no_nest)
		return msg;
	n = nest(msg, OVPN_ATTR_NEW_KEY);
	put_u32(msg, OVPN_NEW_KEY_ATTR_PEER_ID, s.peer_id);
	put_u8(msg, OVPN_NEW_KEY_ATTR_KEY_SLOT, s.slot);
	put_u8(msg, OVPN_NEW_KEY_ATTR_KEY_ID, s.key_id);
	put_u16(msg, OVPN_NEW_KEY_ATTR_CIPHER_ALG, s.alg);
	if (!s.no_encrypt_key)
		put_key_dir(msg, OVPN_NEW_KEY_ATTR_ENCRYPT_KEY, &s, 0x11);
	put_key_dir(msg, OVPN_NEW_KEY_ATTR_DECRYPT_KEY, &s, 0x22);
	nest_end(msg, n);
	return msg;
}

/* a valid NEW_KEY for the existing peer's secondary slot */
static struct key_spec key_ok(struct ctx *c)
{
	struct key_spec s = {
		.peer_id = c->peer_id,
		.slot = OVPN_KEY_SLOT_SECONDARY,
		.key_id = 1,
		.alg = OVPN_CIPHER_ALG_AES_GCM,
		.key_len = KEY_LEN,
		.nonce_len = NONCE_TAIL_LEN,
	};
	return s;
}

/* a command whose nest holds just a u32 peer id */
static struct nl_msg *peer_id_req(struct ctx *c, uint8_t cmd, int nest_type,
				  int id_type, uint32_t ifindex, uint32_t id)
{
	struct nl_msg *msg = start(c, cmd, ifindex, false);
	struct nlattr *n;

	if (!msg)
		return NULL;
	n = nest(msg, nest_type);
	put_u32(msg, id_type, id);
	nest_end(msg, n);
	return msg;
}

static struct nl_msg *get_peer(struct ctx *c, uint32_t ifindex, uint32_t id)
{
	return peer_id_req(c, OVPN_CMD_GET_PEER, OVPN_ATTR_GET_PEER,
			   OVPN_GET_PEER_ATTR_PEER_ID, ifindex, id);
}

static struct nl_msg *del_peer(struct ctx *c, uint32_t ifindex, uint32_t id)
{
	return peer_id_req(c, OVPN_CMD_DEL_PEER, OVPN_ATTR_DEL_PEER,
			   OVPN_DEL_PEER_ATTR_PEER_ID, ifindex, id);
}

static struct nl_msg *set_peer(struct ctx *c, uint32_t id, int interval_len)
{
	struct nl_msg *msg = start(c, OVPN_CMD_SET_PEER, c->ifindex, false);
	uint32_t interval = 5;
	struct nlattr *n;

	if (!msg)
		return NULL;
	n = nest(msg, OVPN_ATTR_SET_PEER);
	put_u32(msg, OVPN_SET_PEER_ATTR_PEER_ID, id);
	put(msg, OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL, interval_len, &interval);
	put_u32(msg, OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT, 60);
	nest_end(msg, n);
	return msg;
}

/* SET_PEER with any of keepalive (both values) and MSS */
struct set_spec {
	uint32_t id;
	bool keepalive;
	uint32_t interval, timeout;
	bool has_mss;
	uint16_t mss;
};

static struct nl_msg *set_peer_spec(struct ctx *c, const struct set_spec *s)
{
	struct nl_msg *msg = start(c, OVPN_CMD_SET_PEER, c->ifindex, false);
	struct nlattr *n;

	if (!msg)
		return NULL;
	n = nest(msg, OVPN_ATTR_SET_PEER);
	put_u32(msg, OVPN_SET_PEER_ATTR_PEER_ID, s->id);
	if (s->keepalive) {
		put_u32(msg, OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL, s->interval);
		put_u32(msg, OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT, s->timeout);
	}
	if (s->has_mss)
		put_u16(msg, OVPN_SET_PEER_ATTR_MSS, s->mss);
	nest_end(msg, n);
	return msg;
}

/* the largest keepalive period the module takes, in seconds (24 days) */
#define KEEPALIVE_MAX	(24 * 24 * 3600)

/* the cases */

static struct nl_msg *c_new_peer_no_id(struct ctx *c)
{
	struct peer_spec s = { .no_peer_id = true, .fd = c->udp_fd };

	return new_peer(c, &s);
}

static struct nl_msg *c_new_peer_file_fd(struct ctx *c)
{
	struct peer_spec s = { .fd = c->file_fd };

	return new_peer(c, &s);
}

static struct nl_msg *c_new_peer_short_sockaddr(struct ctx *c)
{
	struct peer_spec s = { .fd = c->udp_fd, .sockaddr_len = 7 };

	return new_peer(c, &s);
}

static struct nl_msg *c_new_key_unknown_peer(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.peer_id = c->unknown_id;
	return new_key(c, s);
}

static struct nl_msg *c_new_key_alg_none(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.alg = OVPN_CIPHER_ALG_NONE;
	return new_key(c, s);
}

static struct nl_msg *c_new_key_15_byte_key(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.key_len = 15;
	return new_key(c, s);
}

static struct nl_msg *c_new_key_7_byte_nonce(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.nonce_len = 7;
	return new_key(c, s);
}

static struct nl_msg *c_new_key_id_8(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.key_id = 8;
	return new_key(c, s);
}

static struct nl_msg *c_new_key_no_encrypt(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.no_encrypt_key = true;
	return new_key(c, s);
}

static struct nl_msg *c_new_key_slot_2(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.slot = 2;
	return new_key(c, s);
}

static struct nl_msg *c_set_peer_unknown(struct ctx *c)
{
	return set_peer(c, c->unknown_id, sizeof(uint32_t));
}

static struct nl_msg *c_set_peer_short_interval(struct ctx *c)
{
	return set_peer(c, c->peer_id, 2);
}

static struct nl_msg *c_del_peer_unknown(struct ctx *c)
{
	return del_peer(c, c->ifindex, c->unknown_id);
}

static struct nl_msg *c_swap_keys_unknown(struct ctx *c)
{
	return peer_id_req(c, OVPN_CMD_SWAP_KEYS, OVPN_ATTR_SWAP_KEYS,
			   OVPN_SWAP_KEYS_ATTR_PEER_ID, c->ifindex,
			   c->unknown_id);
}

static struct nl_msg *c_del_key_unknown(struct ctx *c)
{
	struct nl_msg *msg = start(c, OVPN_CMD_DEL_KEY, c->ifindex, false);
	struct nlattr *n;

	if (!msg)
		return NULL;
	n = nest(msg, OVPN_ATTR_DEL_KEY);
	put_u32(msg, OVPN_DEL_KEY_ATTR_PEER_ID, c->unknown_id);
	put_u8(msg, OVPN_DEL_KEY_ATTR_KEY_SLOT, OVPN_KEY_SLOT_PRIMARY);
	nest_end(msg, n);
	return msg;
}

static struct nl_msg *c_get_peer_unknown(struct ctx *c)
{
	return get_peer(c, c->ifindex, c->unknown_id);
}

static struct nl_msg *c_get_peer_bad_ifindex(struct ctx *c)
{
	return get_peer(c, c->unknown_ifindex, c->peer_id);
}

static struct nl_msg *c_del_peer_bad_ifindex(struct ctx *c)
{
	return del_peer(c, c->unknown_ifindex, c->peer_id);
}

static struct nl_msg *c_new_key_bad_ifindex(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.ifindex = c->unknown_ifindex;
	return new_key(c, s);
}

static struct nl_msg *c_start_vpn_bad_ifindex(struct ctx *c)
{
	return start(c, OVPN_CMD_START_VPN, c->unknown_ifindex, false);
}

static struct nl_msg *c_get_peer_no_ifindex(struct ctx *c)
{
	struct nl_msg *msg = start(c, OVPN_CMD_GET_PEER, 0, true);
	struct nlattr *n;

	if (!msg)
		return NULL;
	n = nest(msg, OVPN_ATTR_GET_PEER);
	put_u32(msg, OVPN_GET_PEER_ATTR_PEER_ID, c->peer_id);
	nest_end(msg, n);
	return msg;
}

static struct nl_msg *c_new_key_no_ifindex(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.no_ifindex = true;
	return new_key(c, s);
}

static struct nl_msg *c_get_peer_lo(struct ctx *c)
{
	return get_peer(c, c->lo_ifindex, c->peer_id);
}

static struct nl_msg *c_del_peer_no_nest(struct ctx *c)
{
	return start(c, OVPN_CMD_DEL_PEER, c->ifindex, false);
}

static struct nl_msg *c_new_key_no_nest(struct ctx *c)
{
	struct key_spec s = key_ok(c);

	s.no_nest = true;
	return new_key(c, s);
}

static struct nl_msg *c_set_peer_no_nest(struct ctx *c)
{
	return start(c, OVPN_CMD_SET_PEER, c->ifindex, false);
}

static struct nl_msg *c_new_peer_port_0(struct ctx *c)
{
	struct peer_spec s = { .fd = c->udp_fd, .port_0 = true };

	return new_peer(c, &s);
}

static struct nl_msg *c_set_peer_interval_too_big(struct ctx *c)
{
	struct set_spec s = { .id = c->peer_id, .keepalive = true,
			      .interval = KEEPALIVE_MAX + 1, .timeout = 60 };

	return set_peer_spec(c, &s);
}

static struct nl_msg *c_set_peer_timeout_u32_max(struct ctx *c)
{
	/* seconds * HZ overflows 32 bits */
	struct set_spec s = { .id = c->peer_id, .keepalive = true,
			      .interval = 5, .timeout = UINT32_MAX };

	return set_peer_spec(c, &s);
}

static struct nl_msg *c_set_peer_keepalive_max_unknown(struct ctx *c)
{
	/* the largest values pass validation: the unknown peer refuses */
	struct set_spec s = { .id = c->unknown_id, .keepalive = true,
			      .interval = KEEPALIVE_MAX,
			      .timeout = KEEPALIVE_MAX };

	return set_peer_spec(c, &s);
}

static struct nl_msg *c_set_peer_mss_40(struct ctx *c)
{
	struct set_spec s = { .id = c->peer_id, .has_mss = true, .mss = 40 };

	return set_peer_spec(c, &s);
}

static struct nl_msg *c_set_peer_mss_65535(struct ctx *c)
{
	struct set_spec s = { .id = c->peer_id, .has_mss = true,
			      .mss = 65535 };

	return set_peer_spec(c, &s);
}

static struct nl_msg *c_set_peer_mss_88_unknown(struct ctx *c)
{
	struct set_spec s = { .id = c->unknown_id, .has_mss = true,
			      .mss = 88 };

	return set_peer_spec(c, &s);
}

static struct nl_msg *c_set_peer_mss_65495_unknown(struct ctx *c)
{
	struct set_spec s = { .id = c->unknown_id, .has_mss = true,
			      .mss = 65495 };

	return set_peer_spec(c, &s);
}

/* @msg, when set, must be part of the extack message */
static const struct nlcase {
	const char *name;
	int want[2];
	struct nl_msg *(*build)(struct ctx *c);
	const char *msg;
} cases[] = {
	{ "NEW_PEER without PEER_ID", { EINVAL }, c_new_peer_no_id, NULL },
	{ "NEW_PEER with SOCKET a regular file", { ENOTSOCK }, c_new_peer_file_fd, NULL },
	{ "NEW_PEER with a 7-byte SOCKADDR_REMOTE", { EINVAL, ERANGE }, c_new_peer_short_sockaddr, NULL },
	{ "NEW_KEY for an unknown peer", { ENOENT }, c_new_key_unknown_peer, NULL },
	{ "NEW_KEY with CIPHER_ALG NONE", { EINVAL }, c_new_key_alg_none, NULL },
	{ "NEW_KEY with a 15-byte cipher key", { EINVAL }, c_new_key_15_byte_key, NULL },
	{ "NEW_KEY with a 7-byte nonce tail", { EINVAL, ERANGE }, c_new_key_7_byte_nonce, NULL },
	{ "NEW_KEY with key id 8", { EINVAL, ERANGE }, c_new_key_id_8, NULL },
	{ "NEW_KEY without ENCRYPT_KEY", { EINVAL }, c_new_key_no_encrypt, NULL },
	{ "NEW_KEY with key slot 2", { EINVAL, ERANGE }, c_new_key_slot_2, NULL },
	{ "SET_PEER for an unknown peer", { ENOENT }, c_set_peer_unknown, NULL },
	{ "SET_PEER with a 2-byte KEEPALIVE_INTERVAL", { EINVAL, ERANGE }, c_set_peer_short_interval, NULL },
	{ "DEL_PEER for an unknown peer", { ENOENT }, c_del_peer_unknown, NULL },
	{ "SWAP_KEYS for an unknown peer", { ENOENT }, c_swap_keys_unknown, NULL },
	{ "DEL_KEY for an unknown peer", { ENOENT }, c_del_key_unknown, NULL },
	{ "GET_PEER for an unknown peer", { ENOENT }, c_get_peer_unknown, NULL },
	{ "GET_PEER with an unknown ifindex", { ENODEV }, c_get_peer_bad_ifindex, NULL },
	{ "DEL_PEER with an unknown ifindex", { ENODEV }, c_del_peer_bad_ifindex, NULL },
	{ "NEW_KEY with an unknown ifindex", { ENODEV }, c_new_key_bad_ifindex, NULL },
	{ "START_VPN with an unknown ifindex", { ENODEV }, c_start_vpn_bad_ifindex, NULL },
	{ "GET_PEER without IFINDEX", { EINVAL }, c_get_peer_no_ifindex, NULL },
	{ "NEW_KEY without IFINDEX", { EINVAL }, c_new_key_no_ifindex, NULL },
	{ "GET_PEER with the IFINDEX of lo", { EINVAL }, c_get_peer_lo, NULL },
	{ "DEL_PEER without its nest", { EINVAL }, c_del_peer_no_nest, NULL },
	{ "NEW_KEY without its nest", { EINVAL }, c_new_key_no_nest, NULL },
	{ "SET_PEER without its nest", { EINVAL }, c_set_peer_no_nest, NULL },
	{ "NEW_PEER with remote port 0", { EINVAL }, c_new_peer_port_0,
	  "remote port 0" },
	{ "SET_PEER with a keepalive interval of 24 days + 1 s", { ERANGE },
	  c_set_peer_interval_too_big, "out of range" },
	{ "SET_PEER with a keepalive timeout of 2^32-1 s", { ERANGE },
	  c_set_peer_timeout_u32_max, "out of range" },
	{ "SET_PEER with 24-day keepalive values for an unknown peer", { ENOENT },
	  c_set_peer_keepalive_max_unknown, "no peer" },
	{ "SET_PEER with MSS 40", { EINVAL }, c_set_peer_mss_40,
	  "MSS must be 0" },
	{ "SET_PEER with MSS 65535", { ERANGE }, c_set_peer_mss_65535,
	  "out of range" },
	{ "SET_PEER with MSS 88 for an unknown peer", { ENOENT },
	  c_set_peer_mss_88_unknown, "no peer" },
	{ "SET_PEER with MSS 65495 for an unknown peer", { ENOENT },
	  c_set_peer_mss_65495_unknown, "no peer" },
};

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL:
		return "EINVAL";
	case ERANGE:
		return "ERANGE";
	case ENOENT:
		return "ENOENT";
	case ENODEV:
		return "ENODEV";
	case ENOTSOCK:
		return "ENOTSOCK";
	}
	return "?";
}

static int passed, failed;

static void result(bool ok, const char *name, const struct nlx_err *err,
		   const char *want)
{
	if (ok) {
		printf("ok %s\n", name);
		passed++;
		return;
	}
	printf("not ok %s: got errno %d extack \"%s\" (want %s)\n", name,
	       err->error, err->msg, want);
	failed++;
}

static void run_case(struct ctx *c, const struct nlcase *k)
{
	struct nlx_err err;
	struct nl_msg *msg;
	char want[128];
	bool ok;
	int ret;

	snprintf(want, sizeof(want), "%s%s%s, %s%s%s",
		 errno_name(k->want[0]), k->want[1] ? " or " : "",
		 k->want[1] ? errno_name(k->want[1]) : "",
		 k->msg ? "extack with \"" : "non-empty extack",
		 k->msg ? k->msg : "", k->msg ? "\"" : "");

	build_failed = false;
	msg = k->build(c);
	if (!msg || build_failed) {
		if (msg)
			nlmsg_free(msg);
		nlx_err_local(&err, ENOMEM, "could not build the request");
		result(false, k->name, &err, want);
		return;
	}
	ret = nlx_transact(c->nl.sk, msg, NULL, NULL, &err);
	if (ret && !err.kernel) {
		/* a local failure: show it in the extack slot */
		printf("not ok %s: %s\n", k->name, err.msg);
		failed++;
		return;
	}
	ok = ret && (err.error == k->want[0] ||
		     (k->want[1] && err.error == k->want[1])) && err.msg[0] &&
	     (!k->msg || strstr(err.msg, k->msg));
	result(ok, k->name, &err, want);
}

static int count_peer(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(*(int *)arg)++;
	return NL_OK;
}

static void check_still_alive(struct ctx *c)
{
	const char *name = "GET_PEER of the existing peer still answers";
	struct nlx_err err;
	struct nl_msg *msg;
	int replies = 0;
	int ret;

	build_failed = false;
	msg = get_peer(c, c->ifindex, c->peer_id);
	if (!msg || build_failed) {
		if (msg)
			nlmsg_free(msg);
		printf("not ok %s: could not build the request\n", name);
		failed++;
		return;
	}
	ret = nlx_transact(c->nl.sk, msg, count_peer, &replies, &err);
	if (!ret && replies == 1) {
		printf("ok %s\n", name);
		passed++;
	} else {
		printf("not ok %s: got errno %d extack \"%s\" and %d replies (want success, one reply)\n",
		       name, err.error, err.msg, replies);
		failed++;
	}
}

/* an ifindex no device has */
static uint32_t pick_unknown_ifindex(void)
{
	char name[IF_NAMESIZE];
	uint32_t i;

	for (i = 0x7ffffff0; i > 0x7fff0000; i--)
		if (!if_indextoname(i, name))
			return i;
	return 0x7fffffff;
}

static int setup(struct ctx *c, const char *iface, const char *peer)
{
	struct sockaddr_in any = { .sin_family = AF_INET };
	struct nlx_err err;
	char *end;
	FILE *f;
	unsigned long v;

	c->udp_fd = -1;
	c->file_fd = -1;
	errno = 0;
	v = strtoul(peer, &end, 10);
	if (errno || *end || !*peer || v > UINT32_MAX) {
		fprintf(stderr, "nlcheck: invalid peer id '%s'\n", peer);
		exit(2);
	}
	c->peer_id = v;
	c->unknown_id = c->peer_id == 0x123456 ? 0x123457 : 0x123456;

	c->ifindex = if_nametoindex(iface);
	if (!c->ifindex) {
		fprintf(stderr, "nlcheck: %s: %s\n", iface, strerror(errno));
		return -1;
	}
	c->lo_ifindex = if_nametoindex("lo");
	if (!c->lo_ifindex) {
		fprintf(stderr, "nlcheck: lo: %s\n", strerror(errno));
		return -1;
	}
	c->unknown_ifindex = pick_unknown_ifindex();

	c->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->udp_fd < 0 ||
	    bind(c->udp_fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
		fprintf(stderr, "nlcheck: UDP socket: %s\n", strerror(errno));
		return -1;
	}
	f = tmpfile();
	if (!f) {
		fprintf(stderr, "nlcheck: temporary file: %s\n", strerror(errno));
		return -1;
	}
	c->file_fd = dup(fileno(f));
	fclose(f);
	if (c->file_fd < 0) {
		fprintf(stderr, "nlcheck: dup: %s\n", strerror(errno));
		return -1;
	}

	if (ovpn_nl_open(&c->nl, &err)) {
		fprintf(stderr, "nlcheck: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void cleanup(struct ctx *c)
{
	ovpn_nl_close(&c->nl);
	if (c->udp_fd >= 0)
		close(c->udp_fd);
	if (c->file_fd >= 0)
		close(c->file_fd);
}

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t loop_stop;

static void on_stop(int sig)
{
	(void)sig;
	loop_stop = 1;
}

/* START_VPN to whatever device has the name @iface now, for @secs seconds
 * or until SIGTERM/SIGINT
 */
static int start_vpn_loop(const char *iface, const char *secs)
{
	unsigned long sent = 0, ok = 0, enodev = 0, dying = 0, other = 0;
	double end = now_secs() + atof(secs);
	struct ovpn_nl nl;
	struct nlx_err err;

	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	if (ovpn_nl_open(&nl, &err)) {
		fprintf(stderr, "nlcheck: %s\n", err.msg);
		return 1;
	}
	while (!loop_stop && now_secs() < end) {
		uint32_t ifindex = if_nametoindex(iface);
		struct nl_msg *msg;

		if (!ifindex)
			continue;
		msg = ovpn_nl_msg(&nl, OVPN_CMD_START_VPN, 0);
		if (!msg || nla_put_u32(msg, OVPN_ATTR_IFINDEX, ifindex) < 0) {
			fprintf(stderr, "nlcheck: cannot build START_VPN\n");
			if (msg)
				nlmsg_free(msg);
			break;
		}
		sent++;
		if (!nlx_transact(nl.sk, msg, NULL, NULL, &err)) {
			ok++;
		} else if (err.kernel && err.error == ENODEV && err.msg[0]) {
			enodev++;
			/* refused under RTNL: the race this loop is after */
			if (strstr(err.msg, "being deleted"))
				dying++;
		} else {
			if (!other)
				printf("start_vpn: unexpected answer: errno %d extack \"%s\"\n",
				       err.error, err.msg);
			other++;
		}
	}
	ovpn_nl_close(&nl);
	printf("start_vpn: %lu sent, %lu ok, %lu enodev (%lu being deleted), %lu other\n",
	       sent, ok, enodev, dying, other);
	return other ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "--start-vpn-loop"))
		return start_vpn_loop(argv[2], argv[3]);
	if (argc != 3) {
		fprintf(stderr, "usage: nlcheck <iface> <peer-id>\n"
				"       nlcheck --start-vpn-loop <iface> <secs>\n");
		return 2;
	}
	if (setup(&c, argv[1], argv[2])) {
		cleanup(&c);
		return 1;
	}

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&c, &cases[i]);
	check_still_alive(&c);

	cleanup(&c);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
