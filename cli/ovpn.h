/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ovpn-dco-v2 generic netlink requests, one function per command, and
 * the parsing of GET_PEER replies and "peers" notifications. The request
 * and reply types are family.h's, shared with the upstream family (ovpnu.h).
 */

#ifndef _OVPN_CLI_OVPN_H_
#define _OVPN_CLI_OVPN_H_

#include <stdint.h>
#include <stdio.h>

#include <linux/ovpn_dco.h>

#include "family.h"
#include "nl.h"

int ovpn_new_peer(struct ovpn_nl *nl, uint32_t ifindex,
		  const struct ovpn_new_peer *req, struct nlx_err *err);
/* SET_PEER; @mss < 0 leaves the MSS attribute out */
int ovpn_set_peer(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		  uint32_t interval, uint32_t timeout, int mss,
		  struct nlx_err *err);
int ovpn_del_peer(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		  struct nlx_err *err);
int ovpn_new_key(struct ovpn_nl *nl, uint32_t ifindex,
		 const struct ovpn_new_key *req, struct nlx_err *err);
int ovpn_swap_keys(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		   struct nlx_err *err);
int ovpn_del_key(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		 uint8_t slot, struct nlx_err *err);
int ovpn_start_vpn(struct ovpn_nl *nl, uint32_t ifindex, struct nlx_err *err);

/* GET_PEER of @peer_id, or a dump of every peer if @peer_id is NULL */
int ovpn_get_peer(struct ovpn_nl *nl, uint32_t ifindex,
		  const uint32_t *peer_id, attr_vals_cb cb, void *arg,
		  struct nlx_err *err);

/* one "key value" line per attribute present, in a fixed order */
void ovpn_print_peer(FILE *f, const struct attr_vals *info);

/* parse a notification; returns 0, or -1 if it is not an ovpn message */
int ovpn_parse_notification(struct nl_msg *msg, struct ovpn_notif *out);

/* the functions above as a &struct fam_ops */
extern const struct fam_ops ovpn_fam_ops;

#endif /* _OVPN_CLI_OVPN_H_ */
