/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ovpn-dco-v2 generic netlink requests, one function per command, and
 * the parsing of GET_PEER replies and "peers" notifications.
 */

#ifndef _OVPN_CLI_OVPN_H_
#define _OVPN_CLI_OVPN_H_

#include <stdint.h>
#include <stdio.h>

#include <linux/ovpn_dco.h>

#include "keyfile.h"
#include "nl.h"
#include "util.h"

/**
 * struct ovpn_new_peer - a NEW_PEER request
 * @peer_id: peer id
 * @fd: transport socket (or any fd, for negative tests)
 * @remote: remote transport address
 * @remote_len: length of @remote (16 or 28), 0 to leave it out
 * @vpn_ipv4: the peer's VPN IPv4 address, sent as IPV4 (family 0: none)
 * @vpn_ipv6: the peer's VPN IPv6 address, sent as IPV6 (family 0: none)
 * @local_ip: local transport address (family 0: none)
 */
struct ovpn_new_peer {
	uint32_t peer_id;
	int fd;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	struct ip_addr vpn_ipv4;
	struct ip_addr vpn_ipv6;
	struct ip_addr local_ip;
};

/**
 * struct ovpn_new_key - a NEW_KEY request
 * @peer_id: peer id
 * @slot: &enum ovpn_key_slot
 * @key_id: key id (0..7 valid)
 * @cipher: the cipher (algorithm and key length)
 * @km: keys and nonce tail for this end's key direction
 * @decrypt_tail: the decrypt direction's nonce tail if it differs from
 *	@km's (session keys), NULL to use @km's for both (key files)
 */
struct ovpn_new_key {
	uint32_t peer_id;
	uint8_t slot;
	uint8_t key_id;
	const struct cipher *cipher;
	const struct key_material *km;
	const uint8_t *decrypt_tail;
};

/**
 * struct ovpn_peer_info - one peer of a GET_PEER reply
 * @present: bit (1 << attribute type) set for each attribute received
 * @num: the numeric attributes, host order, by attribute type
 * @remote: SOCKADDR_REMOTE
 * @remote_len: its length
 * @vpn_ipv4: IPV4
 * @vpn_ipv6: IPV6
 * @local_ip: LOCAL_IP
 */
struct ovpn_peer_info {
	uint32_t present;
	uint64_t num[OVPN_GET_PEER_RESP_ATTR_MAX + 1];
	struct sockaddr_storage remote;
	socklen_t remote_len;
	struct ip_addr vpn_ipv4;
	struct ip_addr vpn_ipv6;
	struct ip_addr local_ip;
};

#define OVPN_PEER_HAS(info, attr) (!!((info)->present & (1U << (attr))))

typedef void (*ovpn_peer_cb)(const struct ovpn_peer_info *info, void *arg);

/**
 * struct ovpn_notif - a "peers" notification
 * @cmd: generic netlink command
 * @ifindex: OVPN_ATTR_IFINDEX, 0 if absent
 * @peer_id: DEL_PEER, FLOAT_PEER or SWAP_KEYS_NEEDED PEER_ID
 * @has_peer_id: @peer_id was present
 * @reason: DEL_PEER REASON
 * @has_reason: @reason was present
 * @remote: FLOAT_PEER SOCKADDR_REMOTE, the peer's new transport address
 * @remote_len: its length; 0 if absent or malformed
 * @key_id: SWAP_KEYS_NEEDED KEY_ID
 * @has_key_id: @key_id was present
 */
struct ovpn_notif {
	uint8_t cmd;
	uint32_t ifindex;
	uint32_t peer_id;
	bool has_peer_id;
	uint8_t reason;
	bool has_reason;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	uint8_t key_id;
	bool has_key_id;
};

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
		  const uint32_t *peer_id, ovpn_peer_cb cb, void *arg,
		  struct nlx_err *err);

/* one "key value" line per attribute present, in a fixed order */
void ovpn_print_peer(FILE *f, const struct ovpn_peer_info *info);

/* parse a notification; returns 0, or -1 if it is not an ovpn message */
int ovpn_parse_notification(struct nl_msg *msg, struct ovpn_notif *out);

#endif /* _OVPN_CLI_OVPN_H_ */
