/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-session data keys for the one-shot tunnel: the key derivation and the
 * handshake that feeds it (HELLO, REPLY, CONFIRM, DONE). Documentation/wire-format.md
 * ("Session keys") is the specification and holds the security argument.
 *
 * Pure logic (no I/O apart from getrandom()): unit-tested by
 * tests/unit/test_session.c with fixed vectors.
 */

#ifndef _OVPN_CLI_SESSION_H_
#define _OVPN_CLI_SESSION_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"

/* byte 0 of every handshake message: opcode 31, key id 0. OpenVPN has no
 * opcode 31, and the module hands every non-DATA_V2 packet to userspace.
 */
#define SESS_OPCODE_BYTE	0xf8
#define SESS_VERSION		1
#define SESS_NONCE_LEN		32
#define SESS_MAC_LEN		32
#define SESS_ID_LEN		8
/* opcode, version, type, sender role, key id, two nonces, MAC */
#define SESS_MSG_LEN		(5 + 2 * SESS_NONCE_LEN + SESS_MAC_LEN)
/* what the static key file contributes: the first 72 decoded bytes */
#define SESS_MASTER_LEN		(2 * KEYFILE_KEY_LEN + KEYFILE_NONCE_TAIL_LEN)
/* an epoch secret (Documentation/wire-format.md, "Epoch data keys") */
#define SESS_EPOCH_SECRET_LEN	32
/* "no key yet" in the key-id byte of a HELLO */
#define SESS_NO_KEY		0xff

enum sess_type { SESS_HELLO = 1, SESS_REPLY = 2, SESS_CONFIRM = 3, SESS_DONE = 4 };
/* the endpoint order: A encrypts with the first derived key, B the second */
enum sess_role { SESS_ROLE_A = 0, SESS_ROLE_B = 1 };

/**
 * struct sess_msg - one decoded handshake message
 * @type: &enum sess_type
 * @role: the sender's &enum sess_role
 * @key_id: HELLO: the sender's current key id or SESS_NO_KEY; REPLY,
 *	CONFIRM and DONE: the key id of the session being set up
 * @n_init: the initiator's nonce
 * @n_resp: the responder's nonce (zero in a HELLO)
 */
struct sess_msg {
	uint8_t type;
	uint8_t role;
	uint8_t key_id;
	uint8_t n_init[SESS_NONCE_LEN];
	uint8_t n_resp[SESS_NONCE_LEN];
};

/**
 * struct sess_keys - what one handshake yields for one end
 * @km: this end's encrypt and decrypt keys; @km.nonce_tail is the encrypt
 *	tail (see @decrypt_tail)
 * @decrypt_tail: the nonce tail of the other direction
 * @id: a non-secret identifier of the session (printable, never a key)
 * @epoch_tx: the TX epoch secret of epoch 1, for the module's epoch keys
 * @epoch_rx: the RX epoch secret of epoch 1
 */
struct sess_keys {
	struct key_material km;
	uint8_t decrypt_tail[KEYFILE_NONCE_TAIL_LEN];
	uint8_t id[SESS_ID_LEN];
	uint8_t epoch_tx[SESS_EPOCH_SECRET_LEN];
	uint8_t epoch_rx[SESS_EPOCH_SECRET_LEN];
};

/**
 * sess_auth_key - the handshake MAC key of a key file
 * @master: SESS_MASTER_LEN bytes of the key file
 * @out: 32 bytes
 *
 * Return: 0, or -1 if mbedtls fails.
 */
int sess_auth_key(const uint8_t *master, uint8_t *out);

/**
 * sess_derive - the data keys of one session, for one end
 * @master: SESS_MASTER_LEN bytes of the key file
 * @n_init: the initiator's nonce
 * @n_resp: the responder's nonce
 * @key_id: the session's key id
 * @role: the &enum sess_role of the end the keys are for
 * @out: filled on success
 *
 * Return: 0, or -1 if mbedtls fails (@out is then wiped).
 */
int sess_derive(const uint8_t *master, const uint8_t *n_init,
		const uint8_t *n_resp, uint8_t key_id, int role,
		struct sess_keys *out);

/* encode @m into @buf (SESS_MSG_LEN bytes) with its MAC under @auth */
int sess_encode(const uint8_t *auth, const struct sess_msg *m, uint8_t *buf);

/**
 * sess_decode - check and decode a received handshake message
 * @auth: the MAC key
 * @buf: the packet (UDP payload or TCP frame without its length)
 * @len: its length
 * @m: filled on success
 *
 * Return: 0; -1 if it is not a handshake message of this version (length,
 * opcode, version or type); -2 if the MAC is wrong (another key file).
 */
int sess_decode(const uint8_t *auth, const uint8_t *buf, size_t len,
		struct sess_msg *m);

/* true if @buf looks like a handshake message (before authentication) */
bool sess_is_handshake(const uint8_t *buf, size_t len);

/**
 * sess_role_of - this end's role from the UDP endpoint order
 * @local: local address bytes (4 or 16) followed by the port, big-endian
 * @remote: remote address bytes and port, the same layout
 * @len: length of each (6 or 18)
 *
 * Return: SESS_ROLE_A if @local sorts first, SESS_ROLE_B if @remote does,
 * -1 if they are equal.
 */
int sess_role_of(const uint8_t *local, const uint8_t *remote, size_t len);

/**
 * sess_next_key_id - the key id a responder picks for a new session
 * @mine: the responder's current key id, or SESS_NO_KEY
 * @theirs: the initiator's (from its HELLO), or SESS_NO_KEY
 *
 * The next id after the newest one in use, never equal to a key id either
 * end still has installed, so packets of the old and the new session are
 * never matched to the wrong key slot.
 */
uint8_t sess_next_key_id(uint8_t mine, uint8_t theirs);

/* SESS_NONCE_LEN bytes from getrandom(); 0 or -1 */
int sess_random(uint8_t *out);

#endif /* _OVPN_CLI_SESSION_H_ */
