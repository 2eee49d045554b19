/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Argument parsing and address formatting for ovpn-cli.
 */

#ifndef _OVPN_CLI_UTIL_H_
#define _OVPN_CLI_UTIL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* usage errors exit with this status, other failures with 1 */
#define EXIT_USAGE	2

/**
 * struct ip_addr - an IPv4 or IPv6 address
 * @family: AF_INET, AF_INET6, or 0 for none
 * @v4: the address if @family is AF_INET
 * @v6: the address if @family is AF_INET6
 */
struct ip_addr {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/**
 * struct cipher - a data cipher as named on the command line
 * @name: its name
 * @alg: &enum ovpn_cipher_alg
 * @key_len: bytes of each 32-byte key-file key to use
 */
struct cipher {
	const char *name;
	uint16_t alg;
	uint8_t key_len;
};

/* a usage error: message on stderr, exit status EXIT_USAGE */
void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...);

/*
 * --raw-key: say on stderr what installing a key file as it is risks
 * (the same key and packet ids from 1 on every run: nonce reuse).
 */
void raw_key_warning(void);

bool parse_u32(const char *s, uint32_t *out);
bool parse_u8(const char *s, uint8_t *out);
bool parse_port(const char *s, uint16_t *out);
bool parse_ip(const char *s, struct ip_addr *out);
bool parse_direction(const char *s, int *out);
bool parse_slot(const char *s, uint8_t *out);
/* a prefix length, or for IPv4 also a dotted netmask */
bool parse_prefix(const char *s, int family, int *plen);
/* "ADDR/PLEN" */
bool parse_ip_prefix(const char *s, struct ip_addr *addr, int *plen);
/* NULL if unknown; "none" only with @allow_none */
const struct cipher *parse_cipher(const char *s, bool allow_none);
const char *cipher_names(void);

size_t ip_addr_len(const struct ip_addr *ip);
void ip_addr_str(const struct ip_addr *ip, char *buf, size_t len);

/* a sockaddr of @ip and @port (host order); returns its length */
socklen_t make_sockaddr(const struct ip_addr *ip, uint16_t port,
			struct sockaddr_storage *ss);
/* "1.2.3.4:1194" or "[fd00::1]:1194" */
void sockaddr_str(const struct sockaddr *sa, socklen_t len, char *buf,
		  size_t buflen);

/*
 * A UDP socket of @local's family bound to @local:@port (@local may be the
 * unspecified address). Returns the fd, or -1 with @err set.
 */
int udp_socket_open(const struct ip_addr *local, uint16_t port, char *err,
		    size_t errlen);

/*
 * Same, with IPV6_V6ONLY cleared first when @local is IPv6, so that a socket
 * bound to :: also carries IPv4 (as v4-mapped addresses).
 */
int udp_socket_open_dual(const struct ip_addr *local, uint16_t port,
			 char *err, size_t errlen);

/* name of an &enum ovpn_del_peer_reason, or NULL */
const char *del_peer_reason_name(unsigned int reason);

/* "primary", "secondary" (&enum ovpn_key_slot), or NULL */
const char *slot_name(unsigned int slot);

/* "aes-gcm", "chacha20-poly1305", "none" (&enum ovpn_cipher_alg), or NULL */
const char *cipher_alg_name(unsigned int alg);

/* CLOCK_MONOTONIC in milliseconds */
long long monotonic_ms(void);

/* true if @ss is an address of @ip's family equal to @ip (any port) */
bool sockaddr_has_ip(const struct sockaddr_storage *ss,
		     const struct ip_addr *ip);

/* a TCP socket with SO_REUSEADDR bound to @local:@port; -1 and @msg */
int tcp_socket_bound(const struct ip_addr *local, uint16_t port, char *msg,
		     size_t len);

/* the same, listening; -1 and @msg */
int tcp_listen_on(const struct ip_addr *local, uint16_t port, char *msg,
		  size_t len);

/**
 * tcp_accept_from - accept one connection whose source address is @remote
 * @lfd: listening socket (left open)
 * @remote: the only source address accepted (any port)
 * @stop_fd: give up when this fd becomes readable (a signalfd), or -1
 * @what: prefix of the stderr line about each connection refused
 * @msg: the reason on failure
 * @len: size of @msg
 *
 * Connections from other addresses are closed, with a line on stderr, and
 * the wait goes on without a time limit.
 *
 * Return: the connected socket, or -1 with @msg set.
 */
int tcp_accept_from(int lfd, const struct ip_addr *remote, int stop_fd,
		    const char *what, char *msg, size_t len);

/* how long a TCP connect keeps trying (one-shot --tcp-connect, --tcp connect) */
#define TCP_CONNECT_MS	10000

/*
 * Connect from @local:@lport (port 0: any) to @remote:@rport, retrying every
 * 200 ms for @ms milliseconds while the connection is refused or the address
 * is unreachable. Returns the socket, or -1 with @msg set.
 */
int tcp_connect_retry(const struct ip_addr *local, uint16_t lport,
		      const struct ip_addr *remote, uint16_t rport, int ms,
		      char *msg, size_t len);

#endif /* _OVPN_CLI_UTIL_H_ */
