/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config file of a persistent tunnel (ovpn-cli up <name|file>): one
 * "key = value" per line, '#' comments. Documentation/cli.md, "Config
 * file", lists the keys. Pure parsing: no file but the config itself is
 * touched (the key file is checked by tunnel.c).
 */

#ifndef _OVPN_CLI_CONF_H_
#define _OVPN_CLI_CONF_H_

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* longest tunnel name: it names files in the run directory */
#define CONF_NAME_MAX	64
#define CONF_FILE_MAX	65536

enum { CONF_TCP_NONE, CONF_TCP_LISTEN, CONF_TCP_CONNECT };

/* what the module takes per epoch (uapi OVPN_EPOCH_ATTR_REKEY_*) */
#define CONF_REKEY_PACKETS_MAX	0x80000000U
#define CONF_REKEY_SECONDS_MAX	315360000U
/* "rekey-seconds = 0": never by time (FAM_REKEY_NEVER, family.h) */
#define CONF_REKEY_NEVER	UINT32_MAX

/**
 * struct tunnel_conf - a parsed config file
 * @name: the tunnel's name (the file's name without ".conf")
 * @path: the config file
 * @key_file: "key": the static key file
 * @tcp: "proto = tcp"
 * @tcp_role: "tcp-role": CONF_TCP_LISTEN or CONF_TCP_CONNECT (TCP only)
 * @local: "local": local transport address
 * @local_port: and port
 * @remote: "remote": remote transport address (same family as @local)
 * @remote_port: and port
 * @vpn_ip: "address": this end's tunnel address
 * @vpn_plen: its prefix length
 * @vpn_ip6: "address6": an extra IPv6 tunnel address (family 0: none)
 * @vpn_plen6: its prefix length
 * @vpn_gw: "peer-address": the other end's tunnel address (family 0: none)
 * @cipher: "cipher"
 * @dev: "device", default the name
 * @peer_id: "peer-id"
 * @mtu: "mtu", 0 for the kernel's default
 * @ka_interval: "keepalive" interval, seconds
 * @ka_timeout: "keepalive" timeout, seconds
 * @rekey_seconds: "rekey-seconds": seconds per key epoch, 0 if not given
 *	(the kernel's default), CONF_REKEY_NEVER for "0" (never by time)
 * @rekey_packets: "rekey-packets": packets per key epoch, 1 to
 *	CONF_REKEY_PACKETS_MAX; 0 if not given (the kernel's default)
 */
struct tunnel_conf {
	char name[CONF_NAME_MAX + 1];
	char path[PATH_MAX];
	char key_file[PATH_MAX];
	bool tcp;
	int tcp_role;
	struct ip_addr local;
	uint16_t local_port;
	struct ip_addr remote;
	uint16_t remote_port;
	struct ip_addr vpn_ip;
	int vpn_plen;
	struct ip_addr vpn_ip6;
	int vpn_plen6;
	struct ip_addr vpn_gw;
	const struct cipher *cipher;
	char dev[IFNAMSIZ];
	uint32_t peer_id;
	uint32_t mtu;
	uint32_t ka_interval;
	uint32_t ka_timeout;
	uint32_t rekey_seconds;
	uint32_t rekey_packets;
};

/* a tunnel name: letters, digits, '_', '-', '.', not starting with '.' */
bool conf_name_ok(const char *name);

/*
 * Parse @text (a config file's contents, NUL-terminated) of tunnel @name
 * read from @path into @c. Returns 0, or -1 with "<path>:<line>: <what is
 * wrong>" (or "<path>: ..." for the file as a whole) in @err.
 */
int conf_parse(const char *text, const char *name, const char *path,
	       struct tunnel_conf *c, char *err, size_t errlen);

/*
 * Resolve "<name|file>": a NAME is <confdir>/NAME.conf (@confdir from
 * OVPN_CLI_CONFDIR, else /etc/ovpn-cli); anything with a '/' or ending in
 * ".conf" is the file itself, its name the file's without ".conf". Then
 * read and parse it. Returns 0, or -1 with @err set.
 */
int conf_load(const char *arg, struct tunnel_conf *c, char *err,
	      size_t errlen);

/*
 * Only the name of "<name|file>" (as conf_load() takes it) into @name;
 * -1 with @err if it is not a valid one.
 */
int conf_name_of(const char *arg, char *name, size_t len, char *err,
		 size_t errlen);

#endif /* _OVPN_CLI_CONF_H_ */
