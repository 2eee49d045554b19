// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: generic netlink interface
 *
 * Family "ovpn-dco-v2", numbered as the out-of-tree v2 module OpenVPN 2.6
 * speaks to. Every request names the device with OVPN_ATTR_IFINDEX and
 * carries one nest with the command's attributes. Every refusal carries an
 * extack message. Validation is liberal about the nest flag (as the
 * reference), strict about what the module relies on.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "compat.h"
#include "crypto.h"
#include "debug.h"
#include "epoch.h"
#include "frontend.h"
#include "io.h"
#include "netlink.h"
#include "ovpn.h"
#include "peer.h"
#include "socket.h"
#include "tcp.h"
#include "udp.h"

enum ovpn_nl_mcgrps {
	OVPN_MCGRP_PEERS,
};

static const struct genl_multicast_group ovpn_nl_mcgrps[] = {
	[OVPN_MCGRP_PEERS] = { .name = OVPN_NL_MULTICAST_GROUP_PEERS },
};

static const struct nla_policy
ovpn_nl_policy_key_dir[OVPN_KEY_DIR_ATTR_MAX + 1] = {
	[OVPN_KEY_DIR_ATTR_CIPHER_KEY] = { .type = NLA_BINARY, .len = 32 },
	[OVPN_KEY_DIR_ATTR_NONCE_TAIL] =
		NLA_POLICY_EXACT_LEN(OVPN_NONCE_TAIL_LEN),
};

static const struct nla_policy
ovpn_nl_policy_new_peer[OVPN_NEW_PEER_ATTR_MAX + 1] = {
	[OVPN_NEW_PEER_ATTR_PEER_ID] = { .type = NLA_U32 },
	[OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE] =
		NLA_POLICY_MIN_LEN(sizeof(struct sockaddr_in)),
	[OVPN_NEW_PEER_ATTR_SOCKET] = { .type = NLA_U32 },
	[OVPN_NEW_PEER_ATTR_IPV4] = { .type = NLA_BE32 },
	[OVPN_NEW_PEER_ATTR_IPV6] =
		NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[OVPN_NEW_PEER_ATTR_LOCAL_IP] =
		NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
};

/* An MSS clamp only ever lowers a SYN's MSS: below the smallest MSS the
 * kernel's TCP accepts it would only break connections, above the largest
 * an IPv4 packet can carry it is a no-op.
 */
#define OVPN_MSS_MIN		88
#define OVPN_MSS_MAX		(65535 - 20 - 20) /* IPv4 and TCP headers */

/* beyond what the s16 bounds of NLA_POLICY_MAX() can say; not const:
 * 6.1's struct nla_policy points at them without const
 */
static struct netlink_range_validation ovpn_nl_keepalive_range = {
	.max = OVPN_KEEPALIVE_MAX_SECS,
};

static struct netlink_range_validation ovpn_nl_mss_range = {
	.max = OVPN_MSS_MAX,
};

static const struct nla_policy
ovpn_nl_policy_set_peer[OVPN_SET_PEER_ATTR_MAX + 1] = {
	[OVPN_SET_PEER_ATTR_PEER_ID] = { .type = NLA_U32 },
	[OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_nl_keepalive_range),
	[OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &ovpn_nl_keepalive_range),
	[OVPN_SET_PEER_ATTR_MSS] =
		NLA_POLICY_FULL_RANGE(NLA_U16, &ovpn_nl_mss_range),
};

static const struct nla_policy
ovpn_nl_policy_del_peer[OVPN_DEL_PEER_ATTR_MAX + 1] = {
	/* ignored in a request, but bounded as the reference does */
	[OVPN_DEL_PEER_ATTR_REASON] =
		NLA_POLICY_MAX(NLA_U8, OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT),
	[OVPN_DEL_PEER_ATTR_PEER_ID] = { .type = NLA_U32 },
};

static const struct nla_policy
ovpn_nl_policy_epoch[OVPN_EPOCH_ATTR_MAX + 1] = {
	[OVPN_EPOCH_ATTR_ENCRYPT_SECRET] =
		NLA_POLICY_EXACT_LEN(OVPN_EPOCH_SECRET_LEN),
	[OVPN_EPOCH_ATTR_DECRYPT_SECRET] =
		NLA_POLICY_EXACT_LEN(OVPN_EPOCH_SECRET_LEN),
	[OVPN_EPOCH_ATTR_KEY_SIZE] = { .type = NLA_U8 },
	[OVPN_EPOCH_ATTR_REKEY_PACKETS] = { .type = NLA_U32 },
	[OVPN_EPOCH_ATTR_REKEY_SECONDS] = { .type = NLA_U32 },
};

static const struct nla_policy
ovpn_nl_policy_new_key[OVPN_NEW_KEY_ATTR_MAX + 1] = {
	[OVPN_NEW_KEY_ATTR_PEER_ID] = { .type = NLA_U32 },
	[OVPN_NEW_KEY_ATTR_KEY_SLOT] =
		NLA_POLICY_MAX(NLA_U8, __OVPN_KEY_SLOT_AFTER_LAST - 1),
	[OVPN_NEW_KEY_ATTR_KEY_ID] = NLA_POLICY_MAX(NLA_U8, OVPN_KEY_ID_MAX),
	[OVPN_NEW_KEY_ATTR_CIPHER_ALG] =
		NLA_POLICY_MAX(NLA_U16, OVPN_CIPHER_ALG_CHACHA20_POLY1305),
	[OVPN_NEW_KEY_ATTR_ENCRYPT_KEY] =
		NLA_POLICY_NESTED(ovpn_nl_policy_key_dir),
	[OVPN_NEW_KEY_ATTR_DECRYPT_KEY] =
		NLA_POLICY_NESTED(ovpn_nl_policy_key_dir),
	[OVPN_NEW_KEY_ATTR_EPOCH] = NLA_POLICY_NESTED(ovpn_nl_policy_epoch),
};

static const struct nla_policy
ovpn_nl_policy_swap_keys[OVPN_SWAP_KEYS_ATTR_MAX + 1] = {
	[OVPN_SWAP_KEYS_ATTR_PEER_ID] = { .type = NLA_U32 },
};

static const struct nla_policy
ovpn_nl_policy_del_key[OVPN_DEL_KEY_ATTR_MAX + 1] = {
	[OVPN_DEL_KEY_ATTR_PEER_ID] = { .type = NLA_U32 },
	[OVPN_DEL_KEY_ATTR_KEY_SLOT] =
		NLA_POLICY_MAX(NLA_U8, __OVPN_KEY_SLOT_AFTER_LAST - 1),
};

static const struct nla_policy
ovpn_nl_policy_get_peer[OVPN_GET_PEER_ATTR_MAX + 1] = {
	[OVPN_GET_PEER_ATTR_PEER_ID] = { .type = NLA_U32 },
};

static const struct nla_policy ovpn_nl_policy[OVPN_ATTR_MAX + 1] = {
	[OVPN_ATTR_IFINDEX] = { .type = NLA_U32 },
	[OVPN_ATTR_NEW_PEER] = NLA_POLICY_NESTED(ovpn_nl_policy_new_peer),
	[OVPN_ATTR_SET_PEER] = NLA_POLICY_NESTED(ovpn_nl_policy_set_peer),
	[OVPN_ATTR_DEL_PEER] = NLA_POLICY_NESTED(ovpn_nl_policy_del_peer),
	[OVPN_ATTR_NEW_KEY] = NLA_POLICY_NESTED(ovpn_nl_policy_new_key),
	[OVPN_ATTR_SWAP_KEYS] = NLA_POLICY_NESTED(ovpn_nl_policy_swap_keys),
	[OVPN_ATTR_DEL_KEY] = NLA_POLICY_NESTED(ovpn_nl_policy_del_key),
	[OVPN_ATTR_GET_PEER] = NLA_POLICY_NESTED(ovpn_nl_policy_get_peer),
};

static struct genl_family ovpn_nl_family;

/**
 * ovpn_nl_dev_get_fe - the device a request of either family names, held
 * @net: the requester's namespace
 * @attrs: the request's top-level attributes (both families number the
 *	ifindex 1)
 * @fe: the family of the request: a device of the other one is refused
 * @extack: for the reason of a refusal
 *
 * Return: the device with a reference (dev_put() it), or an ERR_PTR.
 */
struct net_device *ovpn_nl_dev_get_fe(struct net *net, struct nlattr **attrs,
				      const struct ovpn_frontend *fe,
				      struct netlink_ext_ack *extack)
{
	const struct ovpn_frontend *dev_fe;
	struct net_device *dev;

	if (!attrs[OVPN_ATTR_IFINDEX]) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, OVPN_ATTR_IFINDEX);
		NL_SET_ERR_MSG_MOD(extack, "missing ifindex (attribute 1)");
		return ERR_PTR(-EINVAL);
	}

	dev = dev_get_by_index(net, nla_get_u32(attrs[OVPN_ATTR_IFINDEX]));
	if (!dev) {
		NL_SET_ERR_MSG_MOD(extack, "no interface with this ifindex");
		NL_SET_BAD_ATTR(extack, attrs[OVPN_ATTR_IFINDEX]);
		return ERR_PTR(-ENODEV);
	}

	if (!ovpn_dev_is_valid(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_MOD(extack,
				   "the interface is not an ovpn-dco device (nor of kind ovpn)");
		NL_SET_BAD_ATTR(extack, attrs[OVPN_ATTR_IFINDEX]);
		return ERR_PTR(-EINVAL);
	}
	dev_fe = ((struct ovpn_struct *)netdev_priv(dev))->fe;
	if (dev_fe != fe) {
		dev_put(dev);
		if (extack)
			extack->_msg = dev_fe->other_family_msg;
		NL_SET_BAD_ATTR(extack, attrs[OVPN_ATTR_IFINDEX]);
		return ERR_PTR(-EINVAL);
	}
	return dev;
}

static struct net_device *ovpn_nl_dev_get(struct net *net,
					  struct nlattr **attrs,
					  struct netlink_ext_ack *extack)
{
	return ovpn_nl_dev_get_fe(net, attrs, &ovpn_frontend_dco, extack);
}

/* @msg must be a string literal: extack keeps the pointer */
static void ovpn_nl_err(struct netlink_ext_ack *extack, const char *msg)
{
	if (extack)
		extack->_msg = msg;
}

/* parse the command's nest: missing is an error, the flag is optional */
static int ovpn_nl_parse_nest(struct genl_info *info, int attr, int maxtype,
			      const struct nla_policy *policy,
			      struct nlattr **tb, const char *missing_msg)
{
	if (!info->attrs[attr]) {
		ovpn_nl_err(info->extack, missing_msg);
		return -EINVAL;
	}
	return nla_parse_nested_deprecated(tb, maxtype, info->attrs[attr],
					   policy, info->extack);
}

static int ovpn_nl_require(struct genl_info *info, struct nlattr **tb,
			   int attr, struct nlattr *nest,
			   const char *missing_msg)
{
	if (tb[attr])
		return 0;
	ovpn_nl_err(info->extack, missing_msg);
	NL_SET_BAD_ATTR(info->extack, nest);
	return -EINVAL;
}

/**
 * ovpn_nl_peer_get - the peer a request names by id, held
 * @ovpn: the device
 * @attr: a u32 peer id attribute of either family
 * @extack: for the reason of a refusal
 *
 * Return: the peer with a reference, or NULL (refused: -ENOENT).
 */
struct ovpn_peer *ovpn_nl_peer_get(struct ovpn_struct *ovpn,
				   struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	struct ovpn_peer *peer;
	u32 id = nla_get_u32(attr);

	peer = ovpn_peer_get_by_id(ovpn, id);
	if (!peer) {
		NL_SET_ERR_MSG_MOD(extack, "no peer with this id");
		NL_SET_BAD_ATTR(extack, attr);
	}
	return peer;
}

static int ovpn_nl_parse_remote(struct nlattr *attr, union ovpn_sockaddr *ss,
				struct netlink_ext_ack *extack)
{
	int len = nla_len(attr);

	memset(ss, 0, sizeof(*ss));
	if (len == sizeof(struct sockaddr_in)) {
		memcpy(&ss->in4, nla_data(attr), sizeof(ss->in4));
		if (ss->in4.sin_family == AF_INET)
			return 0;
	} else if (len == sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;

		memcpy(&in6, nla_data(attr), sizeof(in6));
		if (in6.sin6_family == AF_INET6) {
			if (ipv6_addr_v4mapped(&in6.sin6_addr)) {
				ss->in4.sin_family = AF_INET;
				ss->in4.sin_port = in6.sin6_port;
				ss->in4.sin_addr.s_addr =
					in6.sin6_addr.s6_addr32[3];
			} else {
				ss->in6 = in6;
			}
			return 0;
		}
	}

	NL_SET_ERR_MSG_MOD(extack,
			   "remote address must be a sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes)");
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

/* a UDP remote nothing can be sent to is a configuration error */
static int ovpn_nl_check_remote(struct nlattr *attr,
				const union ovpn_sockaddr *ss,
				struct netlink_ext_ack *extack)
{
	if (ss->in4.sin_port)
		return 0;
	NL_SET_ERR_MSG_MOD(extack, "remote port 0 is not a destination");
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

static int ovpn_nl_parse_local(struct nlattr *attr,
			       struct ovpn_peer_config *cfg,
			       struct netlink_ext_ack *extack)
{
	sa_family_t family = cfg->remote.in4.sin_family;
	int len = nla_len(attr);

	if (len == sizeof(struct in_addr) && family == AF_INET) {
		memcpy(&cfg->local.ipv4, nla_data(attr), len);
		return 0;
	}
	if (len == sizeof(struct in6_addr)) {
		struct in6_addr a;

		memcpy(&a, nla_data(attr), len);
		if (family == AF_INET && ipv6_addr_v4mapped(&a)) {
			cfg->local.ipv4.s_addr = a.s6_addr32[3];
			return 0;
		}
		if (family == AF_INET6) {
			cfg->local.ipv6 = a;
			return 0;
		}
	}

	NL_SET_ERR_MSG_MOD(extack,
			   "local IP must be 4 or 16 bytes, of the remote address's family");
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

static int ovpn_nl_new_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_NEW_PEER_ATTR_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_ATTR_NEW_PEER];
	struct ovpn_peer_config cfg = {};
	struct ovpn_struct *ovpn;
	struct net_device *dev;
	struct ovpn_peer *peer;
	struct socket *sock;
	int ret, fd;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ovpn = netdev_priv(dev);

	ret = ovpn_nl_parse_nest(info, OVPN_ATTR_NEW_PEER,
				 OVPN_NEW_PEER_ATTR_MAX,
				 ovpn_nl_policy_new_peer, tb,
				 "missing the NEW_PEER nest (OVPN_ATTR_NEW_PEER)");
	if (ret)
		goto out;

	ret = ovpn_nl_require(info, tb, OVPN_NEW_PEER_ATTR_PEER_ID, nest,
			      "missing attribute PEER_ID") ?:
	      ovpn_nl_require(info, tb, OVPN_NEW_PEER_ATTR_SOCKET, nest,
			      "missing attribute SOCKET");
	if (ret)
		goto out;

	cfg.id = nla_get_u32(tb[OVPN_NEW_PEER_ATTR_PEER_ID]);
	cfg.tx_id = cfg.id;
	if (cfg.id > OVPN_PEER_ID_MAX) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "peer id must fit 24 bits and not be 0xFFFFFF");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_NEW_PEER_ATTR_PEER_ID]);
		ret = -EINVAL;
		goto out;
	}

	fd = nla_get_u32(tb[OVPN_NEW_PEER_ATTR_SOCKET]);
	sock = sockfd_lookup(fd, &ret);
	if (!sock) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "SOCKET is not a socket fd of the caller");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_NEW_PEER_ATTR_SOCKET]);
		goto out;
	}

	/* before reading anything of it as an inet socket: an AF_PACKET or a
	 * netlink socket can have protocol number 6 too
	 */
	if (!ovpn_socket_supported(sock->sk)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "only UDP or TCP sockets over IPv4/IPv6 are supported");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_NEW_PEER_ATTR_SOCKET]);
		sockfd_put(sock);
		ret = -EOPNOTSUPP;
		goto out;
	}

	if (sock->sk->sk_protocol == IPPROTO_TCP) {
		/* a TCP peer is where the stream goes: the attribute, sent
		 * by OpenVPN anyway, is not needed
		 */
		ovpn_peer_config_tcp(sock->sk, &cfg);
	} else {
		ret = ovpn_nl_require(info, tb,
				      OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE, nest,
				      "missing attribute SOCKADDR_REMOTE (required for UDP)") ?:
		      ovpn_nl_parse_remote(tb[OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE],
					   &cfg.remote, info->extack) ?:
		      ovpn_nl_check_remote(tb[OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE],
					   &cfg.remote, info->extack);
		if (!ret && tb[OVPN_NEW_PEER_ATTR_LOCAL_IP])
			ret = ovpn_nl_parse_local(tb[OVPN_NEW_PEER_ATTR_LOCAL_IP],
						  &cfg, info->extack);
		if (ret) {
			sockfd_put(sock);
			goto out;
		}
	}

	if (tb[OVPN_NEW_PEER_ATTR_IPV4])
		cfg.vpn_ipv4 = nla_get_be32(tb[OVPN_NEW_PEER_ATTR_IPV4]);
	if (tb[OVPN_NEW_PEER_ATTR_IPV6])
		nla_memcpy(&cfg.vpn_ipv6, tb[OVPN_NEW_PEER_ATTR_IPV6],
			   sizeof(cfg.vpn_ipv6));

	peer = ovpn_peer_create(ovpn, &cfg, sock, NULL, info->extack);
	if (IS_ERR(peer))
		ret = PTR_ERR(peer);
	else
		ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_nl_set_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_SET_PEER_ATTR_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_ATTR_SET_PEER];
	struct net_device *dev;
	struct ovpn_peer *peer;
	bool has_int, has_tmo;
	int ret;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_nl_parse_nest(info, OVPN_ATTR_SET_PEER,
				 OVPN_SET_PEER_ATTR_MAX,
				 ovpn_nl_policy_set_peer, tb,
				 "missing the SET_PEER nest (OVPN_ATTR_SET_PEER)") ?:
	      ovpn_nl_require(info, tb, OVPN_SET_PEER_ATTR_PEER_ID, nest,
			      "missing attribute PEER_ID");
	if (ret)
		goto out;

	has_int = tb[OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL];
	has_tmo = tb[OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT];
	if (has_int != has_tmo) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "keepalive interval and timeout must be given together");
		NL_SET_BAD_ATTR(info->extack, nest);
		ret = -EINVAL;
		goto out;
	}

	if (tb[OVPN_SET_PEER_ATTR_MSS]) {
		u16 mss = nla_get_u16(tb[OVPN_SET_PEER_ATTR_MSS]);

		if (mss && mss < OVPN_MSS_MIN) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "MSS must be 0 (no clamp) or at least 88");
			NL_SET_BAD_ATTR(info->extack, tb[OVPN_SET_PEER_ATTR_MSS]);
			ret = -EINVAL;
			goto out;
		}
	}

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_SET_PEER_ATTR_PEER_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}

	if (has_int) {
		u32 interval, timeout;

		interval = nla_get_u32(tb[OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL]);
		timeout = nla_get_u32(tb[OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT]);
		ovpn_peer_keepalive_set(peer, interval, timeout);
	}
	if (tb[OVPN_SET_PEER_ATTR_MSS])
		WRITE_ONCE(peer->mss, nla_get_u16(tb[OVPN_SET_PEER_ATTR_MSS]));
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_nl_del_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_DEL_PEER_ATTR_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_ATTR_DEL_PEER];
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_nl_parse_nest(info, OVPN_ATTR_DEL_PEER,
				 OVPN_DEL_PEER_ATTR_MAX,
				 ovpn_nl_policy_del_peer, tb,
				 "missing the DEL_PEER nest (OVPN_ATTR_DEL_PEER)") ?:
	      ovpn_nl_require(info, tb, OVPN_DEL_PEER_ATTR_PEER_ID, nest,
			      "missing attribute PEER_ID");
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_DEL_PEER_ATTR_PEER_ID], info->extack);
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

static int ovpn_nl_parse_key_dir(struct genl_info *info, struct nlattr *attr,
				 enum ovpn_cipher_alg alg,
				 struct ovpn_key_direction *dir,
				 const char *missing_msg)
{
	struct nlattr *tb[OVPN_KEY_DIR_ATTR_MAX + 1];
	size_t len;
	int ret;

	if (!attr) {
		ovpn_nl_err(info->extack, missing_msg);
		return -EINVAL;
	}

	ret = nla_parse_nested_deprecated(tb, OVPN_KEY_DIR_ATTR_MAX, attr,
					  ovpn_nl_policy_key_dir, info->extack);
	if (ret)
		return ret;

	if (!tb[OVPN_KEY_DIR_ATTR_CIPHER_KEY] ||
	    !tb[OVPN_KEY_DIR_ATTR_NONCE_TAIL]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a key direction needs CIPHER_KEY and NONCE_TAIL");
		NL_SET_BAD_ATTR(info->extack, attr);
		return -EINVAL;
	}

	len = nla_len(tb[OVPN_KEY_DIR_ATTR_CIPHER_KEY]);
	if (!ovpn_cipher_key_len_ok(alg, len)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "key size does not fit the cipher (AES-GCM: 16, 24 or 32 bytes; ChaCha20-Poly1305: 32)");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_KEY_DIR_ATTR_CIPHER_KEY]);
		return -EINVAL;
	}

	dir->cipher_key = nla_data(tb[OVPN_KEY_DIR_ATTR_CIPHER_KEY]);
	dir->cipher_key_size = len;
	dir->nonce_tail = nla_data(tb[OVPN_KEY_DIR_ATTR_NONCE_TAIL]);
	return 0;
}

/* the EPOCH nest of NEW_KEY: both secrets, the rest has defaults */
static int ovpn_nl_parse_epoch(struct genl_info *info, struct nlattr *attr,
			       enum ovpn_cipher_alg alg,
			       struct ovpn_epoch_config *ec)
{
	struct nlattr *tb[OVPN_EPOCH_ATTR_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, OVPN_EPOCH_ATTR_MAX, attr,
			       ovpn_nl_policy_epoch, info->extack);
	if (ret)
		return ret;
	if (!tb[OVPN_EPOCH_ATTR_ENCRYPT_SECRET] ||
	    !tb[OVPN_EPOCH_ATTR_DECRYPT_SECRET]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "an epoch key needs ENCRYPT_SECRET and DECRYPT_SECRET");
		NL_SET_BAD_ATTR(info->extack, attr);
		return -EINVAL;
	}
	ec->tx_secret = nla_data(tb[OVPN_EPOCH_ATTR_ENCRYPT_SECRET]);
	ec->rx_secret = nla_data(tb[OVPN_EPOCH_ATTR_DECRYPT_SECRET]);
	ec->key_size = tb[OVPN_EPOCH_ATTR_KEY_SIZE] ?
		       nla_get_u8(tb[OVPN_EPOCH_ATTR_KEY_SIZE]) : 32;
	if (!ovpn_cipher_key_len_ok(alg, ec->key_size)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "key size does not fit the cipher (AES-GCM: 16, 24 or 32 bytes; ChaCha20-Poly1305: 32)");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_EPOCH_ATTR_KEY_SIZE]);
		return -EINVAL;
	}
	ec->rekey_packets = tb[OVPN_EPOCH_ATTR_REKEY_PACKETS] ?
			    nla_get_u32(tb[OVPN_EPOCH_ATTR_REKEY_PACKETS]) :
			    OVPN_EPOCH_REKEY_PACKETS_MAX;
	if (!ec->rekey_packets ||
	    ec->rekey_packets > OVPN_EPOCH_REKEY_PACKETS_MAX) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "REKEY_PACKETS is 1 to 2147483648");
		NL_SET_BAD_ATTR(info->extack,
				tb[OVPN_EPOCH_ATTR_REKEY_PACKETS]);
		return -EINVAL;
	}
	ec->rekey_secs = tb[OVPN_EPOCH_ATTR_REKEY_SECONDS] ?
			 nla_get_u32(tb[OVPN_EPOCH_ATTR_REKEY_SECONDS]) :
			 OVPN_EPOCH_REKEY_SECS_DEFAULT;
	/* jiffies arithmetic stays far from overflow: at most ten years */
	if (ec->rekey_secs > 315360000U) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "REKEY_SECONDS is at most 315360000 (ten years)");
		NL_SET_BAD_ATTR(info->extack,
				tb[OVPN_EPOCH_ATTR_REKEY_SECONDS]);
		return -EINVAL;
	}
	return 0;
}

static int ovpn_nl_new_key(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_NEW_KEY_ATTR_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_ATTR_NEW_KEY];
	struct ovpn_epoch_config ec = {};
	struct ovpn_key_config kc = {};
	enum ovpn_key_slot slot;
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_nl_parse_nest(info, OVPN_ATTR_NEW_KEY,
				 OVPN_NEW_KEY_ATTR_MAX,
				 ovpn_nl_policy_new_key, tb,
				 "missing the NEW_KEY nest (OVPN_ATTR_NEW_KEY)") ?:
	      ovpn_nl_require(info, tb, OVPN_NEW_KEY_ATTR_PEER_ID, nest,
			      "missing attribute PEER_ID") ?:
	      ovpn_nl_require(info, tb, OVPN_NEW_KEY_ATTR_KEY_SLOT, nest,
			      "missing attribute KEY_SLOT") ?:
	      ovpn_nl_require(info, tb, OVPN_NEW_KEY_ATTR_KEY_ID, nest,
			      "missing attribute KEY_ID") ?:
	      ovpn_nl_require(info, tb, OVPN_NEW_KEY_ATTR_CIPHER_ALG, nest,
			      "missing attribute CIPHER_ALG");
	if (ret)
		goto out;

	slot = nla_get_u8(tb[OVPN_NEW_KEY_ATTR_KEY_SLOT]);
	kc.key_id = nla_get_u8(tb[OVPN_NEW_KEY_ATTR_KEY_ID]);
	kc.cipher_alg = nla_get_u16(tb[OVPN_NEW_KEY_ATTR_CIPHER_ALG]);
	if (kc.cipher_alg == OVPN_CIPHER_ALG_NONE) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "cipher NONE is not supported: use AES-GCM or ChaCha20-Poly1305");
		NL_SET_BAD_ATTR(info->extack, tb[OVPN_NEW_KEY_ATTR_CIPHER_ALG]);
		ret = -EINVAL;
		goto out;
	}

	if (tb[OVPN_NEW_KEY_ATTR_EPOCH]) {
		if (tb[OVPN_NEW_KEY_ATTR_ENCRYPT_KEY] ||
		    tb[OVPN_NEW_KEY_ATTR_DECRYPT_KEY]) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "an epoch key takes no ENCRYPT_KEY or DECRYPT_KEY");
			NL_SET_BAD_ATTR(info->extack,
					tb[OVPN_NEW_KEY_ATTR_EPOCH]);
			ret = -EINVAL;
			goto out;
		}
		ret = ovpn_nl_parse_epoch(info, tb[OVPN_NEW_KEY_ATTR_EPOCH],
					  kc.cipher_alg, &ec);
		kc.epoch = &ec;
	} else {
		ret = ovpn_nl_parse_key_dir(info,
					    tb[OVPN_NEW_KEY_ATTR_ENCRYPT_KEY],
					    kc.cipher_alg, &kc.encrypt,
					    "missing ENCRYPT_KEY") ?:
		      ovpn_nl_parse_key_dir(info,
					    tb[OVPN_NEW_KEY_ATTR_DECRYPT_KEY],
					    kc.cipher_alg, &kc.decrypt,
					    "missing DECRYPT_KEY");
	}
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_NEW_KEY_ATTR_PEER_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}

	ret = ovpn_crypto_state_reset(&peer->crypto, slot, &kc, info->extack);
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_nl_swap_keys(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_SWAP_KEYS_ATTR_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_ATTR_SWAP_KEYS];
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_nl_parse_nest(info, OVPN_ATTR_SWAP_KEYS,
				 OVPN_SWAP_KEYS_ATTR_MAX,
				 ovpn_nl_policy_swap_keys, tb,
				 "missing the SWAP_KEYS nest (OVPN_ATTR_SWAP_KEYS)") ?:
	      ovpn_nl_require(info, tb, OVPN_SWAP_KEYS_ATTR_PEER_ID, nest,
			      "missing attribute PEER_ID");
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_SWAP_KEYS_ATTR_PEER_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}

	ovpn_crypto_key_slots_swap(&peer->crypto);
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_nl_del_key(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_DEL_KEY_ATTR_MAX + 1];
	struct nlattr *nest = info->attrs[OVPN_ATTR_DEL_KEY];
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	ret = ovpn_nl_parse_nest(info, OVPN_ATTR_DEL_KEY,
				 OVPN_DEL_KEY_ATTR_MAX,
				 ovpn_nl_policy_del_key, tb,
				 "missing the DEL_KEY nest (OVPN_ATTR_DEL_KEY)") ?:
	      ovpn_nl_require(info, tb, OVPN_DEL_KEY_ATTR_PEER_ID, nest,
			      "missing attribute PEER_ID") ?:
	      ovpn_nl_require(info, tb, OVPN_DEL_KEY_ATTR_KEY_SLOT, nest,
			      "missing attribute KEY_SLOT");
	if (ret)
		goto out;

	peer = ovpn_nl_peer_get(netdev_priv(dev),
				tb[OVPN_DEL_KEY_ATTR_PEER_ID], info->extack);
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}

	/* an empty slot is not an error: OpenVPN treats errors as fatal */
	ovpn_crypto_key_slot_delete(&peer->crypto,
				    nla_get_u8(tb[OVPN_DEL_KEY_ATTR_KEY_SLOT]));
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

static int ovpn_nl_put_stats(struct sk_buff *msg,
			     const struct ovpn_peer_stats_dir *d,
			     int bytes_attr, int packets_attr)
{
	if (nla_put_u64_64bit(msg, bytes_attr, atomic64_read(&d->bytes),
			      OVPN_GET_PEER_RESP_ATTR_UNSPEC) ||
	    nla_put_u32(msg, packets_attr, (u32)atomic64_read(&d->packets)))
		return -EMSGSIZE;
	return 0;
}

/* the epochs of an epoch primary key, and when the last packet came */
static int ovpn_nl_put_peer_epoch(struct sk_buff *msg, struct ovpn_peer *peer)
{
	struct ovpn_epoch_info ei;

	if (atomic64_read(&peer->stats.link_rx.packets) &&
	    nla_put_u32(msg, OVPN_GET_PEER_RESP_ATTR_LAST_RX_MSECS,
			jiffies_to_msecs(jiffies -
					 READ_ONCE(peer->last_recv))))
		return -EMSGSIZE;
	if (!ovpn_crypto_epoch_info(&peer->crypto, &ei))
		return 0;
	if (nla_put_u16(msg, OVPN_GET_PEER_RESP_ATTR_EPOCH_TX, ei.tx_epoch) ||
	    nla_put_u16(msg, OVPN_GET_PEER_RESP_ATTR_EPOCH_RX, ei.rx_epoch) ||
	    nla_put_u32(msg, OVPN_GET_PEER_RESP_ATTR_EPOCH_TX_PACKETS,
			ei.tx_packets) ||
	    nla_put_u32(msg, OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_PACKETS,
			ei.rekey_packets) ||
	    (ei.rekey_secs >= 0 &&
	     nla_put_u32(msg, OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_SECS,
			 min_t(s64, ei.rekey_secs, U32_MAX))))
		return -EMSGSIZE;
	return 0;
}

static int ovpn_nl_put_peer(struct sk_buff *msg, struct ovpn_peer *peer,
			    struct net *net, u32 portid, u32 seq, int flags)
{
	struct sock *sk = peer->sock->sk;
	struct ovpn_bind *bind;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &ovpn_nl_family, flags,
			  OVPN_CMD_GET_PEER);
	if (!hdr)
		return -EMSGSIZE;

	nest = nla_nest_start(msg, OVPN_ATTR_GET_PEER);
	if (!nest)
		goto err;

	if (nla_put_u32(msg, OVPN_GET_PEER_RESP_ATTR_PEER_ID, peer->id))
		goto err;

	rcu_read_lock();
	bind = rcu_dereference(peer->bind);
	if (bind->remote.in4.sin_family == AF_INET) {
		if (nla_put(msg, OVPN_GET_PEER_RESP_ATTR_SOCKADDR_REMOTE,
			    sizeof(bind->remote.in4), &bind->remote.in4) ||
		    (bind->local.ipv4.s_addr &&
		     nla_put_in_addr(msg, OVPN_GET_PEER_RESP_ATTR_LOCAL_IP,
				     bind->local.ipv4.s_addr)))
			goto err_rcu;
	} else {
		if (nla_put(msg, OVPN_GET_PEER_RESP_ATTR_SOCKADDR_REMOTE,
			    sizeof(bind->remote.in6), &bind->remote.in6) ||
		    (!ipv6_addr_any(&bind->local.ipv6) &&
		     nla_put_in6_addr(msg, OVPN_GET_PEER_RESP_ATTR_LOCAL_IP,
				      &bind->local.ipv6)))
			goto err_rcu;
	}
	rcu_read_unlock();

	if ((peer->vpn_ipv4 &&
	     nla_put_in_addr(msg, OVPN_GET_PEER_RESP_ATTR_IPV4,
			     peer->vpn_ipv4)) ||
	    (!ipv6_addr_any(&peer->vpn_ipv6) &&
	     nla_put_in6_addr(msg, OVPN_GET_PEER_RESP_ATTR_IPV6,
			      &peer->vpn_ipv6)) ||
	    nla_put_be16(msg, OVPN_GET_PEER_RESP_ATTR_LOCAL_PORT,
			 inet_sk(sk)->inet_sport) ||
	    nla_put_u32(msg, OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_INTERVAL,
			READ_ONCE(peer->keepalive_interval)) ||
	    nla_put_u32(msg, OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_TIMEOUT,
			READ_ONCE(peer->keepalive_timeout)) ||
	    nla_put_u16(msg, OVPN_GET_PEER_RESP_ATTR_MSS, READ_ONCE(peer->mss)) ||
	    ovpn_nl_put_stats(msg, &peer->stats.vpn_rx,
			      OVPN_GET_PEER_RESP_ATTR_VPN_RX_BYTES,
			      OVPN_GET_PEER_RESP_ATTR_VPN_RX_PACKETS) ||
	    ovpn_nl_put_stats(msg, &peer->stats.vpn_tx,
			      OVPN_GET_PEER_RESP_ATTR_VPN_TX_BYTES,
			      OVPN_GET_PEER_RESP_ATTR_VPN_TX_PACKETS) ||
	    ovpn_nl_put_stats(msg, &peer->stats.link_rx,
			      OVPN_GET_PEER_RESP_ATTR_LINK_RX_BYTES,
			      OVPN_GET_PEER_RESP_ATTR_LINK_RX_PACKETS) ||
	    ovpn_nl_put_stats(msg, &peer->stats.link_tx,
			      OVPN_GET_PEER_RESP_ATTR_LINK_TX_BYTES,
			      OVPN_GET_PEER_RESP_ATTR_LINK_TX_PACKETS) ||
	    ovpn_nl_put_peer_epoch(msg, peer))
		goto err;

	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

err_rcu:
	rcu_read_unlock();
err:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int ovpn_nl_get_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[OVPN_GET_PEER_ATTR_MAX + 1] = {};
	struct ovpn_struct *ovpn;
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ovpn = netdev_priv(dev);

	if (info->attrs[OVPN_ATTR_GET_PEER]) {
		ret = ovpn_nl_parse_nest(info, OVPN_ATTR_GET_PEER,
					 OVPN_GET_PEER_ATTR_MAX,
					 ovpn_nl_policy_get_peer, tb,
					 "GET_PEER");
		if (ret)
			goto out;
	}

	if (tb[OVPN_GET_PEER_ATTR_PEER_ID]) {
		peer = ovpn_nl_peer_get(ovpn, tb[OVPN_GET_PEER_ATTR_PEER_ID],
					info->extack);
	} else if (ovpn->mode == OVPN_MODE_P2P) {
		/* a P2P device has one peer: the id may be left out */
		peer = ovpn_peer_get_first(ovpn);
		if (!peer)
			NL_SET_ERR_MSG_MOD(info->extack, "the device has no peer");
	} else {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "missing PEER_ID (dump to list all peers)");
		ret = -EINVAL;
		goto out;
	}
	if (!peer) {
		ret = -ENOENT;
		goto out;
	}

	ret = ovpn_nl_reply_peer(info, peer, ovpn_nl_put_peer);
	ovpn_peer_put(peer);
out:
	dev_put(dev);
	return ret;
}

/**
 * ovpn_nl_reply_peer - answer a GET of one peer, in either family
 * @info: the request
 * @peer: the peer, held by the caller
 * @put: the family's reply builder
 *
 * Return: 0 or a negative errno.
 */
int ovpn_nl_reply_peer(struct genl_info *info, struct ovpn_peer *peer,
		       ovpn_nl_put_peer_t put)
{
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = put(msg, peer, genl_info_net(info), info->snd_portid,
		  info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/**
 * struct ovpn_nl_dump - a GET dump in progress, either family
 * @skb: the message being filled
 * @net: the requester's namespace
 * @portid: the requester
 * @seq: its sequence number
 * @put: the family's reply builder
 */
struct ovpn_nl_dump {
	struct sk_buff *skb;
	struct net *net;
	u32 portid;
	u32 seq;
	ovpn_nl_put_peer_t put;
};

static int ovpn_nl_dump_one(struct ovpn_peer *peer, void *arg)
{
	struct ovpn_nl_dump *d = arg;

	return d->put(d->skb, peer, d->net, d->portid, d->seq, NLM_F_MULTI);
}

/**
 * ovpn_nl_dump_peers_fe - a GET dump of every peer, in either family
 * @skb: the message to fill
 * @cb: the dump's state (resumes across messages)
 * @fe: the family of the request
 * @put: its reply builder
 *
 * Return: the message's length, or a negative errno.
 */
int ovpn_nl_dump_peers_fe(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct ovpn_frontend *fe,
			  ovpn_nl_put_peer_t put)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct ovpn_nl_dump d = {
		.skb = skb,
		.net = sock_net(cb->skb->sk),
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.put = put,
	};
	struct net_device *dev;
	int ret;

	dev = ovpn_nl_dev_get_fe(d.net, ovpn_compat_dump_attrs(info), fe,
				 cb->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = ovpn_peers_walk(netdev_priv(dev), cb->args, ovpn_nl_dump_one,
			      &d);
	dev_put(dev);
	/* a full message is not an error: the dump goes on in the next one */
	return skb->len ?: ret;
}

static int ovpn_nl_dump_peers(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ovpn_nl_dump_peers_fe(skb, cb, &ovpn_frontend_dco,
				     ovpn_nl_put_peer);
}

static int ovpn_nl_start_vpn(struct sk_buff *skb, struct genl_info *info)
{
	struct ovpn_struct *ovpn;
	struct net_device *dev;
	struct ovpn_peer *peer;
	int ret = 0;

	dev = ovpn_nl_dev_get(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ovpn = netdev_priv(dev);

	if (ovpn->mode == OVPN_MODE_P2P) {
		peer = ovpn_peer_get_first(ovpn);
		if (!peer) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "not ready: the device has no peer (NEW_PEER first)");
			ret = -ENOTCONN;
			goto out;
		}
		if (!ovpn_crypto_has_primary(&peer->crypto)) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "not ready: the peer has no primary key (NEW_KEY first)");
			ret = -ENOKEY;
		}
		ovpn_peer_put(peer);
		if (ret)
			goto out;
	}

	rtnl_lock();
	/* our reference keeps the memory, not the registration: an
	 * `ip link del` may have run while we waited for RTNL. Bringing a
	 * device up past ndo_uninit re-creates state (qdisc, addrconf) that
	 * holds references unregistration then waits for forever.
	 * reg_state only changes under RTNL, so this check is stable.
	 */
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG_MOD(info->extack, "the interface is being deleted");
		ret = -ENODEV;
		goto out_unlock;
	}
	if (!(dev->flags & IFF_UP))
		ret = dev_change_flags(dev, dev->flags | IFF_UP, info->extack);
	if (!ret)
		netif_carrier_on(dev);
out_unlock:
	rtnl_unlock();
out:
	dev_put(dev);
	return ret;
}

/* the size of a notification whose nest holds @nest_len bytes of attributes
 * (nla_total_size() of each): [ifindex][nest]
 */
static size_t ovpn_nl_notify_size(size_t nest_len)
{
	return nla_total_size(sizeof(u32)) + nla_total_size(nest_len);
}

/* A notification that cannot be built is lost for every listener: mark
 * their sockets as overrun (ENOBUFS on their next read), as a full socket
 * would be, so that they resynchronise (a GET_PEER dump) instead of
 * believing in a state that is gone.
 */
int ovpn_nl_notify_lost(const struct genl_family *family, struct net *net,
			struct sk_buff *msg)
{
	nlmsg_free(msg);
	genl_set_err(family, net, 0, OVPN_MCGRP_PEERS, ENOBUFS);
	return -ENOMEM;
}

/* A multicast notification of either family is [ifindex][nest @attr
 * { ... }] (both number the ifindex 1 and their only group 0), sent to
 * @net: start one for @cmd, sized for @nest_len bytes of attributes; the
 * caller fills the nest and hands it to ovpn_nl_notify_send(). NULL when
 * memory is short (the listeners have then been told).
 */
struct sk_buff *ovpn_nl_notify_start(const struct genl_family *family,
				     struct net *net, struct net_device *dev,
				     u8 cmd, int attr, size_t nest_len,
				     gfp_t gfp, void **hdr,
				     struct nlattr **nest)
{
	struct sk_buff *msg;

	/* sized to the content, not NLMSG_GOODSIZE: a burst (device
	 * teardown) then takes as little of a listener's buffer as it can
	 */
	msg = genlmsg_new(ovpn_nl_notify_size(nest_len), gfp);
	if (!msg) {
		ovpn_nl_notify_lost(family, net, NULL);
		return NULL;
	}

	*hdr = genlmsg_put(msg, 0, 0, family, 0, cmd);
	if (!*hdr || nla_put_u32(msg, OVPN_ATTR_IFINDEX, dev->ifindex))
		goto err_free;
	*nest = nla_nest_start(msg, attr);
	if (!*nest)
		goto err_free;
	return msg;

err_free:
	ovpn_nl_notify_lost(family, net, msg);
	return NULL;
}

/* Return: 0 (also when nobody listens), or -ENOBUFS when a listener's
 * socket was full: that listener reads ENOBUFS next.
 */
int ovpn_nl_notify_send(const struct genl_family *family, struct net *net,
			struct sk_buff *msg, void *hdr, struct nlattr *nest,
			gfp_t gfp)
{
	int ret;

	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	ret = genlmsg_multicast_netns(family, net, msg, 0, OVPN_MCGRP_PEERS,
				      gfp);
	return ret == -ESRCH ? 0 : ret;
}

/**
 * ovpn_nl_notify_del_peer - tell userspace a peer is gone
 * @peer: the removed peer
 * @reason: why
 * @gfp: GFP_KERNEL where the caller may sleep, else GFP_ATOMIC
 *
 * A listener that misses it is told so (ENOBUFS on its socket): it must
 * resynchronise with a GET_PEER dump. Logging is the caller's choice: a
 * device teardown summarises hundreds of these in one line.
 *
 * Return: 0, -ENOMEM (not sent) or -ENOBUFS (a listener overran).
 */
static int ovpn_nl_notify_del_peer(struct ovpn_peer *peer,
				   enum ovpn_del_peer_reason reason,
				   gfp_t gfp)
{
	struct net_device *dev = peer->ovpn->dev;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = ovpn_nl_notify_start(&ovpn_nl_family, dev_net(dev), dev,
				   OVPN_CMD_DEL_PEER, OVPN_ATTR_DEL_PEER,
				   nla_total_size(sizeof(u8)) +
				   nla_total_size(sizeof(u32)),
				   gfp, &hdr, &nest);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u8(msg, OVPN_DEL_PEER_ATTR_REASON, reason) ||
	    nla_put_u32(msg, OVPN_DEL_PEER_ATTR_PEER_ID, peer->id))
		return ovpn_nl_notify_lost(&ovpn_nl_family, dev_net(dev), msg);
	return ovpn_nl_notify_send(&ovpn_nl_family, dev_net(dev), msg, hdr,
				   nest, gfp);
}

/**
 * ovpn_nl_notify_swap_keys_needed - tell userspace a key is running out
 * @peer: the peer
 * @key_id: the key's id
 *
 * Any context. Repeated by the caller while the key keeps sending.
 */
static void ovpn_nl_notify_swap_keys_needed(struct ovpn_peer *peer, u8 key_id)
{
	struct net_device *dev = peer->ovpn->dev;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = ovpn_nl_notify_start(&ovpn_nl_family, dev_net(dev), dev,
				   OVPN_CMD_SWAP_KEYS_NEEDED,
				   OVPN_ATTR_SWAP_KEYS_NEEDED,
				   nla_total_size(sizeof(u32)) +
				   nla_total_size(sizeof(u8)),
				   GFP_ATOMIC, &hdr, &nest);
	if (!msg)
		return;
	if (nla_put_u32(msg, OVPN_SWAP_KEYS_NEEDED_ATTR_PEER_ID, peer->id) ||
	    nla_put_u8(msg, OVPN_SWAP_KEYS_NEEDED_ATTR_KEY_ID, key_id)) {
		ovpn_nl_notify_lost(&ovpn_nl_family, dev_net(dev), msg);
		return;
	}
	ovpn_nl_notify_send(&ovpn_nl_family, dev_net(dev), msg, hdr, nest,
			    GFP_ATOMIC);
}

/**
 * ovpn_nl_notify_float_peer - tell userspace a peer moved
 * @peer: the peer
 * @sa: its new transport address
 *
 * Any context.
 */
static void ovpn_nl_notify_float_peer(struct ovpn_peer *peer,
				      const union ovpn_sockaddr *sa)
{
	struct net_device *dev = peer->ovpn->dev;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int len;

	len = sa->in4.sin_family == AF_INET ? sizeof(sa->in4) :
					      sizeof(sa->in6);
	msg = ovpn_nl_notify_start(&ovpn_nl_family, dev_net(dev), dev,
				   OVPN_CMD_FLOAT_PEER,
				   OVPN_ATTR_FLOAT_PEER,
				   nla_total_size(sizeof(u32)) +
				   nla_total_size(len),
				   GFP_ATOMIC, &hdr, &nest);
	if (!msg)
		return;
	if (nla_put_u32(msg, OVPN_FLOAT_PEER_ATTR_PEER_ID, peer->id) ||
	    nla_put(msg, OVPN_FLOAT_PEER_ATTR_SOCKADDR_REMOTE, len, sa)) {
		ovpn_nl_notify_lost(&ovpn_nl_family, dev_net(dev), msg);
		return;
	}
	ovpn_nl_notify_send(&ovpn_nl_family, dev_net(dev), msg, hdr, nest,
			    GFP_ATOMIC);
}

/* OpenVPN 2.6's semantics: START_VPN sets the carrier, and a P2P peer
 * replaced by NEW_PEER is reported as removed by userspace (which asked)
 */
const struct ovpn_frontend ovpn_frontend_dco = {
	.family = OVPN_NL_NAME,
	.other_family_msg =
		"the interface is of kind ovpn-dco: use the ovpn-dco-v2 family, not ovpn",
	.default_mtu = OVPN_DEFAULT_MTU,
	.p2p_replace_reason = OVPN_DEL_PEER_REASON_USERSPACE,
	.p2p_carrier = false,
	.learn_local = false,
	.sock_follows_fd = false,
	.notify_del_peer = ovpn_nl_notify_del_peer,
	.notify_swap_keys = ovpn_nl_notify_swap_keys_needed,
	.notify_float = ovpn_nl_notify_float_peer,
};

#define OVPN_NL_OP(_cmd, _doit) {					\
	.cmd = (_cmd),							\
	.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP, \
	.flags = GENL_ADMIN_PERM,					\
	.doit = (_doit),						\
}

static const struct genl_small_ops ovpn_nl_ops[] = {
	OVPN_NL_OP(OVPN_CMD_NEW_PEER, ovpn_nl_new_peer),
	OVPN_NL_OP(OVPN_CMD_SET_PEER, ovpn_nl_set_peer),
	OVPN_NL_OP(OVPN_CMD_DEL_PEER, ovpn_nl_del_peer),
	OVPN_NL_OP(OVPN_CMD_NEW_KEY, ovpn_nl_new_key),
	OVPN_NL_OP(OVPN_CMD_SWAP_KEYS, ovpn_nl_swap_keys),
	OVPN_NL_OP(OVPN_CMD_DEL_KEY, ovpn_nl_del_key),
	{
		.cmd = OVPN_CMD_GET_PEER,
		.validate = GENL_DONT_VALIDATE_STRICT |
			    GENL_DONT_VALIDATE_DUMP_STRICT,
		.flags = GENL_ADMIN_PERM,
		.doit = ovpn_nl_get_peer,
		.dumpit = ovpn_nl_dump_peers,
	},
	OVPN_NL_OP(OVPN_CMD_START_VPN, ovpn_nl_start_vpn),
};

static struct genl_family ovpn_nl_family __ro_after_init = {
	.name = OVPN_NL_NAME,
	.version = OVPN_NL_VERSION,
	.hdrsize = 0,
	.maxattr = OVPN_ATTR_MAX,
	.policy = ovpn_nl_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = ovpn_nl_ops,
	.n_small_ops = ARRAY_SIZE(ovpn_nl_ops),
	/* the v2 numbering predates strict validation: keep it liberal */
	.resv_start_op = OVPN_CMD_START_VPN + 1,
	.mcgrps = ovpn_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ovpn_nl_mcgrps),
};

int __init ovpn_nl_register(void)
{
	return genl_register_family(&ovpn_nl_family);
}

void ovpn_nl_unregister(void)
{
	genl_unregister_family(&ovpn_nl_family);
}
