/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: the generic netlink families
 */

#ifndef _OVPN_DCO_NETLINK_H_
#define _OVPN_DCO_NETLINK_H_

#include <linux/gfp.h>
#include <net/genetlink.h>

/* ovpn-dco-v2 (netlink.c) */
int ovpn_nl_register(void);
void ovpn_nl_unregister(void);

/* the upstream "ovpn" family (netlink-ovpn.c) */
int ovpn_genl_register(void);
void ovpn_genl_unregister(void);

struct nlattr;
struct net_device;
struct netlink_ext_ack;
struct ovpn_frontend;
struct ovpn_peer;
struct ovpn_struct;

/* what both families' requests do alike (netlink.c) */
struct net_device *ovpn_nl_dev_get_fe(struct net *net, struct nlattr **attrs,
				      const struct ovpn_frontend *fe,
				      struct netlink_ext_ack *extack);
struct ovpn_peer *ovpn_nl_peer_get(struct ovpn_struct *ovpn,
				   struct nlattr *attr,
				   struct netlink_ext_ack *extack);

/* a family's builder of one peer's GET reply (NLM_F_MULTI in dumps) */
typedef int (*ovpn_nl_put_peer_t)(struct sk_buff *msg, struct ovpn_peer *peer,
				  struct net *net, u32 portid, u32 seq,
				  int flags);
int ovpn_nl_reply_peer(struct genl_info *info, struct ovpn_peer *peer,
		       ovpn_nl_put_peer_t put);
int ovpn_nl_dump_peers_fe(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct ovpn_frontend *fe,
			  ovpn_nl_put_peer_t put);

/* multicast notifications, for both (netlink.c) */
struct sk_buff *ovpn_nl_notify_start(const struct genl_family *family,
				     struct net *net, struct net_device *dev,
				     u8 cmd, int attr, size_t nest_len,
				     gfp_t gfp, void **hdr,
				     struct nlattr **nest);
int ovpn_nl_notify_send(const struct genl_family *family, struct net *net,
			struct sk_buff *msg, void *hdr, struct nlattr *nest,
			gfp_t gfp);
int ovpn_nl_notify_lost(const struct genl_family *family, struct net *net,
			struct sk_buff *msg);

#endif /* _OVPN_DCO_NETLINK_H_ */
