// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config file of a persistent tunnel. See conf.h.
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

#define CONF_DIR	"/etc/ovpn-cli"

/* keys that must be given */
enum { REQ_KEY = 1, REQ_LOCAL = 2, REQ_REMOTE = 4, REQ_ADDRESS = 8 };

static const char *const conf_keys[] = {
	"key", "proto", "tcp-role", "local", "remote", "address", "address6",
	"peer-address", "cipher", "device", "peer-id", "mtu", "keepalive",
	"rekey-seconds", "rekey-packets",
};

bool conf_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (!n || n > CONF_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_-.", name[i]))
			return false;
	return true;
}

static int conf_error(char *err, size_t len, const char *path, int line,
		      const char *fmt, ...)
{
	va_list ap;
	int n;

	n = line ? snprintf(err, len, "%s:%d: ", path, line) :
		   snprintf(err, len, "%s: ", path);
	if (n < 0 || (size_t)n >= len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* "ADDR:PORT", "[ADDR]:PORT" (IPv6); port 0 only if @any_port */
static bool parse_endpoint(const char *s, struct ip_addr *ip, uint16_t *port,
			   bool any_port)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *addr, *p;
	char *colon;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	if (buf[0] == '[') {
		colon = strstr(buf, "]:");
		if (!colon)
			return false;
		*colon = '\0';
		addr = buf + 1;
		p = colon + 2;
		if (!parse_ip(addr, ip) || ip->family != AF_INET6)
			return false;
	} else {
		colon = strrchr(buf, ':');
		if (!colon)
			return false;
		*colon = '\0';
		addr = buf;
		p = colon + 1;
		if (!parse_ip(addr, ip) || ip->family != AF_INET)
			return false;
	}
	return parse_port(p, port) && (any_port || *port);
}

/* "INTERVAL TIMEOUT" (or "INTERVAL,TIMEOUT") */
static bool parse_keepalive(const char *s, uint32_t *interval,
			    uint32_t *timeout)
{
	char buf[32], *sep;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	sep = strpbrk(buf, " \t,");
	if (!sep)
		return false;
	*sep++ = '\0';
	while (*sep == ' ' || *sep == '\t')
		sep++;
	return parse_u32(buf, interval) && parse_u32(sep, timeout);
}

static void conf_defaults(struct tunnel_conf *c, const char *name,
			  const char *path)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->cipher = parse_cipher("aes-256-gcm", false);
	c->ka_interval = 5;
	c->ka_timeout = 60;
}

/* one "key = value": 0, or -1 with @what set */
static int conf_set(struct tunnel_conf *c, const char *key, const char *v,
		    unsigned int *req, const char **what)
{
	if (!strcmp(key, "key")) {
		if (!*v || strlen(v) >= sizeof(c->key_file))
			goto bad;
		strcpy(c->key_file, v);
		*req |= REQ_KEY;
	} else if (!strcmp(key, "proto")) {
		if (strcmp(v, "udp") && strcmp(v, "tcp"))
			return *what = "proto must be udp or tcp", -1;
		c->tcp = !strcmp(v, "tcp");
	} else if (!strcmp(key, "tcp-role")) {
		if (!strcmp(v, "listen"))
			c->tcp_role = CONF_TCP_LISTEN;
		else if (!strcmp(v, "connect"))
			c->tcp_role = CONF_TCP_CONNECT;
		else
			return *what = "tcp-role must be listen or connect", -1;
	} else if (!strcmp(key, "local")) {
		if (!parse_endpoint(v, &c->local, &c->local_port, true))
			return *what = "local must be ADDR:PORT or [IPV6-ADDR]:PORT", -1;
		*req |= REQ_LOCAL;
	} else if (!strcmp(key, "remote")) {
		if (!parse_endpoint(v, &c->remote, &c->remote_port, false))
			return *what = "remote must be ADDR:PORT or [IPV6-ADDR]:PORT, port not 0", -1;
		*req |= REQ_REMOTE;
	} else if (!strcmp(key, "address")) {
		if (!parse_ip_prefix(v, &c->vpn_ip, &c->vpn_plen))
			return *what = "address must be ADDR/PREFIXLEN", -1;
		*req |= REQ_ADDRESS;
	} else if (!strcmp(key, "address6")) {
		if (!parse_ip_prefix(v, &c->vpn_ip6, &c->vpn_plen6) ||
		    c->vpn_ip6.family != AF_INET6)
			return *what = "address6 must be IPV6-ADDR/PREFIXLEN", -1;
	} else if (!strcmp(key, "peer-address")) {
		if (!parse_ip(v, &c->vpn_gw))
			return *what = "peer-address must be an IPv4 or IPv6 address", -1;
	} else if (!strcmp(key, "cipher")) {
		c->cipher = parse_cipher(v, false);
		if (!c->cipher)
			return *what = "unknown cipher (aes-128-gcm, aes-192-gcm, aes-256-gcm, chacha20-poly1305)", -1;
	} else if (!strcmp(key, "device")) {
		if (!*v || strlen(v) >= IFNAMSIZ || strpbrk(v, "/: \t"))
			return *what = "device must be a device name of at most 15 characters", -1;
		strcpy(c->dev, v);
	} else if (!strcmp(key, "peer-id")) {
		if (!parse_u32(v, &c->peer_id))
			goto bad;
	} else if (!strcmp(key, "mtu")) {
		if (!parse_u32(v, &c->mtu) || c->mtu < 68 || c->mtu > 65535)
			return *what = "mtu must be 68..65535", -1;
	} else if (!strcmp(key, "keepalive")) {
		if (!parse_keepalive(v, &c->ka_interval, &c->ka_timeout))
			return *what = "keepalive must be INTERVAL TIMEOUT (seconds)", -1;
	} else if (!strcmp(key, "rekey-seconds")) {
		if (!parse_u32(v, &c->rekey_seconds) ||
		    c->rekey_seconds > CONF_REKEY_SECONDS_MAX)
			return *what = "rekey-seconds must be 0 (never by time) to 315360000", -1;
		if (!c->rekey_seconds)
			c->rekey_seconds = CONF_REKEY_NEVER;
	} else if (!strcmp(key, "rekey-packets")) {
		if (!parse_u32(v, &c->rekey_packets) || !c->rekey_packets ||
		    c->rekey_packets > CONF_REKEY_PACKETS_MAX)
			return *what = "rekey-packets must be 1 to 2147483648", -1;
	}
	return 0;
bad:
	*what = NULL;
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int known_key(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_keys); i++)
		if (!strcmp(key, conf_keys[i]))
			return (int)i;
	return -1;
}

int conf_parse(const char *text, const char *name, const char *path,
	       struct tunnel_conf *c, char *err, size_t errlen)
{
	unsigned int req = 0;
	uint32_t seen = 0;
	const char *p = text;
	char line[1024];
	int lineno = 0;

	conf_defaults(c, name, path);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *s, *eq, *key, *val, *hash;
		const char *what;
		int k;

		lineno++;
		if (n >= sizeof(line))
			return conf_error(err, errlen, path, lineno, "line too long");
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl ? 1 : 0);
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq)
			return conf_error(err, errlen, path, lineno,
					  "'key = value' expected");
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		k = known_key(key);
		if (k < 0)
			return conf_error(err, errlen, path, lineno,
					  "unknown key '%s'", key);
		if (seen & (1U << k))
			return conf_error(err, errlen, path, lineno,
					  "'%s' given twice", key);
		seen |= 1U << k;
		if (!*val)
			return conf_error(err, errlen, path, lineno,
					  "'%s' has no value", key);
		if (conf_set(c, key, val, &req, &what)) {
			if (what)
				return conf_error(err, errlen, path, lineno,
						  "%s, not '%s'", what, val);
			return conf_error(err, errlen, path, lineno,
					  "invalid %s '%s'", key, val);
		}
	}

	if (!(req & REQ_KEY))
		return conf_error(err, errlen, path, 0, "missing 'key' (the static key file)");
	if (!(req & REQ_LOCAL))
		return conf_error(err, errlen, path, 0, "missing 'local' (ADDR:PORT)");
	if (!(req & REQ_REMOTE))
		return conf_error(err, errlen, path, 0, "missing 'remote' (ADDR:PORT)");
	if (!(req & REQ_ADDRESS))
		return conf_error(err, errlen, path, 0, "missing 'address' (ADDR/PREFIXLEN)");
	if (c->local.family != c->remote.family)
		return conf_error(err, errlen, path, 0,
				  "'local' and 'remote' are of different address families");
	if (c->vpn_gw.family && c->vpn_gw.family != c->vpn_ip.family)
		return conf_error(err, errlen, path, 0,
				  "'peer-address' and 'address' are of different address families");
	if (c->tcp && !c->tcp_role)
		return conf_error(err, errlen, path, 0,
				  "proto tcp needs 'tcp-role' (listen or connect)");
	if (!c->tcp && c->tcp_role)
		return conf_error(err, errlen, path, 0, "'tcp-role' needs 'proto = tcp'");
	if (!c->dev[0]) {
		if (strlen(name) >= IFNAMSIZ)
			return conf_error(err, errlen, path, 0,
					  "the name '%s' is too long for a device name: set 'device'",
					  name);
		strcpy(c->dev, name);
	}
	return 0;
}

int conf_name_of(const char *arg, char *name, size_t len, char *err,
		 size_t errlen)
{
	const char *base = strrchr(arg, '/');
	size_t n;

	base = base ? base + 1 : arg;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".conf"))
		n -= 5;
	if (n >= len || n > CONF_NAME_MAX) {
		snprintf(err, errlen, "tunnel name '%s' is too long", arg);
		return -1;
	}
	memcpy(name, base, n);
	name[n] = '\0';
	if (!conf_name_ok(name)) {
		snprintf(err, errlen,
			 "'%s' is not a tunnel name (letters, digits, '_', '-', '.'; at most %d)",
			 name, CONF_NAME_MAX);
		return -1;
	}
	return 0;
}

int conf_load(const char *arg, struct tunnel_conf *c, char *err,
	      size_t errlen)
{
	char name[CONF_NAME_MAX + 1], path[PATH_MAX];
	const char *dir = getenv("OVPN_CLI_CONFDIR");
	size_t n = strlen(arg);
	char *text;
	ssize_t r;
	size_t got = 0;
	int fd, ret;

	if (conf_name_of(arg, name, sizeof(name), err, errlen))
		return -1;
	if (strchr(arg, '/') || (n > 5 && !strcmp(arg + n - 5, ".conf")))
		ret = snprintf(path, sizeof(path), "%s", arg);
	else
		ret = snprintf(path, sizeof(path), "%s/%s.conf",
			       dir && *dir ? dir : CONF_DIR, arg);
	if (ret < 0 || (size_t)ret >= sizeof(path)) {
		snprintf(err, errlen, "config path too long");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(CONF_FILE_MAX + 1);
	if (!text) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while ((r = read(fd, text + got, CONF_FILE_MAX + 1 - got)) > 0) {
		got += r;
		if (got > CONF_FILE_MAX)
			break;
	}
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(text);
		return -1;
	}
	if (got > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, CONF_FILE_MAX);
		free(text);
		return -1;
	}
	text[got] = '\0';
	if (strlen(text) != got) {
		snprintf(err, errlen, "%s: NUL byte in the file", path);
		free(text);
		return -1;
	}
	ret = conf_parse(text, name, path, c, err, errlen);
	free(text);
	return ret;
}
