/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the kernels this module supports (6.1 and
 * 6.12 LTS), absorbed in one place. This is the only file that may test
 * LINUX_VERSION_CODE.
 */

#ifndef _OVPN_DCO_COMPAT_H_
#define _OVPN_DCO_COMPAT_H_

#include <linux/version.h>
#include <linux/netdevice.h>
#include <crypto/aead.h>
#include <net/genetlink.h>

#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
#include <net/gso.h>
#endif

/* the unaligned accessors moved from asm/ to linux/ in 6.12 */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* NETIF_F_LLTX became the dev->lltx flag in 6.12 */
static inline void ovpn_compat_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/* Since 6.7 the core allocates and frees dev->tstats for a device that asks
 * for them with pcpu_stat_type, and the UDP tunnel transmit helpers count
 * into them only when asked so (iptunnel_xmit_stats() warns otherwise).
 * Before, the driver allocates them itself in ndo_init and frees them in its
 * destructor.
 */
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
static inline void ovpn_compat_tstats_setup(struct net_device *dev)
{
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
}

static inline int ovpn_compat_tstats_alloc(struct net_device *dev)
{
	return 0;
}

static inline void ovpn_compat_tstats_free(struct net_device *dev)
{
}
#else
static inline void ovpn_compat_tstats_setup(struct net_device *dev)
{
}

static inline int ovpn_compat_tstats_alloc(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static inline void ovpn_compat_tstats_free(struct net_device *dev)
{
	free_percpu(dev->tstats);
	dev->tstats = NULL;
}
#endif

/* Crypto completion callbacks get the request's data directly since 6.3.
 * OVPN_CRYPTO_DONE(name, fn) defines callback @name calling
 * void fn(void *data, int err).
 */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define OVPN_CRYPTO_DONE(name, fn)					\
	static void name(void *data, int err)				\
	{								\
		fn(data, err);						\
	}
#else
#define OVPN_CRYPTO_DONE(name, fn)					\
	static void name(struct crypto_async_request *req, int err)	\
	{								\
		fn(req->data, err);					\
	}
#endif

/* A kernel built with its own ovpn driver (6.16 and later) serves the
 * upstream family and kind itself: the module then neither registers nor
 * claims them (module aliases), and serves ovpn-dco-v2 only.
 */
#define OVPN_SERVES_UPSTREAM	(!IS_ENABLED(CONFIG_OVPN))

/* NLA_UINT (4 or 8 bytes) came in 6.7; before, a policy says so by length
 * (only requests are validated, and the upstream family refuses counters
 * in requests anyway)
 */
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
#define OVPN_POLICY_UINT	{ .type = NLA_UINT }
#else
#define OVPN_POLICY_UINT	{ .type = NLA_BINARY, .len = sizeof(u64) }
#endif

/* a dump's parsed attributes moved into a struct genl_info in 6.4 */
static inline struct nlattr **
ovpn_compat_dump_attrs(const struct genl_dumpit_info *info)
{
#if KERNEL_VERSION(6, 4, 0) <= LINUX_VERSION_CODE
	return info->info.attrs;
#else
	return info->attrs;
#endif
}

#endif /* _OVPN_DCO_COMPAT_H_ */
