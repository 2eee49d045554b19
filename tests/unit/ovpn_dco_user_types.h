/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* The kernel's short integer types for userspace builds of include/ovpn_dco. */
#ifndef _OVPN_DCO_USER_TYPES_H_
#define _OVPN_DCO_USER_TYPES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif
