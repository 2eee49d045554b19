/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovpn-cli commands. Each takes the arguments after its own name and
 * returns the exit status; usage errors exit(EXIT_USAGE) directly.
 */

#ifndef _OVPN_CLI_CMD_H_
#define _OVPN_CLI_CMD_H_

#include <stdio.h>

void usage(FILE *f);

/*
 * --family, before the command or among its options: "ovpn" or
 * "ovpn-dco-v2" (usage error otherwise).
 * Without it a device command speaks its device's family (kind "ovpn":
 * ovpn, else ovpn-dco-v2), listen_mcast ovpn-dco-v2's and new_iface makes
 * an "ovpn-dco" device; with it, that family (new_iface: its kind).
 */
void cmd_set_family(const char *name);

/* the --family given: FAMILY_AUTO if none */
enum cmd_family { FAMILY_AUTO, FAMILY_V2, FAMILY_OVPN };
enum cmd_family cmd_family(void);

/*
 * A --kind value of command @what: "ovpn" or "ovpn-dco", returned as it
 * is; usage error if it is NULL (missing) or anything else.
 */
const char *cmd_parse_kind(const char *what, const char *kind);

int cmd_new_iface(int argc, char **argv);
int cmd_del_iface(int argc, char **argv);
int cmd_listen_mcast(int argc, char **argv);
int cmd_genkey(int argc, char **argv);

/* "<iface> <cmd> ..." */
int cmd_iface(const char *iface, const char *cmd, int argc, char **argv);
/* true if @cmd is one of the "<iface> <cmd>" commands */
int is_iface_cmd(const char *cmd);

/*
 * "udp|tcp i4|i6 ...": argv[0] is "udp" or "tcp". The device's kind is
 * its --kind, else the --family's (as new_iface's), else ovpn-dco; it
 * speaks that kind's family.
 */
int oneshot_main(int argc, char **argv);

/* persistent tunnels (tunnel.c): "up <name|file> [--wait SECS]", "down
 * <name>", "show [name]"
 */
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_show(int argc, char **argv);

#endif /* _OVPN_CLI_CMD_H_ */
