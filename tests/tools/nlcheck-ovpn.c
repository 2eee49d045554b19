// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlcheck-ovpn: send malformed, invalid and valid requests of the upstream
 * "ovpn" generic netlink family (uapi/linux/ovpn.h) to live devices of kind
 * "ovpn" and check each answer: the exact errno and a non-empty extack
 * message for a refusal, success and the right reply otherwise; then that
 * the devices still answer.
 *
 * Usage: nlcheck-ovpn <p2p-iface> <mp-iface> <dco-iface>
 *   <p2p-iface>  a device of kind ovpn in P2P mode, without peers
 *   <mp-iface>   a device of kind ovpn in MP mode, without peers
 *   <dco-iface>  a device of kind ovpn-dco (the ovpn-dco-v2 family's)
 * Run it as root in a network namespace whose lo is up: it makes its own
 * UDP sockets, TCP connections and listener on 127.0.0.1, a regular file
 * fd, and forks a child that drops to uid 65534 for the permission case.
 * It leaves its peers behind, for its sockets closing at exit or the
 * devices' deletion to remove.
 *
 * Output: "ok <case>" or "not ok <case>: got errno N extack "..." (want ...)"
 * per case (checks of replies: "not ok <case>: <what is wrong>"), then
 * "N passed, N failed"; exit status 1 on any failure, 2 on a usage error.
 * Lines starting with "#" are notes: with NLCHECK_VERBOSE set in the
 * environment, the errno and extack of each refusal.
 *
 * Refusals of the generic netlink core itself (an unknown or
 * notification-only command: EOPNOTSUPP; no CAP_NET_ADMIN: EPERM) happen
 * before the family sees the request and carry no extack message on the
 * kernels we run: for those cases an empty extack is accepted.
 */

#define _GNU_SOURCE	/* memmem, accept4 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/genl/genl.h>

#include <linux/ovpn.h>

#include "nl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1u << (n))

/* the P2P device's peers: the first is replaced by the second */
#define P2P_ID_A	1
#define P2P_ID_B	2
#define P2P_TX_B	0x2002
#define P2P_PORT_A	1194
#define P2P_PORT_B	1195
/* an id no device has */
#define UNKNOWN_ID	0x123456
/* the MP device's UDP peers, MP_FIRST.., and its TCP peer */
#define MP_FIRST	100
#define MP_COUNT	300
#define MP_TCP_ID	(MP_FIRST + MP_COUNT + 100)
#define ID_SPACE	1024

/* the valid PEER_SET's keepalive: far beyond this tool's run */
#define KA_INTERVAL	600
#define KA_TIMEOUT	3600

#define KEY_MAX		257

struct ctx {
	struct ovpn_nl nl;
	uint32_t p2p;
	uint32_t mp;
	uint32_t dco;
	uint32_t lo;
	uint32_t unknown_ifindex;
	int udp_p2p;
	int udp_mp;
	uint16_t udp_p2p_port;
	int file_fd;
	int closed_fd;
	int tcp_unconnected;
	/* two connections over loopback: client and accepted ends */
	int tcp_c1, tcp_s1;
	int tcp_c2, tcp_s2;
};

static int passed, failed;
/* NLCHECK_VERBOSE set: each refusal's errno and extack under its "ok" */
static bool verbose;

/* set when any attribute did not fit: the case is then reported broken */
static bool build_failed;

static void put(struct nl_msg *msg, int type, int len, const void *data)
{
	if (nla_put(msg, type, len, data) < 0)
		build_failed = true;
}

static void put_u32(struct nl_msg *msg, int type, uint32_t v)
{
	put(msg, type, sizeof(v), &v);
}

static void put_u16(struct nl_msg *msg, int type, uint16_t v)
{
	put(msg, type, sizeof(v), &v);
}

/* how a request is malformed beyond its nest's contents */
#define F_NO_IFINDEX	BIT(0)	/* no OVPN_A_IFINDEX */
#define F_SHORT_IFINDEX	BIT(1)	/* a 2-byte OVPN_A_IFINDEX */
#define F_NO_NEST	BIT(2)	/* no PEER or KEYCONF nest */
#define F_FLAT_NEST	BIT(3)	/* the nest without NLA_F_NESTED */
#define F_TOP_EXTRA	BIT(4)	/* a top-level attribute above OVPN_A_MAX */
#define F_DUMP		BIT(5)	/* NLM_F_DUMP */

static struct nl_msg *start(struct ovpn_nl *nl, uint8_t cmd, uint32_t ifindex,
			    unsigned int flags)
{
	struct nl_msg *msg;

	msg = ovpn_nl_msg(nl, cmd, flags & F_DUMP ? NLM_F_DUMP : 0);
	if (!msg) {
		build_failed = true;
		return NULL;
	}
	if (flags & F_SHORT_IFINDEX)
		put_u16(msg, OVPN_A_IFINDEX, ifindex);
	else if (!(flags & F_NO_IFINDEX))
		put_u32(msg, OVPN_A_IFINDEX, ifindex);
	if (flags & F_TOP_EXTRA)
		put_u32(msg, OVPN_A_MAX + 1, 0);
	return msg;
}

static struct nlattr *nest_start(struct nl_msg *msg, int type)
{
	struct nlattr *n = nla_nest_start(msg, type | NLA_F_NESTED);

	if (!n)
		build_failed = true;
	return n;
}

/* F_FLAT_NEST: libnl (3.5 and later) sets NLA_F_NESTED itself: clear it */
static void nest_end(struct nl_msg *msg, struct nlattr *n, unsigned int flags)
{
	if (!n)
		return;
	nla_nest_end(msg, n);
	if (flags & F_FLAT_NEST)
		n->nla_type &= ~NLA_F_NESTED;
}

/* a PEER nest: the attributes whose bit is in @have */
struct peer_a {
	uint32_t have;
	uint32_t v[OVPN_A_PEER_MAX + 1];	/* u32 values; ports in host order */
	struct in_addr r4, l4, vpn4;
	struct in6_addr r6, l6, vpn6;
	int r6_len;				/* 0: 16 */
	int extra;				/* an attribute of this type too */
};

static void put_peer_attr(struct nl_msg *msg, int type, const struct peer_a *p)
{
	switch (type) {
	case OVPN_A_PEER_REMOTE_IPV4:
		put(msg, type, sizeof(p->r4), &p->r4);
		break;
	case OVPN_A_PEER_LOCAL_IPV4:
		put(msg, type, sizeof(p->l4), &p->l4);
		break;
	case OVPN_A_PEER_VPN_IPV4:
		put(msg, type, sizeof(p->vpn4), &p->vpn4);
		break;
	case OVPN_A_PEER_REMOTE_IPV6:
		put(msg, type, p->r6_len ? p->r6_len : (int)sizeof(p->r6),
		    &p->r6);
		break;
	case OVPN_A_PEER_LOCAL_IPV6:
		put(msg, type, sizeof(p->l6), &p->l6);
		break;
	case OVPN_A_PEER_VPN_IPV6:
		put(msg, type, sizeof(p->vpn6), &p->vpn6);
		break;
	case OVPN_A_PEER_REMOTE_PORT:
	case OVPN_A_PEER_LOCAL_PORT:
		put_u16(msg, type, htons(p->v[type]));
		break;
	default:
		put_u32(msg, type, p->v[type]);
	}
}

static struct nl_msg *peer_msg(struct ovpn_nl *nl, uint8_t cmd,
			       uint32_t ifindex, unsigned int flags,
			       const struct peer_a *p)
{
	struct nl_msg *msg = start(nl, cmd, ifindex, flags);
	struct nlattr *n;
	int type;

	if (!msg || (flags & F_NO_NEST))
		return msg;
	n = nest_start(msg, OVPN_A_PEER);
	for (type = 1; type <= OVPN_A_PEER_MAX; type++)
		if (p->have & BIT(type))
			put_peer_attr(msg, type, p);
	if (p->extra)
		put_u32(msg, p->extra, 0);
	nest_end(msg, n, flags);
	return msg;
}

/* one direction of KEY_NEW: a length < 0 leaves the attribute out */
struct key_dir {
	int key_len;
	int nonce_len;
	uint8_t seed;
};

/* a KEYCONF nest: the attributes whose bit is in @have */
struct key_a {
	uint32_t have;
	uint32_t v[OVPN_A_KEYCONF_MAX + 1];
	struct key_dir enc, dec;
	int extra;
};

/* recognisable key and nonce bytes, to look for in replies */
static void fill_key(uint8_t *buf, int len, uint8_t seed)
{
	int i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 37 + i * 11 + 0x5a);
}

static void fill_nonce(uint8_t *buf, int len, uint8_t seed)
{
	fill_key(buf, len, seed ^ 0xc3);
}

static void put_key_dir(struct nl_msg *msg, int type, const struct key_dir *d)
{
	uint8_t key[KEY_MAX], nonce[16];
	struct nlattr *n;

	n = nest_start(msg, type);
	if (d->key_len >= 0) {
		fill_key(key, d->key_len, d->seed);
		put(msg, OVPN_A_KEYDIR_CIPHER_KEY, d->key_len, key);
	}
	if (d->nonce_len >= 0) {
		fill_nonce(nonce, d->nonce_len, d->seed);
		put(msg, OVPN_A_KEYDIR_NONCE_TAIL, d->nonce_len, nonce);
	}
	nest_end(msg, n, 0);
}

static struct nl_msg *key_msg(struct ovpn_nl *nl, uint8_t cmd,
			      uint32_t ifindex, unsigned int flags,
			      const struct key_a *k)
{
	struct nl_msg *msg = start(nl, cmd, ifindex, flags);
	struct nlattr *n;
	int type;

	if (!msg || (flags & F_NO_NEST))
		return msg;
	n = nest_start(msg, OVPN_A_KEYCONF);
	for (type = 1; type <= OVPN_A_KEYCONF_MAX; type++) {
		if (!(k->have & BIT(type)))
			continue;
		if (type == OVPN_A_KEYCONF_ENCRYPT_DIR)
			put_key_dir(msg, type, &k->enc);
		else if (type == OVPN_A_KEYCONF_DECRYPT_DIR)
			put_key_dir(msg, type, &k->dec);
		else
			put_u32(msg, type, k->v[type]);
	}
	if (k->extra)
		put_u32(msg, k->extra, 0);
	nest_end(msg, n, flags);
	return msg;
}

/* valid bodies */

static struct peer_a peer_id_only(uint32_t id)
{
	struct peer_a p = { .have = BIT(OVPN_A_PEER_ID) };

	p.v[OVPN_A_PEER_ID] = id;
	return p;
}

/* PEER_NEW of a UDP peer on @fd, to 127.0.0.1:@port */
static struct peer_a peer_udp(uint32_t id, int fd, uint16_t port)
{
	struct peer_a p = peer_id_only(id);

	p.have |= BIT(OVPN_A_PEER_SOCKET) | BIT(OVPN_A_PEER_REMOTE_IPV4) |
		  BIT(OVPN_A_PEER_REMOTE_PORT);
	p.v[OVPN_A_PEER_SOCKET] = fd;
	p.r4.s_addr = htonl(INADDR_LOOPBACK);
	p.v[OVPN_A_PEER_REMOTE_PORT] = port;
	return p;
}

static struct peer_a peer_keepalive(uint32_t id, uint32_t interval,
				    uint32_t timeout)
{
	struct peer_a p = peer_id_only(id);

	p.have |= BIT(OVPN_A_PEER_KEEPALIVE_INTERVAL) |
		  BIT(OVPN_A_PEER_KEEPALIVE_TIMEOUT);
	p.v[OVPN_A_PEER_KEEPALIVE_INTERVAL] = interval;
	p.v[OVPN_A_PEER_KEEPALIVE_TIMEOUT] = timeout;
	return p;
}

static struct key_a key_slot(uint32_t peer_id, uint32_t slot)
{
	struct key_a k = {
		.have = BIT(OVPN_A_KEYCONF_PEER_ID) | BIT(OVPN_A_KEYCONF_SLOT),
	};

	k.v[OVPN_A_KEYCONF_PEER_ID] = peer_id;
	k.v[OVPN_A_KEYCONF_SLOT] = slot;
	return k;
}

/* KEY_NEW: a full request, keys of @key_len bytes */
static struct key_a key_new(uint32_t peer_id, uint32_t slot, uint32_t key_id,
			    uint32_t alg, int key_len, uint8_t seed)
{
	struct key_a k = key_slot(peer_id, slot);

	k.have |= BIT(OVPN_A_KEYCONF_KEY_ID) | BIT(OVPN_A_KEYCONF_CIPHER_ALG) |
		  BIT(OVPN_A_KEYCONF_ENCRYPT_DIR) |
		  BIT(OVPN_A_KEYCONF_DECRYPT_DIR);
	k.v[OVPN_A_KEYCONF_KEY_ID] = key_id;
	k.v[OVPN_A_KEYCONF_CIPHER_ALG] = alg;
	k.enc.key_len = key_len;
	k.enc.nonce_len = OVPN_NONCE_TAIL_SIZE;
	k.enc.seed = seed;
	k.dec.key_len = key_len;
	k.dec.nonce_len = OVPN_NONCE_TAIL_SIZE;
	k.dec.seed = seed + 1;
	return k;
}

/* results */

static const char *errno_name(int e)
{
	switch (e) {
	case 0:
		return "success";
	case EINVAL:
		return "EINVAL";
	case ERANGE:
		return "ERANGE";
	case ENOENT:
		return "ENOENT";
	case ENODEV:
		return "ENODEV";
	case ENOTSOCK:
		return "ENOTSOCK";
	case EEXIST:
		return "EEXIST";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EPERM:
		return "EPERM";
	}
	return "?";
}

static void pass(const char *name)
{
	printf("ok %s\n", name);
	passed++;
}

static void fail_why(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail_why(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("not ok %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed++;
}

/* send @msg; a request that could not be built fails locally */
static int transact(struct ovpn_nl *nl, struct nl_msg *msg,
		    nl_recvmsg_msg_cb_t cb, void *arg, struct nlx_err *err)
{
	if (!msg || build_failed) {
		if (msg)
			nlmsg_free(msg);
		build_failed = false;
		return nlx_err_local(err, ENOMEM, "could not build the request");
	}
	return nlx_transact(nl->sk, msg, cb, arg, err);
}

/* how an answer is judged */
#define X_CORE		BIT(0)	/* refused by the genl core: extack optional */

/*
 * Judge an answer: @want 0 is success; otherwise that errno from the
 * kernel with a non-empty extack message holding @sub (when set).
 */
static bool judge(const char *name, int ret, const struct nlx_err *err,
		  int want, const char *sub, unsigned int how)
{
	bool ok;

	if (ret && !err->kernel) {
		fail_why(name, "%s", err->msg);
		return false;
	}
	if (!want)
		ok = !ret;
	else
		ok = ret && err->error == want &&
		     ((how & X_CORE) || err->msg[0]) &&
		     (!sub || strstr(err->msg, sub));
	if (ok) {
		pass(name);
		if (want && verbose)
			printf("#   errno %d (%s), extack \"%s\"\n", err->error,
			       errno_name(err->error), err->msg);
		else if (want && !err->msg[0])
			printf("#   refused by the genetlink core before the family: no extack\n");
		return true;
	}
	if (!want)
		fail_why(name, "got errno %d extack \"%s\" (want success)",
			 err->error, err->msg);
	else
		fail_why(name, "got errno %d extack \"%s\" (want %s, %s%s%s)",
			 err->error, err->msg, errno_name(want),
			 (how & X_CORE) ? "any extack" :
			 sub ? "extack with \"" : "non-empty extack",
			 sub && !(how & X_CORE) ? sub : "",
			 sub && !(how & X_CORE) ? "\"" : "");
	return false;
}

static bool expect(struct ctx *c, const char *name, struct nl_msg *msg,
		   int want, const char *sub)
{
	struct nlx_err err;
	int ret;

	ret = transact(&c->nl, msg, NULL, NULL, &err);
	return judge(name, ret, &err, want, sub, 0);
}

static bool expect_core(struct ctx *c, const char *name, struct nl_msg *msg,
			int want)
{
	struct nlx_err err;
	int ret;

	ret = transact(&c->nl, msg, NULL, NULL, &err);
	return judge(name, ret, &err, want, NULL, X_CORE);
}

/* replies */

/* what one reply message held, nest @nest_type parsed */
struct reply {
	uint8_t cmd;
	bool top_other;		/* a top-level attribute besides the nest */
	bool no_nest;
	bool nested_inside;	/* an attribute with NLA_F_NESTED in the nest */
	bool unknown;		/* an attribute type above the nest's max */
	bool leak;		/* key or nonce bytes of ours in the message */
	uint32_t have;
	uint16_t len[OVPN_A_PEER_MAX + 1];
	uint32_t u32[OVPN_A_PEER_MAX + 1];	/* first 4 bytes */
	uint16_t u16[OVPN_A_PEER_MAX + 1];	/* first 2 bytes */
};

struct replies {
	int nest_type;
	int nest_max;
	int n;
	int cap;
	struct reply *r;
	/* seeds of the keys installed so far, to look for in KEY_GET */
	const uint8_t *seeds;
	int n_seeds;
};

static bool has_bytes(const void *hay, size_t len, const uint8_t *pat,
		      size_t plen)
{
	return memmem(hay, len, pat, plen);
}

static bool leaks_key(const struct nlmsghdr *nlh, const uint8_t *seeds,
		      int n)
{
	uint8_t key[16], nonce[OVPN_NONCE_TAIL_SIZE];
	int i;

	for (i = 0; i < n; i++) {
		fill_key(key, sizeof(key), seeds[i]);
		fill_nonce(nonce, sizeof(nonce), seeds[i]);
		if (has_bytes(nlh, nlh->nlmsg_len, key, sizeof(key)) ||
		    has_bytes(nlh, nlh->nlmsg_len, nonce, sizeof(nonce)))
			return true;
	}
	return false;
}

static int collect(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct replies *rs = arg;
	struct nlattr *a, *nest = NULL;
	struct reply *r;
	int rem;

	if (rs->n == rs->cap) {
		int cap = rs->cap ? 2 * rs->cap : 16;
		struct reply *nr = realloc(rs->r, cap * sizeof(*nr));

		if (!nr)
			return NL_STOP;
		rs->r = nr;
		rs->cap = cap;
	}
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	r->cmd = gh->cmd;
	r->leak = leaks_key(nlh, rs->seeds, rs->n_seeds);

	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		if (nla_type(a) == rs->nest_type && !nest)
			nest = a;
		else
			r->top_other = true;
	}
	if (!nest) {
		r->no_nest = true;
		return NL_OK;
	}
	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (a->nla_type & NLA_F_NESTED)
			r->nested_inside = true;
		if (t < 1 || t > rs->nest_max) {
			r->unknown = true;
			continue;
		}
		r->have |= BIT(t);
		r->len[t] = nla_len(a);
		if (nla_len(a) >= 4)
			memcpy(&r->u32[t], nla_data(a), 4);
		if (nla_len(a) >= 2)
			memcpy(&r->u16[t], nla_data(a), 2);
	}
	return NL_OK;
}

static void replies_init(struct replies *rs, int nest_type, int nest_max)
{
	memset(rs, 0, sizeof(*rs));
	rs->nest_type = nest_type;
	rs->nest_max = nest_max;
}

static void replies_free(struct replies *rs)
{
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
	rs->cap = 0;
}

/* the case list */

static const char *const cmd_names[] = {
	[OVPN_CMD_PEER_NEW] = "PEER_NEW",
	[OVPN_CMD_PEER_SET] = "PEER_SET",
	[OVPN_CMD_PEER_GET] = "PEER_GET",
	[OVPN_CMD_PEER_DEL] = "PEER_DEL",
	[OVPN_CMD_KEY_NEW] = "KEY_NEW",
	[OVPN_CMD_KEY_GET] = "KEY_GET",
	[OVPN_CMD_KEY_SWAP] = "KEY_SWAP",
	[OVPN_CMD_KEY_DEL] = "KEY_DEL",
};

/*
 * Every request command with an attribute its nest's policy lacks (0: its
 * policy is the whole attribute set, PEER_GET and KEY_NEW).
 */
static const struct generic {
	uint8_t cmd;
	int foreign;
	const char *foreign_name;
} generics[] = {
	{ OVPN_CMD_PEER_NEW, OVPN_A_PEER_DEL_REASON, "DEL_REASON" },
	{ OVPN_CMD_PEER_SET, OVPN_A_PEER_SOCKET, "SOCKET" },
	{ OVPN_CMD_PEER_GET, 0, NULL },
	{ OVPN_CMD_PEER_DEL, OVPN_A_PEER_KEEPALIVE_INTERVAL,
	  "KEEPALIVE_INTERVAL" },
	{ OVPN_CMD_KEY_NEW, 0, NULL },
	{ OVPN_CMD_KEY_GET, OVPN_A_KEYCONF_ENCRYPT_DIR, "ENCRYPT_DIR" },
	{ OVPN_CMD_KEY_SWAP, OVPN_A_KEYCONF_SLOT, "SLOT" },
	{ OVPN_CMD_KEY_DEL, OVPN_A_KEYCONF_KEY_ID, "KEY_ID" },
};

enum variant {
	V_NO_IFINDEX,
	V_SHORT_IFINDEX,
	V_UNKNOWN_IFINDEX,
	V_LO,
	V_DCO,
	V_NO_NEST,
	V_FLAT_NEST,
	V_FOREIGN,
	V_NEST_ABOVE_MAX,
	V_TOP_ABOVE_MAX,
	V_COUNT,
};

static bool is_peer_cmd(uint8_t cmd)
{
	return cmd <= OVPN_CMD_PEER_DEL;
}

/*
 * The valid request of @g->cmd for the P2P device's first peer (which does
 * not exist yet: a refusal skipped would show as ENOENT, a PEER_NEW as
 * success), made invalid as @v says.
 */
static struct nl_msg *generic_msg(struct ctx *c, const struct generic *g,
				  enum variant v, int *want, const char **sub,
				  char *name, size_t name_len)
{
	const char *cmd = cmd_names[g->cmd];
	uint32_t ifindex = c->p2p;
	unsigned int flags = 0;
	int extra = 0;

	*want = EINVAL;
	*sub = NULL;
	switch (v) {
	case V_NO_IFINDEX:
		flags |= F_NO_IFINDEX;
		snprintf(name, name_len, "%s without IFINDEX", cmd);
		break;
	case V_SHORT_IFINDEX:
		flags |= F_SHORT_IFINDEX;
		snprintf(name, name_len, "%s with a 2-byte IFINDEX", cmd);
		break;
	case V_UNKNOWN_IFINDEX:
		ifindex = c->unknown_ifindex;
		*want = ENODEV;
		snprintf(name, name_len, "%s with an unknown ifindex", cmd);
		break;
	case V_LO:
		ifindex = c->lo;
		snprintf(name, name_len, "%s with the ifindex of lo", cmd);
		break;
	case V_DCO:
		ifindex = c->dco;
		*sub = "ovpn-dco";
		snprintf(name, name_len,
			 "%s with the ifindex of an ovpn-dco device", cmd);
		break;
	case V_NO_NEST:
		flags |= F_NO_NEST;
		snprintf(name, name_len, "%s without its nest", cmd);
		break;
	case V_FLAT_NEST:
		flags |= F_FLAT_NEST;
		snprintf(name, name_len, "%s with its nest lacking NLA_F_NESTED",
			 cmd);
		break;
	case V_FOREIGN:
		if (!g->foreign)
			return NULL;
		snprintf(name, name_len, "%s with %s (not in its policy)", cmd,
			 g->foreign_name);
		break;
	case V_NEST_ABOVE_MAX:
		extra = is_peer_cmd(g->cmd) ? OVPN_A_PEER_MAX + 1 :
					      OVPN_A_KEYCONF_MAX + 1;
		snprintf(name, name_len,
			 "%s with attribute type %d (above the max) in its nest",
			 cmd, extra);
		break;
	case V_TOP_ABOVE_MAX:
		flags |= F_TOP_EXTRA;
		snprintf(name, name_len,
			 "%s with top-level attribute type %d (above the max)",
			 cmd, OVPN_A_MAX + 1);
		break;
	default:
		return NULL;
	}

	if (is_peer_cmd(g->cmd)) {
		struct peer_a p = peer_id_only(P2P_ID_A);

		if (g->cmd == OVPN_CMD_PEER_NEW)
			p = peer_udp(P2P_ID_A, c->udp_p2p, P2P_PORT_A);
		else if (g->cmd == OVPN_CMD_PEER_SET)
			p = peer_keepalive(P2P_ID_A, 5, 60);
		if (v == V_FOREIGN) {
			p.have |= BIT(g->foreign);
			p.v[g->foreign] = g->foreign == OVPN_A_PEER_SOCKET ?
					  (uint32_t)c->udp_p2p : 1;
		}
		p.extra = extra;
		return peer_msg(&c->nl, g->cmd, ifindex, flags, &p);
	}

	{
		struct key_a k = key_slot(P2P_ID_A, OVPN_KEY_SLOT_PRIMARY);

		if (g->cmd == OVPN_CMD_KEY_NEW)
			k = key_new(P2P_ID_A, OVPN_KEY_SLOT_SECONDARY, 1,
				    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
		else if (g->cmd == OVPN_CMD_KEY_SWAP)
			k.have = BIT(OVPN_A_KEYCONF_PEER_ID);
		if (v == V_FOREIGN) {
			k.have |= BIT(g->foreign);
			k.v[g->foreign] = 1;
			k.enc = (struct key_dir){ 32, OVPN_NONCE_TAIL_SIZE, 0x10 };
		}
		k.extra = extra;
		return key_msg(&c->nl, g->cmd, ifindex, flags, &k);
	}
}

static void generic_cases(struct ctx *c)
{
	char name[160];
	const char *sub;
	size_t i;
	int v, want;

	for (i = 0; i < ARRAY_SIZE(generics); i++) {
		for (v = 0; v < V_COUNT; v++) {
			struct nl_msg *msg;

			build_failed = false;
			msg = generic_msg(c, &generics[i], v, &want, &sub,
					  name, sizeof(name));
			if (!msg && !build_failed)
				continue;
			expect(c, name, msg, want, sub);
		}
	}
}

/* PEER_GET dumps: the same checks of the device lookup */
static void dump_cases(struct ctx *c)
{
	struct peer_a none = { 0 };

	expect(c, "PEER_GET dump without IFINDEX",
	       peer_msg(&c->nl, OVPN_CMD_PEER_GET, 0,
			F_DUMP | F_NO_IFINDEX | F_NO_NEST, &none), EINVAL, NULL);
	expect(c, "PEER_GET dump with an unknown ifindex",
	       peer_msg(&c->nl, OVPN_CMD_PEER_GET, c->unknown_ifindex,
			F_DUMP | F_NO_NEST, &none), ENODEV, NULL);
	expect(c, "PEER_GET dump with the ifindex of lo",
	       peer_msg(&c->nl, OVPN_CMD_PEER_GET, c->lo, F_DUMP | F_NO_NEST,
			&none), EINVAL, NULL);
	expect(c, "PEER_GET dump with the ifindex of an ovpn-dco device",
	       peer_msg(&c->nl, OVPN_CMD_PEER_GET, c->dco,
			F_DUMP | F_NO_NEST, &none), EINVAL, "ovpn-dco");
	expect(c, "PEER_GET dump with a top-level attribute above the max",
	       peer_msg(&c->nl, OVPN_CMD_PEER_GET, c->p2p,
			F_DUMP | F_NO_NEST | F_TOP_EXTRA, &none), EINVAL, NULL);
}

/* notification commands and an unknown one, sent as requests */
static void notification_cases(struct ctx *c)
{
	static const struct {
		uint8_t cmd;
		const char *name;
	} ntf[] = {
		{ OVPN_CMD_PEER_DEL_NTF, "PEER_DEL_NTF (5) sent as a request" },
		{ OVPN_CMD_KEY_SWAP_NTF, "KEY_SWAP_NTF (9) sent as a request" },
		{ OVPN_CMD_PEER_FLOAT_NTF,
		  "PEER_FLOAT_NTF (11) sent as a request" },
		{ OVPN_CMD_MAX + 1, "unknown command 12" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ntf); i++) {
		struct peer_a p = peer_id_only(P2P_ID_A);

		build_failed = false;
		expect_core(c, ntf[i].name,
			    peer_msg(&c->nl, ntf[i].cmd, c->p2p, 0, &p),
			    EOPNOTSUPP);
	}
}

/* a process without CAP_NET_ADMIN: GENL_ADMIN_PERM refuses it */
static void unprivileged_case(struct ctx *c)
{
	const char *name = "PEER_GET from uid 65534 (no CAP_NET_ADMIN)";
	struct nlx_err err;
	int pfd[2], status;
	ssize_t n;
	pid_t pid;
	int ret;

	if (pipe(pfd) < 0) {
		fail_why(name, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail_why(name, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (!pid) {
		struct ovpn_nl nl;
		struct {
			int ret;
			struct nlx_err err;
		} res = { 0 };

		close(pfd[0]);
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0 || getuid() != 65534) {
			res.ret = nlx_err_local(&res.err, errno ? errno : EIO,
						"cannot drop to uid 65534: %s",
						strerror(errno));
		} else if (ovpn_nl_open_family(&nl, OVPN_FAMILY_NAME,
					       &res.err)) {
			res.ret = -res.err.error;
		} else {
			struct peer_a p = peer_id_only(P2P_ID_B);

			res.ret = transact(&nl, peer_msg(&nl, OVPN_CMD_PEER_GET,
							 c->p2p, 0, &p),
					   NULL, NULL, &res.err);
			ovpn_nl_close(&nl);
		}
		n = write(pfd[1], &res, sizeof(res));
		_exit(n == (ssize_t)sizeof(res) ? 0 : 1);
	}

	close(pfd[1]);
	{
		struct {
			int ret;
			struct nlx_err err;
		} res;

		n = read(pfd[0], &res, sizeof(res));
		close(pfd[0]);
		waitpid(pid, &status, 0);
		if (n != (ssize_t)sizeof(res)) {
			fail_why(name, "the child reported nothing (status %d)",
				 status);
			return;
		}
		ret = res.ret;
		err = res.err;
	}
	judge(name, ret, &err, EPERM, NULL, X_CORE);
}

static void peer_new_cases(struct ctx *c)
{
	struct peer_a p;

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have &= ~BIT(OVPN_A_PEER_ID);
	expect(c, "PEER_NEW without ID",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(0x1000000, c->udp_p2p, P2P_PORT_A);
	expect(c, "PEER_NEW with ID 0x1000000",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), ERANGE,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have |= BIT(OVPN_A_PEER_TX_ID);
	p.v[OVPN_A_PEER_TX_ID] = 0x1000000;
	expect(c, "PEER_NEW with TX_ID 0x1000000",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), ERANGE,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have &= ~BIT(OVPN_A_PEER_SOCKET);
	expect(c, "PEER_NEW without SOCKET",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->file_fd, P2P_PORT_A);
	expect(c, "PEER_NEW with SOCKET a regular file",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), ENOTSOCK,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->closed_fd, P2P_PORT_A);
	expect(c, "PEER_NEW with SOCKET a closed fd",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), ENOTSOCK,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have &= ~(BIT(OVPN_A_PEER_REMOTE_IPV4) | BIT(OVPN_A_PEER_REMOTE_PORT));
	expect(c, "PEER_NEW of a UDP peer without remote",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have |= BIT(OVPN_A_PEER_REMOTE_IPV6);
	inet_pton(AF_INET6, "fd00::1", &p.r6);
	expect(c, "PEER_NEW with REMOTE_IPV4 and REMOTE_IPV6",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have &= ~BIT(OVPN_A_PEER_REMOTE_IPV4);
	expect(c, "PEER_NEW with REMOTE_PORT without an address",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have &= ~BIT(OVPN_A_PEER_REMOTE_PORT);
	expect(c, "PEER_NEW with REMOTE_IPV4 without a port",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, 0);
	expect(c, "PEER_NEW with REMOTE_PORT 0",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), ERANGE,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have &= ~BIT(OVPN_A_PEER_REMOTE_IPV4);
	p.have |= BIT(OVPN_A_PEER_REMOTE_IPV6);
	inet_pton(AF_INET6, "fd00::1", &p.r6);
	p.r6_len = 15;
	expect(c, "PEER_NEW with a 15-byte REMOTE_IPV6",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), ERANGE,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have |= BIT(OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID);
	p.v[OVPN_A_PEER_REMOTE_IPV6_SCOPE_ID] = 1;
	expect(c, "PEER_NEW with REMOTE_IPV6_SCOPE_ID and an IPv4 remote",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have &= ~(BIT(OVPN_A_PEER_REMOTE_IPV4) | BIT(OVPN_A_PEER_REMOTE_PORT));
	p.have |= BIT(OVPN_A_PEER_LOCAL_IPV4);
	p.l4.s_addr = htonl(INADDR_LOOPBACK);
	expect(c, "PEER_NEW with LOCAL_IPV4 without a remote",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have |= BIT(OVPN_A_PEER_LOCAL_IPV6);
	inet_pton(AF_INET6, "fd00::2", &p.l6);
	expect(c, "PEER_NEW with LOCAL_IPV6 and REMOTE_IPV4",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have |= BIT(OVPN_A_PEER_VPN_IPV4);
	inet_pton(AF_INET, "10.8.0.2", &p.vpn4);
	expect(c, "PEER_NEW with VPN_IPV4 on a P2P device",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have |= BIT(OVPN_A_PEER_KEEPALIVE_INTERVAL);
	p.v[OVPN_A_PEER_KEEPALIVE_INTERVAL] = 5;
	expect(c, "PEER_NEW with KEEPALIVE_INTERVAL only",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->udp_p2p, P2P_PORT_A);
	p.have |= BIT(OVPN_A_PEER_KEEPALIVE_TIMEOUT);
	p.v[OVPN_A_PEER_KEEPALIVE_TIMEOUT] = 60;
	expect(c, "PEER_NEW with KEEPALIVE_TIMEOUT only",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_id_only(UNKNOWN_ID);
	p.have |= BIT(OVPN_A_PEER_SOCKET);
	p.v[OVPN_A_PEER_SOCKET] = c->tcp_unconnected;
	expect(c, "PEER_NEW with an unconnected TCP socket",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), ENOTSOCK,
	       NULL);

	p = peer_udp(UNKNOWN_ID, c->tcp_c2, P2P_PORT_A);
	expect(c, "PEER_NEW with a connected TCP socket and a remote address",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), EINVAL,
	       NULL);
}

/* PEER_GET of @id on @ifindex into @rs; the answer judged as @want */
static int get_peer(struct ctx *c, const char *name, uint32_t ifindex,
		    uint32_t id, struct replies *rs, int want)
{
	struct peer_a p = peer_id_only(id);
	struct nlx_err err;
	int ret;

	replies_init(rs, OVPN_A_PEER, OVPN_A_PEER_MAX);
	ret = transact(&c->nl, peer_msg(&c->nl, OVPN_CMD_PEER_GET, ifindex, 0,
					&p),
		       collect, rs, &err);
	if (name)
		judge(name, ret, &err, want, NULL, 0);
	return ret;
}

static int dump_peers(struct ctx *c, uint32_t ifindex, struct replies *rs,
		      struct nlx_err *err)
{
	struct peer_a none = { 0 };

	replies_init(rs, OVPN_A_PEER, OVPN_A_PEER_MAX);
	return transact(&c->nl, peer_msg(&c->nl, OVPN_CMD_PEER_GET, ifindex,
					 F_DUMP | F_NO_NEST, &none),
			collect, rs, err);
}

/* every reply a PEER_GET reply: its command, one PEER nest, no IFINDEX */
static bool peer_replies_shaped(const char *name, const struct replies *rs)
{
	int i;

	for (i = 0; i < rs->n; i++) {
		const struct reply *r = &rs->r[i];

		if (r->cmd != OVPN_CMD_PEER_GET || r->top_other ||
		    r->no_nest || r->unknown) {
			fail_why(name,
				 "reply %d: cmd %u, %s top-level attribute besides PEER, %s PEER nest, %s unknown attribute",
				 i, r->cmd, r->top_other ? "a" : "no",
				 r->no_nest ? "no" : "a",
				 r->unknown ? "an" : "no");
			return false;
		}
	}
	return true;
}

static const struct {
	int type;
	const char *name;
	int len;
} peer_reply_attrs[] = {
	{ OVPN_A_PEER_ID, "ID", 4 },
	{ OVPN_A_PEER_TX_ID, "TX_ID", 4 },
	{ OVPN_A_PEER_REMOTE_IPV4, "REMOTE_IPV4", 4 },
	{ OVPN_A_PEER_REMOTE_PORT, "REMOTE_PORT", 2 },
	{ OVPN_A_PEER_LOCAL_IPV4, "LOCAL_IPV4", 4 },
	{ OVPN_A_PEER_LOCAL_PORT, "LOCAL_PORT", 2 },
	{ OVPN_A_PEER_KEEPALIVE_INTERVAL, "KEEPALIVE_INTERVAL", 4 },
	{ OVPN_A_PEER_KEEPALIVE_TIMEOUT, "KEEPALIVE_TIMEOUT", 4 },
	{ OVPN_A_PEER_VPN_RX_BYTES, "VPN_RX_BYTES", 4 },
	{ OVPN_A_PEER_VPN_TX_BYTES, "VPN_TX_BYTES", 4 },
	{ OVPN_A_PEER_VPN_RX_PACKETS, "VPN_RX_PACKETS", 4 },
	{ OVPN_A_PEER_VPN_TX_PACKETS, "VPN_TX_PACKETS", 4 },
	{ OVPN_A_PEER_LINK_RX_BYTES, "LINK_RX_BYTES", 4 },
	{ OVPN_A_PEER_LINK_TX_BYTES, "LINK_TX_BYTES", 4 },
	{ OVPN_A_PEER_LINK_RX_PACKETS, "LINK_RX_PACKETS", 4 },
	{ OVPN_A_PEER_LINK_TX_PACKETS, "LINK_TX_PACKETS", 4 },
};

/* the valid PEER_GET of the P2P device's UDP peer, attribute by attribute */
static void check_p2p_peer_reply(struct ctx *c)
{
	const char *name = "PEER_GET reply of a UDP peer";
	struct replies rs;
	const struct reply *r;
	size_t i;

	if (get_peer(c, NULL, c->p2p, P2P_ID_B, &rs, 0)) {
		fail_why(name, "PEER_GET failed");
		goto out;
	}
	if (rs.n != 1) {
		fail_why(name, "%d reply messages (want 1)", rs.n);
		goto out;
	}
	if (!peer_replies_shaped(name, &rs))
		goto out;
	pass("PEER_GET reply: command PEER_GET, one PEER nest, no top-level IFINDEX");

	r = &rs.r[0];
	for (i = 0; i < ARRAY_SIZE(peer_reply_attrs);
	     i++) {
		int t = peer_reply_attrs[i].type;

		if (!(r->have & BIT(t)) || r->len[t] != peer_reply_attrs[i].len) {
			fail_why(name, "%s %s (want %d bytes)",
				 peer_reply_attrs[i].name,
				 (r->have & BIT(t)) ? "has another length" :
						      "is missing",
				 peer_reply_attrs[i].len);
			goto out;
		}
	}
	pass("PEER_GET reply: ID, TX_ID, REMOTE_IPV4/PORT, LOCAL_IPV4/PORT, keepalive and 8 counters, of their sizes");

	if (r->have & (BIT(OVPN_A_PEER_REMOTE_IPV6) | BIT(OVPN_A_PEER_VPN_IPV4) |
		       BIT(OVPN_A_PEER_VPN_IPV6) | BIT(OVPN_A_PEER_SOCKET) |
		       BIT(OVPN_A_PEER_SOCKET_NETNSID) |
		       BIT(OVPN_A_PEER_DEL_REASON)))
		fail_why("PEER_GET reply: no IPv6 remote, VPN address, SOCKET, SOCKET_NETNSID or DEL_REASON",
			 "attribute mask 0x%x", r->have);
	else
		pass("PEER_GET reply: no IPv6 remote, VPN address, SOCKET, SOCKET_NETNSID or DEL_REASON");

	if (r->u32[OVPN_A_PEER_ID] != P2P_ID_B ||
	    r->u32[OVPN_A_PEER_TX_ID] != P2P_TX_B ||
	    r->u32[OVPN_A_PEER_REMOTE_IPV4] != htonl(INADDR_LOOPBACK) ||
	    ntohs(r->u16[OVPN_A_PEER_REMOTE_PORT]) != P2P_PORT_B ||
	    ntohs(r->u16[OVPN_A_PEER_LOCAL_PORT]) != c->udp_p2p_port ||
	    r->u32[OVPN_A_PEER_KEEPALIVE_INTERVAL] != KA_INTERVAL ||
	    r->u32[OVPN_A_PEER_KEEPALIVE_TIMEOUT] != KA_TIMEOUT)
		fail_why("PEER_GET reply: the values set",
			 "id %u tx_id %#x remote %#x:%u local port %u keepalive %u/%u (want %u %#x 127.0.0.1:%u %u %u/%u)",
			 r->u32[OVPN_A_PEER_ID], r->u32[OVPN_A_PEER_TX_ID],
			 ntohl(r->u32[OVPN_A_PEER_REMOTE_IPV4]),
			 ntohs(r->u16[OVPN_A_PEER_REMOTE_PORT]),
			 ntohs(r->u16[OVPN_A_PEER_LOCAL_PORT]),
			 r->u32[OVPN_A_PEER_KEEPALIVE_INTERVAL],
			 r->u32[OVPN_A_PEER_KEEPALIVE_TIMEOUT], P2P_ID_B,
			 P2P_TX_B, P2P_PORT_B, c->udp_p2p_port, KA_INTERVAL,
			 KA_TIMEOUT);
	else
		pass("PEER_GET reply: the values set (ID, TX_ID, remote, local port, both keepalive values)");
out:
	replies_free(&rs);
}

static void p2p_peer_cases(struct ctx *c)
{
	struct replies rs;
	struct nlx_err err;
	struct peer_a p;

	p = peer_udp(P2P_ID_A, c->udp_p2p, P2P_PORT_A);
	expect(c, "PEER_NEW of a valid UDP peer on P2P",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), 0, NULL);
	get_peer(c, "PEER_GET of the new peer", c->p2p, P2P_ID_A, &rs, 0);
	replies_free(&rs);

	p = peer_udp(P2P_ID_B, c->udp_p2p, P2P_PORT_B);
	p.have |= BIT(OVPN_A_PEER_TX_ID);
	p.v[OVPN_A_PEER_TX_ID] = P2P_TX_B;
	expect(c, "PEER_NEW of a second UDP peer on P2P (replaces the first)",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->p2p, 0, &p), 0, NULL);
	get_peer(c, "PEER_GET of the replaced peer", c->p2p, P2P_ID_A, &rs,
		 ENOENT);
	replies_free(&rs);

	if (dump_peers(c, c->p2p, &rs, &err))
		judge("PEER_GET dump on P2P", -err.error, &err, 0, NULL, 0);
	else if (rs.n != 1 || rs.r[0].u32[OVPN_A_PEER_ID] != P2P_ID_B)
		fail_why("PEER_GET dump on P2P returns exactly its one peer",
			 "%d peers, the first with id %u (want 1, id %u)",
			 rs.n, rs.n ? rs.r[0].u32[OVPN_A_PEER_ID] : 0,
			 P2P_ID_B);
	else if (peer_replies_shaped("PEER_GET dump on P2P", &rs))
		pass("PEER_GET dump on P2P returns exactly its one peer");
	replies_free(&rs);

	/* PEER_SET */
	p = peer_keepalive(UNKNOWN_ID, 5, 60);
	expect(c, "PEER_SET of an unknown id",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), ENOENT,
	       NULL);

	p = peer_id_only(P2P_ID_B);
	p.have |= BIT(OVPN_A_PEER_KEEPALIVE_INTERVAL);
	p.v[OVPN_A_PEER_KEEPALIVE_INTERVAL] = 5;
	expect(c, "PEER_SET with KEEPALIVE_INTERVAL only",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_id_only(P2P_ID_B);
	p.have |= BIT(OVPN_A_PEER_KEEPALIVE_TIMEOUT);
	p.v[OVPN_A_PEER_KEEPALIVE_TIMEOUT] = 60;
	expect(c, "PEER_SET with KEEPALIVE_TIMEOUT only",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_keepalive(P2P_ID_B, 5, 60);
	p.have |= BIT(OVPN_A_PEER_SOCKET);
	p.v[OVPN_A_PEER_SOCKET] = c->udp_p2p;
	expect(c, "PEER_SET with SOCKET of the peer's own socket",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), EINVAL,
	       NULL);

	/* a UDP peer moves: PEER_GET shows the new remote; then back */
	p = peer_id_only(P2P_ID_B);
	p.have |= BIT(OVPN_A_PEER_REMOTE_IPV4) | BIT(OVPN_A_PEER_REMOTE_PORT);
	p.r4.s_addr = htonl(INADDR_LOOPBACK);
	p.v[OVPN_A_PEER_REMOTE_PORT] = 1196;
	expect(c, "PEER_SET with a new remote address",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), 0, NULL);
	if (get_peer(c, NULL, c->p2p, P2P_ID_B, &rs, 0) || rs.n != 1)
		fail_why("PEER_GET after PEER_SET moved the peer", "no reply");
	else if (ntohs(rs.r[0].u16[OVPN_A_PEER_REMOTE_PORT]) != 1196)
		fail_why("PEER_GET after PEER_SET moved the peer",
			 "remote port %u (want 1196)",
			 ntohs(rs.r[0].u16[OVPN_A_PEER_REMOTE_PORT]));
	else
		pass("PEER_GET after PEER_SET moved the peer: the new remote port");
	replies_free(&rs);
	p.v[OVPN_A_PEER_REMOTE_PORT] = P2P_PORT_B;
	expect(c, "PEER_SET with the first remote address again",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), 0, NULL);

	p = peer_id_only(P2P_ID_B);
	p.have |= BIT(OVPN_A_PEER_TX_ID);
	p.v[OVPN_A_PEER_TX_ID] = 77;
	expect(c, "PEER_SET with a new TX_ID (not supported yet)",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), EOPNOTSUPP,
	       NULL);

	p = peer_id_only(P2P_ID_B);
	p.have |= BIT(OVPN_A_PEER_VPN_IPV4);
	inet_pton(AF_INET, "10.8.0.2", &p.vpn4);
	expect(c, "PEER_SET with VPN_IPV4 on a P2P device",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), EINVAL,
	       NULL);

	p = peer_keepalive(P2P_ID_B, KA_INTERVAL, KA_TIMEOUT);
	expect(c, "PEER_SET with both keepalive values",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->p2p, 0, &p), 0, NULL);

	/* PEER_GET */
	get_peer(c, "PEER_GET of an unknown id", c->p2p, UNKNOWN_ID, &rs,
		 ENOENT);
	replies_free(&rs);

	p = peer_id_only(P2P_ID_B);
	p.have |= BIT(OVPN_A_PEER_LOCAL_PORT);
	p.v[OVPN_A_PEER_LOCAL_PORT] = c->udp_p2p_port;
	expect(c, "PEER_GET with LOCAL_PORT besides ID",
	       peer_msg(&c->nl, OVPN_CMD_PEER_GET, c->p2p, 0, &p), EINVAL,
	       NULL);

	check_p2p_peer_reply(c);
}

/* KEY_GET of @slot: the reply's KEYCONF; @rs freed by the caller */
static int get_key(struct ctx *c, uint32_t peer_id, uint32_t slot,
		   struct replies *rs, struct nlx_err *err,
		   const uint8_t *seeds, int n_seeds)
{
	struct key_a k = key_slot(peer_id, slot);

	replies_init(rs, OVPN_A_KEYCONF, OVPN_A_KEYCONF_MAX);
	rs->seeds = seeds;
	rs->n_seeds = n_seeds;
	return transact(&c->nl, key_msg(&c->nl, OVPN_CMD_KEY_GET, c->p2p, 0,
					&k),
			collect, rs, err);
}

/* a valid KEY_GET: exactly KEYCONF{PEER_ID, SLOT, KEY_ID, CIPHER_ALG} */
static void check_key(struct ctx *c, const char *name, uint32_t slot,
		      uint32_t key_id, uint32_t alg, const uint8_t *seeds,
		      int n_seeds)
{
	const uint32_t want_have = BIT(OVPN_A_KEYCONF_PEER_ID) |
				   BIT(OVPN_A_KEYCONF_SLOT) |
				   BIT(OVPN_A_KEYCONF_KEY_ID) |
				   BIT(OVPN_A_KEYCONF_CIPHER_ALG);
	const struct reply *r;
	struct replies rs;
	struct nlx_err err;
	int t;

	if (get_key(c, P2P_ID_B, slot, &rs, &err, seeds, n_seeds)) {
		judge(name, -err.error, &err, 0, NULL, 0);
		goto out;
	}
	if (rs.n != 1) {
		fail_why(name, "%d reply messages (want 1)", rs.n);
		goto out;
	}
	r = &rs.r[0];
	if (r->cmd != OVPN_CMD_KEY_GET || r->top_other || r->no_nest ||
	    r->unknown || r->nested_inside || r->have != want_have) {
		fail_why(name,
			 "cmd %u, %s top-level attribute besides KEYCONF, KEYCONF attributes 0x%x%s%s (want cmd %u, KEYCONF{PEER_ID, SLOT, KEY_ID, CIPHER_ALG} = 0x%x only)",
			 r->cmd, r->top_other || r->no_nest ? "a" : "no",
			 r->have, r->nested_inside ? ", a nest inside" : "",
			 r->unknown ? ", an unknown type" : "",
			 OVPN_CMD_KEY_GET, want_have);
		goto out;
	}
	if (r->leak) {
		fail_why(name, "the reply holds key or nonce bytes");
		goto out;
	}
	for (t = OVPN_A_KEYCONF_PEER_ID; t <= OVPN_A_KEYCONF_CIPHER_ALG; t++) {
		if (r->len[t] != 4) {
			fail_why(name, "attribute %d of %u bytes (want 4)", t,
				 r->len[t]);
			goto out;
		}
	}
	if (r->u32[OVPN_A_KEYCONF_PEER_ID] != P2P_ID_B ||
	    r->u32[OVPN_A_KEYCONF_SLOT] != slot ||
	    r->u32[OVPN_A_KEYCONF_KEY_ID] != key_id ||
	    r->u32[OVPN_A_KEYCONF_CIPHER_ALG] != alg) {
		fail_why(name,
			 "peer %u slot %u key id %u cipher %u (want %u %u %u %u)",
			 r->u32[OVPN_A_KEYCONF_PEER_ID],
			 r->u32[OVPN_A_KEYCONF_SLOT],
			 r->u32[OVPN_A_KEYCONF_KEY_ID],
			 r->u32[OVPN_A_KEYCONF_CIPHER_ALG], P2P_ID_B, slot,
			 key_id, alg);
		goto out;
	}
	pass(name);
out:
	replies_free(&rs);
}

static void expect_no_key(struct ctx *c, const char *name, uint32_t slot)
{
	struct replies rs;
	struct nlx_err err;
	int ret;

	ret = get_key(c, P2P_ID_B, slot, &rs, &err, NULL, 0);
	if (!ret && rs.n)
		fail_why(name, "KEY_GET answered with key id %u (want ENOENT)",
			 rs.r[0].u32[OVPN_A_KEYCONF_KEY_ID]);
	else
		judge(name, ret, &err, ENOENT, NULL, 0);
	replies_free(&rs);
}

static void key_new_case(struct ctx *c, const char *name,
			 const struct key_a *k, int want)
{
	expect(c, name, key_msg(&c->nl, OVPN_CMD_KEY_NEW, c->p2p, 0, k), want,
	       NULL);
}

static void key_cases(struct ctx *c)
{
	static const struct {
		int type;
		const char *name;
	} required[] = {
		{ OVPN_A_KEYCONF_PEER_ID, "KEY_NEW without PEER_ID" },
		{ OVPN_A_KEYCONF_SLOT, "KEY_NEW without SLOT" },
		{ OVPN_A_KEYCONF_KEY_ID, "KEY_NEW without KEY_ID" },
		{ OVPN_A_KEYCONF_CIPHER_ALG, "KEY_NEW without CIPHER_ALG" },
		{ OVPN_A_KEYCONF_ENCRYPT_DIR, "KEY_NEW without ENCRYPT_DIR" },
		{ OVPN_A_KEYCONF_DECRYPT_DIR, "KEY_NEW without DECRYPT_DIR" },
	};
	/* the seeds of every key installed, to look for in KEY_GET replies */
	static const uint8_t seeds[] = { 0x20, 0x21, 0x30, 0x31, 0x40, 0x41 };
	struct key_a k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(required); i++) {
		k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
			    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
		k.have &= ~BIT(required[i].type);
		key_new_case(c, required[i].name, &k, EINVAL);
	}

	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_NONE, 32, 0x10);
	key_new_case(c, "KEY_NEW with CIPHER_ALG 0 (NONE)", &k, EINVAL);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1, 3, 32, 0x10);
	key_new_case(c, "KEY_NEW with CIPHER_ALG 3", &k, ERANGE);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 8,
		    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
	key_new_case(c, "KEY_NEW with KEY_ID 8", &k, ERANGE);
	k = key_new(P2P_ID_B, 2, 1, OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
	key_new_case(c, "KEY_NEW with SLOT 2", &k, ERANGE);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 15, 0x10);
	key_new_case(c, "KEY_NEW with a 15-byte AES key", &k, EINVAL);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_CHACHA20_POLY1305, 16, 0x10);
	key_new_case(c, "KEY_NEW with a 16-byte ChaCha20-Poly1305 key", &k,
		     EINVAL);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 257, 0x10);
	key_new_case(c, "KEY_NEW with a 257-byte key", &k, ERANGE);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
	k.enc.nonce_len = 7;
	key_new_case(c, "KEY_NEW with a 7-byte NONCE_TAIL", &k, ERANGE);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
	k.enc.nonce_len = -1;
	key_new_case(c, "KEY_NEW with ENCRYPT_DIR without NONCE_TAIL", &k,
		     EINVAL);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
	k.dec.nonce_len = -1;
	key_new_case(c, "KEY_NEW with DECRYPT_DIR without NONCE_TAIL", &k,
		     EINVAL);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
	k.dec.key_len = -1;
	key_new_case(c, "KEY_NEW with DECRYPT_DIR without CIPHER_KEY", &k,
		     EINVAL);
	k = key_new(UNKNOWN_ID, OVPN_KEY_SLOT_PRIMARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 32, 0x10);
	key_new_case(c, "KEY_NEW for an unknown peer with valid material", &k,
		     ENOENT);

	/* slots: primary AES-128 (1), secondary AES-256 (2), then primary
	 * replaced by ChaCha20-Poly1305 (3)
	 */
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_PRIMARY, 1,
		    OVPN_CIPHER_ALG_AES_GCM, 16, seeds[0]);
	key_new_case(c, "KEY_NEW of a valid AES-128-GCM key (primary)", &k, 0);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY, 2,
		    OVPN_CIPHER_ALG_AES_GCM, 32, seeds[2]);
	key_new_case(c, "KEY_NEW of a valid AES-256-GCM key (secondary)", &k,
		     0);
	k = key_new(P2P_ID_B, OVPN_KEY_SLOT_PRIMARY, 3,
		    OVPN_CIPHER_ALG_CHACHA20_POLY1305, 32, seeds[4]);
	key_new_case(c, "KEY_NEW of a valid ChaCha20-Poly1305 key (replaces the primary)",
		     &k, 0);

	check_key(c, "KEY_GET primary: KEYCONF{PEER_ID, SLOT, KEY_ID 3, CIPHER_ALG ChaCha} and no key material",
		  OVPN_KEY_SLOT_PRIMARY, 3, OVPN_CIPHER_ALG_CHACHA20_POLY1305,
		  seeds, sizeof(seeds));
	check_key(c, "KEY_GET secondary: KEY_ID 2, CIPHER_ALG AES-GCM and no key material",
		  OVPN_KEY_SLOT_SECONDARY, 2, OVPN_CIPHER_ALG_AES_GCM, seeds,
		  sizeof(seeds));

	k = key_slot(P2P_ID_B, OVPN_KEY_SLOT_PRIMARY);
	k.have |= BIT(OVPN_A_KEYCONF_KEY_ID);
	k.v[OVPN_A_KEYCONF_KEY_ID] = 3;
	expect(c, "KEY_GET with KEY_ID besides PEER_ID and SLOT",
	       key_msg(&c->nl, OVPN_CMD_KEY_GET, c->p2p, 0, &k), EINVAL, NULL);
	k = key_slot(UNKNOWN_ID, OVPN_KEY_SLOT_PRIMARY);
	expect(c, "KEY_GET for an unknown peer",
	       key_msg(&c->nl, OVPN_CMD_KEY_GET, c->p2p, 0, &k), ENOENT, NULL);

	/* KEY_DEL */
	k = key_slot(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY);
	k.have &= ~BIT(OVPN_A_KEYCONF_SLOT);
	expect(c, "KEY_DEL without SLOT",
	       key_msg(&c->nl, OVPN_CMD_KEY_DEL, c->p2p, 0, &k), EINVAL, NULL);
	k = key_slot(UNKNOWN_ID, OVPN_KEY_SLOT_PRIMARY);
	expect(c, "KEY_DEL for an unknown peer",
	       key_msg(&c->nl, OVPN_CMD_KEY_DEL, c->p2p, 0, &k), ENOENT, NULL);
	k = key_slot(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY);
	expect(c, "KEY_DEL of the secondary key",
	       key_msg(&c->nl, OVPN_CMD_KEY_DEL, c->p2p, 0, &k), 0, NULL);
	expect_no_key(c, "KEY_GET of the emptied secondary slot",
		      OVPN_KEY_SLOT_SECONDARY);
	expect(c, "KEY_DEL of the empty secondary slot",
	       key_msg(&c->nl, OVPN_CMD_KEY_DEL, c->p2p, 0, &k), 0, NULL);

	/* KEY_SWAP */
	k = key_slot(UNKNOWN_ID, 0);
	k.have = BIT(OVPN_A_KEYCONF_PEER_ID);
	expect(c, "KEY_SWAP for an unknown peer",
	       key_msg(&c->nl, OVPN_CMD_KEY_SWAP, c->p2p, 0, &k), ENOENT,
	       NULL);
	k = key_slot(P2P_ID_B, 0);
	k.have = BIT(OVPN_A_KEYCONF_PEER_ID);
	expect(c, "KEY_SWAP with an empty secondary slot",
	       key_msg(&c->nl, OVPN_CMD_KEY_SWAP, c->p2p, 0, &k), 0, NULL);
	check_key(c, "KEY_GET secondary after KEY_SWAP: the former primary (KEY_ID 3, ChaCha)",
		  OVPN_KEY_SLOT_SECONDARY, 3,
		  OVPN_CIPHER_ALG_CHACHA20_POLY1305, seeds, sizeof(seeds));
	expect_no_key(c, "KEY_GET primary after KEY_SWAP: empty",
		      OVPN_KEY_SLOT_PRIMARY);

	k = key_slot(P2P_ID_B, OVPN_KEY_SLOT_SECONDARY);
	expect(c, "KEY_DEL of the swapped key",
	       key_msg(&c->nl, OVPN_CMD_KEY_DEL, c->p2p, 0, &k), 0, NULL);
	expect_no_key(c, "KEY_GET after KEY_DEL", OVPN_KEY_SLOT_SECONDARY);
}

static struct peer_a mp_peer(struct ctx *c, int i)
{
	struct peer_a p = peer_udp(MP_FIRST + i, c->udp_mp, 20000 + i);

	p.have |= BIT(OVPN_A_PEER_VPN_IPV4);
	p.vpn4.s_addr = htonl(0x0a090000 + 2 + i);	/* 10.9.0.2 .. */
	return p;
}

/* dump the MP device: exactly @want distinct peers, all well formed */
static void check_mp_dump(struct ctx *c, const char *name, int want)
{
	static bool seen[ID_SPACE];
	struct replies rs;
	struct nlx_err err;
	int i;

	if (dump_peers(c, c->mp, &rs, &err)) {
		judge(name, -err.error, &err, 0, NULL, 0);
		goto out;
	}
	if (!peer_replies_shaped(name, &rs))
		goto out;
	if (rs.n != want) {
		fail_why(name, "%d peers (want %d)", rs.n, want);
		goto out;
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < rs.n; i++) {
		uint32_t id = rs.r[i].u32[OVPN_A_PEER_ID];

		if (!(rs.r[i].have & BIT(OVPN_A_PEER_ID)) || id >= ID_SPACE ||
		    seen[id]) {
			fail_why(name, "peer %d of the dump: id %u %s", i, id,
				 id < ID_SPACE && seen[id] ? "seen twice" :
							     "unexpected");
			goto out;
		}
		seen[id] = true;
	}
	pass(name);
out:
	replies_free(&rs);
}

static void mp_cases(struct ctx *c)
{
	struct replies rs;
	struct peer_a p;
	char name[160];
	int i, ret = 0;

	p = mp_peer(c, 0);
	p.have &= ~BIT(OVPN_A_PEER_VPN_IPV4);
	expect(c, "PEER_NEW on MP without a VPN address",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->mp, 0, &p), EINVAL,
	       NULL);

	p = mp_peer(c, 0);
	p.v[OVPN_A_PEER_SOCKET] = c->udp_p2p;
	expect(c, "PEER_NEW on MP with the UDP socket of the P2P device",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->mp, 0, &p), ENOTSOCK,
	       NULL);

	snprintf(name, sizeof(name),
		 "%d PEER_NEW of UDP peers on MP (ids %d..%d)", MP_COUNT,
		 MP_FIRST, MP_FIRST + MP_COUNT - 1);
	for (i = 0; i < MP_COUNT && !ret; i++) {
		struct nlx_err err;

		p = mp_peer(c, i);
		ret = transact(&c->nl, peer_msg(&c->nl, OVPN_CMD_PEER_NEW,
						c->mp, 0, &p),
			       NULL, NULL, &err);
		if (ret || i == MP_COUNT - 1)
			judge(name, ret, &err, 0, NULL, 0);
	}

	p = mp_peer(c, MP_COUNT);
	p.v[OVPN_A_PEER_ID] = MP_FIRST;
	expect(c, "PEER_NEW on MP with a duplicate id",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->mp, 0, &p), EEXIST,
	       NULL);

	/* a TCP peer: one connected socket, no remote address */
	p = peer_id_only(MP_TCP_ID);
	p.have |= BIT(OVPN_A_PEER_SOCKET) | BIT(OVPN_A_PEER_VPN_IPV4);
	p.v[OVPN_A_PEER_SOCKET] = c->tcp_s1;
	inet_pton(AF_INET, "10.10.0.2", &p.vpn4);
	expect(c, "PEER_NEW on MP of a TCP peer",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->mp, 0, &p), 0, NULL);
	p.v[OVPN_A_PEER_ID] = MP_TCP_ID + 1;
	inet_pton(AF_INET, "10.10.0.3", &p.vpn4);
	expect(c, "PEER_NEW on MP with a TCP socket another peer uses",
	       peer_msg(&c->nl, OVPN_CMD_PEER_NEW, c->mp, 0, &p), ENOTSOCK,
	       NULL);

	p = peer_id_only(MP_TCP_ID);
	p.have |= BIT(OVPN_A_PEER_REMOTE_IPV4) | BIT(OVPN_A_PEER_REMOTE_PORT);
	p.r4.s_addr = htonl(INADDR_LOOPBACK);
	p.v[OVPN_A_PEER_REMOTE_PORT] = 1197;
	expect(c, "PEER_SET of a TCP peer with a remote address",
	       peer_msg(&c->nl, OVPN_CMD_PEER_SET, c->mp, 0, &p), EINVAL, NULL);

	if (!get_peer(c, NULL, c->mp, MP_TCP_ID, &rs, 0) && rs.n == 1 &&
	    (rs.r[0].have & BIT(OVPN_A_PEER_VPN_IPV4)) &&
	    !(rs.r[0].have & (BIT(OVPN_A_PEER_REMOTE_IPV4) |
			      BIT(OVPN_A_PEER_REMOTE_IPV6))))
		pass("PEER_GET of a TCP peer: VPN_IPV4, no remote address");
	else
		fail_why("PEER_GET of a TCP peer: VPN_IPV4, no remote address",
			 "%d replies, attribute mask 0x%x", rs.n,
			 rs.n ? rs.r[0].have : 0);
	replies_free(&rs);

	snprintf(name, sizeof(name), "PEER_GET dump on MP returns its %d peers, distinct ids",
		 MP_COUNT + 1);
	check_mp_dump(c, name, MP_COUNT + 1);

	/* PEER_DEL */
	p = peer_id_only(UNKNOWN_ID);
	expect(c, "PEER_DEL of an unknown id",
	       peer_msg(&c->nl, OVPN_CMD_PEER_DEL, c->mp, 0, &p), ENOENT,
	       NULL);
	p = peer_id_only(MP_FIRST);
	p.have |= BIT(OVPN_A_PEER_REMOTE_PORT);
	p.v[OVPN_A_PEER_REMOTE_PORT] = 20000;
	expect(c, "PEER_DEL with REMOTE_PORT besides ID",
	       peer_msg(&c->nl, OVPN_CMD_PEER_DEL, c->mp, 0, &p), EINVAL,
	       NULL);
	p = peer_id_only(MP_FIRST);
	expect(c, "PEER_DEL of an MP peer",
	       peer_msg(&c->nl, OVPN_CMD_PEER_DEL, c->mp, 0, &p), 0, NULL);
	get_peer(c, "PEER_GET of the deleted peer", c->mp, MP_FIRST, &rs,
		 ENOENT);
	replies_free(&rs);
	expect(c, "PEER_DEL of the deleted peer again",
	       peer_msg(&c->nl, OVPN_CMD_PEER_DEL, c->mp, 0, &p), ENOENT,
	       NULL);
	snprintf(name, sizeof(name), "PEER_GET dump on MP after PEER_DEL returns %d peers",
		 MP_COUNT);
	check_mp_dump(c, name, MP_COUNT);
}

static void check_still_alive(struct ctx *c)
{
	struct replies rs;

	if (!get_peer(c, NULL, c->p2p, P2P_ID_B, &rs, 0) && rs.n == 1 &&
	    rs.r[0].u32[OVPN_A_PEER_ID] == P2P_ID_B)
		pass("PEER_GET of the P2P peer still answers");
	else
		fail_why("PEER_GET of the P2P peer still answers",
			 "%d replies", rs.n);
	replies_free(&rs);
	if (!get_peer(c, NULL, c->mp, MP_FIRST + 1, &rs, 0) && rs.n == 1 &&
	    rs.r[0].u32[OVPN_A_PEER_ID] == MP_FIRST + 1)
		pass("PEER_GET of an MP peer still answers");
	else
		fail_why("PEER_GET of an MP peer still answers", "%d replies",
			 rs.n);
	replies_free(&rs);
}

/* setup */

static uint32_t ifindex_of(const char *name)
{
	uint32_t i = if_nametoindex(name);

	if (!i)
		fprintf(stderr, "nlcheck-ovpn: %s: %s\n", name,
			strerror(errno));
	return i;
}

/* an ifindex no device has */
static uint32_t pick_unknown_ifindex(void)
{
	char name[IF_NAMESIZE];
	uint32_t i;

	for (i = 0x7ffffff0; i > 0x7fff0000; i--)
		if (!if_indextoname(i, name))
			return i;
	return 0x7fffffff;
}

static int bound_socket(int type, uint16_t *port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr = { htonl(INADDR_LOOPBACK) },
	};
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		close(fd);
		return -1;
	}
	if (port)
		*port = ntohs(sin.sin_port);
	return fd;
}

/* a TCP connection over loopback through @lfd: both ends */
static int tcp_pair(int lfd, uint16_t port, int *client, int *server)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr = { htonl(INADDR_LOOPBACK) },
	};

	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*client < 0 ||
	    connect(*client, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	*server = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return *server < 0 ? -1 : 0;
}

static int setup(struct ctx *c, char **argv)
{
	struct nlx_err err;
	uint16_t lport;
	FILE *f;
	int lfd;

	c->p2p = ifindex_of(argv[1]);
	c->mp = ifindex_of(argv[2]);
	c->dco = ifindex_of(argv[3]);
	c->lo = ifindex_of("lo");
	if (!c->p2p || !c->mp || !c->dco || !c->lo)
		return -1;
	c->unknown_ifindex = pick_unknown_ifindex();

	c->udp_p2p = bound_socket(SOCK_DGRAM, &c->udp_p2p_port);
	c->udp_mp = bound_socket(SOCK_DGRAM, NULL);
	c->tcp_unconnected = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->udp_p2p < 0 || c->udp_mp < 0 || c->tcp_unconnected < 0) {
		fprintf(stderr, "nlcheck-ovpn: sockets: %s\n", strerror(errno));
		return -1;
	}
	lfd = bound_socket(SOCK_STREAM, &lport);
	if (lfd < 0 || listen(lfd, 4) < 0 ||
	    tcp_pair(lfd, lport, &c->tcp_c1, &c->tcp_s1) ||
	    tcp_pair(lfd, lport, &c->tcp_c2, &c->tcp_s2)) {
		fprintf(stderr, "nlcheck-ovpn: TCP over loopback: %s\n",
			strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	close(lfd);

	f = tmpfile();
	if (!f) {
		fprintf(stderr, "nlcheck-ovpn: temporary file: %s\n",
			strerror(errno));
		return -1;
	}
	c->file_fd = dup(fileno(f));
	fclose(f);
	if (c->file_fd < 0) {
		fprintf(stderr, "nlcheck-ovpn: dup: %s\n", strerror(errno));
		return -1;
	}
	/* far above what this process opens */
	for (c->closed_fd = 900; fcntl(c->closed_fd, F_GETFD) != -1;
	     c->closed_fd++)
		;

	if (ovpn_nl_open_family(&c->nl, OVPN_FAMILY_NAME, &err)) {
		fprintf(stderr, "nlcheck-ovpn: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void cleanup(struct ctx *c)
{
	int *fds[] = { &c->udp_p2p, &c->udp_mp, &c->file_fd,
		       &c->tcp_unconnected, &c->tcp_c1, &c->tcp_s1,
		       &c->tcp_c2, &c->tcp_s2 };
	size_t i;

	ovpn_nl_close(&c->nl);
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

int main(int argc, char **argv)
{
	struct ctx c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	verbose = getenv("NLCHECK_VERBOSE");
	if (argc != 4) {
		fprintf(stderr,
			"usage: nlcheck-ovpn <p2p-iface> <mp-iface> <dco-iface>\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.udp_p2p = -1;
	c.udp_mp = -1;
	c.file_fd = -1;
	c.tcp_unconnected = -1;
	c.tcp_c1 = -1;
	c.tcp_s1 = -1;
	c.tcp_c2 = -1;
	c.tcp_s2 = -1;
	if (setup(&c, argv)) {
		cleanup(&c);
		return 1;
	}

	generic_cases(&c);
	dump_cases(&c);
	notification_cases(&c);
	unprivileged_case(&c);
	peer_new_cases(&c);
	p2p_peer_cases(&c);
	key_cases(&c);
	mp_cases(&c);
	check_still_alive(&c);

	cleanup(&c);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
