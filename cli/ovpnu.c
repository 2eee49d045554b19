// SPDX-License-Identifier: GPL-2.0-only
/*
 * The upstream "ovpn" family's requests and replies. See ovpnu.h; the
 * contract is Documentation/netlink/specs/ovpn.yaml and what OpenVPN 2.7
 * sends (src/openvpn/dco_linux.c).
 *
 * Only <linux/ovpn.h> here, never <linux/ovpn_dco.h>: what the rest of the
 * CLI takes from the v2 header (cipher, key slot and removal reason numbers,
 * IFLA_OVPN_MODE) has the same values in both, checked below.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/ovpn.h>

#include "ovpnu.h"

_Static_assert(OVPN_A_IFINDEX == FAM_A_IFINDEX, "IFINDEX");
_Static_assert(OVPN_A_KEYDIR_CIPHER_KEY == FAM_A_CIPHER_KEY, "CIPHER_KEY");
_Static_assert(OVPN_A_KEYDIR_NONCE_TAIL == FAM_A_NONCE_TAIL, "NONCE_TAIL");
_Static_assert(OVPN_NONCE_TAIL_SIZE == KEYFILE_NONCE_TAIL_LEN, "nonce tail");
_Static_assert(OVPN_A_MAX < ATTR_VALS_MAX, "OVPN_A_MAX");
_Static_assert(OVPN_A_PEER_MAX < ATTR_VALS_MAX, "OVPN_A_PEER_MAX");
_Static_assert(OVPN_A_KEYCONF_MAX < ATTR_VALS_MAX, "OVPN_A_KEYCONF_MAX");
/* ovpn_nl_msg() puts version 1 in every request, v2's and ours */
_Static_assert(OVPN_FAMILY_VERSION == 1, "family version");
/* util.c names and parses these with the v2 header's enums */
_Static_assert(OVPN_CIPHER_ALG_NONE == 0 && OVPN_CIPHER_ALG_AES_GCM == 1 &&
	       OVPN_CIPHER_ALG_CHACHA20_POLY1305 == 2, "cipher numbers");
_Static_assert(OVPN_KEY_SLOT_PRIMARY == 0 && OVPN_KEY_SLOT_SECONDARY == 1,
	       "slot numbers");
_Static_assert(OVPN_DEL_PEER_REASON_TEARDOWN == 0 &&
	       OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT == 4, "reasons");

int ovpnu_nl_open(struct ovpn_nl *nl, struct nlx_err *err)
{
	return ovpn_nl_open_family(nl, OVPN_FAMILY_NAME, err);
}

int ovpnu_nl_open_mcast(struct ovpn_nl *nl, int rcvbuf, struct nlx_err *err)
{
	return ovpn_nl_open_mcast_family(nl, OVPN_FAMILY_NAME,
					 OVPN_MCGRP_PEERS, rcvbuf, err);
}

/* an IPv4-mapped IPv6 address as its IPv4 address, as OpenVPN sends it */
static struct ip_addr unmapped(const struct ip_addr *ip)
{
	struct ip_addr v4 = { .family = AF_INET };

	if (ip->family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&ip->v6))
		return *ip;
	memcpy(&v4.v4, &ip->v6.s6_addr[12], sizeof(v4.v4));
	return v4;
}

/* @ip (if set) as @t4 (4 bytes) or @t6 (16 bytes), network order */
static int put_ip(struct nl_msg *msg, int t4, int t6, const struct ip_addr *ip)
{
	struct ip_addr a = unmapped(ip);

	if (a.family == AF_INET)
		return nla_put(msg, t4, sizeof(a.v4), &a.v4);
	if (a.family == AF_INET6)
		return nla_put(msg, t6, sizeof(a.v6), &a.v6);
	return 0;
}

/* REMOTE_IPV4 | REMOTE_IPV6 + REMOTE_IPV6_SCOPE_ID, then REMOTE_PORT */
static int put_remote(struct nl_msg *msg, const struct sockaddr_storage *ss)
{
	struct ip_addr ip = { .family = ss->ss_family };
	uint32_t scope_id = 0;
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		ip.v4 = sin->sin_addr;
		port = sin->sin_port;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		ip.v6 = sin6->sin6_addr;
		port = sin6->sin6_port;
		scope_id = sin6->sin6_scope_id;
	} else {
		return -1;
	}
	ip = unmapped(&ip);
	if (put_ip(msg, OVPN_A_PEER_REMOTE_IPV4, OVPN_A_PEER_REMOTE_IPV6, &ip) ||
	    (ip.family == AF_INET6 &&
	     nla_put_u32(msg, OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID, scope_id)))
		return -1;
	/* already in network order */
	return nla_put(msg, OVPN_A_PEER_REMOTE_PORT, sizeof(port), &port);
}

struct nl_msg *ovpnu_msg_new_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  const struct ovpn_new_peer *req)
{
	const struct fam_u32 ids[] = {
		{ OVPN_A_PEER_ID, req->peer_id },
		{ OVPN_A_PEER_SOCKET, req->fd },
	};
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = fam_req(nl, OVPN_CMD_PEER_NEW, 0, ifindex, OVPN_A_PEER, ids,
		      ARRAY_SIZE(ids), &nest);
	if (!msg)
		return NULL;
	if ((req->remote_len && put_remote(msg, &req->remote)) ||
	    put_ip(msg, OVPN_A_PEER_LOCAL_IPV4, OVPN_A_PEER_LOCAL_IPV6,
		   &req->local_ip) ||
	    (req->vpn_ipv4.family == AF_INET &&
	     nla_put(msg, OVPN_A_PEER_VPN_IPV4, sizeof(req->vpn_ipv4.v4),
		     &req->vpn_ipv4.v4)) ||
	    (req->vpn_ipv6.family == AF_INET6 &&
	     nla_put(msg, OVPN_A_PEER_VPN_IPV6, sizeof(req->vpn_ipv6.v6),
		     &req->vpn_ipv6.v6))) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, nest);
	return msg;
}

struct nl_msg *ovpnu_msg_set_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  uint32_t peer_id, uint32_t interval,
				  uint32_t timeout)
{
	const struct fam_u32 attrs[] = {
		{ OVPN_A_PEER_ID, peer_id },
		{ OVPN_A_PEER_KEEPALIVE_INTERVAL, interval },
		{ OVPN_A_PEER_KEEPALIVE_TIMEOUT, timeout },
	};

	return fam_req(nl, OVPN_CMD_PEER_SET, 0, ifindex, OVPN_A_PEER, attrs,
		       ARRAY_SIZE(attrs), NULL);
}

struct nl_msg *ovpnu_msg_del_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  uint32_t peer_id)
{
	const struct fam_u32 id = { OVPN_A_PEER_ID, peer_id };

	return fam_req(nl, OVPN_CMD_PEER_DEL, 0, ifindex, OVPN_A_PEER, &id, 1,
		       NULL);
}

struct nl_msg *ovpnu_msg_get_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  const uint32_t *peer_id)
{
	struct fam_u32 id = { OVPN_A_PEER_ID, 0 };

	/* a dump is IFINDEX alone, as OpenVPN's is on the wire */
	if (!peer_id)
		return fam_req(nl, OVPN_CMD_PEER_GET, NLM_F_DUMP, ifindex, 0,
			       NULL, 0, NULL);
	id.val = *peer_id;
	return fam_req(nl, OVPN_CMD_PEER_GET, 0, ifindex, OVPN_A_PEER, &id, 1,
		       NULL);
}

struct nl_msg *ovpnu_msg_new_key(const struct ovpn_nl *nl, uint32_t ifindex,
				 const struct ovpn_new_key *req)
{
	const struct fam_u32 attrs[] = {
		{ OVPN_A_KEYCONF_PEER_ID, req->peer_id },
		{ OVPN_A_KEYCONF_SLOT, req->slot },
		{ OVPN_A_KEYCONF_KEY_ID, req->key_id },
		{ OVPN_A_KEYCONF_CIPHER_ALG, req->cipher->alg },
	};
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = fam_req(nl, OVPN_CMD_KEY_NEW, 0, ifindex, OVPN_A_KEYCONF, attrs,
		      ARRAY_SIZE(attrs), &nest);
	if (!msg)
		return NULL;
	if (fam_put_keys(msg, OVPN_A_KEYCONF_ENCRYPT_DIR,
			 OVPN_A_KEYCONF_DECRYPT_DIR, req)) {
		/* part of the keys may already be in the message */
		fam_free_secret(msg);
		return NULL;
	}
	nla_nest_end(msg, nest);
	return msg;
}

struct nl_msg *ovpnu_msg_swap_keys(const struct ovpn_nl *nl, uint32_t ifindex,
				   uint32_t peer_id)
{
	const struct fam_u32 id = { OVPN_A_KEYCONF_PEER_ID, peer_id };

	return fam_req(nl, OVPN_CMD_KEY_SWAP, 0, ifindex, OVPN_A_KEYCONF, &id,
		       1, NULL);
}

/* a KEYCONF nest of PEER_ID and SLOT */
static struct nl_msg *slot_req(const struct ovpn_nl *nl, uint8_t cmd,
			       uint32_t ifindex, uint32_t peer_id,
			       uint8_t slot)
{
	const struct fam_u32 attrs[] = {
		{ OVPN_A_KEYCONF_PEER_ID, peer_id },
		{ OVPN_A_KEYCONF_SLOT, slot },
	};

	return fam_req(nl, cmd, 0, ifindex, OVPN_A_KEYCONF, attrs,
		       ARRAY_SIZE(attrs), NULL);
}

struct nl_msg *ovpnu_msg_del_key(const struct ovpn_nl *nl, uint32_t ifindex,
				 uint32_t peer_id, uint8_t slot)
{
	return slot_req(nl, OVPN_CMD_KEY_DEL, ifindex, peer_id, slot);
}

struct nl_msg *ovpnu_msg_get_key(const struct ovpn_nl *nl, uint32_t ifindex,
				 uint32_t peer_id, uint8_t slot)
{
	return slot_req(nl, OVPN_CMD_KEY_GET, ifindex, peer_id, slot);
}

/*
 * PEER nest attributes in printing order: the v2 printer's keys where the
 * meaning is the same, so that scenarios grep the same lines.
 */
static const struct attr_desc peer_attrs[] = {
	ATTR(OVPN_A_PEER_ID, "peer_id", AK_U32),
	ATTR(OVPN_A_PEER_TX_ID, "tx_id", AK_U32),
	/* "remote ADDR:PORT", as v2's SOCKADDR_REMOTE */
	ATTR_PORT(OVPN_A_PEER_REMOTE_IPV4, "remote", AK_IPV4,
		  OVPN_A_PEER_REMOTE_PORT),
	ATTR_PORT(OVPN_A_PEER_REMOTE_IPV6, "remote", AK_IPV6,
		  OVPN_A_PEER_REMOTE_PORT),
	ATTR(OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID, "remote_ipv6_scope_id", AK_U32),
	ATTR_HIDDEN(OVPN_A_PEER_REMOTE_PORT, "remote_port", AK_BE16),
	ATTR(OVPN_A_PEER_LOCAL_IPV4, "local_ip", AK_IPV4),
	ATTR(OVPN_A_PEER_LOCAL_IPV6, "local_ip", AK_IPV6),
	ATTR(OVPN_A_PEER_LOCAL_PORT, "local_port", AK_BE16),
	ATTR(OVPN_A_PEER_VPN_IPV4, "vpn_ipv4", AK_IPV4),
	ATTR(OVPN_A_PEER_VPN_IPV6, "vpn_ipv6", AK_IPV6),
	ATTR(OVPN_A_PEER_KEEPALIVE_INTERVAL, "keepalive_interval", AK_U32),
	ATTR(OVPN_A_PEER_KEEPALIVE_TIMEOUT, "keepalive_timeout", AK_U32),
	ATTR(OVPN_A_PEER_VPN_RX_BYTES, "vpn_rx_bytes", AK_UINT),
	ATTR(OVPN_A_PEER_VPN_TX_BYTES, "vpn_tx_bytes", AK_UINT),
	ATTR(OVPN_A_PEER_VPN_RX_PACKETS, "vpn_rx_packets", AK_UINT),
	ATTR(OVPN_A_PEER_VPN_TX_PACKETS, "vpn_tx_packets", AK_UINT),
	ATTR(OVPN_A_PEER_LINK_RX_BYTES, "link_rx_bytes", AK_UINT),
	ATTR(OVPN_A_PEER_LINK_TX_BYTES, "link_tx_bytes", AK_UINT),
	ATTR(OVPN_A_PEER_LINK_RX_PACKETS, "link_rx_packets", AK_UINT),
	ATTR(OVPN_A_PEER_LINK_TX_PACKETS, "link_tx_packets", AK_UINT),
	ATTR(OVPN_A_PEER_SOCKET_NETNSID, "socket_netnsid", AK_S32),
	/* PEER_DEL_NTF only */
	ATTR(OVPN_A_PEER_DEL_REASON, "del_reason", AK_U32),
};

/* KEYCONF nest attributes (KEY_GET reply, KEY_SWAP_NTF) */
static const struct attr_desc key_attrs[] = {
	ATTR(OVPN_A_KEYCONF_PEER_ID, "peer_id", AK_U32),
	ATTR(OVPN_A_KEYCONF_SLOT, "slot", AK_SLOT),
	/* u32 in KEY_GET; KEY_SWAP_NTF's is read as u16 by OpenVPN */
	ATTR(OVPN_A_KEYCONF_KEY_ID, "key_id", AK_UANY),
	ATTR(OVPN_A_KEYCONF_CIPHER_ALG, "cipher", AK_CIPHER),
};

const struct fam_reply ovpnu_peer_reply =
	FAM_REPLY(OVPN_A_MAX, OVPN_A_PEER, OVPN_A_PEER_MAX, peer_attrs,
		  "PEER_GET reply");

const struct fam_reply ovpnu_key_reply =
	FAM_REPLY(OVPN_A_MAX, OVPN_A_KEYCONF, OVPN_A_KEYCONF_MAX, key_attrs,
		  "KEY_GET reply");

int ovpnu_get_peer(struct ovpn_nl *nl, uint32_t ifindex,
		   const uint32_t *peer_id, attr_vals_cb cb, void *arg,
		   struct nlx_err *err)
{
	return fam_get(nl, ovpnu_msg_get_peer(nl, ifindex, peer_id),
		       &ovpnu_peer_reply, cb, arg, err);
}

int ovpnu_get_key(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		  uint8_t slot, attr_vals_cb cb, void *arg,
		  struct nlx_err *err)
{
	return fam_get(nl, ovpnu_msg_get_key(nl, ifindex, peer_id, slot),
		       &ovpnu_key_reply, cb, arg, err);
}

void ovpnu_print_peer(FILE *f, const struct attr_vals *vals)
{
	/* del_reason, last, is never in a PEER_GET reply */
	attr_vals_print(f, peer_attrs, ARRAY_SIZE(peer_attrs) - 1, vals);
}

void ovpnu_print_key(FILE *f, const struct attr_vals *vals)
{
	attr_vals_print(f, key_attrs, ARRAY_SIZE(key_attrs), vals);
}

/* the peer id, from a PEER nest's ID or a KEYCONF nest's PEER_ID */
static void notif_peer_id(const struct attr_vals *v, int type,
			  struct ovpn_notif *out)
{
	out->has_peer_id = ATTR_HAS(v, type);
	out->peer_id = v->num[type];
}

int ovpnu_parse_notification(struct nl_msg *msg, struct ovpn_notif *out)
{
	struct nlattr *tb[OVPN_A_MAX + 1];
	const char *what = "notification";
	struct attr_vals v;
	int cmd, remote;

	memset(out, 0, sizeof(*out));
	cmd = fam_parse_top(msg, OVPN_A_MAX, tb, &out->ifindex);
	if (cmd < 0)
		return -1;
	out->cmd = cmd;

	if (cmd == OVPN_CMD_KEY_SWAP_NTF) {
		out->kind = NOTIF_SWAP_KEYS;
		fam_parse_nest(tb[OVPN_A_KEYCONF], key_attrs,
			       ARRAY_SIZE(key_attrs), OVPN_A_KEYCONF_MAX,
			       "KEY_SWAP_NTF", &v);
		notif_peer_id(&v, OVPN_A_KEYCONF_PEER_ID, out);
		out->has_key_id = ATTR_HAS(&v, OVPN_A_KEYCONF_KEY_ID);
		out->key_id = v.num[OVPN_A_KEYCONF_KEY_ID];
		return 0;
	}

	if (cmd == OVPN_CMD_PEER_DEL_NTF) {
		out->kind = NOTIF_DEL_PEER;
		what = "PEER_DEL_NTF";
	} else if (cmd == OVPN_CMD_PEER_FLOAT_NTF) {
		out->kind = NOTIF_FLOAT_PEER;
		what = "PEER_FLOAT_NTF";
	}
	fam_parse_nest(tb[OVPN_A_PEER], peer_attrs, ARRAY_SIZE(peer_attrs),
		       OVPN_A_PEER_MAX, what, &v);
	notif_peer_id(&v, OVPN_A_PEER_ID, out);
	out->has_reason = ATTR_HAS(&v, OVPN_A_PEER_DEL_REASON);
	out->reason = v.num[OVPN_A_PEER_DEL_REASON];

	remote = ATTR_HAS(&v, OVPN_A_PEER_REMOTE_IPV4) ?
		 OVPN_A_PEER_REMOTE_IPV4 : OVPN_A_PEER_REMOTE_IPV6;
	out->remote_len = attr_vals_sockaddr(&v, remote,
					     OVPN_A_PEER_REMOTE_PORT,
					     OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID,
					     &out->remote);
	out->has_scope_id = out->remote_len &&
			    out->remote.ss_family == AF_INET6 &&
			    ATTR_HAS(&v, OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID);
	return 0;
}

/* the requests above, sent: the &struct fam_ops of the family */

static int send_new_peer(struct ovpn_nl *nl, uint32_t ifindex,
			 const struct ovpn_new_peer *req, struct nlx_err *err)
{
	return fam_send(nl, ovpnu_msg_new_peer(nl, ifindex, req), err);
}

static int send_set_peer(struct ovpn_nl *nl, uint32_t ifindex,
			 uint32_t peer_id, uint32_t interval,
			 uint32_t timeout, int mss, struct nlx_err *err)
{
	if (mss >= 0)
		return nlx_err_local(err, EOPNOTSUPP,
				     "the %s family has no MSS clamp",
				     OVPN_FAMILY_NAME);
	return fam_send(nl, ovpnu_msg_set_peer(nl, ifindex, peer_id, interval,
					       timeout), err);
}

static int send_del_peer(struct ovpn_nl *nl, uint32_t ifindex,
			 uint32_t peer_id, struct nlx_err *err)
{
	return fam_send(nl, ovpnu_msg_del_peer(nl, ifindex, peer_id), err);
}

static int send_new_key(struct ovpn_nl *nl, uint32_t ifindex,
			const struct ovpn_new_key *req, struct nlx_err *err)
{
	/* nlx_transact wipes the request, keys included, before freeing it */
	return fam_send(nl, ovpnu_msg_new_key(nl, ifindex, req), err);
}

static int send_swap_keys(struct ovpn_nl *nl, uint32_t ifindex,
			  uint32_t peer_id, struct nlx_err *err)
{
	return fam_send(nl, ovpnu_msg_swap_keys(nl, ifindex, peer_id), err);
}

static int send_del_key(struct ovpn_nl *nl, uint32_t ifindex,
			uint32_t peer_id, uint8_t slot, struct nlx_err *err)
{
	return fam_send(nl, ovpnu_msg_del_key(nl, ifindex, peer_id, slot),
			err);
}

const struct fam_ops ovpnu_fam_ops = {
	.family = OVPN_FAMILY_NAME,
	.link_kind = OVPNU_LINK_KIND,
	.nl_open = ovpnu_nl_open,
	.nl_open_mcast = ovpnu_nl_open_mcast,
	.new_peer = send_new_peer,
	.set_peer = send_set_peer,
	.del_peer = send_del_peer,
	.new_key = send_new_key,
	.swap_keys = send_swap_keys,
	.del_key = send_del_key,
	.get_peer = ovpnu_get_peer,
	/* no START_VPN: a P2P device's carrier comes with its peer */
	.start_vpn = NULL,
	.print_peer = ovpnu_print_peer,
	.parse_notification = ovpnu_parse_notification,
	.has_mss = false,
	.vpn_rx_bytes = OVPN_A_PEER_VPN_RX_BYTES,
	.vpn_tx_bytes = OVPN_A_PEER_VPN_TX_BYTES,
	.vpn_rx_packets = OVPN_A_PEER_VPN_RX_PACKETS,
	.vpn_tx_packets = OVPN_A_PEER_VPN_TX_PACKETS,
};
