/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one-shot tunnel run from a config file, as the daemon of
 * "ovpn-cli up" (tunnel.c) runs it.
 */

#ifndef _OVPN_CLI_ONESHOT_H_
#define _OVPN_CLI_ONESHOT_H_

#include "conf.h"

/**
 * struct oneshot_hooks - what the daemon is told while the tunnel comes up
 * @on_setup: the device is configured and its peer added; the handshake
 *	starts next (called once, before any output but errors)
 * @on_keyed: the first session key is installed and the device is up
 * @arg: passed to both
 */
struct oneshot_hooks {
	void (*on_setup)(void *arg);
	void (*on_keyed)(void *arg);
	void *arg;
};

/*
 * Run the one-shot tunnel of @tc until SIGINT/SIGTERM or the peer's
 * deletion, quietly (no per-second lines), as the responder and initiator
 * of its session-key handshakes. Returns the one-shot's exit status (0, 1,
 * or 3: the peer was deleted); the device is deleted before it returns.
 */
int oneshot_run_conf(const struct tunnel_conf *tc,
		     const struct oneshot_hooks *hooks);

#endif /* _OVPN_CLI_ONESHOT_H_ */
