// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco-v2 requests and replies. See ovpn.h.
 *
 * Every request carries the top-level OVPN_ATTR_IFINDEX and one nest
 * OVPN_ATTR_<CMD> (START_VPN: none) with the command's attributes.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include "ovpn.h"

_Static_assert(OVPN_ATTR_IFINDEX == FAM_A_IFINDEX, "IFINDEX");
_Static_assert(OVPN_KEY_DIR_ATTR_CIPHER_KEY == FAM_A_CIPHER_KEY, "CIPHER_KEY");
_Static_assert(OVPN_KEY_DIR_ATTR_NONCE_TAIL == FAM_A_NONCE_TAIL, "NONCE_TAIL");
_Static_assert(OVPN_ATTR_MAX < ATTR_VALS_MAX, "OVPN_ATTR_MAX");
_Static_assert(OVPN_GET_PEER_RESP_ATTR_MAX < ATTR_VALS_MAX, "GET_PEER_RESP");

/* a request whose nest holds only a u32 peer id */
static int ovpn_peer_id_req(struct ovpn_nl *nl, uint8_t cmd, int nest_type,
			    int id_type, uint32_t ifindex, uint32_t peer_id,
			    struct nlx_err *err)
{
	const struct fam_u32 id = { id_type, peer_id };

	return fam_send(nl, fam_req(nl, cmd, 0, ifindex, nest_type, &id, 1,
				    NULL), err);
}

int ovpn_new_peer(struct ovpn_nl *nl, uint32_t ifindex,
		  const struct ovpn_new_peer *req, struct nlx_err *err)
{
	const struct fam_u32 ids[] = {
		{ OVPN_NEW_PEER_ATTR_PEER_ID, req->peer_id },
		{ OVPN_NEW_PEER_ATTR_SOCKET, req->fd },
	};
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = fam_req(nl, OVPN_CMD_NEW_PEER, 0, ifindex, OVPN_ATTR_NEW_PEER,
		      ids, ARRAY_SIZE(ids), &nest);
	if (!msg)
		return fam_no_memory(err);
	if (req->remote_len &&
	    nla_put(msg, OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE, req->remote_len,
		    &req->remote))
		goto fail;
	if (req->vpn_ipv4.family == AF_INET &&
	    nla_put(msg, OVPN_NEW_PEER_ATTR_IPV4, sizeof(req->vpn_ipv4.v4),
		    &req->vpn_ipv4.v4))
		goto fail;
	if (req->vpn_ipv6.family == AF_INET6 &&
	    nla_put(msg, OVPN_NEW_PEER_ATTR_IPV6, sizeof(req->vpn_ipv6.v6),
		    &req->vpn_ipv6.v6))
		goto fail;
	if (req->local_ip.family &&
	    nla_put(msg, OVPN_NEW_PEER_ATTR_LOCAL_IP,
		    ip_addr_len(&req->local_ip), &req->local_ip.v4))
		goto fail;
	nla_nest_end(msg, nest);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
fail:
	nlmsg_free(msg);
	return fam_no_memory(err);
}

int ovpn_set_peer(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		  uint32_t interval, uint32_t timeout, int mss,
		  struct nlx_err *err)
{
	const struct fam_u32 attrs[] = {
		{ OVPN_SET_PEER_ATTR_PEER_ID, peer_id },
		{ OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL, interval },
		{ OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT, timeout },
	};
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = fam_req(nl, OVPN_CMD_SET_PEER, 0, ifindex, OVPN_ATTR_SET_PEER,
		      attrs, ARRAY_SIZE(attrs), &nest);
	if (!msg)
		return fam_no_memory(err);
	if (mss >= 0 && nla_put_u16(msg, OVPN_SET_PEER_ATTR_MSS, mss)) {
		nlmsg_free(msg);
		return fam_no_memory(err);
	}
	nla_nest_end(msg, nest);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

int ovpn_del_peer(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		  struct nlx_err *err)
{
	return ovpn_peer_id_req(nl, OVPN_CMD_DEL_PEER, OVPN_ATTR_DEL_PEER,
				OVPN_DEL_PEER_ATTR_PEER_ID, ifindex, peer_id,
				err);
}

int ovpn_swap_keys(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		   struct nlx_err *err)
{
	return ovpn_peer_id_req(nl, OVPN_CMD_SWAP_KEYS, OVPN_ATTR_SWAP_KEYS,
				OVPN_SWAP_KEYS_ATTR_PEER_ID, ifindex, peer_id,
				err);
}

/* the EPOCH nest: secrets of epoch 1, key size, rekey limits */
static int put_epoch(struct nl_msg *msg, const struct ovpn_new_key *req)
{
	struct nlattr *nest = nla_nest_start(msg, OVPN_NEW_KEY_ATTR_EPOCH |
						  NLA_F_NESTED);

	if (!nest ||
	    nla_put(msg, OVPN_EPOCH_ATTR_ENCRYPT_SECRET, FAM_EPOCH_SECRET_LEN,
		    req->epoch_tx) ||
	    nla_put(msg, OVPN_EPOCH_ATTR_DECRYPT_SECRET, FAM_EPOCH_SECRET_LEN,
		    req->epoch_rx) ||
	    nla_put_u8(msg, OVPN_EPOCH_ATTR_KEY_SIZE, req->cipher->key_len) ||
	    (req->rekey_packets &&
	     nla_put_u32(msg, OVPN_EPOCH_ATTR_REKEY_PACKETS,
			 req->rekey_packets)) ||
	    (req->rekey_seconds &&
	     nla_put_u32(msg, OVPN_EPOCH_ATTR_REKEY_SECONDS,
			 req->rekey_seconds == FAM_REKEY_NEVER ?
			 0 : req->rekey_seconds)))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int ovpn_new_key(struct ovpn_nl *nl, uint32_t ifindex,
		 const struct ovpn_new_key *req, struct nlx_err *err)
{
	const struct fam_u32 id = { OVPN_NEW_KEY_ATTR_PEER_ID, req->peer_id };
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = fam_req(nl, OVPN_CMD_NEW_KEY, 0, ifindex, OVPN_ATTR_NEW_KEY,
		      &id, 1, &nest);
	if (!msg)
		return fam_no_memory(err);
	if (nla_put_u8(msg, OVPN_NEW_KEY_ATTR_KEY_SLOT, req->slot) ||
	    nla_put_u8(msg, OVPN_NEW_KEY_ATTR_KEY_ID, req->key_id) ||
	    nla_put_u16(msg, OVPN_NEW_KEY_ATTR_CIPHER_ALG, req->cipher->alg) ||
	    (req->epoch_tx ? put_epoch(msg, req) :
	     fam_put_keys(msg, OVPN_NEW_KEY_ATTR_ENCRYPT_KEY,
			  OVPN_NEW_KEY_ATTR_DECRYPT_KEY, req))) {
		/* part of the keys may already be in the message */
		fam_free_secret(msg);
		return fam_no_memory(err);
	}
	nla_nest_end(msg, nest);
	/* nlx_transact wipes the request, keys included, before freeing it */
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

int ovpn_del_key(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		 uint8_t slot, struct nlx_err *err)
{
	const struct fam_u32 id = { OVPN_DEL_KEY_ATTR_PEER_ID, peer_id };
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = fam_req(nl, OVPN_CMD_DEL_KEY, 0, ifindex, OVPN_ATTR_DEL_KEY,
		      &id, 1, &nest);
	if (!msg)
		return fam_no_memory(err);
	if (nla_put_u8(msg, OVPN_DEL_KEY_ATTR_KEY_SLOT, slot)) {
		nlmsg_free(msg);
		return fam_no_memory(err);
	}
	nla_nest_end(msg, nest);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

int ovpn_start_vpn(struct ovpn_nl *nl, uint32_t ifindex, struct nlx_err *err)
{
	return fam_send(nl, fam_req(nl, OVPN_CMD_START_VPN, 0, ifindex, 0,
				    NULL, 0, NULL), err);
}

/* GET_PEER reply attributes in printing order */
static const struct attr_desc peer_attrs[] = {
	ATTR(OVPN_GET_PEER_RESP_ATTR_PEER_ID, "peer_id", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_SOCKADDR_REMOTE, "remote", AK_SOCKADDR),
	ATTR(OVPN_GET_PEER_RESP_ATTR_LOCAL_IP, "local_ip", AK_IP),
	ATTR(OVPN_GET_PEER_RESP_ATTR_LOCAL_PORT, "local_port", AK_BE16),
	ATTR(OVPN_GET_PEER_RESP_ATTR_IPV4, "vpn_ipv4", AK_IPV4),
	ATTR(OVPN_GET_PEER_RESP_ATTR_IPV6, "vpn_ipv6", AK_IPV6),
	ATTR(OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_INTERVAL, "keepalive_interval", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_TIMEOUT, "keepalive_timeout", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_VPN_RX_BYTES, "vpn_rx_bytes", AK_U64),
	ATTR(OVPN_GET_PEER_RESP_ATTR_VPN_TX_BYTES, "vpn_tx_bytes", AK_U64),
	ATTR(OVPN_GET_PEER_RESP_ATTR_VPN_RX_PACKETS, "vpn_rx_packets", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_VPN_TX_PACKETS, "vpn_tx_packets", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_LINK_RX_BYTES, "link_rx_bytes", AK_U64),
	ATTR(OVPN_GET_PEER_RESP_ATTR_LINK_TX_BYTES, "link_tx_bytes", AK_U64),
	ATTR(OVPN_GET_PEER_RESP_ATTR_LINK_RX_PACKETS, "link_rx_packets", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_LINK_TX_PACKETS, "link_tx_packets", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_MSS, "mss", AK_U16),
	ATTR(OVPN_GET_PEER_RESP_ATTR_LAST_RX_MSECS, "last_rx_msecs", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_EPOCH_TX, "epoch_tx", AK_U16),
	ATTR(OVPN_GET_PEER_RESP_ATTR_EPOCH_RX, "epoch_rx", AK_U16),
	ATTR(OVPN_GET_PEER_RESP_ATTR_EPOCH_TX_PACKETS, "epoch_tx_packets", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_PACKETS, "epoch_rekey_packets", AK_U32),
	ATTR(OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_SECS, "epoch_rekey_secs", AK_U32),
};

static const struct fam_reply peer_reply =
	FAM_REPLY(OVPN_ATTR_MAX, OVPN_ATTR_GET_PEER,
		  OVPN_GET_PEER_RESP_ATTR_MAX, peer_attrs, "GET_PEER reply");

void ovpn_print_peer(FILE *f, const struct attr_vals *info)
{
	attr_vals_print(f, peer_attrs, ARRAY_SIZE(peer_attrs), info);
}

int ovpn_get_peer(struct ovpn_nl *nl, uint32_t ifindex,
		  const uint32_t *peer_id, attr_vals_cb cb, void *arg,
		  struct nlx_err *err)
{
	struct fam_u32 id = { OVPN_GET_PEER_ATTR_PEER_ID, 0 };
	struct nl_msg *msg;

	if (!peer_id) {
		msg = fam_req(nl, OVPN_CMD_GET_PEER, NLM_F_DUMP, ifindex, 0,
			      NULL, 0, NULL);
	} else {
		id.val = *peer_id;
		msg = fam_req(nl, OVPN_CMD_GET_PEER, 0, ifindex,
			      OVPN_ATTR_GET_PEER, &id, 1, NULL);
	}
	return fam_get(nl, msg, &peer_reply, cb, arg, err);
}

/* FLOAT_PEER: the peer id and its new transport address */
static void parse_float_peer(struct nlattr *nest, struct ovpn_notif *out)
{
	struct nlattr *fb[OVPN_FLOAT_PEER_ATTR_MAX + 1];
	struct nlattr *a;
	int len;

	if (nla_parse_nested(fb, OVPN_FLOAT_PEER_ATTR_MAX, nest, NULL) < 0)
		return;
	a = fb[OVPN_FLOAT_PEER_ATTR_PEER_ID];
	if (a && nla_len(a) == sizeof(uint32_t)) {
		out->peer_id = nla_get_u32(a);
		out->has_peer_id = true;
	}
	a = fb[OVPN_FLOAT_PEER_ATTR_SOCKADDR_REMOTE];
	if (!a)
		return;
	len = nla_len(a);
	if ((len == sizeof(struct sockaddr_in) &&
	     ((const struct sockaddr *)nla_data(a))->sa_family == AF_INET) ||
	    (len == sizeof(struct sockaddr_in6) &&
	     ((const struct sockaddr *)nla_data(a))->sa_family == AF_INET6)) {
		memcpy(&out->remote, nla_data(a), len);
		out->remote_len = len;
	}
}

/* SWAP_KEYS_NEEDED: the peer id and the key running out of packet ids */
static void parse_swap_keys_needed(struct nlattr *nest, struct ovpn_notif *out)
{
	struct nlattr *sb[OVPN_SWAP_KEYS_NEEDED_ATTR_MAX + 1];
	struct nlattr *a;

	if (nla_parse_nested(sb, OVPN_SWAP_KEYS_NEEDED_ATTR_MAX, nest, NULL) < 0)
		return;
	a = sb[OVPN_SWAP_KEYS_NEEDED_ATTR_PEER_ID];
	if (a && nla_len(a) == sizeof(uint32_t)) {
		out->peer_id = nla_get_u32(a);
		out->has_peer_id = true;
	}
	a = sb[OVPN_SWAP_KEYS_NEEDED_ATTR_KEY_ID];
	if (a && nla_len(a) == sizeof(uint8_t)) {
		out->key_id = nla_get_u8(a);
		out->has_key_id = true;
	}
}

int ovpn_parse_notification(struct nl_msg *msg, struct ovpn_notif *out)
{
	struct nlattr *db[OVPN_DEL_PEER_ATTR_MAX + 1];
	struct nlattr *tb[OVPN_ATTR_MAX + 1];
	struct nlattr *a;
	int cmd;

	memset(out, 0, sizeof(*out));
	cmd = fam_parse_top(msg, OVPN_ATTR_MAX, tb, &out->ifindex);
	if (cmd < 0)
		return -1;
	out->cmd = cmd;
	switch (out->cmd) {
	case OVPN_CMD_DEL_PEER:
		out->kind = NOTIF_DEL_PEER;
		break;
	case OVPN_CMD_FLOAT_PEER:
		out->kind = NOTIF_FLOAT_PEER;
		break;
	case OVPN_CMD_SWAP_KEYS_NEEDED:
		out->kind = NOTIF_SWAP_KEYS;
		break;
	default:
		out->kind = NOTIF_OTHER;
		break;
	}

	if (out->cmd == OVPN_CMD_FLOAT_PEER) {
		if (tb[OVPN_ATTR_FLOAT_PEER])
			parse_float_peer(tb[OVPN_ATTR_FLOAT_PEER], out);
		return 0;
	}
	if (out->cmd == OVPN_CMD_SWAP_KEYS_NEEDED) {
		if (tb[OVPN_ATTR_SWAP_KEYS_NEEDED])
			parse_swap_keys_needed(tb[OVPN_ATTR_SWAP_KEYS_NEEDED],
					       out);
		return 0;
	}

	if (!tb[OVPN_ATTR_DEL_PEER] ||
	    nla_parse_nested(db, OVPN_DEL_PEER_ATTR_MAX, tb[OVPN_ATTR_DEL_PEER],
			     NULL) < 0)
		return 0;
	a = db[OVPN_DEL_PEER_ATTR_PEER_ID];
	if (a && nla_len(a) == sizeof(uint32_t)) {
		out->peer_id = nla_get_u32(a);
		out->has_peer_id = true;
	}
	a = db[OVPN_DEL_PEER_ATTR_REASON];
	if (a && nla_len(a) == sizeof(uint8_t)) {
		out->reason = nla_get_u8(a);
		out->has_reason = true;
	}
	return 0;
}

const struct fam_ops ovpn_fam_ops = {
	.family = OVPN_NL_NAME,
	.link_kind = OVPN_LINK_KIND,
	.nl_open = ovpn_nl_open,
	.nl_open_mcast = ovpn_nl_open_mcast_rcvbuf,
	.new_peer = ovpn_new_peer,
	.set_peer = ovpn_set_peer,
	.del_peer = ovpn_del_peer,
	.new_key = ovpn_new_key,
	.swap_keys = ovpn_swap_keys,
	.del_key = ovpn_del_key,
	.get_peer = ovpn_get_peer,
	.start_vpn = ovpn_start_vpn,
	.print_peer = ovpn_print_peer,
	.parse_notification = ovpn_parse_notification,
	.has_mss = true,
	.has_epoch = true,
	.vpn_rx_bytes = OVPN_GET_PEER_RESP_ATTR_VPN_RX_BYTES,
	.vpn_tx_bytes = OVPN_GET_PEER_RESP_ATTR_VPN_TX_BYTES,
	.vpn_rx_packets = OVPN_GET_PEER_RESP_ATTR_VPN_RX_PACKETS,
	.vpn_tx_packets = OVPN_GET_PEER_RESP_ATTR_VPN_TX_PACKETS,
};
