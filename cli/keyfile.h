/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Static key files: base64 text holding at least 72 bytes of key material.
 *
 * Of the decoded bytes, 0..31 and 32..63 are the two 32-byte cipher keys and
 * 64..71 the nonce tail. Key direction 0 encrypts with the first key and
 * decrypts with the second; direction 1 swaps them, so the two ends of a
 * tunnel share one file with opposite directions. Both directions use the
 * same nonce tail. AES-128/192 take the first 16/24 bytes of each key.
 *
 * Pure logic apart from file I/O and getrandom(): unit-tested by
 * tests/unit/test_keyfile.c.
 */

#ifndef _OVPN_CLI_KEYFILE_H_
#define _OVPN_CLI_KEYFILE_H_

#include <stddef.h>
#include <stdint.h>

/* only the first 256 base64 characters of a file are decoded */
#define KEYFILE_TEXT_MAX	256
/* two 32-byte keys and an 8-byte nonce tail */
#define KEYFILE_MIN_BYTES	72
#define KEYFILE_KEY_LEN		32
#define KEYFILE_NONCE_TAIL_LEN	8
/* what genkey writes: 192 bytes, exactly 256 base64 characters */
#define KEYFILE_GEN_BYTES	192
/* refuse to read anything larger than this as a key file */
#define KEYFILE_FILE_MAX	65536

/**
 * struct key_material - the keys of one end of a tunnel
 * @encrypt_key: key for packets this end sends
 * @decrypt_key: key for packets this end receives
 * @nonce_tail: nonce tail, the same for both directions
 */
struct key_material {
	uint8_t encrypt_key[KEYFILE_KEY_LEN];
	uint8_t decrypt_key[KEYFILE_KEY_LEN];
	uint8_t nonce_tail[KEYFILE_NONCE_TAIL_LEN];
};

/**
 * keyfile_parse - decode key-file text for one key direction
 * @text: the file's contents (need not be NUL-terminated)
 * @len: length of @text
 * @direction: 0 or 1
 * @out: filled on success
 * @err: a message on failure
 * @errlen: size of @err
 *
 * Whitespace is ignored, as are lines starting with '#' and "-----"
 * armour lines; an OpenVPN hex static key ("-----BEGIN OpenVPN Static key")
 * is refused. At most KEYFILE_TEXT_MAX base64 characters are decoded.
 *
 * Return: 0, or -1 with @err set.
 */
int keyfile_parse(const char *text, size_t len, int direction,
		  struct key_material *out, char *err, size_t errlen);

/**
 * keyfile_load - read and decode a key file
 * @path: file to read
 * @direction: 0 or 1
 * @out: filled on success
 * @err: a message on failure (names @path)
 * @errlen: size of @err
 *
 * Return: 0, or -1 with @err set.
 */
int keyfile_load(const char *path, int direction, struct key_material *out,
		 char *err, size_t errlen);

/**
 * keyfile_generate - write a new random key file
 * @path: file to create; an existing file is never overwritten
 * @err: a message on failure (names @path)
 * @errlen: size of @err
 *
 * Writes KEYFILE_GEN_BYTES bytes from getrandom() as one line of base64
 * followed by a newline, mode 0600.
 *
 * Return: 0, or -1 with @err set.
 */
int keyfile_generate(const char *path, char *err, size_t errlen);

#endif /* _OVPN_CLI_KEYFILE_H_ */
