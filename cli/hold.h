/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keeping a transport socket open for the upstream ovpn family. Its
 * PEER_NEW takes a reference to the socket but not to its file: closing the
 * fd removes every peer on it (PEER_DEL_NTF TRANSPORT_DISCONNECT). So after
 * a successful new_peer or new_multi_peer on an "ovpn" device, ovpn-cli
 * leaves a background process holding the fd (as the upstream selftests'
 * ovpn-cli does), which exits once none of its peers is left.
 */

#ifndef _OVPN_CLI_HOLD_H_
#define _OVPN_CLI_HOLD_H_

#include <stddef.h>
#include <stdint.h>

/**
 * hold_socket - keep @fd open in the background while its peers live
 * @what: the command, for messages
 * @fd: the transport socket; closed in this process in every case
 * @ifindex: the device
 * @ids: the ids of the peers added with @fd
 * @n: their number (at least 1)
 * @pid_file: if not NULL, the holder's pid is written there (a line)
 *
 * Forks a process that detaches (new session, stdin, stdout and stderr on
 * /dev/null, every other fd but @fd closed: a caller reading our output or
 * another pipe of ours sees its end at once), joins the
 * "peers" group and exits when a PEER_DEL_NTF has named every one of @ids
 * on @ifindex, or PEER_GET no longer finds them (checked at start, every
 * 5 s, and after lost notifications). SIGTERM or SIGKILL ends it at once,
 * and with it the peers (TRANSPORT_DISCONNECT).
 *
 * Return: 0 if the holder runs, 1 (reported on stderr) if not: then the fd
 * is closed and the kernel removes the peers.
 */
int hold_socket(const char *what, int fd, uint32_t ifindex,
		const uint32_t *ids, size_t n, const char *pid_file);

#endif /* _OVPN_CLI_HOLD_H_ */
