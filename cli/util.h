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

#endif /* _OVPN_CLI_UTIL_H_ */
