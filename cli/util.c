// SPDX-License-Identifier: GPL-2.0-only
/*
 * Argument parsing and address formatting for ovpn-cli. See util.h.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/ovpn_dco.h>

#include "util.h"

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ovpn-cli: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ovpn-cli --help'.\n", stderr);
	exit(EXIT_USAGE);
}

void raw_key_warning(void)
{
	fputs("ovpn-cli: warning: --raw-key installs the key file as it is: every run\n"
	      "ovpn-cli: warning: sends under the same key with packet ids from 1, so\n"
	      "ovpn-cli: warning: (key, nonce) pairs repeat after each restart; with\n"
	      "ovpn-cli: warning: AES-GCM that reveals the XOR of plaintexts and lets\n"
	      "ovpn-cli: warning: an eavesdropper forge packets. Use it only to talk to\n"
	      "ovpn-cli: warning: ovpn-dco-cli or the upstream ovpn-cli.\n", stderr);
}

bool parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	/* decimal only: a leading zero must not mean octal */
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

bool parse_u8(const char *s, uint8_t *out)
{
	uint32_t v;

	if (!parse_u32(s, &v) || v > UINT8_MAX)
		return false;
	*out = v;
	return true;
}

bool parse_port(const char *s, uint16_t *out)
{
	uint32_t v;

	if (!parse_u32(s, &v) || v > UINT16_MAX)
		return false;
	*out = v;
	return true;
}

bool parse_ip(const char *s, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->v4) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &out->v6) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

bool parse_direction(const char *s, int *out)
{
	if (!strcmp(s, "0") || !strcmp(s, "1")) {
		*out = s[0] - '0';
		return true;
	}
	return false;
}

bool parse_slot(const char *s, uint8_t *out)
{
	if (!strcmp(s, "primary"))
		*out = OVPN_KEY_SLOT_PRIMARY;
	else if (!strcmp(s, "secondary"))
		*out = OVPN_KEY_SLOT_SECONDARY;
	else
		return false;
	return true;
}

bool parse_prefix(const char *s, int family, int *plen)
{
	int max = family == AF_INET ? 32 : 128;
	struct in_addr mask;
	uint32_t v;

	if (parse_u32(s, &v)) {
		if (v > (uint32_t)max)
			return false;
		*plen = v;
		return true;
	}
	if (family != AF_INET || inet_pton(AF_INET, s, &mask) != 1)
		return false;

	v = ntohl(mask.s_addr);
	/* a netmask is ones followed by zeros */
	if (v & (~v >> 1))
		return false;
	*plen = __builtin_popcount(v);
	return true;
}

bool parse_ip_prefix(const char *s, struct ip_addr *addr, int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return parse_ip(buf, addr) &&
	       parse_prefix(slash + 1, addr->family, plen) &&
	       strchr(slash + 1, '.') == NULL;
}

static const struct cipher ciphers[] = {
	{ "aes-128-gcm", OVPN_CIPHER_ALG_AES_GCM, 16 },
	{ "aes-192-gcm", OVPN_CIPHER_ALG_AES_GCM, 24 },
	{ "aes-256-gcm", OVPN_CIPHER_ALG_AES_GCM, 32 },
	{ "chacha20-poly1305", OVPN_CIPHER_ALG_CHACHA20_POLY1305, 32 },
	/* the names of the reference test tool */
	{ "aes", OVPN_CIPHER_ALG_AES_GCM, 32 },
	{ "chachapoly", OVPN_CIPHER_ALG_CHACHA20_POLY1305, 32 },
	/* for negative tests only: the kernel must refuse it */
	{ "none", OVPN_CIPHER_ALG_NONE, 32 },
};

const struct cipher *parse_cipher(const char *s, bool allow_none)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ciphers); i++) {
		if (strcmp(s, ciphers[i].name))
			continue;
		if (ciphers[i].alg == OVPN_CIPHER_ALG_NONE && !allow_none)
			return NULL;
		return &ciphers[i];
	}
	return NULL;
}

const char *cipher_names(void)
{
	return "aes-128-gcm, aes-192-gcm, aes-256-gcm, chacha20-poly1305";
}

size_t ip_addr_len(const struct ip_addr *ip)
{
	if (ip->family == AF_INET)
		return sizeof(ip->v4);
	if (ip->family == AF_INET6)
		return sizeof(ip->v6);
	return 0;
}

void ip_addr_str(const struct ip_addr *ip, char *buf, size_t len)
{
	if (!inet_ntop(ip->family, &ip->v4, buf, len))
		snprintf(buf, len, "?");
}

socklen_t make_sockaddr(const struct ip_addr *ip, uint16_t port,
			struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = ip->v4;
		return sizeof(*sin);
	}
	if (ip->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = ip->v6;
		return sizeof(*sin6);
	}
	return 0;
}

void sockaddr_str(const struct sockaddr *sa, socklen_t len, char *buf,
		  size_t buflen)
{
	char addr[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		snprintf(buf, buflen, "%s:%u", addr, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		snprintf(buf, buflen, "[%s]:%u", addr, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, buflen, "(family %u)", sa->sa_family);
	}
}

/**
 * struct sock_opt - a socket option set before bind
 * @level: its level
 * @name: its name
 * @val: its int value
 * @label: what a failure message calls it
 */
struct sock_opt {
	int level;
	int name;
	int val;
	const char *label;
};

/* a UDP or TCP (@type) socket with @opt set, bound to @local:@port */
static int socket_bound(const struct ip_addr *local, uint16_t port, int type,
			const struct sock_opt *opt, char *err, size_t errlen)
{
	bool tcp = type == SOCK_STREAM;
	char addr[INET6_ADDRSTRLEN + 16];
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	len = make_sockaddr(local, port, &ss);
	fd = socket(local->family, type | SOCK_CLOEXEC,
		    tcp ? IPPROTO_TCP : IPPROTO_UDP);
	if (fd < 0) {
		snprintf(err, errlen, "%s socket: %s", tcp ? "TCP" : "UDP",
			 strerror(errno));
		return -1;
	}
	if (opt && setsockopt(fd, opt->level, opt->name, &opt->val,
			      sizeof(opt->val)) < 0) {
		snprintf(err, errlen, "%s: %s", opt->label, strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		sockaddr_str((struct sockaddr *)&ss, len, addr, sizeof(addr));
		snprintf(err, errlen, "bind %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int udp_socket_open_flags(const struct ip_addr *local, uint16_t port,
				 bool dual, char *err, size_t errlen)
{
	static const struct sock_opt dual_stack = {
		IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY"
	};

	return socket_bound(local, port, SOCK_DGRAM,
			    dual && local->family == AF_INET6 ? &dual_stack :
			    NULL, err, errlen);
}

int udp_socket_open(const struct ip_addr *local, uint16_t port, char *err,
		    size_t errlen)
{
	return udp_socket_open_flags(local, port, false, err, errlen);
}

int udp_socket_open_dual(const struct ip_addr *local, uint16_t port,
			 char *err, size_t errlen)
{
	return udp_socket_open_flags(local, port, true, err, errlen);
}

/* @names[@v], NULL if out of range or unnamed */
static const char *name_of(const char *const names[], size_t n, unsigned int v)
{
	return v < n ? names[v] : NULL;
}

const char *del_peer_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[OVPN_DEL_PEER_REASON_TEARDOWN] = "TEARDOWN",
		[OVPN_DEL_PEER_REASON_USERSPACE] = "USERSPACE",
		[OVPN_DEL_PEER_REASON_EXPIRED] = "EXPIRED",
		[OVPN_DEL_PEER_REASON_TRANSPORT_ERROR] = "TRANSPORT_ERROR",
		[OVPN_DEL_PEER_REASON_TRANSPORT_DISCONNECT] = "TRANSPORT_DISCONNECT",
	};

	return name_of(names, ARRAY_SIZE(names), reason);
}

const char *slot_name(unsigned int slot)
{
	static const char *const names[] = {
		[OVPN_KEY_SLOT_PRIMARY] = "primary",
		[OVPN_KEY_SLOT_SECONDARY] = "secondary",
	};

	return name_of(names, ARRAY_SIZE(names), slot);
}

const char *cipher_alg_name(unsigned int alg)
{
	static const char *const names[] = {
		[OVPN_CIPHER_ALG_NONE] = "none",
		[OVPN_CIPHER_ALG_AES_GCM] = "aes-gcm",
		[OVPN_CIPHER_ALG_CHACHA20_POLY1305] = "chacha20-poly1305",
	};

	return name_of(names, ARRAY_SIZE(names), alg);
}

long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

bool sockaddr_has_ip(const struct sockaddr_storage *ss,
		     const struct ip_addr *ip)
{
	if (ss->ss_family != ip->family)
		return false;
	if (ip->family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)ss)->sin_addr,
			       &ip->v4, 4);
	return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr,
		       &ip->v6, 16);
}

int tcp_socket_bound(const struct ip_addr *local, uint16_t port, char *msg,
		     size_t len)
{
	static const struct sock_opt reuse = {
		SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR"
	};

	return socket_bound(local, port, SOCK_STREAM, &reuse, msg, len);
}

int tcp_listen_on(const struct ip_addr *local, uint16_t port, char *msg,
		  size_t len)
{
	int lfd = tcp_socket_bound(local, port, msg, len);

	if (lfd >= 0 && listen(lfd, 4) < 0) {
		snprintf(msg, len, "listen: %s", strerror(errno));
		close(lfd);
		return -1;
	}
	return lfd;
}

int tcp_accept_from(int lfd, const struct ip_addr *remote, int stop_fd,
		    const char *what, char *msg, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 16];
	int fd;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = stop_fd, .events = POLLIN },
		};
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);

		if (poll(pfd, stop_fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(msg, len, "poll: %s", strerror(errno));
			return -1;
		}
		if (stop_fd >= 0 && pfd[1].revents) {
			snprintf(msg, len, "interrupted while waiting for a connection");
			return -1;
		}
		fd = accept4(lfd, (struct sockaddr *)&from, &fl, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			snprintf(msg, len, "accept: %s", strerror(errno));
			return -1;
		}
		if (sockaddr_has_ip(&from, remote))
			return fd;
		sockaddr_str((struct sockaddr *)&from, fl, addr, sizeof(addr));
		fprintf(stderr, "ovpn-cli: %s: refusing a connection from %s\n",
			what, addr);
		close(fd);
	}
}

int tcp_connect_retry(const struct ip_addr *local, uint16_t lport,
		      const struct ip_addr *remote, uint16_t rport, int ms,
		      char *msg, size_t len)
{
	long long deadline = monotonic_ms() + ms;
	char addr[INET6_ADDRSTRLEN + 16];
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, e;

	sl = make_sockaddr(remote, rport, &ss);
	sockaddr_str((struct sockaddr *)&ss, sl, addr, sizeof(addr));
	for (;;) {
		fd = tcp_socket_bound(local, lport, msg, len);
		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&ss, sl))
			return fd;
		e = errno;
		snprintf(msg, len, "connect %s: %s", addr, strerror(e));
		close(fd);
		if (e != ECONNREFUSED && e != ETIMEDOUT && e != EHOSTUNREACH &&
		    e != ENETUNREACH && e != EADDRINUSE && e != EADDRNOTAVAIL &&
		    e != EINTR)
			return -1;
		if (monotonic_ms() >= deadline)
			return -1;
		usleep(200000);
	}
}
