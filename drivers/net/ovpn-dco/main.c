// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: OpenVPN data channel offload
 *
 * A layer-3 point-to-point device of rtnetlink kind "ovpn-dco" that moves
 * OpenVPN data packets (P_DATA_V2, AEAD) between the stack and a transport
 * socket handed in by userspace, configured over the generic netlink family
 * "ovpn-dco-v2". Userspace keeps the control channel.
 */

#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "crypto.h"
#include "debug.h"
#include "epoch.h"
#include "frontend.h"
#include "io.h"
#include "netlink.h"
#include "ovpn.h"
#include "peer.h"

/* OVPN_VERSION: dkms.conf's PACKAGE_VERSION, passed by Kbuild (one version
 * for module, dkms, packages and CLI; "" first: a plain string concatenation
 * to checkpatch). The debug build says so wherever the version shows
 * (modinfo, sysfs).
 */
#define OVPN_DCO_VERSION "" OVPN_VERSION OVPN_DEBUG_BUILD_TAG

struct workqueue_struct *ovpn_wq;

static int ovpn_net_init(struct net_device *dev)
{
	struct ovpn_struct *ovpn = netdev_priv(dev);
	int ret;

	ret = ovpn_compat_tstats_alloc(dev);
	if (ret)
		return ret;

	if (ovpn->mode == OVPN_MODE_MP) {
		ret = ovpn_peers_alloc(ovpn);
		if (ret)
			goto err_stats;
	}

	ret = ovpn_rx_queues_init(ovpn);
	if (ret)
		goto err_peers;
	return 0;

err_peers:
	ovpn_peers_destroy(ovpn);
err_stats:
	ovpn_compat_tstats_free(dev);
	return ret;
}

/* every way a device goes away passes here, under RTNL */
static void ovpn_net_uninit(struct net_device *dev)
{
	struct ovpn_struct *ovpn = netdev_priv(dev);

	ovpn_peers_free(ovpn, OVPN_DEL_PEER_REASON_TEARDOWN);
	ovpn_rx_queues_stop(ovpn);
}

static void ovpn_net_destruct(struct net_device *dev)
{
	ovpn_rx_queues_free(netdev_priv(dev));
	ovpn_peers_destroy(netdev_priv(dev));
	ovpn_compat_tstats_free(dev);
}

static void ovpn_get_stats64(struct net_device *dev,
			     struct rtnl_link_stats64 *stats)
{
	dev_get_tstats64(dev, stats);
	stats->rx_missed_errors = ovpn_rx_missed(netdev_priv(dev));
}

static const struct net_device_ops ovpn_netdev_ops = {
	.ndo_init = ovpn_net_init,
	.ndo_uninit = ovpn_net_uninit,
	.ndo_start_xmit = ovpn_net_xmit,
	.ndo_get_stats64 = ovpn_get_stats64,
};

bool ovpn_dev_is_valid(const struct net_device *dev)
{
	return dev->netdev_ops == &ovpn_netdev_ops;
}

static void ovpn_setup(struct net_device *dev,
		       const struct ovpn_frontend *fe)
{
	netdev_features_t feat = NETIF_F_SG | NETIF_F_HW_CSUM |
				 NETIF_F_RXCSUM | NETIF_F_GSO_SOFTWARE |
				 NETIF_F_HIGHDMA;

	dev->netdev_ops = &ovpn_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = ovpn_net_destruct;
	ovpn_compat_tstats_setup(dev);

	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = OVPN_HEAD_ROOM;

	((struct ovpn_struct *)netdev_priv(dev))->fe = fe;
	dev->mtu = fe->default_mtu;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - OVPN_OVERHEAD_MAX;

	/* segment in software before encryption: the stack may hand over
	 * large packets and checksums are computed once per segment
	 */
	dev->features |= feat;
	dev->hw_features |= feat;
	dev->hw_enc_features |= feat;
	ovpn_compat_set_lltx(dev);
	/* MP mode picks the peer by the route's nexthop: keep the route */
	netif_keep_dst(dev);
}

static void ovpn_setup_dco(struct net_device *dev)
{
	ovpn_setup(dev, &ovpn_frontend_dco);
}

static void ovpn_setup_ovpn(struct net_device *dev)
{
	ovpn_setup(dev, &ovpn_frontend_ovpn);
}

static const struct nla_policy ovpn_link_policy[IFLA_OVPN_MAX + 1] = {
	[IFLA_OVPN_MODE] = NLA_POLICY_RANGE(NLA_U8, OVPN_MODE_P2P,
					    OVPN_MODE_MP),
};

static int ovpn_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct ovpn_struct *ovpn = netdev_priv(dev);
	int ret;

	ovpn->dev = dev;
	ovpn->mode = OVPN_MODE_P2P;
	if (data && data[IFLA_OVPN_MODE])
		ovpn->mode = nla_get_u8(data[IFLA_OVPN_MODE]);
	spin_lock_init(&ovpn->lock);
	spin_lock_init(&ovpn->expire_lock);
	RCU_INIT_POINTER(ovpn->peer, NULL);

	/* a family whose P2P carrier follows the peer starts without one */
	if (ovpn->mode == OVPN_MODE_P2P && ovpn->fe->p2p_carrier)
		netif_carrier_off(dev);

	ret = register_netdevice(dev);
	if (ret)
		return ret;

	/* Upstream's MP devices do not send ICMP redirects, on the device or
	 * (as the "all" switch overrides it) anywhere in its namespace:
	 * clients reach each other through the server's routing, and a
	 * redirect would point one client at another's VPN address.
	 */
	if (ovpn->mode == OVPN_MODE_MP && ovpn->fe == &ovpn_frontend_ovpn) {
		struct in_device *in_dev = __in_dev_get_rtnl(dev);

		if (in_dev) {
			IN_DEV_CONF_SET(in_dev, SEND_REDIRECTS, false);
			IPV4_DEVCONF_ALL(dev_net(dev), SEND_REDIRECTS) = false;
		}
	}
	return 0;
}

static size_t ovpn_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u8)); /* IFLA_OVPN_MODE */
}

static int ovpn_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct ovpn_struct *ovpn = netdev_priv(dev);

	if (nla_put_u8(skb, IFLA_OVPN_MODE, ovpn->mode))
		return -EMSGSIZE;
	return 0;
}

#define OVPN_LINK_OPS(_kind, _setup) {				\
	.kind = (_kind),						\
	.priv_size = sizeof(struct ovpn_struct),			\
	.setup = (_setup),						\
	.policy = ovpn_link_policy,					\
	.maxtype = IFLA_OVPN_MAX,					\
	.newlink = ovpn_newlink,					\
	.dellink = unregister_netdevice_queue,				\
	.get_size = ovpn_get_size,					\
	.fill_info = ovpn_fill_info,					\
}

/* kind "ovpn-dco": driven by ovpn-dco-v2 (OpenVPN 2.6) */
static struct rtnl_link_ops ovpn_link_ops __read_mostly =
	OVPN_LINK_OPS(OVPN_LINK_KIND, ovpn_setup_dco);

/* kind "ovpn": driven by the upstream family ovpn (OpenVPN 2.7) */
static struct rtnl_link_ops ovpn_link_ops_ovpn __read_mostly =
	OVPN_LINK_OPS("ovpn", ovpn_setup_ovpn);

/* whether this module serves kind and family "ovpn": not where the kernel
 * (6.16 and later) or another module already does
 */
static bool ovpn_serves_ovpn;

static int __init ovpn_register_ovpn(void)
{
	int ret;

	if (!OVPN_SERVES_UPSTREAM)
		goto taken;
	ret = rtnl_link_register(&ovpn_link_ops_ovpn);
	if (ret == -EEXIST)
		goto taken;
	if (ret)
		return ret;

	ret = ovpn_genl_register();
	if (ret) {
		rtnl_link_unregister(&ovpn_link_ops_ovpn);
		if (ret == -EEXIST)
			goto taken;
		return ret;
	}
	ovpn_serves_ovpn = true;
	return 0;

taken:
	pr_info("ovpn-dco: \"ovpn\" is already served here (the kernel's own module?): serving ovpn-dco-v2 only\n");
	return 0;
}

static int __init ovpn_init(void)
{
	int ret;

	/* the debug build's test aids first: the self-test goes through them */
	ret = ovpn_debug_init();
	if (ret)
		return ret;

	/* before anything is registered: a broken cipher must not carry a
	 * single packet
	 */
	ret = ovpn_crypto_selftest() ?: ovpn_epoch_selftest();
	if (ret)
		goto err_debug;

	/* Unbound: a TCP peer's TX work (the outer stream's sends, and on
	 * one host the softirqs they run) then goes to an idle CPU instead
	 * of waiting behind the sender that queued it on its own; over TCP
	 * that pipelines encryption and sending (performance.md section 9).
	 */
	ovpn_wq = alloc_workqueue("ovpn-dco", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!ovpn_wq) {
		ret = -ENOMEM;
		goto err_debug;
	}

	ret = rtnl_link_register(&ovpn_link_ops);
	if (ret) {
		pr_err("ovpn-dco: cannot register the rtnl link kind: %d\n",
		       ret);
		goto err_wq;
	}

	ret = ovpn_nl_register();
	if (ret) {
		pr_err("ovpn-dco: cannot register the netlink family: %d\n",
		       ret);
		goto err_rtnl;
	}

	ret = ovpn_register_ovpn();
	if (ret) {
		pr_err("ovpn-dco: cannot register the ovpn kind and family: %d\n",
		       ret);
		goto err_nl;
	}

	pr_info("ovpn-dco: OpenVPN data channel offload %s\n",
		OVPN_DCO_VERSION);
	return 0;

err_nl:
	ovpn_nl_unregister();
err_rtnl:
	rtnl_link_unregister(&ovpn_link_ops);
err_wq:
	destroy_workqueue(ovpn_wq);
err_debug:
	ovpn_debug_exit();
	return ret;
}

static void __exit ovpn_cleanup(void)
{
	/* deletes every device (its peers are notified, so the family goes
	 * after it)
	 */
	if (ovpn_serves_ovpn) {
		rtnl_link_unregister(&ovpn_link_ops_ovpn);
		ovpn_genl_unregister();
	}
	rtnl_link_unregister(&ovpn_link_ops);
	ovpn_nl_unregister();
	ovpn_debug_exit();

	/* releases are RCU works that may queue more RCU works (key slots)
	 * and RCU callbacks (sockets): peer, then its socket and key slots
	 */
	rcu_barrier();
	flush_workqueue(ovpn_wq);
	rcu_barrier();
	destroy_workqueue(ovpn_wq);
}

module_init(ovpn_init);
module_exit(ovpn_cleanup);

MODULE_DESCRIPTION("OpenVPN data channel offload (ovpn-dco)");
MODULE_AUTHOR("ovpn-dco developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(OVPN_DCO_VERSION);
MODULE_ALIAS_RTNL_LINK(OVPN_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(OVPN_NL_NAME);
#if OVPN_SERVES_UPSTREAM
/* OpenVPN 2.7 resolves the family before it creates a device */
MODULE_ALIAS_GENL_FAMILY("ovpn");
MODULE_ALIAS_RTNL_LINK("ovpn");
#endif
