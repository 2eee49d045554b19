/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ovpn: OpenVPN data channel offload, the upstream Linux interface.
 *
 * The generic netlink family "ovpn" and its numbering, as Linux 6.16 and
 * later define them and OpenVPN 2.7 speaks them. The C names are those of
 * the kernel's own <linux/ovpn.h>, so that a program written against it
 * builds against this file on older kernels. It cannot be included with
 * <linux/ovpn_dco.h> (the ovpn-dco-v2 family of OpenVPN 2.6) in one
 * translation unit: both declare the cipher, key slot and removal reason
 * enums, with the same values.
 * Documentation/netlink/specs/ovpn.yaml describes the same interface.
 */

#ifndef _UAPI_LINUX_OVPN_H
#define _UAPI_LINUX_OVPN_H

#define OVPN_FAMILY_NAME	"ovpn"
#define OVPN_FAMILY_VERSION	1

#define OVPN_NONCE_TAIL_SIZE	8

/**
 * enum ovpn_cipher_alg - AEAD of a key
 * @OVPN_CIPHER_ALG_NONE: no cipher (KEY_NEW refuses it)
 * @OVPN_CIPHER_ALG_AES_GCM: AES-GCM, 128, 192 or 256-bit by key length
 * @OVPN_CIPHER_ALG_CHACHA20_POLY1305: ChaCha20-Poly1305 (RFC 7539)
 */
enum ovpn_cipher_alg {
	OVPN_CIPHER_ALG_NONE,
	OVPN_CIPHER_ALG_AES_GCM,
	OVPN_CIPHER_ALG_CHACHA20_POLY1305,
};

/**
 * enum ovpn_del_peer_reason - why a peer was removed (PEER_DEL_NTF)
 * @OVPN_DEL_PEER_REASON_TEARDOWN: the device went away, or the peer was
 *	replaced by another on a P2P device
 * @OVPN_DEL_PEER_REASON_USERSPACE: PEER_DEL
 * @OVPN_DEL_PEER_REASON_EXPIRED: keepalive timeout
 * @OVPN_DEL_PEER_REASON_TRANSPORT_ERROR: the transport failed
 * @OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT: the transport was closed
 */
enum ovpn_del_peer_reason {
	OVPN_DEL_PEER_REASON_TEARDOWN,
	OVPN_DEL_PEER_REASON_USERSPACE,
	OVPN_DEL_PEER_REASON_EXPIRED,
	OVPN_DEL_PEER_REASON_TRANSPORT_ERROR,
	OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT,
};

/**
 * enum ovpn_key_slot - a peer's two key slots
 * @OVPN_KEY_SLOT_PRIMARY: encrypts and decrypts
 * @OVPN_KEY_SLOT_SECONDARY: decrypts only, until swapped in
 */
enum ovpn_key_slot {
	OVPN_KEY_SLOT_PRIMARY,
	OVPN_KEY_SLOT_SECONDARY,
};

/**
 * enum ovpn_a_peer - attributes of the PEER nest
 * @OVPN_A_PEER_ID: u32 (at most 0xFFFFFF), the peer's id on its device
 * @OVPN_A_PEER_REMOTE_IPV4: be32, the remote's IPv4 address (UDP)
 * @OVPN_A_PEER_REMOTE_IPV6: 16 bytes, the remote's IPv6 address (UDP)
 * @OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID: u32, scope of that IPv6 address
 * @OVPN_A_PEER_REMOTE_PORT: be16 (not 0), the remote's port (UDP)
 * @OVPN_A_PEER_SOCKET: u32, file descriptor of the transport socket
 * @OVPN_A_PEER_SOCKET_NETNSID: s32, in replies: the id of the socket's
 *	network namespace, when it is not the requester's
 * @OVPN_A_PEER_VPN_IPV4: be32, the peer's address inside the tunnel (MP)
 * @OVPN_A_PEER_VPN_IPV6: 16 bytes, the peer's IPv6 address inside (MP)
 * @OVPN_A_PEER_LOCAL_IPV4: be32, the local address to send from (UDP)
 * @OVPN_A_PEER_LOCAL_IPV6: 16 bytes, the local IPv6 address (UDP)
 * @OVPN_A_PEER_LOCAL_PORT: be16, in replies: the socket's local port
 * @OVPN_A_PEER_KEEPALIVE_INTERVAL: u32, seconds between keepalives sent
 * @OVPN_A_PEER_KEEPALIVE_TIMEOUT: u32, seconds without traffic before the
 *	peer expires
 * @OVPN_A_PEER_DEL_REASON: u32, &enum ovpn_del_peer_reason (PEER_DEL_NTF)
 * @OVPN_A_PEER_VPN_RX_BYTES: uint, bytes received inside the tunnel
 * @OVPN_A_PEER_VPN_TX_BYTES: uint, bytes sent inside the tunnel
 * @OVPN_A_PEER_VPN_RX_PACKETS: uint, packets received inside the tunnel
 * @OVPN_A_PEER_VPN_TX_PACKETS: uint, packets sent inside the tunnel
 * @OVPN_A_PEER_LINK_RX_BYTES: uint, bytes received on the transport
 * @OVPN_A_PEER_LINK_TX_BYTES: uint, bytes sent on the transport
 * @OVPN_A_PEER_LINK_RX_PACKETS: uint, packets received on the transport
 * @OVPN_A_PEER_LINK_TX_PACKETS: uint, packets sent on the transport
 * @OVPN_A_PEER_TX_ID: u32 (at most 0xFFFFFF), the id our packets to the
 *	peer carry; the peer's own id when absent
 * @__OVPN_A_PEER_MAX: internal
 * @OVPN_A_PEER_MAX: last attribute
 */
enum ovpn_a_peer {
	OVPN_A_PEER_ID = 1,
	OVPN_A_PEER_REMOTE_IPV4,
	OVPN_A_PEER_REMOTE_IPV6,
	OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID,
	OVPN_A_PEER_REMOTE_PORT,
	OVPN_A_PEER_SOCKET,
	OVPN_A_PEER_SOCKET_NETNSID,
	OVPN_A_PEER_VPN_IPV4,
	OVPN_A_PEER_VPN_IPV6,
	OVPN_A_PEER_LOCAL_IPV4,
	OVPN_A_PEER_LOCAL_IPV6,
	OVPN_A_PEER_LOCAL_PORT,
	OVPN_A_PEER_KEEPALIVE_INTERVAL,
	OVPN_A_PEER_KEEPALIVE_TIMEOUT,
	OVPN_A_PEER_DEL_REASON,
	OVPN_A_PEER_VPN_RX_BYTES,
	OVPN_A_PEER_VPN_TX_BYTES,
	OVPN_A_PEER_VPN_RX_PACKETS,
	OVPN_A_PEER_VPN_TX_PACKETS,
	OVPN_A_PEER_LINK_RX_BYTES,
	OVPN_A_PEER_LINK_TX_BYTES,
	OVPN_A_PEER_LINK_RX_PACKETS,
	OVPN_A_PEER_LINK_TX_PACKETS,
	OVPN_A_PEER_TX_ID,

	__OVPN_A_PEER_MAX,
	OVPN_A_PEER_MAX = __OVPN_A_PEER_MAX - 1
};

/**
 * enum ovpn_a_keyconf - attributes of the KEYCONF nest
 * @OVPN_A_KEYCONF_PEER_ID: u32 (at most 0xFFFFFF), the peer
 * @OVPN_A_KEYCONF_SLOT: u32, &enum ovpn_key_slot
 * @OVPN_A_KEYCONF_KEY_ID: u32 (at most 7), the key id packets carry
 * @OVPN_A_KEYCONF_CIPHER_ALG: u32, &enum ovpn_cipher_alg
 * @OVPN_A_KEYCONF_ENCRYPT_DIR: nest, &enum ovpn_a_keydir, to send
 * @OVPN_A_KEYCONF_DECRYPT_DIR: nest, &enum ovpn_a_keydir, to receive
 * @__OVPN_A_KEYCONF_MAX: internal
 * @OVPN_A_KEYCONF_MAX: last attribute
 */
enum ovpn_a_keyconf {
	OVPN_A_KEYCONF_PEER_ID = 1,
	OVPN_A_KEYCONF_SLOT,
	OVPN_A_KEYCONF_KEY_ID,
	OVPN_A_KEYCONF_CIPHER_ALG,
	OVPN_A_KEYCONF_ENCRYPT_DIR,
	OVPN_A_KEYCONF_DECRYPT_DIR,

	__OVPN_A_KEYCONF_MAX,
	OVPN_A_KEYCONF_MAX = __OVPN_A_KEYCONF_MAX - 1
};

/**
 * enum ovpn_a_keydir - key material of one direction
 * @OVPN_A_KEYDIR_CIPHER_KEY: binary (at most 256 bytes), the key
 * @OVPN_A_KEYDIR_NONCE_TAIL: OVPN_NONCE_TAIL_SIZE bytes, appended to the
 *	packet id to make the nonce
 * @__OVPN_A_KEYDIR_MAX: internal
 * @OVPN_A_KEYDIR_MAX: last attribute
 */
enum ovpn_a_keydir {
	OVPN_A_KEYDIR_CIPHER_KEY = 1,
	OVPN_A_KEYDIR_NONCE_TAIL,

	__OVPN_A_KEYDIR_MAX,
	OVPN_A_KEYDIR_MAX = __OVPN_A_KEYDIR_MAX - 1
};

/**
 * enum ovpn_a - top-level attributes
 * @OVPN_A_IFINDEX: u32, the ovpn device (every request)
 * @OVPN_A_PEER: nest, &enum ovpn_a_peer
 * @OVPN_A_KEYCONF: nest, &enum ovpn_a_keyconf
 * @__OVPN_A_MAX: internal
 * @OVPN_A_MAX: last attribute
 */
enum ovpn_a {
	OVPN_A_IFINDEX = 1,
	OVPN_A_PEER,
	OVPN_A_KEYCONF,

	__OVPN_A_MAX,
	OVPN_A_MAX = __OVPN_A_MAX - 1
};

/**
 * enum ovpn_cmd - generic netlink commands
 * @OVPN_CMD_PEER_NEW: add a peer with its transport socket
 * @OVPN_CMD_PEER_SET: change a peer (addresses, keepalive)
 * @OVPN_CMD_PEER_GET: read one peer (do) or every peer (dump)
 * @OVPN_CMD_PEER_DEL: remove a peer
 * @OVPN_CMD_PEER_DEL_NTF: notification: a peer was removed, and why
 * @OVPN_CMD_KEY_NEW: install a key in a peer's slot
 * @OVPN_CMD_KEY_GET: read a slot's key id and cipher (never the key)
 * @OVPN_CMD_KEY_SWAP: swap a peer's primary and secondary slots
 * @OVPN_CMD_KEY_SWAP_NTF: notification: a key ran out of packet ids and
 *	was removed; userspace must renegotiate
 * @OVPN_CMD_KEY_DEL: erase a peer's slot
 * @OVPN_CMD_PEER_FLOAT_NTF: notification: a peer authenticated from a new
 *	transport address, where its traffic now goes
 * @__OVPN_CMD_MAX: internal
 * @OVPN_CMD_MAX: last command
 */
enum ovpn_cmd {
	OVPN_CMD_PEER_NEW = 1,
	OVPN_CMD_PEER_SET,
	OVPN_CMD_PEER_GET,
	OVPN_CMD_PEER_DEL,
	OVPN_CMD_PEER_DEL_NTF,
	OVPN_CMD_KEY_NEW,
	OVPN_CMD_KEY_GET,
	OVPN_CMD_KEY_SWAP,
	OVPN_CMD_KEY_SWAP_NTF,
	OVPN_CMD_KEY_DEL,
	OVPN_CMD_PEER_FLOAT_NTF,

	__OVPN_CMD_MAX,
	OVPN_CMD_MAX = __OVPN_CMD_MAX - 1
};

#define OVPN_MCGRP_PEERS	"peers"

#endif /* _UAPI_LINUX_OVPN_H */
