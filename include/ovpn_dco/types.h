/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The few types the pure-logic headers need, from the kernel when built into
 * the module and from libc when built into the userspace unit tests.
 */

#ifndef _OVPN_DCO_TYPES_H_
#define _OVPN_DCO_TYPES_H_

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/stddef.h>
#else
/* userspace builds (unit tests, fuzzers) bring the kernel's short types */
#include <ovpn_dco_user_types.h>
#endif

#endif /* _OVPN_DCO_TYPES_H_ */
