// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one-shot tunnel: one command sets up a whole static-key tunnel (like
 * the Windows ovpn-dco-cli), then stays in the foreground reporting
 * statistics, control packets and the peer's deletion until it is told to
 * stop. Whatever happens, the device it created is deleted before it exits.
 *
 * The device is of kind ovpn-dco, driven through ovpn-dco-v2, or of kind
 * ovpn, driven through the upstream ovpn family (--kind, --family): every
 * request goes through the family's &struct fam_ops.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "keyfile.h"
#include "nl.h"
#include "ovpn.h"
#include "oneshot.h"
#include "ovpnu.h"
#include "rtnl.h"
#include "session.h"
#include "util.h"

#define ONESHOT_POSITIONALS	10
#define EXIT_PEER_DELETED	3

/**
 * struct oneshot_cfg - the parsed command line
 * @tcp: "tcp" was asked for
 * @local: local transport address
 * @local_port: local transport port
 * @remote: remote transport address
 * @remote_port: remote transport port
 * @vpn_ip: the device's tunnel address
 * @vpn_plen: its prefix length
 * @vpn_gw: the remote end's tunnel address (informational)
 * @vpn_ip6: --vpn-ip6 address (family 0: none)
 * @vpn_plen6: its prefix length
 * @key_file: key file path
 * @direction: key direction (--raw-key only; otherwise it only picks the
 *	default TCP role)
 * @raw_key: --raw-key: install the key file as it is (no session keys)
 * @cipher: --cipher
 * @dev: --dev
 * @peer_id: --peer-id
 * @ka_interval: --keepalive interval
 * @ka_timeout: --keepalive timeout
 * @mtu: --mtu, 0 to keep the kernel's default
 * @duration: --duration, 0 for none
 * @quiet: --quiet
 * @tcp_role: ROLE_LISTEN or ROLE_CONNECT (TCP only)
 * @mss: --mss, -1 if not given
 * @raw: --send-raw-on-ready bytes (test option)
 * @raw_len: their number, 0 for none
 * @kind: --kind, NULL if not given
 * @fam: the family of the device's kind (from @kind or --family)
 * @epoch: --epoch (ovpn-cli up: always): session keys go in as the module's
 *	epoch keys, which move to new keys by themselves
 * @rekey_seconds: --rekey-seconds or config "rekey-seconds": TX seconds per
 *	epoch of the module's epoch keys, 0 for the default, FAM_REKEY_NEVER
 *	for no limit
 * @rekey_packets: --rekey-packets or config "rekey-packets": TX packets per
 *	epoch, 0 for the default
 * @hooks: ovpn-cli up's daemon: told when set up and when keyed; NULL for
 *	the one-shot command
 */
struct oneshot_cfg {
	bool tcp;
	struct ip_addr local;
	uint16_t local_port;
	struct ip_addr remote;
	uint16_t remote_port;
	struct ip_addr vpn_ip;
	int vpn_plen;
	struct ip_addr vpn_gw;
	struct ip_addr vpn_ip6;
	int vpn_plen6;
	const char *key_file;
	int direction;
	bool raw_key;
	const struct cipher *cipher;
	const char *dev;
	uint32_t peer_id;
	uint32_t ka_interval;
	uint32_t ka_timeout;
	uint32_t mtu;
	uint32_t duration;
	bool quiet;
	int tcp_role;
	int mss;
	unsigned char raw[512];
	size_t raw_len;
	const char *kind;
	const struct fam_ops *fam;
	bool epoch;
	uint32_t rekey_seconds;
	uint32_t rekey_packets;
	const struct oneshot_hooks *hooks;
};

enum { ROLE_DEFAULT, ROLE_LISTEN, ROLE_CONNECT };

/* what the module takes (uapi/linux/ovpn_dco.h, OVPN_EPOCH_ATTR_*) */
#define ONESHOT_REKEY_PACKETS_MAX	0x80000000U
#define ONESHOT_REKEY_SECONDS_MAX	315360000U

/* REPLY (until CONFIRM) and CONFIRM (until DONE) are resent once a second,
 * at most this often
 */
#define HS_REPLY_TRIES	30
/* after a re-key, the old key stays in the secondary slot this long (s) */
#define HS_OLD_KEY_SECS	5

/**
 * struct handshake - session-key state of the one-shot tunnel
 *
 * Only the one-shot loop's thread touches it. A nonce is ours only while its
 * handshake is active; it is cleared (and never reused) once that handshake
 * installed a key or was abandoned.
 *
 * @role: our &enum sess_role (from the endpoint order)
 * @master: the key file's first SESS_MASTER_LEN bytes
 * @auth: the handshake MAC key
 * @key_id: key id of the installed session, SESS_NO_KEY before the first
 * @old_key_ticks: seconds until DEL_KEY of the secondary slot, 0 for none
 * @init_active: we sent a HELLO and wait for its REPLY
 * @init_nonce: the nonce of that HELLO
 * @resp_active: we sent a REPLY and wait for its CONFIRM
 * @resp_tries: REPLYs left to send
 * @resp: the REPLY we sent (its nonces and key id)
 * @resp_to: where the HELLO came from (UDP)
 * @resp_to_len: its length
 * @conf_active: initiator: we sent CONFIRM (keys in the secondary slot)
 *	and wait for DONE
 * @conf_tries: CONFIRMs left to send
 * @conf: that handshake's nonces and key id
 * @conf_id: its session id, printed once DONE arrives
 * @rdone_valid: @rdone holds the last handshake we completed as responder
 * @rdone: its nonces and key id, to answer a repeated CONFIRM with DONE
 * @bad_mac: messages that failed authentication
 * @sessions: keys installed so far
 * @rekey_want: the kernel asked for a new key (SWAP_KEYS_NEEDED or
 *	KEY_SWAP_NTF for the current key); a handshake starts as soon as none
 *	is in progress and the previous old key is gone
 * @rekey_sessions: @sessions when it asked: a key installed since (the
 *	other end's handshake) answers the request too
 * @rekey_started: we started a handshake for the key of @rekey_started_at
 * @rekey_started_at: @sessions when we started it
 */
struct handshake {
	int role;
	uint8_t master[SESS_MASTER_LEN];
	uint8_t auth[SESS_MAC_LEN];
	uint8_t key_id;
	int old_key_ticks;
	bool init_active;
	uint8_t init_nonce[SESS_NONCE_LEN];
	bool resp_active;
	int resp_tries;
	struct sess_msg resp;
	struct sockaddr_storage resp_to;
	socklen_t resp_to_len;
	bool conf_active;
	int conf_tries;
	struct sess_msg conf;
	char conf_id[2 * SESS_ID_LEN + 1];
	bool rdone_valid;
	struct sess_msg rdone;
	unsigned long bad_mac;
	unsigned int sessions;
	bool rekey_want;
	unsigned int rekey_sessions;
	bool rekey_started;
	unsigned int rekey_started_at;
};

/**
 * struct tunnel - what the one-shot tunnel holds while it runs
 * @cfg: its configuration
 * @ifindex: the device, once created
 * @created: the device exists and must be deleted on exit
 * @sock_fd: the transport socket
 * @sig_fd: signalfd of SIGINT/SIGTERM
 * @timer_fd: the one-second timer
 * @nl: request socket
 * @mc: socket subscribed to "peers"
 * @t0_ms: when the tunnel became ready (monotonic)
 * @prev_ms: time of the previous statistics sample
 * @prev_rx: VPN RX bytes at the previous sample
 * @prev_tx: VPN TX bytes at the previous sample
 * @info: the latest GET_PEER answer
 * @have_info: @info was filled by the last GET_PEER
 * @deleted: a DEL_PEER notification for our peer arrived
 * @reason: its reason
 * @has_reason: @reason was present
 * @rbuf: TCP: bytes read from the stream, not yet a whole frame
 * @rlen: their number
 * @peer_str: TCP: the remote end of the connection, "<addr>:<port>"
 * @hs: session-key handshake (not with --raw-key)
 * @ready: "ready" was printed (a key is installed)
 * @failed: bringing the tunnel up after the first key failed: exit 1
 */
struct tunnel {
	const struct oneshot_cfg *cfg;
	uint32_t ifindex;
	bool created;
	int sock_fd;
	int sig_fd;
	int timer_fd;
	struct ovpn_nl nl;
	struct ovpn_nl mc;
	long long t0_ms;
	long long prev_ms;
	uint64_t prev_rx;
	uint64_t prev_tx;
	struct attr_vals info;
	bool have_info;
	bool deleted;
	uint32_t reason;
	bool has_reason;
	unsigned char rbuf[65536 + 2];
	size_t rlen;
	char peer_str[INET6_ADDRSTRLEN + 16];
	struct handshake hs;
	bool ready;
	bool failed;
};

static const char *opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		usage_error("option %s needs a value", argv[*i]);
	return argv[++*i];
}

static void parse_option(int argc, char **argv, int *i, struct oneshot_cfg *c)
{
	const char *opt = argv[*i];
	const char *v;
	char *comma;

	if (!strcmp(opt, "--quiet")) {
		c->quiet = true;
		return;
	}
	if (!strcmp(opt, "--epoch")) {
		c->epoch = true;
		return;
	}
	if (!strcmp(opt, "--raw-key")) {
		c->raw_key = true;
		return;
	}
	if (!strcmp(opt, "--tcp-listen") || !strcmp(opt, "--tcp-connect")) {
		c->tcp_role = opt[6] == 'l' ? ROLE_LISTEN : ROLE_CONNECT;
		return;
	}
	v = opt_value(argc, argv, i);
	if (!strcmp(opt, "--cipher")) {
		c->cipher = parse_cipher(v, false);
		if (!c->cipher)
			usage_error("unknown cipher '%s' (%s)", v, cipher_names());
	} else if (!strcmp(opt, "--dev")) {
		if (!*v || strlen(v) >= IFNAMSIZ)
			usage_error("invalid device name '%s'", v);
		c->dev = v;
	} else if (!strcmp(opt, "--peer-id")) {
		if (!parse_u32(v, &c->peer_id))
			usage_error("invalid peer id '%s'", v);
	} else if (!strcmp(opt, "--keepalive")) {
		char buf[32];

		if (strlen(v) >= sizeof(buf))
			usage_error("invalid keepalive '%s'", v);
		strcpy(buf, v);
		comma = strchr(buf, ',');
		if (!comma)
			usage_error("invalid keepalive '%s' (INTERVAL,TIMEOUT)", v);
		*comma = '\0';
		if (!parse_u32(buf, &c->ka_interval) ||
		    !parse_u32(comma + 1, &c->ka_timeout))
			usage_error("invalid keepalive '%s' (INTERVAL,TIMEOUT)", v);
	} else if (!strcmp(opt, "--vpn-ip6")) {
		if (!parse_ip_prefix(v, &c->vpn_ip6, &c->vpn_plen6) ||
		    c->vpn_ip6.family != AF_INET6)
			usage_error("invalid --vpn-ip6 '%s' (ADDR/PLEN)", v);
	} else if (!strcmp(opt, "--mtu")) {
		if (!parse_u32(v, &c->mtu) || !c->mtu)
			usage_error("invalid MTU '%s'", v);
	} else if (!strcmp(opt, "--rekey-packets")) {
		if (!parse_u32(v, &c->rekey_packets) || !c->rekey_packets ||
		    c->rekey_packets > ONESHOT_REKEY_PACKETS_MAX)
			usage_error("invalid --rekey-packets '%s' (1 to %u)", v,
				    ONESHOT_REKEY_PACKETS_MAX);
	} else if (!strcmp(opt, "--rekey-seconds")) {
		if (!parse_u32(v, &c->rekey_seconds) ||
		    c->rekey_seconds > ONESHOT_REKEY_SECONDS_MAX)
			usage_error("invalid --rekey-seconds '%s' (0 to %u)", v,
				    ONESHOT_REKEY_SECONDS_MAX);
		/* 0: never by time */
		if (!c->rekey_seconds)
			c->rekey_seconds = FAM_REKEY_NEVER;
	} else if (!strcmp(opt, "--mss")) {
		uint32_t mss;

		if (!parse_u32(v, &mss) || mss > 65535)
			usage_error("invalid --mss '%s' (0..65535)", v);
		c->mss = (int)mss;
	} else if (!strcmp(opt, "--send-raw-on-ready")) {
		size_t n = strlen(v), k;

		if (!n || n % 2 || n / 2 > sizeof(c->raw))
			usage_error("invalid --send-raw-on-ready '%s' (hex bytes)", v);
		for (k = 0; k < n; k += 2) {
			unsigned int b;

			if (!isxdigit((unsigned char)v[k]) ||
			    !isxdigit((unsigned char)v[k + 1]) ||
			    sscanf(v + k, "%2x", &b) != 1)
				usage_error("invalid --send-raw-on-ready '%s' (hex bytes)", v);
			c->raw[k / 2] = b;
		}
		c->raw_len = n / 2;
	} else if (!strcmp(opt, "--kind")) {
		c->kind = cmd_parse_kind("one-shot", v);
	} else if (!strcmp(opt, "--family")) {
		cmd_set_family(v);
	} else if (!strcmp(opt, "--duration")) {
		if (!parse_u32(v, &c->duration) || !c->duration)
			usage_error("invalid duration '%s'", v);
	} else {
		usage_error("unknown option %s", opt);
	}
}

/*
 * The device's kind: --kind, else the --family's, as new_iface picks it,
 * else ovpn-dco. It speaks its kind's family, as every "<iface>" command
 * does, so a --family that names the other one is a usage error.
 */
static void pick_family(struct oneshot_cfg *c)
{
	enum cmd_family forced = cmd_family();
	bool upstream;

	if (c->kind)
		upstream = !strcmp(c->kind, OVPNU_LINK_KIND);
	else
		upstream = forced == FAMILY_OVPN;
	c->fam = upstream ? &ovpnu_fam_ops : &ovpn_fam_ops;
	if (forced != FAMILY_AUTO && (forced == FAMILY_OVPN) != upstream)
		usage_error("--kind %s and --family %s: a device of kind %s speaks %s",
			    c->kind, upstream ? OVPN_NL_NAME : OVPNU_FAMILY_NAME,
			    c->kind, c->fam->family);
	if (c->epoch && !c->fam->has_epoch)
		usage_error("--epoch: epoch keys need a device of kind ovpn-dco (family %s)",
			    OVPN_NL_NAME);
	if (c->epoch && c->raw_key)
		usage_error("--epoch and --raw-key: epoch keys come from the session handshake");
}

static void parse_args(int argc, char **argv, struct oneshot_cfg *c)
{
	char *pos[ONESHOT_POSITIONALS];
	int npos = 0, family, i;

	memset(c, 0, sizeof(*c));
	c->tcp = !strcmp(argv[0], "tcp");
	c->cipher = parse_cipher("aes-256-gcm", false);
	c->dev = "ovpn0";
	c->ka_interval = 5;
	c->ka_timeout = 60;
	c->mss = -1;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2)) {
			parse_option(argc, argv, &i, c);
			continue;
		}
		if (npos == ONESHOT_POSITIONALS)
			usage_error("too many arguments");
		pos[npos++] = argv[i];
	}
	if (npos != ONESHOT_POSITIONALS)
		usage_error("%s: %d arguments needed after '%s', %d given",
			    argv[0], ONESHOT_POSITIONALS, argv[0], npos);

	if (!strcmp(pos[0], "i4"))
		family = AF_INET;
	else if (!strcmp(pos[0], "i6"))
		family = AF_INET6;
	else
		usage_error("'%s': i4 or i6 expected", pos[0]);

	if (!parse_ip(pos[1], &c->local) || c->local.family != family)
		usage_error("invalid %s local address '%s'", pos[0], pos[1]);
	if (!parse_port(pos[2], &c->local_port))
		usage_error("invalid local port '%s'", pos[2]);
	if (!parse_ip(pos[3], &c->remote) || c->remote.family != family)
		usage_error("invalid %s remote address '%s'", pos[0], pos[3]);
	if (!parse_port(pos[4], &c->remote_port) || !c->remote_port)
		usage_error("invalid remote port '%s'", pos[4]);
	if (!parse_ip(pos[5], &c->vpn_ip))
		usage_error("invalid VPN address '%s'", pos[5]);
	if (!parse_prefix(pos[6], c->vpn_ip.family, &c->vpn_plen))
		usage_error("invalid VPN netmask '%s'", pos[6]);
	if (!parse_ip(pos[7], &c->vpn_gw) ||
	    c->vpn_gw.family != c->vpn_ip.family)
		usage_error("invalid VPN gateway '%s' (same family as %s)",
			    pos[7], pos[5]);
	c->key_file = pos[8];
	if (!parse_direction(pos[9], &c->direction))
		usage_error("invalid key direction '%s' (0 or 1)", pos[9]);
	if (!c->tcp && c->tcp_role)
		usage_error("--tcp-listen and --tcp-connect need 'tcp'");
	if (!c->tcp && c->raw_len)
		usage_error("--send-raw-on-ready needs 'tcp'");
	/* key direction 0 is the "server" end: it listens. This is all the
	 * digit decides without --raw-key: session keys take their direction
	 * from the endpoint order.
	 */
	if (c->tcp && !c->tcp_role)
		c->tcp_role = c->direction == 0 ? ROLE_LISTEN : ROLE_CONNECT;
	pick_family(c);
}

static void tunnel_init(struct tunnel *t, const struct oneshot_cfg *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->sock_fd = -1;
	t->sig_fd = -1;
	t->timer_fd = -1;
}

/*
 * Delete the device and free everything; returns 0 or 1. The device goes
 * before the transport socket is closed: the ovpn family removes a peer
 * whose socket closes (TRANSPORT_DISCONNECT), the device's deletion removes
 * it as TEARDOWN, what the other listeners of "peers" should see.
 */
static int tunnel_teardown(struct tunnel *t)
{
	struct nlx_err err;
	int ret = 0;

	if (t->created && rt_link_del(NULL, t->ifindex, &err) &&
	    err.error != ENODEV) {
		nlx_report("del_iface", &err);
		ret = 1;
	}
	t->created = false;
	if (t->sock_fd >= 0)
		close(t->sock_fd);
	if (t->timer_fd >= 0)
		close(t->timer_fd);
	if (t->sig_fd >= 0)
		close(t->sig_fd);
	ovpn_nl_close(&t->nl);
	ovpn_nl_close(&t->mc);
	explicit_bzero(&t->hs, sizeof(t->hs));
	return ret;
}

static bool link_is_up(struct tunnel *t)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->cfg->dev);
	if (ioctl(t->sock_fd, SIOCGIFFLAGS, &ifr) < 0)
		return true;	/* cannot tell: leave it to the kernel */
	return ifr.ifr_flags & IFF_UP;
}

/* listen on local-ip:local-port, accept one connection from remote-ip */
static int tcp_accept_one(struct tunnel *t, char *msg, size_t len)
{
	const struct oneshot_cfg *c = t->cfg;
	int lfd, fd;

	lfd = tcp_listen_on(&c->local, c->local_port, msg, len);
	if (lfd < 0)
		return -1;
	printf("%s: tcp listening on port %u\n", c->dev, c->local_port);
	fflush(stdout);
	fd = tcp_accept_from(lfd, &c->remote, t->sig_fd, "socket", msg, len);
	close(lfd);
	return fd;
}

/* the transport socket: UDP bound, or TCP connected; -1 and @msg */
static int transport_open(struct tunnel *t, char *msg, size_t len)
{
	const struct oneshot_cfg *c = t->cfg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd;

	if (!c->tcp)
		return udp_socket_open(&c->local, c->local_port, msg, len);
	if (c->tcp_role == ROLE_LISTEN)
		fd = tcp_accept_one(t, msg, len);
	else
		fd = tcp_connect_retry(&c->local, c->local_port, &c->remote,
				       c->remote_port, TCP_CONNECT_MS, msg,
				       len);
	if (fd < 0)
		return -1;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		sockaddr_str((struct sockaddr *)&ss, sl, t->peer_str,
			     sizeof(t->peer_str));
	else
		snprintf(t->peer_str, sizeof(t->peer_str), "?");
	printf("%s: tcp connected to %s\n", c->dev, t->peer_str);
	fflush(stdout);
	return fd;
}

/*
 * Bring the tunnel up once it has a primary key: START_VPN (it needs one)
 * and check the link came up; a family without START_VPN (kind ovpn: the
 * carrier came with the peer) only has the link set up. 0 or -1.
 */
static int tunnel_start_vpn(struct tunnel *t)
{
	const struct fam_ops *fam = t->cfg->fam;
	struct nlx_err err;

	if (fam->start_vpn) {
		if (fam->start_vpn(&t->nl, t->ifindex, &err)) {
			nlx_report("start_vpn", &err);
			return -1;
		}
		if (link_is_up(t))
			return 0;
		/* START_VPN should have done this: say so loudly */
		fprintf(stderr,
			"ovpn-cli: warning: %s still down after START_VPN, bringing it up\n",
			t->cfg->dev);
	}
	if (rt_link_set(t->ifindex, 0, true, &err)) {
		nlx_report("link_up", &err);
		return -1;
	}
	return 0;
}

/* address bytes then port (big-endian) of one endpoint; returns the length */
static size_t endpoint_bytes(const struct ip_addr *ip, uint16_t port,
			     uint8_t *out)
{
	size_t n = ip->family == AF_INET ? 4 : 16;

	memcpy(out, ip->family == AF_INET ? (const void *)&ip->v4 :
		    (const void *)&ip->v6, n);
	out[n] = port >> 8;
	out[n + 1] = port & 0xff;
	return n + 2;
}

static bool ip_is_any(const struct ip_addr *ip)
{
	if (ip->family == AF_INET)
		return ip->v4.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&ip->v6);
}

/*
 * The source address the kernel picks for packets to @remote: what the other
 * end sees as ours when we were given a wildcard local address. A throwaway
 * connected UDP socket asks the routing table; nothing is sent.
 */
static int route_source(const struct ip_addr *remote, uint16_t port,
			struct ip_addr *out)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(remote, port, &ss);
	int fd, ret = -1;

	fd = socket(remote->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!connect(fd, (struct sockaddr *)&ss, len)) {
		len = sizeof(ss);
		if (!getsockname(fd, (struct sockaddr *)&ss, &len)) {
			out->family = remote->family;
			if (remote->family == AF_INET)
				out->v4 = ((struct sockaddr_in *)&ss)->sin_addr;
			else
				out->v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
			ret = 0;
		}
	}
	close(fd);
	return ret;
}

/*
 * UDP: our session role from the order of the two endpoints, as each end
 * sees them. A wildcard local address would sort first at both ends: it is
 * replaced by the source address the route to the remote gives, the one the
 * other end sees our packets come from (without NAT between the ends).
 */
static int udp_role(const struct oneshot_cfg *c)
{
	struct ip_addr local = c->local;
	uint8_t l[18], r[18];
	size_t n;

	if (ip_is_any(&local) &&
	    route_source(&c->remote, c->remote_port, &local))
		fprintf(stderr,
			"ovpn-cli: session: no route to the remote end to learn our address: %s\n",
			strerror(errno));
	n = endpoint_bytes(&local, c->local_port, l);
	endpoint_bytes(&c->remote, c->remote_port, r);
	return sess_role_of(l, r, n);
}

/* every step of the set-up; returns 0 or reports and returns -1 */
static int tunnel_setup(struct tunnel *t)
{
	const struct oneshot_cfg *c = t->cfg;
	struct ovpn_new_peer peer = { 0 };
	struct ovpn_new_key key = { 0 };
	const struct fam_ops *fam = c->fam;
	struct key_material km;
	struct nlx_err err;
	char msg[512];
	const char *step;
	int mss, ret;

	/* session keys: the file's bytes as they are (the direction-0
	 * layout), the direction comes from the endpoint order
	 */
	if (keyfile_load(c->key_file, c->raw_key ? c->direction : 0, &km, msg,
			 sizeof(msg))) {
		fprintf(stderr, "ovpn-cli: key_file: %s\n", msg);
		return -1;
	}
	if (!c->raw_key) {
		uint8_t *m = t->hs.master;

		memcpy(m, km.encrypt_key, KEYFILE_KEY_LEN);
		memcpy(m + KEYFILE_KEY_LEN, km.decrypt_key, KEYFILE_KEY_LEN);
		memcpy(m + 2 * KEYFILE_KEY_LEN, km.nonce_tail,
		       KEYFILE_NONCE_TAIL_LEN);
		explicit_bzero(&km, sizeof(km));
		if (sess_auth_key(t->hs.master, t->hs.auth)) {
			fprintf(stderr, "ovpn-cli: key_file: key derivation failed\n");
			return -1;
		}
		t->hs.key_id = SESS_NO_KEY;
	} else {
		raw_key_warning();
	}

	step = "new_iface";
	ret = rt_link_new(c->dev, fam->link_kind, OVPN_MODE_P2P, &err);
	if (ret)
		goto fail;
	t->ifindex = if_nametoindex(c->dev);
	if (!t->ifindex) {
		fprintf(stderr, "ovpn-cli: new_iface: %s created but not found: %s\n",
			c->dev, strerror(errno));
		goto fail_quiet;
	}
	t->created = true;

	if (c->mtu) {
		step = "set_mtu";
		ret = rt_link_set(t->ifindex, c->mtu, false, &err);
		if (ret)
			goto fail;
	}

	step = "netlink";
	ret = fam->nl_open(&t->nl, &err);
	if (ret)
		goto fail;
	/* subscribe before any peer exists, so no deletion can be missed */
	ret = fam->nl_open_mcast(&t->mc, 0, &err);
	if (ret)
		goto fail;

	t->sock_fd = transport_open(t, msg, sizeof(msg));
	if (t->sock_fd < 0) {
		fprintf(stderr, "ovpn-cli: socket: %s\n", msg);
		goto fail_quiet;
	}

	step = "new_peer";
	peer.peer_id = c->peer_id;
	peer.fd = t->sock_fd;
	/* TCP: the connected socket names the remote end. P2P: no VPN
	 * address (a P2P device of kind ovpn refuses one)
	 */
	if (!c->tcp)
		peer.remote_len = make_sockaddr(&c->remote, c->remote_port,
						&peer.remote);
	ret = fam->new_peer(&t->nl, t->ifindex, &peer, &err);
	if (ret)
		goto fail;

	if (c->raw_key) {
		step = "new_key";
		key.peer_id = c->peer_id;
		key.slot = OVPN_KEY_SLOT_PRIMARY;
		key.key_id = 0;
		key.cipher = c->cipher;
		key.km = &km;
		ret = fam->new_key(&t->nl, t->ifindex, &key, &err);
		if (ret)
			goto fail;
	} else if (!c->tcp) {
		t->hs.role = udp_role(c);
		if (t->hs.role < 0) {
			fprintf(stderr,
				"ovpn-cli: session: local and remote endpoints are the same\n");
			goto fail_quiet;
		}
	} else {
		/* the connecting end is A: both ends agree on who connected */
		t->hs.role = c->tcp_role == ROLE_CONNECT ? SESS_ROLE_A :
			     SESS_ROLE_B;
	}

	step = "set_peer";
	mss = c->mss;
	if (mss >= 0 && !fam->has_mss) {
		fprintf(stderr,
			"ovpn-cli: warning: --mss %d skipped: the %s family has no MSS clamp\n",
			mss, fam->family);
		mss = -1;
	}
	ret = fam->set_peer(&t->nl, t->ifindex, c->peer_id, c->ka_interval,
			    c->ka_timeout, mss, &err);
	if (ret)
		goto fail;

	step = "add_address";
	ret = rt_addr_add(t->ifindex, &c->vpn_ip, c->vpn_plen, &err);
	if (ret)
		goto fail;
	if (c->vpn_ip6.family) {
		ret = rt_addr_add(t->ifindex, &c->vpn_ip6, c->vpn_plen6, &err);
		if (ret)
			goto fail;
	}

	/* session keys: START_VPN once the first one is installed */
	if (c->raw_key && tunnel_start_vpn(t))
		goto fail_quiet;

	explicit_bzero(&km, sizeof(km));
	return 0;

fail:
	nlx_report(step, &err);
fail_quiet:
	explicit_bzero(&km, sizeof(km));
	return -1;
}

static int tunnel_open_fds(struct tunnel *t)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	t->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (t->sig_fd < 0) {
		fprintf(stderr, "ovpn-cli: signalfd: %s\n", strerror(errno));
		return -1;
	}
	t->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->timer_fd < 0) {
		fprintf(stderr, "ovpn-cli: timerfd: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* the peer moved to another transport address: say where, go on */
static void report_float(const struct ovpn_notif *n)
{
	char addr[INET6_ADDRSTRLEN + 16] = "none";

	if (n->remote_len)
		sockaddr_str((const struct sockaddr *)&n->remote,
			     n->remote_len, addr, sizeof(addr));
	printf("peer %u floated to %s\n", n->peer_id, addr);
	fflush(stdout);
}

/*
 * The kernel wants a new key: the current one's TX packet ids are running
 * out (SWAP_KEYS_NEEDED, repeated while the key sends; KEY_SWAP_NTF of a
 * kernel's own ovpn module comes once, the key already gone). Note the
 * request once per key: hs_rekey_start() acts on it from the loop, outside
 * this netlink callback.
 */
static void hs_rekey_request(struct tunnel *t, const struct ovpn_notif *n)
{
	struct handshake *hs = &t->hs;

	if (t->cfg->raw_key || hs->key_id == SESS_NO_KEY)
		return;
	/* a key we swapped away from: it no longer sends */
	if (n->has_key_id && n->key_id != hs->key_id)
		return;
	if (hs->rekey_want)
		return;
	/* a reminder while our handshake for this key is under way */
	if (hs->rekey_started && hs->rekey_started_at == hs->sessions &&
	    (hs->init_active || hs->conf_active))
		return;
	hs->rekey_want = true;
	hs->rekey_sessions = hs->sessions;
}

static int on_notification(struct nl_msg *msg, void *arg)
{
	struct tunnel *t = arg;
	struct ovpn_notif n;

	if (t->cfg->fam->parse_notification(msg, &n) ||
	    n.ifindex != t->ifindex)
		return NL_OK;
	if (n.kind == NOTIF_FLOAT_PEER) {
		if (!n.has_peer_id)
			n.peer_id = t->cfg->peer_id;
		if (n.peer_id == t->cfg->peer_id)
			report_float(&n);
		return NL_OK;
	}
	if (n.kind == NOTIF_SWAP_KEYS) {
		if (!n.has_peer_id || n.peer_id == t->cfg->peer_id) {
			if (n.has_key_id)
				printf("key %u of peer %u needs a swap\n",
				       n.key_id, t->cfg->peer_id);
			else
				printf("key none of peer %u needs a swap\n",
				       t->cfg->peer_id);
			fflush(stdout);
			hs_rekey_request(t, &n);
		}
		return NL_OK;
	}
	if (n.kind != NOTIF_DEL_PEER)
		return NL_OK;
	if (n.has_peer_id && n.peer_id != t->cfg->peer_id)
		return NL_OK;
	t->deleted = true;
	t->reason = n.reason;
	t->has_reason = n.has_reason;
	return NL_OK;
}

static void read_notifications(struct tunnel *t)
{
	struct nlx_err err;

	if (ovpn_nl_recv_notifications(&t->mc, on_notification, t, &err))
		nlx_report("peers", &err);
}

/* after GET_PEER found no peer, give its DEL_PEER notification a moment */
static void wait_for_deletion(struct tunnel *t, int ms)
{
	long long deadline = monotonic_ms() + ms;

	while (!t->deleted) {
		struct pollfd pfd = {
			.fd = nl_socket_get_fd(t->mc.sk),
			.events = POLLIN,
		};
		long long left = deadline - monotonic_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		read_notifications(t);
	}
}

static void report_deletion(struct tunnel *t)
{
	const char *name = del_peer_reason_name(t->reason);

	if (!t->has_reason)
		printf("peer %u deleted reason none\n", t->cfg->peer_id);
	else if (name)
		printf("peer %u deleted reason %s\n", t->cfg->peer_id, name);
	else
		printf("peer %u deleted reason %u\n", t->cfg->peer_id, t->reason);
}

/* send one handshake message: UDP to @to (or the remote), TCP as a frame */
static void hs_send(struct tunnel *t, const struct sess_msg *m,
		    const struct sockaddr_storage *to, socklen_t to_len)
{
	const struct oneshot_cfg *c = t->cfg;
	uint8_t buf[2 + SESS_MSG_LEN];
	struct sockaddr_storage ss;
	size_t off = 0, len;
	ssize_t n;

	if (sess_encode(t->hs.auth, m, buf + 2)) {
		fprintf(stderr, "ovpn-cli: session: MAC computation failed\n");
		return;
	}
	if (!c->tcp) {
		if (!to) {
			to_len = make_sockaddr(&c->remote, c->remote_port, &ss);
			to = &ss;
		}
		n = sendto(t->sock_fd, buf + 2, SESS_MSG_LEN, 0,
			   (const struct sockaddr *)to, to_len);
		if (n < 0 && errno != EAGAIN)
			fprintf(stderr, "ovpn-cli: session: send: %s\n",
				strerror(errno));
		return;
	}
	buf[0] = SESS_MSG_LEN >> 8;
	buf[1] = SESS_MSG_LEN & 0xff;
	len = sizeof(buf);
	while (off < len) {
		n = send(t->sock_fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "ovpn-cli: session: send: %s\n",
				strerror(errno));
			return;
		}
		off += n;
	}
}

static void hs_send_hello(struct tunnel *t)
{
	struct sess_msg m = {
		.type = SESS_HELLO,
		.role = t->hs.role,
		.key_id = t->hs.key_id,
	};

	memcpy(m.n_init, t->hs.init_nonce, SESS_NONCE_LEN);
	hs_send(t, &m, NULL, 0);
}

/* start a handshake as initiator with a nonce of its own */
static void hs_initiate(struct tunnel *t)
{
	if (sess_random(t->hs.init_nonce)) {
		fprintf(stderr, "ovpn-cli: session: getrandom: %s\n",
			strerror(errno));
		return;
	}
	t->hs.init_active = true;
	hs_send_hello(t);
}

/*
 * A re-key the kernel asked for: start a handshake as initiator once it is
 * safe. Not while another handshake is in progress (its key answers the
 * request, and two at once could pick the same key id), nor while the
 * previous old key waits for its DEL_KEY in the secondary slot: the new
 * key goes there at the REPLY, and the pending DEL_KEY would remove it.
 * The key has 2^28 packet ids left when the kernel first asks: seconds of
 * waiting cost nothing.
 */
static void hs_rekey_start(struct tunnel *t)
{
	struct handshake *hs = &t->hs;

	if (!hs->rekey_want)
		return;
	if (hs->sessions != hs->rekey_sessions) {
		/* a key was installed since (the other end's handshake) */
		hs->rekey_want = false;
		return;
	}
	if (hs->init_active || hs->resp_active || hs->conf_active ||
	    hs->old_key_ticks)
		return;
	hs->rekey_want = false;
	hs->rekey_started = true;
	hs->rekey_started_at = hs->sessions;
	printf("re-key: key %u is running out of packet ids, starting a new handshake\n",
	       hs->key_id);
	fflush(stdout);
	hs_initiate(t);
}

static void hs_print_ready(struct tunnel *t)
{
	if (t->ready)
		return;
	t->ready = true;
	printf("ready %s ifindex %u\n", t->cfg->dev, t->ifindex);
	fflush(stdout);
}

/* derive the keys of @m and install them in @slot; @id gets the session id */
static int hs_new_key(struct tunnel *t, const struct sess_msg *m, uint8_t slot,
		      char *id)
{
	const struct oneshot_cfg *c = t->cfg;
	struct ovpn_new_key key = { 0 };
	struct sess_keys sk;
	struct nlx_err err;
	int i, ret;

	if (sess_derive(t->hs.master, m->n_init, m->n_resp, m->key_id,
			t->hs.role, &sk)) {
		fprintf(stderr, "ovpn-cli: session: key derivation failed\n");
		return -1;
	}
	key.peer_id = c->peer_id;
	key.slot = slot;
	key.key_id = m->key_id;
	key.cipher = c->cipher;
	key.km = &sk.km;
	key.decrypt_tail = sk.decrypt_tail;
	/* the module moves both directions to new keys on its own */
	if (c->epoch) {
		key.epoch_tx = sk.epoch_tx;
		key.epoch_rx = sk.epoch_rx;
		key.rekey_packets = c->rekey_packets;
		key.rekey_seconds = c->rekey_seconds;
	}
	ret = c->fam->new_key(&t->nl, t->ifindex, &key, &err);
	for (i = 0; i < SESS_ID_LEN; i++)
		snprintf(id + 2 * i, 3, "%02x", sk.id[i]);
	explicit_bzero(&sk, sizeof(sk));
	if (ret) {
		nlx_report("new_key", &err);
		return -1;
	}
	return 0;
}

/*
 * The new key is in the secondary slot: make it the primary (TX) one. The
 * key it replaces stays in the secondary slot for packets still in flight
 * and is deleted a few seconds later. The first key also brings the tunnel
 * up (START_VPN needs a primary key).
 */
static void hs_activate(struct tunnel *t, const struct sess_msg *m,
			const char *id)
{
	const struct oneshot_cfg *c = t->cfg;
	bool first = t->hs.key_id == SESS_NO_KEY;
	struct nlx_err err;

	if (c->fam->swap_keys(&t->nl, t->ifindex, c->peer_id, &err)) {
		nlx_report("swap_keys", &err);
		t->failed = true;
		return;
	}
	if (!first)
		t->hs.old_key_ticks = HS_OLD_KEY_SECS;
	t->hs.key_id = m->key_id;
	t->hs.sessions++;
	printf("session key %s installed, key-id %u (role %c, %s)\n", id,
	       m->key_id, t->hs.role == SESS_ROLE_A ? 'A' : 'B',
	       first ? "first" : "re-key");
	fflush(stdout);
	if (first && tunnel_start_vpn(t)) {
		t->failed = true;
		return;
	}
	hs_print_ready(t);
	if (first && c->hooks && c->hooks->on_keyed)
		c->hooks->on_keyed(c->hooks->arg);
}

/* the same handshake: both nonces and the key id */
static bool same_session(const struct sess_msg *a, const struct sess_msg *b)
{
	return !memcmp(a->n_init, b->n_init, SESS_NONCE_LEN) &&
	       !memcmp(a->n_resp, b->n_resp, SESS_NONCE_LEN) &&
	       a->key_id == b->key_id;
}

static void hs_on_hello(struct tunnel *t, const struct sess_msg *m,
			const struct sockaddr_storage *from, socklen_t flen)
{
	struct handshake *hs = &t->hs;

	/*
	 * Both ends started at once: A's HELLO wins, B answers it. B's HELLO
	 * says B is listening now: A's goes out again at once, not at the next
	 * one-second tick (the first may have reached B before it was up).
	 */
	if (hs->init_active && hs->role == SESS_ROLE_A) {
		hs_send_hello(t);
		return;
	}
	hs->init_active = false;
	if (hs->resp_active && !memcmp(hs->resp.n_init, m->n_init,
				       SESS_NONCE_LEN)) {
		/* a repeated HELLO: our REPLY was lost */
		hs_send(t, &hs->resp, from, flen);
		return;
	}
	/*
	 * A new HELLO: a fresh start of the other end, or a replay. Answer
	 * with a fresh nonce; nothing changes here unless a CONFIRM proves
	 * that the other end saw that nonce.
	 */
	memset(&hs->resp, 0, sizeof(hs->resp));
	if (sess_random(hs->resp.n_resp)) {
		fprintf(stderr, "ovpn-cli: session: getrandom: %s\n",
			strerror(errno));
		hs->resp_active = false;
		return;
	}
	hs->resp.type = SESS_REPLY;
	hs->resp.role = hs->role;
	hs->resp.key_id = sess_next_key_id(hs->key_id, m->key_id);
	memcpy(hs->resp.n_init, m->n_init, SESS_NONCE_LEN);
	hs->resp_active = true;
	hs->resp_tries = HS_REPLY_TRIES;
	if (from) {
		hs->resp_to = *from;
		hs->resp_to_len = flen;
	} else {
		hs->resp_to_len = 0;
	}
	hs_send(t, &hs->resp, from, flen);
}

static void hs_send_as(struct tunnel *t, const struct sess_msg *m, uint8_t type,
		       const struct sockaddr_storage *to, socklen_t to_len)
{
	struct sess_msg out = *m;

	out.type = type;
	out.role = t->hs.role;
	hs_send(t, &out, to, to_len);
}

/*
 * Initiator: a REPLY. Its keys go to the secondary slot, where the kernel
 * can already decrypt with them while we keep sending with what we had;
 * we switch to them (SWAP_KEYS) once DONE says the responder has them too,
 * so none of our packets reach it before it can decrypt them.
 */
static void hs_on_reply(struct tunnel *t, const struct sess_msg *m,
			const struct sockaddr_storage *from, socklen_t flen)
{
	struct handshake *hs = &t->hs;

	if (hs->init_active &&
	    !memcmp(m->n_init, hs->init_nonce, SESS_NONCE_LEN)) {
		/* it carries our fresh nonce: the other end is live now */
		hs->init_active = false;
		explicit_bzero(hs->init_nonce, sizeof(hs->init_nonce));
		if (hs_new_key(t, m, OVPN_KEY_SLOT_SECONDARY, hs->conf_id))
			return;
		hs->conf = *m;
		hs->conf_active = true;
		hs->conf_tries = HS_REPLY_TRIES;
		hs_send_as(t, m, SESS_CONFIRM, from, flen);
		return;
	}
	/* our CONFIRM was lost: say it again, nothing else changes */
	if (hs->conf_active && same_session(m, &hs->conf))
		hs_send_as(t, &hs->conf, SESS_CONFIRM, from, flen);
}

/* responder: the CONFIRM proves the initiator saw our fresh nonce */
static void hs_on_confirm(struct tunnel *t, const struct sess_msg *m,
			  const struct sockaddr_storage *from, socklen_t flen)
{
	struct handshake *hs = &t->hs;
	char id[2 * SESS_ID_LEN + 1];

	if (hs->rdone_valid && same_session(m, &hs->rdone)) {
		/* our DONE was lost */
		hs_send_as(t, &hs->rdone, SESS_DONE, from, flen);
		return;
	}
	if (!hs->resp_active || !same_session(m, &hs->resp))
		return;
	hs->resp_active = false;
	explicit_bzero(&hs->resp, sizeof(hs->resp));
	/* the initiator decrypts with these keys already: send with them */
	if (hs_new_key(t, m, OVPN_KEY_SLOT_SECONDARY, id))
		return;
	hs->rdone = *m;
	hs->rdone_valid = true;
	hs_activate(t, m, id);
	hs_send_as(t, m, SESS_DONE, from, flen);
}

/* initiator: the responder installed the keys; send with them too */
static void hs_on_done(struct tunnel *t, const struct sess_msg *m)
{
	struct handshake *hs = &t->hs;

	if (!hs->conf_active || !same_session(m, &hs->conf))
		return;
	hs->conf_active = false;
	hs_activate(t, m, hs->conf_id);
}

/* a handshake message arrived (UDP: from @from; TCP: @from is NULL) */
static void hs_receive(struct tunnel *t, const uint8_t *buf, size_t len,
		       const struct sockaddr_storage *from, socklen_t flen,
		       const char *src)
{
	struct sess_msg m;
	int ret;

	if (t->cfg->raw_key) {
		if (!t->hs.bad_mac++)
			printf("session: handshake from %s ignored (--raw-key)\n",
			       src);
		return;
	}
	ret = sess_decode(t->hs.auth, buf, len, &m);
	if (ret == -2) {
		/* say it once, then every 10th: a flood must not flood us */
		if (!(t->hs.bad_mac++ % 10)) {
			fprintf(stderr,
				"ovpn-cli: session: handshake from %s failed authentication (not our key file?), %lu so far; no keys installed from it\n",
				src, t->hs.bad_mac);
		}
		return;
	}
	if (ret) {
		fprintf(stderr, "ovpn-cli: session: malformed handshake from %s (%zu bytes)\n",
			src, len);
		return;
	}
	if (m.role == t->hs.role) {
		/* our own message reflected, or both ends see themselves
		 * first (a wildcard local address can do that)
		 */
		fprintf(stderr,
			"ovpn-cli: session: handshake from %s claims our role %c: reflected, or the endpoints are seen differently by the two ends\n",
			src, m.role == SESS_ROLE_A ? 'A' : 'B');
		return;
	}
	if (m.type == SESS_HELLO)
		hs_on_hello(t, &m, from, flen);
	else if (m.type == SESS_REPLY)
		hs_on_reply(t, &m, from, flen);
	else if (m.type == SESS_CONFIRM)
		hs_on_confirm(t, &m, from, flen);
	else
		hs_on_done(t, &m);
}

/* once a second: retransmissions and the old key's deletion */
static void hs_tick(struct tunnel *t)
{
	struct handshake *hs = &t->hs;
	struct nlx_err err;

	if (t->cfg->raw_key)
		return;
	if (hs->old_key_ticks && !--hs->old_key_ticks &&
	    t->cfg->fam->del_key(&t->nl, t->ifindex, t->cfg->peer_id,
				 OVPN_KEY_SLOT_SECONDARY, &err))
		nlx_report("del_key", &err);
	if (hs->init_active)
		hs_send_hello(t);
	if (hs->conf_active) {
		if (hs->conf_tries-- > 0)
			hs_send_as(t, &hs->conf, SESS_CONFIRM, NULL, 0);
		else
			hs->conf_active = false;
	}
	if (hs->resp_active) {
		if (hs->resp_tries-- > 0) {
			hs_send(t, &hs->resp,
				hs->resp_to_len ? &hs->resp_to : NULL,
				hs->resp_to_len);
		} else {
			hs->resp_active = false;
			explicit_bzero(&hs->resp, sizeof(hs->resp));
		}
	}
	/* no key and nobody answering us: start over with a new nonce */
	if (hs->key_id == SESS_NO_KEY && !hs->init_active &&
	    !hs->resp_active && !hs->conf_active)
		hs_initiate(t);
	hs_rekey_start(t);
}

static void drain_udp(struct tunnel *t)
{
	unsigned char buf[65536];
	struct sockaddr_storage from;
	char addr[INET6_ADDRSTRLEN + 16];

	for (;;) {
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(t->sock_fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &flen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fprintf(stderr, "ovpn-cli: UDP socket: %s\n",
					strerror(errno));
			return;
		}
		sockaddr_str((struct sockaddr *)&from, flen, addr, sizeof(addr));
		if (sess_is_handshake(buf, n)) {
			hs_receive(t, buf, n, &from, flen, addr);
			continue;
		}
		/* opcode 0 stands for an empty packet: no real opcode is 0 */
		printf("control packet %zd bytes from %s opcode %u\n", n, addr,
		       n > 0 ? buf[0] >> 3 : 0);
	}
}

/*
 * TCP: read what the kernel left on the stream and report each whole frame.
 * Returns false once the stream ended (EOF or error, reported).
 */
static bool drain_tcp(struct tunnel *t)
{
	for (;;) {
		ssize_t n = recv(t->sock_fd, t->rbuf + t->rlen,
				 sizeof(t->rbuf) - t->rlen, MSG_DONTWAIT);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			printf("tcp connection error: %s\n", strerror(errno));
			fflush(stdout);
			return false;
		}
		if (n == 0) {
			if (t->rlen)
				printf("tcp connection closed (EOF) with %zu bytes of a partial frame\n",
				       t->rlen);
			else
				printf("tcp connection closed (EOF)\n");
			fflush(stdout);
			return false;
		}
		t->rlen += n;
		while (t->rlen - off >= 2) {
			size_t flen = (t->rbuf[off] << 8) | t->rbuf[off + 1];

			if (t->rlen - off < 2 + flen)
				break;
			if (sess_is_handshake(t->rbuf + off + 2, flen)) {
				hs_receive(t, t->rbuf + off + 2, flen, NULL, 0,
					   t->peer_str);
				off += 2 + flen;
				continue;
			}
			/* opcode 0 stands for an empty frame */
			printf("control packet %zu bytes from %s opcode %u\n",
			       flen, t->peer_str,
			       flen ? t->rbuf[off + 2] >> 3 : 0);
			off += 2 + flen;
		}
		memmove(t->rbuf, t->rbuf + off, t->rlen - off);
		t->rlen -= off;
		fflush(stdout);
	}
}

/* --send-raw-on-ready: write the bytes as given into the stream */
static void send_raw(struct tunnel *t)
{
	const struct oneshot_cfg *c = t->cfg;
	size_t off = 0;

	while (off < c->raw_len) {
		ssize_t n = send(t->sock_fd, c->raw + off, c->raw_len - off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			printf("sending raw bytes failed: %s\n", strerror(errno));
			fflush(stdout);
			return;
		}
		off += n;
	}
	printf("sent %zu raw bytes\n", c->raw_len);
	fflush(stdout);
}

static void store_info(const struct attr_vals *info, void *arg)
{
	struct tunnel *t = arg;

	t->info = *info;
	t->have_info = true;
}

static unsigned long long kbits(uint64_t now, uint64_t prev, long long ms)
{
	uint64_t delta = now > prev ? now - prev : 0;

	if (ms <= 0)
		return 0;
	/* bits per millisecond are kbit/s */
	return (delta * 8 + ms / 2) / ms;
}

/* one statistics line; returns 0, EXIT_PEER_DELETED or 1 */
static int sample(struct tunnel *t)
{
	const struct fam_ops *fam = t->cfg->fam;
	const struct attr_vals *p = &t->info;
	uint32_t peer_id = t->cfg->peer_id;
	uint64_t rx, tx;
	struct nlx_err err;
	long long now;
	int ret;

	t->have_info = false;
	ret = fam->get_peer(&t->nl, t->ifindex, &peer_id, store_info, t, &err);
	/* the peer or the whole device went away under us (DEL_PEER, ip link
	 * del, rmmod): the notification says why
	 */
	if (ret == -ENOENT || ret == -ENODEV) {
		wait_for_deletion(t, 1000);
		if (t->deleted)
			return EXIT_PEER_DELETED;
	}
	if (ret) {
		nlx_report("get_peer", &err);
		return 1;
	}
	if (!t->have_info) {
		fprintf(stderr, "ovpn-cli: get_peer: no peer in the answer\n");
		return 1;
	}

	now = monotonic_ms();
	rx = p->num[fam->vpn_rx_bytes];
	tx = p->num[fam->vpn_tx_bytes];
	printf("%s t=%llds rx %llu pkts %llu B %llu kbit/s tx %llu pkts %llu B %llu kbit/s\n",
	       t->cfg->dev, (now - t->t0_ms + 500) / 1000,
	       (unsigned long long)p->num[fam->vpn_rx_packets],
	       (unsigned long long)rx, kbits(rx, t->prev_rx, now - t->prev_ms),
	       (unsigned long long)p->num[fam->vpn_tx_packets],
	       (unsigned long long)tx, kbits(tx, t->prev_tx, now - t->prev_ms));
	t->prev_rx = rx;
	t->prev_tx = tx;
	t->prev_ms = now;
	return 0;
}

/* the foreground loop; returns the exit status */
static int tunnel_run(struct tunnel *t)
{
	enum { P_SIG, P_MC, P_UDP, P_TIMER, P_N };
	struct pollfd pfd[P_N] = {
		[P_SIG] = { .fd = t->sig_fd, .events = POLLIN },
		[P_MC] = { .fd = nl_socket_get_fd(t->mc.sk), .events = POLLIN },
		[P_UDP] = { .fd = t->sock_fd, .events = POLLIN },
		[P_TIMER] = { .fd = t->timer_fd, .events = POLLIN },
	};
	struct itimerspec its = {
		.it_interval = { .tv_sec = 1 },
		.it_value = { .tv_sec = 1 },
	};
	const struct oneshot_cfg *c = t->cfg;

	/* the seconds count from "ready" */
	if (timerfd_settime(t->timer_fd, 0, &its, NULL)) {
		fprintf(stderr, "ovpn-cli: timerfd: %s\n", strerror(errno));
		return 1;
	}
	t->t0_ms = monotonic_ms();
	t->prev_ms = t->t0_ms;
	if (c->raw_key)
		hs_print_ready(t);
	else
		hs_initiate(t);
	if (c->raw_len)
		send_raw(t);

	for (;;) {
		uint64_t ticks;
		int ret;

		if (poll(pfd, P_N, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ovpn-cli: poll: %s\n", strerror(errno));
			return 1;
		}
		if (pfd[P_SIG].revents)
			return 0;
		if (pfd[P_MC].revents) {
			read_notifications(t);
			if (t->deleted) {
				report_deletion(t);
				return EXIT_PEER_DELETED;
			}
			hs_rekey_start(t);
		}
		if (pfd[P_UDP].revents) {
			if (!c->tcp)
				drain_udp(t);
			else if (!drain_tcp(t))
				pfd[P_UDP].fd = -1;	/* stop polling it */
		}
		if (t->failed)
			return 1;
		if (!pfd[P_TIMER].revents ||
		    read(t->timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
			continue;
		hs_tick(t);
		if (t->failed)
			return 1;
		if (c->duration && monotonic_ms() - t->t0_ms >= c->duration * 1000LL)
			return 0;
		if (c->quiet)
			continue;
		ret = sample(t);
		if (ret == EXIT_PEER_DELETED)
			report_deletion(t);
		if (ret)
			return ret;
	}
}

static int oneshot_run(const struct oneshot_cfg *c)
{
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
	char vpn[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN] = "none";
	const struct oneshot_cfg cfg = *c;
	struct tunnel t;
	sigset_t set;
	int ret;

	/* a signal during set-up is acted on once the loop runs */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		fprintf(stderr, "ovpn-cli: sigprocmask: %s\n", strerror(errno));
		return 1;
	}

	tunnel_init(&t, &cfg);
	if (tunnel_open_fds(&t) || tunnel_setup(&t)) {
		tunnel_teardown(&t);
		return 1;
	}
	if (cfg.hooks && cfg.hooks->on_setup)
		cfg.hooks->on_setup(cfg.hooks->arg);

	ip_addr_str(&cfg.local, local, sizeof(local));
	ip_addr_str(&cfg.remote, remote, sizeof(remote));
	ip_addr_str(&cfg.vpn_ip, vpn, sizeof(vpn));
	if (cfg.vpn_gw.family)
		ip_addr_str(&cfg.vpn_gw, gw, sizeof(gw));
	printf("%s: %s %s port %u -> %s port %u peer-id %u cipher %s vpn %s/%d gw %s\n",
	       cfg.dev, cfg.tcp ? "tcp" : "udp", local, cfg.local_port, remote, cfg.remote_port,
	       cfg.peer_id, cfg.cipher->name, vpn, cfg.vpn_plen, gw);
	if (!cfg.raw_key)
		printf("%s: session keys: handshake as role %c with %s (ready once a key is installed)\n",
		       cfg.dev, t.hs.role == SESS_ROLE_A ? 'A' : 'B',
		       cfg.tcp ? t.peer_str : remote);
	fflush(stdout);

	ret = tunnel_run(&t);
	fflush(stdout);
	if (tunnel_teardown(&t) && ret == 0)
		ret = 1;
	return ret;
}

int oneshot_main(int argc, char **argv)
{
	struct oneshot_cfg cfg;

	parse_args(argc, argv, &cfg);
	return oneshot_run(&cfg);
}

int oneshot_run_conf(const struct tunnel_conf *tc,
		     const struct oneshot_hooks *hooks)
{
	struct oneshot_cfg cfg = {
		.tcp = tc->tcp,
		.local = tc->local,
		.local_port = tc->local_port,
		.remote = tc->remote,
		.remote_port = tc->remote_port,
		.vpn_ip = tc->vpn_ip,
		.vpn_plen = tc->vpn_plen,
		.vpn_gw = tc->vpn_gw,
		.vpn_ip6 = tc->vpn_ip6,
		.vpn_plen6 = tc->vpn_plen6,
		.key_file = tc->key_file,
		.cipher = tc->cipher,
		.dev = tc->dev,
		.peer_id = tc->peer_id,
		.ka_interval = tc->ka_interval,
		.ka_timeout = tc->ka_timeout,
		.mtu = tc->mtu,
		.quiet = true,
		.tcp_role = tc->tcp_role == CONF_TCP_LISTEN ? ROLE_LISTEN :
			    tc->tcp_role == CONF_TCP_CONNECT ? ROLE_CONNECT :
			    ROLE_DEFAULT,
		.mss = -1,
		.fam = &ovpn_fam_ops,
		/* the kernel moves to new keys with no process around */
		.epoch = true,
		.rekey_seconds = tc->rekey_seconds,
		.rekey_packets = tc->rekey_packets,
		.hooks = hooks,
	};

	return oneshot_run(&cfg);
}
