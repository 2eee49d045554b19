/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rtnetlink side of ovpn-cli: create and delete ovpn-dco and ovpn links,
 * read a link's kind, set MTU and up, add addresses. Raw libnl core messages, no libnl-route.
 */

#ifndef _OVPN_CLI_RTNL_H_
#define _OVPN_CLI_RTNL_H_

#include <stdbool.h>
#include <stdint.h>

#include "nl.h"
#include "util.h"

#include <stddef.h>

/*
 * RTM_NEWLINK of @kind ("ovpn-dco", or the upstream driver's "ovpn") with
 * IFLA_OVPN_MODE @mode: attribute 1, u8, P2P 0 / MP 1 for both kinds
 */
int rt_link_new(const char *name, const char *kind, uint8_t mode,
		struct nlx_err *err);

/* the IFLA_INFO_KIND of device @ifindex into @kind ("" if it has none) */
int rt_link_kind(uint32_t ifindex, char *kind, size_t len,
		 struct nlx_err *err);

/* RTM_DELLINK by @name, or by @ifindex if @name is NULL */
int rt_link_del(const char *name, uint32_t ifindex, struct nlx_err *err);

/* set the MTU (unless 0) and bring the link up (if @up) */
int rt_link_set(uint32_t ifindex, uint32_t mtu, bool up, struct nlx_err *err);

/* RTM_NEWADDR @addr/@plen on @ifindex */
int rt_addr_add(uint32_t ifindex, const struct ip_addr *addr, int plen,
		struct nlx_err *err);

#endif /* _OVPN_CLI_RTNL_H_ */
