// SPDX-License-Identifier: GPL-2.0-only
/*
 * scalegen: many OpenVPN clients in one process, for peer-scale tests and
 * benchmarks of a multi-peer device.
 *
 * "run" plays both sides. On the server side (--server-netns) it does what a
 * daemon does for N clients: one UDP socket, then per client NEW_PEER (its
 * transport address and VPN address) and NEW_KEY (fresh random keys), over
 * the device's family (ovpn-dco-v2, or the upstream ovpn for a device of
 * kind ovpn). On the client side (the namespace it was started in) it is N
 * clients: one UDP socket per client on its own port, its own peer id, its
 * own keys, sending P_DATA_V2 packets that carry ICMP echo requests from the
 * client's VPN address to --vpn-dst (the server's tunnel address), and
 * decrypting and checking the echo replies the server's kernel sends back.
 * Traffic runs in phases: "reach" (every client until each got a reply),
 * "spread" (round robin over all clients), "one" (every packet from the
 * first client). At most --window requests are unanswered at a time.
 *
 * "setup" is "run" without the clients: the server's peers and keys only
 * (they stay when it exits), for measurements of idle peers.
 *
 * "keepalive" and "delete" send SET_PEER or DEL_PEER to the same N peers of
 * the server (mass expiry, timed teardown) and touch nothing else; "delete
 * --window W" keeps up to W requests in flight. "dump" reads a GET_PEER
 * dump of the device and checks that it lists each of the N peers exactly
 * once; "dump --race" deletes and adds peers between the parts of the dump
 * and checks that every peer that stayed was listed once, none twice (then
 * puts the N back as they were). "listen" counts the DEL_PEER
 * notifications of those N peers (until it has them all, a timeout, or an
 * overrun and silence).
 *
 * "run" and "setup" also report the kernel's slab, vmalloc and per-CPU
 * memory (/proc/meminfo) before and after the setup, for the cost per peer,
 * and "run" its own CPU time in each traffic phase.
 *
 * Output: "key value" lines on stdout (Documentation/scale.md lists them);
 * errors on stderr. Keys never leave the process. Exit status: 0 done (the
 * numbers say how well), 1 failure (setup refused, socket errors), 2 usage.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/chachapoly.h>
#include <mbedtls/gcm.h>

#include "family.h"
#include "nl.h"
#include "ovpn.h"
#include "ovpnu.h"
#include "rtnl.h"
#include "util.h"
#include "toolutil.h"

#define HDR_LEN		8	/* opcode/key id, peer id, packet id */
#define TAG_LEN		16
#define DATA_HDR_LEN	(HDR_LEN + TAG_LEN)
#define NONCE_LEN	12
#define OP_DATA_V2	9
#define KEY_ID		0
#define IP_HDR_LEN	20
#define ICMP_HDR_LEN	8
/* what the echo payload starts with: magic, client index, phase, send time */
#define PAYLOAD_MIN	(4 + 4 + 4 + 8)
#define INNER_MIN	(IP_HDR_LEN + ICMP_HDR_LEN + PAYLOAD_MIN)
#define INNER_MAX	1400
#define PKT_MAX		2048
#define MAGIC		0x5347454eU	/* "SGEN" */
#define RTT_SAMPLES_MAX	(1 << 20)
#define UNREACHED_SHOWN	10
/* no reply for this long: the requests in flight are taken as lost */
#define STALL_MS	200
/* at the end of a phase (or of a reach round), this long without a reply */
#define DRAIN_MS	1000

static const uint8_t keepalive_magic[16] = {
	0x2a, 0x18, 0x7b, 0xf3, 0x64, 0x1e, 0xb4, 0xcb,
	0x07, 0xed, 0x2d, 0x0a, 0x98, 0x1f, 0xc7, 0x48,
};

/**
 * struct aead - one direction of a client's key
 * @chacha: ChaCha20-Poly1305 (else AES-GCM)
 * @gcm: the AES-GCM context
 * @cp: the ChaCha20-Poly1305 context
 * @tail: the nonce tail
 */
struct aead {
	bool chacha;
	union {
		mbedtls_gcm_context gcm;
		mbedtls_chachapoly_context cp;
	};
	uint8_t tail[KEYFILE_NONCE_TAIL_LEN];
};

/**
 * struct client - one simulated client
 * @fd: its UDP socket (its own port)
 * @peer_id: its peer id
 * @vpn: its VPN address (network order)
 * @tx_pktid: packet id of its last data packet
 * @rx_pktid: highest packet id received
 * @seq: ICMP sequence number of its last request
 * @replies: valid replies in the current phase
 * @reached: it got a valid reply in the reach phase
 * @enc: the key it sends with
 * @dec: the key it receives with
 */
struct client {
	int fd;
	uint32_t peer_id;
	uint32_t vpn;
	uint32_t tx_pktid;
	uint32_t rx_pktid;
	uint16_t seq;
	uint32_t replies;
	bool reached;
	struct aead enc;
	struct aead dec;
};

/**
 * struct phase - counters of one traffic phase
 * @name: "reach", "spread", "one"
 * @id: carried in each request, so that a late reply is not counted twice
 * @tx: requests sent
 * @tx_err: sends that failed
 * @rx: valid replies
 * @start_ms: when it started
 * @rtt: round-trip samples (microseconds)
 * @n_rtt: how many
 * @per_sec: valid replies per whole second since @start_ms
 * @n_sec: size of @per_sec
 * @replied: per client, whether it got a valid reply in this phase
 * @cpu_user_us: the process's user CPU time in the phase (getrusage())
 * @cpu_sys_us: its system CPU time (the kernel's work in its system calls,
 *	and what runs in softirq while it does)
 */
struct phase {
	const char *name;
	uint32_t id;
	uint64_t tx;
	uint64_t tx_err;
	uint64_t rx;
	long long start_ms;
	uint32_t *rtt;
	size_t n_rtt;
	uint64_t *per_sec;
	size_t n_sec;
	uint8_t *replied;
	long long cpu_user_us;
	long long cpu_sys_us;
};

/* what every phase shares: the clients and what came back that was wrong */
static struct client *clients;
static uint32_t n_clients;
static int epfd = -1;
static uint32_t inflight;
static struct phase *cur;
static uint64_t rx_auth_fail, rx_bad, rx_other, rx_keepalive, rx_reordered,
		rx_late;

/* options */
static const char *server_netns, *iface, *family_name;
static uint32_t peer_id_base = 1;
static struct ip_addr server_ip, client_ip;
static uint16_t server_port = 1194, client_port_base = 20000;
static struct in_addr vpn_base, vpn_dst;
static const struct cipher *cipher;
static uint32_t reach_secs, duration = 3, window = 32, inner_len = 84;
static const char *load = "spread";
static bool keepalive_at_setup, expire_after, wrong_key, hold, no_clients;
static bool race, window_set, server_port_set;
static uint32_t ka_interval, ka_timeout, ex_interval, ex_timeout;
static uint32_t listen_secs = 60, rcvbuf, rounds = 1;

static void __attribute__((noreturn)) usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "scalegen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"\nusage: scalegen run --iface DEV --clients N --server ADDR --client-ip ADDR\n"
		"                    --vpn-base ADDR --vpn-dst ADDR [options]\n"
		"       scalegen setup --iface DEV --clients N --server ADDR --client-ip ADDR\n"
		"                      --vpn-base ADDR [options]\n"
		"       scalegen keepalive I,T --iface DEV --clients N [options]\n"
		"       scalegen delete --iface DEV --clients N [--window W] [options]\n"
		"       scalegen dump --iface DEV --clients N [options]\n"
		"       scalegen dump --race --iface DEV --clients N --server ADDR --client-ip ADDR\n"
		"                        --vpn-base ADDR [options]\n"
		"       scalegen listen --iface DEV --clients N [--timeout SECS] [--rcvbuf BYTES]\n"
		"options: --server-netns NS --family ovpn-dco-v2|ovpn --peer-id-base ID\n"
		"         --server-port P --client-port-base P --cipher C --reach SECS\n"
		"         --load spread|one|both|none --duration SECS --rounds R --window W\n"
		"         --size BYTES --timeout SECS --rcvbuf BYTES\n"
		"         --keepalive I,T --expire I,T --wrong-key --hold\n");
	exit(EXIT_USAGE);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void random_bytes(uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("scalegen: getrandom");
			exit(1);
		}
		p += n;
		len -= n;
	}
}

static int aead_init(struct aead *a, const uint8_t *key, const uint8_t *tail)
{
	memcpy(a->tail, tail, sizeof(a->tail));
	a->chacha = cipher->alg == OVPN_CIPHER_ALG_CHACHA20_POLY1305;
	if (a->chacha) {
		mbedtls_chachapoly_init(&a->cp);
		return mbedtls_chachapoly_setkey(&a->cp, key);
	}
	mbedtls_gcm_init(&a->gcm);
	return mbedtls_gcm_setkey(&a->gcm, MBEDTLS_CIPHER_ID_AES, key,
				  cipher->key_len * 8);
}

static void aead_free(struct aead *a)
{
	if (a->chacha)
		mbedtls_chachapoly_free(&a->cp);
	else
		mbedtls_gcm_free(&a->gcm);
}

/* encrypt @len bytes of @in behind the header @pkt (whose tag it fills) */
static int aead_seal(struct aead *a, uint8_t *pkt, const uint8_t *in,
		     size_t len)
{
	uint8_t iv[NONCE_LEN];

	memcpy(iv, pkt + 4, 4);
	memcpy(iv + 4, a->tail, sizeof(a->tail));
	if (a->chacha)
		return mbedtls_chachapoly_encrypt_and_tag(&a->cp, len, iv, pkt,
							  HDR_LEN, in,
							  pkt + DATA_HDR_LEN,
							  pkt + HDR_LEN);
	return mbedtls_gcm_crypt_and_tag(&a->gcm, MBEDTLS_GCM_ENCRYPT, len, iv,
					 NONCE_LEN, pkt, HDR_LEN, in,
					 pkt + DATA_HDR_LEN, TAG_LEN,
					 pkt + HDR_LEN);
}

/* authenticate and decrypt the data packet @pkt of @len bytes into @out */
static int aead_open(struct aead *a, const uint8_t *pkt, size_t len,
		     uint8_t *out)
{
	uint8_t iv[NONCE_LEN];

	memcpy(iv, pkt + 4, 4);
	memcpy(iv + 4, a->tail, sizeof(a->tail));
	len -= DATA_HDR_LEN;
	if (a->chacha)
		return mbedtls_chachapoly_auth_decrypt(&a->cp, len, iv, pkt,
						       HDR_LEN, pkt + HDR_LEN,
						       pkt + DATA_HDR_LEN, out);
	return mbedtls_gcm_auth_decrypt(&a->gcm, len, iv, NONCE_LEN, pkt,
					HDR_LEN, pkt + HDR_LEN, TAG_LEN,
					pkt + DATA_HDR_LEN, out);
}

/* ------------------------------------------------------------ namespaces */

static int open_netns(const char *name)
{
	char path[256];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "scalegen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void enter_netns(int fd, const char *what)
{
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "scalegen: setns to %s: %s\n", what,
			strerror(errno));
		exit(1);
	}
}

/* ---------------------------------------------------------------- server */

/**
 * struct server - the server side: the device, its family, a request socket
 * @ifindex: the device
 * @fam: its family's requests
 * @nl: a request socket of that family (in the server's namespace)
 */
struct server {
	uint32_t ifindex;
	const struct fam_ops *fam;
	struct ovpn_nl nl;
};

/* nlx_report() for request @cmd about peer @peer_id */
static void report_peer(const char *cmd, uint32_t peer_id,
			const struct nlx_err *err)
{
	char what[64];

	snprintf(what, sizeof(what), "%s of peer %u", cmd, peer_id);
	nlx_report(what, err);
}

/* find the device and open its family, in the current namespace */
static void server_open(struct server *s)
{
	struct nlx_err err;
	char kind[32] = "";
	bool upstream;

	s->ifindex = if_nametoindex(iface);
	if (!s->ifindex) {
		fprintf(stderr, "scalegen: no device %s%s%s\n", iface,
			server_netns ? " in namespace " : "",
			server_netns ?: "");
		exit(1);
	}
	if (family_name) {
		upstream = !strcmp(family_name, OVPNU_FAMILY_NAME);
	} else {
		if (rt_link_kind(s->ifindex, kind, sizeof(kind), &err)) {
			nlx_report("the device's link kind", &err);
			exit(1);
		}
		upstream = !strcmp(kind, OVPNU_LINK_KIND);
	}
	s->fam = upstream ? &ovpnu_fam_ops : &ovpn_fam_ops;
	if (s->fam->nl_open(&s->nl, &err)) {
		nlx_report(s->fam->family, &err);
		exit(1);
	}
	printf("family %s\n", s->fam->family);
}

static long long realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static double per_sec(uint64_t n, long long us)
{
	return us > 0 ? n * 1e6 / us : 0;
}

/* ---------------------------------------------------------------- memory */

/**
 * struct mem - the kernel's memory that peers can cost, from /proc/meminfo
 * @slab_kb: Slab (every kmalloc and kmem_cache object)
 * @vmalloc_kb: VmallocUsed
 * @percpu_kb: Percpu
 */
struct mem {
	long long slab_kb;
	long long vmalloc_kb;
	long long percpu_kb;
};

static void mem_read(struct mem *m)
{
	char line[256];
	long long v;
	FILE *f;

	m->slab_kb = m->vmalloc_kb = m->percpu_kb = -1;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %lld", &v) == 1)
			m->slab_kb = v;
		else if (sscanf(line, "VmallocUsed: %lld", &v) == 1)
			m->vmalloc_kb = v;
		else if (sscanf(line, "Percpu: %lld", &v) == 1)
			m->percpu_kb = v;
	}
	fclose(f);
}

/* "<what>_slab_kb" etc. and the growth since @base per peer, in bytes */
static void mem_report(const char *what, const struct mem *base)
{
	struct mem m;

	mem_read(&m);
	printf("%s_slab_kb %lld\n%s_vmalloc_kb %lld\n%s_percpu_kb %lld\n",
	       what, m.slab_kb, what, m.vmalloc_kb, what, m.percpu_kb);
	printf("%s_slab_bytes_per_peer %.0f\n%s_vmalloc_bytes_per_peer %.0f\n"
	       "%s_percpu_bytes_per_peer %.0f\n",
	       what, (m.slab_kb - base->slab_kb) * 1024.0 / n_clients,
	       what, (m.vmalloc_kb - base->vmalloc_kb) * 1024.0 / n_clients,
	       what, (m.percpu_kb - base->percpu_kb) * 1024.0 / n_clients);
}

/* SET_PEER on every peer; prints "<what>_peers", "<what>_ms" */
static int server_keepalive(struct server *s, const char *what,
			    uint32_t interval, uint32_t timeout)
{
	long long t0 = now_us();
	struct nlx_err err;
	uint32_t i;

	printf("%s_started_ms %lld\n", what, realtime_ms());
	for (i = 0; i < n_clients; i++) {
		if (s->fam->set_peer(&s->nl, s->ifindex, peer_id_base + i,
				     interval, timeout, -1, &err)) {
			report_peer("SET_PEER", peer_id_base + i, &err);
			printf("%s_peers %u\n", what, i);
			return -1;
		}
	}
	printf("%s_peers %u\n%s_ms %lld\n", what, n_clients, what,
	       (now_us() - t0) / 1000);
	return 0;
}

/* a DEL_PEER request of peer @id, not sent yet (NULL: out of memory) */
static struct nl_msg *del_peer_msg(struct server *s, uint32_t id)
{
	const struct fam_u32 a = { OVPN_DEL_PEER_ATTR_PEER_ID, id };

	if (s->fam == &ovpnu_fam_ops)
		return ovpnu_msg_del_peer(&s->nl, s->ifindex, id);
	return fam_req(&s->nl, OVPN_CMD_DEL_PEER, 0, s->ifindex,
		       OVPN_ATTR_DEL_PEER, &a, 1, NULL);
}

/**
 * struct del_window - DEL_PEER requests in flight, answered by sequence
 * @seq0: sequence number of the first request
 * @seqs: per peer (index), the sequence number of its request
 * @sent: requests sent
 * @answered: ACKs and errors received
 * @deleted: ACKs
 * @gone: ENOENT
 * @failed: index of the first peer refused otherwise, or -1
 * @err: why
 */
struct del_window {
	uint32_t seq0;
	uint32_t *seqs;
	uint32_t sent;
	uint32_t answered;
	uint64_t deleted;
	uint64_t gone;
	int64_t failed;
	struct nlx_err err;
};

/* the peer (index) whose request had sequence number @seq, or -1 */
static int64_t del_window_peer(const struct del_window *w, uint32_t seq)
{
	uint32_t i = seq - w->seq0;

	if (i >= w->sent || w->seqs[i] != seq)
		return -1;
	return i;
}

static int del_window_seq_ok(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int del_window_ack(struct nl_msg *msg, void *arg)
{
	struct del_window *w = arg;

	if (del_window_peer(w, nlmsg_hdr(msg)->nlmsg_seq) >= 0) {
		w->answered++;
		w->deleted++;
	}
	return NL_OK;
}

static int del_window_error(struct sockaddr_nl *nla, struct nlmsgerr *e,
			    void *arg)
{
	/* libnl hands us nlmsg_data() of the NLMSG_ERROR message */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct del_window *w = arg;
	size_t off = NLMSG_HDRLEN + sizeof(e->error);
	int64_t i = del_window_peer(w, e->msg.nlmsg_seq);

	(void)nla;
	if (i < 0)
		return NL_SKIP;
	w->answered++;
	if (-e->error == ENOENT) {
		w->gone++;
		return NL_SKIP;
	}
	if (w->failed >= 0 && w->failed < i)
		return NL_SKIP;
	/* the first refusal is the one reported, with its extack message */
	w->failed = i;
	nlx_err_clear(&w->err);
	w->err.error = -e->error;
	w->err.kernel = true;
	off += nlh->nlmsg_flags & NLM_F_CAPPED ? sizeof(struct nlmsghdr) :
						   NLMSG_ALIGN(e->msg.nlmsg_len);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && nlh->nlmsg_len > off &&
	    !nla_parse(tb, NLMSGERR_ATTR_MAX,
		       (struct nlattr *)((char *)nlh + off),
		       nlh->nlmsg_len - off, NULL) &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(w->err.msg, sizeof(w->err.msg), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_SKIP;
}

/*
 * DEL_PEER of every peer with up to @window requests in flight: each is
 * sent without waiting for the ACKs of those before it, and the answers
 * are matched to their peers by sequence number. After a refusal other
 * than ENOENT nothing more is sent; what is in flight is still read.
 */
static int server_delete_window(struct server *s, uint32_t window,
				uint64_t *deleted, uint64_t *gone)
{
	struct del_window w = { .failed = -1 };
	struct nl_sock *sk = s->nl.sk;
	struct nl_cb *cb;
	int ret = 0;

	w.seqs = calloc(n_clients, sizeof(*w.seqs));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!w.seqs || !cb) {
		fprintf(stderr, "scalegen: out of memory\n");
		free(w.seqs);
		if (cb)
			nl_cb_put(cb);
		return -1;
	}
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, del_window_seq_ok, NULL);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, del_window_ack, &w);
	nl_cb_err(cb, NL_CB_CUSTOM, del_window_error, &w);
	/* room for the ACKs of a full window (and their extack messages) */
	nl_socket_set_buffer_size(sk, 1 << 20, 0);

	while (w.answered < w.sent || (w.sent < n_clients && w.failed < 0)) {
		while (w.sent - w.answered < window && w.sent < n_clients &&
		       w.failed < 0) {
			struct nl_msg *msg = del_peer_msg(s, peer_id_base + w.sent);
			int n;

			if (!msg) {
				fprintf(stderr, "scalegen: out of memory\n");
				ret = -1;
				goto out;
			}
			n = nl_send_auto(sk, msg);
			if (n >= 0) {
				if (!w.sent)
					w.seq0 = nlmsg_hdr(msg)->nlmsg_seq;
				w.seqs[w.sent++] = nlmsg_hdr(msg)->nlmsg_seq;
			}
			nlmsg_free(msg);
			if (n < 0) {
				fprintf(stderr, "scalegen: DEL_PEER of peer %u: netlink send: %s\n",
					peer_id_base + w.sent, nl_geterror(n));
				ret = -1;
				goto out;
			}
		}
		if (w.answered < w.sent) {
			int n = nl_recvmsgs(sk, cb);

			if (n < 0) {
				fprintf(stderr, "scalegen: DEL_PEER: netlink receive: %s (%u of %u requests answered)\n",
					nl_geterror(n), w.answered, w.sent);
				ret = -1;
				goto out;
			}
		}
	}
	if (w.failed >= 0) {
		report_peer("DEL_PEER", peer_id_base + (uint32_t)w.failed, &w.err);
		ret = -1;
	}
	*deleted = w.deleted;
	*gone = w.gone;
out:
	nl_cb_put(cb);
	free(w.seqs);
	return ret;
}

/*
 * DEL_PEER of every peer, timed; one already gone is counted, not fatal.
 * @window 1: one at a time, each ACK awaited; more: server_delete_window().
 */
static int server_delete(struct server *s, uint32_t window)
{
	uint64_t gone = 0, deleted = 0;
	long long t0 = now_us(), us;
	struct nlx_err err;
	uint32_t i;

	printf("delete_window %u\ndelete_started_ms %lld\n", window,
	       realtime_ms());
	if (window > 1) {
		if (server_delete_window(s, window, &deleted, &gone))
			return -1;
		goto done;
	}
	for (i = 0; i < n_clients; i++) {
		if (!s->fam->del_peer(&s->nl, s->ifindex, peer_id_base + i,
				      &err)) {
			deleted++;
			continue;
		}
		if (err.kernel && err.error == ENOENT) {
			gone++;
			continue;
		}
		report_peer("DEL_PEER", peer_id_base + i, &err);
		return -1;
	}
done:
	us = now_us() - t0;
	printf("deleted %llu\nalready_gone %llu\ndelete_ms %lld\ndelete_peers_per_sec %.0f\n",
	       (unsigned long long)deleted, (unsigned long long)gone,
	       us / 1000, per_sec(deleted, us));
	return 0;
}

/* the dump's answer for one peer: count it, and it once more if seen */
struct dump_count {
	int id_attr;
	uint8_t *seen;
	uint64_t entries, in_range, dups, no_id;
};

static void dump_peer(const struct attr_vals *vals, void *arg)
{
	struct dump_count *d = arg;
	uint64_t id;

	d->entries++;
	if (!ATTR_HAS(vals, d->id_attr)) {
		d->no_id++;
		return;
	}
	id = vals->num[d->id_attr];
	if (id < peer_id_base || id - peer_id_base >= n_clients)
		return;
	d->in_range++;
	if (d->seen[id - peer_id_base]++)
		d->dups++;
}

/* GET_PEER dump, timed: every one of the N peers exactly once? */
static int server_dump(struct server *s)
{
	/* the upstream family's OVPN_A_PEER_ID is 1 too */
	struct dump_count d = { .id_attr = OVPN_GET_PEER_RESP_ATTR_PEER_ID };
	uint64_t missing = 0;
	long long t0, us;
	struct nlx_err err;
	uint32_t i;
	int ret;

	d.seen = calloc(n_clients, 1);
	if (!d.seen) {
		fprintf(stderr, "scalegen: out of memory\n");
		return -1;
	}
	t0 = now_us();
	ret = s->fam->get_peer(&s->nl, s->ifindex, NULL, dump_peer, &d, &err);
	us = now_us() - t0;
	if (ret)
		nlx_report("GET_PEER dump", &err);
	for (i = 0; i < n_clients; i++)
		missing += !d.seen[i];
	free(d.seen);
	printf("dump_ms %lld\ndump_entries %llu\ndump_peers %llu\ndump_missing %llu\n"
	       "dump_duplicates %llu\ndump_without_id %llu\ndump_ok %s\n",
	       us / 1000, (unsigned long long)d.entries,
	       (unsigned long long)d.in_range, (unsigned long long)missing,
	       (unsigned long long)d.dups, (unsigned long long)d.no_id,
	       !ret && !missing && !d.dups ? "yes" : "no");
	return ret ? -1 : 0;
}

/**
 * struct listen_count - DEL_PEER notifications of the N peers of one device
 * @s: the device and its family
 * @seen: per peer, how many
 * @total: notifications of those peers
 * @distinct: peers notified at least once
 * @dups: notifications of a peer already notified
 * @reasons: by reason (the last slot: any other value)
 * @first_ms: CLOCK_REALTIME of the first, in ms (0: none yet)
 * @last_ms: of the last
 */
struct listen_count {
	const struct server *s;
	uint8_t *seen;
	uint64_t total, distinct, dups;
	uint64_t reasons[6];
	long long first_ms, last_ms;
};

static int listen_notification(struct nl_msg *msg, void *arg)
{
	struct listen_count *l = arg;
	struct ovpn_notif n;
	uint32_t idx;

	if (l->s->fam->parse_notification(msg, &n) || n.kind != NOTIF_DEL_PEER ||
	    n.ifindex != l->s->ifindex || !n.has_peer_id ||
	    n.peer_id < peer_id_base || n.peer_id - peer_id_base >= n_clients)
		return NL_SKIP;
	idx = n.peer_id - peer_id_base;
	l->total++;
	if (l->seen[idx]) {
		l->dups++;
	} else {
		l->seen[idx] = 1;
		l->distinct++;
	}
	l->reasons[n.has_reason && n.reason < 5 ? n.reason : 5]++;
	l->last_ms = realtime_ms();
	if (!l->first_ms)
		l->first_ms = l->last_ms;
	return NL_OK;
}

/*
 * Count the DEL_PEER notifications of the N peers until every peer was
 * notified, --timeout passes, a signal comes, or the socket overran and
 * nothing more came for a while (what is lost will not come).
 */
static int server_listen(struct server *s)
{
	static const char * const names[] = {
		"teardown", "userspace", "expired", "transport_error",
		"transport_disconnect", "other",
	};
	struct listen_count l = { .s = s };
	long long end, quiet = 0;
	uint64_t overruns = 0;
	struct nlx_err err;
	struct ovpn_nl nl;
	sigset_t set;
	int ret = 0;
	size_t i;

	l.seen = calloc(n_clients, 1);
	if (!l.seen) {
		fprintf(stderr, "scalegen: out of memory\n");
		return -1;
	}
	if (s->fam->nl_open_mcast(&nl, (int)rcvbuf, &err)) {
		nlx_report("listen", &err);
		free(l.seen);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("listening %lld\n", realtime_ms());
	fflush(stdout);
	end = monotonic_ms() + listen_secs * 1000LL;
	while (l.distinct < n_clients) {
		struct pollfd pfd = {
			.fd = nl_socket_get_fd(nl.sk), .events = POLLIN,
		};
		long long now = monotonic_ms();
		sigset_t pending;
		int ms;

		if (now >= end || (quiet && now >= quiet))
			break;
		/* SIGTERM: report what came so far */
		if (!sigpending(&pending) && (sigismember(&pending, SIGTERM) ||
					      sigismember(&pending, SIGINT)))
			break;
		ms = end - now > 200 ? 200 : (int)(end - now);
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
			perror("scalegen: poll");
			ret = -1;
			break;
		}
		if (!(pfd.revents & POLLIN))
			continue;
		if (ovpn_nl_recv_notifications(&nl, listen_notification, &l,
					       &err)) {
			if (err.error != ENOBUFS) {
				nlx_report("listen", &err);
				ret = -1;
				break;
			}
			overruns++;
		}
		if (overruns)
			quiet = monotonic_ms() + 3000;
	}
	printf("ntf_peers %llu\nntf_total %llu\nntf_duplicates %llu\nntf_missing %llu\n"
	       "ntf_overruns %llu\nntf_first_ms %lld\nntf_last_ms %lld\n",
	       (unsigned long long)l.distinct, (unsigned long long)l.total,
	       (unsigned long long)l.dups,
	       (unsigned long long)(n_clients - l.distinct),
	       (unsigned long long)overruns, l.first_ms, l.last_ms);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (l.reasons[i])
			printf("ntf_%s %llu\n", names[i],
			       (unsigned long long)l.reasons[i]);
	ovpn_nl_close(&nl);
	free(l.seen);
	return ret;
}

/* ------------------------------------------------------------------ keys */

/*
 * Fresh keys for client @c: install the server's half with NEW_KEY, keep
 * the client's half as mbedtls contexts. With --wrong-key the client sends
 * with a key the server never saw.
 */
static int client_keys(struct server *s, struct client *c, struct nlx_err *err)
{
	uint8_t c2s[KEYFILE_KEY_LEN], s2c[KEYFILE_KEY_LEN];
	uint8_t c2s_tail[KEYFILE_NONCE_TAIL_LEN];
	struct key_material km;
	struct ovpn_new_key req = {
		.peer_id = c->peer_id,
		.slot = OVPN_KEY_SLOT_PRIMARY,
		.key_id = KEY_ID,
		.cipher = cipher,
		.km = &km,
		.decrypt_tail = c2s_tail,
	};
	int ret;

	random_bytes(c2s, sizeof(c2s));
	random_bytes(s2c, sizeof(s2c));
	random_bytes(c2s_tail, sizeof(c2s_tail));
	random_bytes(km.nonce_tail, sizeof(km.nonce_tail));
	memcpy(km.encrypt_key, s2c, sizeof(s2c));
	memcpy(km.decrypt_key, c2s, sizeof(c2s));
	ret = s->fam->new_key(&s->nl, s->ifindex, &req, err);
	if (!ret) {
		if (wrong_key)
			random_bytes(c2s, sizeof(c2s));
		if (aead_init(&c->enc, c2s, c2s_tail) ||
		    aead_init(&c->dec, s2c, km.nonce_tail))
			ret = nlx_err_local(err, EINVAL,
					    "mbedtls refused the key");
	}
	explicit_bzero(&km, sizeof(km));
	explicit_bzero(c2s, sizeof(c2s));
	explicit_bzero(s2c, sizeof(s2c));
	return ret;
}

/*
 * NEW_PEER of client @c (the server's socket @srv_fd, the client's transport
 * address on @port and its VPN address) and NEW_KEY (and SET_PEER); a
 * refusal is reported on stderr.
 */
static int server_add_peer(struct server *s, int srv_fd, struct client *c,
			   uint16_t port)
{
	struct ovpn_new_peer req;
	struct nlx_err err;

	memset(&req, 0, sizeof(req));
	req.peer_id = c->peer_id;
	req.fd = srv_fd;
	req.remote_len = make_sockaddr(&client_ip, port, &req.remote);
	req.vpn_ipv4.family = AF_INET;
	req.vpn_ipv4.v4.s_addr = c->vpn;
	if (s->fam->new_peer(&s->nl, s->ifindex, &req, &err)) {
		report_peer("NEW_PEER", c->peer_id, &err);
		return -1;
	}
	if (client_keys(s, c, &err)) {
		report_peer("NEW_KEY", c->peer_id, &err);
		return -1;
	}
	if (keepalive_at_setup &&
	    s->fam->set_peer(&s->nl, s->ifindex, c->peer_id, ka_interval,
			     ka_timeout, -1, &err)) {
		report_peer("SET_PEER", c->peer_id, &err);
		return -1;
	}
	return 0;
}

/* NEW_PEER and NEW_KEY (and SET_PEER) for every client, timed */
static int server_setup(struct server *s, int srv_fd)
{
	long long t0 = now_us(), us;
	uint32_t i;

	for (i = 0; i < n_clients; i++)
		if (server_add_peer(s, srv_fd, &clients[i],
				    client_port_base + i))
			goto fail;
	us = now_us() - t0;
	printf("setup_peers %u\nsetup_ms %lld\nsetup_peers_per_sec %.0f\n",
	       n_clients, us / 1000, per_sec(n_clients, us));
	return 0;
fail:
	printf("setup_peers %u\n", i);
	return -1;
}

/* ------------------------------------------------------------ dump race */

/*
 * "dump --race": a GET_PEER dump of the device while peers come and go.
 * The kernel builds a dump of N peers in parts, each when userspace has
 * read the one before: after each part, on another socket, scalegen
 * deletes some of the N peers and adds new ones (ids above the N), then
 * checks that each of the N it never deleted was listed exactly once and
 * no peer twice.
 *
 * To act between parts it must know where the kernel stands. The dump's
 * socket reads at most RACE_PART_BYTES at a time (so parts are no larger)
 * and has the smallest receive buffer, so that the kernel keeps exactly
 * one part queued ahead of the one being read (it builds the next when a
 * read leaves the queue below half the buffer, and a peek never does).
 * That part is peeked at: its last peer L is where the kernel will resume.
 * The changes go where a walk that resumes by position would go wrong:
 * alternately L itself is deleted (a resume by count then skips the peer
 * after L) or a new peer is added next to L (it then lists L again), and
 * each time a peer not listed yet is deleted and another added further on.
 * "Next to" is L's bucket in the module's old layout, 1,024 buckets by
 * hash_32(id, 10) walked in order, whose resume by count this caught (11
 * missing, 14 twice). The module now walks its ids in order and resumes
 * after the last one listed: deleting L still tests that (a resume by
 * count would skip the peer after it), the other changes land anywhere in
 * the ids, behind or ahead of where the dump stands.
 */
#define RACE_HASH_BITS	10
#define RACE_PART_BYTES	8192
#define RACE_ADDS_MAX	4096
#define RACE_IDS_SHOWN	10
/* per peer of the N */
#define RACE_SEEN	0x7f	/* times listed (saturating) */
#define RACE_QUEUED	0x80	/* in a part the kernel built, not read yet */

/**
 * struct race - a dump racing with changes of the device
 * @s: the device; its socket makes the changes
 * @dump_fd: the dump's socket (peeked at)
 * @srv_fd: the server's UDP socket of the peers it adds
 * @seen: per peer of the N: RACE_SEEN, RACE_QUEUED
 * @deleted: per peer of the N: deleted during the dump
 * @added: ids of the peers added
 * @added_seen: how often each was listed
 * @n_added: how many
 * @entries: answers of the dump
 * @others: answers of other peers of the device
 * @dups: answers of a peer listed before
 * @no_id: answers without a peer id
 * @n_deleted: peers of the N deleted during the dump
 * @parts: parts of the dump seen queued
 * @interleavings: parts after which the device changed
 * @q_len: length of the part queued at the last peek
 * @q_first: its first peer id
 * @q_last: its last
 * @rng: for the choice of peers and buckets
 * @failed: a request was refused: no more changes
 */
struct race {
	struct server *s;
	int dump_fd;
	int srv_fd;
	uint8_t *seen;
	uint8_t *deleted;
	uint32_t added[RACE_ADDS_MAX];
	uint8_t added_seen[RACE_ADDS_MAX];
	uint32_t n_added;
	uint64_t entries, others, dups, no_id;
	uint32_t n_deleted;
	uint32_t parts;
	uint32_t interleavings;
	ssize_t q_len;
	uint32_t q_first;
	uint32_t q_last;
	uint32_t rng;
	bool failed;
};

/* peer @id's bucket in the old layout: hash_min(id, 10) = hash_32(id, 10) */
static uint32_t race_bucket(uint32_t id)
{
	return (id * 0x61C88647U) >> (32 - RACE_HASH_BITS);
}

static uint32_t race_rand(struct race *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 17;
	r->rng ^= r->rng << 5;
	return r->rng;
}

static bool race_is_ours(uint32_t id)
{
	return id >= peer_id_base && id - peer_id_base < n_clients;
}

/* a client (no socket, keys freed after) for peer @id, VPN address @vpn */
static int race_new_peer(struct race *r, uint32_t id, uint32_t vpn,
			 uint16_t port)
{
	struct client c = { .fd = -1, .peer_id = id, .vpn = htonl(vpn) };
	int ret;

	c.enc.chacha = c.dec.chacha =
		cipher->alg == OVPN_CIPHER_ALG_CHACHA20_POLY1305;
	ret = server_add_peer(r->s, r->srv_fd, &c, port);
	aead_free(&c.enc);
	aead_free(&c.dec);
	return ret;
}

static void race_del(struct race *r, uint32_t id)
{
	struct nlx_err err;

	if (r->deleted[id - peer_id_base])
		return;
	if (r->s->fam->del_peer(&r->s->nl, r->s->ifindex, id, &err)) {
		report_peer("DEL_PEER", id, &err);
		r->failed = true;
		return;
	}
	r->deleted[id - peer_id_base] = 1;
	r->n_deleted++;
}

/*
 * A new peer in bucket @bkt: an id above the N, not used yet; VPN address
 * and transport port after those of the N (--vpn-base, --client-port-base)
 */
static void race_add(struct race *r, uint32_t bkt)
{
	uint32_t id = peer_id_base + n_clients, j;

	if (r->n_added == RACE_ADDS_MAX)
		return;
	for (; id <= 0xFFFFFE; id++) {
		if (race_bucket(id) != bkt)
			continue;
		for (j = 0; j < r->n_added && r->added[j] != id; j++)
			;
		if (j == r->n_added)
			break;
	}
	if (id > 0xFFFFFE)
		return;
	j = r->n_added;
	if (race_new_peer(r, id, ntohl(vpn_base.s_addr) + n_clients + j,
			  client_port_base + n_clients + j)) {
		r->failed = true;
		return;
	}
	r->added[j] = id;
	r->n_added++;
}

/* one of the N, not listed or queued yet, in a bucket after @bkt */
static void race_del_ahead(struct race *r, uint32_t bkt)
{
	uint32_t tries, i;

	for (tries = 0; tries < 256; tries++) {
		i = race_rand(r) % n_clients;
		if (!r->seen[i] && !r->deleted[i] &&
		    race_bucket(peer_id_base + i) > bkt + 1) {
			race_del(r, peer_id_base + i);
			return;
		}
	}
}

/*
 * The peer ids in the part queued on the dump's socket (@buf, @len bytes):
 * marks those of the N as queued; the first in *@first, the last in
 * *@last, *@done if it ends the dump. Returns whether it held any.
 */
static bool race_parse_part(struct race *r, const uint8_t *buf, size_t len,
			    uint32_t *first, uint32_t *last, bool *done)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int n = len;
	bool any = false;

	for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
		const struct nlattr *a, *in;
		int rem, irem;

		if (nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_ERROR) {
			*done = true;
			break;
		}
		if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		/* IFINDEX, then the nest of the peer: its PEER_ID is 1 */
		a = (const struct nlattr *)((const char *)NLMSG_DATA(nlh) +
					    GENL_HDRLEN);
		rem = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
			if (nla_type(a) == FAM_A_IFINDEX)
				continue;
			irem = nla_len(a);
			for (in = nla_data(a); nla_ok(in, irem);
			     in = nla_next(in, &irem)) {
				uint32_t id;

				if (nla_type(in) != 1 || nla_len(in) != 4)
					continue;
				id = nla_get_u32((struct nlattr *)in);
				if (!any)
					*first = id;
				*last = id;
				any = true;
				if (race_is_ours(id))
					r->seen[id - peer_id_base] |= RACE_QUEUED;
				break;
			}
			break;
		}
	}
	return any;
}

/*
 * After an answer of the dump: if the kernel queued a new part since the
 * last look, change the device around where it will resume.
 */
static void race_step(struct race *r)
{
	static uint8_t buf[RACE_PART_BYTES];
	uint32_t first = 0, last = 0, bkt;
	bool any, done = false;
	ssize_t n;

	n = recv(r->dump_fd, buf, sizeof(buf),
		 MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);
	if (n <= 0)
		return;		/* nothing queued: the dump is complete */
	if (n > (ssize_t)sizeof(buf))
		n = sizeof(buf);
	any = race_parse_part(r, buf, n, &first, &last, &done);
	/* the same part until it is read */
	if (n == r->q_len && first == r->q_first && last == r->q_last)
		return;
	r->q_len = n;
	r->q_first = first;
	r->q_last = last;
	r->parts++;
	/* a part that ends the dump: the kernel is done with the device */
	if (!any || done || r->failed)
		return;
	bkt = race_bucket(last);
	if (r->interleavings++ % 2)
		race_add(r, bkt);
	else if (race_is_ours(last))
		race_del(r, last);
	if (!r->failed)
		race_del_ahead(r, bkt);
	if (!r->failed && bkt + 2 < (1U << RACE_HASH_BITS))
		race_add(r, bkt + 2 +
			 race_rand(r) % ((1U << RACE_HASH_BITS) - bkt - 2));
}

static void race_peer(const struct attr_vals *vals, void *arg)
{
	struct race *r = arg;
	uint32_t id, j;
	uint8_t *cnt = NULL;

	r->entries++;
	if (!ATTR_HAS(vals, OVPN_GET_PEER_RESP_ATTR_PEER_ID)) {
		r->no_id++;
	} else {
		id = vals->num[OVPN_GET_PEER_RESP_ATTR_PEER_ID];
		if (race_is_ours(id)) {
			cnt = &r->seen[id - peer_id_base];
		} else {
			for (j = 0; j < r->n_added && r->added[j] != id; j++)
				;
			if (j < r->n_added)
				cnt = &r->added_seen[j];
			else
				r->others++;
		}
	}
	if (cnt) {
		if (*cnt & RACE_SEEN)
			r->dups++;
		if ((*cnt & RACE_SEEN) != RACE_SEEN)
			(*cnt)++;
	}
	race_step(r);
}

/* " ID..." of up to RACE_IDS_SHOWN of the N for which @pick is true, or " -" */
static void race_print_ids(const char *key, const struct race *r,
			   bool (*pick)(const struct race *r, uint32_t i))
{
	uint32_t i, shown = 0;

	printf("%s", key);
	for (i = 0; i < n_clients && shown < RACE_IDS_SHOWN; i++) {
		if (!pick(r, i))
			continue;
		printf(" %u", peer_id_base + i);
		shown++;
	}
	printf("%s\n", shown ? "" : " -");
}

static bool race_missing(const struct race *r, uint32_t i)
{
	return !r->deleted[i] && !(r->seen[i] & RACE_SEEN);
}

static bool race_dup(const struct race *r, uint32_t i)
{
	return (r->seen[i] & RACE_SEEN) > 1;
}

static bool race_gone(const struct race *r, uint32_t i)
{
	return r->deleted[i];
}

/*
 * After the check: the N peers as before (each one deleted added again,
 * fresh keys, the addresses setup gave it), the peers added deleted.
 * Prints what it could not restore.
 */
static int race_restore(struct race *r)
{
	uint32_t i, restored = 0, removed = 0;
	struct nlx_err err;
	int ret = 0;

	for (i = 0; i < n_clients; i++) {
		if (!r->deleted[i])
			continue;
		if (race_new_peer(r, peer_id_base + i,
				  ntohl(vpn_base.s_addr) + i,
				  client_port_base + i)) {
			ret = -1;
			continue;
		}
		r->deleted[i] = 0;
		restored++;
	}
	for (i = 0; i < r->n_added; i++) {
		if (r->s->fam->del_peer(&r->s->nl, r->s->ifindex, r->added[i],
					&err)) {
			report_peer("DEL_PEER", r->added[i], &err);
			ret = -1;
			continue;
		}
		removed++;
	}
	printf("race_restored %u\nrace_removed %u\n", restored, removed);
	race_print_ids("race_gone_ids", r, race_gone);
	return ret;
}

/* "dump --race": see above */
static int server_dump_race(struct server *s)
{
	struct race r = { .s = s, .rng = 0x9e3779b9U ^ (uint32_t)getpid() };
	uint64_t missing = 0, del_listed = 0, add_listed = 0;
	struct ovpn_nl dnl = { .family = s->nl.family };
	uint16_t port = server_port_set ? server_port : 0;
	long long t0, us;
	struct nlx_err err;
	char msg[256];
	int ret, one = 1;
	bool ok;
	uint32_t i;

	r.seen = calloc(n_clients, 1);
	r.deleted = calloc(n_clients, 1);
	if (!r.seen || !r.deleted) {
		fprintf(stderr, "scalegen: out of memory\n");
		return -1;
	}
	r.srv_fd = udp_socket_open(&server_ip, port, msg, sizeof(msg));
	if (r.srv_fd < 0) {
		fprintf(stderr, "scalegen: server socket: %s\n", msg);
		return -1;
	}
	dnl.sk = nlx_open(NETLINK_GENERIC, &err);
	if (!dnl.sk) {
		nlx_report("the dump's socket", &err);
		return -1;
	}
	r.dump_fd = nl_socket_get_fd(dnl.sk);
	/* reads (and so parts) of RACE_PART_BYTES, one part queued ahead */
	nl_socket_set_msg_buf_size(dnl.sk, RACE_PART_BYTES);
	if (setsockopt(r.dump_fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)))
		fprintf(stderr, "scalegen: SO_RCVBUF of the dump's socket: %s\n",
			strerror(errno));

	t0 = now_us();
	ret = s->fam->get_peer(&dnl, s->ifindex, NULL, race_peer, &r, &err);
	us = now_us() - t0;
	if (ret)
		nlx_report("GET_PEER dump", &err);
	for (i = 0; i < n_clients; i++) {
		missing += race_missing(&r, i);
		del_listed += r.deleted[i] && (r.seen[i] & RACE_SEEN);
	}
	for (i = 0; i < r.n_added; i++) {
		add_listed += !!r.added_seen[i];
		if (r.added_seen[i] > 1)
			printf("race_duplicate_added %u\n", r.added[i]);
	}
	ok = !ret && !r.failed && !missing && !r.dups;
	printf("race_ms %lld\nrace_entries %llu\nrace_parts %u\nrace_interleavings %u\n"
	       "race_deleted %u\nrace_deleted_listed %llu\nrace_added %u\nrace_added_listed %llu\n"
	       "race_others %llu\nrace_without_id %llu\nrace_missing %llu\nrace_duplicates %llu\n",
	       us / 1000, (unsigned long long)r.entries, r.parts,
	       r.interleavings, r.n_deleted, (unsigned long long)del_listed,
	       r.n_added, (unsigned long long)add_listed,
	       (unsigned long long)r.others, (unsigned long long)r.no_id,
	       (unsigned long long)missing, (unsigned long long)r.dups);
	race_print_ids("race_missing_ids", &r, race_missing);
	race_print_ids("race_duplicate_ids", &r, race_dup);
	printf("race_ok %s\n", ok ? "yes" : "no");
	ovpn_nl_close(&dnl);
	if (race_restore(&r))
		ok = false;
	close(r.srv_fd);
	free(r.seen);
	free(r.deleted);
	return ok ? 0 : -1;
}

/* --------------------------------------------------------------- clients */

static int clients_open(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char msg[256];
	uint32_t i;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		perror("scalegen: epoll_create1");
		return -1;
	}
	for (i = 0; i < n_clients; i++) {
		struct client *c = &clients[i];
		int fl;

		c->fd = udp_socket_open(&client_ip, client_port_base + i, msg,
					sizeof(msg));
		if (c->fd < 0) {
			fprintf(stderr, "scalegen: client %u: %s\n", i, msg);
			return -1;
		}
		fl = fcntl(c->fd, F_GETFL);
		ev.data.u32 = i;
		if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) ||
		    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev)) {
			fprintf(stderr, "scalegen: client %u: %s\n", i,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* an IPv4 ICMP echo request of client @idx, @inner_len bytes, into @p */
static void build_request(uint8_t *p, uint32_t idx, const struct client *c)
{
	uint8_t *icmp = p + IP_HDR_LEN, *pl = icmp + ICMP_HDR_LEN;
	uint64_t t = now_us();
	uint32_t i;

	memset(p, 0, IP_HDR_LEN + ICMP_HDR_LEN);
	p[0] = 0x45;
	put16(p + 2, inner_len);
	put16(p + 4, c->seq);
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	memcpy(p + 12, &c->vpn, 4);
	memcpy(p + 16, &vpn_dst.s_addr, 4);
	put16(p + 10, csum(p, IP_HDR_LEN));

	icmp[0] = 8;
	put16(icmp + 4, idx & 0xffff);
	put16(icmp + 6, c->seq);
	put32(pl, MAGIC);
	put32(pl + 4, idx);
	put32(pl + 8, cur->id);
	put32(pl + 12, t >> 32);
	put32(pl + 16, t);
	for (i = PAYLOAD_MIN; i < inner_len - IP_HDR_LEN - ICMP_HDR_LEN; i++)
		pl[i] = i;
	put16(icmp + 2, csum(icmp, inner_len - IP_HDR_LEN));
}

static void send_request(uint32_t idx)
{
	struct client *c = &clients[idx];
	uint8_t inner[INNER_MAX], pkt[PKT_MAX];
	struct sockaddr_storage ss;
	socklen_t sl;

	c->seq++;
	c->tx_pktid++;
	build_request(inner, idx, c);
	pkt[0] = OP_DATA_V2 << 3 | KEY_ID;
	pkt[1] = c->peer_id >> 16;
	pkt[2] = c->peer_id >> 8;
	pkt[3] = c->peer_id;
	put32(pkt + 4, c->tx_pktid);
	sl = make_sockaddr(&server_ip, server_port, &ss);
	if (aead_seal(&c->enc, pkt, inner, inner_len) ||
	    sendto(c->fd, pkt, DATA_HDR_LEN + inner_len, 0,
		   (struct sockaddr *)&ss, sl) < 0) {
		cur->tx_err++;
		return;
	}
	cur->tx++;
	inflight++;
}

/* check a decrypted reply of client @idx; true if it is a valid echo reply */
static bool check_reply(uint32_t idx, const uint8_t *p, size_t len)
{
	const struct client *c = &clients[idx];
	const uint8_t *icmp = p + IP_HDR_LEN, *pl = icmp + ICMP_HDR_LEN;
	uint64_t sent, now;

	if (len == sizeof(keepalive_magic) &&
	    !memcmp(p, keepalive_magic, len)) {
		rx_keepalive++;
		return false;
	}
	if (len < INNER_MIN || p[0] != 0x45 || get16(p + 2) != len ||
	    p[9] != IPPROTO_ICMP || memcmp(p + 12, &vpn_dst.s_addr, 4) ||
	    memcmp(p + 16, &c->vpn, 4) || icmp[0] != 0 ||
	    get16(icmp + 4) != (idx & 0xffff) || get32(pl) != MAGIC ||
	    get32(pl + 4) != idx || csum(icmp, len - IP_HDR_LEN)) {
		rx_bad++;
		return false;
	}
	if (get32(pl + 8) != cur->id) {
		rx_late++;
		return false;
	}
	sent = (uint64_t)get32(pl + 12) << 32 | get32(pl + 16);
	now = now_us();
	if (cur->n_rtt < RTT_SAMPLES_MAX && now >= sent)
		cur->rtt[cur->n_rtt++] = now - sent > UINT32_MAX ?
					 UINT32_MAX : now - sent;
	return true;
}

/* read what client @idx's socket holds */
static void client_recv(uint32_t idx)
{
	struct client *c = &clients[idx];
	uint8_t pkt[PKT_MAX], plain[PKT_MAX];
	uint32_t pktid, sec;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (n < 0)
			return;
		if (n < 1 || pkt[0] >> 3 != OP_DATA_V2) {
			rx_other++;
			continue;
		}
		if (n < DATA_HDR_LEN || (pkt[0] & 7) != KEY_ID ||
		    (get32(pkt) & 0xffffff) != c->peer_id) {
			rx_bad++;
			continue;
		}
		if (aead_open(&c->dec, pkt, n, plain)) {
			rx_auth_fail++;
			continue;
		}
		pktid = get32(pkt + 4);
		if (!pktid) {
			rx_bad++;
			continue;
		}
		if (pktid <= c->rx_pktid)
			rx_reordered++;
		else
			c->rx_pktid = pktid;
		if (!check_reply(idx, plain, n - DATA_HDR_LEN))
			continue;
		c->replies++;
		cur->replied[idx] = 1;
		cur->rx++;
		if (inflight)
			inflight--;
		sec = (monotonic_ms() - cur->start_ms) / 1000;
		if (sec < cur->n_sec)
			cur->per_sec[sec]++;
	}
}

/* wait up to @ms for replies; returns how many sockets had something */
static int poll_replies(int ms)
{
	struct epoll_event ev[64];
	int n, i;

	n = epoll_wait(epfd, ev, ARRAY_SIZE(ev), ms < 0 ? 0 : ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++)
		client_recv(ev[i].data.u32);
	return n;
}

/*
 * Wait for replies while the window is full (or, @drain, until nothing is
 * in flight), until @end_ms. STALL_MS (@drain: DRAIN_MS) without a reply:
 * what is in flight is taken as lost.
 */
static void wait_window(long long end_ms, bool drain)
{
	int silence = drain ? DRAIN_MS : STALL_MS;
	long long last = monotonic_ms();

	while (drain ? inflight : inflight >= window) {
		long long now = monotonic_ms();
		int ms = silence - (int)(now - last);

		if (ms <= 0) {
			inflight = 0;
			return;
		}
		if (end_ms - now <= 0)
			return;
		if (end_ms - now < ms)
			ms = end_ms - now;
		if (poll_replies(ms) > 0)
			last = monotonic_ms();
	}
}

static void phase_start(struct phase *p, const char *name, uint32_t secs)
{
	static uint32_t next_id;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->name = name;
	p->id = ++next_id;
	p->rtt = calloc(RTT_SAMPLES_MAX, sizeof(*p->rtt));
	p->n_sec = secs + 2;
	p->per_sec = calloc(p->n_sec, sizeof(*p->per_sec));
	p->replied = calloc(n_clients, 1);
	if (!p->rtt || !p->per_sec || !p->replied) {
		fprintf(stderr, "scalegen: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n_clients; i++)
		clients[i].replies = 0;
	inflight = 0;
	cur = p;
	p->start_ms = monotonic_ms();
}

/* the process's CPU time so far, microseconds: user in [0], system in [1] */
static void cpu_now(long long t[2])
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	t[0] = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
	t[1] = ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
}

/* add the CPU time since @t0 (cpu_now()) to @p's */
static void cpu_since(struct phase *p, const long long t0[2])
{
	long long t[2];

	cpu_now(t);
	p->cpu_user_us += t[0] - t0[0];
	p->cpu_sys_us += t[1] - t0[1];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* the phase's "<name>_<key> <value>" lines */
static void phase_report(struct phase *p, long long us, size_t full_secs)
{
	uint64_t lost = p->tx > p->rx ? p->tx - p->rx : 0, sum = 0;
	uint64_t smin = UINT64_MAX, smax = 0;
	uint32_t i, replied = 0;
	const char *n = p->name;

	for (i = 0; i < n_clients; i++)
		replied += p->replied[i];
	printf("%s_ms %lld\n%s_tx_packets %llu\n%s_tx_errors %llu\n"
	       "%s_rx_packets %llu\n%s_lost %llu\n%s_clients_replied %u\n",
	       n, us / 1000, n, (unsigned long long)p->tx,
	       n, (unsigned long long)p->tx_err, n, (unsigned long long)p->rx,
	       n, (unsigned long long)lost, n, replied);
	printf("%s_tx_pps %.0f\n%s_rx_pps %.0f\n", n, per_sec(p->tx, us), n,
	       per_sec(p->rx, us));
	for (i = 0; i < full_secs && i < p->n_sec; i++) {
		smin = p->per_sec[i] < smin ? p->per_sec[i] : smin;
		smax = p->per_sec[i] > smax ? p->per_sec[i] : smax;
	}
	if (full_secs)
		printf("%s_rx_pps_min_1s %llu\n%s_rx_pps_max_1s %llu\n", n,
		       (unsigned long long)smin, n, (unsigned long long)smax);
	printf("%s_cpu_user_ms %lld\n%s_cpu_sys_ms %lld\n", n,
	       p->cpu_user_us / 1000, n, p->cpu_sys_us / 1000);
	if (p->rx)
		printf("%s_cpu_per_reply_us %.1f\n", n,
		       (double)(p->cpu_user_us + p->cpu_sys_us) / p->rx);
	else
		printf("%s_cpu_per_reply_us -\n", n);
	if (p->n_rtt) {
		qsort(p->rtt, p->n_rtt, sizeof(*p->rtt), cmp_u32);
		for (i = 0; i < p->n_rtt; i++)
			sum += p->rtt[i];
		printf("%s_rtt_us_avg %llu\n%s_rtt_us_p50 %u\n%s_rtt_us_p99 %u\n%s_rtt_us_max %u\n",
		       n, (unsigned long long)(sum / p->n_rtt),
		       n, p->rtt[p->n_rtt / 2],
		       n, p->rtt[(p->n_rtt * 99) / 100],
		       n, p->rtt[p->n_rtt - 1]);
	}
	free(p->rtt);
	free(p->per_sec);
	free(p->replied);
	cur = NULL;
}

/*
 * Every client sends requests until each has a reply or @secs pass: one
 * round over the clients still without one, then their replies, again.
 */
static void run_reach(uint32_t secs)
{
	long long t0 = now_us(), end, cpu0[2];
	uint32_t i, left = n_clients, rounds = 0, shown = 0;
	struct phase p;

	cpu_now(cpu0);
	phase_start(&p, "reach", secs);
	end = p.start_ms + secs * 1000LL;
	while (left && monotonic_ms() < end) {
		rounds++;
		for (i = 0; i < n_clients; i++) {
			if (clients[i].replies)
				continue;
			wait_window(end, false);
			if (monotonic_ms() >= end)
				break;
			send_request(i);
		}
		wait_window(end, true);
		for (left = 0, i = 0; i < n_clients; i++)
			left += !clients[i].replies;
	}
	cpu_since(&p, cpu0);
	for (i = 0; i < n_clients; i++)
		clients[i].reached = clients[i].replies;
	printf("reach_rounds %u\nreached %u\nunreached %u\n", rounds,
	       n_clients - left, left);
	printf("unreached_peer_ids");
	for (i = 0; i < n_clients && shown < UNREACHED_SHOWN; i++) {
		if (clients[i].reached)
			continue;
		printf(" %u", clients[i].peer_id);
		shown++;
	}
	printf("%s\n", shown ? "" : " -");
	phase_report(&p, now_us() - t0, 0);
}

/**
 * struct load - a load phase run in one or more segments
 * @p: its counters, over every segment
 * @one: every request from the first client (else round robin)
 * @us: time spent sending, over every segment
 * @next: the next client (round robin)
 */
struct load {
	struct phase p;
	bool one;
	long long us;
	uint32_t next;
};

/* @secs more of @l's requests, then its replies */
static void load_segment(struct load *l, uint32_t secs)
{
	struct phase *p = &l->p;
	long long t0, end, cpu0[2];

	cpu_now(cpu0);
	inflight = 0;
	cur = p;
	/* per_sec counts the seconds this phase has sent, not the wall's */
	p->start_ms = monotonic_ms() - l->us / 1000;
	t0 = now_us();
	end = monotonic_ms() + secs * 1000LL;
	while (monotonic_ms() < end) {
		wait_window(end, false);
		if (monotonic_ms() >= end)
			break;
		send_request(l->next);
		if (!l->one && ++l->next == n_clients)
			l->next = 0;
	}
	l->us += now_us() - t0;
	wait_window(monotonic_ms() + DRAIN_MS, true);
	cpu_since(p, cpu0);
}

/*
 * The load phases: with both, @rounds segments of @secs each, alternating
 * spread and one in the order spread, one, one, spread, spread, ... so that
 * neither is always first (the first segment after the reach phase runs
 * slower) and a drift of the host's load falls on both alike.
 */
static void run_loads(bool spread, bool one, uint32_t secs, uint32_t rounds)
{
	struct load ls = { .one = false }, lo = { .one = true };
	uint32_t r;

	if (spread)
		phase_start(&ls.p, "spread", secs * rounds);
	if (one)
		phase_start(&lo.p, "one", secs * rounds);
	for (r = 0; r < rounds; r++) {
		bool one_first = one && (r % 2 == 1 || !spread);

		if (one_first)
			load_segment(&lo, secs);
		if (spread)
			load_segment(&ls, secs);
		if (one && !one_first)
			load_segment(&lo, secs);
	}
	if (spread)
		phase_report(&ls.p, ls.us, secs * rounds);
	if (one)
		phase_report(&lo.p, lo.us, secs * rounds);
}

/* ------------------------------------------------------------------ main */

static void parse_ka(const char *s, uint32_t *interval, uint32_t *timeout)
{
	char buf[64], *comma;

	snprintf(buf, sizeof(buf), "%s", s);
	comma = strchr(buf, ',');
	if (!comma)
		usage("keepalive: expected INTERVAL,TIMEOUT, got '%s'", s);
	*comma = '\0';
	if (!parse_u32(buf, interval) || !parse_u32(comma + 1, timeout))
		usage("keepalive: invalid '%s'", s);
}

static void parse_ip4(const char *s, struct in_addr *a, const char *what)
{
	if (inet_pton(AF_INET, s, a) != 1)
		usage("%s: invalid IPv4 address '%s'", what, s);
}

static uint32_t parse_num(const char *s, const char *what)
{
	uint32_t v;

	if (!parse_u32(s, &v))
		usage("invalid %s '%s'", what, s);
	return v;
}

static void parse_options(int argc, char **argv, int first)
{
	int i;

	for (i = first; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--wrong-key")) {
			wrong_key = true;
			continue;
		}
		if (!strcmp(o, "--hold")) {
			hold = true;
			continue;
		}
		if (!strcmp(o, "--race")) {
			race = true;
			continue;
		}
		if (!v)
			usage("%s: missing value (or unknown option)", o);
		i++;
		if (!strcmp(o, "--server-netns")) {
			server_netns = v;
		} else if (!strcmp(o, "--iface")) {
			iface = v;
		} else if (!strcmp(o, "--family")) {
			if (strcmp(v, OVPN_NL_NAME) && strcmp(v, OVPNU_FAMILY_NAME))
				usage("--family: %s or %s", OVPN_NL_NAME,
				      OVPNU_FAMILY_NAME);
			family_name = v;
		} else if (!strcmp(o, "--clients")) {
			n_clients = parse_num(v, "--clients");
		} else if (!strcmp(o, "--peer-id-base")) {
			peer_id_base = parse_num(v, "--peer-id-base");
		} else if (!strcmp(o, "--server")) {
			if (!parse_ip(v, &server_ip))
				usage("--server: invalid address '%s'", v);
		} else if (!strcmp(o, "--server-port")) {
			if (!parse_port(v, &server_port) || !server_port)
				usage("invalid --server-port '%s'", v);
			server_port_set = true;
		} else if (!strcmp(o, "--client-ip")) {
			if (!parse_ip(v, &client_ip))
				usage("--client-ip: invalid address '%s'", v);
		} else if (!strcmp(o, "--client-port-base")) {
			if (!parse_port(v, &client_port_base) ||
			    !client_port_base)
				usage("invalid --client-port-base '%s'", v);
		} else if (!strcmp(o, "--vpn-base")) {
			parse_ip4(v, &vpn_base, o);
		} else if (!strcmp(o, "--vpn-dst")) {
			parse_ip4(v, &vpn_dst, o);
		} else if (!strcmp(o, "--cipher")) {
			cipher = parse_cipher(v, false);
			if (!cipher)
				usage("--cipher: one of %s", cipher_names());
		} else if (!strcmp(o, "--reach")) {
			reach_secs = parse_num(v, o);
		} else if (!strcmp(o, "--load")) {
			if (strcmp(v, "spread") && strcmp(v, "one") &&
			    strcmp(v, "both") && strcmp(v, "none"))
				usage("--load: spread, one, both or none");
			load = v;
		} else if (!strcmp(o, "--duration")) {
			duration = parse_num(v, o);
		} else if (!strcmp(o, "--window")) {
			window = parse_num(v, o);
			if (!window || window > 1024)
				usage("--window: 1 to 1024");
			window_set = true;
		} else if (!strcmp(o, "--size")) {
			inner_len = parse_num(v, o);
			if (inner_len < INNER_MIN || inner_len > INNER_MAX)
				usage("--size: %d to %d bytes", INNER_MIN,
				      INNER_MAX);
		} else if (!strcmp(o, "--keepalive")) {
			parse_ka(v, &ka_interval, &ka_timeout);
			keepalive_at_setup = true;
		} else if (!strcmp(o, "--rounds")) {
			rounds = parse_num(v, o);
			if (!rounds || rounds > 100)
				usage("--rounds: 1 to 100");
		} else if (!strcmp(o, "--timeout")) {
			listen_secs = parse_num(v, o);
		} else if (!strcmp(o, "--rcvbuf")) {
			rcvbuf = parse_num(v, o);
			if (rcvbuf > INT32_MAX)
				usage("--rcvbuf: at most %d bytes", INT32_MAX);
		} else if (!strcmp(o, "--expire")) {
			parse_ka(v, &ex_interval, &ex_timeout);
			expire_after = true;
		} else {
			usage("unknown option %s", o);
		}
	}
	if (!iface)
		usage("--iface is required");
	if (!n_clients)
		usage("--clients is required (at least 1)");
	if (peer_id_base + (uint64_t)n_clients - 1 > 0xFFFFFE)
		usage("peer ids above 0xFFFFFE");
}

static void check_run_options(void)
{
	uint32_t base = ntohl(vpn_base.s_addr), dst = ntohl(vpn_dst.s_addr);

	if (!server_ip.family || !client_ip.family)
		usage("run: --server and --client-ip are required");
	if (server_ip.family != client_ip.family)
		usage("run: --server and --client-ip of different families");
	if (!vpn_base.s_addr || (!vpn_dst.s_addr && !no_clients))
		usage("run: --vpn-base and --vpn-dst are required");
	if (no_clients && (reach_secs || strcmp(load, "none") || expire_after))
		usage("setup: no clients, so no --reach, --load or --expire");
	if ((uint64_t)base + n_clients > UINT32_MAX ||
	    (dst >= base && dst - base < n_clients))
		usage("run: --vpn-dst inside the clients' addresses, or too many clients");
	if ((uint64_t)client_port_base + n_clients - 1 > 65535)
		usage("run: client ports above 65535 (--client-port-base)");
	if (!cipher)
		cipher = parse_cipher("aes-256-gcm", false);
}

static void check_race_options(void)
{
	if (!server_ip.family || !client_ip.family || !vpn_base.s_addr)
		usage("dump --race: --server, --client-ip and --vpn-base are required");
	if (server_ip.family != client_ip.family)
		usage("dump --race: --server and --client-ip of different families");
	if ((uint64_t)ntohl(vpn_base.s_addr) + n_clients + RACE_ADDS_MAX > UINT32_MAX ||
	    (uint64_t)client_port_base + n_clients + RACE_ADDS_MAX - 1 > 65535)
		usage("dump --race: no room for %u new peers' addresses or ports after the N",
		      RACE_ADDS_MAX);
	if (!cipher)
		cipher = parse_cipher("aes-256-gcm", false);
}

/* room for a socket per client */
static void raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want = n_clients + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fprintf(stderr, "scalegen: cannot raise RLIMIT_NOFILE to %llu: %s\n",
			(unsigned long long)want, strerror(errno));
}

static void wait_for_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	printf("holding\n");
	fflush(stdout);
	sigwait(&set, &sig);
}

static int cmd_run(int home_ns, int srv_ns)
{
	char msg[256];
	struct server s;
	struct mem mem0;
	int srv_fd, ret = 1;
	uint32_t i;

	check_run_options();
	raise_nofile();
	clients = calloc(n_clients, sizeof(*clients));
	if (!clients) {
		fprintf(stderr, "scalegen: out of memory\n");
		return 1;
	}
	for (i = 0; i < n_clients; i++) {
		clients[i].fd = -1;
		clients[i].peer_id = peer_id_base + i;
		clients[i].vpn = htonl(ntohl(vpn_base.s_addr) + i);
		clients[i].enc.chacha = clients[i].dec.chacha =
			cipher->alg == OVPN_CIPHER_ALG_CHACHA20_POLY1305;
	}
	printf("clients %u\ncipher %s\n", n_clients, cipher->name);
	if (!no_clients && clients_open())
		return 1;

	if (srv_ns >= 0)
		enter_netns(srv_ns, server_netns);
	server_open(&s);
	srv_fd = udp_socket_open(&server_ip, server_port, msg, sizeof(msg));
	if (srv_fd < 0) {
		fprintf(stderr, "scalegen: server socket: %s\n", msg);
		return 1;
	}
	/* the netlink and UDP sockets stay in the server's namespace */
	if (srv_ns >= 0)
		enter_netns(home_ns, "the starting namespace");
	fflush(stdout);
	/* after the clients' sockets: what grows now is the server's */
	mem_read(&mem0);
	printf("mem_base_slab_kb %lld\nmem_base_vmalloc_kb %lld\nmem_base_percpu_kb %lld\n",
	       mem0.slab_kb, mem0.vmalloc_kb, mem0.percpu_kb);
	if (server_setup(&s, srv_fd))
		goto out;
	mem_report("mem_idle", &mem0);
	fflush(stdout);

	if (reach_secs)
		run_reach(reach_secs);
	if (strcmp(load, "none"))
		run_loads(!strcmp(load, "spread") || !strcmp(load, "both"),
			  !strcmp(load, "one") || !strcmp(load, "both"),
			  duration, rounds);
	if (reach_secs || strcmp(load, "none"))
		printf("rx_auth_fail %llu\nrx_bad %llu\nrx_other %llu\nrx_keepalive %llu\n"
		       "rx_reordered %llu\nrx_late %llu\n",
		       (unsigned long long)rx_auth_fail,
		       (unsigned long long)rx_bad,
		       (unsigned long long)rx_other,
		       (unsigned long long)rx_keepalive,
		       (unsigned long long)rx_reordered,
		       (unsigned long long)rx_late);
	if (reach_secs || strcmp(load, "none"))
		mem_report("mem_busy", &mem0);
	if (expire_after &&
	    server_keepalive(&s, "expire", ex_interval, ex_timeout))
		goto out;
	ret = 0;
	if (hold)
		wait_for_signal();
out:
	fflush(stdout);
	for (i = 0; i < n_clients; i++) {
		if (clients[i].fd >= 0)
			close(clients[i].fd);
		aead_free(&clients[i].enc);
		aead_free(&clients[i].dec);
	}
	free(clients);
	close(srv_fd);
	ovpn_nl_close(&s.nl);
	return ret;
}

int main(int argc, char **argv)
{
	int home_ns = -1, srv_ns = -1, ret = 1;
	const char *cmd = argc > 1 ? argv[1] : "";
	uint32_t interval = 0, timeout = 0;
	struct server s;
	sigset_t set;
	int first = 2;

	nlx_prog = "scalegen";
	if (!strcmp(cmd, "keepalive")) {
		if (argc < 3)
			usage("keepalive: INTERVAL,TIMEOUT missing");
		parse_ka(argv[2], &interval, &timeout);
		first = 3;
	} else if (!strcmp(cmd, "setup")) {
		no_clients = true;
		load = "none";
	} else if (strcmp(cmd, "run") && strcmp(cmd, "delete") &&
		   strcmp(cmd, "dump") && strcmp(cmd, "listen")) {
		usage("unknown command '%s'", cmd);
	}
	parse_options(argc, argv, first);
	if (race && strcmp(cmd, "dump"))
		usage("--race is for dump");
	if (race)
		check_race_options();
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* --hold waits for them with sigwait() */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (hold)
		sigprocmask(SIG_BLOCK, &set, NULL);

	if (server_netns) {
		home_ns = open_netns("/proc/self/ns/net");
		srv_ns = open_netns(server_netns);
	}
	if (!strcmp(cmd, "run") || !strcmp(cmd, "setup"))
		return cmd_run(home_ns, srv_ns);

	if (srv_ns >= 0)
		enter_netns(srv_ns, server_netns);
	server_open(&s);
	if (!strcmp(cmd, "keepalive"))
		ret = server_keepalive(&s, "keepalive", interval, timeout) ? 1 : 0;
	else if (!strcmp(cmd, "dump") && race)
		ret = server_dump_race(&s) ? 1 : 0;
	else if (!strcmp(cmd, "dump"))
		ret = server_dump(&s) ? 1 : 0;
	else if (!strcmp(cmd, "listen"))
		ret = server_listen(&s) ? 1 : 0;
	else
		ret = server_delete(&s, window_set ? window : 1) ? 1 : 0;
	ovpn_nl_close(&s.nl);
	return ret;
}
