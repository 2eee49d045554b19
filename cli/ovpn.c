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

static int no_memory(struct nlx_err *err)
{
	return nlx_err_local(err, ENOMEM, "out of memory building the request");
}

/* a request of @cmd for @ifindex, with the nest @nest_type opened */
static struct nl_msg *ovpn_req(struct ovpn_nl *nl, uint8_t cmd, int flags,
			       uint32_t ifindex, int nest_type,
			       struct nlattr **nest)
{
	struct nl_msg *msg = ovpn_nl_msg(nl, cmd, flags);

	if (!msg)
		return NULL;
	if (nla_put_u32(msg, OVPN_ATTR_IFINDEX, ifindex) < 0)
		goto fail;
	if (nest) {
		*nest = nla_nest_start(msg, nest_type | NLA_F_NESTED);
		if (!*nest)
			goto fail;
	}
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

/* a request whose nest holds only a u32 peer id */
static int ovpn_peer_id_req(struct ovpn_nl *nl, uint8_t cmd, int nest_type,
			    int id_type, uint32_t ifindex, uint32_t peer_id,
			    struct nlx_err *err)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = ovpn_req(nl, cmd, 0, ifindex, nest_type, &nest);
	if (!msg)
		return no_memory(err);
	if (nla_put_u32(msg, id_type, peer_id) < 0) {
		nlmsg_free(msg);
		return no_memory(err);
	}
	nla_nest_end(msg, nest);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

int ovpn_new_peer(struct ovpn_nl *nl, uint32_t ifindex,
		  const struct ovpn_new_peer *req, struct nlx_err *err)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = ovpn_req(nl, OVPN_CMD_NEW_PEER, 0, ifindex, OVPN_ATTR_NEW_PEER,
		       &nest);
	if (!msg)
		return no_memory(err);
	if (nla_put_u32(msg, OVPN_NEW_PEER_ATTR_PEER_ID, req->peer_id) ||
	    nla_put_u32(msg, OVPN_NEW_PEER_ATTR_SOCKET, req->fd))
		goto fail;
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
	return no_memory(err);
}

int ovpn_set_peer(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		  uint32_t interval, uint32_t timeout, int mss,
		  struct nlx_err *err)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = ovpn_req(nl, OVPN_CMD_SET_PEER, 0, ifindex, OVPN_ATTR_SET_PEER,
		       &nest);
	if (!msg)
		return no_memory(err);
	if (nla_put_u32(msg, OVPN_SET_PEER_ATTR_PEER_ID, peer_id) ||
	    nla_put_u32(msg, OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL, interval) ||
	    nla_put_u32(msg, OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT, timeout) ||
	    (mss >= 0 && nla_put_u16(msg, OVPN_SET_PEER_ATTR_MSS, mss))) {
		nlmsg_free(msg);
		return no_memory(err);
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

static int put_key_dir(struct nl_msg *msg, int type, const uint8_t *key,
		       size_t key_len, const uint8_t *nonce_tail)
{
	struct nlattr *dir = nla_nest_start(msg, type | NLA_F_NESTED);

	if (!dir ||
	    nla_put(msg, OVPN_KEY_DIR_ATTR_CIPHER_KEY, key_len, key) ||
	    nla_put(msg, OVPN_KEY_DIR_ATTR_NONCE_TAIL, KEYFILE_NONCE_TAIL_LEN,
		    nonce_tail))
		return -1;
	nla_nest_end(msg, dir);
	return 0;
}

int ovpn_new_key(struct ovpn_nl *nl, uint32_t ifindex,
		 const struct ovpn_new_key *req, struct nlx_err *err)
{
	const struct key_material *km = req->km;
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = ovpn_req(nl, OVPN_CMD_NEW_KEY, 0, ifindex, OVPN_ATTR_NEW_KEY,
		       &nest);
	if (!msg)
		return no_memory(err);
	if (nla_put_u32(msg, OVPN_NEW_KEY_ATTR_PEER_ID, req->peer_id) ||
	    nla_put_u8(msg, OVPN_NEW_KEY_ATTR_KEY_SLOT, req->slot) ||
	    nla_put_u8(msg, OVPN_NEW_KEY_ATTR_KEY_ID, req->key_id) ||
	    nla_put_u16(msg, OVPN_NEW_KEY_ATTR_CIPHER_ALG, req->cipher->alg) ||
	    put_key_dir(msg, OVPN_NEW_KEY_ATTR_ENCRYPT_KEY, km->encrypt_key,
			req->cipher->key_len, km->nonce_tail) ||
	    put_key_dir(msg, OVPN_NEW_KEY_ATTR_DECRYPT_KEY, km->decrypt_key,
			req->cipher->key_len,
			req->decrypt_tail ? req->decrypt_tail : km->nonce_tail)) {
		/* part of the keys may already be in the message */
		explicit_bzero(nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
		nlmsg_free(msg);
		return no_memory(err);
	}
	nla_nest_end(msg, nest);
	/* nlx_transact wipes the request, keys included, before freeing it */
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

int ovpn_del_key(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		 uint8_t slot, struct nlx_err *err)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	msg = ovpn_req(nl, OVPN_CMD_DEL_KEY, 0, ifindex, OVPN_ATTR_DEL_KEY,
		       &nest);
	if (!msg)
		return no_memory(err);
	if (nla_put_u32(msg, OVPN_DEL_KEY_ATTR_PEER_ID, peer_id) ||
	    nla_put_u8(msg, OVPN_DEL_KEY_ATTR_KEY_SLOT, slot)) {
		nlmsg_free(msg);
		return no_memory(err);
	}
	nla_nest_end(msg, nest);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

int ovpn_start_vpn(struct ovpn_nl *nl, uint32_t ifindex, struct nlx_err *err)
{
	struct nl_msg *msg;

	msg = ovpn_req(nl, OVPN_CMD_START_VPN, 0, ifindex, 0, NULL);
	if (!msg)
		return no_memory(err);
	return nlx_transact(nl->sk, msg, NULL, NULL, err);
}

/* GET_PEER reply attributes in printing order */
enum peer_attr_kind { K_U32, K_U64, K_U16, K_BE16, K_SOCKADDR, K_IPV4, K_IPV6, K_IP };

static const struct {
	int type;
	const char *name;
	enum peer_attr_kind kind;
} peer_attrs[] = {
	{ OVPN_GET_PEER_RESP_ATTR_PEER_ID, "peer_id", K_U32 },
	{ OVPN_GET_PEER_RESP_ATTR_SOCKADDR_REMOTE, "remote", K_SOCKADDR },
	{ OVPN_GET_PEER_RESP_ATTR_LOCAL_IP, "local_ip", K_IP },
	{ OVPN_GET_PEER_RESP_ATTR_LOCAL_PORT, "local_port", K_BE16 },
	{ OVPN_GET_PEER_RESP_ATTR_IPV4, "vpn_ipv4", K_IPV4 },
	{ OVPN_GET_PEER_RESP_ATTR_IPV6, "vpn_ipv6", K_IPV6 },
	{ OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_INTERVAL, "keepalive_interval", K_U32 },
	{ OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_TIMEOUT, "keepalive_timeout", K_U32 },
	{ OVPN_GET_PEER_RESP_ATTR_VPN_RX_BYTES, "vpn_rx_bytes", K_U64 },
	{ OVPN_GET_PEER_RESP_ATTR_VPN_TX_BYTES, "vpn_tx_bytes", K_U64 },
	{ OVPN_GET_PEER_RESP_ATTR_VPN_RX_PACKETS, "vpn_rx_packets", K_U32 },
	{ OVPN_GET_PEER_RESP_ATTR_VPN_TX_PACKETS, "vpn_tx_packets", K_U32 },
	{ OVPN_GET_PEER_RESP_ATTR_LINK_RX_BYTES, "link_rx_bytes", K_U64 },
	{ OVPN_GET_PEER_RESP_ATTR_LINK_TX_BYTES, "link_tx_bytes", K_U64 },
	{ OVPN_GET_PEER_RESP_ATTR_LINK_RX_PACKETS, "link_rx_packets", K_U32 },
	{ OVPN_GET_PEER_RESP_ATTR_LINK_TX_PACKETS, "link_tx_packets", K_U32 },
	{ OVPN_GET_PEER_RESP_ATTR_MSS, "mss", K_U16 },
};

#define N_PEER_ATTRS ARRAY_SIZE(peer_attrs)

static bool parse_sockaddr(const struct nlattr *a, struct ovpn_peer_info *info)
{
	const struct sockaddr *sa = nla_data(a);
	int len = nla_len(a);

	if (len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET)
		goto ok;
	if (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6)
		goto ok;
	return false;
ok:
	memcpy(&info->remote, sa, len);
	info->remote_len = len;
	return true;
}

static bool parse_ip_attr(const struct nlattr *a, int family,
			  struct ip_addr *ip)
{
	int len = nla_len(a);

	if (!family)
		family = len == 4 ? AF_INET : AF_INET6;
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	if (len != (int)ip_addr_len(ip))
		return false;
	memcpy(&ip->v4, nla_data(a), len);
	return true;
}

/* fill @info from a GET_PEER nest; malformed attributes are reported */
static void parse_peer(struct nlattr *pb[], struct ovpn_peer_info *info)
{
	size_t i;

	memset(info, 0, sizeof(*info));
	for (i = 0; i < N_PEER_ATTRS; i++) {
		const struct nlattr *a = pb[peer_attrs[i].type];
		int type = peer_attrs[i].type;
		bool ok = false;

		if (!a)
			continue;
		switch (peer_attrs[i].kind) {
		case K_U32:
			ok = nla_len(a) == sizeof(uint32_t);
			if (ok)
				info->num[type] = nla_get_u32(a);
			break;
		case K_U64:
			ok = nla_len(a) == sizeof(uint64_t);
			if (ok)
				info->num[type] = nla_get_u64(a);
			break;
		case K_U16:
			ok = nla_len(a) == sizeof(uint16_t);
			if (ok)
				info->num[type] = nla_get_u16(a);
			break;
		case K_BE16:
			ok = nla_len(a) == sizeof(uint16_t);
			if (ok)
				info->num[type] = ntohs(nla_get_u16(a));
			break;
		case K_SOCKADDR:
			ok = parse_sockaddr(a, info);
			break;
		case K_IPV4:
			ok = parse_ip_attr(a, AF_INET, &info->vpn_ipv4);
			break;
		case K_IPV6:
			ok = parse_ip_attr(a, AF_INET6, &info->vpn_ipv6);
			break;
		case K_IP:
			ok = parse_ip_attr(a, 0, &info->local_ip);
			break;
		}
		if (ok)
			info->present |= 1U << type;
		else
			fprintf(stderr,
				"ovpn-cli: GET_PEER reply: ignoring malformed %s (%d bytes)\n",
				peer_attrs[i].name, nla_len(a));
	}
}

void ovpn_print_peer(FILE *f, const struct ovpn_peer_info *info)
{
	char buf[INET6_ADDRSTRLEN + 16];
	size_t i;

	for (i = 0; i < N_PEER_ATTRS; i++) {
		int type = peer_attrs[i].type;

		if (!OVPN_PEER_HAS(info, type))
			continue;
		switch (peer_attrs[i].kind) {
		case K_SOCKADDR:
			sockaddr_str((const struct sockaddr *)&info->remote,
				     info->remote_len, buf, sizeof(buf));
			break;
		case K_IPV4:
			ip_addr_str(&info->vpn_ipv4, buf, sizeof(buf));
			break;
		case K_IPV6:
			ip_addr_str(&info->vpn_ipv6, buf, sizeof(buf));
			break;
		case K_IP:
			ip_addr_str(&info->local_ip, buf, sizeof(buf));
			break;
		default:
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)info->num[type]);
			break;
		}
		fprintf(f, "%s %s\n", peer_attrs[i].name, buf);
	}
	fputc('\n', f);
}

struct get_peer_ctx {
	ovpn_peer_cb cb;
	void *arg;
};

static int get_peer_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *pb[OVPN_GET_PEER_RESP_ATTR_MAX + 1];
	struct nlattr *tb[OVPN_ATTR_MAX + 1];
	struct get_peer_ctx *ctx = arg;
	struct ovpn_peer_info info;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, OVPN_ATTR_MAX, NULL) < 0 ||
	    !tb[OVPN_ATTR_GET_PEER] ||
	    nla_parse_nested(pb, OVPN_GET_PEER_RESP_ATTR_MAX,
			     tb[OVPN_ATTR_GET_PEER], NULL) < 0) {
		fprintf(stderr,
			"ovpn-cli: GET_PEER reply without a valid OVPN_ATTR_GET_PEER nest\n");
		return NL_SKIP;
	}
	parse_peer(pb, &info);
	ctx->cb(&info, ctx->arg);
	return NL_OK;
}

int ovpn_get_peer(struct ovpn_nl *nl, uint32_t ifindex,
		  const uint32_t *peer_id, ovpn_peer_cb cb, void *arg,
		  struct nlx_err *err)
{
	struct get_peer_ctx ctx = { .cb = cb, .arg = arg };
	struct nlattr *nest;
	struct nl_msg *msg;

	if (!peer_id) {
		msg = ovpn_req(nl, OVPN_CMD_GET_PEER, NLM_F_DUMP, ifindex, 0,
			       NULL);
		if (!msg)
			return no_memory(err);
		return nlx_transact(nl->sk, msg, get_peer_valid, &ctx, err);
	}

	msg = ovpn_req(nl, OVPN_CMD_GET_PEER, 0, ifindex, OVPN_ATTR_GET_PEER,
		       &nest);
	if (!msg)
		return no_memory(err);
	if (nla_put_u32(msg, OVPN_GET_PEER_ATTR_PEER_ID, *peer_id) < 0) {
		nlmsg_free(msg);
		return no_memory(err);
	}
	nla_nest_end(msg, nest);
	return nlx_transact(nl->sk, msg, get_peer_valid, &ctx, err);
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
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;

	memset(out, 0, sizeof(*out));
	if (!genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_parse(nlh, 0, tb, OVPN_ATTR_MAX, NULL) < 0)
		return -1;
	out->cmd = genlmsg_hdr(nlh)->cmd;

	a = tb[OVPN_ATTR_IFINDEX];
	if (a && nla_len(a) == sizeof(uint32_t))
		out->ifindex = nla_get_u32(a);

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
