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
