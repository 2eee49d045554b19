/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The upstream Linux "ovpn" generic netlink family (<linux/ovpn.h>, Linux
 * 6.16+, OpenVPN 2.7): its requests, built as OpenVPN 2.7 builds them, the
 * parsing and printing of PEER_GET and KEY_GET replies, and of the "peers"
 * notifications. Plain C types only (family.h), so that cmd.c, which sees
 * <linux/ovpn_dco.h>, can call it: the two uapi headers declare the same
 * enum names and cannot share a translation unit.
 *
 * Every request is IFINDEX (u32) first, then one nest, OVPN_A_PEER or
 * OVPN_A_KEYCONF, with NLA_F_NESTED; keyconf numbers are all u32. Builders
 * return NULL when out of memory; fam_send() sends one and waits for the
 * ACK (and reports the NULL as ENOMEM).
 */

#ifndef _OVPN_CLI_OVPNU_H_
#define _OVPN_CLI_OVPNU_H_

#include <stdint.h>
#include <stdio.h>

#include "family.h"
#include "nl.h"

/* the rtnetlink kind of the upstream driver's devices */
#define OVPNU_LINK_KIND		"ovpn"
/* its generic netlink family, as named on the command line */
#define OVPNU_FAMILY_NAME	"ovpn"

int ovpnu_nl_open(struct ovpn_nl *nl, struct nlx_err *err);
/* subscribed to "peers"; @rcvbuf as for ovpn_nl_open_mcast_rcvbuf() */
int ovpnu_nl_open_mcast(struct ovpn_nl *nl, int rcvbuf, struct nlx_err *err);

/*
 * PEER_NEW: ID, SOCKET; with @req->remote_len (UDP) REMOTE_IPV4 (4 bytes) or
 * REMOTE_IPV6 (16 bytes) + REMOTE_IPV6_SCOPE_ID, and REMOTE_PORT (network
 * order); LOCAL_IPV4/LOCAL_IPV6 if @req->local_ip is set; VPN_IPV4/VPN_IPV6
 * if set. A v4-mapped IPv6 remote or local address is sent as IPv4, as
 * OpenVPN does. TCP: no remote, no local.
 */
struct nl_msg *ovpnu_msg_new_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  const struct ovpn_new_peer *req);
/* PEER_SET: ID, KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT (always both) */
struct nl_msg *ovpnu_msg_set_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  uint32_t peer_id, uint32_t interval,
				  uint32_t timeout);
/* PEER_DEL: ID */
struct nl_msg *ovpnu_msg_del_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  uint32_t peer_id);
/* PEER_GET: do with ID, or (@peer_id NULL) a dump: IFINDEX only */
struct nl_msg *ovpnu_msg_get_peer(const struct ovpn_nl *nl, uint32_t ifindex,
				  const uint32_t *peer_id);
/* KEY_NEW: PEER_ID, SLOT, KEY_ID, CIPHER_ALG, ENCRYPT_DIR, DECRYPT_DIR */
struct nl_msg *ovpnu_msg_new_key(const struct ovpn_nl *nl, uint32_t ifindex,
				 const struct ovpn_new_key *req);
/* KEY_SWAP: PEER_ID */
struct nl_msg *ovpnu_msg_swap_keys(const struct ovpn_nl *nl, uint32_t ifindex,
				   uint32_t peer_id);
/* KEY_DEL: PEER_ID, SLOT */
struct nl_msg *ovpnu_msg_del_key(const struct ovpn_nl *nl, uint32_t ifindex,
				 uint32_t peer_id, uint8_t slot);
/* KEY_GET: PEER_ID, SLOT */
struct nl_msg *ovpnu_msg_get_key(const struct ovpn_nl *nl, uint32_t ifindex,
				 uint32_t peer_id, uint8_t slot);

/* where PEER_GET and KEY_GET answers sit (for fam_parse_reply()) */
extern const struct fam_reply ovpnu_peer_reply;
extern const struct fam_reply ovpnu_key_reply;

/* PEER_GET of @peer_id, or a dump of every peer if @peer_id is NULL */
int ovpnu_get_peer(struct ovpn_nl *nl, uint32_t ifindex,
		   const uint32_t *peer_id, attr_vals_cb cb, void *arg,
		   struct nlx_err *err);
/* KEY_GET of a slot: peer id, slot, key id and cipher, never the keys */
int ovpnu_get_key(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		  uint8_t slot, attr_vals_cb cb, void *arg,
		  struct nlx_err *err);

/*
 * One "key value" line per attribute present, then an empty line. A peer:
 * the v2 printer's keys where the meaning is the same (remote is the
 * REMOTE_IPV4/IPV6 and REMOTE_PORT pair, local_ip either LOCAL_IPV4 or
 * LOCAL_IPV6), plus tx_id, remote_ipv6_scope_id and socket_netnsid. A key:
 * peer_id, slot, key_id, cipher.
 */
void ovpnu_print_peer(FILE *f, const struct attr_vals *vals);
void ovpnu_print_key(FILE *f, const struct attr_vals *vals);

/*
 * Parse a PEER_DEL_NTF, KEY_SWAP_NTF or PEER_FLOAT_NTF (KEY_SWAP_NTF's
 * KEY_ID read as u16 or u32). Returns 0, or -1 if it is not a generic
 * netlink message.
 */
int ovpnu_parse_notification(struct nl_msg *msg, struct ovpn_notif *out);

/*
 * The family's requests sent (fam_send()) as a &struct fam_ops; its
 * set_peer refuses an MSS (EOPNOTSUPP, locally), start_vpn is NULL.
 */
extern const struct fam_ops ovpnu_fam_ops;

#endif /* _OVPN_CLI_OVPNU_H_ */
