/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the two generic netlink families ovpn-cli speaks have in common:
 * ovpn-dco-v2 (ovpn.c, <linux/ovpn_dco.h>) and the upstream Linux "ovpn"
 * (ovpnu.c, <linux/ovpn.h>). The two uapi headers cannot share a
 * translation unit, so everything here is in plain C types and takes the
 * attribute numbers as arguments: the requests (struct ovpn_new_peer,
 * struct ovpn_new_key), message building, table-driven parsing and printing
 * of reply nests (struct attr_vals), the notifications (struct
 * ovpn_notif), and each family's requests as one table of functions
 * (struct fam_ops) for code that drives a device of either kind.
 */

#ifndef _OVPN_CLI_FAMILY_H_
#define _OVPN_CLI_FAMILY_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keyfile.h"
#include "nl.h"
#include "util.h"

/*
 * Attribute numbers the two families happen to share, so that the helpers
 * below need not be told: the top-level IFINDEX (OVPN_ATTR_IFINDEX,
 * OVPN_A_IFINDEX) and the key-direction nest's CIPHER_KEY and NONCE_TAIL
 * (OVPN_KEY_DIR_ATTR_*, OVPN_A_KEYDIR_*). ovpn.c and ovpnu.c assert them.
 */
#define FAM_A_IFINDEX		1
#define FAM_A_CIPHER_KEY	1
#define FAM_A_NONCE_TAIL	2

/**
 * struct ovpn_new_peer - a NEW_PEER (PEER_NEW) request
 * @peer_id: peer id
 * @fd: transport socket (or any fd, for negative tests)
 * @remote: remote transport address
 * @remote_len: length of @remote (16 or 28), 0 to leave it out (TCP)
 * @vpn_ipv4: the peer's VPN IPv4 address (family 0: none)
 * @vpn_ipv6: the peer's VPN IPv6 address (family 0: none)
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
 * struct ovpn_new_key - a NEW_KEY (KEY_NEW) request
 * @peer_id: peer id
 * @slot: &enum ovpn_key_slot (the same values in both families)
 * @key_id: key id (0..7 valid)
 * @cipher: the cipher (algorithm and key length)
 * @km: keys and nonce tail for this end's key direction
 * @decrypt_tail: the decrypt direction's nonce tail if it differs from
 *	@km's (session keys), NULL to use @km's for both (key files)
 * @epoch_tx: with @epoch_rx, an epoch key (ovpn-dco-v2 only) instead of
 *	@km: the TX secret of epoch 1, FAM_EPOCH_SECRET_LEN bytes
 * @epoch_rx: the RX secret of epoch 1
 * @rekey_packets: epoch key: TX packets per epoch, 0 for the module's
 *	default
 * @rekey_seconds: epoch key: TX seconds per epoch, 0 for the module's
 *	default, FAM_REKEY_NEVER for no limit
 */
struct ovpn_new_key {
	uint32_t peer_id;
	uint8_t slot;
	uint8_t key_id;
	const struct cipher *cipher;
	const struct key_material *km;
	const uint8_t *decrypt_tail;
	const uint8_t *epoch_tx;
	const uint8_t *epoch_rx;
	uint32_t rekey_packets;
	uint32_t rekey_seconds;
};

#define FAM_EPOCH_SECRET_LEN	32
#define FAM_REKEY_NEVER		UINT32_MAX

/* one more than the largest attribute type a parsed nest may hold */
#define ATTR_VALS_MAX	32

/**
 * enum attr_kind - how an attribute is read and printed
 * @AK_U16: u16, host order
 * @AK_BE16: u16, network order (a port)
 * @AK_U32: u32
 * @AK_S32: s32
 * @AK_U64: u64
 * @AK_UINT: netlink "uint": unsigned of 4 or 8 bytes
 * @AK_UANY: unsigned of 1, 2, 4 or 8 bytes
 * @AK_SOCKADDR: struct sockaddr_in or sockaddr_in6, into &attr_vals.remote
 * @AK_IPV4: 4 bytes
 * @AK_IPV6: 16 bytes
 * @AK_IP: 4 or 16 bytes
 * @AK_SLOT: u32 key slot, printed by name
 * @AK_CIPHER: u32 cipher algorithm, printed by name
 */
enum attr_kind {
	AK_U16, AK_BE16, AK_U32, AK_S32, AK_U64, AK_UINT, AK_UANY, AK_SOCKADDR,
	AK_IPV4, AK_IPV6, AK_IP, AK_SLOT, AK_CIPHER,
};

/**
 * struct attr_desc - one attribute of a reply nest
 * @type: its type (below ATTR_VALS_MAX)
 * @name: the key it is printed with
 * @kind: &enum attr_kind
 * @port: AK_IPV4/AK_IPV6/AK_IP: type of an AK_BE16 port attribute to print
 *	with it as "ADDR:PORT", 0 for none
 * @hidden: parsed but not printed (a port printed with its address)
 */
struct attr_desc {
	int type;
	const char *name;
	enum attr_kind kind;
	int port;
	bool hidden;
};

/* table entries: plain; printed as "ADDR:PORT" with port @p; not printed */
#define ATTR(t, n, k)		{ .type = (t), .name = (n), .kind = (k) }
#define ATTR_PORT(t, n, k, p)	{ .type = (t), .name = (n), .kind = (k), .port = (p) }
#define ATTR_HIDDEN(t, n, k)	{ .type = (t), .name = (n), .kind = (k), .hidden = true }

/**
 * struct attr_vals - the attributes of one parsed reply nest
 * @present: bit (1 << type) set for each attribute received and well formed
 * @num: the numeric attributes, host order, by type
 * @ip: the address attributes, by type
 * @remote: the AK_SOCKADDR attribute
 * @remote_len: its length
 */
struct attr_vals {
	uint32_t present;
	uint64_t num[ATTR_VALS_MAX];
	struct ip_addr ip[ATTR_VALS_MAX];
	struct sockaddr_storage remote;
	socklen_t remote_len;
};

#define ATTR_HAS(vals, type) (!!((vals)->present & (1U << (type))))

typedef void (*attr_vals_cb)(const struct attr_vals *vals, void *arg);

/*
 * Fill @vals from @tb (indexed by type) for the @n attributes of @desc; a
 * malformed one is left out with "ovpn-cli: <what>: ignoring malformed
 * <name> (<N> bytes)" on stderr.
 */
void attr_vals_parse(const struct attr_desc *desc, size_t n,
		     struct nlattr **tb, struct attr_vals *vals,
		     const char *what);

/* one "name value" line per attribute present, in @desc order, then "\n" */
void attr_vals_print(FILE *f, const struct attr_desc *desc, size_t n,
		     const struct attr_vals *vals);

/*
 * The transport address of address attribute @ip_type, port attribute
 * @port_type and (IPv6) scope id attribute @scope_type (0: none) of @vals.
 * Returns its length, 0 if the address is absent.
 */
socklen_t attr_vals_sockaddr(const struct attr_vals *vals, int ip_type,
			     int port_type, int scope_type,
			     struct sockaddr_storage *ss);

/**
 * struct fam_u32 - a u32 attribute of a request
 * @type: attribute type
 * @val: its value
 */
struct fam_u32 {
	int type;
	uint32_t val;
};

/**
 * fam_req - a request: IFINDEX first, then one nest of u32 attributes
 * @nl: the family's socket (for its id)
 * @cmd: command
 * @flags: netlink flags (NLM_F_DUMP)
 * @ifindex: the device
 * @nest_type: the nest (NLA_F_NESTED is added), 0 for none
 * @attrs: u32 attributes put first in the nest
 * @n: their number
 * @nest: if not NULL, the nest is left open here for more attributes
 *	(the caller ends it); else it is ended
 *
 * Return: the message, or NULL if out of memory.
 */
struct nl_msg *fam_req(const struct ovpn_nl *nl, uint8_t cmd, int flags,
		       uint32_t ifindex, int nest_type,
		       const struct fam_u32 *attrs, size_t n,
		       struct nlattr **nest);

/* record "out of memory building the request"; returns -ENOMEM */
int fam_no_memory(struct nlx_err *err);

/* send @msg (or report ENOMEM if it is NULL) and wait for the ACK */
int fam_send(struct ovpn_nl *nl, struct nl_msg *msg, struct nlx_err *err);

/*
 * The ENCRYPT and DECRYPT direction nests of @req (types @enc_type and
 * @dec_type, each CIPHER_KEY of the cipher's key length and an 8-byte
 * NONCE_TAIL). Returns 0, or -1 if out of room.
 */
int fam_put_keys(struct nl_msg *msg, int enc_type, int dec_type,
		 const struct ovpn_new_key *req);

/* wipe a request that may hold key material, and free it */
void fam_free_secret(struct nl_msg *msg);

/* a &struct fam_reply of the nest @nest (@nest_max) holding @desc's */
#define FAM_REPLY(top, nest, nest_max_, desc_, what_)			\
	{ .top_max = (top), .nest_type = (nest), .nest_max = (nest_max_), \
	  .desc = (desc_), .n = ARRAY_SIZE(desc_), .what = (what_),	\
	  .nest_name = #nest }

/**
 * struct fam_reply - where the answer of a GET request sits
 * @top_max: largest top-level attribute type (below ATTR_VALS_MAX)
 * @nest_type: the nest holding the answer
 * @nest_max: largest attribute type in it (below ATTR_VALS_MAX)
 * @desc: its attributes
 * @n: their number
 * @what: names the reply in warnings ("GET_PEER reply")
 * @nest_name: names the nest in the warning when it is missing
 */
struct fam_reply {
	int top_max;
	int nest_type;
	int nest_max;
	const struct attr_desc *desc;
	size_t n;
	const char *what;
	const char *nest_name;
};

/*
 * Parse @nest (NULL: missing) as @desc says into @vals (emptied first).
 * Returns 0, or -1 if it is missing or malformed.
 */
int fam_parse_nest(struct nlattr *nest, const struct attr_desc *desc,
		   size_t n, int nest_max, const char *what,
		   struct attr_vals *vals);

/*
 * Parse one answer as @r says into @vals. Returns 0, or -1 (with a line on
 * stderr) if its nest is missing or malformed.
 */
int fam_parse_reply(struct nl_msg *msg, const struct fam_reply *r,
		    struct attr_vals *vals);

/*
 * Send @msg (NULL: report ENOMEM) and call @cb with each answer parsed as
 * @r says (a do reply, or every part of a dump).
 */
int fam_get(struct ovpn_nl *nl, struct nl_msg *msg, const struct fam_reply *r,
	    attr_vals_cb cb, void *arg, struct nlx_err *err);

/*
 * The top-level attributes of notification @msg into @tb (@top_max + 1
 * entries) and its IFINDEX into *@ifindex (0 if absent or malformed).
 * Returns the generic netlink command, or -1 if @msg is not a generic
 * netlink message.
 */
int fam_parse_top(struct nl_msg *msg, int top_max, struct nlattr **tb,
		  uint32_t *ifindex);

/**
 * enum notif_kind - what a "peers" notification says, in either family
 * @NOTIF_OTHER: a command not known to ovpn-cli
 * @NOTIF_DEL_PEER: a peer was removed (DEL_PEER, PEER_DEL_NTF)
 * @NOTIF_FLOAT_PEER: a peer moved (FLOAT_PEER, PEER_FLOAT_NTF)
 * @NOTIF_SWAP_KEYS: a key needs replacing (SWAP_KEYS_NEEDED, KEY_SWAP_NTF)
 */
enum notif_kind {
	NOTIF_OTHER,
	NOTIF_DEL_PEER,
	NOTIF_FLOAT_PEER,
	NOTIF_SWAP_KEYS,
};

/**
 * struct ovpn_notif - a "peers" notification
 * @cmd: generic netlink command
 * @kind: &enum notif_kind
 * @ifindex: top-level IFINDEX, 0 if absent
 * @peer_id: the peer id
 * @has_peer_id: @peer_id was present
 * @reason: DEL_PEER reason (&enum ovpn_del_peer_reason)
 * @has_reason: @reason was present
 * @remote: FLOAT_PEER: the peer's new transport address
 * @remote_len: its length; 0 if absent or malformed
 * @has_scope_id: PEER_FLOAT_NTF carried REMOTE_IPV6_SCOPE_ID (then in
 *	@remote's sin6_scope_id)
 * @key_id: SWAP_KEYS_NEEDED / KEY_SWAP_NTF key id
 * @has_key_id: @key_id was present
 */
struct ovpn_notif {
	uint8_t cmd;
	enum notif_kind kind;
	uint32_t ifindex;
	uint32_t peer_id;
	bool has_peer_id;
	uint32_t reason;
	bool has_reason;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	bool has_scope_id;
	uint8_t key_id;
	bool has_key_id;
};

/**
 * struct fam_ops - one family's requests, for code that drives a device of
 *	either kind the same way (the one-shot tunnel, the "<iface>"
 *	commands): ovpn_fam_ops (ovpn.h), ovpnu_fam_ops (ovpnu.h)
 * @family: the generic netlink family's name
 * @link_kind: the rtnetlink kind of its devices
 * @nl_open: a request socket
 * @nl_open_mcast: a socket subscribed to "peers" (@rcvbuf as for
 *	ovpn_nl_open_mcast_rcvbuf(), 0 for the default)
 * @new_peer: NEW_PEER / PEER_NEW
 * @set_peer: SET_PEER / PEER_SET: the keepalive, and the MSS clamp if
 *	@mss >= 0 (a family without one, !@has_mss, refuses that locally
 *	with EOPNOTSUPP)
 * @del_peer: DEL_PEER / PEER_DEL
 * @new_key: NEW_KEY / KEY_NEW
 * @swap_keys: SWAP_KEYS / KEY_SWAP
 * @del_key: DEL_KEY / KEY_DEL
 * @get_peer: GET_PEER / PEER_GET of one peer, or a dump (@peer_id NULL)
 * @start_vpn: START_VPN; NULL where the family has none (the carrier comes
 *	with the peer, the link is brought up over rtnetlink)
 * @print_peer: print a @get_peer answer ("key value" lines, then "\n")
 * @parse_notification: a "peers" notification into &struct ovpn_notif
 * @has_mss: @set_peer takes an MSS clamp
 * @has_epoch: @new_key takes epoch keys (&struct ovpn_new_key.epoch_tx)
 * @vpn_rx_bytes: the VPN RX bytes attribute of a @get_peer answer
 * @vpn_tx_bytes: VPN TX bytes
 * @vpn_rx_packets: VPN RX packets
 * @vpn_tx_packets: VPN TX packets
 */
struct fam_ops {
	const char *family;
	const char *link_kind;
	int (*nl_open)(struct ovpn_nl *nl, struct nlx_err *err);
	int (*nl_open_mcast)(struct ovpn_nl *nl, int rcvbuf,
			     struct nlx_err *err);
	int (*new_peer)(struct ovpn_nl *nl, uint32_t ifindex,
			const struct ovpn_new_peer *req, struct nlx_err *err);
	int (*set_peer)(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
			uint32_t interval, uint32_t timeout, int mss,
			struct nlx_err *err);
	int (*del_peer)(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
			struct nlx_err *err);
	int (*new_key)(struct ovpn_nl *nl, uint32_t ifindex,
		       const struct ovpn_new_key *req, struct nlx_err *err);
	int (*swap_keys)(struct ovpn_nl *nl, uint32_t ifindex,
			 uint32_t peer_id, struct nlx_err *err);
	int (*del_key)(struct ovpn_nl *nl, uint32_t ifindex, uint32_t peer_id,
		       uint8_t slot, struct nlx_err *err);
	int (*get_peer)(struct ovpn_nl *nl, uint32_t ifindex,
			const uint32_t *peer_id, attr_vals_cb cb, void *arg,
			struct nlx_err *err);
	int (*start_vpn)(struct ovpn_nl *nl, uint32_t ifindex,
			 struct nlx_err *err);
	void (*print_peer)(FILE *f, const struct attr_vals *vals);
	int (*parse_notification)(struct nl_msg *msg, struct ovpn_notif *out);
	bool has_mss;
	bool has_epoch;
	int vpn_rx_bytes;
	int vpn_tx_bytes;
	int vpn_rx_packets;
	int vpn_tx_packets;
};

#endif /* _OVPN_CLI_FAMILY_H_ */
