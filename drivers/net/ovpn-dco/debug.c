// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-dco: test aids, compiled only into the debug build (debug.h)
 *
 * All parameters are read-only once loaded: a test reloads the module to
 * change them, so no packet or key ever sees a knob change under it.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "debug.h"

static unsigned long ovpn_test_first_pktid;
module_param_named(test_first_pktid, ovpn_test_first_pktid, ulong, 0444);
MODULE_PARM_DESC(test_first_pktid,
		 "debug build, tests only: TX packet ids of new keys start after this value (default 0)");

static uint ovpn_test_selftest_break;
module_param_named(test_selftest_break, ovpn_test_selftest_break, uint, 0444);
MODULE_PARM_DESC(test_selftest_break,
		 "debug build, tests only: corrupt the expected output of this self-test vector (1-based; default 0, none), so the module must refuse to load");

u64 ovpn_debug_first_pktid(void)
{
	return ovpn_test_first_pktid;
}

unsigned int ovpn_debug_selftest_break(void)
{
	return ovpn_test_selftest_break;
}
