/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Forced into every file of a module build by check_headers.py (-include):
 * the kernel's uapi/linux/if_link.h plus what Linux 6.16 added to it for the
 * upstream ovpn driver, so that the module is compiled as on 6.16+ headers.
 */
#include <uapi/linux/if_link.h>

#ifndef IFLA_OVPN_MAX

enum ovpn_mode {
	OVPN_MODE_P2P,
	OVPN_MODE_MP,
};

enum {
	IFLA_OVPN_UNSPEC,
	IFLA_OVPN_MODE,
	__IFLA_OVPN_MAX,
};

#define IFLA_OVPN_MAX	(__IFLA_OVPN_MAX - 1)

#endif /* IFLA_OVPN_MAX */
