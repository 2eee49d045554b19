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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#endif /* _OVPN_DCO_TYPES_H_ */
