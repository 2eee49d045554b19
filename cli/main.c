// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-cli: drive the ovpn-dco-v2 module from the command line, through its
 * ovpn-dco-v2 generic netlink family or the upstream Linux "ovpn" family.
 * Documentation/cli.md is the contract for syntax and output.
 */

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

void usage(FILE *f)
{
	fputs(
"Usage:\n"
"  ovpn-cli udp|tcp i4|i6 <local-ip> <local-port> <remote-ip> <remote-port>\n"
"           <vpn-ip> <vpn-netmask> <vpn-gw> <key-file> <key-direction> [options]\n"
"      set up a whole static-key tunnel and run it in the foreground\n"
"      (one line of statistics per second; SIGINT/SIGTERM deletes the device)\n"
"      The two ends derive fresh data keys for every run from the key file\n"
"      and a nonce from each end (a handshake over the tunnel socket), so no\n"
"      restart ever repeats a (key, nonce) pair. Which end encrypts with which\n"
"      key comes from the endpoint order (tcp: the connecting end is A), not\n"
"      from <key-direction>: that digit is still accepted, and only picks the\n"
"      default tcp role (0 listens, 1 connects) and the --raw-key direction.\n"
"      --raw-key               install the key file as it is (key-direction\n"
"                              picks the half), to talk to ovpn-dco-cli or\n"
"                              the upstream ovpn-cli. RISK: every run reuses\n"
"                              the same key with packet ids from 1: (key,\n"
"                              nonce) pairs repeat after each restart; with\n"
"                              AES-GCM an eavesdropper gets the XOR of\n"
"                              plaintexts and can forge packets\n"
"      --cipher C              aes-128-gcm, aes-192-gcm, aes-256-gcm (default),\n"
"                              chacha20-poly1305\n"
"      --dev NAME              device name (default ovpn0)\n"
"      --peer-id N             peer id (default 0)\n"
"      --keepalive I,T         keepalive interval and timeout, s (default 5,60)\n"
"      --vpn-ip6 ADDR/PLEN     also give the device this IPv6 address\n"
"      --mtu N                 device MTU\n"
"      --epoch                 kind ovpn-dco: install the session keys as\n"
"                              the module's epoch keys: the kernel moves each\n"
"                              direction to a new key by itself (format and\n"
"                              derivation of OpenVPN 2.7's epoch data keys)\n"
"      --rekey-packets N       with --epoch: next epoch after N packets\n"
"                              (default 2147483648)\n"
"      --rekey-seconds N       with --epoch: and after N seconds (default\n"
"                              3600; 0: only by packets)\n"
"      --duration SECS         tear down and exit after SECS seconds\n"
"      --quiet                 no per-second lines\n"
"      --mss N                 clamp the MSS of TCP SYNs crossing the tunnel\n"
"                              to N (SET_PEER MSS; 0 disables)\n"
"      --tcp-listen            tcp: listen on <local-ip>:<local-port>, accept\n"
"                              one connection from <remote-ip>\n"
"      --tcp-connect           tcp: connect to <remote-ip>:<remote-port> from\n"
"                              <local-ip>:<local-port> (0: any), ~10 s of tries\n"
"                              (default: key-direction 0 listens, 1 connects)\n"
"      --send-raw-on-ready HEX tcp, for tests: write these bytes as they are\n"
"                              into the stream once ready\n"
"      --kind ovpn-dco|ovpn    the device's kind, driven through its family:\n"
"                              ovpn-dco-v2 (default) or the upstream ovpn\n"
"                              (no START_VPN: the link is set up; --mss is\n"
"                              skipped); --family ovpn|ovpn-dco-v2 (global or\n"
"                              here) picks the kind of its family\n"
"\n"
"  ovpn-cli up <name|file> [--wait SECS]\n"
"      bring up the tunnel of /etc/ovpn-cli/<name>.conf (or of a config\n"
"      file): the one-shot tunnel as a daemon (pidfile and log in\n"
"      /run/ovpn-cli); returns once the device is set up, with --wait once\n"
"      a session key is installed too (else it fails and tears it down)\n"
"  ovpn-cli down <name>\n"
"      stop the tunnel's daemon and make sure its device is gone\n"
"  ovpn-cli show [name]\n"
"      endpoint, last packet received, transfer, key epoch and next rekey\n"
"      of each tunnel brought up with up (or of <name>)\n"
"\n"
"  ovpn-cli [--family ovpn|ovpn-dco-v2] <command> ...\n"
"      <iface> commands speak the generic netlink family of the device's\n"
"      kind: the upstream \"ovpn\" family for kind ovpn, ovpn-dco-v2 for\n"
"      ovpn-dco (and anything else); --family (also accepted among a\n"
"      command's options) forces one, and also picks listen_mcast's family\n"
"      (default ovpn-dco-v2) and new_iface's kind\n"
"  ovpn-cli new_iface <iface> [p2p|mp] [--kind ovpn-dco|ovpn]\n"
"  ovpn-cli del_iface <iface>\n"
"  ovpn-cli <iface> new_peer <peer-id> <local-port> <remote-ip> <remote-port>\n"
"           [<vpn-ip>] [--vpn-ip6 ADDR] [--local-ip IP] [--fd-file PATH]\n"
"           [--tcp listen|connect] [--pid-file PATH]\n"
"      --tcp: a TCP connection instead of a UDP socket (listen on\n"
"      <local-port> for one from <remote-ip>, or connect to it), no remote\n"
"      address sent. ovpn family: a background process keeps the socket\n"
"      open while its peers live (--pid-file: its pid); kill it to close it\n"
"  ovpn-cli <iface> new_multi_peer <local-port> <peers-file> [--local-ip IP]\n"
"           [--ipv6] [--pid-file PATH]\n"
"      one UDP socket, one NEW_PEER per line of <peers-file>:\n"
"      <peer-id> <remote-ip> <remote-port> <vpn-ipv4|-> [<vpn-ipv6>]\n"
"  ovpn-cli <iface> set_peer <peer-id> <interval> <timeout> [--mss N]\n"
"      (--mss: ovpn-dco-v2 only)\n"
"  ovpn-cli <iface> del_peer <peer-id>\n"
"  ovpn-cli <iface> get_peer [<peer-id>]\n"
"  ovpn-cli <iface> new_key <peer-id> primary|secondary <key-id> <cipher>\n"
"           <key-direction> <key-file> --raw-key\n"
"      installs the key file as it is: needs --raw-key, with the same risk\n"
"      (each NEW_KEY restarts packet ids at 1 under the same key)\n"
"  ovpn-cli <iface> swap_keys <peer-id>\n"
"  ovpn-cli <iface> del_key <peer-id> [primary|secondary]\n"
"  ovpn-cli <iface> get_key <peer-id> [primary|secondary]   (ovpn only)\n"
"  ovpn-cli <iface> start_vpn                              (ovpn-dco-v2 only)\n"
"  ovpn-cli listen_mcast [<secs>] [--rcvbuf BYTES]\n"
"      --rcvbuf BYTES  ask for this receive buffer as a daemon does (plain\n"
"                      SO_RCVBUF, capped by net.core.rmem_max; OpenVPN 2.6\n"
"                      asks for 1048576) instead of forcing 8 MiB\n"
"  ovpn-cli genkey <key-file>\n"
"  ovpn-cli --version\n"
"\n"
"  Every <iface> command accepts --ifindex N to send N instead of the\n"
"  device's index; new_peer --fd-file PATH sends an fd of PATH (read-only)\n"
"  instead of a socket. Both are for negative tests.\n"
"\n"
"Exit status: 0 success, 1 failure (kernel refusals print errno and the\n"
"extack message), 2 usage error, 3 (one-shot) the peer was deleted.\n"
"See Documentation/cli.md.\n", f);
}

int main(int argc, char **argv)
{
	/* scenarios read our output through pipes and files, line by line */
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* ovpn-cli [--family ovpn|ovpn-dco-v2] <command> ... */
	while (argc > 1 && !strcmp(argv[1], "--family")) {
		if (argc < 3)
			usage_error("--family needs a value (ovpn or ovpn-dco-v2)");
		cmd_set_family(argv[2]);
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}

	if (argc < 2)
		usage_error("no command given");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ovpn-cli %s\n", OVPN_VERSION);
		return 0;
	}

	if (!strcmp(argv[1], "udp") || !strcmp(argv[1], "tcp"))
		return oneshot_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "new_iface"))
		return cmd_new_iface(argc - 2, argv + 2);
	if (!strcmp(argv[1], "del_iface"))
		return cmd_del_iface(argc - 2, argv + 2);
	if (!strcmp(argv[1], "listen_mcast"))
		return cmd_listen_mcast(argc - 2, argv + 2);
	if (!strcmp(argv[1], "genkey"))
		return cmd_genkey(argc - 2, argv + 2);
	if (!strcmp(argv[1], "up"))
		return cmd_up(argc - 2, argv + 2);
	if (!strcmp(argv[1], "down"))
		return cmd_down(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 2, argv + 2);

	if (argc < 3) {
		if (is_iface_cmd(argv[1]))
			usage_error("%s: the device comes first: ovpn-cli <iface> %s ...",
				    argv[1], argv[1]);
		usage_error("unknown command '%s'", argv[1]);
	}
	return cmd_iface(argv[1], argv[2], argc - 3, argv + 3);
}
