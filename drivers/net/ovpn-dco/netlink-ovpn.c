// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: the upstream generic netlink family "ovpn"
 *
 * The family Linux 6.16 and later define and OpenVPN 2.7 speaks, served for
 * devices of rtnetlink kind "ovpn" over the same core as ovpn-dco-v2: this
 * file only translates requests into core calls and core events into
 * notifications. Numbering, policies (strict validation, per command) and
 * error codes are upstream's (Documentation/netlink/specs/ovpn.yaml).
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "compat.h"
#include "crypto.h"
#include "frontend.h"
#include "netlink.h"
#include "ovpn.h"
#include "peer.h"
#include "socket.h"
#include "udp.h"

/* The core speaks <linux/ovpn_dco.h>, which declares the cipher, key slot
 * and removal reason enums (and the command count) under the same names as
 * <linux/ovpn.h>. Here the upstream header's copies get other names; the
 * values are the same (asserted below), so the core's are used throughout.
 */
#define ovpn_cipher_alg				ovpn_up_cipher_alg
#define OVPN_CIPHER_ALG_NONE			OVPN_UP_CIPHER_ALG_NONE
#define OVPN_CIPHER_ALG_AES_GCM			OVPN_UP_CIPHER_ALG_AES_GCM
#define OVPN_CIPHER_ALG_CHACHA20_POLY1305	OVPN_UP_CIPHER_ALG_CHACHA20_POLY1305
#define ovpn_del_peer_reason			ovpn_up_del_peer_reason
#define OVPN_DEL_PEER_REASON_TEARDOWN		OVPN_UP_DEL_PEER_REASON_TEARDOWN
#define OVPN_DEL_PEER_REASON_USERSPACE		OVPN_UP_DEL_PEER_REASON_USERSPACE
#define OVPN_DEL_PEER_REASON_EXPIRED		OVPN_UP_DEL_PEER_REASON_EXPIRED
#define OVPN_DEL_PEER_REASON_TRANSPORT_ERROR	OVPN_UP_DEL_PEER_REASON_TRANSPORT_ERROR
#define OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT \
	OVPN_UP_DEL_PEER_REASON_TRANSPORT_DISCONNECT
#define ovpn_key_slot				ovpn_up_key_slot
#define OVPN_KEY_SLOT_PRIMARY			OVPN_UP_KEY_SLOT_PRIMARY
#define OVPN_KEY_SLOT_SECONDARY			OVPN_UP_KEY_SLOT_SECONDARY
#define __OVPN_CMD_MAX				__OVPN_UP_CMD_MAX
#define OVPN_CMD_MAX				OVPN_UP_CMD_MAX
#include <linux/ovpn.h>
#undef ovpn_cipher_alg
#undef OVPN_CIPHER_ALG_NONE
#undef OVPN_CIPHER_ALG_AES_GCM
#undef OVPN_CIPHER_ALG_CHACHA20_POLY1305
#undef ovpn_del_peer_reason
#undef OVPN_DEL_PEER_REASON_TEARDOWN
#undef OVPN_DEL_PEER_REASON_USERSPACE
#undef OVPN_DEL_PEER_REASON_EXPIRED
#undef OVPN_DEL_PEER_REASON_TRANSPORT_ERROR
#undef OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT
#undef ovpn_key_slot
#undef OVPN_KEY_SLOT_PRIMARY
#undef OVPN_KEY_SLOT_SECONDARY
#undef __OVPN_CMD_MAX
#undef OVPN_CMD_MAX

static_assert((int)OVPN_UP_CIPHER_ALG_NONE == (int)OVPN_CIPHER_ALG_NONE);
static_assert((int)OVPN_UP_CIPHER_ALG_AES_GCM == (int)OVPN_CIPHER_ALG_AES_GCM);
static_assert((int)OVPN_UP_CIPHER_ALG_CHACHA20_POLY1305 ==
	      (int)OVPN_CIPHER_ALG_CHACHA20_POLY1305);
static_assert((int)OVPN_UP_DEL_PEER_REASON_TEARDOWN ==
	      (int)OVPN_DEL_PEER_REASON_TEARDOWN);
static_assert((int)OVPN_UP_DEL_PEER_REASON_USERSPACE ==
	      (int)OVPN_DEL_PEER_REASON_USERSPACE);
static_assert((int)OVPN_UP_DEL_PEER_REASON_EXPIRED ==
	      (int)OVPN_DEL_PEER_REASON_EXPIRED);
static_assert((int)OVPN_UP_DEL_PEER_REASON_TRANSPORT_ERROR ==
	      (int)OVPN_DEL_PEER_REASON_TRANSPORT_ERROR);
static_assert((int)OVPN_UP_DEL_PEER_REASON_TRANSPORT_DISCONNECT ==
	      (int)OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT);
static_assert((int)OVPN_UP_KEY_SLOT_PRIMARY == (int)OVPN_KEY_SLOT_PRIMARY);
static_assert((int)OVPN_UP_KEY_SLOT_SECONDARY == (int)OVPN_KEY_SLOT_SECONDARY);
/* the notification helpers (netlink.c) serve both families */
static_assert((int)OVPN_A_IFINDEX == (int)OVPN_ATTR_IFINDEX);

/* upstream's default: 1500 less the largest encapsulation (IPv6, UDP,
 * OpenVPN data header and tag)
 */
#define OVPN_GENL_DEFAULT_MTU	1416

/* the largest 24-bit peer id; upstream accepts 0xFFFFFF too */
#define OVPN_GENL_ID_MAX	0xFFFFFF

/* Each command's policies as upstream generates them from its spec: the
 * attribute set the command names, validated strictly (unknown attributes
 * and nests without NLA_F_NESTED are refused). tests/unit/check_ovpn_uapi.py
 * holds them to Documentation/netlink/specs/ovpn.yaml.
 */

/* not const: 6.1's struct nla_policy points at it without const */
static struct netlink_range_validation ovpn_genl_id_range = {
	.max = OVPN_GENL_ID_MAX,
};

static const struct nla_policy
ovpn_genl_keydir_policy[OVPN_A_KEYDIR_MAX + 1] = {
	[OVPN_A_KEYDIR_CIPHER_KEY] = { .type = NLA_BINARY, .len = 256 },
	[OVPN_A_KEYDIR_NONCE_TAIL] = NLA_POLICY_EXACT_LEN(OVPN_NONCE_TAIL_SIZE),
};

/* the whole set: PEER_GET's request */
static const struct nla_policy ovpn_genl_peer_policy[OVPN_A_PEER_MAX + 1] = {
	[OVPN_A_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_genl_id_range),
	[OVPN_A_PEER_REMOTE_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_REMOTE_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID] = { .type = NLA_U32 },
	[OVPN_A_PEER_REMOTE_PORT] = NLA_POLICY_MIN(NLA_BE16, 1),
	[OVPN_A_PEER_SOCKET] = { .type = NLA_U32 },
	[OVPN_A_PEER_SOCKET_NETNSID] = { .type = NLA_S32 },
	[OVPN_A_PEER_VPN_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_VPN_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_LOCAL_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_LOCAL_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_LOCAL_PORT] = NLA_POLICY_MIN(NLA_BE16, 1),
	[OVPN_A_PEER_KEEPALIVE_INTERVAL] = { .type = NLA_U32 },
	[OVPN_A_PEER_KEEPALIVE_TIMEOUT] = { .type = NLA_U32 },
	[OVPN_A_PEER_DEL_REASON] =
		NLA_POLICY_MAX(NLA_U32, OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT),
	[OVPN_A_PEER_VPN_RX_BYTES] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_VPN_TX_BYTES] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_VPN_RX_PACKETS] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_VPN_TX_PACKETS] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_LINK_RX_BYTES] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_LINK_TX_BYTES] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_LINK_RX_PACKETS] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_LINK_TX_PACKETS] = OVPN_POLICY_UINT,
	[OVPN_A_PEER_TX_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_genl_id_range),
};

static const struct nla_policy
ovpn_genl_peer_new_input_policy[OVPN_A_PEER_MAX + 1] = {
	[OVPN_A_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_genl_id_range),
	[OVPN_A_PEER_REMOTE_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_REMOTE_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID] = { .type = NLA_U32 },
	[OVPN_A_PEER_REMOTE_PORT] = NLA_POLICY_MIN(NLA_BE16, 1),
	[OVPN_A_PEER_SOCKET] = { .type = NLA_U32 },
	[OVPN_A_PEER_VPN_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_VPN_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_LOCAL_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_LOCAL_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_KEEPALIVE_INTERVAL] = { .type = NLA_U32 },
	[OVPN_A_PEER_KEEPALIVE_TIMEOUT] = { .type = NLA_U32 },
	[OVPN_A_PEER_TX_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_genl_id_range),
};

static const struct nla_policy
ovpn_genl_peer_set_input_policy[OVPN_A_PEER_MAX + 1] = {
	[OVPN_A_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_genl_id_range),
	[OVPN_A_PEER_REMOTE_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_REMOTE_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID] = { .type = NLA_U32 },
	[OVPN_A_PEER_REMOTE_PORT] = NLA_POLICY_MIN(NLA_BE16, 1),
	[OVPN_A_PEER_VPN_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_VPN_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_LOCAL_IPV4] = { .type = NLA_BE32 },
	[OVPN_A_PEER_LOCAL_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[OVPN_A_PEER_KEEPALIVE_INTERVAL] = { .type = NLA_U32 },
	[OVPN_A_PEER_KEEPALIVE_TIMEOUT] = { .type = NLA_U32 },
	[OVPN_A_PEER_TX_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_genl_id_range),
};

static const struct nla_policy
ovpn_genl_peer_del_input_policy[OVPN_A_PEER_MAX + 1] = {
	[OVPN_A_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_genl_id_range),
};

/* the whole set: KEY_NEW's request */
static const struct nla_policy
ovpn_genl_keyconf_policy[OVPN_A_KEYCONF_MAX + 1] = {
	[OVPN_A_KEYCONF_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &ovpn_genl_id_range),
	[OVPN_A_KEYCONF_SLOT] = NLA_POLICY_MAX(NLA_U32, OVPN_KEY_SLOT_SECONDARY),
	[OVPN_A_KEYCONF_KEY_ID] = NLA_POLICY_MAX(NLA_U32, 7),
	[OVPN_A_KEYCONF_CIPHER_ALG] =
		NLA_POLICY_MAX(NLA_U32, OVPN_CIPHER_ALG_CHACHA20_POLY1305),
	[OVPN_A_KEYCONF_ENCRYPT_DIR] =
		NLA_POLICY_NESTED(ovpn_genl_keydir_policy),
	[OVPN_A_KEYCONF_DECRYPT_DIR] =
		NLA_POLICY_NESTED(ovpn_genl_keydir_policy),
};

static const struct nla_policy
ovpn_genl_keyconf_get_policy[OVPN_A_KEYCONF_MAX + 1] = {
	[OVPN_A_KEYCONF_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &ovpn_genl_id_range),
	[OVPN_A_KEYCONF_SLOT] = NLA_POLICY_MAX(NLA_U32, OVPN_KEY_SLOT_SECONDARY),
	[OVPN_A_KEYCONF_KEY_ID] = NLA_POLICY_MAX(NLA_U32, 7),
	[OVPN_A_KEYCONF_CIPHER_ALG] =
		NLA_POLICY_MAX(NLA_U32, OVPN_CIPHER_ALG_CHACHA20_POLY1305),
};

static const struct nla_policy
ovpn_genl_keyconf_swap_input_policy[OVPN_A_KEYCONF_MAX + 1] = {
	[OVPN_A_KEYCONF_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &ovpn_genl_id_range),
};

static const struct nla_policy
ovpn_genl_keyconf_del_input_policy[OVPN_A_KEYCONF_MAX + 1] = {
	[OVPN_A_KEYCONF_PEER_ID] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &ovpn_genl_id_range),
	[OVPN_A_KEYCONF_SLOT] = NLA_POLICY_MAX(NLA_U32, OVPN_KEY_SLOT_SECONDARY),
};

/* each command's top level: the ifindex and its one nest */
static const struct nla_policy ovpn_genl_peer_new_nl_policy[OVPN_A_PEER + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_PEER] = NLA_POLICY_NESTED(ovpn_genl_peer_new_input_policy),
};

static const struct nla_policy ovpn_genl_peer_set_nl_policy[OVPN_A_PEER + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_PEER] = NLA_POLICY_NESTED(ovpn_genl_peer_set_input_policy),
};

/* do and dump: one operation for both on 6.1 */
static const struct nla_policy ovpn_genl_peer_get_nl_policy[OVPN_A_PEER + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_PEER] = NLA_POLICY_NESTED(ovpn_genl_peer_policy),
};

static const struct nla_policy ovpn_genl_peer_del_nl_policy[OVPN_A_PEER + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_PEER] = NLA_POLICY_NESTED(ovpn_genl_peer_del_input_policy),
};

static const struct nla_policy
ovpn_genl_key_new_nl_policy[OVPN_A_KEYCONF + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_KEYCONF] = NLA_POLICY_NESTED(ovpn_genl_keyconf_policy),
};

static const struct nla_policy
ovpn_genl_key_get_nl_policy[OVPN_A_KEYCONF + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_KEYCONF] = NLA_POLICY_NESTED(ovpn_genl_keyconf_get_policy),
};

static const struct nla_policy
ovpn_genl_key_swap_nl_policy[OVPN_A_KEYCONF + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_KEYCONF] = NLA_POLICY_NESTED(ovpn_genl_keyconf_swap_input_policy),
};

static const struct nla_policy
ovpn_genl_key_del_nl_policy[OVPN_A_KEYCONF + 1] = {
	[OVPN_A_IFINDEX] = { .type = NLA_U32 },
	[OVPN_A_KEYCONF] = NLA_POLICY_NESTED(ovpn_genl_keyconf_del_input_policy),
};

static struct genl_family ovpn_genl_family;

static struct net_device *ovpn_genl_dev_get(struct net *net,
					    struct nlattr **attrs,
					    struct netlink_ext_ack *extack)
{
	return ovpn_nl_dev_get_fe(net, attrs, &ovpn_frontend_ovpn, extack);
}

/* the command's one nest, required, parsed strictly */
static int ovpn_genl_nest(struct genl_info *info, int attr, int maxtype,
			  const struct nla_policy *policy, struct nlattr **tb)
{
	if (!info->attrs[attr]) {
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, attr);
		NL_SET_ERR_MSG_MOD(info->extack, "missing the command's nest");
		return -EINVAL;
	}
	return nla_parse_nested(tb, maxtype, info->attrs[attr], policy,
				info->extack);
}

/* an attribute the command needs */
static int ovpn_genl_require(struct genl_info *info, struct nlattr *nest,
			     struct nlattr **tb, int attr)
{
	if (tb[attr])
		return 0;
	NL_SET_ERR_ATTR_MISS(info->extack, nest, attr);
	NL_SET_ERR_MSG_MOD(info->extack, "missing a required attribute");
	return -EINVAL;
}

/* PEER_GET and KEY_GET take a wider set than they use: refuse the rest */
static int ovpn_genl_only(struct genl_info *info, struct nlattr **tb,
			  int maxtype, int a, int b)
{
	int i;

	for (i = 1; i <= maxtype; i++) {
		if (tb[i] && i != a && i != b) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "attribute not allowed in this request");
			NL_SET_BAD_ATTR(info->extack, tb[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int ovpn_genl_refuse(struct netlink_ext_ack *extack,
			    const struct nlattr *attr, const char *msg)
{
	/* @msg must be a string literal: extack keeps the pointer */
	if (extack)
		extack->_msg = msg;
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

/**
 * ovpn_genl_peer_addrs - the checks PEER_NEW and PEER_SET share
 * @info: the request
 * @tb: its PEER nest, parsed
 * @ovpn: the device
 * @cfg: out: remote and local transport addresses, VPN addresses
 *
 * Return: 0 or -EINVAL (with an extack).
 */
static int ovpn_genl_peer_addrs(struct genl_info *info, struct nlattr **tb,
				struct ovpn_struct *ovpn,
				struct ovpn_peer_config *cfg)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *r4 = tb[OVPN_A_PEER_REMOTE_IPV4];
	struct nlattr *r6 = tb[OVPN_A_PEER_REMOTE_IPV6];
	struct nlattr *l4 = tb[OVPN_A_PEER_LOCAL_IPV4];
	struct nlattr *l6 = tb[OVPN_A_PEER_LOCAL_IPV6];
	struct nlattr *port = tb[OVPN_A_PEER_REMOTE_PORT];

	if (r4 && r6)
		return ovpn_genl_refuse(extack, r6,
					"a remote IPv4 and IPv6 address at once");
	if (port && !r4 && !r6)
		return ovpn_genl_refuse(extack, port,
					"a remote port without a remote address");
	if ((r4 || r6) && !port)
		return ovpn_genl_refuse(extack, r4 ?: r6,
					"a remote address without a remote port");
	if (tb[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID] && !r6)
		return ovpn_genl_refuse(extack,
					tb[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID],
					"a scope id without a remote IPv6 address");
	if (l4 && l6)
		return ovpn_genl_refuse(extack, l6,
					"a local IPv4 and IPv6 address at once");
	if (!!tb[OVPN_A_PEER_KEEPALIVE_INTERVAL] !=
	    !!tb[OVPN_A_PEER_KEEPALIVE_TIMEOUT])
		return ovpn_genl_refuse(extack,
					tb[OVPN_A_PEER_KEEPALIVE_INTERVAL] ?:
					tb[OVPN_A_PEER_KEEPALIVE_TIMEOUT],
					"keepalive interval and timeout must be given together");
	if (ovpn->mode == OVPN_MODE_P2P &&
	    (tb[OVPN_A_PEER_VPN_IPV4] || tb[OVPN_A_PEER_VPN_IPV6]))
		return ovpn_genl_refuse(extack,
					tb[OVPN_A_PEER_VPN_IPV4] ?:
					tb[OVPN_A_PEER_VPN_IPV6],
					"VPN addresses are for MP devices only");

	if (r4) {
		cfg->remote.in4.sin_family = AF_INET;
		cfg->remote.in4.sin_addr.s_addr = nla_get_in_addr(r4);
		cfg->remote.in4.sin_port = nla_get_be16(port);
	} else if (r6) {
		struct in6_addr a = nla_get_in6_addr(r6);

		if (ipv6_addr_v4mapped(&a)) {
			cfg->remote.in4.sin_family = AF_INET;
			cfg->remote.in4.sin_addr.s_addr = a.s6_addr32[3];
		} else {
			cfg->remote.in6.sin6_family = AF_INET6;
			cfg->remote.in6.sin6_addr = a;
			if (tb[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID])
				cfg->remote.in6.sin6_scope_id =
					nla_get_u32(tb[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID]);
		}
		cfg->remote.in4.sin_port = nla_get_be16(port);
	}

	if (l4 || l6) {
		sa_family_t family = AF_INET;
		struct in6_addr a6 = {};
		__be32 a4 = 0;

		if (l4) {
			a4 = nla_get_in_addr(l4);
		} else {
			a6 = nla_get_in6_addr(l6);
			if (ipv6_addr_v4mapped(&a6))
				a4 = a6.s6_addr32[3];
			else
				family = AF_INET6;
		}
		if (!cfg->remote.in4.sin_family)
			return ovpn_genl_refuse(extack, l4 ?: l6,
						"a local address without a remote one");
		if (family != cfg->remote.in4.sin_family)
			return ovpn_genl_refuse(extack, l4 ?: l6,
						"local and remote addresses of different families");
		if (family == AF_INET)
			cfg->local.ipv4.s_addr = a4;
		else
			cfg->local.ipv6 = a6;
	}

	if (tb[OVPN_A_PEER_VPN_IPV4])
		cfg->vpn_ipv4 = nla_get_in_addr(tb[OVPN_A_PEER_VPN_IPV4]);
	if (tb[OVPN_A_PEER_VPN_IPV6])
		cfg->vpn_ipv6 = nla_get_in6_addr(tb[OVPN_A_PEER_VPN_IPV6]);
	return 0;
}

/* upstream takes any u32; beyond what jiffies deadlines order (24 days,
 * far beyond OpenVPN's own limit of a day) the period is capped
 */
static void ovpn_genl_keepalive(struct ovpn_peer *peer, struct nlattr **tb)
{
	u32 interval, timeout;

	if (!tb[OVPN_A_PEER_KEEPALIVE_INTERVAL])
		return;
	interval = nla_get_u32(tb[OVPN_A_PEER_KEEPALIVE_INTERVAL]);
	timeout = nla_get_u32(tb[OVPN_A_PEER_KEEPALIVE_TIMEOUT]);
	ovpn_peer_keepalive_set(peer, min(interval, OVPN_KEEPALIVE_MAX_SECS),
				min(timeout, OVPN_KEEPALIVE_MAX_SECS));
}

static int ovpn_genl_peer_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_PEER_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_A_PEER];
	struct ovpn_peer_config cfg = {};
	struct ovpn_struct *ovpn;
	struct net_device *dev;
	struct ovpn_peer *peer;
	struct socket *sock;
	bool sock_err;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ovpn = netdev_priv(dev);

	ret = ovpn_genl_nest(info, OVPN_A_PEER, OVPN_A_PEER_MAX,
			     ovpn_genl_peer_new_input_policy, tb) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_PEER_ID) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_PEER_SOCKET) ?:
	      ovpn_genl_peer_addrs(info, tb, ovpn, &cfg);
	if (ret)
		goto out;

	if (ovpn->mode == OVPN_MODE_MP && !tb[OVPN_A_PEER_VPN_IPV4] &&
	    !tb[OVPN_A_PEER_VPN_IPV6]) {
		ret = ovpn_genl_refuse(info->extack, nest,
				       "a peer of an MP device needs a VPN IPv4 or IPv6 address");
		goto out;
	}

	cfg.id = nla_get_u32(tb[OVPN_A_PEER_ID]);
	cfg.tx_id = tb[OVPN_A_PEER_TX_ID] ?
		    nla_get_u32(tb[OVPN_A_PEER_TX_ID]) : cfg.id;

	sock = sockfd_lookup(nla_get_u32(tb[OVPN_A_PEER_SOCKET]), &ret);
	if (!sock || !ovpn_socket_supported(sock->sk)) {
		if (sock)
			sockfd_put(sock);
		NL_SET_ERR_MSG_MOD(info->extack,
				   "SOCKET is not a UDP or TCP socket of the caller");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_A_PEER_SOCKET]);
		ret = -ENOTSOCK;
		goto out;
	}

	if (sock->sk->sk_protocol == IPPROTO_TCP) {
		if (cfg.remote.in4.sin_family) {
			sockfd_put(sock);
			ret = ovpn_genl_refuse(info->extack,
					       tb[OVPN_A_PEER_REMOTE_IPV4] ?:
					       tb[OVPN_A_PEER_REMOTE_IPV6],
					       "a TCP peer is where its socket is connected: no remote address");
			goto out;
		}
		ovpn_peer_config_tcp(sock->sk, &cfg);
	} else if (!cfg.remote.in4.sin_family) {
		sockfd_put(sock);
		NL_SET_ERR_ATTR_MISS(info->extack, nest,
				     OVPN_A_PEER_REMOTE_IPV4);
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a UDP peer needs a remote address and port");
		ret = -EINVAL;
		goto out;
	}

	peer = ovpn_peer_create(ovpn, &cfg, sock, &sock_err, info->extack);
	if (IS_ERR(peer)) {
		/* upstream reports every socket it cannot use so */
		ret = sock_err ? -ENOTSOCK : PTR_ERR(peer);
		goto out;
	}
	ovpn_genl_keepalive(peer, tb);
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_genl_peer_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_PEER_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_A_PEER];
	struct ovpn_peer_config cfg = {};
	struct ovpn_struct *ovpn;
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ovpn = netdev_priv(dev);

	ret = ovpn_genl_nest(info, OVPN_A_PEER, OVPN_A_PEER_MAX,
			     ovpn_genl_peer_set_input_policy, tb) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_PEER_ID) ?:
	      ovpn_genl_peer_addrs(info, tb, ovpn, &cfg);
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(ovpn, tb[OVPN_A_PEER_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}

	if (cfg.remote.in4.sin_family && ovpn_peer_is_tcp(peer)) {
		ret = ovpn_genl_refuse(info->extack,
				       tb[OVPN_A_PEER_REMOTE_IPV4] ?:
				       tb[OVPN_A_PEER_REMOTE_IPV6],
				       "a TCP peer's remote is its socket's");
	} else if (tb[OVPN_A_PEER_TX_ID] || tb[OVPN_A_PEER_VPN_IPV4] ||
		   tb[OVPN_A_PEER_VPN_IPV6]) {
		/* the core cannot rehash a linked peer yet: OpenVPN never
		 * asks, it deletes and adds
		 */
		NL_SET_ERR_MSG_MOD(info->extack,
				   "changing a peer's VPN addresses or TX id is not supported: delete and add it again");
		NL_SET_BAD_ATTR(info->extack, nest);
		ret = -EOPNOTSUPP;
	} else if (cfg.remote.in4.sin_family &&
		   !ovpn_udp_sock_reaches(peer->sock->sk,
					  cfg.remote.in4.sin_family)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "the peer's socket cannot reach this remote address family");
		ret = -EAFNOSUPPORT;
	} else {
		/* a new remote takes the local address given with it, or
		 * any (as upstream)
		 */
		if (cfg.remote.in4.sin_family) {
			struct ovpn_bind local = {};

			local.local.ipv6 = cfg.local.ipv6;
			ret = ovpn_peer_rebind(peer, &cfg.remote, &local,
					       GFP_KERNEL);
			ret = ret < 0 ? ret : 0;
		}
		if (!ret)
			ovpn_genl_keepalive(peer, tb);
	}
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_genl_peer_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_PEER_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_A_PEER];
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_genl_nest(info, OVPN_A_PEER, OVPN_A_PEER_MAX,
			     ovpn_genl_peer_del_input_policy, tb) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_PEER_ID);
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev), tb[OVPN_A_PEER_ID],
				info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}
	ret = ovpn_peer_del(peer, OVPN_DEL_PEER_REASON_USERSPACE);
	if (ret)
		NL_SET_ERR_MSG_MOD(info->extack, "the peer was already removed");
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

/* upstream's "uint": 4 bytes while the value fits, else 8, never padded */
static int ovpn_genl_put_uint(struct sk_buff *msg, int attr, u64 value)
{
	if (value <= U32_MAX)
		return nla_put_u32(msg, attr, value);
	return nla_put(msg, attr, sizeof(value), &value);
}

static int ovpn_genl_put_stats(struct sk_buff *msg,
			       const struct ovpn_peer_stats_dir *d,
			       int bytes_attr, int packets_attr)
{
	if (ovpn_genl_put_uint(msg, bytes_attr, atomic64_read(&d->bytes)) ||
	    ovpn_genl_put_uint(msg, packets_attr,
			       atomic64_read(&d->packets)))
		return -EMSGSIZE;
	return 0;
}

/* a UDP peer's transport addresses, as PEER_GET and PEER_FLOAT_NTF say them */
static int ovpn_genl_put_remote(struct sk_buff *msg,
				const union ovpn_sockaddr *sa)
{
	if (sa->in4.sin_family == AF_INET)
		return nla_put_in_addr(msg, OVPN_A_PEER_REMOTE_IPV4,
				       sa->in4.sin_addr.s_addr) ||
		       nla_put_be16(msg, OVPN_A_PEER_REMOTE_PORT,
				    sa->in4.sin_port);
	return nla_put_in6_addr(msg, OVPN_A_PEER_REMOTE_IPV6,
				&sa->in6.sin6_addr) ||
	       nla_put_u32(msg, OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID,
			   sa->in6.sin6_scope_id) ||
	       nla_put_be16(msg, OVPN_A_PEER_REMOTE_PORT, sa->in6.sin6_port);
}

static int ovpn_genl_put_bind(struct sk_buff *msg, struct ovpn_peer *peer)
{
	struct ovpn_bind *bind;
	int ret;

	rcu_read_lock();
	bind = rcu_dereference(peer->bind);
	ret = ovpn_genl_put_remote(msg, &bind->remote);
	if (!ret && bind->remote.in4.sin_family == AF_INET)
		ret = nla_put_in_addr(msg, OVPN_A_PEER_LOCAL_IPV4,
				      bind->local.ipv4.s_addr);
	else if (!ret)
		ret = nla_put_in6_addr(msg, OVPN_A_PEER_LOCAL_IPV6,
				       &bind->local.ipv6);
	rcu_read_unlock();
	return ret;
}

/**
 * ovpn_genl_put_peer - one PEER_GET reply
 * @msg: the message
 * @peer: the peer
 * @net: the requester's namespace (the socket's, if other, is named)
 * @portid: the requester
 * @seq: its sequence number
 * @flags: NLM_F_MULTI in dumps
 *
 * Return: 0 or -EMSGSIZE.
 */
static int ovpn_genl_put_peer(struct sk_buff *msg, struct ovpn_peer *peer,
			      struct net *net, u32 portid, u32 seq, int flags)
{
	struct sock *sk = peer->sock->sk;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &ovpn_genl_family, flags,
			  OVPN_CMD_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;

	nest = nla_nest_start(msg, OVPN_A_PEER);
	if (!nest)
		goto err;

	if (nla_put_u32(msg, OVPN_A_PEER_ID, peer->id) ||
	    nla_put_u32(msg, OVPN_A_PEER_TX_ID, peer->tx_id))
		goto err;
	if (!net_eq(net, sock_net(sk)) &&
	    nla_put_s32(msg, OVPN_A_PEER_SOCKET_NETNSID,
			peernet2id_alloc(net, sock_net(sk), GFP_ATOMIC)))
		goto err;
	if ((peer->vpn_ipv4 &&
	     nla_put_in_addr(msg, OVPN_A_PEER_VPN_IPV4, peer->vpn_ipv4)) ||
	    (!ipv6_addr_any(&peer->vpn_ipv6) &&
	     nla_put_in6_addr(msg, OVPN_A_PEER_VPN_IPV6, &peer->vpn_ipv6)))
		goto err;
	/* a TCP peer's addresses are its socket's: upstream names none */
	if (!ovpn_peer_is_tcp(peer) && ovpn_genl_put_bind(msg, peer))
		goto err;
	if (nla_put_be16(msg, OVPN_A_PEER_LOCAL_PORT,
			 inet_sk(sk)->inet_sport) ||
	    nla_put_u32(msg, OVPN_A_PEER_KEEPALIVE_INTERVAL,
			READ_ONCE(peer->keepalive_interval)) ||
	    nla_put_u32(msg, OVPN_A_PEER_KEEPALIVE_TIMEOUT,
			READ_ONCE(peer->keepalive_timeout)) ||
	    ovpn_genl_put_stats(msg, &peer->stats.vpn_rx,
				OVPN_A_PEER_VPN_RX_BYTES,
				OVPN_A_PEER_VPN_RX_PACKETS) ||
	    ovpn_genl_put_stats(msg, &peer->stats.vpn_tx,
				OVPN_A_PEER_VPN_TX_BYTES,
				OVPN_A_PEER_VPN_TX_PACKETS) ||
	    ovpn_genl_put_stats(msg, &peer->stats.link_rx,
				OVPN_A_PEER_LINK_RX_BYTES,
				OVPN_A_PEER_LINK_RX_PACKETS) ||
	    ovpn_genl_put_stats(msg, &peer->stats.link_tx,
				OVPN_A_PEER_LINK_TX_BYTES,
				OVPN_A_PEER_LINK_TX_PACKETS))
		goto err;

	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

err:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int ovpn_genl_peer_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_PEER_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_A_PEER];
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_genl_nest(info, OVPN_A_PEER, OVPN_A_PEER_MAX,
			     ovpn_genl_peer_policy, tb) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_PEER_ID) ?:
	      ovpn_genl_only(info, tb, OVPN_A_PEER_MAX, OVPN_A_PEER_ID, 0);
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev), tb[OVPN_A_PEER_ID],
				info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}

	ret = ovpn_nl_reply_peer(info, peer, ovpn_genl_put_peer);
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_genl_peer_dump(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	return ovpn_nl_dump_peers_fe(skb, cb, &ovpn_frontend_ovpn,
				     ovpn_genl_put_peer);
}

static int ovpn_genl_key_dir(struct genl_info *info, struct nlattr *attr,
			     enum ovpn_cipher_alg alg,
			     struct ovpn_key_direction *dir)
{
	struct nlattr *tb[OVPN_A_KEYDIR_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, OVPN_A_KEYDIR_MAX, attr,
			       ovpn_genl_keydir_policy, info->extack) ?:
	      ovpn_genl_require(info, attr, tb, OVPN_A_KEYDIR_CIPHER_KEY) ?:
	      ovpn_genl_require(info, attr, tb, OVPN_A_KEYDIR_NONCE_TAIL);
	if (ret)
		return ret;

	dir->cipher_key = nla_data(tb[OVPN_A_KEYDIR_CIPHER_KEY]);
	dir->cipher_key_size = nla_len(tb[OVPN_A_KEYDIR_CIPHER_KEY]);
	dir->nonce_tail = nla_data(tb[OVPN_A_KEYDIR_NONCE_TAIL]);
	if (!ovpn_cipher_key_len_ok(alg, dir->cipher_key_size))
		return ovpn_genl_refuse(info->extack,
					tb[OVPN_A_KEYDIR_CIPHER_KEY],
					"key size does not fit the cipher (AES-GCM: 16, 24 or 32 bytes; ChaCha20-Poly1305: 32)");
	return 0;
}

static int ovpn_genl_key_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_KEYCONF_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_A_KEYCONF];
	struct ovpn_key_config kc = {};
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_genl_nest(info, OVPN_A_KEYCONF, OVPN_A_KEYCONF_MAX,
			     ovpn_genl_keyconf_policy, tb) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_PEER_ID) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_SLOT) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_KEY_ID) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_CIPHER_ALG) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_ENCRYPT_DIR) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_DECRYPT_DIR);
	if (ret)
		goto out;

	kc.key_id = nla_get_u32(tb[OVPN_A_KEYCONF_KEY_ID]);
	kc.cipher_alg = nla_get_u32(tb[OVPN_A_KEYCONF_CIPHER_ALG]);
	if (kc.cipher_alg == OVPN_CIPHER_ALG_NONE) {
		ret = ovpn_genl_refuse(info->extack,
				       tb[OVPN_A_KEYCONF_CIPHER_ALG],
				       "cipher NONE is not supported: use AES-GCM or ChaCha20-Poly1305");
		goto out;
	}

	/* the key material is checked before the peer is looked up */
	ret = ovpn_genl_key_dir(info, tb[OVPN_A_KEYCONF_ENCRYPT_DIR],
				kc.cipher_alg, &kc.encrypt) ?:
	      ovpn_genl_key_dir(info, tb[OVPN_A_KEYCONF_DECRYPT_DIR],
				kc.cipher_alg, &kc.decrypt);
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_A_KEYCONF_PEER_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}
	ret = ovpn_crypto_state_reset(&peer->crypto,
				      nla_get_u32(tb[OVPN_A_KEYCONF_SLOT]),
				      &kc, info->extack);
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

/* the peer and slot a KEY_GET or KEY_DEL names; NULL with @ret set */
static struct ovpn_peer *ovpn_genl_key_target(struct genl_info *info,
					      struct net_device *dev,
					      const struct nla_policy *policy,
					      struct nlattr **tb, int *ret)
{
	struct nlattr *nest = info->attrs[OVPN_A_KEYCONF];
	struct ovpn_peer *peer;

	*ret = ovpn_genl_nest(info, OVPN_A_KEYCONF, OVPN_A_KEYCONF_MAX,
			      policy, tb) ?:
	       ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_PEER_ID) ?:
	       ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_SLOT) ?:
	       ovpn_genl_only(info, tb, OVPN_A_KEYCONF_MAX,
			      OVPN_A_KEYCONF_PEER_ID, OVPN_A_KEYCONF_SLOT);
	if (*ret)
		return NULL;

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_A_KEYCONF_PEER_ID], info->extack);
	if (!peer)
		*ret = -ENOENT;
	return peer;
}

static int ovpn_genl_key_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_KEYCONF_MAX + 1];
	enum ovpn_cipher_alg alg;
	struct net_device *dev;
	struct ovpn_peer *peer;
	struct nlattr *nest;
	struct sk_buff *msg;
	u32 slot, peer_id;
	void *hdr;
	u8 key_id;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	peer = ovpn_genl_key_target(info, dev, ovpn_genl_keyconf_get_policy,
				    tb, &ret);
	if (!peer)
		goto out;
	slot = nla_get_u32(tb[OVPN_A_KEYCONF_SLOT]);
	peer_id = peer->id;
	ret = ovpn_crypto_key_slot_info(&peer->crypto, slot, &key_id, &alg);
	ovpn_peer_put(peer);
	if (ret) {
		NL_SET_ERR_MSG_MOD(info->extack, "no key in this slot");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_A_KEYCONF_SLOT]);
		goto out;
	}

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, &ovpn_genl_family, 0,
				OVPN_CMD_KEY_GET);
	nest = hdr ? nla_nest_start(msg, OVPN_A_KEYCONF) : NULL;
	if (!nest ||
	    nla_put_u32(msg, OVPN_A_KEYCONF_PEER_ID, peer_id) ||
	    nla_put_u32(msg, OVPN_A_KEYCONF_SLOT, slot) ||
	    nla_put_u32(msg, OVPN_A_KEYCONF_KEY_ID, key_id) ||
	    nla_put_u32(msg, OVPN_A_KEYCONF_CIPHER_ALG, alg)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_genl_key_swap(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_KEYCONF_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_A_KEYCONF];
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_genl_nest(info, OVPN_A_KEYCONF, OVPN_A_KEYCONF_MAX,
			     ovpn_genl_keyconf_swap_input_policy, tb) ?:
	      ovpn_genl_require(info, nest, tb, OVPN_A_KEYCONF_PEER_ID);
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_A_KEYCONF_PEER_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}
	/* with empty slots too: OpenVPN expects no error */
	ovpn_crypto_key_slots_swap(&peer->crypto);
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_genl_key_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_A_KEYCONF_MAX + 1];
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_genl_dev_get(genl_info_net(info), info->attrs,
				info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	peer = ovpn_genl_key_target(info, dev,
				    ovpn_genl_keyconf_del_input_policy, tb,
				    &ret);
	if (peer) {
		/* an empty slot is not an error */
		ovpn_crypto_key_slot_delete(&peer->crypto,
					    nla_get_u32(tb[OVPN_A_KEYCONF_SLOT]));
		ovpn_peer_put(peer);
	}
	dev_put(dev);
	return ret;
}

/* upstream's notifications go to the namespace of the peer's socket */
static struct net *ovpn_genl_ntf_net(struct ovpn_peer *peer)
{
	return sock_net(peer->sock->sk);
}

static int ovpn_genl_notify_del_peer(struct ovpn_peer *peer,
				     enum ovpn_del_peer_reason reason,
				     gfp_t gfp)
{
	struct net *net = ovpn_genl_ntf_net(peer);
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = ovpn_nl_notify_start(&ovpn_genl_family, net, peer->ovpn->dev,
				   OVPN_CMD_PEER_DEL_NTF, OVPN_A_PEER,
				   2 * nla_total_size(sizeof(u32)),
				   gfp, &hdr, &nest);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, OVPN_A_PEER_DEL_REASON, reason) ||
	    nla_put_u32(msg, OVPN_A_PEER_ID, peer->id))
		return ovpn_nl_notify_lost(&ovpn_genl_family, net, msg);
	return ovpn_nl_notify_send(&ovpn_genl_family, net, msg, hdr, nest,
				   gfp);
}

static void ovpn_genl_notify_swap_keys(struct ovpn_peer *peer, u8 key_id)
{
	struct net *net = ovpn_genl_ntf_net(peer);
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = ovpn_nl_notify_start(&ovpn_genl_family, net, peer->ovpn->dev,
				   OVPN_CMD_KEY_SWAP_NTF, OVPN_A_KEYCONF,
				   nla_total_size(sizeof(u32)) +
				   nla_total_size(sizeof(u16)),
				   GFP_ATOMIC, &hdr, &nest);
	if (!msg)
		return;
	/* the key id as u16: what OpenVPN 2.7 reads */
	if (nla_put_u32(msg, OVPN_A_KEYCONF_PEER_ID, peer->id) ||
	    nla_put_u16(msg, OVPN_A_KEYCONF_KEY_ID, key_id)) {
		ovpn_nl_notify_lost(&ovpn_genl_family, net, msg);
		return;
	}
	ovpn_nl_notify_send(&ovpn_genl_family, net, msg, hdr, nest,
			    GFP_ATOMIC);
}

static void ovpn_genl_notify_float(struct ovpn_peer *peer,
				   const union ovpn_sockaddr *sa)
{
	struct net *net = ovpn_genl_ntf_net(peer);
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = ovpn_nl_notify_start(&ovpn_genl_family, net, peer->ovpn->dev,
				   OVPN_CMD_PEER_FLOAT_NTF, OVPN_A_PEER,
				   3 * nla_total_size(sizeof(u32)) +
				   nla_total_size(sizeof(struct in6_addr)),
				   GFP_ATOMIC, &hdr, &nest);
	if (!msg)
		return;
	if (nla_put_u32(msg, OVPN_A_PEER_ID, peer->id) ||
	    ovpn_genl_put_remote(msg, sa)) {
		ovpn_nl_notify_lost(&ovpn_genl_family, net, msg);
		return;
	}
	ovpn_nl_notify_send(&ovpn_genl_family, net, msg, hdr, nest,
			    GFP_ATOMIC);
}

/* OpenVPN 2.7's semantics: a P2P device's carrier follows its peer, a
 * replaced P2P peer was torn down (userspace did not ask to remove it), and
 * a peer goes when userspace closes its socket
 */
const struct ovpn_frontend ovpn_frontend_ovpn = {
	.family = OVPN_FAMILY_NAME,
	.other_family_msg =
		"the interface is of kind ovpn: use the ovpn family, not ovpn-dco-v2",
	.default_mtu = OVPN_GENL_DEFAULT_MTU,
	.p2p_replace_reason = OVPN_DEL_PEER_REASON_TEARDOWN,
	.p2p_carrier = true,
	.learn_local = true,
	.sock_follows_fd = true,
	.notify_del_peer = ovpn_genl_notify_del_peer,
	.notify_swap_keys = ovpn_genl_notify_swap_keys,
	.notify_float = ovpn_genl_notify_float,
};

#define OVPN_GENL_OP(_cmd, _doit, _policy, _maxattr) {			\
	.cmd = (_cmd),							\
	.flags = GENL_ADMIN_PERM,					\
	.doit = (_doit),						\
	.policy = (_policy),						\
	.maxattr = (_maxattr),						\
}

/* validate 0: strict, NLA_F_NESTED required, unknown attributes refused */
static const struct genl_ops ovpn_genl_ops[] = {
	OVPN_GENL_OP(OVPN_CMD_PEER_NEW, ovpn_genl_peer_new,
		     ovpn_genl_peer_new_nl_policy, OVPN_A_PEER),
	OVPN_GENL_OP(OVPN_CMD_PEER_SET, ovpn_genl_peer_set,
		     ovpn_genl_peer_set_nl_policy, OVPN_A_PEER),
	{
		.cmd = OVPN_CMD_PEER_GET,
		.flags = GENL_ADMIN_PERM,
		.doit = ovpn_genl_peer_get,
		.dumpit = ovpn_genl_peer_dump,
		.policy = ovpn_genl_peer_get_nl_policy,
		.maxattr = OVPN_A_PEER,
	},
	OVPN_GENL_OP(OVPN_CMD_PEER_DEL, ovpn_genl_peer_del,
		     ovpn_genl_peer_del_nl_policy, OVPN_A_PEER),
	OVPN_GENL_OP(OVPN_CMD_KEY_NEW, ovpn_genl_key_new,
		     ovpn_genl_key_new_nl_policy, OVPN_A_KEYCONF),
	OVPN_GENL_OP(OVPN_CMD_KEY_GET, ovpn_genl_key_get,
		     ovpn_genl_key_get_nl_policy, OVPN_A_KEYCONF),
	OVPN_GENL_OP(OVPN_CMD_KEY_SWAP, ovpn_genl_key_swap,
		     ovpn_genl_key_swap_nl_policy, OVPN_A_KEYCONF),
	OVPN_GENL_OP(OVPN_CMD_KEY_DEL, ovpn_genl_key_del,
		     ovpn_genl_key_del_nl_policy, OVPN_A_KEYCONF),
};

static const struct genl_multicast_group ovpn_genl_mcgrps[] = {
	{ .name = OVPN_MCGRP_PEERS },
};

static struct genl_family ovpn_genl_family __ro_after_init = {
	.name = OVPN_FAMILY_NAME,
	.version = OVPN_FAMILY_VERSION,
	.hdrsize = 0,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = ovpn_genl_ops,
	.n_ops = ARRAY_SIZE(ovpn_genl_ops),
	.resv_start_op = OVPN_CMD_PEER_FLOAT_NTF + 1,
	.mcgrps = ovpn_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ovpn_genl_mcgrps),
};

int __init ovpn_genl_register(void)
{
	return genl_register_family(&ovpn_genl_family);
}

void ovpn_genl_unregister(void)
{
	genl_unregister_family(&ovpn_genl_family);
}
