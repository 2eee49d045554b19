// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of cli/conf.c, the config file of "ovpn-cli up": every key,
 * defaults, comments and blanks, and each error naming the file and line
 * (unknown key, a key twice, missing mandatory keys, bad values, mixed
 * address families, TCP roles, names).
 */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

static int passed, failed;

static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		passed++;
	else
		failed++;
}

#define BASE "key = /etc/ovpn-cli/k.key\n" \
	     "local = 192.168.1.1:1194\n" \
	     "remote = 192.168.1.2:1194\n" \
	     "address = 10.8.0.1/24\n"

static int parse(const char *text, struct tunnel_conf *c, char *err,
		 size_t len)
{
	err[0] = '\0';
	return conf_parse(text, "site1", "/etc/ovpn-cli/site1.conf", c, err,
			  len);
}

/* @text must be refused with an error containing @want */
static void refuse(const char *text, const char *want, const char *what)
{
	struct tunnel_conf c;
	char err[512], msg[768];
	int ret = parse(text, &c, err, sizeof(err));

	snprintf(msg, sizeof(msg), "%s: refused with \"%s\" (got %d \"%s\")",
		 what, want, ret, err);
	check(ret == -1 && strstr(err, want), msg);
}

static void test_minimal(void)
{
	struct tunnel_conf c;
	char err[512];

	check(!parse(BASE, &c, err, sizeof(err)), "the four mandatory keys are enough");
	check(!strcmp(c.key_file, "/etc/ovpn-cli/k.key"), "key");
	check(c.local.family == AF_INET && c.local_port == 1194, "local");
	check(c.remote.family == AF_INET && c.remote_port == 1194 &&
	      c.remote.v4.s_addr == inet_addr("192.168.1.2"), "remote");
	check(c.vpn_ip.family == AF_INET && c.vpn_plen == 24, "address");
	check(!strcmp(c.dev, "site1"), "device defaults to the name");
	check(!c.tcp && c.ka_interval == 5 && c.ka_timeout == 60 &&
	      !strcmp(c.cipher->name, "aes-256-gcm") && !c.mtu &&
	      !c.rekey_seconds && !c.rekey_packets && !c.vpn_gw.family &&
	      !c.vpn_ip6.family && !c.peer_id, "defaults");
}

static void test_all_keys(void)
{
	struct tunnel_conf c;
	char err[512];
	const char *text =
		"# a comment\n"
		"\n"
		"   key=/k.key   # trailing comment\n"
		"proto = tcp\n"
		"tcp-role = connect\n"
		"local = [fd00::1]:0\r\n"
		"remote\t=\t[fd00::2]:443\n"
		"address = fd00:8::1/64\n"
		"address6 = fd00:9::1/64\n"
		"peer-address = fd00:8::2\n"
		"cipher = chacha20-poly1305\n"
		"device = tun-x\n"
		"peer-id = 7\n"
		"mtu = 1400\n"
		"keepalive = 10 120\n"
		"rekey-seconds = 600\n"
		"rekey-packets = 1000000";

	check(!parse(text, &c, err, sizeof(err)), "every key, IPv6, comments, CRLF, no final newline");
	check(!strcmp(c.key_file, "/k.key"), "key without blanks, trailing comment");
	check(c.tcp && c.tcp_role == CONF_TCP_CONNECT, "proto tcp, tcp-role connect");
	check(c.local.family == AF_INET6 && c.local_port == 0, "local [v6]:0");
	check(c.remote.family == AF_INET6 && c.remote_port == 443, "remote with tabs");
	check(c.vpn_ip.family == AF_INET6 && c.vpn_plen == 64, "IPv6 address");
	check(c.vpn_ip6.family == AF_INET6 && c.vpn_plen6 == 64, "address6");
	check(c.vpn_gw.family == AF_INET6, "peer-address");
	check(!strcmp(c.cipher->name, "chacha20-poly1305"), "cipher");
	check(!strcmp(c.dev, "tun-x"), "device");
	check(c.peer_id == 7 && c.mtu == 1400, "peer-id, mtu");
	check(c.ka_interval == 10 && c.ka_timeout == 120, "keepalive");
	check(c.rekey_seconds == 600 && c.rekey_packets == 1000000, "rekey");
	check(!parse(BASE "keepalive = 1,30\n", &c, err, sizeof(err)) &&
	      c.ka_interval == 1 && c.ka_timeout == 30, "keepalive with a comma");
	check(!parse(BASE "keepalive = 0 0\n", &c, err, sizeof(err)) &&
	      !c.ka_interval && !c.ka_timeout, "keepalive off");
	check(!parse(BASE "rekey-seconds = 0\n", &c, err, sizeof(err)) &&
	      c.rekey_seconds == CONF_REKEY_NEVER, "rekey-seconds 0: never by time");
	check(!parse(BASE "rekey-packets = 2147483648\n", &c, err, sizeof(err)) &&
	      c.rekey_packets == 0x80000000U, "rekey-packets at its maximum");
}

static void test_errors(void)
{
	refuse(BASE "colour = blue\n", "site1.conf:5: unknown key 'colour'", "unknown key");
	refuse("# x\n" BASE "Key = /k\n", "site1.conf:6: unknown key 'Key'", "keys are case-sensitive");
	refuse(BASE "key = /other\n", "site1.conf:5: 'key' given twice", "a key twice");
	refuse(BASE "mtu\n", "site1.conf:5: 'key = value' expected", "no '='");
	refuse(BASE "mtu =\n", "site1.conf:5: 'mtu' has no value", "empty value");
	refuse(BASE "mtu = 10\n", "site1.conf:5: mtu must be 68..65535, not '10'", "mtu too small");
	refuse(BASE "mtu = 0x500\n", "site1.conf:5: mtu must be", "mtu not decimal");
	refuse(BASE "proto = sctp\n", "site1.conf:5: proto must be udp or tcp", "proto");
	refuse(BASE "cipher = des\n", "site1.conf:5: unknown cipher", "cipher");
	refuse(BASE "cipher = none\n", "site1.conf:5: unknown cipher", "cipher none");
	refuse(BASE "keepalive = 10\n", "site1.conf:5: keepalive must be INTERVAL TIMEOUT", "keepalive one number");
	refuse(BASE "keepalive = a b\n", "site1.conf:5: keepalive must be", "keepalive words");
	refuse(BASE "rekey-seconds = -1\n", "site1.conf:5: rekey-seconds must be 0 (never by time) to 315360000, not '-1'", "rekey-seconds");
	refuse(BASE "rekey-seconds = 315360001\n", "site1.conf:5: rekey-seconds must be", "rekey-seconds too big");
	refuse(BASE "rekey-packets = 2147483649\n", "site1.conf:5: rekey-packets must be 1 to 2147483648", "rekey-packets too big");
	refuse(BASE "rekey-packets = 0\n", "site1.conf:5: rekey-packets must be", "rekey-packets 0");
	refuse(BASE "device = much-too-long-name\n", "site1.conf:5: device must be", "device too long");
	refuse(BASE "peer-address = fd00::2\n", "'peer-address' and 'address' are of different", "peer-address family");
	refuse(BASE "address6 = 10.9.0.1/24\n", "site1.conf:5: address6 must be IPV6", "address6 IPv4");
	refuse(BASE "tcp-role = listen\n", "'tcp-role' needs 'proto = tcp'", "tcp-role without tcp");
	refuse(BASE "proto = tcp\n", "proto tcp needs 'tcp-role'", "tcp without a role");
	refuse(BASE "tcp-role = both\n", "site1.conf:5: tcp-role must be listen or connect", "tcp-role value");

	refuse("local = 192.168.1.1:1194\nremote = 192.168.1.2:1194\naddress = 10.8.0.1/24\n",
	       "site1.conf: missing 'key'", "no key");
	refuse("key = /k\nremote = 192.168.1.2:1194\naddress = 10.8.0.1/24\n",
	       "site1.conf: missing 'local'", "no local");
	refuse("key = /k\nlocal = 192.168.1.1:1194\naddress = 10.8.0.1/24\n",
	       "site1.conf: missing 'remote'", "no remote");
	refuse("key = /k\nlocal = 192.168.1.1:1194\nremote = 192.168.1.2:1194\n",
	       "site1.conf: missing 'address'", "no address");
	refuse("", "missing 'key'", "an empty file");

	refuse("key = /k\nlocal = 192.168.1.1\nremote = 192.168.1.2:1194\naddress = 10.8.0.1/24\n",
	       "site1.conf:2: local must be ADDR:PORT", "local without a port");
	refuse("key = /k\nlocal = 192.168.1.1:1194\nremote = 192.168.1.2:0\naddress = 10.8.0.1/24\n",
	       "site1.conf:3: remote must be", "remote port 0");
	refuse("key = /k\nlocal = 192.168.1.1:1194\nremote = fd00::2:1194\naddress = 10.8.0.1/24\n",
	       "site1.conf:3: remote must be", "IPv6 without brackets");
	refuse("key = /k\nlocal = 192.168.1.1:70000\nremote = 192.168.1.2:1194\naddress = 10.8.0.1/24\n",
	       "site1.conf:2: local must be", "port too big");
	refuse("key = /k\nlocal = [fd00::1]:1194\nremote = 192.168.1.2:1194\naddress = 10.8.0.1/24\n",
	       "'local' and 'remote' are of different address families", "mixed families");
	refuse("key = /k\nlocal = 192.168.1.1:1194\nremote = 192.168.1.2:1194\naddress = 10.8.0.1\n",
	       "site1.conf:4: address must be ADDR/PREFIXLEN", "address without a prefix");
	refuse("key = /k\nlocal = 192.168.1.1:1194\nremote = 192.168.1.2:1194\naddress = 10.8.0.1/33\n",
	       "site1.conf:4: address must be", "prefix too long");
}

static void test_names(void)
{
	struct tunnel_conf c;
	char name[CONF_NAME_MAX + 1], err[256];

	check(!conf_name_of("site1", name, sizeof(name), err, sizeof(err)) &&
	      !strcmp(name, "site1"), "a name");
	check(!conf_name_of("/etc/x/hq.conf", name, sizeof(name), err, sizeof(err)) &&
	      !strcmp(name, "hq"), "a path: its name without .conf");
	check(conf_name_of(".hidden", name, sizeof(name), err, sizeof(err)) == -1,
	      "a name starting with a dot");
	check(conf_name_of("a b", name, sizeof(name), err, sizeof(err)) == -1, "a blank");
	check(conf_name_of("", name, sizeof(name), err, sizeof(err)) == -1, "empty");
	check(conf_parse(BASE, "a-name-longer-than-15", "/x.conf", &c, err, sizeof(err)) == -1 &&
	      strstr(err, "too long for a device name: set 'device'"),
	      "a long name needs 'device'");
	check(!conf_parse(BASE "device = t0\n", "a-name-longer-than-15", "/x.conf", &c, err,
			  sizeof(err)) && !strcmp(c.dev, "t0"), "a long name with 'device'");
}

int main(void)
{
	test_minimal();
	test_all_keys();
	test_errors();
	test_names();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
