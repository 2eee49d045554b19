/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-dco: test aids of the debug build
 *
 * `make module-debug` (OVPN_DEBUG=1) builds a module with load-time
 * parameters that let the test suite reach code it cannot otherwise reach
 * in a guest: packet id exhaustion and a failing self-test. The normal
 * build has none of them: every hook below is then a constant the compiler
 * folds away.
 */

#ifndef _OVPN_DCO_DEBUG_H_
#define _OVPN_DCO_DEBUG_H_

#include <linux/types.h>

#ifdef OVPN_DEBUG

#define OVPN_DEBUG_BUILD_TAG	"+debug"

u64 ovpn_debug_first_pktid(void);
unsigned int ovpn_debug_selftest_break(void);

#else

#define OVPN_DEBUG_BUILD_TAG	""

/* TX packet ids of a new key start after this value */
static inline u64 ovpn_debug_first_pktid(void)
{
	return 0;
}

/* the self-test vector (1-based) whose expected output is corrupted */
static inline unsigned int ovpn_debug_selftest_break(void)
{
	return 0;
}

#endif /* OVPN_DEBUG */

#endif /* _OVPN_DCO_DEBUG_H_ */
