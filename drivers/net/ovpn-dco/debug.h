/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: test aids of the debug build
 *
 * `make module-debug` (OVPN_DEBUG=1) builds a module with load-time
 * parameters that let the test suite reach code it cannot otherwise reach
 * in a guest: packet id exhaustion, asynchronous crypto completions, a
 * failing self-test and a wide TCP takeover window. The normal build has
 * none of them: every hook below is then a constant the compiler folds away.
 */

#ifndef _OVPN_DCO_DEBUG_H_
#define _OVPN_DCO_DEBUG_H_

#include <linux/types.h>
#include <crypto/aead.h>

#ifdef OVPN_DEBUG

#define OVPN_DEBUG_BUILD_TAG	"+debug"

u64 ovpn_debug_first_pktid(void);
bool ovpn_debug_async_crypto(void);
int ovpn_aead_submit(struct aead_request *req, bool encrypt);
unsigned int ovpn_debug_selftest_break(void);
void ovpn_debug_takeover_delay(void);
void ovpn_debug_count_async(bool tx);
int ovpn_debug_init(void);
void ovpn_debug_exit(void);

#else

#define OVPN_DEBUG_BUILD_TAG	""

/* TX packet ids of a new key start after this value */
static inline u64 ovpn_debug_first_pktid(void)
{
	return 0;
}

/* every AEAD request completes asynchronously (ovpn_aead_submit()) */
static inline bool ovpn_debug_async_crypto(void)
{
	return false;
}

/**
 * ovpn_aead_submit - start an AEAD request of the data path
 * @req: the request, its callback set
 * @encrypt: which way
 *
 * The debug build can complete it from a worker instead (debug.c).
 *
 * Return: 0 or an error when done synchronously, -EINPROGRESS (or -EBUSY)
 * when the callback will finish it.
 */
static inline int ovpn_aead_submit(struct aead_request *req, bool encrypt)
{
	return encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
}

/* the self-test vector (1-based) whose expected output is corrupted */
static inline unsigned int ovpn_debug_selftest_break(void)
{
	return 0;
}

/* NEW_PEER: between a TCP socket's takeover and its peer's link */
static inline void ovpn_debug_takeover_delay(void)
{
}

/* an AEAD request completed in its callback */
static inline void ovpn_debug_count_async(bool tx)
{
}

static inline int ovpn_debug_init(void)
{
	return 0;
}

static inline void ovpn_debug_exit(void)
{
}

#endif /* OVPN_DEBUG */

#endif /* _OVPN_DCO_DEBUG_H_ */
