/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stand-in for Linux 6.16's <linux/if_link.h>: the installed header plus
 * the rtnetlink attributes of the upstream ovpn driver that 6.16 added to it
 * (same names and values as there). check_headers.py compiles the uapi
 * header, the CLI and the test tools with this directory first in the
 * include path, to prove they still build on 6.16+ header sets.
 */
#ifndef _OVPN_TEST_SHADOW_IF_LINK_H
#define _OVPN_TEST_SHADOW_IF_LINK_H

#include_next <linux/if_link.h>

/* headers that already have it (6.16+): nothing to add */
#ifndef IFLA_OVPN_MAX

/* OVPN section */

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
#endif /* _OVPN_TEST_SHADOW_IF_LINK_H */
