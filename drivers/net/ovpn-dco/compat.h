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

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
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

/* crypto completion callbacks get the request's data directly since 6.3 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
typedef void *ovpn_crypto_cb_arg_t;

static inline void *ovpn_crypto_cb_data(void *arg)
{
	return arg;
}
#else
typedef struct crypto_async_request *ovpn_crypto_cb_arg_t;

static inline void *ovpn_crypto_cb_data(struct crypto_async_request *arg)
{
	return arg->data;
}
#endif

/* a dump's parsed attributes moved into a struct genl_info in 6.4 */
static inline struct nlattr **
ovpn_compat_dump_attrs(const struct genl_dumpit_info *info)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	return info->info.attrs;
#else
	return info->attrs;
#endif
}

#endif /* _OVPN_DCO_COMPAT_H_ */
