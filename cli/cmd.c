// SPDX-License-Identifier: GPL-2.0-only
/*
 * ovpn-cli commands acting on one device ("<iface> <cmd> ...") and the
 * device-less ones (new_iface, del_iface, listen_mcast, genkey).
 *
 * A device command speaks the family of the device's rtnetlink kind:
 * ovpn-dco-v2 (ovpn.h) for "ovpn-dco" and anything else, the upstream ovpn
 * family (ovpnu.h) for "ovpn"; the global --family option forces either.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "hold.h"
#include "keyfile.h"
#include "nl.h"
#include "ovpn.h"
#include "ovpnu.h"
#include "rtnl.h"
#include "util.h"

#define MAX_POS 8

/* options of "<iface> <cmd>" commands */
#define OPT_FD_FILE	(1U << 0)
#define OPT_LOCAL_IP	(1U << 1)
#define OPT_VPN_IP6	(1U << 2)
#define OPT_IPV6	(1U << 3)
#define OPT_MSS		(1U << 4)
#define OPT_RAW_KEY	(1U << 5)
#define OPT_TCP		(1U << 6)
#define OPT_PID_FILE	(1U << 7)

/* the global --family: FAMILY_AUTO picks by the device's kind */
static enum cmd_family family_opt = FAMILY_AUTO;

/* new_peer --tcp */
enum { NEW_PEER_UDP, NEW_PEER_TCP_LISTEN, NEW_PEER_TCP_CONNECT };

/**
 * struct iface_args - a parsed "<iface> <cmd> ..." command line
 * @iface: the device name
 * @cmd: the command name
 * @ifindex: the device's index, or the --ifindex value
 * @has_ifindex: --ifindex was given
 * @pos: positional arguments after @cmd
 * @npos: number of @pos
 * @fd_file: new_peer --fd-file
 * @local_ip: new_peer/new_multi_peer --local-ip
 * @vpn_ip6: new_peer --vpn-ip6
 * @ipv6: new_multi_peer --ipv6
 * @mss: set_peer --mss, -1 if not given
 * @raw_key: new_key --raw-key
 * @tcp: new_peer --tcp (NEW_PEER_*)
 * @pid_file: new_peer/new_multi_peer --pid-file
 * @upstream: the device speaks the upstream ovpn family (set by begin())
 * @fam: the requests of its family (set by begin())
 */
struct iface_args {
	const char *iface;
	const char *cmd;
	uint32_t ifindex;
	bool has_ifindex;
	char *pos[MAX_POS];
	int npos;
	const char *fd_file;
	const char *local_ip;
	const char *vpn_ip6;
	bool ipv6;
	int mss;
	bool raw_key;
	int tcp;
	const char *pid_file;
	bool upstream;
	const struct fam_ops *fam;
};

void cmd_set_family(const char *name)
{
	if (!strcmp(name, OVPNU_FAMILY_NAME))
		family_opt = FAMILY_OVPN;
	else if (!strcmp(name, OVPN_NL_NAME))
		family_opt = FAMILY_V2;
	else
		usage_error("unknown --family '%s' (%s or %s)", name,
			    OVPNU_FAMILY_NAME, OVPN_NL_NAME);
}

enum cmd_family cmd_family(void)
{
	return family_opt;
}

const char *cmd_parse_kind(const char *what, const char *kind)
{
	if (!kind)
		usage_error("%s: --kind needs a value (%s or %s)", what,
			    OVPNU_LINK_KIND, OVPN_LINK_KIND);
	if (strcmp(kind, OVPNU_LINK_KIND) && strcmp(kind, OVPN_LINK_KIND))
		usage_error("%s: invalid --kind '%s' (%s or %s)", what, kind,
			    OVPNU_LINK_KIND, OVPN_LINK_KIND);
	return kind;
}

static void check_ifname(const char *name)
{
	if (!*name || strlen(name) >= IFNAMSIZ)
		usage_error("invalid device name '%s' (1 to %d characters)",
			    name, IFNAMSIZ - 1);
}

static uint32_t arg_u32(const char *s, const char *what)
{
	uint32_t v;

	if (!parse_u32(s, &v))
		usage_error("invalid %s '%s'", what, s);
	return v;
}

/* the upstream family for a device of kind "ovpn", unless --family says */
static bool device_is_upstream(uint32_t ifindex)
{
	struct nlx_err err;
	char kind[32];

	if (family_opt != FAMILY_AUTO)
		return family_opt == FAMILY_OVPN;
	/* no such device, or no kind: ovpn-dco-v2, which reports it */
	if (rt_link_kind(ifindex, kind, sizeof(kind), &err))
		return false;
	return !strcmp(kind, OVPNU_LINK_KIND);
}

/* resolve the device and open its family; prints the error */
static int begin(struct iface_args *a, struct ovpn_nl *nl)
{
	struct nlx_err err;

	if (!a->has_ifindex) {
		a->ifindex = if_nametoindex(a->iface);
		if (!a->ifindex) {
			fprintf(stderr, "ovpn-cli: %s: %s: %s\n", a->cmd,
				a->iface, strerror(errno));
			return -1;
		}
	}
	a->upstream = device_is_upstream(a->ifindex);
	a->fam = a->upstream ? &ovpnu_fam_ops : &ovpn_fam_ops;
	if (a->fam->nl_open(nl, &err)) {
		nlx_report(a->cmd, &err);
		return -1;
	}
	return 0;
}

/* report a netlink result; returns the exit status */
static int finish(struct iface_args *a, struct ovpn_nl *nl, int ret,
		  const struct nlx_err *err)
{
	if (ret)
		nlx_report(a->cmd, err);
	ovpn_nl_close(nl);
	return ret ? 1 : 0;
}

/* a command the device's family does not have */
static void __attribute__((noreturn)) not_in_family(const struct iface_args *a,
						    const char *what)
{
	usage_error("%s: %s is not in the %s family", a->cmd, what,
		    a->fam->family);
}

/*
 * After NEW_PEER with @fd for the @n peers @ids (exit status @status): the
 * upstream family needs the socket kept open (hold.h), ovpn-dco-v2 holds its
 * own reference. Returns the exit status.
 */
static int keep_socket(const struct iface_args *a, int status, int fd,
		       const uint32_t *ids, size_t n)
{
	int held;

	if (!a->upstream || !n) {
		close(fd);
		return status;
	}
	held = hold_socket(a->cmd, fd, a->ifindex, ids, n, a->pid_file);
	return status ? status : held;
}

/* new_peer --tcp: a connected socket to or from remote-ip; -1 and @msg */
static int tcp_transport(const struct iface_args *a, const struct ip_addr *local,
			 uint16_t lport, const struct ip_addr *remote,
			 uint16_t rport, char *msg, size_t len)
{
	int lfd, fd;

	if (a->tcp == NEW_PEER_TCP_CONNECT)
		return tcp_connect_retry(local, lport, remote, rport,
					 TCP_CONNECT_MS, msg, len);
	lfd = tcp_listen_on(local, lport, msg, len);
	if (lfd < 0)
		return -1;
	fd = tcp_accept_from(lfd, remote, -1, a->cmd, msg, len);
	close(lfd);
	return fd;
}

static int do_new_peer(struct iface_args *a)
{
	struct ovpn_new_peer req = { 0 };
	struct ip_addr remote, local;
	uint16_t lport, rport;
	struct nlx_err err;
	struct ovpn_nl nl;
	char msg[256];
	int ret;

	req.peer_id = arg_u32(a->pos[0], "peer id");
	if (!parse_port(a->pos[1], &lport))
		usage_error("invalid local port '%s'", a->pos[1]);
	if (!parse_ip(a->pos[2], &remote))
		usage_error("invalid remote address '%s'", a->pos[2]);
	if (!parse_port(a->pos[3], &rport))
		usage_error("invalid remote port '%s'", a->pos[3]);
	if (a->npos > 4) {
		struct ip_addr vpn;

		if (!parse_ip(a->pos[4], &vpn))
			usage_error("invalid VPN address '%s'", a->pos[4]);
		if (vpn.family == AF_INET)
			req.vpn_ipv4 = vpn;
		else
			req.vpn_ipv6 = vpn;
	}
	if (a->vpn_ip6) {
		if (req.vpn_ipv6.family)
			usage_error("new_peer: two VPN IPv6 addresses ('%s' and --vpn-ip6 %s)",
				    a->pos[4], a->vpn_ip6);
		if (!parse_ip(a->vpn_ip6, &req.vpn_ipv6) ||
		    req.vpn_ipv6.family != AF_INET6)
			usage_error("invalid --vpn-ip6 '%s' (an IPv6 address)",
				    a->vpn_ip6);
	}
	if (a->tcp && a->fd_file)
		usage_error("new_peer: --tcp and --fd-file");

	memset(&local, 0, sizeof(local));
	local.family = remote.family;
	if (a->local_ip) {
		if (!parse_ip(a->local_ip, &local))
			usage_error("invalid local address '%s'", a->local_ip);
		if (local.family != remote.family)
			usage_error("--local-ip %s and remote %s are of different families",
				    a->local_ip, a->pos[2]);
		/* TCP: the stream has its addresses, NEW_PEER none */
		if (!a->tcp)
			req.local_ip = local;
	}
	if (!a->tcp)
		req.remote_len = make_sockaddr(&remote, rport, &req.remote);

	if (begin(a, &nl))
		return 1;

	if (a->fd_file) {
		req.fd = open(a->fd_file, O_RDONLY | O_CLOEXEC);
		if (req.fd < 0) {
			fprintf(stderr, "ovpn-cli: %s: %s: %s\n", a->cmd,
				a->fd_file, strerror(errno));
			ovpn_nl_close(&nl);
			return 1;
		}
	} else {
		if (a->tcp)
			req.fd = tcp_transport(a, &local, lport, &remote, rport,
					       msg, sizeof(msg));
		else
			req.fd = udp_socket_open(&local, lport, msg,
						 sizeof(msg));
		if (req.fd < 0) {
			fprintf(stderr, "ovpn-cli: %s: %s\n", a->cmd, msg);
			ovpn_nl_close(&nl);
			return 1;
		}
	}

	ret = a->fam->new_peer(&nl, a->ifindex, &req, &err);
	ret = finish(a, &nl, ret, &err);
	/* on success the kernel holds its own reference to the socket (v2) */
	return keep_socket(a, ret, req.fd, &req.peer_id, ret ? 0 : 1);
}

/**
 * struct mp_peer - one line of a new_multi_peer peers file
 * @line: its line number
 * @req: the NEW_PEER request it makes (fd and local address set later)
 */
struct mp_peer {
	unsigned int line;
	struct ovpn_new_peer req;
};

/* the fields of one peers-file line; returns a message, or NULL if valid */
static const char *parse_peer_line(char *line, struct ovpn_new_peer *req)
{
	char *f[6], *save = NULL, *tok;
	struct ip_addr remote;
	uint16_t rport;
	int n = 0;

	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == ARRAY_SIZE(f))
			return "too many fields";
		f[n++] = tok;
	}
	if (n < 4 || n > 5)
		return "expected <peer-id> <remote-ip> <remote-port> <vpn-ipv4|-> [<vpn-ipv6>]";

	memset(req, 0, sizeof(*req));
	if (!parse_u32(f[0], &req->peer_id))
		return "invalid peer id";
	if (!parse_ip(f[1], &remote))
		return "invalid remote address";
	if (!parse_port(f[2], &rport) || !rport)
		return "invalid remote port";
	req->remote_len = make_sockaddr(&remote, rport, &req->remote);
	if (strcmp(f[3], "-") &&
	    (!parse_ip(f[3], &req->vpn_ipv4) ||
	     req->vpn_ipv4.family != AF_INET))
		return "invalid VPN IPv4 address (an IPv4 address or -)";
	if (n == 5 && strcmp(f[4], "-") &&
	    (!parse_ip(f[4], &req->vpn_ipv6) ||
	     req->vpn_ipv6.family != AF_INET6))
		return "invalid VPN IPv6 address (an IPv6 address or -)";
	return NULL;
}

/* read and check the whole peers file; returns the count, or -1 (reported) */
static int load_peers_file(const char *path, struct mp_peer **out)
{
	struct mp_peer *peers = NULL, *tmp;
	unsigned int lineno = 0;
	size_t cap = 0, len = 0;
	char *buf = NULL;
	size_t bufsz = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "ovpn-cli: new_multi_peer: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	while (getline(&buf, &bufsz, f) >= 0) {
		const char *msg;
		char *p, *hash;

		lineno++;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		for (p = buf; isspace((unsigned char)*p); p++)
			;
		if (!*p)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(peers, cap * sizeof(*peers));
			if (!tmp) {
				fprintf(stderr, "ovpn-cli: new_multi_peer: out of memory\n");
				goto fail;
			}
			peers = tmp;
		}
		msg = parse_peer_line(p, &peers[len].req);
		if (msg) {
			fprintf(stderr, "ovpn-cli: new_multi_peer: %s:%u: %s\n",
				path, lineno, msg);
			goto fail;
		}
		peers[len].line = lineno;
		len++;
	}
	if (ferror(f)) {
		fprintf(stderr, "ovpn-cli: new_multi_peer: %s: read error\n",
			path);
		goto fail;
	}
	if (!len) {
		fprintf(stderr, "ovpn-cli: new_multi_peer: %s: no peer in the file\n",
			path);
		goto fail;
	}
	free(buf);
	fclose(f);
	*out = peers;
	return len;
fail:
	free(buf);
	free(peers);
	fclose(f);
	return -1;
}

static int do_new_multi_peer(struct iface_args *a)
{
	struct ip_addr local = { .family = AF_INET };
	struct mp_peer *peers;
	struct nlx_err err;
	struct ovpn_nl nl;
	uint32_t *ids;
	char msg[256];
	uint16_t lport;
	int n, i, fd, ret = 0;

	if (!parse_port(a->pos[0], &lport))
		usage_error("invalid local port '%s'", a->pos[0]);
	if (a->local_ip) {
		if (!parse_ip(a->local_ip, &local))
			usage_error("invalid local address '%s'", a->local_ip);
		if (a->ipv6 && local.family != AF_INET6)
			usage_error("new_multi_peer: --ipv6 and an IPv4 --local-ip %s",
				    a->local_ip);
	} else if (a->ipv6) {
		local.family = AF_INET6;	/* :: */
	}

	n = load_peers_file(a->pos[1], &peers);
	if (n < 0)
		return 1;
	if (begin(a, &nl)) {
		free(peers);
		return 1;
	}

	/* an IPv6 socket is dual-stack: IPv4 peers are reached through it */
	fd = udp_socket_open_dual(&local, lport, msg, sizeof(msg));
	if (fd < 0) {
		fprintf(stderr, "ovpn-cli: %s: %s\n", a->cmd, msg);
		ovpn_nl_close(&nl);
		free(peers);
		return 1;
	}

	for (i = 0; i < n; i++) {
		struct ovpn_new_peer *req = &peers[i].req;

		req->fd = fd;
		/* LOCAL_IP only for the peers of the bound address's family */
		if (a->local_ip &&
		    req->remote.ss_family == (sa_family_t)local.family)
			req->local_ip = local;
		ret = a->fam->new_peer(&nl, a->ifindex, req, &err);
		if (ret) {
			nlx_report(a->cmd, &err);
			fprintf(stderr,
				"ovpn-cli: %s: %s:%u: peer %u not added (%d added before it)\n",
				a->cmd, a->pos[1], peers[i].line, req->peer_id,
				i);
			break;
		}
	}
	ovpn_nl_close(&nl);
	ret = ret ? 1 : 0;
	/* the ids of the peers added, for the holder of the socket */
	ids = calloc(i ? i : 1, sizeof(*ids));
	if (!ids) {
		fprintf(stderr, "ovpn-cli: %s: out of memory\n", a->cmd);
		i = 0;
		ret = 1;
	}
	for (n = 0; n < i; n++)
		ids[n] = peers[n].req.peer_id;
	/* ovpn-dco-v2 holds its own reference for every peer added */
	ret = keep_socket(a, ret, fd, ids, i);
	free(ids);
	free(peers);
	return ret;
}

static int do_set_peer(struct iface_args *a)
{
	uint32_t peer_id, interval, timeout;
	struct nlx_err err;
	struct ovpn_nl nl;
	int ret;

	peer_id = arg_u32(a->pos[0], "peer id");
	interval = arg_u32(a->pos[1], "keepalive interval");
	timeout = arg_u32(a->pos[2], "keepalive timeout");
	if (begin(a, &nl))
		return 1;
	if (!a->fam->has_mss && a->mss >= 0)
		not_in_family(a, "--mss");
	/* the upstream family: both keepalive values always, as OpenVPN 2.7 */
	ret = a->fam->set_peer(&nl, a->ifindex, peer_id, interval, timeout,
			       a->mss, &err);
	return finish(a, &nl, ret, &err);
}

/* a command taking only a peer id: swap_keys if @swap, else del_peer */
static int peer_id_cmd(struct iface_args *a, bool swap)
{
	struct nlx_err err;
	struct ovpn_nl nl;
	uint32_t peer_id;
	int ret;

	peer_id = arg_u32(a->pos[0], "peer id");
	if (begin(a, &nl))
		return 1;
	if (swap)
		ret = a->fam->swap_keys(&nl, a->ifindex, peer_id, &err);
	else
		ret = a->fam->del_peer(&nl, a->ifindex, peer_id, &err);
	return finish(a, &nl, ret, &err);
}

static int do_del_peer(struct iface_args *a)
{
	return peer_id_cmd(a, false);
}

/* how a reply is printed: the &attr_vals_cb argument of print_vals() */
struct printer {
	void (*print)(FILE *f, const struct attr_vals *vals);
};

static void print_vals(const struct attr_vals *vals, void *arg)
{
	const struct printer *p = arg;

	p->print(stdout, vals);
}

static int do_get_peer(struct iface_args *a)
{
	struct printer p;
	struct nlx_err err;
	struct ovpn_nl nl;
	uint32_t peer_id = 0;
	int ret;

	if (a->npos)
		peer_id = arg_u32(a->pos[0], "peer id");
	if (begin(a, &nl))
		return 1;
	p.print = a->fam->print_peer;
	ret = a->fam->get_peer(&nl, a->ifindex, a->npos ? &peer_id : NULL,
			       print_vals, &p, &err);
	fflush(stdout);
	return finish(a, &nl, ret, &err);
}

static int do_new_key(struct iface_args *a)
{
	struct ovpn_new_key req = { 0 };
	struct key_material km;
	struct nlx_err err;
	struct ovpn_nl nl;
	char msg[512];
	int dir, ret;

	req.peer_id = arg_u32(a->pos[0], "peer id");
	if (!parse_slot(a->pos[1], &req.slot))
		usage_error("invalid key slot '%s' (primary or secondary)",
			    a->pos[1]);
	if (!parse_u8(a->pos[2], &req.key_id))
		usage_error("invalid key id '%s'", a->pos[2]);
	req.cipher = parse_cipher(a->pos[3], true);
	if (!req.cipher)
		usage_error("unknown cipher '%s' (%s, none)", a->pos[3],
			    cipher_names());
	if (!parse_direction(a->pos[4], &dir))
		usage_error("invalid key direction '%s' (0 or 1)", a->pos[4]);
	/* a key file installed as it is repeats nonces on every reinstall */
	if (!a->raw_key)
		usage_error("new_key installs the key file as it is, which repeats (key, nonce) pairs each time it is run: add --raw-key to accept that");
	raw_key_warning();

	if (keyfile_load(a->pos[5], dir, &km, msg, sizeof(msg))) {
		fprintf(stderr, "ovpn-cli: %s: %s\n", a->cmd, msg);
		return 1;
	}
	req.km = &km;

	if (begin(a, &nl)) {
		explicit_bzero(&km, sizeof(km));
		return 1;
	}
	/* the request is wiped before it is freed, whatever happens */
	ret = a->fam->new_key(&nl, a->ifindex, &req, &err);
	explicit_bzero(&km, sizeof(km));
	return finish(a, &nl, ret, &err);
}

static int do_swap_keys(struct iface_args *a)
{
	return peer_id_cmd(a, true);
}

/* "<peer-id> [primary|secondary]" of del_key and get_key */
static void peer_slot_args(const struct iface_args *a, uint32_t *peer_id,
			   uint8_t *slot)
{
	*slot = OVPN_KEY_SLOT_PRIMARY;
	*peer_id = arg_u32(a->pos[0], "peer id");
	if (a->npos > 1 && !parse_slot(a->pos[1], slot))
		usage_error("invalid key slot '%s' (primary or secondary)",
			    a->pos[1]);
}

static int do_del_key(struct iface_args *a)
{
	struct nlx_err err;
	struct ovpn_nl nl;
	uint32_t peer_id;
	uint8_t slot;
	int ret;

	peer_slot_args(a, &peer_id, &slot);
	if (begin(a, &nl))
		return 1;
	ret = a->fam->del_key(&nl, a->ifindex, peer_id, slot, &err);
	return finish(a, &nl, ret, &err);
}

static int do_get_key(struct iface_args *a)
{
	struct printer p = { ovpnu_print_key };
	struct nlx_err err;
	struct ovpn_nl nl;
	uint32_t peer_id;
	uint8_t slot;
	int ret;

	peer_slot_args(a, &peer_id, &slot);
	if (begin(a, &nl))
		return 1;
	if (!a->upstream)
		not_in_family(a, "get_key");
	ret = ovpnu_get_key(&nl, a->ifindex, peer_id, slot, print_vals, &p,
			    &err);
	fflush(stdout);
	return finish(a, &nl, ret, &err);
}

static int do_start_vpn(struct iface_args *a)
{
	struct nlx_err err;
	struct ovpn_nl nl;
	int ret;

	if (begin(a, &nl))
		return 1;
	if (!a->fam->start_vpn)
		not_in_family(a, "start_vpn");
	ret = a->fam->start_vpn(&nl, a->ifindex, &err);
	return finish(a, &nl, ret, &err);
}

static const struct iface_cmd {
	const char *name;
	int min_pos;
	int max_pos;
	unsigned int opts;
	int (*fn)(struct iface_args *a);
} iface_cmds[] = {
	{ "new_peer", 4, 5,
	  OPT_FD_FILE | OPT_LOCAL_IP | OPT_VPN_IP6 | OPT_TCP | OPT_PID_FILE,
	  do_new_peer },
	{ "new_multi_peer", 2, 2, OPT_LOCAL_IP | OPT_IPV6 | OPT_PID_FILE,
	  do_new_multi_peer },
	{ "set_peer", 3, 3, OPT_MSS, do_set_peer },
	{ "del_peer", 1, 1, 0, do_del_peer },
	{ "get_peer", 0, 1, 0, do_get_peer },
	{ "new_key", 6, 6, OPT_RAW_KEY, do_new_key },
	{ "swap_keys", 1, 1, 0, do_swap_keys },
	{ "del_key", 1, 2, 0, do_del_key },
	{ "get_key", 1, 2, 0, do_get_key },
	{ "start_vpn", 0, 0, 0, do_start_vpn },
};

static const struct iface_cmd *find_iface_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(iface_cmds); i++)
		if (!strcmp(name, iface_cmds[i].name))
			return &iface_cmds[i];
	return NULL;
}

int is_iface_cmd(const char *cmd)
{
	return find_iface_cmd(cmd) != NULL;
}

int cmd_iface(const char *iface, const char *cmd, int argc, char **argv)
{
	const struct iface_cmd *c = find_iface_cmd(cmd);
	struct iface_args a = { .iface = iface, .cmd = cmd, .mss = -1 };
	int i;

	if (!c)
		usage_error("unknown command '%s'", cmd);

	for (i = 0; i < argc; i++) {
		const char *opt = argv[i];

		if (strncmp(opt, "--", 2)) {
			if (a.npos == MAX_POS)
				usage_error("%s: too many arguments", cmd);
			a.pos[a.npos++] = argv[i];
			continue;
		}
		if (!strcmp(opt, "--ipv6") && (c->opts & OPT_IPV6)) {
			a.ipv6 = true;
			continue;
		}
		if (!strcmp(opt, "--raw-key") && (c->opts & OPT_RAW_KEY)) {
			a.raw_key = true;
			continue;
		}
		if (i + 1 >= argc)
			usage_error("%s: option %s needs a value", cmd, opt);
		if (!strcmp(opt, "--ifindex")) {
			a.ifindex = arg_u32(argv[++i], "--ifindex");
			a.has_ifindex = true;
		} else if (!strcmp(opt, "--family")) {
			cmd_set_family(argv[++i]);
		} else if (!strcmp(opt, "--fd-file") && (c->opts & OPT_FD_FILE)) {
			a.fd_file = argv[++i];
		} else if (!strcmp(opt, "--local-ip") &&
			   (c->opts & OPT_LOCAL_IP)) {
			a.local_ip = argv[++i];
		} else if (!strcmp(opt, "--vpn-ip6") &&
			   (c->opts & OPT_VPN_IP6)) {
			a.vpn_ip6 = argv[++i];
		} else if (!strcmp(opt, "--tcp") && (c->opts & OPT_TCP)) {
			i++;
			if (!strcmp(argv[i], "listen"))
				a.tcp = NEW_PEER_TCP_LISTEN;
			else if (!strcmp(argv[i], "connect"))
				a.tcp = NEW_PEER_TCP_CONNECT;
			else
				usage_error("%s: invalid --tcp '%s' (listen or connect)",
					    cmd, argv[i]);
		} else if (!strcmp(opt, "--pid-file") &&
			   (c->opts & OPT_PID_FILE)) {
			a.pid_file = argv[++i];
		} else if (!strcmp(opt, "--mss") && (c->opts & OPT_MSS)) {
			uint32_t v = arg_u32(argv[++i], "--mss");

			if (v > 65535)
				usage_error("invalid --mss '%s' (0..65535)",
					    argv[i]);
			a.mss = (int)v;
		} else {
			usage_error("%s: unknown option %s", cmd, opt);
		}
	}
	if (a.npos < c->min_pos || a.npos > c->max_pos)
		usage_error("%s: wrong number of arguments", cmd);
	if (!a.has_ifindex)
		check_ifname(iface);

	return c->fn(&a);
}

int cmd_new_iface(int argc, char **argv)
{
	uint8_t mode = OVPN_MODE_P2P;
	const char *kind = NULL;
	char *pos[2];
	int i, npos = 0;
	struct nlx_err err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--family")) {
			if (++i == argc)
				usage_error("new_iface: --family needs a value");
			cmd_set_family(argv[i]);
			continue;
		}
		if (!strcmp(argv[i], "--kind")) {
			kind = cmd_parse_kind("new_iface", argv[++i]);
			continue;
		}
		if (npos == 2)
			usage_error("new_iface: wrong number of arguments");
		pos[npos++] = argv[i];
	}
	if (npos < 1)
		usage_error("new_iface: wrong number of arguments");
	if (!kind)
		kind = family_opt == FAMILY_OVPN ? OVPNU_LINK_KIND :
		       OVPN_LINK_KIND;
	check_ifname(pos[0]);
	if (npos == 2) {
		if (!strcmp(pos[1], "p2p"))
			mode = OVPN_MODE_P2P;
		else if (!strcmp(pos[1], "mp"))
			mode = OVPN_MODE_MP;
		else
			usage_error("new_iface: invalid mode '%s' (p2p or mp)",
				    pos[1]);
	}
	/* IFLA_OVPN_MODE is attribute 1, u8, P2P 0 / MP 1 for both kinds */
	if (rt_link_new(pos[0], kind, mode, &err)) {
		nlx_report("new_iface", &err);
		return 1;
	}
	return 0;
}

int cmd_del_iface(int argc, char **argv)
{
	struct nlx_err err;

	if (argc != 1)
		usage_error("del_iface: wrong number of arguments");
	check_ifname(argv[0]);
	if (rt_link_del(argv[0], 0, &err)) {
		nlx_report("del_iface", &err);
		return 1;
	}
	return 0;
}

/* notification names by &enum notif_kind: ovpn-dco-v2's, then ovpn's */
static const char *const notif_names[2][4] = {
	{ NULL, "DEL_PEER", "FLOAT_PEER", "SWAP_KEYS_NEEDED" },
	{ NULL, "PEER_DEL_NTF", "PEER_FLOAT_NTF", "KEY_SWAP_NTF" },
};

/* "<NAME> ifindex <N> peer_id <id|none>" */
static void print_notif_head(const struct ovpn_notif *n, bool upstream)
{
	printf("%s ifindex %u peer_id ", notif_names[upstream][n->kind],
	       n->ifindex);
	if (n->has_peer_id)
		printf("%u", n->peer_id);
	else
		printf("none");
}

/* @arg: a bool, true for the upstream family */
static int print_notification(struct nl_msg *msg, void *arg)
{
	bool upstream = *(const bool *)arg;
	const char *reason;
	struct ovpn_notif n;

	if (upstream ? ovpnu_parse_notification(msg, &n) :
	    ovpn_parse_notification(msg, &n))
		return NL_SKIP;

	switch (n.kind) {
	case NOTIF_FLOAT_PEER: {
		char addr[INET6_ADDRSTRLEN + 16] = "none";

		print_notif_head(&n, upstream);
		if (n.remote_len)
			sockaddr_str((struct sockaddr *)&n.remote,
				     n.remote_len, addr, sizeof(addr));
		printf(" remote %s", addr);
		if (n.has_scope_id)
			printf(" scope_id %u",
			       ((struct sockaddr_in6 *)&n.remote)->sin6_scope_id);
		printf("\n");
		break;
	}
	case NOTIF_SWAP_KEYS:
		print_notif_head(&n, upstream);
		if (n.has_key_id)
			printf(" key_id %u\n", n.key_id);
		else
			printf(" key_id none\n");
		break;
	case NOTIF_DEL_PEER:
		print_notif_head(&n, upstream);
		reason = n.has_reason ? del_peer_reason_name(n.reason) : "none";
		if (reason)
			printf(" reason %s\n", reason);
		else
			printf(" reason %u\n", n.reason);
		break;
	default:
		printf("notification cmd %u ifindex %u\n", n.cmd, n.ifindex);
		break;
	}
	fflush(stdout);
	return NL_OK;
}

int cmd_listen_mcast(int argc, char **argv)
{
	long long deadline = 0;
	const struct fam_ops *fam;
	bool upstream;
	struct nlx_err err;
	struct ovpn_nl nl;
	uint32_t secs, rcvbuf = 0;
	int ret = 0, i, npos = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--rcvbuf")) {
			if (++i == argc)
				usage_error("listen_mcast: --rcvbuf needs a size in bytes");
			rcvbuf = arg_u32(argv[i], "receive buffer size");
			if (!rcvbuf || rcvbuf > INT_MAX)
				usage_error("listen_mcast: --rcvbuf: 1..%d bytes",
					    INT_MAX);
			continue;
		}
		if (!strcmp(argv[i], "--family")) {
			if (++i == argc)
				usage_error("listen_mcast: --family needs a value");
			cmd_set_family(argv[i]);
			continue;
		}
		if (npos++)
			usage_error("listen_mcast: wrong number of arguments");
		secs = arg_u32(argv[i], "duration");
		deadline = monotonic_ms() + secs * 1000LL;
	}
	/* ovpn-dco-v2 unless --family ovpn: there is no device to ask */
	upstream = family_opt == FAMILY_OVPN;
	fam = upstream ? &ovpnu_fam_ops : &ovpn_fam_ops;
	if (fam->nl_open_mcast(&nl, (int)rcvbuf, &err)) {
		nlx_report("listen_mcast", &err);
		return 1;
	}
	if (rcvbuf) {
		int got = 0;
		socklen_t len = sizeof(got);

		getsockopt(nl_socket_get_fd(nl.sk), SOL_SOCKET, SO_RCVBUF,
			   &got, &len);
		fprintf(stderr, "ovpn-cli: listen_mcast: receive buffer %d bytes (asked for %u)\n",
			got, rcvbuf);
	}

	for (;;) {
		struct pollfd pfd = {
			.fd = nl_socket_get_fd(nl.sk),
			.events = POLLIN,
		};
		int timeout = -1;

		if (deadline) {
			long long left = deadline - monotonic_ms();

			if (left <= 0)
				break;
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		ret = poll(&pfd, 1, timeout);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr, "ovpn-cli: listen_mcast: poll: %s\n",
				strerror(errno));
			ret = 1;
			break;
		}
		ret = 0;
		if (!(pfd.revents & POLLIN))
			continue;
		if (ovpn_nl_recv_notifications(&nl, print_notification,
					       &upstream, &err)) {
			nlx_report("listen_mcast", &err);
			if (err.error != ENOBUFS) {
				ret = 1;
				break;
			}
		}
	}
	ovpn_nl_close(&nl);
	return ret;
}

int cmd_genkey(int argc, char **argv)
{
	char msg[512];

	if (argc != 1)
		usage_error("genkey: wrong number of arguments");
	if (keyfile_generate(argv[0], msg, sizeof(msg))) {
		fprintf(stderr, "ovpn-cli: genkey: %s\n", msg);
		return 1;
	}
	return 0;
}
