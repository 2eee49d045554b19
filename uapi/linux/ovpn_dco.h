/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ovpn-dco-v2: OpenVPN data channel offload, userspace API.
 *
 * The generic netlink family, its commands, attributes and their numbers are
 * those of the out-of-tree ovpn-dco v2 module that OpenVPN 2.6 speaks to;
 * everything this module adds is numbered after the last value in use.
 * Documentation/netlink/specs/ovpn-dco.yaml describes the same interface.
 */

#ifndef _UAPI_LINUX_OVPN_DCO_H_
#define _UAPI_LINUX_OVPN_DCO_H_

#define OVPN_NL_NAME "ovpn-dco-v2"
#define OVPN_NL_VERSION 1
#define OVPN_NL_MULTICAST_GROUP_PEERS "peers"

/* rtnetlink link kind */
#define OVPN_LINK_KIND "ovpn-dco"

/**
 * enum ovpn_nl_commands - generic netlink commands
 * @OVPN_CMD_UNSPEC: unused
 * @OVPN_CMD_NEW_PEER: add a peer (with its transport socket)
 * @OVPN_CMD_SET_PEER: change a peer's keepalive
 * @OVPN_CMD_DEL_PEER: delete a peer; also the multicast notification of
 *	every peer removal
 * @OVPN_CMD_NEW_KEY: install a key in a peer's key slot
 * @OVPN_CMD_SWAP_KEYS: swap a peer's primary and secondary slots
 * @OVPN_CMD_DEL_KEY: erase a peer's key slot
 * @OVPN_CMD_GET_PEER: read one peer (do) or all peers (dump)
 * @OVPN_CMD_START_VPN: check the device is ready (a peer with a primary key),
 *	bring it up and report carrier; never required
 * @OVPN_CMD_FLOAT_PEER: notification: a peer authenticated from a new
 *	transport address and traffic now goes there
 * @OVPN_CMD_SWAP_KEYS_NEEDED: notification: a key's TX packet ids are
 *	running out; userspace must install a new key (the old one stops
 *	sending when they are used up)
 * @__OVPN_CMD_MAX: internal
 * @OVPN_CMD_MAX: last command
 */
enum ovpn_nl_commands {
	OVPN_CMD_UNSPEC = 0,
	OVPN_CMD_NEW_PEER,
	OVPN_CMD_SET_PEER,
	OVPN_CMD_DEL_PEER,
	OVPN_CMD_NEW_KEY,
	OVPN_CMD_SWAP_KEYS,
	OVPN_CMD_DEL_KEY,
	OVPN_CMD_GET_PEER,
	OVPN_CMD_START_VPN,
	OVPN_CMD_FLOAT_PEER,
	OVPN_CMD_SWAP_KEYS_NEEDED,

	__OVPN_CMD_MAX,
	OVPN_CMD_MAX = __OVPN_CMD_MAX - 1,
};

/**
 * enum ovpn_cipher_alg - AEAD of a key
 * @OVPN_CIPHER_ALG_NONE: no cipher (refused by NEW_KEY)
 * @OVPN_CIPHER_ALG_AES_GCM: AES-128/192/256-GCM, by key length
 * @OVPN_CIPHER_ALG_CHACHA20_POLY1305: ChaCha20-Poly1305 (RFC 7539)
 */
enum ovpn_cipher_alg {
	OVPN_CIPHER_ALG_NONE = 0,
	OVPN_CIPHER_ALG_AES_GCM,
	OVPN_CIPHER_ALG_CHACHA20_POLY1305,
};

/**
 * enum ovpn_del_peer_reason - why a peer was removed
 * @__OVPN_DEL_PEER_REASON_FIRST: internal
 * @OVPN_DEL_PEER_REASON_TEARDOWN: the device went away
 * @OVPN_DEL_PEER_REASON_USERSPACE: userspace asked (DEL_PEER, or replaced)
 * @OVPN_DEL_PEER_REASON_EXPIRED: keepalive timeout without authentic traffic
 * @OVPN_DEL_PEER_REASON_TRANSPORT_ERROR: the transport failed
 * @OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT: the transport was closed
 * @__OVPN_DEL_PEER_REASON_AFTER_LAST: internal
 */
enum ovpn_del_peer_reason {
	__OVPN_DEL_PEER_REASON_FIRST,
	OVPN_DEL_PEER_REASON_TEARDOWN = __OVPN_DEL_PEER_REASON_FIRST,
	OVPN_DEL_PEER_REASON_USERSPACE,
	OVPN_DEL_PEER_REASON_EXPIRED,
	OVPN_DEL_PEER_REASON_TRANSPORT_ERROR,
	OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT,
	__OVPN_DEL_PEER_REASON_AFTER_LAST
};

/**
 * enum ovpn_key_slot - a peer's two key slots
 * @__OVPN_KEY_SLOT_FIRST: internal
 * @OVPN_KEY_SLOT_PRIMARY: used for TX and RX
 * @OVPN_KEY_SLOT_SECONDARY: used for RX only, until swapped in
 * @__OVPN_KEY_SLOT_AFTER_LAST: internal
 */
enum ovpn_key_slot {
	__OVPN_KEY_SLOT_FIRST,
	OVPN_KEY_SLOT_PRIMARY = __OVPN_KEY_SLOT_FIRST,
	OVPN_KEY_SLOT_SECONDARY,
	__OVPN_KEY_SLOT_AFTER_LAST,
};

/**
 * enum ovpn_netlink_attrs - top-level attributes
 * @OVPN_ATTR_UNSPEC: unused
 * @OVPN_ATTR_IFINDEX: u32, the ovpn-dco device
 * @OVPN_ATTR_NEW_PEER: nest, &enum ovpn_netlink_new_peer_attrs
 * @OVPN_ATTR_SET_PEER: nest, &enum ovpn_netlink_set_peer_attrs
 * @OVPN_ATTR_DEL_PEER: nest, &enum ovpn_netlink_del_peer_attrs
 * @OVPN_ATTR_NEW_KEY: nest, &enum ovpn_netlink_new_key_attrs
 * @OVPN_ATTR_SWAP_KEYS: nest, &enum ovpn_netlink_swap_keys_attrs
 * @OVPN_ATTR_DEL_KEY: nest, &enum ovpn_netlink_del_key_attrs
 * @OVPN_ATTR_GET_PEER: nest, request &enum ovpn_netlink_get_peer_attrs,
 *	reply &enum ovpn_netlink_get_peer_response_attrs
 * @OVPN_ATTR_FLOAT_PEER: nest, &enum ovpn_netlink_float_peer_attrs
 * @OVPN_ATTR_SWAP_KEYS_NEEDED: nest, &enum ovpn_netlink_swap_keys_needed_attrs
 * @__OVPN_ATTR_AFTER_LAST: internal
 * @OVPN_ATTR_MAX: last attribute
 */
enum ovpn_netlink_attrs {
	OVPN_ATTR_UNSPEC = 0,
	OVPN_ATTR_IFINDEX,
	OVPN_ATTR_NEW_PEER,
	OVPN_ATTR_SET_PEER,
	OVPN_ATTR_DEL_PEER,
	OVPN_ATTR_NEW_KEY,
	OVPN_ATTR_SWAP_KEYS,
	OVPN_ATTR_DEL_KEY,
	OVPN_ATTR_GET_PEER,
	OVPN_ATTR_FLOAT_PEER,
	OVPN_ATTR_SWAP_KEYS_NEEDED,

	__OVPN_ATTR_AFTER_LAST,
	OVPN_ATTR_MAX = __OVPN_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_key_dir_attrs - one direction of a key
 * @OVPN_KEY_DIR_ATTR_UNSPEC: unused
 * @OVPN_KEY_DIR_ATTR_CIPHER_KEY: binary, 16/24/32 bytes (AES), 32 (ChaCha)
 * @OVPN_KEY_DIR_ATTR_NONCE_TAIL: binary, exactly 8 bytes
 * @__OVPN_KEY_DIR_ATTR_AFTER_LAST: internal
 * @OVPN_KEY_DIR_ATTR_MAX: last attribute
 */
enum ovpn_netlink_key_dir_attrs {
	OVPN_KEY_DIR_ATTR_UNSPEC = 0,
	OVPN_KEY_DIR_ATTR_CIPHER_KEY,
	OVPN_KEY_DIR_ATTR_NONCE_TAIL,

	__OVPN_KEY_DIR_ATTR_AFTER_LAST,
	OVPN_KEY_DIR_ATTR_MAX = __OVPN_KEY_DIR_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_new_key_attrs - NEW_KEY
 * @OVPN_NEW_KEY_ATTR_UNSPEC: unused
 * @OVPN_NEW_KEY_ATTR_PEER_ID: u32
 * @OVPN_NEW_KEY_ATTR_KEY_SLOT: u8, &enum ovpn_key_slot
 * @OVPN_NEW_KEY_ATTR_KEY_ID: u8, 0..7
 * @OVPN_NEW_KEY_ATTR_CIPHER_ALG: u16, &enum ovpn_cipher_alg
 * @OVPN_NEW_KEY_ATTR_ENCRYPT_KEY: nest, &enum ovpn_netlink_key_dir_attrs
 * @OVPN_NEW_KEY_ATTR_DECRYPT_KEY: nest, &enum ovpn_netlink_key_dir_attrs
 * @OVPN_NEW_KEY_ATTR_EPOCH: nest, &enum ovpn_netlink_epoch_attrs: an
 *	epoch key (Documentation/wire-format.md, "Epoch data keys") instead of
 *	@OVPN_NEW_KEY_ATTR_ENCRYPT_KEY and @OVPN_NEW_KEY_ATTR_DECRYPT_KEY;
 *	this module's extension, absent from the reference module
 * @__OVPN_NEW_KEY_ATTR_AFTER_LAST: internal
 * @OVPN_NEW_KEY_ATTR_MAX: last attribute
 */
enum ovpn_netlink_new_key_attrs {
	OVPN_NEW_KEY_ATTR_UNSPEC = 0,
	OVPN_NEW_KEY_ATTR_PEER_ID,
	OVPN_NEW_KEY_ATTR_KEY_SLOT,
	OVPN_NEW_KEY_ATTR_KEY_ID,
	OVPN_NEW_KEY_ATTR_CIPHER_ALG,
	OVPN_NEW_KEY_ATTR_ENCRYPT_KEY,
	OVPN_NEW_KEY_ATTR_DECRYPT_KEY,
	OVPN_NEW_KEY_ATTR_EPOCH,

	__OVPN_NEW_KEY_ATTR_AFTER_LAST,
	OVPN_NEW_KEY_ATTR_MAX = __OVPN_NEW_KEY_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_epoch_attrs - an epoch key in NEW_KEY
 * @OVPN_EPOCH_ATTR_UNSPEC: unused
 * @OVPN_EPOCH_ATTR_ENCRYPT_SECRET: binary, 32 bytes: the TX epoch secret of
 *	epoch 1; later epochs are derived from it in the kernel
 * @OVPN_EPOCH_ATTR_DECRYPT_SECRET: binary, 32 bytes: the RX epoch secret of
 *	epoch 1
 * @OVPN_EPOCH_ATTR_KEY_SIZE: u8, cipher key bytes derived per epoch: 16, 24
 *	or 32 for AES-GCM, 32 for ChaCha20-Poly1305 (default 32)
 * @OVPN_EPOCH_ATTR_REKEY_PACKETS: u32, TX moves to the next epoch after this
 *	many packets in one epoch (default and maximum 2^31)
 * @OVPN_EPOCH_ATTR_REKEY_SECONDS: u32, and after this many seconds in one
 *	epoch, checked when a packet is sent (default 3600; 0: never by time)
 * @__OVPN_EPOCH_ATTR_AFTER_LAST: internal
 * @OVPN_EPOCH_ATTR_MAX: last attribute
 */
enum ovpn_netlink_epoch_attrs {
	OVPN_EPOCH_ATTR_UNSPEC = 0,
	OVPN_EPOCH_ATTR_ENCRYPT_SECRET,
	OVPN_EPOCH_ATTR_DECRYPT_SECRET,
	OVPN_EPOCH_ATTR_KEY_SIZE,
	OVPN_EPOCH_ATTR_REKEY_PACKETS,
	OVPN_EPOCH_ATTR_REKEY_SECONDS,

	__OVPN_EPOCH_ATTR_AFTER_LAST,
	OVPN_EPOCH_ATTR_MAX = __OVPN_EPOCH_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_del_key_attrs - DEL_KEY
 * @OVPN_DEL_KEY_ATTR_UNSPEC: unused
 * @OVPN_DEL_KEY_ATTR_PEER_ID: u32
 * @OVPN_DEL_KEY_ATTR_KEY_SLOT: u8, &enum ovpn_key_slot
 * @__OVPN_DEL_KEY_ATTR_AFTER_LAST: internal
 * @OVPN_DEL_KEY_ATTR_MAX: last attribute
 */
enum ovpn_netlink_del_key_attrs {
	OVPN_DEL_KEY_ATTR_UNSPEC = 0,
	OVPN_DEL_KEY_ATTR_PEER_ID,
	OVPN_DEL_KEY_ATTR_KEY_SLOT,

	__OVPN_DEL_KEY_ATTR_AFTER_LAST,
	OVPN_DEL_KEY_ATTR_MAX = __OVPN_DEL_KEY_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_swap_keys_attrs - SWAP_KEYS
 * @OVPN_SWAP_KEYS_ATTR_UNSPEC: unused
 * @OVPN_SWAP_KEYS_ATTR_PEER_ID: u32
 * @__OVPN_SWAP_KEYS_ATTR_AFTER_LAST: internal
 * @OVPN_SWAP_KEYS_ATTR_MAX: last attribute
 */
enum ovpn_netlink_swap_keys_attrs {
	OVPN_SWAP_KEYS_ATTR_UNSPEC = 0,
	OVPN_SWAP_KEYS_ATTR_PEER_ID,

	__OVPN_SWAP_KEYS_ATTR_AFTER_LAST,
	OVPN_SWAP_KEYS_ATTR_MAX = __OVPN_SWAP_KEYS_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_new_peer_attrs - NEW_PEER
 * @OVPN_NEW_PEER_ATTR_UNSPEC: unused
 * @OVPN_NEW_PEER_ATTR_PEER_ID: u32
 * @OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE: struct sockaddr_in or sockaddr_in6
 * @OVPN_NEW_PEER_ATTR_SOCKET: u32, a userspace socket file descriptor
 * @OVPN_NEW_PEER_ATTR_IPV4: be32, the peer's VPN IPv4 address
 * @OVPN_NEW_PEER_ATTR_IPV6: 16 bytes, the peer's VPN IPv6 address
 * @OVPN_NEW_PEER_ATTR_LOCAL_IP: 4 or 16 bytes, local transport address
 * @__OVPN_NEW_PEER_ATTR_AFTER_LAST: internal
 * @OVPN_NEW_PEER_ATTR_MAX: last attribute
 */
enum ovpn_netlink_new_peer_attrs {
	OVPN_NEW_PEER_ATTR_UNSPEC = 0,
	OVPN_NEW_PEER_ATTR_PEER_ID,
	OVPN_NEW_PEER_ATTR_SOCKADDR_REMOTE,
	OVPN_NEW_PEER_ATTR_SOCKET,
	OVPN_NEW_PEER_ATTR_IPV4,
	OVPN_NEW_PEER_ATTR_IPV6,
	OVPN_NEW_PEER_ATTR_LOCAL_IP,

	__OVPN_NEW_PEER_ATTR_AFTER_LAST,
	OVPN_NEW_PEER_ATTR_MAX = __OVPN_NEW_PEER_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_set_peer_attrs - SET_PEER
 * @OVPN_SET_PEER_ATTR_UNSPEC: unused
 * @OVPN_SET_PEER_ATTR_PEER_ID: u32
 * @OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL: u32 seconds, 0 disables
 * @OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT: u32 seconds, 0 disables
 * @OVPN_SET_PEER_ATTR_MSS: u16, clamp the TCP MSS option of SYNs crossing
 *	the tunnel (both directions) to this value; 0 disables
 * @__OVPN_SET_PEER_ATTR_AFTER_LAST: internal
 * @OVPN_SET_PEER_ATTR_MAX: last attribute
 */
enum ovpn_netlink_set_peer_attrs {
	OVPN_SET_PEER_ATTR_UNSPEC = 0,
	OVPN_SET_PEER_ATTR_PEER_ID,
	OVPN_SET_PEER_ATTR_KEEPALIVE_INTERVAL,
	OVPN_SET_PEER_ATTR_KEEPALIVE_TIMEOUT,
	OVPN_SET_PEER_ATTR_MSS,

	__OVPN_SET_PEER_ATTR_AFTER_LAST,
	OVPN_SET_PEER_ATTR_MAX = __OVPN_SET_PEER_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_del_peer_attrs - DEL_PEER request and notification
 * @OVPN_DEL_PEER_ATTR_UNSPEC: unused
 * @OVPN_DEL_PEER_ATTR_REASON: u8, &enum ovpn_del_peer_reason
 *	(notification only)
 * @OVPN_DEL_PEER_ATTR_PEER_ID: u32
 * @__OVPN_DEL_PEER_ATTR_AFTER_LAST: internal
 * @OVPN_DEL_PEER_ATTR_MAX: last attribute
 */
enum ovpn_netlink_del_peer_attrs {
	OVPN_DEL_PEER_ATTR_UNSPEC = 0,
	OVPN_DEL_PEER_ATTR_REASON,
	OVPN_DEL_PEER_ATTR_PEER_ID,

	__OVPN_DEL_PEER_ATTR_AFTER_LAST,
	OVPN_DEL_PEER_ATTR_MAX = __OVPN_DEL_PEER_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_get_peer_attrs - GET_PEER request
 * @OVPN_GET_PEER_ATTR_UNSPEC: unused
 * @OVPN_GET_PEER_ATTR_PEER_ID: u32; absent in a dump
 * @__OVPN_GET_PEER_ATTR_AFTER_LAST: internal
 * @OVPN_GET_PEER_ATTR_MAX: last attribute
 */
enum ovpn_netlink_get_peer_attrs {
	OVPN_GET_PEER_ATTR_UNSPEC = 0,
	OVPN_GET_PEER_ATTR_PEER_ID,

	__OVPN_GET_PEER_ATTR_AFTER_LAST,
	OVPN_GET_PEER_ATTR_MAX = __OVPN_GET_PEER_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_get_peer_response_attrs - GET_PEER reply
 * @OVPN_GET_PEER_RESP_ATTR_UNSPEC: padding
 * @OVPN_GET_PEER_RESP_ATTR_PEER_ID: u32
 * @OVPN_GET_PEER_RESP_ATTR_SOCKADDR_REMOTE: struct sockaddr_in/sockaddr_in6
 * @OVPN_GET_PEER_RESP_ATTR_IPV4: be32
 * @OVPN_GET_PEER_RESP_ATTR_IPV6: 16 bytes
 * @OVPN_GET_PEER_RESP_ATTR_LOCAL_IP: 4 or 16 bytes
 * @OVPN_GET_PEER_RESP_ATTR_LOCAL_PORT: be16
 * @OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_INTERVAL: u32 seconds
 * @OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_TIMEOUT: u32 seconds
 * @OVPN_GET_PEER_RESP_ATTR_VPN_RX_BYTES: u64, plaintext received
 * @OVPN_GET_PEER_RESP_ATTR_VPN_TX_BYTES: u64, plaintext sent
 * @OVPN_GET_PEER_RESP_ATTR_VPN_RX_PACKETS: u32
 * @OVPN_GET_PEER_RESP_ATTR_VPN_TX_PACKETS: u32
 * @OVPN_GET_PEER_RESP_ATTR_LINK_RX_BYTES: u64, transport bytes received
 * @OVPN_GET_PEER_RESP_ATTR_LINK_TX_BYTES: u64, transport bytes sent
 * @OVPN_GET_PEER_RESP_ATTR_LINK_RX_PACKETS: u32
 * @OVPN_GET_PEER_RESP_ATTR_LINK_TX_PACKETS: u32
 * @OVPN_GET_PEER_RESP_ATTR_MSS: u16, the MSS clamp (0: off)
 * @OVPN_GET_PEER_RESP_ATTR_LAST_RX_MSECS: u32, milliseconds since the last
 *	authentic packet from the peer (absent before the first)
 * @OVPN_GET_PEER_RESP_ATTR_EPOCH_TX: u16, with an epoch primary key: the
 *	epoch TX uses
 * @OVPN_GET_PEER_RESP_ATTR_EPOCH_RX: u16, with an epoch primary key: the
 *	newest epoch received
 * @OVPN_GET_PEER_RESP_ATTR_EPOCH_TX_PACKETS: u32, packets sent in the TX
 *	epoch
 * @OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_PACKETS: u32, packets left in the TX
 *	epoch before the next
 * @OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_SECS: u32, seconds left in the TX
 *	epoch before the next (absent when not rekeying by time)
 * @__OVPN_GET_PEER_RESP_ATTR_AFTER_LAST: internal
 * @OVPN_GET_PEER_RESP_ATTR_MAX: last attribute
 */
enum ovpn_netlink_get_peer_response_attrs {
	OVPN_GET_PEER_RESP_ATTR_UNSPEC = 0,
	OVPN_GET_PEER_RESP_ATTR_PEER_ID,
	OVPN_GET_PEER_RESP_ATTR_SOCKADDR_REMOTE,
	OVPN_GET_PEER_RESP_ATTR_IPV4,
	OVPN_GET_PEER_RESP_ATTR_IPV6,
	OVPN_GET_PEER_RESP_ATTR_LOCAL_IP,
	OVPN_GET_PEER_RESP_ATTR_LOCAL_PORT,
	OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_INTERVAL,
	OVPN_GET_PEER_RESP_ATTR_KEEPALIVE_TIMEOUT,
	OVPN_GET_PEER_RESP_ATTR_VPN_RX_BYTES,
	OVPN_GET_PEER_RESP_ATTR_VPN_TX_BYTES,
	OVPN_GET_PEER_RESP_ATTR_VPN_RX_PACKETS,
	OVPN_GET_PEER_RESP_ATTR_VPN_TX_PACKETS,
	OVPN_GET_PEER_RESP_ATTR_LINK_RX_BYTES,
	OVPN_GET_PEER_RESP_ATTR_LINK_TX_BYTES,
	OVPN_GET_PEER_RESP_ATTR_LINK_RX_PACKETS,
	OVPN_GET_PEER_RESP_ATTR_LINK_TX_PACKETS,
	OVPN_GET_PEER_RESP_ATTR_MSS,
	OVPN_GET_PEER_RESP_ATTR_LAST_RX_MSECS,
	OVPN_GET_PEER_RESP_ATTR_EPOCH_TX,
	OVPN_GET_PEER_RESP_ATTR_EPOCH_RX,
	OVPN_GET_PEER_RESP_ATTR_EPOCH_TX_PACKETS,
	OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_PACKETS,
	OVPN_GET_PEER_RESP_ATTR_EPOCH_REKEY_SECS,

	__OVPN_GET_PEER_RESP_ATTR_AFTER_LAST,
	OVPN_GET_PEER_RESP_ATTR_MAX = __OVPN_GET_PEER_RESP_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_float_peer_attrs - FLOAT_PEER notification
 * @OVPN_FLOAT_PEER_ATTR_UNSPEC: unused
 * @OVPN_FLOAT_PEER_ATTR_PEER_ID: u32
 * @OVPN_FLOAT_PEER_ATTR_SOCKADDR_REMOTE: the new struct sockaddr_in or
 *	sockaddr_in6
 * @__OVPN_FLOAT_PEER_ATTR_AFTER_LAST: internal
 * @OVPN_FLOAT_PEER_ATTR_MAX: last attribute
 */
enum ovpn_netlink_float_peer_attrs {
	OVPN_FLOAT_PEER_ATTR_UNSPEC = 0,
	OVPN_FLOAT_PEER_ATTR_PEER_ID,
	OVPN_FLOAT_PEER_ATTR_SOCKADDR_REMOTE,

	__OVPN_FLOAT_PEER_ATTR_AFTER_LAST,
	OVPN_FLOAT_PEER_ATTR_MAX = __OVPN_FLOAT_PEER_ATTR_AFTER_LAST - 1,
};

/**
 * enum ovpn_netlink_swap_keys_needed_attrs - SWAP_KEYS_NEEDED notification
 * @OVPN_SWAP_KEYS_NEEDED_ATTR_UNSPEC: unused
 * @OVPN_SWAP_KEYS_NEEDED_ATTR_PEER_ID: u32
 * @OVPN_SWAP_KEYS_NEEDED_ATTR_KEY_ID: u8, the key running out
 * @__OVPN_SWAP_KEYS_NEEDED_ATTR_AFTER_LAST: internal
 * @OVPN_SWAP_KEYS_NEEDED_ATTR_MAX: last attribute
 */
enum ovpn_netlink_swap_keys_needed_attrs {
	OVPN_SWAP_KEYS_NEEDED_ATTR_UNSPEC = 0,
	OVPN_SWAP_KEYS_NEEDED_ATTR_PEER_ID,
	OVPN_SWAP_KEYS_NEEDED_ATTR_KEY_ID,

	__OVPN_SWAP_KEYS_NEEDED_ATTR_AFTER_LAST,
	OVPN_SWAP_KEYS_NEEDED_ATTR_MAX =
		__OVPN_SWAP_KEYS_NEEDED_ATTR_AFTER_LAST - 1,
};

/*
 * The rtnetlink side. Linux 6.16 added the same names, with the same values,
 * to <linux/if_link.h> for the upstream ovpn driver: define them only when
 * that header has not. <linux/if_link.h> is included first so that the
 * result does not depend on the order in which a user includes the two.
 */
#include <linux/if_link.h>

#ifndef IFLA_OVPN_MAX

/**
 * enum ovpn_mode - device mode, rtnetlink %IFLA_OVPN_MODE
 * @OVPN_MODE_P2P: one peer (default)
 * @OVPN_MODE_MP: many peers (server)
 */
enum ovpn_mode {
	OVPN_MODE_P2P = 0,
	OVPN_MODE_MP = 1,
};

/**
 * enum ovpn_ifla_attrs - rtnetlink IFLA_INFO_DATA of kind "ovpn-dco"
 * @IFLA_OVPN_UNSPEC: unused
 * @IFLA_OVPN_MODE: u8, &enum ovpn_mode
 * @__IFLA_OVPN_MAX: internal
 */
enum ovpn_ifla_attrs {
	IFLA_OVPN_UNSPEC = 0,
	IFLA_OVPN_MODE = 1,

	__IFLA_OVPN_MAX,
};

#define IFLA_OVPN_MAX	(__IFLA_OVPN_MAX - 1)

#endif /* IFLA_OVPN_MAX */

#endif /* _UAPI_LINUX_OVPN_DCO_H_ */
