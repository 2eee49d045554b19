// SPDX-License-Identifier: GPL-2.0-only
/*
 * Session keys: HKDF-SHA256 derivation and handshake messages. See
 * session.h and Documentation/wire-format.md.
 */

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "session.h"

#define AUTH_INFO	"ovpn-cli v1 handshake mac"
#define SESSION_INFO	"ovpn-cli v1 session keys"
#define EPOCH_INFO	"ovpn-cli v1 epoch secrets"
/* key A, tail A, key B, tail B, session id */
#define OKM_LEN		(2 * (KEYFILE_KEY_LEN + KEYFILE_NONCE_TAIL_LEN) + \
			 SESS_ID_LEN)

static const mbedtls_md_info_t *sha256(void)
{
	return mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
}

int sess_auth_key(const uint8_t *master, uint8_t *out)
{
	if (mbedtls_hkdf(sha256(), NULL, 0, master, SESS_MASTER_LEN,
			 (const unsigned char *)AUTH_INFO, strlen(AUTH_INFO),
			 out, SESS_MAC_LEN))
		return -1;
	return 0;
}

int sess_derive(const uint8_t *master, const uint8_t *n_init,
		const uint8_t *n_resp, uint8_t key_id, int role,
		struct sess_keys *out)
{
	uint8_t salt[2 * SESS_NONCE_LEN];
	uint8_t info[sizeof(EPOCH_INFO) - 1 + 1];
	uint8_t okm[OKM_LEN];
	uint8_t eokm[2 * SESS_EPOCH_SECRET_LEN];
	const uint8_t *a = okm;
	const uint8_t *b = okm + KEYFILE_KEY_LEN + KEYFILE_NONCE_TAIL_LEN;
	const uint8_t *mine, *theirs;
	int ret = -1;

	memcpy(salt, n_init, SESS_NONCE_LEN);
	memcpy(salt + SESS_NONCE_LEN, n_resp, SESS_NONCE_LEN);
	memcpy(info, SESSION_INFO, sizeof(SESSION_INFO) - 1);
	info[sizeof(SESSION_INFO) - 1] = key_id;

	if (mbedtls_hkdf(sha256(), salt, sizeof(salt), master, SESS_MASTER_LEN,
			 info, sizeof(SESSION_INFO), okm, sizeof(okm))) {
		explicit_bzero(out, sizeof(*out));
		goto out;
	}
	/* the same inputs under another label: A's TX secret first */
	memcpy(info, EPOCH_INFO, sizeof(EPOCH_INFO) - 1);
	info[sizeof(EPOCH_INFO) - 1] = key_id;
	if (mbedtls_hkdf(sha256(), salt, sizeof(salt), master, SESS_MASTER_LEN,
			 info, sizeof(EPOCH_INFO), eokm, sizeof(eokm))) {
		explicit_bzero(out, sizeof(*out));
		goto out;
	}
	memcpy(out->epoch_tx, eokm + (role == SESS_ROLE_A ?
				       0 : SESS_EPOCH_SECRET_LEN),
	       SESS_EPOCH_SECRET_LEN);
	memcpy(out->epoch_rx, eokm + (role == SESS_ROLE_A ?
				       SESS_EPOCH_SECRET_LEN : 0),
	       SESS_EPOCH_SECRET_LEN);
	mine = role == SESS_ROLE_A ? a : b;
	theirs = role == SESS_ROLE_A ? b : a;
	memcpy(out->km.encrypt_key, mine, KEYFILE_KEY_LEN);
	memcpy(out->km.nonce_tail, mine + KEYFILE_KEY_LEN,
	       KEYFILE_NONCE_TAIL_LEN);
	memcpy(out->km.decrypt_key, theirs, KEYFILE_KEY_LEN);
	memcpy(out->decrypt_tail, theirs + KEYFILE_KEY_LEN,
	       KEYFILE_NONCE_TAIL_LEN);
	memcpy(out->id, okm + OKM_LEN - SESS_ID_LEN, SESS_ID_LEN);
	ret = 0;
out:
	explicit_bzero(okm, sizeof(okm));
	explicit_bzero(eokm, sizeof(eokm));
	return ret;
}

static int mac(const uint8_t *auth, const uint8_t *buf, size_t len,
	       uint8_t *out)
{
	return mbedtls_md_hmac(sha256(), auth, SESS_MAC_LEN, buf, len, out) ?
	       -1 : 0;
}

int sess_encode(const uint8_t *auth, const struct sess_msg *m, uint8_t *buf)
{
	buf[0] = SESS_OPCODE_BYTE;
	buf[1] = SESS_VERSION;
	buf[2] = m->type;
	buf[3] = m->role;
	buf[4] = m->key_id;
	memcpy(buf + 5, m->n_init, SESS_NONCE_LEN);
	memcpy(buf + 5 + SESS_NONCE_LEN, m->n_resp, SESS_NONCE_LEN);
	return mac(auth, buf, SESS_MSG_LEN - SESS_MAC_LEN,
		   buf + SESS_MSG_LEN - SESS_MAC_LEN);
}

bool sess_is_handshake(const uint8_t *buf, size_t len)
{
	return len >= 1 && buf[0] == SESS_OPCODE_BYTE;
}

/* constant time: the comparison must not tell a forger how close it came */
static bool same_mac(const uint8_t *x, const uint8_t *y)
{
	uint8_t d = 0;
	int i;

	for (i = 0; i < SESS_MAC_LEN; i++)
		d |= x[i] ^ y[i];
	return !d;
}

int sess_decode(const uint8_t *auth, const uint8_t *buf, size_t len,
		struct sess_msg *m)
{
	uint8_t want[SESS_MAC_LEN];

	if (len != SESS_MSG_LEN || buf[0] != SESS_OPCODE_BYTE ||
	    buf[1] != SESS_VERSION || buf[2] < SESS_HELLO ||
	    buf[2] > SESS_DONE || buf[3] > SESS_ROLE_B)
		return -1;
	if (mac(auth, buf, SESS_MSG_LEN - SESS_MAC_LEN, want) ||
	    !same_mac(want, buf + SESS_MSG_LEN - SESS_MAC_LEN))
		return -2;
	m->type = buf[2];
	m->role = buf[3];
	m->key_id = buf[4];
	memcpy(m->n_init, buf + 5, SESS_NONCE_LEN);
	memcpy(m->n_resp, buf + 5 + SESS_NONCE_LEN, SESS_NONCE_LEN);
	return 0;
}

int sess_role_of(const uint8_t *local, const uint8_t *remote, size_t len)
{
	int c = memcmp(local, remote, len);

	if (!c)
		return -1;
	return c < 0 ? SESS_ROLE_A : SESS_ROLE_B;
}

uint8_t sess_next_key_id(uint8_t mine, uint8_t theirs)
{
	uint8_t k;
	int i;

	if (mine != SESS_NO_KEY)
		k = (mine + 1) & 7;
	else if (theirs != SESS_NO_KEY)
		k = (theirs + 1) & 7;
	else
		k = 0;
	for (i = 0; i < 2 && (k == mine || k == theirs); i++)
		k = (k + 1) & 7;
	return k;
}

int sess_random(uint8_t *out)
{
	size_t got = 0;

	while (got < SESS_NONCE_LEN) {
		ssize_t r = getrandom(out + got, SESS_NONCE_LEN - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		got += r;
	}
	return 0;
}
